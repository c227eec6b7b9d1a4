import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { isAuthorityCode } from '../directory/model';
import type { Answer, AnswerEngine } from './engine';

/** One output line of `npm run ask -- --jsonl` (contracts.md §2), fields in contract order. */
export interface ContractAnswer {
  id: unknown;
  intent: Answer['intent'];
  authority: Answer['authority'];
  place: Answer['place'];
  citation: Answer['citation'];
  text: string;
}

/** The contract's view of an answer. */
export function toContractAnswer(id: unknown, a: Answer): ContractAnswer {
  return { id, intent: a.intent, authority: a.authority, place: a.place, citation: a.citation, text: a.text };
}

// Recovers the id from a line that is not valid JSON, so that the caller can still pair the answer.
const ID_IN_BROKEN_LINE = /"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)/;

function recoverId(line: string): unknown {
  const m = ID_IN_BROKEN_LINE.exec(line);
  if (!m) return null;
  try {
    return JSON.parse(m[1]);
  } catch {
    return null;
  }
}

function validId(id: unknown): unknown {
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/**
 * Answers one input line of the JSON-lines protocol and returns exactly one output line (without the
 * newline). Malformed lines (not JSON, not an object, no text) get the engine's answer to an empty
 * question, with the id when one can be recovered. Never throws.
 */
export function answerJsonLine(engine: AnswerEngine, line: string, now?: Date): string {
  let id: unknown = null;
  let text = '';
  let locale: string | undefined;
  let home: unknown;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const o = parsed as Record<string, unknown>;
      id = validId(o.id);
      if (typeof o.text === 'string') text = o.text;
      if (typeof o.locale === 'string') locale = o.locale;
      home = o.homeAuthority;
    }
  } catch {
    id = validId(recoverId(line));
  }
  const answer = engine.answer({ text, locale, homeAuthority: isAuthorityCode(home) ? home : null, now });
  return JSON.stringify(toContractAnswer(id, answer));
}

/**
 * The `--jsonl` protocol over streams: one output line per input line, in order, nothing else on the
 * output. Output is flushed whenever the input pauses, so an interactive pipe gets each answer at once,
 * and a slow reader pauses the input. Resolves when the input has ended and everything is written.
 */
export function processJsonLines(engine: AnswerEngine, input: Readable, output: Writable, now?: () => Date): Promise<void> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
    let buffer: string[] = [];
    let scheduled = false;
    let first = true;
    const flush = (): void => {
      scheduled = false;
      if (buffer.length === 0) return;
      const chunk = buffer.join('');
      buffer = [];
      if (!output.write(chunk)) {
        rl.pause();
        output.once('drain', () => rl.resume());
      }
    };
    rl.on('line', (line) => {
      if (first) {
        first = false;
        if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      }
      buffer.push(answerJsonLine(engine, line, now?.()) + '\n');
      if (buffer.length >= 512) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
    rl.on('close', () => {
      flush();
      resolve();
    });
    input.on('error', reject);
  });
}
