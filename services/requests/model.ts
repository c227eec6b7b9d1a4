/**
 * Anliegen (requests from staff to their IB, RdErl. v. 5.12.2023, Nr. 5 a, b) and Vorträge (the IB's reports to the
 * authority head, Nr. 4: "unmittelbares Vortragsrecht"), stored in the `items` container with pk = authority code.
 */
import type { AuthorityCode } from '../directory/model';
import type { UnreachableReason } from '../notifications/reach';
import type { PendingNotice } from '../workflow/pending';
import { de } from './texts/de';
import { en } from './texts/en';

export const REQUEST_CATEGORIES = ['beratung', 'beteiligung', 'information', 'sonstiges'] as const;
export type RequestCategory = (typeof REQUEST_CATEGORIES)[number];

export const REQUEST_STATUSES = ['neu', 'in_bearbeitung', 'rueckfrage', 'erledigt', 'eskaliert'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const REPORT_STATUSES = [
  'eingereicht', 'termin_vorgeschlagen', 'termin_gegenvorschlag', 'termin_vereinbart', 'termin_offen', 'schriftlich', 'vorgelegt', 'zur_kenntnis', 'abgelehnt', 'weisung', 'weisung_bestaetigt',
] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** A report waits for the head's decision: registered, or the paper the head asked for handed in (the head decides again). */
export const AWAITING_DECISION: readonly ReportStatus[] = ['eingereicht', 'vorgelegt'];
/**
 * A report is open while the head or the IB still has to act: the paper and the Weisung's acknowledgement are the IB's;
 * a proposed date waits for the other side (the IB answers the head's proposal, the head side the IB's counter-proposal).
 */
export const OPEN_REPORT_STATUSES: readonly ReportStatus[] = [...AWAITING_DECISION, 'schriftlich', 'weisung', 'termin_vorgeschlagen', 'termin_gegenvorschlag', 'termin_offen'];

/** Whether the head (or the office where it may) has to decide the report now. */
export function awaitsDecision(item: Pick<ItemDoc, 'kind' | 'status'>): boolean {
  return item.kind === 'report' && (AWAITING_DECISION as readonly string[]).includes(item.status);
}

export const URGENCIES = ['normal', 'eilig', 'sehr_eilig'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** What the head (or the office) may decide on a report. */
export const REPORT_DECISIONS = ['termin', 'schriftlich', 'kenntnis', 'ablehnen', 'weisung'] as const;
export type ReportDecision = (typeof REPORT_DECISIONS)[number];

export type ItemKind = 'request' | 'report';

/** Whom a request goes to besides the IB of its authority: the KfI (RdErl. Nr. 6). */
export type Recipient = 'kfi';
/** The authority whose partition holds the KfI's requests: the KfI is part of the Bezirksregierung Arnsberg. */
export const KFI_AUTHORITY = 'arnsberg' as const;
/** The form's choice that sends a request to the KfI instead of an IB. */
export const KFI_CHOICE = 'kfi';

/**
 * Why an overdue request went where it went: `deputy` (the deputy of the IB), `commissioner` (the IB, when the deputy
 * handles it), `kfi` (the other KfI members), `handler` (nobody else is set: the handler is told).
 */
export type OverdueReason = 'deputy' | 'commissioner' | 'kfi' | 'handler';
export type ItemStatus = RequestStatus | ReportStatus;

/** Field limits, checked before anything is stored. */
export const LIMITS = { subject: 200, description: 4000, text: 2000, department: 120, measure: 300, proposedDates: 300, name: 200, paper: 4000, link: 1000, fileName: 255, cancelReason: 300 } as const;

/** A person as an item remembers them: the AAD object id decides, the name is for display. */
export interface Party {
  aadObjectId: string;
  tenantId: string;
  name: string;
  /** The language of their Teams client when they acted, for what the bot later sends them. */
  lang?: 'de' | 'en';
}

/** One entry of the conversation on an item: a question back, an answer, the requester's reply. */
export interface ItemMessage {
  at: string;
  by: Party;
  kind: 'rueckfrage' | 'antwort' | 'nachtrag' | 'vorlage';
  text: string;
  /** `vorlage` (the paper the head asked for): an https link to the document (SharePoint, OneDrive), checked on input. */
  link?: string;
  /**
   * `vorlage` sent as a file in the personal chat with the bot: its name and type as Teams named them. The bytes stay
   * in the IB's OneDrive; the item keeps no copy and no download address.
   */
  file?: PaperFile;
}

/**
 * A file the IB sent to the bot as the paper (Teams' `file.download.info`): its name and type, and where the bot holds
 * it until the head side took it (`id` in the `files` container, see paperFileStore.ts; `size` in bytes).
 */
export interface PaperFile {
  name: string;
  /** The file's extension as Teams gives it (`docx`, `pdf`). */
  fileType: string;
  id?: string;
  size?: number;
}

/** The head's decision on a report. */
export interface Decision {
  kind: ReportDecision;
  by: Party;
  at: string;
  /** Termin: ISO date and HH:MM time. */
  date?: string;
  time?: string;
  /** Reason (Ablehnen), instruction (Weisung), or a note. */
  text?: string;
}

/**
 * The date of a Vortrag being agreed (RdErl. Nr. 4): the proposal on the table, who made it and from which side, and
 * once the other side accepted it, who did. Each proposal and the agreement is a change with its trail entry.
 */
export interface Termin {
  /** ISO date and HH:MM, Berlin time. */
  date: string;
  time: string;
  by: Party;
  at: string;
  /** `head`: the head or the office proposed it (the IB answers); `ib`: the IB side did (the head side answers). */
  side: 'head' | 'ib';
  /** How many proposals were made so far (1 = the head's first). */
  proposals: number;
  agreed?: { by: Party; at: string };
  /**
   * While a new date for an agreed one is negotiated ("Termin verschieben"): the agreed date, which stays in force (and
   * in the calendars) until the other side accepts the new one; its `proposals` is the sequence of its calendar entry.
   */
  moving?: { date: string; time: string; proposals: number; agreed: { by: Party; at: string } };
  /**
   * Which agreed date of this report the invitation belongs to: 1 (absent) for the first, one more after each
   * cancellation. The calendar entry of a later round is a new event (`transactionId` `report:<id>:<round>`, .ics UID
   * `<id>-<round>@…`), never the cancelled one again.
   */
  round?: number;
  /** When the side that has to answer this proposal was reminded of it (once per proposal). */
  remindedAt?: string;
  /**
   * The calendar invitation of an agreed date for head and IB: a Teams meeting in the meeting mailbox through Graph
   * (`created` with its join link), or, without Graph or when Graph refused, the `.ics` link (`ics`). `pending` until
   * the relay carried out the agreement's `report.invitation` notice.
   */
  invitation?: Invitation;
  /** 128 random bits (base64url): the unguessable part of the `.ics` link of the agreed date. */
  icsToken?: string;
}

/**
 * The calendar invitation of an agreed date (see {@link Termin.invitation}), or of a cancelled one
 * ({@link TerminCancelled.invitation}). `pending`: Graph still has to make, move or cancel the event (the relay does it
 * from the notice written with the change); `created`: the Teams meeting is up to date; `cancelled`: Graph cancelled
 * it; `ics`: the .ics link is what head and IB have. A failed Graph call leaves `ics` with `retry` set, and the
 * retry job (`requests.invitation`) tries again with back-off at most {@link INVITATION_RETRY_ATTEMPTS} times.
 */
export interface Invitation {
  state: 'pending' | 'created' | 'ics' | 'cancelled';
  eventId?: string;
  joinUrl?: string;
  /** Graph failed this many times on the current step. */
  attempts?: number;
  /** A retry is scheduled (the .ics stands meanwhile). */
  retry?: boolean;
  /** Graph refused for good or the tries ran out: the .ics stands. */
  failed?: boolean;
}

/** Graph calls of an invitation tried at most this often (the first one and the retries). */
export const INVITATION_RETRY_ATTEMPTS = 5;

/** An agreed date cancelled ("Termin absagen"): what it was, who cancelled it, why, and its calendar entry's cancellation. */
export interface TerminCancelled {
  date: string;
  time: string;
  /** The sequence of the cancelled calendar entry (its last `proposals`); the .ics CANCEL carries one more. */
  proposals: number;
  round: number;
  by: Party;
  at: string;
  /** Optional, short, through the privacy guard; the other side reads it. */
  reason?: string;
  invitation: Invitation;
  icsToken?: string;
  /** Cancelled while a move was negotiated: the new date proposed then (by `side`), withdrawn with the cancellation. */
  withdrawn?: { date: string; time: string; side: 'head' | 'ib' };
}

/** Where the requester's own card was posted, so status changes update it in place. */
export interface PostedCard {
  conversationId: string;
  serviceUrl: string;
  tenantId: string;
  botId: string;
  activityId: string;
}

/** Why a report did not reach the head in Teams: a delivery's reason, or no Teams identity in the directory at all. */
export type HeadUnreachableReason = UnreachableReason | 'noTeamsIdentity';

/** Whether a report reached the head in Teams; `fallback` only when it did not. */
export interface HeadReach {
  reach: 'delivered' | 'installedThenDelivered' | 'unreachable';
  reason?: HeadUnreachableReason;
  fallback?: 'office' | 'mail' | 'none';
  at: string;
}

/** One audit entry kept in the item itself (who, what, when, which field), written atomically with the change. */
export interface TrailEntry {
  at: string;
  /** AAD object id of the actor, or "system". */
  actor: string;
  action: string;
  changes: { path: string; from: unknown; to: unknown }[];
}

/** At most this many trail entries live in the item; older ones move to one document in the `audit` container. */
export const TRAIL_IN_ITEM = 100;

/** A request or a report; pk = authority code. */
export interface ItemDoc {
  id: string;
  pk: AuthorityCode;
  type: 'item';
  kind: ItemKind;
  authority: AuthorityCode;
  /** Bumped by every change; cards carry it so that a stale or repeated click changes nothing. */
  rev: number;
  status: ItemStatus;
  subject: string;
  /** Request: the description; report: the summary. */
  body: string;
  category?: RequestCategory;
  /**
   * The requester's Frist (ISO date, Berlin; not in the past when sent). It drives the deadline job (the handler is
   * reminded the working day before and on the day; the next working day it is overdue and goes to the deputy, see
   * `deadline.ts`).
   */
  deadline?: string;
  /**
   * A request: whom it goes to. Absent: the IB of `authority` (and the deputy). `kfi`: the Kompetenzzentrum für
   * Integration at the Bezirksregierung Arnsberg (RdErl. Nr. 6), stored with `authority` arnsberg; its members handle
   * it as an IB handles their inbox, and nobody else but the requester sees it (not the IB of Arnsberg).
   */
  recipient?: Recipient;
  /**
   * A request past its Frist, written once by the deadline job: when, to whom it went (deputy, or see `deadline.ts`)
   * and why. The cards show "überfällig" from the day after the Frist whether or not this is set.
   */
  overdue?: { at: string; to: string[]; reason: OverdueReason };
  /** For "Beteiligung an einer geplanten Maßnahme" (Nr. 5 a). */
  measure?: { department: string; name: string; plannedDate: string };
  urgency?: Urgency;
  proposedDates?: string;
  /** Request: the report made from it; report: the requests it carries. */
  linked: string[];
  /** Request: the member of staff; report: the IB who registered it. */
  createdBy: Party;
  /** Request: who took it over. */
  handler?: Party;
  messages: ItemMessage[];
  decision?: Decision;
  /** Termin: the date being agreed between the head side and the IB side (see {@link Termin}). */
  termin?: Termin;
  /** The agreed date cancelled last (the report then waits for a new date, `termin_offen`); kept so its calendar cancellation can finish. */
  terminCancelled?: TerminCancelled;
  /** A Weisung: the IB's "zur Kenntnis und Umsetzung" (RdErl. Nr. 4: bound by the Hausleitung's instructions). */
  acknowledged?: { by: Party; at: string };
  /** AAD object ids of everyone who created, handled, wrote in or decided on the item ("Meine Daten"). */
  participants: string[];
  /** The latest change: shown to someone whose click came too late ("bereits erledigt von …"). */
  lastChange?: { by: Party; action: string; at: string };
  /** Last change by a person (reminders count from here). */
  touchedAt: string;
  /** When the item went to the deputy as well after M working days, and at which revision. */
  escalatedAt?: string;
  escalatedRev?: number;
  /** AAD object ids of the people whose chat got the item's card (their cards are updated on every change). */
  cardsTo: string[];
  requesterCard?: PostedCard;
  /**
   * A report: whether its card reached the head in Teams (set once that delivery settled), and when it did not, what
   * the IB was told and where the report went instead (the office's staff, or an e-mail to the head).
   */
  headReach?: HeadReach;
  /** The audit trail of the item, oldest first (the latest {@link TRAIL_IN_ITEM}; `trailArchived` older ones). */
  trail?: TrailEntry[];
  /** How many entries moved to the `audit` container (document `<id>:trail`). */
  trailArchived?: number;
  /**
   * The transactional outbox (services/workflow/pending.ts): what the latest changes owe (messages, cards, the
   * reminder job), written with the change itself and cleared by the relay once handed to the outbox.
   */
  pending?: PendingNotice[];
  pendingSince?: number;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  /** Epoch ms after which the purge deletes a closed item; Cosmos `ttl` does the same on Azure. */
  expiresAt?: number;
  ttl?: number;
}

export const OPEN_REQUEST_STATUSES: readonly RequestStatus[] = ['neu', 'in_bearbeitung', 'rueckfrage', 'eskaliert'];

export function isOpen(item: Pick<ItemDoc, 'kind' | 'status'>): boolean {
  return item.kind === 'request' ? (OPEN_REQUEST_STATUSES as readonly string[]).includes(item.status) : (OPEN_REPORT_STATUSES as readonly string[]).includes(item.status);
}

/** Labels in both languages, from the resource files (`texts/`). */
function bilingual<K extends string>(keys: readonly K[], pick: (t: typeof de) => Record<K, string>): Readonly<Record<K, { de: string; en: string }>> {
  return Object.fromEntries(keys.map((k) => [k, { de: pick(de)[k], en: (pick(en as typeof de) as Record<K, string>)[k] }])) as Record<K, { de: string; en: string }>;
}

/** Status labels, German and English. */
export const STATUS_LABELS = bilingual<ItemStatus>([...REQUEST_STATUSES, ...REPORT_STATUSES], (t) => t.statusLabels);
export const CATEGORY_LABELS = bilingual<RequestCategory>(REQUEST_CATEGORIES, (t) => t.categoryLabels);
export const URGENCY_LABELS = bilingual<Urgency>(URGENCIES, (t) => t.urgencyLabels);

export const DECISION_STATUS: Readonly<Record<ReportDecision, ReportStatus>> = {
  termin: 'termin_vorgeschlagen',
  schriftlich: 'schriftlich',
  kenntnis: 'zur_kenntnis',
  ablehnen: 'abgelehnt',
  weisung: 'weisung',
};

/** A display-ready summary for lists, the personal tab and "Meine Anliegen". */
export interface ItemSummary {
  id: string;
  kind: ItemKind;
  authority: AuthorityCode;
  subject: string;
  status: ItemStatus;
  statusLabel: { de: string; en: string };
  createdAt: string;
  updatedAt: string;
  deadline?: string;
  /** An open request past its Frist ("überfällig"). */
  overdue?: boolean;
  /** A request to the KfI. */
  recipient?: Recipient;
  /** A report: whether it reached the head (shown to the IB side only). */
  headReach?: HeadReach;
}

/** An open request whose Frist lies before `today` (Berlin date), or that the deadline job marked overdue. */
export function isOverdue(item: Pick<ItemDoc, 'kind' | 'status' | 'deadline' | 'overdue'>, today?: string): boolean {
  if (item.kind !== 'request' || !item.deadline || !isOpen(item)) return false;
  return !!item.overdue || (!!today && item.deadline < today);
}

export function summaryOf(item: ItemDoc, today?: string): ItemSummary {
  return {
    id: item.id,
    kind: item.kind,
    authority: item.authority,
    subject: item.subject,
    status: item.status,
    statusLabel: STATUS_LABELS[item.status],
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    ...(item.deadline ? { deadline: item.deadline } : {}),
    ...(isOverdue(item, today) ? { overdue: true } : {}),
    ...(item.recipient ? { recipient: item.recipient } : {}),
    ...(item.headReach ? { headReach: item.headReach } : {}),
  };
}

/** The card verbs of Anliegen and Vortrag, one per action: views put them on the cards, the bot registers one handler each. */
export const REQUEST_VERBS = {
  start: 'request.start',
  submit: 'request.submit',
  accept: 'request.accept',
  ask: 'request.ask',
  answer: 'request.answer',
  done: 'request.done',
  reply: 'request.reply',
  refresh: 'request.refresh',
  open: 'request.open',
  trail: 'request.trail',
  reportStart: 'report.start',
  reportSubmit: 'report.submit',
  /** The head's five decisions on a report, one button each. */
  proposeMeeting: 'report.proposeMeeting',
  inWriting: 'report.inWriting',
  noted: 'report.noted',
  decline: 'report.decline',
  instruct: 'report.instruct',
  /** The IB on a Weisung: "Zur Kenntnis und Umsetzung". */
  acknowledge: 'report.acknowledge',
  /** The IB hands in the paper the head asked for ("Schriftlich vorlegen"). */
  handIn: 'report.handIn',
  /** Termin: the side whose turn it is accepts the proposed date ("Termin annehmen")… */
  acceptMeeting: 'report.acceptMeeting',
  /** …or proposes another ("Anderen Termin vorschlagen"). */
  counterMeeting: 'report.counterMeeting',
  /** An agreed date: either side proposes a new one ("Termin verschieben"); the negotiation opens again. */
  moveMeeting: 'report.moveMeeting',
  /** An agreed date: either side cancels it ("Termin absagen", optional reason); the report waits for a new date. */
  cancelMeeting: 'report.cancelMeeting',
} as const;
export type RequestVerb = (typeof REQUEST_VERBS)[keyof typeof REQUEST_VERBS];

/** The verb of each decision on a report. */
export const DECISION_VERBS: Readonly<Record<ReportDecision, RequestVerb>> = {
  termin: REQUEST_VERBS.proposeMeeting,
  schriftlich: REQUEST_VERBS.inWriting,
  kenntnis: REQUEST_VERBS.noted,
  ablehnen: REQUEST_VERBS.decline,
  weisung: REQUEST_VERBS.instruct,
};

/**
 * The verbs cards posted before the typed verbs carry (`data.action` or `data.decision` names the action). Cards stay
 * in people's chats for months, so the bot still answers them, with the same handlers.
 */
export const LEGACY_ACT_VERB = 'request.act';
export const LEGACY_DECIDE_VERB = 'report.decide';

/** How the caller relates to an item; several at once are possible (an IB who sent a request to their own office). */
export interface ItemRoles {
  requester: boolean;
  /** The side that handles the item: IB or deputy of its authority; for a request to the KfI, a member of the KfI. */
  commissioner: boolean;
  headSide: boolean;
  decider: boolean;
}

/** Whoever may see the item at all (need to know). */
export function mayView(r: ItemRoles): boolean {
  return r.requester || r.commissioner || r.headSide;
}

/** One action on an item, with its input already checked and cleaned (see `validation.ts`). */
export type ItemAction =
  | { type: 'accept' }
  | { type: 'ask'; text: string }
  | { type: 'answer'; text: string }
  | { type: 'done' }
  | { type: 'reply'; text: string }
  | { type: 'decide'; decision: ReportDecision; date?: string; time?: string; text?: string }
  | { type: 'acknowledge' }
  | { type: 'handIn'; text: string; link?: string; file?: PaperFile }
  | { type: 'acceptMeeting' }
  | { type: 'counterMeeting'; date: string; time: string }
  | { type: 'moveMeeting'; date: string; time: string }
  | { type: 'cancelMeeting'; text?: string };

/** The trail's and the cards' name of an action. */
export function verbOf(action: ItemAction): string {
  if (action.type === 'acknowledge') return REQUEST_VERBS.acknowledge;
  if (action.type === 'handIn') return REQUEST_VERBS.handIn;
  if (action.type === 'acceptMeeting') return REQUEST_VERBS.acceptMeeting;
  if (action.type === 'counterMeeting') return REQUEST_VERBS.counterMeeting;
  if (action.type === 'moveMeeting') return REQUEST_VERBS.moveMeeting;
  if (action.type === 'cancelMeeting') return REQUEST_VERBS.cancelMeeting;
  return action.type === 'decide' ? 'report.decide' : `request.${action.type}`;
}

/** Who may take a step of a Vortrag: the IB side (IB or deputy), or the decider (the head, the office where it may decide). */
export type ReportActor = 'ibSide' | 'decider';

/** One row of the Vortrag's state table: from these states, this verb, by whom, to that state. */
export interface ReportTransitionRow {
  /** `null`: the report does not exist yet (`report.submit` creates it). */
  from: readonly (ReportStatus | null)[];
  verb: RequestVerb;
  who: ReportActor;
  to: ReportStatus;
  /** `moving`: only while a new date for an agreed one is negotiated (`termin.moving`); otherwise a card out of date. */
  when?: 'moving';
}

/**
 * The Vortrag's states, transitions and who may do what (RdErl. v. 5.12.2023, Nr. 4), as data: `transition` follows it,
 * and the table in docs/workflows.md is checked against it by a unit test (test/unit/requests/reportTable.test.ts).
 * Termin: the head side proposes, the IB accepts or proposes another date, the head side then accepts or proposes
 * again, as often as needed; the accepted date becomes the calendar invitation for head and IB.
 */
export const REPORT_TRANSITIONS: readonly ReportTransitionRow[] = [
  { from: [null], verb: REQUEST_VERBS.reportSubmit, who: 'ibSide', to: 'eingereicht' },
  ...REPORT_DECISIONS.map((d): ReportTransitionRow => ({ from: AWAITING_DECISION, verb: DECISION_VERBS[d], who: 'decider', to: DECISION_STATUS[d] })),
  { from: ['termin_vorgeschlagen'], verb: REQUEST_VERBS.acceptMeeting, who: 'ibSide', to: 'termin_vereinbart' },
  { from: ['termin_vorgeschlagen'], verb: REQUEST_VERBS.counterMeeting, who: 'ibSide', to: 'termin_gegenvorschlag' },
  { from: ['termin_gegenvorschlag'], verb: REQUEST_VERBS.acceptMeeting, who: 'decider', to: 'termin_vereinbart' },
  { from: ['termin_gegenvorschlag'], verb: REQUEST_VERBS.counterMeeting, who: 'decider', to: 'termin_vorgeschlagen' },
  // An agreed date moved: the other side answers the new one as any proposal; the agreed date holds until then.
  { from: ['termin_vereinbart'], verb: REQUEST_VERBS.moveMeeting, who: 'decider', to: 'termin_vorgeschlagen' },
  { from: ['termin_vereinbart'], verb: REQUEST_VERBS.moveMeeting, who: 'ibSide', to: 'termin_gegenvorschlag' },
  // An agreed date cancelled: the report waits for a new date, which either side may propose.
  { from: ['termin_vereinbart'], verb: REQUEST_VERBS.cancelMeeting, who: 'decider', to: 'termin_offen' },
  { from: ['termin_vereinbart'], verb: REQUEST_VERBS.cancelMeeting, who: 'ibSide', to: 'termin_offen' },
  // While a move is negotiated the agreed date still holds: either side may cancel it, and the open proposal goes with it.
  { from: ['termin_vorgeschlagen', 'termin_gegenvorschlag'], verb: REQUEST_VERBS.cancelMeeting, who: 'decider', to: 'termin_offen', when: 'moving' },
  { from: ['termin_vorgeschlagen', 'termin_gegenvorschlag'], verb: REQUEST_VERBS.cancelMeeting, who: 'ibSide', to: 'termin_offen', when: 'moving' },
  { from: ['termin_offen'], verb: REQUEST_VERBS.proposeMeeting, who: 'decider', to: 'termin_vorgeschlagen' },
  { from: ['termin_offen'], verb: REQUEST_VERBS.counterMeeting, who: 'ibSide', to: 'termin_gegenvorschlag' },
  { from: ['schriftlich'], verb: REQUEST_VERBS.handIn, who: 'ibSide', to: 'vorgelegt' },
  { from: ['weisung'], verb: REQUEST_VERBS.acknowledge, who: 'ibSide', to: 'weisung_bestaetigt' },
];

/** Whether the caller's stored roles make them `who`. The office may decide for the head, never answer for the IB. */
export function actsAs(who: ReportActor, roles: ItemRoles): boolean {
  return who === 'ibSide' ? roles.commissioner : roles.decider;
}

/**
 * The row of the table a step on a report takes from its current state, if any. Where both sides may take the step
 * (moving or cancelling an agreed date), the row of the caller's side (`roles`) decides where it leads. A row only
 * for a move under way (`when: 'moving'`) applies only when `item` has one.
 */
export function reportRow(status: ItemStatus, verb: string, roles?: ItemRoles, item?: Pick<ItemDoc, 'termin'>): ReportTransitionRow | undefined {
  const rows = REPORT_TRANSITIONS.filter((r) => r.verb === verb && r.from.includes(status as ReportStatus) && (r.when !== 'moving' || !!item?.termin?.moving));
  return (roles && rows.find((r) => actsAs(r.who, roles))) || rows[0];
}

type ReportAction = Extract<ItemAction, { type: 'decide' | 'acknowledge' | 'handIn' | 'acceptMeeting' | 'counterMeeting' | 'moveMeeting' | 'cancelMeeting' }>;

/** The Vortrag's part of {@link transition}: the table decides whether and where; this adds what the step records. */
function reportTransition(current: ItemDoc, roles: ItemRoles, caller: Party, action: ReportAction, at: string): Transition {
  const verb = action.type === 'decide' ? DECISION_VERBS[action.decision] : verbOf(action);
  // Nobody may take a step they could take in no state (the office acknowledging a Weisung); a step of the right
  // person in the wrong state is a card out of date.
  if (current.kind !== 'report' || !REPORT_TRANSITIONS.some((r) => r.verb === verb && actsAs(r.who, roles))) return { refuse: 'forbidden' };
  const row = reportRow(current.status, verb, roles, current);
  if (!row) return { stale: true };
  if (!actsAs(row.who, roles)) return { refuse: 'forbidden' };
  const next: ItemDoc = { ...current, status: row.to };
  // A new date after a cancelled one belongs to the next round of the calendar entry.
  const round = current.termin?.round ?? (current.terminCancelled ? current.terminCancelled.round + 1 : undefined);
  switch (action.type) {
    case 'decide':
      next.decision = {
        kind: action.decision,
        by: caller,
        at,
        ...(action.decision === 'termin' ? { date: action.date ?? '', time: action.time ?? '' } : {}),
        ...(action.text ? { text: action.text } : {}),
      };
      if (action.decision === 'termin') next.termin = { date: action.date ?? '', time: action.time ?? '', by: caller, at, side: 'head', proposals: 1, ...(round ? { round } : {}) };
      return { next };
    case 'acknowledge':
      return { next: { ...next, acknowledged: { by: caller, at } } };
    case 'handIn':
      return { next: { ...next, messages: [...current.messages, { at, by: caller, kind: 'vorlage', text: action.text, ...(action.link ? { link: action.link } : {}), ...(action.file ? { file: action.file } : {}) }] } };
    case 'counterMeeting':
    case 'moveMeeting': {
      const before = currentTermin(current);
      // Moving an agreed date: it stays in force (`moving`), with its invitation and .ics link, until the new one is agreed.
      const agreed = action.type === 'moveMeeting' && before?.agreed ? { date: before.date, time: before.time, proposals: before.proposals, agreed: before.agreed } : before?.moving;
      const keep = before && (agreed || action.type === 'moveMeeting') ? { ...(before.invitation ? { invitation: before.invitation } : {}), ...(before.icsToken ? { icsToken: before.icsToken } : {}) } : {};
      const termin: Termin = { date: action.date, time: action.time, by: caller, at, side: row.who === 'ibSide' ? 'ib' : 'head', proposals: (before?.proposals ?? 0) + 1, ...(round ? { round } : {}), ...(agreed ? { moving: agreed } : {}), ...keep };
      return { next: { ...next, termin } };
    }
    case 'acceptMeeting': {
      const proposed = currentTermin(current);
      if (!proposed) return { stale: true };
      const { moving: _moving, ...rest } = proposed;
      // A moved date keeps its event (Graph updates it: PATCH) and its .ics link (same UID, higher SEQUENCE).
      return { next: { ...next, termin: { ...rest, agreed: { by: caller, at }, invitation: { ...(proposed.invitation?.eventId ? { eventId: proposed.invitation.eventId } : {}), state: 'pending' } } } };
    }
    case 'cancelMeeting': {
      const termin = currentTermin(current);
      // The date in force: the agreed one, or while a move is negotiated, the one agreed before (the proposal goes with it).
      const agreed = termin?.agreed ? termin : termin?.moving;
      if (!termin || !agreed) return { stale: true };
      const inv = termin.invitation;
      // Graph cancels the event where one was made (or may have been: a create still pending, being retried, or given
      // up after failures that may have reached Graph); without a recorded one it is looked up, never created.
      const invitation: Invitation = inv?.eventId || inv?.state === 'pending' || inv?.retry || inv?.failed ? { state: 'pending', ...(inv.eventId ? { eventId: inv.eventId } : {}) } : { state: 'ics' };
      const cancelled: TerminCancelled = {
        date: agreed.date, time: agreed.time, proposals: agreed.proposals, round: termin.round ?? 1, by: caller, at,
        ...(action.text ? { reason: action.text } : {}), invitation, ...(termin.icsToken ? { icsToken: termin.icsToken } : {}),
        ...(termin.moving ? { withdrawn: { date: termin.date, time: termin.time, side: termin.side } } : {}),
      };
      const { termin: _termin, ...rest } = next;
      return { next: { ...rest, terminCancelled: cancelled } };
    }
  }
}

/** The date on the table: the negotiation's, or for a report decided before it existed, the head's proposal. */
export function currentTermin(item: Pick<ItemDoc, 'termin' | 'decision' | 'terminCancelled'>): Termin | undefined {
  if (item.termin) return item.termin;
  // After a cancellation the decision's date is history: no date is on the table until a new one is proposed.
  if (item.terminCancelled) return undefined;
  const d = item.decision;
  return d?.kind === 'termin' && d.date && d.time ? { date: d.date, time: d.time, by: d.by, at: d.at, side: 'head', proposals: 1 } : undefined;
}

/** What a transition says: the next item, nothing to do, or why not. */
export type Transition = { next: ItemDoc } | { unchanged: true } | { refuse: 'forbidden' } | { stale: true };

/**
 * The state machine of Anliegen and Vortrag, as a pure function of the stored item, the caller's stored roles and the
 * action (`at`: the moment, ISO). It changes status, handler, messages and decision; `stamp` adds what every change
 * carries (revision, trail, dates).
 */
export function transition(current: ItemDoc, roles: ItemRoles, caller: Party, action: ItemAction, at: string): Transition {
  const msg = (kind: ItemMessage['kind'], text: string) => [...current.messages, { at, by: caller, kind, text }];
  if (action.type === 'decide' || action.type === 'acknowledge' || action.type === 'handIn' || action.type === 'acceptMeeting' || action.type === 'counterMeeting' || action.type === 'moveMeeting' || action.type === 'cancelMeeting') {
    return reportTransition(current, roles, caller, action, at);
  }
  if (current.kind !== 'request') return { refuse: 'forbidden' };
  const status = current.status as RequestStatus;
  if (action.type === 'reply') {
    if (!roles.requester) return { refuse: 'forbidden' };
    if (status !== 'rueckfrage') return { stale: true };
    return { next: { ...current, status: 'in_bearbeitung', messages: msg('nachtrag', action.text) } };
  }
  if (!roles.commissioner) return { refuse: 'forbidden' };
  if (!isOpen(current)) return { stale: true };
  const handler = current.handler ?? caller;
  switch (action.type) {
    case 'accept':
      if (status !== 'neu') return { stale: true };
      return { next: { ...current, status: 'in_bearbeitung', handler: caller } };
    case 'ask':
      return { next: { ...current, status: 'rueckfrage', handler, messages: msg('rueckfrage', action.text) } };
    case 'answer':
      return { next: { ...current, status: status === 'eskaliert' ? 'eskaliert' : 'in_bearbeitung', handler, messages: msg('antwort', action.text) } };
    case 'done':
      return { next: { ...current, status: 'erledigt', handler } };
  }
}

/**
 * A request carried into a report (`report.create` with a linked request): it goes to the head, and the request
 * records the report. Nothing to do when it is closed or already linked to this report.
 */
export function escalateToReport(current: ItemDoc, roles: ItemRoles, reportId: string): Transition {
  // A request to the KfI stays with the KfI: it is no matter of the Arnsberg IB's right to report to their head.
  if (current.kind !== 'request' || !roles.commissioner || current.recipient) return { refuse: 'forbidden' };
  if (!isOpen(current) || current.linked.includes(reportId)) return { unchanged: true };
  return { next: { ...current, status: 'eskaliert', linked: [...current.linked, reportId] } };
}

/** A Weisung's text goes into the trail with the decision, so the instruction stays on record beside its acknowledgement. */
function instructionChange(current: ItemDoc, next: ItemDoc): TrailEntry['changes'] {
  const d = next.decision;
  if (!d || d === current.decision || d.kind !== 'weisung' || !d.text) return [];
  return [{ path: '/decision/text', from: null, to: d.text }];
}

/** Each proposed date and the agreement go into the trail (`2026-12-08T10:30`, Berlin time), so the negotiation stays on record. */
function terminChange(current: ItemDoc, next: ItemDoc): TrailEntry['changes'] {
  const before = currentTermin(current);
  const after = next.termin;
  const when = (t: Pick<Termin, 'date' | 'time'> | undefined) => (t ? `${t.date}T${t.time}` : null);
  // A cancelled date stays on record with the date it had.
  if (next.terminCancelled && next.terminCancelled !== current.terminCancelled) {
    // Cancelled while a move was negotiated: the proposal withdrawn with it stays on record too.
    const withdrawn = next.terminCancelled.withdrawn;
    return [{ path: '/termin/cancelled', from: null, to: when(next.terminCancelled) }, ...(withdrawn ? [{ path: '/termin/withdrawn', from: when(withdrawn), to: null }] : [])];
  }
  if (!after || after === current.termin) return [];
  if (after.agreed && !before?.agreed) return [{ path: '/termin/agreed', from: null, to: when(after) }];
  return [{ path: '/termin', from: current.termin || current.decision?.kind === 'termin' ? when(before) : null, to: when(after) }];
}

const DAY_MS = 86_400_000;
/** Cosmos TTL is only the backstop: the purge job deletes the item together with its audit trail first. */
const TTL_GRACE_MS = 7 * DAY_MS;

/**
 * What every change of an item carries besides its transition: the next revision, the trail entry, who changed it and
 * when, the actor among the participants, and on closing the retention dates.
 */
export function stamp(current: ItemDoc, next: ItemDoc, caller: Party, verb: string, now: Date, retentionDays: number): ItemDoc {
  const at = now.toISOString();
  const stamped: ItemDoc = {
    ...next,
    trail: [...(current.trail ?? []), { at, actor: caller.aadObjectId, action: verb, changes: [{ path: '/status', from: current.status, to: next.status }, ...instructionChange(current, next), ...terminChange(current, next)] }],
    rev: current.rev + 1,
    updatedAt: at,
    touchedAt: at,
    lastChange: { by: caller, action: verb, at },
    participants: current.participants.includes(caller.aadObjectId) ? current.participants : [...current.participants, caller.aadObjectId],
  };
  if (isOpen(current) && !isOpen(next)) {
    const keepMs = retentionDays * DAY_MS;
    stamped.closedAt = at;
    stamped.expiresAt = now.getTime() + keepMs;
    stamped.ttl = Math.round((keepMs + TTL_GRACE_MS) / 1000);
  } else if (!isOpen(current) && isOpen(next)) {
    // Opened again (an agreed date moved or cancelled): its retention starts anew when it closes.
    delete stamped.closedAt;
    delete stamped.expiresAt;
    delete stamped.ttl;
  }
  return stamped;
}
