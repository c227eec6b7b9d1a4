import { DeliveryLedger, type Delivery } from '../../../services/notifications/deliveryLedger';
import { notificationIdOf } from '../../../services/notifications/keys';
import type { ConversationRef, DeliveryDoc, NotificationDoc, OutboxDoc } from '../../../services/notifications/model';
import { Outbox, OutboxError } from '../../../services/notifications/outbox';
import { contendedStore } from '../../support/countingDatabase';
import { FakeClock } from '../../support/fakeClock';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const TENANT = '72f988bf-0000-4000-a000-000000000001';

function chat(n: number): ConversationRef {
  return { conversationId: `a:1chat-${n}`, serviceUrl: 'https://smba.example/emea/', tenantId: TENANT, botId: '28:bot', conversationType: 'personal' };
}

const card = { summary: 'Neues Anliegen', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }] };

async function deliveriesOf(store: MemoryDocumentStore<OutboxDoc>, key: string): Promise<Delivery[]> {
  return store.query<Delivery>({ query: 'SELECT * FROM c WHERE c.pk = @pk AND c.kind = "delivery"', parameters: [{ name: '@pk', value: notificationIdOf(key) }] });
}

describe('enqueueing notifications', () => {
  let store: MemoryDocumentStore<OutboxDoc>;
  let clock: FakeClock;
  let outbox: Outbox;

  beforeEach(() => {
    store = new MemoryDocumentStore<OutboxDoc>('outbox');
    clock = new FakeClock();
    outbox = new Outbox(store, { clock });
  });

  it('writes one pending delivery per recipient before anything is sent', async () => {
    const result = await outbox.enqueue({ key: 'request:4711:submitted', activity: card, recipients: [{ conversation: chat(1) }, { conversation: chat(2) }] });
    expect(result).toMatchObject({ added: 2, total: 2 });
    const deliveries = await deliveriesOf(store, 'request:4711:submitted');
    expect(deliveries.map((d) => d.status)).toEqual(['pending', 'pending']);
    expect(deliveries.every((d) => d.open && d.dueAt === clock.now() && d.operation === 'send')).toBe(true);
  });

  it('stamps each enqueue later than the one before, even within one millisecond, so that their order is kept', async () => {
    // The clock stands still: three notifications enqueued one after the other in the same millisecond.
    for (const key of ['request:1:r3:requester', 'request:1:r4:requester', 'request:1:r5:requester']) {
      await outbox.enqueue({ key, activity: { text: key }, recipients: [{ conversation: chat(1) }] });
    }
    const stamps = await Promise.all(['request:1:r3:requester', 'request:1:r4:requester', 'request:1:r5:requester'].map(async (k) => (await deliveriesOf(store, k))[0]));
    expect(stamps.map((d) => d.createdAtMs)).toEqual([clock.now(), clock.now() + 1, clock.now() + 2]);
    // All three are due now: the stamp orders them, the due time stays the clock's.
    expect(stamps.map((d) => d.dueAt)).toEqual([clock.now(), clock.now(), clock.now()]);
    // Once the clock has passed them, stamps follow it again.
    clock.advance(10);
    await outbox.enqueue({ key: 'request:1:r6:requester', activity: { text: 'r6' }, recipients: [{ conversation: chat(1) }] });
    expect((await deliveriesOf(store, 'request:1:r6:requester'))[0].createdAtMs).toBe(clock.now());
  });

  it('deletes what one record sent, fan-outs and single messages alike, and nothing of any other record', async () => {
    await outbox.enqueue({ key: 'item:abc:card:x', activity: card, recipients: [{ conversation: chat(1) }] });
    await outbox.enqueue({ key: 'item:abc:r2:requester', activity: card, recipients: [1, 2, 3].map((n) => ({ conversation: chat(n) })) });
    await outbox.enqueue({ key: 'item:abc2:card:x', activity: card, recipients: [{ conversation: chat(1) }] });
    expect(await outbox.deleteOwned('item:abc:')).toBe(5); // one delivery, a header and three deliveries
    expect(await outbox.status('item:abc:card:x')).toBeUndefined();
    expect(await outbox.status('item:abc:r2:requester')).toBeUndefined();
    expect((await outbox.status('item:abc2:card:x'))?.total).toBe(1);
    expect(await outbox.deleteOwned('item:abc:')).toBe(0);
  });

  it('forgets one person in one record’s notifications (Meine Daten löschen): their deliveries and header entries go, the others’ stay', async () => {
    const person = (n: number) => ({ user: { aadObjectId: `00000000-0000-4000-8000-00000000000${n}`, tenantId: TENANT } });
    await outbox.enqueue({ key: 'post:post-1:announce', activity: card, recipients: [person(1), person(2), person(3)] });
    await outbox.enqueue({ key: 'post:post-1:remind:1', activity: card, recipients: [person(1)] });
    await outbox.enqueue({ key: 'post:post-2:announce', activity: card, recipients: [person(1), person(2)] });
    expect(await outbox.forgetRecipient('post:post-1:', '00000000-0000-4000-8000-000000000001'.toUpperCase())).toBe(2);
    expect((await outbox.status('post:post-1:announce'))?.recipients.map((r) => r.recipientKey)).toEqual(['user:00000000-0000-4000-8000-000000000002', 'user:00000000-0000-4000-8000-000000000003']);
    expect(await outbox.status('post:post-1:remind:1')).toBeUndefined();
    const header = await store.read(notificationIdOf('post:post-1:announce'), 'notification');
    expect(JSON.stringify(header)).not.toContain('00000000-0000-4000-8000-000000000001');
    // Another record's notifications are untouched; a second run finds nothing.
    expect((await outbox.status('post:post-2:announce'))?.total).toBe(2);
    expect(await outbox.forgetRecipient('post:post-1:', '00000000-0000-4000-8000-000000000001')).toBe(0);
    await expect(outbox.forgetRecipient('post:', '00000000-0000-4000-8000-000000000001')).rejects.toMatchObject({ code: 'OUTBOX_INVALID_REQUEST' });
  });

  it('refuses a key prefix that does not name one record', async () => {
    for (const prefix of ['', 'item:', 'item:abc', "item:a' OR 1=1:"]) {
      await expect(outbox.deleteOwned(prefix)).rejects.toMatchObject({ code: 'OUTBOX_INVALID_REQUEST' });
    }
  });

  it('sends once when the same key is enqueued twice', async () => {
    const request = { key: 'request:4711:submitted', activity: card, recipients: [{ conversation: chat(1) }, { conversation: chat(1) }] };
    await outbox.enqueue(request);
    const again = await outbox.enqueue(request);
    expect(again).toMatchObject({ added: 0, total: 1 });
    expect(await deliveriesOf(store, 'request:4711:submitted')).toHaveLength(1);
  });

  it('sends once when the same fan-out is enqueued twice', async () => {
    const request = { key: 'circle:2025-03:invite', activity: card, recipients: [1, 2, 3].map((n) => ({ conversation: chat(n) })) };
    await outbox.enqueue(request);
    expect(await outbox.enqueue(request)).toMatchObject({ added: 0, total: 3 });
    expect(await deliveriesOf(store, 'circle:2025-03:invite')).toHaveLength(3);
  });

  it('adds only the new recipients when a key is enqueued again with more of them', async () => {
    await outbox.enqueue({ key: 'circle:2025-03:invite', activity: card, recipients: [{ conversation: chat(1) }, { conversation: chat(2) }] });
    const again = await outbox.enqueue({
      key: 'circle:2025-03:invite',
      activity: card,
      recipients: [{ conversation: chat(2) }, { conversation: chat(3) }],
    });
    expect(again).toMatchObject({ added: 1, total: 2 });
    expect(await deliveriesOf(store, 'circle:2025-03:invite')).toHaveLength(3);
    expect((await outbox.status('circle:2025-03:invite'))?.total).toBe(3);
  });

  it('treats a user by AAD object id as one recipient regardless of letter case', async () => {
    const upper = { user: { aadObjectId: 'ABCDEF01-0000-4000-A000-000000000001', tenantId: TENANT } };
    const lower = { user: { aadObjectId: 'abcdef01-0000-4000-a000-000000000001', tenantId: TENANT } };
    const result = await outbox.enqueue({ key: 'report:9:submitted', activity: card, recipients: [upper, lower] });
    expect(result.total).toBe(1);
  });

  it('reports "zugestellt an 11 von 12" from the recipients\' states', async () => {
    const recipients = Array.from({ length: 12 }, (_, i) => ({ conversation: chat(i) }));
    await outbox.enqueue({ key: 'circle:2025-03:minutes', activity: card, recipients });
    const deliveries = await deliveriesOf(store, 'circle:2025-03:minutes');
    for (const [i, d] of deliveries.entries()) {
      const { etag, ...doc } = d;
      const next: DeliveryDoc = i < 11 ? { ...doc, status: 'sent', open: false, activityId: `msg-${i}` } : { ...doc, status: 'unreachable', open: false };
      await store.replace(next, etag);
    }
    const status = await outbox.status('circle:2025-03:minutes');
    expect(status).toMatchObject({ total: 12, delivered: 11 });
    expect(status?.counts).toMatchObject({ sent: 11, unreachable: 1, pending: 0 });
    expect(status?.recipients.find((r) => r.status === 'unreachable')?.conversationId).toBe(deliveries[11].target.kind === 'conversation' ? deliveries[11].target.ref.conversationId : undefined);
  });

  it('knows nothing about a key that was never enqueued', async () => {
    expect(await outbox.status('request:0:never')).toBeUndefined();
  });

  it('completes an enqueue that was interrupted after the header was written', async () => {
    await outbox.enqueue({ key: 'request:5:submitted', activity: card, recipients: [{ conversation: chat(1) }, { conversation: chat(2) }] });
    // Simulate a crash between header and deliveries: drop one delivery and mark the header incomplete.
    const [first] = await deliveriesOf(store, 'request:5:submitted');
    await store.delete(first.pk, first.id);
    const header = (await store.read(notificationIdOf('request:5:submitted'), 'notification')) as NotificationDoc & { etag: string };
    await store.replace({ ...header, complete: false }, header.etag);
    expect((await outbox.status('request:5:submitted'))?.counts.pending).toBe(2);

    expect(await outbox.completeInterrupted(10_000)).toBe(0);
    await clock.advance(10_000);
    expect(await outbox.completeInterrupted(10_000)).toBe(1);
    expect(await deliveriesOf(store, 'request:5:submitted')).toHaveLength(2);
    expect((await store.read(notificationIdOf('request:5:submitted'), 'notification')) as NotificationDoc).toMatchObject({ complete: true });
  });

  it('counts a recipient added to a fan-out one at a time under the same key', async () => {
    await outbox.enqueue({ key: 'circle:2025-04:invite', activity: card, recipients: [{ conversation: chat(1) }, { conversation: chat(2) }] });
    await outbox.enqueue({ key: 'circle:2025-04:invite', activity: card, recipients: [{ conversation: chat(3) }] });
    expect((await outbox.status('circle:2025-04:invite'))?.total).toBe(3);
  });

  it('points each update at the message of the original notification it replaces', async () => {
    await outbox.enqueue({ key: 'request:6:submitted', activity: card, recipients: [{ conversation: chat(1) }, { conversation: chat(2) }] });
    const update = await outbox.enqueueUpdate({ key: 'request:6:accepted', of: 'request:6:submitted', activity: { text: 'angenommen' } });
    expect(update.total).toBe(2);
    const originals = await deliveriesOf(store, 'request:6:submitted');
    const updates = await deliveriesOf(store, 'request:6:accepted');
    expect(updates.every((u) => u.operation === 'update')).toBe(true);
    expect(updates.map((u) => u.replaces?.deliveryId).sort()).toEqual(originals.map((o) => o.id).sort());
  });

  it('updates the message of a notification that went to a single recipient', async () => {
    await outbox.enqueue({ key: 'report:8:submitted', activity: card, recipients: [{ conversation: chat(1) }] });
    const update = await outbox.enqueueUpdate({ key: 'report:8:noted', of: 'report:8:submitted', activity: { text: 'zur Kenntnis genommen' } });
    expect(update).toMatchObject({ added: 1, total: 1 });
    const [original] = await deliveriesOf(store, 'report:8:submitted');
    expect((await deliveriesOf(store, 'report:8:noted'))[0].replaces).toEqual({ notificationId: original.pk, deliveryId: original.id });
  });

  it('updates a known message directly when the caller names its activity id', async () => {
    await outbox.enqueue({ key: 'request:7:card', activity: card, recipients: [{ conversation: chat(1), replaceActivityId: '1700000000001' }] });
    const [delivery] = await deliveriesOf(store, 'request:7:card');
    expect(delivery).toMatchObject({ operation: 'update', replaceActivityId: '1700000000001' });
  });

  it('refuses requests it cannot deliver, naming the rule', async () => {
    await expect(outbox.enqueue({ key: '', activity: card, recipients: [{ conversation: chat(1) }] })).rejects.toMatchObject({ code: 'OUTBOX_INVALID_REQUEST' });
    await expect(outbox.enqueue({ key: 'k', activity: card, recipients: [] })).rejects.toBeInstanceOf(OutboxError);
    await expect(outbox.enqueueUpdate({ key: 'k2', of: 'never-sent', activity: card })).rejects.toMatchObject({ code: 'OUTBOX_UNKNOWN_NOTIFICATION' });
    const small = new Outbox(store, { clock, maxRecipients: 2 });
    await expect(small.enqueue({ key: 'k3', activity: card, recipients: [1, 2, 3].map((n) => ({ conversation: chat(n) })) })).rejects.toMatchObject({
      code: 'OUTBOX_INVALID_REQUEST',
    });
  });

  it('keeps keys Cosmos cannot store as ids apart by hashing them', async () => {
    await outbox.enqueue({ key: 'team/36#notice?', activity: card, recipients: [{ conversation: chat(1) }] });
    await outbox.enqueue({ key: 'x'.repeat(300), activity: card, recipients: [{ conversation: chat(1) }] });
    expect((await outbox.status('team/36#notice?'))?.total).toBe(1);
    expect((await outbox.status('x'.repeat(300)))?.total).toBe(1);
  });
});

describe('leases on deliveries', () => {
  let store: MemoryDocumentStore<OutboxDoc>;
  let clock: FakeClock;
  let outbox: Outbox;

  beforeEach(async () => {
    store = new MemoryDocumentStore<OutboxDoc>('outbox');
    clock = new FakeClock();
    outbox = new Outbox(store, { clock });
    await outbox.enqueue({ key: 'request:1:submitted', activity: card, recipients: [{ conversation: chat(1) }] });
  });

  it('lets exactly one of two processes claim the same due delivery, in each of 50 rounds', async () => {
    // Both claims go through a store that counts the 412s: the loser really lost on the ETag.
    const contended = contendedStore(store);
    const a = new DeliveryLedger(contended.store, 'worker-a', 30_000, clock);
    const b = new DeliveryLedger(contended.store, 'worker-b', 30_000, clock);
    const ROUNDS = 50;
    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) await outbox.enqueue({ key: `request:race-${round}:submitted`, activity: card, recipients: [{ conversation: chat(1) }] });
      const [seenByA] = await a.due(10);
      const [seenByB] = await b.due(10);
      expect(seenByB).toEqual(seenByA);
      const claims = await Promise.all([a.claim(seenByA), b.claim(seenByB)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      const winner = claims.find(Boolean) as Delivery;
      expect(winner).toMatchObject({ id: seenByA.id, status: 'leased', leaseUntil: clock.now() + 30_000 });
      expect(await store.read(winner.pk, winner.id)).toMatchObject({ leaseOwner: winner.leaseOwner });
    }
    expect(contended.contention.preconditionFailed).toBe(ROUNDS);
  });

  it('does not offer a leased delivery until its lease runs out, then offers it to anyone', async () => {
    const a = new DeliveryLedger(store, 'worker-a', 30_000, clock);
    const b = new DeliveryLedger(store, 'worker-b', 30_000, clock);
    const [due] = await a.due(10);
    await a.claim(due);
    expect(await b.due(10)).toHaveLength(0);
    await clock.advance(30_000);
    const [expired] = await b.due(10);
    expect(await b.claim(expired)).toMatchObject({ leaseOwner: 'worker-b' });
  });

  it('refuses to start sending when the lease was taken over in the meantime', async () => {
    const a = new DeliveryLedger(store, 'worker-a', 30_000, clock);
    const b = new DeliveryLedger(store, 'worker-b', 30_000, clock);
    const claimedByA = (await a.claim((await a.due(10))[0])) as Delivery;
    await clock.advance(30_000);
    await b.claim((await b.due(10))[0]);
    expect(await a.begin(claimedByA, chat(1))).toBeUndefined();
  });

  it('still records a send whose call outlived its lease when the new owner has not started sending', async () => {
    const a = new DeliveryLedger(store, 'worker-a', 30_000, clock);
    const b = new DeliveryLedger(store, 'worker-b', 30_000, clock);
    const sendingByA = (await a.begin((await a.claim((await a.due(10))[0])) as Delivery, chat(1))) as Delivery;
    await clock.advance(30_000);
    const claimedByB = (await b.claim((await b.due(10))[0])) as Delivery;
    expect(await a.sent(sendingByA, { activityId: 'msg-1' })).toEqual({ recorded: true, raced: true });
    // B's claim is now stale, so B will not post the message a second time.
    expect(await b.begin(claimedByB, chat(1))).toBeUndefined();
  });

  it('hands a claim back without using up an attempt', async () => {
    const a = new DeliveryLedger(store, 'worker-a', 30_000, clock);
    const claimed = (await a.claim((await a.due(10))[0])) as Delivery;
    const released = await a.release(claimed, clock.now());
    expect(released).toMatchObject({ status: 'pending', attempts: 0, open: true });
    expect(released?.leaseOwner).toBeUndefined();
  });
});
