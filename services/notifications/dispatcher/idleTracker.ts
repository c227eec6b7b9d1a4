import type { Delivery } from '../deliveryLedger';
import type { Holdings } from './holdings';
import { keyOf } from './work';

/** How many deliveries put back for later a dispatcher remembers for `whenIdle`. */
const MAX_TRACKED_LATER = 10_000;

interface IdleWaiter {
  /** The number of due-queries started before `whenIdle` was called: only a later one may settle it. */
  after: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * The bookkeeping behind `Dispatcher.whenIdle`: who waits, what this process put back for later, and whether a
 * due-query may tell the waiters that the dispatcher caught up. It decides nothing about sending.
 */
export class IdleTracker {
  private readonly waiters: IdleWaiter[] = [];
  /**
   * Deliveries this process put back as pending for later, with their due time: `whenIdle` waits for them. An entry
   * goes when this process claims the delivery again, or when a complete query after its due time does not return it
   * (another process took it, or it was finished or deleted). Bounded: beyond the limit the oldest entries are dropped.
   */
  private readonly later = new Map<string, number>();
  /** Due-queries started so far; a `whenIdle` call waits for a quiet one started after it. */
  private querySeq = 0;
  /** A failed fetch holds idle probes off until then, so that a waiter does not hammer a failing database. */
  private probeAfter = 0;

  constructor(private readonly holdings: Holdings) {}

  /** Whether anyone waits for `whenIdle`. */
  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** A new waiter, settled by a quiet due-query that starts after this call. */
  wait(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ after: this.querySeq, resolve, reject });
    });
  }

  /** Rejects every waiter, each with an error of its own. */
  rejectAll(error: () => Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error());
  }

  /** Remembers a delivery handed back to the outbox, due at `dueAt`: waiters wait for it. */
  putBack(doc: { pk: string; id: string }, dueAt: number): void {
    if (this.later.size >= MAX_TRACKED_LATER) this.later.delete(this.later.keys().next().value as string);
    this.later.set(keyOf(doc), dueAt);
  }

  /** This process claimed the delivery again: no longer waiting in the outbox. */
  forget(key: string): void {
    this.later.delete(key);
  }

  /** Whether a due-query started now could settle the waiters: only one that starts with nothing held. */
  canProbe(): boolean {
    return this.waiters.length > 0 && this.holdings.holdsNothing();
  }

  /** Whether waiters need a fresh due-query now. */
  probeDue(now: number): boolean {
    return this.canProbe() && now >= this.nextProbeAt();
  }

  /** When an idle waiter next needs a fresh query: when the first delivery put back comes due, not before a failed fetch may be retried. */
  nextProbeAt(): number {
    return Math.max(this.probeAfter, this.later.size === 0 ? 0 : this.earliestLater());
  }

  /** A fetch failed: no probe before `at`. */
  holdOffProbesUntil(at: number): void {
    this.probeAfter = at;
  }

  /** Counts a due-query that starts now; returns its number for `settleIfCaughtUp`. */
  startQuery(): number {
    return ++this.querySeq;
  }

  /** A complete answer to a due-query started at `now`: what this process put back, due by then and not in it, is no longer waiting for anyone. */
  dropAnswered(due: readonly Delivery[], now: number): void {
    const returned = new Set(due.map(keyOf));
    for (const [key, dueAt] of this.later) if (dueAt <= now && !returned.has(key)) this.later.delete(key);
  }

  /**
   * After a probing query `seq` (one that started with nothing held) that found `dueCount` deliveries: when it found
   * none, still nothing is held and nothing put back is outstanding, the waiters that called before it are settled.
   */
  settleIfCaughtUp(seq: number, dueCount: number): void {
    if (dueCount === 0 && this.holdings.holdsNothing() && this.later.size === 0) this.settle(seq);
  }

  /** Resolves the waiters that called before query `seq` started. */
  private settle(seq: number): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].after < seq) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  private earliestLater(): number {
    let at = Number.POSITIVE_INFINITY;
    for (const dueAt of this.later.values()) at = Math.min(at, dueAt);
    return at;
  }
}
