import { randomUUID } from 'node:crypto';
import type { DocumentStore } from '../storage/documentStore';

/** One changed field: where, before, after. Values are business data, never message text of staff. */
export interface FieldChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** An audit entry: who did what to which item, when. pk = the audited item's id. */
export interface AuditEntry {
  id: string;
  pk: string;
  type: 'audit';
  /** The audited item ("directory:koeln", a request id, …). */
  itemId: string;
  /** AAD object id of the actor, or "system"/"import". */
  actor: string;
  action: string;
  at: string;
  changes: FieldChange[];
}

/** Append-only audit trail in the `audit` container. */
export class AuditLog {
  constructor(private readonly store: DocumentStore<AuditEntry>) {}

  async record(itemId: string, actor: string, action: string, changes: FieldChange[], now: Date = new Date()): Promise<AuditEntry> {
    const entry: AuditEntry = { id: randomUUID(), pk: itemId, type: 'audit', itemId, actor, action, at: now.toISOString(), changes };
    await this.store.create(entry);
    return entry;
  }

  /**
   * Entries of one actor on records whose id starts with `prefix` (e.g. `directory:`), oldest first: "Meine Daten".
   * Requests and reports keep their trail in the item; this is for records that write entries here one by one.
   */
  byActor(actor: string, prefix: string): Promise<AuditEntry[]> {
    return this.store.query<AuditEntry>({
      query: 'SELECT * FROM c WHERE c.type = @type AND c.actor = @actor AND STARTSWITH(c.pk, @prefix) ORDER BY c.at',
      parameters: [
        { name: '@type', value: 'audit' },
        { name: '@actor', value: actor },
        { name: '@prefix', value: prefix },
      ],
    });
  }

  /**
   * Deletes the entries of records whose id starts with `prefix` written before `cutoff` (the retention purge of
   * records that have no retention of their own, such as the directory). Returns how many were deleted.
   */
  async purgeBefore(prefix: string, cutoff: Date, max = 500): Promise<number> {
    const old = await this.store.query<{ id: string; pk: string }>(
      {
        query: 'SELECT c.id, c.pk FROM c WHERE c.type = @type AND STARTSWITH(c.pk, @prefix) AND c.at < @cutoff',
        parameters: [
          { name: '@type', value: 'audit' },
          { name: '@prefix', value: prefix },
          { name: '@cutoff', value: cutoff.toISOString() },
        ],
      },
      { maxItems: max },
    );
    let deleted = 0;
    for (const entry of old) if (await this.store.delete(entry.pk, entry.id)) deleted++;
    return deleted;
  }

  /** The trail of one item, oldest first. */
  async trail(itemId: string): Promise<AuditEntry[]> {
    return this.store.query<AuditEntry>(
      { query: 'SELECT * FROM c WHERE c.pk = @pk ORDER BY c.at', parameters: [{ name: '@pk', value: itemId }] },
      { partitionKey: itemId },
    );
  }
}

/** Field-level differences between two JSON values (paths in JSON-pointer style). */
export function diff(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].sort().flatMap((k) => diff(before[k], after[k], `${path}/${k}`));
  }
  return [{ path: path || '/', from: before ?? null, to: after ?? null }];
}
