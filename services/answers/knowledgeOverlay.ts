/**
 * The knowledge base the IB teach (issue 18): answer entries published in the tab for one authority (or, by the KfI,
 * for all), laid over the shipped knowledge base. This module is pure: the entry's shape and checks, and the merge of
 * the published entries into an answer engine, which stays a function of question, directory and knowledge base (the
 * overlay is compiled when it is refreshed, never read at question time).
 */
import { isAuthorityCode, type AuthorityCode, type Directory } from '../directory/model';
import { sanitizeText, tokenize } from '../text/normalize';
import type { Answer, AnswerRequest, AnswerEngine, Explanation } from './engine';
import type { Intent } from './intents';
import type { Localized } from './knowledge';
import { PatternError, PhraseCompiler, type PhraseMatcher } from './phrases';
import { detectPersonalData, type PersonalDataKind, type PrivacyOptions } from './privacy';

/** Where an entry answers: one authority's questions, or (KfI only) everyone's. */
export type OverlayScope = AuthorityCode | 'all';

/** The intents a taught entry may answer as (the informational ones of contracts.md §2). */
export const OVERLAY_INTENTS = [
  'info.tasks',
  'info.legal_basis',
  'info.requirements',
  'info.appointment',
  'info.organisation',
  'info.circle',
  'info.effective_date',
] as const satisfies readonly Intent[];
export type OverlayIntent = (typeof OVERLAY_INTENTS)[number];

/** Shipped entries an IB may correct (their fixed answer text); the engine's contact answers come from the directory. */
export const CORRECTABLE_ENTRIES = OVERLAY_INTENTS;

/**
 * The source an entry cites: a number of the decree (RdErl. v. 5.12.2023) or a field of the directory. Stored as a code,
 * cited in the answer's language.
 */
export const OVERLAY_SOURCES = [
  'rderl:1', 'rderl:2', 'rderl:3', 'rderl:4', 'rderl:5a', 'rderl:5b', 'rderl:5c', 'rderl:5d', 'rderl:6', 'rderl:7',
  'directory:officeHours', 'directory:orgUnit', 'directory:reachability', 'directory:deputy', 'directory:appointment',
] as const;
export type OverlaySource = (typeof OVERLAY_SOURCES)[number];

const DIRECTORY_FIELDS: Record<string, Localized> = {
  officeHours: { de: 'Sprechzeiten', en: 'office hours' },
  orgUnit: { de: 'Anbindung', en: 'organisational attachment' },
  reachability: { de: 'Erreichbarkeit', en: 'reachability' },
  deputy: { de: 'Vertretung', en: 'deputy' },
  appointment: { de: 'Bestellung', en: 'appointment' },
};

/** "RdErl. v. 5.12.2023, Nr. 5 b" or "Verzeichnis der IB: Sprechzeiten" / "Directory of the IB: office hours". */
export function citationOf(source: OverlaySource, lang: 'de' | 'en'): string {
  const [kind, rest] = source.split(':');
  if (kind === 'rderl') return `RdErl. v. 5.12.2023, Nr. ${rest.replace(/^(\d)([a-d])$/, '$1 $2')}`;
  const field = DIRECTORY_FIELDS[rest];
  return lang === 'de' ? `Verzeichnis der IB: ${field.de}` : `Directory of the IB: ${field.en}`;
}

/** Limits of an entry (the tab's form says them too). */
export const OVERLAY_LIMITS = { answer: 2000, triggers: 10, trigger: 100 } as const;

/** What an entry says: its answer in both languages, the source it cites, when it answers. */
export interface OverlayContent {
  intent: OverlayIntent;
  /** A shipped entry whose answer this one corrects (for the scope); absent for a new topic, which needs triggers. */
  corrects?: OverlayIntent;
  /** Phrases in the knowledge base's pattern language (services/answers/phrases.ts); any one matching is enough. */
  triggers: string[];
  answer: Localized;
  source: OverlaySource;
}

/** One published version: the content and who published it when (the entry's audit trail). */
export interface OverlayVersion extends OverlayContent {
  version: number;
  /** AAD object id of the IB or KfI member who published it. */
  publishedBy: string;
  publishedAt: string;
  /** Set when this version restored an earlier one. */
  rolledBackFrom?: number;
}

/** An entry whose current version is in force. */
export interface PublishedEntry {
  key: string;
  scope: OverlayScope;
  version: OverlayVersion;
}

/** A field and what is wrong with it (worded for people by the tab's texts). */
export interface OverlayProblem {
  field: 'scope' | 'intent' | 'corrects' | 'triggers' | 'answerDe' | 'answerEn' | 'source' | 'key';
  code: 'missing' | 'too_long' | 'too_many' | 'unknown_value' | 'bad_pattern' | 'personal_data';
  /** `bad_pattern`: the line (1-based) and the pattern compiler's reason. */
  line?: number;
  reason?: string;
  /** `personal_data`: what the privacy guard found (the text itself is neither kept nor logged). */
  kinds?: PersonalDataKind[];
}

/** The form as the tab sends it (all strings, untrusted). */
export interface OverlayInput {
  scope?: unknown;
  key?: unknown;
  intent?: unknown;
  corrects?: unknown;
  triggers?: unknown;
  answerDe?: unknown;
  answerEn?: unknown;
  source?: unknown;
}

/** Control characters out, line breaks kept, trimmed. */
function clean(value: unknown, multiline: boolean): string {
  if (typeof value !== 'string') return '';
  const s = value.replace(/\r\n?/g, '\n');
  return (multiline ? s.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ').replace(/\n{3,}/g, '\n\n') : s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ')).trim();
}

/** Checks one trigger phrase; the compiler's reason on failure. No `@concept` references: an entry stands on its own. */
export function triggerProblem(phrase: string): string | undefined {
  try {
    new PhraseCompiler().addConcept(undefined, [phrase]);
    return undefined;
  } catch (err) {
    return err instanceof PatternError ? err.message : String(err);
  }
}

/**
 * Checks the form: known scope, intent and source, both answers (each ≤ 2000), triggers that compile (one per line,
 * at most 10; a new topic needs one), and the privacy guard on every text (Art. 9 GDPR: no third parties' data in an
 * answer everyone reads). Every problem at its field. Pure.
 */
export function validateOverlayInput(
  input: OverlayInput,
  privacy?: PrivacyOptions,
): { ok: true; scope: OverlayScope; key?: string; content: OverlayContent } | { ok: false; problems: OverlayProblem[] } {
  const problems: OverlayProblem[] = [];
  const scope = clean(input.scope, false);
  if (!scope) problems.push({ field: 'scope', code: 'missing' });
  else if (scope !== 'all' && !isAuthorityCode(scope)) problems.push({ field: 'scope', code: 'unknown_value' });
  const key = clean(input.key, false);
  if (key && !/^[a-z0-9-]{1,60}$/.test(key)) problems.push({ field: 'key', code: 'unknown_value' });
  const intent = clean(input.intent, false);
  if (!intent) problems.push({ field: 'intent', code: 'missing' });
  else if (!(OVERLAY_INTENTS as readonly string[]).includes(intent)) problems.push({ field: 'intent', code: 'unknown_value' });
  const corrects = clean(input.corrects, false);
  if (corrects && !(CORRECTABLE_ENTRIES as readonly string[]).includes(corrects)) problems.push({ field: 'corrects', code: 'unknown_value' });
  const source = clean(input.source, false);
  if (!source) problems.push({ field: 'source', code: 'missing' });
  else if (!(OVERLAY_SOURCES as readonly string[]).includes(source)) problems.push({ field: 'source', code: 'unknown_value' });

  const lines = clean(input.triggers, true)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length > OVERLAY_LIMITS.triggers) problems.push({ field: 'triggers', code: 'too_many' });
  else if (!lines.length && !corrects) problems.push({ field: 'triggers', code: 'missing' });
  lines.forEach((line, i) => {
    if (line.length > OVERLAY_LIMITS.trigger) problems.push({ field: 'triggers', code: 'too_long', line: i + 1 });
    else {
      const reason = triggerProblem(line);
      if (reason) problems.push({ field: 'triggers', code: 'bad_pattern', line: i + 1, reason });
    }
  });
  const guardedTriggers = detectPersonalData(lines.join('\n'), privacy);
  if (guardedTriggers.length) problems.push({ field: 'triggers', code: 'personal_data', kinds: guardedTriggers });

  const answer = { de: clean(input.answerDe, true), en: clean(input.answerEn, true) };
  for (const [field, text] of [['answerDe', answer.de], ['answerEn', answer.en]] as const) {
    if (!text) problems.push({ field, code: 'missing' });
    else if (text.length > OVERLAY_LIMITS.answer) problems.push({ field, code: 'too_long' });
    else {
      const kinds = detectPersonalData(text, privacy);
      if (kinds.length) problems.push({ field, code: 'personal_data', kinds });
    }
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    scope: scope as OverlayScope,
    ...(key ? { key } : {}),
    content: {
      intent: intent as OverlayIntent,
      ...(corrects ? { corrects: corrects as OverlayIntent } : {}),
      triggers: lines,
      answer,
      source: source as OverlaySource,
    },
  };
}

/** The published entries compiled for matching. Immutable; built on refresh, never at question time. */
export interface CompiledOverlay {
  readonly revision: string;
  readonly entries: readonly PublishedEntry[];
  readonly matcher: PhraseMatcher;
  /** Concept index per trigger phrase, per entry (same order as `entries`). */
  readonly concepts: ReadonlyArray<readonly number[]>;
}

/** Compiles published entries (a trigger that no longer compiles is skipped, never fatal: it was checked when published). */
export function compileOverlay(entries: readonly PublishedEntry[], revision: string): CompiledOverlay {
  const compiler = new PhraseCompiler();
  const concepts = entries.map((e) =>
    e.version.triggers.flatMap((phrase) => {
      try {
        return [compiler.addConcept(undefined, [phrase])];
      } catch {
        return [];
      }
    }),
  );
  return { revision, entries, matcher: compiler.build(), concepts };
}

/** Base answers a taught entry may replace: not contact, request, report, circle, privacy or help answers. */
function replaceable(base: Answer): boolean {
  if (base.intent.startsWith('info.')) return true;
  return base.intent === 'out_of_scope' && base.source !== 'outside' && base.source !== 'tooLong';
}

/**
 * Which entry answers a question, if any (pure). Only entries of the question's authority (the answer's, else the
 * asker's) or for all count. A correction answers where the shipped entry it corrects would; a new topic where one of
 * its triggers occurs, most triggers matched first, the authority's own entry before one for all.
 */
export function overlayEntryFor(overlay: CompiledOverlay, base: Answer, request: AnswerRequest): PublishedEntry | undefined {
  if (!overlay.entries.length || !replaceable(base)) return undefined;
  const home = isAuthorityCode(request.homeAuthority) ? request.homeAuthority : null;
  const authority = base.authority ?? home;
  const inScope = (e: PublishedEntry) => e.scope === 'all' || e.scope === authority;
  const rank = (e: PublishedEntry) => (e.scope === 'all' ? 0 : 1);
  const corrections = overlay.entries.filter((e) => inScope(e) && e.version.corrects !== undefined && e.version.corrects === base.source);
  let best: PublishedEntry | undefined;
  let bestScore = 0;
  const text = typeof request.text === 'string' ? request.text : '';
  const match = overlay.matcher.match(tokenize(sanitizeText(text, 2000)));
  overlay.entries.forEach((e, i) => {
    if (!inScope(e)) return;
    const hits = overlay.concepts[i].filter((c) => match.has(c)).length;
    if (!hits) return;
    const score = hits * 2 + rank(e);
    if (score > bestScore) {
      best = e;
      bestScore = score;
    }
  });
  if (best) return best;
  return corrections.sort((a, b) => rank(b) - rank(a))[0];
}

/** The answer an entry gives, on top of what the engine made of the question (place, authority stay the engine's). */
export function overlayAnswer(base: Answer, entry: PublishedEntry): Answer {
  const lang = base.language;
  return {
    ...base,
    intent: entry.version.intent,
    text: base.plain ? plainTaught(entry.version.answer[lang], base.text) : entry.version.answer[lang],
    citation: citationOf(entry.version.source, lang),
    needsHomeAuthority: false,
    source: `kb:${entry.scope}:${entry.key}:v${entry.version.version}`,
  };
}

/**
 * A taught answer asked for in plain language: the IB wrote one text, so it is laid out as the plain answers are —
 * one sentence per line — and ends with the same closing line as the engine's plain answer it replaces (its last line).
 * The wording stays the IB's; a plain variant written by the IB is not offered yet.
 */
function plainTaught(text: string, plainBase: string): string {
  const closing = plainBase.split('\n').at(-1) ?? '';
  const lines = text.split(/\n+|(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„"])/).map((l) => l.trim()).filter(Boolean);
  return [...lines, closing].filter(Boolean).join('\n');
}

/** The engine with the overlay merged in; without entries the engine itself. */
export function withOverlay(engine: AnswerEngine, overlay: CompiledOverlay | undefined): AnswerEngine {
  return overlay && overlay.entries.length ? new OverlayEngine(engine, overlay) : engine;
}

class OverlayEngine implements AnswerEngine {
  constructor(
    private readonly inner: AnswerEngine,
    private readonly overlay: CompiledOverlay,
  ) {}

  answer(request: AnswerRequest): Answer {
    const base = this.inner.answer(request);
    try {
      const entry = overlayEntryFor(this.overlay, base, request);
      return entry ? overlayAnswer(base, entry) : base;
    } catch {
      // Defensive, like the engine: a bug in the overlay must not cost the user the shipped answer.
      return base;
    }
  }

  explain(text: string): Explanation {
    return this.inner.explain(text);
  }

  withDirectory(directory: Directory): AnswerEngine {
    return new OverlayEngine(this.inner.withDirectory(directory), this.overlay);
  }

  get directory(): Directory {
    return this.inner.directory;
  }

  get gazetteer() {
    return this.inner.gazetteer;
  }

  get knowledgeVersion(): string {
    return `${this.inner.knowledgeVersion}+${this.overlay.revision}`;
  }
}
