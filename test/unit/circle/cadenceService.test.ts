import { CadenceService, type CadenceDoc } from '../../../services/circle/cadenceService';
import type { CircleDoc } from '../../../services/circle/model';
import { silentLogger } from '../../../services/logging';
import { ConcurrencyError } from '../../../services/storage/errors';
import { outcome } from '../../../services/workflow/outcome';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const KFI = '00000000-0000-4000-8000-000600000001';
const IB = '00000000-0000-4000-8000-000400000001';
const QUARTERLY = { active: 'on', kind: 'poll', unit: 'month', interval: '3', weekday: '2', week: '2', from: '2027-01-01', time: '10:00', duration: '120', leadWeeks: '6', alternatives: '2', title: 'Koordinierungskreis (Beispiel)' };

/** A cadence on an in-memory store whose replaces count the ETag conflicts (412) they met. */
function setup() {
  const store = new MemoryDocumentStore<CircleDoc>('circle');
  let conflicts = 0;
  const replace = store.replace.bind(store);
  store.replace = async (doc, etag) => {
    try {
      return await replace(doc, etag);
    } catch (err) {
      if (err instanceof ConcurrencyError) conflicts++;
      throw err;
    }
  };
  let now = new Date('2027-01-20T09:00:00Z');
  const published: string[] = [];
  const service = new CadenceService({
    store,
    circle: {
      isKfi: (id) => id === KFI,
      members: async () => [{ aadObjectId: KFI, name: 'Karla Koordinata (Beispiel)', role: 'kfi' }, { aadObjectId: IB, name: 'Sabine Schmitz (Beispiel)', role: 'commissioner' }],
      personName: () => 'Karla Koordinata (Beispiel)',
      draftPoll: async (_actor, input, pollId) => outcome.done({ id: 'poll', pk: pollId, type: 'poll', title: input.title, slots: [], status: 'open', tenantId: input.tenantId, delivery: 'personal', createdBy: KFI, createdAt: now.toISOString() }, false),
      draftMeeting: async () => outcome.refuse('forbidden'),
      publishDrafted: async (doc) => void published.push(doc.pk),
    },
    outbox: { enqueue: async () => ({ added: 1 }), deleteOwned: async () => 0 },
    scheduler: { reschedule: async () => ({}) as never },
    langOf: async () => 'de',
    writer: { relay: { kick: () => undefined, relayed: () => false }, source: 'circle', now: () => now.getTime() },
    logger: silentLogger,
    now: () => now,
  });
  return { store, service, published, conflicts: () => conflicts, setNow: (d: Date) => (now = d) };
}

const read = async (store: MemoryDocumentStore<CircleDoc>) => (await store.read('cadence', 'cadence')) as unknown as CadenceDoc;

describe('the cadence service', () => {
  it('refuses a non-KfI setting the cadence and an invalid rule, storing nothing', async () => {
    const { service, store } = setup();
    expect(await service.set(IB, 't', QUARTERLY)).toEqual({ ok: false, code: 'forbidden', reason: 'cadence' });
    expect(await service.set(KFI, 't', { ...QUARTERLY, unit: 'year' })).toEqual({ ok: false, code: 'invalid', problems: [{ field: 'unit', code: 'unknown_value' }] });
    expect(await store.read('cadence', 'cadence')).toBeUndefined();
  });

  it('waits for the lead time, then prepares the draft once; the job then waits for the next date', async () => {
    const { service, store, setNow } = setup();
    expect((await service.set(KFI, 't', QUARTERLY)).ok).toBe(true);
    expect(await service.prepareDue()).toEqual({ next: new Date('2027-03-02T08:00:00Z') });
    setNow(new Date('2027-03-02T08:00:00Z'));
    expect(await service.prepareDue()).toEqual({ next: new Date('2027-06-01T07:00:00Z') });
    const doc = await read(store);
    expect(doc.draft).toMatchObject({ ruleDate: '2027-04-13', dates: ['2027-04-13', '2027-04-20', '2027-04-27'], status: 'prepared' });
    expect(doc.pending?.filter((n) => n.kind === 'cadence.draft').map((n) => n.to)).toEqual([[KFI]]);
  });

  it('prepares one draft in each of 50 rounds of two jobs racing, and the race met the ETag', async () => {
    let conflictsSeen = 0;
    for (let round = 0; round < 50; round++) {
      const { service, store, setNow, conflicts } = setup();
      expect((await service.set(KFI, 't', QUARTERLY)).ok).toBe(true);
      setNow(new Date('2027-03-02T08:00:00Z'));
      await Promise.all([service.prepareDue(), service.prepareDue()]);
      const doc = await read(store);
      expect(doc.trail.filter((e) => e.action === 'prepared')).toHaveLength(1);
      expect(doc.pending?.filter((n) => n.kind === 'cadence.draft')).toHaveLength(1);
      conflictsSeen += conflicts();
    }
    expect(conflictsSeen).toBeGreaterThan(0);
  });

  it('confirms a draft once: two KfI clicks racing make one poll, the second is told it is done', async () => {
    for (let round = 0; round < 50; round++) {
      const { service, store, setNow, published } = setup();
      await service.set(KFI, 't', QUARTERLY);
      setNow(new Date('2027-03-02T08:00:00Z'));
      await service.prepareDue();
      const results = await Promise.all([service.confirm(KFI, '2027-04-13'), service.confirm(KFI, '2027-04-13')]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.code === 'stale')).toHaveLength(1);
      expect(published).toEqual(['p-cadence-2027-04-13-1']);
      expect((await read(store)).draft).toMatchObject({ status: 'confirmed', confirmedBy: KFI, itemId: 'p-cadence-2027-04-13-1' });
    }
  });

  it('supersedes a draft not yet confirmed when the rule no longer has its date, so it can be prepared again', async () => {
    const { service, store, setNow } = setup();
    await service.set(KFI, 't', QUARTERLY);
    setNow(new Date('2027-03-02T08:00:00Z'));
    await service.prepareDue();
    await service.set(KFI, 't', { ...QUARTERLY, weekday: '3' });
    const doc = await read(store);
    expect(doc.draft?.status).toBe('superseded');
    expect(doc.prepared).toEqual([]);
    expect(await service.confirm(KFI, '2027-04-13')).toEqual({ ok: false, code: 'not_found' });
  });
});
