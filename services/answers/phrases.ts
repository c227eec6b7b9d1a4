import { tokenize, type TokenStream } from '../text/normalize';
import { typoDistance } from '../directory/gazetteer';

/**
 * A small pattern language for the knowledge base, compiled once into indices so that matching a question
 * costs a few map look-ups per word.
 *
 * A phrase is a sequence of items separated by spaces:
 * - `word` matches the word after folding (case, umlauts, ß; see `skeleton`),
 * - `word*` a word starting with it, `*word` one ending with it, `*word*` one containing it,
 * - `a|b|c` any of the alternatives (each a single word pattern),
 * - `*` exactly one arbitrary word, `...` up to three arbitrary words,
 * - `@name` a named concept (itself a list of phrases).
 * Consecutive items must match consecutive words unless a gap item stands between them.
 */

/** A syntax error in a pattern, with the offending phrase. */
export class PatternError extends Error {
  constructor(
    readonly phrase: string,
    reason: string,
  ) {
    super(`${reason} in "${phrase}"`);
  }
}

type Item =
  | { kind: 'atoms'; atoms: number[] }
  | { kind: 'concept'; concept: number }
  | { kind: 'any' }
  | { kind: 'gap'; max: number };

interface Phrase {
  concept: number;
  items: Item[];
}

interface AtomSpec {
  kind: 'exact' | 'prefix' | 'suffix' | 'contains';
  text: string;
}

/** Result of matching one question: which concepts occur and where. */
export interface PhraseMatch {
  /** Token stream that was matched. */
  readonly tokens: TokenStream;
  /** Whether a concept (by index) occurs. */
  has(concept: number): boolean;
  /** Token ranges `[start, end)` where the concept occurs, in order of discovery. */
  spans(concept: number): ReadonlyArray<readonly [number, number]>;
  /** The concepts that occur. */
  found(): Iterable<number>;
  /** Whether the word at a position is vocabulary of the patterns (see {@link PhraseMatcher.isKnown}). */
  known(position: number): boolean;
}

const CACHE_LIMIT = 50_000;
// Words shorter than this are not spell-corrected: too many ordinary words lie one letter apart.
const MIN_CORRECTABLE = 9;

/**
 * Compiles named concepts (and anonymous ones the caller adds) into a matcher.
 * Concepts may refer to concepts defined before them, never to themselves.
 */
export class PhraseCompiler {
  private readonly atomIds = new Map<string, number>();
  private readonly atomSpecs: AtomSpec[] = [];
  private readonly conceptIds = new Map<string, number>();
  private readonly conceptNames: string[] = [];
  private readonly phrases: Phrase[] = [];

  /** Index of a named concept, or undefined. */
  conceptIndex(name: string): number | undefined {
    return this.conceptIds.get(name);
  }

  /**
   * Adds a concept made of phrases; returns its index. `name` may be undefined for anonymous concepts
   * (trigger parts). Throws {@link PatternError} on bad syntax or an unknown concept reference.
   */
  addConcept(name: string | undefined, phrases: readonly string[]): number {
    if (name !== undefined && this.conceptIds.has(name)) throw new PatternError(name, `concept "${name}" is defined twice`);
    const index = this.conceptNames.length;
    // Parsed before the name is registered, so a concept cannot refer to itself.
    const parsed = phrases.map((p) => ({ concept: index, items: this.parse(p) }));
    if (name !== undefined) this.conceptIds.set(name, index);
    this.conceptNames.push(name ?? `#${index}`);
    this.phrases.push(...parsed);
    return index;
  }

  /** Freezes everything added so far into a matcher. */
  build(): PhraseMatcher {
    // Vocabulary: words a pattern names outright. A prefix that only occurs inside a longer phrase
    // ("what do*") says nothing about a word on its own, so it does not make "Dosrten" a known word.
    const vocabulary = new Set<number>();
    for (const p of this.phrases) {
      for (const item of p.items) {
        if (item.kind !== 'atoms') continue;
        for (const a of item.atoms) if (p.items.length === 1 || this.atomSpecs[a].kind === 'exact') vocabulary.add(a);
      }
    }
    return new PhraseMatcher(this.atomSpecs, this.conceptNames.length, this.phrases, vocabulary);
  }

  private atom(kind: AtomSpec['kind'], text: string): number {
    const key = `${kind}:${text}`;
    let id = this.atomIds.get(key);
    if (id === undefined) {
      id = this.atomSpecs.length;
      this.atomSpecs.push({ kind, text });
      this.atomIds.set(key, id);
    }
    return id;
  }

  private parse(phrase: string): Item[] {
    const items: Item[] = [];
    const chunks = phrase.trim().split(/\s+/).filter(Boolean);
    if (chunks.length === 0) throw new PatternError(phrase, 'empty pattern');
    for (const chunk of chunks) {
      if (chunk === '*') {
        items.push({ kind: 'any' });
      } else if (chunk === '...') {
        items.push({ kind: 'gap', max: 3 });
      } else if (chunk.startsWith('@')) {
        const c = this.conceptIds.get(chunk.slice(1));
        if (c === undefined) throw new PatternError(phrase, `unknown concept ${chunk} (concepts must be defined before use)`);
        items.push({ kind: 'concept', concept: c });
      } else if (chunk.includes('|')) {
        const atoms: number[] = [];
        for (const alt of chunk.split('|')) {
          if (alt.startsWith('@')) throw new PatternError(phrase, `a concept cannot be an alternative ("${alt}"); define a concept that lists them`);
          const parts = this.wordParts(alt, phrase);
          if (parts.length !== 1) throw new PatternError(phrase, `alternative "${alt}" must be a single word`);
          atoms.push(parts[0]);
        }
        items.push({ kind: 'atoms', atoms });
      } else {
        for (const a of this.wordParts(chunk, phrase)) items.push({ kind: 'atoms', atoms: [a] });
      }
    }
    const first = items[0];
    const last = items[items.length - 1];
    if (first.kind === 'any' || first.kind === 'gap' || last.kind === 'any' || last.kind === 'gap') {
      throw new PatternError(phrase, 'a pattern must start and end with a word or a concept');
    }
    return items;
  }

  /** One written word may fold into several (`stand-in`, `e-mail`): each becomes an item. */
  private wordParts(chunk: string, phrase: string): number[] {
    const lead = chunk.startsWith('*');
    const trail = chunk.endsWith('*') && chunk.length > 1;
    const core = chunk.slice(lead ? 1 : 0, trail ? -1 : undefined);
    if (core.includes('*')) throw new PatternError(phrase, `"*" may only stand at the start or end of "${chunk}"`);
    if (core === '§') return [this.atom('exact', '§')];
    const keys = tokenize(core).keys;
    if (keys.length === 0) throw new PatternError(phrase, `"${chunk}" contains no letters or digits`);
    return keys.map((k, i) => {
      const l = lead && i === 0;
      const t = trail && i === keys.length - 1;
      return this.atom(l && t ? 'contains' : l ? 'suffix' : t ? 'prefix' : 'exact', k);
    });
  }
}

/** Matches compiled concepts against token streams. Immutable apart from a bounded per-word cache. */
export class PhraseMatcher {
  private readonly exact = new Map<string, number[]>();
  private readonly prefix = new Map<string, number[]>();
  private readonly suffix = new Map<string, number[]>();
  private readonly contains: Array<{ text: string; id: number }> = [];
  private readonly prefixLengths: number[];
  private readonly suffixLengths: number[];
  /** Phrases whose first item is a given atom / concept. */
  private readonly byFirstAtom: Phrase[][];
  private readonly byFirstConcept: Phrase[][];
  // Atoms per distinct word; words repeat across questions, so this is the main saving.
  private readonly wordCache = new Map<string, readonly number[]>();
  // Long pattern words by first letter, for reading misspelt domain words ("Intergrationsbeauftragte").
  private readonly longWords = new Map<string, AtomSpec[]>();

  constructor(
    atoms: readonly AtomSpec[],
    conceptCount: number,
    phrases: readonly Phrase[],
    private readonly vocabulary: ReadonlySet<number>,
  ) {
    const pl = new Set<number>();
    const sl = new Set<number>();
    atoms.forEach((a, id) => {
      const add = (m: Map<string, number[]>): void => {
        const list = m.get(a.text);
        if (list) list.push(id);
        else m.set(a.text, [id]);
      };
      if (a.kind === 'exact') add(this.exact);
      else if (a.kind === 'prefix') {
        add(this.prefix);
        pl.add(a.text.length);
      } else if (a.kind === 'suffix') {
        add(this.suffix);
        sl.add(a.text.length);
      } else this.contains.push({ text: a.text, id });
    });
    for (const a of atoms) {
      if ((a.kind === 'exact' || a.kind === 'prefix') && a.text.length >= MIN_CORRECTABLE) {
        const list = this.longWords.get(a.text[0]);
        if (list) list.push(a);
        else this.longWords.set(a.text[0], [a]);
      }
    }
    this.prefixLengths = [...pl].sort((x, y) => x - y);
    this.suffixLengths = [...sl].sort((x, y) => x - y);
    this.byFirstAtom = atoms.map(() => []);
    this.byFirstConcept = Array.from({ length: conceptCount }, () => []);
    for (const p of phrases) {
      const first = p.items[0];
      if (first.kind === 'atoms') for (const a of first.atoms) this.byFirstAtom[a].push(p);
      else if (first.kind === 'concept') this.byFirstConcept[first.concept].push(p);
    }
  }

  /** Atom ids a single word matches; a long word that matches nothing is read as its nearest long pattern word. */
  atomsOf(key: string): readonly number[] {
    const cached = this.wordCache.get(key);
    if (cached) return cached;
    let result = this.lookup(key);
    if (result.length === 0 && key.length >= MIN_CORRECTABLE) {
      const corrected = this.correct(key);
      if (corrected !== undefined) result = this.lookup(corrected);
    }
    if (this.wordCache.size >= CACHE_LIMIT) this.wordCache.clear();
    this.wordCache.set(key, result);
    return result;
  }

  /**
   * The nearest long pattern word within one typo (two from twelve letters on), same first letter; for a
   * prefix pattern the rest of the word is kept ("integartionsbeauftragte" → "integrationsbeauftragte").
   */
  private correct(key: string): string | undefined {
    let best: string | undefined;
    let bestD = Infinity;
    for (const a of this.longWords.get(key[0]) ?? []) {
      const max = a.text.length >= 12 ? 2 : 1;
      if (a.kind === 'exact') {
        const d = typoDistance(key, a.text, max);
        if (d <= max && d < bestD) {
          bestD = d;
          best = a.text;
        }
        continue;
      }
      for (let len = a.text.length - max; len <= a.text.length + max && len <= key.length; len++) {
        const d = typoDistance(key.slice(0, len), a.text, max);
        if (d <= max && d < bestD) {
          bestD = d;
          best = a.text + key.slice(len);
        }
      }
    }
    return best;
  }

  private lookup(key: string): readonly number[] {
    let out: number[] | undefined;
    const push = (ids: number[] | undefined): void => {
      if (ids) out = out ? out.concat(ids) : ids.slice();
    };
    push(this.exact.get(key));
    for (const len of this.prefixLengths) {
      if (len > key.length) break;
      push(this.prefix.get(len === key.length ? key : key.slice(0, len)));
    }
    for (const len of this.suffixLengths) {
      if (len > key.length) break;
      push(this.suffix.get(key.slice(key.length - len)));
    }
    for (const c of this.contains) if (key.includes(c.text)) push([c.id]);
    return out ?? EMPTY;
  }

  /** Whether a word is vocabulary of the patterns (named outright, not just the start of a phrase word). */
  isKnown(key: string): boolean {
    for (const a of this.atomsOf(key)) if (this.vocabulary.has(a)) return true;
    return false;
  }

  /** Finds every concept occurrence in a token stream. */
  match(tokens: TokenStream): PhraseMatch {
    const n = tokens.keys.length;
    const atomsAt: (readonly number[])[] = new Array(n);
    for (let i = 0; i < n; i++) atomsAt[i] = this.atomsOf(tokens.keys[i]);
    const spans = new Map<number, Array<readonly [number, number]>>();
    // Candidate phrases (with their start) per concept. Concepts only refer to concepts defined before
    // them, so taking the lowest pending concept each time evaluates every reference before its use.
    const pendingPhrases = new Map<number, Phrase[]>();
    const pendingStarts = new Map<number, number[]>();
    const order: number[] = [];
    const enqueue = (phrase: Phrase, start: number): void => {
      let phrases = pendingPhrases.get(phrase.concept);
      if (!phrases) {
        phrases = [];
        pendingPhrases.set(phrase.concept, phrases);
        pendingStarts.set(phrase.concept, []);
        // Kept sorted: a concept found while processing only enqueues concepts defined after it.
        let at = order.length;
        while (at > 0 && order[at - 1] > phrase.concept) at--;
        order.splice(at, 0, phrase.concept);
      }
      phrases.push(phrase);
      pendingStarts.get(phrase.concept)!.push(start);
    };
    for (let i = 0; i < n; i++) {
      for (const a of atomsAt[i]) for (const p of this.byFirstAtom[a]) enqueue(p, i);
    }
    for (let next = 0; next < order.length; next++) {
      const c = order[next];
      const phrases = pendingPhrases.get(c)!;
      const starts = pendingStarts.get(c)!;
      for (let q = 0; q < phrases.length; q++) {
        const start = starts[q];
        const end = this.matchFrom(phrases[q].items, 0, start, atomsAt, spans);
        if (end < 0) continue;
        let list = spans.get(c);
        if (!list) {
          list = [];
          spans.set(c, list);
        } else if (list.some((sp) => sp[0] === start && sp[1] === end)) {
          continue;
        }
        list.push([start, end]);
        for (const p of this.byFirstConcept[c]) enqueue(p, start);
      }
    }
    return {
      tokens,
      has: (concept) => spans.has(concept),
      spans: (concept) => spans.get(concept) ?? EMPTY_SPANS,
      found: () => spans.keys(),
      known: (position) => atomsAt[position].some((a) => this.vocabulary.has(a)),
    };
  }

  private matchFrom(
    items: readonly Item[],
    idx: number,
    pos: number,
    atomsAt: ReadonlyArray<readonly number[]>,
    spans: ReadonlyMap<number, Array<readonly [number, number]>>,
  ): number {
    if (idx === items.length) return pos;
    const item = items[idx];
    switch (item.kind) {
      case 'atoms': {
        if (pos >= atomsAt.length) return -1;
        const here = atomsAt[pos];
        for (const a of item.atoms) {
          if (here.includes(a)) return this.matchFrom(items, idx + 1, pos + 1, atomsAt, spans);
        }
        return -1;
      }
      case 'concept': {
        const list = spans.get(item.concept);
        if (!list) return -1;
        for (const [s, e] of list) {
          if (s !== pos) continue;
          const r = this.matchFrom(items, idx + 1, e, atomsAt, spans);
          if (r >= 0) return r;
        }
        return -1;
      }
      case 'any':
        return pos < atomsAt.length ? this.matchFrom(items, idx + 1, pos + 1, atomsAt, spans) : -1;
      case 'gap':
        for (let skip = 0; skip <= item.max && pos + skip <= atomsAt.length; skip++) {
          const r = this.matchFrom(items, idx + 1, pos + skip, atomsAt, spans);
          if (r >= 0) return r;
        }
        return -1;
    }
  }
}

const EMPTY: readonly number[] = Object.freeze([]);
const EMPTY_SPANS: ReadonlyArray<readonly [number, number]> = Object.freeze([]);
