/**
 * The shapes of the posts' tab API (`/api/tab/posts…`), shared by the server (`bot/tab/postsTab.ts`) and the tab
 * (`tab/src/posts.ts`, type-only). No imports: the tab's bundle reads this file too. Texts arrive in the viewer's
 * language (Accept-Language), ready to show; the tab escapes what it shows.
 */

/** A post the viewer sent: counts for everyone who sent it, and (the sender only) who has not acknowledged. */
export interface SentPostWire {
  id: string;
  title: string;
  /** ISO timestamp. */
  sentAt: string;
  audience: string;
  /** "Zugestellt an 2 von 3". */
  reach: string;
  /** "Zur Kenntnis genommen: 2 von 3", or that no acknowledgement was asked. */
  acknowledged: string;
  /** Names of those who have not acknowledged (empty when all have, or none was asked). */
  notAcknowledged: string[];
  /** "Eine Erinnerung verschickt." and the like; empty when none. */
  reminders: string;
  canRemind: boolean;
  canRemindWeekly: boolean;
}

/** A post sent to the viewer. */
export interface ReceivedPostWire {
  id: string;
  title: string;
  heading: string;
  from: string;
  sentAt: string;
  ackRequested: boolean;
  /** ISO timestamp of the viewer's acknowledgement. */
  acknowledgedAt?: string;
}

/** `GET /api/tab/posts`. */
export interface PostsWire {
  sent: SentPostWire[];
  received: ReceivedPostWire[];
  /** Labels of the section, in the viewer's language. */
  labels: { sentHeading: string; receivedHeading: string; remind: string; remindWeekly: string; acknowledge: string; acknowledged: string; notYet: string; none: string };
}

/** A refusal or a problem: the message in the viewer's language. */
export interface PostsProblemWire {
  code: string;
  message: string;
}
