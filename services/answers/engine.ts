import { readFileSync } from 'node:fs';
import { dataFile } from '../paths';
import { isAuthorityCode, type Directory } from '../directory/model';
import { loadGazetteer, type Gazetteer } from '../directory/gazetteer';
import { validateDirectory } from '../directory/validate';
import { sanitizeText } from '../text/normalize';
import type { Answer, AnswerRequest, Explanation } from './answer';
import { IntentClassifier } from './classifier';
import { AnswerComposer } from './composer';
import { compileKnowledge, loadKnowledge, type CompiledKnowledge, type Knowledge } from './knowledge';
import { detectPersonalData, directoryPrivacyOptions, type PrivacyOptions } from './privacy';
import { QuestionReader, type Understood } from './reader';

export type {
  Answer,
  AnswerRequest,
  AuthoritySummary,
  ContactResolution,
  Explanation,
  KiInfo,
  PlaceDetail,
  PlaceRef,
} from './answer';

/**
 * The question engine (contracts.md §2): understands a staff question in German or English and answers it
 * from the municipality list, the knowledge base and the directory. Pure and deterministic (pass `now`),
 * no I/O at question time; every index is built when the engine is created.
 */
export interface AnswerEngine {
  /** Answers one question. Never throws, whatever the input. */
  answer(request: AnswerRequest): Answer;
  /**
   * Why the engine answers as it does: the concepts found, the score per knowledge entry and the places
   * recognised. For maintainers extending `knowledge.json`; not needed to answer.
   */
  explain(text: string): Explanation;
  /** The same engine over another directory (e.g. after an import); cheap, shares every index. */
  withDirectory(directory: Directory): AnswerEngine;
  readonly directory: Directory;
  readonly gazetteer: Gazetteer;
  readonly knowledgeVersion: string;
}

/** What {@link createAnswerEngine} needs; the directory usually comes from the database. */
export interface AnswerEngineDeps {
  gazetteer: Gazetteer;
  /** The knowledge file, validated (see `validateKnowledge`), or already compiled. */
  knowledge: Knowledge | CompiledKnowledge;
  /** A validated directory (see `validateDirectory`). */
  directory: Directory;
}

/** Texts longer than this are not analysed as questions (they are documents or pasted case files). */
export const MAX_QUESTION_LENGTH = 2000;
/** Characters kept from any input at all; the privacy guard scans this much. */
export const MAX_INPUT_LENGTH = 10_000;

/** Builds an answer engine from loaded data. */
export function createAnswerEngine(deps: AnswerEngineDeps): AnswerEngine {
  const kb = 'matcher' in deps.knowledge ? deps.knowledge : compileKnowledge(deps.knowledge);
  return new Engine(deps.gazetteer, kb, deps.directory, new QuestionReader(deps.gazetteer, kb), new IntentClassifier(kb));
}

/** Options for {@link loadDefaultEngine}. */
export interface DefaultEngineOptions {
  /** Directory file to use instead of the shipped demo directory. */
  directoryFile?: string;
  /**
   * Validate the files against their schemas (default `true`). The CLI passes `false` to start within
   * its time budget; the shipped files are validated by the unit tests.
   */
  validate?: boolean;
}

/**
 * An engine over the shipped data: the municipality list, `data/knowledge.json` and the demo directory
 * (or `directoryFile`). Throws with every problem listed if a file is invalid.
 */
export function loadDefaultEngine(options?: DefaultEngineOptions): AnswerEngine {
  const file = options?.directoryFile ?? dataFile('demo-directory.json');
  const validate = options?.validate !== false;
  const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
  let directory: Directory;
  if (validate) {
    const result = validateDirectory(json);
    if (!result.ok) {
      throw new Error(`${file} is invalid:\n${result.problems.map((p) => `  ${p.path || '/'}: ${p.reason}`).join('\n')}`);
    }
    directory = result.directory;
  } else {
    directory = json as Directory;
  }
  return createAnswerEngine({ gazetteer: loadGazetteer(), knowledge: loadKnowledge(undefined, { validate }), directory });
}

class Engine implements AnswerEngine {
  private readonly composer: AnswerComposer;
  /** The same answers in plain language (Leichte Sprache, plain English), from the texts' plain variants. */
  private readonly plainComposer: AnswerComposer;
  private readonly privacy: PrivacyOptions;

  constructor(
    readonly gazetteer: Gazetteer,
    private readonly kb: CompiledKnowledge,
    readonly directory: Directory,
    private readonly reader: QuestionReader,
    private readonly classifier: IntentClassifier,
  ) {
    this.composer = new AnswerComposer(kb, directory);
    this.plainComposer = new AnswerComposer(kb, directory, 'plain');
    // The directory's own mail domains and phone numbers are published, not third parties' data.
    this.privacy = directoryPrivacyOptions(directory);
  }

  get knowledgeVersion(): string {
    return this.kb.knowledge.version;
  }

  withDirectory(directory: Directory): AnswerEngine {
    return new Engine(this.gazetteer, this.kb, directory, this.reader, this.classifier);
  }

  answer(request: AnswerRequest): Answer {
    const composer = request.plain === true ? this.plainComposer : this.composer;
    try {
      return composer.finish(this.answerUnsafe(request, composer));
    } catch {
      // Defensive: a bug must not cost the user an answer; the engine is pure, so there is no state to repair.
      return composer.finish(composer.plain('out_of_scope', 'de', composer.entryText('oos.generic', 'de'), null, 'oos.generic'));
    }
  }

  private answerUnsafe(request: AnswerRequest, composer: AnswerComposer): Answer {
    const raw = typeof request.text === 'string' ? request.text : '';
    const home = isAuthorityCode(request.homeAuthority) ? request.homeAuthority : null;
    const now = request.now instanceof Date && !Number.isNaN(request.now.getTime()) ? request.now : new Date();
    const full = sanitizeText(raw, MAX_INPUT_LENGTH);
    const personal = detectPersonalData(full, this.privacy);
    const tooLong = full.length > MAX_QUESTION_LENGTH;
    const u = this.reader.read(tooLong ? full.slice(0, MAX_QUESTION_LENGTH) : full, request.locale);

    // Personal data of third parties first: the text is not stored, whatever else it asks.
    if (personal.length > 0) return this.inUsersLanguage(u, composer.privacy(u, personal, now), composer);
    if (tooLong) return composer.plain('out_of_scope', u.lang, composer.t('tooLong', u.lang), null, 'tooLong');
    if (u.ts.keys.length === 0) return composer.plain('help', u.lang, composer.t('empty', u.lang), null, 'empty');
    return this.inUsersLanguage(u, composer.compose(this.classifier.classify(u), u, home, now), composer);
  }

  /** A question in another language is answered in the user's language, and the answer says so in a line of its own before the answer. */
  private inUsersLanguage(u: Understood, answer: Answer, composer: AnswerComposer): Answer {
    if (!u.foreign) return answer;
    return { ...answer, text: `${composer.t('languageNote', answer.language)}\n\n${answer.text}` };
  }

  explain(text: string): Explanation {
    const u = this.reader.read(sanitizeText(typeof text === 'string' ? text : '', MAX_QUESTION_LENGTH), undefined);
    const concepts = Object.keys(this.kb.knowledge.concepts).filter((n) => u.match.has(this.kb.concept(n)));
    const places = u.hits.map((h) => ({
      text: h.text,
      distance: h.distance,
      cued: h.cued,
      readings: h.targets.map((t) => (t.kind === 'municipality' || t.kind === 'ortsteil' ? `${t.kind}:${t.municipality.name}` : `${t.kind}:${t.name}`)),
    }));
    return {
      words: u.ts.keys,
      concepts,
      scores: this.classifier.scores(u),
      places,
      authorityMention: u.mention,
      unexplainedWords: u.unexplained,
      intent: u.ts.keys.length === 0 ? 'help' : this.classifier.classify(u).intent,
    };
  }
}
