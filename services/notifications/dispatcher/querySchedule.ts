/**
 * When the dispatcher next asks the database for due deliveries, and when it next completes interrupted enqueues.
 * Retries and deferrals this process writes are noted here, so that they come back on time without extra queries.
 */
export class QuerySchedule {
  /** No due-query before this instant unless woken (0: at once). */
  nextQueryAt = 0;
  private lastQueryAt = Number.NEGATIVE_INFINITY;
  private nextRepairAt = 0;
  /** Earliest due time this process wrote (retries, deferrals), so it comes back on time without extra queries. */
  private earliestScheduled = Number.POSITIVE_INFINITY;

  constructor(private readonly pollIntervalMs: number) {}

  /** Notes a due time this process wrote; returns it. */
  scheduled(dueAt: number): number {
    this.earliestScheduled = Math.min(this.earliestScheduled, dueAt);
    return dueAt;
  }

  /** The next fetch queries, whatever the handoff brings. */
  queryNow(): void {
    this.nextQueryAt = 0;
  }

  /** True (and the next repair scheduled) when interrupted enqueues are due to be completed at `now`. */
  repairDue(now: number, repairIntervalMs: number): boolean {
    if (now < this.nextRepairAt) return false;
    this.nextRepairAt = now + repairIntervalMs;
    return true;
  }

  /**
   * Whether a fetch at `now` queries the database: when the handoff does not fill the queue, at least once per poll
   * interval for retries that came due, and whenever an idle waiter needs a fresh answer. A query is counted as started.
   */
  startQuery(now: number, handoffShort: boolean, probing: boolean): boolean {
    if ((handoffShort && now >= this.nextQueryAt) || now >= this.lastQueryAt + this.pollIntervalMs || probing) {
      this.lastQueryAt = now;
      return true;
    }
    return false;
  }

  /** After a query answered at `after`: a backlog is queried again as soon as there is room, else at the next poll or due retry. */
  queried(after: number, backlog: boolean): void {
    if (!backlog) {
      if (this.earliestScheduled <= after) this.earliestScheduled = Number.POSITIVE_INFINITY;
      this.nextQueryAt = Math.min(after + this.pollIntervalMs, this.earliestScheduled);
    } else {
      this.nextQueryAt = after;
    }
  }

  /** A fetch failed at `now`: try again after a poll interval. Returns that time. */
  fetchFailed(now: number): number {
    this.nextQueryAt = now + this.pollIntervalMs;
    return this.nextQueryAt;
  }
}
