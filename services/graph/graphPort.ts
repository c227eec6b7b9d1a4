/**
 * Microsoft Graph, as the product uses it: one port, no Graph SDK types. `bot/graph/` implements it with Microsoft's
 * Graph client and `@azure/identity`; tests run that implementation against the Graph stand-in in `test/support/`.
 *
 * Without Graph configured (the local default) there is no port at all (`undefined`), and every feature works as
 * before: deliveries to people without the app stay "nicht erreichbar", the directory names people by object id, roles
 * come from the directory file only, and a circle meeting's online link is free text.
 *
 * Every method makes the calls Graph documents for its job, pages through `@odata.nextLink`, batches through `$batch`
 * where it asks about many things, and waits out 429 answers (Retry-After) a bounded number of times before it
 * rejects with a {@link GraphError} of kind `throttled`. Every failure is a {@link GraphError}; nothing else escapes.
 */

/** What the bot can do through Graph; each needs one application permission (see {@link GRAPH_FEATURES}). */
export type GraphFeature = 'install' | 'people' | 'groups' | 'meetings' | 'mail' | 'chats';

/** A Graph feature: the application permission it needs (least privileged first; any one suffices) and what stops without it. */
export interface GraphFeatureInfo {
  feature: GraphFeature;
  /** Application permissions, any one of which allows the feature (the first is the one we ask for). */
  permissions: readonly string[];
  /** Why the bot uses it. */
  why: string;
  /** What does not work without it. */
  without: string;
  /** Not granted by the deployment unless asked for (`graphPermissions`, infra/scripts/grant-graph-permissions.sh). */
  optIn?: boolean;
}

/**
 * The permissions the bot asks for, one per feature. Names and least-privilege choices follow the Graph permission
 * reference of each call (https://learn.microsoft.com/graph/permissions-reference).
 */
export const GRAPH_FEATURES: Readonly<Record<GraphFeature, GraphFeatureInfo>> = {
  install: {
    feature: 'install',
    permissions: ['TeamsAppInstallation.ReadWriteSelfForUser.All', 'TeamsAppInstallation.ReadWriteForUser.All'],
    why: 'installs this app (and only this app) for a person who must be reached but never opened the bot',
    without: 'people without the app stay "nicht erreichbar"; the sender is told',
  },
  people: {
    feature: 'people',
    permissions: ['User.Read.All'],
    why: "resolves the names (UPN or e-mail) of a directory file to Entra object ids on import; reads the names and departments of group members (the staff's departments for information posts)",
    without: 'the directory file must give object ids; group members are listed without names or departments, so posts cannot go to chosen departments',
  },
  groups: {
    feature: 'groups',
    permissions: ['GroupMember.Read.All'],
    why: 'reads the (transitive) members of the Entra groups that hold roles (KfI, directory administrators, head offices, circle members) and of each authority\'s staff group (information posts)',
    without: 'roles come from the directory file only; group ids in the configuration are ignored; posts reach the staff the bot knows',
  },
  meetings: {
    feature: 'meetings',
    permissions: ['Calendars.ReadWrite'],
    why: "creates, moves and cancels the circle's Teams meeting as an event in the KfI mailbox",
    without: "the meeting's online link stays free text",
  },
  mail: {
    feature: 'mail',
    permissions: ['Mail.Send'],
    why: 'sends a report by e-mail from the configured mailbox when the head cannot be reached in Teams',
    without: 'the fallback for an unreachable head is the head office only',
  },
  chats: {
    feature: 'chats',
    // https://learn.microsoft.com/graph/api/chat-list-messages (Application: ChatMessage.Read.Chat, which is resource-specific
    // consent and never in the token's roles; higher: Chat.Read.All, Chat.ReadWrite.All). A protected API: Microsoft must
    // approve the app's use first (https://learn.microsoft.com/graph/teams-protected-apis).
    permissions: ['Chat.Read.All', 'Chat.ReadWrite.All'],
    // It reads every chat of the tenant and needs Microsoft's approval: an administrator's deliberate choice.
    optIn: true,
    why: "before a message whose earlier attempt has no recorded outcome (the process died during the call) is sent again, looks in the bot's own chat with the person whether it arrived",
    without: 'such a message is sent again, and the person may see it twice (docs/architecture.md, "The window Teams leaves open")',
  },
};

/** How a caller treats a failed Graph call. */
export type GraphErrorKind =
  /** 429 (or 503 with Retry-After) after the port's own waiting: try later, after `retryAfterMs`. */
  | 'throttled'
  /** 401/403: the permission is missing or not granted for this resource (e.g. a mailbox outside the access policy). */
  | 'forbidden'
  /** 404: no such user, group, event or catalog app. */
  | 'notFound'
  /** 409: it exists already (e.g. the app is installed for the user). */
  | 'conflict'
  /** 5xx, timeouts, dropped connections: retry with back-off. */
  | 'transient'
  /** Anything else (bad request, token could not be had): give up with the reason. */
  | 'permanent';

/** A failed Graph call; `code` is Graph's error code (e.g. `Authorization_RequestDenied`) or ours, never message text. */
export class GraphError extends Error {
  constructor(
    readonly code: string,
    readonly kind: GraphErrorKind,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(`graph call failed: ${code}${status !== undefined ? ` (HTTP ${status})` : ''}`);
    this.name = 'GraphError';
  }
}

/** A person as Graph returns them (`$select=id,displayName,userPrincipalName,mail`). */
export interface GraphUser {
  /** Entra object id (a GUID, lower case). */
  id: string;
  displayName?: string;
  userPrincipalName?: string;
  mail?: string;
  /**
   * The Entra `department`, only when asked for (`groupMembers(id, { department: true })`) and readable: Graph returns
   * it only on `$select` and only to an app that may read users' full profiles (User.Read.All); otherwise absent.
   */
  department?: string;
  /**
   * Set when Graph listed the person (as a group member) with "limited information": only the id, every other property
   * null, because the app may not read users' profiles (GroupMember.Read.All without User.Read.All or
   * User.ReadBasic.All; https://learn.microsoft.com/graph/permissions-overview#limited-information-returned-for-inaccessible-member-objects).
   * The membership is right; the name and the department are unknown.
   */
  limited?: true;
}

/** Whether a person has this app installed in personal scope. */
export type InstallState = 'installed' | 'notInstalled';

/** What {@link GraphPort.installApp} did. */
export type InstallResult = 'installed' | 'alreadyInstalled';

/** A circle meeting as a calendar event with a Teams meeting (`isOnlineMeeting`, `teamsForBusiness`). */
export interface MeetingEventInput {
  /**
   * Stable for the meeting (e.g. `circle:<meeting id>`): the event's `transactionId`, so a create repeated after a
   * crash finds the event created before instead of making a second one.
   */
  transactionId: string;
  subject: string;
  /** Plain text (the port escapes it into the event body). */
  bodyText: string;
  /** ISO date-times with offset. */
  start: string;
  end: string;
  /** IANA zone the start and end are shown in, `Europe/Berlin`. */
  timeZone: string;
  location?: string;
  /** E-mail addresses invited as required attendees (may be empty: the link goes on the card). */
  attendees: readonly string[];
}

/** A created or updated meeting event. */
export interface MeetingEvent {
  eventId: string;
  /** The Teams join link (`onlineMeeting.joinUrl`). */
  joinUrl: string;
}

/** A plain-text e-mail. */
export interface MailInput {
  to: readonly string[];
  subject: string;
  bodyText: string;
}

/**
 * The Graph calls the product makes. Object ids are compared lower case; methods lower-case what they return.
 * Each method needs one {@link GraphFeature}; calling it without that feature granted rejects with kind `forbidden`.
 */
export interface GraphPort {
  /**
   * The features the granted application permissions allow, read from the `roles` claim of the app's Graph token
   * (fetched once, refreshed when the token is). Rejects only when no token can be had at all.
   */
  features(): Promise<ReadonlySet<GraphFeature>>;

  // --- install ---
  /** `GET /users/{id}/teamwork/installedApps?$filter=teamsApp/id eq '{catalog id}'`. */
  installState(userId: string): Promise<InstallState>;
  /**
   * `POST /users/{id}/teamwork/installedApps` with this app's catalog id (configured, or looked up once by the
   * manifest id through `GET /appCatalogs/teamsApps?$filter=externalId eq '…'`). 409 → `alreadyInstalled`.
   */
  installApp(userId: string): Promise<InstallResult>;

  // --- people ---
  /**
   * Resolves UPNs or e-mail addresses (`GET /users/{upn}`, and `GET /users?$filter=mail eq '…'` for an address that is
   * not a UPN), 20 to a `$batch`. The map has one entry per input (trimmed, lower case); `null` = not found.
   */
  resolveUsers(identifiers: readonly string[]): Promise<Map<string, GraphUser | null>>;
  /**
   * People whose name, e-mail or UPN has a word starting with `text` (the deputy picker): `GET /users?$search=` with
   * `ConsistencyLevel: eventual`, at most `top` (default 10).
   */
  searchUsers(text: string, top?: number): Promise<GraphUser[]>;

  // --- groups ---
  /**
   * Every user in the group, directly or through nested groups: `GET /groups/{id}/transitiveMembers/microsoft.graph.user`,
   * all pages. With `department: true` it selects `id,displayName,department` instead (the staff of an authority and
   * their departments, for information posts).
   */
  groupMembers(groupId: string, options?: { department?: boolean }): Promise<GraphUser[]>;

  // --- meetings (in the configured mailbox) ---
  /** Creates the event (`POST /users/{mailbox}/events`, idempotent through `transactionId`) or, with `eventId`, updates it (`PATCH`). */
  upsertMeetingEvent(mailbox: string, input: MeetingEventInput, eventId?: string): Promise<MeetingEvent>;
  /**
   * The id of the event a create with this `transactionId` made and that is not cancelled, or undefined:
   * `GET /users/{mailbox}/events?$filter=transactionId eq '…'`. Finds an event whose create answer was lost without
   * making one (a create would invite the attendees).
   */
  findMeetingEvent(mailbox: string, transactionId: string): Promise<string | undefined>;
  /** `POST /users/{mailbox}/events/{id}/cancel` with the comment; an event already gone counts as cancelled. */
  cancelMeetingEvent(mailbox: string, eventId: string, comment: string): Promise<void>;

  // --- mail ---
  /** `POST /users/{mailbox}/sendMail`, saved to Sent Items. */
  sendMail(mailbox: string, mail: MailInput): Promise<void>;

  // --- chats (features `chats` and `install`) ---
  /**
   * The messages in the personal chat between the person and this app changed after `since`, newest first, at most
   * 50: the chat through `GET /users/{id}/teamwork/installedApps/{installation id}/chat` (remembered per person), then
   * `GET /chats/{id}/messages?$top=50&$orderby=lastModifiedDateTime desc&$filter=lastModifiedDateTime gt {since}`.
   * `notFound` when the app is not installed for the person.
   */
  botChatMessages(userId: string, since: Date): Promise<ChatMessageSeen[]>;
}

/** A message in a chat as Graph shows it (https://learn.microsoft.com/graph/api/resources/chatmessage), reduced to what identifies it. */
export interface ChatMessageSeen {
  /** The message id: the same id the Bot Connector gave the activity. */
  id: string;
  createdDateTime: string;
  /** `from.application.id` when an app posted it (our bot's Entra app id), else undefined. */
  fromAppId?: string;
  /** `body.content` (HTML for what a bot posted as text). */
  bodyHtml: string;
  /** The adaptive cards among `attachments`, each parsed from its JSON `content`. */
  cards: unknown[];
}

/** The features with their permissions, for the start-up log line and the README table. */
export function describeFeatures(granted: ReadonlySet<GraphFeature>): { on: GraphFeature[]; off: Array<{ feature: GraphFeature; missing: string }> } {
  const all = Object.values(GRAPH_FEATURES);
  return {
    on: all.filter((f) => granted.has(f.feature)).map((f) => f.feature),
    off: all.filter((f) => !granted.has(f.feature)).map((f) => ({ feature: f.feature, missing: f.permissions[0] as string })),
  };
}

/** Which features a token's `roles` claim allows. */
export function featuresFromRoles(roles: readonly string[]): Set<GraphFeature> {
  const granted = new Set(roles);
  const features = new Set<GraphFeature>();
  for (const info of Object.values(GRAPH_FEATURES)) if (info.permissions.some((p) => granted.has(p))) features.add(info.feature);
  return features;
}
