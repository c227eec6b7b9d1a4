import { NO_OUTCOME_RECORDED, type Delivery } from '../deliveryLedger';
import type { DeliveryDoc } from '../model';
import { forEachLimited, type Outbox } from '../outbox';
import type { Versioned } from '../../storage/documentStore';
import type { DispatchContext } from './context';
import type { Outcomes } from './outcomes';
import { ChatFences } from './fences';
import type { ConversationPace } from './pace';
import { byOrder, chatOf, errorCode, eventOf, keyOf, shuffle, tenantOf, type Work } from './work';

/**
 * The claim side: finds due deliveries (handed over by an enqueue in this process, or queried), takes a lease on them
 * and works out where each goes, filling the ready queue ahead of the rate limiter so that it never waits for the
 * database. Also completes enqueues that a crash interrupted.
 */
export class Claimer {
  /** The fetch under way, if any; at most one at a time. */
  fetching: Promise<void> | undefined;
  /** Below this many ready deliveries the loop fetches more. */
  private readonly lowWater: number;
  private stopped = false;
  /** What other processes held when this one started (see {@link ChatFences}); looked up by the first fetch. */
  private readonly fences = new ChatFences();
  private fencesLoaded = false;

  constructor(
    private readonly ctx: DispatchContext,
    /** Completes interrupted enqueues. */
    private readonly repairer: Outbox,
    private readonly outcomes: Outcomes,
    /** When deliveries to a conversation whose rate limit is used up come due again. */
    private readonly pace: ConversationPace,
  ) {
    this.lowWater = Math.ceil(ctx.options.claimAhead / 2);
  }

  /** Takes deliveries just enqueued in this process, to be claimed without a query. */
  takeHandoff(created: Versioned<DeliveryDoc>[]): void {
    const { options, holdings, schedule, waker } = this.ctx;
    const room = options.claimAhead * 4 - holdings.handoff.length;
    holdings.handoff.push(...(created.slice(0, Math.max(0, room)) as Delivery[]));
    // What does not fit is found by the next query.
    if (created.length > room) schedule.queryNow();
    waker.wake();
  }

  /** Claims nothing more; a fetch under way stops claiming. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * How many more deliveries a fetch would take: the claim-ahead window less what is ready or being sent, and no more
   * than can be marked `sending` ahead of their slot (`beginAhead`), so that a claim is also that mark (one write, see
   * {@link claimAll}) rather than a claim now and the mark later.
   */
  private room(): number {
    const { options, holdings } = this.ctx;
    return Math.min(this.ctx.claimWindow() - holdings.ready.length - holdings.inFlight.size, options.beginAhead - holdings.countBegun());
  }

  /** Whether the loop should start a fetch at `now`: the ready queue runs low and there is something to look at. */
  wantsFetch(now: number): boolean {
    const { holdings, schedule, idle } = this.ctx;
    return (
      !this.fetching &&
      holdings.ready.length < this.lowWater &&
      // With the window full of calls in flight, a fetch would take nothing: wait for an answer (it wakes the loop).
      this.room() > 0 &&
      (holdings.handoff.length > 0 || now >= schedule.nextQueryAt || idle.probeDue(now))
    );
  }

  /** How long the loop may sleep before a fetch is wanted (for the queue, or for an idle waiter's probe). */
  msUntilFetch(): number {
    const { holdings, schedule, idle, clock } = this.ctx;
    // A fetch under way, or every slot taken by calls in flight: an answer (or the fetch) wakes the loop.
    if (this.fetching || this.room() <= 0) return Number.POSITIVE_INFINITY;
    let ms = Number.POSITIVE_INFINITY;
    if (holdings.ready.length < this.lowWater) ms = holdings.handoff.length > 0 ? 0 : Math.max(0, schedule.nextQueryAt - clock.now());
    // An idle waiter: look again when the first delivery put back comes due (or a failed fetch may be retried).
    if (idle.canProbe()) ms = Math.min(ms, Math.max(0, idle.nextProbeAt() - clock.now()));
    return ms;
  }

  /** Starts a fetch in the background; a failure is logged and holds the next query off for a poll interval. */
  startFetch(): void {
    const { clock, schedule, idle, logger, waker } = this.ctx;
    this.fetching = this.fetch()
      .catch((err: unknown) => {
        idle.holdOffProbesUntil(schedule.fetchFailed(clock.now()));
        logger.error({ event: 'outbox.fetch_failed', code: errorCode(err) }, 'could not fetch due deliveries');
      })
      .finally(() => {
        this.fetching = undefined;
        waker.wake();
      });
  }

  /** Repairs if due, gathers candidates (handoff, then a query), claims them, and orders the ready queue. */
  private async fetch(): Promise<void> {
    const { options, clock, holdings, idle, schedule } = this.ctx;
    const now = clock.now();
    if (!this.fencesLoaded) await this.loadFences();
    if (schedule.repairDue(now, options.repairIntervalMs)) await this.repairInterrupted();
    const want = this.room();
    if (want <= 0) return;
    // Only a query that starts and ends with nothing held can tell an idle waiter that the dispatcher caught up.
    const probing = idle.canProbe();
    const candidates = holdings.handoff.splice(0, want).filter((d) => holdings.claimable(d));
    if (schedule.startQuery(now, candidates.length < want, probing)) await this.query(now, want, candidates, probing);
    await this.claimAll(candidates);
    holdings.ready.sort(byOrder);
  }

  /**
   * Notes the open deliveries due by now or held under a lease (see {@link ChatFences}), once. The order it keeps is
   * worth less than delivery itself: when the look-up fails, the dispatcher goes on without it (and says so).
   */
  private async loadFences(): Promise<void> {
    const { ledger, clock, options, logger } = this.ctx;
    this.fencesLoaded = true;
    try {
      this.fences.load(await ledger.openDueBy(clock.now() + options.leaseMs));
    } catch (err) {
      logger.warn({ event: 'outbox.fences_unavailable', code: errorCode(err) }, 'could not look up the open deliveries: a chat\'s order after a crash is not kept this time');
      return;
    }
    if (this.fences.size > 0) logger.info({ event: 'outbox.chats_fenced', chats: this.fences.size }, 'later messages to chats with deliveries open at start wait for them');
  }

  /**
   * Until when `doc` must wait for earlier deliveries to its chat that were open at start (`undefined`: it may go).
   * One held by another process: until its lease ends. One due: a poll interval, then it is looked at again (it is read,
   * and forgotten once settled, or once this process holds it: the slot pump keeps the order from there).
   */
  private async waitForEarlier(doc: Delivery): Promise<number | undefined> {
    const { clock, holdings, ledger, options } = this.ctx;
    let until: number | undefined;
    for (const fence of this.fences.before(doc)) {
      const now = clock.now();
      if (fence.until > now) {
        until = Math.max(until ?? 0, fence.until + 1);
        continue;
      }
      if (holdings.mine.has(keyOf(fence))) {
        this.fences.drop(doc, fence);
        continue;
      }
      const current = await ledger.read(fence.pk, fence.id);
      if (!current || current.kind !== 'delivery' || !current.open) {
        this.fences.drop(doc, fence);
        continue;
      }
      // Leased again (by another process, or by this one and let go since): wait for that lease; else it is due.
      fence.until = current.dueAt;
      until = Math.max(until ?? 0, current.dueAt > now ? current.dueAt + 1 : now + options.pollIntervalMs);
    }
    return until;
  }

  private async repairInterrupted(): Promise<void> {
    const repaired = await this.repairer.completeInterrupted(this.ctx.options.repairAfterMs);
    if (repaired > 0) this.ctx.logger.warn({ event: 'outbox.enqueue_completed', count: repaired }, 'completed interrupted enqueues');
  }

  /** Queries due deliveries and appends the ones not held or already among `candidates`, shuffled. */
  private async query(now: number, want: number, candidates: Delivery[], probing: boolean): Promise<void> {
    const { ledger, holdings, idle, schedule, clock, random } = this.ctx;
    const seq = idle.startQuery();
    const asked = Math.max(want - candidates.length, Math.ceil(want / 4));
    const seen = new Set(candidates.map(keyOf));
    const due = await ledger.due(asked);
    if (due.length < asked) idle.dropAnswered(due, now);
    if (probing) idle.settleIfCaughtUp(seq, due.length);
    // Those handed over by an enqueue are claimed from there (a second claim of the same version would only fail).
    for (const d of holdings.handoff) seen.add(keyOf(d));
    // Concurrent processes see the same oldest items; a shuffled claim order spreads them over different ones.
    candidates.push(...shuffle(due.filter((d) => !holdings.mine.has(keyOf(d)) && !seen.has(keyOf(d))), random));
    schedule.queried(clock.now(), due.length >= asked && candidates.length > 0);
  }

  /**
   * Claims the candidates, eight chats at a time; the deliveries to one chat one after the other, in their order, so that
   * they join the ready queue in it (the slot pump sends them in that order). A delivery due for its first certain send
   * whose conversation (and, for an update, the message it replaces) is known is claimed and marked `sending` in one
   * write, as long as fewer than `beginAhead` are marked ahead of their slot; the rest are claimed, and marked when their
   * slot nears.
   */
  private async claimAll(candidates: Delivery[]): Promise<void> {
    const { options, holdings } = this.ctx;
    let begunAhead = holdings.countBegun();
    // Deliveries of this batch taken for each conversation, not in the ready queue yet (claims run side by side).
    const taken = new Map<string, number>();
    const chats = new Map<string, Delivery[]>();
    for (const doc of candidates) {
      const chat = chatOf(doc);
      const same = chats.get(chat);
      if (same) same.push(doc);
      else chats.set(chat, [doc]);
    }
    const claimOne = async (doc: Delivery): Promise<void> => {
      if (this.stopped) return;
      if (!this.certain(doc)) {
        await this.claim(doc);
        return;
      }
      const where = await this.resolve(doc);
      if (!where) {
        // Settled or put back in another way (rare: its original is missing, failed or newer): the claim decides.
        await this.claim(doc);
        return;
      }
      if (where === 'waiting') return;
      if (where.ref && (await this.putBackIfWaiting(doc, where.ref, taken))) return;
      if (where.ref && begunAhead < options.beginAhead) {
        begunAhead += 1;
        if (await this.claimToSend(doc, where)) return;
        begunAhead -= 1;
        return;
      }
      await this.claim(doc, where);
    };
    await forEachLimited([...chats.values()], 8, async (docs) => {
      if (docs.length > 1) docs.sort((a, b) => byOrder({ order: a.dueAt, doc: a }, { order: b.dueAt, doc: b }));
      for (const doc of docs) {
        // An earlier message to this chat that another process held (it died, say) goes first once its lease runs out.
        const until = await this.waitForEarlier(doc);
        if (until === undefined) await claimOne(doc);
        else await this.putBack(doc, until + 1);
      }
    });
  }

  /**
   * Puts a due delivery back for later without claiming it (one write); someone else may have taken it meanwhile. One
   * left `sending` by a process that died keeps that knowledge (as a claim would), so its send counts as uncertain.
   */
  private async putBack(doc: Delivery, at: number): Promise<void> {
    const { ledger, schedule, idle, clock } = this.ctx;
    const dueAt = schedule.scheduled(at);
    const unconfirmed = doc.status === 'sending' && !doc.lastError?.ambiguous ? { lastError: { code: NO_OUTCOME_RECORDED, at: new Date(clock.now()).toISOString(), ambiguous: true } } : {};
    if (await ledger.release(doc, dueAt, unconfirmed)) idle.putBack(doc, dueAt);
  }

  /**
   * A delivery whose conversation would keep it waiting for its slot longer than `deferAfterMs` (its rate limit is
   * used up, or deliveries to it are queued already) is put back for later without a claim: one write instead of a
   * claim and a hand-back. True when it was put back (or someone else took it meanwhile).
   */
  private async putBackIfWaiting(doc: Delivery, ref: NonNullable<Work['ref']>, taken: Map<string, number>): Promise<boolean> {
    const { options, holdings, clock, ledger, schedule, idle } = this.ctx;
    const conversationId = ref.conversationId;
    const queued = holdings.ready.reduce((n, w) => (w.ref?.conversationId === conversationId ? n + 1 : n), taken.get(conversationId) ?? 0);
    const wait = this.pace.estimate(tenantOf(doc), conversationId, queued);
    if (!Number.isFinite(wait) || wait <= options.deferAfterMs) {
      taken.set(conversationId, (taken.get(conversationId) ?? 0) + 1);
      return false;
    }
    const dueAt = schedule.scheduled(this.pace.later(ref.conversationId, clock.now() + wait, queued));
    if (await ledger.release(doc, dueAt)) idle.putBack(doc, dueAt);
    return true;
  }

  /** Due, not claimed by anyone, and no earlier send of it may have reached the channel: nothing to keep but the claim. */
  private certain(doc: Delivery): boolean {
    return doc.status === 'pending' && doc.open && doc.dueAt <= this.ctx.clock.now() && !doc.lastError?.ambiguous;
  }

  /**
   * Where a delivery goes, worked out before it is claimed: its conversation (for a user, the personal chat if one is
   * known; else it opens one when its slot comes) and, for an update of another delivery's message, that message, once
   * the original is sent. `waiting`: the original is not sent yet, and the delivery was put back (one write, no claim).
   * `undefined`: the original is missing, failed, or shows a newer update; the claim and {@link prepare} settle it.
   */
  private async resolve(doc: Delivery): Promise<Pick<Work, 'ref' | 'activityId' | 'original'> | 'waiting' | undefined> {
    const { ledger, personal, clock, options, schedule, idle } = this.ctx;
    if (doc.operation === 'update' && doc.replaces && !doc.replaceActivityId) {
      const original = await ledger.read(doc.replaces.notificationId, doc.replaces.deliveryId);
      if (!original || original.kind !== 'delivery') return undefined;
      if (original.status === 'sent' && original.activityId && original.conversation) {
        if ((original.latestUpdateMs ?? 0) > doc.createdAtMs) return undefined;
        return { ref: original.conversation, activityId: original.activityId, original: original as Delivery };
      }
      if (!original.open) return undefined;
      // Its original is still on its way: look again once it may have gone, without claiming it in between.
      const dueAt = schedule.scheduled(afterOriginal(original as Delivery, clock.now(), options.waitForOriginalMs));
      if (await ledger.release(doc, dueAt)) idle.putBack(doc, dueAt);
      return 'waiting';
    }
    const target = doc.target;
    const ref = target.kind === 'conversation' ? target.ref : ((await personal.get(target.aadObjectId)) ?? doc.conversation);
    const activityId = doc.operation === 'update' ? doc.replaceActivityId : undefined;
    return { ...(ref ? { ref } : {}), ...(activityId ? { activityId } : {}) };
  }

  /**
   * Claims one delivery and queues it, unless `prepare` settled or put it back. With `where` (worked out before the
   * claim, see {@link resolve}) nothing is looked up again.
   */
  private async claim(doc: Delivery, where?: Pick<Work, 'ref' | 'activityId' | 'original'>): Promise<void> {
    const { ledger, holdings, waker, clock } = this.ctx;
    const claimed = await ledger.claim(doc);
    if (!claimed) return;
    this.own(keyOf(claimed));
    try {
      const work: Work | undefined = where
        ? { doc: claimed, tenantId: tenantOf(claimed), ...where, uncertain: false, phase: 'claimed', leasedAt: clock.now(), order: doc.dueAt }
        : await this.prepare(doc, claimed);
      if (work) {
        holdings.ready.push(work);
        // Start sending while the rest of the batch is still being claimed.
        waker.wake();
      } else {
        holdings.mine.delete(keyOf(claimed));
      }
    } catch (err) {
      holdings.mine.delete(keyOf(claimed));
      throw err;
    }
  }

  /**
   * A delivery whose conversation is known (see {@link resolve}): claimed and marked `sending` in one write (instead of
   * a claim and then a begin). True when it is queued.
   */
  private async claimToSend(doc: Delivery, where: Pick<Work, 'ref' | 'activityId' | 'original'>): Promise<boolean> {
    const { ledger, holdings, clock, waker } = this.ctx;
    const claimed = await ledger.claimToSend(doc, where.ref as NonNullable<Work['ref']>);
    if (!claimed) return false;
    this.own(keyOf(claimed));
    holdings.ready.push({ doc: claimed, tenantId: tenantOf(doc), ...where, uncertain: false, phase: 'begun', leasedAt: clock.now(), order: doc.dueAt });
    waker.wake();
    return true;
  }

  /** Works out where a freshly claimed delivery goes; `undefined` when it was settled or put back instead. */
  private async prepare(before: Delivery, claimed: Delivery): Promise<Work | undefined> {
    const target = claimed.target;
    const work: Work = {
      doc: claimed,
      tenantId: tenantOf(claimed),
      uncertain: before.status === 'sending' || before.lastError?.ambiguous === true,
      phase: 'claimed',
      leasedAt: this.ctx.clock.now(),
      order: before.dueAt,
    };
    if (claimed.operation === 'update' && claimed.replaces && !claimed.replaceActivityId) return this.prepareUpdate(work, claimed);
    if (claimed.operation === 'update') work.activityId = claimed.replaceActivityId;
    if (target.kind === 'conversation') work.ref = target.ref;
    else work.ref = (await this.ctx.personal.get(target.aadObjectId)) ?? claimed.conversation;
    return work;
  }

  /** An update of a message sent by another delivery: goes where the original went, once it is there. */
  private async prepareUpdate(work: Work, claimed: Delivery): Promise<Work | undefined> {
    const { ledger, clock, options, schedule, idle } = this.ctx;
    const replaces = claimed.replaces as NonNullable<Delivery['replaces']>;
    const original = await ledger.read(replaces.notificationId, replaces.deliveryId);
    if (!original || original.kind !== 'delivery') {
      await this.outcomes.settleFailed(work, 'failed', { code: 'original_missing', at: new Date(clock.now()).toISOString() });
      return undefined;
    }
    if (original.status === 'sent' && original.activityId && original.conversation) {
      work.ref = original.conversation;
      work.activityId = original.activityId;
      work.original = original as Delivery;
      if ((original.latestUpdateMs ?? 0) > claimed.createdAtMs) {
        // A newer update of the same card is already shown; sending this one would roll it back.
        await ledger.sent(claimed, { reach: 'delivered', superseded: true, conversation: original.conversation, activityId: original.activityId });
        this.ctx.emit(eventOf(work, 'superseded'));
        return undefined;
      }
      return work;
    }
    if (original.open) {
      const dueAt = schedule.scheduled(afterOriginal(original as Delivery, clock.now(), options.waitForOriginalMs));
      if (await ledger.release(claimed, dueAt)) idle.putBack(claimed, dueAt);
      return undefined;
    }
    await this.outcomes.settleFailed(work, 'failed', { code: 'original_not_delivered', at: new Date(clock.now()).toISOString() });
    return undefined;
  }

  /** Marks a delivery as claimed by this process. */
  private own(key: string): void {
    this.ctx.holdings.mine.add(key);
    this.ctx.idle.forget(key);
  }
}

/**
 * When to look again at an update whose original message is not sent yet: `waitMs` from now, or, when the original
 * itself waits in the outbox (for its chat's rate limit, a retry, a `notBefore`), `waitMs` after it comes due; it
 * cannot be shown before. Looking every `waitMs` meanwhile would cost a read and a write each time.
 */
export function afterOriginal(original: Pick<Delivery, 'status' | 'dueAt'>, now: number, waitMs: number): number {
  return Math.max(now + waitMs, original.status === 'pending' ? original.dueAt + waitMs : 0);
}
