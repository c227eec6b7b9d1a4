import { readFileSync } from 'node:fs';
import { dataFile } from '../paths';
import { isAuthorityCode, type AuthorityCode } from './model';
import { parseCsvRecords } from './csv';
import { skeleton, tokenize, type TokenStream } from '../text/normalize';
import { COMMON_WORDS, PERSON_TITLES, PLACE_CUES } from '../text/commonWords';

/** Kind of a row of the municipality list. */
export type MunicipalityType = 'kreisfreie_stadt' | 'kreisangehoerige_stadt' | 'kreisangehoerige_gemeinde' | 'kreis';

/** One Gemeinde (8-digit AGS) or Kreis/kreisfreie Stadt (5-digit key) of North Rhine-Westphalia. */
export interface Municipality {
  /** Amtlicher Gemeindeschlüssel (8 digits) or Kreisschlüssel (5 digits). */
  ags: string;
  /** Short display name ("Marl", "Kreis Recklinghausen"). */
  name: string;
  /** Official name with its suffix ("Marl, Stadt"). */
  officialName: string;
  /** The Kreis or kreisfreie Stadt the row belongs to ("Kreis Recklinghausen", "Stadt Bochum"). */
  kreis: string;
  kreisAgs: string;
  /** "Münster". */
  regierungsbezirk: string;
  /** The Bezirksregierung responsible for the place. */
  authority: AuthorityCode;
  type: MunicipalityType;
  level: 'gemeinde' | 'kreis';
  /** Whose Kommunales Integrationszentrum (KI) serves the place ("Kreis Recklinghausen", "Stadt Aachen"). */
  kiTraeger: string;
  /** Key of the KI's Träger: 5-digit Kreisschlüssel, or the 8-digit AGS for the city of Aachen. */
  kiTraegerAgs: string;
  aliases: string[];
  note: string | null;
  /** A town with the same name as its Kreis (Kleve and Kreis Kleve): ask "Stadt oder Kreis?" where it matters. */
  sharesNameWithKreis: boolean;
}

/** What a recognised place name refers to. */
export type PlaceTarget =
  | { kind: 'municipality'; municipality: Municipality; via: PlaceVariant; requiresCue: boolean }
  | { kind: 'ortsteil'; name: string; municipality: Municipality; requiresCue: boolean }
  | { kind: 'outside'; name: string; land: string; inGermany: boolean; requiresCue: boolean }
  | { kind: 'region'; name: string; authority: AuthorityCode | null; note: { de: string; en: string } | null; requiresCue: boolean };

/**
 * How a municipality's name was written: its `name`, an alias (official name, CSV alias, curated spelling
 * or exonym), a `short` form without the suffix ("Halle" for "Halle (Westf.)"), an `adjective`
 * ("Kölner"), or the bare name of a Kreis that shares it with a town ("Kleve" for Kreis Kleve).
 */
export type PlaceVariant = 'name' | 'alias' | 'short' | 'adjective' | 'bareKreis';

/** A place name found in a text: the token range it covers and every reading of it, best first. */
export interface PlaceHit {
  /** First token (inclusive) and last token (exclusive) of the name in the token stream. */
  start: number;
  end: number;
  /** The name as written. */
  text: string;
  targets: PlaceTarget[];
  /** Edit distance for a typo match, 0 for an exact one. */
  distance: number;
  /** Whether a cue such as "für", "in" or "Stadt" stands directly before the name. */
  cued: boolean;
}

/** The curated `data/places-extra.json`. */
export interface PlacesExtra {
  aliases: Array<{ name: string; ags: string; note?: string }>;
  ortsteile: Array<{ name: string; ags: string }>;
  outside: Array<{ name: string; land: string; inGermany: boolean }>;
  regions: Array<{ name: string; aliases: string[]; authority: string | null; note: { de: string; en: string } | null }>;
}

/** Options for {@link Gazetteer.matchTokens}. */
export interface MatchOptions {
  /**
   * Words the caller understands (its trigger vocabulary): they are never read as misspelt place names.
   * Ordinary words ({@link COMMON_WORDS}) are always excluded.
   */
  isKnownWord?: (key: string) => boolean;
}

interface TrieNode {
  next: Map<string, TrieNode> | null;
  targets: PlaceTarget[] | null;
}

interface FuzzyEntry {
  key: string;
  plain: string;
  targets: PlaceTarget[];
}

const RB_TO_AUTHORITY: Record<string, AuthorityCode> = {
  '051': 'duesseldorf',
  '053': 'koeln',
  '055': 'muenster',
  '057': 'detmold',
  '059': 'arnsberg',
};

const VARIANT_RANK: Record<PlaceVariant, number> = { name: 0, alias: 1, short: 2, adjective: 3, bareKreis: 4 };

// Genitive and compound forms of "Kreis" that users write before a name.
const KREIS_FORMS: ReadonlyMap<string, string> = new Map([
  ['kreises', 'kreis'],
  ['landkreis', 'kreis'],
  ['landkreises', 'kreis'],
]);

// Words that may begin a two-word place name whose second word is misspelt ("Bad Drieburg").
const NAME_PREFIXES: ReadonlySet<string> = new Set(['bad', 'sankt', 'st', 'kreis', 'porta', 'bergisch', 'schlos']);

// Determiners: "das Essen", "in der Lage", "the weather" make the next word a noun, not a place.
const ARTICLES: ReadonlySet<string> = new Set(
  'der die das den dem des ein eine einen einem einer zum zur im am beim vom ins gut gutes kein keine viel the a an my your our some any'.split(' ').map(skeleton),
);

// Words that may stand beside a bare place name without making it part of a sentence ("Und Essen?").
const FILLERS: ReadonlySet<string> = new Set(['und', 'and', 'oder', 'or', 'was', 'what', 'ist', 'is', 'mit', 'about', 'wie', 'how', 'noch']);

// "in"/"for" in the other languages staff write short questions in: Arabic, Russian, Ukrainian, Polish
// ("من هو مسؤول الاندماج في Löhne؟", "Kto jest IB dla Rheine?").
// "from" and "of the town/municipality" cue it as well ("Я из Siegen", "urzędzie miasta Schlangen").
const FOREIGN_CUES: ReadonlySet<string> = new Set(['في', 'в', 'во', 'у', 'для', 'из', 'з', 'w', 'we', 'dla', 'miasta', 'gminy'].map(skeleton));

// Turkish case endings written after an apostrophe: locative, ablative, dative, genitive ("Siegen'de").
const TURKISH_PLACE_ENDING = /^['’](?:[dt][ae]n?|[dt][ae]ki|y?[ae]|n?[ıiuü]n)(?![\p{L}])/u;

// Words that follow a place name at the start of a sentence ("Werne gehört …", "Much im Rhein-Sieg-Kreis").
const AFTER_PLACE: ReadonlySet<string> = new Set(
  'gehort gehoert liegt ist hat und im in am an bei'.split(' ').map(skeleton),
);

// "Gehört Alpen zu …", "Liegt Enger im …": a verb of belonging before a capitalised name and a preposition after it.
const BELONGS: ReadonlySet<string> = new Set('gehort gehoert liegt zahlt'.split(' ').map(skeleton));
const BELONGS_TO: ReadonlySet<string> = new Set('zu zur zum in im'.split(' ').map(skeleton));

/** Whether `key` is the qualifier in brackets of an official name ("westfalen" for "Halle (Westf.)"). */
function qualifierMatches(name: string, key: string): boolean {
  const open = name.indexOf('(');
  if (open < 0 || key.length < 4) return false;
  const inner = name.slice(open + 1, name.indexOf(')', open) < 0 ? undefined : name.indexOf(')', open)).trim();
  // An abbreviation ("Westf.") stands for any word it begins ("Westfalen"); a full word must be written as is.
  const abbreviated = inner.endsWith('.');
  const q = skeleton(abbreviated ? inner.slice(0, -1) : inner);
  return q.length >= 4 && (abbreviated ? key.startsWith(q) : key === q);
}

/** Whether word `i` begins the text or a sentence (after ".", "!", "?", ";" or a line break). */
function atSentenceStart(ts: TokenStream, i: number): boolean {
  if (i === 0) return !/[A-Za-z0-9]/.test(ts.source.slice(0, ts.starts[0]));
  const gap = ts.source.slice(ts.starts[i - 1] + ts.raws[i - 1].length, ts.starts[i]);
  return /[.!?;\n]/.test(gap);
}

function rankOf(t: PlaceTarget): number {
  switch (t.kind) {
    case 'municipality':
      return VARIANT_RANK[t.via] + (t.municipality.level === 'kreis' && t.via !== 'bareKreis' ? 0.5 : 0);
    case 'ortsteil':
      return 2.5;
    case 'outside':
      return 1.5;
    case 'region':
      return 3.5;
  }
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions, "Dosrten" → "Dorsten" = 1),
 * giving up as soon as it must exceed `max`.
 */
export function typoDistance(a: string, b: string, max: number): number {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  let prev2 = new Array<number>(lb + 1);
  let prev = new Array<number>(lb + 1);
  let cur = new Array<number>(lb + 1);
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb];
}

/**
 * Like {@link typoDistance} but weighing the edits by how often people make them: swapping two letters
 * (0.75) and dropping or adding one (1) are likelier than typing a wrong one (1.3). Used to break ties.
 */
export function weightedTypoDistance(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  const d: number[][] = Array.from({ length: la + 1 }, () => new Array<number>(lb + 1).fill(0));
  for (let i = 0; i <= la; i++) d[i][0] = i;
  for (let j = 0; j <= lb; j++) d[0][j] = j;
  for (let i = 1; i <= la; i++) {
    for (let j = 1; j <= lb; j++) {
      const sub = a[i - 1] === b[j - 1] ? 0 : 1.3;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + sub);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 0.75);
      d[i][j] = v;
    }
  }
  return d[la][lb];
}

function isNrw(t: PlaceTarget): boolean {
  return t.kind === 'municipality' || t.kind === 'ortsteil' || (t.kind === 'region' && t.authority !== null);
}

/**
 * The municipalities of North Rhine-Westphalia with the Bezirksregierung responsible for each, and a place
 * finder that reads place names the way staff write them: any case, with or without umlauts, with typos,
 * without official suffixes, as exonyms, as city districts, or as places outside NRW (recognised so that
 * the answer can say they are out of scope). Immutable after construction.
 */
export class Gazetteer {
  /** All 449 rows: 396 Gemeinden and 53 Kreise/kreisfreie Städte. */
  readonly municipalities: readonly Municipality[];
  /** The 396 Gemeinden (8-digit AGS). */
  readonly gemeinden: readonly Municipality[];
  /** The 53 Kreise and kreisfreie Städte (5-digit key). */
  readonly kreise: readonly Municipality[];
  private readonly byKey = new Map<string, Municipality>();
  private readonly root: TrieNode = { next: null, targets: null };
  // Typo candidates bucketed by first letter and length, once by skeleton and once by plain form.
  private readonly fuzzyIndex = new Map<string, FuzzyEntry[][]>();
  private readonly plainIndex = new Map<string, FuzzyEntry[][]>();
  private readonly fuzzyKeys = new Map<string, FuzzyEntry>();

  private constructor(rows: Municipality[], extras: PlacesExtra) {
    this.municipalities = Object.freeze(rows);
    this.gemeinden = Object.freeze(rows.filter((m) => m.level === 'gemeinde'));
    this.kreise = Object.freeze(rows.filter((m) => m.level === 'kreis'));
    for (const m of rows) this.byKey.set(m.ags, m);
    this.buildIndex(extras);
    this.tokenCache.clear();
  }

  /** Builds the gazetteer from the CSV text and the curated extras; throws on inconsistent data. */
  static fromData(csvText: string, extras: PlacesExtra): Gazetteer {
    const records = parseCsvRecords(csvText);
    const kiKeys = new Map<string, string>();
    for (const r of records) if (r.level === 'kreis') kiKeys.set(r.kreis, r.ags);
    const rows: Municipality[] = records.map((r) => {
      const authority = RB_TO_AUTHORITY[r.rb_code];
      if (!authority || !isAuthorityCode(authority)) throw new Error(`municipalities: unknown rb_code "${r.rb_code}" for ${r.ags}`);
      if (r.ags.slice(0, 3) !== r.rb_code) throw new Error(`municipalities: AGS ${r.ags} does not start with rb_code ${r.rb_code}`);
      return {
        ags: r.ags,
        name: r.name,
        officialName: r.name_official,
        kreis: r.kreis,
        kreisAgs: r.kreis_ags,
        regierungsbezirk: r.regierungsbezirk,
        authority,
        type: r.type as MunicipalityType,
        level: r.level as 'gemeinde' | 'kreis',
        kiTraeger: r.ki_traeger,
        kiTraegerAgs: '',
        aliases: r.aliases ? r.aliases.split('|').map((a) => a.trim()).filter(Boolean) : [],
        note: r.note || null,
        sharesNameWithKreis: false,
      };
    });
    const byName = new Map<string, Municipality>();
    for (const m of rows) if (m.level === 'gemeinde') byName.set(m.name, m);
    for (const m of rows) {
      const ki = kiKeys.get(m.kiTraeger) ?? (m.kiTraeger.startsWith('Stadt ') ? byName.get(m.kiTraeger.slice(6))?.ags : undefined);
      if (!ki) throw new Error(`municipalities: KI-Träger "${m.kiTraeger}" of ${m.ags} is not a Kreis or Stadt in the list`);
      m.kiTraegerAgs = ki;
      if (m.level === 'gemeinde' && m.type !== 'kreisfreie_stadt' && m.kreis === `Kreis ${m.name}`) m.sharesNameWithKreis = true;
    }
    return new Gazetteer(rows, extras);
  }

  /** A municipality or Kreis by its AGS / Kreisschlüssel. */
  byAgs(ags: string): Municipality | undefined {
    return this.byKey.get(ags);
  }

  /** The Kreis-level row a Gemeinde belongs to. */
  kreisOf(m: Municipality): Municipality | undefined {
    return this.byKey.get(m.kreisAgs);
  }

  /**
   * Finds the place names in a text, longest first ("Bad Honnef" before "Honnef"), each with its readings.
   * Typos are tolerated only in words that are not ordinary vocabulary and only from five letters on.
   */
  findPlaces(text: string, options?: MatchOptions): PlaceHit[] {
    return this.matchTokens(tokenize(text), options);
  }

  /** The best NRW municipality named in a text, if any (a convenience for callers outside the engine). */
  findMunicipality(text: string): Municipality | undefined {
    for (const hit of this.findPlaces(text)) {
      const t = hit.targets[0];
      if (t.kind === 'municipality' || t.kind === 'ortsteil') return t.municipality;
    }
    return undefined;
  }

  /** {@link findPlaces} over an already tokenised text (the engine's hot path). */
  matchTokens(ts: TokenStream, options?: MatchOptions): PlaceHit[] {
    const keys = ts.keys;
    const n = keys.length;
    const hits: PlaceHit[] = [];
    const covered = new Uint8Array(n);
    let i = 0;
    while (i < n) {
      let node: TrieNode | undefined = this.root;
      let bestEnd = -1;
      let bestTargets: PlaceTarget[] | null = null;
      for (let j = i; j < n && node; j++) {
        const k = KREIS_FORMS.get(keys[j]) ?? keys[j];
        node = node.next?.get(k);
        if (node?.targets) {
          bestEnd = j + 1;
          bestTargets = node.targets;
        }
      }
      if (bestTargets && this.accept(ts, i, bestEnd, bestTargets, options?.isKnownWord)) {
        hits.push(this.hit(ts, i, bestEnd, bestTargets, 0));
        covered.fill(1, i, bestEnd);
        i = bestEnd;
      } else {
        i++;
      }
    }
    const isKnown = options?.isKnownWord;
    let result = hits;
    for (let s = 0; s < n; s++) {
      if (covered[s]) continue;
      const found = this.fuzzyAfterExact(ts, s, covered, result, isKnown) ?? this.fuzzyAt(ts, s, covered, isKnown);
      if (found) {
        // "Neukirchen-Seelscheid": the misspelt first word and the exactly matched second word are one name.
        if (found.start < s || (found.end > s + 1 && covered[s + 1])) result = result.filter((h) => h.end <= found.start || h.start >= found.end);
        result.push(found);
        covered.fill(1, found.start, found.end);
        s = found.end - 1;
      }
    }
    if (result.length > 1) result.sort((a, b) => a.start - b.start);
    return result;
  }

  private hit(ts: TokenStream, start: number, end: number, targets: PlaceTarget[], distance: number): PlaceHit {
    const from = ts.starts[start];
    const last = end - 1;
    const to = ts.starts[last] + ts.raws[last].length;
    return { start, end, targets, distance, cued: this.cuedAt(ts, start), text: ts.source.slice(from, to) };
  }

  private cuedAt(ts: TokenStream, start: number): boolean {
    if (start === 0) return false;
    const prev = ts.keys[start - 1];
    if (!PLACE_CUES.has(prev) && !FOREIGN_CUES.has(prev)) return false;
    // "zu essen", "zu senden": after "zu", a word in lower case in a text that has capitals is a verb.
    return !(prev === 'zu' && !ts.caps[start] && ts.hasUpper);
  }

  /** Whether an exact match stands as a place here (and not as an ordinary word or a surname). */
  private accept(ts: TokenStream, start: number, end: number, targets: PlaceTarget[], isKnown?: (key: string) => boolean): boolean {
    if (start > 0 && PERSON_TITLES.has(ts.keys[start - 1])) return false;
    if (!targets.every((t) => t.requiresCue)) return true;
    if (this.cuedAt(ts, start)) return true;
    // A capitalised name before a colon is a heading: "Lage: IB?", "Recke: wer ist die IB?".
    const to = ts.starts[end - 1] + ts.raws[end - 1].length;
    if (ts.caps[start] && /^\s*:/.test(ts.source.slice(to, to + 8))) return true;
    // Turkish marks a place with a case ending after an apostrophe ("Siegen'de", "Lage'den", "Löhne'ye") or with
    // "için" (for) after it ("Wenden için IB kim?").
    if (ts.caps[start] && TURKISH_PLACE_ENDING.test(ts.source.slice(to, to + 8))) return true;
    if (ts.caps[start] && end < ts.keys.length && ts.keys[end] === 'icin') return true;
    // At the start of a sentence, a capitalised name followed by what follows a place ("Werne gehört zu …",
    // "Lage in Lippe", "Rees, Kreis Kleve") is the place; "Wenden Sie sich …" stays a verb.
    if (ts.caps[start] && atSentenceStart(ts, start)) {
      if (/^\s*[,–—-]/.test(ts.source.slice(to, to + 4))) return true;
      if (end < ts.keys.length && AFTER_PLACE.has(ts.keys[end])) return true;
    }
    // The name followed by the qualifier of its official name: "Halle Westfalen", "Wetter Ruhr", "Sundern Sauerland".
    if (end < ts.keys.length && !(start > 0 && ARTICLES.has(ts.keys[start - 1])) && targets.some((t) => t.kind === 'municipality' && qualifierMatches(t.municipality.name, ts.keys[end]))) return true;
    // The subject of "gehört … zu"/"liegt … in": "Gehört Alpen zur Bezirksregierung Düsseldorf?", "Liegt Lage in Lippe?".
    if (ts.caps[start] && start > 0 && BELONGS.has(ts.keys[start - 1]) && end < ts.keys.length && BELONGS_TO.has(ts.keys[end])) return true;
    // Without a cue, a word the caller has a meaning for ("Wetter" → the weather) keeps that meaning.
    if (end - start === 1 && isKnown?.(ts.keys[start])) return false;
    // Keyword style, "KI Essen", "Integration Lage": a capitalised last word not preceded by an article.
    if (end === ts.keys.length && ts.caps[start] && start > 0 && !ARTICLES.has(ts.keys[start - 1])) return true;
    // A bare "Essen?" or "Und Essen?" is the place.
    for (let k = 0; k < ts.keys.length; k++) {
      if (k >= start && k < end) continue;
      if (!FILLERS.has(ts.keys[k])) return false;
    }
    return true;
  }

  private fuzzyAt(ts: TokenStream, s: number, covered: Uint8Array, isKnown?: (key: string) => boolean): PlaceHit | undefined {
    const keys = ts.keys;
    const known = (k: string): boolean => COMMON_WORDS.has(k) || (isKnown ? isKnown(k) : false);
    if (s > 0 && PERSON_TITLES.has(keys[s - 1])) return undefined;
    const cued = this.cuedAt(ts, s);
    // Two-word names first ("Bad Drieburg"); the second word may already be an exact match on its own
    // ("Neukirchen-Seelscheid" with "Seelscheid" known as part of "Neunkirchen-Seelscheid").
    if (s + 1 < keys.length) {
      const a = keys[s];
      const b = keys[s + 1];
      const bOk = covered[s + 1] ? !known(a) && a.length >= 4 : !known(b) && b.length >= 3;
      if ((NAME_PREFIXES.has(a) || (!known(a) && a.length >= 3)) && bOk && this.caseAllows(ts, s + 1, cued)) {
        const found = this.fuzzyLookup(a + b, ts.plains[s] + ts.plains[s + 1], cued);
        if (found) return this.hit(ts, s, s + 2, found.targets, found.distance);
      }
    }
    const k = keys[s];
    if (known(k) || !this.caseAllows(ts, s, cued) || /^[0-9]/.test(k)) return undefined;
    const found = this.fuzzyLookup(k, ts.plains[s], cued);
    return found ? this.hit(ts, s, s + 1, found.targets, found.distance) : undefined;
  }

  /**
   * "Neunkirchen-Seelschedi": an exactly matched word followed by a misspelt one may be one longer name
   * ("Neunkirchen-Seelscheid" rather than "Neunkirchen").
   */
  private fuzzyAfterExact(
    ts: TokenStream,
    s: number,
    covered: Uint8Array,
    hits: readonly PlaceHit[],
    isKnown?: (key: string) => boolean,
  ): PlaceHit | undefined {
    if (s === 0 || !covered[s - 1]) return undefined;
    const prev = hits.find((h) => h.start === s - 1 && h.end === s);
    const k = ts.keys[s];
    if (!prev || k.length < 2 || COMMON_WORDS.has(k) || (isKnown && isKnown(k))) return undefined;
    const found = this.fuzzyLookup(ts.keys[s - 1] + k, ts.plains[s - 1] + ts.plains[s], prev.cued);
    return found ? this.hit(ts, s - 1, s + 1, found.targets, found.distance) : undefined;
  }

  /** Typo matching trusts capitalised words, words after a cue, and everything in all-lowercase texts. */
  private caseAllows(ts: TokenStream, idx: number, cued: boolean): boolean {
    return cued || ts.caps[idx] || !ts.hasUpper;
  }

  private fuzzyLookup(query: string, plainQuery: string, cued: boolean): { targets: PlaceTarget[]; distance: number } | undefined {
    // After "für"/"in"/"Stadt" a name is expected, so shorter words may be typos too; elsewhere a
    // capitalised German noun one letter away from a place is more likely just a noun.
    const minLength = cued ? 4 : 7;
    const longD = cued ? 9 : 13;
    let best = 3;
    let bestEntries: FuzzyEntry[] = [];
    const scan = (index: Map<string, FuzzyEntry[][]>, q: string, keyOf: (e: FuzzyEntry) => string): void => {
      if (q.length < minLength) return;
      const bucket = index.get(q[0]);
      if (!bucket) return;
      const maxD = q.length >= longD ? 2 : 1;
      for (let len = Math.max(1, q.length - maxD); len <= q.length + maxD; len++) {
        const list = bucket[len];
        if (!list) continue;
        for (const e of list) {
          const key = keyOf(e);
          const allowed = Math.min(q.length, key.length) >= longD ? 2 : 1;
          const limit = Math.min(best, allowed);
          const d = typoDistance(q, key, limit);
          if (d > limit) continue;
          if (d < best) {
            best = d;
            bestEntries = [e];
          } else if (!bestEntries.includes(e)) {
            bestEntries.push(e);
          }
        }
      }
    };
    scan(this.fuzzyIndex, query, (e) => e.key);
    scan(this.plainIndex, plainQuery, (e) => e.plain);
    // "Kön", "Sem": after a cue, a three-letter word may be a four-letter name with a letter dropped.
    if (cued && bestEntries.length === 0 && plainQuery.length === 3) {
      for (const e of this.plainIndex.get(plainQuery[0])?.[4] ?? []) {
        if (typoDistance(plainQuery, e.plain, 1) === 1) {
          best = 1;
          bestEntries.push(e);
        }
      }
    }
    if (bestEntries.length === 0) return undefined;
    let candidates = bestEntries
      .map((e) => ({ e, targets: e.targets.filter((t) => cued || !t.requiresCue) }))
      .filter((c) => c.targets.length > 0);
    // Staff ask about NRW: a typo that could be an NRW place or a place elsewhere is the NRW place.
    if (candidates.some((c) => c.targets.some(isNrw))) {
      candidates = candidates.map((c) => ({ e: c.e, targets: c.targets.filter(isNrw) })).filter((c) => c.targets.length > 0);
    }
    if (candidates.length === 0) return undefined;
    if (new Set(candidates.flatMap((c) => c.targets.map(targetAuthorityKey))).size > 1) {
      // Equal edit distance: a dropped, doubled or swapped letter is a likelier typo than a wrong one,
      // and a town is likelier than a city district.
      const ranked = candidates
        .map((c) => ({
          c,
          w: weightedTypoDistance(plainQuery, c.e.plain) + (c.targets.every((t) => t.kind === 'ortsteil') ? 0.3 : 0),
        }))
        .sort((a, b) => a.w - b.w);
      if (ranked[1].w - ranked[0].w < 0.2) return undefined;
      candidates = [ranked[0].c];
    }
    return { targets: sortTargets(candidates.flatMap((c) => c.targets)), distance: best };
  }

  private insert(keys: string[], target: PlaceTarget, plains: string[] = keys): void {
    if (keys.length === 0) return;
    let node = this.root;
    for (const k of keys) {
      if (!node.next) node.next = new Map();
      let child = node.next.get(k);
      if (!child) {
        child = { next: null, targets: null };
        node.next.set(k, child);
      }
      node = child;
    }
    if (!node.targets) node.targets = [];
    const same = node.targets.some((t) => sameTarget(t, target));
    if (!same) {
      node.targets.push(target);
      sortTargets(node.targets);
    }
    const joined = keys.join('');
    const plain = plains.join('');
    if (joined.length >= 3) {
      let entry = this.fuzzyKeys.get(joined);
      if (!entry) {
        entry = { key: joined, plain, targets: [] };
        this.fuzzyKeys.set(joined, entry);
        addToBucket(this.fuzzyIndex, joined, entry);
        addToBucket(this.plainIndex, plain, entry);
      }
      if (!entry.targets.some((t) => sameTarget(t, target))) {
        entry.targets.push(target);
        sortTargets(entry.targets);
      }
    }
  }

  /** Indexes a name as its word sequence and, for several words, also written as one word. */
  private insertName(name: string, target: PlaceTarget): void {
    const { keys, plains } = this.tokens(name);
    this.insert(keys, target, plains);
    if (keys.length > 1) this.insert([keys.join('')], target, [plains.join('')]);
  }

  private readonly tokenCache = new Map<string, TokenStream>();

  /** Names are tokenised several times while indexing; once is enough. */
  private tokens(name: string): TokenStream {
    let ts = this.tokenCache.get(name);
    if (!ts) {
      ts = tokenize(name);
      this.tokenCache.set(name, ts);
    }
    return ts;
  }

  private buildIndex(extras: PlacesExtra): void {
    const cue = (name: string): boolean => {
      const keys = this.tokens(name).keys;
      return keys.length === 1 && COMMON_WORDS.has(keys[0]);
    };
    const muni = (m: Municipality, via: PlaceVariant, name: string): PlaceTarget => ({
      kind: 'municipality',
      municipality: m,
      via,
      requiresCue: cue(name),
    });

    // Short forms may only stand for one Gemeinde.
    const shortCount = new Map<string, number>();
    const fullNames = new Set<string>();
    const shortsOf = (m: Municipality): string[] => {
      const out: string[] = [];
      const base = m.name.replace(/\s*\(.*?\)\s*/g, ' ').split('/')[0].replace(/\s+(am|an der|an|im|in der)\s+\S.*$/, '').trim();
      if (base !== m.name) out.push(base);
      if (/^Bad\s+/.test(base)) out.push(base.replace(/^Bad\s+/, ''));
      return out;
    };
    for (const m of this.gemeinden) fullNames.add(this.tokens(m.name).keys.join(' '));
    for (const m of this.gemeinden) {
      for (const s of shortsOf(m)) {
        const k = this.tokens(s).keys.join(' ');
        shortCount.set(k, (shortCount.get(k) ?? 0) + 1);
      }
    }

    for (const m of this.gemeinden) {
      this.insertName(m.name, muni(m, 'name', m.name));
      const official = m.officialName.split(',')[0].trim();
      if (official && official !== m.name) this.insertName(official, muni(m, 'alias', official));
      for (const a of m.aliases) this.insertName(a, muni(m, 'alias', a));
      for (const s of shortsOf(m)) {
        const k = this.tokens(s).keys.join(' ');
        if (shortCount.get(k) === 1 && !fullNames.has(k)) this.insertName(s, muni(m, 'short', s));
      }
      // "Kölner", "Bochumer": adjectives of the larger cities.
      if ((m.type === 'kreisfreie_stadt' || m.ags === '05334002' || m.ags === '05958004' || m.ags === '05766020') && !/\s/.test(m.name)) {
        const adj = m.name === 'Münster' ? 'Münsteraner' : m.name.endsWith('e') ? `${m.name}r` : `${m.name}er`;
        this.insertName(adj, muni(m, 'adjective', adj));
      }
    }

    for (const k of this.kreise) {
      if (k.type === 'kreisfreie_stadt') continue;
      this.insertName(k.name, muni(k, 'name', k.name));
      const keys = this.tokens(k.name).keys;
      const last = keys[keys.length - 1];
      // Genitive and adjective declension: "des Rhein-Sieg-Kreises", "im Märkischen Kreis".
      if (last.endsWith('kreis')) this.insert([...keys.slice(0, -1), `${last}es`], muni(k, 'alias', k.name));
      if (keys.length >= 2 && keys[keys.length - 1] === 'kreis' && keys[keys.length - 2].endsWith('er')) {
        const adj = keys[keys.length - 2].slice(0, -2);
        this.insert([...keys.slice(0, -2), `${adj}en`, 'kreis'], muni(k, 'alias', k.name));
        this.insert([...keys.slice(0, -2), `${adj}en`, 'kreises'], muni(k, 'alias', k.name));
      }
      if (k.name.startsWith('Kreis ')) {
        const bare = k.name.slice(6);
        const town = this.gemeinden.some((g) => g.name === bare);
        this.insertName(bare, muni(k, town ? 'bareKreis' : 'alias', bare));
      }
      if (/-Kreis$/.test(k.name)) this.insertName(k.name.replace(/-Kreis$/, ''), muni(k, 'alias', k.name));
      if (k.officialName && k.officialName !== k.name && !k.officialName.includes(',')) {
        const town = this.gemeinden.some((g) => g.name === k.officialName);
        if (!town) this.insertName(k.officialName, muni(k, 'alias', k.officialName));
      }
    }

    for (const a of extras.aliases) {
      const m = this.byKey.get(a.ags);
      if (!m) throw new Error(`places-extra: alias "${a.name}" names unknown AGS ${a.ags}`);
      this.insertName(a.name, muni(m, 'alias', a.name));
    }
    for (const o of extras.ortsteile) {
      const m = this.byKey.get(o.ags);
      if (!m || m.level !== 'gemeinde') throw new Error(`places-extra: Ortsteil "${o.name}" names unknown Gemeinde ${o.ags}`);
      this.insertName(o.name, { kind: 'ortsteil', name: o.name, municipality: m, requiresCue: cue(o.name) });
    }
    for (const o of extras.outside) {
      this.insertName(o.name, { kind: 'outside', name: o.name, land: o.land, inGermany: o.inGermany, requiresCue: cue(o.name) });
    }
    for (const r of extras.regions) {
      const authority = r.authority === null ? null : isAuthorityCode(r.authority) ? r.authority : undefined;
      if (authority === undefined) throw new Error(`places-extra: region "${r.name}" has unknown authority ${String(r.authority)}`);
      for (const name of [r.name, ...r.aliases]) {
        this.insertName(name, { kind: 'region', name: r.name, authority, note: r.note, requiresCue: cue(name) });
      }
    }
  }
}

function addToBucket(index: Map<string, FuzzyEntry[][]>, key: string, entry: FuzzyEntry): void {
  let bucket = index.get(key[0]);
  if (!bucket) {
    bucket = [];
    index.set(key[0], bucket);
  }
  (bucket[key.length] ??= []).push(entry);
}

function targetAuthorityKey(t: PlaceTarget): string {
  switch (t.kind) {
    case 'municipality':
    case 'ortsteil':
      return t.municipality.authority;
    case 'outside':
      return `outside:${t.land}`;
    case 'region':
      return `region:${t.authority ?? t.name}`;
  }
}

function sameTarget(a: PlaceTarget, b: PlaceTarget): boolean {
  if (a.kind !== b.kind) return false;
  if ((a.kind === 'municipality' || a.kind === 'ortsteil') && (b.kind === 'municipality' || b.kind === 'ortsteil')) {
    return a.municipality === b.municipality;
  }
  return 'name' in a && 'name' in b && a.name === b.name;
}

function sortTargets(targets: PlaceTarget[]): PlaceTarget[] {
  return targets.sort((a, b) => rankOf(a) - rankOf(b));
}

/** Checks the shape of `places-extra.json` and returns it typed; throws naming the first bad entry. */
export function parsePlacesExtra(json: unknown): PlacesExtra {
  const fail = (what: string): never => {
    throw new Error(`places-extra.json: ${what}`);
  };
  if (typeof json !== 'object' || json === null) fail('not an object');
  const o = json as Record<string, unknown>;
  const list = (name: string): Record<string, unknown>[] => {
    const v = o[name];
    if (!Array.isArray(v)) fail(`"${name}" must be an array`);
    return (v as unknown[]).map((e, i) => {
      if (typeof e !== 'object' || e === null || typeof (e as { name?: unknown }).name !== 'string') fail(`${name}[${i}] needs a "name"`);
      return e as Record<string, unknown>;
    });
  };
  const ags = (e: Record<string, unknown>, where: string): string =>
    typeof e.ags === 'string' && /^05\d{3}(\d{3})?$/.test(e.ags) ? e.ags : fail(`${where} needs an NRW "ags"`);
  return {
    aliases: list('aliases').map((e, i) => ({ name: e.name as string, ags: ags(e, `aliases[${i}]`) })),
    ortsteile: list('ortsteile').map((e, i) => ({ name: e.name as string, ags: ags(e, `ortsteile[${i}]`) })),
    outside: list('outside').map((e, i) => ({
      name: e.name as string,
      land: typeof e.land === 'string' ? e.land : fail(`outside[${i}] needs a "land"`),
      inGermany: e.inGermany === true,
    })),
    regions: list('regions').map((e) => ({
      name: e.name as string,
      aliases: Array.isArray(e.aliases) ? (e.aliases as unknown[]).filter((a): a is string => typeof a === 'string') : [],
      authority: typeof e.authority === 'string' ? e.authority : null,
      note: (e.note as { de: string; en: string } | null) ?? null,
    })),
  };
}

/** Loads the shipped `data/nrw-municipalities.csv` and `data/places-extra.json`. */
export function loadGazetteer(): Gazetteer {
  const csv = readFileSync(dataFile('nrw-municipalities.csv'), 'utf8');
  const extras = parsePlacesExtra(JSON.parse(readFileSync(dataFile('places-extra.json'), 'utf8')));
  return Gazetteer.fromData(csv, extras);
}

