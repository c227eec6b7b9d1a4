/**
 * Latencies and failures of a closed-loop benchmark while it measures. Every call counts in the latencies, a failed
 * one too (a refusal or an error can be fast or slow; leaving it out flatters either way); the throughput counts only
 * calls that did what they were sent to do. Failures are kept by reason, so the printed count says what went wrong.
 */
export class CallTally {
  /** Calls are recorded only while this is true (not during warm-up). */
  measuring = false;
  readonly latencies: number[] = [];
  /** The same latencies by step (the verb of a card action), where the caller names it. */
  private readonly latenciesByStep = new Map<string, number[]>();
  private readonly failuresByReason = new Map<string, number>();
  private succeededCalls = 0;

  /** One call's latency, and why it failed if it did; `step` names what it was (e.g. `request.accept`). */
  record(ms: number, failure?: string, step?: string): void {
    if (!this.measuring) return;
    this.latencies.push(ms);
    if (step !== undefined) {
      const list = this.latenciesByStep.get(step) ?? [];
      list.push(ms);
      this.latenciesByStep.set(step, list);
    }
    if (failure) this.failuresByReason.set(failure, (this.failuresByReason.get(failure) ?? 0) + 1);
    else this.succeededCalls++;
  }

  get succeeded(): number {
    return this.succeededCalls;
  }

  get failed(): number {
    return this.latencies.length - this.succeededCalls;
  }

  /** E.g. `3 failed (nothing changed: 2, refused 403: 1)`, or `0 failed`. */
  describeFailures(): string {
    const reasons = [...this.failuresByReason].map(([reason, n]) => `${reason}: ${n}`).join(', ');
    return `${this.failed} failed${reasons ? ` (${reasons})` : ''}`;
  }

  /**
   * Per step, in the order steps were first seen: how many calls, their median and p99 (nearest rank), and how many of
   * the calls above the whole run's p99 were of this step. E.g. `request.submit 512 p50 30.1 p99 95.0 ms (tail 9)`.
   */
  describeSteps(): string {
    const all = this.sorted();
    if (all.length === 0) return '';
    const p99 = percentile(all, 99);
    return [...this.latenciesByStep]
      .map(([step, list]) => {
        const sorted = [...list].sort((a, b) => a - b);
        const tail = list.filter((ms) => ms > p99).length;
        return `${step} ${list.length} p50 ${percentile(sorted, 50).toFixed(1)} p99 ${percentile(sorted, 99).toFixed(1)} ms (tail ${tail})`;
      })
      .join(', ');
  }

  /** The latencies sorted ascending, for percentiles. */
  sorted(): number[] {
    return [...this.latencies].sort((a, b) => a - b);
  }
}

/** Containers whose operations a card action's request path may cause: the workflow documents, profiles, the trail archive. */
const REQUEST_PATH_CONTAINERS = new Set(['items', 'circle', 'users', 'audit']);

/**
 * The database's operations in a measured window, split into those of the request path (reads and writes of the
 * workflow documents, profiles and audit trail) and those after it (outbox, jobs, conversation references, and the
 * relay's patch that clears a document's relayed notices: a patch of a container in `relayPatches`), per action.
 */
export function operationsPerAction(ops: Record<string, number>, actions: number, relayPatches: readonly string[]): { requestPath: number; offPath: number; breakdown: string; counts: Record<string, number> } {
  let requestPath = 0;
  let offPath = 0;
  for (const [op, n] of Object.entries(ops)) {
    const [container, kind] = op.split(':');
    if (container === 'meta') continue;
    if (REQUEST_PATH_CONTAINERS.has(container) && !(kind === 'patch' && relayPatches.includes(container))) requestPath += n;
    else offPath += n;
  }
  const per = Math.max(1, actions);
  const breakdown = Object.entries(ops)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ${(n / per).toFixed(2)}`)
    .join(', ');
  return { requestPath: requestPath / per, offPath: offPath / per, breakdown, counts: ops };
}

/** The operations off the request path (see {@link operationsPerAction}) per proactive call, by `container:kind`. */
export function perCall(ops: Record<string, number>, calls: number, relayPatches: readonly string[]): string {
  return Object.entries(ops)
    .filter(([op]) => {
      const [container, kind] = op.split(':');
      return container !== 'meta' && (!REQUEST_PATH_CONTAINERS.has(container) || (kind === 'patch' && relayPatches.includes(container)));
    })
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ${(n / Math.max(1, calls)).toFixed(2)}`)
    .join(', ');
}

/** Every operation (`container:kind`, database metadata left out) per proactive call. */
export function allPerCall(ops: Record<string, number>, calls: number): string {
  return Object.entries(ops)
    .filter(([op]) => !op.startsWith('meta:'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ${(n / Math.max(1, calls)).toFixed(2)}`)
    .join(', ');
}

/** Nearest-rank percentile `p` (0–100) of an ascending list; 0 for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
