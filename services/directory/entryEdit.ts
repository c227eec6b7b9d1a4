/**
 * Editing one authority's directory entry outside the import: the fields the IB keeps current (RdErl. v. 5.12.2023,
 * Nr. 3: reachability must be made known), who may edit them, and the checks. Pure: the tab's editor
 * (bot/tab/directoryRoutes.ts) and tests call it; the write is DirectoryRepository.updateAuthority's.
 *
 * The changed entry is checked with the same validator as the import file (`validateDirectory` on the whole
 * directory with the entry replaced), and each problem is reported at its form field in one sentence, in German and
 * English. Free text (office hours, notes on absences) passes the privacy guard: staff read it on every contact card.
 */
import { createHash } from 'node:crypto';
import { detectPersonalData, type PrivacyOptions } from '../answers/privacy';
import { diff } from '../audit/auditLog';
import { isEmailAddress } from '../text/escape';
import { isDirectoryAdmin, type GroupSnapshot } from './groupRoles';
import type { Absence, Authority, AuthorityCode, Directory, Person } from './model';
import { validateDirectory } from './validate';

/** A text in both languages. */
export interface Bilingual {
  de: string;
  en: string;
}

/** What the editor sends: the entry's editable fields, as typed. */
export interface EntryForm {
  officeHours: string;
  /** The IB's own phone number. */
  phone: string;
  absences: Array<{ from: string; to: string; note: string }>;
  /** `null`: no deputy. `aadObjectId` comes from the people picker (Entra object id); without it, name and e-mail only. */
  deputy: { name: string; title: string; email: string; phone: string; aadObjectId: string } | null;
}

/** One problem, at the form field it belongs to (`officeHours`, `absences.1.to`, `deputy.email`, or `''` for the form). */
export interface EntryProblem {
  field: string;
  message: Bilingual;
}

export type EntryEditResult = { ok: true; next: Authority } | { ok: false; problems: EntryProblem[] };

const LIMITS = { officeHours: 300, phone: 40, note: 100, name: 120, title: 120, email: 200 } as const;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PHONE = /^\+?[0-9][0-9 ()/-]{4,30}$/;
/** At most this many absences in one entry (a form, not a calendar). */
export const MAX_ABSENCES = 20;

const m = (de: string, en: string): Bilingual => ({ de, en });

/** The revision a client sends back (If-Match): a digest of the entry's content, independent of the store's ETag. */
export function entryRevision(authority: Authority): string {
  return `"${createHash('sha256').update(JSON.stringify(authority)).digest('base64url').slice(0, 22)}"`;
}

/** The form's values for an entry, as the editor shows them first (every absence, also past ones, so none is lost). */
export function formOf(authority: Authority): EntryForm {
  const ib = authority.commissioner;
  const d = authority.deputy;
  return {
    officeHours: ib?.officeHours ?? '',
    phone: ib?.phone ?? '',
    absences: (ib?.absences ?? []).map((a) => ({ from: a.from, to: a.to, note: a.note ?? '' })),
    deputy: d ? { name: d.name, title: d.title, email: d.email, phone: d.phone ?? '', aadObjectId: d.teams?.aadObjectId ?? '' } : null,
  };
}

/** Who may edit an entry, from the stored directory and configuration, never from what a client sends. */
export function mayEditEntry(directory: Directory, aadObjectId: string, code: AuthorityCode, admins: readonly string[], groups?: GroupSnapshot): 'commissioner' | 'admin' | undefined {
  if (isDirectoryAdmin(aadObjectId, admins, groups)) return 'admin';
  const a = directory.authorities.find((x) => x.code === code);
  const id = aadObjectId.toLowerCase();
  return a?.commissioner?.teams?.aadObjectId.toLowerCase() === id ? 'commissioner' : undefined;
}

/** The entries a person may edit: every one for an administrator, else the entry whose IB they are. */
export function editableEntries(directory: Directory, aadObjectId: string, admins: readonly string[], groups?: GroupSnapshot): AuthorityCode[] {
  return directory.authorities.filter((a) => mayEditEntry(directory, aadObjectId, a.code, admins, groups)).map((a) => a.code);
}

const clean = (v: string) => v.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();

/** Reads an untrusted JSON body into a form; shape problems (wrong types, too long, too many) are problems too. */
export function parseEntryForm(body: unknown): { form: EntryForm; problems: EntryProblem[] } {
  const problems: EntryProblem[] = [];
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const b = obj(body);
  const text = (v: unknown, field: string, max: number): string => {
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') {
      problems.push({ field, message: m('Bitte hier Text eingeben.', 'Please enter text here.') });
      return '';
    }
    if (v.length > max) problems.push({ field, message: m(`Bitte höchstens ${max} Zeichen eingeben (jetzt ${v.length}).`, `Please enter at most ${max} characters (now ${v.length}).`) });
    return v;
  };
  const rawAbsences = b.absences === undefined ? [] : b.absences;
  if (!Array.isArray(rawAbsences)) problems.push({ field: 'absences', message: m('Die Abwesenheiten fehlen oder sind unlesbar.', 'The absences are missing or unreadable.') });
  const list = Array.isArray(rawAbsences) ? rawAbsences : [];
  if (list.length > MAX_ABSENCES) problems.push({ field: 'absences', message: m(`Bitte höchstens ${MAX_ABSENCES} Abwesenheiten eintragen; vergangene können Sie löschen.`, `Please enter at most ${MAX_ABSENCES} absences; you can delete past ones.`) });
  const form: EntryForm = {
    officeHours: text(b.officeHours, 'officeHours', LIMITS.officeHours),
    phone: text(b.phone, 'phone', LIMITS.phone),
    absences: list.slice(0, MAX_ABSENCES).map((a, i) => {
      const x = obj(a);
      return { from: text(x.from, `absences.${i}.from`, 10), to: text(x.to, `absences.${i}.to`, 10), note: text(x.note, `absences.${i}.note`, LIMITS.note) };
    }),
    deputy: null,
  };
  if (b.deputy !== undefined && b.deputy !== null) {
    const d = obj(b.deputy);
    form.deputy = {
      name: text(d.name, 'deputy.name', LIMITS.name),
      title: text(d.title, 'deputy.title', LIMITS.title),
      email: text(d.email, 'deputy.email', LIMITS.email),
      phone: text(d.phone, 'deputy.phone', LIMITS.phone),
      aadObjectId: text(d.aadObjectId, 'deputy.aadObjectId', 36),
    };
  }
  return { form, problems };
}

/** Field-level form checks, before the directory validator sees the whole. */
function formProblems(form: EntryForm, privacy: PrivacyOptions): EntryProblem[] {
  const problems: EntryProblem[] = [];
  const guard = (field: string, value: string) => {
    if (value && detectPersonalData(value, privacy).length) {
      problems.push({
        field,
        message: m(
          'Dieser Text enthält offenbar personenbezogene Daten Dritter (etwa Namen mit Geburtsdatum, Aktenzeichen, Anschrift oder private Telefonnummer); alle Beschäftigten lesen ihn. Bitte entfernen.',
          "This text seems to contain third parties' personal data (such as names with a birth date, file numbers, addresses or private phone numbers); all staff read it. Please remove it.",
        ),
      });
    }
  };
  guard('officeHours', clean(form.officeHours));
  if (clean(form.phone) && !PHONE.test(clean(form.phone))) problems.push({ field: 'phone', message: m('Bitte eine Telefonnummer aus Ziffern angeben, etwa 0221 147-2000.', 'Please give a phone number made of digits, such as 0221 147-2000.') });
  form.absences.forEach((a, i) => {
    const from = a.from.trim();
    const to = a.to.trim();
    if (!ISO_DAY.test(from) || Number.isNaN(Date.parse(from))) problems.push({ field: `absences.${i}.from`, message: m('Bitte ein Datum für den Beginn wählen.', 'Please choose a start date.') });
    if (!ISO_DAY.test(to) || Number.isNaN(Date.parse(to))) problems.push({ field: `absences.${i}.to`, message: m('Bitte ein Datum für das Ende wählen.', 'Please choose an end date.') });
    else if (ISO_DAY.test(from) && to < from) problems.push({ field: `absences.${i}.to`, message: m('Das Ende darf nicht vor dem Beginn liegen.', 'The end must not be before the start.') });
    guard(`absences.${i}.note`, clean(a.note));
  });
  const d = form.deputy;
  if (d) {
    if (!clean(d.name)) problems.push({ field: 'deputy.name', message: m('Bitte den Namen der Vertretung angeben (oder die Vertretung entfernen).', "Please give the deputy's name (or remove the deputy).") });
    if (!clean(d.email)) problems.push({ field: 'deputy.email', message: m('Bitte die E-Mail-Adresse der Vertretung angeben.', "Please give the deputy's e-mail address.") });
    else if (!isEmailAddress(clean(d.email))) problems.push({ field: 'deputy.email', message: m('Bitte eine gültige E-Mail-Adresse angeben, etwa vorname.name@bezreg-koeln.nrw.de.', 'Please give a valid e-mail address, such as first.last@bezreg-koeln.nrw.de.') });
    if (clean(d.phone) && !PHONE.test(clean(d.phone))) problems.push({ field: 'deputy.phone', message: m('Bitte eine Telefonnummer aus Ziffern angeben, etwa 0221 147-2000.', 'Please give a phone number made of digits, such as 0221 147-2000.') });
    if (d.aadObjectId && !GUID.test(d.aadObjectId)) problems.push({ field: 'deputy.name', message: m('Die gewählte Person ist unbekannt; bitte erneut auswählen.', 'The chosen person is unknown; please choose again.') });
  }
  return problems;
}

/** The directory validator's problem at `path` (in the changed authority) as a form field and a sentence. */
function problemOfPath(path: string, reason: string, index: number): EntryProblem {
  const base = `/authorities/${index}/`;
  const rel = path.startsWith(base) ? path.slice(base.length) : path;
  if (path.startsWith('/circle/')) {
    return { field: 'deputy.name', message: m('Die Vertretung ist Mitglied im Koordinierungskreis; sie kann nur ersetzt, nicht entfernt werden. Zum Entfernen bitte die Verzeichnis-Administration fragen.', 'The deputy is a member of the Koordinierungskreis; they can be replaced here, not removed. To remove them, please ask the directory administrators.') };
  }
  const abs = /^commissioner\/absences\/(\d+)(?:\/(from|to|note))?/.exec(rel);
  if (abs) return { field: `absences.${abs[1]}.${abs[2] ?? 'to'}`, message: m('Diese Abwesenheit ist so nicht gültig; bitte Beginn und Ende prüfen.', 'This absence is not valid as entered; please check start and end.') };
  if (rel.startsWith('deputy/teams')) return { field: 'deputy.name', message: m('Diese Person ist im Verzeichnis schon in einer anderen Rolle eingetragen; bitte eine andere Person wählen.', 'This person already holds another role in the directory; please choose someone else.') };
  if (rel === 'deputy/email' && /emailDomains/.test(reason)) return { field: 'deputy.email', message: m('Die Adresse gehört nicht zu dieser Bezirksregierung; bitte die dienstliche Adresse angeben.', "The address does not belong to this Bezirksregierung; please give the work address.") };
  if (rel === 'deputy/email' || rel === 'deputy/id') return { field: 'deputy.email', message: m('Die Vertretung muss eine andere Person sein als die oder der Integrationsbeauftragte.', 'The deputy must be another person than the integration commissioner.') };
  const field = rel.startsWith('deputy/') ? `deputy.${rel.slice('deputy/'.length).split('/')[0]}` : rel.startsWith('commissioner/') ? rel.slice('commissioner/'.length).split('/')[0] : '';
  return { field, message: m('Diese Angabe ist so nicht gültig; bitte prüfen.', 'This value is not valid as entered; please check it.') };
}

/**
 * The entry with the form applied, checked as the import checks a file; or the problems, each at its field. Fields the
 * form does not carry (name, appointment, head, …) stay as stored. `today` (Berlin) becomes "zuletzt bestätigt".
 */
export function applyEntryForm(directory: Directory, current: Authority, form: EntryForm, today: string, privacy: PrivacyOptions): EntryEditResult {
  if (!current.commissioner) return { ok: false, problems: [{ field: '', message: m('Das Amt ist zurzeit nicht besetzt; Einträge ohne IB pflegt die Verzeichnis-Administration mit der Importdatei.', 'The post is vacant; entries without a commissioner are kept by the directory administrators with the import file.') }] };
  const early = formProblems(form, privacy);
  if (early.length) return { ok: false, problems: early };
  const next = structuredClone(current);
  const ib = next.commissioner!;
  const hours = clean(form.officeHours);
  if (hours) ib.officeHours = hours;
  else delete ib.officeHours;
  const phone = clean(form.phone);
  if (phone) ib.phone = phone;
  else delete ib.phone;
  ib.absences = form.absences
    .map((a): Absence => ({ from: a.from.trim(), to: a.to.trim(), ...(clean(a.note) ? { note: clean(a.note) } : {}) }))
    .sort((x, y) => x.from.localeCompare(y.from) || x.to.localeCompare(y.to));
  next.deputy = form.deputy ? deputyOf(current, form.deputy, today) : null;
  // Only what changed counts as checked today; the confirmation is its own action.
  if (diff(current, next).length) ib.lastVerified = today;
  const index = directory.authorities.findIndex((a) => a.code === current.code);
  const whole = { ...directory, authorities: directory.authorities.map((a) => (a.code === current.code ? next : a)) };
  const checked = validateDirectory(whole);
  if (checked.ok) return { ok: true, next };
  const mine = checked.problems.filter((p) => p.path.startsWith(`/authorities/${index}/`) || !p.path.startsWith('/authorities/'));
  // Problems elsewhere in the stored directory are not this editor's; they block nothing it changed.
  if (!mine.length) return { ok: true, next };
  const seen = new Set<string>();
  const problems = mine.map((p) => problemOfPath(p.path, p.reason, index)).filter((p) => (seen.has(p.field) ? false : (seen.add(p.field), true)));
  return { ok: false, problems };
}

function deputyOf(current: Authority, d: NonNullable<EntryForm['deputy']>, today: string): Person {
  const email = clean(d.email);
  const aad = d.aadObjectId.trim().toLowerCase();
  // The same person (by object id, else by address) keeps id, function and unit; someone new gets the deputy's slot.
  const previous =
    current.deputy && ((aad && current.deputy.teams?.aadObjectId.toLowerCase() === aad) || (!aad && current.deputy.email.toLowerCase() === email.toLowerCase())) ? current.deputy : undefined;
  const phone = clean(d.phone);
  const person: Person = {
    // A new deputy takes over the slot (its id), and with it the deputy's seat in the Koordinierungskreis.
    id: previous?.id ?? current.deputy?.id ?? `${current.code}-deputy`,
    name: clean(d.name),
    title: clean(d.title) || previous?.title || 'Vertretung der/des Integrationsbeauftragten',
    orgUnit: previous?.orgUnit ?? current.commissioner?.orgUnit ?? current.name,
    email,
    lastVerified: today,
  };
  if (phone) person.phone = phone;
  if (aad) person.teams = { upn: previous?.teams && previous.teams.aadObjectId.toLowerCase() === aad ? previous.teams.upn : email, aadObjectId: aad };
  else if (previous?.teams) person.teams = previous.teams;
  if (previous?.officeHours) person.officeHours = previous.officeHours;
  if (previous && diff({ ...previous, lastVerified: '' }, { ...person, lastVerified: '' }).length === 0) person.lastVerified = previous.lastVerified;
  return person;
}
