/**
 * The narrow storage interface every repository is built on: one container of JSON documents,
 * partitioned by `pk`. Cosmos DB is one implementation; tests also run a fake against the same contract.
 */
import { ConcurrencyError } from './errors';

/** Fields every stored document has. */
export interface StoredFields {
  /** Unique within the partition; see `assertValidKey`. */
  id: string;
  /** Partition key value. */
  pk: string;
}

/** A document as read back, with its opaque version tag. */
export type Versioned<T> = T & { readonly etag: string };

/** A parameterized query; values are never spliced into the SQL text. */
export interface QuerySpec {
  query: string;
  parameters?: { name: string; value: string | number | boolean | null | string[] | number[] }[];
}

export interface QueryOptions {
  /** Restrict the query to one partition (and the caller's SQL must also filter on `c.pk`). */
  partitionKey?: string;
  /** Stop after this many results. */
  maxItems?: number;
}

/** A JSON-patch-like partial update applied atomically to one document. */
export type PatchOperation =
  | { op: 'set' | 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'incr'; path: string; value: number };

export interface DocumentStore<T extends StoredFields> {
  /** The container's name, for error messages. */
  readonly name: string;
  /** The document, or `undefined` when there is none (a miss is not an error). */
  read(pk: string, id: string): Promise<Versioned<T> | undefined>;
  /** Creates a new document; `AlreadyExistsError` if the id is taken in that partition. */
  create(doc: T): Promise<Versioned<T>>;
  /** Replaces the document only if it still has `etag`; `ConcurrencyError` otherwise. */
  replace(doc: T, etag: string): Promise<Versioned<T>>;
  /** Creates or overwrites without a version check (for idempotent imports and caches only). */
  upsert(doc: T): Promise<Versioned<T>>;
  /** Applies `ops` atomically, if the document still has `etag` when one is given. */
  patch(pk: string, id: string, ops: PatchOperation[], etag?: string): Promise<Versioned<T>>;
  /** Deletes; returns false when there was nothing to delete. `ConcurrencyError` on a stale etag. */
  delete(pk: string, id: string, etag?: string): Promise<boolean>;
  /** Runs a parameterized SQL query and returns all results (or the first `maxItems`). */
  query<R = Versioned<T>>(spec: QuerySpec, options?: QueryOptions): Promise<R[]>;
}

/** The ETag retry loop lives in services/common/etagRetry; re-exported here for callers not yet switched. */
export { updateWithRetry } from '../common/etagRetry';

/**
 * Deletes each document unless it changed since it was read (its ETag), as a retention purge does: a document written
 * meanwhile is left for the next run. `onDelete` runs before each delete (e.g. to drop a cache entry). Returns how many
 * were deleted.
 */
export async function deleteUnchanged<T extends StoredFields>(
  store: DocumentStore<T>,
  docs: ReadonlyArray<{ pk: string; id: string; etag: string }>,
  onDelete: (doc: { pk: string; id: string }) => void = () => undefined,
): Promise<number> {
  let deleted = 0;
  for (const doc of docs) {
    onDelete(doc);
    try {
      if (await store.delete(doc.pk, doc.id, doc.etag)) deleted++;
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
  return deleted;
}
