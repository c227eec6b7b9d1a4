import type { AuthorityCode } from '../directory/model';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import type { ItemDoc, ItemKind, ItemStatus } from './model';

/** Requests and reports in the `items` container (pk = authority code); every write carries the ETag. */
export class ItemRepository {
  constructor(private readonly store: DocumentStore<ItemDoc>) {}

  get(authority: AuthorityCode, id: string): Promise<Versioned<ItemDoc> | undefined> {
    return this.store.read(authority, id);
  }

  create(item: ItemDoc): Promise<Versioned<ItemDoc>> {
    return this.store.create(item);
  }

  delete(item: Versioned<ItemDoc>): Promise<boolean> {
    return this.store.delete(item.pk, item.id, item.etag);
  }

  /** Items someone created (requests they sent, reports they registered), newest first; across authorities. */
  byCreator(aadObjectId: string, kind?: ItemKind): Promise<Versioned<ItemDoc>[]> {
    const parameters = [{ name: '@id', value: aadObjectId }];
    let query = 'SELECT * FROM c WHERE c.type = "item" AND c.createdBy.aadObjectId = @id';
    if (kind) {
      query += ' AND c.kind = @kind';
      parameters.push({ name: '@kind', value: kind });
    }
    return this.store.query({ query: query + ' ORDER BY c.createdAt DESC', parameters });
  }

  /** Items of one authority, optionally of one kind and in given states, newest first. */
  ofAuthority(authority: AuthorityCode, kind?: ItemKind, statuses?: readonly ItemStatus[]): Promise<Versioned<ItemDoc>[]> {
    const parameters: { name: string; value: string | string[] }[] = [{ name: '@pk', value: authority }];
    let query = 'SELECT * FROM c WHERE c.pk = @pk AND c.type = "item"';
    if (kind) {
      query += ' AND c.kind = @kind';
      parameters.push({ name: '@kind', value: kind });
    }
    if (statuses) {
      query += ' AND ARRAY_CONTAINS(@statuses, c.status)';
      parameters.push({ name: '@statuses', value: [...statuses] });
    }
    return this.store.query({ query: query + ' ORDER BY c.createdAt DESC', parameters }, { partitionKey: authority });
  }

  /** Items this person created, handled, wrote in or decided (for "Meine Daten"). */
  withParticipant(aadObjectId: string): Promise<Versioned<ItemDoc>[]> {
    return this.store.query({
      query:
        'SELECT * FROM c WHERE c.type = "item" AND ARRAY_CONTAINS(c.participants, @id)',
      parameters: [{ name: '@id', value: aadObjectId }],
    });
  }

  /** Closed items whose retention has run out. */
  expired(nowMs: number, max = 200): Promise<Versioned<ItemDoc>[]> {
    return this.store.query(
      { query: 'SELECT * FROM c WHERE c.type = "item" AND IS_DEFINED(c.expiresAt) AND c.expiresAt <= @now', parameters: [{ name: '@now', value: nowMs }] },
      { maxItems: max },
    );
  }
}
