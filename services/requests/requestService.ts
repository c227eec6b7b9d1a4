/**
 * The rules of Anliegen and Vortrag, without botbuilder: who may do what (decided from the stored directory and the
 * caller's AAD object id, never from card data), the state machine, reminders in the `jobs` container, the audit
 * trail, CSV export, "Meine Daten" and the retention purge. The Teams side (`bot/handlers/requests.ts`) and a
 * personal tab call this API alike.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../audit/auditLog';
import { addWorkingDays, workingDaysBetween } from '../calendar/workingDays';
import { activeHandler, isCommissionerSide, isHeadSide, mayDecideReports, rolesOf } from '../directory/roles';
import { authorityOf, berlinDate, isAuthorityCode, type Authority, type AuthorityCode, type Directory, type Person } from '../directory/model';
import type { Logger } from '../logging';
import type { Scheduler } from '../scheduling/scheduler';
import type { Outbox } from '../notifications/outbox';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { ConcurrencyError } from '../storage/errors';
import { detectPersonalData, directoryPrivacyOptions, type PersonalDataKind, type PrivacyOptions } from '../answers/privacy';
import { csvCell } from '../text/escape';
import { ItemRepository } from './itemRepository';
import {
  DECISION_STATUS,
  isOpen,
  LIMITS,
  REQUEST_CATEGORIES,
  REPORT_DECISIONS,
  STATUS_LABELS,
  summaryOf,
  TRAIL_IN_ITEM,
  URGENCIES,
  type ItemDoc,
  type TrailEntry,
  type ItemStatus,
  type ItemSummary,
  type Party,
  type PostedCard,
  type ReportDecision,
  type RequestCategory,
  type RequestStatus,
  type Urgency,
} from './model';

/** Settings from configuration (REQUEST_REMINDER_WORKING_DAYS, REQUEST_ESCALATION_WORKING_DAYS, REQUEST_RETENTION_DAYS). */
export interface RequestSettings {
  reminderWorkingDays: number;
  escalationWorkingDays: number;
  retentionDays: number;
}

export interface RequestServiceDeps {
  items: DocumentStore<ItemDoc>;
  audit: DocumentStore<AuditEntry>;
  /** The current directory (it changes while the service runs). */
  directory: () => Directory;
  scheduler: Scheduler;
  /** The outbox, for deleting what an item sent (its cards and messages) together with the item. */
  outbox?: Pick<Outbox, 'deleteOwned'>;
  settings: RequestSettings;
  logger: Logger;
  now?: () => Date;
  /** Names this process in the items' owed-notification markers; unique per process start. */
  instanceId?: string;
  /** Trail entries kept in the item; default {@link TRAIL_IN_ITEM}. */
  trailInItem?: number;
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

/** A request or report the person created, as "Meine Daten" shows it: their own fields, status and dates. */
export interface MyCreatedItem {
  id: string;
  kind: ItemDoc['kind'];
  authority: AuthorityCode;
  subject: string;
  /** The description (request) or summary (report). */
  text: string;
  category?: RequestCategory;
  deadline?: string;
  measure?: ItemDoc['measure'];
  urgency?: Urgency;
  proposedDates?: string;
  status: ItemStatus;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  /** Still open: kept until closed, then `retentionDaysAfterClosing`. */
  open: boolean;
  /** When the closed item is deleted. */
  deleteAfter?: string;
  /** The person's own messages on it (replies to questions). */
  messages: Array<{ at: string; kind: ItemDoc['messages'][number]['kind']; text: string }>;
}

/** An item someone else created that the person acted on: only what they wrote or decided, and its retention. */
export interface MyActedOnItem {
  id: string;
  kind: ItemDoc['kind'];
  authority: AuthorityCode;
  open: boolean;
  deleteAfter?: string;
  messages: MyCreatedItem['messages'];
  decision?: { kind: ReportDecision; at: string; date?: string; time?: string; text?: string };
}

/** What the items store about one person ("Meine Daten"). */
export interface MyRequestData {
  retentionDaysAfterClosing: number;
  created: MyCreatedItem[];
  actedOn: MyActedOnItem[];
  /** Trail entries of the person's own actions. */
  audit: Array<Pick<AuditEntry, 'itemId' | 'action' | 'at' | 'changes'>>;
}

export type RequestAction =
  | { type: 'accept' }
  | { type: 'ask'; text: string }
  | { type: 'answer'; text: string }
  | { type: 'done' }
  | { type: 'reply'; text: string }
  | { type: 'decide'; decision: string; date?: string; time?: string; text?: string };

/** An input problem: which field, which rule (the bot turns codes into polite sentences). */
export interface Problem {
  field: string;
  code: 'missing' | 'too_long' | 'bad_date' | 'past_date' | 'bad_time' | 'unknown_value' | 'personal_data';
  /** With `personal_data`: what the privacy guard found in the field (the text itself is neither kept nor logged). */
  kinds?: PersonalDataKind[];
}

/** How the caller relates to an item; several at once are possible (an IB who sent a request to their own office). */
export interface ItemRoles {
  requester: boolean;
  commissioner: boolean;
  headSide: boolean;
  decider: boolean;
}

export type Outcome =
  | { ok: true; item: Versioned<ItemDoc>; previous?: ItemDoc; changed: boolean; roles: ItemRoles }
  | { ok: false; code: 'invalid'; problems: Problem[] }
  | { ok: false; code: 'forbidden' | 'not_found' }
  /** The card was out of date (someone else acted, or the same click arrived twice): nothing was changed. */
  | { ok: false; code: 'stale'; item: Versioned<ItemDoc>; roles: ItemRoles };

export type Refusal = Extract<Outcome, { ok: false; code: 'forbidden' | 'not_found' }>;

/** An item as its viewer may see it. */
export interface ItemView {
  item: Versioned<ItemDoc>;
  roles: ItemRoles;
}

/** What a reminder job asks the bot to send; undefined when the item was touched or closed meanwhile. */
export interface ReminderDue {
  step: 'remind' | 'escalate';
  item: Versioned<ItemDoc>;
  /** AAD object ids to notify. */
  recipients: string[];
}

export const JOB_KINDS = { remind: 'requests.remind', purge: 'requests.purge', sweep: 'requests.sweep' } as const;

/** The audit container's document holding the entries an item's trail moved out of the item. */
interface TrailArchiveDoc {
  id: string;
  pk: string;
  type: 'audit-trail';
  itemId: string;
  entries: TrailEntry[];
}
const DAY_MS = 86_400_000;
const TTL_GRACE_MS = 7 * DAY_MS;
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

/**
 * Free text that others read must not carry third parties' personal data (privacy guard, Art. 9 GDPR): such a
 * field is refused, with what was found, and nothing of the input is stored.
 */
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

/** Service for Anliegen and Vorträge. */
export class RequestService {
  readonly repo: ItemRepository;
  /** This process's name in owed-notification markers. */
  readonly instanceId: string;
  private readonly now: () => Date;

  constructor(private readonly deps: RequestServiceDeps) {
    this.repo = new ItemRepository(deps.items);
    this.now = deps.now ?? (() => new Date());
    this.instanceId = deps.instanceId ?? randomUUID();
  }

  private owes(rev: number, now: Date): ItemDoc['owes'] {
    return { rev, instance: this.instanceId, atMs: now.getTime() };
  }

  /** The privacy guard's options for the current directory (its mail domains and phone numbers are published). */
  private privacyOptions(): PrivacyOptions {
    const directory = this.deps.directory();
    if (this.privacyFor?.directory !== directory) this.privacyFor = { directory, options: directoryPrivacyOptions(directory) };
    return this.privacyFor.options;
  }

  private privacyFor: { directory: Directory; options: PrivacyOptions } | undefined;

  /**
   * Appends to the item's trail. Beyond {@link TRAIL_IN_ITEM} entries the older ones move to the item's archive
   * document first (idempotent: the archive is rebuilt from the count the item records, so a retried change after
   * a write conflict archives nothing twice).
   */
  private async withEntry(item: ItemDoc, entry: TrailEntry): Promise<Pick<ItemDoc, 'trail' | 'trailArchived'>> {
    const keep = this.deps.trailInItem ?? TRAIL_IN_ITEM;
    const trail = [...(item.trail ?? []), entry];
    if (trail.length <= keep) return { trail, ...(item.trailArchived ? { trailArchived: item.trailArchived } : {}) };
    const move = trail.length - Math.floor(keep / 2);
    const archived = item.trailArchived ?? 0;
    const store = this.deps.audit as unknown as DocumentStore<TrailArchiveDoc>;
    const existing = archived ? await store.read(item.id, `${item.id}:trail`) : undefined;
    await store.upsert({
      id: `${item.id}:trail`,
      pk: item.id,
      type: 'audit-trail',
      itemId: item.id,
      entries: [...(existing?.entries ?? []).slice(0, archived), ...trail.slice(0, move)],
    });
    return { trail: trail.slice(move), trailArchived: archived + move };
  }

  /** The service's clock (injected in tests). */
  currentTime(): Date {
    return this.now();
  }

  /** The caller's relation to an item, from the stored directory and the item. */
  rolesFor(aadObjectId: string, item: ItemDoc): ItemRoles {
    const directory = this.deps.directory();
    const authority = authorityOf(directory, item.authority);
    const roles = rolesOf(directory, aadObjectId);
    const commissioner = isCommissionerSide(roles, item.authority);
    const headSide = item.kind === 'report' && !!authority && isHeadSide(roles, authority);
    const decider = item.kind === 'report' && !!authority && mayDecideReports(roles, authority);
    return { requester: item.kind === 'request' && item.createdBy.aadObjectId === aadObjectId, commissioner, headSide: headSide || decider, decider };
  }

  private mayView(r: ItemRoles): boolean {
    return r.requester || r.commissioner || r.headSide;
  }

  private refuse(code: 'forbidden' | 'not_found', aadObjectId: string, what: string, id?: string): Refusal {
    // Ids and codes only: a forged card names an item and an action, nothing else goes to the log.
    this.deps.logger.warn({ event: 'requests.refused', code, action: what, itemId: id, actor: aadObjectId }, 'request action refused');
    return { ok: false, code };
  }

  /** Who receives new requests of an authority today: the IB, or the deputy during an absence. */
  handlerFor(authority: Authority): Person | undefined {
    return activeHandler(authority, berlinDate(this.now()))?.person;
  }

  /** Recipients of a report: the head and, where configured, the head's office staff; the IB side sees it too. */
  audienceOf(item: ItemDoc): string[] {
    const authority = authorityOf(this.deps.directory(), item.authority);
    if (!authority) return [];
    const ids = new Set<string>();
    const add = (p: Person | null | undefined) => p?.teams?.aadObjectId && ids.add(p.teams.aadObjectId.toLowerCase());
    if (item.kind === 'report') {
      add(authority.head);
      if (authority.headOffice.receivesReports !== false) (authority.headOffice.staff ?? []).forEach(add);
      add(authority.commissioner);
      add(authority.deputy);
    } else {
      add(authority.commissioner);
      add(authority.deputy);
      ids.add(item.createdBy.aadObjectId);
    }
    return [...ids];
  }

  /** Creates a request from the form. */
  async createRequest(caller: Party, input: RequestInput, card?: PostedCard): Promise<Outcome> {
    const now = this.now();
    const today = berlinDate(now);
    const problems: Problem[] = [];
    if (!isAuthorityCode(input.authority)) problems.push({ field: 'authority', code: 'unknown_value' });
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
    const privacy = this.privacyOptions();
    guardField(problems, 'subject', subject, privacy);
    guardField(problems, 'description', body, privacy);
    guardField(problems, 'department', measure?.department, privacy);
    guardField(problems, 'measure', measure?.name, privacy);
    if (problems.length) return { ok: false, code: 'invalid', problems };
    const code = input.authority as AuthorityCode;
    const at = now.toISOString();
    const authority = authorityOf(this.deps.directory(), code);
    const handler = authority ? this.handlerFor(authority)?.teams?.aadObjectId?.toLowerCase() : undefined;
    const item: ItemDoc = {
      id: `anl-${randomUUID()}`,
      pk: code,
      type: 'item',
      kind: 'request',
      authority: code,
      rev: 1,
      status: 'neu',
      subject,
      body,
      category,
      ...(deadline ? { deadline } : {}),
      ...(measure ? { measure } : {}),
      linked: [],
      createdBy: caller,
      messages: [],
      participants: [caller.aadObjectId],
      cardsTo: handler && handler !== caller.aadObjectId ? [handler] : [],
      lastChange: { by: caller, action: 'create', at },
      touchedAt: at,
      ...(card ? { requesterCard: card } : {}),
      trail: [{ at, actor: caller.aadObjectId, action: 'request.create', changes: [{ path: '/status', from: null, to: 'neu' }] }],
      owes: this.owes(1, now),
      createdAt: at,
      updatedAt: at,
    };
    const created = await this.repo.create(item);
    await this.ensureReminder(created);
    return { ok: true, item: created, changed: true, roles: this.rolesFor(caller.aadObjectId, created) };
  }

  /** One job per request, scheduled once (idempotent): when it fires it looks at the item's latest change and moves itself on. */
  async ensureReminder(item: ItemDoc): Promise<void> {
    if (item.kind !== 'request' || !isOpen(item)) return;
    await this.deps.scheduler.schedule({
      key: `item:${item.id}:reminder`,
      kind: JOB_KINDS.remind,
      dueAt: this.dueAt(berlinDate(new Date(item.createdAt)), this.deps.settings.reminderWorkingDays),
      payload: { id: item.id, authority: item.authority },
    });
  }

  /** Registers a report to the head (IB or deputy of the authority only), optionally carrying a request. */
  async createReport(caller: Party, input: ReportInput): Promise<Outcome> {
    const now = this.now();
    const directory = this.deps.directory();
    const roles = rolesOf(directory, caller.aadObjectId);
    const own = [...roles.commissionerOf, ...roles.deputyOf];
    const code = isAuthorityCode(input.authority) ? input.authority : own[0];
    if (!code || !isCommissionerSide(roles, code)) return this.refuse('forbidden', caller.aadObjectId, 'report.create');
    const problems: Problem[] = [];
    const subject = field(problems, 'subject', cleanText(input.subject), LIMITS.subject);
    const body = field(problems, 'summary', cleanText(input.summary, true), LIMITS.description);
    const urgencyRaw = input.urgency || 'normal';
    const urgency = (URGENCIES as readonly string[]).includes(urgencyRaw) ? (urgencyRaw as Urgency) : undefined;
    if (!urgency) problems.push({ field: 'urgency', code: 'unknown_value' });
    const proposedDates = field(problems, 'proposedDates', cleanText(input.proposedDates), LIMITS.proposedDates, false);
    const privacy = this.privacyOptions();
    for (const [name, value] of [['subject', subject], ['summary', body], ['proposedDates', proposedDates]] as const) guardField(problems, name, value, privacy);
    let linkedRequest: Versioned<ItemDoc> | undefined;
    if (input.linkedRequestId) {
      linkedRequest = await this.repo.get(code, input.linkedRequestId);
      if (!linkedRequest || linkedRequest.kind !== 'request') return this.refuse('not_found', caller.aadObjectId, 'report.create', input.linkedRequestId);
    }
    if (problems.length) return { ok: false, code: 'invalid', problems };
    const at = now.toISOString();
    const item: ItemDoc = {
      id: `vtr-${randomUUID()}`,
      pk: code,
      type: 'item',
      kind: 'report',
      authority: code,
      rev: 1,
      status: 'eingereicht',
      subject,
      body,
      urgency,
      ...(proposedDates ? { proposedDates } : {}),
      linked: linkedRequest ? [linkedRequest.id] : [],
      createdBy: caller,
      messages: [],
      participants: [caller.aadObjectId],
      cardsTo: [],
      lastChange: { by: caller, action: 'create', at },
      touchedAt: at,
      trail: [{ at, actor: caller.aadObjectId, action: 'report.create', changes: [{ path: '/status', from: null, to: 'eingereicht' }] }],
      owes: this.owes(1, now),
      createdAt: at,
      updatedAt: at,
    };
    item.cardsTo = this.audienceOf(item).filter((id) => id !== caller.aadObjectId && this.rolesFor(id, item).headSide);
    const created = await this.repo.create(item);
    if (linkedRequest) {
      await this.mutate(caller, { id: linkedRequest.id, authority: code }, undefined, 'request.escalate', (current, r) => {
        if (!r.commissioner) return 'forbidden';
        if (!isOpen(current) || current.linked.includes(item.id)) return undefined;
        return { ...current, status: 'eskaliert', linked: [...current.linked, item.id] };
      });
    }
    return { ok: true, item: created, changed: true, roles: this.rolesFor(caller.aadObjectId, created) };
  }

  /** An item for a viewer who may see it (need to know); refused and logged otherwise. */
  async view(aadObjectId: string, ref: { id: string; authority: string }): Promise<ItemView | Refusal> {
    if (!isAuthorityCode(ref.authority)) return this.refuse('not_found', aadObjectId, 'view', ref.id);
    const item = await this.repo.get(ref.authority, ref.id);
    if (!item) return this.refuse('not_found', aadObjectId, 'view', ref.id);
    const roles = this.rolesFor(aadObjectId, item);
    if (!this.mayView(roles)) return this.refuse('forbidden', aadObjectId, 'view', ref.id);
    return { item, roles };
  }

  /**
   * Carries out one action on an item at the revision the caller's card showed. A stale revision (someone else
   * acted, a double click, Teams delivering the same invoke twice) changes nothing and returns the current item.
   */
  async act(caller: Party, ref: { id: string; authority: string }, rev: number, action: RequestAction): Promise<Outcome> {
    const today = berlinDate(this.now());
    let problems: Problem[] = [];
    const text = 'text' in action ? cleanText(action.text, true) : '';
    if (action.type === 'ask' || action.type === 'answer' || action.type === 'reply') field(problems, 'text', text, LIMITS.text);
    let decision: ReportDecision | undefined;
    if (action.type === 'decide') {
      decision = (REPORT_DECISIONS as readonly string[]).includes(action.decision) ? (action.decision as ReportDecision) : undefined;
      if (!decision) problems.push({ field: 'decision', code: 'unknown_value' });
      if (decision === 'termin') {
        dateField(problems, 'date', action.date, today, true);
        if (!TIME.test((action.time ?? '').trim())) problems.push({ field: 'time', code: action.time ? 'bad_time' : 'missing' });
      }
      field(problems, 'text', text, LIMITS.text, decision === 'ablehnen' || decision === 'weisung');
    }
    guardField(problems, 'text', text, this.privacyOptions());
    if (problems.length) return { ok: false, code: 'invalid', problems };
    problems = [];

    const verb = action.type === 'decide' ? 'report.decide' : `request.${action.type}`;
    return this.mutate(caller, ref, rev, verb, (current, r) => {
      const at = this.now().toISOString();
      const msg = (kind: 'rueckfrage' | 'antwort' | 'nachtrag') => [...current.messages, { at, by: caller, kind, text }];
      const status = current.status as RequestStatus;
      if (action.type === 'decide') {
        if (current.kind !== 'report' || !r.decider) return 'forbidden';
        if (current.status !== 'eingereicht') return 'stale';
        return {
          ...current,
          status: DECISION_STATUS[decision!],
          decision: {
            kind: decision!,
            by: caller,
            at,
            ...(decision === 'termin' ? { date: action.date!.trim(), time: action.time!.trim() } : {}),
            ...(text ? { text } : {}),
          },
        };
      }
      if (current.kind !== 'request') return 'forbidden';
      if (action.type === 'reply') {
        if (!r.requester) return 'forbidden';
        if (status !== 'rueckfrage') return 'stale';
        return { ...current, status: 'in_bearbeitung', messages: msg('nachtrag') };
      }
      if (!r.commissioner) return 'forbidden';
      if (!isOpen(current)) return 'stale';
      const handler = current.handler ?? caller;
      switch (action.type) {
        case 'accept':
          if (status !== 'neu') return 'stale';
          return { ...current, status: 'in_bearbeitung', handler: caller };
        case 'ask':
          return { ...current, status: 'rueckfrage', handler, messages: msg('rueckfrage') };
        case 'answer':
          return { ...current, status: status === 'eskaliert' ? 'eskaliert' : 'in_bearbeitung', handler, messages: msg('antwort') };
        case 'done':
          return { ...current, status: 'erledigt', handler };
      }
    });
  }

  /**
   * Read, check, write with the ETag. `change` returns the next item, `undefined` for "nothing to do", or a refusal.
   * On a write conflict the item is read again and the change decided again on the new state.
   */
  private async mutate(
    caller: Party,
    ref: { id: string; authority: string },
    rev: number | undefined,
    verb: string,
    change: (current: Versioned<ItemDoc>, roles: ItemRoles) => ItemDoc | undefined | 'forbidden' | 'stale',
  ): Promise<Outcome> {
    if (!isAuthorityCode(ref.authority)) return this.refuse('not_found', caller.aadObjectId, verb, ref.id);
    for (let attempt = 0; ; attempt++) {
      const current = await this.repo.get(ref.authority, ref.id);
      if (!current) return this.refuse('not_found', caller.aadObjectId, verb, ref.id);
      const roles = this.rolesFor(caller.aadObjectId, current);
      if (!this.mayView(roles)) return this.refuse('forbidden', caller.aadObjectId, verb, ref.id);
      if (rev !== undefined && rev !== current.rev) return { ok: false, code: 'stale', item: current, roles };
      const next = change(current, roles);
      if (next === 'forbidden') return this.refuse('forbidden', caller.aadObjectId, verb, ref.id);
      if (next === 'stale') return { ok: false, code: 'stale', item: current, roles };
      if (!next) return { ok: true, item: current, changed: false, roles };
      const now = this.now();
      const at = now.toISOString();
      const closing = isOpen(current) && !isOpen(next);
      const { etag: _etag, ...plain } = current;
      const written: ItemDoc = {
        ...next,
        ...(await this.withEntry(current, { at, actor: caller.aadObjectId, action: verb, changes: [{ path: '/status', from: current.status, to: next.status }] })),
        rev: current.rev + 1,
        updatedAt: at,
        touchedAt: at,
        lastChange: { by: caller, action: verb, at },
        owes: this.owes(current.rev + 1, now),
        participants: current.participants.includes(caller.aadObjectId) ? current.participants : [...current.participants, caller.aadObjectId],
      };
      if (closing) {
        const keepMs = this.deps.settings.retentionDays * DAY_MS;
        written.closedAt = at;
        written.expiresAt = now.getTime() + keepMs;
        // Cosmos TTL is only the backstop: the purge job deletes the item together with its audit trail first.
        written.ttl = Math.round((keepMs + TTL_GRACE_MS) / 1000);
      }
      let saved: Versioned<ItemDoc>;
      try {
        saved = await this.repo.replace(written, current.etag);
      } catch (err) {
        if (err instanceof ConcurrencyError && attempt < 4) continue;
        throw err;
      }
      return { ok: true, item: saved, previous: plain as ItemDoc, changed: true, roles };
    }
  }

  /** 08:00 Berlin (07:00 UTC in winter) of the working day `n` working days after `day`. */
  private dueAt(day: string, n: number): Date {
    return new Date(`${addWorkingDays(day, n)}T07:00:00Z`);
  }

  /**
   * Run by the request's reminder job: re-reads the item and decides from its latest change. Nothing is due when it
   * was touched meanwhile (the job moves to N working days after that change), while a question to the requester
   * is open, or once it is closed (the job ends). Notification keys carry the item's revision, so a repeated run
   * sends nothing twice.
   */
  async reminderDue(payload: { id?: unknown; authority?: unknown }): Promise<{ due?: ReminderDue; next?: Date }> {
    if (typeof payload.id !== 'string' || !isAuthorityCode(payload.authority)) return {};
    const item = await this.repo.get(payload.authority, payload.id);
    if (!item || item.kind !== 'request' || !isOpen(item)) return {};
    const { reminderWorkingDays: n, escalationWorkingDays: m } = this.deps.settings;
    const today = berlinDate(this.now());
    if (item.status === 'rueckfrage') return { next: this.dueAt(today, 1) };
    const touched = berlinDate(new Date(item.touchedAt));
    const waited = workingDaysBetween(touched, today);
    if (waited < n) return { next: this.dueAt(touched, n) };
    const authority = authorityOf(this.deps.directory(), item.authority);
    if (!authority) return {};
    const ids = new Set<string>();
    const add = (id: string | undefined) => id && ids.add(id.toLowerCase());
    add(item.handler?.aadObjectId ?? this.handlerFor(authority)?.teams?.aadObjectId);
    if (waited < m) return { due: { step: 'remind', item, recipients: [...ids] }, next: this.dueAt(touched, m) };
    add(authority.deputy?.teams?.aadObjectId);
    add(authority.commissioner?.teams?.aadObjectId);
    const next = this.dueAt(today, n);
    if (item.escalatedRev === item.rev) return { due: { step: 'escalate', item, recipients: [...ids] }, next };
    const { etag, ...plain } = item;
    try {
      const at = this.now().toISOString();
      const cardsTo = [...new Set([...item.cardsTo, ...ids])];
      const entry = { at, actor: 'system', action: 'request.escalate_deputy', changes: [{ path: '/escalatedAt', from: item.escalatedAt ?? null, to: at }] };
      const saved = await this.repo.replace({ ...plain, ...(await this.withEntry(plain, entry)), escalatedAt: at, escalatedRev: item.rev, cardsTo }, etag);
      return { due: { step: 'escalate', item: saved, recipients: [...ids] }, next };
    } catch (err) {
      // Someone acted at this moment: the item counts from that change now.
      if (!(err instanceof ConcurrencyError)) throw err;
      return { next: this.dueAt(today, 1) };
    }
  }

  /** Requests the person sent, display-ready, newest first. */
  async listForRequester(aadObjectId: string): Promise<ItemSummary[]> {
    return (await this.repo.byCreator(aadObjectId.toLowerCase(), 'request')).map(summaryOf);
  }

  /** Open requests of the authorities where the person is IB or deputy. */
  async inboxFor(aadObjectId: string): Promise<ItemSummary[]> {
    const roles = rolesOf(this.deps.directory(), aadObjectId);
    const codes = [...new Set([...roles.commissionerOf, ...roles.deputyOf])];
    const lists = await Promise.all(codes.map((c) => this.repo.ofAuthority(c, 'request', ['neu', 'in_bearbeitung', 'rueckfrage', 'eskaliert'])));
    return lists.flat().map(summaryOf);
  }

  /** Reports the person may see (need to know): IB and deputy of the authority, the head and the head's office. */
  async reportsFor(aadObjectId: string): Promise<ItemSummary[]> {
    const directory = this.deps.directory();
    const roles = rolesOf(directory, aadObjectId);
    const codes = directory.authorities
      .filter((a) => isCommissionerSide(roles, a.code) || isHeadSide(roles, a) || mayDecideReports(roles, a))
      .map((a) => a.code);
    const lists = await Promise.all(codes.map((c) => this.repo.ofAuthority(c, 'report')));
    return lists.flat().map(summaryOf);
  }

  /** The audit trail of one item for someone who may see the item. */
  async trail(aadObjectId: string, ref: { id: string; authority: string }): Promise<{ view: ItemView; entries: AuditEntry[] } | Refusal> {
    const view = await this.view(aadObjectId, ref);
    if (!('item' in view)) return view;
    return { view, entries: await this.entriesOf(view.item) };
  }

  /** The whole trail of an item as audit entries, oldest first: the archived part (if any), then the item's own. */
  async entriesOf(item: ItemDoc): Promise<AuditEntry[]> {
    // The item's partition of the audit container holds its archive and any entries written one document each by
    // builds before the trail moved into the item; those come first.
    const docs = await this.deps.audit.query<AuditEntry | TrailArchiveDoc>(
      { query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: item.id }] },
      { partitionKey: item.id },
    );
    const separate = docs.filter((d): d is AuditEntry => d.type === 'audit').sort((a, b) => a.at.localeCompare(b.at));
    const archive = docs.find((d): d is TrailArchiveDoc => d.type === 'audit-trail');
    const archived = item.trailArchived ? (archive?.entries ?? []).slice(0, item.trailArchived) : [];
    const own = [...archived, ...(item.trail ?? [])].map((e, i) => ({ id: `${item.id}:${i + 1}`, pk: item.id, type: 'audit' as const, itemId: item.id, ...e }));
    return [...separate.map(({ id, pk, type, itemId, actor, action, at, changes }) => ({ id, pk, type, itemId, actor, action, at, changes })), ...own];
  }

  /**
   * The audit trail of every item of the authorities where the caller is IB or deputy, as CSV (one row per entry,
   * cells neutralised against spreadsheet formulas). `delimiter` `;` with `bom` is what German Excel opens directly;
   * the chat shows the RFC 4180 form (`,`).
   */
  async exportCsv(aadObjectId: string, format: { delimiter?: ',' | ';'; bom?: boolean } = {}): Promise<{ authorities: AuthorityCode[]; csv: string; rows: number } | Refusal> {
    const directory = this.deps.directory();
    const roles = rolesOf(directory, aadObjectId);
    const codes = [...new Set([...roles.commissionerOf, ...roles.deputyOf])];
    if (codes.length === 0) return this.refuse('forbidden', aadObjectId, 'export');
    const delimiter = format.delimiter ?? ',';
    const items = (await Promise.all(codes.map((code) => this.repo.ofAuthority(code)))).flat();
    const header = ['item_id', 'authority', 'kind', 'subject', 'status', 'created_at', 'closed_at', 'at', 'actor', 'action', 'from', 'to'];
    const lines = [header.join(delimiter)];
    const names = this.namesOf(items);
    let rows = 0;
    for (const item of items) {
      for (const e of await this.entriesOf(item)) {
        const change = e.changes[0];
        lines.push(
          [item.id, item.authority, item.kind, item.subject, STATUS_LABELS[item.status].de, item.createdAt, item.closedAt ?? '', e.at, names.get(e.actor) ?? e.actor, e.action, change?.from ?? '', change?.to ?? '']
            .map((v) => csvCell(String(v)))
            .join(delimiter),
        );
        rows++;
      }
    }
    return { authorities: codes, csv: (format.bom ? '\uFEFF' : '') + lines.join('\r\n') + '\r\n', rows };
  }

  /** Display names of the people in items, by AAD object id (for the trail). */
  namesOf(items: ItemDoc[]): Map<string, string> {
    const names = new Map<string, string>([['system', 'System']]);
    for (const item of items) {
      for (const p of [item.createdBy, item.handler, item.decision?.by, item.lastChange?.by, ...item.messages.map((m) => m.by)]) {
        if (p) names.set(p.aadObjectId, p.name);
      }
    }
    return names;
  }

  /**
   * "Meine Daten": what the items store about the person, and nothing about anyone else. Items they created show their
   * own fields, status and dates; items they only acted on (as IB, deputy, head) show only their own messages and
   * decision, never the item as it is now (they may no longer hold the role). No one else's ids (`cardsTo`,
   * `participants`, `handler`, card references, `owes`) and no one else's messages.
   */
  async myData(aadObjectId: string): Promise<MyRequestData> {
    const id = aadObjectId.toLowerCase();
    const items = await this.repo.withParticipant(id);
    const keepDays = this.deps.settings.retentionDays;
    const created: MyCreatedItem[] = [];
    const actedOn: MyActedOnItem[] = [];
    for (const item of items) {
      const mine = item.messages.filter((m) => m.by.aadObjectId === id).map(({ at, kind, text }) => ({ at, kind, text }));
      const retention = { open: isOpen(item), ...(item.expiresAt !== undefined ? { deleteAfter: new Date(item.expiresAt).toISOString() } : {}) };
      if (item.createdBy.aadObjectId === id) {
        created.push({
          id: item.id, kind: item.kind, authority: item.authority, subject: item.subject, text: item.body,
          ...(item.category ? { category: item.category } : {}), ...(item.deadline ? { deadline: item.deadline } : {}),
          ...(item.measure ? { measure: item.measure } : {}), ...(item.urgency ? { urgency: item.urgency } : {}),
          ...(item.proposedDates ? { proposedDates: item.proposedDates } : {}),
          status: item.status, createdAt: item.createdAt, updatedAt: item.updatedAt, ...(item.closedAt ? { closedAt: item.closedAt } : {}),
          ...retention, messages: mine,
        });
      } else {
        const decision = item.decision?.by.aadObjectId === id ? item.decision : undefined;
        actedOn.push({
          id: item.id, kind: item.kind, authority: item.authority, ...retention, messages: mine,
          ...(decision ? { decision: { kind: decision.kind, at: decision.at, ...(decision.date ? { date: decision.date } : {}), ...(decision.time ? { time: decision.time } : {}), ...(decision.text ? { text: decision.text } : {}) } } : {}),
        });
      }
    }
    // Everyone who acted on an item is among its participants, so their entries are all in these items' trails.
    const audit = (await Promise.all(items.map((item) => this.entriesOf(item))))
      .flat()
      .filter((e) => e.actor === id)
      .map(({ itemId, action, at, changes }) => ({ itemId, action, at, changes }));
    return { retentionDaysAfterClosing: keepDays, created, actedOn, audit };
  }

  /**
   * Items whose latest change owes notifications that a process other than this one wrote, changed between
   * `sinceMs` and `untilMs` (the sweep's window): the candidates that a process may have died on before enqueueing.
   */
  owedElsewhere(sinceMs: number, untilMs: number, max = 500): Promise<Versioned<ItemDoc>[]> {
    return this.deps.items.query(
      {
        query: 'SELECT * FROM c WHERE c.type = "item" AND IS_DEFINED(c.owes) AND c.owes.atMs >= @since AND c.owes.atMs <= @until AND c.owes.instance != @me',
        parameters: [
          { name: '@since', value: sinceMs },
          { name: '@until', value: untilMs },
          { name: '@me', value: this.instanceId },
        ],
      },
      { maxItems: max },
    );
  }

  /** Removes the marker once its notifications are enqueued; a newer change (ETag conflict) has its own marker. */
  async settleOwed(item: Versioned<ItemDoc>): Promise<void> {
    const { etag, owes: _owes, ...plain } = item;
    try {
      await this.repo.replace(plain as ItemDoc, etag);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }

  /**
   * Deletes closed items past their retention, with their audit trail and the cards and messages they sent (the
   * outbox keeps those with their content); returns how many items went. The item goes last, so an interrupted
   * purge is found again and finished.
   */
  async purgeExpired(): Promise<number> {
    let deleted = 0;
    for (const item of await this.repo.expired(this.now().getTime())) {
      const docs = await this.deps.audit.query<{ id: string; pk: string }>(
        { query: 'SELECT c.id, c.pk FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: item.id }] },
        { partitionKey: item.id },
      );
      await Promise.all(docs.map((d) => this.deps.audit.delete(d.pk, d.id).catch(() => false)));
      await this.deps.outbox?.deleteOwned(`item:${item.id}:`);
      if (await this.repo.delete(item).catch(() => false)) deleted++;
    }
    if (deleted) this.deps.logger.info({ event: 'requests.purged', count: deleted }, 'closed items past retention deleted');
    return deleted;
  }
}

/** One CSV cell, quoted and neutralised against spreadsheet formulas (CSV injection): see services/text/escape.ts. */
export { csvCell };

export type { ItemStatus };
