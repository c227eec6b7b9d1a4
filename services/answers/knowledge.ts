import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import knowledgeSchema from './knowledge.schema.json';
import { dataFile } from '../paths';
import { ajvProblems, compileSchema, type ValidationProblem } from '../validation/problems';
import type { Intent } from './intents';
import { PatternError, PhraseCompiler, type PhraseMatcher } from './phrases';

/** A text in both languages of the product. */
export interface Localized {
  de: string;
  en: string;
}

/**
 * A text of the knowledge file with its plain-language variant (issue 18): Leichte Sprache in German, plain English.
 * The schema demands `plain` for every entry answer and text of `data/knowledge.json`; it is optional here only for
 * entries built elsewhere (the taught overlay), which then answer with their standard text.
 */
export interface KnowledgeText extends Localized {
  plain?: Localized;
}

/** A named group of patterns ("ib": every way of writing Integrationsbeauftragte). */
export interface KnowledgeConcept {
  description?: string;
  patterns: string[];
}

/**
 * Evidence for an entry: `match` is one phrase, `all` a set of phrases that must all occur somewhere in
 * the question (in any order). The weight is added to the entry's score; negative weights argue against it.
 */
export interface KnowledgeTrigger {
  match?: string;
  all?: string[];
  weight: number;
  note?: string;
}

/** One answerable topic: its intent, the source it cites, its answer text and its triggers. */
export interface KnowledgeEntry {
  id: string;
  intent: Intent;
  /** "RdErl. v. 5.12.2023, Nr. 4" or `null` where no legal source applies (help). */
  citation: string | null;
  /** Fixed answer text; contact intents compose theirs from the directory and `texts` instead. */
  answer?: KnowledgeText;
  triggers: KnowledgeTrigger[];
  note?: string;
}

/** The knowledge file (`data/knowledge.json`). */
export interface Knowledge {
  version: string;
  concepts: Record<string, KnowledgeConcept>;
  entries: KnowledgeEntry[];
  /** Text templates with `{placeholders}` for composed answers. */
  texts: Record<string, KnowledgeText>;
}

/** Concepts the engine's rules refer to by name; the file must define them. */
export const ENGINE_CONCEPTS = [
  'ib', 'ib_generic', 'integration', 'who', 'kfi', 'circle', 'ki_centre', 'ki_centre_cue', 'ai', 'ai_usage', 'funding', 'help', 'greeting',
  'thanks', 'immigration_case', 'individual', 'isb', 'inclusion', 'other_role', 'generic_oos', 'head', 'wish', 'report', 'organisation',
] as const;

/** Entries whose fixed answer the engine uses; each must exist with an `answer`. */
export const ENGINE_ENTRIES = [
  'info.tasks', 'info.legal_basis', 'info.requirements', 'info.appointment', 'info.organisation', 'info.circle', 'info.effective_date',
  'help', 'oos.generic', 'oos.ai', 'oos.isb', 'oos.inclusion', 'oos.other_role', 'oos.immigration',
] as const;

/** Text templates the engine composes answers from; each must exist. */
export const ENGINE_TEXTS = [
  'where.gemeinde', 'where.kreisfrei', 'where.kreis', 'where.ortsteil', 'where.home', 'where.region',
  'commissioner', 'commissioner.absent', 'commissioner.absentNoDeputy', 'commissioner.vacant',
  'deputy', 'deputy.none', 'deputy.ibAbsent', 'label.phone', 'label.email', 'officeHours', 'municipal',
  'askHome', 'askHome.deputy', 'region.ambiguous', 'kfi', 'kfi.funding', 'kfi.contacts',
  'ki', 'ki.kreis', 'ki.cityOrKreis', 'ki.aachen', 'ki.askPlace', 'request', 'request.deputy', 'request.askHome',
  'report', 'report.askHome', 'circle.next', 'outside', 'unknownPlace', 'privacy', 'privacy.place',
  'privacy.kind.birthDate', 'privacy.kind.fileNumber', 'privacy.kind.address', 'privacy.kind.phone', 'privacy.kind.email',
  'privacy.kind.iban', 'privacy.kind.origin', 'privacy.kind.religion', 'privacy.kind.health', 'privacy.kind.orientation', 'privacy.kind.birthYear',
  'empty', 'tooLong', 'head', 'thanks', 'languageNote', 'closing',
] as const;

/** Values the engine fills into texts; a text may use any of them (languages differ in grammar). */
export const ENGINE_PLACEHOLDERS: ReadonlySet<string> = new Set([
  'place', 'placeAccusative', 'kreis', 'authorityName', 'ortsteil', 'person', 'name', 'until', 'office', 'orgUnit', 'phone', 'email',
  'officeHours', 'note', 'kfiName', 'phonePart', 'people', 'traeger', 'traegerDative', 'town', 'land', 'kinds', 'title',
]);

/** Outcome of {@link validateKnowledge}. */
export type KnowledgeValidation = { ok: true; knowledge: Knowledge } | { ok: false; problems: ValidationProblem[] };

/** A trigger compiled to concept indices. */
export interface CompiledTrigger {
  parts: number[];
  weight: number;
}

/** An entry ready for scoring. */
export interface CompiledEntry {
  entry: KnowledgeEntry;
  triggers: CompiledTrigger[];
}

/** The knowledge base compiled for fast matching. Immutable. */
export interface CompiledKnowledge {
  readonly knowledge: Knowledge;
  readonly matcher: PhraseMatcher;
  readonly entries: readonly CompiledEntry[];
  /** Index of a named concept. Throws for an unknown name (the file was validated against ENGINE_CONCEPTS). */
  concept(name: string): number;
  /** Entry by id. */
  entry(id: string): KnowledgeEntry | undefined;
}

// Compiled on first use, like the directory validator (start-up time of `npm run ask`).
let checkSchema: ValidateFunction | undefined;

/** The published JSON Schema of the knowledge file. */
export const KNOWLEDGE_SCHEMA: object = knowledgeSchema;

const PLACEHOLDER = /\{([a-zA-Z]+)\}/g;

/**
 * Validates a parsed knowledge file and lists every problem (path and reason): schema violations, unique
 * entry ids, pattern syntax, concept references, the concepts, entries and texts the engine relies on,
 * and placeholders the engine does not fill. Never throws.
 */
export function validateKnowledge(json: unknown): KnowledgeValidation {
  const problems: ValidationProblem[] = [];
  checkSchema ??= compileSchema(knowledgeSchema, false);
  if (!checkSchema(json)) problems.push(...ajvProblems(checkSchema.errors));
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, problems: problems.length ? problems : [{ path: '', reason: 'must be an object' }] };
  }
  const k = json as Partial<Knowledge>;
  const compiler = new PhraseCompiler();
  const concepts = typeof k.concepts === 'object' && k.concepts !== null ? k.concepts : {};
  for (const [name, c] of Object.entries(concepts)) {
    const patterns = Array.isArray(c?.patterns) ? c.patterns.filter((p): p is string => typeof p === 'string') : [];
    patterns.forEach((p, i) => {
      try {
        compiler.addConcept(undefined, [p]);
      } catch (err) {
        problems.push({ path: `/concepts/${name}/patterns/${i}`, reason: patternReason(err) });
      }
    });
    try {
      compiler.addConcept(name, patterns.filter((p) => isValidPattern(compiler, p)));
    } catch (err) {
      problems.push({ path: `/concepts/${name}`, reason: patternReason(err) });
    }
  }
  for (const name of ENGINE_CONCEPTS) {
    if (!(name in concepts)) problems.push({ path: `/concepts/${name}`, reason: 'is required by the engine but missing' });
  }
  const entries = Array.isArray(k.entries) ? k.entries : [];
  const seen = new Map<string, number>();
  entries.forEach((e, i) => {
    if (typeof e !== 'object' || e === null) return;
    if (typeof e.id === 'string') {
      const first = seen.get(e.id);
      if (first !== undefined) problems.push({ path: `/entries/${i}/id`, reason: `"${e.id}" is already used by /entries/${first}` });
      else seen.set(e.id, i);
    }
    (Array.isArray(e.triggers) ? e.triggers : []).forEach((t, j) => {
      if (typeof t !== 'object' || t === null) return;
      const path = `/entries/${i}/triggers/${j}`;
      const hasMatch = typeof t.match === 'string';
      const hasAll = Array.isArray(t.all);
      if (hasMatch === hasAll) problems.push({ path, reason: 'must have exactly one of "match" or "all"' });
      const phrases: Array<[string, string]> = hasMatch ? [[`${path}/match`, t.match as string]] : [];
      if (hasAll) (t.all as unknown[]).forEach((p, m) => typeof p === 'string' && phrases.push([`${path}/all/${m}`, p]));
      for (const [p, phrase] of phrases) {
        try {
          compiler.addConcept(undefined, [phrase]);
        } catch (err) {
          problems.push({ path: p, reason: patternReason(err) });
        }
      }
    });
    if (typeof e.intent === 'string' && (e.intent.startsWith('info.') || e.intent === 'help') && !e.answer) {
      problems.push({ path: `/entries/${i}/answer`, reason: `is required for intent "${e.intent}"` });
    }
  });
  for (const id of ENGINE_ENTRIES) {
    const i = seen.get(id);
    if (i === undefined) problems.push({ path: '/entries', reason: `has no entry "${id}", which the engine requires` });
    else if (!entries[i].answer) problems.push({ path: `/entries/${i}/answer`, reason: `is required for entry "${id}"` });
  }
  const texts = typeof k.texts === 'object' && k.texts !== null ? k.texts : {};
  for (const key of ENGINE_TEXTS) {
    if (!(key in texts)) problems.push({ path: `/texts/${key}`, reason: 'is required by the engine but missing' });
  }
  for (const [key, t] of Object.entries(texts)) {
    const variants: Array<[string, unknown]> = [
      [`/texts/${key}/de`, t?.de],
      [`/texts/${key}/en`, t?.en],
      [`/texts/${key}/plain/de`, t?.plain?.de],
      [`/texts/${key}/plain/en`, t?.plain?.en],
    ];
    for (const [path, text] of variants) {
      if (typeof text !== 'string') continue;
      for (const name of placeholders(text)) {
        if (!ENGINE_PLACEHOLDERS.has(name)) {
          problems.push({ path, reason: `uses the unknown placeholder {${name}} (known: ${[...ENGINE_PLACEHOLDERS].join(', ')})` });
        }
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, knowledge: json as Knowledge };
}

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

function isValidPattern(compiler: PhraseCompiler, pattern: string): boolean {
  try {
    compiler.addConcept(undefined, [pattern]);
    return true;
  } catch {
    return false;
  }
}

function patternReason(err: unknown): string {
  return err instanceof PatternError ? `bad pattern: ${err.message}` : String(err);
}

/** Compiles a validated knowledge base. */
export function compileKnowledge(knowledge: Knowledge): CompiledKnowledge {
  const compiler = new PhraseCompiler();
  for (const [name, c] of Object.entries(knowledge.concepts)) compiler.addConcept(name, c.patterns);
  // Trigger parts become anonymous concepts; "@ib" is the concept itself, and a phrase used by several
  // triggers is matched once.
  const parts = new Map<string, number>();
  const partConcept = (phrase: string): number => {
    const key = phrase.trim().replace(/\s+/g, ' ');
    let idx = parts.get(key) ?? (/^@[a-z0-9_]+$/.test(key) ? compiler.conceptIndex(key.slice(1)) : undefined);
    if (idx === undefined) idx = compiler.addConcept(undefined, [key]);
    parts.set(key, idx);
    return idx;
  };
  const entries: CompiledEntry[] = knowledge.entries.map((entry) => ({
    entry,
    triggers: entry.triggers.map((t) => ({
      parts: (t.match !== undefined ? [t.match] : (t.all ?? [])).map(partConcept),
      weight: t.weight,
    })),
  }));
  const matcher = compiler.build();
  const byId = new Map(knowledge.entries.map((e) => [e.id, e]));
  return {
    knowledge,
    matcher,
    entries,
    concept(name: string): number {
      const idx = compiler.conceptIndex(name);
      if (idx === undefined) throw new Error(`knowledge: unknown concept "${name}"`);
      return idx;
    },
    entry: (id) => byId.get(id),
  };
}

/** Error thrown when a knowledge file is invalid; carries every problem. */
export class KnowledgeFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ValidationProblem[],
  ) {
    super(`${file} is invalid:\n${problems.map((p) => `  ${p.path || '/'}: ${p.reason}`).join('\n')}`);
  }
}

/**
 * Reads and validates a knowledge file (default: the shipped `data/knowledge.json`). With
 * `validate: false` the schema check is skipped (the shipped file is checked by the unit tests); pattern
 * errors still fail when the file is compiled.
 */
export function loadKnowledge(file: string = dataFile('knowledge.json'), options?: { validate?: boolean }): Knowledge {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new KnowledgeFileError(file, [{ path: '', reason: `cannot be read as JSON: ${(err as Error).message}` }]);
  }
  if (options?.validate === false) return json as Knowledge;
  const result = validateKnowledge(json);
  if (!result.ok) throw new KnowledgeFileError(file, result.problems);
  return result.knowledge;
}
