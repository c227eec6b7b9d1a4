import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid } from '../support/activities';
import { startGraphStandIn, type GraphStandIn } from '../support/graphStandIn';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { openDatabase, type AppDatabase } from '../../services/storage/database';

const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const STAFF = stableGuid('people', 'staff');
const PAULA = stableGuid('people', 'paula');
/** Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');

describe('the deputy picker in the tab searches people through Microsoft Graph', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  const started: Array<{ app: TestApp; graph: GraphStandIn }> = [];

  async function start(permissions: string[]) {
    const graph = await startGraphStandIn({ permissions, clientId: DEFAULT_BOT_APP_ID, tenantId: DEFAULT_TENANT_ID });
    graph.addUser({ id: PAULA, upn: 'paula.probe@bezreg-koeln.example', mail: 'paula.probe@bezreg-koeln.example', displayName: 'Paula Probe (Beispiel)' });
    graph.addUser({ id: stableGuid('people', 'peter'), upn: 'peter.muster@bezreg-koeln.example', mail: 'peter.muster@bezreg-koeln.example', displayName: 'Peter Muster (Beispiel)' });
    const app = await startTabApp(issuer, { database, now: () => NOW, env: graph.env() });
    started.push({ app, graph });
    return app;
  }
  async function search(app: TestApp, oid: string, q: string, lang = 'de-DE') {
    const auth = issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE });
    const res = await fetch(`${app.url}/api/tab/people?q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${auth}`, 'accept-language': lang } });
    return { status: res.status, body: (await res.json()) as any };
  }

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'tab-people-search-test' });
  });
  afterAll(async () => {
    for (const s of started) {
      await s.app.stop();
      await s.graph.close();
    }
    await database.close();
    await issuer.close();
  });

  it('finds people by the start of a name with User.Read.All, with the $search header Graph demands', async () => {
    const app = await start(['User.Read.All']);
    const res = await search(app, KOELN_IB, 'Paul');
    expect(res).toEqual({ status: 200, body: { available: true, people: [{ aadObjectId: PAULA, name: 'Paula Probe (Beispiel)', email: 'paula.probe@bezreg-koeln.example' }] } });
    const calls = started[0].graph.calls.filter((c) => c.path === '/v1.0/users');
    expect(calls.at(-1)).toMatchObject({ status: 200 });
    expect(decodeURIComponent(calls.at(-1)!.query)).toContain('$search="displayName:Paul"');
  });

  it('refuses the search to anyone who edits no entry (403), and a query too short (400), in the caller’s language', async () => {
    const app = started[0].app;
    expect(await search(app, STAFF, 'Paul')).toMatchObject({ status: 403, body: { message: 'Die Personensuche gibt es nur beim Bearbeiten eines Verzeichniseintrags.' } });
    expect(await search(app, KOELN_IB, 'P', 'en-US')).toMatchObject({ status: 400, body: { message: 'Please enter 2 to 60 characters.' } });
  });

  it('says the search is not available without the permission, so the form takes name and e-mail', async () => {
    const app = await start(['TeamsAppInstallation.ReadWriteSelfForUser.All']);
    expect(await search(app, KOELN_IB, 'Paul')).toEqual({ status: 200, body: { available: false, people: [] } });
    expect(started[1].graph.calls.some((c) => c.path === '/v1.0/users')).toBe(false);
  });
});
