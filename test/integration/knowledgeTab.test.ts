import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, DEFAULT_TENANT_ID, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import { startTestApp, type TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/** The demo directory's IB of Düsseldorf, the IB of Köln and the KfI lead (fictitious). */
const DUS_IB = '00000000-0000-4000-8000-000300000001';
const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const KFI = '00000000-0000-4000-8000-000600000001';
/** Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');
const QUESTION = 'Wie beantrage ich ein Jobticket?';
const isSend = (c: ConnectorCall) => c.operation === 'reply' || c.operation === 'send';

const entry = (over: Record<string, unknown> = {}) => ({
  scope: 'duesseldorf',
  intent: 'info.organisation',
  triggers: 'jobticket*',
  answerDe: 'Das Jobticket beantragen Sie im Personalportal der Bezirksregierung.',
  answerEn: 'Apply for the job ticket in the staff portal of the Bezirksregierung.',
  source: 'directory:reachability',
  ...over,
});

describe('the knowledge base in the tab (two instances on one database)', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let tabApp: TestApp;
  let chatApp: TestApp;
  let emulator: ChannelEmulator;
  let teams: ReturnType<typeof activityBuilders>;
  const staff = user({ name: 'Sabine Sachbearbeiterin', email: 'sabine@bezreg-duesseldorf.example' });

  const token = (oid: string) => issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE });
  async function call(method: string, path: string, oid: string, body?: unknown, lang = 'de') {
    const res = await fetch(`${tabApp.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token(oid)}`, 'accept-language': lang, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }
  async function ask(text: string): Promise<string> {
    emulator.reset();
    const res = await chatApp.post(teams.message(text, { from: staff }));
    expect(res.status).toBe(200);
    const sent = await emulator.waitFor(isSend);
    return String(sent.activity?.text ?? '');
  }

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: 'unused' });
    database = await openDatabase({ databaseId: 'knowledge-tab-test' });
    emulator = await startChannelEmulator({ unknownMembers: 'notFound' });
    tabApp = await startTabApp(issuer, { database, now: () => NOW });
    // The second instance: the chat, on the same database.
    chatApp = await startTestApp({}, { database, now: () => NOW });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    // The staff member works for Düsseldorf (chosen in the tab, read by the chat from the database).
    expect((await call('PUT', '/api/tab/home', staff.aadObjectId, { authority: 'duesseldorf' })).status).toBe(200);
  });
  afterAll(async () => {
    await chatApp.stop();
    await tabApp.stop();
    await database.close();
    await emulator.close();
    await issuer.close();
  });

  it('an IB publishes an answer in German, and the other instance gives it after its refresh, without a restart', async () => {
    expect(await ask(QUESTION)).not.toContain('Personalportal');
    const preview = await call('POST', '/api/tab/knowledge/preview', DUS_IB, entry());
    expect(preview.status).toBe(200);
    expect(JSON.stringify(preview.body.card)).toContain('So antwortet der Lotse');
    expect(JSON.stringify(preview.body.card)).toContain('Verzeichnis der IB: Erreichbarkeit');
    const published = await call('POST', '/api/tab/knowledge/publish', DUS_IB, entry());
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ ok: true, version: 1, message: { de: expect.stringContaining('Version 1') } });
    // The explicit refresh signal stands for the instance's timer (every 60 s).
    expect(await chatApp.answers.refresh()).toBe(true);
    const text = await ask(QUESTION);
    expect(text).toContain('Das Jobticket beantragen Sie im Personalportal der Bezirksregierung.');
    expect(text).toContain('Verzeichnis der IB: Erreichbarkeit');
  });

  it('shows the entry with its versions in English, and rolls back to the first version', async () => {
    const view = await call('GET', '/api/tab/knowledge', DUS_IB, undefined, 'en');
    expect(view.status).toBe(200);
    expect(view.body.scopes).toEqual([{ value: 'duesseldorf', label: { de: 'Bezirksregierung Düsseldorf', en: 'Bezirksregierung Düsseldorf' } }]);
    const first = view.body.entries.find((e: any) => e.answerDe.startsWith('Das Jobticket'));
    const back = await call('POST', '/api/tab/knowledge/publish', DUS_IB, entry({ key: first.key, answerDe: 'Falsch.', answerEn: 'Wrong.' }), 'en');
    expect(back.body).toMatchObject({ ok: true, version: 2 });
    const rolled = await call('POST', '/api/tab/knowledge/rollback', DUS_IB, { scope: 'duesseldorf', key: first.key, version: 1 }, 'en');
    expect(rolled.status).toBe(200);
    expect(rolled.body.message.en).toBe('Version 1 applies again (as version 3). The Lotse answers with it in every chat within a minute.');
    const after = await call('GET', '/api/tab/knowledge', DUS_IB, undefined, 'en');
    const entryView = after.body.entries.find((e: any) => e.key === first.key);
    expect(entryView.versions.map((v: any) => [v.version, v.rolledBackFrom ?? null, v.publishedBy.en])).toEqual([
      [3, 1, expect.any(String)],
      [2, null, expect.any(String)],
      [1, null, expect.any(String)],
    ]);
    await chatApp.answers.refresh();
    expect(await ask(QUESTION)).toContain('Personalportal');
  });

  it('refuses a staff member with 403 and a clear message, in German and English', async () => {
    const de = await call('POST', '/api/tab/knowledge/publish', staff.aadObjectId, entry());
    expect(de).toMatchObject({ status: 403, body: { code: 'Forbidden', message: { de: expect.stringContaining('nur die Integrationsbeauftragten') } } });
    const en = await call('GET', '/api/tab/knowledge', staff.aadObjectId, undefined, 'en');
    expect(en).toMatchObject({ status: 403, body: { message: { en: expect.stringContaining('Only the integration commissioners') } } });
    expect((await call('GET', '/api/tab/figures', staff.aadObjectId)).status).toBe(403);
  });

  it('refuses an IB publishing for another authority or for all', async () => {
    for (const scope of ['duesseldorf', 'all']) {
      const res = await call('POST', '/api/tab/knowledge/publish', KOELN_IB, entry({ scope }));
      expect(res).toMatchObject({ status: 403, body: { message: { de: expect.stringContaining('nur für Ihre eigene Bezirksregierung') } } });
    }
  });

  it('lets the KfI publish for all authorities', async () => {
    const res = await call('POST', '/api/tab/knowledge/publish', KFI, entry({ scope: 'all', triggers: 'kantine', answerDe: 'Die Kantine ist im Erdgeschoss.', answerEn: 'The canteen is on the ground floor.' }));
    expect(res.status).toBe(200);
  });

  it('names a trigger that does not compile at its field, and stores nothing', async () => {
    const before = await call('GET', '/api/tab/knowledge', DUS_IB);
    const res = await call('POST', '/api/tab/knowledge/publish', DUS_IB, entry({ triggers: 'jobticket\n@personal' }), 'en');
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([{ field: 'triggers', line: 2, message: { de: expect.stringMatching(/^Zeile 2:/), en: expect.stringMatching(/^Line 2:/) } }]);
    const after = await call('GET', '/api/tab/knowledge', DUS_IB);
    expect(after.body.entries).toEqual(before.body.entries);
  });

  it('refuses a name with health data through the privacy guard, at its field', async () => {
    const res = await call('POST', '/api/tab/knowledge/preview', DUS_IB, entry({ answerDe: 'Frau Erika Meier ist an Diabetes erkrankt.' }));
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([{ field: 'answerDe', message: { de: expect.stringContaining('Gesundheit'), en: expect.any(String) } }]);
  });

  it('counts questions for the figures without text, k-anonymous, for the IB of the authority', async () => {
    // Three questions so far (one unanswered before the publish); five more, then the chat instance stops gracefully,
    // which stores its counts (as its 60 s timer would).
    for (let i = 0; i < 5; i++) await ask(QUESTION);
    await chatApp.stop();
    const res = await call('GET', '/api/tab/figures', DUS_IB);
    expect(res.status).toBe(200);
    expect(res.body.weeks[0]).toMatchObject({
      week: '2026-W48',
      asked: { n: 8 },
      // 7 answered, 1 unanswered: no share, and in the breakdown the small group and the next smallest are withheld.
      answeredShare: { lt: 5 },
      byIntent: [
        { intent: 'info.organisation', asked: { lt: 5 } },
        { intent: 'out_of_scope', asked: { lt: 5 } },
      ],
    });
    expect(res.body.topUnanswered).toEqual([{ intent: 'out_of_scope', label: expect.any(Object), unanswered: { lt: 5 } }]);
    expect(res.body.weeks).toHaveLength(8);
    expect(JSON.stringify(res.body)).not.toContain('Jobticket');
    expect(res.body.scopes.map((s: any) => s.value)).toEqual(['duesseldorf']);
    const kfi = await call('GET', '/api/tab/figures', KFI, undefined, 'en');
    expect(kfi.body.scopes.map((s: any) => s.value)).toEqual(['arnsberg', 'detmold', 'duesseldorf', 'koeln', 'muenster', 'unassigned']);
  });
});
