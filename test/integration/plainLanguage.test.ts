import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { UserProfile } from '../../services/users/userProfiles';
import { activityBuilders, user, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

/** Answers in plain language (issue 18): "einfach erklärt" after an answer or with a question, the card's menu, the preference. */
const isSend = (c: ConnectorCall) => c.operation === 'reply' || c.operation === 'send';
const cardJson = (c: ConnectorCall) => JSON.stringify(c.activity?.attachments?.[0]?.content ?? null);
const HOUR = 3_600_000;

interface InvokeBody {
  statusCode: number;
  type: string;
  value: unknown;
}

describe('answers in plain language', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  // Tuesday, 24 November 2026, 10:00 in Berlin; one test moves it on.
  let now = new Date('2026-11-24T09:00:00Z');

  const profile = (aad: string) => database.store<UserProfile>(CONTAINERS.users).read(aad, 'profile');

  async function say(text: string, from: TeamsUser, target: TestApp = app): Promise<ConnectorCall> {
    emulator.reset();
    const res = await target.post(teams.message(text, { from }));
    expect(res.status).toBe(200);
    return emulator.waitFor(isSend);
  }
  const textOf = (call: ConnectorCall) => call.activity?.text ?? '';

  async function invoke(verb: string, data: Record<string, unknown>, from: TeamsUser): Promise<InvokeBody> {
    const res = await app.post(teams.cardAction(verb, data, { from }));
    const body = res.body as InvokeBody;
    expect(res.status).toBe(body.statusCode);
    return body;
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator({ unknownMembers: 'notFound' });
    database = await openDatabase({ databaseId: 'plain-language-test' });
    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  describe('in German', () => {
    it('explains the previous answer in Leichte Sprache after "einfach erklärt"', async () => {
      const erika = user({ name: 'Erika Einfach', locale: 'de-DE' });
      const standard = textOf(await say('Was macht die Integrationsbeauftragte?', erika));
      expect(standard).toMatch(/^Die Integrationsbeauftragten \(IB\) unterstützen/);

      const plain = textOf(await say('einfach erklärt', erika));
      expect(plain).toContain('Jede Bezirks·regierung hat Integrations·beauftragte.');
      // One fact per line (a paragraph each in Teams), the closing line, the source without abbreviations.
      expect(plain).toContain('Integrations·beauftragte.\n\nDiese Person hilft');
      expect(plain).toContain('Dann schreiben Sie mir einfach.');
      expect(plain).toContain('Quelle: Runderlass vom 5. Dezember 2023, Nummer 5 und Paragraf 6, Absatz 5');
      expect(plain).not.toMatch(/\bIB\b|RdErl|Nr\./);
    });

    it('answers a question asked together with "Einfach erklärt:" in Leichte Sprache', async () => {
      const text = textOf(await say('Einfach erklärt: Was ist der Koordinierungskreis?', user({ name: 'Frieda Frage' })));
      expect(text).toMatch(/^Der Koordinierungs·kreis ist ein Treffen\./);
      expect(text).toContain('Dann schreiben Sie mir einfach.');
    });

    it('offers "Einfach erklärt" in the answer card\'s menu, and the button turns the card into Leichte Sprache and back', async () => {
      const gerd = user({ name: 'Gerd Gemeinde' });
      const card = cardJson(await say('Wer ist für Marl zuständig?', gerd));
      expect(card).toContain('"title":"Einfach erklärt","verb":"answers.style","mode":"secondary","data":{"question":"Wer ist für Marl zuständig?","style":"plain"}');

      const plain = await invoke('answers.style', { question: 'Wer ist für Marl zuständig?', style: 'plain' }, gerd);
      expect(plain.statusCode).toBe(200);
      const plainCard = JSON.stringify(plain.value);
      expect(plainCard).toContain('Ihre Integrations·beauftragte bei der Bezirks·regierung Münster');
      expect(plainCard).toContain('Tina Test (Beispiel)');
      expect(plainCard).toContain('Quelle: Runderlass vom 5. Dezember 2023, Nummer 5 d');
      expect(plainCard).toContain('"title":"Normale Sprache","verb":"answers.style"');
      expect(plainCard).not.toMatch(/Ihre IB|RdErl/);

      const back = await invoke('answers.style', { question: 'Wer ist für Marl zuständig?', style: 'standard' }, gerd);
      expect(JSON.stringify(back.value)).toContain('Ihre IB bei der Bezirksregierung Münster');
    });

    it('says politely that there is nothing to explain when "einfach erklärt" comes before any question', async () => {
      const text = textOf(await say('Einfach erklärt!', user({ name: 'Neu Hier' })));
      expect(text).toBe('Ich weiß nicht, welche Antwort ich einfach erklären soll. Bitte schreiben Sie Ihre Frage noch einmal, zum Beispiel: „Einfach erklärt: Wer ist für Marl zuständig?“');
    });

    it('does not refer back to a question from the day before', async () => {
      const hanna = user({ name: 'Hanna Gestern' });
      await say('Was ist der Koordinierungskreis?', hanna);
      now = new Date(now.getTime() + 25 * HOUR);
      try {
        expect(textOf(await say('einfach erklärt', hanna))).toMatch(/^Ich weiß nicht, welche Antwort/);
      } finally {
        now = new Date('2026-11-24T09:00:00Z');
      }
    });

    it('keeps no question the privacy guard stopped, so "einfach erklärt" has nothing to repeat', async () => {
      const ida = user({ name: 'Ida Vorsicht' });
      const warning = textOf(await say('Herr Yilmaz, geb. 03.04.1985, Az. 4711 braucht Hilfe. Wer ist zuständig?', ida));
      expect(warning).toMatch(/personenbezogene Daten/);
      expect((await profile(ida.aadObjectId))?.lastQuestion).toBeUndefined();
      expect(textOf(await say('einfach erklärt', ida))).toMatch(/^Ich weiß nicht, welche Antwort/);
      expect(JSON.stringify(await profile(ida.aadObjectId))).not.toContain('Yilmaz');
    });

    it('refuses a card action without a question, with an unknown style or an overlong question (400)', async () => {
      const from = user({ name: 'Karl Karte' });
      expect((await invoke('answers.style', { style: 'plain' }, from)).statusCode).toBe(400);
      expect((await invoke('answers.style', { question: '   ', style: 'plain' }, from)).statusCode).toBe(400);
      expect((await invoke('answers.style', { question: 'Wer ist für Marl zuständig?', style: 'klingonisch' }, from)).statusCode).toBe(400);
      expect((await invoke('answers.style', { question: 'x'.repeat(2001), style: 'plain' }, from)).statusCode).toBe(400);
    });

    it('keeps "immer einfache Sprache" in the profile: every answer is plain, in a later conversation too, and Meine Daten shows it', async () => {
      const lena = user({ name: 'Lena Leicht' });
      expect(textOf(await say('Immer einfache Sprache', lena))).toBe(
        'Gespeichert: Ich antworte Ihnen ab jetzt in einfacher Sprache. Mit „normale Sprache“ antworte ich wieder wie vorher.',
      );
      expect(await profile(lena.aadObjectId)).toMatchObject({ plainLanguage: true });
      expect(textOf(await say('Seit wann gilt der Runderlass?', lena))).toMatch(/^Der Runderlass ist vom 5\. Dezember 2023\./);

      // Another process on the same database (a restart, a second instance) answers her in plain language as well.
      const other = await startTestApp({}, { database, now: () => now });
      try {
        expect(cardJson(await say('Wer ist für Marl zuständig?', lena, other))).toContain('Ihre Integrations·beauftragte bei der Bezirks·regierung Münster');
      } finally {
        await other.stop();
      }

      const summary = cardJson(await say('Meine Daten', lena));
      expect(summary).toContain('Antworten in einfacher Sprache: ja');
      expect(summary).toContain('Ihre letzte Frage (für „einfach erklärt“): gespeichert am 24.11.2026');
      const file = JSON.stringify(await app.myData(lena.aadObjectId));
      expect(file).toContain('"plainLanguage":true');
      expect(file).toContain('"lastQuestion":{"text":"Wer ist für Marl zuständig?"');

      expect(textOf(await say('normale Sprache', lena))).toMatch(/^Gespeichert: Ich antworte Ihnen wieder in normaler Sprache\./);
      expect(textOf(await say('Seit wann gilt der Runderlass?', lena))).toMatch(/^Der Runderlass vom 5\. Dezember 2023 tritt nach seiner Nr\. 7/);
      expect(cardJson(await say('Meine Daten', lena))).toContain('Antworten in einfacher Sprache: nein');
    });
  });

  describe('in English', () => {
    it('explains the previous answer in plain English after "explain simply"', async () => {
      const sam = user({ name: 'Sam Simple', locale: 'en-US' });
      expect(textOf(await say('What does an integration commissioner do?', sam))).toMatch(/^The integration commissioners \(IB\) help/);
      const plain = textOf(await say('Explain simply', sam));
      expect(plain).toContain('Every district government (Bezirksregierung) has an integration commissioner.\n\nThis person helps');
      expect(plain).toContain('Just write to me.');
      expect(plain).toContain('Source: Decree of 5 December 2023, number 5 and Section 6, paragraph 5');
      expect(plain).not.toMatch(/\bIB\b|RdErl/);
    });

    it('answers "… in plain English" plainly and offers "Explain simply" on the card', async () => {
      const tom = user({ name: 'Tom Town', locale: 'en-US' });
      expect(textOf(await say('What is the coordination circle? In plain English', tom))).toMatch(/^The coordination circle is a meeting\./);
      const card = cardJson(await say('Who is responsible for Marl?', tom));
      expect(card).toContain('"title":"Explain simply","verb":"answers.style"');
      const plain = await invoke('answers.style', { question: 'Who is responsible for Marl?', style: 'plain' }, tom);
      expect(JSON.stringify(plain.value)).toContain('"title":"Normal language"');
      expect(JSON.stringify(plain.value)).toContain('Source: Decree of 5 December 2023, number 5 d');
    });

    it('says politely that there is nothing to explain before any question', async () => {
      expect(textOf(await say('explain simply', user({ name: 'New Comer', locale: 'en-US' })))).toBe(
        'I do not know which answer to explain simply. Please write your question again, for example: "Explain simply: Who is responsible for Marl?"',
      );
    });

    it('keeps "always plain English" and shows it in "my data"', async () => {
      const uma = user({ name: 'Uma Usual', locale: 'en-US' });
      expect(textOf(await say('always plain English', uma))).toMatch(/^Saved: from now on I answer you in plain English\./);
      expect(textOf(await say('When did the decree come into force?', uma))).toMatch(/^The decree is from 5 December 2023\./);
      expect(cardJson(await say('my data', uma))).toContain('Answers in plain language: yes');
      expect(textOf(await say('normal language', uma))).toMatch(/^Saved: I answer you in normal language again\./);
    });
  });
});
