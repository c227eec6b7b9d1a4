import { NO_OUTCOME_RECORDED, type DeliveryChanges } from '../deliveryLedger';
import type { ConversationRef } from '../model';
import type { DeliveryRateLimiter, RatePermit } from '../rateLimiter';
import type { DispatchContext } from './context';
import type { DeliveryCalls } from './deliveryCalls';
import { Holdings } from './holdings';
import type { ConversationPace } from './pace';
import { chatOf, errorCode, eventOf, type Work } from './work';

/**
 * The send side's scheduling: moves ready deliveries through their phases (claimed, marked `sending` ahead of their
 * slot, started when the rate limiter grants one) and hands back what waits too long or holds an old lease.
 */
export class SlotPump {
  /**
   * Sends whose earlier attempt has no recorded outcome (the process died during the call) go out one at a time: if
   * this process dies too, at most one of them can have reached Teams unrecorded again.
   */
  private uncertainInFlight = 0;
  /** Channel calls under way (installations through Graph are not counted: they hold no Teams slot). */
  private callsInFlight = 0;
  /** When the last channel call started (for `busyCallSpacingMs`). */
  private lastCallAt = Number.NEGATIVE_INFINITY;
  /**
   * Chats ({@link chatOf}) with a call under way. Messages to one chat go one at a time: two calls side by side could
   * reach Teams in either order (a „Rückfrage“ shown after the „Erledigt“ that followed it).
   */
  private readonly chatsInFlight = new Set<string>();

  constructor(
    private readonly ctx: DispatchContext,
    private readonly limiter: DeliveryRateLimiter,
    private readonly calls: DeliveryCalls,
    /** When deliveries to a conversation whose rate limit is used up come due again. */
    private readonly pace: ConversationPace,
  ) {}

  /**
   * Starts every begun delivery the limits allow, and begins the next ones so that they are ready when a slot frees.
   * Returns how long until the next one could go.
   */
  pump(): number {
    const { options, clock, holdings } = this.ctx;
    const ready = holdings.ready;
    let wait = Number.POSITIVE_INFINITY;
    const now = clock.now();
    let ahead = holdings.countBegun();
    // While the process's turns need the thread, calls wait (the hold), then go at the busy spacing.
    let held = this.heldForTurns();
    // Chats with a delivery that stays queued in this pass: the later ones to that chat wait behind it.
    let passed: Set<string> | undefined;
    let begunChats: Set<string> | undefined;
    const stays = (work: Work): void => {
      (passed ??= new Set()).add(chatOf(work));
    };
    for (let i = 0; i < ready.length && holdings.inFlight.size < options.maxInFlight; ) {
      const work = ready[i];
      if (work.phase === 'beginning') {
        stays(work);
        i++;
        continue;
      }
      if (now - work.leasedAt > options.leaseMs / 2) {
        ready.splice(i, 1);
        void this.giveBack(work, now);
        continue;
      }
      // Posts are marked `sending` ahead of their slot. A user without a personal chat goes straight to opening one:
      // that call is idempotent and needs no mark.
      if (work.ref && work.phase === 'claimed') {
        // Past `beginAhead`, the first of a chat is marked all the same when a later one to that chat is marked already:
        // that one waits behind it, and would hold its place for nothing.
        if (ahead < options.beginAhead || (!this.chatsInFlight.has(chatOf(work)) && !passed?.has(chatOf(work)) && (begunChats ??= this.begunChats(ready)).has(chatOf(work)))) {
          ahead += 1;
          this.beginAhead(work);
        }
        stays(work);
        i++;
        continue;
      }
      // From here on a delivery may start its call: one call at a time to a chat, in the queue's order.
      if ((this.chatsInFlight.size > 0 || passed) && (this.chatsInFlight.has(chatOf(work)) || passed?.has(chatOf(work)))) {
        i++;
        continue;
      }
      // A person who needs the app first: the Graph installation holds no Teams slot.
      if (this.calls.needsInstall(work)) {
        if (this.calls.canInstall()) {
          ready.splice(i, 1);
          this.track(work, this.calls.install(work));
          continue;
        }
        stays(work);
        i++;
        continue;
      }
      if (work.uncertain && this.uncertainInFlight > 0) {
        stays(work);
        i++;
        continue;
      }
      // Every call under way is a message Teams may have taken without the outbox knowing yet: a crash now repeats it.
      // A busy process reads answers late; the next sends wait here, unsent, instead of piling up in that window.
      if (this.callsInFlight >= options.maxCallsInFlight) {
        stays(work);
        i++;
        continue;
      }
      if (held > 0) {
        wait = Math.min(wait, held);
        stays(work);
        i++;
        continue;
      }
      const decision = this.limiter.tryAcquire(work.tenantId, work.ref?.conversationId);
      if (decision.permit) {
        ready.splice(i, 1);
        ahead -= work.phase === 'begun' ? 1 : 0;
        this.start(work, decision.permit);
        held = this.heldForTurns();
        continue;
      }
      // Whether put back for later or waiting here, the later deliveries to this chat wait behind it.
      stays(work);
      if (Number.isFinite(decision.waitMs) && decision.waitMs > options.deferAfterMs) {
        ready.splice(i, 1);
        ahead -= work.phase === 'begun' ? 1 : 0;
        // Behind the deliveries to the same conversation put back before it, so that they come due one by one.
        void this.giveBack(work, this.ctx.schedule.scheduled(this.pace.later(work.ref?.conversationId, now + decision.waitMs)));
        continue;
      }
      wait = Math.min(wait, decision.waitMs);
      i++;
    }
    return wait;
  }

  /** Hands a claimed delivery back to the outbox (unsent, no attempt used); tracked so that `stop` can wait for it. */
  giveBack(work: Work, dueAt: number): Promise<void> {
    const { clock, ledger, idle, logger, holdings, waker } = this.ctx;
    const changes: DeliveryChanges = work.ref && work.doc.target.kind === 'user' ? { conversation: work.ref } : {};
    if (work.uncertain && !work.doc.lastError?.ambiguous) {
      // Keep the knowledge that an earlier send has no recorded outcome, for whoever sends this next.
      changes.lastError = { code: NO_OUTCOME_RECORDED, at: new Date(clock.now()).toISOString(), ambiguous: true };
    }
    const release = (async () => {
      try {
        if (await ledger.release(work.doc, dueAt, changes)) idle.putBack(work.doc, dueAt);
      } catch (err) {
        logger.error({ event: 'delivery.release_failed', notificationId: work.doc.pk, deliveryId: work.doc.id, code: errorCode(err) }, 'could not hand a delivery back');
      } finally {
        holdings.done(work);
      }
    })();
    Holdings.track(holdings.housekeeping, release, () => {
      if (idle.waiting) waker.wake();
    });
    return release;
  }

  /** Writes `sending` for a delivery waiting for its slot; a lost lease drops it from this process. */
  private beginAhead(work: Work): void {
    const { ledger, holdings, clock, logger, waker } = this.ctx;
    work.phase = 'beginning';
    const begin = (async () => {
      try {
        const begun = await ledger.begin(work.doc, work.ref as ConversationRef);
        if (!begun) {
          holdings.unready(work);
          holdings.done(work);
          this.ctx.emit(eventOf(work, 'leaseLost'));
          return;
        }
        work.doc = begun;
        work.phase = 'begun';
        work.leasedAt = clock.now();
      } catch (err) {
        work.phase = 'claimed';
        logger.error({ event: 'delivery.begin_failed', notificationId: work.doc.pk, deliveryId: work.doc.id, code: errorCode(err) }, 'could not mark a delivery as sending');
      } finally {
        waker.wake();
      }
    })();
    Holdings.track(holdings.housekeeping, begin);
  }

  /** Chats with a delivery in the queue marked `sending` (or being marked). */
  private begunChats(ready: readonly Work[]): Set<string> {
    const chats = new Set<string>();
    for (const w of ready) if (w.phase !== 'claimed') chats.add(chatOf(w));
    return chats;
  }

  /** How long the next channel call waits for the process's turns (0: it may go now; see `turnYield.ts`). */
  private heldForTurns(): number {
    return this.ctx.callWait(this.lastCallAt);
  }

  /** Runs the channel call in the background; afterwards the delivery is let go unless it was queued again. */
  private start(work: Work, permit: RatePermit): void {
    this.lastCallAt = this.ctx.clock.now();
    const uncertain = work.uncertain;
    const chat = chatOf(work);
    if (uncertain) this.uncertainInFlight += 1;
    this.callsInFlight += 1;
    this.chatsInFlight.add(chat);
    this.track(work, this.calls.run(work, permit), () => {
      if (uncertain) this.uncertainInFlight -= 1;
      this.callsInFlight -= 1;
      this.chatsInFlight.delete(chat);
    });
  }

  /** Keeps a call on `work` among those in flight; afterwards the delivery is let go unless it was queued again. */
  private track(work: Work, run: Promise<void>, then?: () => void): void {
    const { holdings, waker } = this.ctx;
    Holdings.track(holdings.inFlight, run, () => {
      then?.();
      if (!holdings.ready.includes(work)) holdings.done(work);
      waker.wake();
    });
  }
}
