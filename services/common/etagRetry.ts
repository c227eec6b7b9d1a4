/**
 * The one optimistic-concurrency loop. Contract of `updateWithRetry(store, pk, id, change, attempts)`:
 * 1. read the document (`undefined` when there is none);
 * 2. `change(current)` returns (or resolves to) the document to store, or `undefined` to write nothing: the call then returns what it
 *    read (possibly `undefined`). `change` must be pure: it runs again on every retry, with the fresh document, so
 *    it must not keep effects of an earlier run (reset any flag it sets at its start);
 * 3. write conditionally: `replace` with the read ETag when there was a document, else `create`;
 * 4. on `ConcurrencyError` (someone wrote in between) or `AlreadyExistsError` (someone created it in between) start
 *    again at 1, at most `attempts` tries in all (default 5), then rethrow that error; any other error is thrown at
 *    once, untouched;
 * 5. return the stored document with its new ETag.
 * No delay between tries: a conflict means the other writer has finished, so the next read sees its write.
 */
import type { DocumentStore, StoredFields, Versioned } from '../storage/documentStore';
import { AlreadyExistsError, ConcurrencyError } from '../storage/errors';

export async function updateWithRetry<T extends StoredFields>(
  store: DocumentStore<T>,
  pk: string,
  id: string,
  change: (current: Versioned<T> | undefined) => T | undefined | Promise<T | undefined>,
  attempts = 5,
): Promise<Versioned<T> | undefined> {
  for (let i = 0; ; i++) {
    const current = await store.read(pk, id);
    const next = await change(current);
    if (next === undefined) return current;
    try {
      return current ? await store.replace(next, current.etag) : await store.create(next);
    } catch (err) {
      if (!isWriteConflict(err) || i + 1 >= attempts) throw err;
    }
  }
}

/** A conditional write lost a race: the document was changed, or created, since it was read. Re-read and decide again. */
export function isWriteConflict(err: unknown): err is ConcurrencyError | AlreadyExistsError {
  return err instanceof ConcurrencyError || err instanceof AlreadyExistsError;
}
