import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { openDatabase, type AppDatabase } from '../../services/storage/database';

/** The demo directory's IB of Köln and her deputy so far (fictitious). */
const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const OLD_DEPUTY = user({ name: 'Jan Jedermann (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000002' });
/** The person the IB picks in the tab (their Entra object id comes from the picker). */
const PICKED = user({ name: 'Paula Probe (Beispiel)', aadObjectId: stableGuid('deputy', 'picked'), email: 'paula.probe@bezreg-koeln.example' });
const STAFF = user({ name: 'Anna Beispiel', aadObjectId: stableGuid('deputy', 'staff'), email: 'anna.beispiel@bezreg-koeln.example' });
/** Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');

describe('a deputy picked in the tab can act at once', () => {
  let issuer: TokenIssuer;
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  const bot = (activity: unknown) => app.post(activity, { headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } });
  async function tab(method: string, path: string, body?: unknown, ifMatch?: string) {
    const auth = issuer.signEntra({ oid: KOELN_IB, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE });
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(body ? { 'content-type': 'application/json' } : {}), ...(ifMatch ? { 'if-match': ifMatch } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  }
  async function submit(): Promise<{ id: string; authority: string }> {
    const form = { authority: 'koeln', category: 'beratung', subject: 'Beratung zur Ausschreibung (Beispiel)', description: 'Bitte um Beratung (Beispiel).' };
    const res = await bot(teams.cardAction('request.submit', form, { from: STAFF }));
    expect(res.status).toBe(200);
    return { id: res.body.value.refresh.action.data.id, authority: 'koeln' };
  }

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'tab-directory-deputy-test' });
    app = await startTabApp(issuer, { database, now: () => NOW });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: DEFAULT_BOT_APP_ID });
    for (const p of [STAFF, PICKED, OLD_DEPUTY]) expect((await bot(teams.installationUpdate('add', { from: p }))).status).toBe(200);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
    await emulator?.close();
    await issuer?.close();
  });

  it('takes over an Anliegen while the IB is absent, and the deputy replaced can no longer', async () => {
    const { body } = await tab('GET', '/api/tab/directory/koeln');
    const form = {
      ...body.entry.form,
      // Away from today: requests go to the deputy.
      absences: [{ from: '2026-11-23', to: '2026-12-04', note: 'Fortbildung' }],
      deputy: { name: PICKED.name, title: '', email: PICKED.email, phone: '', aadObjectId: PICKED.aadObjectId },
    };
    const saved = await tab('PUT', '/api/tab/directory/koeln', form, body.entry.revision);
    expect(saved.status).toBe(200);
    expect(saved.body.entry.form.deputy).toMatchObject({ name: 'Paula Probe (Beispiel)', aadObjectId: PICKED.aadObjectId });
    expect(saved.body.entry.history[0].changes.map((c: { field: string }) => c.field)).toContain('Vertretung: Name');

    const first = await submit();
    const accepted = await bot(teams.cardAction('request.accept', { ...first, rev: 1 }, { from: PICKED }));
    expect(accepted.status).toBe(200);
    expect(accepted.body.statusCode).toBe(200);
    expect(JSON.stringify(accepted.body.value)).toContain('Paula Probe (Beispiel)');

    const second = await submit();
    const refused = await bot(teams.cardAction('request.accept', { ...second, rev: 1 }, { from: OLD_DEPUTY }));
    expect([403, 404]).toContain(refused.body.statusCode);
  });
});
