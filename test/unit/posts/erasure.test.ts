import { silentLogger } from '../../../services/logging';
import { ackId, type AckDoc, type PostDoc, type PostsDoc } from '../../../services/posts/model';
import { PostService } from '../../../services/posts/postService';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

/**
 * "Meine Daten löschen" for information posts (issue 17): a recipient's acknowledgement goes, they leave the post's
 * recipients, and the sender's count keeps the acknowledgement without a name, exactly once, whichever step a crash
 * interrupted before the run was repeated.
 */

const SENDER = '00000000-0000-4000-8000-000400000001';
const ANNA = '00000000-0000-4000-8000-00000000a001';
const BERT = '00000000-0000-4000-8000-00000000b002';
const PK = 'post-00000000-0000-4000-8000-0000000000e1';

function setup() {
  const store = new MemoryDocumentStore<PostsDoc>('posts');
  const forgotten: string[] = [];
  let failForget = 0;
  const service = new PostService({
    store,
    users: { query: async () => [] } as never,
    directory: () => ({ authorities: [] }) as never,
    relay: { kick: () => undefined, relayed: () => false },
    outbox: {
      enqueue: async () => ({ added: 0 }) as never,
      enqueueUpdate: async () => ({ added: 0 }) as never,
      deleteOwned: async () => 0,
      forgetRecipient: async (prefix: string, id: string) => {
        if (failForget-- > 0) throw new Error('crash');
        forgotten.push(`${prefix}${id}`);
        return 1;
      },
    },
    scheduler: { reschedule: async () => ({}) as never, cancel: async () => undefined as never },
    // After the erasure the outbox has Bert's delivery only (German); Anna's went with her data.
    reports: { report: async (key: string) => (key.endsWith(':en') ? { total: 0, delivered: 0, installed: 0, pending: 0, unreachable: [] } : { total: 1, delivered: 1, installed: 0, pending: 0, unreachable: [] }) as never },
    langOf: async () => 'de',
    logger: silentLogger,
    now: () => new Date('2026-12-02T09:00:00Z'),
  });
  const post: PostDoc = {
    id: 'post', pk: PK, type: 'post', kind: 'info', status: 'sent', title: 'Interkulturelle Woche', text: 'Text', ackRequested: true, from: { role: 'ib', authority: 'koeln' },
    audience: { kind: 'authority', authority: 'koeln' }, sender: SENDER, senderName: 'Sabine Schmitz (Beispiel)', tenantId: 't', recipients: [ANNA, BERT],
    names: { [ANNA]: 'Anna Beispiel', [BERT]: 'Bert Beispiel' }, reminders: [{ at: '2026-12-01T12:00:00.000Z', to: 1, scheduled: false }], createdAt: '2026-12-01T09:00:00.000Z',
    sentAt: '2026-12-01T09:00:00.000Z', expiresAt: Date.parse('2027-12-01T09:00:00Z'),
    pending: [{ key: `post:${PK}:remind:2`, kind: 'post.remind', to: [ANNA, BERT], rev: 3 }],
  };
  const ack: AckDoc = { id: ackId(ANNA), pk: PK, type: 'postAck', member: ANNA, at: '2026-12-01T10:00:00.000Z', expiresAt: post.expiresAt };
  return { store, service, forgotten, post, ack, failNextForget: () => (failForget = 1) };
}

const read = async (store: MemoryDocumentStore<PostsDoc>) => (await store.read(PK, 'post')) as PostDoc;

it('takes the person out of the post and its pending reminder, deletes the acknowledgement, and keeps the count without a name', async () => {
  const { store, service, forgotten, post, ack } = setup();
  await store.create(post);
  await store.create(ack);
  expect(await service.eraseAbout(ANNA.toUpperCase())).toEqual({ acknowledgements: 1, received: 1 });
  const after = await read(store);
  expect(after).toMatchObject({ recipients: [BERT], names: { [BERT]: 'Bert Beispiel' }, erasedAcks: 1, pending: [{ key: `post:${PK}:remind:2`, to: [BERT] }] });
  expect(JSON.stringify(await store.query({ query: 'SELECT * FROM c' }))).not.toContain(ANNA);
  expect(forgotten).toEqual([`post:${PK}:${ANNA}`]);
  const status = await service.statusOf(after);
  expect(status).toMatchObject({ total: 2, delivered: 2, pending: 0, acknowledged: 1, notAcknowledged: [{ id: BERT, name: 'Bert Beispiel' }] });
  // Again: nothing left to delete, nothing counted twice.
  expect(await service.eraseAbout(ANNA)).toEqual({ acknowledgements: 0, received: 0 });
  expect((await read(store)).erasedAcks).toBe(1);
});

it('counts the acknowledgement once when a crash interrupted the first run before the post was written, or after it', async () => {
  // Crash in the outbox step (nothing of the post changed yet): the repeated run does it all.
  const a = setup();
  await a.store.create(a.post);
  await a.store.create(a.ack);
  a.failNextForget();
  await expect(a.service.eraseAbout(ANNA)).rejects.toThrow('crash');
  expect((await read(a.store)).recipients).toEqual([ANNA, BERT]);
  expect(await a.service.eraseAbout(ANNA)).toEqual({ acknowledgements: 1, received: 1 });
  expect((await read(a.store)).erasedAcks).toBe(1);

  // Crash after the post's write, before the acknowledgement was deleted: the repeated run finds it by the
  // acknowledgement alone, deletes it, and does not count it again.
  const b = setup();
  await b.store.create({ ...b.post, recipients: [BERT], names: { [BERT]: 'Bert Beispiel' }, erasedAcks: 1 });
  await b.store.create(b.ack);
  expect(await b.service.eraseAbout(ANNA)).toEqual({ acknowledgements: 1, received: 0 });
  expect((await read(b.store)).erasedAcks).toBe(1);
  expect(await b.store.read(PK, ackId(ANNA))).toBeUndefined();
  expect(b.forgotten).toEqual([`post:${PK}:${ANNA}`]);
});

it('leaves posts the person sent alone (the authority’s record)', async () => {
  const { store, service, post } = setup();
  await store.create({ ...post, sender: ANNA, recipients: [BERT], names: {} });
  expect(await service.eraseAbout(ANNA)).toEqual({ acknowledgements: 0, received: 0 });
  expect((await read(store)).sender).toBe(ANNA);
});
