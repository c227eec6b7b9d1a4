import { backoffDelay } from '../../common/backoff';
import { GraphError, type GraphPort, type InstallResult } from '../../graph/graphPort';
import type { DeliveryError, DeliveryInstall } from '../model';
import type { DispatchContext } from './context';
import type { Outcomes } from './outcomes';
import { channelErrorOf, errorCode, errorOf, eventOf, type Work } from './work';

/**
 * Proactive installation (issue 15): Teams opens a personal chat only with a person who has the app. When it refuses
 * (403 on createConversation), the app is installed for the person through Graph and the chat opened again.
 *
 * - The Graph call holds no Teams rate-limit slot: a delivery that needs the app leaves the send queue for it and comes
 *   back for a slot afterwards (at most `maxInstallsInFlight` installations at once).
 * - A person who removed the app themselves (see `PersonalAppRecord`) is not given it again: `removedByUser`.
 * - Graph throttled: the delivery waits Retry-After, not counted as a failure. Permission missing (or not granted for
 *   the person): `notInstalled`. Other failures are retried with back-off, then `installFailed`.
 * - An installation takes a moment to reach Teams: a chat refused after it is tried again with back-off
 *   (`maxInstallWaits` times) before the recipient counts as `installFailed`.
 *
 * Progress is kept in the delivery (`install`), so a crash or a throttle goes on where it stopped. Before each Graph call
 * the person's profile is marked (`botInstallPendingSince`), so that Teams' add for the installation is answered with a
 * short note of why the app appeared rather than the welcome card; the mark goes when nothing was installed.
 */
export class Installs {
  private running = 0;

  constructor(
    private readonly ctx: DispatchContext,
    private readonly graph: GraphPort,
    private readonly outcomes: Outcomes,
  ) {}

  /** Whether a failed attempt to open a personal chat means the person has no app (and not that they blocked the bot). */
  static refusedForWantOfApp(err: unknown): boolean {
    const e = channelErrorOf(err);
    return e.status === 403 && e.code !== 'ConversationBlockedByUser';
  }

  /** Whether another installation may start now. */
  hasRoom(): boolean {
    return this.running < this.ctx.options.maxInstallsInFlight;
  }

  /**
   * Teams refused to open the person's chat for want of the app (the call's permit is already returned). Before an
   * installation: queue the delivery for one, unless the person removed the app. After one: try again later.
   */
  async refused(work: Work, err: unknown): Promise<void> {
    const { clock, ledger, personal, options, random, schedule, idle, holdings, waker } = this.ctx;
    const doc = work.doc;
    if (doc.target.kind !== 'user') return;
    const now = clock.now();
    const e = channelErrorOf(err);
    const error = errorOf(e, now);
    const attempts = doc.attempts + 1;
    const progress = doc.install;
    if (progress?.state === 'done') {
      const waits = progress.waits + 1;
      const install: DeliveryInstall = { ...progress, waits };
      if (waits > options.maxInstallWaits) {
        await this.outcomes.settleFailed(work, 'unreachable', { ...error, code: `install_not_effective:${e.code}` }, { attempts, install }, 'installFailed');
        return;
      }
      const dueAt = schedule.scheduled(now + backoffDelay(waits, options.installBackoff, random));
      const written = await ledger.retry(doc, dueAt, error, { attempts, install });
      if (written) idle.putBack(doc, dueAt);
      this.ctx.emit(eventOf(work, written ? 'retry' : 'leaseLost', { code: e.code, status: e.status, attempts }));
      return;
    }
    const record = await personal.appRecord?.(doc.target.aadObjectId);
    if (record?.removedByUserAt) {
      await this.outcomes.settleFailed(work, 'unreachable', error, { attempts }, 'removedByUser');
      return;
    }
    const held = await ledger.hold(doc, { attempts, lastError: error, install: { state: 'needed', failures: progress?.failures ?? 0, waits: 0 } });
    if (!held) {
      this.ctx.emit(eventOf(work, 'leaseLost'));
      return;
    }
    this.requeue(work, held);
    holdings.ready.unshift(work);
    waker.wake();
  }

  /** Installs the app for the recipient of a delivery marked `needed`, and queues it to open the chat. Never throws. */
  async install(work: Work): Promise<void> {
    this.running += 1;
    try {
      await this.installNow(work);
    } catch (err) {
      // Storage trouble: the lease runs out and the delivery is picked up again.
      this.ctx.logger.error({ event: 'delivery.install_error', notificationId: work.doc.pk, deliveryId: work.doc.id, code: errorCode(err) }, 'installation step failed');
    } finally {
      this.running -= 1;
    }
  }

  private async installNow(work: Work): Promise<void> {
    const { clock, ledger, personal, holdings, logger } = this.ctx;
    const doc = work.doc;
    if (doc.target.kind !== 'user') return;
    const { aadObjectId, tenantId } = doc.target;
    const progress: DeliveryInstall = doc.install ?? { state: 'needed', failures: 0, waits: 0 };
    let result: InstallResult;
    try {
      if (!(await this.graph.features()).has('install')) {
        await this.outcomes.settleFailed(work, 'unreachable', { code: 'graph_install_not_granted', at: new Date(clock.now()).toISOString() }, {}, 'notInstalled');
        return;
      }
    } catch (err) {
      await this.graphFailed(work, progress, err);
      return;
    }
    // Marked before the call: Teams' add for this installation may reach the bot before Graph answers. A storage
    // failure here leaves the delivery to its lease, like any other.
    await personal.installingByBot?.(aadObjectId, tenantId, new Date(clock.now()).toISOString());
    try {
      result = await this.graph.installApp(aadObjectId);
    } catch (err) {
      await this.graphFailed(work, progress, err);
      return;
    }
    const at = new Date(clock.now()).toISOString();
    if (result === 'installed') await personal.installedByBot?.(aadObjectId, tenantId, at);
    else await personal.notInstalledByBot?.(aadObjectId, tenantId);
    logger.info({ event: 'delivery.installed', notificationId: doc.pk, deliveryId: doc.id, result }, 'app installed for the recipient');
    const install: DeliveryInstall = { ...progress, state: 'done', waits: 0, ...(result === 'installed' ? { installedAt: at } : {}) };
    const held = await ledger.hold(doc, { install });
    if (!held) {
      this.ctx.emit(eventOf(work, 'leaseLost'));
      return;
    }
    this.requeue(work, held);
    this.ctx.emit(eventOf(work, 'installed', { code: result }));
    // Back to the front of the queue: to open the chat, under the tenant's rate limit.
    holdings.ready.unshift(work);
  }

  /** What a failed Graph call means for the delivery: wait, give up, or try again after back-off. */
  private async graphFailed(work: Work, progress: DeliveryInstall, err: unknown): Promise<void> {
    const { clock, ledger, options, random, schedule, idle, logger } = this.ctx;
    const doc = work.doc;
    const ge = err instanceof GraphError ? err : new GraphError(errorCode(err), 'transient');
    const now = clock.now();
    const error: DeliveryError = { code: `graph:${ge.code}`, ...(ge.status !== undefined ? { status: ge.status } : {}), at: new Date(now).toISOString() };
    if (ge.kind === 'throttled') {
      // Graph's limit, not the recipient's fault: wait as long as Graph says, without counting a failure.
      const dueAt = schedule.scheduled(now + (ge.retryAfterMs ?? backoffDelay(1, options.installBackoff, random)));
      const written = await ledger.retry(doc, dueAt, error, { install: progress });
      if (written) idle.putBack(doc, dueAt);
      this.ctx.emit(eventOf(work, written ? 'installThrottled' : 'leaseLost', { code: ge.code, status: ge.status }));
      return;
    }
    if (ge.kind === 'forbidden') {
      if (doc.target.kind === 'user') await this.ctx.personal.notInstalledByBot?.(doc.target.aadObjectId, doc.target.tenantId);
      await this.outcomes.settleFailed(work, 'unreachable', error, { install: progress }, 'notInstalled');
      return;
    }
    const failures = progress.failures + 1;
    const install: DeliveryInstall = { ...progress, failures };
    if (ge.kind !== 'transient' || failures >= options.maxInstallFailures) {
      await this.outcomes.settleFailed(work, 'unreachable', ge.kind === 'transient' ? { ...error, code: `max_attempts:${error.code}` } : error, { install }, 'installFailed');
      return;
    }
    const dueAt = schedule.scheduled(now + backoffDelay(failures, options.installBackoff, random));
    const written = await ledger.retry(doc, dueAt, error, { install });
    if (written) idle.putBack(doc, dueAt);
    logger.info({ event: 'delivery.install_retry', notificationId: doc.pk, deliveryId: doc.id, code: ge.code, failures }, 'installation will be retried');
    this.ctx.emit(eventOf(work, written ? 'retry' : 'leaseLost', { code: error.code, status: ge.status }));
  }

  /** The work goes on under the lease just written. */
  private requeue(work: Work, held: Work['doc']): void {
    work.doc = held;
    work.leasedAt = this.ctx.clock.now();
    work.phase = 'claimed';
  }
}
