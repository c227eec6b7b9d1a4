import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDefaultEngine } from '../services/answers/engine';
import { detectPersonalData, type PersonalDataKind } from '../services/answers/privacy';
import { projectRoot } from '../services/paths';
import type { Figure } from './figure';

/** One labelled text of `test/fixtures/privacyCases.json`. */
export interface PrivacyCase {
  id: string;
  lang: 'de' | 'en';
  /** art9 | person-with-number | contact-data | harmless */
  category: string;
  text: string;
  /** The kinds the guard must report; empty for harmless texts. */
  expect: PersonalDataKind[];
}

/** The case table shared by the unit test and this benchmark. */
export function loadPrivacyCases(): PrivacyCase[] {
  const file = path.join(projectRoot, 'test', 'fixtures', 'privacyCases.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { cases: PrivacyCase[] }).cases;
}

/** How well the guard does on a case table. */
export interface PrivacyScore {
  cases: number;
  /** Share of the Art. 9 cases for which every expected kind was found. */
  recallArt9: number;
  /** Share of all cases with personal data for which every expected kind was found. */
  recall: number;
  /** Share of the texts the guard flagged that do hold personal data. */
  precision: number;
  /** Share of the harmless texts the guard flagged. */
  falseAlarmRate: number;
  /** Ids of cases the guard got wrong (missed kinds or a false alarm). */
  wrong: string[];
}

/** Scores `detect` on the cases: a case with personal data counts as found when every expected kind was reported. */
export function scorePrivacy(cases: readonly PrivacyCase[], detect: (text: string) => PersonalDataKind[] = (t) => detectPersonalData(t)): PrivacyScore {
  let positives = 0;
  let found = 0;
  let art9 = 0;
  let art9Found = 0;
  let flagged = 0;
  let flaggedRight = 0;
  let harmless = 0;
  let falseAlarms = 0;
  const wrong: string[] = [];
  for (const c of cases) {
    const kinds = detect(c.text);
    if (kinds.length) flagged++;
    if (c.expect.length === 0) {
      harmless++;
      if (kinds.length) {
        falseAlarms++;
        wrong.push(c.id);
      }
      continue;
    }
    positives++;
    if (kinds.length) flaggedRight++;
    const all = c.expect.every((k) => kinds.includes(k));
    if (all) found++;
    else wrong.push(c.id);
    if (c.category === 'art9') {
      art9++;
      if (all) art9Found++;
    }
  }
  return {
    cases: cases.length,
    recallArt9: art9 ? art9Found / art9 : 1,
    recall: positives ? found / positives : 1,
    precision: flagged ? flaggedRight / flagged : 1,
    falseAlarmRate: harmless ? falseAlarms / harmless : 0,
    wrong,
  };
}

/** Calls per second of `run` over `texts`, after a warm-up, for about `budgetMs`. */
function perSecond(texts: readonly string[], run: (text: string) => unknown, budgetMs = 1_500): number {
  for (let i = 0; i < 20_000; i++) run(texts[i % texts.length]);
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(budgetMs) * 1_000_000n;
  while (process.hrtime.bigint() - start < budget) {
    for (let k = 0; k < 200; k++) run(texts[n++ % texts.length]);
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * The `privacy` benchmark: the guard's recall and precision on the case table (goal: recall 1.0 on the Art. 9
 * cases, false alarms at most 5 %), how many texts per second it checks, and, as the baseline it must not drag down,
 * how many of the same texts per second the whole answer engine answers (the guard runs inside every answer).
 */
export async function benchPrivacy(): Promise<Figure[]> {
  const cases = loadPrivacyCases();
  const score = scorePrivacy(cases);
  const texts = cases.map((c) => c.text);
  const engine = loadDefaultEngine({ validate: false });
  const now = new Date('2025-03-03T09:00:00Z');
  const guard = perSecond(texts, (t) => detectPersonalData(t));
  const answers = perSecond(texts, (t) => engine.answer({ text: t, now }));
  if (score.wrong.length) process.stderr.write(`privacy: wrong on ${score.wrong.join(', ')}\n`);
  return [
    { name: 'privacy.cases', value: score.cases, unit: 'cases' },
    { name: 'privacy.recall_art9', value: score.recallArt9, unit: 'ratio' },
    { name: 'privacy.recall', value: score.recall, unit: 'ratio' },
    { name: 'privacy.precision', value: score.precision, unit: 'ratio' },
    { name: 'privacy.false_alarm_rate', value: score.falseAlarmRate, unit: 'ratio' },
    { name: 'privacy.texts_per_s', value: Math.round(guard), unit: 'texts/s' },
    { name: 'privacy.answers_per_s', value: Math.round(answers), unit: 'answers/s' },
  ];
}
