import type { CircleDoc, MeetingDoc, TopicDoc } from '../../services/circle/model';
import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, user, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { KFI_LEAD, KOELN_IB } from '../support/circle';
import { startTestApp, type TestApp } from '../support/testApp';
import { inputValue } from '../support/cardParse';

/**
 * The privacy guard on every form over HTTP: free text naming a third person with an Art. 9 category (here
 * "Herr Ahmadi aus Syrien ist schwer krank") is refused, nothing is stored or logged, the reply names the field and
 * why, and the card comes back with what the person typed.
 */
const SECRET = 'Herr Ahmadi aus Syrien ist schwer krank.';
const STAFF = user({ name: 'Erika Sachbearbeiterin (Beispiel)' });
const STAFF_EN = user({ name: 'Edna English (Beispiel)', locale: 'en-US' });

type InvokeBody = { statusCode: number; type: string; value: any };
const json = (v: unknown) => JSON.stringify(v);

jest.setTimeout(60_000);

describe('the privacy guard on forms', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  // Tuesday, 1 December 2026, 10:00 in Berlin.
  const now = new Date('2026-12-01T09:00:00Z');

  const items = () => database.store<ItemDoc>(CONTAINERS.items).query<ItemDoc>({ query: 'SELECT * FROM c' });
  const circleDocs = (type: string) => database.store<CircleDoc>(CONTAINERS.circle).query<CircleDoc>({ query: 'SELECT * FROM c WHERE c.type = @t', parameters: [{ name: '@t', value: type }] });

  async function invoke(verb: string, data: Record<string, unknown>, from: TeamsUser): Promise<InvokeBody> {
    const res = await app.post(teams.cardAction(verb, data, { from }));
    expect(res.status).toBe((res.body as InvokeBody).statusCode);
    return res.body as InvokeBody;
  }

  /** Nothing of the refused text in any stored document or log line. */
  async function nothingKept(): Promise<void> {
    const everything = json([await items(), await database.store<CircleDoc>(CONTAINERS.circle).query({ query: 'SELECT * FROM c' })]);
    expect(everything).not.toContain('Ahmadi');
    expect(app.logs.raw.join('\n')).not.toContain('Ahmadi');
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'privacy-guard-test' });
    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [STAFF, STAFF_EN, KOELN_IB, KFI_LEAD]) await app.post(teams.installationUpdate('add', { from: p }));
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  const form = { authority: 'koeln', category: 'beratung', subject: 'Beratung zu einem Einzelfall (Beispiel)', description: SECRET };

  describe('Anliegen and Vortrag', () => {
    it('refuses an Anliegen whose description names a person with origin and health, stores nothing, names the field and keeps the input', async () => {
      const before = (await items()).length;
      const body = await invoke('request.submit', form, STAFF);
      expect(body.statusCode).toBe(200);
      const card = body.value;
      expect(json(card)).toContain('"verb":"request.submit"');
      expect(json(card)).toContain('Bitte prüfen: Beschreibung enthält personenbezogene Daten Dritter (Herkunft, Staatsangehörigkeit oder Aufenthaltsstatus, Gesundheit).');
      expect(json(card)).toContain('Nichts wurde gespeichert');
      expect(inputValue(card, 'subject')).toBe(form.subject);
      expect(inputValue(card, 'description')).toBe(SECRET);
      expect(inputValue(card, 'authority')).toBe('koeln');
      expect((await items()).length).toBe(before);
      await nothingKept();
    });

    it('says the same in English for an English client', async () => {
      const body = await invoke('request.submit', { ...form, subject: 'Mrs Khan is Muslim', description: 'Advice, please.' }, STAFF_EN);
      expect(json(body.value)).toContain("Please check: Subject contains other people's personal data (religion).");
      expect(json(body.value)).toContain('Nothing was stored');
    });

    it('accepts the same Anliegen without the personal details', async () => {
      const body = await invoke('request.submit', { ...form, description: 'Eine Person aus unserem Dezernat braucht Beratung.' }, STAFF);
      expect(body.statusCode).toBe(200);
      expect(json(body.value)).toContain('"verb":"request.refresh"');
    });

    it('refuses a Rückfrage with such text, leaves the item as it was and refills the text', async () => {
      const created = await invoke('request.submit', { ...form, description: 'Allgemeine Frage zur Beratung.' }, STAFF);
      const id = created.value.refresh.action.data.id as string;
      const body = await invoke('request.act', { id, authority: 'koeln', rev: 1, action: 'ask', text: `Meinen Sie ${SECRET}` }, KOELN_IB);
      expect(json(body.value)).toContain('Text enthält personenbezogene Daten Dritter');
      // An older card's `text` for "ask" comes back in the Rückfrage's own input.
      expect(inputValue(body.value, 'question')).toBe(`Meinen Sie ${SECRET}`);
      expect(await database.store<ItemDoc>(CONTAINERS.items).read('koeln', id)).toMatchObject({ rev: 1, status: 'neu', messages: [] });
      await nothingKept();
    });

    it('refuses a Vortrag whose summary names a person with their religion', async () => {
      const before = (await items()).length;
      const body = await invoke('report.submit', { subject: 'Diskriminierung im Haus (Beispiel)', summary: 'Frau Yilmaz ist Muslima und wird benachteiligt.', urgency: 'normal' }, KOELN_IB);
      expect(json(body.value)).toContain('Zusammenfassung enthält personenbezogene Daten Dritter (Religion)');
      expect(inputValue(body.value, 'subject')).toBe('Diskriminierung im Haus (Beispiel)');
      expect((await items()).length).toBe(before);
    });
  });

  describe('Koordinierungskreis', () => {
    let meetingId: string;

    beforeAll(async () => {
      const res = await invoke(
        'circle.meeting.save',
        { meetingId: '', title: 'Sitzung Januar', date: '2027-01-19', startTime: '10:00', endTime: '12:00', onlineUrl: 'https://teams.example/meet/9', rsvpDeadline: '2027-01-12' },
        KFI_LEAD,
      );
      expect(res.statusCode).toBe(200);
      const [m] = (await circleDocs('meeting')) as MeetingDoc[];
      meetingId = m.pk;
    });

    it('refuses a topic proposal naming a person with origin and health, stores no topic, names the field and refills the inputs', async () => {
      const body = await invoke('circle.topic.propose', { meetingId, topicTitle: 'Ein Einzelfall aus Köln', topicDescription: SECRET, topicPresenter: 'Sabine Schmitz' }, KOELN_IB);
      expect(body.statusCode).toBe(200);
      expect(json(body.value)).toContain('Das Feld „Kurze Beschreibung“ enthält personenbezogene Daten Dritter (Herkunft, Staatsangehörigkeit oder Aufenthaltsstatus, Gesundheit).');
      expect(inputValue(body.value, 'topicTitle')).toBe('Ein Einzelfall aus Köln');
      expect(inputValue(body.value, 'topicDescription')).toBe(SECRET);
      expect(inputValue(body.value, 'topicPresenter')).toBe('Sabine Schmitz');
      expect((await circleDocs('topic')) as TopicDoc[]).toEqual([]);
      await nothingKept();
    });

    it('takes the topic without the personal details (a presenter named on their own is fine)', async () => {
      const body = await invoke('circle.topic.propose', { meetingId, topicTitle: 'Beratung in Einzelfällen', topicPresenter: 'Sabine Schmitz' }, KOELN_IB);
      expect(json(body.value)).toContain('Danke, Ihr Themenvorschlag ist beim KfI.');
      expect(((await circleDocs('topic')) as TopicDoc[]).map((t) => t.title)).toEqual(['Beratung in Einzelfällen']);
    });

    it('refuses minutes that name a person with their sexual orientation, keeping the typed minutes', async () => {
      const minutes = 'TOP 1: Herr Demir ist schwul und wird gemobbt.';
      const body = await invoke('circle.minutes.post', { meetingId, minutes }, KFI_LEAD);
      expect(json(body.value)).toContain('Das Feld „Protokoll“ enthält personenbezogene Daten Dritter (sexuelle Orientierung).');
      expect(inputValue(body.value, 'minutes')).toBe(minutes);
      const meeting = (await database.store<CircleDoc>(CONTAINERS.circle).read(meetingId, 'meeting')) as MeetingDoc;
      expect(meeting.minutes).toBeUndefined();
    });

    it('refuses a meeting whose agenda names a person with their health, storing nothing', async () => {
      const res = await invoke(
        'circle.meeting.save',
        { meetingId: '', title: 'Sondersitzung', date: '2027-02-02', startTime: '10:00', endTime: '11:00', place: 'Zeughausstraße 2, Köln', agendaText: 'Frau Schmitz ist an Krebs erkrankt; Vertretung klären', rsvpDeadline: '2027-01-26' },
        KFI_LEAD,
      );
      expect(json(res.value)).toContain('Das Feld „Tagesordnung“ enthält personenbezogene Daten Dritter (Gesundheit).');
      expect(json(res.value)).toContain('Sondersitzung');
      expect(((await circleDocs('meeting')) as MeetingDoc[]).map((m) => m.title)).toEqual(['Sitzung Januar']);
    });
  });
});
