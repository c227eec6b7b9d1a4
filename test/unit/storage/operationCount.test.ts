import { OperationCounter, operationOf, operationsBetween } from '../../../services/storage/operationCount';
import { operationsPerAction } from '../../../bench/callTally';

describe('counting database operations on the database side', () => {
  it('names each Cosmos DB REST request by container and kind', () => {
    const docs = '/dbs/lotse/colls/items/docs';
    expect(operationOf({ method: 'GET', url: `${docs}/abc`, isQuery: false })).toBe('items:read');
    expect(operationOf({ method: 'PUT', url: `${docs}/abc`, isQuery: false })).toBe('items:replace');
    expect(operationOf({ method: 'PATCH', url: `${docs}/abc`, isQuery: false })).toBe('items:patch');
    expect(operationOf({ method: 'DELETE', url: `${docs}/abc`, isQuery: false })).toBe('items:delete');
    expect(operationOf({ method: 'POST', url: docs, isQuery: false })).toBe('items:create');
    expect(operationOf({ method: 'POST', url: docs, isQuery: true })).toBe('items:query');
    expect(operationOf({ method: 'GET', url: '/dbs/lotse/colls/items/pkranges', isQuery: false })).toBe('meta:other');
    expect(operationOf({ method: 'GET', url: '/', isQuery: false })).toBe('meta:other');
  });

  it('counts and subtracts snapshots', () => {
    const counter = new OperationCounter();
    counter.observe({ method: 'GET', url: '/dbs/d/colls/items/docs/1', isQuery: false });
    const before = counter.snapshot();
    counter.observe({ method: 'GET', url: '/dbs/d/colls/items/docs/1', isQuery: false });
    counter.observe({ method: 'PUT', url: '/dbs/d/colls/items/docs/1', isQuery: false });
    expect(operationsBetween(before, counter.snapshot())).toEqual({ 'items:read': 1, 'items:replace': 1 });
  });

  it('splits operations into the request path and what the relay and dispatcher do afterwards', () => {
    const split = operationsPerAction({ 'items:read': 10, 'items:replace': 10, 'items:patch': 4, 'outbox:create': 20, 'users:read': 2, 'meta:other': 3 }, 10, ['items']);
    expect(split.requestPath).toBeCloseTo(2.2);
    expect(split.offPath).toBeCloseTo(2.4);
    expect(operationsPerAction({ 'circle:patch': 10, 'circle:query': 10 }, 10, []).requestPath).toBe(2);
  });
});
