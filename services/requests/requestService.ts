/**
 * The service of Anliegen and Vortrag, without botbuilder: it loads an item, checks who may act from the stored
 * directory and the item (never from card data), applies the model's transition and stores the change with its ETag
 * together with the notifications it owes (one read, one conditional write: services/workflow/transaction.ts); the
 * relay hands those to `notifications.ts` afterwards. Besides: reminders, the audit trail, CSV export, "Meine Daten"
 * and the retention purge. The Teams side (`bot/handlers/requests.ts`) and the personal tab call this API alike.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditEntry } from '../audit/auditLog';
import { addWorkingDays, workingDaysBetween } from '../calendar/workingDays';
import { berlinParts } from '../common/berlinTime';
import { directoryPrivacyOptions, type PrivacyOptions } from '../answers/privacy';
import type { GroupSnapshot } from '../directory/groupRoles';
import { activeHandler, isCommissionerSide, isHeadSide, mayDecideReports, reportRecipients, rolesOf as directoryRoles } from '../directory/roles';
import { authorityOf, berlinDate, isAuthorityCode, type Authority, type AuthorityCode, type Directory, type Person } from '../directory/model';
import type { Logger } from '../logging';
import type { Outbox } from '../notifications/outbox';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { csvCell } from '../text/escape';
import { outcome, type Outcome, type Refusal, type RefusalCode } from '../workflow/outcome';
import type { Relay } from '../workflow/relay';
import { createWithNotices, transact, type Step, type Transacted, type WorkflowWriter } from '../workflow/transaction';
import { deadlineStepOn, type DeadlineStep } from './deadline';
import { ItemRepository } from './itemRepository';
import {
  awaitsDecision,
  escalateToReport,
  isOpen,
  KFI_AUTHORITY,
  mayView,
  REPORT_TRANSITIONS,
  STATUS_LABELS,
  stamp,
  summaryOf,
  TRAIL_IN_ITEM,
  transition,
  verbOf,
  type ItemDoc,
  type ItemRoles,
  type ItemStatus,
  type ItemSummary,
  type OverdueReason,
  type Party,
  type PostedCard,
  type ReportDecision,
  type RequestCategory,
  type TrailEntry,
  type Urgency,
} from './model';
import { noticesFor, noticesForCreate, noticesForDeadline, noticesForOverdue, noticesForReminder } from './notifications';
import { checkAction, checkReport, checkRequest, cleanText, type ReportInput, type RequestAction, type RequestInput } from './validation';

/** Settings from configuration (REQUEST_REMINDER_WORKING_DAYS, REQUEST_ESCALATION_WORKING_DAYS, REQUEST_RETENTION_DAYS, REPORT_REMINDER_*). */
export interface RequestSettings {
  reminderWorkingDays: number;
  escalationWorkingDays: number;
  retentionDays: number;
  /** A Vortrag without decision: the head (and office) is reminded every N working days (default 5)… */
  reportReminderWorkingDays?: number;
  /** …every N working days when it is "eilig" (default 2)… */
  reportReminderWorkingDaysUrgent?: number;
  /** …every N working days when it is "sehr eilig" (default 1)… */
  reportReminderWorkingDaysVeryUrgent?: number;
  /** …at most this many times per round (default 3). */
  reportReminderMax?: number;
  /** A proposed Vortrag date unanswered this many working days: the side that has to answer is reminded once (default 2). */
  terminReminderWorkingDays?: number;
}

/** Default of REPORT_TERMIN_REMINDER_WORKING_DAYS. */
export const TERMIN_REMINDER_DEFAULT_DAYS = 2;

/** What the reminder about a proposed date came to (the job then ends, or runs again at `next`). */
export interface TerminReminderDue {
  next?: Date;
}

/** Defaults of the report reminders when configuration does not set them. */
export const REPORT_REMINDER_DEFAULTS = { workingDays: 5, workingDaysUrgent: 2, workingDaysVeryUrgent: 1, max: 3 } as const;

export interface RequestServiceDeps {
  items: DocumentStore<ItemDoc>;
  audit: DocumentStore<AuditEntry>;
  /** The current directory (it changes while the service runs). */
  directory: () => Directory;
  /** The members of the Entra groups that hold roles (head offices), when Graph reads them (services/directory/groupRoles.ts). */
  groups?: () => GroupSnapshot;
  /** The workflows' relay: a change kicks it with the written item (its notices ride in the item). */
  relay: Pick<Relay, 'kick' | 'relayed'>;
  /** The outbox, for deleting what an item sent (its cards and messages) together with the item. */
  outbox?: Pick<Outbox, 'deleteOwned'>;
  settings: RequestSettings;
  logger: Logger;
  now?: () => Date;
  /** Trail entries kept in the item; default {@link TRAIL_IN_ITEM}. */
  trailInItem?: number;
}

/** Whether only the IB side takes this report step in any state (`report.handIn`, `report.acknowledge`). */
function ibSideOnly(verb: string): boolean {
  const rows = REPORT_TRANSITIONS.filter((r) => r.verb === verb);
  return rows.length > 0 && rows.every((r) => r.who === 'ibSide');
}

/** The relay source name of the `items` container. */
export const REQUESTS_SOURCE = 'requests';

export type { RequestInput, ReportInput, RequestAction, ItemRoles };
export { cleanText };

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
  /** The person's own messages on it (replies to questions); `file`: the name of a paper sent as a file. */
  messages: Array<{ at: string; kind: ItemDoc['messages'][number]['kind']; text: string; file?: string }>;
  /** An agreed Vortrag date the person cancelled, with the reason they gave. */
  terminCancelled?: { at: string; date: string; time: string; reason?: string };
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
  /** An agreed Vortrag date the person cancelled, with the reason they gave. */
  terminCancelled?: { at: string; date: string; time: string; reason?: string };
}

/** What the items store about one person ("Meine Daten"). */
export interface MyRequestData {
  retentionDaysAfterClosing: number;
  created: MyCreatedItem[];
  actedOn: MyActedOnItem[];
  /** Trail entries of the person's own actions. */
  audit: Array<Pick<AuditEntry, 'itemId' | 'action' | 'at' | 'changes'>>;
}

/** An item as its viewer may see it. */
export interface ItemView {
  item: Versioned<ItemDoc>;
  roles: ItemRoles;
}

/** What a reminder job asks to send without changing the item; undefined when nothing is due. */
export interface ReminderDue {
  /** `remind`: a request's handler; `decide`: a report's head and office, the `round.count`-th time. */
  step: 'remind' | 'decide';
  round?: { count: number; days: number };
  item: Versioned<ItemDoc>;
  /** AAD object ids to notify. */
  recipients: string[];
}

/** What the deadline job asks to send without changing the item (the reminders before and on the Frist day). */
export interface DeadlineDue {
  step: Exclude<DeadlineStep, 'overdue'>;
  item: Versioned<ItemDoc>;
  recipients: string[];
}

/** `sweep` is retired (the relay replaced it); a stored job of that kind just ends. */
export const JOB_KINDS = { remind: 'requests.remind', purge: 'requests.purge', sweep: 'requests.sweep' } as const;

/** The audit container's document holding the entries an item's trail moved out of the item. */
interface TrailArchiveDoc {
  id: string;
  pk: string;
  type: 'audit-trail';
  itemId: string;
  entries: TrailEntry[];
}

type Ref = { id: string; authority: string };

/** Service for Anliegen and Vorträge. */
export class RequestService {
  readonly repo: ItemRepository;
  private readonly now: () => Date;
  private readonly writer: WorkflowWriter;

  constructor(private readonly deps: RequestServiceDeps) {
    this.repo = new ItemRepository(deps.items);
    this.now = deps.now ?? (() => new Date());
    this.writer = { relay: deps.relay, source: REQUESTS_SOURCE, now: () => this.now().getTime() };
  }

  /** The privacy guard's options for the current directory (its mail domains and phone numbers are published). */
  private privacyOptions(): PrivacyOptions {
    const directory = this.deps.directory();
    if (this.privacyFor?.directory !== directory) this.privacyFor = { directory, options: directoryPrivacyOptions(directory) };
    return this.privacyFor.options;
  }

  private privacyFor: { directory: Directory; options: PrivacyOptions } | undefined;

  /**
   * Beyond {@link TRAIL_IN_ITEM} entries the older ones of the item's trail move to its archive document first
   * (idempotent: the archive is rebuilt from the count the item records, so a retried change after a write conflict
   * archives nothing twice). Rare: once every fifty changes of one item.
   */
  private async archived(item: ItemDoc): Promise<ItemDoc> {
    const keep = this.deps.trailInItem ?? TRAIL_IN_ITEM;
    const trail = item.trail ?? [];
    if (trail.length <= keep) return item;
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
    return { ...item, trail: trail.slice(move), trailArchived: archived + move };
  }

  /** The service's clock (injected in tests). */
  currentTime(): Date {
    return this.now();
  }

  /** Roles from the directory and the role groups' members. */
  private rolesOf(directory: Directory, aadObjectId: string) {
    return directoryRoles(directory, aadObjectId, this.deps.groups?.());
  }

  /** The caller's relation to an item, from the stored directory and the item. */
  rolesFor(aadObjectId: string, item: ItemDoc): ItemRoles {
    const directory = this.deps.directory();
    const authority = authorityOf(directory, item.authority);
    const roles = this.rolesOf(directory, aadObjectId);
    // A request to the KfI is handled by the KfI's members, and by nobody of the IB side (need to know).
    const commissioner = item.recipient === 'kfi' ? item.kind === 'request' && roles.kfi : isCommissionerSide(roles, item.authority);
    const headSide = item.kind === 'report' && !!authority && isHeadSide(roles, authority);
    const decider = item.kind === 'report' && !!authority && mayDecideReports(roles, authority);
    return { requester: item.kind === 'request' && item.createdBy.aadObjectId === aadObjectId, commissioner, headSide: headSide || decider, decider };
  }

  private refuse(code: RefusalCode, aadObjectId: string, what: string, id?: string, reason?: string): Refusal {
    // Ids and codes only: a forged card names an item and an action, nothing else goes to the log.
    this.deps.logger.warn({ event: 'requests.refused', code, action: what, itemId: id, actor: aadObjectId }, 'request action refused');
    return outcome.refuse(code, reason);
  }

  /** Who receives new requests of an authority today: the IB, or the deputy during an absence. */
  handlerFor(authority: Authority): Person | undefined {
    return activeHandler(authority, berlinDate(this.now()))?.person;
  }

  /** The KfI's members (RdErl. Nr. 6): its contacts in the directory and the members of its Entra group, lower-case. */
  kfiMembers(): string[] {
    const ids = this.deps.directory().kfi.contacts.map((p) => p.teams?.aadObjectId?.toLowerCase());
    return [...new Set([...ids, ...(this.deps.groups?.().kfi ?? [])].filter((x): x is string => !!x))];
  }

  /** Recipients of a report: the head and, where configured, the head's office staff; the IB side sees it too. */
  audienceOf(item: ItemDoc): string[] {
    if (item.recipient === 'kfi') return [...new Set([...this.kfiMembers(), item.createdBy.aadObjectId])];
    const authority = authorityOf(this.deps.directory(), item.authority);
    if (!authority) return [];
    const ids = new Set<string>();
    const add = (p: Person | null | undefined) => p?.teams?.aadObjectId && ids.add(p.teams.aadObjectId.toLowerCase());
    if (item.kind === 'report') {
      // The head, then the office (listed staff and the members of its group) where it receives reports.
      for (const id of reportRecipients(authority, this.deps.groups?.())) ids.add(id);
      add(authority.commissioner);
      add(authority.deputy);
    } else {
      add(authority.commissioner);
      add(authority.deputy);
      ids.add(item.createdBy.aadObjectId);
    }
    return [...ids];
  }

  /** Creates a request from the form: one write, carrying its cards and reminder job as notices. */
  async createRequest(caller: Party, input: RequestInput, card?: PostedCard): Promise<Outcome<ItemView>> {
    const now = this.now();
    const checked = checkRequest(input, berlinDate(now), this.privacyOptions());
    if (!checked.ok) return outcome.invalid(checked.problems);
    const { authority: code, ...fields } = checked.value;
    const at = now.toISOString();
    const authority = authorityOf(this.deps.directory(), code);
    // To the KfI: every member gets the card (whoever takes it over handles it); else the IB, or the deputy while absent.
    const handlers = fields.recipient === 'kfi' ? this.kfiMembers() : [authority ? this.handlerFor(authority)?.teams?.aadObjectId?.toLowerCase() : undefined];
    const item: ItemDoc = {
      id: `anl-${randomUUID()}`,
      pk: code,
      type: 'item',
      kind: 'request',
      authority: code,
      rev: 1,
      status: 'neu',
      ...fields,
      linked: [],
      createdBy: caller,
      messages: [],
      participants: [caller.aadObjectId],
      cardsTo: handlers.filter((h): h is string => !!h && h !== caller.aadObjectId),
      lastChange: { by: caller, action: 'create', at },
      touchedAt: at,
      ...(card ? { requesterCard: card } : {}),
      trail: [{ at, actor: caller.aadObjectId, action: 'request.create', changes: [{ path: '/status', from: null, to: 'neu' }] }],
      createdAt: at,
      updatedAt: at,
    };
    const created = await createWithNotices(this.deps.items, item, noticesForCreate(item), this.writer);
    return outcome.done({ item: created, roles: this.rolesFor(caller.aadObjectId, created) });
  }

  /**
   * When an item's reminder job first runs, 08:00 Berlin: a request N working days after its creation; a report its
   * interval (by urgency) after it began to wait for the decision (registered, or the paper handed in).
   */
  reminderDueAt(item: ItemDoc): Date {
    if (item.kind === 'report') return this.dueAt(berlinDate(new Date(item.touchedAt)), this.reportInterval(item));
    return this.dueAt(berlinDate(new Date(item.createdAt)), this.deps.settings.reminderWorkingDays);
  }

  /** Working days between reminders of a report, one setting per urgency: fewer when it is "eilig", fewest when "sehr eilig". */
  private reportInterval(item: ItemDoc): number {
    const s = this.deps.settings;
    if (item.urgency === 'sehr_eilig') return s.reportReminderWorkingDaysVeryUrgent ?? REPORT_REMINDER_DEFAULTS.workingDaysVeryUrgent;
    if (item.urgency === 'eilig') return s.reportReminderWorkingDaysUrgent ?? REPORT_REMINDER_DEFAULTS.workingDaysUrgent;
    return s.reportReminderWorkingDays ?? REPORT_REMINDER_DEFAULTS.workingDays;
  }

  /**
   * A report's reminder job: while it waits for the decision, the head and the office that receives reports are
   * reminded every interval of working days since it began to wait (`touchedAt`: only the decision or the paper
   * changes a report then), at most `reportReminderMax` times; the job ends with the decision. The `count`-th
   * reminder has its own key, so a repeated run sends nothing twice; a run that comes late sends only the latest due.
   */
  private reportReminderDue(item: Versioned<ItemDoc>): { due?: ReminderDue; next?: Date } {
    if (!awaitsDecision(item)) return {};
    const authority = authorityOf(this.deps.directory(), item.authority);
    if (!authority) return {};
    const n = this.reportInterval(item);
    const max = this.deps.settings.reportReminderMax ?? REPORT_REMINDER_DEFAULTS.max;
    const since = berlinDate(new Date(item.touchedAt));
    const waited = workingDaysBetween(since, berlinDate(this.now()));
    const count = Math.min(Math.floor(waited / n), max);
    const next = count < max ? this.dueAt(since, (count + 1) * n) : undefined;
    if (count === 0) return { next: next! };
    const recipients = reportRecipients(authority, this.deps.groups?.()).map((id) => id.toLowerCase());
    return { due: { step: 'decide', item, recipients, round: { count, days: count * n } }, ...(next ? { next } : {}) };
  }

  /** When the reminder about a proposed Vortrag date is due: 08:00 Berlin, N working days after the proposal. */
  terminReminderDueAt(item: ItemDoc): Date {
    return this.dueAt(berlinDate(new Date(item.touchedAt)), this.deps.settings.terminReminderWorkingDays ?? TERMIN_REMINDER_DEFAULT_DAYS);
  }

  /**
   * The reminder about a proposed Vortrag date (job `requests.terminRemind`, one per proposal: `payload.rev` is the
   * revision that made it). While that proposal is still unanswered after N working days (NRW holidays counted out),
   * the side that has to answer it is reminded once: the IB who registered the report for the head side's proposal,
   * the head and the office staff who receive reports for the IB's. The trail entry, the mark and the messages are one
   * conditional write without a new revision (cards stay valid), so a second process or a repeated run sends nothing
   * twice. Nothing once the proposal is answered (any step makes a new revision).
   */
  /**
   * What came of the paper file offered to one person of the head side (bot/handlers/paperFiles.ts): a trail entry on
   * the Vortrag (`report.paperFile`, the person, taken into their OneDrive or declined), so the IB side sees in the
   * trail that the paper arrived. No change of state or revision; nothing when the Vortrag does not name the file.
   */
  async notePaperFile(ref: { authority: AuthorityCode; id: string }, fileId: string, actor: string, outcome: 'delivered' | 'declined'): Promise<void> {
    await transact(
      this.deps.items,
      ref.authority,
      ref.id,
      async (current): Promise<Step<ItemDoc>> => {
        if (!current.messages.some((m) => m.file?.id === fileId)) return { unchanged: true };
        const entry: TrailEntry = { at: this.now().toISOString(), actor, action: 'report.paperFile', changes: [{ path: '/messages/file', from: 'offered', to: outcome }] };
        return { next: await this.archived({ ...current, trail: [...(current.trail ?? []), entry] }), notices: [] };
      },
      this.writer,
    );
  }

  async terminReminderDue(payload: { id?: unknown; authority?: unknown; rev?: unknown }): Promise<TerminReminderDue> {
    if (typeof payload.id !== 'string' || !isAuthorityCode(payload.authority) || typeof payload.rev !== 'number') return {};
    const rev = payload.rev;
    const waiting = (i: ItemDoc) => i.kind === 'report' && i.rev === rev && (i.status === 'termin_vorgeschlagen' || i.status === 'termin_gegenvorschlag') && !!i.termin && !i.termin.remindedAt;
    const item = await this.repo.get(payload.authority, payload.id);
    if (!item || !waiting(item)) return {};
    const n = this.deps.settings.terminReminderWorkingDays ?? TERMIN_REMINDER_DEFAULT_DAYS;
    const since = berlinDate(new Date(item.touchedAt));
    const days = workingDaysBetween(since, berlinDate(this.now()));
    if (days < n) return { next: this.dueAt(since, n) };
    const authority = authorityOf(this.deps.directory(), item.authority);
    if (!authority) return {};
    await transact(
      this.deps.items,
      item.pk,
      item.id,
      async (current): Promise<Step<ItemDoc>> => {
        if (!waiting(current)) return { unchanged: true };
        const recipients = current.status === 'termin_vorgeschlagen' ? [current.createdBy.aadObjectId.toLowerCase()] : reportRecipients(authority, this.deps.groups?.()).map((id) => id.toLowerCase());
        const at = this.now().toISOString();
        const termin = current.termin!;
        const entry: TrailEntry = { at, actor: 'system', action: 'report.terminReminder', changes: [{ path: '/termin/remindedAt', from: null, to: `${termin.date}T${termin.time}` }] };
        const next = await this.archived({ ...current, termin: { ...termin, remindedAt: at }, trail: [...(current.trail ?? []), entry] });
        const data = { text: 'meetingRemind', status: current.status, date: termin.date, time: termin.time, days };
        return { next, notices: recipients.map((id) => ({ key: `item:${current.id}:r${current.rev}:termin-remind:${id}`, kind: 'message', to: [id], data, rev: current.rev })) };
      },
      this.writer,
    );
    return {};
  }

  /** Registers a report to the head (IB or deputy of the authority only), optionally carrying a request. */
  async createReport(caller: Party, input: ReportInput, card?: PostedCard): Promise<Outcome<ItemView>> {
    const now = this.now();
    const roles = this.rolesOf(this.deps.directory(), caller.aadObjectId);
    const own = [...roles.commissionerOf, ...roles.deputyOf];
    const code = isAuthorityCode(input.authority) ? input.authority : own[0];
    if (!code || !isCommissionerSide(roles, code)) return this.refuse('forbidden', caller.aadObjectId, 'report.create');
    const checked = checkReport(input, this.privacyOptions());
    let linkedRequest: Versioned<ItemDoc> | undefined;
    if (input.linkedRequestId) {
      linkedRequest = await this.repo.get(code, input.linkedRequestId);
      if (!linkedRequest || linkedRequest.kind !== 'request' || linkedRequest.recipient) return this.refuse('not_found', caller.aadObjectId, 'report.create', input.linkedRequestId);
    }
    if (!checked.ok) return outcome.invalid(checked.problems);
    const at = now.toISOString();
    const item: ItemDoc = {
      id: `vtr-${randomUUID()}`,
      pk: code,
      type: 'item',
      kind: 'report',
      authority: code,
      rev: 1,
      status: 'eingereicht',
      ...checked.value,
      linked: linkedRequest ? [linkedRequest.id] : [],
      createdBy: caller,
      // The IB's own card (the form answered in place): updated with every step, as the requester's card of an Anliegen.
      ...(card ? { requesterCard: card } : {}),
      messages: [],
      participants: [caller.aadObjectId],
      cardsTo: [],
      lastChange: { by: caller, action: 'create', at },
      touchedAt: at,
      trail: [{ at, actor: caller.aadObjectId, action: 'report.create', changes: [{ path: '/status', from: null, to: 'eingereicht' }] }],
      createdAt: at,
      updatedAt: at,
    };
    item.cardsTo = this.audienceOf(item).filter((id) => id !== caller.aadObjectId && this.rolesFor(id, item).headSide);
    const created = await createWithNotices(this.deps.items, item, noticesForCreate(item), this.writer);
    if (linkedRequest) {
      await this.change(caller, { id: linkedRequest.id, authority: code }, 'request.escalate', (current, r) => escalateToReport(current, r, item.id));
    }
    return outcome.done({ item: created, roles: this.rolesFor(caller.aadObjectId, created) });
  }

  /** An item for a viewer who may see it (need to know); refused and logged otherwise. */
  async view(aadObjectId: string, ref: Ref): Promise<ItemView | Refusal> {
    if (!isAuthorityCode(ref.authority)) return this.refuse('not_found', aadObjectId, 'view', ref.id);
    const item = await this.repo.get(ref.authority, ref.id);
    if (!item) return this.refuse('not_found', aadObjectId, 'view', ref.id);
    const roles = this.rolesFor(aadObjectId, item);
    if (!mayView(roles)) return this.refuse('forbidden', aadObjectId, 'view', ref.id);
    return { item, roles };
  }

  /**
   * Carries out one action on an item at the revision the caller's card showed. A stale revision (someone else
   * acted, a double click, Teams delivering the same invoke twice) changes nothing and returns the current item.
   */
  async act(caller: Party, ref: Ref, rev: number, action: RequestAction): Promise<Outcome<ItemView>> {
    const now = berlinParts(this.now());
    const checked = checkAction(action, now.date, this.privacyOptions(), now.time);
    if (!checked.ok) return outcome.invalid(checked.problems);
    const act = checked.value;
    return this.change(caller, ref, verbOf(act), (current, roles) => {
      if (current.rev !== rev) return { stale: true };
      const t = transition(current, roles, caller, act, this.now().toISOString());
      // An agreed date gets the unguessable part of its .ics link with the agreement (the model stays pure).
      if ('next' in t && t.next.termin?.agreed && !t.next.termin.icsToken) t.next.termin = { ...t.next.termin, icsToken: randomBytes(16).toString('base64url') };
      return t;
    });
  }

  /**
   * The one path of a change: read, check that the caller may see the item, decide, stamp (revision, trail, dates)
   * and write with the ETag together with the notices the change owes (services/workflow/transaction.ts).
   */
  private async change(caller: Party, ref: Ref, verb: string, decide: (current: ItemDoc, roles: ItemRoles) => ReturnType<typeof transition>): Promise<Outcome<ItemView>> {
    if (!isAuthorityCode(ref.authority)) return this.refuse('not_found', caller.aadObjectId, verb, ref.id);
    let roles: ItemRoles | undefined;
    const result: Transacted<ItemDoc> = await transact(
      this.deps.items,
      ref.authority,
      ref.id,
      async (current): Promise<Step<ItemDoc>> => {
        roles = this.rolesFor(caller.aadObjectId, current);
        if (!mayView(roles)) return { refuse: outcome.refuse('forbidden') };
        const t = decide(current, roles);
        // A step only the IB side takes (the paper, the Weisung's acknowledgement), tried by the head side: the refusal says so.
        if ('refuse' in t) return { refuse: outcome.refuse(t.refuse, current.kind === 'report' && ibSideOnly(verb) ? 'ibSideOnly' : undefined) };
        if ('stale' in t || 'unchanged' in t) return t;
        const next = await this.archived(stamp(current, t.next, caller, verb, this.now(), this.deps.settings.retentionDays));
        return { next, notices: noticesFor(current, next, caller.aadObjectId) };
      },
      this.writer,
    );
    switch (result.kind) {
      case 'missing':
        return this.refuse('not_found', caller.aadObjectId, verb, ref.id);
      case 'refused':
        return result.refusal.code === 'invalid' ? result.refusal : this.refuse(result.refusal.code, caller.aadObjectId, verb, ref.id, result.refusal.reason);
      case 'stale':
        return outcome.stale({ item: result.current, roles: roles! });
      case 'unchanged':
        return outcome.done({ item: result.current, roles: roles! }, false);
      case 'written':
        return outcome.done({ item: result.doc, roles: roles! });
    }
  }

  /** 08:00 Berlin (07:00 UTC in winter) of the working day `n` working days after `day`. */
  private dueAt(day: string, n: number): Date {
    return new Date(`${addWorkingDays(day, n)}T07:00:00Z`);
  }

  /**
   * Run by the request's reminder job: re-reads the item and decides from its latest change. Nothing is due when it
   * was touched meanwhile (the job moves to N working days after that change), while a question to the requester
   * is open, or once it is closed (the job ends). After N working days the handler is reminded (`due`: the job sends
   * it); after M the item goes to the deputy as well, written with its notices like any change. Notification keys
   * carry the item's revision, so a repeated run sends nothing twice.
   */
  async reminderDue(payload: { id?: unknown; authority?: unknown }): Promise<{ due?: ReminderDue; next?: Date }> {
    if (typeof payload.id !== 'string' || !isAuthorityCode(payload.authority)) return {};
    const item = await this.repo.get(payload.authority, payload.id);
    if (item?.kind === 'report') return this.reportReminderDue(item);
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
    const kfi = item.recipient === 'kfi';
    // A request to the KfI nobody took over reminds every member; after M working days all of them are told.
    if (kfi && !item.handler) this.kfiMembers().forEach(add);
    else add(item.handler?.aadObjectId ?? this.handlerFor(authority)?.teams?.aadObjectId);
    if (waited < m) return { due: { step: 'remind', item, recipients: [...ids] }, next: this.dueAt(touched, m) };
    if (kfi) this.kfiMembers().forEach(add);
    else {
      add(authority.deputy?.teams?.aadObjectId);
      add(authority.commissioner?.teams?.aadObjectId);
    }
    const next = this.dueAt(today, n);
    if (item.escalatedRev === item.rev) return { next };
    const recipients = [...ids];
    const result = await transact(
      this.deps.items,
      item.pk,
      item.id,
      async (current): Promise<Step<ItemDoc>> => {
        // Someone acted at this moment: the item counts from that change now.
        if (current.rev !== item.rev || current.escalatedRev === current.rev) return { unchanged: true };
        const at = this.now().toISOString();
        const entry = { at, actor: 'system', action: 'request.escalate_deputy', changes: [{ path: '/escalatedAt', from: current.escalatedAt ?? null, to: at }] };
        const escalated = await this.archived({ ...current, trail: [...(current.trail ?? []), entry], escalatedAt: at, escalatedRev: current.rev, cardsTo: [...new Set([...current.cardsTo, ...recipients])] });
        return { next: escalated, notices: noticesForReminder(current, 'escalate', recipients) };
      },
      this.writer,
    );
    return result.kind === 'written' ? { next } : { next: this.dueAt(today, 1) };
  }

  /**
   * Run by the request's deadline job (see `deadline.ts`): re-reads the item and decides from its Frist and today's
   * Berlin date. The reminders before and on the day change nothing in the item (`due`: the job sends them, keyed once
   * per item and step). Past the Frist the request goes to the deputy (or whom `deadline.ts` names) once: the marker,
   * the trail entry and the notices in one conditional write, so a second process or a repeated run finds it done.
   * Nothing once it is closed or has no Frist; while a question to the requester is open, nothing until they reply.
   */
  async deadlineDue(payload: { id?: unknown; authority?: unknown }): Promise<{ due?: DeadlineDue; next?: Date }> {
    if (typeof payload.id !== 'string' || !isAuthorityCode(payload.authority)) return {};
    const item = await this.repo.get(payload.authority, payload.id);
    if (!item || item.kind !== 'request' || !item.deadline || !isOpen(item) || item.overdue) return {};
    const today = berlinDate(this.now());
    const { step, next } = deadlineStepOn(item.deadline, berlinDate(new Date(item.createdAt)), today);
    if (item.status === 'rueckfrage') return { next: next ?? this.dueAt(today, 1) };
    if (!step) return next ? { next } : {};
    if (step !== 'overdue') return { due: { step, item, recipients: this.handlersOf(item) }, ...(next ? { next } : {}) };
    const result = await transact(
      this.deps.items,
      item.pk,
      item.id,
      async (current): Promise<Step<ItemDoc>> => {
        // Closed, answered back or marked meanwhile (another process): nothing to do.
        if (!isOpen(current) || current.overdue || current.status === 'rueckfrage') return { unchanged: true };
        const { to, reason } = this.overdueRecipients(current);
        const at = this.now().toISOString();
        const overdue = { at, to, reason };
        const entry: TrailEntry = { at, actor: 'system', action: 'request.overdue', changes: [{ path: '/overdue', from: null, to: overdue }] };
        const marked = await this.archived({ ...current, overdue, trail: [...(current.trail ?? []), entry], cardsTo: [...new Set([...current.cardsTo, ...to])] });
        return { next: marked, notices: noticesForOverdue(marked, to) };
      },
      this.writer,
    );
    if (result.kind === 'written' || result.kind === 'missing') return {};
    // A question to the requester opened at this moment: try again the next working day.
    return result.kind === 'unchanged' && isOpen(result.current) && !result.current.overdue ? { next: this.dueAt(today, 1) } : {};
  }

  /** Who handles a request now: the handler; before anyone took it over, the IB (the deputy while absent), or every KfI member. */
  private handlersOf(item: ItemDoc): string[] {
    if (item.handler) return [item.handler.aadObjectId.toLowerCase()];
    if (item.recipient === 'kfi') return this.kfiMembers();
    const authority = authorityOf(this.deps.directory(), item.authority);
    const id = authority ? this.handlerFor(authority)?.teams?.aadObjectId?.toLowerCase() : undefined;
    return id ? [id] : [];
  }

  /**
   * Where an overdue request goes (see `deadline.ts`): the deputy; the IB when the deputy handles it; the other KfI
   * members for a request to the KfI; else the handler themselves (no one else is set).
   */
  private overdueRecipients(item: ItemDoc): { to: string[]; reason: OverdueReason } {
    const handlers = this.handlersOf(item);
    const others = (ids: Array<string | undefined>) => [...new Set(ids.filter((x): x is string => !!x).map((x) => x.toLowerCase()))].filter((id) => !handlers.includes(id));
    if (item.recipient === 'kfi') {
      // Taken over: the other members; nobody took it over: every member, who all have its card.
      const to = item.handler ? others(this.kfiMembers()) : handlers;
      return to.length ? { to, reason: 'kfi' } : { to: handlers, reason: 'handler' };
    }
    const authority = authorityOf(this.deps.directory(), item.authority);
    const deputy = others([authority?.deputy?.teams?.aadObjectId]);
    if (deputy.length) return { to: deputy, reason: 'deputy' };
    const commissioner = others([authority?.commissioner?.teams?.aadObjectId]);
    if (commissioner.length) return { to: commissioner, reason: 'commissioner' };
    return { to: handlers, reason: 'handler' };
  }

  /** Requests the person sent, display-ready, newest first. */
  async listForRequester(aadObjectId: string): Promise<ItemSummary[]> {
    const today = berlinDate(this.now());
    return (await this.repo.byCreator(aadObjectId.toLowerCase(), 'request')).map((i) => summaryOf(i, today));
  }

  /**
   * Open requests of the authorities where the person is IB or deputy, and for a member of the KfI the requests to the
   * KfI (never the other way round: an IB of Arnsberg does not see what went to the KfI).
   */
  async inboxFor(aadObjectId: string): Promise<ItemSummary[]> {
    const roles = this.rolesOf(this.deps.directory(), aadObjectId);
    const codes = [...new Set([...roles.commissionerOf, ...roles.deputyOf])];
    const open = (c: AuthorityCode) => this.repo.ofAuthority(c, 'request', ['neu', 'in_bearbeitung', 'rueckfrage', 'eskaliert']);
    const lists = await Promise.all(codes.map(async (c) => (await open(c)).filter((i) => !i.recipient)));
    if (roles.kfi) lists.push((await open(KFI_AUTHORITY)).filter((i) => i.recipient === 'kfi'));
    const today = berlinDate(this.now());
    return lists.flat().map((i) => summaryOf(i, today));
  }

  /** Whether the person receives requests to the KfI (a member of the KfI by the directory or its Entra group). */
  isKfi(aadObjectId: string): boolean {
    return this.rolesOf(this.deps.directory(), aadObjectId).kfi;
  }

  /** Reports the person may see (need to know): IB and deputy of the authority, the head and the head's office. */
  async reportsFor(aadObjectId: string): Promise<ItemSummary[]> {
    const directory = this.deps.directory();
    const roles = this.rolesOf(directory, aadObjectId);
    const codes = directory.authorities
      .filter((a) => isCommissionerSide(roles, a.code) || isHeadSide(roles, a) || mayDecideReports(roles, a))
      .map((a) => a.code);
    const lists = await Promise.all(codes.map((c) => this.repo.ofAuthority(c, 'report')));
    return lists.flat().map((i) => summaryOf(i));
  }

  /**
   * The Vorträge waiting for a paper from this person (status `schriftlich`, the person on its IB side by the stored
   * directory), oldest first; and whether the person is on any authority's IB side at all. For a file sent in the
   * personal chat (`report.handInFile`): only these may take it.
   */
  async papersAwaitedFrom(aadObjectId: string): Promise<{ ibSide: boolean; items: Array<Versioned<ItemDoc>> }> {
    const roles = this.rolesOf(this.deps.directory(), aadObjectId);
    const codes = [...new Set([...roles.commissionerOf, ...roles.deputyOf])];
    const lists = await Promise.all(codes.map((c) => this.repo.ofAuthority(c, 'report', ['schriftlich'])));
    const items = lists.flat().filter((i) => this.rolesFor(aadObjectId, i).commissioner).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return { ibSide: codes.length > 0, items };
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
    const roles = this.rolesOf(directory, aadObjectId);
    const codes = [...new Set([...roles.commissionerOf, ...roles.deputyOf])];
    if (codes.length === 0) return this.refuse('forbidden', aadObjectId, 'export');
    const delimiter = format.delimiter ?? ',';
    // The KfI's requests are the KfI's: not part of the Arnsberg IB's trail.
    const items = (await Promise.all(codes.map((code) => this.repo.ofAuthority(code)))).flat().filter((i) => !i.recipient);
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
   * `participants`, `handler`, card references, pending notifications) and no one else's messages.
   */
  async myData(aadObjectId: string): Promise<MyRequestData> {
    const id = aadObjectId.toLowerCase();
    const items = await this.repo.withParticipant(id);
    const keepDays = this.deps.settings.retentionDays;
    const created: MyCreatedItem[] = [];
    const actedOn: MyActedOnItem[] = [];
    for (const item of items) {
      const mine = item.messages.filter((m) => m.by.aadObjectId === id).map(({ at, kind, text, file }) => ({ at, kind, text, ...(file ? { file: file.name } : {}) }));
      const retention = { open: isOpen(item), ...(item.expiresAt !== undefined ? { deleteAfter: new Date(item.expiresAt).toISOString() } : {}) };
      const cancelledByMe = item.terminCancelled?.by.aadObjectId === id ? item.terminCancelled : undefined;
      const cancelled = cancelledByMe ? { terminCancelled: { at: cancelledByMe.at, date: cancelledByMe.date, time: cancelledByMe.time, ...(cancelledByMe.reason ? { reason: cancelledByMe.reason } : {}) } } : {};
      if (item.createdBy.aadObjectId === id) {
        created.push({
          id: item.id, kind: item.kind, authority: item.authority, subject: item.subject, text: item.body,
          ...(item.category ? { category: item.category } : {}), ...(item.deadline ? { deadline: item.deadline } : {}),
          ...(item.measure ? { measure: item.measure } : {}), ...(item.urgency ? { urgency: item.urgency } : {}),
          ...(item.proposedDates ? { proposedDates: item.proposedDates } : {}),
          status: item.status, createdAt: item.createdAt, updatedAt: item.updatedAt, ...(item.closedAt ? { closedAt: item.closedAt } : {}),
          ...retention, messages: mine, ...cancelled,
        });
      } else {
        const decision = item.decision?.by.aadObjectId === id ? item.decision : undefined;
        actedOn.push({
          ...cancelled,
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
/** One CSV cell, quoted and neutralised against spreadsheet formulas (CSV injection): see services/text/escape.ts. */
export { csvCell };

export type { ItemStatus };
