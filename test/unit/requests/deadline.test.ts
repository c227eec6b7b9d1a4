import { readFileSync } from 'node:fs';
import type { AuditEntry } from '../../../services/audit/auditLog';
import type { Directory } from '../../../services/directory/model';
import { parseDirectory } from '../../../services/directory/validate';
import { silentLogger } from '../../../services/logging';
import { dataFile } from '../../../services/paths';
import { deadlineDays, deadlineJobDueAt, deadlineStepOn } from '../../../services/requests/deadline';
import { isOverdue, summaryOf, type ItemDoc, type Party } from '../../../services/requests/model';
import { RequestService } from '../../../services/requests/requestService';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const demo = (): Directory => {
  const parsed = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
  if (!parsed.ok) throw new Error('demo directory invalid');
  return parsed.directory;
};
const party = (name: string, aadObjectId: string): Party => ({ name, aadObjectId, tenantId: 't', lang: 'de' });
const STAFF = party('Erika Sachbearbeiterin', 'aaaaaaaa-0000-4000-8000-000000000001');
const KOELN_IB = party('Sabine Schmitz (Beispiel)', '00000000-0000-4000-8000-000400000001');
const KOELN_DEPUTY = '00000000-0000-4000-8000-000400000002';
const KFI_LEAD = party('Karla Koordinata (Beispiel)', '00000000-0000-4000-8000-000600000001');
const KFI_CIRCLE = '00000000-0000-4000-8000-000600000002';

describe('the Frist as a schedule (pure)', () => {
  it('reminds the working day before and on the day, and is overdue the next working day', () => {
    // Friday 18 December 2026: the day before is Thursday; overdue on Monday 21st (the weekend is no working day).
    expect(deadlineDays('2026-12-18')).toEqual({ soon: '2026-12-17', today: '2026-12-18', overdue: '2026-12-21' });
    // Monday 4 January 2027: the working day before is Thursday 31 December (New Year's Day is a public holiday).
    expect(deadlineDays('2027-01-04').soon).toBe('2026-12-31');
  });

  it('sends only the latest step that is due, and none whose day is the day the request was sent', () => {
    const created = '2026-12-01';
    expect(deadlineStepOn('2026-12-18', created, '2026-12-10')).toEqual({ next: new Date('2026-12-17T07:00:00Z') });
    expect(deadlineStepOn('2026-12-18', created, '2026-12-17')).toEqual({ step: 'soon', next: new Date('2026-12-18T07:00:00Z') });
    expect(deadlineStepOn('2026-12-18', created, '2026-12-18')).toEqual({ step: 'today', next: new Date('2026-12-21T07:00:00Z') });
    // The weekend after a Friday Frist: still "today"'s step, the escalation waits for Monday.
    expect(deadlineStepOn('2026-12-18', created, '2026-12-19').step).toBe('today');
    expect(deadlineStepOn('2026-12-18', created, '2026-12-21')).toEqual({ step: 'overdue' });
    // Sent the day before the Frist: no reminder that day; sent on the day: none at all before it is overdue.
    expect(deadlineStepOn('2026-12-18', '2026-12-17', '2026-12-17')).toEqual({ next: new Date('2026-12-18T07:00:00Z') });
    expect(deadlineStepOn('2026-12-18', '2026-12-18', '2026-12-18')).toEqual({ next: new Date('2026-12-21T07:00:00Z') });
    expect(deadlineJobDueAt('2026-12-18', '2026-12-18')).toEqual(new Date('2026-12-21T07:00:00Z'));
    expect(deadlineJobDueAt('2026-12-18', '2026-12-01')).toEqual(new Date('2026-12-17T07:00:00Z'));
    // 08:00 Berlin is 06:00 UTC in summer time.
    expect(deadlineJobDueAt('2027-07-16', '2027-07-01')).toEqual(new Date('2027-07-15T06:00:00Z'));
  });

  it('calls an open request overdue from the day after its Frist, and nothing closed or without a Frist', () => {
    const item = { kind: 'request', status: 'in_bearbeitung', deadline: '2026-12-18' } as ItemDoc;
    expect([isOverdue(item, '2026-12-18'), isOverdue(item, '2026-12-19'), isOverdue(item)]).toEqual([false, true, false]);
    expect(isOverdue({ ...item, overdue: { at: 'x', to: [], reason: 'deputy' } })).toBe(true);
    expect(isOverdue({ ...item, status: 'erledigt' }, '2027-01-01')).toBe(false);
    expect(isOverdue({ ...item, deadline: undefined }, '2027-01-01')).toBe(false);
    expect(summaryOf({ ...item, id: 'anl-1', authority: 'koeln', subject: 'S', createdAt: 'a', updatedAt: 'b' } as ItemDoc, '2026-12-21').overdue).toBe(true);
  });
});

describe('where an overdue request goes (the service, in memory)', () => {
  let now = new Date('2026-12-01T09:00:00Z');
  const setup = (directory: Directory) => {
    const items = new MemoryDocumentStore<ItemDoc>();
    const service = new RequestService({
      items,
      audit: new MemoryDocumentStore<AuditEntry>(),
      directory: () => directory,
      relay: { kick: () => undefined, relayed: () => false },
      settings: { reminderWorkingDays: 3, escalationWorkingDays: 5, retentionDays: 365 },
      logger: silentLogger,
      now: () => now,
    });
    return { items, service };
  };
  const send = async (service: RequestService, authority: string, deadline = '2026-12-18') => {
    now = new Date('2026-12-01T09:00:00Z');
    const created = await service.createRequest(STAFF, { authority, category: 'beratung', subject: 'Frist (Beispiel)', description: 'D', deadline });
    if (!created.ok) throw new Error('not created');
    return created.value.item;
  };
  const overdueRun = async (service: RequestService, item: ItemDoc) => {
    now = new Date('2026-12-21T07:00:00Z');
    return service.deadlineDue({ id: item.id, authority: item.authority });
  };

  it('goes to the deputy with the reason, once, with a trail entry; the notices ride in the same write', async () => {
    const { items, service } = setup(demo());
    const item = await send(service, 'koeln');
    expect(await overdueRun(service, item)).toEqual({});
    const stored = (await items.read('koeln', item.id))!;
    expect(stored.overdue).toEqual({ at: '2026-12-21T07:00:00.000Z', to: [KOELN_DEPUTY], reason: 'deputy' });
    expect(stored.rev).toBe(item.rev); // people's cards stay valid
    expect(stored.cardsTo).toContain(KOELN_DEPUTY);
    expect(stored.trail?.at(-1)).toMatchObject({ actor: 'system', action: 'request.overdue' });
    expect((stored.pending ?? []).map((n) => n.key)).toEqual(
      expect.arrayContaining([`item:${item.id}:overdue:${KOELN_DEPUTY}`, `item:${item.id}:card:${KOELN_DEPUTY}`, `item:${item.id}:overdue:cards`]),
    );
    // A second run (another process, a repeat after a crash) finds it done and writes nothing.
    const etag = stored.etag;
    expect(await overdueRun(service, item)).toEqual({});
    expect((await items.read('koeln', item.id))!.etag).toBe(etag);
  });

  it('goes to the IB when the deputy handles it, and to the handler alone when no deputy is set; never to the KfI', async () => {
    const absent = demo();
    const koeln = absent.authorities.find((a) => a.code === 'koeln')!;
    koeln.commissioner!.absences = [{ from: '2026-11-30', to: '2026-12-04' }];
    const deputyHandles = setup(absent);
    const a = await send(deputyHandles.service, 'koeln');
    // The IB is away: the deputy received it and took it over.
    expect(a.cardsTo).toEqual([KOELN_DEPUTY]);
    expect((await deputyHandles.service.act(party('Jan Jedermann (Beispiel)', KOELN_DEPUTY), { id: a.id, authority: 'koeln' }, a.rev, { type: 'accept' })).ok).toBe(true);
    await overdueRun(deputyHandles.service, a);
    expect((await deputyHandles.items.read('koeln', a.id))!.overdue).toMatchObject({ to: [KOELN_IB.aadObjectId], reason: 'commissioner' });

    const noDeputy = demo();
    noDeputy.authorities.find((x) => x.code === 'koeln')!.deputy = null;
    const alone = setup(noDeputy);
    const b = await send(alone.service, 'koeln');
    await overdueRun(alone.service, b);
    expect((await alone.items.read('koeln', b.id))!.overdue).toMatchObject({ to: [KOELN_IB.aadObjectId], reason: 'handler' });
  });

  it('goes to the other KfI members when one of them took a request to the KfI over', async () => {
    const { items, service } = setup(demo());
    const item = await send(service, 'kfi');
    expect(item).toMatchObject({ authority: 'arnsberg', recipient: 'kfi' });
    expect([...item.cardsTo].sort()).toEqual([KFI_LEAD.aadObjectId, KFI_CIRCLE]);
    const accepted = await service.act(KFI_LEAD, { id: item.id, authority: 'arnsberg' }, item.rev, { type: 'accept' });
    expect(accepted.ok).toBe(true);
    await overdueRun(service, item);
    expect((await items.read('arnsberg', item.id))!.overdue).toMatchObject({ to: [KFI_CIRCLE], reason: 'kfi' });
  });

  it('waits while a question to the requester is open, and does nothing once the request is done', async () => {
    const { items, service } = setup(demo());
    const asked = await send(service, 'koeln');
    await service.act(KOELN_IB, { id: asked.id, authority: 'koeln' }, asked.rev, { type: 'ask', text: 'Welche Frist gilt genau?' });
    expect(await overdueRun(service, asked)).toEqual({ next: new Date('2026-12-22T07:00:00Z') });
    expect((await items.read('koeln', asked.id))!.overdue).toBeUndefined();
    const done = await send(service, 'koeln');
    await service.act(KOELN_IB, { id: done.id, authority: 'koeln' }, done.rev, { type: 'done' });
    expect(await overdueRun(service, done)).toEqual({});
    expect((await items.read('koeln', done.id))!.overdue).toBeUndefined();
  });
});
