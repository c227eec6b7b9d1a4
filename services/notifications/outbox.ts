import type { DocumentStore, Versioned } from '../storage/documentStore';
import { updateWithRetry } from '../common/etagRetry';
import { AlreadyExistsError, ConcurrencyError } from '../storage/errors';
import type { Clock } from '../common/clock';
import { systemClock } from '../common/clock';
import { deliveryIdOf, notificationIdOf, recipientKeyOf } from './keys';
import type {
  CardUpdateRequest,
  DeliveryDoc,
  DeliveryStatus,
  DeliveryTarget,
  EnqueueResult,
  NotificationDoc,
  NotificationRequest,
  NotificationStatus,
  OutboxDoc,
  OutgoingActivity,
  Recipient,
  StoredRecipient,
} from './model';

/** Raised for a request the outbox cannot accept; `code` says which rule it broke. */
export class OutboxError extends Error {
  constructor(
    readonly code: 'OUTBOX_INVALID_REQUEST' | 'OUTBOX_UNKNOWN_NOTIFICATION' | 'OUTBOX_KEY_COLLISION',
    message: string,
  ) {
    super(message);
    this.name = 'OutboxError';
  }
}

export interface OutboxOptions {
  clock?: Pick<Clock, 'now'>;
  /** A header lists all recipients and must stay well below Cosmos DB's 2 MB document limit. */
  maxRecipients?: number;
  /** Delivery documents written at once while enqueueing a fan-out. */
  writeConcurrency?: number;
}

const ALL_STATUSES: DeliveryStatus[] = ['pending', 'leased', 'sending', 'sent', 'failed', 'unreachable'];

/** Runs `work` over `items` with at most `limit` promises pending. */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(workers);
}

function targetOf(recipient: Recipient): { target: DeliveryTarget; replaceActivityId?: string } {
  if ('user' in recipient) {
    const { aadObjectId, tenantId } = recipient.user;
    if (!aadObjectId || !tenantId) throw new OutboxError('OUTBOX_INVALID_REQUEST', 'a user recipient needs aadObjectId and tenantId');
    return { target: { kind: 'user', aadObjectId: aadObjectId.toLowerCase(), tenantId } };
  }
  const ref = recipient.conversation;
  if (!ref?.conversationId || !ref.serviceUrl || !ref.tenantId) {
    throw new OutboxError('OUTBOX_INVALID_REQUEST', 'a conversation recipient needs conversationId, serviceUrl and tenantId');
  }
  return { target: { kind: 'conversation', ref: { ...ref } }, replaceActivityId: recipient.replaceActivityId };
}

/** Recipients of a notification: those its header lists, plus any enqueued later one at a time. */
function recipientsOf(header: NotificationDoc | undefined, deliveries: DeliveryDoc[]): StoredRecipient[] {
  const listed: StoredRecipient[] = [...(header?.recipients ?? [])];
  const known = new Set(listed.map((r) => r.deliveryId));
  for (const d of deliveries) {
    if (!known.has(d.deliveryId)) listed.push({ deliveryId: d.deliveryId, recipientKey: d.recipientKey, target: d.target });
  }
  return listed;
}

/**
 * The durable outbox. Feature code enqueues here; nothing is sent until the documents are written, and the dispatcher
 * (`startDispatcher`) does the sending, in this or any other process sharing the database.
 *
 * @example
 * ```ts
 * await outbox.enqueue({
 *   key: `request:${request.id}:submitted`,
 *   activity: { summary: 'Neues Anliegen', attachments: [requestCard(model)] },
 *   recipients: [{ user: { aadObjectId: commissioner.aadObjectId, tenantId } }],
 * });
 * const status = await outbox.status(`request:${request.id}:submitted`); // status.delivered of status.total
 * ```
 */
export class Outbox {
  private readonly clock: Pick<Clock, 'now'>;
  private readonly maxRecipients: number;
  private readonly writeConcurrency: number;
  private readonly listeners = new Set<(created: Versioned<DeliveryDoc>[]) => void>();
  /** The last `createdAtMs` given (see {@link stamp}). */
  private lastStamp = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: DocumentStore<OutboxDoc>,
    options: OutboxOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.maxRecipients = options.maxRecipients ?? 2_000;
    this.writeConcurrency = options.writeConcurrency ?? 16;
  }

  /**
   * Writes a notification and one delivery per recipient. Idempotent per key and recipient: repeating a call sends
   * nothing twice, and completes what an interrupted earlier call left unfinished.
   */
  async enqueue(request: NotificationRequest): Promise<EnqueueResult> {
    this.validate(request.key, request.activity, request.recipients.length);
    const recipients = new Map<string, StoredRecipient>();
    for (const recipient of request.recipients) {
      const { target, replaceActivityId } = targetOf(recipient);
      const recipientKey = recipientKeyOf(target);
      if (recipients.has(recipientKey)) continue;
      const stored: StoredRecipient = { deliveryId: deliveryIdOf(recipientKey), recipientKey, target };
      if (replaceActivityId) stored.replaceActivityId = replaceActivityId;
      recipients.set(recipientKey, stored);
    }
    return this.write(request.key, request.activity, [...recipients.values()], request.notBefore?.getTime());
  }

  /**
   * Replaces every message an earlier notification posted, keeping their activity ids (Teams shows the new card in
   * place). Recipients whose original message was never delivered are marked failed, not messaged anew.
   */
  async enqueueUpdate(request: CardUpdateRequest): Promise<EnqueueResult> {
    this.validate(request.key, request.activity, 1);
    const originalId = notificationIdOf(request.of);
    const { header, deliveries } = await this.load(originalId);
    if ((header && header.key !== request.of) || deliveries.some((d) => d.notificationKey !== request.of)) {
      throw new OutboxError('OUTBOX_KEY_COLLISION', `two notification keys map to ${originalId}`);
    }
    const recipients: StoredRecipient[] = recipientsOf(header, deliveries).map((r) => ({
      deliveryId: r.deliveryId,
      recipientKey: r.recipientKey,
      target: r.target,
      replaces: { notificationId: originalId, deliveryId: r.deliveryId },
    }));
    if (recipients.length === 0) {
      throw new OutboxError('OUTBOX_UNKNOWN_NOTIFICATION', `no notification was enqueued under the key to update (${originalId})`);
    }
    return this.write(request.key, request.activity, recipients);
  }

  /** Counts per status and the state of every recipient; `undefined` if nothing was enqueued under `key`. */
  async status(key: string): Promise<NotificationStatus | undefined> {
    const notificationId = notificationIdOf(key);
    const { header, deliveries } = await this.load(notificationId);
    const listed = recipientsOf(header, deliveries);
    if (listed.length === 0) return undefined;
    const counts = Object.fromEntries(ALL_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
    const byId = new Map(deliveries.map((d) => [d.id, d]));
    const recipients = listed.map((r) => {
      const d = byId.get(r.deliveryId);
      // A delivery the enqueueing process did not get to write yet is still pending: the dispatcher completes it.
      const status: DeliveryStatus = d?.status ?? 'pending';
      counts[status] += 1;
      return {
        recipientKey: r.recipientKey,
        deliveryId: r.deliveryId,
        status,
        attempts: d?.attempts ?? 0,
        conversationId: d?.conversation?.conversationId ?? (r.target.kind === 'conversation' ? r.target.ref.conversationId : undefined),
        activityId: d?.activityId,
        sentAt: d?.sentAt,
        lastError: d?.lastError,
      };
    });
    return { key, notificationId, total: recipients.length, delivered: counts.sent, counts, recipients };
  }

  /** The header (if the notification has one) and every delivery of a notification: one partition. */
  private async load(notificationId: string): Promise<{ header?: NotificationDoc; deliveries: Versioned<DeliveryDoc>[] }> {
    // One query over the partition: a notification to one recipient has no header, and a point read of it would
    // cost a round trip (and a 404) every time.
    const docs = await this.store.query<Versioned<OutboxDoc>>(
      { query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: notificationId }] },
      { partitionKey: notificationId },
    );
    const header = docs.find((d): d is Versioned<NotificationDoc> => d.kind === 'notification' && d.id === 'notification');
    return { header, deliveries: docs.filter((d): d is Versioned<DeliveryDoc> => d.kind === 'delivery') };
  }

  /**
   * Called (synchronously) after every enqueue with the deliveries it wrote, so that a dispatcher in this process can
   * claim them at once instead of finding them with its next query.
   */
  onEnqueued(listener: (created: Versioned<DeliveryDoc>[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Writes the delivery documents of notifications whose enqueue was interrupted (header written, `complete` still
   * false after `olderThanMs`). The dispatcher runs this now and then; returns how many notifications it completed.
   */
  async completeInterrupted(olderThanMs: number): Promise<number> {
    const cutoff = this.clock.now() - olderThanMs;
    const headers = await this.store.query<Versioned<NotificationDoc>>({
      query: 'SELECT * FROM c WHERE c.kind = @kind AND c.complete = false AND c.createdAtMs <= @cutoff',
      parameters: [
        { name: '@kind', value: 'notification' },
        { name: '@cutoff', value: cutoff },
      ],
    });
    const created: Versioned<DeliveryDoc>[] = [];
    for (const header of headers) await this.writeDeliveries(header, header.recipients, created);
    if (created.length > 0) this.notify(created);
    return headers.length;
  }

  /**
   * Deletes every notification (header and deliveries, whatever their state) whose key starts with `keyPrefix`: the
   * messages and cards a record sent carry its content, so they go when the record's retention ends. Every feature
   * keys its notifications by the record they belong to (`item:<id>:`, `circle:meeting:<id>:`, `circle:poll:<id>:`).
   * Returns how many documents were deleted.
   */
  async deleteOwned(keyPrefix: string): Promise<number> {
    if (!/^[a-z]+(:[A-Za-z0-9_-]+)+:$/.test(keyPrefix)) throw new OutboxError('OUTBOX_INVALID_REQUEST', 'a key prefix names one record and ends with ":"');
    let deleted = 0;
    for (;;) {
      const docs = await this.store.query<{ id: string; pk: string }>(
        {
          query: 'SELECT c.id, c.pk FROM c WHERE STARTSWITH(c.notificationKey, @prefix) OR STARTSWITH(c.key, @prefix)',
          parameters: [{ name: '@prefix', value: keyPrefix }],
        },
        { maxItems: 200 },
      );
      if (docs.length === 0) return deleted;
      const before = deleted;
      await forEachLimited(docs, this.writeConcurrency, async (d) => {
        if (await this.store.delete(d.pk, d.id)) deleted += 1;
      });
      // Nothing deletable any more (someone else got there first): done.
      if (deleted === before) return deleted;
    }
  }

  /**
   * "Meine Daten löschen" for one record's notifications: deletes the person's deliveries (sent or still due) under
   * every key that starts with `keyPrefix`, and takes them out of the notifications' headers, so nothing of the record
   * names them any more and nothing more is sent to them about it. The other recipients' deliveries stay untouched.
   * Idempotent. Returns how many deliveries were deleted.
   */
  async forgetRecipient(keyPrefix: string, aadObjectId: string): Promise<number> {
    if (!/^[a-z]+(:[A-Za-z0-9_-]+)+:$/.test(keyPrefix)) throw new OutboxError('OUTBOX_INVALID_REQUEST', 'a key prefix names one record and ends with ":"');
    const recipientKey = recipientKeyOf({ kind: 'user', aadObjectId, tenantId: '' });
    const headers = await this.store.query<{ pk: string; recipients: StoredRecipient[] }>({
      query: "SELECT c.pk, c.recipients FROM c WHERE c.kind = 'notification' AND STARTSWITH(c.key, @prefix)",
      parameters: [{ name: '@prefix', value: keyPrefix }],
    });
    // The headers first: a dispatcher completing an interrupted fan-out then no longer recreates the delivery.
    for (const { pk } of headers.filter((h) => h.recipients.some((r) => r.recipientKey === recipientKey))) {
      await updateWithRetry(this.store, pk, 'notification', (current) =>
        current && current.kind === 'notification' && current.recipients.some((r) => r.recipientKey === recipientKey)
          ? { ...current, recipients: current.recipients.filter((r) => r.recipientKey !== recipientKey) }
          : undefined,
      );
    }
    const deliveries = await this.store.query<{ id: string; pk: string }>({
      query: "SELECT c.id, c.pk FROM c WHERE c.kind = 'delivery' AND STARTSWITH(c.notificationKey, @prefix) AND c.recipientKey = @rk",
      parameters: [{ name: '@prefix', value: keyPrefix }, { name: '@rk', value: recipientKey }],
    });
    let deleted = 0;
    for (const d of deliveries) if (await this.store.delete(d.pk, d.id)) deleted += 1;
    return deleted;
  }

  /**
   * Retention of notifications that belong to no record: deletes those enqueued before `cutoffMs` whose key does not
   * start with one of `ownedPrefixes` (those go with their record, see {@link deleteOwned}: a card must stay
   * updatable as long as its item lives). Deliveries still due are left to the dispatcher. Returns how many
   * documents were deleted.
   */
  async purgeUnowned(cutoffMs: number, ownedPrefixes: readonly string[], max = 500): Promise<number> {
    if (ownedPrefixes.length === 0 || ownedPrefixes.some((p) => !/^[a-z]+:$/.test(p))) {
      throw new OutboxError('OUTBOX_INVALID_REQUEST', 'owned prefixes are record kinds such as "item:"');
    }
    const names = ownedPrefixes.map((_, i) => `@owned${i}`);
    const notOwned = (field: string) => names.map((n) => `NOT STARTSWITH(c.${field}, ${n})`).join(' AND ');
    const docs = await this.store.query<{ id: string; pk: string }>(
      {
        query:
          `SELECT c.id, c.pk FROM c WHERE c.createdAtMs < @cutoff AND (` +
          `(c.kind = 'notification' AND ${notOwned('key')}) OR (c.kind = 'delivery' AND c.open = false AND ${notOwned('notificationKey')}))`,
        parameters: [{ name: '@cutoff', value: cutoffMs }, ...ownedPrefixes.map((value, i) => ({ name: names[i], value }))],
      },
      { maxItems: max },
    );
    let deleted = 0;
    await forEachLimited(docs, this.writeConcurrency, async (d) => {
      if (await this.store.delete(d.pk, d.id)) deleted += 1;
    });
    return deleted;
  }

  private validate(key: string, activity: OutgoingActivity | undefined, recipients: number): void {
    if (typeof key !== 'string' || key.trim() === '') throw new OutboxError('OUTBOX_INVALID_REQUEST', 'a notification needs a non-empty key');
    if (!activity || typeof activity !== 'object') throw new OutboxError('OUTBOX_INVALID_REQUEST', 'a notification needs an activity');
    if (recipients === 0) throw new OutboxError('OUTBOX_INVALID_REQUEST', 'a notification needs at least one recipient');
    if (recipients > this.maxRecipients) {
      throw new OutboxError('OUTBOX_INVALID_REQUEST', `at most ${this.maxRecipients} recipients per notification; split the fan-out into several keys`);
    }
  }

  /**
   * For a fan-out: header first (listing every recipient), then the deliveries, then the header is marked complete,
   * so a fan-out cut short by a crash is finished by the dispatcher. A single delivery carries all it needs to be
   * sent, so a notification to one recipient is just that document: one write, nothing to repair.
   */
  private async write(key: string, activity: OutgoingActivity, recipients: StoredRecipient[], notBeforeMs?: number): Promise<EnqueueResult> {
    const notificationId = notificationIdOf(key);
    const now = this.clock.now();
    const fresh: NotificationDoc = {
      id: 'notification',
      pk: notificationId,
      kind: 'notification',
      key,
      activity,
      recipients,
      complete: false,
      notBeforeMs: notBeforeMs ?? now,
      createdAt: new Date(now).toISOString(),
      createdAtMs: this.stamp(now),
    };
    const written: Versioned<DeliveryDoc>[] = [];
    try {
      if (recipients.length === 1) {
        const added = (await this.createDelivery(fresh, recipients[0], written)) ? 1 : 0;
        return { notificationId, added, total: 1 };
      }
      let header: Versioned<NotificationDoc>;
      try {
        header = (await this.store.create(fresh)) as Versioned<NotificationDoc>;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        header = await this.mergeRecipients(notificationId, key, recipients);
      }
      // An incomplete header may list recipients of an interrupted earlier call: write those too.
      const known = new Set(recipients.map((r) => r.deliveryId));
      const added = await this.writeDeliveries(header, header.complete ? header.recipients.filter((r) => known.has(r.deliveryId)) : header.recipients, written);
      return { notificationId, added, total: recipients.length };
    } finally {
      this.notify(written);
    }
  }

  /**
   * `createdAtMs` of an enqueue at `now`: strictly later than the one before in this process. Two notifications enqueued
   * one after the other never share it, so the dispatcher sends those due at the same time to a chat in the order they
   * were enqueued (and of two updates of one message the later one is always the newer). In a burst of more than one
   * enqueue per millisecond the stamps run ahead of the clock by a few milliseconds, and catch up when it quietens; the
   * due time stays the clock's.
   */
  private stamp(now: number): number {
    this.lastStamp = Math.max(now, this.lastStamp + 1);
    return this.lastStamp;
  }

  private notify(created: Versioned<DeliveryDoc>[]): void {
    for (const listener of this.listeners) listener(created);
  }

  /** Adds recipients that an earlier enqueue under the same key did not have. */
  private async mergeRecipients(notificationId: string, key: string, recipients: StoredRecipient[]): Promise<Versioned<NotificationDoc>> {
    const merged = await updateWithRetry(this.store, notificationId, 'notification', (current) => {
      if (!current || current.kind !== 'notification') return undefined;
      if (current.key !== key) throw new OutboxError('OUTBOX_KEY_COLLISION', `two notification keys map to ${notificationId}`);
      const have = new Set(current.recipients.map((r) => r.deliveryId));
      const missing = recipients.filter((r) => !have.has(r.deliveryId));
      if (missing.length === 0) return undefined;
      if (current.recipients.length + missing.length > this.maxRecipients) {
        throw new OutboxError('OUTBOX_INVALID_REQUEST', `at most ${this.maxRecipients} recipients per notification`);
      }
      return { ...current, recipients: [...current.recipients, ...missing], complete: false };
    });
    if (!merged || merged.kind !== 'notification') throw new OutboxError('OUTBOX_UNKNOWN_NOTIFICATION', `${notificationId} vanished while enqueueing`);
    return merged as Versioned<NotificationDoc>;
  }

  private async writeDeliveries(header: Versioned<NotificationDoc>, recipients: StoredRecipient[], created: Versioned<DeliveryDoc>[]): Promise<number> {
    let added = 0;
    await forEachLimited(recipients, this.writeConcurrency, async (r) => {
      if (await this.createDelivery(header, r, created)) added += 1;
    });
    if (!header.complete) await this.markComplete(header);
    return added;
  }

  /** Writes one delivery; false when it existed already (an earlier call under the same key). */
  private async createDelivery(header: NotificationDoc, r: StoredRecipient, created: Versioned<DeliveryDoc>[]): Promise<boolean> {
    const nowIso = new Date(this.clock.now()).toISOString();
    const delivery: DeliveryDoc = {
      ...r,
      id: r.deliveryId,
      pk: header.pk,
      kind: 'delivery',
      notificationKey: header.key,
      operation: r.replaceActivityId || r.replaces ? 'update' : 'send',
      activity: header.activity,
      status: 'pending',
      open: true,
      dueAt: header.notBeforeMs,
      attempts: 0,
      throttled: 0,
      uncertainResends: 0,
      createdAt: nowIso,
      createdAtMs: header.createdAtMs,
      updatedAt: nowIso,
    };
    try {
      created.push((await this.store.create(delivery)) as Versioned<DeliveryDoc>);
      return true;
    } catch (err) {
      if (err instanceof AlreadyExistsError) return false;
      throw err;
    }
  }

  /** Flags the header complete unless recipients were added meanwhile (their enqueue completes it then). */
  private async markComplete(header: Versioned<NotificationDoc>): Promise<void> {
    try {
      await this.store.patch(header.pk, 'notification', [{ op: 'set', path: '/complete', value: true }], header.etag);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      await updateWithRetry(this.store, header.pk, 'notification', (current) =>
        current && current.kind === 'notification' && !current.complete && current.recipients.length <= header.recipients.length
          ? { ...current, complete: true }
          : undefined,
      );
    }
  }
}
