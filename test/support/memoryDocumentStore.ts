import { randomUUID } from 'node:crypto';
import query from '@zeit/cosmosdb-query';
import type { DocumentStore, PatchOperation, QueryOptions, QuerySpec, StoredFields, Versioned } from '../../services/storage/documentStore';
import { AlreadyExistsError, ConcurrencyError, assertValidKey } from '../../services/storage/errors';

/**
 * In-memory `DocumentStore` for fast unit tests. It passes the same contract suite as the Cosmos
 * implementation; queries run through the SQL engine the embedded server uses.
 */
export class MemoryDocumentStore<T extends StoredFields> implements DocumentStore<T> {
  private readonly docs = new Map<string, Record<string, unknown>>();

  constructor(readonly name = 'memory') {}

  private key(pk: string, id: string): string {
    return JSON.stringify([pk, id]);
  }

  private out(doc: Record<string, unknown>): Versioned<T> {
    const { _etag, ...rest } = structuredClone(doc);
    return { ...rest, etag: _etag } as unknown as Versioned<T>;
  }

  private put(doc: T): Versioned<T> {
    const { etag: _drop, ...rest } = doc as T & { etag?: string };
    const stored = { ...structuredClone(rest), _etag: randomUUID() } as Record<string, unknown>;
    this.docs.set(this.key(doc.pk, doc.id), stored);
    return this.out(stored);
  }

  async read(pk: string, id: string): Promise<Versioned<T> | undefined> {
    assertValidKey(pk);
    assertValidKey(id);
    const doc = this.docs.get(this.key(pk, id));
    return doc ? this.out(doc) : undefined;
  }

  async create(doc: T): Promise<Versioned<T>> {
    assertValidKey(doc.pk);
    assertValidKey(doc.id);
    if (this.docs.has(this.key(doc.pk, doc.id))) throw new AlreadyExistsError(this.name, doc.id);
    return this.put(doc);
  }

  async replace(doc: T, etag: string): Promise<Versioned<T>> {
    assertValidKey(doc.pk);
    assertValidKey(doc.id);
    const current = this.docs.get(this.key(doc.pk, doc.id));
    if (!current || current._etag !== etag) throw new ConcurrencyError(this.name, doc.id);
    return this.put(doc);
  }

  async upsert(doc: T): Promise<Versioned<T>> {
    assertValidKey(doc.pk);
    assertValidKey(doc.id);
    return this.put(doc);
  }

  async patch(pk: string, id: string, ops: PatchOperation[], etag?: string): Promise<Versioned<T>> {
    const current = this.docs.get(this.key(pk, id));
    if (!current || (etag && current._etag !== etag)) throw new ConcurrencyError(this.name, id);
    const next = structuredClone(current);
    for (const op of ops) {
      const parts = op.path.split('/').filter(Boolean);
      const last = parts.pop() as string;
      let target = next as Record<string, unknown>;
      for (const p of parts) target = (target[p] ??= {}) as Record<string, unknown>;
      if (op.op === 'remove') delete target[last];
      else if (op.op === 'incr') target[last] = Number(target[last] ?? 0) + op.value;
      else target[last] = structuredClone(op.value);
    }
    return this.put(next as unknown as T);
  }

  async delete(pk: string, id: string, etag?: string): Promise<boolean> {
    const current = this.docs.get(this.key(pk, id));
    if (!current) return false;
    if (etag && current._etag !== etag) throw new ConcurrencyError(this.name, id);
    return this.docs.delete(this.key(pk, id));
  }

  async query<R = Versioned<T>>(spec: QuerySpec, options: QueryOptions = {}): Promise<R[]> {
    const all = [...this.docs.values()].filter((d) => options.partitionKey === undefined || d.pk === options.partitionKey);
    const { result } = query(spec.query).exec(all, { parameters: spec.parameters ?? [] }) as { result: unknown[] };
    const rows = result.map((r) => (r && typeof r === 'object' && '_etag' in (r as object) ? this.out(r as Record<string, unknown>) : r));
    return (options.maxItems ? rows.slice(0, options.maxItems) : rows) as R[];
  }
}
