/**
 * The one exponential back-off. Each caller keeps its own numbers as a `BackoffPolicy`; the formula is shared:
 * `min(maxDelayMs, baseDelayMs * factor^(failures - 1))`, then jittered.
 */
export interface BackoffPolicy {
  /** Delay after the first failure; multiplied by `factor` with every further one. */
  baseDelayMs: number;
  /** Upper bound for one delay (before jitter, which only ever shortens it). */
  maxDelayMs: number;
  /** Growth per failure; 2 unless given. */
  factor?: number;
  /**
   * `equal` (default): half of the delay fixed, half random, so that many callers failing together do not come back in
   * lockstep while none comes back immediately. `none`: the delay exactly (for schedules that must be predictable).
   */
  jitter?: 'equal' | 'none';
}

/** The outbox's policy: 1 s doubling up to 5 minutes, equal jitter. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 };

/**
 * Delay before the next attempt after `failures` failed ones (1 for the first failure; 0 is treated as 1).
 * `random` returns a number in [0, 1); inject it to make the jitter deterministic.
 */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, failures - 1), 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * (policy.factor ?? 2) ** exponent);
  if (policy.jitter === 'none') return ceiling;
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
