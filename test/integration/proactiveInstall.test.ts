import { CONTAINERS } from '../../services/storage/containers';
import type { UserProfile } from '../../services/users/userProfiles';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, user, type TeamsUser } from '../support/activities';
import { settledReport, useGraphBotSuite } from '../support/graphBotSuite';

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
  const office = user({ name: 'Olga Vorzimmer' });
  const head = user({ name: 'Hubert Hauptmann' });
  const deputyHead = user({ name: 'Vera Vertretung' });
  const suite = useGraphBotSuite({
    databaseId: 'proactive-install',
    host: 'bot',
    graph: { clientId: APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: [INSTALL] },
    prepareGraph: (graph, emulator) => {
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
    },
    env: (graph) => ({ GRAPH_TEAMS_CATALOG_APP_ID: graph!.catalogApp.id }),
  });
  const settled = (key: string) => settledReport(suite.app, key, 20_000);

  const toPerson = (person: TeamsUser) => ({ user: { aadObjectId: person.aadObjectId, tenantId: DEFAULT_TENANT_ID } });
  const personalChatOf = (person: TeamsUser) => personalConversationId(person.id, APP_ID);

  beforeAll(async () => {
    // Someone of the tenant has the app: the bot knows the tenant's connector endpoint from their installation.
    const res = await suite.post(suite.teams.installationUpdate('add', { from: office }));
    expect(res.status).toBe(200);
  });

  it('is installed for them through Graph, and delivered in their personal chat', async () => {
    await suite.app.delivery.outbox.enqueue({ key: 'test:install:head', activity: { text: 'Vortrag zur Entscheidung' }, recipients: [toPerson(head)] });
    const report = await settled('test:install:head');
    expect(report).toMatchObject({ total: 1, delivered: 1, installed: 1, unreachable: [] });
    expect(report.recipients).toEqual([{ aadObjectId: head.aadObjectId, reach: 'installedThenDelivered' }]);
    expect(suite.graph.installedFor(head.aadObjectId)).toEqual([suite.graph.catalogApp.id]);
    expect(suite.graph.calls.filter((c) => c.path.endsWith('/teamwork/installedApps') && c.method === 'POST').map((c) => c.status)).toEqual([201]);
    // Teams refused the chat before the installation and opened it after.
    const opened = suite.emulator.calls.filter((c) => c.operation === 'createConversation');
    expect(opened.map((c) => c.status)).toEqual([403, 201]);
    expect(suite.emulator.activitiesTo(personalChatOf(head)).map((a) => a.text)).toEqual(['Vortrag zur Entscheidung']);
    const profile = await suite.database.store<UserProfile>(CONTAINERS.users).read(head.aadObjectId, 'profile');
    expect(profile?.app?.installedByBotAt).toEqual(expect.any(String));
  });

  it('with the installation permission revoked, ends unreachable as notInstalled and installs nothing', async () => {
    suite.graph.revoke(INSTALL);
    const before = suite.emulator.calls.length;
    await suite.app.delivery.outbox.enqueue({ key: 'test:install:deputy', activity: { text: 'Vortrag zur Entscheidung' }, recipients: [toPerson(deputyHead)] });
    const report = await settled('test:install:deputy');
    expect(report).toMatchObject({ total: 1, delivered: 0, installed: 0 });
    expect(report.unreachable).toEqual([{ aadObjectId: deputyHead.aadObjectId, reach: 'unreachable', reason: 'notInstalled' }]);
    expect(suite.graph.installedFor(deputyHead.aadObjectId)).toEqual([]);
    expect(suite.emulator.calls.slice(before).map((c) => `${c.operation}:${c.status}`)).toEqual(['createConversation:403']);
    expect(suite.emulator.activitiesTo(personalChatOf(deputyHead))).toEqual([]);
  });
});
