/**
 * The outbox's vocabulary: what feature code hands in, and the documents kept in the `outbox` container.
 *
 * One notification (pk = its id, derived from the caller's idempotency key) holds one header document and one
 * delivery document per recipient. Every state change is a single-document write guarded by the ETag, so the
 * design needs neither multi-document transactions nor TTL nor the change feed.
 */
import type { ConversationRef } from '../users/userProfiles';
import type { Reach, UnreachableReason } from './reach';

export type { ConversationRef };

/**
 * A message as the bot posts it: plain JSON (Bot Framework activity fields), no botbuilder types.
 * `attachments` take what `defineCard` renders.
 */
export interface OutgoingActivity {
  type?: 'message';
  text?: string;
  textFormat?: 'plain' | 'markdown' | 'xml';
  /** Shown in the notification banner when the message has only a card. */
  summary?: string;
  attachments?: Array<{ contentType: string; content?: unknown; contentUrl?: string; name?: string }>;
  attachmentLayout?: 'list' | 'carousel';
  entities?: Array<Record<string, unknown>>;
  channelData?: Record<string, unknown>;
}

/** A user, reached in their personal chat with the bot (created through the connector when none is stored). */
export interface UserRecipient {
  user: { aadObjectId: string; tenantId: string };
}

/** A known conversation (personal, group chat or team channel). */
export interface ConversationRecipient {
  conversation: ConversationRef;
  /** Update this previously posted message (PUT) instead of posting a new one. */
  replaceActivityId?: string;
}

export type Recipient = UserRecipient | ConversationRecipient;

/** What feature code asks for: one notification to one or more recipients. */
export interface NotificationRequest {
  /**
   * Idempotency key of the notification, e.g. `request:4711:submitted`. Enqueueing the same key again sends nothing
   * twice: recipients already enqueued under it are skipped, new ones are added.
   */
  key: string;
  activity: OutgoingActivity;
  recipients: Recipient[];
  /** Do not send before this moment (reminders). */
  notBefore?: Date;
}

/** An update of every message a previous notification posted (e.g. the request card after a decision). */
export interface CardUpdateRequest {
  /** Idempotency key of this update, e.g. `request:4711:decided`. */
  key: string;
  /** Key of the notification whose messages are replaced. */
  of: string;
  activity: OutgoingActivity;
}

export type DeliveryStatus = 'pending' | 'leased' | 'sending' | 'sent' | 'failed' | 'unreachable';

/** States after which nothing more happens to a delivery. */
export const FINAL_STATUSES: readonly DeliveryStatus[] = ['sent', 'failed', 'unreachable'];

/** Where a delivery goes, as stored. */
export type DeliveryTarget =
  | { kind: 'conversation'; ref: ConversationRef }
  | { kind: 'user'; aadObjectId: string; tenantId: string };

/** Why the last attempt did not succeed; codes only, never message text. */
export interface DeliveryError {
  code: string;
  status?: number;
  at: string;
  /** The channel may have acted although the call failed (timeout, connection lost): the next send may duplicate. */
  ambiguous?: boolean;
}

/**
 * Header of a notification to several recipients (the list the dispatcher completes if enqueueing was cut short);
 * id `notification`, pk = notification id. A notification to one recipient has no header.
 */
export interface NotificationDoc {
  id: 'notification';
  pk: string;
  kind: 'notification';
  key: string;
  activity: OutgoingActivity;
  recipients: StoredRecipient[];
  /** False until every delivery document has been written; the dispatcher completes stragglers. */
  complete: boolean;
  notBeforeMs: number;
  createdAt: string;
  createdAtMs: number;
}

/** A recipient as kept in the header, enough to (re)create its delivery document. */
export interface StoredRecipient {
  deliveryId: string;
  recipientKey: string;
  target: DeliveryTarget;
  replaceActivityId?: string;
  /** For updates of an earlier notification: the delivery whose message is replaced. */
  replaces?: { notificationId: string; deliveryId: string };
}

/** A delivery whose message was replaced by a later update remembers when that update was enqueued. */
export interface UpdateMark {
  /** `createdAtMs` of the newest update applied to this delivery's message. */
  latestUpdateMs?: number;
}

/**
 * Installing the app for a person Teams would not open a chat with (no app): the dispatcher's progress, kept in the
 * delivery so that a retry after a crash or a Graph throttle goes on where it stopped.
 */
export interface DeliveryInstall {
  /** `needed`: Teams refused the chat for want of the app; install first. `done`: Graph installed it (or found it installed). */
  state: 'needed' | 'done';
  /** When the bot installed the app (Graph created it); absent when Graph found it installed already. */
  installedAt?: string;
  /** Graph calls that failed (transient); throttling is not counted. */
  failures: number;
  /** Chats Teams still refused after the installation (it takes a moment to take effect). */
  waits: number;
}

/** One recipient of one notification; pk = notification id. */
export interface DeliveryDoc extends StoredRecipient, UpdateMark {
  id: string;
  pk: string;
  kind: 'delivery';
  notificationKey: string;
  operation: 'send' | 'update';
  activity: OutgoingActivity;
  status: DeliveryStatus;
  /** True while the delivery still has to happen (indexed by the dispatcher's query). */
  open: boolean;
  /** Epoch ms: when a pending delivery is due, or when a lease runs out. */
  dueAt: number;
  /** Attempts that reached (or tried to reach) the channel; 429 answers are counted in `throttled` instead. */
  attempts: number;
  /** 429 answers so far: each one waits Retry-After (else back-off), none counts as an attempt, none fails the delivery. */
  throttled: number;
  /** Sends repeated after an attempt whose outcome was never recorded (crash or timeout): possible duplicates. */
  uncertainResends: number;
  leaseOwner?: string;
  leaseUntil?: number;
  lastError?: DeliveryError;
  /** The conversation actually used (resolved for user targets). */
  conversation?: ConversationRef;
  /** The channel's id of the posted (or updated) message. */
  activityId?: string;
  sentAt?: string;
  /** An update that was not sent because a newer update of the same message had already been applied. */
  superseded?: boolean;
  /** How the recipient was reached, written when the delivery settles (absent while pending, and in older documents). */
  reach?: Exclude<Reach, 'pending'>;
  /** Why not, when `reach` is `unreachable`. */
  reason?: UnreachableReason;
  /** Present once Teams refused a personal chat for want of the app and Graph may install it. */
  install?: DeliveryInstall;
  createdAt: string;
  createdAtMs: number;
  updatedAt: string;
}

export type OutboxDoc = NotificationDoc | DeliveryDoc;

/** What `enqueue` did. */
export interface EnqueueResult {
  notificationId: string;
  /** Deliveries written by this call; 0 when every recipient had been enqueued under the key before. */
  added: number;
  /** Distinct recipients in this call. */
  total: number;
}

/** The state of one recipient, e.g. for "zugestellt an 11 von 12". */
export interface RecipientStatus {
  recipientKey: string;
  deliveryId: string;
  status: DeliveryStatus;
  attempts: number;
  conversationId?: string;
  activityId?: string;
  sentAt?: string;
  lastError?: DeliveryError;
}

/** The state of a notification across its recipients. */
export interface NotificationStatus {
  key: string;
  notificationId: string;
  total: number;
  /** Recipients reached: `delivered` of `total`. */
  delivered: number;
  counts: Record<DeliveryStatus, number>;
  recipients: RecipientStatus[];
}
