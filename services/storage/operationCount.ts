import type { ServerRequest } from './embeddedCosmos';

/** A database operation as the server sees it: on which container, of which kind. */
export type OperationKind = 'read' | 'query' | 'create' | 'replace' | 'patch' | 'delete' | 'other';

/**
 * Classifies a request to the Cosmos DB REST API (`/dbs/{db}/colls/{container}/docs[/{id}]`) as an operation on a
 * container, e.g. `items:read`, `outbox:create`; account, database and container metadata requests are `meta:other`.
 */
export function operationOf(request: ServerRequest): string {
  const match = /^\/dbs\/[^/]+\/colls\/([^/?]+)\/docs(\/[^?]*)?/.exec(request.url);
  if (!match) return 'meta:other';
  const container = decodeURIComponent(match[1]);
  const oneDoc = !!match[2] && match[2] !== '/';
  let kind: OperationKind = 'other';
  if (request.method === 'GET') kind = oneDoc ? 'read' : 'query';
  else if (request.method === 'POST') kind = request.isQuery ? 'query' : 'create';
  else if (request.method === 'PUT') kind = 'replace';
  else if (request.method === 'PATCH') kind = 'patch';
  else if (request.method === 'DELETE') kind = 'delete';
  return `${container}:${kind}`;
}

/** Counts operations by `container:kind`. */
export class OperationCounter {
  private readonly counts = new Map<string, number>();

  observe = (request: ServerRequest): void => {
    const op = operationOf(request);
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
  };

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

/** The operations between two snapshots, by `container:kind` (only those that happened). */
export function operationsBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) {
    const d = n - (before[op] ?? 0);
    if (d > 0) out[op] = d;
  }
  return out;
}
