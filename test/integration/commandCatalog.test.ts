import { COMMAND_CATALOG, MAX_COMMANDS_PER_SCOPE, type CommandScope } from '../../bot/commandCatalog';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

const isSend = (c: ConnectorCall) => c.operation === 'reply' || c.operation === 'send';
const WIRE_SCOPE: Record<CommandScope, 'personal' | 'channel' | 'groupChat'> = { personal: 'personal', team: 'channel', groupChat: 'groupChat' };
/** The app's clock (absences, the next meeting): Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');

/** Every suggestion the manifest shows in Teams must do what it says when the user picks it. */
it('keeps every scope list within the 10 commands Teams shows', () => {
  for (const scope of ['personal', 'team', 'groupChat'] as const) {
    expect(COMMAND_CATALOG.filter((c) => c.scopes.includes(scope)).length).toBeLessThanOrEqual(MAX_COMMANDS_PER_SCOPE);
  }
});

describe('the commands listed in the app manifest', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  beforeAll(async () => {
    emulator = await startChannelEmulator({ unknownMembers: 'notFound' });
    database = await openDatabase({ databaseId: 'command-catalog-test' });
    app = await startTestApp({}, { database, now: () => NOW });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  const cases = COMMAND_CATALOG.flatMap((entry) =>
    entry.scopes.flatMap((scope) =>
      (['de', 'en'] as const).map((lang) => ({ entry, scope, lang, title: entry[lang].title })),
    ),
  );

  it.each(cases)('"$title" ($scope, $lang) is handled by $entry.handledBy', async ({ entry, scope, lang, title }) => {
    emulator.reset();
    const from = user({ name: `Katalog ${lang}`, locale: lang === 'de' ? 'de-DE' : 'en-US' });
    const text = scope === 'personal' ? title : `<at>Integrations-Lotse</at> ${title}`;
    const activity = teams.message(text, { from, scope: WIRE_SCOPE[scope] });
    const res = await app.post(activity);
    expect(res.status).toBe(200);
    await emulator.waitFor(isSend);
    const answered = app.logs.lines.some((l) => l.event === 'answer' && l.activityId === activity.id);
    // A command never reaches the answer engine; an example question must be answered by it, and not as out of scope.
    expect(answered).toBe(entry.handledBy === 'question');
    const command = app.logs.lines.find((l) => l.event === 'command' && l.activityId === activity.id);
    expect(command?.command).toBe(entry.handledBy === 'question' ? undefined : entry.handledBy);
    if (entry.handledBy === 'question') {
      const line = app.logs.lines.find((l) => l.event === 'answer' && l.activityId === activity.id)!;
      expect(line.intent).not.toBe('out_of_scope');
    }
  });
});
