import { updateWithRetry } from '../../common/etagRetry';
import { ConcurrencyError } from '../../storage/errors';
import type { DocumentStore } from '../../storage/documentStore';
import type { ChatReadBack } from '../chatReadBack';
import type { ChannelSender, SendOptions } from '../channelSender';
import type { ConversationRegistry, TenantEndpoint } from '../conversationRegistry';
import type { Delivery } from '../deliveryLedger';
import type { ConversationRef, OutboxDoc } from '../model';
import type { RatePermit } from '../rateLimiter';
import type { DispatchContext } from './context';
import type { SendJournal } from '../sendJournal';
import { Installs } from './installs';
import type { Outcomes } from './outcomes';
import { errorCode, eventOf, type Work } from './work';

/** The send side's channel calls: posting or updating a message, or opening a personal chat, and recording the result. */
export class DeliveryCalls {
  constructor(
    private readonly ctx: DispatchContext,
    private readonly sender: ChannelSender,
    private readonly registry: ConversationRegistry,
    private readonly outcomes: Outcomes,
    /** For marking the original of an update with the newest update shown. */
    private readonly outbox: DocumentStore<OutboxDoc>,
    /** Endpoint for opening a 1:1 chat in a tenant the bot has not heard from since references were kept. */
    private readonly defaultEndpoint: TenantEndpoint | undefined,
    /** Where accepted sends are noted before their outcome is written to the outbox (issue 14). */
    private readonly journal: SendJournal,
    /** Installation through Graph, when configured. */
    private readonly installs?: Installs,
    /** Reading the person's chat back before an uncertain resend, when Graph allows it. */
    private readonly readBack?: ChatReadBack,
  ) {}

  /**
   * Updates of one message in this process go out one after another, and one older than the update last shown is not
   * sent (it would roll the card back). The outbox's `latestUpdateMs` is checked when an update is claimed; two updates
   * of one card claimed together (held back for their original, or uncertain after a crash) passed that check before
   * either was recorded, and went out newest first (found by the crash test with Vorträge, seeds 11 and 13).
   */
  private readonly updating = new Map<string, Promise<void>>();
  private readonly shownUpdate = new Map<string, number>();

  private inOrder(activityId: string, step: () => Promise<void>): Promise<void> {
    const before = this.updating.get(activityId) ?? Promise.resolve();
    const mine = before.then(step, step);
    const tail = mine.catch(() => undefined);
    this.updating.set(activityId, tail);
    void tail.then(() => {
      if (this.updating.get(activityId) === tail) this.updating.delete(activityId);
    });
    return mine;
  }

  private noteShown(activityId: string, createdAtMs: number): void {
    if ((this.shownUpdate.get(activityId) ?? 0) >= createdAtMs) return;
    this.shownUpdate.delete(activityId);
    this.shownUpdate.set(activityId, createdAtMs);
    // Bounded: the oldest entries go first (the outbox's own mark still covers them).
    if (this.shownUpdate.size > 10_000) this.shownUpdate.delete(this.shownUpdate.keys().next().value as string);
  }

  /**
   * Whether `work` waits for the app to be installed for its recipient (and Graph is there to do it): then it goes
   * through {@link install}, which needs no rate-limit permit, instead of {@link run}.
   */
  needsInstall(work: Work): boolean {
    return !!this.installs && !work.ref && work.doc.install?.state === 'needed';
  }

  /** Whether another installation may start now. */
  canInstall(): boolean {
    return this.installs?.hasRoom() ?? false;
  }

  /** Installs the app for a delivery's recipient through Graph (no Teams call, no permit). Never throws. */
  install(work: Work): Promise<void> {
    return this.installs ? this.installs.install(work) : Promise.resolve();
  }

  /** Runs the call a delivery holding a rate-limit permit needs: its message, or first a personal chat. Never throws. */
  async run(work: Work, permit: RatePermit): Promise<void> {
    try {
      if (work.ref) await this.deliver(work, permit);
      else await this.openPersonalChat(work, permit);
    } catch (err) {
      // Storage trouble: the lease runs out and the delivery is picked up again.
      permit.cancel();
      this.ctx.logger.error({ event: 'delivery.error', notificationId: work.doc.pk, deliveryId: work.doc.id, code: errorCode(err) }, 'delivery step failed');
    }
  }

  /** Makes the channel call for a begun delivery and records what happened (updates of one message in order). */
  private async deliver(work: Work, permit: RatePermit): Promise<void> {
    if (work.doc.operation === 'update' && work.activityId) return this.inOrder(work.activityId, () => this.deliverNow(work, permit));
    return this.deliverNow(work, permit);
  }

  private async deliverNow(work: Work, permit: RatePermit): Promise<void> {
    const { clock, logger } = this.ctx;
    const ref = work.ref as ConversationRef;
    const doc = work.doc;
    // This machine's journal knows that Teams accepted this delivery's message before a process died without recording
    // it: record it now with the message id Teams gave it, instead of sending it again.
    const known = this.journal.find(doc);
    if (known) {
      permit.cancel();
      await this.record(work, ref, known.activityId, false, 'recoveredFromJournal');
      return;
    }
    // An earlier attempt without a recorded outcome may have arrived: the person's chat says so, where Graph may read it.
    if (work.uncertain && this.readBack) {
      const seen = await this.readBack.find(doc, ref);
      if (seen) {
        permit.cancel();
        await this.record(work, ref, seen, false, 'recoveredFromChat');
        return;
      }
    }
    if (work.uncertain) {
      logger.warn({ event: 'delivery.uncertain_resend', notificationId: doc.pk, deliveryId: doc.id }, 'sending again after an attempt with no recorded outcome');
      this.ctx.emit(eventOf(work, 'uncertainResend'));
    }
    if (doc.operation === 'update' && (this.shownUpdate.get(work.activityId as string) ?? 0) > doc.createdAtMs) {
      // A newer update of this card went out while this one waited: sending it would roll the card back.
      permit.cancel();
      await this.ctx.ledger.sent(doc, { reach: 'delivered', superseded: true, conversation: ref, activityId: work.activityId as string });
      this.journal.recorded(doc);
      this.ctx.emit(eventOf(work, 'superseded'));
      return;
    }
    // The card's original notes this update before the call, so that no process sends an older update after it, even
    // when this one dies between Teams' acceptance and its record (crash test, seed 923141927: a mark written only
    // after the record was lost with the process, and the next process sent the older update over the newer one).
    if (doc.operation === 'update' && doc.replaces && (await this.markLatestUpdate(doc, work.original)) === 'newer') {
      permit.cancel();
      await this.ctx.ledger.sent(doc, { reach: 'delivered', superseded: true, conversation: ref, activityId: work.activityId as string });
      this.journal.recorded(doc);
      this.ctx.emit(eventOf(work, 'superseded'));
      return;
    }
    let activityId: string;
    try {
      if (doc.operation === 'update') {
        await this.sender.update(ref, work.activityId as string, doc.activity, this.sendOptions(doc));
        activityId = work.activityId as string;
      } else {
        activityId = (await this.sender.send(ref, doc.activity, this.sendOptions(doc))).activityId;
      }
    } catch (err) {
      permit.release(clock.now());
      await this.outcomes.handleFailure(work, err, true);
      return;
    }
    // Noted on this machine's disk before anything else, so that a process killed before the outbox write below does
    // not send it again (see SendJournal).
    this.journal.accepted(doc, activityId);
    if (doc.operation === 'update') this.noteShown(activityId, doc.createdAtMs);
    permit.release(clock.now());
    await this.record(work, ref, activityId, true, doc.operation === 'update' ? 'updated' : 'sent');
  }

  /**
   * Records a message Teams accepted: just now (`called`), or by a process that died before recording it (found in the
   * journal: no attempt and no uncertain resend counted, since nothing was sent now).
   */
  private async record(work: Work, ref: ConversationRef, activityId: string, called: boolean, type: 'sent' | 'updated' | 'recoveredFromJournal' | 'recoveredFromChat'): Promise<void> {
    const { logger, ledger } = this.ctx;
    const doc = work.doc;
    const attempts = doc.attempts + (called ? 1 : 0);
    const { recorded, raced } = await ledger.sent(doc, {
      reach: doc.install?.installedAt ? 'installedThenDelivered' : 'delivered',
      activityId,
      conversation: ref,
      attempts,
      uncertainResends: doc.uncertainResends + (called && work.uncertain ? 1 : 0),
    });
    // The outbox has the outcome now, or another process holds the delivery: either way the entry has done its work.
    this.journal.recorded(doc);
    if (raced) {
      logger.warn({ event: 'delivery.lease_lost_after_send', notificationId: doc.pk, deliveryId: doc.id, recorded }, 'the lease ran out during the call');
    }
    if (type === 'recoveredFromJournal') logger.info({ event: 'delivery.recovered_from_journal', notificationId: doc.pk, deliveryId: doc.id }, 'recorded a send that a process before this one made');
    if (type === 'recoveredFromChat') logger.info({ event: 'delivery.recovered_from_chat', notificationId: doc.pk, deliveryId: doc.id }, "recorded a send that a process before this one made, found in the person's chat");
    // A send this process made was marked before its call; one a process before this one made may not have been.
    if (doc.operation === 'update' && doc.replaces && !called) await this.markLatestUpdate(doc, work.original);
    this.ctx.emit(eventOf(work, type, { activityId, attempts }));
  }

  /**
   * Notes on the original message's delivery that this update is (about to be) shown, so that older updates are not
   * sent after it. Written with the version of the original read when this delivery was claimed, if there is one: a
   * read less; when the original changed since (another update marked it), read and decided again. `newer`: the
   * original already notes a newer update (this one would roll the card back); `marked`: noted, or noted before.
   */
  private async markLatestUpdate(doc: Delivery, known?: Delivery): Promise<'marked' | 'newer'> {
    const replaces = doc.replaces as NonNullable<Delivery['replaces']>;
    const mark = doc.createdAtMs;
    if (known && known.pk === replaces.notificationId && known.id === replaces.deliveryId) {
      if ((known.latestUpdateMs ?? 0) > mark) return 'newer';
      if ((known.latestUpdateMs ?? 0) === mark) return 'marked';
      const { etag, ...original } = known;
      try {
        await this.outbox.replace({ ...original, latestUpdateMs: mark }, etag);
        return 'marked';
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
      }
    }
    const stored = await updateWithRetry(this.outbox, replaces.notificationId, replaces.deliveryId, (current) =>
      current?.kind === 'delivery' && (current.latestUpdateMs ?? 0) < mark ? { ...current, latestUpdateMs: mark } : undefined,
    );
    return stored?.kind === 'delivery' && (stored.latestUpdateMs ?? 0) > mark ? 'newer' : 'marked';
  }

  /** Opens a 1:1 chat with a user who has none yet, and queues the delivery again to be posted there. */
  private async openPersonalChat(work: Work, permit: RatePermit): Promise<void> {
    const { clock, personal, holdings } = this.ctx;
    const target = work.doc.target;
    if (target.kind !== 'user') return;
    const endpoint = (await this.registry.endpointFor(target.tenantId)) ?? this.defaultEndpoint;
    if (!endpoint) {
      permit.cancel();
      await this.outcomes.settleFailed(work, 'failed', { code: 'no_endpoint_for_tenant', at: new Date(clock.now()).toISOString() });
      return;
    }
    let ref: ConversationRef;
    try {
      ref = await this.sender.createPersonalConversation({ aadObjectId: target.aadObjectId, tenantId: target.tenantId, ...endpoint }, this.sendOptions(work.doc));
    } catch (err) {
      permit.release(clock.now());
      // No app: install it through Graph (outside the permit, just returned) if there is Graph to do it.
      if (this.installs && Installs.refusedForWantOfApp(err)) await this.installs.refused(work, err);
      else await this.outcomes.handleFailure(work, err, false);
      return;
    }
    permit.release(clock.now());
    await personal.remember(target.aadObjectId, target.tenantId, ref);
    work.ref = ref;
    this.ctx.emit(eventOf(work, 'conversationCreated'));
    // Still leased: back to the front of the queue to be posted under the conversation's own limits.
    work.phase = 'claimed';
    holdings.ready.unshift(work);
  }

  private sendOptions(doc: Delivery): SendOptions {
    return { deliveryId: `${doc.pk}/${doc.id}`, timeoutMs: this.ctx.options.callTimeoutMs };
  }
}
