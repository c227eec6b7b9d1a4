import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, user, DEFAULT_TENANT_ID } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';
import { MAX_MESSAGE_BYTES, messageBytes } from '../support/teamsRules';

/** The Köln IB of the demo directory (fictitious). */
const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001' });

describe('long exports and lists reach Teams whole, split into messages it accepts', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  const now = new Date('2026-11-24T09:00:00Z');

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'long-messages-test' });
    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    expect((await app.post(teams.installationUpdate('add', { from: KOELN_IB }))).status).toBe(200);
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  const WRITER = user({ name: 'Viel Schreiberin (Beispiel)' });

  /** What the bot said in someone's chat for one command: every accepted reply, in order. */
  async function replies(text: string, from = KOELN_IB): Promise<string[]> {
    emulator.reset();
    expect((await app.post(teams.message(text, { from }))).status).toBe(200);
    const said = emulator.calls.filter((c) => c.operation === 'reply');
    expect(said.length).toBeGreaterThan(0);
    // Teams would have refused a part over its limit (413): every part arrived.
    expect(said.map((c) => c.status).every((s) => s === 201)).toBe(true);
    for (const c of said) expect(messageBytes(c.activity)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    return said.map((c) => String(c.activity?.text ?? ''));
  }

  it('sends an export of more than 100 KB as several messages, each with the header row, and loses no row', async () => {
    const staff = { aadObjectId: WRITER.aadObjectId, tenantId: DEFAULT_TENANT_ID, name: WRITER.name };
    const n = 260;
    for (let i = 0; i < n; i++) {
      const outcome = await app.requests.createRequest(staff, { authority: 'koeln', category: 'beratung', subject: `Anliegen Nummer ${i} zur interkulturellen Öffnung der Verwaltung, mit einem ausführlichen Betreff (Beispiel)`, description: 'Beschreibung' });
      expect(outcome.ok).toBe(true);
    }
    const parts = await replies('Export');
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.reduce((size, p) => size + p.length, 0)).toBeGreaterThan(MAX_MESSAGE_BYTES / 2);
    const rows = parts.flatMap((p) => p.split('\n').filter((l) => l.startsWith('"anl-')));
    const subjects = new Set(rows.map((r) => /Anliegen Nummer (\d+) /.exec(r)?.[1]));
    expect(subjects.size).toBe(n);
    for (const p of parts) expect(p).toContain('item_id,authority,kind,subject');
    expect(parts[1]).toMatch(/^\(Teil 2 von \d+\)/);
  });

  it('answers "Meine Daten" with one summary card however much is stored; the full file holds every entry', async () => {
    expect((await app.post(teams.installationUpdate('add', { from: WRITER }))).status).toBe(200);
    const parts = await replies('Meine Daten', WRITER);
    expect(parts).toHaveLength(1);
    const data = await app.myData(WRITER.aadObjectId);
    expect(data.requests.created).toHaveLength(260);
  });
});
