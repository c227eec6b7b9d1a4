import { updateWithRetry } from '../../../services/common/etagRetry';
import type { Versioned } from '../../../services/storage/documentStore';
import { AlreadyExistsError, ConcurrencyError, StorageUnavailableError } from '../../../services/storage/errors';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

interface Counter {
  id: string;
  pk: string;
  count: number;
}

/** A store whose next `conflicts` conditional writes fail as if someone else wrote first (and really do write). */
class ConflictingStore extends MemoryDocumentStore<Counter> {
  writes = 0;
  reads = 0;
  constructor(public conflicts: number) {
    super('counters');
  }
  override async read(pk: string, id: string): Promise<Versioned<Counter> | undefined> {
    this.reads++;
    return super.read(pk, id);
  }
  override async replace(doc: Counter, etag: string): Promise<Versioned<Counter>> {
    this.writes++;
    if (this.conflicts > 0) {
      this.conflicts--;
      // The rival's write lands, so the ETag we hold is stale and the next read sees the rival's count.
      const current = (await super.read(doc.pk, doc.id))!;
      const { etag: rivalEtag, ...rest } = current;
      await super.replace({ ...rest, count: current.count + 100 }, rivalEtag);
    }
    return super.replace(doc, etag);
  }
  override async create(doc: Counter): Promise<Versioned<Counter>> {
    this.writes++;
    if (this.conflicts > 0) {
      this.conflicts--;
      await super.create({ ...doc, count: 100 });
    }
    return super.create(doc);
  }
}

const increment = (cur: Versioned<Counter> | undefined): Counter | undefined =>
  cur ? { id: cur.id, pk: cur.pk, count: cur.count + 1 } : { id: 'c', pk: 'c', count: 1 };

describe('updateWithRetry', () => {
  it('re-reads and re-applies the change after two conflicts, and returns the stored document', async () => {
    const store = new ConflictingStore(0);
    await store.create({ id: 'c', pk: 'c', count: 1 });
    store.conflicts = 2;
    const seen: number[] = [];
    const saved = await updateWithRetry(store, 'c', 'c', (cur) => {
      seen.push(cur!.count);
      return increment(cur);
    });
    expect(seen).toEqual([1, 101, 201]);
    expect(saved?.count).toBe(202);
    expect(saved?.etag).toEqual(expect.any(String));
    expect((await store.read('c', 'c'))?.count).toBe(202);
    expect((await store.read('c', 'c'))?.etag).toBe(saved?.etag);
  });

  it('awaits an asynchronous change, again on every retry', async () => {
    const store = new ConflictingStore(0);
    await store.create({ id: 'c', pk: 'c', count: 1 });
    store.conflicts = 1;
    const seen: number[] = [];
    const saved = await updateWithRetry(store, 'c', 'c', async (cur) => {
      await Promise.resolve();
      seen.push(cur!.count);
      return increment(cur);
    });
    expect(seen).toEqual([1, 101]);
    expect(saved?.count).toBe(102);
  });

  it('gives up after the given number of tries with the conflict error', async () => {
    const store = new ConflictingStore(0);
    await store.create({ id: 'c', pk: 'c', count: 1 });
    store.conflicts = Number.POSITIVE_INFINITY;
    store.writes = 0;
    await expect(updateWithRetry(store, 'c', 'c', increment, 3)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(store.writes).toBe(3);
    store.writes = 0;
    await expect(updateWithRetry(store, 'c', 'c', increment)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(store.writes).toBe(5);
  });

  it('creates a missing document, retrying when someone created it meanwhile', async () => {
    const store = new ConflictingStore(1);
    const saved = await updateWithRetry(store, 'c', 'c', increment);
    expect(saved?.count).toBe(101);
    expect(store.writes).toBe(2);
  });

  it('gives up on a create that always races with AlreadyExistsError', async () => {
    const store = new MemoryDocumentStore<Counter>('counters');
    const creates: number[] = [];
    const racing = Object.assign(Object.create(store) as MemoryDocumentStore<Counter>, {
      read: async () => undefined,
      create: async (doc: Counter) => {
        creates.push(doc.count);
        throw new AlreadyExistsError('counters', doc.id);
      },
    });
    await expect(updateWithRetry(racing, 'c', 'c', increment, 4)).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(creates).toEqual([1, 1, 1, 1]);
  });

  it('writes nothing when the change returns undefined, and returns what it read', async () => {
    const store = new ConflictingStore(0);
    await store.create({ id: 'c', pk: 'c', count: 7 });
    store.writes = 0;
    const result = await updateWithRetry(store, 'c', 'c', () => undefined);
    expect(result?.count).toBe(7);
    expect(store.writes).toBe(0);
    expect(await updateWithRetry(store, 'missing', 'missing', () => undefined)).toBeUndefined();
    expect(store.writes).toBe(0);
  });

  it('throws any other error at once, without retrying', async () => {
    const store = new ConflictingStore(0);
    await store.create({ id: 'c', pk: 'c', count: 1 });
    let calls = 0;
    const failing = Object.assign(Object.create(store) as ConflictingStore, {
      replace: async () => {
        calls++;
        throw new StorageUnavailableError('down', 503);
      },
    });
    await expect(updateWithRetry(failing, 'c', 'c', increment)).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(calls).toBe(1);
  });
});
