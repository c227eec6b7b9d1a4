import type { Container, ErrorResponse, PatchRequestBody, RequestOptions } from '@azure/cosmos';
import type { DocumentStore, PatchOperation, QueryOptions, QuerySpec, StoredFields, Versioned } from './documentStore';
import { AlreadyExistsError, ConcurrencyError, StorageUnavailableError, assertValidKey } from './errors';

/** Cosmos' system properties, and a stored `etag` field (the ETag is exposed from `_etag` instead). */
const NOT_COPIED: ReadonlySet<string> = new Set(['_rid', '_self', '_attachments', '_etag', '_ts', '_lsn', 'etag']);

function statusOf(err: unknown): number | undefined {
  const e = err as Partial<ErrorResponse> | undefined;
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

/** Strips Cosmos' system properties and exposes the ETag as an opaque `etag`. */
function toVersioned<T>(resource: Record<string, unknown>): Versioned<T> {
  const etag = String(resource._etag ?? '');
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(resource)) if (!NOT_COPIED.has(k)) out[k] = resource[k];
  out.etag = etag;
  return out as Versioned<T>;
}

/** Removes the client-side `etag` before a document is written. */
function body<T extends StoredFields>(doc: T): T {
  if (!('etag' in (doc as object))) return doc;
  const { etag: _ignored, ...rest } = doc as T & { etag?: string };
  return rest as unknown as T;
}

/**
 * @azure/cosmos 4.9 sends a query-plan request alongside every query and uses the plan only if the gateway answers
 * that it cannot serve the query itself (Azure/azure-sdk-for-js#4978). A query scoped to one partition never needs
 * one, so for those the plan is marked as already fetched (a sentinel the SDK keeps in the iterator's
 * `queryPlanPromise`): one round trip less per query, on Azure and on the embedded server, which runs the plan request
 * as a second full query. Should a gateway want a plan after all, the SDK surfaces the sentinel and the query is run
 * once more the ordinary way. If a later SDK drops the field, nothing is changed.
 */
const PLAN_NOT_FETCHED = Symbol('query plan not fetched');
/** One sentinel for all queries: an Error made per query cost a stack trace each (a busy poll's answers showed it). */
const PLAN_SENTINEL = Object.freeze(Object.assign(new Error('query plan not fetched for a single-partition query'), { [PLAN_NOT_FETCHED]: true }));

function skipQueryPlan(iterator: object): void {
  const internals = iterator as { queryPlanPromise?: unknown; fetchQueryPlan?: unknown };
  if (!('queryPlanPromise' in internals) || typeof internals.fetchQueryPlan !== 'function') return;
  internals.queryPlanPromise = Promise.resolve(PLAN_SENTINEL);
}

function isSkippedPlan(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[PLAN_NOT_FETCHED] === true;
}

function ifMatch(etag: string | undefined): RequestOptions | undefined {
  return etag ? { accessCondition: { type: 'IfMatch', condition: etag } } : undefined;
}

/** `DocumentStore` on one Azure Cosmos DB container (partition key path `/pk`). */
export class CosmosDocumentStore<T extends StoredFields> implements DocumentStore<T> {
  readonly name: string;

  constructor(private readonly container: Container) {
    this.name = container.id;
  }

  private fail(err: unknown, id: string): never {
    const status = statusOf(err);
    if (status === 412) throw new ConcurrencyError(this.name, id);
    if (status === 409) throw new AlreadyExistsError(this.name, id);
    if (status === undefined || status === 408 || status === 429 || status >= 500) {
      throw new StorageUnavailableError(`${this.name}: the database did not answer (${status ?? (err as Error)?.message})`, status);
    }
    throw err;
  }

  async read(pk: string, id: string): Promise<Versioned<T> | undefined> {
    assertValidKey(pk);
    assertValidKey(id);
    try {
      const res = await this.container.item(id, pk).read<Record<string, unknown>>();
      return res.resource ? toVersioned<T>(res.resource) : undefined;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      return this.fail(err, id);
    }
  }

  async create(doc: T): Promise<Versioned<T>> {
    assertValidKey(doc.pk);
    assertValidKey(doc.id);
    try {
      const res = await this.container.items.create<Record<string, unknown>>(body(doc) as unknown as Record<string, unknown>);
      return toVersioned<T>(res.resource as Record<string, unknown>);
    } catch (err) {
      return this.fail(err, doc.id);
    }
  }

  async replace(doc: T, etag: string): Promise<Versioned<T>> {
    assertValidKey(doc.pk);
    assertValidKey(doc.id);
    try {
      const res = await this.container
        .item(doc.id, doc.pk)
        .replace<Record<string, unknown>>(body(doc) as unknown as Record<string, unknown>, ifMatch(etag));
      return toVersioned<T>(res.resource as Record<string, unknown>);
    } catch (err) {
      // A replace of a document deleted meanwhile is a concurrency conflict too.
      if (statusOf(err) === 404) throw new ConcurrencyError(this.name, doc.id);
      return this.fail(err, doc.id);
    }
  }

  async upsert(doc: T): Promise<Versioned<T>> {
    assertValidKey(doc.pk);
    assertValidKey(doc.id);
    try {
      const res = await this.container.items.upsert<Record<string, unknown>>(body(doc) as unknown as Record<string, unknown>);
      return toVersioned<T>(res.resource as Record<string, unknown>);
    } catch (err) {
      return this.fail(err, doc.id);
    }
  }

  async patch(pk: string, id: string, ops: PatchOperation[], etag?: string): Promise<Versioned<T>> {
    assertValidKey(pk);
    assertValidKey(id);
    try {
      const res = await this.container
        .item(id, pk)
        .patch<Record<string, unknown>>(ops as unknown as PatchRequestBody, ifMatch(etag));
      return toVersioned<T>(res.resource as Record<string, unknown>);
    } catch (err) {
      if (statusOf(err) === 404) throw new ConcurrencyError(this.name, id);
      return this.fail(err, id);
    }
  }

  async delete(pk: string, id: string, etag?: string): Promise<boolean> {
    assertValidKey(pk);
    assertValidKey(id);
    try {
      await this.container.item(id, pk).delete(ifMatch(etag));
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      return this.fail(err, id);
    }
  }

  async query<R = Versioned<T>>(spec: QuerySpec, options: QueryOptions = {}): Promise<R[]> {
    try {
      if (options.partitionKey === undefined) return await this.runQuery<R>(spec, options, false);
      try {
        return await this.runQuery<R>(spec, options, true);
      } catch (err) {
        if (!isSkippedPlan(err)) throw err;
        return await this.runQuery<R>(spec, options, false);
      }
    } catch (err) {
      return this.fail(err, '(query)');
    }
  }

  private async runQuery<R>(spec: QuerySpec, options: QueryOptions, withoutPlan: boolean): Promise<R[]> {
    const iterator = this.container.items.query<Record<string, unknown>>(spec, {
      partitionKey: options.partitionKey,
      maxItemCount: options.maxItems ? Math.min(options.maxItems, 1000) : 100,
    });
    if (withoutPlan) skipQueryPlan(iterator);
    const out: R[] = [];
    while (iterator.hasMoreResults()) {
      const page = await iterator.fetchNext();
      for (const r of page.resources ?? []) {
        out.push((r && typeof r === 'object' && '_etag' in r ? toVersioned<T>(r) : r) as R);
        if (options.maxItems && out.length >= options.maxItems) return out;
      }
      if (!page.hasMoreResults) break;
    }
    return out;
  }
}
