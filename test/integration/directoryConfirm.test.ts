import type { AuditEntry } from '../../services/audit/auditLog';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

/** The demo directory's IB of Bezirksregierung Köln (fictitious); the demo entry was last confirmed on 2025-01-10. */
const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001', email: 'sabine.schmitz@bezreg-koeln.example' });
const NOW = new Date('2026-11-24T10:00:00+01:00');

const isSend = (c: ConnectorCall) => c.operation === 'reply' || c.operation === 'send';
const cardJson = (c: ConnectorCall) => JSON.stringify(c.activity?.attachments?.[0]?.content ?? null);

describe('freshness of the IB’s directory entry (RdErl. Nr. 3)', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  async function ask(text: string, from = user({ name: 'Frag Mal' })): Promise<string> {
    emulator.reset();
    const res = await app.post(teams.message(text, { from }));
    expect(res.status).toBe(200);
    return cardJson(await emulator.waitFor(isSend));
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator({ unknownMembers: 'notFound' });
    database = await openDatabase({ databaseId: 'directory-confirm-test' });
    app = await startTestApp({}, { database, now: () => NOW });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  it('says in an answer when the entry was last confirmed, and that a confirmation is pending after six months', async () => {
    const card = await ask('Wer ist die IB in Köln?');
    expect(card).toContain('Sabine Schmitz (Beispiel)');
    expect(card).toContain('Angaben zuletzt bestätigt am 10.01.2025; eine Bestätigung steht aus');
  });

  it('says the same in English to an English question from an English-speaking user', async () => {
    const card = await ask('Who is the integration commissioner in Cologne?', user({ name: 'Ask Me', locale: 'en-GB' }));
    expect(card).toContain('Sabine Schmitz (Beispiel)');
    expect(card).toContain('Details last confirmed on 10 Jan 2025; a confirmation is pending');
    expect(card).not.toContain('zuletzt bestätigt');
  });

  it('shows the IB the pending confirmation on their own card, with a button to confirm', async () => {
    const card = await ask('Meine Angaben', KOELN_IB);
    expect(card).toContain('Angaben zuletzt bestätigt am 10.01.2025; eine Bestätigung steht aus');
    expect(card).toContain('"verb":"directory.confirm"');
  });

  it('refuses a confirmation by anyone else, even naming the authority, and changes nothing', async () => {
    const before = await database.store(CONTAINERS.directory).read('directory', 'authority-koeln');
    const res = await app.post(teams.cardAction('directory.confirm', { authority: 'koeln' }, { from: user({ name: 'Mallory' }) }));
    expect(res.status).toBe(403);
    const after = await database.store(CONTAINERS.directory).read('directory', 'authority-koeln');
    expect(after?.etag).toBe(before?.etag);
  });

  it('records the IB’s confirmation with today’s date, and answers no longer say one is pending', async () => {
    const res = await app.post(teams.cardAction('directory.confirm', { authority: 'koeln' }, { from: KOELN_IB }));
    expect(res.status).toBe(200);
    const body = JSON.stringify(res.body.value);
    expect(body).toContain('Danke: Die Angaben sind ab heute als aktuell bestätigt.');
    expect(body).toContain('Angaben zuletzt bestätigt am 24.11.2026.');
    const trail = await database.store<AuditEntry>(CONTAINERS.audit).query<AuditEntry>({
      query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: 'directory:authority-koeln' }],
    });
    expect(trail.find((e) => e.action === 'directory.confirm')).toMatchObject({ actor: KOELN_IB.aadObjectId });
    const card = await ask('Wer ist die IB in Köln?');
    expect(card).toContain('Angaben zuletzt bestätigt am 24.11.2026');
    expect(card).not.toContain('Bestätigung steht aus');
    const english = await ask('Who is the integration commissioner in Cologne?', user({ name: 'Ask Me', locale: 'en-GB' }));
    expect(english).toContain('Details last confirmed on 24 Nov 2026');
    expect(english).not.toContain('a confirmation is pending');
  });
});
