import { existsSync, readFileSync } from 'node:fs';

/**
 * Scoring of the answer engine against question sets, for `npm run bench -- answers`.
 *
 * Two formats are read:
 * - our own unseen set (`test/fixtures/answersUnseen.jsonl`): `{id, text, locale?, homeAuthority?, intent,
 *   authority, place, pattern}` with `authority` and `place` (an AGS) given or null;
 * - the shared sample (`../shared/eval/questions.jsonl`): `{id, text, …, expect: {intent, authority?}, tag?}`.
 *
 * A case is right when the intent matches and the authority and place match wherever they are expected —
 * the rule of `shared/eval/score.mjs` ("none" in the shared sample means the answer names no authority),
 * extended to the place. A kreisfreie Stadt has two keys, its Kreis key ("05113") and its Gemeinde AGS
 * ("05113000"); both name the same city and count as the same place.
 */

/** What a case expects; a field left undefined is not checked. */
export interface Expectation {
  intent: string;
  /** An authority code, null (or "none") for "names no authority", undefined for "not checked". */
  authority?: string | null;
  /** A place AGS, null for "no place", undefined for "not checked". */
  place?: string | null;
}

/** One question with what it expects, and the pattern it tests (unseen set) or its tag (shared sample). */
export interface EvalCase {
  id: string;
  text: string;
  locale?: string;
  homeAuthority?: string;
  expect: Expectation;
  pattern: string;
}

/** The fields of an engine answer the scoring looks at (contracts.md §2). */
export interface ScoredAnswer {
  intent: string;
  authority: string | null;
  place: { ags: string } | null;
}

/** The same place key for both keys of a kreisfreie Stadt ("05113" and "05113000"). */
function placeKey(ags: string): string {
  return ags.length === 5 ? `${ags}000` : ags;
}

/** Whether an answer is right for a case (see the module comment). */
export function isRight(expect: Expectation, answer: ScoredAnswer | undefined): boolean {
  if (!answer || answer.intent !== expect.intent) return false;
  if (expect.authority !== undefined) {
    const want = expect.authority === 'none' ? null : expect.authority;
    if ((answer.authority ?? null) !== want) return false;
  }
  if (expect.place !== undefined) {
    const got = answer.place ? placeKey(answer.place.ags) : null;
    const want = expect.place === null ? null : placeKey(expect.place);
    if (got !== want) return false;
  }
  return true;
}

/** Parses a question file in either format; throws with the line number on a malformed line. */
export function parseCases(jsonl: string): EvalCase[] {
  const cases: EvalCase[] = [];
  jsonl.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`line ${i + 1}: not JSON`);
    }
    if (typeof o.id !== 'string' || typeof o.text !== 'string') throw new Error(`line ${i + 1}: needs id and text`);
    let expect: Expectation;
    if (o.expect && typeof o.expect === 'object') {
      const e = o.expect as Record<string, unknown>;
      expect = { intent: String(e.intent), authority: e.authority as string | null | undefined, place: e.place as string | null | undefined };
    } else if (typeof o.intent === 'string') {
      if (o.authority === undefined || o.place === undefined) throw new Error(`line ${i + 1}: needs authority and place (or null)`);
      expect = { intent: o.intent, authority: o.authority as string | null, place: o.place as string | null };
    } else {
      throw new Error(`line ${i + 1}: needs intent or expect`);
    }
    cases.push({
      id: o.id,
      text: o.text,
      ...(typeof o.locale === 'string' ? { locale: o.locale } : {}),
      ...(typeof o.homeAuthority === 'string' ? { homeAuthority: o.homeAuthority } : {}),
      expect,
      pattern: typeof o.pattern === 'string' ? o.pattern : typeof o.tag === 'string' ? o.tag : '',
    });
  });
  return cases;
}

/** Reads a question file, or returns null when it does not exist. */
export function readCases(file: string): EvalCase[] | null {
  return existsSync(file) ? parseCases(readFileSync(file, 'utf8')) : null;
}

/** A case the engine got wrong, with what it answered. */
export interface Miss {
  case: EvalCase;
  answer: ScoredAnswer | undefined;
}

/** Accuracy over a set, overall and per pattern. */
export interface Score {
  cases: number;
  right: number;
  accuracy: number;
  byPattern: Map<string, { cases: number; right: number; accuracy: number }>;
  misses: Miss[];
}

/** Scores answers (by case id) against cases. An empty set has accuracy 0. */
export function score(cases: readonly EvalCase[], answers: ReadonlyMap<string, ScoredAnswer>): Score {
  const byPattern = new Map<string, { cases: number; right: number; accuracy: number }>();
  const misses: Miss[] = [];
  let right = 0;
  for (const c of cases) {
    const answer = answers.get(c.id);
    const ok = isRight(c.expect, answer);
    const p = byPattern.get(c.pattern) ?? { cases: 0, right: 0, accuracy: 0 };
    p.cases++;
    if (ok) {
      p.right++;
      right++;
    } else {
      misses.push({ case: c, answer });
    }
    p.accuracy = p.right / p.cases;
    byPattern.set(c.pattern, p);
  }
  return { cases: cases.length, right, accuracy: cases.length ? right / cases.length : 0, byPattern, misses };
}

/** One line per miss, for a person reading the benchmark's stderr. */
export function describeMiss(m: Miss): string {
  const e = m.case.expect;
  const a = m.answer;
  const want = `${e.intent}/${e.authority ?? '-'}/${e.place ?? '-'}`;
  const got = a ? `${a.intent}/${a.authority ?? '-'}/${a.place?.ags ?? '-'}` : 'no answer';
  return `miss ${m.case.id} [${m.case.pattern}] ${JSON.stringify(m.case.text)} expected ${want} got ${got}`;
}
