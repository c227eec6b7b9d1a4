/**
 * What the bot says when the privacy guard (services/answers/privacy.ts) refuses a form field: which field, what was
 * found, and that nothing was stored. One wording for the request forms, the item card, the circle's cards and the
 * tab's composer. German first.
 */
import type { PersonalDataKind } from '../services/answers/privacy';
import type { Lang } from './texts';

const KIND_LABELS: Record<Lang, Record<PersonalDataKind, string>> = {
  de: {
    origin: 'Herkunft, Staatsangehörigkeit oder Aufenthaltsstatus',
    religion: 'Religion',
    health: 'Gesundheit',
    orientation: 'sexuelle Orientierung',
    birthDate: 'Geburtsdatum',
    birthYear: 'Geburtsjahr oder Alter',
    fileNumber: 'Aktenzeichen oder Fallnummer',
    address: 'Anschrift',
    phone: 'Telefonnummer',
    email: 'E-Mail-Adresse',
    iban: 'Bankverbindung',
  },
  en: {
    origin: 'origin, nationality or residence status',
    religion: 'religion',
    health: 'health',
    orientation: 'sexual orientation',
    birthDate: 'date of birth',
    birthYear: 'year of birth or age',
    fileNumber: 'file or case number',
    address: 'address',
    phone: 'phone number',
    email: 'e-mail address',
    iban: 'bank details',
  },
};

/** "Gesundheit, Herkunft …" for the kinds found. */
export function personalDataKinds(lang: Lang, kinds: readonly PersonalDataKind[]): string {
  return kinds.map((k) => KIND_LABELS[lang][k]).join(', ');
}

/** The reason after a field's name: "enthält personenbezogene Daten Dritter (Gesundheit)". */
export function personalDataReason(lang: Lang, kinds: readonly PersonalDataKind[]): string {
  const what = personalDataKinds(lang, kinds);
  return lang === 'de' ? `enthält personenbezogene Daten Dritter (${what})` : `contains other people's personal data (${what})`;
}

/** The sentence after the problems: nothing stored, the rest kept, and how to go on. */
export const PERSONAL_DATA_ADVICE: Record<Lang, string> = {
  de: 'Nichts wurde gespeichert; Ihre übrigen Eingaben sind erhalten. Bitte schreiben Sie ohne Namen (z. B. „eine Person“) und ohne Angaben zu Herkunft, Religion, Gesundheit, sexueller Orientierung, Geburtsdaten oder Aktenzeichen, und senden Sie erneut.',
  en: 'Nothing was stored; the rest of your input is kept. Please write without names (e.g. "a person") and without origin, religion, health, sexual orientation, dates of birth or file numbers, and send again.',
};
