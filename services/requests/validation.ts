/**
 * Checks of what people type into the forms of Anliegen and Vortrag, before anything is read or stored: lengths,
 * dates, choices, and the privacy guard (Art. 9 GDPR: no third parties' personal data in text others read). Pure; the
 * problems come back as field and code, the bot words them in the caller's language.
 */
import { detectPersonalData, type PrivacyOptions } from '../answers/privacy';
import type { AuthorityCode } from '../directory/model';
import { isAuthorityCode } from '../directory/model';
import type { Problem } from '../workflow/outcome';
import { KFI_AUTHORITY, KFI_CHOICE, LIMITS, REPORT_DECISIONS, REQUEST_CATEGORIES, URGENCIES, type ItemAction, type ItemDoc, type PaperFile, type ReportDecision, type RequestCategory, type Urgency } from './model';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Trims, turns control characters into spaces, keeps line breaks where `multiline`. */
export function cleanText(value: string | undefined, multiline = false): string {
  const s = (value ?? '').replace(/\r\n?/g, '\n');
  const cleaned = multiline ? s.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ').replace(/\n{3,}/g, '\n\n') : s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ');
  return cleaned.trim();
}

function validDate(day: string): boolean {
  if (!ISO_DATE.test(day)) return false;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

function field(problems: Problem[], name: string, value: string, max: number, required = true): string {
  if (!value) {
    if (required) problems.push({ field: name, code: 'missing' });
  } else if (value.length > max) problems.push({ field: name, code: 'too_long' });
  return value;
}

/** Free text that others read must not carry third parties' personal data: such a field is refused, with what was found. */
function guardField(problems: Problem[], name: string, value: string | undefined, options: PrivacyOptions): void {
  if (!value) return;
  const kinds = detectPersonalData(value, options);
  if (kinds.length) problems.push({ field: name, code: 'personal_data', kinds });
}

function dateField(problems: Problem[], name: string, raw: string | undefined, today: string, required: boolean): string | undefined {
  const value = (raw ?? '').trim();
  if (!value) {
    if (required) problems.push({ field: name, code: 'missing' });
    return undefined;
  }
  if (!validDate(value)) problems.push({ field: name, code: 'bad_date' });
  else if (value < today) problems.push({ field: name, code: 'past_date' });
  return value;
}

/** What the form sends for a new request; strings as typed. */
export interface RequestInput {
  authority: string;
  category: string;
  subject: string;
  description: string;
  deadline?: string;
  department?: string;
  measure?: string;
  plannedDate?: string;
}

/** What the form sends for a new report. */
export interface ReportInput {
  authority?: string;
  subject: string;
  summary: string;
  urgency?: string;
  proposedDates?: string;
  linkedRequestId?: string;
}

/** An action as the card sends it (text as typed). */
export type RequestAction =
  | { type: 'accept' }
  | { type: 'ask'; text: string }
  | { type: 'answer'; text: string }
  | { type: 'done' }
  | { type: 'reply'; text: string }
  | { type: 'decide'; decision: string; date?: string; time?: string; text?: string }
  | { type: 'acknowledge' }
  | { type: 'handIn'; text: string; link?: string; file?: { name?: string; fileType?: string; id?: string; size?: number } }
  | { type: 'acceptMeeting' }
  | { type: 'counterMeeting'; date?: string; time?: string }
  | { type: 'moveMeeting'; date?: string; time?: string }
  | { type: 'cancelMeeting'; text?: string };

/**
 * The link to the paper handed in: any https address (SharePoint, OneDrive or the authority's own DMS: a list of
 * hosts would go stale with every tenant), without user name or password in it. The card shows its host, so the
 * reader sees where it leads before opening it. Returns the normalised address, or undefined when it is not one.
 */
export function checkLink(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  // A host name only (no IP literal in brackets): the card shows it as the link's label.
  if (url.protocol !== 'https:' || !/^[a-z0-9.-]+$/.test(url.hostname) || url.username || url.password) return undefined;
  return url.href;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export type RequestFields = Pick<ItemDoc, 'subject' | 'body' | 'deadline' | 'measure' | 'recipient'> & { authority: AuthorityCode; category: RequestCategory };

/** A new request's fields, cleaned, or what is wrong with them (`today`: the Berlin date). */
export function checkRequest(input: RequestInput, today: string, privacy: PrivacyOptions): Checked<RequestFields> {
  const problems: Problem[] = [];
  // The form's recipient: an authority's IB, or the KfI (RdErl. Nr. 6), which is part of the Bezirksregierung Arnsberg.
  const toKfi = input.authority === KFI_CHOICE;
  if (!toKfi && !isAuthorityCode(input.authority)) problems.push({ field: 'authority', code: 'unknown_value' });
  const category = (REQUEST_CATEGORIES as readonly string[]).includes(input.category) ? (input.category as RequestCategory) : undefined;
  if (!category) problems.push({ field: 'category', code: input.category ? 'unknown_value' : 'missing' });
  const subject = field(problems, 'subject', cleanText(input.subject), LIMITS.subject);
  const body = field(problems, 'description', cleanText(input.description, true), LIMITS.description);
  const deadline = dateField(problems, 'deadline', input.deadline, today, false);
  let measure: ItemDoc['measure'];
  if (category === 'beteiligung') {
    const department = field(problems, 'department', cleanText(input.department), LIMITS.department);
    const name = field(problems, 'measure', cleanText(input.measure), LIMITS.measure);
    const plannedDate = dateField(problems, 'plannedDate', input.plannedDate, today, true);
    measure = { department, name, plannedDate: plannedDate ?? '' };
  }
  guardField(problems, 'subject', subject, privacy);
  guardField(problems, 'description', body, privacy);
  guardField(problems, 'department', measure?.department, privacy);
  guardField(problems, 'measure', measure?.name, privacy);
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { authority: toKfi ? KFI_AUTHORITY : (input.authority as AuthorityCode), ...(toKfi ? { recipient: 'kfi' as const } : {}), category: category!, subject, body, ...(deadline ? { deadline } : {}), ...(measure ? { measure } : {}) } };
}

export type ReportFields = Pick<ItemDoc, 'subject' | 'body' | 'proposedDates'> & { urgency: Urgency };

/** A new report's fields, cleaned, or what is wrong with them. */
export function checkReport(input: ReportInput, privacy: PrivacyOptions): Checked<ReportFields> {
  const problems: Problem[] = [];
  const subject = field(problems, 'subject', cleanText(input.subject), LIMITS.subject);
  const body = field(problems, 'summary', cleanText(input.summary, true), LIMITS.description);
  const urgencyRaw = input.urgency || 'normal';
  const urgency = (URGENCIES as readonly string[]).includes(urgencyRaw) ? (urgencyRaw as Urgency) : undefined;
  if (!urgency) problems.push({ field: 'urgency', code: 'unknown_value' });
  const proposedDates = field(problems, 'proposedDates', cleanText(input.proposedDates), LIMITS.proposedDates, false);
  for (const [name, value] of [['subject', subject], ['summary', body], ['proposedDates', proposedDates]] as const) guardField(problems, name, value, privacy);
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { subject, body, urgency: urgency!, ...(proposedDates ? { proposedDates } : {}) } };
}

/**
 * A proposed meeting's date and time (Berlin): a real day from today on, a time like 10:30, and today not a time that
 * has passed (`nowTime`, HH:MM Berlin; the problem is at the time field, the card words it as such).
 */
function meetingFields(problems: Problem[], date: string | undefined, time: string | undefined, today: string, nowTime: string | undefined): void {
  const day = dateField(problems, 'date', date, today, true);
  const t = (time ?? '').trim();
  if (!TIME.test(t)) problems.push({ field: 'time', code: t ? 'bad_time' : 'missing' });
  else if (day === today && nowTime !== undefined && t <= nowTime) problems.push({ field: 'time', code: 'past_date' });
}

/** An action's input, cleaned, or what is wrong with it (`today`, `nowTime`: the Berlin date and HH:MM). */
export function checkAction(action: RequestAction, today: string, privacy: PrivacyOptions, nowTime?: string): Checked<ItemAction> {
  const problems: Problem[] = [];
  const text = 'text' in action ? cleanText(action.text, true) : '';
  if (action.type === 'ask' || action.type === 'answer' || action.type === 'reply') field(problems, 'text', text, LIMITS.text);
  let link: string | undefined;
  let file: PaperFile | undefined;
  if (action.type === 'handIn') {
    // A file sent in the personal chat is the paper itself: a text beside it is optional.
    field(problems, 'text', text, LIMITS.paper, !action.file);
    if (action.file) {
      const name = field(problems, 'fileName', cleanText(action.file.name), LIMITS.fileName);
      const fileType = (action.file.fileType ?? '').trim().toLowerCase();
      if (!/^[a-z0-9]{1,10}$/.test(fileType)) problems.push({ field: 'fileName', code: 'unknown_value' });
      guardField(problems, 'fileName', name, privacy);
      // Where the Lotse holds it (paperFileStore.ts): an id it made and the size it measured, never a person's text.
      const id = action.file.id;
      const size = action.file.size;
      if (id !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) problems.push({ field: 'fileName', code: 'unknown_value' });
      if (size !== undefined && !(Number.isInteger(size) && size > 0)) problems.push({ field: 'fileName', code: 'unknown_value' });
      file = { name, fileType, ...(id !== undefined ? { id } : {}), ...(size !== undefined ? { size } : {}) };
    }
    const raw = cleanText(action.link);
    if (raw.length > LIMITS.link) problems.push({ field: 'link', code: 'too_long' });
    else if (raw) {
      link = checkLink(raw);
      if (!link) problems.push({ field: 'link', code: 'bad_url' });
    }
  }
  let decision: ReportDecision | undefined;
  if (action.type === 'decide') {
    decision = (REPORT_DECISIONS as readonly string[]).includes(action.decision) ? (action.decision as ReportDecision) : undefined;
    if (!decision) problems.push({ field: 'decision', code: 'unknown_value' });
    if (decision === 'termin') meetingFields(problems, action.date, action.time, today, nowTime);
    field(problems, 'text', text, LIMITS.text, decision === 'ablehnen' || decision === 'weisung');
  }
  if (action.type === 'counterMeeting' || action.type === 'moveMeeting') meetingFields(problems, action.date, action.time, today, nowTime);
  // The reason of a cancellation: optional and short; the other side reads it (privacy guard below).
  if (action.type === 'cancelMeeting') field(problems, 'text', text, LIMITS.cancelReason, false);
  guardField(problems, 'text', text, privacy);
  if (problems.length) return { ok: false, problems };
  switch (action.type) {
    case 'accept':
    case 'done':
    case 'acknowledge':
    case 'acceptMeeting':
      return { ok: true, value: { type: action.type } };
    case 'counterMeeting':
    case 'moveMeeting':
      return { ok: true, value: { type: action.type, date: action.date!.trim(), time: action.time!.trim() } };
    case 'cancelMeeting':
      return { ok: true, value: { type: 'cancelMeeting', ...(text ? { text } : {}) } };
    case 'handIn':
      return { ok: true, value: { type: 'handIn', text, ...(link ? { link } : {}), ...(file ? { file } : {}) } };
    case 'ask':
    case 'answer':
    case 'reply':
      return { ok: true, value: { type: action.type, text } };
    case 'decide':
      return {
        ok: true,
        value: { type: 'decide', decision: decision!, ...(decision === 'termin' ? { date: action.date!.trim(), time: action.time!.trim() } : {}), ...(text ? { text } : {}) },
      };
  }
}
