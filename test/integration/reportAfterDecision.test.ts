import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, DEFAULT_BOT_APP_ID, personalConversationId, user, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

/** Fictitious people of the demo directory (Köln). */
const person = (name: string, aad: string, locale = 'de-DE') => user({ name, aadObjectId: aad, locale });
const KOELN_IB = person('Sabine Schmitz (Beispiel)', '00000000-0000-4000-8000-000400000001');
const KOELN_IB_EN = person('Sabine Schmitz (Beispiel)', '00000000-0000-4000-8000-000400000001', 'en-GB');
const KOELN_HEAD = person('Frieda Fiktiv (Beispiel)', '00000000-0000-4000-8000-000400000003');
const KOELN_OFFICE = person('Rita Referentin (Beispiel)', '00000000-0000-4000-8000-000400000004');
const KOELN_OFFICE_EN = person('Rita Referentin (Beispiel)', '00000000-0000-4000-8000-000400000004', 'en-GB');
const KOELN_HEAD_EN = person('Frieda Fiktiv (Beispiel)', '00000000-0000-4000-8000-000400000003', 'en-GB');
const STAFF = user({ name: 'Erika Sachbearbeiterin' });

type InvokeBody = { statusCode: number; type: string; value: any };
const json = (v: unknown) => JSON.stringify(v);
const verbsOf = (card: unknown) => [...json(card).matchAll(/"verb":"([^"]+)"/g)].map((m) => m[1]);

describe('the Vortrag after the head\'s decision (RdErl. Nr. 4)', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  // Tuesday, 1 December 2026, 10:00 in Köln.
  let now = new Date('2026-12-01T09:00:00Z');
  const read = async (id: string) => (await database.store<ItemDoc>(CONTAINERS.items).read('koeln', id))!;

  async function invoke(verb: string, data: Record<string, unknown>, from: TeamsUser): Promise<InvokeBody> {
    const res = await app.post(teams.cardAction(verb, data, { from }));
    expect(res.status).toBe((res.body as InvokeBody).statusCode);
    return res.body as InvokeBody;
  }
  async function decided(verb: string, fields: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<ItemDoc> {
    const body = await invoke('report.submit', { subject: 'Mehrsprachige Bescheide (Beispiel)', summary: 'Vorschlag (Beispiel).', urgency: 'normal', ...extra }, KOELN_IB);
    expect(body.statusCode).toBe(200);
    const report = await read(body.value.refresh.action.data.id as string);
    if (verb) expect((await invoke(verb, { id: report.id, authority: 'koeln', rev: report.rev, ...fields }, KOELN_HEAD)).statusCode).toBe(200);
    await app.delivery.relay.whenIdle();
    return read(report.id);
  }
  const ref = (r: ItemDoc) => ({ id: r.id, authority: 'koeln', rev: r.rev });

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'report-after-decision-test' });
    app = await startTestApp({ REPORT_REMINDER_WORKING_DAYS: '2', REPORT_REMINDER_MAX: '2' }, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [STAFF, KOELN_IB, KOELN_HEAD, KOELN_OFFICE]) await app.post(teams.installationUpdate('add', { from: p }));
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  it('lets the IB acknowledge a Weisung on the card; the office cannot for the IB; the instruction stays visible', async () => {
    const report = await decided('report.instruct', { instruction: 'Bitte mit Dezernat 21 abstimmen (Beispiel).' });
    expect(report.status).toBe('weisung');
    const ibCard = await invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_IB);
    expect(verbsOf(ibCard.value)).toContain('report.acknowledge');
    expect(json(ibCard.value)).toContain('Zur Kenntnis und Umsetzung');
    // The office (which may decide in Köln) answering for the IB: refused, nothing changed.
    expect((await invoke('report.acknowledge', ref(report), KOELN_OFFICE)).statusCode).toBe(403);
    expect((await invoke('report.acknowledge', ref(report), STAFF)).statusCode).toBe(403);
    expect(await read(report.id)).toMatchObject({ status: 'weisung', rev: report.rev });
    const done = await invoke('report.acknowledge', ref(report), KOELN_IB);
    expect(done.statusCode).toBe(200);
    expect(json(done.value)).toContain('Bitte mit Dezernat 21 abstimmen (Beispiel).');
    expect(json(done.value)).toContain('Zur Kenntnis und Umsetzung bestätigt von Sabine Schmitz (Beispiel)');
    const stored = await read(report.id);
    expect(stored).toMatchObject({ status: 'weisung_bestaetigt', acknowledged: { by: { aadObjectId: KOELN_IB.aadObjectId } } });
    expect(stored.trail!.some((e) => e.changes.some((c) => c.path === '/decision/text' && c.to === 'Bitte mit Dezernat 21 abstimmen (Beispiel).'))).toBe(true);
    // The head's card shows the acknowledgement.
    expect(json((await invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_HEAD)).value)).toContain('Zur Kenntnis und Umsetzung bestätigt');
  });

  it('tells the office why it cannot acknowledge for the IB, in German and in English', async () => {
    const report = await decided('report.instruct', { instruction: 'Bitte mit Dezernat 21 abstimmen (Beispiel).' });
    const de = await invoke('report.acknowledge', ref(report), KOELN_OFFICE);
    expect(de).toMatchObject({ statusCode: 403, value: { message: 'Das tut die oder der Integrationsbeauftragte selbst (oder die Vertretung), nicht die Behördenleitung oder ihr Büro. Es wurde nichts geändert.' } });
    const en = await invoke('report.acknowledge', ref(report), KOELN_OFFICE_EN);
    expect(en).toMatchObject({ statusCode: 403, value: { message: 'Only the integration commissioner (or the deputy) does this, not the head or their office. Nothing was changed.' } });
    // The head, too; staff who may not see the report learn nothing about it.
    expect((await invoke('report.acknowledge', ref(report), KOELN_HEAD_EN)).value.message).toBe('Only the integration commissioner (or the deputy) does this, not the head or their office. Nothing was changed.');
    expect((await invoke('report.acknowledge', ref(report), STAFF)).value.message).toBe('Das dürfen Sie bei diesem Vorgang nicht. Es wurde nichts geändert.');
    expect(await read(report.id)).toMatchObject({ status: 'weisung', rev: report.rev });
  });

  it('in English: the IB hands in the paper ("Submit in writing"); the head side is told, the office in English', async () => {
    const report = await decided('report.inWriting', { note: 'Please two pages (example).' });
    // The office uses Teams in English (its messages follow the language it last wrote to the bot in).
    expect((await app.post(teams.message('help', { from: KOELN_OFFICE_EN }))).status).toBe(200);
    const card = await invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_IB_EN);
    expect(json(card.value)).toContain('Your turn: please submit the report in writing');
    expect(json(card.value)).toContain('Submit in writing');
    // The office may not hand it in, and is told so in English.
    const refused = await invoke('report.handIn', { ...ref(report), paper: 'Two pages (example).' }, KOELN_OFFICE_EN);
    expect(refused).toMatchObject({ statusCode: 403, value: { message: 'Only the integration commissioner (or the deputy) does this, not the head or their office. Nothing was changed.' } });
    // An empty paper: the card again with the problem in English, nothing stored.
    const empty = await invoke('report.handIn', { ...ref(report), paper: '  ' }, KOELN_IB_EN);
    expect(empty.statusCode).toBe(200);
    expect(json(empty.value)).toContain('Please write your submission.');
    expect((await read(report.id)).status).toBe('schriftlich');
    const done = await invoke('report.handIn', { ...ref(report), paper: 'Two pages (example).' }, KOELN_IB_EN);
    expect(done.statusCode).toBe(200);
    expect(json(done.value)).toContain('Written submission');
    expect(json(done.value)).toContain('Two pages (example).');
    expect(json(done.value)).toContain("The head's turn: they decide on your written submission.");
    await app.delivery.whenIdle();
    expect((await read(report.id)).status).toBe('vorgelegt');
    const chat = (who: TeamsUser) => emulator.activitiesTo(personalConversationId(who.id, DEFAULT_BOT_APP_ID)).map((a) => String(a.text ?? ''));
    expect(chat(KOELN_OFFICE_EN)).toContain('Written submission on the report "Mehrsprachige Bescheide (Beispiel)": please decide again.');
    expect((await app.post(teams.message('Hilfe', { from: KOELN_OFFICE }))).status).toBe(200);
  });

  it('in English: the IB acknowledges ("Acknowledged, will implement")', async () => {
    const report = await decided('report.instruct', { instruction: 'Align with unit 21 (example).' });
    const card = await invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_IB_EN);
    expect(json(card.value)).toContain('Acknowledged, will implement');
    const done = await invoke('report.acknowledge', ref(report), KOELN_IB_EN);
    expect(json(done.value)).toContain('Align with unit 21 (example).');
    expect(json(done.value)).toContain('Acknowledged, will implement: Sabine Schmitz (Beispiel)');
  });

  it('takes the paper from the IB only, tells head and office, and gives the head the decisions again', async () => {
    const report = await decided('report.inWriting', { note: 'Bitte zwei Seiten (Beispiel).' });
    expect(report.status).toBe('schriftlich');
    const paper = { paper: 'Zwei Seiten Vorlage (Beispiel).', link: 'https://contoso.sharepoint.com/sites/ib/Vorlage.docx' };
    expect((await invoke('report.handIn', { ...ref(report), ...paper }, KOELN_OFFICE)).statusCode).toBe(403);
    expect((await invoke('report.handIn', { ...ref(report), ...paper }, STAFF)).statusCode).toBe(403);
    expect((await invoke('report.handIn', { ...ref(report), ...paper, link: 'http://contoso.sharepoint.com/x' }, KOELN_IB)).statusCode).toBe(200);
    expect((await read(report.id)).status).toBe('schriftlich');
    expect((await invoke('report.handIn', { ...ref(report), ...paper }, KOELN_IB)).statusCode).toBe(200);
    await app.delivery.relay.whenIdle();
    const stored = await read(report.id);
    expect(stored).toMatchObject({ status: 'vorgelegt', messages: [{ kind: 'vorlage', text: paper.paper, link: paper.link }] });
    for (const who of [KOELN_HEAD, KOELN_OFFICE]) expect(await app.delivery.outbox.status(`item:${report.id}:r${stored.rev}:handed-in:${who.aadObjectId}`)).toBeDefined();
    const head = await invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_HEAD);
    expect(verbsOf(head.value)).toEqual(expect.arrayContaining(['report.noted', 'report.proposeMeeting', 'report.instruct']));
    expect(json(head.value)).toContain('[contoso.sharepoint.com](https://contoso.sharepoint.com/sites/ib/Vorlage.docx)');
    expect((await invoke('report.noted', ref(stored), KOELN_HEAD)).statusCode).toBe(200);
    expect((await read(report.id)).status).toBe('zur_kenntnis');
  });

  it('reminds head and office after N working days, again after N more, at most M times, and not after the decision', async () => {
    now = new Date('2026-12-03T09:00:00Z'); // Thursday
    try {
      const waiting = await decided('', {});
      const answered = await decided('', {});
      const key = (r: ItemDoc, n: number, who: TeamsUser) => `item:${r.id}:r${r.rev}:decide${n}:${who.aadObjectId}`;
      now = new Date('2026-12-04T12:00:00Z'); // Friday: one working day
      await app.jobs.runDue();
      expect(await app.delivery.outbox.status(key(waiting, 1, KOELN_HEAD))).toBeUndefined();
      expect((await invoke('report.noted', ref(answered), KOELN_HEAD)).statusCode).toBe(200);
      now = new Date('2026-12-07T08:00:00Z'); // Monday: two working days
      await app.jobs.runDue();
      expect((await app.delivery.outbox.status(key(waiting, 1, KOELN_HEAD)))?.total).toBe(1);
      expect((await app.delivery.outbox.status(key(waiting, 1, KOELN_OFFICE)))?.total).toBe(1);
      expect(await app.delivery.outbox.status(key(answered, 1, KOELN_HEAD))).toBeUndefined();
      now = new Date('2026-12-09T08:00:00Z'); // Wednesday: four working days
      await app.jobs.runDue();
      expect((await app.delivery.outbox.status(key(waiting, 2, KOELN_HEAD)))?.total).toBe(1);
      now = new Date('2026-12-11T08:00:00Z'); // six working days: the maximum of 2 was reached
      await app.jobs.runDue();
      expect(await app.delivery.outbox.status(key(waiting, 3, KOELN_HEAD))).toBeUndefined();
      expect(await app.delivery.outbox.status(key(answered, 1, KOELN_HEAD))).toBeUndefined();
    } finally {
      now = new Date('2026-12-01T09:00:00Z');
    }
  });
});
