import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { DocumentStore, StoredFields } from '../../services/storage/documentStore';
import { documentStoreContract } from '../support/documentStoreContract';
import { MemoryDocumentStore } from '../support/memoryDocumentStore';

describe('DocumentStore contract', () => {
  describe('in-memory fake', () => {
    const store = new MemoryDocumentStore<never>();
    documentStoreContract(() => store as unknown as DocumentStore<never>);
  });

  describe('Cosmos DB SDK on the embedded server', () => {
    let db: AppDatabase;
    beforeAll(async () => {
      db = await openDatabase({ databaseId: 'contract' });
    });
    afterAll(async () => {
      await db.close();
    });
    documentStoreContract(() => db.store<StoredFields>('audit') as unknown as DocumentStore<never>);

    it('asks for no query plan for a query within one partition, and still runs cross-partition queries', async () => {
      type Row = StoredFields & { n: number };
      const store = db.store<Row>('audit') as unknown as DocumentStore<Row>;
      for (let n = 0; n < 3; n++) await store.create({ id: `plan-${n}`, pk: n < 2 ? 'plan-a' : 'plan-b', n });
      const plans: string[] = [];
      const onRequest = (message: unknown) => {
        const request = (message as { request: ClientRequest }).request;
        if (request.getHeader('x-ms-cosmos-is-query-plan-request')) plans.push(request.path);
      };
      diagnosticsChannel.subscribe('http.client.request.start', onRequest);
      try {
        const inPartition = await store.query<Row>(
          { query: 'SELECT * FROM c WHERE c.pk = @pk ORDER BY c.n DESC', parameters: [{ name: '@pk', value: 'plan-a' }] },
          { partitionKey: 'plan-a' },
        );
        expect(inPartition.map((r) => r.n)).toEqual([1, 0]);
        expect(plans).toEqual([]);
        // Across partitions the SDK decides, as before.
        const across = await store.query<Row>({ query: 'SELECT * FROM c WHERE STARTSWITH(c.id, @p)', parameters: [{ name: '@p', value: 'plan-' }] });
        expect(across.map((r) => r.n).sort()).toEqual([0, 1, 2]);
      } finally {
        diagnosticsChannel.unsubscribe('http.client.request.start', onRequest);
      }
    });

    it('answers the readiness probe once its containers exist', async () => {
      await expect(db.ping()).resolves.toBeUndefined();
    });
  });
});
