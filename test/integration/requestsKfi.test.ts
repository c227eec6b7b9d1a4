/**
 * Anliegen to the KfI (RdErl. v. 5.12.2023, Nr. 6) over HTTP, in German and English: the form offers the KfI as
 * recipient to staff and IB alike, the KfI's members receive it and work it like an IB inbox, the requester follows
 * it, and nobody else sees it (not the IB of Arnsberg, whose authority's partition holds it).
 */
import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, user, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

/** Fictitious people of the demo directory. */
const person = (name: string, aad: string, locale = 'de-DE') => user({ name, aadObjectId: aad, locale });
const KFI_LEAD = person('Karla Koordinata (Beispiel)', '00000000-0000-4000-8000-000600000001');
const KFI_CIRCLE = person('Felix Format (Beispiel)', '00000000-0000-4000-8000-000600000002', 'en-US');
const ARNSBERG_IB = person('Erika Mustermann (Beispiel)', '00000000-0000-4000-8000-000100000001');
const ARNSBERG_DEPUTY = person('Max Mustermann (Beispiel)', '00000000-0000-4000-8000-000100000002');
const KOELN_IB_EN = person('Sabine Schmitz (Beispiel)', '00000000-0000-4000-8000-000400000001', 'en-US');
const STAFF = user({ name: 'Erika Sachbearbeiterin' });
const STAFF_EN = user({ name: 'Emma Clerk', locale: 'en-US' });

type InvokeBody = { statusCode: number; type: string; value: any };
const json = (v: unknown) => JSON.stringify(v);
const verbsOf = (card: unknown) => [...json(card).matchAll(/"verb":"([^"]+)"/g)].map((m) => m[1]);

describe('Anliegen to the KfI', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  // Tuesday, 1 December 2026, 10:00 in Berlin.
  const now = new Date('2026-12-01T09:00:00Z');

  const read = async (id: string) => (await database.store<ItemDoc>(CONTAINERS.items).read('arnsberg', id))!;

  async function invoke(verb: string, data: Record<string, unknown>, from: TeamsUser): Promise<InvokeBody> {
    const res = await app.post(teams.cardAction(verb, data, { from }));
    expect(res.status).toBe((res.body as InvokeBody).statusCode);
    return res.body as InvokeBody;
  }

  async function say(text: string, from: TeamsUser): Promise<ConnectorCall> {
    expect((await app.post(teams.message(text, { from }))).status).toBe(200);
    return emulator.waitFor((c) => c.operation === 'reply' && (c.activity?.recipient as { id?: string } | undefined)?.id === from.id && !!c.activity?.attachments?.length);
  }

  async function delivered(key: string): Promise<void> {
    await app.delivery.relay.whenIdle();
    await app.delivery.whenIdle();
    const status = await app.delivery.outbox.status(key);
    expect(status).toMatchObject({ total: 1, delivered: 1 });
  }

  /** The text of the message sent under a notification key (from what the channel received). */
  async function sentText(key: string, contains: string): Promise<string> {
    await delivered(key);
    const call = emulator.calls.find((c) => c.operation !== 'update' && (c.activity?.text ?? '').includes(contains));
    expect(call).toBeDefined();
    return call!.activity!.text!;
  }

  /** The invoke response of the latest submission: the requester's own card. */
  let submitted: InvokeBody;
  async function submit(from: TeamsUser, fields: Record<string, unknown>): Promise<ItemDoc> {
    const body = (submitted = await invoke('request.submit', { authority: 'kfi', category: 'beratung', description: 'Wie gehen andere Bezirksregierungen damit um?', ...fields }, from));
    expect(body.statusCode).toBe(200);
    return read(body.value.refresh.action.data.id as string);
  }

  const act = (item: ItemDoc, verb: string, from: TeamsUser, data: Record<string, unknown> = {}) => invoke(`request.${verb}`, { id: item.id, authority: item.authority, rev: item.rev, ...data }, from);

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'requests-kfi-test' });
    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [STAFF, STAFF_EN, KFI_LEAD, KFI_CIRCLE, ARNSBERG_IB, ARNSBERG_DEPUTY, KOELN_IB_EN]) await app.post(teams.installationUpdate('add', { from: p }));
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  it('offers the KfI as recipient on the form, beside the IB of each Bezirksregierung, in German and English', async () => {
    const de = await invoke('request.start', { authority: '', category: 'beratung' }, STAFF);
    expect(json(de.value)).toContain('"label":"An"');
    expect(json(de.value)).toContain('{"title":"Kompetenzzentrum für Integration (KfI)","value":"kfi"}');
    expect(json(de.value)).toContain('{"title":"IB der Bezirksregierung Köln","value":"koeln"}');
    const en = await invoke('request.start', { authority: 'kfi', category: 'information' }, STAFF_EN);
    expect(json(en.value)).toContain('{"title":"Competence Centre for Integration (KfI)","value":"kfi"}');
    // A button that preselects the KfI ("Anliegen an das KfI") keeps it chosen; it grants nothing.
    expect(json(en.value)).toContain('"value":"kfi"');
  });

  it('staff → KfI (German): both KfI members get the card, one takes it over and answers, the requester sees the answer', async () => {
    emulator.reset();
    const item = await submit(STAFF, { subject: 'Förderung für Integrationskurse (Beispiel)' });
    expect(item).toMatchObject({ authority: 'arnsberg', recipient: 'kfi', status: 'neu', rev: 1 });
    expect([...item.cardsTo].sort()).toEqual([KFI_LEAD.aadObjectId, KFI_CIRCLE.aadObjectId]);
    // The requester's own card says where it went and that there is nothing to do for now.
    expect(json(submitted.value)).toContain('Gesendet. Das KfI ist benachrichtigt; Sie sehen hier jeden weiteren Schritt.');
    expect(json(submitted.value)).toContain('Sie müssen nichts tun: das KfI bearbeitet Ihr Anliegen.');
    await delivered(`item:${item.id}:card:${KFI_LEAD.aadObjectId}`);
    await delivered(`item:${item.id}:card:${KFI_CIRCLE.aadObjectId}`);
    // Not the IB of Arnsberg nor the deputy: the KfI's requests are the KfI's.
    expect(await app.delivery.outbox.status(`item:${item.id}:card:${ARNSBERG_IB.aadObjectId}`)).toBeUndefined();
    expect(await app.delivery.outbox.status(`item:${item.id}:card:${ARNSBERG_DEPUTY.aadObjectId}`)).toBeUndefined();
    const posted = emulator.calls.find((c) => json(c.activity).includes(item.id) && json(c.activity).includes('Anliegen an das Kompetenzzentrum für Integration (KfI)'));
    expect(verbsOf(posted?.activity?.attachments?.[0]?.content)).toEqual(expect.arrayContaining(['request.accept', 'request.answer', 'request.ask', 'request.done']));
    // No "Vortrag daraus machen": that is the Arnsberg IB's right to report to their own head.
    expect(verbsOf(posted?.activity?.attachments?.[0]?.content)).not.toContain('report.start');

    // The KfI's inbox lists it; the IB of Arnsberg's does not.
    expect(json((await say('Offene Vorgänge', KFI_LEAD)).activity)).toContain('Förderung für Integrationskurse (Beispiel)');
    expect(json((await say('Offene Vorgänge', ARNSBERG_IB)).activity)).not.toContain('Förderung für Integrationskurse (Beispiel)');

    expect((await act(item, 'accept', KFI_LEAD)).statusCode).toBe(200);
    const accepted = await read(item.id);
    expect(accepted).toMatchObject({ status: 'in_bearbeitung', handler: { aadObjectId: KFI_LEAD.aadObjectId } });
    expect(await sentText(`item:${item.id}:r2:requester`, 'Förderung für Integrationskurse')).toBe('Ihr Anliegen „Förderung für Integrationskurse (Beispiel)“: In Bearbeitung.');

    const answered = await act(accepted, 'answer', KFI_LEAD, { answer: 'Die Landesförderung läuft über das KfI; der Aufruf erscheint im Januar.' });
    expect(answered.statusCode).toBe(200);
    const mine = await invoke('request.refresh', { id: item.id, authority: 'arnsberg' }, STAFF);
    expect(mine.statusCode).toBe(200);
    expect(json(mine.value)).toContain('Die Landesförderung läuft über das KfI; der Aufruf erscheint im Januar.');
    expect(json(mine.value)).toContain('Anliegen an das Kompetenzzentrum für Integration (KfI) · Bezirksregierung Arnsberg');
    expect(json(mine.value)).toContain('Karla Koordinata (Beispiel)');

    // The other member may close it: the KfI works it as a team.
    expect((await act(await read(item.id), 'done', KFI_CIRCLE)).statusCode).toBe(200);
    expect((await read(item.id)).status).toBe('erledigt');
  });

  it('an IB → KfI (English): the other KfI member answers in English, the IB sees it and is told in English', async () => {
    emulator.reset();
    const item = await submit(KOELN_IB_EN, { subject: 'Advice on a municipal network (example)', description: 'How do other districts involve the municipal commissioners?' });
    expect(item).toMatchObject({ recipient: 'kfi', createdBy: { aadObjectId: KOELN_IB_EN.aadObjectId, lang: 'en' } });
    expect(json(submitted.value)).toContain('Sent. The KfI has been notified; you will see every further step here.');
    expect(json(submitted.value)).toContain('Nothing to do for you: the KfI is working on your request.');
    // Sending it to the KfI makes the IB a requester there, not a handler.
    expect((await act(item, 'accept', KOELN_IB_EN)).statusCode).toBe(403);

    const answered = await act(item, 'answer', KFI_CIRCLE, { answer: 'We suggest the quarterly exchange of the Koordinierungskreis.' });
    expect(answered.statusCode).toBe(200);
    expect(json(answered.value)).toContain('Request to the Competence Centre for Integration (KfI)');
    expect(await sentText(`item:${item.id}:r2:requester`, 'Advice on a municipal network')).toBe('Your request "Advice on a municipal network (example)": In progress.');
    const ib = await invoke('request.refresh', { id: item.id, authority: 'arnsberg' }, KOELN_IB_EN);
    expect(json(ib.value)).toContain('We suggest the quarterly exchange of the Koordinierungskreis.');
    expect(verbsOf(ib.value)).toEqual(['request.refresh', 'request.trail']);
  });

  describe('refusals', () => {
    it('refuses the IB of Arnsberg (not a member of the KfI) politely, in German and English, and changes nothing', async () => {
      const item = await submit(STAFF, { subject: 'Nur für das KfI (Beispiel)' });
      const logged = app.logs.lines.filter((l) => l.event === 'requests.refused').length;
      for (const verb of ['accept', 'done']) {
        const body = await act(item, verb, ARNSBERG_IB);
        expect(body.statusCode).toBe(403);
        expect(json(body.value)).toContain('Das dürfen Sie bei diesem Vorgang nicht. Es wurde nichts geändert.');
      }
      const answer = await act(item, 'answer', ARNSBERG_IB, { answer: 'Eingemischt' });
      expect(answer.statusCode).toBe(403);
      // Need to know: the IB of Arnsberg does not even see it, and neither does another member of staff.
      expect((await invoke('request.refresh', { id: item.id, authority: 'arnsberg' }, ARNSBERG_IB)).statusCode).toBe(403);
      expect((await invoke('request.refresh', { id: item.id, authority: 'arnsberg' }, STAFF_EN)).statusCode).toBe(403);
      const en = await act(item, 'accept', person('Max Mustermann (Beispiel)', ARNSBERG_DEPUTY.aadObjectId, 'en-US'));
      expect(en.statusCode).toBe(403);
      expect(json(en.value)).toContain('You may not do this on this item. Nothing was changed.');
      expect(await read(item.id)).toMatchObject({ rev: 1, status: 'neu', messages: [] });
      expect(app.logs.lines.filter((l) => l.event === 'requests.refused').length).toBe(logged + 6);
      expect(app.logs.raw.join('\n')).not.toContain('Nur für das KfI (Beispiel)');
      // Nor can the IB of Arnsberg carry it into a Vortrag to their head.
      expect((await invoke('report.submit', { authority: 'arnsberg', subject: 'X', summary: 'Y', linkedRequestId: item.id }, ARNSBERG_IB)).statusCode).toBe(404);
    });

    it.each([
      ['de', STAFF, '"Das Datum liegt in der Vergangenheit: bitte wählen Sie ein Datum ab heute.","wrap":true,"color":"Attention"', 'Nichts wurde gesendet'],
      ['en', STAFF_EN, '"The date is in the past: please choose today or a later date.","wrap":true,"color":"Attention"', 'Nothing was sent'],
    ])('refuses a Frist in the past (%s) at its field, keeps what was typed, and stores nothing', async (_lang, from, atField, top) => {
      const count = async () => (await database.store<ItemDoc>(CONTAINERS.items).query({ query: 'SELECT * FROM c WHERE c.recipient = "kfi"' })).length;
      const before = await count();
      const body = await invoke('request.submit', { authority: 'kfi', category: 'beratung', subject: 'Zu spät (Beispiel)', description: 'D', deadline: '2026-11-30' }, from);
      expect(body.statusCode).toBe(200);
      expect(json(body.value)).toContain(atField);
      expect(json(body.value)).toContain(top);
      expect(json(body.value)).toContain('Zu spät (Beispiel)');
      expect(json(body.value)).toContain('"value":"kfi"');
      expect(verbsOf(body.value)).toEqual(['request.submit']);
      expect(await count()).toBe(before);
    });
  });
});
