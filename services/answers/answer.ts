import type { Absence, AuthorityCode, Commissioner, CompetenceCentre, Office, Person, PostalAddress } from '../directory/model';
import type { MunicipalityType } from '../directory/gazetteer';
import type { AuthorityMention } from './authorityMentions';
import type { Intent } from './intents';
import type { Language } from './language';
import type { PersonalDataKind } from './privacy';

/** A question to the engine. */
export interface AnswerRequest {
  /** The message as the user wrote it (untrusted; any length). */
  text: string;
  /** The client's locale ("de-DE", "en-US"); only a hint, the text decides the language. */
  locale?: string;
  /** The asker's own Bezirksregierung, when known (from their profile or e-mail domain). */
  homeAuthority?: AuthorityCode | null;
  /** The moment of the question, for absences; defaults to now. Pass it for deterministic answers. */
  now?: Date;
  /** Answer in plain language (issue 18): Leichte Sprache in German, plain English; default false. */
  plain?: boolean;
}

/** A municipality or Kreis as the contract names it. */
export interface PlaceRef {
  ags: string;
  name: string;
}

/** How the place in a question was understood. */
export interface PlaceDetail extends PlaceRef {
  level: 'gemeinde' | 'kreis';
  type: MunicipalityType;
  /** The Kreis or kreisfreie Stadt it belongs to. */
  kreis: string;
  kreisAgs: string;
  authority: AuthorityCode;
  /** The Kommunales Integrationszentrum serving it. */
  kiTraeger: string;
  kiTraegerAgs: string;
  /** The words as written in the question. */
  written: string;
  /** Typo distance of the match (0 = exact). */
  distance: number;
  /** Set when the question named a city district ("Wattenscheid" → Bochum). */
  ortsteil: string | null;
  /** For the 19 towns named like their Kreis: the Kreis (for "Stadt oder Kreis?"). */
  alsoKreis: PlaceRef | null;
}

/** An authority as shown on a contact card. */
export interface AuthoritySummary {
  code: AuthorityCode;
  name: string;
  address: PostalAddress;
  website?: string;
}

/** The people to contact at one authority, resolved for the day of the question. */
export interface ContactResolution {
  authority: AuthoritySummary;
  commissioner: Commissioner | null;
  deputy: Person | null;
  /** The IB's absence that covers the day of the question, if any. */
  absence: Absence | null;
  /** Whom to contact now: the IB, the deputy while the IB is absent, or the head's office if neither is listed. */
  primary: 'commissioner' | 'deputy' | 'headOffice';
  headOffice: Office;
  head: Person;
}

/** The Kommunales Integrationszentrum responsible for a place. */
export interface KiInfo {
  /** "Kreis Recklinghausen", "Stadt Bochum", "Stadt Aachen". */
  traeger: string;
  traegerAgs: string;
  /** The place named is one of the 19 towns named like their Kreis; the card may ask "Stadt oder Kreis?". */
  cityOrKreis: boolean;
}

/** The engine's answer. The first six fields are the CLI contract (contracts.md §2); the rest feeds the cards. */
export interface Answer {
  intent: Intent;
  authority: AuthorityCode | null;
  place: PlaceRef | null;
  citation: string | null;
  /** The answer as a person reads it, in `language`. */
  text: string;
  language: Language;
  /** The asker said "meine IB" (or similar) and neither their authority nor a place is known: the text asks back. */
  needsHomeAuthority: boolean;
  placeDetail: PlaceDetail | null;
  /** Contact intents, request/report and privacy warnings with a known authority. */
  contact: ContactResolution | null;
  /** contact.kfi and circle.next_meeting. */
  kfi: CompetenceCentre | null;
  /** contact.ki with a known place. */
  ki: KiInfo | null;
  /** The place outside NRW that made the question out of scope. */
  outside: { name: string; land: string } | null;
  /** The kinds of third-party personal data found (privacy.warning only). */
  personalData: PersonalDataKind[];
  /** Id of the knowledge entry or text that produced the answer (for tests and analytics, never shown). */
  source: string;
  /** Set on a plain-language answer (Leichte Sprache, plain English): one fact per line, closing line, no abbreviations. */
  plain?: true;
}

/** See {@link AnswerEngine.explain}. */
export interface Explanation {
  words: string[];
  concepts: string[];
  scores: Array<{ entry: string; intent: Intent; score: number }>;
  places: Array<{ text: string; distance: number; cued: boolean; readings: string[] }>;
  authorityMention: AuthorityMention | null;
  unexplainedWords: number;
  intent: Intent;
}
