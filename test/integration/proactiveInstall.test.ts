import type { DeliveryReport } from '../../services/notifications/reach';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { UserProfile } from '../../services/users/userProfiles';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, user, type TeamsUser } from '../support/activities';
import { OFFLINE_OUTBOUND_TOKEN, OfflineCredentialsFactory, testModeAuthEnv } from '../support/authConfig';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startGraphStandIn, type GraphStandIn } from '../support/graphStandIn';
import { startTestApp, type TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/**
 * Reaching a person who never opened the bot (issue 15), over HTTP: the bot with its real Graph adapter against the
 * Graph stand-in, and the strict Teams stand-in, which refuses a personal chat with a person without the app (403).
 * When Graph installs the app, the stand-in's hook tells Teams (an `installationUpdate` add in personal scope), as the
 * real Teams learns of it.
 */

const APP_ID = DEFAULT_BOT_APP_ID;
const INSTALL = 'TeamsAppInstallation.ReadWriteSelfForUser.All';

jest.setTimeout(60_000);

describe('a notification to a person without the app', () => {
  let issuer: TokenIssuer;
  let emulator: ChannelEmulator;
  let graph: GraphStandIn;
  let database: AppDatabase;
  let app: TestApp;
  const office = user({ name: 'Olga Vorzimmer' });
  const head = user({ name: 'Hubert Hauptmann' });
  const deputyHead = user({ name: 'Vera Vertretung' });

  async function settled(key: string): Promise<DeliveryReport> {
    const until = Date.now() + 20_000;
    for (;;) {
      const report = await app.delivery.reports.report(key);
      if (report.total > 0 && report.pending === 0) return report;
      if (Date.now() > until) throw new Error(`not settled: ${key} (${JSON.stringify(report)})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const toPerson = (person: TeamsUser) => ({ user: { aadObjectId: person.aadObjectId, tenantId: DEFAULT_TENANT_ID } });
  const personalChatOf = (person: TeamsUser) => personalConversationId(person.id, APP_ID);

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: APP_ID, endorsements: ['msteams'] });
    emulator = await startChannelEmulator({ expectedAuthorization: `Bearer ${OFFLINE_OUTBOUND_TOKEN}` });
    graph = await startGraphStandIn({ clientId: APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: [INSTALL] });
    for (const person of [office, head, deputyHead]) graph.addUser({ id: person.aadObjectId, upn: person.userPrincipalName });
    // Teams learns of an installation through Graph as of one the person made: the app is now in their personal scope.
    graph.onInstall((userId) => {
      const person = [office, head, deputyHead].find((p) => p.aadObjectId === userId);
      if (!person) return;
      emulator.observe({
        type: 'installationUpdate',
        action: 'add',
        from: { id: person.id, aadObjectId: person.aadObjectId },
        recipient: { id: `28:${APP_ID}` },
        conversation: { id: personalChatOf(person), conversationType: 'personal' },
      });
    });
    database = await openDatabase({ databaseId: 'proactive-install' });
    app = await startTestApp(
      {
        ...graph.env(),
        GRAPH_TEAMS_CATALOG_APP_ID: graph.catalogApp.id,
        HOST: '127.0.0.1',
        ...testModeAuthEnv({ appId: APP_ID, issuer, tenantId: DEFAULT_TENANT_ID }),
      },
      { database, credentialsFactory: new OfflineCredentialsFactory(APP_ID) },
    );
    // Someone of the tenant has the app: the bot knows the tenant's connector endpoint from their installation.
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: APP_ID });
    const res = await app.post(teams.installationUpdate('add', { from: office }), { headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } });
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await app?.stop();
    await database?.close();
    await graph?.close();
    await emulator?.close();
    await issuer?.close();
  });

  it('is installed for them through Graph, and delivered in their personal chat', async () => {
    await app.delivery.outbox.enqueue({ key: 'test:install:head', activity: { text: 'Vortrag zur Entscheidung' }, recipients: [toPerson(head)] });
    const report = await settled('test:install:head');
    expect(report).toMatchObject({ total: 1, delivered: 1, installed: 1, unreachable: [] });
    expect(report.recipients).toEqual([{ aadObjectId: head.aadObjectId, reach: 'installedThenDelivered' }]);
    expect(graph.installedFor(head.aadObjectId)).toEqual([graph.catalogApp.id]);
    expect(graph.calls.filter((c) => c.path.endsWith('/teamwork/installedApps') && c.method === 'POST').map((c) => c.status)).toEqual([201]);
    // Teams refused the chat before the installation and opened it after.
    const opened = emulator.calls.filter((c) => c.operation === 'createConversation');
    expect(opened.map((c) => c.status)).toEqual([403, 201]);
    expect(emulator.activitiesTo(personalChatOf(head)).map((a) => a.text)).toEqual(['Vortrag zur Entscheidung']);
    const profile = await database.store<UserProfile>(CONTAINERS.users).read(head.aadObjectId, 'profile');
    expect(profile?.app?.installedByBotAt).toEqual(expect.any(String));
  });

  it('with the installation permission revoked, ends unreachable as notInstalled and installs nothing', async () => {
    graph.revoke(INSTALL);
    const before = emulator.calls.length;
    await app.delivery.outbox.enqueue({ key: 'test:install:deputy', activity: { text: 'Vortrag zur Entscheidung' }, recipients: [toPerson(deputyHead)] });
    const report = await settled('test:install:deputy');
    expect(report).toMatchObject({ total: 1, delivered: 0, installed: 0 });
    expect(report.unreachable).toEqual([{ aadObjectId: deputyHead.aadObjectId, reach: 'unreachable', reason: 'notInstalled' }]);
    expect(graph.installedFor(deputyHead.aadObjectId)).toEqual([]);
    expect(emulator.calls.slice(before).map((c) => `${c.operation}:${c.status}`)).toEqual(['createConversation:403']);
    expect(emulator.activitiesTo(personalChatOf(deputyHead))).toEqual([]);
  });
});
