import { activityBuilders, stableGuid, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { CONTAINERS } from '../../services/storage/containers';

/** The demo directory's IB of Köln (fictitious) and her deputy so far. */
const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001', email: 'sabine.schmitz@bezreg-koeln.example' });
const OLD_DEPUTY = user({ name: 'Jan Jedermann (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000002' });
const PICKED = user({ name: 'Paula Probe (Beispiel)', aadObjectId: stableGuid('picker', 'paula'), email: 'paula.probe@bezreg-koeln.example' });
const STAFF = user({ name: 'Anna Beispiel', aadObjectId: stableGuid('picker', 'staff'), email: 'anna.beispiel@bezreg-koeln.example' });
/** Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');

describe('the deputy chosen with Teams’ people picker on „Meine Angaben“', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'directory-picker-test' });
    app = await startTestApp({}, { database, now: () => NOW });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [STAFF, PICKED, OLD_DEPUTY, KOELN_IB]) expect((await app.post(teams.installationUpdate('add', { from: p }))).status).toBe(200);
  });
  afterAll(async () => {
    await app?.stop();
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

  it('stores the picked person’s object id and name, so they take over an Anliegen at once while the IB is absent', async () => {
    const update = {
      authority: 'koeln', officeHours: 'Mo–Do 9–15 Uhr', absenceFrom: '2026-11-23', absenceTo: '2026-12-04', absenceNote: 'Fortbildung',
      deputyPick: PICKED.aadObjectId, deputyName: PICKED.name, deputyTitle: '', deputyEmail: PICKED.email, deputyPhone: '',
    };
    const saved = await app.post(teams.cardAction('directory.update', update, { from: KOELN_IB }));
    expect(saved.body.statusCode).toBe(200);
    const doc = await database.store<any>(CONTAINERS.directory).read('directory', 'authority-koeln');
    expect(doc.data.deputy).toMatchObject({ id: 'koeln-ib-deputy', name: 'Paula Probe (Beispiel)', teams: { aadObjectId: PICKED.aadObjectId } });

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
});
