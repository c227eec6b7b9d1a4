/**
 * The one way a workflow changes a document: read it, decide (a pure function of the stored document and the caller's
 * stored roles), write it back with its ETag together with the notices the change owes, and kick the relay. On the
 * request path that is one read and one conditional write; delivery happens afterwards (see `relay.ts`). When this
 * process has the document's latest version already (it wrote or read it last), the read is left out: see
 * {@link RecentVersions}.
 */
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { isWriteConflict, updateWithRetry } from '../common/etagRetry';
import type { Refusal } from './outcome';
import { withPending, type PendingCarrier, type PendingNotice } from './pending';
import type { Relay } from './relay';

/** What `decide` says about the stored document. */
export type Step<D> =
  /** Refused: nothing is written. */
  | { refuse: Refusal }
  /** The caller acted on an out-of-date card (or clicked twice): nothing is written. */
  | { stale: true }
  /** Nothing to change (e.g. the same answer again). */
  | { unchanged: true }
  /** The changed document (without its pending fields) and what the change owes. */
  | { next: D; notices: PendingNotice[] };

export type Transacted<D> =
  | { kind: 'missing' }
  | { kind: 'refused'; refusal: Refusal }
  | { kind: 'stale'; current: Versioned<D> }
  | { kind: 'unchanged'; current: Versioned<D> }
  | { kind: 'written'; doc: Versioned<D>; previous: Versioned<D> };

export interface WorkflowWriter {
  relay: Pick<Relay, 'kick' | 'relayed'>;
  /** The relay source (workflow) name of the documents. */
  source: string;
  now: () => number;
}

/**
 * Reads `pk`/`id`, lets `decide` work out the change and writes it with the ETag read; on a write conflict (someone
 * else changed the document in between) it starts over with the newer document, up to `attempts` times.
 */
export async function transact<D extends PendingCarrier>(
  store: DocumentStore<D>,
  pk: string,
  id: string,
  decide: (current: Versioned<D>) => Step<D> | Promise<Step<D>>,
  writer: WorkflowWriter,
  attempts = 5,
): Promise<Transacted<D>> {
  const recent = recentVersionsOf(store);
  const toWrite = (current: Versioned<D>, next: D, notices: PendingNotice[]): D => {
    const { etag: _etag, pending: _pending, pendingSince: _since, ...plain } = next as D & { etag?: string };
    return { ...plain, ...withPending(current, notices, writer.now(), writer.relay.relayed) } as unknown as D;
  };
  // The version this process wrote or read last, if any: when the decision on it is a change, the write with its ETag
  // succeeds only if it is still the stored version, so the read is not needed. Anything else (a refusal, a stale card,
  // nothing to change, a write conflict) is decided again on a fresh read below, so a cached version never decides
  // an outcome that is not written.
  const known = recent.get(pk, id);
  if (known) {
    // A decision that fails on the remembered version is made again on the stored one (whose failure then counts).
    const step = await Promise.resolve()
      .then(() => decide(known))
      .catch((): undefined => undefined);
    if (step && 'next' in step) {
      try {
        const saved = await store.replace(toWrite(known, step.next, step.notices), known.etag);
        recent.remember(saved);
        writer.relay.kick(writer.source, saved);
        return { kind: 'written', doc: saved, previous: known };
      } catch (err) {
        if (!isWriteConflict(err)) throw err;
      }
    }
    recent.forget(pk, id);
  }
  // What the last attempt decided; a write conflict starts over with the newer document (the one ETag loop).
  let result: Transacted<D> = { kind: 'missing' };
  let previous: Versioned<D> | undefined;
  const saved = await updateWithRetry(
    store,
    pk,
    id,
    async (current) => {
      previous = current;
      if (!current) {
        result = { kind: 'missing' };
        return undefined;
      }
      const step = await decide(current);
      if ('refuse' in step) result = { kind: 'refused', refusal: step.refuse };
      else if ('stale' in step) result = { kind: 'stale', current };
      else if ('unchanged' in step) result = { kind: 'unchanged', current };
      else return toWrite(current, step.next, step.notices);
      return undefined;
    },
    attempts,
  );
  if (saved && previous && saved !== previous) {
    recent.remember(saved);
    writer.relay.kick(writer.source, saved);
    return { kind: 'written', doc: saved, previous };
  }
  if (previous) recent.remember(previous);
  return result;
}

/** Creates a document together with the notices its creation owes; `AlreadyExistsError` if the id is taken. */
export async function createWithNotices<D extends PendingCarrier>(store: DocumentStore<D>, doc: D, notices: PendingNotice[], writer: WorkflowWriter): Promise<Versioned<D>> {
  const saved = await store.create({ ...doc, ...withPending(undefined, notices, writer.now()) });
  recentVersionsOf(store).remember(saved);
  writer.relay.kick(writer.source, saved);
  return saved;
}

/**
 * The latest version of recently changed documents as this process last wrote or read them, per store, so that the
 * next change of the same document (the next step of an Anliegen, usually moments later) needs no read first
 * (issue 14: one database round trip less per card action). Only a guess: `transact` writes with its ETag, so a
 * version changed elsewhere (another process, a write outside `transact`) fails the write and is read afresh.
 * Bounded (least recently used first out). Each entry is kept as JSON text (stored documents are JSON) and parsed
 * afresh for each use, so no caller can change what the next one decides on; that costs about half of two
 * `structuredClone` copies.
 */
export class RecentVersions<D extends PendingCarrier> {
  private readonly docs = new Map<string, string>();

  constructor(private readonly capacity = RECENT_VERSIONS_PER_STORE) {}

  get(pk: string, id: string): Versioned<D> | undefined {
    const key = `${pk}\u0000${id}`;
    const doc = this.docs.get(key);
    if (!doc) return undefined;
    this.docs.delete(key);
    this.docs.set(key, doc);
    return JSON.parse(doc) as Versioned<D>;
  }

  /** Whether a version of the document is remembered (without parsing it or changing the order). */
  has(pk: string, id: string): boolean {
    return this.docs.has(`${pk}\u0000${id}`);
  }

  remember(doc: Versioned<D>): void {
    const key = `${doc.pk}\u0000${doc.id}`;
    this.docs.delete(key);
    this.docs.set(key, JSON.stringify(doc));
    if (this.docs.size > this.capacity) this.docs.delete(this.docs.keys().next().value as string);
  }

  forget(pk: string, id: string): void {
    this.docs.delete(`${pk}\u0000${id}`);
  }

  get size(): number {
    return this.docs.size;
  }
}

/** Documents remembered per store: a few hundred Anliegen or polls under way at once, a few MB at most. */
export const RECENT_VERSIONS_PER_STORE = 256;

const recentByStore = new WeakMap<object, RecentVersions<PendingCarrier>>();

/** This process's recent versions of the documents in `store` (one set per store object). */
export function recentVersionsOf<D extends PendingCarrier>(store: DocumentStore<D>): RecentVersions<D> {
  let recent = recentByStore.get(store);
  if (!recent) recentByStore.set(store, (recent = new RecentVersions<PendingCarrier>()));
  return recent as unknown as RecentVersions<D>;
}
