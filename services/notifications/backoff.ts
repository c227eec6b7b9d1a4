/** Settings for retrying transient failures. */
export interface BackoffPolicy {
  /** Delay before the second attempt; doubles with every further attempt. */
  baseDelayMs: number;
  /** Upper bound for one delay. */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 };

/**
 * Delay before the next attempt after `attempts` failed ones: exponential, capped, with "equal jitter"
 * (half fixed, half random) so that many deliveries failing together do not come back in lockstep,
 * while none comes back immediately.
 */
export function backoffDelay(attempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempts - 1);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 30));
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
