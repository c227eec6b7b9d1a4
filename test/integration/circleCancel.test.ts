import type { CircleDoc, MeetingDoc } from '../../services/circle/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { DocumentStore } from '../../services/storage/documentStore';
import { activityBuilders, user, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { KFI_LEAD, KOELN_IB, acceptedPosts, acceptedUpdates, eventually, lastSeq } from '../support/circle';
import { startTestApp, type TestApp } from '../support/testApp';
import { inputValue } from '../support/cardParse';

// Tuesday, 1 December 2026, 10:00 in Berlin.
const now = new Date('2026-12-01T09:00:00Z');
const REASON = 'Der Sitzungssaal ist wegen eines Wasserschadens gesperrt. Ein neuer Termin folgt.';
/** A reason naming a person with her health: the privacy guard refuses it, as it refuses it in every circle text. */
const SENSITIVE = 'Frau Schmitz ist an Krebs erkrankt, deshalb entfällt die Sitzung.';

jest.setTimeout(60_000);

type InvokeBody = { statusCode: number; type: string; value: any };
/** The activity a post carried (a post that opened the chat carries it inside the conversation it created). */
const activityOf = (call: ConnectorCall) => (call.activity ?? (call.body as { activity?: ConnectorCall['activity'] } | undefined)?.activity)!;

describe('the KfI cancels a meeting for a reason', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  let store: DocumentStore<CircleDoc>;
  let meetingId: string;

  const invoke = async (data: Record<string, unknown>, from: TeamsUser = KFI_LEAD): Promise<InvokeBody> =>
    (await app.post(teams.cardAction('circle.meeting.cancel', data, { from }))).body as InvokeBody;
  const stored = async () => (await store.read(meetingId, 'meeting')) as MeetingDoc;

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'circle-cancel-test' });
    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    store = database.store<CircleDoc>(CONTAINERS.circle);
    // Every member has the app; Sabine Schmitz uses Teams in English (the bot learns it from her message).
    for (const m of await app.circle.members()) await app.post(teams.installationUpdate('add', { from: user({ name: m.name, aadObjectId: m.aadObjectId }) }));
    expect((await app.post(teams.message('Hilfe', { from: KFI_LEAD }))).status).toBe(200);
    expect((await app.post(teams.message('help', { from: KOELN_IB, locale: 'en-US' }))).status).toBe(200);
    const announced = await app.post(
      teams.cardAction(
        'circle.meeting.save',
        { meetingId: '', title: 'Sitzung März (Beispiel)', date: '2027-03-09', startTime: '10:00', endTime: '12:00', place: 'Arnsberg, Raum 214 (Beispiel)', rsvpDeadline: '2027-03-02' },
        { from: KFI_LEAD },
      ),
    );
    expect(announced.body.statusCode).toBe(200);
    const [m] = await store.query<MeetingDoc>({ query: 'SELECT * FROM c WHERE c.type = "meeting"' });
    meetingId = m.pk;
    await app.delivery.whenIdle();
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  /** The meeting as announced: scheduled, first revision, nothing owed to anyone, no cancellation notice in the outbox. */
  async function unchanged(): Promise<void> {
    expect(await stored()).toMatchObject({ status: 'scheduled', revision: 1 });
    expect((await stored()).cancelReason).toBeUndefined();
    expect((await stored()).pending ?? []).toEqual([]);
    expect(await app.delivery.outbox.status(`circle:meeting:${meetingId}:cancelled:r2`)).toBeUndefined();
  }

  it('refuses a cancellation without a reason with the field’s sentence, and changes nothing', async () => {
    for (const data of [{ meetingId }, { meetingId, cancelReason: '' }, { meetingId, cancelReason: '  \n ' }]) {
      const body = await invoke(data);
      expect(body.statusCode).toBe(200);
      expect(JSON.stringify(body.value)).toContain('Bitte geben Sie einen Grund für die Absage an. Alle Mitglieder erhalten ihn mit der Absage.');
    }
    await unchanged();
  });

  it('refuses a reason naming a person with her health, as every circle text is guarded: the field is named, the text kept in the input, nothing stored or logged', async () => {
    const body = await invoke({ meetingId, cancelReason: SENSITIVE });
    expect(body.statusCode).toBe(200);
    expect(JSON.stringify(body.value)).toContain('Das Feld „Grund der Absage“ enthält personenbezogene Daten Dritter (Gesundheit).');
    expect(inputValue(body.value, 'cancelReason')).toBe(SENSITIVE);
    await unchanged();
    expect(JSON.stringify(await store.query({ query: 'SELECT * FROM c' }))).not.toContain('Krebs');
    expect(app.logs.raw.join('\n')).not.toContain('Krebs');
  });

  it('answers a malformed payload with 400 and a clear message, and anyone but the KfI with 403, changing nothing', async () => {
    for (const data of [{ meetingId, cancelReason: 42 }, { meetingId, cancelReason: 'x'.repeat(2001) }, { meetingId: '../x', cancelReason: REASON }]) {
      const body = await invoke(data);
      expect(body.statusCode).toBe(400);
      expect(body.value.message).toBe('Diese Aktion konnte nicht ausgeführt werden: Die Karte ist veraltet oder unvollständig. Bitte öffnen Sie sie neu.');
    }
    const forged = await invoke({ meetingId, cancelReason: REASON }, KOELN_IB);
    expect(forged.statusCode).toBe(403);
    await unchanged();
  });

  it('cancels with the reason: the card shows it, every posted card follows, and each member is told once with the reason in their language', async () => {
    const members = await app.circle.members();
    const mark = lastSeq(emulator);
    const body = await invoke({ meetingId, cancelReason: `  ${REASON} ` });
    expect(body.statusCode).toBe(200);
    expect(JSON.stringify(body.value)).toContain(`Abgesagt: ${REASON}`);
    expect(await stored()).toMatchObject({ status: 'cancelled', cancelReason: REASON, revision: 2 });

    const notices = () => [...acceptedPosts(emulator, mark).values()].flat().map((c) => String(activityOf(c).text ?? ''));
    await eventually(() => notices().length === members.length && acceptedUpdates(emulator, mark) === members.length);
    const german = notices().filter((t) => t === `Abgesagt: „Sitzung März (Beispiel)“ am Di., 09.03.2027, 10:00 Uhr findet nicht statt. Grund: ${REASON}`);
    const english = notices().filter((t) => t === `Cancelled: "Sitzung März (Beispiel)" on Tue 9 Mar 2027, 10:00 will not take place. Reason: ${REASON}`);
    expect([german.length, english.length]).toEqual([members.length - 1, 1]);
    const updates = emulator.calls.filter((c) => c.seq > mark && c.operation === 'update' && c.status < 300).map((c) => JSON.stringify(activityOf(c).attachments));
    expect(updates.filter((u) => u.includes(`Abgesagt: ${REASON}`))).toHaveLength(members.length - 1);
    expect(updates.filter((u) => u.includes(`Cancelled: ${REASON}`))).toHaveLength(1);

    // A second click changes nothing and tells nobody again; the first reason stays.
    const again = await invoke({ meetingId, cancelReason: 'Ein anderer Grund' });
    expect(again.statusCode).toBe(200);
    await app.delivery.whenIdle();
    expect(notices()).toHaveLength(members.length);
    expect(await stored()).toMatchObject({ cancelReason: REASON, revision: 2 });
  });
});
