import type { UnansweredQuestion } from '../../services/answers/unansweredQuestions';
import type { AuditEntry } from '../../services/audit/auditLog';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { UserProfile } from '../../services/users/userProfiles';
import { activityBuilders, rosterMember, user, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { countingDatabase } from '../support/countingDatabase';
import { startTestApp, type TestApp } from '../support/testApp';

/** The demo directory's IB of Bezirksregierung Köln (fictitious). */
const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001', email: 'sabine.schmitz@bezreg-koeln.example' });
const NOW = new Date('2026-11-24T10:00:00+01:00');

const isSend = (c: ConnectorCall) => c.operation === 'reply' || c.operation === 'send';
const cardJson = (c: ConnectorCall) => JSON.stringify(c.activity?.attachments?.[0]?.content ?? null);

describe('answers in Teams', () => {
  let emulator: ChannelEmulator;
  let real: AppDatabase;
  let counting: ReturnType<typeof countingDatabase>;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  async function ask(text: string, from?: TeamsUser): Promise<ConnectorCall> {
    emulator.reset();
    const res = await app.post(teams.message(text, from ? { from } : {}));
    expect(res.status).toBe(200);
    return emulator.waitFor(isSend);
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator({ unknownMembers: 'notFound' });
    real = await openDatabase({ databaseId: 'answers-test' });
    counting = countingDatabase(real);
    app = await startTestApp({}, { database: counting.database, now: () => NOW });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  });
  afterAll(async () => {
    await app.stop();
    await real.close();
    await emulator.close();
  });

  it('answers "Wer ist für Marl zuständig?" with the Münster IB on a contact card with chat and request buttons', async () => {
    const call = await ask('Wer ist für Marl zuständig?');
    const card = cardJson(call);
    expect(card).toContain('Tina Test (Beispiel)');
    expect(card).toContain('Bezirksregierung Münster');
    expect(card).toContain('tel:');
    expect(card).toContain('mailto:tina.test@bezreg-muenster.example');
    expect(card).toContain('https://teams.microsoft.com/l/chat/0/0?users=tina.test%40bezreg-muenster.example');
    expect(card).toContain('"verb":"request.start"');
    expect(card).toMatch(/Quelle: RdErl\. v\. 5\.12\.2023, Nr\. 5/);
    expect(card).toContain('/erlass');
  });

  it('costs at most one database read and one write for a question-and-answer turn', async () => {
    const asker = user({ name: 'Zähl Mal' });
    await ask('Hilfe', asker); // first contact stores the conversation reference
    counting.reset();
    await ask('Wer ist für Bottrop zuständig?', asker);
    // The relay's sweeps and the dispatcher's and job runner's polls run on timers and may fall into the turn; they read
    // only the containers that carry notices or jobs, which an answer never touches. What the turn itself costs:
    const BACKGROUND = new Set(['outbox', 'jobs', 'posts', 'items', 'circle', 'directory', 'knowledge', 'figures']);
    const turnOnly = () => Object.entries(counting.counts.byContainer).filter(([name]) => !BACKGROUND.has(name));
    const turn = turnOnly();
    expect(turn.reduce((n, [, c]) => n + c.reads, 0)).toBeLessThanOrEqual(1);
    // The one write keeps the question for "einfach erklärt" (a patch of the profile, no read before it).
    expect(turn.reduce((n, [, c]) => n + c.writes, 0)).toBe(1);
    counting.reset();
    // A command is no question: nothing to keep.
    await ask('Hilfe', asker);
    expect(turnOnly().reduce((n, [, c]) => n + c.writes, 0)).toBe(0);
  });

  it('serves the decree text that every answer links to', async () => {
    const res = await fetch(`${app.url}/erlass`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain; charset=utf-8/);
    expect(await res.text()).toMatch(/unmittelbares\s+Vortragsrecht/);
  });

  it.each([
    ['Gelsenkirchen', 'Bezirksregierung Münster'],
    ['Bochum', 'Bezirksregierung Arnsberg'],
    ['Essen', 'Bezirksregierung Düsseldorf'],
    ['Aachen', 'Bezirksregierung Köln'],
    ['Koeln', 'Bezirksregierung Köln'],
  ])('routes %s to the %s', async (place, authority) => {
    const call = await ask(`Wer ist die Integrationsbeauftragte für ${place}?`);
    expect(cardJson(call)).toContain(authority);
  });

  it('answers an English question in English', async () => {
    const call = await ask('Who is the integration commissioner for Cologne?', user({ name: 'Jane Doe', locale: 'en-US' }));
    const card = cardJson(call);
    expect(card).toContain('Your integration commissioner at the Bezirksregierung Köln');
  });

  it('says politely that places outside NRW are out of scope', async () => {
    const call = await ask('Wer ist für Osnabrück zuständig?');
    expect(call.activity?.text).toMatch(/Osnabrück/);
    expect(call.activity?.text).toMatch(/nicht in Nordrhein-Westfalen|außerhalb|not in North Rhine-Westphalia/i);
  });

  it('derives "meine IB" from the e-mail domain and remembers it', async () => {
    const anna = user({ name: 'Anna Aus Detmold', email: 'anna@bezreg-detmold.example' });
    emulator.setRoster([rosterMember(anna)]);
    const call = await ask('Wer ist meine Integrationsbeauftragte?', anna);
    expect(cardJson(call)).toContain('Moritz Muster (Beispiel)');
    const profile = await real.store<UserProfile>(CONTAINERS.users).read(anna.aadObjectId, 'profile');
    expect(profile).toMatchObject({ homeAuthority: 'detmold', homeAuthoritySource: 'emailDomain' });
  });

  it('asks once with a card when the authority is unknown, remembers the choice, and answers the question', async () => {
    const bert = user({ name: 'Bert Unbekannt', email: 'bert@kommune.example' });
    emulator.setRoster([rosterMember(bert)]);
    const first = await ask('Wer ist meine IB?', bert);
    const card = cardJson(first);
    expect(card).toContain('Für welche Bezirksregierung arbeiten Sie?');
    expect(card).toContain('"verb":"profile.setAuthority"');

    const res = await app.post(teams.cardAction('profile.setAuthority', { authority: 'koeln', question: 'Wer ist meine IB?' }, { from: bert }));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body.value)).toContain('Sabine Schmitz (Beispiel)');

    const again = await ask('Wer ist meine IB?', bert);
    expect(cardJson(again)).toContain('Sabine Schmitz (Beispiel)');
  });

  it('refuses a forged authority in the choice card', async () => {
    const res = await app.post(teams.cardAction('profile.setAuthority', { authority: 'berlin' }));
    expect(res.body).toMatchObject({ statusCode: 400 });
  });

  it('warns about third parties\' personal data and stores and logs none of it', async () => {
    const marker = 'Yilmaz';
    const call = await ask(`Herr ${marker}, geb. 03.04.1985, wohnhaft Musterstraße 12 in Marl, braucht Hilfe. Wer ist zuständig?`);
    expect(call.activity?.text ?? cardJson(call)).toMatch(/personenbezogene|Daten/);
    const stored = await real.store<UnansweredQuestion>(CONTAINERS.questions).query<UnansweredQuestion>({ query: 'SELECT * FROM c' });
    expect(JSON.stringify(stored)).not.toContain(marker);
    expect(app.logs.raw.join('\n')).not.toContain(marker);
  });

  it.each([
    ['an empty message', ''],
    ['a 10,000-character message', 'Integration '.repeat(900)],
    ['control characters', '\u0000\u0007\u001b[31mWer\u0008 ist \u007f zuständig?\u0000'],
  ])('answers %s politely, never with an error', async (_name, text) => {
    const call = await ask(text);
    expect(call.activity?.text ?? cardJson(call)).not.toMatch(/schiefgelaufen/);
    expect(app.logs.events()).not.toContain('turn.error');
  });

  it('keeps a question it could not answer for the IB of the asker\'s authority, and shows it only to that IB', async () => {
    const asker = user({ name: 'Carla Koeln', email: 'carla@bezreg-koeln.example' });
    emulator.setRoster([rosterMember(asker)]);
    await ask('Wer ist meine IB?', asker); // remembers Köln
    await ask('Wie beantrage ich bei Frau Schneider einen Dienstwagen für die Dienstreise?', asker);
    // Kept as intent and keywords only: neither the wording nor the name nor who asked.
    const stored = await real.store<UnansweredQuestion>(CONTAINERS.questions).query<UnansweredQuestion>({ query: 'SELECT * FROM c WHERE c.pk = "koeln"' });
    expect(stored.map((q) => ({ intent: q.intent, keywords: q.keywords }))).toEqual([{ intent: 'out_of_scope', keywords: ['beantrage', 'dienstreise', 'dienstwagen'] }]);
    expect(JSON.stringify(stored)).not.toMatch(/Schneider|Wie beantrage|Carla|carla/);

    const list = await ask('Unbeantwortete Fragen', KOELN_IB);
    expect(list.activity?.text).toContain('nur Stichwörter, ohne Personenbezug, 90 Tage');
    expect(list.activity?.text).toContain('beantrage · dienstreise · dienstwagen');

    const refused = await ask('Unbeantwortete Fragen', asker);
    expect(refused.activity?.text).toMatch(/nur die Integrationsbeauftragten/);
  });

  describe('the IB maintains their own entry', () => {
    it('opens the self-service card for the IB only', async () => {
      const card = await ask('Meine Angaben', KOELN_IB);
      expect(cardJson(card)).toContain('Ihr Eintrag im Verzeichnis: Bezirksregierung Köln');
      const other = await ask('Meine Angaben', user({ name: 'Nicht IB' }));
      expect(other.activity?.text).toMatch(/für die Integrationsbeauftragten/);
    });

    it('saves new office hours, records who changed what, and answers with them at once', async () => {
      const res = await app.post(teams.cardAction('directory.update', { officeHours: 'Di und Do 10–12 Uhr (Beispiel)' }, { from: KOELN_IB }));
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body.value)).toContain('Gespeichert');
      const trail = await real.store<AuditEntry>(CONTAINERS.audit).query<AuditEntry>({
        query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: 'directory:authority-koeln' }],
      });
      const change = trail.find((e) => e.action === 'directory.self_service');
      expect(change).toMatchObject({ actor: KOELN_IB.aadObjectId });
      expect(change?.changes).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/commissioner/officeHours', to: 'Di und Do 10–12 Uhr (Beispiel)' })]));
      const answer = await ask('Wer ist für Bonn zuständig?');
      expect(cardJson(answer)).toContain('Di und Do 10–12 Uhr (Beispiel)');
    });

    it('loses no edit when two saves of the entry meet, in each of 50 rounds: what is saved is recorded, the other is told to check', async () => {
      const audit = real.store<AuditEntry>(CONTAINERS.audit);
      const entry = async () => (await real.store<{ id: string; pk: string; data: { commissioner: { officeHours?: string } } }>(CONTAINERS.directory).read('directory', 'authority-koeln'))!;
      counting.reset();
      for (let round = 0; round < 50; round++) {
        // The IB saves from two windows at once, with different office hours.
        const hours = ['A', 'B'].map((w) => `Runde ${round}, Fenster ${w} (Beispiel)`);
        const answers = await Promise.all(hours.map((officeHours) => app.post(teams.cardAction('directory.update', { officeHours }, { from: KOELN_IB }))));
        expect(answers.map((a) => a.status)).toEqual([200, 200]);
        const saved = hours.filter((_, i) => JSON.stringify(answers[i].body.value).includes('Gespeichert'));
        const refused = hours.filter((_, i) => JSON.stringify(answers[i].body.value).includes('Jemand anderes hat den Eintrag gerade geändert'));
        expect(saved.length + refused.length).toBe(2);
        expect(saved.length).toBeGreaterThanOrEqual(1);
        // Every save is in the trail, nothing else is; the stored entry holds the last save.
        const recorded = (await audit.query<AuditEntry>({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: 'directory:authority-koeln' }] }))
          .flatMap((e) => e.changes)
          .filter((c) => c.path === '/commissioner/officeHours' && hours.includes(String(c.to)))
          .map((c) => String(c.to));
        expect(recorded.sort()).toEqual([...saved].sort());
        expect(saved).toContain((await entry()).data.commissioner.officeHours);
      }
      // The saves really met: the directory refused a stale ETag (412) and the loser was shown the current entry.
      expect(counting.contention.byContainer[CONTAINERS.directory]?.preconditionFailed ?? 0).toBeGreaterThan(0);
    });

    it('routes to the deputy while the IB is absent', async () => {
      const res = await app.post(teams.cardAction('directory.update', { absenceFrom: '2026-11-20', absenceTo: '2026-11-30', absenceNote: 'Dienstreise' }, { from: KOELN_IB }));
      expect(JSON.stringify(res.body.value)).toContain('Gespeichert');
      const answer = cardJson(await ask('Wer ist für Leverkusen zuständig?'));
      expect(answer).toContain('Jan Jedermann (Beispiel)');
      expect(answer).toContain('abwesend');
      await app.post(teams.cardAction('directory.update', { clearAbsences: 'true' }, { from: KOELN_IB }));
    });

    it('rejects an absence in the past with a clear message and changes nothing', async () => {
      const before = await counting.database.store(CONTAINERS.directory).read('directory', 'authority-koeln');
      const res = await app.post(teams.cardAction('directory.update', { absenceFrom: '2020-01-01', absenceTo: '2020-01-05' }, { from: KOELN_IB }));
      expect(JSON.stringify(res.body.value)).toMatch(/nicht in der Vergangenheit/);
      const after = await counting.database.store(CONTAINERS.directory).read('directory', 'authority-koeln');
      expect(after?.etag).toBe(before?.etag);
    });

    it('refuses anyone else, even with a forged authority in the card data, and changes nothing', async () => {
      const before = await real.store(CONTAINERS.directory).read('directory', 'authority-koeln');
      const mallory = user({ name: 'Mallory' });
      const res = await app.post(teams.cardAction('directory.update', { authority: 'koeln', officeHours: 'nie' }, { from: mallory }));
      expect(res.status).toBe(403);
      const otherIb = user({ name: 'Tina Test (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000500000001' });
      const cross = await app.post(teams.cardAction('directory.update', { authority: 'koeln', officeHours: 'nie' }, { from: otherIb }));
      expect(cross.status).toBe(403);
      const after = await real.store(CONTAINERS.directory).read('directory', 'authority-koeln');
      expect(after?.etag).toBe(before?.etag);
      expect(app.logs.events().filter((e) => e === 'directory.update_refused').length).toBeGreaterThanOrEqual(2);
    });
  });
});
