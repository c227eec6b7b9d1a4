import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

/** Fictitious people of the demo directory. */
const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001' });
const STAFF = user({ name: 'Erika Sachbearbeiterin' });
const STAFF_EN = user({ name: 'Erin Clerk', locale: 'en-US' });

const ROOM_DE = 'Das geht nur im persönlichen Chat mit dem Integrations-Lotsen';
const ROOM_EN = 'This works only in your personal chat with Integrations-Lotse';

describe('personal and IB commands answer only in the personal chat', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  let item: ItemDoc;
  const now = new Date('2026-11-24T09:00:00Z');

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'personal-only-test' });
    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [STAFF, STAFF_EN, KOELN_IB]) await app.post(teams.installationUpdate('add', { from: p }));
    // One request in the Köln inbox, so that every list below would have something personal to show.
    const res = await app.post(
      teams.cardAction('request.submit', { authority: 'koeln', category: 'beratung', subject: 'Vertrauliches Thema (Beispiel)', description: 'Nur für die IB.' }, { from: STAFF }),
    );
    expect(res.status).toBe(200);
    const id = (res.body as { value: { refresh: { action: { data: { id: string } } } } }).value.refresh.action.data.id;
    item = (await database.store<ItemDoc>(CONTAINERS.items).read('koeln', id))!;
    // The IB's card goes out through the outbox; wait until it has arrived, so that later turns are alone on the wire.
    await emulator.waitFor((c) => c.operation === 'send' && JSON.stringify(c.activity).includes(id));
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  // What each command would show in the personal chat: someone's requests, an inbox, data, questions.
  const commands: Array<[string, typeof STAFF]> = [
    ['Meine Anliegen', STAFF],
    ['Meine Daten', STAFF],
    ['Offene Vorgänge', KOELN_IB],
    ['Vorträge', KOELN_IB],
    ['Export', KOELN_IB],
    ['Unbeantwortete Fragen', KOELN_IB],
    ['Anliegen', STAFF],
    ['Koordinierungskreis', STAFF],
    ['Meine Angaben', KOELN_IB],
    ['Meine Daten löschen', STAFF],
  ];

  it.each(['groupChat', 'channel'] as const)('in a %s, each personal command gets one polite pointer to the personal chat and nothing personal', async (scope) => {
    expect(commands.length).toBeGreaterThan(0);
    for (const [text, from] of commands) {
      emulator.reset();
      const res = await app.post(teams.message(text, { from, scope }));
      expect(res.status).toBe(200);
      // The turn's replies are posted before the HTTP response returns, and anything it enqueued has gone out once the
      // outbox is idle: what arrived in the room then is all it said there.
      await app.delivery.whenIdle();
      const room = (JSON.parse(JSON.stringify(teams.message('x', { from, scope }))) as { conversation: { id: string } }).conversation.id;
      const said = emulator.calls.filter((c) => c.operation === 'reply' || c.conversationId === room);
      expect(said).toHaveLength(1);
      const body = JSON.stringify(said[0].activity);
      expect(said[0].activity?.text).toContain(ROOM_DE);
      expect(said[0].activity?.attachments ?? []).toHaveLength(0);
      expect(body).not.toContain(item.id);
      expect(body).not.toContain('Vertrauliches Thema');
    }
  });

  it('says so in English to an English Teams client', async () => {
    emulator.reset();
    expect((await app.post(teams.message('My requests', { from: STAFF_EN, scope: 'groupChat' }))).status).toBe(200);
    await app.delivery.whenIdle();
    const said = emulator.calls.filter((c) => c.operation === 'reply' || c.operation === 'send');
    expect(said).toHaveLength(1);
    expect(said[0].activity?.text).toContain(ROOM_EN);
  });

  it('still answers the same command in the personal chat', async () => {
    emulator.reset();
    expect((await app.post(teams.message('Offene Vorgänge', { from: KOELN_IB }))).status).toBe(200);
    const said = emulator.calls.filter((c) => c.operation === 'reply');
    expect(said).toHaveLength(1);
    expect(JSON.stringify(said[0].activity)).toContain('Vertrauliches Thema');
  });

  it('refuses a card action on a request in a room with 403, and the request is unchanged', async () => {
    const body = { id: item.id, authority: 'koeln', rev: item.rev };
    const res = await app.post(teams.cardAction('request.accept', body, { from: KOELN_IB, scope: 'channel' }));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, value: { code: 'PersonalChatOnly' } });
    expect(JSON.stringify(res.body)).toContain(ROOM_DE);
    const stored = await database.store<ItemDoc>(CONTAINERS.items).read('koeln', item.id);
    expect(stored).toMatchObject({ status: 'neu', rev: item.rev });

    const refresh = await app.post(teams.cardAction('request.refresh', { id: item.id, authority: 'koeln' }, { from: KOELN_IB, scope: 'groupChat' }));
    expect(refresh.status).toBe(403);
    expect(JSON.stringify(refresh.body)).not.toContain('Vertrauliches Thema');
  });

  it('answers an invoke it does not support with a fixed body that does not echo the invoke name', async () => {
    const unknown = { ...teams.cardAction('x', {}, { from: STAFF }), name: 'composeExtension/<script>x</script>' };
    const res = await app.post(unknown);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'UnsupportedInvoke' });
  });

  it('answers a question that would open the request form in a room with the plain answer, not the form', async () => {
    emulator.reset();
    expect((await app.post(teams.message('Ich möchte ein Anliegen an die IB senden', { from: STAFF, scope: 'groupChat' }))).status).toBe(200);
    await app.delivery.whenIdle();
    const said = emulator.calls.filter((c) => c.operation === 'reply' || c.operation === 'send');
    expect(said.length).toBeGreaterThan(0);
    expect(JSON.stringify(said.map((c) => c.activity))).not.toContain('request.submit');
  });
});
