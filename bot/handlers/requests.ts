import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { itemCard, itemListCard, reportFormCard, requestFormCard, type ItemAction } from '../../cards/requestCards';
import type { LiveAnswers } from '../../services/answers/liveAnswers';
import { AUTHORITY_CODES, AUTHORITY_NAMES, isAuthorityCode, type AuthorityCode } from '../../services/directory/model';
import { isCommissionerSide, rolesOf } from '../../services/directory/roles';
import type { Logger } from '../../services/logging';
import { countsOf, type MyData } from '../../services/privacy/myData';
import type { Outbox } from '../../services/notifications/outbox';
import { OutboxError } from '../../services/notifications/outbox';
import type { OutgoingActivity } from '../../services/notifications/model';
import {
  CATEGORY_LABELS,
  isOpen,
  REQUEST_CATEGORIES,
  STATUS_LABELS,
  URGENCIES,
  URGENCY_LABELS,
  type ItemDoc,
  type ItemSummary,
  type Party,
} from '../../services/requests/model';
import { JOB_KINDS, type ItemRoles, type Outcome, type Problem, type RequestAction, type RequestService } from '../../services/requests/requestService';
import type { Versioned } from '../../services/storage/documentStore';
import { cardText, messageText } from '../../services/text/escape';
import type { UserProfile, UserProfileRepository } from '../../services/users/userProfiles';
import { PERSONAL_DATA_ADVICE, personalDataReason } from '../privacyTexts';
import { PROFILE_KEY } from '../teamsBot';
import type { Lang } from '../texts';
import { splitIntoMessages } from '../delivery/longMessages';
import { refreshIdsFrom } from './refreshIds';
import { invokeResponse, type Caller, type Feature } from './types';

export interface RequestsFeatureDeps {
  live: LiveAnswers;
  service: RequestService;
  outbox: Outbox;
  logger: Logger;
  /** "Meine Daten" from every workflow (profile, requests, circle). */
  myData: (aadObjectId: string) => Promise<MyData>;
  /** Stored profiles: the Teams user ids (MRIs) a card lists for its automatic refresh. */
  profiles: Pick<UserProfileRepository, 'get'>;
}


const FIELD_NAMES = {
  de: {
    authority: 'Bezirksregierung', category: 'Art des Anliegens', subject: 'Betreff', description: 'Beschreibung', deadline: 'Frist',
    department: 'Dezernat', measure: 'Maßnahme', plannedDate: 'Geplanter Termin', summary: 'Zusammenfassung', urgency: 'Dringlichkeit',
    proposedDates: 'Terminvorschläge', text: 'Text', decision: 'Entscheidung', date: 'Datum', time: 'Uhrzeit',
  },
  en: {
    authority: 'Authority', category: 'Kind of request', subject: 'Subject', description: 'Description', deadline: 'Deadline',
    department: 'Department (Dezernat)', measure: 'Measure', plannedDate: 'Planned date', summary: 'Summary', urgency: 'Urgency',
    proposedDates: 'Proposed dates', text: 'Text', decision: 'Decision', date: 'Date', time: 'Time',
  },
} as const;

const PROBLEM_TEXT = {
  de: { missing: 'fehlt', too_long: 'ist zu lang', bad_date: 'ist kein gültiges Datum', past_date: 'liegt in der Vergangenheit', bad_time: 'ist keine gültige Uhrzeit (HH:MM)', unknown_value: 'ist keine der angebotenen Möglichkeiten', personal_data: 'enthält personenbezogene Daten Dritter' },
  en: { missing: 'is missing', too_long: 'is too long', bad_date: 'is not a valid date', past_date: 'is in the past', bad_time: 'is not a valid time (HH:MM)', unknown_value: 'is not one of the options offered', personal_data: "contains other people's personal data" },
} as const;

const L = {
  de: {
    formHeading: 'Anliegen an die Integrationsbeauftragte / den Integrationsbeauftragten',
    formIntro: 'Ihr Anliegen geht an die oder den IB Ihrer Bezirksregierung (während einer Abwesenheit an die Vertretung). Sie sehen jeden Bearbeitungsschritt auf dieser Karte und als Nachricht. Beteiligung an geplanten Maßnahmen: RdErl. v. 5.12.2023, Nr. 5 a.',
    privacy: 'Bitte keine personenbezogenen Daten Dritter: keine Namen mit Herkunft, Religion, Gesundheit, sexueller Orientierung, Geburtsdatum oder Aktenzeichen, keine Adressen oder Telefonnummern. Solche Angaben speichert der Lotse nicht. Einzelfälle des Aufenthaltsrechts klärt die örtliche Ausländerbehörde.',
    labels: {
      authority: 'Bezirksregierung', category: 'Art des Anliegens', subject: 'Betreff', description: 'Beschreibung', deadline: 'Frist (optional)',
      measureHeading: 'Nur bei Beteiligung an einer geplanten Maßnahme', department: 'Dezernat', measure: 'Maßnahme', plannedDate: 'Geplanter Termin der Maßnahme',
      submit: 'Anliegen senden', required: 'Bitte ausfüllen.',
    },
    reportHeading: 'Vortrag an die Behördenleitung',
    reportIntro: 'Unmittelbares Vortragsrecht der oder des IB (RdErl. v. 5.12.2023, Nr. 4). Der Vortrag geht an die Behördenleitung und, wo vorgesehen, an ihr Büro; sichtbar nur für Sie, Ihre Vertretung, die Behördenleitung und ihr Büro.',
    reportLabels: { subject: 'Betreff', summary: 'Zusammenfassung', urgency: 'Dringlichkeit', proposedDates: 'Terminvorschläge (optional)', submit: 'Vortrag anmelden', required: 'Bitte ausfüllen.' },
    linked: (subject: string) => `Zum Anliegen „${subject}“`,
    notIb: 'Einen Vortrag an die Behördenleitung melden die Integrationsbeauftragten und ihre Vertretungen an. Ihr Konto ist im Verzeichnis keiner Bezirksregierung als IB oder Vertretung zugeordnet.',
    requestHeading: 'Anliegen',
    reportCardHeading: 'Vortrag an die Behördenleitung',
    status: (label: string) => `Status: ${label}`,
    facts: {
      authority: 'Behörde', category: 'Art', from: 'Von', handler: 'Bearbeitet von', deadline: 'Frist', department: 'Dezernat', measure: 'Maßnahme',
      plannedDate: 'Geplant am', urgency: 'Dringlichkeit', proposedDates: 'Terminvorschläge', created: 'Eingegangen', linked: 'Verknüpft mit',
    },
    messageHeading: { rueckfrage: 'Rückfrage', antwort: 'Antwort', nachtrag: 'Antwort auf die Rückfrage' },
    by: (name: string, at: string) => `${name}, ${at}`,
    buttons: {
      accept: 'Übernehmen', ask: 'Rückfrage', answer: 'Antworten', done: 'Erledigt', toReport: 'Als Vortrag an die Behördenleitung', reply: 'Antwort senden',
      trail: 'Verlauf', termin: 'Termin vorschlagen', schriftlich: 'Schriftlich vorlegen', kenntnis: 'Zur Kenntnis genommen', ablehnen: 'Ablehnen', weisung: 'Weisung erteilen',
    },
    textLabel: { ib: 'Nachricht an die anfragende Person (für Rückfrage oder Antwort)', requester: 'Ihre Antwort auf die Rückfrage', head: 'Begründung, Weisung oder Hinweis' },
    dateLabel: 'Termin: Datum', timeLabel: 'Termin: Uhrzeit', refresh: 'Aktualisieren',
    decision: {
      termin: (d: string, t: string) => `Termin vorgeschlagen: ${d}, ${t} Uhr`,
      schriftlich: 'Bitte schriftlich vorlegen.', kenntnis: 'Zur Kenntnis genommen.', ablehnen: 'Abgelehnt.', weisung: 'Weisung:',
    },
    decidedBy: (name: string, at: string) => `Entschieden von ${name} am ${at}.`,
    sent: 'Gesendet. Die oder der IB ist benachrichtigt; Sie sehen hier jeden weiteren Schritt.',
    reportSent: 'Angemeldet. Die Behördenleitung ist benachrichtigt.',
    saved: 'Gespeichert.',
    stale: (name: string, at: string, label: string) => `Nichts geändert: ${name} hat am ${at} bereits gehandelt (Status: ${label}). Die Karte zeigt den aktuellen Stand.`,
    forbidden: 'Das dürfen Sie bei diesem Vorgang nicht. Es wurde nichts geändert.',
    notFound: 'Diesen Vorgang gibt es nicht (mehr), oder er ist für Sie nicht sichtbar.',
    problems: (list: string) => `Bitte prüfen: ${list}.`,
    listMine: 'Meine Anliegen', listInbox: 'Offene Vorgänge', listReports: 'Vorträge',
    listIntroMine: (n: number) => (n ? `${n} Anliegen, neueste zuerst.` : 'Sie haben noch kein Anliegen gesendet. Schreiben Sie „Anliegen“, um eines zu senden.'),
    listIntroInbox: (n: number, name: string) => (n ? `${n} offene Anliegen für die ${name}.` : `Keine offenen Anliegen für die ${name}.`),
    listIntroReports: (n: number) => (n ? `${n} Vorträge, die Sie sehen dürfen.` : 'Keine Vorträge, die Sie sehen dürfen.'),
    inboxForbidden: 'Die offenen Vorgänge sehen die Integrationsbeauftragten und ihre Vertretungen.',
    open: 'Öffnen',
    subtitle: (s: ItemSummary, name: string) => `${s.statusLabel.de} · ${name} · ${formatDay(s.createdAt)}${s.deadline ? ` · Frist ${formatIsoDay(s.deadline)}` : ''}`,
    trailHeading: (subject: string) => `Verlauf zu „${subject}“:`,
    actions: {
      'request.create': 'angelegt', 'request.accept': 'übernommen', 'request.ask': 'Rückfrage gestellt', 'request.answer': 'geantwortet', 'request.done': 'erledigt',
      'request.reply': 'Rückfrage beantwortet', 'request.escalate': 'als Vortrag an die Behördenleitung gegeben', 'request.escalate_deputy': 'an die Vertretung weitergegeben (Erinnerung)',
      'report.create': 'angemeldet', 'report.decide': 'entschieden',
    } as Record<string, string>,
    noticeNew: (subject: string) => `Neues Anliegen: ${subject}`,
    noticeReport: (subject: string) => `Neuer Vortrag: ${subject}`,
    changed: (subject: string, label: string) => `Ihr Anliegen „${subject}“: ${label}.`,
    changedReport: (subject: string, label: string) => `Ihr Vortrag „${subject}“: ${label}.`,
    replied: (subject: string) => `Antwort auf Ihre Rückfrage zu „${subject}“.`,
    remind: (subject: string) => `Erinnerung: Das Anliegen „${subject}“ wartet seit mehreren Arbeitstagen auf Bearbeitung.`,
    escalate: (subject: string) => `Weitergabe an die Vertretung: Das Anliegen „${subject}“ ist seit mehreren Arbeitstagen unbearbeitet.`,
    exportNone: 'Keine Vorgänge zum Exportieren.',
    exportHeading: (name: string, n: number) => `Verlauf aller Vorgänge der ${name} als CSV (${n} Einträge). Als Datei zum Öffnen in Excel: im Tab „Mein Lotse“ unter „Downloads“.`,
    part: (n: number, total: number) => `(Teil ${n} von ${total})`,
    exportForbidden: 'Den Export sehen die Integrationsbeauftragten und ihre Vertretungen.',
    myDataHeading: (n: number, m: number, c: number) =>
      `Was der Lotse über Sie gespeichert hat: Ihr Profil, ${n} Anliegen und Vorträge mit ${m} Verlaufseinträgen, ${c} Einträge im Koordinierungskreis. Abgeschlossene Vorgänge werden nach der Aufbewahrungsfrist gelöscht. Als Datei: im Tab „Mein Lotse“ unter „Downloads“. Die Daten (JSON):`,
  },
  en: {
    formHeading: 'Request to the integration commissioner',
    formIntro: "Your request goes to the integration commissioner of your authority (to the deputy during an absence). You see every step on this card and as a message. Involvement in planned measures: decree No. 5 a.",
    privacy: "Please do not include other people's personal data: no names with origin, religion, health, sexual orientation, date of birth or file number, no addresses or phone numbers. The Lotse does not store such text. Individual residence cases are handled by the local immigration office.",
    labels: {
      authority: 'Authority', category: 'Kind of request', subject: 'Subject', description: 'Description', deadline: 'Deadline (optional)',
      measureHeading: 'Only for involvement in a planned measure', department: 'Department (Dezernat)', measure: 'Measure', plannedDate: 'Planned date of the measure',
      submit: 'Send request', required: 'Please fill in.',
    },
    reportHeading: 'Report to the head of the authority',
    reportIntro: "The commissioner's direct right to report to the head (decree No. 4). The report goes to the head and, where configured, the head's office; visible only to you, your deputy, the head and the office.",
    reportLabels: { subject: 'Subject', summary: 'Summary', urgency: 'Urgency', proposedDates: 'Proposed dates (optional)', submit: 'Register report', required: 'Please fill in.' },
    linked: (subject: string) => `About the request "${subject}"`,
    notIb: 'Reports to the head are registered by the integration commissioners and their deputies. Your account is not listed as either in the directory.',
    requestHeading: 'Request',
    reportCardHeading: 'Report to the head of the authority',
    status: (label: string) => `Status: ${label}`,
    facts: {
      authority: 'Authority', category: 'Kind', from: 'From', handler: 'Handled by', deadline: 'Deadline', department: 'Department', measure: 'Measure',
      plannedDate: 'Planned for', urgency: 'Urgency', proposedDates: 'Proposed dates', created: 'Received', linked: 'Linked to',
    },
    messageHeading: { rueckfrage: 'Question', antwort: 'Answer', nachtrag: 'Reply to the question' },
    by: (name: string, at: string) => `${name}, ${at}`,
    buttons: {
      accept: 'Take over', ask: 'Ask back', answer: 'Answer', done: 'Done', toReport: 'Report to the head', reply: 'Send reply',
      trail: 'History', termin: 'Propose a meeting', schriftlich: 'Submit in writing', kenntnis: 'Noted', ablehnen: 'Decline', weisung: 'Give an instruction',
    },
    textLabel: { ib: 'Message to the requester (for a question or an answer)', requester: 'Your reply to the question', head: 'Reason, instruction or note' },
    dateLabel: 'Meeting: date', timeLabel: 'Meeting: time', refresh: 'Refresh',
    decision: {
      termin: (d: string, t: string) => `Meeting proposed: ${d}, ${t}`,
      schriftlich: 'Please submit in writing.', kenntnis: 'Noted.', ablehnen: 'Declined.', weisung: 'Instruction:',
    },
    decidedBy: (name: string, at: string) => `Decided by ${name} on ${at}.`,
    sent: 'Sent. The commissioner has been notified; you will see every further step here.',
    reportSent: 'Registered. The head has been notified.',
    saved: 'Saved.',
    stale: (name: string, at: string, label: string) => `Nothing changed: ${name} already acted on ${at} (status: ${label}). The card shows the current state.`,
    forbidden: 'You may not do this on this item. Nothing was changed.',
    notFound: 'This item does not exist (any more), or it is not visible to you.',
    problems: (list: string) => `Please check: ${list}.`,
    listMine: 'My requests', listInbox: 'Open items', listReports: 'Reports',
    listIntroMine: (n: number) => (n ? `${n} requests, newest first.` : 'You have not sent a request yet. Write "request" to send one.'),
    listIntroInbox: (n: number, name: string) => (n ? `${n} open requests for the ${name}.` : `No open requests for the ${name}.`),
    listIntroReports: (n: number) => (n ? `${n} reports you may see.` : 'No reports you may see.'),
    inboxForbidden: 'Open items are for the integration commissioners and their deputies.',
    open: 'Open',
    subtitle: (s: ItemSummary, name: string) => `${s.statusLabel.en} · ${name} · ${formatDay(s.createdAt)}${s.deadline ? ` · due ${formatIsoDay(s.deadline)}` : ''}`,
    trailHeading: (subject: string) => `History of "${subject}":`,
    actions: {
      'request.create': 'created', 'request.accept': 'taken over', 'request.ask': 'asked back', 'request.answer': 'answered', 'request.done': 'done',
      'request.reply': 'replied to the question', 'request.escalate': 'reported to the head', 'request.escalate_deputy': 'passed to the deputy (reminder)',
      'report.create': 'registered', 'report.decide': 'decided',
    } as Record<string, string>,
    noticeNew: (subject: string) => `New request: ${subject}`,
    noticeReport: (subject: string) => `New report: ${subject}`,
    changed: (subject: string, label: string) => `Your request "${subject}": ${label}.`,
    changedReport: (subject: string, label: string) => `Your report "${subject}": ${label}.`,
    replied: (subject: string) => `Reply to your question on "${subject}".`,
    remind: (subject: string) => `Reminder: the request "${subject}" has been waiting for several working days.`,
    escalate: (subject: string) => `Passed to the deputy: the request "${subject}" has not been handled for several working days.`,
    exportNone: 'Nothing to export.',
    exportHeading: (name: string, n: number) => `History of all items of the ${name} as CSV (${n} entries). As a file for Excel: in the “My Lotse” tab under “Downloads”.`,
    part: (n: number, total: number) => `(part ${n} of ${total})`,
    exportForbidden: 'The export is for the integration commissioners and their deputies.',
    myDataHeading: (n: number, m: number, c: number) =>
      `What the Lotse has stored about you: your profile, ${n} requests and reports with ${m} history entries, ${c} entries in the coordination circle. Closed items are deleted after the retention period. As a file: in the “My Lotse” tab under “Downloads”. The data (JSON):`,
  },
};

const BERLIN = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const BERLIN_DAY = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' });
function formatMoment(iso: string): string {
  return BERLIN.format(new Date(iso));
}
function formatDay(iso: string): string {
  return BERLIN_DAY.format(new Date(iso));
}
function formatIsoDay(day: string): string {
  const [y, m, d] = day.split('-');
  return `${d}.${m}.${y}`;
}

const COMMANDS = {
  form: new Set(['anliegen', 'neues anliegen', 'anliegen senden', 'anliegen stellen', 'request', 'new request', 'send a request']),
  mine: new Set(['meine anliegen', 'my requests']),
  inbox: new Set(['offene vorgänge', 'offene vorgaenge', 'posteingang', 'inbox', 'open items']),
  report: new Set(['vortrag', 'neuer vortrag', 'vortrag anmelden', 'report', 'new report']),
  reports: new Set(['vorträge', 'vortraege', 'meine vorträge', 'reports', 'my reports']),
  myData: new Set(['meine daten', 'my data']),
  export: new Set(['export', 'vorgänge exportieren', 'vorgaenge exportieren', 'export vorgänge', 'export items']),
};

// Card data is untrusted: lengths are capped generously here, the service checks the real limits politely.
const str = z.string().max(20_000).optional();
const ref = { id: z.string().min(1).max(100), authority: z.enum(AUTHORITY_CODES) };
const rev = z.coerce.number().int().min(0).max(1_000_000);
const submitSchema = z.object({ authority: str, category: str, subject: str, description: str, deadline: str, department: str, measure: str, plannedDate: str }).passthrough();
const reportSubmitSchema = z.object({ authority: str, subject: str, summary: str, urgency: str, proposedDates: str, linkedRequestId: z.string().max(100).optional() }).passthrough();
const actSchema = z.object({ ...ref, rev, action: z.enum(['accept', 'ask', 'answer', 'done']), text: str }).passthrough();
const replySchema = z.object({ ...ref, rev, text: str }).passthrough();
const decideSchema = z.object({ ...ref, rev, decision: z.string().max(40), date: str, time: str, text: str }).passthrough();
const refSchema = z.object(ref).passthrough();
const reportStartSchema = z.object({ requestId: z.string().max(100).optional(), authority: z.string().max(20).optional() }).passthrough();

/** Anliegen (staff → their IB, RdErl. Nr. 5) and Vortrag (IB → the authority head, Nr. 4), in Teams. */
/** The feature, plus the sweep the app runs once at start (see {@link RequestService.owedElsewhere}). */
export interface RequestsFeature extends Feature {
  sweepOwed(window: { windowMs: number; graceMs: number }): Promise<number>;
}

export function requestsFeature(deps: RequestsFeatureDeps): RequestsFeature {
  const { service } = deps;
  const directory = () => deps.live.engine.directory;

  const partyOf = (context: TurnContext, caller: Caller): Party => ({
    aadObjectId: caller.aadObjectId,
    tenantId: caller.tenantId,
    name: (context.activity.from?.name ?? '').slice(0, 200),
    lang: caller.lang,
  });

  /** The language someone last used on this item (German for people who have not acted on it yet). */
  const langOf = (item: ItemDoc, aadObjectId: string): Lang => {
    const people = [item.createdBy, item.handler, item.decision?.by, item.lastChange?.by, ...item.messages.map((m) => m.by)];
    return people.find((p) => p?.aadObjectId === aadObjectId && p.lang)?.lang ?? 'de';
  };

  const problemsText = (lang: Lang, problems: Problem[]) => {
    const reason = (p: Problem) => (p.code === 'personal_data' && p.kinds?.length ? personalDataReason(lang, p.kinds) : PROBLEM_TEXT[lang][p.code]);
    const text = L[lang].problems(problems.map((p) => `${FIELD_NAMES[lang][p.field as keyof (typeof FIELD_NAMES)['de']] ?? p.field} ${reason(p)}`).join('; '));
    // The privacy guard refused a field: say that nothing was stored and how to go on.
    return problems.some((p) => p.code === 'personal_data') ? `${text} ${PERSONAL_DATA_ADVICE[lang]}` : text;
  };

  const requestForm = (lang: Lang, values: Partial<Record<string, string>>, status = '') => {
    const t = L[lang];
    return requestFormCard({
      lang,
      heading: t.formHeading,
      intro: t.formIntro,
      privacy: t.privacy,
      status,
      authorities: AUTHORITY_CODES.map((c) => ({ title: AUTHORITY_NAMES[c], value: c })),
      categories: REQUEST_CATEGORIES.map((c) => ({ title: CATEGORY_LABELS[c][lang], value: c })),
      values: {
        authority: values.authority ?? '', category: values.category ?? '', subject: values.subject ?? '', description: values.description ?? '',
        deadline: values.deadline ?? '', department: values.department ?? '', measure: values.measure ?? '', plannedDate: values.plannedDate ?? '',
      },
      labels: { ...t.labels },
    }).content;
  };

  const reportForm = (lang: Lang, authority: string, linked: ItemDoc | undefined, values: Partial<Record<string, string>>, status = '') => {
    const t = L[lang];
    return reportFormCard({
      lang,
      heading: t.reportHeading,
      intro: t.reportIntro,
      status,
      linkedText: linked ? t.linked(cardText(linked.subject)) : '',
      authority,
      linkedRequestId: linked?.id ?? '',
      urgencies: URGENCIES.map((u) => ({ title: URGENCY_LABELS[u][lang], value: u })),
      values: { subject: values.subject ?? linked?.subject ?? '', summary: values.summary ?? '', urgency: values.urgency ?? 'normal', proposedDates: values.proposedDates ?? '' },
      labels: { ...t.reportLabels },
    }).content;
  };

  /** The card for one viewer: what they may do on the item, and nothing else. */
  /** `typed` refills the card's inputs when an action was refused (only the actor sees that card). */
  const refreshIds = refreshIdsFrom(deps.profiles);
  const renderItem = async (lang: Lang, item: ItemDoc, roles: ItemRoles, notice = '', noticeStyle: 'default' | 'good' | 'attention' | 'warning' = 'default', typed: { text?: string; date?: string; time?: string } = {}) => {
    const t = L[lang];
    const r = { id: item.id, authority: item.authority, rev: item.rev };
    const facts: { label: string; value: string }[] = [{ label: t.facts.authority, value: AUTHORITY_NAMES[item.authority] }];
    const actions: ItemAction[] = [];
    let showText = false;
    let showDecision = false;
    let textLabel: string = t.textLabel.ib;
    if (item.kind === 'request') {
      facts.push({ label: t.facts.category, value: item.category ? CATEGORY_LABELS[item.category][lang] : '' }, { label: t.facts.from, value: cardText(item.createdBy.name) || '–' });
      if (item.handler) facts.push({ label: t.facts.handler, value: cardText(item.handler.name) || '–' });
      if (item.deadline) facts.push({ label: t.facts.deadline, value: formatIsoDay(item.deadline) });
      if (item.measure) {
        facts.push(
          { label: t.facts.department, value: cardText(item.measure.department) },
          { label: t.facts.measure, value: cardText(item.measure.name) },
          { label: t.facts.plannedDate, value: formatIsoDay(item.measure.plannedDate) },
        );
      }
      if (roles.commissioner && isOpen(item)) {
        showText = true;
        if (item.status === 'neu') actions.push({ title: t.buttons.accept, verb: 'request.act', inputs: 'none', data: { ...r, action: 'accept' } });
        actions.push(
          { title: t.buttons.ask, verb: 'request.act', inputs: 'auto', data: { ...r, action: 'ask' } },
          { title: t.buttons.answer, verb: 'request.act', inputs: 'auto', data: { ...r, action: 'answer' } },
          { title: t.buttons.done, verb: 'request.act', inputs: 'none', data: { ...r, action: 'done' } },
        );
        if (item.linked.length === 0) actions.push({ title: t.buttons.toReport, verb: 'report.start', inputs: 'none', data: { requestId: item.id, authority: item.authority } });
      } else if (roles.requester && item.status === 'rueckfrage') {
        showText = true;
        textLabel = t.textLabel.requester;
        actions.push({ title: t.buttons.reply, verb: 'request.reply', inputs: 'auto', data: r });
      }
    } else {
      facts.push({ label: t.facts.from, value: cardText(item.createdBy.name) || '–' }, { label: t.facts.urgency, value: URGENCY_LABELS[item.urgency ?? 'normal'][lang] });
      if (item.proposedDates) facts.push({ label: t.facts.proposedDates, value: cardText(item.proposedDates) });
      if (roles.decider && isOpen(item)) {
        showText = true;
        showDecision = true;
        textLabel = t.textLabel.head;
        for (const d of ['termin', 'schriftlich', 'kenntnis', 'ablehnen', 'weisung'] as const) {
          actions.push({ title: t.buttons[d], verb: 'report.decide', inputs: d === 'termin' || d === 'ablehnen' || d === 'weisung' ? 'auto' : 'none', data: { ...r, decision: d } });
        }
      }
    }
    facts.push({ label: t.facts.created, value: formatMoment(item.createdAt) });
    if (item.linked.length) facts.push({ label: t.facts.linked, value: item.linked.join(', ') });
    actions.push({ title: t.buttons.trail, verb: 'request.trail', inputs: 'none', data: { id: item.id, authority: item.authority } });
    let decisionText = '';
    if (item.decision) {
      const d = item.decision;
      const what = d.kind === 'termin' ? t.decision.termin(formatIsoDay(d.date ?? ''), d.time ?? '') : t.decision[d.kind];
      decisionText = `${what}${d.text ? ` ${cardText(d.text)}` : ''}\n\n${t.decidedBy(cardText(d.by.name) || '–', formatMoment(d.at))}`;
    }
    const audience = await refreshIds(service.audienceOf(item));
    return itemCard({
      lang,
      id: item.id,
      authority: item.authority,
      refreshUserIds: audience,
      heading: item.kind === 'request' ? t.requestHeading : t.reportCardHeading,
      subject: cardText(item.subject),
      statusLine: t.status(STATUS_LABELS[item.status][lang]),
      notice,
      noticeStyle,
      facts,
      body: cardText(item.body),
      messages: item.messages.map((m) => ({ heading: `${t.messageHeading[m.kind]} · ${t.by(cardText(m.by.name) || '–', formatMoment(m.at))}`, text: cardText(m.text) })),
      decisionText,
      showText,
      showDecision,
      values: { text: (typed.text ?? '').slice(0, 2000), date: typed.date ?? '', time: typed.time ?? '' },
      actions,
      labels: { refresh: t.refresh, text: textLabel, date: t.dateLabel, time: t.timeLabel },
    }).content;
  };

  const cardActivity = (content: Record<string, unknown>, summary: string): OutgoingActivity => ({
    type: 'message',
    summary,
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content }],
  });

  /** Posts the item's card to each person, in their own view, once per item and person. */
  const postCard = (item: ItemDoc, aadObjectIds: string[], tenantId: string, summary: string) =>
    Promise.all(
      aadObjectIds.map(async (id) =>
        deps.outbox.enqueue({
          key: `item:${item.id}:card:${id}`,
          activity: cardActivity(await renderItem(langOf(item, id), item, service.rolesFor(id, item)), summary),
          recipients: [{ user: { aadObjectId: id, tenantId } }],
        }),
      ),
    );

  /**
   * Updates every posted card of the item (each in its owner's view) and the requester's own card. The actor's card
   * is left out: the invoke response has just replaced it, and Teams refreshes any other copy when it is shown.
   */
  const updateCards = async (item: ItemDoc, actorId: string) => {
    const summary = item.subject;
    const updates = item.cardsTo.filter((id) => id !== actorId).map(async (id) => {
      try {
        await deps.outbox.enqueueUpdate({ key: `item:${item.id}:card:${id}:r${item.rev}`, of: `item:${item.id}:card:${id}`, activity: cardActivity(await renderItem(langOf(item, id), item, service.rolesFor(id, item)), summary) });
      } catch (err) {
        // Only people the card was posted to have one to update.
        if (!(err instanceof OutboxError && err.code === 'OUTBOX_UNKNOWN_NOTIFICATION')) throw err;
      }
    });
    const card = item.requesterCard;
    if (card && item.createdBy.aadObjectId !== actorId) {
      const activity = cardActivity(await renderItem(item.createdBy.lang ?? 'de', item, service.rolesFor(item.createdBy.aadObjectId, item)), summary);
      updates.push(
        deps.outbox
          .enqueue({
            key: `item:${item.id}:requester-card:r${item.rev}`,
            activity,
            recipients: [{ conversation: { conversationId: card.conversationId, serviceUrl: card.serviceUrl, tenantId: card.tenantId, botId: card.botId, conversationType: 'personal' }, replaceActivityId: card.activityId }],
          })
          .then(() => undefined),
      );
    }
    await Promise.all(updates);
  };

  /** A text message; user text in `text` must already be escaped with `messageText`. */
  const message = (key: string, aadObjectId: string, tenantId: string, text: string) =>
    deps.outbox.enqueue({ key, activity: { type: 'message', text, textFormat: 'markdown' }, recipients: [{ user: { aadObjectId, tenantId } }] });

  /** Everything others should see after a change: updated cards, and a message to whom it concerns. */
  const announce = async (outcome: Extract<Outcome, { ok: true }>, actor: Party) => {
    const item = outcome.item;
    const work: Promise<unknown>[] = [updateCards(item, actor.aadObjectId)];
    const key = `item:${item.id}:r${item.rev}`;
    const creator = item.createdBy;
    const creatorLang = creator.lang ?? 'de';
    if (item.kind === 'request') {
      if (creator.aadObjectId !== actor.aadObjectId) {
        work.push(message(`${key}:requester`, creator.aadObjectId, creator.tenantId, L[creatorLang].changed(messageText(item.subject), STATUS_LABELS[item.status][creatorLang])));
      } else if (item.handler && item.handler.aadObjectId !== actor.aadObjectId) {
        work.push(message(`${key}:handler`, item.handler.aadObjectId, item.handler.tenantId, L[item.handler.lang ?? 'de'].replied(messageText(item.subject))));
      }
    } else if (creator.aadObjectId !== actor.aadObjectId) {
      work.push(message(`${key}:commissioner`, creator.aadObjectId, creator.tenantId, L[creatorLang].changedReport(messageText(item.subject), STATUS_LABELS[item.status][creatorLang])));
    }
    await Promise.all(work);
  };

  const refusal = (lang: Lang, code: 'forbidden' | 'not_found') =>
    code === 'forbidden' ? invokeResponse.error(403, 'Forbidden', L[lang].forbidden) : invokeResponse.error(404, 'NotFound', L[lang].notFound);

  /** The invoke response for an action's outcome, shared by every verb that changes an item. */
  const respond = async (context: TurnContext, caller: Caller, outcome: Outcome, okNotice: string) => {
    const t = L[caller.lang];
    if (outcome.ok) {
      if (outcome.changed) await announce(outcome, partyOf(context, caller));
      return invokeResponse.card(await renderItem(caller.lang, outcome.item, outcome.roles, okNotice, 'good'));
    }
    if (outcome.code === 'stale') {
      const last = outcome.item.lastChange;
      const notice = t.stale(cardText(last?.by.name ?? '') || '–', last ? formatMoment(last.at) : '', STATUS_LABELS[outcome.item.status][caller.lang]);
      return invokeResponse.card(await renderItem(caller.lang, outcome.item, outcome.roles, notice, 'attention'));
    }
    if (outcome.code === 'invalid') return undefined;
    return refusal(caller.lang, outcome.code);
  };

  const homeAuthority = (context: TurnContext) => (context.turnState.get(PROFILE_KEY) as UserProfile | undefined)?.homeAuthority;

  const sendCard = (context: TurnContext, content: Record<string, unknown>) => context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(content)));

  const sendForm = async (context: TurnContext, caller: Caller, authority?: AuthorityCode) => {
    await sendCard(context, requestForm(caller.lang, { authority: authority ?? homeAuthority(context) ?? '' }));
  };

  const ownAuthority = (caller: Caller): AuthorityCode | undefined => {
    const roles = rolesOf(directory(), caller.aadObjectId);
    return roles.commissionerOf[0] ?? roles.deputyOf[0];
  };

  const listCard = (lang: Lang, heading: string, intro: string, items: ItemSummary[]) =>
    itemListCard({
      lang,
      heading,
      intro,
      openLabel: L[lang].open,
      items: items.slice(0, 50).map((s) => ({ title: cardText(s.subject), subtitle: L[lang].subtitle(s, AUTHORITY_NAMES[s.authority]), id: s.id, authority: s.authority, openLabel: L[lang].open })),
    }).content;

  const markdown = (text: string) => {
    const activity = MessageFactory.text(text);
    activity.textFormat = 'markdown';
    return activity;
  };

  const viewResponse = async (caller: Caller, data: { id: string; authority: string }) => {
    const view = await service.view(caller.aadObjectId, data);
    if (!('item' in view)) return refusal(caller.lang, view.code);
    return invokeResponse.card(await renderItem(caller.lang, view.item, view.roles));
  };

  const reminderJob = async (job: { payload: Record<string, unknown> }) => {
    const { due, next } = await service.reminderDue(job.payload);
    if (due) {
      const { item, step } = due;
      const tenantId = item.createdBy.tenantId;
      const text = (id: string) => (step === 'remind' ? L[langOf(item, id)].remind(messageText(item.subject)) : L[langOf(item, id)].escalate(messageText(item.subject)));
      await Promise.all([
        ...due.recipients.map((id) => message(`item:${item.id}:r${item.rev}:${step}:${id}`, id, tenantId, text(id))),
        // Whoever has no card yet (the deputy on escalation) gets one.
        postCard(item, due.recipients, tenantId, L.de[step](item.subject)),
      ]);
    }
    return next ? { next } : undefined;
  };

  /**
   * Enqueues what an item's latest change owes, as the live path would have (every key carries the item and its
   * revision, so whatever was enqueued already is not sent again), then removes the item's marker.
   */
  const completeOwed = async (item: Versioned<ItemDoc>) => {
    if (item.owes?.rev === item.rev) {
      if (item.rev === 1) {
        await service.ensureReminder(item);
        const notice = item.kind === 'request' ? L.de.noticeNew(item.subject) : L.de.noticeReport(item.subject);
        await postCard(item, item.cardsTo, item.createdBy.tenantId, notice);
      } else {
        const actor = item.lastChange?.by ?? item.createdBy;
        await announce({ ok: true, item, changed: true, roles: service.rolesFor(actor.aadObjectId, item) }, actor);
      }
    }
    await service.settleOwed(item);
  };

  /** The sweep: changes written by other (possibly dead) processes within the window, older than `graceMs`. */
  const sweepOwed = async ({ windowMs, graceMs }: { windowMs: number; graceMs: number }): Promise<number> => {
    const now = service.currentTime().getTime();
    const owed = await service.owedElsewhere(now - windowMs, now - graceMs);
    for (const item of owed) await completeOwed(item);
    if (owed.length) deps.logger.info({ event: 'requests.owed_completed', count: owed.length }, 'completed notifications owed by other processes');
    return owed.length;
  };

  return {
    sweepOwed,
    name: 'requests',
    // Requests and reports are confidential: listed, created and acted on only in the personal chat (RdErl. Nr. 4, DSG NRW).
    personalOnly: true,
    commands: [
      { id: 'requests.form', matches: (t) => COMMANDS.form.has(t), run: (context, caller) => sendForm(context, caller) },
      {
        id: 'requests.mine',
        matches: (t) => COMMANDS.mine.has(t),
        run: async (context, caller) => {
          const items = await service.listForRequester(caller.aadObjectId);
          await sendCard(context, listCard(caller.lang, L[caller.lang].listMine, L[caller.lang].listIntroMine(items.length), items));
        },
      },
      {
        id: 'requests.inbox',
        matches: (t) => COMMANDS.inbox.has(t),
        run: async (context, caller) => {
          const own = ownAuthority(caller);
          if (!own) {
            await context.sendActivity(L[caller.lang].inboxForbidden);
            return;
          }
          const items = await service.inboxFor(caller.aadObjectId);
          await sendCard(context, listCard(caller.lang, L[caller.lang].listInbox, L[caller.lang].listIntroInbox(items.length, AUTHORITY_NAMES[own]), items));
        },
      },
      {
        id: 'reports.form',
        matches: (t) => COMMANDS.report.has(t),
        run: async (context, caller) => {
          const own = ownAuthority(caller);
          if (!own) {
            await context.sendActivity(L[caller.lang].notIb);
            return;
          }
          await sendCard(context, reportForm(caller.lang, own, undefined, {}));
        },
      },
      {
        id: 'reports.list',
        matches: (t) => COMMANDS.reports.has(t),
        run: async (context, caller) => {
          const items = await service.reportsFor(caller.aadObjectId);
          await sendCard(context, listCard(caller.lang, L[caller.lang].listReports, L[caller.lang].listIntroReports(items.length), items));
        },
      },
      {
        id: 'requests.myData',
        matches: (t) => COMMANDS.myData.has(t),
        run: async (context, caller) => {
          const t = L[caller.lang];
          const data = await deps.myData(caller.aadObjectId);
          const counts = countsOf(data);
          const lines = JSON.stringify(data, null, 2).split('\n');
          // Whole, in as many messages as Teams' size limit needs; the tab offers the same as one file.
          for (const text of splitIntoMessages(t.myDataHeading(counts.items, counts.audit, counts.circle), lines, { fence: true, partLabel: t.part })) {
            await context.sendActivity(markdown(text));
          }
        },
      },
      {
        id: 'requests.export',
        matches: (t) => COMMANDS.export.has(t),
        run: async (context, caller) => {
          const t = L[caller.lang];
          const result = await service.exportCsv(caller.aadObjectId);
          if (!('csv' in result)) {
            await context.sendActivity(t.exportForbidden);
            return;
          }
          if (result.rows === 0) {
            await context.sendActivity(t.exportNone);
            return;
          }
          // Whole rows in messages Teams accepts (100 KB each at most), each part with the header row: nothing is cut off.
          const [header, ...rows] = result.csv.replace(/\r\n$/, '').split('\r\n');
          const heading = t.exportHeading(result.authorities.map((a) => AUTHORITY_NAMES[a]).join(', '), result.rows);
          for (const text of splitIntoMessages(heading, rows, { fence: true, header, partLabel: t.part })) await context.sendActivity(markdown(text));
        },
      },
    ],
    verbs: [
      {
        verb: 'request.start',
        schema: z.object({ authority: z.string().max(20).optional() }).passthrough(),
        // The authority in card data only preselects the form's choice; it grants nothing.
        run: async (context, caller, data: { authority?: string }) =>
          invokeResponse.card(requestForm(caller.lang, { authority: isAuthorityCode(data.authority) ? data.authority : homeAuthority(context) ?? '' })),
      },
      {
        verb: 'request.submit',
        schema: submitSchema,
        run: async (context, caller, data: z.infer<typeof submitSchema>) => {
          const a = context.activity;
          const card =
            a.replyToId && a.conversation?.conversationType === 'personal'
              ? { conversationId: a.conversation.id, serviceUrl: a.serviceUrl, tenantId: caller.tenantId, botId: a.recipient.id, activityId: a.replyToId }
              : undefined;
          const values = {
            authority: data.authority ?? '', category: data.category ?? '', subject: data.subject ?? '', description: data.description ?? '',
            deadline: data.deadline, department: data.department, measure: data.measure, plannedDate: data.plannedDate,
          };
          const outcome = await service.createRequest(partyOf(context, caller), values, card);
          if (!outcome.ok) {
            if (outcome.code === 'invalid') {
              deps.logger.info({ event: 'requests.invalid', fields: outcome.problems.map((p) => `${p.field}:${p.code}`) }, 'request form rejected');
              const keep = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, (v ?? '').slice(0, 4000)]));
              return invokeResponse.card(requestForm(caller.lang, keep, problemsText(caller.lang, outcome.problems)));
            }
            return (await respond(context, caller, outcome, ''))!;
          }
          const item = outcome.item;
          await postCard(item, item.cardsTo, caller.tenantId, L.de.noticeNew(item.subject));
          return invokeResponse.card(await renderItem(caller.lang, item, outcome.roles, L[caller.lang].sent, 'good'));
        },
      },
      {
        verb: 'request.act',
        schema: actSchema,
        run: async (context, caller, data: z.infer<typeof actSchema>) => {
          const action: RequestAction = data.action === 'ask' || data.action === 'answer' ? { type: data.action, text: data.text ?? '' } : { type: data.action };
          const outcome = await service.act(partyOf(context, caller), data, data.rev, action);
          if (!outcome.ok && outcome.code === 'invalid') {
            const view = await service.view(caller.aadObjectId, data);
            if (!('item' in view)) return refusal(caller.lang, view.code);
            return invokeResponse.card(await renderItem(caller.lang, view.item, view.roles, problemsText(caller.lang, outcome.problems), 'attention', data));
          }
          return (await respond(context, caller, outcome, L[caller.lang].saved))!;
        },
      },
      {
        verb: 'request.reply',
        schema: replySchema,
        run: async (context, caller, data: z.infer<typeof replySchema>) => {
          const outcome = await service.act(partyOf(context, caller), data, data.rev, { type: 'reply', text: data.text ?? '' });
          if (!outcome.ok && outcome.code === 'invalid') {
            const view = await service.view(caller.aadObjectId, data);
            if (!('item' in view)) return refusal(caller.lang, view.code);
            return invokeResponse.card(await renderItem(caller.lang, view.item, view.roles, problemsText(caller.lang, outcome.problems), 'attention', data));
          }
          return (await respond(context, caller, outcome, L[caller.lang].saved))!;
        },
      },
      {
        verb: 'report.start',
        schema: reportStartSchema,
        run: async (_context, caller, data: z.infer<typeof reportStartSchema>) => {
          const roles = rolesOf(directory(), caller.aadObjectId);
          const code = isAuthorityCode(data.authority) && isCommissionerSide(roles, data.authority) ? data.authority : ownAuthority(caller);
          const refused = () => {
            deps.logger.warn({ event: 'requests.refused', code: 'forbidden', action: 'report.start', itemId: data.requestId, actor: caller.aadObjectId }, 'request action refused');
            return refusal(caller.lang, 'forbidden');
          };
          if (!code) return refused();
          let linked: ItemDoc | undefined;
          if (data.requestId) {
            const view = await service.view(caller.aadObjectId, { id: data.requestId, authority: code });
            if (!('item' in view) || !view.roles.commissioner) return refused();
            linked = view.item;
          }
          return invokeResponse.card(reportForm(caller.lang, code, linked, {}));
        },
      },
      {
        verb: 'report.submit',
        schema: reportSubmitSchema,
        run: async (context, caller, data: z.infer<typeof reportSubmitSchema>) => {
          const input = { authority: data.authority, subject: data.subject ?? '', summary: data.summary ?? '', urgency: data.urgency, proposedDates: data.proposedDates, linkedRequestId: data.linkedRequestId || undefined };
          const outcome = await service.createReport(partyOf(context, caller), input);
          if (!outcome.ok) {
            if (outcome.code === 'invalid') {
              const code = isAuthorityCode(data.authority) ? data.authority : ownAuthority(caller) ?? '';
              const linked = input.linkedRequestId && isAuthorityCode(code) ? await service.repo.get(code, input.linkedRequestId) : undefined;
              const keep = { subject: input.subject.slice(0, 4000), summary: input.summary.slice(0, 4000), urgency: data.urgency ?? 'normal', proposedDates: (data.proposedDates ?? '').slice(0, 4000) };
              return invokeResponse.card(reportForm(caller.lang, code, linked, keep, problemsText(caller.lang, outcome.problems)));
            }
            return (await respond(context, caller, outcome, ''))!;
          }
          const item = outcome.item;
          await postCard(item, item.cardsTo, caller.tenantId, L.de.noticeReport(item.subject));
          if (item.linked.length) {
            const linked = await service.repo.get(item.authority, item.linked[0]);
            if (linked) await announce({ ok: true, item: linked, changed: true, roles: service.rolesFor(caller.aadObjectId, linked) }, partyOf(context, caller));
          }
          return invokeResponse.card(await renderItem(caller.lang, item, outcome.roles, L[caller.lang].reportSent, 'good'));
        },
      },
      {
        verb: 'report.decide',
        schema: decideSchema,
        run: async (context, caller, data: z.infer<typeof decideSchema>) => {
          const outcome = await service.act(partyOf(context, caller), data, data.rev, { type: 'decide', decision: data.decision, date: data.date, time: data.time, text: data.text });
          if (!outcome.ok && outcome.code === 'invalid') {
            const view = await service.view(caller.aadObjectId, data);
            if (!('item' in view)) return refusal(caller.lang, view.code);
            return invokeResponse.card(await renderItem(caller.lang, view.item, view.roles, problemsText(caller.lang, outcome.problems), 'attention', data));
          }
          return (await respond(context, caller, outcome, L[caller.lang].saved))!;
        },
      },
      { verb: 'request.refresh', schema: refSchema, run: (_context, caller, data: z.infer<typeof refSchema>) => viewResponse(caller, data) },
      { verb: 'request.open', schema: refSchema, run: (_context, caller, data: z.infer<typeof refSchema>) => viewResponse(caller, data) },
      {
        verb: 'request.trail',
        schema: refSchema,
        run: async (context, caller, data: z.infer<typeof refSchema>) => {
          const t = L[caller.lang];
          const result = await service.trail(caller.aadObjectId, data);
          if (!('entries' in result)) return refusal(caller.lang, result.code);
          const names = service.namesOf([result.view.item]);
          const lines = result.entries.map((e) => {
            const change = e.changes.find((c) => c.path === '/status');
            const status = change && typeof change.to === 'string' && change.to in STATUS_LABELS ? ` → ${STATUS_LABELS[change.to as keyof typeof STATUS_LABELS][caller.lang]}` : '';
            return `- ${formatMoment(e.at)}: ${messageText(names.get(e.actor) ?? '–')}: ${t.actions[e.action] ?? e.action}${status}`;
          });
          await context.sendActivity(markdown([t.trailHeading(messageText(result.view.item.subject)), ...lines].join('\n')));
          return invokeResponse.card(await renderItem(caller.lang, result.view.item, result.view.roles));
        },
      },
    ],
    intents: {
      'request.create': async (context, caller, answer) => {
        await sendForm(context, caller, answer.authority ?? homeAuthority(context));
        return true;
      },
      'report.create': async (context, caller) => {
        const own = ownAuthority(caller);
        if (!own) return false;
        await sendCard(context, reportForm(caller.lang, own, undefined, {}));
        return true;
      },
    },
    jobs: {
      [JOB_KINDS.remind]: reminderJob,
      [JOB_KINDS.sweep]: async () => {
        await sweepOwed({ windowMs: 15 * 60_000, graceMs: 30_000 });
        return { next: new Date(service.currentTime().getTime() + 5 * 60_000) };
      },
      [JOB_KINDS.purge]: async () => {
        await service.purgeExpired();
        return { next: new Date(service.currentTime().getTime() + 60 * 60_000) };
      },
    },
    help: {
      de: [
        {
          heading: 'Anliegen an die IB',
          description: 'Beratung, Beteiligung an einer geplanten Maßnahme (Nr. 5 a), Information: als Formular an die IB Ihrer Bezirksregierung; Sie sehen jeden Schritt.',
          examples: '„Anliegen“ · „Meine Anliegen“ · „Meine Daten“',
        },
        {
          heading: 'Für IB: Vorgänge und Vortrag',
          description: 'Offene Anliegen bearbeiten, Vortrag an die Behördenleitung anmelden (Nr. 4), Verlauf als CSV exportieren.',
          examples: '„Offene Vorgänge“ · „Vortrag“ · „Vorträge“ · „Export“',
        },
      ],
      en: [
        {
          heading: 'Requests to the commissioner',
          description: 'Advice, involvement in a planned measure (No. 5 a), information: a form to the commissioner of your authority; you see every step.',
          examples: '"request" · "my requests" · "my data"',
        },
        {
          heading: 'For commissioners: items and reports',
          description: 'Handle open requests, register a report to the head (No. 4), export the history as CSV.',
          examples: '"open items" · "report" · "reports" · "export"',
        },
      ],
    },
  };
}
