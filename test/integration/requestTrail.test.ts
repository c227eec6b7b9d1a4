import { readFileSync } from 'node:fs';
import type { AuditEntry } from '../../services/audit/auditLog';
import type { Directory } from '../../services/directory/model';
import { parseDirectory } from '../../services/directory/validate';
import { silentLogger } from '../../services/logging';
import { dataFile } from '../../services/paths';
import type { ItemDoc } from '../../services/requests/model';
import { RequestService } from '../../services/requests/requestService';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';

const KOELN_IB = { aadObjectId: '00000000-0000-4000-8000-000400000001', tenantId: 't', name: 'Sabine Schmitz (Beispiel)' };
const STAFF = { aadObjectId: '00000000-0000-4000-8000-0000000000aa', tenantId: 't', name: 'Lange Rückfragen (Beispiel)' };
/** The service's clock (reminders, retention): Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');

describe('the audit trail of an item (in the item, older entries archived)', () => {
  let database: AppDatabase;
  let service: RequestService;

  beforeAll(async () => {
    database = await openDatabase({ databaseId: 'request-trail' });
    const parsed = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
    if (!parsed.ok) throw new Error('demo directory invalid');
    const directory: Directory = parsed.directory;
    service = new RequestService({
      items: database.store<ItemDoc>(CONTAINERS.items),
      audit: database.store<AuditEntry>(CONTAINERS.audit),
      directory: () => directory,
      // Nothing is delivered here: the notices the changes owe stay in the items.
      relay: { kick: () => undefined, relayed: () => false },
      settings: { reminderWorkingDays: 3, escalationWorkingDays: 5, retentionDays: 365 },
      logger: silentLogger,
      now: () => NOW,
      trailInItem: 6,
    });
  });
  afterAll(() => database.close());

  it('keeps every entry of a long back-and-forth in order, with a bounded item, for the trail, the export and "Meine Daten"', async () => {
    const created = await service.createRequest(STAFF, { authority: 'koeln', category: 'beratung', subject: 'Lange Rückfragen (Beispiel)', description: 'D' });
    if (!created.ok) throw new Error('not created');
    const ref = { id: created.value.item.id, authority: 'koeln' };
    let rev = 1;
    const step = async (who: typeof STAFF, action: Parameters<RequestService['act']>[3]) => {
      const outcome = await service.act(who, ref, rev, action);
      expect(outcome.ok).toBe(true);
      rev += 1;
    };
    await step(KOELN_IB, { type: 'accept' });
    for (let round = 0; round < 8; round++) {
      await step(KOELN_IB, { type: 'ask', text: `Frage ${round}` });
      await step(STAFF, { type: 'reply', text: `Antwort ${round}` });
    }
    const total = 2 + 2 * 8;

    const stored = (await database.store<ItemDoc>(CONTAINERS.items).read('koeln', ref.id))!;
    expect(stored.trail!.length).toBeLessThanOrEqual(6);
    expect(stored.trailArchived! + stored.trail!.length).toBe(total);

    const trail = await service.trail(STAFF.aadObjectId, ref);
    if (!('entries' in trail)) throw new Error('no trail');
    expect(trail.entries.map((e) => e.action)).toEqual(['request.create', 'request.accept', ...Array.from({ length: 8 }, () => ['request.ask', 'request.reply']).flat()]);
    expect(trail.entries.map((e) => e.at)).toEqual([...trail.entries.map((e) => e.at)].sort());

    const exported = await service.exportCsv(KOELN_IB.aadObjectId);
    if (!('csv' in exported)) throw new Error('no export');
    expect(exported.csv.split('\r\n').filter((l) => l.startsWith(`"${ref.id}"`))).toHaveLength(total);

    const mine = await service.myData(STAFF.aadObjectId);
    expect(mine.audit.map((e) => e.action)).toEqual(['request.create', ...Array.from({ length: 8 }, () => 'request.reply')]);
  });

  it('still shows, and purges with the item, entries an earlier build wrote as separate audit documents', async () => {
    const created = await service.createRequest(STAFF, { authority: 'koeln', category: 'beratung', subject: 'Altbestand (Beispiel)', description: 'D' });
    if (!created.ok) throw new Error('not created');
    const audit = database.store<AuditEntry>(CONTAINERS.audit);
    await audit.create({ id: 'legacy-1', pk: created.value.item.id, type: 'audit', itemId: created.value.item.id, actor: STAFF.aadObjectId, action: 'request.legacy', at: '2026-01-01T00:00:00.000Z', changes: [] });
    const trail = await service.trail(STAFF.aadObjectId, { id: created.value.item.id, authority: 'koeln' });
    if (!('entries' in trail)) throw new Error('no trail');
    expect(trail.entries.map((e) => e.action)).toEqual(['request.legacy', 'request.create']);

    await service.act(KOELN_IB, { id: created.value.item.id, authority: 'koeln' }, 1, { type: 'done' });
    const closed = (await database.store<ItemDoc>(CONTAINERS.items).read('koeln', created.value.item.id))!;
    await database.store<ItemDoc>(CONTAINERS.items).replace({ ...closed, expiresAt: 0 }, closed.etag);
    expect(await service.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await audit.read(created.value.item.id, 'legacy-1')).toBeUndefined();
  });
});
