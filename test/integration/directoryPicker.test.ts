import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startGraphStandIn, type GraphStandIn } from '../support/graphStandIn';
import { startTabApp } from '../support/tabApp';
import { startTestApp, type TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { CONTAINERS } from '../../services/storage/containers';

/** The demo directory's IB of Köln (fictitious) and her deputy so far. */
const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001', email: 'sabine.schmitz@bezreg-koeln.example' });
const OLD_DEPUTY = user({ name: 'Jan Jedermann (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000002' });
const PICKED = user({ name: 'Paula Probe (Beispiel)', aadObjectId: stableGuid('picker', 'paula'), email: 'paula.probe@bezreg-koeln.example' });
const STAFF = user({ name: 'Anna Beispiel', aadObjectId: stableGuid('picker', 'staff'), email: 'anna.beispiel@bezreg-koeln.example' });
/** Someone the picker offered who has left the organisation since (Entra no longer knows them). */
const GONE = stableGuid('picker', 'gone');
/** Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');

describe('the deputy chosen with Teams’ people picker on „Meine Angaben“', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let graph: GraphStandIn;
  let issuer: TokenIssuer;
  let teams: ReturnType<typeof activityBuilders>;
  const entry = async () => (await database.store<any>(CONTAINERS.directory).read('directory', 'authority-koeln'))!;

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'directory-picker-test' });
    // Microsoft Graph with User.Read.All (the picked person is looked up by id); Entra knows Paula, not GONE.
    graph = await startGraphStandIn({ permissions: ['User.Read.All'], clientId: DEFAULT_BOT_APP_ID, tenantId: DEFAULT_TENANT_ID });
    graph.addUser({ id: PICKED.aadObjectId, upn: 'paula.probe@bezreg-koeln.example', mail: 'paula.probe@bezreg-koeln.example', displayName: 'Paula Probe (Beispiel)' });
    // The bot's identity is the Graph app's: Bot Framework tokens from a local issuer, as in a tenant.
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    const authenticated = await startTabApp(issuer, { database, now: () => NOW, env: graph.env() });
    app = { ...authenticated, post: (activity: unknown) => authenticated.post(activity, { headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } }) } as TestApp;
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [STAFF, PICKED, OLD_DEPUTY, KOELN_IB]) expect((await app.post(teams.installationUpdate('add', { from: p }))).status).toBe(200);
  });
  afterAll(async () => {
    await app?.stop();
    await graph?.close();
    await issuer?.close();
    await database?.close();
    await emulator?.close();
  });

  it('offers the people picker on the card (Teams’ card rules hold)', async () => {
    emulator.reset();
    await app.post(teams.message('Meine Angaben', { from: KOELN_IB }));
    const card = JSON.stringify((await emulator.waitFor((c) => c.operation === 'reply' || c.operation === 'send')).activity?.attachments?.[0]?.content);
    expect(card).toContain('"id":"deputyPick"');
    expect(card).toContain('"choices.data":{"type":"Data.Query","dataset":"graph.microsoft.com/users"}');
  });

  it('says politely that a picked person Entra does not know is not stored (German and English), and changes nothing', async () => {
    const before = await entry();
    const update = { authority: 'koeln', deputyPick: GONE, deputyName: 'Jan Jedermann (Beispiel)', deputyEmail: 'jan.jedermann@bezreg-koeln.example' };
    const de = await app.post(teams.cardAction('directory.update', update, { from: KOELN_IB }));
    expect(de.body.statusCode).toBe(200);
    expect(JSON.stringify(de.body.value)).toContain('Nicht gespeichert: Die in der Personensuche gewählte Person ist im Verzeichnis der Organisation nicht (mehr) zu finden.');
    const en = await app.post(teams.cardAction('directory.update', update, { from: KOELN_IB, locale: 'en-GB' }));
    expect(JSON.stringify(en.body.value)).toContain("Not saved: the person chosen in the people search is not (or no longer) in your organisation's directory.");
    expect(graph.calls.filter((c) => c.path === `/v1.0/users/${GONE}`).map((c) => c.status)).toEqual([404, 404]);
    expect((await entry()).etag).toBe(before.etag);
  });

  it('looks the picked person up in Microsoft Graph and stores their display name and mail, so they take over an Anliegen at once while the IB is absent', async () => {
    // The card's deputy fields still hold the old deputy: the picked person's name and address come from Entra.
    const update = {
      authority: 'koeln', officeHours: 'Mo–Do 9–15 Uhr', absenceFrom: '2026-11-23', absenceTo: '2026-12-04', absenceNote: 'Fortbildung',
      deputyPick: PICKED.aadObjectId, deputyName: OLD_DEPUTY.name, deputyTitle: '', deputyEmail: 'jan.jedermann@bezreg-koeln.example', deputyPhone: '',
    };
    const saved = await app.post(teams.cardAction('directory.update', update, { from: KOELN_IB }));
    expect(saved.body.statusCode).toBe(200);
    const card = JSON.stringify(saved.body.value);
    expect(card).toContain('Gespeichert. Neue Vertretung: Paula Probe (Beispiel) (paula.probe@bezreg-koeln.example), aus dem Verzeichnis der Organisation übernommen.');
    expect(card).toContain('"id":"deputyName","label":"Name der Vertretung","maxLength":120,"value":"Paula Probe (Beispiel)"');
    expect(graph.calls.filter((c) => c.path === `/v1.0/users/${PICKED.aadObjectId}`).map((c) => c.status)).toEqual([200]);
    const doc = await entry();
    expect(doc.data.deputy).toMatchObject({
      id: 'koeln-ib-deputy', name: 'Paula Probe (Beispiel)', email: 'paula.probe@bezreg-koeln.example',
      teams: { aadObjectId: PICKED.aadObjectId, upn: 'paula.probe@bezreg-koeln.example' },
    });

    const form = { authority: 'koeln', category: 'beratung', subject: 'Beratung zur Ausschreibung (Beispiel)', description: 'Bitte um Beratung (Beispiel).' };
    const submitted = await app.post(teams.cardAction('request.submit', form, { from: STAFF }));
    const ref = { id: submitted.body.value.refresh.action.data.id, authority: 'koeln' };
    const accepted = await app.post(teams.cardAction('request.accept', { ...ref, rev: 1 }, { from: PICKED }));
    expect(accepted.body.statusCode).toBe(200);
    const refused = await app.post(teams.cardAction('request.accept', { ...ref, rev: 1 }, { from: OLD_DEPUTY }));
    expect([403, 404]).toContain(refused.body.statusCode);
  });

  it('keeps third parties’ personal data out of the office hours (privacy guard), says why, and changes nothing', async () => {
    const before = await database.store<any>(CONTAINERS.directory).read('directory', 'authority-koeln');
    const res = await app.post(teams.cardAction('directory.update', { authority: 'koeln', officeHours: 'Nicht am Termin von Herrn Yilmaz, geb. 03.04.1980' }, { from: KOELN_IB }));
    expect(JSON.stringify(res.body.value)).toContain('Nicht gespeichert: Sprechzeiten oder Hinweis enthalten offenbar personenbezogene Daten Dritter');
    expect((await database.store<any>(CONTAINERS.directory).read('directory', 'authority-koeln')).etag).toBe(before.etag);
  });

  it('checks the entry as the import does: a deputy outside the authority’s mail domain is not stored', async () => {
    const before = await database.store<any>(CONTAINERS.directory).read('directory', 'authority-koeln');
    const res = await app.post(teams.cardAction('directory.update', { authority: 'koeln', deputyName: 'Xaver Extern (Beispiel)', deputyEmail: 'xaver@example.org' }, { from: KOELN_IB }));
    expect(JSON.stringify(res.body.value)).toContain('Nicht gespeichert: Der Eintrag wäre so nicht gültig');
    expect((await database.store<any>(CONTAINERS.directory).read('directory', 'authority-koeln')).etag).toBe(before.etag);
  });

  it('refuses a picked value that is not an object id (400), and changes nothing', async () => {
    const before = await database.store<any>(CONTAINERS.directory).read('directory', 'authority-koeln');
    const res = await app.post(teams.cardAction('directory.update', { authority: 'koeln', deputyPick: 'mallory', deputyName: 'X', deputyEmail: 'x@bezreg-koeln.example' }, { from: KOELN_IB }));
    expect(res.body.statusCode).toBe(400);
    expect((await database.store<any>(CONTAINERS.directory).read('directory', 'authority-koeln')).etag).toBe(before.etag);
  });

  it('stores nothing for a picked person when Microsoft Graph is not configured, and says how to go on (German and English)', async () => {
    const bare = await startTestApp({}, { database, now: () => NOW });
    try {
      const before = await entry();
      const update = { authority: 'koeln', deputyPick: stableGuid('picker', 'someone'), deputyName: 'Paula Probe (Beispiel)', deputyEmail: 'paula.probe@bezreg-koeln.example' };
      const de = await bare.post(teams.cardAction('directory.update', update, { from: KOELN_IB }));
      expect(de.body.statusCode).toBe(200);
      expect(JSON.stringify(de.body.value)).toContain('Nicht gespeichert: Die in der Personensuche gewählte Person lässt sich gerade nicht nachschlagen (Microsoft Graph ist nicht eingerichtet oder antwortet nicht).');
      const en = await bare.post(teams.cardAction('directory.update', update, { from: KOELN_IB, locale: 'en-GB' }));
      expect(JSON.stringify(en.body.value)).toContain("Please leave the search empty and enter the deputy's name and e-mail address yourself.");
      expect((await entry()).etag).toBe(before.etag);
    } finally {
      await bare.stop();
    }
  });
});
