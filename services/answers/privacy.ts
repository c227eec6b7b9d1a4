/**
 * The privacy guard. Questions about individual people can reveal ethnic origin, religion, health or sexual
 * orientation (special categories, Art. 9 GDPR); the bot routes, it does not collect case files. This finds the
 * personal data of third parties that staff paste into chats and forms: a named person (form of address with a
 * surname, or first and last name) together with origin or nationality, religion, health, sexual orientation, a
 * birth year or age, or a case number; and on their own, birth dates with a person, file numbers, street
 * addresses, phone numbers, e-mail addresses and bank accounts. The bot then warns, or refuses to store the text.
 * Pure and deterministic; a text without any category word, digit or `@` costs one pass over its words.
 */
import {
  ARTICLES,
  BORN_WORDS,
  COMPOUND_FRAGMENTS,
  COPULAS,
  COUNTRIES,
  cueForms,
  cueOf,
  FIRST_NAMES,
  FROM_WORDS,
  GROUP_WORDS,
  HONORIFICS,
  INDEFINITE,
  LANGUAGE_WORDS,
  NOT_NAMES,
  PERSON_HEADS,
  PERSON_NOUNS,
  PRONOUNS,
  ROLE_SUFFIXES,
  ROLE_WORDS,
  TOPIC_WORDS,
  type SpecialCategory,
} from './privacyLexicon';

/** Kinds of personal data the guard recognises. */
export type PersonalDataKind =
  | 'birthDate'
  | 'birthYear'
  | 'fileNumber'
  | 'address'
  | 'phone'
  | 'email'
  | 'iban'
  | 'origin'
  | 'religion'
  | 'health'
  | 'orientation';

/** Every kind, in the order texts list them. */
export const PERSONAL_DATA_KINDS: readonly PersonalDataKind[] = [
  'origin', 'religion', 'health', 'orientation', 'birthDate', 'birthYear', 'fileNumber', 'address', 'phone', 'email', 'iban',
];

/** The special categories of Art. 9 GDPR among the kinds (found only where tied to a named person). */
export const SPECIAL_CATEGORY_KINDS: ReadonlySet<PersonalDataKind> = new Set<SpecialCategory>(['origin', 'religion', 'health', 'orientation']);

/** One piece of personal data found in a text (character offsets, end exclusive). */
export interface PersonalDataFinding {
  kind: PersonalDataKind;
  start: number;
  end: number;
}

/** Options for {@link findPersonalData}. */
export interface PrivacyOptions {
  /**
   * Mail domains of the authorities' own staff: their work addresses are published (RdErl. Nr. 3) and are
   * not treated as third-party data.
   */
  ownEmailDomains?: readonly string[];
  /** Published phone numbers (the directory's): calling the IB's office is no third party's data. */
  publicPhoneNumbers?: readonly string[];
}

/** Digits of a phone number in national form ("+49 221 147-2000" → "02211472000"). */
function phoneDigits(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  if (raw.trim().startsWith('+49')) return '0' + digits.slice(2);
  if (digits.startsWith('0049')) return '0' + digits.slice(4);
  return digits;
}

/**
 * The guard's options for a directory: the authorities' mail domains and every phone number it publishes. Pure;
 * worth keeping per directory object.
 */
export function directoryPrivacyOptions(directory: { authorities: ReadonlyArray<{ emailDomains: readonly string[] }> }): PrivacyOptions {
  const phones: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'phone' && typeof v === 'string') phones.push(v);
        else walk(v);
      }
    }
  };
  walk(directory);
  return { ownEmailDomains: directory.authorities.flatMap((a) => a.emailDomains), publicPhoneNumbers: phones };
}

const MONTHS =
  'Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|' +
  'Jan|Feb|Mär|Mrz|Apr|Jun|Jul|Aug|Sep|Sept|Okt|Nov|Dez|January|February|March|May|June|July|October|December|Oct|Dec';
const DATE = new RegExp(
  String.raw`(?<![\d.])(?:(?:0?[1-9]|[12]\d|3[01])\s?[./-]\s?(?:0?[1-9]|1[0-2])\s?[./-]\s?((?:19|20)?\d{2})|` +
    String.raw`(?:0?[1-9]|[12]\d|3[01])\.?\s+(?:${MONTHS})\.?\s+((?:19|20)\d{2})|((?:19|20)\d{2})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?![\d])`,
  'gi',
);
const BIRTH_CUE = /(?:\bgeb(?:oren)?\b\.?|\bgeburtsdatum\b|\bgeburtstag\b|\bborn\b|\bdate of birth\b|\bd\.?o\.?b\b|\bjahrgang\b|\*\s*(?=\d))/gi;
const PERSON_CUE =
  /\b(?:Herr[n]?|Frau|Hr|Fr|Mr|Mrs|Ms|Klient(?:in)?|Mandant(?:in)?|Antragsteller(?:in)?|Bewohner(?:in)?|Sohn|Tochter|Vater|Mutter|Ehefrau|Ehemann|Schüler(?:in)?|Familie|Kind|Person)\b/;
const FILE_NUMBER = new RegExp(
  String.raw`(?<![\p{L}\d])(?:Az|Akz|Aktenz(?:eichen)?|Gz|Geschäftszeichen|Geschaeftszeichen|Vorgangs-?(?:nummer|nr)|Fall-?(?:nummer|nr)|` +
    String.raw`Kunden-?(?:nummer|nr)|Ausweis-?(?:nummer|nr)|Pass-?(?:nummer|nr)|Steuer-?ID|Sozialversicherungs-?(?:nummer|nr)|` +
    String.raw`Personalnummer|AZR-?(?:Nummer|Nr)|BG-?(?:Nummer|Nr)|Bedarfsgemeinschafts-?(?:nummer|nr)|case\s+(?:no|number)|file\s+(?:no|number)|reference\s+(?:no|number))\b\.?\s*[:#]?\s*(?:Nr\.?\s*)?` +
    String.raw`[\p{L}]{0,6}[\s./-]?\d[\p{L}\d./-]*`,
  'giu',
);
const STREET = new RegExp(
  String.raw`(?<![\p{L}])\p{Lu}[\p{L}]*(?:[- ]\p{L}+){0,2}?(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig|markt|wall|graben)` +
    String.raw`\s+\d{1,4}(?:\s?[a-hA-H])?(?![\d\p{L}])`,
  'gu',
);
const PHONE_INTL = /(?:\+|\b00)\s?49[\s\-/()]*[1-9](?:[\s\-/()]*\d){5,12}/g;
const PHONE_NATIONAL = /(?<![\d.,/])\(?0[1-9]\d{1,4}\)?(?:[\s\-/]{0,3}\d){4,11}(?![\d.,])/g;
const PHONE_CUE = /\b(?:Tel(?:efon)?|Handy|Mobil(?:nummer)?|Fax|Rufnummer|phone|mobile|cell)\b\.?\s*(?:Nr\.?)?\s*:?\s*\+?\d[\d\s\-/()]{5,}\d/gi;
const EMAIL = /[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;
const IBAN = /\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,3})?\b/g;

function birthYearish(match: RegExpExecArray): boolean {
  const raw = match[1] ?? match[2] ?? match[3];
  if (!raw) return false;
  let year = Number(raw);
  if (raw.length === 2) year += year >= 30 ? 1900 : 2000;
  // Meeting and decree dates are recent; birth dates of adults are not.
  return year >= 1900 && year <= 2012;
}

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** Finds personal data of third parties in a text. */
export function findPersonalData(text: string, options?: PrivacyOptions): PersonalDataFinding[] {
  const found: PersonalDataFinding[] = [];
  const hasDigit = /\d/.test(text);
  if (hasDigit || text.includes('@')) findContactData(text, options, found);
  findAboutPeople(text, hasDigit, found);
  // Digit groups of an IBAN, a file number or a date also look like phone numbers; report them once.
  const specific = found.filter((f) => f.kind !== 'phone');
  return found
    .filter((f) => f.kind !== 'phone' || !specific.some((o) => o.start < f.end && f.start < o.end))
    .sort((a, b) => a.start - b.start);
}

function findContactData(text: string, options: PrivacyOptions | undefined, found: PersonalDataFinding[]): void {
  const published = new Set((options?.publicPhoneNumbers ?? []).map(phoneDigits).filter((d) => d.length >= 6));
  const add = (kind: PersonalDataKind, start: number, end: number): void => {
    if (kind === 'phone' && published.size && published.has(phoneDigits(text.slice(start, end).replace(/^\D+/, (m) => (m.includes('+') ? '+' : ''))))) return;
    found.push({ kind, start, end });
  };
  const cues: number[] = [];
  for (const m of text.matchAll(BIRTH_CUE)) cues.push(m.index!);
  const personMentioned = PERSON_CUE.test(text);
  DATE.lastIndex = 0;
  for (let m = DATE.exec(text); m; m = DATE.exec(text)) {
    const start = m.index;
    const cueBefore = cues.some((c) => c <= start && start - c <= 30);
    if (cueBefore || (personMentioned && birthYearish(m))) add('birthDate', start, start + m[0].length);
  }
  for (const m of text.matchAll(FILE_NUMBER)) add('fileNumber', m.index!, m.index! + m[0].length);
  for (const m of text.matchAll(STREET)) add('address', m.index!, m.index! + m[0].length);
  for (const m of text.matchAll(PHONE_INTL)) add('phone', m.index!, m.index! + m[0].length);
  for (const m of text.matchAll(PHONE_CUE)) add('phone', m.index!, m.index! + m[0].length);
  for (const m of text.matchAll(PHONE_NATIONAL)) {
    const digits = digitCount(m[0]);
    const separated = /[\s\-/()]/.test(m[0].trim());
    // A bare 8-digit number is more likely an AGS than a phone number.
    if (digits >= 10 || (separated && digits >= 7)) add('phone', m.index!, m.index! + m[0].length);
  }
  const own = (options?.ownEmailDomains ?? []).map((d) => d.toLowerCase());
  for (const m of text.matchAll(EMAIL)) {
    const domain = m[1].toLowerCase();
    if (own.some((d) => domain === d || domain.endsWith('.' + d))) continue;
    add('email', m.index!, m.index! + m[0].length);
  }
  for (const m of text.matchAll(IBAN)) {
    if (digitCount(m[0]) >= 12) add('iban', m.index!, m.index! + m[0].length);
  }
}

// ------------------------------------------------------------------------------------------------ people

/** One word of the text. */
interface Word {
  start: number;
  end: number;
  raw: string;
  lower: string;
  /** Starts with an upper-case letter. */
  upper: boolean;
  /** A full stop follows directly ("K.", "Dr.", "geb."). */
  dot: boolean;
  /** Index of its sentence. */
  sentence: number;
}

/** A named person: word indices `from`..`to` inclusive. */
interface Person {
  from: number;
  to: number;
  sentence: number;
}

const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;
const UPPER_START = /^\p{Lu}/u;
// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS = new Set(['hr', 'fr', 'dr', 'prof', 'geb', 'nr', 'az', 'gz', 'bzw', 'vgl', 'ca', 'st', 'str', 'abs', 'ggf', 'evtl', 'jg', 'mr', 'mrs', 'ms', 'no', 'usw', 'inkl', 'tel', 'etc', 'z', 'b', 'u', 'a', 'd', 'h', 'i', 'e', 'v', 'vs', 'dipl', 'ing']);
const YEAR = /^(?:19|20)\d{2}$/;
const AGE_COMPOUND = /^\d{1,3}-?(?:jährig|jaehrig|year-old)/;
const CASE_NUMBER =
  /(?<![\d.,:/-])(?:\d{3,}[/-]\d{2,}(?:[/-]\d+)*|\d{2}[/-]\d{2,}[/-]\d+|(?:Nr|Nummer|No|ID)\.?\s*:?\s*\d{3,}[\w/-]*|#\s?\d{3,})(?![\d])/gi;
const YEAR_RANGE = /^(?:19|20)\d{2}[/-](?:(?:19|20)?\d{2})$/;

function words(text: string): Word[] {
  const out: Word[] = [];
  let sentence = 0;
  for (const m of text.matchAll(WORD)) {
    const start = m.index!;
    const raw = m[0];
    const prev = out[out.length - 1];
    if (prev) {
      const gap = text.slice(prev.end, start);
      if (/[!?;\n]/.test(gap)) sentence++;
      else if (gap.includes('.') && !(ABBREVIATIONS.has(prev.lower) || prev.raw.length === 1 || /^\d+$/.test(prev.raw)) && !/^\p{Ll}/u.test(raw)) sentence++;
    }
    const end = start + raw.length;
    out.push({ start, end, raw, lower: raw.toLowerCase(), upper: UPPER_START.test(raw), dot: text.charCodeAt(end) === 46, sentence });
  }
  return out;
}

function isRole(w: Word): boolean {
  if (ROLE_WORDS.has(w.lower)) return true;
  return ROLE_SUFFIXES.some((s) => w.lower.length >= s.length + 3 && w.lower.endsWith(s));
}

function isInitial(w: Word): boolean {
  return w.raw.length === 1 && w.upper && w.dot;
}

/** Whether a word can be (part of) a surname: capitalised, or any word when the whole text is written in lower case. */
function nameLike(w: Word | undefined, allLower: boolean): boolean {
  if (!w) return false;
  if (isInitial(w)) return true;
  if (w.raw.length < 2 || /\d/.test(w.raw) || NOT_NAMES.has(w.lower) || isRole(w) || HONORIFICS.has(w.lower)) return false;
  return w.upper || allLower;
}

function firstNameOf(w: Word): boolean {
  const dash = w.lower.indexOf('-');
  return FIRST_NAMES.has(dash > 0 ? w.lower.slice(0, dash) : w.lower);
}

/** Named people: "Frau Yilmaz", "Herrn Dr. Ahmad K.", "Fatima Khan", "Kollegin Aydın", "Mr Smith". */
function people(ws: Word[], allLower: boolean): Person[] {
  const out: Person[] = [];
  const same = (a: number, b: number) => ws[a].sentence === ws[b].sentence;
  // A name may go on with initials or, after a first name, a surname ("Ahmad K.", "Herr Ali Hassan").
  const extend = (at: number): number => {
    let to = at;
    for (let k = 0; k < 2 && to + 1 < ws.length && same(to, to + 1); k++) {
      const next = ws[to + 1];
      if (isInitial(next) || (firstNameOf(ws[to]) && nameLike(next, allLower) && !next.lower.match(/^\d/))) to++;
      else break;
    }
    return to;
  };
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (HONORIFICS.has(w.lower) && (w.upper || allLower)) {
      let j = i + 1;
      for (let t = 0; t < 3 && j < ws.length && same(i, j) && isRole(ws[j]) && !(ws[j].lower === 'dr' && !ws[j].dot && j + 1 >= ws.length); t++) j++;
      if (j < ws.length && same(i, j) && nameLike(ws[j], allLower)) {
        const to = extend(j);
        out.push({ from: i, to, sentence: w.sentence });
        i = to;
      }
    } else if ((w.upper || allLower) && firstNameOf(w)) {
      const next = ws[i + 1];
      if (next && same(i, i + 1) && nameLike(next, allLower) && (next.upper || allLower || isInitial(next))) {
        const to = extend(i + 1);
        out.push({ from: i, to, sentence: w.sentence });
        i = to;
      }
    } else if (PERSON_NOUNS.has(w.lower) && !(i > 0 && INDEFINITE.has(ws[i - 1].lower))) {
      const next = ws[i + 1];
      if (next && same(i, i + 1) && (isInitial(next) || (next.upper && nameLike(next, allLower) && !PERSON_NOUNS.has(next.lower) && cueOf(next.lower) === undefined))) {
        const to = extend(i + 1);
        out.push({ from: i, to, sentence: w.sentence });
        i = to;
      }
    }
  }
  return out;
}

/** The category a word signals here, or undefined when the context makes it about a group, a topic or a language. */
function categoryAt(ws: Word[], i: number, part: string, nextWord: string | undefined, finalPart: boolean, inPerson: (k: number) => boolean): SpecialCategory | undefined {
  const cue = cueOf(part);
  if (!cue) return undefined;
  const w = ws[i];
  const before = (n: number): string[] => {
    const out: string[] = [];
    for (let k = i - 1; k >= 0 && k >= i - n && ws[k].sentence === w.sentence; k--) out.push(ws[k].lower);
    return out;
  };
  const sameSentenceNext = i + 1 < ws.length && ws[i + 1].sentence === w.sentence;
  const next = finalPart ? (sameSentenceNext ? ws[i + 1].lower : undefined) : nextWord;
  const back3 = before(3);
  const copula = back3.some((b) => COPULAS.has(b));
  if (before(4).some((b) => TOPIC_WORDS.has(b))) return undefined;
  if (cue.cls === 'plural') return copula ? cue.kind : undefined;
  if (next !== undefined && GROUP_WORDS.has(next)) return undefined;
  if (back3.some((b) => GROUP_WORDS.has(b))) return undefined;
  if (cue.cls === 'context') {
    // "Türkisch", "Arabisch" written as a noun are languages.
    if (finalPart && w.upper && part.endsWith('isch') && part === w.lower) return undefined;
    if (before(2).some((b) => LANGUAGE_WORDS.has(b)) || (next !== undefined && LANGUAGE_WORDS.has(next))) return undefined;
    const personNext = next !== undefined && (PERSON_HEADS.has(next) || (finalPart && sameSentenceNext && inPerson(i + 1)));
    if (!personNext && !(finalPart && copula)) return undefined;
  }
  return cue.kind;
}

// ------------------------------------------------------------------------------------------------ pre-scan

/*
 * The answer engine runs the guard on every question, so a text that cannot hold a category tied to a named person
 * must cost next to nothing: one pass over its characters, no allocation. Each word's first eight letters (lower
 * case, umlauts as themselves) are packed into a number and looked up among the category words and among the words
 * that can start a named person (forms of address, first names, "Kollegin"); compounds ("Brustkrebs",
 * "türkeistämmig") are caught by one small regex. A hit only means "look closer".
 */
const PREFIX_LENGTH = 8;
const CUE_FOUND = 1;
const PERSON_FOUND = 2;

/** 5 bits per letter: a–z 1–26, ä ö ü ß 27–30, anything else 31. */
function letterCode(c: number): number {
  if (c >= 97 && c <= 122) return c - 96;
  if (c >= 65 && c <= 90) return c - 64;
  switch (c) {
    case 0xe4: case 0xc4: return 27;
    case 0xf6: case 0xd6: return 28;
    case 0xfc: case 0xdc: return 29;
    case 0xdf: return 30;
    default: return 31;
  }
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c !== 0x2019);
}
// The same characters as isWordChar, to skip the rest of a long word natively.
const WORD_REST = /[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u2018\u201A-\uFFFF]*/y;

function prefixKey(word: string): number {
  let key = 0;
  for (let k = 0; k < word.length && k < PREFIX_LENGTH; k++) key = key * 32 + letterCode(word.charCodeAt(k));
  return key;
}

function keysOf(forms: Iterable<string>, inflect: boolean): ReadonlySet<number> {
  const keys = new Set<number>();
  for (const form of forms) {
    for (const part of form.split('-')) {
      keys.add(prefixKey(part));
      // Short forms change within the first eight letters when they inflect ("krank" → "kranke", "kranken").
      if (inflect && part.length < PREFIX_LENGTH) for (const ending of ['e', 'en', 'em', 'er', 'es', 's']) keys.add(prefixKey(part + ending));
    }
  }
  return keys;
}

const CUE_KEYS = keysOf([...cueForms(), ...COUNTRIES], true);
const PERSON_KEYS = keysOf([...HONORIFICS, ...FIRST_NAMES, ...PERSON_NOUNS], false);

/** CUE_FOUND when the text may hold a category word or a country, PERSON_FOUND when it may name a person (never missing one). */
function prescan(text: string): number {
  const n = text.length;
  let found = 0;
  let i = 0;
  while (i < n && found !== (CUE_FOUND | PERSON_FOUND)) {
    if (!isWordChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let key = 0;
    let len = 0;
    while (i < n && isWordChar(text.charCodeAt(i))) {
      key = key * 32 + letterCode(text.charCodeAt(i));
      i++;
      if (++len === PREFIX_LENGTH) {
        // The rest of the word: in JS for ordinary words, natively for a pasted blob without spaces.
        const stop = Math.min(n, i + 40);
        while (i < stop && isWordChar(text.charCodeAt(i))) i++;
        if (i === stop && i < n) {
          WORD_REST.lastIndex = i;
          WORD_REST.test(text);
          i = WORD_REST.lastIndex;
        }
        break;
      }
    }
    if (CUE_KEYS.has(key)) found |= CUE_FOUND;
    if (PERSON_KEYS.has(key)) found |= PERSON_FOUND;
  }
  if (!(found & CUE_FOUND) && COMPOUND_FRAGMENTS.test(text)) found |= CUE_FOUND;
  return found;
}

/** Cues for a birth year, an age or a case number, which the guard looks at only with a named person. */
const NUMBER_HINT = /geb|jahrgang|jg\b|born|geburt|\*|jahre|jährig|year|aged|\d{3,}[/-]\d|\d{2}[/-]\d{2,}[/-]\d|(?:nr|nummer|no|id)\.?\s*:?\s*\d{3}|#\s?\d{3}/i;

function findAboutPeople(text: string, hasDigit: boolean, found: PersonalDataFinding[]): void {
  const scan = prescan(text);
  const numberHint = hasDigit && NUMBER_HINT.test(text);
  if (!(scan & PERSON_FOUND)) {
    // Nobody named: only a birth year beside a word such as "Klientin" or "Sohn" can still count.
    if (numberHint && PERSON_CUE.test(text)) findBirthYears(text, words(text), [], found);
    return;
  }
  if (!(scan & CUE_FOUND) && !numberHint) return;
  const ws = words(text);
  // Category words first: most texts have none, and then only numbers can still matter.
  const hits: Array<{ i: number }> = [];
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (cueOf(w.lower) || COUNTRIES.has(w.lower) || (w.lower.includes('-') && w.lower.split('-').some((p) => cueOf(p)))) hits.push({ i });
  }
  if (hits.length === 0 && !hasDigit) return;
  const allLower = !/\p{Lu}/u.test(text);
  const named = people(ws, allLower);
  if (named.length === 0) {
    if (hasDigit) findBirthYears(text, ws, named, found);
    return;
  }
  const inPerson = (k: number) => named.some((p) => p.from <= k && k <= p.to);
  const sentencesWithPerson = new Set(named.map((p) => p.sentence));
  const tied = (i: number): boolean => {
    const s = ws[i].sentence;
    if (sentencesWithPerson.has(s)) return true;
    // "Frau Yilmaz hat angerufen. Sie ist an Diabetes erkrankt."
    if (!(sentencesWithPerson.has(s - 1) || sentencesWithPerson.has(s - 2))) return false;
    for (let k = i - 1; k >= 0 && ws[k].sentence === s; k--) if (PRONOUNS.has(ws[k].lower)) return true;
    return false;
  };
  for (const { i } of hits) {
    if (inPerson(i) || !tied(i)) continue;
    const w = ws[i];
    let kind: SpecialCategory | undefined;
    if (COUNTRIES.has(w.lower)) {
      let k = i - 1;
      while (k >= 0 && ARTICLES.has(ws[k].lower)) k--;
      const from = k >= 0 && FROM_WORDS.has(ws[k].lower);
      const born = (k >= 0 && BORN_WORDS.has(ws[k].lower)) || (i + 1 < ws.length && BORN_WORDS.has(ws[i + 1].lower));
      const group = ws.slice(Math.max(0, k - 3), Math.max(0, k)).some((x) => GROUP_WORDS.has(x.lower));
      if ((from || born) && !group) kind = 'origin';
    }
    if (!kind) {
      const parts = w.lower.includes('-') ? w.lower.split('-') : [w.lower];
      for (let p = 0; p < parts.length && !kind; p++) {
        const whole = p === 0 && parts.length > 1 ? categoryAt(ws, i, w.lower, undefined, true, inPerson) : undefined;
        kind = whole ?? categoryAt(ws, i, parts[p], parts[p + 1], p === parts.length - 1, inPerson);
      }
    }
    if (kind) found.push({ kind, start: w.start, end: w.end });
  }
  if (hasDigit) {
    findBirthYears(text, ws, named, found);
    findAges(ws, sentencesWithPerson, found);
    findCaseNumbers(text, ws, sentencesWithPerson, found);
  }
}

function overlaps(found: PersonalDataFinding[], start: number, end: number): boolean {
  return found.some((f) => f.start < end && start < f.end);
}

/** "Jahrgang 1985", "geb. 1978", "born 1979", "* 1985": a birth year, with a named person or a person word in the text. */
function findBirthYears(text: string, ws: Word[], named: Person[], found: PersonalDataFinding[]): void {
  if (named.length === 0 && !PERSON_CUE.test(text)) return;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    const twoDigits = /^\d{2}$/.test(w.raw) && i > 0 && (ws[i - 1].lower === 'jahrgang' || ws[i - 1].lower === 'jg');
    if (!(YEAR.test(w.raw) || twoDigits)) continue;
    const year = twoDigits ? 1900 + Number(w.raw) : Number(w.raw);
    if (year > 2015 && !twoDigits) continue;
    let cue = false;
    for (let k = i - 1; k >= 0 && k >= i - 3 && ws[k].sentence === w.sentence; k--) if (BORN_WORDS.has(ws[k].lower)) cue = true;
    if (i + 1 < ws.length && BORN_WORDS.has(ws[i + 1].lower)) cue = true;
    if (/\*\s*$/.test(text.slice(Math.max(0, w.start - 3), w.start))) cue = true;
    if (cue && !overlaps(found, w.start, w.end)) found.push({ kind: 'birthYear', start: w.start, end: w.end });
  }
}

/** "42 Jahre alt", "die 38-jährige Frau Kaya", "57 years old", "aged 57": an age, in a sentence naming a person. */
function findAges(ws: Word[], sentencesWithPerson: ReadonlySet<number>, found: PersonalDataFinding[]): void {
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (!sentencesWithPerson.has(w.sentence) || !/^\d/.test(w.raw)) continue;
    const n1 = ws[i + 1]?.lower;
    const n2 = ws[i + 2]?.lower;
    const age =
      AGE_COMPOUND.test(w.lower) ||
      (/^\d{1,3}$/.test(w.raw) && (((n1 === 'jahre' || n1 === 'years' || n1 === 'year') && (n2 === 'alt' || n2 === 'old')) || n1 === 'jährig' || n1 === 'jährige' || n1 === 'jähriger' || ws[i - 1]?.lower === 'aged'));
    if (age && !overlaps(found, w.start, w.end)) found.push({ kind: 'birthYear', start: w.start, end: w.end });
  }
}

/** "Frau Schmitz, 4711/2023", "Herr Yilmaz (Nr. 12345)": a case number in a sentence naming a person. */
function findCaseNumbers(text: string, ws: Word[], sentencesWithPerson: ReadonlySet<number>, found: PersonalDataFinding[]): void {
  for (const m of text.matchAll(CASE_NUMBER)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (YEAR_RANGE.test(m[0]) || overlaps(found, start, end)) continue;
    const w = ws.find((x) => x.end > start);
    if (w && sentencesWithPerson.has(w.sentence)) found.push({ kind: 'fileNumber', start, end });
  }
}

/**
 * The named people in a text ("Frau Dr. Weber", "Fatima Khan", "Kollegin Aydın"), as character ranges: what the
 * guard ties categories to, and what a keyword list must leave out.
 */
export function findNamedPeople(text: string): Array<{ start: number; end: number }> {
  const ws = words(text);
  return people(ws, !/\p{Lu}/u.test(text)).map((p) => ({ start: ws[p.from].start, end: ws[p.to].end + (ws[p.to].dot && isInitial(ws[p.to]) ? 1 : 0) }));
}

/** The kinds of personal data in a text, each once, in the order they first appear. */
export function detectPersonalData(text: string, options?: PrivacyOptions): PersonalDataKind[] {
  const kinds: PersonalDataKind[] = [];
  for (const f of findPersonalData(text, options)) if (!kinds.includes(f.kind)) kinds.push(f.kind);
  return kinds;
}

/** The text with every finding replaced by `[…]`, for logs that must not keep personal data. */
export function redactPersonalData(text: string, options?: PrivacyOptions): string {
  let out = '';
  let pos = 0;
  for (const f of findPersonalData(text, options)) {
    if (f.start < pos) continue;
    out += text.slice(pos, f.start) + '[…]';
    pos = f.end;
  }
  return out + text.slice(pos);
}
