/**
 * Anliegen (requests from staff to their IB, RdErl. v. 5.12.2023, Nr. 5 a, b) and Vorträge (the IB's reports to the
 * authority head, Nr. 4: "unmittelbares Vortragsrecht"), stored in the `items` container with pk = authority code.
 */
import type { AuthorityCode } from '../directory/model';

export const REQUEST_CATEGORIES = ['beratung', 'beteiligung', 'information', 'sonstiges'] as const;
export type RequestCategory = (typeof REQUEST_CATEGORIES)[number];

export const REQUEST_STATUSES = ['neu', 'in_bearbeitung', 'rueckfrage', 'erledigt', 'eskaliert'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const REPORT_STATUSES = ['eingereicht', 'termin_vorgeschlagen', 'schriftlich', 'zur_kenntnis', 'abgelehnt', 'weisung'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const URGENCIES = ['normal', 'eilig', 'sehr_eilig'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** What the head (or the office) may decide on a report. */
export const REPORT_DECISIONS = ['termin', 'schriftlich', 'kenntnis', 'ablehnen', 'weisung'] as const;
export type ReportDecision = (typeof REPORT_DECISIONS)[number];

export type ItemKind = 'request' | 'report';
export type ItemStatus = RequestStatus | ReportStatus;

/** Field limits, checked before anything is stored. */
export const LIMITS = { subject: 200, description: 4000, text: 2000, department: 120, measure: 300, proposedDates: 300, name: 200 } as const;

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
  kind: 'rueckfrage' | 'antwort' | 'nachtrag';
  text: string;
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

/** Where the requester's own card was posted, so status changes update it in place. */
export interface PostedCard {
  conversationId: string;
  serviceUrl: string;
  tenantId: string;
  botId: string;
  activityId: string;
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

/**
 * The notifications the item's latest change owes (its revision decides their idempotency keys), and which process
 * owed them. Never cleared on the hot path: a sweep in another (or the restarted) process re-enqueues what a process
 * that died between the item write and its enqueue left undone, and only then removes the marker.
 */
export interface OwedNotifications {
  rev: number;
  /** Instance id of the process that wrote the change. */
  instance: string;
  atMs: number;
}

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
  deadline?: string;
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
  /** The audit trail of the item, oldest first (the latest {@link TRAIL_IN_ITEM}; `trailArchived` older ones). */
  trail?: TrailEntry[];
  /** How many entries moved to the `audit` container (document `<id>:trail`). */
  trailArchived?: number;
  owes?: OwedNotifications;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  /** Epoch ms after which the purge deletes a closed item; Cosmos `ttl` does the same on Azure. */
  expiresAt?: number;
  ttl?: number;
}

export const OPEN_REQUEST_STATUSES: readonly RequestStatus[] = ['neu', 'in_bearbeitung', 'rueckfrage', 'eskaliert'];

export function isOpen(item: Pick<ItemDoc, 'kind' | 'status'>): boolean {
  return item.kind === 'request' ? (OPEN_REQUEST_STATUSES as readonly string[]).includes(item.status) : item.status === 'eingereicht';
}

/** Status labels, German and English. */
export const STATUS_LABELS: Readonly<Record<ItemStatus, { de: string; en: string }>> = {
  neu: { de: 'Neu', en: 'New' },
  in_bearbeitung: { de: 'In Bearbeitung', en: 'In progress' },
  rueckfrage: { de: 'Rückfrage', en: 'Question back' },
  erledigt: { de: 'Erledigt', en: 'Done' },
  eskaliert: { de: 'An die Behördenleitung herangetragen', en: 'Raised with the head' },
  eingereicht: { de: 'Eingereicht', en: 'Submitted' },
  termin_vorgeschlagen: { de: 'Termin vorgeschlagen', en: 'Meeting proposed' },
  schriftlich: { de: 'Schriftlich vorlegen', en: 'Submit in writing' },
  zur_kenntnis: { de: 'Zur Kenntnis genommen', en: 'Noted' },
  abgelehnt: { de: 'Abgelehnt', en: 'Declined' },
  weisung: { de: 'Weisung erteilt', en: 'Instruction given' },
};

export const CATEGORY_LABELS: Readonly<Record<RequestCategory, { de: string; en: string }>> = {
  beratung: { de: 'Beratung', en: 'Advice' },
  beteiligung: { de: 'Beteiligung an einer geplanten Maßnahme (Nr. 5 a)', en: 'Involvement in a planned measure (No. 5 a)' },
  information: { de: 'Information', en: 'Information' },
  sonstiges: { de: 'Sonstiges', en: 'Other' },
};

export const URGENCY_LABELS: Readonly<Record<Urgency, { de: string; en: string }>> = {
  normal: { de: 'Normal', en: 'Normal' },
  eilig: { de: 'Eilig', en: 'Urgent' },
  sehr_eilig: { de: 'Sehr eilig', en: 'Very urgent' },
};

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
}

export function summaryOf(item: ItemDoc): ItemSummary {
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
  };
}
