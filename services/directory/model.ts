/**
 * The directory: who holds which role at the five Bezirksregierungen of North Rhine-Westphalia.
 *
 * RdErl. v. 5.12.2023, Nr. 1 requires an Integrationsbeauftragte/r (IB) at every Bezirksregierung, and Nr. 3
 * requires the appointment, the organisational attachment ("Anbindung") and the reachability
 * ("Erreichbarkeit") to be made known; that is what this model carries. Each deployment provides the real
 * data as a JSON file validated against `directory.schema.json` (see `validate.ts`); the shipped
 * `data/demo-directory.json` holds visibly fictitious people only.
 *
 * Dates are ISO calendar dates (`YYYY-MM-DD`), timestamps ISO 8601 date-times.
 */

/** Codes of the five Bezirksregierungen, in alphabetical order. */
export const AUTHORITY_CODES = ['arnsberg', 'detmold', 'duesseldorf', 'koeln', 'muenster'] as const;

/** One of the five Bezirksregierungen (and its Regierungsbezirk). */
export type AuthorityCode = (typeof AUTHORITY_CODES)[number];

/** Official display names, e.g. "Bezirksregierung Köln". */
export const AUTHORITY_NAMES: Readonly<Record<AuthorityCode, string>> = Object.freeze({
  arnsberg: 'Bezirksregierung Arnsberg',
  detmold: 'Bezirksregierung Detmold',
  duesseldorf: 'Bezirksregierung Düsseldorf',
  koeln: 'Bezirksregierung Köln',
  muenster: 'Bezirksregierung Münster',
});

/** The seat (and name) of each Bezirksregierung, e.g. "Köln". */
export const AUTHORITY_SEATS: Readonly<Record<AuthorityCode, string>> = Object.freeze({
  arnsberg: 'Arnsberg',
  detmold: 'Detmold',
  duesseldorf: 'Düsseldorf',
  koeln: 'Köln',
  muenster: 'Münster',
});

/** Whether a value is one of the five authority codes. */
export function isAuthorityCode(value: unknown): value is AuthorityCode {
  return typeof value === 'string' && (AUTHORITY_CODES as readonly string[]).includes(value);
}

/** A postal address. */
export interface PostalAddress {
  street: string;
  postalCode: string;
  city: string;
}

/** How to reach someone in Microsoft Teams. */
export interface TeamsIdentity {
  /** User principal name, usually the sign-in address. */
  upn: string;
  /** Microsoft Entra ID (Azure AD) object id, a GUID; the bot uses it to start chats. */
  aadObjectId: string;
}

/**
 * A Teams identity as a directory file may give it: by name (UPN or e-mail) only. `npm run directory:import` resolves
 * the name through Microsoft Graph (services/directory/resolveIdentities.ts); the stored directory always has the id.
 */
export interface NamedTeamsIdentity {
  upn: string;
  aadObjectId?: string;
}

type WithTeams<T> = T extends TeamsIdentity
  ? NamedTeamsIdentity
  : T extends ReadonlyArray<infer U>
    ? WithTeams<U>[]
    : T extends object
      ? { [K in keyof T]: WithTeams<T[K]> }
      : T;

/** A directory file as written: like {@link Directory}, but Teams identities may lack the object id. */
export type DirectoryFile = WithTeams<Directory>;

/** A named person in a role. */
export interface Person {
  /** Stable id, unique across the whole directory (e.g. `koeln-ib`). */
  id: string;
  /** Display name ("Erika Mustermann"). */
  name: string;
  /** Function as it should be displayed, in the person's grammatical form ("Integrationsbeauftragte"). */
  title: string;
  /** Organisational unit the person belongs to, for the IB the "Anbindung" (RdErl. Nr. 3, 4). */
  orgUnit: string;
  email: string;
  phone?: string;
  teams?: TeamsIdentity;
  /** Free text on reachability ("Mo–Do 9–15 Uhr, gern nach Terminabsprache"). */
  officeHours?: string;
  /** When the entry was last checked against the authority's Organigramm. */
  lastVerified: string;
}

/** A period in which the IB is not available (both days inclusive). */
export interface Absence {
  from: string;
  to: string;
  /** Optional public note ("Fortbildung"); never reasons of a private nature. */
  note?: string;
}

/** The Integrationsbeauftragte/r of one Bezirksregierung. */
export interface Commissioner extends Person {
  /** Day the appointment took effect (RdErl. Nr. 3). */
  appointedOn: string;
  /** Reference of the Organisationsverfügung that made the appointment (RdErl. Nr. 3). */
  appointmentReference: string;
  /** Known absences; while one covers today, requests go to the deputy. */
  absences: Absence[];
}

/** An office that is reached as a unit, e.g. the Büro RP, often through a functional mailbox. */
export interface Office {
  name: string;
  email: string;
  /** Whether `email` is a functional mailbox ("Funktionspostfach") rather than a person's address. */
  functionalMailbox: boolean;
  phone?: string;
  teams?: TeamsIdentity;
  /** Staff of the office who work in Teams: they see the IB's reports (RdErl. Nr. 4) when `receivesReports`. */
  staff?: Person[];
  /** Whether `staff` receive reports together with the head (default true). */
  receivesReports?: boolean;
  /** Whether `staff` may decide on reports on the head's behalf (default false). */
  mayDecide?: boolean;
  /**
   * Object id of an Entra security group whose (transitive) members count as staff of this office, read through
   * Microsoft Graph (services/directory/groupRoles.ts); GRAPH_GROUP_HEAD_OFFICE_<CODE> takes precedence.
   */
  group?: string;
}

/** One Bezirksregierung with its roles. */
export interface Authority {
  code: AuthorityCode;
  /** "Bezirksregierung Köln". */
  name: string;
  address: PostalAddress;
  /** Mail domains of the staff ("bezreg-koeln.nrw.de"); used to infer a user's home authority. */
  emailDomains: string[];
  website?: string;
  /** The IB; `null` while the post is vacant. */
  commissioner: Commissioner | null;
  /** The IB's deputy; `null` when none is appointed. */
  deputy: Person | null;
  /** The Regierungspräsident/in (Behördenleitung, Hausleitung). */
  head: Person;
  /** The head's office (Büro RP / Vorzimmer); reports ("Vortrag", RdErl. Nr. 4) are registered there. */
  headOffice: Office;
}

/** The Kompetenzzentrum für Integration (KfI) at the Bezirksregierung Arnsberg (RdErl. Nr. 6). */
export interface CompetenceCentre {
  name: string;
  /** Always the Bezirksregierung Arnsberg. */
  authority: 'arnsberg';
  /** "Dezernat 36". */
  orgUnit: string;
  address: PostalAddress;
  email: string;
  phone?: string;
  website?: string;
  contacts: Person[];
  /** Object id of an Entra security group whose members count as KfI staff (GRAPH_GROUP_KFI takes precedence). */
  group?: string;
}

/** Role of someone in the Koordinierungskreis. */
export type CircleRole = 'commissioner' | 'deputy' | 'kfi' | 'guest';

/** Membership of a person (referenced by id) in the Koordinierungskreis. */
export interface CircleMember {
  personId: string;
  role: CircleRole;
}

/** The Koordinierungskreis of the IB, run and moderated by the KfI (RdErl. Nr. 6). */
export interface Circle {
  members: CircleMember[];
  /** People who take part but hold no role elsewhere in the directory (e.g. from the ministry). */
  guests: Person[];
  /** Object id of an Entra security group whose members are circle members too (GRAPH_GROUP_CIRCLE_MEMBERS takes precedence). */
  membersGroup?: string;
}

/** The whole directory file. */
export interface Directory {
  /** Version of the file format; currently 1. */
  schemaVersion: 1;
  /** Version label of the content, chosen by the maintainer ("2025-03", "demo-1"). */
  directoryVersion: string;
  /** When the content was last changed. */
  updatedAt: string;
  /** Whether the file holds fictitious demo people only. */
  demo?: boolean;
  /**
   * Object id of an Entra security group whose members are directory administrators, in addition to
   * ADMIN_AAD_OBJECT_IDS (GRAPH_GROUP_DIRECTORY_ADMINS takes precedence over this).
   */
  adminsGroup?: string;
  /** Exactly the five Bezirksregierungen. */
  authorities: Authority[];
  kfi: CompetenceCentre;
  circle: Circle;
}

/** The authority entry for a code; the directory is validated to hold every code exactly once. */
export function authorityOf(directory: Directory, code: AuthorityCode): Authority | undefined {
  return directory.authorities.find((a) => a.code === code);
}

/** The absence of the IB that covers the given day, if any. */
export function currentAbsence(commissioner: Commissioner, today: string): Absence | undefined {
  return commissioner.absences.find((a) => a.from <= today && today <= a.to);
}

/** The ISO date (`YYYY-MM-DD`) of a moment in Berlin; lives in services/common/berlinTime, re-exported for the request service. */
export { berlinDate } from '../common/berlinTime';

/**
 * The home authority implied by a staff e-mail address, from the authorities' `emailDomains`
 * (sub-domains count: `x@dez36.bezreg-arnsberg.nrw.de` matches `bezreg-arnsberg.nrw.de`).
 */
export function authorityForEmail(directory: Directory, email: string): AuthorityCode | undefined {
  const at = email.lastIndexOf('@');
  if (at < 0) return undefined;
  const domain = email.slice(at + 1).trim().toLowerCase();
  for (const a of directory.authorities) {
    for (const d of a.emailDomains) {
      const dl = d.toLowerCase();
      if (domain === dl || domain.endsWith('.' + dl)) return a.code;
    }
  }
  return undefined;
}

/** Every person in the directory with where they appear, in file order. */
export function peopleOf(directory: Directory): Array<{ person: Person; path: string }> {
  const out: Array<{ person: Person; path: string }> = [];
  directory.authorities.forEach((a, i) => {
    if (a.commissioner) out.push({ person: a.commissioner, path: `/authorities/${i}/commissioner` });
    if (a.deputy) out.push({ person: a.deputy, path: `/authorities/${i}/deputy` });
    out.push({ person: a.head, path: `/authorities/${i}/head` });
    (a.headOffice.staff ?? []).forEach((p, j) => out.push({ person: p, path: `/authorities/${i}/headOffice/staff/${j}` }));
  });
  directory.kfi.contacts.forEach((p, i) => out.push({ person: p, path: `/kfi/contacts/${i}` }));
  directory.circle.guests.forEach((p, i) => out.push({ person: p, path: `/circle/guests/${i}` }));
  return out;
}
