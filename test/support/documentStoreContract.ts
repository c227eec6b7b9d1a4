import type { DocumentStore, StoredFields } from '../../services/storage/documentStore';
import { updateWithRetry } from '../../services/common/etagRetry';
import { AlreadyExistsError, ConcurrencyError, InvalidKeyError } from '../../services/storage/errors';
import { contendedStore } from './countingDatabase';

interface Note extends StoredFields {
  type: 'note';
  title: string;
  count: number;
  tags: string[];
}

let seq = 0;
function note(pk: string, overrides: Partial<Note> = {}): Note {
  seq += 1;
  return { id: `note-${Date.now()}-${seq}`, pk, type: 'note', title: 'Hallo', count: 0, tags: [], ...overrides };
}

/**
 * The storage contract every `DocumentStore` implementation must pass (as botbuilder's
 * StorageBaseTests do for its storages). Call inside a `describe` with a factory for a fresh store.
 */
export function documentStoreContract(getStore: () => DocumentStore<Note>): void {
  const pk = () => `pk-${Math.random().toString(36).slice(2, 10)}`;

  it('returns undefined for a document that does not exist', async () => {
    expect(await getStore().read(pk(), 'missing')).toBeUndefined();
  });

  it('creates and reads back a document with an etag and without system fields', async () => {
    const store = getStore();
    const doc = note(pk(), { title: 'Übernahme', tags: ['a'] });
    const created = await store.create(doc);
    expect(created.etag).toEqual(expect.any(String));
    const read = await store.read(doc.pk, doc.id);
    expect(read).toEqual({ ...doc, etag: created.etag });
    expect(Object.keys(read as object).some((k) => k.startsWith('_'))).toBe(false);
  });

  it('refuses to create a second document with the same id in the partition', async () => {
    const store = getStore();
    const doc = note(pk());
    await store.create(doc);
    await expect(store.create({ ...doc, title: 'zweites Mal' })).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await store.read(doc.pk, doc.id))?.title).toBe('Hallo');
  });

  it('replaces with the current etag and refuses a stale one with a concurrency error', async () => {
    const store = getStore();
    const doc = note(pk());
    const v1 = await store.create(doc);
    const v2 = await store.replace({ ...doc, title: 'neu' }, v1.etag);
    expect(v2.etag).not.toBe(v1.etag);
    await expect(store.replace({ ...doc, title: 'verloren' }, v1.etag)).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.read(doc.pk, doc.id))?.title).toBe('neu');
  });

  it('treats a replace of a deleted document as a concurrency conflict', async () => {
    const store = getStore();
    const doc = note(pk());
    const v1 = await store.create(doc);
    await store.delete(doc.pk, doc.id);
    await expect(store.replace(doc, v1.etag)).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('upserts idempotently', async () => {
    const store = getStore();
    const doc = note(pk());
    await store.upsert(doc);
    await store.upsert(doc);
    const rows = await store.query({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: doc.pk }] }, { partitionKey: doc.pk });
    expect(rows).toHaveLength(1);
  });

  it('patches fields atomically and honours the etag condition', async () => {
    const store = getStore();
    const doc = note(pk());
    const v1 = await store.create(doc);
    const v2 = await store.patch(doc.pk, doc.id, [{ op: 'incr', path: '/count', value: 2 }, { op: 'set', path: '/title', value: 'gepatcht' }], v1.etag);
    expect(v2).toMatchObject({ count: 2, title: 'gepatcht' });
    await expect(store.patch(doc.pk, doc.id, [{ op: 'incr', path: '/count', value: 1 }], v1.etag)).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.read(doc.pk, doc.id))?.count).toBe(2);
  });

  it('clears a list and removes a field by patch, so a range query on the field no longer finds the document (the relay relies on it)', async () => {
    const store = getStore() as unknown as DocumentStore<StoredFields & { pending?: unknown[]; pendingSince?: number }>;
    const key = pk();
    const v1 = await store.create({ id: 'carrier', pk: key, pending: [{ key: 'a' }], pendingSince: 1000 });
    const find = () => store.query({ query: 'SELECT * FROM c WHERE c.pk = @pk AND c.pendingSince <= @cutoff', parameters: [{ name: '@pk', value: key }, { name: '@cutoff', value: 2000 }] }, { partitionKey: key });
    expect(await find()).toHaveLength(1);
    const v2 = await store.patch(key, 'carrier', [{ op: 'set', path: '/pending', value: [] }, { op: 'remove', path: '/pendingSince' }], v1.etag);
    expect(v2.pending).toEqual([]);
    expect('pendingSince' in v2).toBe(false);
    expect(await find()).toEqual([]);
  });

  it('deletes, reports a missing document as false, and refuses a stale etag', async () => {
    const store = getStore();
    const doc = note(pk());
    const v1 = await store.create(doc);
    const v2 = await store.replace({ ...doc, title: 'x' }, v1.etag);
    await expect(store.delete(doc.pk, doc.id, v1.etag)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.delete(doc.pk, doc.id, v2.etag)).toBe(true);
    expect(await store.delete(doc.pk, doc.id)).toBe(false);
  });

  it('runs parameterized queries with ORDER BY, TOP and ARRAY_CONTAINS, taking values only as parameters', async () => {
    const store = getStore();
    const p = pk();
    for (let i = 0; i < 5; i++) await store.create(note(p, { count: i, tags: i % 2 ? ['odd'] : ['even'] }));
    const odd = await store.query<Note>(
      { query: 'SELECT * FROM c WHERE c.pk = @pk AND ARRAY_CONTAINS(c.tags, @tag) ORDER BY c.count DESC', parameters: [{ name: '@pk', value: p }, { name: '@tag', value: 'odd' }] },
      { partitionKey: p },
    );
    expect(odd.map((n) => n.count)).toEqual([3, 1]);
    const injected = await store.query<Note>(
      { query: 'SELECT * FROM c WHERE c.pk = @pk AND c.title = @t', parameters: [{ name: '@pk', value: p }, { name: '@t', value: "Hallo' OR 1=1 --" }] },
    );
    expect(injected).toHaveLength(0);
    const top = await store.query<Note>({ query: 'SELECT TOP 2 * FROM c WHERE c.pk = @pk ORDER BY c.count', parameters: [{ name: '@pk', value: p }] });
    expect(top.map((n) => n.count)).toEqual([0, 1]);
    const limited = await store.query<Note>({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: p }] }, { maxItems: 3 });
    expect(limited).toHaveLength(3);
    const counted = await store.query<number>({ query: 'SELECT VALUE COUNT(1) FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: p }] });
    expect(counted).toEqual([5]);
  });

  it('rejects ids Cosmos DB cannot store before sending anything', async () => {
    const store = getStore();
    for (const bad of ['', 'a/b', 'a\\b', 'a?b', 'a#b', 'x'.repeat(256)]) {
      await expect(store.create(note(pk(), { id: bad }))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.read(pk(), bad)).rejects.toBeInstanceOf(InvalidKeyError);
    }
  });

  it('keeps every increment when writers race through updateWithRetry, in each of 50 rounds, and they really collide', async () => {
    // The writers go through a wrapper that counts the stale-ETag refusals (412) they ran into and retried.
    const { store, contention } = contendedStore(getStore());
    const ROUNDS = 50;
    const WRITERS = 4;
    for (let round = 0; round < ROUNDS; round++) {
      const doc = note(pk());
      await store.create(doc);
      await Promise.all(
        Array.from({ length: WRITERS }, () =>
          updateWithRetry(store, doc.pk, doc.id, (cur) => (cur ? { ...cur, count: cur.count + 1 } : undefined), 2 * WRITERS),
        ),
      );
      expect((await store.read(doc.pk, doc.id))?.count).toBe(WRITERS);
    }
    expect(contention.preconditionFailed).toBeGreaterThan(0);
  });

  it('creates a missing document once when writers race to create it through updateWithRetry, in each of 50 rounds', async () => {
    const { store, contention } = contendedStore(getStore());
    const ROUNDS = 50;
    for (let round = 0; round < ROUNDS; round++) {
      const doc = note(pk());
      await Promise.all(
        [0, 1].map(() => updateWithRetry(store, doc.pk, doc.id, (cur) => (cur ? { ...cur, count: cur.count + 1 } : { ...doc, count: 1 }), 4)),
      );
      expect((await store.read(doc.pk, doc.id))?.count).toBe(2);
    }
    // The second create was refused (409), then read the first and incremented it.
    expect(contention.alreadyExists).toBeGreaterThan(0);
  });
}
