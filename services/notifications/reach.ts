/**
 * Whom a notification reached: per recipient, and summed up for the person who sent it ("zugestellt an 11 von 12;
 * nicht erreichbar: …"). The outbox's delivery documents are the record; a report is read from them (one query in the
 * notification's partition), never kept twice.
 */

/** How one recipient was (or was not) reached. */
export type Reach =
  /** Posted to a chat the bot already had, or could open because the app was installed. */
  | 'delivered'
  /** The bot installed the app for the person through Graph first, then posted. */
  | 'installedThenDelivered'
  /** Given up; `reason` says why. */
  | 'unreachable'
  /** Still on its way (waiting, throttled, being installed). */
  | 'pending';

/** Why a recipient could not be reached (stable codes; texts live with the views, per language). */
export type UnreachableReason =
  /** The app is not installed and Graph is off or may not install it (permission missing). */
  | 'notInstalled'
  /** The person removed the app; the bot does not install it against their will. */
  | 'removedByUser'
  /** The person blocked the bot in Teams. */
  | 'blocked'
  /** Graph refused the installation (e.g. app not in the catalog, user without a Teams licence). */
  | 'installFailed'
  /** Anything else the channel refused for good. */
  | 'failed';

/** One recipient in a report. Only ids and codes: names are looked up by the view from the directory. */
export interface RecipientReach {
  /** Entra object id for a person; absent for a channel or group chat. */
  aadObjectId?: string;
  /** For a channel or group chat. */
  conversationId?: string;
  reach: Reach;
  reason?: UnreachableReason;
}

/** A notification's reach, summed up. */
export interface DeliveryReport {
  /** The notification's idempotency key, e.g. `circle:poll:…:opened`. */
  key: string;
  total: number;
  /** Includes those reached after installation. */
  delivered: number;
  /** Of `delivered`: reached after the bot installed the app. */
  installed: number;
  pending: number;
  unreachable: RecipientReach[];
  /** Every recipient, in enqueue order. */
  recipients: RecipientReach[];
}

/** Reports for the senders' cards and the tab. */
export interface DeliveryReports {
  /** The current report of the notification with this key (one query in its partition). */
  report(key: string): Promise<DeliveryReport>;
  /**
   * Calls `listener` after deliveries of notifications whose key matches `keys` (a string: the key starts with it; a
   * regular expression: it matches the key) settle (sent or given up), at most about once a second per notification,
   * with the report as it then stands. In-process and best effort: a process that dies loses the call, not the record
   * (the next settle, a card refresh or the tab reads it again). Each report costs a query: register for the keys the
   * listener acts on, not for a whole workflow's.
   */
  onSettled(keys: string | RegExp, listener: (report: DeliveryReport) => Promise<void> | void): void;
}
