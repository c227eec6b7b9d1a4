/**
 * The privacy guard. Questions about individual people can reveal ethnic origin or religion (special
 * categories, Art. 9 GDPR); the bot routes, it does not collect case files. This finds the personal data
 * of third parties that staff paste into chats (birth dates with a person, file numbers, street addresses,
 * phone numbers, e-mail addresses, bank accounts) so that the bot can warn and keep the text out of storage.
 * Pure and deterministic.
 */

/** Kinds of personal data the guard recognises. */
export type PersonalDataKind = 'birthDate' | 'fileNumber' | 'address' | 'phone' | 'email' | 'iban';

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
    String.raw`Personalnummer|case\s+(?:no|number)|file\s+(?:no|number)|reference\s+(?:no|number))\b\.?\s*[:#]?\s*(?:Nr\.?\s*)?` +
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
  const add = (kind: PersonalDataKind, start: number, end: number): void => {
    found.push({ kind, start, end });
  };
  // Only texts that contain a digit or an @ can hold any of these; most questions stop here.
  if (!/[\d@]/.test(text)) return found;

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
  // Digit groups of an IBAN, a file number or a date also look like phone numbers; report them once.
  const specific = found.filter((f) => f.kind !== 'phone');
  return found
    .filter((f) => f.kind !== 'phone' || !specific.some((o) => o.start < f.end && f.start < o.end))
    .sort((a, b) => a.start - b.start);
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
