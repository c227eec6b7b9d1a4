import { backoffDelay } from '../../common/backoff';
import type { ChannelError } from '../channelSender';
import type { ConversationRegistry } from '../conversationRegistry';
import type { DeliveryChanges } from '../deliveryLedger';
import type { DeliveryError } from '../model';
import type { DeliveryRateLimiter } from '../rateLimiter';
import type { UnreachableReason } from '../reach';
import type { DispatchContext } from './context';
import { channelErrorOf, errorOf, eventOf, type Work } from './work';

/** Records how a delivery ended or when it is tried again, from what the channel answered. */
export class Outcomes {
  constructor(
    private readonly ctx: DispatchContext,
    private readonly limiter: DeliveryRateLimiter,
    private readonly registry: ConversationRegistry,
  ) {}

  /**
   * Ends a delivery as failed or unreachable, recording why the recipient was not reached (`reason`, else derived from
   * the error); a lost lease leaves it to whoever holds it now.
   */
  async settleFailed(
    work: Work,
    status: 'failed' | 'unreachable',
    error: DeliveryError,
    changes: DeliveryChanges = {},
    reason: UnreachableReason = reasonOf(work, status, error),
  ): Promise<void> {
    const written = await this.ctx.ledger.finish(work.doc, status, error, { ...changes, reach: 'unreachable', reason });
    if (!written) {
      this.ctx.emit(eventOf(work, 'leaseLost'));
      return;
    }
    this.ctx.logger.warn({ event: `delivery.${status}`, notificationId: work.doc.pk, deliveryId: work.doc.id, code: error.code, status: error.status }, `delivery ${status}`);
    this.ctx.emit(eventOf(work, status, { code: error.code, status: error.status, attempts: written.attempts }));
  }

  /**
   * Records a failed call: retry, wait for Retry-After, or give up, depending on what the channel said.
   * `sentActivity`: the call posted or updated a message (rather than opening a chat).
   */
  async handleFailure(work: Work, err: unknown, sentActivity: boolean): Promise<void> {
    const e = channelErrorOf(err);
    const doc = work.doc;
    const now = this.ctx.clock.now();
    // After an attempt without a recorded outcome, this failure does not settle whether that earlier message arrived:
    // the error kept for the next attempt stays ambiguous, so that attempt is an uncertain resend too.
    const error = work.uncertain ? { ...errorOf(e, now), ambiguous: true } : errorOf(e, now);
    const uncertainResends = doc.uncertainResends + (sentActivity && work.uncertain ? 1 : 0);
    if (e.kind === 'throttled') {
      await this.throttled(work, e, now, uncertainResends);
      return;
    }
    const attempts = doc.attempts + 1;
    if (e.kind === 'unreachable') {
      await this.unreachable(work, error, attempts, uncertainResends);
      return;
    }
    if (e.kind === 'permanent') {
      await this.settleFailed(work, 'failed', error, { attempts, uncertainResends });
      return;
    }
    if (attempts >= this.ctx.options.maxAttempts) {
      await this.settleFailed(work, 'failed', { ...error, code: `max_attempts:${e.code}` }, { attempts, uncertainResends });
      return;
    }
    const { options, random, ledger, schedule, idle, logger } = this.ctx;
    const dueAt = schedule.scheduled(now + backoffDelay(attempts, options.backoff, random));
    const written = await ledger.retry(doc, dueAt, error, { attempts, uncertainResends });
    if (written) idle.putBack(doc, dueAt);
    logger.info({ event: 'delivery.retry', notificationId: doc.pk, deliveryId: doc.id, code: e.code, status: e.status, attempts }, 'delivery will be retried');
    this.ctx.emit(eventOf(work, written ? 'retry' : 'leaseLost', { code: e.code, status: e.status, attempts }));
  }

  /**
   * A 429: the tenant or conversation waits (Retry-After, else back-off) and the delivery is tried again then, however
   * often in a row. Throttling says "not now", never "not at all": it uses up none of the delivery's attempts and never
   * fails it, so scale-out or a burst cannot lose a notification. A delivery ends only as sent, or through an error
   * other than 429, or with its notification (deleted with its record, after which the retry write finds nothing).
   */
  private async throttled(work: Work, e: ChannelError, now: number, uncertainResends: number): Promise<void> {
    const { options, random, ledger, schedule, idle } = this.ctx;
    const doc = work.doc;
    const error = work.uncertain ? { ...errorOf(e, now), ambiguous: true } : errorOf(e, now);
    const throttled = doc.throttled + 1;
    const wait = e.retryAfterMs ?? backoffDelay(throttled, options.backoff, random);
    this.limiter.block(work.tenantId, work.ref?.conversationId, wait);
    const dueAt = schedule.scheduled(now + wait);
    const written = await ledger.retry(doc, dueAt, error, { throttled, uncertainResends });
    if (written) idle.putBack(doc, dueAt);
    this.ctx.emit(eventOf(work, written ? 'throttled' : 'leaseLost', { code: e.code, status: e.status }));
  }

  /** The recipient cannot be reached: the delivery ends, and the reference that failed is marked or forgotten. */
  private async unreachable(work: Work, error: DeliveryError, attempts: number, uncertainResends: number): Promise<void> {
    await this.settleFailed(work, 'unreachable', error, { attempts, uncertainResends });
    if (work.ref && work.ref.conversationType !== 'personal') await this.registry.markUnreachable(work.ref);
    // A person who blocked or removed the bot: their chat reference goes, and with it their profile's reason to stay.
    // A 403 on their chat also marks them as having removed the app: the bot does not install it for them again.
    else if (work.ref && work.doc.target.kind === 'user') {
      await this.ctx.personal.forget?.(work.doc.target.aadObjectId, work.ref, error.status === 403 ? error.at : undefined);
    }
  }
}

/**
 * Why a recipient was not reached, from what the channel answered: Teams refuses to open a chat with a person without
 * the app (403), refuses posts to a chat whose person removed the app or whose team removed it (403/404), and says
 * `ConversationBlockedByUser` for a person who blocked the bot.
 */
export function reasonOf(work: Pick<Work, 'ref'>, status: 'failed' | 'unreachable', error: DeliveryError): UnreachableReason {
  if (status === 'failed') return 'failed';
  if (error.code === 'ConversationBlockedByUser') return 'blocked';
  if (!work.ref) return error.status === 403 ? 'notInstalled' : 'failed';
  return 'removedByUser';
}
