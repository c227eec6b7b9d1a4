import { silentLogger } from '../../../services/logging';
import type { Versioned } from '../../../services/storage/documentStore';
import { outcome } from '../../../services/workflow/outcome';
import type { PendingCarrier } from '../../../services/workflow/pending';
import { Relay } from '../../../services/workflow/relay';
import { RecentVersions, createWithNotices, transact, type Step, type WorkflowWriter } from '../../../services/workflow/transaction';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

interface Doc extends PendingCarrier {
  rev: number;
  status: string;
  owner?: string;
}

/** Counts the operations `transact` sends to the store. */
class CountingStore extends MemoryDocumentStore<Doc> {
  reads = 0;
  replaces = 0;
  override async read(pk: string, id: string): Promise<Versioned<Doc> | undefined> {
    this.reads++;
    return super.read(pk, id);
  }
  override async replace(doc: Doc, etag: string): Promise<Versioned<Doc>> {
    this.replaces++;
    return super.replace(doc, etag);
  }
}

function setup() {
  const store = new CountingStore('items');
  const relay = new Relay({ logger: silentLogger, now: () => 1_000_000, graceMs: 5_000 });
  relay.register<Doc>({ name: 'test', store, deliver: async () => undefined });
  const writer: WorkflowWriter = { relay, source: 'test', now: () => 1_000_000 };
  /** Moves the document to `to`, refusing anyone but its owner (when it has one). */
  const step = (to: string, caller = 'owner') =>
    transact(
      store,
      'p',
      'd',
      (current): Step<Doc> =>
        current.owner && current.owner !== caller ? { refuse: outcome.refuse('forbidden') } : current.status === to ? { unchanged: true } : { next: { ...current, rev: current.rev + 1, status: to }, notices: [] },
      writer,
    );
  return { store, relay, writer, step };
}

describe('a change of a document this process wrote last needs no read first (issue 14)', () => {
  it('writes with the remembered version: no read, one conditional write, the same outcome', async () => {
    const { store, writer, step } = setup();
    await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [], writer);
    const first = await step('offen');
    const second = await step('erledigt');
    expect(store.reads).toBe(0);
    expect(store.replaces).toBe(2);
    expect(first.kind).toBe('written');
    expect(second.kind).toBe('written');
    if (second.kind !== 'written') return;
    expect(second.previous).toMatchObject({ rev: 2, status: 'offen' });
    expect(await store.read('p', 'd')).toMatchObject({ rev: 3, status: 'erledigt', etag: second.doc.etag });
  });

  it('decides again on a fresh read when another process changed the document meanwhile', async () => {
    const { store, writer, step } = setup();
    await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [], writer);
    const stored = (await store.read('p', 'd'))!;
    // Another process (its own memory) changes it: this process's version is out of date.
    await store.replace({ id: 'd', pk: 'p', rev: 2, status: 'offen' }, stored.etag);
    store.reads = 0;
    store.replaces = 0;
    const result = await step('erledigt');
    expect(result.kind).toBe('written');
    if (result.kind !== 'written') return;
    // The remembered version's write failed on its ETag; the change was decided again on rev 2 and written.
    expect(store.replaces).toBe(2);
    expect(store.reads).toBe(1);
    expect(result.previous).toMatchObject({ rev: 2, status: 'offen' });
    expect(result.doc).toMatchObject({ rev: 3, status: 'erledigt' });
  });

  it('never refuses on the remembered version: a refusal is decided again on the stored document', async () => {
    const { store, writer, step } = setup();
    await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu', owner: 'erika' }, [], writer);
    const stored = (await store.read('p', 'd'))!;
    // Elsewhere the document was handed to "owner": the remembered version would refuse them.
    await store.replace({ id: 'd', pk: 'p', rev: 2, status: 'neu', owner: 'owner' }, stored.etag);
    const result = await step('offen', 'owner');
    expect(result.kind).toBe('written');
    // And the other way round: the remembered version allows, the stored one refuses.
    const now = (await store.read('p', 'd'))!;
    await store.replace({ ...now, owner: 'someone else' }, now.etag);
    expect((await step('erledigt', 'owner')).kind).toBe('refused');
    expect(await store.read('p', 'd')).toMatchObject({ status: 'offen', owner: 'someone else' });
  });

  it('finds a document deleted elsewhere missing, and a stale or unchanged step on the stored document', async () => {
    const { store, writer, step } = setup();
    await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [], writer);
    expect((await step('neu')).kind).toBe('unchanged');
    await store.delete('p', 'd');
    expect((await step('offen')).kind).toBe('missing');
    expect(await store.read('p', 'd')).toBeUndefined();
  });

  it('decides again on the stored document when the decision fails on the remembered one; a failure on the stored one is thrown', async () => {
    const { store, writer } = setup();
    await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [], writer);
    const stored = (await store.read('p', 'd'))!;
    await store.replace({ id: 'd', pk: 'p', rev: 2, status: 'offen' }, stored.etag);
    const decide = (c: Versioned<Doc>): Step<Doc> => {
      if (c.rev === 1) throw new Error('a version this decision cannot handle');
      return { next: { ...c, rev: c.rev + 1, status: 'erledigt' }, notices: [] };
    };
    const result = await transact(store, 'p', 'd', decide, writer);
    expect(result.kind).toBe('written');
    expect(await store.read('p', 'd')).toMatchObject({ rev: 3, status: 'erledigt' });
    await expect(transact(store, 'p', 'd', () => { throw new Error('fails on the stored version'); }, writer)).rejects.toThrow('fails on the stored version');
  });

  it('keeps no reference a caller could change: the next decision sees the stored version', async () => {
    const { store, writer, step } = setup();
    const created = await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [], writer);
    created.status = 'verändert vom Aufrufer';
    const first = await step('offen');
    if (first.kind !== 'written') throw new Error(first.kind);
    expect(first.previous.status).toBe('neu');
    first.doc.rev = 99;
    const second = await step('erledigt');
    if (second.kind !== 'written') throw new Error(second.kind);
    expect(second.doc.rev).toBe(3);
  });

  it('stays current when the relay clears the notices: the next change needs no read and no second write', async () => {
    const { store, relay, writer } = setup();
    await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [{ key: 'k1', kind: 'message', to: ['a'], rev: 1 }], writer);
    await relay.whenIdle();
    expect((await store.read('p', 'd'))?.pending).toEqual([]);
    store.reads = 0;
    store.replaces = 0;
    const result = await transact(store, 'p', 'd', (c): Step<Doc> => ({ next: { ...c, rev: 2, status: 'offen' }, notices: [] }), writer);
    expect(result.kind).toBe('written');
    expect(store.reads).toBe(0);
    expect(store.replaces).toBe(1);
  });

  it('remembers at most its capacity, dropping the least recently used first', () => {
    const recent = new RecentVersions<Doc>(2);
    const doc = (id: string): Versioned<Doc> => ({ id, pk: 'p', rev: 1, status: 'neu', etag: `e-${id}` });
    recent.remember(doc('a'));
    recent.remember(doc('b'));
    expect(recent.get('p', 'a')?.etag).toBe('e-a');
    recent.remember(doc('c'));
    expect(recent.size).toBe(2);
    expect(recent.get('p', 'b')).toBeUndefined();
    expect(recent.get('p', 'a')?.etag).toBe('e-a');
    expect(recent.get('p', 'c')?.etag).toBe('e-c');
  });
});
