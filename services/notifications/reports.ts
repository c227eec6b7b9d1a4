import type { Logger } from '../logging';
import type { Clock } from '../common/clock';
import type { DocumentStore } from '../storage/documentStore';
import type { DeliveryEvent } from './dispatcher';
import { notificationIdOf } from './keys';
import type { DeliveryDoc, NotificationDoc, OutboxDoc, StoredRecipient } from './model';
import type { DeliveryReport, DeliveryReports, RecipientReach, UnreachableReason } from './reach';

/** Events after which a delivery has settled (sent, or given up). */
const SETTLED: ReadonlySet<DeliveryEvent['type']> = new Set(['sent', 'updated', 'superseded', 'failed', 'unreachable', 'recoveredFromJournal', 'recoveredFromChat']);

/** How one delivery document reads in a report; older documents without `reach` are read from their status. */
export function recipientReachOf(recipient: StoredRecipient, doc: DeliveryDoc | undefined): RecipientReach {
  const who: Pick<RecipientReach, 'aadObjectId' | 'conversationId'> =
    recipient.target.kind === 'user' ? { aadObjectId: recipient.target.aadObjectId } : { conversationId: recipient.target.ref.conversationId };
  if (!doc || doc.open) return { ...who, reach: 'pending' };
  if (doc.status === 'sent') return { ...who, reach: doc.reach === 'installedThenDelivered' ? 'installedThenDelivered' : 'delivered' };
  const reason: UnreachableReason =
    doc.reason ?? (doc.status === 'failed' ? 'failed' : doc.lastError?.code === 'ConversationBlockedByUser' ? 'blocked' : doc.conversation ? 'removedByUser' : 'notInstalled');
  return { ...who, reach: 'unreachable', reason };
}

/** The report of one notification from its documents (header, if any, and deliveries), recipients in enqueue order. */
export function reportOf(key: string, header: NotificationDoc | undefined, deliveries: readonly DeliveryDoc[]): DeliveryReport {
  const byId = new Map(deliveries.map((d) => [d.id, d]));
  const listed: StoredRecipient[] = [...(header?.recipients ?? [])];
  const known = new Set(listed.map((r) => r.deliveryId));
  // Recipients enqueued one at a time (no header), or after the header was written, in the order they were created.
  for (const d of [...deliveries].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) if (!known.has(d.deliveryId)) listed.push(d);
  const recipients = listed.map((r) => recipientReachOf(r, byId.get(r.deliveryId)));
  const count = (test: (r: RecipientReach) => boolean) => recipients.filter(test).length;
  return {
    key,
    total: recipients.length,
    delivered: count((r) => r.reach === 'delivered' || r.reach === 'installedThenDelivered'),
    installed: count((r) => r.reach === 'installedThenDelivered'),
    pending: count((r) => r.reach === 'pending'),
    unreachable: recipients.filter((r) => r.reach === 'unreachable'),
    recipients,
  };
}

/** A sleep that does not keep the process alive (a report due in a second is not worth waiting for at exit). */
function unrefSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    timer.unref();
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface OutboxReportsOptions {
  logger: Logger;
  /** Tests pass their clock; without one, waits use timers that do not keep the process alive. */
  clock?: Pick<Clock, 'sleep'>;
  /** How long settles of one notification are gathered before its listeners are called (default 1 s). */
  debounceMs?: number;
}

/** Whether a notification key is one a listener registered for: a prefix, or a pattern matching the key. */
function matches(keys: string | RegExp, key: string): boolean {
  return typeof keys === 'string' ? key.startsWith(keys) : keys.test(key);
}

/**
 * {@link DeliveryReports} on the outbox: a report is one query in the notification's partition; `onSettled` listens to
 * the dispatcher's events in this process ({@link noteEvent}) and calls listeners at most once per `debounceMs` per
 * notification.
 */
export class OutboxReports implements DeliveryReports {
  private readonly listeners: Array<{ keys: string | RegExp; listener: (report: DeliveryReport) => Promise<void> | void }> = [];
  /** Notifications with a call to their listeners scheduled, by key. */
  private readonly scheduled = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly debounceMs: number;

  constructor(
    private readonly store: DocumentStore<OutboxDoc>,
    private readonly options: OutboxReportsOptions,
  ) {
    const clock = options.clock;
    this.sleep = clock ? (ms, signal) => clock.sleep(ms, signal) : unrefSleep;
    this.debounceMs = options.debounceMs ?? 1_000;
  }

  async report(key: string): Promise<DeliveryReport> {
    const pk = notificationIdOf(key);
    const docs = await this.store.query<OutboxDoc>(
      { query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: pk }] },
      { partitionKey: pk },
    );
    const header = docs.find((d): d is NotificationDoc => d.kind === 'notification' && d.key === key);
    return reportOf(key, header, docs.filter((d): d is DeliveryDoc => d.kind === 'delivery' && d.notificationKey === key));
  }

  onSettled(keys: string | RegExp, listener: (report: DeliveryReport) => Promise<void> | void): void {
    this.listeners.push({ keys, listener });
  }

  /** Feed for the dispatcher's `onEvent`: a settled delivery schedules its notification's listeners. */
  noteEvent(event: DeliveryEvent): void {
    const key = event.notificationKey;
    if (!key || !SETTLED.has(event.type) || this.stopping.signal.aborted || this.scheduled.has(key)) return;
    // No listener for this key: no report is read (a query per settled notification otherwise).
    if (!this.listeners.some((l) => matches(l.keys, key))) return;
    this.scheduled.add(key);
    const run = this.callLater(key);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Calls no listener any more; a scheduled call is dropped, one under way is waited for. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.running]);
  }

  private async callLater(key: string): Promise<void> {
    await this.sleep(this.debounceMs, this.stopping.signal);
    // Settles from now on schedule the next call: they may not be in the report read below.
    this.scheduled.delete(key);
    if (this.stopping.signal.aborted) return;
    let report: DeliveryReport;
    try {
      report = await this.report(key);
    } catch (err) {
      this.failed(err);
      return;
    }
    for (const { keys, listener } of this.listeners) {
      if (!matches(keys, key)) continue;
      try {
        await listener(report);
      } catch (err) {
        this.failed(err);
      }
    }
  }

  /** Best effort: the record stays in the outbox; the next settle, a card refresh or the tab reads it again. */
  private failed(err: unknown): void {
    this.options.logger.warn({ event: 'delivery.report_failed', code: (err as { code?: string })?.code ?? (err as Error)?.name }, 'could not report a delivery');
  }
}
