import type { Container } from '@azure/cosmos';
import { CosmosDocumentStore } from '../../../services/storage/cosmosDocumentStore';

/**
 * What @azure/cosmos 4.9 does when the gateway cannot serve a query on its own: it awaits the iterator's query plan
 * and throws it if it is an error. This fake iterator behaves that way once, so the store's fallback is exercised.
 */
function fakeContainer(needsPlanOnce: boolean) {
  const calls: Array<{ planSkipped: boolean }> = [];
  const container = {
    id: 'fake',
    items: {
      query: () => {
        const iterator = {
          queryPlanPromise: undefined as unknown,
          fetchQueryPlan: () => Promise.resolve({ result: {} }),
          done: false,
          hasMoreResults: () => !iterator.done,
          fetchNext: async () => {
            const planned = await iterator.queryPlanPromise;
            calls.push({ planSkipped: planned instanceof Error });
            if (needsPlanOnce && planned instanceof Error) {
              needsPlanOnce = false;
              throw planned;
            }
            iterator.done = true;
            return { resources: [{ id: 'a', pk: 'p', _etag: 'e1' }], hasMoreResults: false };
          },
        };
        return iterator;
      },
    },
  };
  return { container: container as unknown as Container, calls };
}

describe('CosmosDocumentStore queries and the query plan', () => {
  it('skips the plan within one partition', async () => {
    const { container, calls } = fakeContainer(false);
    const rows = await new CosmosDocumentStore(container).query({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: 'p' }] }, { partitionKey: 'p' });
    expect(rows).toEqual([{ id: 'a', pk: 'p', etag: 'e1' }]);
    expect(calls).toEqual([{ planSkipped: true }]);
  });

  it('runs the query again the ordinary way when the gateway wants a plan after all', async () => {
    const { container, calls } = fakeContainer(true);
    const rows = await new CosmosDocumentStore(container).query({ query: 'SELECT DISTINCT c.x FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: 'p' }] }, { partitionKey: 'p' });
    expect(rows).toHaveLength(1);
    expect(calls).toEqual([{ planSkipped: true }, { planSkipped: false }]);
  });

  it('leaves cross-partition queries to the SDK', async () => {
    const { container, calls } = fakeContainer(false);
    await new CosmosDocumentStore(container).query({ query: 'SELECT * FROM c' });
    expect(calls).toEqual([{ planSkipped: false }]);
  });
});
