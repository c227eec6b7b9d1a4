import { SpanKind, inSpan } from '../telemetry/telemetry';
import type { DocumentStore, PatchOperation, QueryOptions, QuerySpec, StoredFields, Versioned } from './documentStore';
import { AlreadyExistsError, ConcurrencyError } from './errors';

/** A conflict or a taken id is an answer the callers handle, not a fault of the database. */
const expected = (err: unknown) => err instanceof ConcurrencyError || err instanceof AlreadyExistsError;

/**
 * One span per database call, around any `DocumentStore` (database.ts wraps each container once). Attributes name the
 * container and the operation, never a key, a query parameter or a document: ids may be object ids of people.
 */
export class TracedDocumentStore<T extends StoredFields> implements DocumentStore<T> {
  readonly name: string;

  constructor(private readonly inner: DocumentStore<T>) {
    this.name = inner.name;
  }

  private call<R>(operation: string, work: () => Promise<R>): Promise<R> {
    return inSpan(
      `${operation} ${this.name}`,
      { 'db.system.name': 'azure.cosmosdb', 'db.collection.name': this.name, 'db.operation.name': operation },
      work,
      { kind: SpanKind.CLIENT, expected },
    );
  }

  read(pk: string, id: string): Promise<Versioned<T> | undefined> {
    return this.call('read', () => this.inner.read(pk, id));
  }

  create(doc: T): Promise<Versioned<T>> {
    return this.call('create', () => this.inner.create(doc));
  }

  replace(doc: T, etag: string): Promise<Versioned<T>> {
    return this.call('replace', () => this.inner.replace(doc, etag));
  }

  upsert(doc: T): Promise<Versioned<T>> {
    return this.call('upsert', () => this.inner.upsert(doc));
  }

  patch(pk: string, id: string, ops: PatchOperation[], etag?: string): Promise<Versioned<T>> {
    return this.call('patch', () => this.inner.patch(pk, id, ops, etag));
  }

  delete(pk: string, id: string, etag?: string): Promise<boolean> {
    return this.call('delete', () => this.inner.delete(pk, id, etag));
  }

  query<R = Versioned<T>>(spec: QuerySpec, options?: QueryOptions): Promise<R[]> {
    return this.call('query', () => this.inner.query<R>(spec, options));
  }
}
