import { loadPrivacyCases, scorePrivacy, type PrivacyCase } from '../../../bench/privacy';
import { loadDefaultEngine } from '../../../services/answers/engine';
import { readFileSync } from 'node:fs';
import { detectPersonalData, directoryPrivacyOptions, findNamedPeople, SPECIAL_CATEGORY_KINDS } from '../../../services/answers/privacy';
import { dataFile } from '../../../services/paths';

const CATEGORIES = ['art9', 'person-with-number', 'contact-data', 'harmless'] as const;
const cases = loadPrivacyCases();
const sorted = (kinds: readonly string[]) => [...kinds].sort();

describe('the privacy guard on its case table (test/fixtures/privacyCases.json)', () => {
  it('has at least 60 labelled cases in German and English, in every category', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    for (const lang of ['de', 'en'] as const) expect(cases.filter((c) => c.lang === lang).length).toBeGreaterThanOrEqual(10);
    for (const category of CATEGORIES) expect(cases.filter((c) => c.category === category).length).toBeGreaterThanOrEqual(5);
    expect(cases.every((c) => (CATEGORIES as readonly string[]).includes(c.category))).toBe(true);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    // The labels agree with the expectations: Art. 9 cases expect a special category, harmless ones nothing.
    for (const c of cases.filter((x) => x.category === 'art9')) expect(c.expect.some((k) => SPECIAL_CATEGORY_KINDS.has(k))).toBe(true);
    for (const c of cases.filter((x) => x.category === 'harmless')) expect(c.expect).toEqual([]);
  });

  it.each(cases.map((c): [string, string, PrivacyCase] => [c.category, c.text, c]))('[%s] %s', (_category, text, c) => {
    expect(sorted(detectPersonalData(text))).toEqual(sorted(c.expect));
  });

  it('meets the goals: recall 1.0 on the Art. 9 cases, false alarms at most 5 %', () => {
    const score = scorePrivacy(cases);
    expect(score.recallArt9).toBe(1);
    expect(score.falseAlarmRate).toBeLessThanOrEqual(0.05);
    expect(score.precision).toBeGreaterThanOrEqual(0.95);
  });
});

describe('words the quick pre-scan must not miss', () => {
  it.each<[string, string[]]>([
    ['Herr Becker hat Brustkrebs.', ['health']],
    ['Frau Aksoy ist türkeistämmig.', ['origin']],
    ['Frau Lehmann ist schwerbehindert.', ['health']],
    ['Frau Wagner, 45 Jahre alt, fragt nach.', ['birthYear']],
    ['Die Klientin, Jahrgang 1961, braucht Hilfe.', ['birthYear']],
    [`${'x'.repeat(6000)} Herr Ahmadi ist krank.`, ['health']],
    [`${'Integration '.repeat(700)}Frau Yilmaz ist Muslima.`, ['religion']],
  ])('"%s" → %j', (text, kinds) => {
    expect(detectPersonalData(text).sort()).toEqual(kinds.sort());
  });
});

describe('published contact data', () => {
  const directory = JSON.parse(readFileSync(dataFile('demo-directory.json'), 'utf8'));
  const options = directoryPrivacyOptions(directory);

  it('does not count the directory’s phone numbers and mail domains as third parties’ data, in any spelling', () => {
    for (const text of ['Rufen Sie mich an: 02931 555-0101', 'Tel. +49 2931 555-0101', 'Mail an erika.mustermann@bezreg-arnsberg.example']) {
      expect(detectPersonalData(text, options)).toEqual([]);
    }
    expect(detectPersonalData('Rufen Sie mich an: 02931 555-0101')).toEqual(['phone']);
    expect(detectPersonalData('Bitte unter 0171 2345678 zurückrufen', options)).toEqual(['phone']);
  });
});

describe('what the guard counts as a named person', () => {
  const names = (text: string) => findNamedPeople(text).map((p) => text.slice(p.start, p.end));

  it.each<[string, string[]]>([
    ['Herr Ahmadi aus Syrien ist schwer krank.', ['Herr Ahmadi']],
    ['Frau Dr. Weber und Herrn Ahmad K. betrifft das.', ['Frau Dr. Weber', 'Herrn Ahmad K.']],
    ['Fatima Khan fragt nach.', ['Fatima Khan']],
    ['Kollegin Aydın fastet.', ['Kollegin Aydın']],
    ['Frau Ministerin Scharrenbach eröffnet.', ['Frau Ministerin Scharrenbach']],
    ['herr ahmadi ist krank', ['herr ahmadi']],
    ['Mr Smith and Mrs. Khan', ['Mr Smith', 'Mrs. Khan']],
  ])('"%s" names %j', (text, expected) => {
    expect(names(text)).toEqual(expected);
  });

  it.each(['Herr Präsident, wir bitten um einen Termin.', 'Sehr geehrte Frau Bürgermeisterin,', 'Die Frau aus Syrien ist krank.', 'Wenn ein Schüler Probleme hat', 'Stadt Münster', 'Mr President'])(
    'does not take "%s" for a named person',
    (text) => {
      expect(names(text)).toEqual([]);
    },
  );
});

describe('the guard in the answer engine', () => {
  const engine = loadDefaultEngine();

  it('answers a named person with a special category with the privacy warning, naming the categories', () => {
    const a = engine.answer({ text: 'Herr Ahmadi aus Syrien ist schwer krank, wer ist in Marl zuständig?' });
    expect(a.intent).toBe('privacy.warning');
    expect(a.personalData).toEqual(['origin', 'health']);
    expect(a.text).toMatch(/Herkunft/);
    expect(a.text).toMatch(/Gesundheit/);
    expect(a.text).toMatch(/speichere diesen Text nicht/);
    expect(a.authority).toBe('muenster');
  });

  it('warns in English too', () => {
    const a = engine.answer({ text: 'Mrs Khan is Muslim, who can help her?' });
    expect(a.intent).toBe('privacy.warning');
    expect(a.language).toBe('en');
    expect(a.text).toMatch(/religion/);
  });

  it.each(['Meine IB ist krank, an wen kann ich mich wenden?', 'Muss ich die IB beteiligen, wenn wir eine Maßnahme für Geflüchtete planen?', 'Gibt es an der Uni Münster Islamwissenschaften?'])(
    'answers "%s" as usual',
    (text) => {
      expect(engine.answer({ text }).intent).not.toBe('privacy.warning');
    },
  );
});
