import type { ContainerName } from '../../services/storage/containers';
import type { AppDatabase } from '../../services/storage/database';
import type { DocumentStore, StoredFields } from '../../services/storage/documentStore';
import { AlreadyExistsError, ConcurrencyError } from '../../services/storage/errors';

const READS = new Set(['read', 'query']);
const WRITES = new Set(['create', 'replace', 'upsert', 'patch', 'delete']);

/** One call through the wrapper, as the caller made it. */
export interface StoreCall {
  container: string;
  op: string;
  args: unknown[];
}

/** Conflicts the database answered: 412 (`ConcurrencyError`, the ETag no longer matched) and 409 on create. */
export interface Contention {
  preconditionFailed: number;
  alreadyExists: number;
}

/**
 * Wraps one store and counts the conflicts it answered (race tests: did the writers really collide?). The store behaves
 * as before; `contention` fills in as conflicts happen.
 */
export function contendedStore<T extends StoredFields>(inner: DocumentStore<T>): { store: DocumentStore<T>; contention: Contention } {
  const contention: Contention = { preconditionFailed: 0, alreadyExists: 0 };
  const store = wrapStore(inner, inner.name, {
    onConflict: (kind) => {
      contention[kind]++;
    },
  });
  return { store, contention };
}

function conflictKind(err: unknown): keyof Contention | undefined {
  return err instanceof ConcurrencyError ? 'preconditionFailed' : err instanceof AlreadyExistsError ? 'alreadyExists' : undefined;
}

function wrapStore<T extends StoredFields>(
  inner: DocumentStore<T>,
  name: string,
  hooks: { onCall?: (call: StoreCall) => void; onConflict?: (kind: keyof Contention) => void },
): DocumentStore<T> {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        hooks.onCall?.({ container: name, op: prop, args });
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        // Observed on the side: the caller still gets the rejection from the promise returned below.
        if (result instanceof Promise) {
          result.catch((err: unknown) => {
            const kind = conflictKind(err);
            if (kind) hooks.onConflict?.(kind);
          });
        }
        return result;
      };
    },
  });
}

/**
 * Wraps a real database and counts the operations sent through it, per kind and container, and the conflicts it
 * answered (for race tests: did the writers really collide?). `onCall` sees every call before it is made.
 */
export function countingDatabase(inner: AppDatabase, options: { onCall?: (call: StoreCall) => void } = {}) {
  const counts = { reads: 0, writes: 0, byContainer: {} as Record<string, { reads: number; writes: number }> };
  const contention = { preconditionFailed: 0, alreadyExists: 0, byContainer: {} as Record<string, Contention> };
  const stores = new Map<ContainerName, DocumentStore<StoredFields>>();
  const wrapped: AppDatabase = {
    get embedded() {
      return inner.embedded;
    },
    get endpoint() {
      return inner.endpoint;
    },
    ping: (ms) => inner.ping(ms),
    close: () => inner.close(),
    // One store object per container, as `openDatabase` gives (what a process remembers per store depends on it).
    store<T extends StoredFields>(name: ContainerName): DocumentStore<T> {
      const known = stores.get(name);
      if (known) return known as DocumentStore<T>;
      const store = wrapStore(inner.store<T>(name), name, {
        onCall: (call) => {
          const c = (counts.byContainer[name] ??= { reads: 0, writes: 0 });
          if (READS.has(call.op)) {
            counts.reads++;
            c.reads++;
          } else if (WRITES.has(call.op)) {
            counts.writes++;
            c.writes++;
          }
          options.onCall?.(call);
        },
        onConflict: (kind) => {
          contention[kind]++;
          (contention.byContainer[name] ??= { preconditionFailed: 0, alreadyExists: 0 })[kind]++;
        },
      });
      stores.set(name, store as DocumentStore<StoredFields>);
      return store;
    },
  };
  return {
    database: wrapped,
    counts,
    contention,
    reset() {
      counts.reads = 0;
      counts.writes = 0;
      counts.byContainer = {};
      contention.preconditionFailed = 0;
      contention.alreadyExists = 0;
      contention.byContainer = {};
    },
  };
}
