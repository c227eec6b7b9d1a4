import type { Gazetteer, Municipality, PlaceHit, PlaceTarget } from '../directory/gazetteer';
import { COMMON_WORDS } from '../text/commonWords';
import { tokenize, type TokenStream } from '../text/normalize';
import type { PlaceDetail } from './answer';
import { findAuthorityMentions, type AuthorityMention } from './authorityMentions';
import type { CompiledKnowledge } from './knowledge';
import { detectForeign, detectLanguage, replyLanguage, type ForeignLanguage, type Language } from './language';
import type { PhraseMatch } from './phrases';

/** A question as the engine understood it: its words, concepts, places and authority mentions. */
export interface Understood {
  ts: TokenStream;
  match: PhraseMatch;
  lang: Language;
  /** The question is in another language (Turkish, Polish, Russian, Ukrainian, Arabic); `lang` is then the user's. */
  foreign: ForeignLanguage | null;
  hits: PlaceHit[];
  /** The NRW place the question is about, if any (best of several). */
  place: { hit: PlaceHit; target: Extract<PlaceTarget, { kind: 'municipality' | 'ortsteil' }> } | null;
  region: Extract<PlaceTarget, { kind: 'region' }> | null;
  outside: Extract<PlaceTarget, { kind: 'outside' }> | null;
  mention: AuthorityMention | null;
  /** Content words the engine does not know (neither vocabulary nor place). */
  unexplained: number;
  /** A word written as a place ("die Stadt Coburg") that is no place in NRW. */
  unknownPlace: string | null;
}

// Words after which the next word can only be a place name ("die Stadt Coburg", "the city of Coburg").
const STRONG_PLACE_CUES: ReadonlySet<string> = new Set(['stadt', 'gemeinde', 'kommune', 'landkreis', 'kreis', 'city', 'town', 'municipality']);

// Words before a town named like its Kreis that make it the Kreis ("gehört zu Recklinghausen", "im Kreis Borken").
const KREIS_OF_CUES: ReadonlySet<string> = new Set(['zu', 'zum', 'zur', 'im', 'kreis', 'landkreis']);

// The seats of the five Bezirksregierungen (Arnsberg, Detmold, Düsseldorf, Köln, Münster).
const SEAT_AGS: ReadonlySet<string> = new Set(['05958004', '05766020', '05111000', '05315000', '05515000']);

// Stands in for place names when matching concepts; contains no letter, so no pattern can match it.
const PLACE_TOKEN = '\u0000';

/** Reads questions: language, authority mentions, places (with typos), concepts. Immutable. */
export class QuestionReader {
  private readonly isKnownWord: (key: string) => boolean;

  private readonly roleWords: { ib: number; generic: number; others: number[] };

  constructor(
    private readonly gazetteer: Gazetteer,
    private readonly kb: CompiledKnowledge,
  ) {
    const matcher = kb.matcher;
    this.isKnownWord = (key) => matcher.isKnown(key);
    this.roleWords = { ib: kb.concept('ib'), generic: kb.concept('ib_generic'), others: ['isb', 'inclusion', 'other_role'].map((n) => kb.concept(n)) };
  }

  /**
   * "Who is the commissioner for Marl?", "Wer ist mein Beauftragter?": in this bot a bare role word means the IB,
   * unless the question names another officer ("Datenschutzbeauftragter", "commissioner for data protection").
   */
  private withGenericRole(match: PhraseMatch): PhraseMatch {
    const { ib, generic, others } = this.roleWords;
    if (!match.has(generic) || match.has(ib) || others.some((o) => match.has(o))) return match;
    return {
      tokens: match.tokens,
      has: (concept) => concept === ib || match.has(concept),
      spans: (concept) => match.spans(concept === ib ? generic : concept),
      found: () => [...match.found(), ib],
      known: (position) => match.known(position),
    };
  }

  /** Understands one (sanitised) question. */
  read(text: string, locale: string | undefined): Understood {
    const ts = tokenize(text);
    const foreign = detectForeign(text, ts.keys);
    const lang = foreign ? replyLanguage(locale) : detectLanguage(ts.keys, locale);
    const mentions = findAuthorityMentions(ts);
    const inMention = (h: PlaceHit): boolean => mentions.some((m) => h.start < m.end && m.start < h.end);
    const hits = this.gazetteer.matchTokens(ts, { isKnownWord: this.isKnownWord }).filter((h) => !inMention(h));
    // Words that name a place are not also read as vocabulary ("für Wenden" is not "an wen wenden").
    let masked = ts;
    // Turkish "kim" / "kimdir" ("… Integrationsbeauftragte kim?") is "wer", not KIM (Kommunales
    // Integrationsmanagement), which people who write with capitals write in capitals.
    const turkishWho = ts.hasUpper ? ts.raws.flatMap((r, i) => (r === 'kim' || r === 'kimdir' ? [i] : [])) : [];
    if (hits.length > 0 || turkishWho.length > 0) {
      const keys = ts.keys.slice();
      for (const h of hits) keys.fill(PLACE_TOKEN, h.start, h.end);
      for (const i of turkishWho) keys[i] = 'wer';
      masked = { ...ts, keys };
    }
    const match = this.withGenericRole(this.kb.matcher.match(masked));

    let place: Understood['place'] = null;
    let placeScore = -Infinity;
    let region: Understood['region'] = null;
    let outside: Understood['outside'] = null;
    const nrwHits = hits.filter((h) => h.targets[0].kind === 'municipality' || h.targets[0].kind === 'ortsteil').length;
    for (const h of hits) {
      const t = h.targets[0];
      if (t.kind === 'municipality' || t.kind === 'ortsteil') {
        const prev = h.start > 0 ? ts.keys[h.start - 1] : '';
        // Beside another place, a seat city is usually named as an authority ("Gehört Hamm zu Münster oder Arnsberg?").
        const seat = nrwHits > 1 && t.kind === 'municipality' && SEAT_AGS.has(t.municipality.ags) ? 2.5 : 0;
        const score = (h.cued ? 2 : 0) + (prev === 'fur' || prev === 'for' ? 1 : 0) - 2 * h.distance - (t.requiresCue ? 0.5 : 0) - seat;
        if (score > placeScore) {
          placeScore = score;
          place = { hit: h, target: t };
        }
      } else if (t.kind === 'region') {
        region ??= t;
      } else {
        outside ??= t;
      }
    }
    // A Gemeinde named with its own Kreis ("Much im Rhein-Sieg-Kreis", "Lage in Lippe") is the place asked about.
    if (place && place.target.kind === 'municipality' && place.target.municipality.level === 'kreis') {
      const kreisAgs = place.target.municipality.ags;
      for (const h of hits) {
        const t = h.targets[0];
        if (t.kind === 'municipality' && t.municipality.level === 'gemeinde' && t.municipality.kreisAgs === kreisAgs && h.distance === 0) {
          place = { hit: h, target: t };
          break;
        }
      }
    }
    // "Datteln gehört zu Recklinghausen": a town named like its Kreis after "zu"/"im" stands for the Kreis, and the
    // Gemeinde of that Kreis named beside it is the place asked about.
    if (place && place.target.kind === 'municipality' && place.target.municipality.sharesNameWithKreis && place.hit.start > 0) {
      const chosen = place.target.municipality;
      if (KREIS_OF_CUES.has(ts.keys[place.hit.start - 1])) {
        for (const h of hits) {
          const t = h.targets[0];
          if (t.kind === 'municipality' && t.municipality !== chosen && t.municipality.level === 'gemeinde' && t.municipality.kreisAgs === chosen.kreisAgs && h.distance === 0) {
            place = { hit: h, target: t };
            break;
          }
        }
      }
    }
    // A self-framed mention ("Ich arbeite bei der BR Köln") yields to a named subject authority.
    const mention = mentions.find((m) => !m.self) ?? mentions[0] ?? null;

    let unexplained = 0;
    const covered = new Uint8Array(ts.keys.length);
    for (const h of hits) covered.fill(1, h.start, h.end);
    for (const m of mentions) covered.fill(1, m.start, m.end);
    for (let i = 0; i < ts.keys.length; i++) {
      const k = ts.keys[i];
      if (covered[i] || k.length < 4 || COMMON_WORDS.has(k) || match.known(i) || /^[0-9§]/.test(k)) continue;
      unexplained++;
    }
    let unknownPlace: string | null = null;
    for (let i = 1; i < ts.keys.length && !unknownPlace; i++) {
      const k = ts.keys[i];
      if (covered[i] || k.length < 3 || COMMON_WORDS.has(k) || match.known(i) || /^[0-9§]/.test(k)) continue;
      if (!ts.caps[i] && ts.hasUpper) continue;
      const prev = ts.keys[i - 1];
      const cue = STRONG_PLACE_CUES.has(prev) || (prev === 'of' && i > 1 && STRONG_PLACE_CUES.has(ts.keys[i - 2]));
      if (cue) unknownPlace = ts.raws[i];
    }
    return { ts, match, lang, foreign, hits, place, region, outside, mention, unexplained, unknownPlace };
  }
}

/** The place of a question as the answer reports it. */
export function placeDetailOf(u: Understood): PlaceDetail | null {
  if (!u.place) return null;
  const { hit, target } = u.place;
  const m: Municipality = target.municipality;
  const kreisRow = hit.targets.find(
    (t): t is Extract<PlaceTarget, { kind: 'municipality' }> => t.kind === 'municipality' && t.via === 'bareKreis',
  );
  return {
    ags: m.ags,
    name: m.name,
    level: m.level,
    type: m.type,
    kreis: m.kreis,
    kreisAgs: m.kreisAgs,
    authority: m.authority,
    kiTraeger: m.kiTraeger,
    kiTraegerAgs: m.kiTraegerAgs,
    written: hit.text,
    distance: hit.distance,
    ortsteil: target.kind === 'ortsteil' ? target.name : null,
    alsoKreis: m.sharesNameWithKreis && kreisRow ? { ags: kreisRow.municipality.ags, name: kreisRow.municipality.name } : null,
  };
}
