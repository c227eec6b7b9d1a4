/**
 * Latencies and failures of a closed-loop benchmark while it measures. Every call counts in the latencies, a failed
 * one too (a refusal or an error can be fast or slow; leaving it out flatters either way); the throughput counts only
 * calls that did what they were sent to do. Failures are kept by reason, so the printed count says what went wrong.
 */
export class CallTally {
  /** Calls are recorded only while this is true (not during warm-up). */
  measuring = false;
  readonly latencies: number[] = [];
  private readonly failuresByReason = new Map<string, number>();
  private succeededCalls = 0;

  /** One call's latency, and why it failed if it did. */
  record(ms: number, failure?: string): void {
    if (!this.measuring) return;
    this.latencies.push(ms);
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

  /** The latencies sorted ascending, for percentiles. */
  sorted(): number[] {
    return [...this.latencies].sort((a, b) => a - b);
  }
}
