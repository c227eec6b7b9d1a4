/**
 * The directory entry editor behind the personal tab (issue 17 "The directory, kept in Teams", issue 20): the IB edits
 * their own authority's entry, directory administrators any entry; both see its change history. Every call re-checks
 * who may act from the stored directory and configuration (never from what the client sends), writes only when the
 * entry is still the one the editor showed (its revision, the HTTP If-Match), and is audited like every other change.
 */
import type { AuditEntry, FieldChange } from '../audit/auditLog';
import { directoryPrivacyOptions, type PrivacyOptions } from '../answers/privacy';
import { berlinDate, formatBerlinDate } from '../common/berlinTime';
import { ConcurrencyError } from '../storage/errors';
import type { DirectoryRepository } from './directoryRepository';
import { applyEntryForm, editableEntries, entryRevision, formOf, mayEditEntry, parseEntryForm, type Bilingual, type EntryForm, type EntryProblem } from './entryEdit';
import { isDirectoryAdmin, type GroupSnapshot } from './groupRoles';
import { AUTHORITY_NAMES, isAuthorityCode, type Authority, type AuthorityCode, type Directory } from './model';
import { personByAadObjectId } from './roles';

/** The audit action of an edit in the tab (chat edits are `directory.self_service`, imports `directory.import.*`). */
export const TAB_EDIT_ACTION = 'directory.tab_edit';

/** One line of an entry's history, display-ready in both languages. */
export interface HistoryLine {
  /** ISO timestamp. */
  at: string;
  who: Bilingual;
  what: Bilingual;
  changes: Array<{ field: Bilingual; from: Bilingual; to: Bilingual }>;
}

/** An entry as the editor shows it. */
export interface EntryView {
  authority: AuthorityCode;
  authorityName: string;
  /** The IB's name and function (not editable here: they come with the appointment, RdErl. Nr. 3). */
  commissioner: { name: string; title: string; email: string } | null;
  form: EntryForm;
  lastVerified: string;
  /** The revision to send back as If-Match. */
  revision: string;
  /** How the caller may edit: as the entry's IB, or as a directory administrator. */
  as: 'commissioner' | 'admin';
  history: HistoryLine[];
}

export type EditorResult =
  | { status: 200; entry: EntryView; message?: Bilingual }
  | { status: 400; problems: EntryProblem[] }
  | { status: 403 | 404 | 428; message: Bilingual }
  | { status: 409; message: Bilingual; entry: EntryView };

export interface EntryEditorDeps {
  repository: Pick<DirectoryRepository, 'updateAuthority' | 'history'>;
  /** The directory as this process knows it (the answer engine's, refreshed after every write). */
  directory: () => Directory;
  /** Re-reads the stored directory into `directory()` (after a write, and after a conflict). */
  refresh: () => Promise<void>;
  /** Directory administrators from configuration (ADMIN_AAD_OBJECT_IDS). */
  admins: readonly string[];
  groups?: () => GroupSnapshot;
  now?: () => Date;
}

const m = (de: string, en: string): Bilingual => ({ de, en });

export const EDITOR_TEXTS = {
  forbidden: m(
    'Diesen Eintrag können nur die oder der Integrationsbeauftragte dieser Bezirksregierung und die Verzeichnis-Administration ändern.',
    'Only the integration commissioner of this Bezirksregierung and the directory administrators can change this entry.',
  ),
  notFound: m('Diesen Eintrag gibt es nicht.', 'There is no such entry.'),
  conflict: m(
    'Der Eintrag wurde inzwischen geändert, während Sie ihn bearbeitet haben. Nichts wurde überschrieben: Unten steht jetzt der aktuelle Stand; bitte prüfen und Ihre Änderung erneut speichern.',
    'The entry was changed meanwhile, while you were editing it. Nothing was overwritten: the current state is shown below; please check it and save your change again.',
  ),
  revisionMissing: m(
    'Bitte laden Sie den Eintrag neu und speichern Sie dann: Ohne den Stand, den Sie bearbeitet haben, könnte eine andere Änderung überschrieben werden.',
    'Please reload the entry and then save: without the state you edited, another change could be overwritten.',
  ),
  saved: m('Gespeichert. Die Angaben sind ab sofort in den Antworten sichtbar.', 'Saved. Answers show the details from now on.'),
  unchanged: m('Keine Änderung: Die Angaben waren schon so gespeichert.', 'Nothing changed: these details were already stored.'),
};

const FIELD_LABELS: Record<string, Bilingual> = {
  officeHours: m('Sprechzeiten und Erreichbarkeit', 'Office hours and reachability'),
  phone: m('Telefon', 'Phone'),
  absences: m('Abwesenheiten', 'Absences'),
  lastVerified: m('Zuletzt bestätigt', 'Last confirmed'),
  name: m('Name', 'Name'),
  title: m('Funktion', 'Function'),
  email: m('E-Mail', 'E-mail'),
  orgUnit: m('Organisationseinheit (Anbindung)', 'Organisational unit'),
  teams: m('Teams-Konto', 'Teams account'),
  appointedOn: m('Bestellt am', 'Appointed on'),
  appointmentReference: m('Organisationsverfügung', 'Appointment reference'),
  id: m('Kennung', 'Identifier'),
};

const ACTIONS: Record<string, Bilingual> = {
  [TAB_EDIT_ACTION]: m('im Tab geändert', 'changed in the tab'),
  'directory.self_service': m('im Chat geändert („Meine Angaben“)', 'changed in the chat ("my details")'),
  'directory.confirm': m('als aktuell bestätigt', 'confirmed as current'),
  'directory.import.update': m('durch Import der Verzeichnisdatei geändert', 'changed by importing the directory file'),
  'directory.import.create': m('durch Import der Verzeichnisdatei angelegt', 'created by importing the directory file'),
};

/** The tab's directory editor: list, view with history, and conditional save. */
export class DirectoryEntryEditor {
  private privacyFor: { directory: Directory; options: PrivacyOptions } | undefined;

  constructor(private readonly deps: EntryEditorDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private privacy(directory: Directory): PrivacyOptions {
    if (this.privacyFor?.directory !== directory) this.privacyFor = { directory, options: directoryPrivacyOptions(directory) };
    return this.privacyFor.options;
  }

  /** The entries the caller may edit (empty for everyone else), and whether they are an administrator. */
  list(aadObjectId: string): { admin: boolean; entries: Array<{ authority: AuthorityCode; name: string }> } {
    const directory = this.deps.directory();
    const codes = editableEntries(directory, aadObjectId, this.deps.admins, this.deps.groups?.());
    const admin = isDirectoryAdmin(aadObjectId, this.deps.admins, this.deps.groups?.());
    return { admin, entries: codes.map((authority) => ({ authority, name: AUTHORITY_NAMES[authority] })) };
  }

  /** The entry with its history, for the IB of that authority and administrators. */
  async view(aadObjectId: string, code: string): Promise<EditorResult> {
    const checked = this.check(aadObjectId, code);
    if ('status' in checked) return checked;
    return { status: 200, entry: await this.entryView(checked.authority, checked.as) };
  }

  /** Saves the form when the entry is still at `revision`; else 409 with the current entry, nothing overwritten. */
  async save(aadObjectId: string, code: string, revision: string | undefined, body: unknown): Promise<EditorResult> {
    const checked = this.check(aadObjectId, code);
    if ('status' in checked) return checked;
    if (!revision) return { status: 428, message: EDITOR_TEXTS.revisionMissing };
    const { form, problems } = parseEntryForm(body);
    if (problems.length) return { status: 400, problems };
    const directory = this.deps.directory();
    const today = berlinDate(this.now());
    let refused: EntryProblem[] | undefined;
    try {
      const result = await this.deps.repository.updateAuthority(
        checked.authority.code,
        aadObjectId.toLowerCase(),
        TAB_EDIT_ACTION,
        (current) => {
          const applied = applyEntryForm(directory, current, form, today, this.privacy(directory));
          if (applied.ok) return applied.next;
          refused = applied.problems;
          return undefined;
        },
        this.now(),
        { expectedRevision: (current) => entryRevision(current) === revision },
      );
      if (refused) return { status: 400, problems: refused };
      if (result.changed) await this.deps.refresh();
      return { status: 200, entry: await this.entryView(result.authority, checked.as), message: result.changed ? EDITOR_TEXTS.saved : EDITOR_TEXTS.unchanged };
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      await this.deps.refresh();
      const fresh = this.deps.directory().authorities.find((a) => a.code === checked.authority.code)!;
      return { status: 409, message: EDITOR_TEXTS.conflict, entry: await this.entryView(fresh, checked.as) };
    }
  }

  private check(aadObjectId: string, code: string): { authority: Authority; as: 'commissioner' | 'admin' } | { status: 403 | 404; message: Bilingual } {
    const directory = this.deps.directory();
    const authority = isAuthorityCode(code) ? directory.authorities.find((a) => a.code === code) : undefined;
    if (!authority) return { status: 404, message: EDITOR_TEXTS.notFound };
    const as = mayEditEntry(directory, aadObjectId, authority.code, this.deps.admins, this.deps.groups?.());
    if (!as) return { status: 403, message: EDITOR_TEXTS.forbidden };
    return { authority, as };
  }

  private async entryView(authority: Authority, as: 'commissioner' | 'admin'): Promise<EntryView> {
    const ib = authority.commissioner;
    const trail = await this.deps.repository.history(authority.code);
    return {
      authority: authority.code,
      authorityName: AUTHORITY_NAMES[authority.code],
      commissioner: ib ? { name: ib.name, title: ib.title, email: ib.email } : null,
      form: formOf(authority),
      lastVerified: ib?.lastVerified ?? '',
      revision: entryRevision(authority),
      as,
      // Newest first: what changed last is what the reader looks for.
      history: trail.map((e) => this.historyLine(e)).reverse(),
    };
  }

  private historyLine(entry: AuditEntry): HistoryLine {
    return {
      at: entry.at,
      who: this.who(entry.actor),
      what: ACTIONS[entry.action] ?? m('geändert', 'changed'),
      changes: entry.changes.filter((c) => !c.path.endsWith('/imported')).map((c) => describeChange(c)),
    };
  }

  /** The actor by name from the directory; ids are never shown. */
  private who(actor: string): Bilingual {
    if (actor === 'import' || actor === 'seed') return m('Import der Verzeichnisdatei', 'Directory file import');
    const person = personByAadObjectId(this.deps.directory(), actor);
    if (person) return m(person.name, person.name);
    if (this.deps.admins.some((a) => a.toLowerCase() === actor.toLowerCase()) || this.deps.groups?.().directoryAdmins?.has(actor.toLowerCase())) {
      return m('Verzeichnis-Administration', 'Directory administrators');
    }
    return m('eine Person, die nicht mehr im Verzeichnis steht', 'someone no longer in the directory');
  }
}

function fieldLabel(path: string): Bilingual {
  if (path === '/') return m('Eintrag', 'Entry');
  // `/commissioner/officeHours`, `/deputy/email`, `/deputy` (added or removed), `/commissioner/absences`.
  const parts = path.split('/').filter(Boolean);
  const [who, field] = parts;
  const whose = who === 'deputy' ? m('Vertretung', 'Deputy') : who === 'commissioner' ? m('IB', 'Commissioner') : undefined;
  const label = field ? FIELD_LABELS[field] ?? m(field, field) : undefined;
  if (whose && label) return m(`${whose.de}: ${label.de}`, `${whose.en}: ${label.en}`);
  if (whose) return whose;
  return label ?? m(parts.join(' › ') || '–', parts.join(' › ') || '–');
}

function describeChange(change: FieldChange): { field: Bilingual; from: Bilingual; to: Bilingual } {
  return { field: fieldLabel(change.path), from: describeValue(change.path, change.from), to: describeValue(change.path, change.to) };
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function describeValue(path: string, value: unknown): Bilingual {
  const none = m('(leer)', '(empty)');
  if (value === null || value === undefined || value === '') return none;
  // Object ids are not for reading: the Teams account is named, not shown.
  if (path.includes('/teams')) {
    const upn = typeof value === 'object' && value && 'upn' in value ? String((value as { upn: unknown }).upn) : undefined;
    return upn ? m(upn, upn) : m('verknüpft', 'linked');
  }
  if (typeof value === 'string') return ISO_DAY.test(value) ? m(formatBerlinDate(value, 'de'), formatBerlinDate(value, 'en')) : m(value, value);
  if (Array.isArray(value)) {
    if (!value.length) return m('keine', 'none');
    const line = (lang: 'de' | 'en') =>
      value
        .map((a) => {
          const x = a as { from?: string; to?: string; note?: string };
          return x.from && x.to ? `${formatBerlinDate(x.from, lang)} – ${formatBerlinDate(x.to, lang)}${x.note ? ` (${x.note})` : ''}` : String(a);
        })
        .join('; ');
    return m(line('de'), line('en'));
  }
  if (typeof value === 'object') {
    const p = value as { name?: string; email?: string };
    if (p.name) return m(p.email ? `${p.name} (${p.email})` : p.name, p.email ? `${p.name} (${p.email})` : p.name);
    return m('geändert', 'changed');
  }
  return m(String(value), String(value));
}
