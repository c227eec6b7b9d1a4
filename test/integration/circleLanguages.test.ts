import type { PollDoc } from '../../services/circle/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, personalConversationId, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { KFI_LEAD, KOELN_IB, acceptedPosts, eventually, lastSeq } from '../support/circle';
import { startTestApp, type TestApp } from '../support/testApp';

// Tuesday, 1 December 2026, 10:00 in Berlin.
const now = new Date('2026-12-01T09:00:00Z');

jest.setTimeout(60_000);

/** The activity a post or update carried (a post that opened the chat carries it inside the conversation it created). */
const activityOf = (call: ConnectorCall) => (call.activity ?? (call.body as { activity?: ConnectorCall['activity'] } | undefined)?.activity)!;
const cardOf = (call: ConnectorCall) => JSON.stringify(activityOf(call).attachments);

describe('the circle posts its poll card in each member’s language', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'circle-language-test' });
    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  it('gives an English-locale member the English card and summary, a German member the German one, and closing the poll updates both cards', async () => {
    const members = await app.circle.members();
    expect(members.map((m) => m.aadObjectId)).toEqual(expect.arrayContaining([KFI_LEAD.aadObjectId, KOELN_IB.aadObjectId]));
    // Every member has the app; Sabine Schmitz uses Teams in English (the bot learns it from her message).
    for (const m of members) await app.post(teams.installationUpdate('add', { from: user({ name: m.name, aadObjectId: m.aadObjectId }) }));
    expect((await app.post(teams.message('Hilfe', { from: KFI_LEAD }))).status).toBe(200);
    expect((await app.post(teams.message('help', { from: KOELN_IB, locale: 'en-US' }))).status).toBe(200);
    await app.delivery.whenIdle();

    const mark = lastSeq(emulator);
    const created = await app.post(
      teams.cardAction('circle.poll.create', { title: 'Sitzung Januar', place: 'Arnsberg', duration: '120', slot1Date: '2027-01-12', slot1Time: '10:00', slot2Date: '2027-01-13', slot2Time: '14:00' }, { from: KFI_LEAD }),
    );
    expect(created.body.statusCode).toBe(200);
    await eventually(() => acceptedPosts(emulator, mark).size === members.length);
    const posts = acceptedPosts(emulator, mark);
    const [english, ...moreEnglish] = posts.get(personalConversationId(KOELN_IB.id)) ?? [];
    const [german, ...moreGerman] = posts.get(personalConversationId(KFI_LEAD.id)) ?? [];
    expect([moreEnglish, moreGerman]).toEqual([[], []]);
    expect(activityOf(english).summary).toBe('Date poll: Sitzung Januar');
    expect(cardOf(english)).toContain('Please say for each date whether it suits you.');
    expect(cardOf(english)).not.toContain('Bitte geben Sie');
    expect(activityOf(german).summary).toBe('Terminumfrage: Sitzung Januar');
    expect(cardOf(german)).toContain('Bitte geben Sie für jeden Termin an, ob er Ihnen passt.');

    const [poll] = await database.store<PollDoc>(CONTAINERS.circle).query<PollDoc>({ query: 'SELECT * FROM c WHERE c.type = "poll"' });
    const closing = lastSeq(emulator);
    const closed = await app.post(teams.cardAction('circle.poll.close', { pollId: poll.pk, slotId: 's2', rsvpDeadline: '2027-01-08' }, { from: KFI_LEAD }));
    expect(closed.body.statusCode).toBe(200);
    // Each posted card is replaced in place, in the language it was posted in.
    const updateOf = (post: ConnectorCall) => emulator.calls.find((c) => c.seq > closing && c.operation === 'update' && c.status < 300 && c.activityId === post.createdActivityId);
    await eventually(() => !!updateOf(english) && !!updateOf(german));
    expect(activityOf(updateOf(english)!).summary).toBe('Date poll: Sitzung Januar');
    expect(cardOf(updateOf(english)!)).toContain('The poll is closed.');
    expect(cardOf(updateOf(german)!)).toContain('Die Umfrage ist abgeschlossen.');
    await eventually(() => emulator.calls.filter((c) => c.seq > closing && c.operation === 'update' && c.status < 300).length === members.length);
  });
});
