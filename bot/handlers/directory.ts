import { CardFactory, MessageFactory } from 'botbuilder';
import { z } from 'zod';
import { directoryConfirmCard } from '../../cards/directoryConfirmCard';
import { directoryEditCard } from '../../cards/directoryEditCard';
import type { ConfirmPrompts } from '../../services/directory/confirmPrompts';
import { CONFIRM_PROMPT_JOB } from '../../services/directory/confirmPrompts';
import type { LiveAnswers } from '../../services/answers/liveAnswers';
import type { DirectoryRepository } from '../../services/directory/directoryRepository';
import { isDirectoryAdmin, type GroupSnapshot } from '../../services/directory/groupRoles';
import { berlinDate, formatBerlinDate } from '../../services/common/berlinTime';
import { confirmationPending, DEFAULT_CONFIRM_MONTHS } from '../../services/directory/freshness';
import { AUTHORITY_CODES, type Authority, type AuthorityCode } from '../../services/directory/model';
import type { Logger } from '../../services/logging';
import { ConcurrencyError } from '../../services/storage/errors';
import { cardText, isEmailAddress } from '../../services/text/escape';
import { detectPersonalData, directoryPrivacyOptions } from '../../services/answers/privacy';
import { validateDirectory } from '../../services/directory/validate';
import type { GraphPort } from '../../services/graph/graphPort';
import type { Lang } from '../texts';
import { invokeResponse, type Caller, type Feature } from './types';

export interface DirectoryFeatureDeps {
  live: LiveAnswers;
  directory: DirectoryRepository;
  /** AAD object ids of administrators, from configuration. */
  admins: readonly string[];
  /** The members of the Entra groups that hold roles: the administrators' group adds administrators. */
  groups?: () => GroupSnapshot;
  logger: Logger;
  now?: () => Date;
  /** Months after which the IB's entry awaits confirmation (DIRECTORY_CONFIRM_MONTHS; default 6). */
  confirmMonths?: number;
  /** The daily confirmation prompt (services/directory/confirmPrompts.ts); its job runs where the feature is wired. */
  prompts?: ConfirmPrompts;
  /**
   * Looks up the person picked in Teams' people picker, which sends only an Entra object id (`graphPersonLookup`:
   * Microsoft Graph `GET /users/{id}`, User.Read.All). Absent: Graph is not configured, and a picked deputy is refused.
   */
  lookupPerson?: (aadObjectId: string) => Promise<PersonLookup>;
}

/** A picked person as Microsoft Graph knows them, or why they could not be looked up. */
export type PersonLookup = { found: { name: string; email: string; upn: string } } | 'notFound' | 'unavailable';

/**
 * The picked person's display name and address through Microsoft Graph (feature `people`, User.Read.All): `notFound`
 * when Entra has no such user (or one without a name or address), `unavailable` when the permission is missing or Graph
 * fails. Logged without the id.
 */
export function graphPersonLookup(graph: Pick<GraphPort, 'resolveUsers' | 'features'>, logger: Logger): (aadObjectId: string) => Promise<PersonLookup> {
  return async (aadObjectId) => {
    if (!(await graph.features().catch(() => new Set<string>())).has('people')) return 'unavailable';
    try {
      const user = (await graph.resolveUsers([aadObjectId])).get(aadObjectId.toLowerCase());
      const email = user?.mail || user?.userPrincipalName;
      if (!user || user.id.toLowerCase() !== aadObjectId.toLowerCase() || !user.displayName || !email) return 'notFound';
      return { found: { name: clean(user.displayName), email, upn: user.userPrincipalName ?? email } };
    } catch (err) {
      logger.warn({ event: 'directory.person_lookup_failed', code: (err as { code?: string })?.code ?? 'unknown' }, 'person lookup failed');
      return 'unavailable';
    }
  };
}

const COMMAND_WORDS = new Set(['meine angaben', 'meine daten als ib', 'sprechzeiten', 'abwesenheit', 'vertretung eintragen', 'verzeichnis bearbeiten', 'my details', 'office hours', 'absence']);

const L = {
  de: {
    heading: (name: string) => `Ihr Eintrag im Verzeichnis: ${name}`,
    intro: 'Diese Angaben sehen alle Beschäftigten, wenn sie nach der oder dem Integrationsbeauftragten fragen (RdErl. v. 5.12.2023, Nr. 3: Erreichbarkeit bekannt machen). Jede Änderung wird mit Zeit und Person protokolliert.',
    saved: 'Gespeichert. Die Änderung ist ab sofort in den Antworten sichtbar.',
    unchanged: 'Keine Änderung: Die Angaben waren schon so gespeichert.',
    conflict: 'Jemand anderes hat den Eintrag gerade geändert. Die Karte zeigt jetzt den aktuellen Stand; bitte prüfen und erneut speichern.',
    forbidden: 'Diesen Eintrag können nur die oder der Integrationsbeauftragte selbst und die Administration ändern.',
    notIb: 'Diese Funktion ist für die Integrationsbeauftragten. Ihr Konto ist im Verzeichnis keiner Bezirksregierung als IB zugeordnet.',
    noAbsences: 'Keine Abwesenheiten eingetragen.',
    absenceBad: 'Die Abwesenheit braucht ein Von- und ein Bis-Datum; „bis“ darf nicht vor „von“ und nicht in der Vergangenheit liegen.',
    emailBad: 'Die E-Mail-Adresse der Vertretung ist ungültig.',
    invalidEntry: 'Nicht gespeichert: Der Eintrag wäre so nicht gültig (etwa eine Adresse außerhalb der Bezirksregierung oder dieselbe Person als IB und Vertretung). Bitte prüfen; im Tab „Mein Lotse“ zeigt der Eintrag jedes Problem an seinem Feld.',
    personalData: 'Nicht gespeichert: Sprechzeiten oder Hinweis enthalten offenbar personenbezogene Daten Dritter (etwa Namen mit Geburtsdatum, Aktenzeichen, Anschrift oder private Telefonnummer); alle Beschäftigten lesen sie. Bitte entfernen und erneut speichern.',
    deputyIncomplete: 'Für die Vertretung bitte Name und E-Mail-Adresse angeben (oder alle Felder leeren, um sie zu entfernen).',
    pickUnavailable: 'Nicht gespeichert: Die in der Personensuche gewählte Person lässt sich gerade nicht nachschlagen (Microsoft Graph ist nicht eingerichtet oder antwortet nicht). Bitte lassen Sie die Suche leer und tragen Sie Name und E-Mail-Adresse der Vertretung selbst ein.',
    pickNotFound: 'Nicht gespeichert: Die in der Personensuche gewählte Person ist im Verzeichnis der Organisation nicht (mehr) zu finden. Bitte wählen Sie die Person erneut oder tragen Sie Name und E-Mail-Adresse selbst ein.',
    pickSaved: (name: string, email: string) => `Gespeichert. Neue Vertretung: ${name} (${email}), aus dem Verzeichnis der Organisation übernommen.`,
    confirmed: 'Danke: Die Angaben sind ab heute als aktuell bestätigt.',
    confirmedOn: (day: string) => `Angaben zuletzt bestätigt am ${day}`,
    pending: '; eine Bestätigung steht aus. Bitte prüfen Sie die Angaben und bestätigen oder korrigieren Sie sie.',
    prompt: {
      heading: 'Sind Ihre Angaben im Verzeichnis noch aktuell?',
      reminder: 'Erinnerung: Sind Ihre Angaben im Verzeichnis noch aktuell?',
      intro: (name: string) => `So steht Ihr Eintrag für die ${name} im Verzeichnis. Alle Beschäftigten sehen diese Angaben, wenn sie nach der oder dem Integrationsbeauftragten fragen (RdErl. v. 5.12.2023, Nr. 3: Erreichbarkeit bekannt machen).`,
      closing: 'Stimmt alles, wählen Sie „Alles aktuell“. Sonst öffnen Sie mit „Korrigieren“ den Eintrag; Ihre Korrektur gilt zugleich als Bestätigung.',
      officeHours: 'Sprechzeiten', phone: 'Telefon', deputy: 'Vertretung', absences: 'Abwesenheiten', none: 'keine Angabe', noAbsences: 'keine eingetragen',
      confirm: 'Alles aktuell', correct: 'Korrigieren',
    },
    labels: {
      officeHours: 'Sprechzeiten und Erreichbarkeit', absences: 'Abwesenheiten', absenceFrom: 'Abwesend von', absenceTo: 'Abwesend bis',
      absenceNote: 'Hinweis zur Abwesenheit (optional, ohne private Gründe)', clearAbsences: 'Alle eingetragenen Abwesenheiten löschen',
      clearAbsencesLabel: 'Abwesenheiten löschen', deputy: 'Vertretung',
      deputyPick: 'Neue Vertretung im Verzeichnis der Organisation suchen (optional; Name und E-Mail werden übernommen)', deputyName: 'Name der Vertretung', deputyTitle: 'Funktion der Vertretung',
      deputyEmail: 'E-Mail der Vertretung', deputyPhone: 'Telefon der Vertretung', save: 'Speichern', confirm: 'Angaben sind aktuell',
    },
  },
  en: {
    heading: (name: string) => `Your directory entry: ${name}`,
    intro: 'Staff see these details when they ask for the integration commissioner (decree Nr. 3: reachability must be made known). Every change is recorded with time and person.',
    saved: 'Saved. Answers show the change from now on.',
    unchanged: 'Nothing changed: these details were already stored.',
    conflict: 'Someone else just changed this entry. The card now shows the current state; please check and save again.',
    forbidden: 'Only the integration commissioner and the administrators can change this entry.',
    notIb: 'This is for integration commissioners. Your account is not listed as the commissioner of any Bezirksregierung.',
    noAbsences: 'No absences entered.',
    absenceBad: 'An absence needs a from and a to date; "to" must not be before "from" or in the past.',
    emailBad: "The deputy's e-mail address is not valid.",
    invalidEntry: 'Not saved: the entry would not be valid like this (for example an address outside the Bezirksregierung, or the same person as commissioner and deputy). Please check; in the tab "Mein Lotse" the entry shows each problem at its field.',
    personalData: "Not saved: the office hours or the note seem to contain third parties' personal data (such as names with a birth date, file numbers, addresses or private phone numbers); all staff read them. Please remove it and save again.",
    deputyIncomplete: "For the deputy, please give a name and an e-mail address (or clear all fields to remove the deputy).",
    pickUnavailable: "Not saved: the person chosen in the people search cannot be looked up right now (Microsoft Graph is not set up or does not answer). Please leave the search empty and enter the deputy's name and e-mail address yourself.",
    pickNotFound: "Not saved: the person chosen in the people search is not (or no longer) in your organisation's directory. Please choose them again or enter the name and e-mail address yourself.",
    pickSaved: (name: string, email: string) => `Saved. New deputy: ${name} (${email}), taken from your organisation's directory.`,
    confirmed: 'Thank you: these details are confirmed as current from today.',
    confirmedOn: (day: string) => `Details last confirmed on ${day}`,
    pending: '; a confirmation is pending. Please check these details and confirm or correct them.',
    prompt: {
      heading: 'Are your directory details still current?',
      reminder: 'Reminder: are your directory details still current?',
      intro: (name: string) => `This is your entry for the ${name} in the directory. All staff see these details when they ask for the integration commissioner (decree of 5.12.2023, Nr. 3: reachability must be made known).`,
      closing: 'If everything is right, choose "All current". Otherwise "Correct" opens the entry; your correction counts as a confirmation too.',
      officeHours: 'Office hours', phone: 'Phone', deputy: 'Deputy', absences: 'Absences', none: 'not given', noAbsences: 'none entered',
      confirm: 'All current', correct: 'Correct',
    },
    labels: {
      officeHours: 'Office hours and reachability', absences: 'Absences', absenceFrom: 'Away from', absenceTo: 'Away until',
      absenceNote: 'Note on the absence (optional, no private reasons)', clearAbsences: 'Delete all entered absences',
      clearAbsencesLabel: 'Delete absences', deputy: 'Deputy',
      deputyPick: "Find a new deputy in your organisation's directory (optional; name and e-mail are taken from it)", deputyName: "Deputy's name", deputyTitle: "Deputy's function",
      deputyEmail: "Deputy's e-mail", deputyPhone: "Deputy's phone", save: 'Save', confirm: 'Details are current',
    },
  },
} as const;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const text = (max: number) => z.string().max(max).optional();

/** What the edit card sends back; every field is untrusted input. */
const updateSchema = z
  .object({
    authority: z.enum(AUTHORITY_CODES).optional(),
    officeHours: text(300),
    absenceFrom: z.union([z.literal(''), z.string().regex(ISO_DATE)]).optional(),
    absenceTo: z.union([z.literal(''), z.string().regex(ISO_DATE)]).optional(),
    absenceNote: text(100),
    clearAbsences: z.enum(['true', 'false']).optional(),
    deputyName: text(120),
    deputyTitle: text(120),
    deputyEmail: text(200),
    deputyPhone: z.string().max(40).regex(/^[\d\s+()/-]*$/).optional(),
    /** Teams' people picker (Data.Query graph.microsoft.com/users) sends the chosen person's Entra object id. */
    deputyPick: z.union([z.literal(''), z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/)]).optional(),
  })
  .passthrough();
type UpdateData = z.infer<typeof updateSchema>;

/** The IB confirms their entry as current, unchanged (RdErl. Nr. 3); the entry is re-derived from the caller. */
const confirmSchema = z.object({ authority: z.enum(AUTHORITY_CODES).optional() }).passthrough();
type ConfirmData = z.infer<typeof confirmSchema>;

function clean(value: string | undefined): string {
  return (value ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * The confirmation prompt (services/directory/confirmPrompts.ts): the entry as staff see it, with "Angaben sind aktuell"
 * (`directory.confirm`) and "Angaben korrigieren" (`directory.correct`, which opens the edit card). Round 2 is the reminder.
 */
export function renderConfirmPrompt(a: Authority, lang: Lang, round: number, today: string, months: number = DEFAULT_CONFIRM_MONTHS) {
  const t = L[lang];
  const p = t.prompt;
  const ib = a.commissioner;
  const day = ib?.lastVerified ?? '';
  const pending = /^\d{4}-\d{2}-\d{2}$/.test(day) && confirmationPending(day, today, months);
  const coming = (ib?.absences ?? []).filter((x) => x.to >= today);
  return directoryConfirmCard({
    lang,
    heading: round > 1 ? p.reminder : p.heading,
    intro: p.intro(cardText(a.name)),
    facts: [
      { title: p.officeHours, value: ib?.officeHours ? cardText(ib.officeHours) : p.none },
      { title: p.phone, value: ib?.phone ? cardText(ib.phone) : p.none },
      { title: p.deputy, value: a.deputy ? cardText(`${a.deputy.name}, ${a.deputy.email}`) : p.none },
      {
        title: p.absences,
        value: coming.length ? coming.map((x) => `${formatBerlinDate(x.from, lang)} – ${formatBerlinDate(x.to, lang)}${x.note ? ` (${cardText(x.note)})` : ''}`).join('; ') : p.noAbsences,
      },
    ],
    confirmedText: /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${t.confirmedOn(formatBerlinDate(day, lang))}${pending ? t.pending.split('.')[0] + '.' : '.'}` : '',
    closing: p.closing,
    authority: a.code,
    labels: { confirm: p.confirm, correct: p.correct },
  });
}

/** The IB's self-service for their own entry; admins (configured, or in the administrators' Entra group) may edit any entry. */
export function directoryFeature(deps: DirectoryFeatureDeps): Feature {
  const now = deps.now ?? (() => new Date());

  /** Which entry the caller may edit, decided from the stored directory, never from card data. */
  const ownEntry = (caller: Caller): Authority | undefined =>
    deps.live.engine.directory.authorities.find((a) => a.commissioner?.teams?.aadObjectId.toLowerCase() === caller.aadObjectId);

  /** "zuletzt bestätigt am" of the IB's entry, and whether a confirmation is pending (services/directory/freshness.ts). */
  const confirmedText = (lang: Lang, a: Authority): string => {
    const day = a.commissioner?.lastVerified ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return '';
    const pending = confirmationPending(day, berlinDate(now()), deps.confirmMonths ?? DEFAULT_CONFIRM_MONTHS);
    return `${L[lang].confirmedOn(formatBerlinDate(day, lang))}${pending ? L[lang].pending : '.'}`;
  };

  /** Which entry an action may change: the IB's own, or for an administrator the one the card names. */
  const targetOf = (caller: Caller, requested: AuthorityCode | undefined): AuthorityCode | undefined => {
    const isAdmin = isDirectoryAdmin(caller.aadObjectId, deps.admins, deps.groups?.());
    const own = ownEntry(caller);
    if (isAdmin && requested) return requested;
    if (!own || (requested && requested !== own.code)) return undefined;
    return own.code;
  };

  const render = (lang: Lang, a: Authority, status = '', statusStyle: 'default' | 'good' | 'attention' = 'default') => {
    const t = L[lang];
    const absences = a.commissioner?.absences ?? [];
    return directoryEditCard({
      lang,
      heading: t.heading(cardText(a.name)),
      intro: t.intro,
      status,
      statusStyle,
      confirmedText: confirmedText(lang, a),
      officeHours: a.commissioner?.officeHours ?? '',
      // Shown as text; the inputs below are prefilled with the stored values as they are (an input does not render Markdown).
      absencesText: absences.length
        ? absences.map((x) => `- ${formatBerlinDate(x.from, lang)} – ${formatBerlinDate(x.to, lang)}${x.note ? ` (${cardText(x.note)})` : ''}`).join('\n')
        : t.noAbsences,
      deputy: { name: a.deputy?.name ?? '', title: a.deputy?.title ?? '', email: a.deputy?.email ?? '', phone: a.deputy?.phone ?? '' },
      authority: a.code,
      labels: { ...t.labels },
    });
  };

  /** Applies the form to an entry; returns the new entry or an error message key. */
  const apply = (a: Authority, d: UpdateData, today: string, picked?: { name: string; email: string; upn: string }): Authority | keyof (typeof L)['de'] => {
    if (!a.commissioner) return 'notIb';
    // Every member of staff reads office hours and notes on the contact card: the privacy guard first (Art. 9 GDPR).
    const privacy = directoryPrivacyOptions(deps.live.engine.directory);
    if ([clean(d.officeHours), clean(d.absenceNote)].some((x) => x && detectPersonalData(x, privacy).length)) return 'personalData';
    const next = structuredClone(a);
    const ib = next.commissioner!;
    if (d.officeHours !== undefined) {
      const hours = clean(d.officeHours);
      if (hours) ib.officeHours = hours;
      else delete ib.officeHours;
    }
    if (d.clearAbsences === 'true') ib.absences = [];
    const from = d.absenceFrom || '';
    const to = d.absenceTo || '';
    if (from || to) {
      if (!from || !to || to < from || to < today) return 'absenceBad';
      const note = clean(d.absenceNote);
      ib.absences = [...ib.absences, { from, to, ...(note ? { note } : {}) }].sort((x, y) => x.from.localeCompare(y.from));
    }
    // A person picked in Teams' people picker: the name and address Entra holds, not what the fields say.
    const name = picked ? picked.name : clean(d.deputyName);
    const email = picked ? picked.email : clean(d.deputyEmail);
    const pick = picked ? (d.deputyPick ?? '').toLowerCase() : '';
    const anyDeputy = name || email || clean(d.deputyTitle) || clean(d.deputyPhone) || pick;
    if (!anyDeputy && (d.deputyName !== undefined || d.deputyEmail !== undefined)) {
      next.deputy = null;
    } else if (anyDeputy) {
      if (!name || !email) return 'deputyIncomplete';
      // The address becomes a mailto: link on every contact card: only plain addresses (services/text/escape.ts).
      if (!isEmailAddress(email)) return 'emailBad';
      const previous = a.deputy && a.deputy.email.toLowerCase() === email.toLowerCase() ? a.deputy : undefined;
      const phone = clean(d.deputyPhone);
      next.deputy = {
        // A new deputy takes over the deputy's slot (its id), and with it the seat in the Koordinierungskreis.
        ...(previous ?? { id: a.deputy?.id ?? `${a.code}-deputy`, orgUnit: ib.orgUnit }),
        // Picked in Teams' people picker: the Entra object id, so the deputy can act at once.
        ...(pick && picked ? { teams: { upn: picked.upn, aadObjectId: pick } } : {}),
        name,
        title: clean(d.deputyTitle) || previous?.title || 'Vertretung der/des Integrationsbeauftragten',
        email,
        ...(phone ? { phone } : {}),
        lastVerified: today,
      } as Authority['deputy'];
      if (!phone && next.deputy) delete next.deputy.phone;
    }
    ib.lastVerified = today;
    // The same check as the import file and the tab (services/directory/validate.ts): e.g. the deputy's address in the
    // authority's mail domain, the deputy another person than the IB. Problems elsewhere in the directory are not this edit's.
    const directory = deps.live.engine.directory;
    const index = directory.authorities.findIndex((x) => x.code === a.code);
    const checked = validateDirectory({ ...directory, authorities: directory.authorities.map((x) => (x.code === a.code ? next : x)) });
    if (!checked.ok && checked.problems.some((p) => p.path.startsWith(`/authorities/${index}/`))) return 'invalidEntry';
    return next;
  };

  return {
    name: 'directory',
    // The IB's own entry with absence notes and the edit form: personal chat only.
    personalOnly: true,
    commands: [
      {
        id: 'directory.edit',
        matches: (t) => COMMAND_WORDS.has(t),
        run: async (context, caller) => {
          const own = ownEntry(caller);
          if (!own) {
            await context.sendActivity(L[caller.lang].notIb);
            return;
          }
          await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(render(caller.lang, own).content)));
        },
      },
    ],
    verbs: [
      {
        verb: 'directory.update',
        schema: updateSchema,
        run: async (context, caller, data: UpdateData) => {
          const t = L[caller.lang];
          const isAdmin = isDirectoryAdmin(caller.aadObjectId, deps.admins, deps.groups?.());
          const own = ownEntry(caller);
          // An IB edits only their own entry; an admin the entry the card names.
          const code: AuthorityCode | undefined = own?.code ?? (isAdmin ? data.authority : undefined);
          if (!code || (own && data.authority && data.authority !== own.code && !isAdmin)) {
            deps.logger.warn({ event: 'directory.update_refused', activityId: context.activity.id }, 'directory change refused');
            return invokeResponse.error(403, 'Forbidden', t.forbidden);
          }
          const target = isAdmin && data.authority ? data.authority : code;
          const current = deps.live.engine.directory.authorities.find((a) => a.code === target);
          // The picker sends only an object id: the name and address come from Entra, or nothing is stored.
          let picked: { name: string; email: string; upn: string } | undefined;
          if (data.deputyPick) {
            const found = deps.lookupPerson ? await deps.lookupPerson(data.deputyPick.toLowerCase()) : 'unavailable';
            if (found === 'unavailable' || found === 'notFound') {
              return current
                ? invokeResponse.card(render(caller.lang, current, found === 'notFound' ? t.pickNotFound : t.pickUnavailable, 'attention').content)
                : invokeResponse.error(403, 'Forbidden', t.forbidden);
            }
            picked = found.found;
          }
          let problem: keyof (typeof L)['de'] | undefined;
          try {
            const result = await deps.directory.updateAuthority(
              target,
              caller.aadObjectId,
              'directory.self_service',
              (current) => {
                const next = apply(current, data, berlinDate(now()), picked);
                if (typeof next === 'string') {
                  problem = next;
                  return undefined;
                }
                return next;
              },
              now(),
            );
            if (problem) return invokeResponse.card(render(caller.lang, result.authority, t[problem] as string, 'attention').content);
            if (result.changed) await deps.live.refresh(true);
            const saved = picked && result.changed ? t.pickSaved(cardText(picked.name), cardText(picked.email)) : result.changed ? t.saved : t.unchanged;
            return invokeResponse.card(render(caller.lang, result.authority, saved, 'good').content);
          } catch (err) {
            if (!(err instanceof ConcurrencyError)) throw err;
            await deps.live.refresh(true);
            const fresh = deps.live.engine.directory.authorities.find((a) => a.code === target)!;
            return invokeResponse.card(render(caller.lang, fresh, t.conflict, 'attention').content);
          }
        },
      },
      {
        // "Angaben korrigieren" on the prompt: the edit card of the entry the caller may edit, in place of the prompt.
        verb: 'directory.correct',
        schema: confirmSchema,
        run: async (context, caller, data: ConfirmData) => {
          const target = targetOf(caller, data.authority);
          const entry = target ? deps.live.engine.directory.authorities.find((a) => a.code === target) : undefined;
          if (!entry) {
            deps.logger.warn({ event: 'directory.correct_refused', activityId: context.activity.id }, 'directory correction refused');
            return invokeResponse.error(403, 'Forbidden', L[caller.lang].forbidden);
          }
          return invokeResponse.card(render(caller.lang, entry).content);
        },
      },
      {
        verb: 'directory.confirm',
        schema: confirmSchema,
        run: async (context, caller, data: ConfirmData) => {
          const t = L[caller.lang];
          const target = targetOf(caller, data.authority);
          if (!target) {
            deps.logger.warn({ event: 'directory.confirm_refused', activityId: context.activity.id }, 'directory confirmation refused');
            return invokeResponse.error(403, 'Forbidden', t.forbidden);
          }
          const today = berlinDate(now());
          try {
            const result = await deps.directory.updateAuthority(
              target,
              caller.aadObjectId,
              'directory.confirm',
              (current) => (current.commissioner ? { ...current, commissioner: { ...current.commissioner, lastVerified: today } } : undefined),
              now(),
            );
            if (!result.authority.commissioner) return invokeResponse.card(render(caller.lang, result.authority, t.notIb, 'attention').content);
            if (result.changed) await deps.live.refresh(true);
            return invokeResponse.card(render(caller.lang, result.authority, t.confirmed, 'good').content);
          } catch (err) {
            if (!(err instanceof ConcurrencyError)) throw err;
            await deps.live.refresh(true);
            const fresh = deps.live.engine.directory.authorities.find((a) => a.code === target)!;
            return invokeResponse.card(render(caller.lang, fresh, t.conflict, 'attention').content);
          }
        },
      },
    ],
    // The daily confirmation prompt, one job for all processes (services/directory/confirmPrompts.ts).
    ...(deps.prompts ? { jobs: { [CONFIRM_PROMPT_JOB.kind]: async () => ({ next: (await deps.prompts!.run()).next }) } } : {}),
    help: {
      de: [{ heading: 'Meine Angaben (für IB)', description: 'Sprechzeiten, Abwesenheiten und Vertretung im Verzeichnis selbst pflegen.', examples: '„Meine Angaben“ · „Abwesenheit“', audience: ['commissioner'] }],
      en: [{ heading: 'My details (for commissioners)', description: 'Keep your office hours, absences and deputy up to date.', examples: '"my details" · "absence"', audience: ['commissioner'] }],
    },
  };
}
