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

    it('answers the readiness probe once its containers exist', async () => {
      await expect(db.ping()).resolves.toBeUndefined();
    });
  });
});
