import type { ConversationRef, OutgoingActivity } from './model';

/** Per-call settings the dispatcher passes to the sender. */
export interface SendOptions {
  /**
   * Stable id of this delivery (the same on every attempt). Teams assigns its own message ids and offers no
   * idempotency key for posts, so this is for tracing and for test channels that detect duplicates.
   */
  deliveryId: string;
  /** Give up on the call after this long; kept well below the lease so a hung call cannot outlive it. */
  timeoutMs: number;
}

/** Whom to open a personal chat with, and through which connector endpoint. */
export interface PersonalConversationTarget {
  aadObjectId: string;
  tenantId: string;
  serviceUrl: string;
  /** The bot's channel account id, `28:<app id>`. */
  botId: string;
}

/**
 * The port through which the outbox reaches Teams. `bot/delivery` implements it with botbuilder; tests may use a fake.
 * Every method either resolves or rejects with a {@link ChannelError}, and makes exactly one HTTP call: retries are
 * the dispatcher's business, not the sender's.
 */
export interface ChannelSender {
  /** Posts a new message; resolves with the id the channel gave it. */
  send(ref: ConversationRef, activity: OutgoingActivity, options: SendOptions): Promise<{ activityId: string }>;
  /** Replaces a message posted earlier (Teams: PUT on the activity). */
  update(ref: ConversationRef, activityId: string, activity: OutgoingActivity, options: SendOptions): Promise<void>;
  /** Creates (or returns the existing) 1:1 chat of the bot with a user. */
  createPersonalConversation(target: PersonalConversationTarget, options: SendOptions): Promise<ConversationRef>;
}

/** How the dispatcher treats a failed call. */
export type ChannelErrorKind =
  /** 429: wait for Retry-After. */
  | 'throttled'
  /** 412, 5xx gateway errors, timeouts, dropped connections: retry with back-off. */
  | 'transient'
  /** 403, or 404 on a post: the bot was blocked or removed; stop trying this recipient. */
  | 'unreachable'
  /** Anything else (bad request, unknown message to update, tenant not allowed): give up with the reason. */
  | 'permanent';

/** A failed channel call, reduced to what the dispatcher decides on. */
export class ChannelError extends Error {
  constructor(
    /** Short stable code for logs and status, e.g. `http_503`, `ConversationBlockedByUser`, `timeout`. */
    readonly code: string,
    readonly kind: ChannelErrorKind,
    /** HTTP status, when an answer arrived. */
    readonly status?: number,
    /** From the Retry-After header, when given. */
    readonly retryAfterMs?: number,
    /**
     * True when the channel may have acted although the call failed (timeout, connection lost after sending):
     * a retry can then show the message twice.
     */
    readonly ambiguous = false,
  ) {
    super(`channel call failed: ${code}${status !== undefined ? ` (HTTP ${status})` : ''}`);
    this.name = 'ChannelError';
  }
}

/** Statuses Teams documents as "retry later"; 429 is handled separately. */
export const DEFAULT_RETRY_STATUSES: readonly number[] = [408, 412, 500, 502, 503, 504];

/**
 * Classifies an HTTP failure the way Teams documents its connector errors. `operation` matters for 404: a post to a
 * conversation that no longer exists means the recipient is gone; an update of a missing message is a plain failure.
 */
export function classifyStatus(
  status: number,
  operation: 'send' | 'update' | 'create',
  retryStatuses: readonly number[] = DEFAULT_RETRY_STATUSES,
): ChannelErrorKind {
  if (status === 429) return 'throttled';
  if (retryStatuses.includes(status)) return 'transient';
  if (status === 403) return 'unreachable';
  if (status === 404 && operation !== 'update') return 'unreachable';
  return 'permanent';
}

/** Parses a Retry-After header (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
