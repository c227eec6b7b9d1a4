import { readFileSync } from 'node:fs';
import { plainCitation } from '../../../services/answers/composer';
import { loadDefaultEngine, type AnswerEngine, type AnswerRequest } from '../../../services/answers/engine';
import { INTENTS, type Intent } from '../../../services/answers/intents';
import { ENGINE_ENTRIES, ENGINE_TEXTS, validateKnowledge, type Knowledge } from '../../../services/answers/knowledge';
import type { Language } from '../../../services/answers/language';
import { dataFile } from '../../../services/paths';

const shipped = (): Knowledge => JSON.parse(readFileSync(dataFile('knowledge.json'), 'utf8')) as Knowledge;

let engine: AnswerEngine;
beforeAll(() => {
  engine = loadDefaultEngine();
});

const NOW = new Date('2025-03-03T10:00:00Z');
const ask = (text: string, extra: Partial<AnswerRequest> = {}) => engine.answer({ text, now: NOW, ...extra });

/** Abbreviations a plain text spells out (Leichte Sprache, plain English): the decree's, the authorities', Latin ones. */
const ABBREVIATIONS: RegExp[] = [
  /\bIB\b/, /\bBR\b/, /\bRP\b/, /RdErl/, /\bNr\./, /\bAbs\./, /\bz\.\s?B\./i, /\bbzw\./, /\bggf\./, /\busw\./, /\bKfI\b/, /\bKI\b/,
  /\bKIM\b/, /\bTIntG\b/, /\bDez\./, /\bd\.\s?h\./, /\bu\.\s?a\./, /\bNRW\b/, /\bca\./, /\bvgl\./, /§/, /\bISB\b/, /\bGV\./,
  /\be\.g\./, /\bi\.e\./, /\betc\./, /\bno\.\s/i,
];
const abbreviationsIn = (text: string) => ABBREVIATIONS.filter((re) => re.test(text)).map(String);

/** Longest sentence of a text in words; a `{placeholder}` is one word, each line and each sentence counts alone. */
const MAX_WORDS = 15;
function longestSentence(text: string): { words: number; sentence: string } {
  let longest = { words: 0, sentence: '' };
  for (const line of text.split('\n')) {
    for (const sentence of line.split(/(?<=[.!?])\s+/)) {
      const words = sentence.split(/\s+/).filter((w) => /[\p{L}\p{N}{]/u.test(w)).length;
      if (words > longest.words) longest = { words, sentence };
    }
  }
  return longest;
}

/** Every plain text of the knowledge file with where it is. */
function plainTexts(k: Knowledge): Array<[path: string, text: string]> {
  const out: Array<[string, string]> = [];
  for (const e of k.entries) for (const lang of ['de', 'en'] as const) if (e.answer?.plain) out.push([`entries/${e.id}/plain/${lang}`, e.answer.plain[lang]]);
  for (const [key, t] of Object.entries(k.texts)) for (const lang of ['de', 'en'] as const) if (t.plain) out.push([`texts/${key}/plain/${lang}`, t.plain[lang]]);
  return out;
}

describe('the plain variants in the knowledge file', () => {
  it('exist for every answer entry and every text, in German and English', () => {
    const k = shipped();
    for (const e of k.entries.filter((x) => x.answer)) {
      expect(e.answer?.plain?.de).toBeTruthy();
      expect(e.answer?.plain?.en).toBeTruthy();
    }
    for (const id of ENGINE_ENTRIES) expect(k.entries.find((e) => e.id === id)?.answer?.plain).toBeDefined();
    for (const key of ENGINE_TEXTS) {
      expect(k.texts[key].plain?.de).toBeTruthy();
      expect(k.texts[key].plain?.en).toBeTruthy();
    }
  });

  it('are demanded by the schema: a file without one is rejected at its path', () => {
    const k = shipped() as unknown as { entries: Array<{ answer?: { plain?: unknown } }>; texts: Record<string, { plain?: unknown }> };
    const i = k.entries.findIndex((e) => e.answer);
    delete k.entries[i].answer!.plain;
    delete k.texts.kfi.plain;
    const r = validateKnowledge(k);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toContainEqual({ path: `/entries/${i}/answer/plain`, reason: 'is required but missing' });
    expect(r.problems).toContainEqual({ path: '/texts/kfi/plain', reason: 'is required but missing' });
  });

  it('use only placeholders the engine fills', () => {
    const k = shipped() as unknown as { texts: Record<string, { plain: { de: string } }> };
    k.texts.kfi.plain.de = 'Das {kfiNmae} hilft.';
    const r = validateKnowledge(k);
    expect(r.ok ? [] : r.problems).toContainEqual({ path: '/texts/kfi/plain/de', reason: expect.stringMatching(/unknown placeholder \{kfiNmae\}/) });
  });

  it(`keep every sentence to at most ${MAX_WORDS} words`, () => {
    const tooLong = plainTexts(shipped())
      .map(([path, text]) => ({ path, ...longestSentence(text) }))
      .filter((x) => x.words > MAX_WORDS);
    expect(tooLong).toEqual([]);
  });

  it('spell out every abbreviation (no "IB", "RdErl.", "Nr.", "KI", "z. B." …)', () => {
    const found = plainTexts(shipped())
      .map(([path, text]) => ({ path, found: abbreviationsIn(text) }))
      .filter((x) => x.found.length > 0);
    expect(found).toEqual([]);
  });

  it('split long German compounds with a middle dot where the standard text says "Integrationsbeauftragte"', () => {
    const german = plainTexts(shipped()).filter(([path]) => path.endsWith('/de'));
    expect(german.filter(([, text]) => /Integrationsbeauftragt|Bezirksregierung/.test(text)).map(([path]) => path)).toEqual([]);
  });
});

type Case = [intent: Intent, de: string, en: string, extra?: Partial<AnswerRequest>];
const CASES: Case[] = [
  ['contact.commissioner', 'Wer ist für Marl zuständig?', 'Who is responsible for Marl?'],
  ['contact.deputy', 'Wer vertritt die IB in Detmold?', 'Who stands in for the integration commissioner in Detmold?'],
  ['contact.kfi', 'Wer berät die Integrationsbeauftragten?', 'Who advises the integration commissioners?'],
  ['contact.ki', 'Welches KI ist für Gütersloh zuständig?', 'Which KI is responsible for Gütersloh?'],
  ['info.tasks', 'Was macht die Integrationsbeauftragte?', 'What does an integration commissioner do?'],
  ['info.legal_basis', 'Auf welcher Rechtsgrundlage gibt es die Integrationsbeauftragten?', 'What is the legal basis for the integration commissioners?'],
  ['info.requirements', 'Welche Kenntnisse muss eine Integrationsbeauftragte mitbringen?', 'What qualifications does an integration commissioner need?'],
  ['info.appointment', 'Wie wird man als Integrationsbeauftragte bestellt?', 'How are integration commissioners appointed?'],
  ['info.organisation', 'Darf die Integrationsbeauftragte direkt bei der Behördenleitung vortragen?', 'Who decides where the integration commissioner is attached in the organisation?'],
  ['info.circle', 'Was ist der Koordinierungskreis?', 'What is the coordination circle?'],
  ['info.effective_date', 'Seit wann gilt der Runderlass?', 'When did the decree come into force?'],
  ['request.create', 'Ich möchte ein Anliegen an die Integrationsbeauftragte richten.', 'I would like to send a request to the integration commissioner.', { homeAuthority: 'koeln' }],
  ['report.create', 'Ich möchte einen Vortrag bei der Behördenleitung anmelden.', 'I want to register a report to the head of the authority.', { homeAuthority: 'koeln' }],
  ['circle.next_meeting', 'Wann ist das nächste Treffen des Koordinierungskreises?', 'When is the next coordination circle meeting?'],
  ['privacy.warning', 'Herr Ahmad K., geb. 12.03.1990, Az. 4711 hat Ärger mit der Ausländerbehörde – wer hilft ihm?', 'Mr Ahmad K., born 12.03.1990, file no. 4711, has trouble with the immigration office. Who can help him?'],
  ['help', 'Hilfe', 'help'],
  ['out_of_scope', 'Wie wird das Wetter morgen in Köln?', 'What will the weather be like in Cologne tomorrow?'],
];

describe('plain answers for every intent', () => {
  it('covers every intent of the contract', () => {
    expect(new Set(CASES.map((c) => c[0]))).toEqual(new Set(INTENTS));
  });

  const rows = CASES.flatMap(([intent, de, en, extra]) => [
    [intent, 'de' as Language, de, extra ?? {}],
    [intent, 'en' as Language, en, extra ?? {}],
  ]) as Array<[Intent, Language, string, Partial<AnswerRequest>]>;

  it.each(rows)('%s (%s): same facts as the standard answer, in plain words with a closing line', (intent, lang, text, extra) => {
    const standard = ask(text, extra);
    const plain = ask(text, { ...extra, plain: true });
    expect(standard.intent).toBe(intent);
    expect(standard.plain).toBeUndefined();
    expect(plain).toEqual(expect.objectContaining({ intent, language: lang, authority: standard.authority, place: standard.place, citation: standard.citation, plain: true }));
    expect(plain.text).not.toBe(standard.text);
    expect(plain.text.endsWith(lang === 'de' ? 'Dann schreiben Sie mir einfach.' : 'Just write to me.')).toBe(true);
    // One fact per line: at least the answer and the closing line.
    expect(plain.text.split('\n').length).toBeGreaterThanOrEqual(3);
    expect(abbreviationsIn(plain.text)).toEqual([]);
    // The people named are the same: a plain answer leaves nobody out.
    for (const person of [standard.contact?.commissioner?.name, standard.contact?.deputy?.name].filter(Boolean)) {
      if (standard.text.includes(person!)) expect(plain.text).toContain(person);
    }
  });
});

describe('plain answers in detail', () => {
  it('puts each way to reach the IB on its own line, with its label', () => {
    const a = ask('Wer ist für Marl zuständig?', { plain: true });
    expect(a.text).toContain('\nTina Test (Beispiel)\n');
    expect(a.text).toContain('\nTelefon: 0251 555-0101\n');
    expect(a.text).toContain('\nE-Mail: tina.test@bezreg-muenster.example\n');
    expect(a.text).toContain('Bezirks·regierung Münster');
  });

  it('writes a return date with the month name in Leichte Sprache', () => {
    const a = engine.answer({ text: 'Wer ist die IB der Bezirksregierung Köln?', now: new Date('2025-07-10T08:00:00Z'), plain: true });
    expect(a.text).toContain('bis zum 25. Juli 2025 nicht da');
    const en = engine.answer({ text: 'Who is the integration commissioner of the Bezirksregierung Köln?', now: new Date('2025-07-10T08:00:00Z'), plain: true });
    expect(en.text).toContain('away until 25 July 2025');
  });

  it('leaves out the abbreviation the directory puts after the Kompetenzzentrum\'s name', () => {
    const a = ask('Wer berät die Integrationsbeauftragten?', { plain: true });
    expect(a.text).toContain('Kompetenz·zentrum für Integration ist bei der Bezirks·regierung Arnsberg');
    expect(a.text).not.toContain('(KfI)');
  });

  it('answers an empty or very long message in plain words too', () => {
    expect(ask('', { plain: true }).text).toMatch(/^Ich habe keine Frage gefunden\./);
    expect(ask('x'.repeat(3000), { plain: true }).text).toMatch(/^Ihre Nachricht ist sehr lang\./);
  });

  it('keeps the standard answer unchanged when plain language is not asked for', () => {
    expect(ask('Was ist der Koordinierungskreis?', { plain: false }).text).toBe(ask('Was ist der Koordinierungskreis?').text);
    expect(ask('Was ist der Koordinierungskreis?').text).toMatch(/^Der Koordinierungskreis ist die Runde/);
  });
});

describe('citations in plain words', () => {
  it.each([
    ['RdErl. v. 5.12.2023, Nr. 5 d', 'de', 'Runderlass vom 5. Dezember 2023, Nummer 5 d'],
    ['RdErl. v. 5.12.2023, Nr. 5; § 6 Abs. 5 TIntG', 'de', 'Runderlass vom 5. Dezember 2023, Nummer 5 und Paragraf 6, Absatz 5 im Teilhabe- und Integrations·gesetz'],
    ['§ 8 TIntG', 'en', 'Section 8 of the Participation and Integration Act'],
    ['Art. 9 DSGVO; DSG NRW', 'en', 'Article 9 of the General Data Protection Regulation and the data protection law of North Rhine-Westphalia'],
  ] as Array<[string, Language, string]>)('%s (%s)', (citation, lang, expected) => {
    expect(plainCitation(citation, lang)).toBe(expected);
  });

  it('leaves no abbreviation in any citation the engine gives', () => {
    const citations = new Set([...shipped().entries.map((e) => e.citation), 'RdErl. v. 5.12.2023, Nr. 5 d', 'Art. 9 DSGVO; DSG NRW']);
    for (const c of citations) {
      if (!c) continue;
      for (const lang of ['de', 'en'] as const) expect([c, lang, abbreviationsIn(plainCitation(c, lang))]).toEqual([c, lang, []]);
    }
  });
});
