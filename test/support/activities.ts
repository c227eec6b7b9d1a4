import { createHash } from 'node:crypto';

/**
 * Activity builders with the shapes Microsoft Teams really sends to a bot.
 *
 * Every builder returns a plain JSON object: what arrives on the wire at `/api/messages`. It is deliberately not typed
 * as botbuilder's `Activity`: on the wire timestamps are strings and Teams omits fields the SDK's types call required
 * (`conversation.isGroup` and `name` in personal chats). Cast with `as unknown as Activity` to feed a test adapter.
 * Defaults describe one German-speaking member of staff in a personal chat with the bot; override what a test cares
 * about and nothing else.
 *
 * @example
 * ```ts
 * const erika = user({ name: 'Erika Mustermann' });
 * const hello = message('hilfe', { from: erika, serviceUrl: emulator.serviceUrl, botAppId });
 * const accept = cardAction('request.accept', { requestId: 'r-1' }, { from: erika, replyToId: cardId, serviceUrl });
 * const inChannel = message('wer ist zuständig?', { scope: 'channel', from: erika, serviceUrl });
 * ```
 */

/** Where a conversation takes place: a 1:1 chat with the bot, a team channel, or a group chat. */
export type ConversationScope = 'personal' | 'channel' | 'groupChat';

/** A Teams user as the bot sees them in `from`, in roster calls and in mentions. */
export interface TeamsUser {
  /** The channel-scoped user id, `29:…`. */
  id: string;
  name: string;
  /** The Entra ID (AAD) object id: the stable identity across bots and tenants' directories. */
  aadObjectId: string;
  tenantId: string;
  /** BCP-47 locale of the Teams client, e.g. `de-DE`. */
  locale: string;
  /** IANA time zone of the Teams client, e.g. `Europe/Berlin`. */
  timezone: string;
  /** Two-letter country of the Teams client. */
  country: string;
  /** Teams client platform as reported in `clientInfo`: `Web`, `Windows`, `Mac`, `iOS`, `Android`. */
  platform: string;
  givenName: string;
  surname: string;
  email: string;
  userPrincipalName: string;
}

/** A team and one of its channels, for channel-scoped activities. */
export interface TeamsChannelRef {
  teamId: string;
  teamName: string;
  /** The team's Microsoft 365 group id. */
  aadGroupId: string;
  channelId: string;
  channelName: string;
}

/** Wire shape of an account (`from`, `recipient`, members). */
export interface WireAccount {
  id: string;
  name?: string;
  aadObjectId?: string;
  role?: string;
}

/** Wire shape of `conversation`. */
export interface WireConversation {
  id: string;
  conversationType: ConversationScope;
  tenantId: string;
  isGroup?: boolean;
  name?: string;
}

/** Wire shape of an entity (`clientInfo`, `mention`, …). */
export interface WireEntity {
  type: string;
  [key: string]: unknown;
}

/** Wire shape of an attachment. */
export interface WireAttachment {
  contentType: string;
  content?: unknown;
  contentUrl?: string;
  name?: string;
}

/** A Teams activity as it arrives at the bot's messaging endpoint. */
export interface TeamsActivity {
  type: string;
  id: string;
  timestamp: string;
  localTimestamp: string;
  localTimezone: string;
  locale: string;
  channelId: 'msteams';
  serviceUrl: string;
  from: WireAccount;
  recipient: WireAccount;
  conversation: WireConversation;
  channelData: Record<string, unknown>;
  entities: WireEntity[];
  text?: string;
  textFormat?: string;
  attachments?: WireAttachment[];
  name?: string;
  value?: unknown;
  action?: string;
  replyToId?: string;
  membersAdded?: WireAccount[];
  membersRemoved?: WireAccount[];
  reactionsAdded?: Array<{ type: string }>;
  reactionsRemoved?: Array<{ type: string }>;
}

/** Options shared by every builder. Anything left out gets a sensible Teams-like default. */
export interface ActivityOptions {
  /** The acting user; defaults to {@link defaultUser}. */
  from?: TeamsUser;
  /** The bot's App ID; the recipient becomes `28:<botAppId>`. */
  botAppId?: string;
  botName?: string;
  scope?: ConversationScope;
  /**
   * Connector base URL the bot must answer to, with trailing slash (use `emulator.serviceUrl`).
   * Defaults to {@link UNREACHABLE_SERVICE_URL} so a forgotten option fails fast on loopback instead of reaching out.
   */
  serviceUrl?: string;
  /** Overrides the derived conversation id (personal: per user and bot; channel: thread id; group chat: fixed). */
  conversationId?: string;
  /** Defaults to the user's tenant. */
  tenantId?: string;
  /** Team and channel for `scope: 'channel'`; defaults to {@link defaultChannel}. */
  channel?: TeamsChannelRef;
  id?: string;
  /** When the user acted; defaults to now. */
  timestamp?: Date;
  replyToId?: string;
  /** Overrides the user's client locale for this activity. */
  locale?: string;
}

/** Options for {@link message}. */
export interface MessageOptions extends ActivityOptions {
  /**
   * Whether the text starts with an `<at>` mention of the bot. Teams only delivers channel and group-chat messages that
   * mention the bot, so this defaults to true outside personal scope and false inside it.
   */
  mentionBot?: boolean;
  attachments?: WireAttachment[];
  /** Payload of a legacy `Action.Submit`, which Teams delivers as a message with `value`. */
  value?: unknown;
}

/** Options for {@link cardAction}. */
export interface CardActionOptions extends ActivityOptions {
  /** Button title as Teams reports it in `value.action.title`. */
  title?: string;
  /** `manual` for a click, `automatic` for a card refresh. */
  trigger?: 'manual' | 'automatic';
}

/** Options for {@link conversationUpdate}. */
export interface ConversationUpdateOptions extends ActivityOptions {
  /** Teams' `channelData.eventType`; derived from the member lists in team scope when left out. */
  eventType?: string;
}

/** The tenant used when a test does not name one (a made-up GUID). */
export const DEFAULT_TENANT_ID = '5e1b2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
/** The bot App ID used when a test does not name one (a made-up GUID). */
export const DEFAULT_BOT_APP_ID = 'b07c0de0-1a2b-4c3d-8e4f-50617283a4b5';
/** The bot's display name used when a test does not name one. */
export const DEFAULT_BOT_NAME = 'Integrations-Lotse';
/**
 * Loopback URL on a port nothing listens on: replies from a test that forgot `serviceUrl` fail with ECONNREFUSED
 * at once, and never leave the machine.
 */
export const UNREACHABLE_SERVICE_URL = 'http://127.0.0.1:1/';

function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

/** A GUID derived from a seed, so personas keep the same ids in every run. */
export function stableGuid(...seed: string[]): string {
  const hex = digest('guid', ...seed).toString('hex');
  // Version 4 / variant 1 nibbles, so validators that check GUID shape accept it.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The personal-chat conversation id Teams uses for one user and one bot (`a:1…`), derived deterministically. */
export function personalConversationId(userId: string, botAppId: string = DEFAULT_BOT_APP_ID): string {
  return 'a:1' + digest('personal', userId, botAppId).toString('base64url').slice(0, 60);
}

function transliterate(name: string): string {
  return name
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '');
}

/** Everything {@link user} accepts; only `name` is required. */
export type UserOptions = Partial<TeamsUser> & { name: string };

/**
 * Makes a persona. Ids are derived from the name (and tenant) so the same persona has the same `29:` id and AAD object
 * id in every test run; every field can be overridden.
 */
export function user(options: UserOptions): TeamsUser {
  const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
  const nameParts = options.name.trim().split(/\s+/);
  const givenName = options.givenName ?? nameParts[0] ?? options.name;
  const surname = options.surname ?? (nameParts.length > 1 ? nameParts.slice(1).join(' ') : '');
  const email = options.email ?? `${transliterate(options.name) || 'user'}@bezreg.example`;
  return {
    id: options.id ?? '29:1' + digest('user', tenantId, options.name).toString('base64url').slice(0, 56),
    name: options.name,
    aadObjectId: options.aadObjectId ?? stableGuid('aad', tenantId, options.name),
    tenantId,
    locale: options.locale ?? 'de-DE',
    timezone: options.timezone ?? 'Europe/Berlin',
    country: options.country ?? 'DE',
    platform: options.platform ?? 'Web',
    givenName,
    surname,
    email,
    userPrincipalName: options.userPrincipalName ?? email,
  };
}

/** The persona used when a builder gets no `from`. */
export const defaultUser: TeamsUser = user({ name: 'Erika Mustermann' });

/** Makes a team channel reference with stable, Teams-shaped ids. */
export function teamChannel(options: Partial<TeamsChannelRef> & { teamName?: string } = {}): TeamsChannelRef {
  const teamName = options.teamName ?? 'Integration Dezernat 36';
  const teamId = options.teamId ?? `19:${digest('team', teamName).toString('hex').slice(0, 32)}@thread.tacv2`;
  const channelName = options.channelName ?? 'Allgemein';
  return {
    teamId,
    teamName,
    aadGroupId: options.aadGroupId ?? stableGuid('group', teamId),
    // Teams gives the General channel the team's own id.
    channelId:
      options.channelId ??
      (channelName === 'Allgemein' || channelName === 'General'
        ? teamId
        : `19:${digest('channel', teamId, channelName).toString('hex').slice(0, 32)}@thread.tacv2`),
    channelName,
  };
}

/** The team channel used when a channel-scoped builder gets no `channel`. */
export const defaultChannel: TeamsChannelRef = teamChannel();

/** A user as a Bot Connector roster entry (`TeamsChannelAccount`), e.g. for `emulator.setRoster`. */
export function rosterMember(person: TeamsUser, userRole: 'user' | 'guest' | 'bot' = 'user'): RosterMember {
  return {
    id: person.id,
    name: person.name,
    aadObjectId: person.aadObjectId,
    givenName: person.givenName,
    surname: person.surname,
    email: person.email,
    userPrincipalName: person.userPrincipalName,
    tenantId: person.tenantId,
    userRole,
  };
}

/** Wire shape of a roster entry (`TeamsChannelAccount`). */
export interface RosterMember {
  id: string;
  name: string;
  aadObjectId?: string;
  givenName?: string;
  surname?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
  userRole?: string;
}

let lastMessageId = 0;
/** Teams message ids are epoch milliseconds; keep them unique when a test builds several in the same millisecond. */
function nextMessageId(at: Date): string {
  lastMessageId = Math.max(lastMessageId + 1, at.getTime());
  return String(lastMessageId);
}

/** ISO timestamp with the offset of `timeZone`, as Teams sends in `localTimestamp`. */
export function localTimestamp(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const field = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  const wallClock = Date.UTC(
    Number(field('year')),
    Number(field('month')) - 1,
    Number(field('day')),
    Number(field('hour')),
    Number(field('minute')),
    Number(field('second')),
  );
  const offsetMinutes = Math.round((wallClock - Math.floor(at.getTime() / 1000) * 1000) / 60000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  const ms = String(at.getUTCMilliseconds()).padStart(3, '0');
  return `${field('year')}-${field('month')}-${field('day')}T${field('hour')}:${field('minute')}:${field('second')}.${ms}${offset}`;
}

function groupChatId(tenantId: string): string {
  return `19:${digest('groupchat', tenantId).toString('hex').slice(0, 32)}@thread.v2`;
}

function botAccount(options: ActivityOptions): WireAccount {
  return { id: `28:${options.botAppId ?? DEFAULT_BOT_APP_ID}`, name: options.botName ?? DEFAULT_BOT_NAME };
}

/** The fields every Teams activity carries; each builder adds its type-specific ones. */
function envelope(type: string, options: ActivityOptions, id: string): TeamsActivity {
  const person = options.from ?? defaultUser;
  const scope = options.scope ?? 'personal';
  const tenantId = options.tenantId ?? person.tenantId;
  const at = options.timestamp ?? new Date();
  const locale = options.locale ?? person.locale;
  const bot = botAccount(options);
  const channel = options.channel ?? defaultChannel;

  let conversation: WireConversation;
  const channelData: Record<string, unknown> = {};
  if (scope === 'personal') {
    conversation = {
      conversationType: 'personal',
      tenantId,
      id: options.conversationId ?? personalConversationId(person.id, options.botAppId),
    };
  } else if (scope === 'channel') {
    // A channel post and its replies share one thread: `<channel id>;messageid=<id of the thread's root post>`.
    const root = options.replyToId ?? id;
    conversation = {
      isGroup: true,
      conversationType: 'channel',
      tenantId,
      id: options.conversationId ?? `${channel.channelId};messageid=${root}`,
    };
    channelData.teamsChannelId = channel.channelId;
    channelData.teamsTeamId = channel.teamId;
    channelData.channel = { id: channel.channelId, name: channel.channelName };
    channelData.team = { id: channel.teamId, name: channel.teamName, aadGroupId: channel.aadGroupId };
  } else {
    conversation = {
      isGroup: true,
      conversationType: 'groupChat',
      tenantId,
      id: options.conversationId ?? groupChatId(tenantId),
    };
  }
  channelData.tenant = { id: tenantId };

  const activity: TeamsActivity = {
    type,
    id,
    timestamp: at.toISOString(),
    localTimestamp: localTimestamp(at, person.timezone),
    localTimezone: person.timezone,
    locale,
    channelId: 'msteams',
    serviceUrl: options.serviceUrl ?? UNREACHABLE_SERVICE_URL,
    from: { id: person.id, name: person.name, aadObjectId: person.aadObjectId },
    recipient: bot,
    conversation,
    channelData,
    entities: [
      { type: 'clientInfo', locale, country: person.country, platform: person.platform, timezone: person.timezone },
    ],
  };
  if (options.replyToId !== undefined) activity.replyToId = options.replyToId;
  return activity;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A user's chat message. In channel and group-chat scope the text starts with `<at>BotName</at>` and carries the
 * matching `mention` entity, as Teams delivers it; bots are expected to strip it (`TurnContext.removeRecipientMention`).
 */
export function message(text: string, options: MessageOptions = {}): TeamsActivity {
  const at = options.timestamp ?? new Date();
  const activity = envelope('message', { ...options, timestamp: at }, options.id ?? nextMessageId(at));
  const mentionBot = options.mentionBot ?? (options.scope ?? 'personal') !== 'personal';
  const botName = activity.recipient.name ?? DEFAULT_BOT_NAME;
  const mentionText = `<at>${botName}</at>`;
  activity.text = mentionBot ? `${mentionText} ${text}` : text;
  activity.textFormat = 'plain';
  // Teams mirrors the typed text as an HTML attachment; bots that pick the first attachment must cope with it.
  const html = mentionBot
    ? `<p><span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">${escapeHtml(botName)}</span> ${escapeHtml(text)}</p>`
    : `<p>${escapeHtml(text)}</p>`;
  activity.attachments = [{ contentType: 'text/html', content: html }, ...(options.attachments ?? [])];
  if (mentionBot) {
    activity.entities.unshift({ type: 'mention', mentioned: { ...activity.recipient }, text: mentionText });
  }
  if (options.value !== undefined) activity.value = options.value;
  return activity;
}

/** A file the user sends to the bot in the personal chat (see `teamsRules.inboundFileProblems`). */
export interface SentFile {
  name: string;
  fileType: string;
  uniqueId: string;
  /** Where the bot would download it: in tests an address on loopback. */
  downloadUrl: string;
}

/**
 * A message with a file the user attached in the personal chat: Teams sends an empty text and one attachment
 * `application/vnd.microsoft.teams.file.download.info` per file
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4).
 */
export function fileMessage(files: SentFile[], options: MessageOptions = {}): TeamsActivity {
  const activity = message('', options);
  activity.attachments = files.map((f) => ({
    contentType: 'application/vnd.microsoft.teams.file.download.info',
    name: f.name,
    content: { downloadUrl: f.downloadUrl, uniqueId: f.uniqueId, fileType: f.fileType },
  }));
  return activity;
}

/**
 * A file consent card the bot sent and Teams showed (as the channel emulator records it: `emulator.fileConsentCards`).
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4 ("Upload files to personal chat")
 */
export interface SentFileConsentCard {
  /** The id Teams gave the message that holds the card; the user's answer names it in `replyToId`. */
  activityId: string;
  conversationId: string;
  /** The attachment's `name`: the file the bot asks to put into the user's OneDrive. */
  name: string;
  sizeInBytes: number;
  description?: string;
  acceptContext: unknown;
  declineContext: unknown;
}

/**
 * Where the bot may put the file the user accepted (botbuilder's `FileUploadInfo`, all fields set): `uploadUrl` is a
 * pre-authenticated OneDrive upload session, `contentUrl` the file's address in the user's OneDrive once uploaded.
 */
export interface FileUploadInfo {
  name: string;
  uploadUrl: string;
  contentUrl: string;
  uniqueId: string;
  fileType: string;
}

/** The user accepted a file consent card: `emulator.prepareUpload(aadObjectId, card)` gives the `uploadInfo`. */
export function fileConsentAccept(card: SentFileConsentCard, uploadInfo: FileUploadInfo, options: ActivityOptions = {}): TeamsActivity {
  return fileConsentInvoke(card, { type: 'fileUpload', action: 'accept', context: card.acceptContext, uploadInfo: { ...uploadInfo } }, options);
}

/** The user declined a file consent card. */
export function fileConsentDecline(card: SentFileConsentCard, options: ActivityOptions = {}): TeamsActivity {
  return fileConsentInvoke(card, { type: 'fileUpload', action: 'decline', context: card.declineContext }, options);
}

/**
 * The user's answer on a file consent card, as Teams sends it: an invoke `fileConsent/invoke` in the personal chat,
 * `replyToId` the card's message, `value` = `{ type: 'fileUpload', action, context, uploadInfo? }` (botbuilder's
 * `FileConsentCardResponse`; `context` is the card's `acceptContext` or `declineContext`). The bot answers in the
 * HTTP response (botbuilder's `handleTeamsFileConsentAccept` / `…Decline`).
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4 ("Invoke activity when the user accepts the file")
 */
function fileConsentInvoke(card: SentFileConsentCard, value: Record<string, unknown>, options: ActivityOptions): TeamsActivity {
  const activity = envelope(
    'invoke',
    { ...options, scope: 'personal', conversationId: options.conversationId ?? card.conversationId, replyToId: card.activityId },
    options.id ?? invokeId(),
  );
  activity.name = 'fileConsent/invoke';
  activity.value = value;
  activity.channelData.source = { name: 'message' };
  return activity;
}

/** Invoke activity ids in Teams look like `f:` followed by a GUID-like token. */
function invokeId(): string {
  return `f:${stableGuid('invoke', String(Date.now()), String(Math.random()))}`;
}

/**
 * A click on an `Action.Execute` button of an Adaptive Card (Universal Actions): an `adaptiveCard/action` invoke.
 * The bot must answer in the HTTP response body; `replyToId` names the message that holds the card.
 */
export function cardAction(verb: string, data: Record<string, unknown> = {}, options: CardActionOptions = {}): TeamsActivity {
  const activity = envelope('invoke', options, options.id ?? invokeId());
  activity.name = 'adaptiveCard/action';
  const action: Record<string, unknown> = { type: 'Action.Execute', verb, data };
  if (options.title !== undefined) action.title = options.title;
  activity.value = { action, trigger: options.trigger ?? 'manual' };
  activity.channelData.source = { name: options.scope === 'channel' ? 'channel' : 'message' };
  if (options.replyToId !== undefined) activity.channelData.legacy = { replyToId: options.replyToId };
  return activity;
}

/** Teams' installation lifecycle actions; the `-upgrade` variants arrive when the app manifest version changes. */
export type InstallationAction = 'add' | 'remove' | 'add-upgrade' | 'remove-upgrade';

/** The app was installed for (or removed by) the user, a team, or a group chat. */
export function installationUpdate(action: InstallationAction, options: ActivityOptions = {}): TeamsActivity {
  const activity = envelope('installationUpdate', options, options.id ?? invokeId());
  activity.action = action;
  activity.channelData.source = { name: 'message' };
  if ((options.scope ?? 'personal') === 'channel') {
    const channel = options.channel ?? defaultChannel;
    activity.channelData.settings = { selectedChannel: { id: channel.channelId } };
  }
  return activity;
}

/** Members who joined or left; pass the bot's own account (`botMember()`) to model the bot being added. */
export function conversationUpdate(
  members: { membersAdded?: WireAccount[]; membersRemoved?: WireAccount[] },
  options: ConversationUpdateOptions = {},
): TeamsActivity {
  const activity = envelope('conversationUpdate', options, options.id ?? invokeId());
  if (members.membersAdded) activity.membersAdded = members.membersAdded;
  if (members.membersRemoved) activity.membersRemoved = members.membersRemoved;
  const scope = options.scope ?? 'personal';
  const eventType =
    options.eventType ??
    (scope === 'channel' ? (members.membersRemoved?.length ? 'teamMemberRemoved' : 'teamMemberAdded') : undefined);
  if (eventType !== undefined) activity.channelData.eventType = eventType;
  return activity;
}

/** The bot's own account, as it appears in `membersAdded` when the app is installed. */
export function botMember(botAppId: string = DEFAULT_BOT_APP_ID, botName: string = DEFAULT_BOT_NAME): WireAccount {
  return { id: `28:${botAppId}`, name: botName };
}

/** A user as a member account in `membersAdded` / `membersRemoved`. */
export function memberAccount(person: TeamsUser): WireAccount {
  return { id: person.id, name: person.name, aadObjectId: person.aadObjectId };
}

/** A user reacted to (or withdrew a reaction from) the bot's message `replyToId`. */
export function messageReaction(
  reaction: { added?: string[]; removed?: string[] },
  options: ActivityOptions & { replyToId: string },
): TeamsActivity {
  const activity = envelope('messageReaction', options, options.id ?? nextMessageId(options.timestamp ?? new Date()));
  if (reaction.added) activity.reactionsAdded = reaction.added.map((type) => ({ type }));
  if (reaction.removed) activity.reactionsRemoved = reaction.removed.map((type) => ({ type }));
  return activity;
}

/**
 * Builders with fixed defaults (service URL, bot, tenant, user) so a test states them once.
 *
 * @example
 * ```ts
 * const teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: APP_ID });
 * await postActivity(teams.message('hilfe'));
 * ```
 */
export function activityBuilders(defaults: ActivityOptions) {
  return {
    message: (text: string, options: MessageOptions = {}) => message(text, { ...defaults, ...options }),
    fileMessage: (files: SentFile[], options: MessageOptions = {}) => fileMessage(files, { ...defaults, ...options }),
    fileConsentAccept: (card: SentFileConsentCard, uploadInfo: FileUploadInfo, options: ActivityOptions = {}) =>
      fileConsentAccept(card, uploadInfo, { ...defaults, ...options }),
    fileConsentDecline: (card: SentFileConsentCard, options: ActivityOptions = {}) => fileConsentDecline(card, { ...defaults, ...options }),
    cardAction: (verb: string, data: Record<string, unknown> = {}, options: CardActionOptions = {}) =>
      cardAction(verb, data, { ...defaults, ...options }),
    installationUpdate: (action: InstallationAction, options: ActivityOptions = {}) =>
      installationUpdate(action, { ...defaults, ...options }),
    conversationUpdate: (
      members: { membersAdded?: WireAccount[]; membersRemoved?: WireAccount[] },
      options: ConversationUpdateOptions = {},
    ) => conversationUpdate(members, { ...defaults, ...options }),
    messageReaction: (reaction: { added?: string[]; removed?: string[] }, options: ActivityOptions & { replyToId: string }) =>
      messageReaction(reaction, { ...defaults, ...options }),
  };
}
