import type { Delivery } from '../deliveryLedger';
import { keyOf, type Work } from './work';

/** How many let-go deliveries {@link Holdings} remembers. */
const LET_GO_REMEMBERED = 2_048;

/** What this process holds of the outbox at a moment: deliveries it claimed, and the work under way on them. */
export class Holdings {
  /** Claimed deliveries waiting for a rate-limit slot, by due time. */
  readonly ready: Work[] = [];
  /** Keys of the deliveries this process holds a lease on. */
  readonly mine = new Set<string>();
  /** Channel calls under way, with the writes recording them. */
  readonly inFlight = new Set<Promise<void>>();
  /** Other writes under way: `sending` marks and hand-backs. */
  readonly housekeeping = new Set<Promise<void>>();
  /** Deliveries this process just enqueued: claimed from here without a query. */
  readonly handoff: Delivery[] = [];
  /**
   * Keys of deliveries this process let go lately (the newest {@link LET_GO_REMEMBERED}). A query can find a delivery
   * while the enqueue that made it is still handing it over; claimed, sent and let go from the query, its handed-over
   * copy is stale, and a claim of it would only fail its ETag (a wasted write): such copies are skipped.
   */
  private readonly letGo = new Set<string>();
  /** Called whenever a delivery is let go (see {@link Holdings.done}). */
  private readonly releaseListeners = new Set<() => void>();

  /** Deliveries handed over or held and not yet let go: what this process will send in the next seconds. */
  backlog(): number {
    return this.handoff.length + this.mine.size;
  }

  /** Calls `listener` whenever a delivery is let go, or room freed otherwise ({@link roomFreed}); returns the unsubscribe. */
  onRelease(listener: () => void): () => void {
    this.releaseListeners.add(listener);
    return () => this.releaseListeners.delete(listener);
  }

  /** Tells the listeners that room may have become free without a delivery let go (a burst of turns ended). */
  roomFreed(): void {
    for (const listener of this.releaseListeners) listener();
  }

  holdsNothing(): boolean {
    return this.ready.length === 0 && this.mine.size === 0 && this.inFlight.size === 0 && this.housekeeping.size === 0 && this.handoff.length === 0;
  }

  /** Ready deliveries marked `sending`, or being marked. */
  countBegun(): number {
    return this.ready.filter((w) => w.phase !== 'claimed').length;
  }

  /** Lets go of a delivery: it was settled, handed back, or its lease was lost. */
  done(work: Work): void {
    const key = keyOf(work.doc);
    this.mine.delete(key);
    this.letGo.delete(key);
    this.letGo.add(key);
    if (this.letGo.size > LET_GO_REMEMBERED) this.letGo.delete(this.letGo.values().next().value as string);
    this.roomFreed();
  }

  /** Whether a handed-over delivery is worth a claim: not held now, and not let go lately (see {@link letGo}). */
  claimable(delivery: Delivery): boolean {
    const key = keyOf(delivery);
    return !this.mine.has(key) && !this.letGo.has(key);
  }

  /** Takes a delivery out of the ready queue, if it is there. */
  unready(work: Work): void {
    const at = this.ready.indexOf(work);
    if (at !== -1) this.ready.splice(at, 1);
  }

  /** Keeps `task` in `set` while it runs (so that `stop` can wait for it), then calls `then`. */
  static track(set: Set<Promise<void>>, task: Promise<void>, then?: () => void): void {
    set.add(task);
    void task.finally(() => {
      set.delete(task);
      then?.();
    });
  }
}
