/**
 * The one way a workflow changes a document: read it, decide (a pure function of the stored document and the caller's
 * stored roles), write it back with its ETag together with the notices the change owes, and kick the relay. On the
 * request path that is one read and one conditional write; delivery happens afterwards (see `relay.ts`).
 */
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { updateWithRetry } from '../common/etagRetry';
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
      else {
        const { etag: _etag, pending: _pending, pendingSince: _since, ...plain } = step.next as D & { etag?: string };
        return { ...plain, ...withPending(current, step.notices, writer.now(), writer.relay.relayed) } as unknown as D;
      }
      return undefined;
    },
    attempts,
  );
  if (saved && previous && saved !== previous) {
    writer.relay.kick(writer.source, saved);
    return { kind: 'written', doc: saved, previous };
  }
  return result;
}

/** Creates a document together with the notices its creation owes; `AlreadyExistsError` if the id is taken. */
export async function createWithNotices<D extends PendingCarrier>(store: DocumentStore<D>, doc: D, notices: PendingNotice[], writer: WorkflowWriter): Promise<Versioned<D>> {
  const saved = await store.create({ ...doc, ...withPending(undefined, notices, writer.now()) });
  writer.relay.kick(writer.source, saved);
  return saved;
}
