import type { PollDoc } from '../../services/circle/model';
import type { DeliveryReport } from '../../services/notifications/reach';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { UserProfile } from '../../services/users/userProfiles';
import { texts } from '../../bot/texts';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, user, type TeamsUser } from '../support/activities';
import { OFFLINE_OUTBOUND_TOKEN, OfflineCredentialsFactory, testModeAuthEnv } from '../support/authConfig';
import { readVisible } from '../support/cardReading';
import { startChannelEmulator, type ChannelEmulator, type ConnectorActivity, type ConnectorCall } from '../support/channelEmulator';
import { KFI_LEAD, eventually, guest, lastSeq, ok } from '../support/circle';
import { startGraphStandIn, type GraphStandIn } from '../support/graphStandIn';
import { startTestApp, type TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/**
 * A date poll to a circle of 12, of whom 6 have the app (issue 15), over HTTP: the bot with its real Graph adapter
 * against the Graph stand-in, and the strict Teams stand-in, which opens no personal chat with a person without the app.
 * With the installation permission the bot installs the app for the other 6 and the poll reaches all 12; without it,
 * the KfI's card names who was not reached. When Graph installs the app, the stand-in's hook sends the bot Teams'
 * `installationUpdate` add for that person, as real Teams does, possibly before Graph's answer reaches the bot.
 */

const APP_ID = DEFAULT_BOT_APP_ID;
const INSTALL = 'TeamsAppInstallation.ReadWriteSelfForUser.All';
// Tuesday, 1 December 2026, 10:00 in Berlin.
const START = new Date('2026-12-01T09:00:00Z');
const CIRCLE_SIZE = 12;
const POLL_SUMMARY = 'Terminumfrage: Sitzung Januar';

jest.setTimeout(120_000);

/** The activity a post carried (a post that opened the chat carries it inside the conversation it created). */
const activityOf = (call: ConnectorCall): ConnectorActivity => (call.activity ?? (call.body as { activity?: ConnectorActivity } | undefined)?.activity) ?? {};
const cardContent = (a: ConnectorActivity) => a.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content as Record<string, unknown> | undefined;
const visibleText = (card: unknown) => readVisible((card ?? {}) as Record<string, unknown>).texts.map((t) => t.text).join('\n');
const isPollCard = (a: ConnectorActivity) => a.summary === POLL_SUMMARY && cardContent(a) !== undefined;
const isWelcomeCard = (a: ConnectorActivity) => JSON.stringify(cardContent(a) ?? {}).includes(texts.de.welcome.title);
const personalChatOf = (person: TeamsUser) => personalConversationId(person.id, APP_ID);

/** One tenant: the token issuer, Teams, Graph (with or without the installation permission) and the bot. */
async function startTenant(databaseId: string, permissions: string[]) {
  const issuer: TokenIssuer = await startTokenIssuer({ appId: APP_ID, endorsements: ['msteams'] });
  const emulator: ChannelEmulator = await startChannelEmulator({ expectedAuthorization: `Bearer ${OFFLINE_OUTBOUND_TOKEN}` });
  const graph: GraphStandIn = await startGraphStandIn({ clientId: APP_ID, tenantId: DEFAULT_TENANT_ID, permissions });
  const database: AppDatabase = await openDatabase({ databaseId });
  const app: TestApp = await startTestApp(
    { ...graph.env(), GRAPH_TEAMS_CATALOG_APP_ID: graph.catalogApp.id, HOST: '127.0.0.1', ...testModeAuthEnv({ appId: APP_ID, issuer, tenantId: DEFAULT_TENANT_ID }) },
    { database, credentialsFactory: new OfflineCredentialsFactory(APP_ID), now: () => START },
  );
  const teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: APP_ID });
  const post = (activity: unknown) => app.post(activity, { headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } });

  // The circle: the directory's members and guests up to 12.
  const fromDirectory = await app.circle.members();
  for (let i = 1; i <= CIRCLE_SIZE - fromDirectory.length; i++) ok(await app.circle.addGuest(KFI_LEAD.aadObjectId, { aadObjectId: guest(i).aadObjectId, name: guest(i).name }));
  const members = (await app.circle.members()).map((m) => user({ name: m.name, aadObjectId: m.aadObjectId }));
  for (const m of members) graph.addUser({ id: m.aadObjectId, upn: m.userPrincipalName });
  // Six have the app (the KfI among them, who starts the poll from her personal chat); six never opened it.
  const kfi = members.find((m) => m.aadObjectId === KFI_LEAD.aadObjectId)!;
  const withApp = [kfi, ...members.filter((m) => m !== kfi).slice(0, 5)];
  const withoutApp = members.filter((m) => !withApp.includes(m));

  // Teams learns of an installation through Graph as of one the person made, and tells the bot (installationUpdate add).
  const teamsAdds: Array<Promise<{ status: number }>> = [];
  graph.onInstall((userId) => {
    const person = members.find((p) => p.aadObjectId === userId);
    if (person) teamsAdds.push(post(teams.installationUpdate('add', { from: person })));
  });
  for (const m of withApp) expect((await post(teams.installationUpdate('add', { from: m }))).status).toBe(200);
  await app.delivery.whenIdle();

  async function stop() {
    await app.stop();
    await database.close();
    await graph.close();
    await emulator.close();
    await issuer.close();
  }

  /** The delivery reports of the poll's announcement, once nothing is on the way any more (German: all members here). */
  async function settled(pollId: string): Promise<DeliveryReport> {
    let report: DeliveryReport | undefined;
    await eventually(async () => {
      report = await app.delivery.reports.report(`circle:poll:${pollId}:announce`);
      return report.total === CIRCLE_SIZE && report.pending === 0;
    });
    return report!;
  }

  /** Starts the date poll as the KfI by card action; returns the stored poll. */
  async function startPoll(): Promise<PollDoc> {
    const created = await post(
      teams.cardAction('circle.poll.create', { title: 'Sitzung Januar', place: 'Arnsberg', duration: '120', slot1Date: '2027-01-12', slot1Time: '10:00', slot2Date: '2027-01-13', slot2Time: '14:00' }, { from: kfi }),
    );
    expect(created.body.statusCode).toBe(200);
    const [poll] = await database.store<PollDoc>(CONTAINERS.circle).query<PollDoc>({ query: 'SELECT * FROM c WHERE c.type = "poll"' });
    return poll;
  }

  /**
   * The KfI's poll card as her Teams client shows it: the announcement in her chat, updated once the reach settled,
   * refreshed into her own view (its `refresh` action, as Teams calls it for the users it names).
   */
  async function kfiCard(pollId: string, mark: number, as: TeamsUser = kfi): Promise<string> {
    const stored = async () => (await database.store<PollDoc>(CONTAINERS.circle).read(pollId, 'poll'))?.reach;
    await eventually(async () => (await stored())?.pending === 0);
    const chat = personalChatOf(kfi);
    const announcement = emulator.calls.find((c) => c.seq > mark && c.conversationId === chat && c.status < 300 && isPollCard(activityOf(c)) && c.operation !== 'update');
    expect(announcement?.createdActivityId).toEqual(expect.any(String));
    // The settled reach owes the posted cards an update, so that Teams refreshes the KfI's view without a click.
    await eventually(() => emulator.calls.some((c) => c.operation === 'update' && c.status < 300 && c.activityId === announcement!.createdActivityId));
    const shown = emulator.visibleActivities(chat).find((a) => a.id === announcement!.createdActivityId)!;
    const refresh = cardContent(shown)?.refresh as { action: { verb: string; data: Record<string, unknown> }; userIds: string[] };
    expect(refresh.userIds).toContain(kfi.id);
    const res = await post(teams.cardAction(refresh.action.verb, refresh.action.data, { from: as, trigger: 'automatic' }));
    expect(res.body.statusCode).toBe(200);
    return visibleText(res.body.value);
  }

  return { issuer, emulator, graph, database, app, teams, post, members, kfi, withApp, withoutApp, teamsAdds, stop, settled, startPoll, kfiCard };
}

describe('a date poll to 12 members of whom 6 have the app, with the installation permission', () => {
  let t: Awaited<ReturnType<typeof startTenant>>;
  let poll: PollDoc;
  let mark: number;
  let report: DeliveryReport;

  beforeAll(async () => {
    t = await startTenant('poll-reach-install', [INSTALL]);
    mark = lastSeq(t.emulator);
    poll = await t.startPoll();
    report = await t.settled(poll.pk);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('reaches all 12: the 6 without the app get it installed through Graph, each member one poll card in their chat', async () => {
    expect(t.members).toHaveLength(CIRCLE_SIZE);
    expect(report).toMatchObject({ total: 12, delivered: 12, installed: 6, pending: 0, unreachable: [] });
    const installedFor = report.recipients.filter((r) => r.reach === 'installedThenDelivered').map((r) => r.aadObjectId).sort();
    expect(installedFor).toEqual(t.withoutApp.map((m) => m.aadObjectId).sort());
    const installs = t.graph.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/teamwork/installedApps'));
    expect(installs.map((c) => c.status)).toEqual(Array(6).fill(201));
    for (const m of t.withoutApp) expect(t.graph.installedFor(m.aadObjectId)).toEqual([t.graph.catalogApp.id]);
    // Twelve chats with exactly one poll card each.
    const pollCards = new Map(t.members.map((m) => [m.aadObjectId, t.emulator.activitiesTo(personalChatOf(m)).filter(isPollCard).length]));
    expect([...pollCards.values()]).toEqual(Array(12).fill(1));
  });

  it('shows the KfI "Zugestellt an 12 von 12" on her card once the deliveries settled', async () => {
    const card = await t.kfiCard(poll.pk, mark);
    expect(card).toContain('Zugestellt an 12 von 12');
    expect(card).not.toContain('nicht erreichbar');
  });

  it('greets a person the bot installed the app for with one short note beside the poll, and no welcome card', async () => {
    expect(t.withoutApp).toHaveLength(6);
    expect((await Promise.all(t.teamsAdds)).map((r) => r.status)).toEqual(Array(6).fill(200));
    await t.app.delivery.whenIdle();
    for (const m of t.withoutApp) {
      const chat = t.emulator.activitiesTo(personalChatOf(m));
      expect(chat.filter(isPollCard)).toHaveLength(1);
      expect(chat.filter((a) => a.text === texts.de.installedForYou)).toHaveLength(1);
      expect(chat.filter(isWelcomeCard)).toEqual([]);
      // The mark is gone with the add it explained: an installation of their own later is greeted in full.
      const profile = await t.database.store<UserProfile>(CONTAINERS.users).read(m.aadObjectId, 'profile');
      expect(profile?.app).toEqual({ installedByBotAt: expect.any(String) });
    }
  });

  it('greets a person who installed the app themselves with the welcome card, and no note', () => {
    expect(t.withApp).toHaveLength(6);
    for (const m of t.withApp) {
      const chat = t.emulator.activitiesTo(personalChatOf(m));
      expect(chat.filter(isWelcomeCard)).toHaveLength(1);
      expect(chat.filter((a) => a.text === texts.de.installedForYou)).toEqual([]);
    }
  });
});

describe('a date poll to 12 members of whom 6 have the app, without the installation permission', () => {
  let t: Awaited<ReturnType<typeof startTenant>>;
  let poll: PollDoc;
  let mark: number;
  let report: DeliveryReport;

  beforeAll(async () => {
    t = await startTenant('poll-reach-no-install', []);
    mark = lastSeq(t.emulator);
    poll = await t.startPoll();
    report = await t.settled(poll.pk);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('reaches the 6 with the app; the other 6 end unreachable as notInstalled, and nothing is installed', () => {
    expect([t.withApp.length, t.withoutApp.length]).toEqual([6, 6]);
    expect(report).toMatchObject({ total: 12, delivered: 6, installed: 0, pending: 0 });
    expect(report.unreachable.map((u) => [u.aadObjectId, u.reason]).sort()).toEqual(t.withoutApp.map((m) => [m.aadObjectId, 'notInstalled']).sort());
    expect(t.graph.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/teamwork/installedApps'))).toEqual([]);
    for (const m of t.withApp) expect(t.emulator.activitiesTo(personalChatOf(m)).filter(isPollCard)).toHaveLength(1);
    for (const m of t.withoutApp) expect(t.emulator.activitiesTo(personalChatOf(m))).toEqual([]);
  });

  it('tells the KfI on her card: "Zugestellt an 6 von 12; nicht erreichbar:" naming those not reached', async () => {
    const card = await t.kfiCard(poll.pk, mark);
    const line = card.split('\n').find((l) => l.startsWith('Zugestellt an'));
    expect(line).toMatch(/^Zugestellt an 6 von 12; nicht erreichbar: /);
    // The card names the first three and counts the rest (REACH_NAMES), each with the reason.
    const named = t.withoutApp.filter((m) => line!.includes(`${m.name} (App nicht installiert)`));
    expect(named).toHaveLength(3);
    expect(line).toContain('und 3 weitere');
    expect(t.withApp.filter((m) => line!.includes(m.name))).toEqual([]);
  });

  it('tells an English-speaking KfI the same in English', async () => {
    const english = user({ name: t.kfi.name, aadObjectId: t.kfi.aadObjectId, locale: 'en-US' });
    const card = await t.kfiCard(poll.pk, mark, english);
    expect(card).toMatch(/Delivered to 6 of 12; not reachable: .+ \(app not installed\)/);
  });
});
