import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadDefaultEngine, type AnswerEngine } from '../services/answers/engine';
import { answerJsonLine } from '../services/answers/jsonl';
import { projectRoot } from '../services/paths';
import { describeMiss, readCases, score, type EvalCase, type ScoredAnswer } from './answersEval';
import { spawnChild } from './childProcess';
import type { Figure as BenchFigure } from './figure';

// A mix like the staff's: places in every spelling, all intents, both languages, traps and bad input.
const QUESTIONS: readonly string[] = [
  'Wer ist für Marl zuständig?',
  'Ich arbeite bei der Stadt Ascheberg. Wer ist unsere Integrationsbeauftragte bei der Bezirksregierung?',
  'Who is the integration commissioner responsible for Holzwickdee?',
  'Ansprechperson Integration für Moehnesee?',
  'Welche Integrationsbeauftragte ist für die Gemeinde Dosrten zuständig?',
  'wer ist zuständig für koeln',
  'Who is the integration officer at the district government of Cologne?',
  'Welche Bezirksregierung ist für den Rhein-Sieg-Kreis zuständig?',
  'Integrationsbeauftragte Wattenscheid',
  'Wer ist für Mülheim an der Ruhr zuständig?',
  'Welches Kommunale Integrationszentrum ist für Wenden zuständig?',
  'Welches KI ist für Aachen zuständig?',
  'Wer vertritt die Integrationsbeauftragte der Bezirksregierung Köln?',
  'Meine IB ist krank, an wen kann ich mich wenden?',
  'Wer berät die Integrationsbeauftragten der Bezirksregierungen?',
  'Wer moderiert den Koordinierungskreis?',
  'Was macht eine Integrationsbeauftragte bei der Bezirksregierung?',
  'Muss ich die IB beteiligen, wenn wir eine Maßnahme für Geflüchtete planen?',
  'Auf welcher Rechtsgrundlage gibt es die Integrationsbeauftragten?',
  'Welche Kenntnisse muss eine Integrationsbeauftragte mitbringen?',
  'Wie wird man als Integrationsbeauftragte bestellt?',
  'Darf die Integrationsbeauftragte direkt bei der Behördenleitung vortragen?',
  'Was ist der Koordinierungskreis?',
  'Seit wann gilt der Runderlass?',
  'Ich möchte ein Anliegen an die Integrationsbeauftragte richten.',
  'Ich möchte einen Vortrag bei der Behördenleitung anmelden.',
  'Wann ist das nächste Treffen des Koordinierungskreises?',
  'Herr Ahmad K., geb. 12.03.1990, Az. 4711 hat Ärger mit der Ausländerbehörde – wer hilft ihm?',
  'Wie wird das Wetter morgen in Köln?',
  'Wer ist die Integrationsbeauftragte für die Stadt Osnabrück?',
  'Darf ich KI für Übersetzungen nutzen?',
  'Wer ist der ISB der Bezirksregierung Münster?',
  'Was kannst du?',
  'Hilfe',
  'Wer ist meine Integrationsbeauftragte?',
  'What does an integration commissioner do?',
  'When is the next coordination circle meeting?',
  'Integrationsbeauftragte Hochsauerlandkreis',
  'Wer ist für Langenfeld zuständig?',
  'Gibt es in Herne ein KI?',
  '',
  'x'.repeat(12_000),
];

const HOMES = [undefined, 'koeln', undefined, 'detmold'] as const;

/** In-process answers per second over {@link QUESTIONS}, after a warm-up. */
function answersPerSecond(): number {
  const engine = loadDefaultEngine({ validate: false });
  const now = new Date('2025-03-03T09:00:00Z');
  const ask = (i: number): void => {
    engine.answer({ text: QUESTIONS[i % QUESTIONS.length], homeAuthority: HOMES[i % HOMES.length] ?? null, now });
  };
  for (let i = 0; i < 5_000; i++) ask(i);
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = 2_000_000_000n;
  while (process.hrtime.bigint() - start < budget) {
    for (let k = 0; k < 500; k++) ask(n++);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return n / seconds;
}

/** Milliseconds from spawning the CLI to its first byte of answer on stdout. */
function firstAnswerMs(cli: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawnChild(process.execPath, [cli, 'Wer ist für Marl zuständig?'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let done = false;
    child.stdout!.once('data', () => {
      done = true;
      resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!done) reject(new Error(`ask exited with ${code} before answering`));
    });
  });
}

/** Our own held-out questions (issue 18), one `pattern` label each. */
export const UNSEEN_FILE = path.join(projectRoot, 'test', 'fixtures', 'answersUnseen.jsonl');
/** The shared public sample, beside the repository. */
export const PUBLIC_FILE = path.join(projectRoot, '..', 'shared', 'eval', 'questions.jsonl');

/** Answers the cases the way `npm run ask -- --jsonl` does (same input line, same output fields). */
function answerCases(engine: AnswerEngine, cases: readonly EvalCase[]): Map<string, ScoredAnswer> {
  const now = new Date();
  const answers = new Map<string, ScoredAnswer>();
  for (const c of cases) {
    const line = JSON.stringify({ id: c.id, text: c.text, locale: c.locale, homeAuthority: c.homeAuthority });
    answers.set(c.id, JSON.parse(answerJsonLine(engine, line, now)) as ScoredAnswer);
  }
  return answers;
}

/**
 * Accuracy on our unseen set (overall and per pattern) and on the shared sample; the misses go to stderr.
 * A missing shared sample is skipped with a line on stderr.
 */
function accuracyFigures(): BenchFigure[] {
  const engine = loadDefaultEngine({ validate: false });
  const figures: BenchFigure[] = [];
  const unseen = readCases(UNSEEN_FILE);
  if (!unseen) throw new Error(`${UNSEEN_FILE} not found`);
  const u = score(unseen, answerCases(engine, unseen));
  figures.push({ name: 'answers.unseen_accuracy', value: u.accuracy, unit: 'ratio' });
  figures.push({ name: 'answers.unseen_cases', value: u.cases, unit: 'cases' });
  for (const [pattern, p] of [...u.byPattern].sort(([a], [b]) => a.localeCompare(b))) {
    figures.push({ name: `answers.unseen_${pattern}_accuracy`, value: p.accuracy, unit: 'ratio' });
    process.stderr.write(`unseen ${pattern}: ${p.right}/${p.cases}\n`);
  }
  for (const m of u.misses) process.stderr.write(`unseen ${describeMiss(m)}\n`);
  const sample = readCases(PUBLIC_FILE);
  if (!sample) {
    process.stderr.write(`answers.public_accuracy skipped: ${PUBLIC_FILE} not found\n`);
  } else {
    const s = score(sample, answerCases(engine, sample));
    figures.push({ name: 'answers.public_accuracy', value: s.accuracy, unit: 'ratio' });
    process.stderr.write(`public: ${s.right}/${s.cases}\n`);
    for (const m of s.misses) process.stderr.write(`public ${describeMiss(m)}\n`);
  }
  return figures;
}

/**
 * The `answers` benchmark (contracts.md §3): `answers.per_s` in-process and `answers.first_answer_ms`
 * for a fresh `node dist/services/answers/cli.js` (median of five runs; `npm run build` first), then
 * `answers.unseen_accuracy`, `answers.unseen_cases`, `answers.unseen_<pattern>_accuracy` and `answers.public_accuracy`.
 * The database figures of the same benchmark are added by the bot's benchmark.
 */
export async function benchAnswers(): Promise<BenchFigure[]> {
  const perSecond = answersPerSecond();
  const cli = path.join(projectRoot, 'dist', 'services', 'answers', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} not found: run "npm run build" first`);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) runs.push(await firstAnswerMs(cli));
  runs.sort((a, b) => a - b);
  return [
    { name: 'answers.per_s', value: Math.round(perSecond), unit: 'answers/s' },
    { name: 'answers.first_answer_ms', value: Math.round(runs[2]), unit: 'ms' },
    ...accuracyFigures(),
  ];
}
