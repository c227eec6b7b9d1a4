import type { ContainerName } from '../../services/storage/containers';
import type { AppDatabase } from '../../services/storage/database';
import type { DocumentStore, StoredFields } from '../../services/storage/documentStore';

const READS = new Set(['read', 'query']);
const WRITES = new Set(['create', 'replace', 'upsert', 'patch', 'delete']);

/** Wraps a real database and counts the operations sent through it, per kind and container. */
export function countingDatabase(inner: AppDatabase) {
  const counts = { reads: 0, writes: 0, byContainer: {} as Record<string, { reads: number; writes: number }> };
  const wrapped: AppDatabase = {
    get embedded() {
      return inner.embedded;
    },
    get endpoint() {
      return inner.endpoint;
    },
    ping: (ms) => inner.ping(ms),
    close: () => inner.close(),
    store<T extends StoredFields>(name: ContainerName): DocumentStore<T> {
      const store = inner.store<T>(name);
      return new Proxy(store, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function' || typeof prop !== 'string') return value;
          return (...args: unknown[]) => {
            const c = (counts.byContainer[name] ??= { reads: 0, writes: 0 });
            if (READS.has(prop)) {
              counts.reads++;
              c.reads++;
            } else if (WRITES.has(prop)) {
              counts.writes++;
              c.writes++;
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
  };
  return {
    database: wrapped,
    counts,
    reset() {
      counts.reads = 0;
      counts.writes = 0;
      counts.byContainer = {};
    },
  };
}
