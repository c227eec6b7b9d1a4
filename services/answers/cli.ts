#!/usr/bin/env node
/**
 * `npm run ask` (contracts.md §2).
 *
 *   npm run --silent ask -- "Wer ist für Marl zuständig?"   prints the answer for a person
 *   npm run --silent ask -- --home koeln "Wer ist meine IB?"
 *   npm run --silent ask -- --json "…"                       prints the engine's full answer as JSON
 *   npm run --silent ask -- --plain "…"                      the answer in plain language (Leichte Sprache, plain English)
 *   npm run --silent ask -- --jsonl < questions.jsonl        one JSON line out per line in, in order
 *
 * Needs no database and no network. Only answers go to stdout; everything else goes to stderr.
 */
import { isAuthorityCode } from '../directory/model';
import { plainCitation } from './composer';
import { loadDefaultEngine } from './engine';
import { processJsonLines } from './jsonl';

const USAGE = 'usage: npm run --silent ask -- [--home CODE] [--locale de-DE] [--json] [--plain] "question"\n       npm run --silent ask -- --jsonl < questions.jsonl\n';

interface Args {
  jsonl: boolean;
  json: boolean;
  plain: boolean;
  home?: string;
  locale?: string;
  question: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { jsonl: false, json: false, plain: false, question: '' };
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--jsonl') args.jsonl = true;
    else if (a === '--json') args.json = true;
    else if (a === '--plain') args.plain = true;
    else if (a === '--home' || a === '--locale') {
      const v = argv[++i];
      if (a === '--home') args.home = v;
      else args.locale = v;
    } else if (a.startsWith('--home=')) args.home = a.slice(7);
    else if (a.startsWith('--locale=')) args.locale = a.slice(9);
    else words.push(a);
  }
  args.question = words.join(' ');
  return args;
}

function main(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // The reader went away (e.g. `| head`): nothing left to do.
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const args = parseArgs(process.argv.slice(2));
  if (args.home !== undefined && !isAuthorityCode(args.home)) {
    process.stderr.write(`unknown --home "${args.home}": use arnsberg, detmold, duesseldorf, koeln or muenster\n`);
    process.exitCode = 2;
    return;
  }
  if (!args.jsonl && !args.question) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  // The shipped files are validated by the unit tests; skipping ajv here keeps start-up under the budget.
  const engine = loadDefaultEngine({ validate: false });
  if (args.jsonl) {
    processJsonLines(engine, process.stdin, process.stdout).catch((err: unknown) => {
      process.stderr.write(`ask: cannot read stdin: ${(err as Error).message}\n`);
      process.exitCode = 1;
    });
    return;
  }
  const answer = engine.answer({ text: args.question, locale: args.locale, homeAuthority: isAuthorityCode(args.home) ? args.home : null, plain: args.plain });
  if (args.json) {
    process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
    return;
  }
  const source = answer.citation ? `\n(${answer.plain ? plainCitation(answer.citation, answer.language) : answer.citation})` : '';
  process.stdout.write(`${answer.text}${source}\n`);
}

main();
