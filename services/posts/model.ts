/**
 * Information posts (RdErl. v. 5.12.2023, Nr. 5 b and c: the IB informs and sensitises the staff of their authority;
 * Nr. 6: the KfI informs the IB; Nr. 3: a new appointment is made known). Stored in the `posts` container, one
 * partition per post (pk = post id): the post document, and beside it one document per recipient who acknowledged it
 * ("Zur Kenntnis genommen"). Recipients never write the post document, so many acknowledgements at once cannot
 * overwrite one another; the post itself changes only when its sender acts (send, remind).
 */
import type { AuthorityCode } from '../directory/model';
import type { PendingCarrier } from '../workflow/pending';

/** The card verbs of posts. */
export const POST_VERBS = {
  /** A recipient acknowledges the post ("Zur Kenntnis genommen"). */
  ack: 'post.ack',
  /** The sender's card: delivery and acknowledgement counts, who has not acknowledged yet. */
  status: 'post.status',
  /** The sender reminds those who have not acknowledged, once. */
  remind: 'post.remind',
  /** The sender reminds them every week until all have acknowledged (at most {@link REMIND_LIMITS.scheduled} times). */
  remindWeekly: 'post.remindWeekly',
  /** The IB or a directory administrator sends a prepared appointment post (Nr. 3). */
  confirm: 'post.confirm',
} as const;

/** Whom a post goes to. */
export type Audience =
  /**
   * The whole authority: the members of its Entra staff group (`source: 'entra'`, GRAPH_GROUP_STAFF_<AUTHORITY>), or,
   * where none is configured, the staff the bot knows (their chosen or derived Bezirksregierung; `known` or absent).
   */
  | { kind: 'authority'; authority: AuthorityCode; source?: 'entra' | 'known' }
  /** The members of the authority's Entra staff group whose Entra `department` is one of those chosen. */
  | { kind: 'departments'; authority: AuthorityCode; departments: string[] }
  /** The members of an Entra group, read through Microsoft Graph. */
  | { kind: 'group'; groupId: string }
  /** Every IB and deputy of the five authorities (the KfI's posts). */
  | { kind: 'allIb' };

/** Limits of the sender's input and of reminders. */
export const POST_LIMITS = { title: 150, text: 4_000, recipients: 5_000, departments: 100, department: 64 } as const;
export const REMIND_LIMITS = {
  /** Reminders a sender may send by hand per post. */
  manual: 3,
  /** Weekly reminders at most (scheduled). */
  scheduled: 4,
  /** Days between scheduled reminders. */
  everyDays: 7,
} as const;

/** One recipient as resolved when the post was sent; the name only where the directory or Entra knew it. */
export interface PostRecipient {
  id: string;
  name?: string;
}

/** A post; id `post`, pk = post id (`post-<uuid>`). */
export interface PostDoc extends PendingCarrier {
  id: 'post';
  pk: string;
  type: 'post';
  /** `info`: written by its sender; `appointment`: prepared from a directory change (Nr. 3), confirmed before it goes out. */
  kind: 'info' | 'appointment';
  /** `draft`: an appointment post waiting for confirmation; `sent`: handed to the outbox. */
  status: 'draft' | 'sent';
  /** In the author's words (never translated); checked by the privacy guard before it was stored. */
  title: string;
  text: string;
  /** Whether recipients are asked to acknowledge ("bitte zur Kenntnis nehmen"). */
  ackRequested: boolean;
  /** The author's side: the authority of an IB, or the KfI. */
  from: { role: 'ib'; authority: AuthorityCode } | { role: 'kfi' };
  audience: Audience;
  /** AAD object id (lower case) of whoever sent it, or will confirm it (appointment: the new IB). */
  sender: string;
  senderName: string;
  tenantId: string;
  /** AAD object ids (lower case) of the recipients as resolved when the post was sent, without the sender. */
  recipients: string[];
  /** Display names of recipients where the directory or Entra knew them (for the sender's list only). */
  names: Record<string, string>;
  /**
   * Recipients who had acknowledged and then deleted their data ("Meine Daten löschen"): taken out of `recipients`,
   * `names` and the outbox, and still counted here, anonymously, as reached and acknowledged. A recipient who deletes
   * their data before acknowledging is taken out the same way and no longer counted at all.
   */
  erasedAcks?: number;
  /** Reminders sent so far (by hand and scheduled), each with its moment and how many it went to. */
  reminders: Array<{ at: string; to: number; scheduled: boolean }>;
  /** Set while weekly reminders run. */
  weekly?: { since: string };
  /** An appointment post's copy to the ministry contact (Nr. 3), when configured: its state. */
  ministryCopy?: { to: string; state: 'pending' | 'sent' | 'failed' | 'off' };
  createdAt: string;
  sentAt?: string;
  /** Epoch ms after which the retention purge deletes the post with its acknowledgements and notifications. */
  expiresAt: number;
  /** Seconds: Cosmos DB's own expiry on Azure, 30 days after `expiresAt` (a backstop; the purge is the rule). */
  ttl?: number;
}

/** One recipient's acknowledgement; id `ack:<aad>`, pk = post id. */
export interface AckDoc {
  id: string;
  pk: string;
  type: 'postAck';
  member: string;
  at: string;
  expiresAt: number;
  ttl?: number;
}

/** Remembers the IB of each authority the posts have seen, to notice a new appointment; id `ib:<code>`, pk `appointments`. */
export interface KnownIbDoc {
  id: string;
  pk: 'appointments';
  type: 'knownIb';
  authority: AuthorityCode;
  /** The IB's AAD object id, or '' while the post is vacant. */
  aadObjectId: string;
  appointedOn: string;
  updatedAt: string;
}

export type PostsDoc = PostDoc | AckDoc | KnownIbDoc;

/** What the sender (only the sender) sees of a post. */
export interface PostStatus {
  post: PostDoc;
  total: number;
  delivered: number;
  pending: number;
  unreachable: number;
  acknowledged: number;
  /** Who has not acknowledged (names where known), in the order they were resolved. */
  notAcknowledged: PostRecipient[];
}

/** What a recipient sees: the post and, when they acknowledged it, when. */
export interface PostView {
  post: PostDoc;
  acknowledgedAt?: string;
}

/**
 * "Meine Daten" of posts: the posts a person sent (or, an appointment post, is to confirm), without their recipients'
 * ids; their acknowledgements (which post, when); the reminders they received (a reminder goes to every recipient who
 * had not acknowledged by then). Each with when the retention purge deletes it.
 */
export interface MyPostData {
  sent: Array<{ postId: string; kind: PostDoc['kind']; status: PostDoc['status']; title: string; text: string; audience: Audience; createdAt: string; sentAt?: string; recipients: number; reminders: number; deleteAfter: string }>;
  acknowledged: Array<{ postId: string; title: string; from: string; at: string; deleteAfter: string }>;
  remindersReceived: Array<{ postId: string; title: string; from: string; at: string; deleteAfter: string }>;
}

/** What "Meine Daten löschen" deleted of the posts: acknowledgements, and posts the person no longer appears in as a recipient. */
export interface PostErasure {
  acknowledgements: number;
  received: number;
}

export const ackId = (aadObjectId: string) => `ack:${aadObjectId.toLowerCase()}`;
export const postKey = (postId: string, step: string) => `post:${postId}:${step}`;
