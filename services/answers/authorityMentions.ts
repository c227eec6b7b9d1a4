import type { AuthorityCode } from '../directory/model';
import { typoDistance } from '../directory/gazetteer';
import type { TokenStream } from '../text/normalize';
import { skeleton } from '../text/normalize';

/** A Bezirksregierung named in a question ("Bezirksregierung Köln", "BR Münster", "die Regierung in Detmold"). */
export interface AuthorityMention {
  code: AuthorityCode;
  /** Token range `[start, end)` of the whole mention. */
  start: number;
  end: number;
  /** The asker says they work there ("Ich arbeite bei der BR Köln"): it is their home, not the subject. */
  self: boolean;
}

const words = (list: string): ReadonlySet<string> => new Set(list.split(/\s+/).filter(Boolean).map(skeleton));

// Words for the authority and its territory; users mix the two (Bezirksregierung / Regierungsbezirk).
const AUTHORITY_WORDS = words(`
bezirksregierung bezirksregierungen bezreg br regierung regierungsbezirk regierungsbezirks rb brin
government district-government governments
`);
// May stand between the authority word and the seat: "Regierung in Detmold", "government of Cologne".
const CONNECTORS = words('in von zu der des the of at for im');
const SEATS: ReadonlyMap<string, AuthorityCode> = new Map(
  (
    [
      ['arnsberg', 'arnsberg'],
      ['detmold', 'detmold'],
      ['düsseldorf', 'duesseldorf'],
      ['koeln', 'koeln'],
      ['cologne', 'koeln'],
      ['münster', 'muenster'],
    ] as const
  ).map(([w, c]) => [skeleton(w), c]),
);
const SEAT_ADJECTIVES: ReadonlyMap<string, AuthorityCode> = new Map(
  (
    [
      ['arnsberger', 'arnsberg'],
      ['detmolder', 'detmold'],
      ['düsseldorfer', 'duesseldorf'],
      ['kölner', 'koeln'],
      ['münsteraner', 'muenster'],
      ['münsterische', 'muenster'],
      ['münsterschen', 'muenster'],
    ] as const
  ).map(([w, c]) => [skeleton(w), c]),
);
// Before a mention, these make it the asker's own authority.
const SELF_WORDS = words(`
arbeite arbeiten arbeitet bin sind mitarbeiter mitarbeiterin mitarbeitende beschäftigt beschäftigte tätig kollege kollegin
work works working employed staff colleague meine meiner unsere unserer my our
`);

function seatOf(key: string): AuthorityCode | undefined {
  const exact = SEATS.get(key);
  if (exact) return exact;
  if (key.length < 4) return undefined;
  for (const [seat, code] of SEATS) {
    if (seat[0] === key[0] && typoDistance(key, seat, 1) <= 1) return code;
  }
  return undefined;
}

/**
 * Finds the Bezirksregierungen named in a question. A bare city name ("in Köln") is left to the gazetteer:
 * only an authority word next to a seat ("Bezirksregierung Köln", "Kölner Bezirksregierung",
 * "district government of Cologne") counts as naming the authority itself.
 */
export function findAuthorityMentions(ts: TokenStream): AuthorityMention[] {
  const keys = ts.keys;
  const out: AuthorityMention[] = [];
  for (let i = 0; i < keys.length; i++) {
    let mention: { code: AuthorityCode; start: number; end: number } | undefined;
    if (AUTHORITY_WORDS.has(keys[i])) {
      // "district government of Cologne": "district"/"regional" before "government" belong to the mention.
      const start = i > 0 && (keys[i - 1] === 'district' || keys[i - 1] === 'regional') ? i - 1 : i;
      for (let j = i + 1; j < keys.length && j <= i + 3; j++) {
        const code = seatOf(keys[j]);
        if (code) {
          mention = { code, start, end: j + 1 };
          break;
        }
        if (!CONNECTORS.has(keys[j]) && !AUTHORITY_WORDS.has(keys[j])) break;
      }
    } else {
      const adj = SEAT_ADJECTIVES.get(keys[i]);
      const seat = adj ?? SEATS.get(keys[i]);
      if (seat && i + 1 < keys.length && AUTHORITY_WORDS.has(keys[i + 1])) mention = { code: seat, start: i, end: i + 2 };
    }
    if (mention) {
      let self = false;
      for (let k = Math.max(0, mention.start - 5); k < mention.start; k++) if (SELF_WORDS.has(keys[k])) self = true;
      out.push({ ...mention, self });
      i = mention.end - 1;
    }
  }
  return out;
}
