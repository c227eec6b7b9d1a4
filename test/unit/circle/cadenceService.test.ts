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
  const updates: Array<{ key: string; of: string; text: string }> = [];
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
    outbox: { enqueue: async () => ({ added: 1 }), enqueueUpdate: async (u) => void updates.push({ key: u.key, of: u.of, text: JSON.stringify(u.activity) }), deleteOwned: async () => 0 },
    scheduler: { reschedule: async () => ({}) as never },
    langOf: async () => 'de',
    writer: { relay: { kick: () => undefined, relayed: () => false }, source: 'circle', now: () => now.getTime() },
    logger: silentLogger,
    now: () => now,
  });
  return { store, service, published, updates, conflicts: () => conflicts, setNow: (d: Date) => (now = d) };
}

const read = async (store: MemoryDocumentStore<CircleDoc>) => (await store.read('cadence', 'cadence')) as unknown as CadenceDoc;

describe('the cadence service', () => {
  it('refuses a non-KfI setting the cadence and an invalid rule, storing nothing', async () => {
    const { service, store } = setup();
    expect(await service.set(IB, 't', QUARTERLY)).toEqual({ ok: false, code: 'forbidden', reason: 'cadence' });
    expect(await service.set(KFI, 't', { ...QUARTERLY, unit: 'year' })).toEqual({ ok: false, code: 'invalid', problems: [{ field: 'unit', code: 'unknown_value' }] });
    expect(await store.read('cadence', 'cadence')).toBeUndefined();
  });

  it('waits for the lead time, then prepares the draft once; the job then waits for the draft\'s date (when it lapses unless confirmed)', async () => {
    const { service, store, setNow } = setup();
    expect((await service.set(KFI, 't', QUARTERLY)).ok).toBe(true);
    expect(await service.prepareDue()).toEqual({ next: new Date('2027-03-02T08:00:00Z') });
    setNow(new Date('2027-03-02T08:00:00Z'));
    expect(await service.prepareDue()).toEqual({ next: new Date('2027-04-13T08:00:00Z') });
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

  it('updates every KfI member\'s draft card in place when a draft is confirmed or superseded: who, when, no button', async () => {
    const { service, store, setNow, updates } = setup();
    await service.set(KFI, 't', QUARTERLY);
    setNow(new Date('2027-03-02T08:00:00Z'));
    await service.prepareDue();
    setNow(new Date('2027-03-03T09:30:00Z'));
    expect((await service.confirm(KFI, '2027-04-13')).ok).toBe(true);
    const doc = await read(store);
    const notice = doc.pending!.find((n) => n.kind === 'cadence.update')!;
    expect(notice).toMatchObject({ key: 'circle:cadence:2027-04-13:1:confirmed', data: { ruleDate: '2027-04-13', seq: 1 } });
    await service.deliver(doc as never, [notice]);
    expect(updates.map((u) => [u.key, u.of])).toEqual([
      ['circle:cadence:2027-04-13:1:confirmed', 'circle:cadence:2027-04-13:1:draft'],
      ['circle:cadence:2027-04-13:1:confirmed:en', 'circle:cadence:2027-04-13:1:draft:en'],
    ]);
    expect(updates[0].text).toContain('Bestätigt und gesendet von Karla Koordinata (Beispiel) am Mi., 03.03.2027, 10:30 Uhr.');
    expect(updates[1].text).toContain('Confirmed and sent by Karla Koordinata (Beispiel) on Wed 3 Mar 2027, 10:30.');
    expect(updates[0].text).toContain('"Nach Rhythmus vorbereitet"');
    expect(updates[0].text).toContain('ist an den Koordinierungskreis gegangen.');
    expect(updates.every((u) => !u.text.includes('Action.Execute'))).toBe(true);

    // A later draft replaced the one the notice speaks of: its cards are gone with it, nothing is updated.
    updates.length = 0;
    await service.deliver({ ...doc, draft: { ...doc.draft!, seq: 2 } } as never, [notice]);
    expect(updates).toEqual([]);

    // Superseded by a change of the rule: the cards say so.
    const { service: other, store: otherStore, setNow: otherNow, updates: otherUpdates } = setup();
    await other.set(KFI, 't', QUARTERLY);
    otherNow(new Date('2027-03-02T08:00:00Z'));
    await other.prepareDue();
    await other.set(KFI, 't', { ...QUARTERLY, weekday: '3' });
    const superseded = await read(otherStore);
    const n = superseded.pending!.filter((p) => p.kind === 'cadence.update');
    expect(n.map((p) => p.key)).toEqual(['circle:cadence:2027-04-13:1:superseded']);
    await other.deliver(superseded as never, n);
    expect(otherUpdates[0].text).toContain('Dieser Entwurf ist durch eine Änderung des Rhythmus überholt.');
    expect(otherUpdates.every((u) => !u.text.includes('Action.Execute'))).toBe(true);
  });

  it('keeps a draft waiting for the KfI until it is confirmed or its date has passed, when the next date\'s lead time comes first', async () => {
    // Monthly on the second Tuesday, six weeks ahead: the May draft is due on 30 March, before the April date.
    const MONTHLY = { ...QUARTERLY, interval: '1', from: '2027-04-01' };
    const { service, store, setNow } = setup();
    await service.set(KFI, 't', MONTHLY);
    setNow(new Date('2027-03-02T08:00:00Z'));
    expect(await service.prepareDue()).toEqual({ next: new Date('2027-03-30T07:00:00Z') });
    setNow(new Date('2027-03-30T07:00:00Z'));
    // April's draft still waits: nothing replaces it; the job looks again when its date begins (13 April, 10:00 Berlin).
    expect(await service.prepareDue()).toEqual({ next: new Date('2027-04-13T08:00:00Z') });
    expect((await read(store)).draft).toMatchObject({ ruleDate: '2027-04-13', status: 'prepared' });
    // Confirmed: the confirmation runs the job, which prepares May's draft at once.
    expect((await service.confirm(KFI, '2027-04-13')).ok).toBe(true);
    expect((await read(store)).pending?.filter((n) => n.kind === 'cadence.job').map((n) => n.key)).toContain('circle:cadence:2027-04-13:1:job');
    await service.prepareDue();
    expect((await read(store)).draft).toMatchObject({ ruleDate: '2027-05-11', status: 'prepared', seq: 2 });

    // Never confirmed: once its date is over, the next draft takes its place.
    const other = setup();
    await other.service.set(KFI, 't', MONTHLY);
    other.setNow(new Date('2027-03-02T08:00:00Z'));
    await other.service.prepareDue();
    other.setNow(new Date('2027-04-14T07:00:00Z'));
    await other.service.prepareDue();
    expect((await read(other.store)).draft).toMatchObject({ ruleDate: '2027-05-11', status: 'prepared' });
  });

  it('lets an unconfirmed draft lapse when its date begins: once, with a trail entry and the cards updated; a click then or on the replaced card is told so', async () => {
    const MONTHLY = { ...QUARTERLY, interval: '1', from: '2027-04-01' };
    const { service, store, setNow, published, updates } = setup();
    await service.set(KFI, 't', MONTHLY);
    setNow(new Date('2027-03-02T08:00:00Z'));
    await service.prepareDue();
    // One minute before 13 April, 10:00 Berlin: still waiting, confirmable.
    setNow(new Date('2027-04-13T07:59:00Z'));
    expect(await service.prepareDue()).toEqual({ next: new Date('2027-04-13T08:00:00Z') });
    expect((await read(store)).draft?.status).toBe('prepared');
    // A click after the date began, before the job ran: the draft lapses then and there; nothing is published.
    setNow(new Date('2027-04-13T08:00:00Z'));
    const late = await service.confirm(KFI, '2027-04-13');
    expect(late.ok === false && late.code === 'stale' && late.current.draft).toMatchObject({ ruleDate: '2027-04-13', status: 'lapsed', lapsedAt: '2027-04-13T08:00:00.000Z' });
    const lapsed = await read(store);
    expect(lapsed.trail.filter((e) => e.action === 'lapsed')).toEqual([{ at: '2027-04-13T08:00:00.000Z', by: 'system', action: 'lapsed', ruleDate: '2027-04-13' }]);
    expect(lapsed.pending?.filter((n) => n.kind === 'cadence.update').map((n) => n.key)).toEqual(['circle:cadence:2027-04-13:1:lapsed']);
    await service.deliver(lapsed as never, lapsed.pending!.filter((n) => n.kind === 'cadence.update'));
    expect(updates.map((u) => u.key)).toEqual(['circle:cadence:2027-04-13:1:lapsed', 'circle:cadence:2027-04-13:1:lapsed:en']);
    expect(updates[0].text).toContain('Nicht bestätigt – der Termin am 13.04.2027 ist verstrichen. An den Koordinierungskreis ging nichts.');
    expect(updates[1].text).toContain('Not confirmed – the date on 13 Apr 2027 has passed. Nothing went to the coordination circle.');
    expect(updates.every((u) => !u.text.includes('Action.Execute'))).toBe(true);
    // The job lapses nothing twice; May's draft (due since 30 March) takes its place; April's stays as the replaced one.
    await service.prepareDue();
    const after = await read(store);
    expect(after.draft).toMatchObject({ ruleDate: '2027-05-11', status: 'prepared', seq: 2 });
    expect(after.previousDraft).toMatchObject({ ruleDate: '2027-04-13', status: 'lapsed' });
    expect(after.trail.filter((e) => e.action === 'lapsed')).toHaveLength(1);
    // An old April card clicked now: still "already done", for confirm and discard alike.
    for (const action of [service.confirm.bind(service), service.discard.bind(service)]) {
      const r = await action(KFI, '2027-04-13');
      expect(r.ok === false && r.code === 'stale' && r.current.draft?.status).toBe('lapsed');
    }
    expect(published).toEqual([]);
  });

  it('lapses a draft once in each of 50 rounds of two jobs and a late confirmation racing, and the race met the ETag', async () => {
    let conflictsSeen = 0;
    for (let round = 0; round < 50; round++) {
      const { service, store, setNow, published, conflicts } = setup();
      await service.set(KFI, 't', QUARTERLY);
      setNow(new Date('2027-03-02T08:00:00Z'));
      await service.prepareDue();
      setNow(new Date('2027-04-13T08:00:00Z'));
      const [, , late] = await Promise.all([service.prepareDue(), service.prepareDue(), service.confirm(KFI, '2027-04-13')]);
      expect(late.ok === false && late.code).toBe('stale');
      const doc = await read(store);
      expect(doc.draft?.status).toBe('lapsed');
      expect(doc.trail.filter((e) => e.action === 'lapsed')).toHaveLength(1);
      expect(doc.pending?.filter((n) => n.kind === 'cadence.update')).toHaveLength(1);
      expect(published).toEqual([]);
      conflictsSeen += conflicts();
    }
    expect(conflictsSeen).toBeGreaterThan(0);
  });

  it('discards a draft once: nothing is published, the cards say who discarded it, a later confirm or discard is told it is done', async () => {
    const { service, store, setNow, published, updates } = setup();
    await service.set(KFI, 't', QUARTERLY);
    setNow(new Date('2027-03-02T08:00:00Z'));
    await service.prepareDue();
    expect(await service.discard(IB, '2027-04-13')).toEqual({ ok: false, code: 'forbidden', reason: 'cadence' });
    expect(await service.discard(KFI, '2027-07-13')).toEqual({ ok: false, code: 'not_found' });
    setNow(new Date('2027-03-03T09:30:00Z'));
    const results = await Promise.all([service.discard(KFI, '2027-04-13'), service.discard(KFI, '2027-04-13')]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.code === 'stale')).toHaveLength(1);
    const doc = await read(store);
    expect(doc.draft).toMatchObject({ status: 'discarded', discardedBy: KFI, discardedAt: '2027-03-03T09:30:00.000Z' });
    expect(doc.prepared).toEqual(['2027-04-13']);
    expect(doc.trail.filter((e) => e.action === 'discarded')).toHaveLength(1);
    const confirmAfter = await service.confirm(KFI, '2027-04-13');
    expect(confirmAfter.ok === false && confirmAfter.code).toBe('stale');
    expect(published).toEqual([]);
    const notices = doc.pending!.filter((n) => n.kind === 'cadence.update' || n.kind === 'cadence.job').map((n) => n.key);
    expect(notices).toEqual(expect.arrayContaining(['circle:cadence:2027-04-13:1:discarded', 'circle:cadence:2027-04-13:1:job']));
    await service.deliver(doc as never, doc.pending!.filter((n) => n.kind === 'cadence.update'));
    expect(updates[0].text).toContain('Verworfen von Karla Koordinata (Beispiel) am Mi., 03.03.2027, 10:30 Uhr. An den Koordinierungskreis ging nichts.');
    expect(updates[1].text).toContain('Discarded by Karla Koordinata (Beispiel) on Wed 3 Mar 2027, 10:30. Nothing went to the coordination circle.');
    expect(updates.every((u) => !u.text.includes('Action.Execute'))).toBe(true);
  });
});
