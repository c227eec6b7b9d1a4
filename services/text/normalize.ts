/**
 * Text normalisation shared by the gazetteer and the answer engine.
 *
 * Every word is reduced to a "skeleton" key so that the spellings staff actually type meet in one form:
 * lower case, umlauts and accents folded ("Köln", "Koeln", "Koln" → `koln`), `ß`/`ss` → `s`, and doubled
 * letters collapsed ("Eusskirchen" → `euskirchen`). The same function builds the indices and reads the
 * questions, so the folding only has to be consistent, not linguistically exact.
 */

/** One question split into words. Arrays rather than objects keep the hot path allocation-light. */
export interface TokenStream {
  /** Skeleton keys, see {@link skeleton}. */
  readonly keys: string[];
  /**
   * The words folded but not collapsed (lower case, accents removed, "Waeendorf" stays `waeendorf`):
   * typo matching compares these too, because collapsing can hide where a typo was.
   */
  readonly plains: string[];
  /** The words as written (for display and for case cues). */
  readonly raws: string[];
  /** Whether the word starts with an upper-case letter in the original text. */
  readonly caps: boolean[];
  /** Character offset of each word in the original text. */
  readonly starts: number[];
  /** Whether the text contains any upper-case letter at all (all-lowercase input loses the case cues). */
  readonly hasUpper: boolean;
  /** The text that was tokenised. */
  readonly source: string;
}

// Folding table for Latin-1 Supplement and Latin Extended-A, index = code point - 0xC0.
// Umlauts fold to the bare vowel; the `ae`/`oe`/`ue` digraphs are folded the same way in `pushFolded`.
const LATIN_FOLD: string[] = (() => {
  const table: string[] = [];
  const set = (chars: string, to: string): void => {
    for (const ch of chars) table[ch.codePointAt(0)! - 0xc0] = to;
  };
  set('ÀÁÂÃÄÅàáâãäåĀāĂăĄą', 'a');
  set('Ææ', 'ae');
  set('ÇçĆćĈĉĊċČč', 'c');
  set('ĎďĐđÐð', 'd');
  set('ÈÉÊËèéêëĒēĔĕĖėĘęĚě', 'e');
  set('ĜĝĞğĠġĢģ', 'g');
  set('ĤĥĦħ', 'h');
  set('ÌÍÎÏìíîïĨĩĪīĬĭĮįİı', 'i');
  set('Ĵĵ', 'j');
  set('Ķķ', 'k');
  set('ĹĺĻļĽľĿŀŁł', 'l');
  set('ÑñŃńŅņŇň', 'n');
  set('ÒÓÔÕÖØòóôõöøŌōŎŏŐő', 'o');
  set('Œœ', 'oe');
  set('ŔŕŖŗŘř', 'r');
  set('ßŚśŜŝŞşŠš', 's');
  set('ŢţŤťŦŧ', 't');
  set('ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų', 'u');
  set('Ŵŵ', 'w');
  set('ÝýÿŶŷŸ', 'y');
  set('ŹźŻżŽž', 'z');
  set('Þþ', 'th');
  return table;
})();

const UPPER_EXTRA = /\p{Lu}/u;
const LETTER_EXTRA = /\p{L}|\p{N}/u;

/** Whether the code point starts a capitalised word. */
function isUpper(code: number, ch: string): boolean {
  if (code >= 65 && code <= 90) return true;
  if (code < 0xc0) return false;
  if (code <= 0xde) return code !== 0xd7;
  return code > 0x17f && UPPER_EXTRA.test(ch);
}

/**
 * Folds one character; returns '' for combining marks, null for separators.
 * Letters of other scripts pass through lower-cased so that they still form words.
 */
function foldChar(code: number, ch: string): string | null {
  if (code >= 97 && code <= 122) return ch;
  if (code >= 65 && code <= 90) return String.fromCharCode(code + 32);
  if (code >= 48 && code <= 57) return ch;
  if (code === 0xa7) return '§';
  if (code >= 0xc0 && code <= 0x17f) {
    const f = LATIN_FOLD[code - 0xc0];
    return f === undefined ? null : f;
  }
  if (code >= 0x300 && code <= 0x36f) return '';
  if (code > 0x17f && LETTER_EXTRA.test(ch)) return ch.toLowerCase();
  return null;
}

const VOWEL_OR_Q = new Set([97, 101, 105, 111, 117, 121, 113]); // a e i o u y q

/**
 * The skeleton of a folded word: drops the `e` of `ae`/`oe`/`ue` (umlaut spellings) unless the vowel
 * follows another vowel or q ("Neuenkirchen" is not "Neunkirchen"), and collapses doubled letters.
 * Returns the input itself when nothing changes, which is the common case.
 */
function skeletonOfFolded(w: string): string {
  let out: number[] | null = null;
  let len = 0;
  let last = -1;
  let before = -1;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    let drop = c === last && c >= 97 && c <= 122;
    if (!drop && c === 101 && (last === 97 || last === 111 || last === 117)) drop = before === -1 || !VOWEL_OR_Q.has(before);
    if (drop) {
      if (!out) {
        out = new Array<number>(w.length);
        for (let k = 0; k < i; k++) out[k] = w.charCodeAt(k);
        len = i;
      }
      continue;
    }
    if (out) out[len] = c;
    len++;
    before = last;
    last = c;
  }
  if (!out) return w;
  out.length = len;
  return String.fromCharCode(...out);
}

/** Folds a word: lower case, accents removed, umlauts to the bare vowel; '' if nothing is left. */
function foldWord(raw: string): string {
  const lower = raw.toLowerCase();
  let simple = true;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) {
      simple = false;
      break;
    }
  }
  if (simple) return lower;
  let out = '';
  for (const ch of raw) {
    const f = foldChar(ch.codePointAt(0)!, ch);
    if (f !== null && f !== '§') out += f;
  }
  return out;
}

/** The skeleton key of one word or phrase fragment (no separators expected; they are dropped). */
export function skeleton(word: string): string {
  return skeletonOfFolded(foldWord(word));
}

/** Skeleton keys of every word of a phrase ("Mülheim an der Ruhr" → `['mulheim','an','der','ruhr']`). */
export function skeletonWords(phrase: string): string[] {
  return tokenize(phrase).keys;
}

/** Whether a code point belongs to a word (letters, digits, combining marks inside a word). */
function wordChar(code: number, ch: string): 0 | 1 | 2 {
  if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57)) return 1;
  if (code < 0xc0) return 0;
  if (code <= 0x17f) return LATIN_FOLD[code - 0xc0] === undefined ? 0 : 1;
  if (code >= 0x300 && code <= 0x36f) return 2;
  return LETTER_EXTRA.test(ch) ? 1 : 0;
}

/**
 * Splits text into words. Letters and digits form words; everything else separates them, except `§`,
 * which is a word of its own because staff cite paragraphs ("§ 6 TIntG").
 */
export function tokenize(text: string): TokenStream {
  const keys: string[] = [];
  const plains: string[] = [];
  const raws: string[] = [];
  const caps: boolean[] = [];
  const starts: number[] = [];
  let hasUpper = false;
  let start = -1;
  const flush = (end: number): void => {
    if (start < 0) return;
    const raw = text.slice(start, end);
    const plain = foldWord(raw);
    if (plain.length > 0) {
      keys.push(skeletonOfFolded(plain));
      plains.push(plain);
      raws.push(raw);
      caps.push(isUpper(text.codePointAt(start)!, text[start]));
      starts.push(start);
    }
    start = -1;
  };
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    let ch = text[i];
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      code = text.codePointAt(i)!;
      ch = String.fromCodePoint(code);
    }
    const kind = wordChar(code, ch);
    if (kind === 0) {
      flush(i);
      if (code === 0xa7) {
        keys.push('§');
        plains.push('§');
        raws.push('§');
        caps.push(false);
        starts.push(i);
      }
    } else if (start < 0) {
      // A combining mark cannot start a word.
      if (kind === 1) start = i;
    }
    if (kind !== 0 && !hasUpper && isUpper(code, ch)) hasUpper = true;
    if (ch.length === 2) i++;
  }
  flush(text.length);
  return { keys, plains, raws, caps, starts, hasUpper, source: text };
}

// Control characters and line/paragraph separators separate words; invisible format characters (soft
// hyphen, zero-width space and joiners, direction marks, BOM) are dropped, as they may sit inside a word.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NON_ASCII = /[^\u0000-\u007f]/;
const INVISIBLE = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * Makes untrusted message text safe to process: removes control and invisible characters, collapses
 * white space, Unicode-normalises (NFC) and cuts it to `maxLength` characters.
 */
export function sanitizeText(text: string, maxLength: number): string {
  let t = text.length > maxLength * 2 ? text.slice(0, maxLength * 2) : text;
  t = t.replace(INVISIBLE, '').replace(CONTROL, ' ');
  // NFC only matters for non-ASCII text (decomposed umlauts); most questions skip it.
  if (NON_ASCII.test(t)) t = t.normalize('NFC');
  t = t.replace(/\s+/g, ' ').trim();
  if (t.length > maxLength) {
    t = t.slice(0, maxLength);
    // Never end on half a surrogate pair.
    const last = t.charCodeAt(t.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) t = t.slice(0, -1);
  }
  return t;
}
