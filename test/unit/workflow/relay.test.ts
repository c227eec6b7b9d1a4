import { silentLogger } from '../../../services/logging';
import type { Versioned } from '../../../services/storage/documentStore';
import type { PendingCarrier, PendingNotice } from '../../../services/workflow/pending';
import { outcome } from '../../../services/workflow/outcome';
import { Relay, type RelayOptions } from '../../../services/workflow/relay';
import { createWithNotices, recentVersionsOf, transact, type WorkflowWriter } from '../../../services/workflow/transaction';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

interface Doc extends PendingCarrier {
  rev: number;
  status: string;
}

const notice = (rev: number, what: string): PendingNotice => ({ key: `doc:${what}:r${rev}`, kind: 'message', to: ['a'], data: { what }, rev });

function setup(deliver: (doc: Versioned<Doc>, notices: PendingNotice[]) => Promise<void> = async () => undefined, flow: Partial<Pick<RelayOptions, 'hasRoom' | 'maxQueued'>> = {}) {
  const store = new MemoryDocumentStore<Doc>('items');
  const delivered: string[] = [];
  /** Each hand-over: the document's status as handed over and how many notices it carried. */
  const handOvers: Array<{ status: string; notices: number }> = [];
  let nowMs = 1_000_000;
  const relay = new Relay({ logger: silentLogger, now: () => nowMs, graceMs: 5_000, ...flow });
  relay.register<Doc>({
    name: 'test',
    store,
    deliver: async (doc, notices) => {
      await deliver(doc, notices);
      handOvers.push({ status: doc.status, notices: notices.length });
      delivered.push(...notices.map((n) => n.key));
    },
  });
  const writer: WorkflowWriter = { relay, source: 'test', now: () => nowMs };
  const advance = (ms: number) => (nowMs += ms);
  const step = (to: string) =>
    transact(store, 'p', 'd', (current) => (current.status === to ? { unchanged: true } : { next: { ...current, rev: current.rev + 1, status: to }, notices: [notice(current.rev + 1, to)] }), writer);
  return { store, relay, writer, delivered, handOvers, advance, step };
}

describe('the transactional outbox of a workflow document', () => {
  it('stores a change and its notices in one write, relays them afterwards and clears them', async () => {
    const { store, relay, writer, delivered, step } = setup();
    await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [notice(1, 'neu')], writer);
    const result = await step('offen');
    expect(result.kind).toBe('written');
    if (result.kind !== 'written') return;
    // The written document carries what the change owes.
    expect(result.doc.pending?.map((n) => n.key)).toContain('doc:offen:r2');
    await relay.whenIdle();
    expect(delivered).toEqual(['doc:neu:r1', 'doc:offen:r2']);
    const stored = await store.read('p', 'd');
    expect(stored?.pending).toEqual([]);
    expect(stored?.pendingSince).toBeUndefined();
  });

  it('leaves a document unwritten when the step refuses, is stale or changes nothing', async () => {
    const { store, writer } = setup();
    const created = await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [], writer);
    expect(created.pending).toBeUndefined();
    expect((await transact(store, 'p', 'd', () => ({ refuse: outcome.refuse('forbidden') }), writer)).kind).toBe('refused');
    expect((await transact(store, 'p', 'd', () => ({ stale: true }), writer)).kind).toBe('stale');
    expect((await transact(store, 'p', 'd', () => ({ unchanged: true }), writer)).kind).toBe('unchanged');
    expect((await transact(store, 'p', 'x', () => ({ unchanged: true }), writer)).kind).toBe('missing');
    expect((await store.read('p', 'd'))?.etag).toBe(created.etag);
  });

  it('carries notices a dead process left over into the next write, and relays each once', async () => {
    const { store, relay, writer, delivered, step } = setup();
    // A process wrote this and died before its relay ran.
    await store.create({ id: 'd', pk: 'p', rev: 1, status: 'neu', pending: [notice(1, 'neu')], pendingSince: 999_000 });
    await step('offen');
    await relay.whenIdle();
    expect(delivered).toEqual(['doc:neu:r1', 'doc:offen:r2']);
    await step('zu');
    await relay.whenIdle();
    expect(delivered).toEqual(['doc:neu:r1', 'doc:offen:r2', 'doc:zu:r3']);
    expect((await store.read('p', 'd'))?.pending).toEqual([]);
  });

  it('finds notices a dead process left behind with the sweep, after the grace period only', async () => {
    const { store, relay, delivered, advance } = setup();
    await store.create({ id: 'd', pk: 'p', rev: 1, status: 'neu', pending: [notice(1, 'neu')], pendingSince: 1_000_000 });
    expect(await relay.sweep()).toBe(0);
    expect(delivered).toEqual([]);
    advance(5_000);
    expect(await relay.sweep()).toBe(1);
    expect(delivered).toEqual(['doc:neu:r1']);
    expect((await store.read('p', 'd'))?.pendingSince).toBeUndefined();
    expect(await relay.sweep(0)).toBe(0);
  });

  it('keeps the notices pending when delivery fails, and the sweep delivers them later', async () => {
    let failing = true;
    const { store, relay, writer, delivered, advance } = setup(async () => {
      if (failing) throw Object.assign(new Error('outbox down'), { code: 'SERVICE_UNAVAILABLE' });
    });
    await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [notice(1, 'neu')], writer);
    await relay.whenIdle();
    expect(relay.stats.failed).toBe(1);
    expect((await store.read('p', 'd'))?.pending?.map((n) => n.key)).toEqual(['doc:neu:r1']);
    failing = false;
    advance(10_000);
    expect(await relay.sweep()).toBe(1);
    expect(delivered).toEqual(['doc:neu:r1']);
    expect((await store.read('p', 'd'))?.pending).toEqual([]);
  });

  it('does not clear notices a newer write added while it was delivering', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const { store, relay, writer, delivered, step } = setup(async () => {
      if (first) {
        first = false;
        await gate;
      }
    });
    await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [notice(1, 'neu')], writer);
    // The relay is busy delivering rev 1 while rev 2 is written.
    await step('offen');
    release();
    await relay.whenIdle();
    expect(delivered).toEqual(['doc:neu:r1', 'doc:offen:r2']);
    expect((await store.read('p', 'd'))?.pending).toEqual([]);
  });

  it('retries a write that lost against another writer, with the newer document', async () => {
    const { store, writer, relay } = setup();
    await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [], writer);
    let calls = 0;
    const result = await transact(
      store,
      'p',
      'd',
      async (current) => {
        calls++;
        // Someone else writes between this read and its write, once.
        if (calls === 1) await store.replace({ ...current, status: 'anders', rev: current.rev + 1 }, current.etag);
        return { next: { ...current, rev: current.rev + 1, status: 'offen' }, notices: [notice(current.rev + 1, 'offen')] };
      },
      writer,
    );
    await relay.whenIdle();
    expect(calls).toBe(2);
    expect(result.kind === 'written' && result.doc.rev).toBe(3);
  });
});

/** A flow control whose answer the test sets, and which tells the test each time the relay asked it. */
function roomSwitch() {
  let open = false;
  let asked: (() => void) | undefined;
  return {
    hasRoom: () => {
      asked?.();
      return open;
    },
    /** Resolves the next time the relay asks whether there is room. */
    nextAsk: () => new Promise<void>((resolve) => (asked = resolve)),
    set: (value: boolean) => (open = value),
  };
}

/** A relay without room and a document created with one notice, which the relay has asked room for and holds back. */
async function heldDocument() {
  const room = roomSwitch();
  const parts = setup(undefined, { hasRoom: room.hasRoom });
  const asked = room.nextAsk();
  await createWithNotices(parts.store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [notice(1, 'neu')], parts.writer);
  await asked;
  return { room, ...parts };
}

describe('the relay under flow control (the outbox has no room while its dispatcher is behind)', () => {
  it('holds documents back while there is no room, and hands several changes of one document over as one', async () => {
    const { room, store, relay, delivered, handOvers, step } = await heldDocument();
    await step('offen');
    await step('zu');
    // The relay asked and was told to wait: nothing was handed over, everything is still pending in the document.
    expect(delivered).toEqual([]);
    expect(relay.stats.heldBack).toBeGreaterThanOrEqual(1);
    expect(relay.isIdle()).toBe(false);
    expect((await store.read('p', 'd'))?.pending?.map((n) => n.key)).toEqual(['doc:neu:r1', 'doc:offen:r2', 'doc:zu:r3']);
    room.set(true);
    relay.resume();
    await relay.whenIdle();
    // One hand-over, of the latest document, with all three notices.
    expect(handOvers).toEqual([{ status: 'zu', notices: 3 }]);
    expect(delivered).toEqual(['doc:neu:r1', 'doc:offen:r2', 'doc:zu:r3']);
    expect((await store.read('p', 'd'))?.pending).toEqual([]);
  });

  it('leaves what is queued pending in its documents when it stops, for the next start to relay', async () => {
    const { store, relay, delivered } = await heldDocument();
    await relay.stop();
    expect(delivered).toEqual([]);
    expect((await store.read('p', 'd'))?.pending?.map((n) => n.key)).toEqual(['doc:neu:r1']);
    // The next process (here: a relay without flow control on the same store) finds it with its start-up sweep.
    const next = new Relay({ logger: silentLogger, graceMs: 5_000 });
    const relayedByNext: string[] = [];
    next.register<Doc>({ name: 'test', store, deliver: async (_doc, notices) => void relayedByNext.push(...notices.map((n) => n.key)) });
    expect(await next.sweep(0)).toBe(1);
    expect(relayedByNext).toEqual(['doc:neu:r1']);
  });

  it('keeps no copy of a waiting document it wrote: when room comes, it relays the newest version, read again if no longer remembered', async () => {
    const { room, store, relay, delivered, handOvers } = await heldDocument();
    // Meanwhile another process changed the document (carrying the notice over), and this one forgot its version
    // (as after a write conflict, or when a burst changed more documents than it remembers).
    const stored = (await store.read('p', 'd'))!;
    await store.replace({ ...stored, rev: 2, status: 'offen', pending: [...stored.pending!, notice(2, 'offen')] }, stored.etag);
    recentVersionsOf(store).forget('p', 'd');
    room.set(true);
    relay.resume();
    await relay.whenIdle();
    // One hand-over of the stored version with both notices, not of the version written here; then cleared.
    expect(handOvers).toEqual([{ status: 'offen', notices: 2 }]);
    expect(delivered).toEqual(['doc:neu:r1', 'doc:offen:r2']);
    expect((await store.read('p', 'd'))?.pending).toEqual([]);
    expect(relay.stats.clearConflicts).toBe(0);
  });

  it('relays a document its sweep finds as found, not an older version this process remembers', async () => {
    const { store, relay, writer, delivered } = setup();
    await createWithNotices(store, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [notice(1, 'neu')], writer);
    await relay.whenIdle();
    // Remembered here: the version the relay cleared. Then another process changes the document and dies before relaying.
    const stored = (await store.read('p', 'd'))!;
    await store.replace({ ...stored, rev: 2, status: 'offen', pending: [notice(2, 'offen')], pendingSince: 0 }, stored.etag);
    expect(await relay.sweep(0)).toBe(1);
    expect(delivered).toEqual(['doc:neu:r1', 'doc:offen:r2']);
    expect((await store.read('p', 'd'))?.pending).toEqual([]);
  });

  it('skips a waiting document that was deleted meanwhile, without a failure', async () => {
    const { room, store, relay, delivered } = await heldDocument();
    await store.delete('p', 'd');
    recentVersionsOf(store).forget('p', 'd');
    room.set(true);
    relay.resume();
    await relay.whenIdle();
    expect(delivered).toEqual([]);
    expect(relay.stats.failed).toBe(0);
  });

  it('drops the oldest queued document from memory beyond its limit; the sweep relays it later', async () => {
    const room = roomSwitch();
    const { store, relay, writer, delivered } = setup(undefined, { hasRoom: room.hasRoom, maxQueued: 2 });
    for (const id of ['a', 'b', 'c']) await createWithNotices(store, { id, pk: 'p', rev: 1, status: 'neu' }, [{ ...notice(1, 'neu'), key: `${id}:neu` }], writer);
    expect(relay.stats.dropped).toBe(1);
    room.set(true);
    relay.resume();
    await relay.whenIdle();
    expect(delivered.sort()).toEqual(['b:neu', 'c:neu']);
    expect((await store.read('p', 'a'))?.pending?.map((n) => n.key)).toEqual(['a:neu']);
    expect(await relay.sweep(0)).toBe(1);
    expect(delivered.sort()).toEqual(['a:neu', 'b:neu', 'c:neu']);
  });
});
