import { checkCard } from './cardParse';

/**
 * What Teams refuses, as the channel emulator enforces it. Each rule names the Microsoft Learn page it comes from, so
 * that a product change that would fail in a tenant fails in the tests first.
 */

/**
 * Bot messages are limited to 100 KB, measured on the UTF-16 text of the activity; Microsoft recommends staying under
 * 80 KB. Larger ones are refused with 413 `MessageSizeTooBig`.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages (message size;
 * "Status codes from bot conversational APIs")
 */
export const MAX_MESSAGE_BYTES = 100 * 1024;

/** The size Teams counts for an activity: its JSON text in UTF-16 (two bytes per code unit). */
export function messageBytes(activity: unknown): number {
  return JSON.stringify(activity ?? null).length * 2;
}

/**
 * What Teams' own host configuration sets differently from the SDK's defaults where it matters for validation: Teams
 * shows up to 6 actions in an action set (the SDK default is 5). Value from the Teams host containers of Microsoft's
 * Adaptive Cards Designer (microsoft/AdaptiveCards, MIT).
 */
export const TEAMS_HOST_CONFIG = { supportsInteractivity: true, actions: { maxActions: 6 } };

/** What is wrong with one card the bot sent, for the test that sent it. */
export interface CardError {
  /** Where the card was seen: `send`, `reply`, `update`, `createConversation` or `invokeResponse`. */
  where: string;
  conversationId?: string;
  errors: string[];
}

/**
 * The problems Teams would have with the Adaptive Cards in an activity or an invoke response:
 * - the card must parse without errors or warnings with the Adaptive Cards SDK at schema 1.5, the highest version Teams
 *   renders on every client (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference);
 * - `refresh.userIds` must list user MRIs (`29:…`), at most 60: Universal Actions refreshes a card automatically only
 *   for those (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views).
 */
export function cardProblems(cards: unknown[]): string[] {
  const errors: string[] = [];
  for (const content of cards) {
    if (!content || typeof content !== 'object') {
      errors.push('an adaptive card attachment without content');
      continue;
    }
    const problems = checkCard(content as Record<string, unknown>, TEAMS_HOST_CONFIG);
    // Unbound `${…}` is left to the card unit tests: Teams shows it as text, and user text may contain it.
    errors.push(...problems.parseErrors);
    const refresh = (content as { refresh?: { userIds?: unknown } }).refresh;
    if (refresh && refresh.userIds !== undefined) {
      const ids = refresh.userIds;
      if (!Array.isArray(ids)) errors.push('refresh.userIds must be an array of user MRIs');
      else {
        const wrong = ids.filter((id) => typeof id !== 'string' || !id.startsWith('29:'));
        if (wrong.length) errors.push(`refresh.userIds must be user MRIs (29:…), got ${wrong.slice(0, 3).map(String).join(', ')}`);
        if (ids.length > 60) errors.push(`refresh.userIds lists ${ids.length} users; Teams refreshes automatically for at most 60`);
      }
    }
  }
  return errors;
}

/** The Adaptive Cards of an activity the bot posted. */
export function cardsOf(activity: { attachments?: Array<{ contentType?: string; content?: unknown }> } | undefined): unknown[] {
  return (activity?.attachments ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content);
}

/** Card problems of invoke responses the tests received in this test file (checked after each test). */
export const invokeCardErrors: CardError[] = [];

/** Records the card problems of an invoke response (HTTP body of an `adaptiveCard/action` invoke). */
export function checkInvokeResponse(body: unknown): void {
  const errors = cardProblems(cardOfInvokeResponse(body));
  if (errors.length) invokeCardErrors.push({ where: 'invokeResponse', errors });
}

/** The Adaptive Card of an `adaptiveCard/action` invoke response body, if it carries one. */
export function cardOfInvokeResponse(body: unknown): unknown[] {
  const b = body as { type?: unknown; value?: unknown } | undefined;
  return b && b.type === 'application/vnd.microsoft.card.adaptive' ? [b.value] : [];
}

/**
 * Who has the app, as Teams knows it from what the user and their admins did. Teams delivers an activity to the bot
 * only where the app is installed, and lets the bot create a personal conversation only with a user who has the app
 * installed personally or is a member of a team or chat where it is installed.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages
 */
export class InstallationRegistry {
  /** Users with the app installed personally, by 29: id and by Entra object id (lower case). */
  private readonly personal = new Set<string>();
  /** Team and group-chat conversations (and channels of a team) where the app is installed, with their member ids. */
  private readonly rooms = new Map<string, Set<string>>();
  /** Conversations Teams knows: seen in an activity or created by the bot. */
  private readonly conversations = new Set<string>();
  /** Personal conversation id → the user's ids, to refuse sends after an uninstall. */
  private readonly personalConversations = new Map<string, string[]>();

  constructor(private readonly tenantWide: boolean) {}

  /** Takes note of an activity Teams delivered to the bot. */
  observe(activity: InboundActivity): void {
    const conversation = activity.conversation ?? {};
    const id = typeof conversation.id === 'string' ? conversation.id : undefined;
    const type = conversation.conversationType ?? 'personal';
    const from = activity.from ?? {};
    const userIds = [from.id, from.aadObjectId?.toLowerCase()].filter((x): x is string => typeof x === 'string' && x !== '');
    if (id) this.conversations.add(id);
    const channelData = activity.channelData ?? {};
    const channelId = channelData.channel?.id ?? channelData.teamsChannelId;
    if (typeof channelId === 'string') this.conversations.add(channelId);
    const roomKey = type === 'channel' ? (channelData.team?.id ?? channelId ?? id) : id;

    const removing = activity.type === 'installationUpdate' && /^remove/.test(String(activity.action ?? ''));
    if (type === 'personal') {
      if (id) this.personalConversations.set(id, userIds);
      for (const u of userIds) {
        if (removing) this.personal.delete(u);
        else this.personal.add(u);
      }
      return;
    }
    if (!roomKey) return;
    const botId = activity.recipient?.id;
    const botAdded = activity.type === 'conversationUpdate' && (activity.membersAdded ?? []).some((m) => m.id === botId);
    const botRemoved = activity.type === 'conversationUpdate' && (activity.membersRemoved ?? []).some((m) => m.id === botId);
    if (removing || botRemoved) {
      this.rooms.delete(roomKey);
      return;
    }
    const members = this.rooms.get(roomKey) ?? new Set<string>();
    // Any other activity from a room proves the app is installed there; its sender is a member.
    for (const u of userIds) members.add(u);
    for (const m of activity.membersAdded ?? []) for (const u of [m.id, m.aadObjectId?.toLowerCase()]) if (u && u !== botId) members.add(u);
    this.rooms.set(roomKey, members);
    if (botAdded && activity.members) for (const m of activity.members) members.add(m);
  }

  /** Adds members to a room where the app is installed (its roster, as Teams knows it). */
  addRoomMembers(roomKey: string, memberIds: string[]): void {
    const members = this.rooms.get(roomKey);
    if (members) for (const m of memberIds) members.add(m);
  }

  /** Whether the bot may open a personal conversation with this user (29: id or Entra object id). */
  canReach(memberIds: string[]): boolean {
    if (this.tenantWide) return true;
    const ids = memberIds.map((m) => (m.startsWith('29:') ? m : m.toLowerCase()));
    if (ids.some((m) => this.personal.has(m))) return true;
    for (const members of this.rooms.values()) if (ids.some((m) => members.has(m))) return true;
    return false;
  }

  /** The bot created (or opened) a conversation; Teams now knows it. */
  created(conversationId: string, memberIds: string[]): void {
    this.conversations.add(conversationId);
    if (memberIds.length) this.personalConversations.set(conversationId, memberIds);
  }

  /** 404 unless Teams knows the conversation; 403 when it is a personal chat whose user no longer has the app. */
  sendStatus(conversationId: string): 200 | 403 | 404 {
    if (this.tenantWide) return 200;
    const base = conversationId.split(';messageid=')[0];
    if (!this.conversations.has(conversationId) && !this.conversations.has(base)) return 404;
    const users = this.personalConversations.get(conversationId);
    if (users && !this.canReach(users)) return 403;
    return 200;
  }

  /** Forgets everything (a new tenant). */
  clear(): void {
    this.personal.clear();
    this.rooms.clear();
    this.conversations.clear();
    this.personalConversations.clear();
  }
}

/** The parts of an inbound activity the registry reads. */
export interface InboundActivity {
  type?: string;
  action?: string;
  from?: { id?: string; aadObjectId?: string };
  recipient?: { id?: string };
  conversation?: { id?: string; conversationType?: string };
  channelData?: { channel?: { id?: string }; teamsChannelId?: string; team?: { id?: string } };
  membersAdded?: Array<{ id?: string; aadObjectId?: string }>;
  membersRemoved?: Array<{ id?: string; aadObjectId?: string }>;
  /** Not on the wire: member ids of a room, for tests that install the app in a team with a known roster. */
  members?: string[];
  attachments?: Array<{ contentType?: string; name?: string; content?: unknown }>;
  /** Invoke name, e.g. `fileConsent/invoke`. */
  name?: string;
  replyToId?: string;
  value?: unknown;
}

/** The content type of a file a user sent to the bot. */
export const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/**
 * A file a user sends to a bot reaches it only in the personal chat ("Teams bot APIs work only in the personal
 * context"), and only when the app manifest's bot sets `supportsFiles: true` (without it Teams offers no attachment in
 * the chat with the bot). It arrives as a message attachment `application/vnd.microsoft.teams.file.download.info` with
 * the file's `name` and `content.downloadUrl` (pre-authorised, short-lived), `content.uniqueId` and `content.fileType`.
 * A test posting a file Teams would never deliver fails (the emulator records it with the card errors).
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4 ("Receive files in personal chat")
 */
export function inboundFileProblems(activity: InboundActivity, supportsFiles: boolean): string[] {
  const files = (activity.attachments ?? []).filter((a) => a?.contentType === FILE_DOWNLOAD_INFO);
  if (!files.length) return [];
  const problems: string[] = [];
  if (!supportsFiles) problems.push('a file sent to the bot, but the app manifest does not set supportsFiles: true');
  if (activity.type !== 'message') problems.push(`a file attachment on a ${String(activity.type)} activity`);
  if (activity.conversation?.conversationType !== 'personal') problems.push(`a file sent to the bot in a ${String(activity.conversation?.conversationType)} conversation: Teams delivers files to bots in the personal chat only`);
  for (const f of files) {
    const c = (f.content ?? {}) as Record<string, unknown>;
    if (typeof f.name !== 'string' || !f.name) problems.push('a file attachment without name');
    for (const key of ['downloadUrl', 'uniqueId', 'fileType']) if (typeof c[key] !== 'string' || !c[key]) problems.push(`a file attachment without content.${key}`);
  }
  return problems;
}

/** The content type of the card a bot sends to ask the user's consent before it puts a file into their OneDrive. */
export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
/** The content type of the card that shows a file the bot uploaded to the user's OneDrive. */
export const FILE_INFO_CARD = 'application/vnd.microsoft.teams.card.file.info';

/** An attachment as a bot puts it on an activity. */
type BotAttachment = { contentType?: string; name?: string; contentUrl?: string; content?: unknown; [key: string]: unknown };

/** Where a message with a file card goes, as the emulator knows it. */
export interface FileCardTarget {
  /** `personal`, `groupChat`, `channel`, or undefined when Teams does not know the conversation's type. */
  conversationType: string | undefined;
  /** Whether the app manifest's bot sets `supportsFiles: true`. */
  supportsFiles: boolean;
}

/**
 * The problems Teams would have with a file consent card (`application/vnd.microsoft.teams.card.file.consent`) the bot
 * sends: https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4 ("Use the Teams bot APIs",
 * "Configure the bot to support files", "Message requesting permission to upload").
 * - only in the personal chat ("Teams bot APIs work only in the personal context. They do not work in the channel or
 *   groupchat context");
 * - only when the manifest sets `supportsFiles: true` ("If the bot does not enable supportsFiles, the features listed in
 *   this section do not work");
 * - the attachment's `name` is the file to be uploaded ("must contain a FileConsentCard attachment with the name of the
 *   file"); `content.sizeInBytes` (the size the user is shown) a positive integer: OneDrive's upload session cannot
 *   take an empty file (a byte range needs at least one byte); `content.description` a string if given;
 *   `content.acceptContext` and `content.declineContext` objects (the page's example sends `{}`), handed back in the
 *   user's answer;
 * - stricter than the page, which shows the card as the message's only attachment: no other attachment with it (Teams
 *   shows the consent card in place of the message, with its own Allow/Decline buttons).
 */
export function fileConsentCardProblems(attachments: BotAttachment[] | undefined, target: FileCardTarget): string[] {
  const all = attachments ?? [];
  const cards = all.filter((a) => a?.contentType === FILE_CONSENT_CARD);
  if (!cards.length) return [];
  const problems: string[] = [];
  if (!target.supportsFiles) problems.push('a file consent card, but the app manifest does not set supportsFiles: true');
  if (target.conversationType !== 'personal') {
    problems.push(`a file consent card in a ${String(target.conversationType)} conversation: Teams' bot file APIs work in the personal chat only`);
  }
  if (all.length > 1) problems.push(`a file consent card must be the message's only attachment (got ${all.length} attachments)`);
  for (const card of cards) {
    const content = card.content as Record<string, unknown> | undefined;
    if (typeof card.name !== 'string' || card.name.trim() === '') problems.push('a file consent card without the file name (attachment name)');
    if (!content || typeof content !== 'object') {
      problems.push('a file consent card without content');
      continue;
    }
    const size = content.sizeInBytes;
    if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) problems.push(`a file consent card needs content.sizeInBytes, a positive whole number of bytes (got ${JSON.stringify(size)})`);
    if (content.description !== undefined && typeof content.description !== 'string') problems.push('a file consent card whose content.description is not text');
    for (const key of ['acceptContext', 'declineContext']) {
      const value = content[key];
      if (typeof value !== 'object' || value === null || Array.isArray(value)) problems.push(`a file consent card needs content.${key} (an object, handed back in the user's answer)`);
    }
  }
  return problems;
}

/** A file a bot finished uploading to a user's OneDrive through the consent flow. */
export interface UploadedFileRef {
  /** Entra object id (lower case) of the user whose OneDrive holds it. */
  owner: string;
  name: string;
  contentUrl: string;
  uniqueId: string;
  fileType: string;
}

/**
 * The problems Teams would have with a file info card (`application/vnd.microsoft.teams.card.file.info`), the message a
 * bot sends after it uploaded a file to the user's OneDrive:
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4 ("Notifying the user about an uploaded
 * file"): in the personal chat (bot file APIs work there only), with `supportsFiles`, `contentUrl` the uploaded file's
 * address, `name` its name, and `content.uniqueId` (the drive item id) and `content.fileType` of that upload. The card
 * opens the file in the user's OneDrive, so it must name a file the bot uploaded there: `findUpload` finds the finished
 * upload with that `contentUrl`, and it must be in the OneDrive of the chat's user (`owner`).
 */
export function fileInfoCardProblems(
  attachments: BotAttachment[] | undefined,
  target: FileCardTarget & { owner: string | undefined },
  findUpload: (contentUrl: string) => UploadedFileRef | undefined,
): string[] {
  const cards = (attachments ?? []).filter((a) => a?.contentType === FILE_INFO_CARD);
  if (!cards.length) return [];
  const problems: string[] = [];
  if (!target.supportsFiles) problems.push('a file info card, but the app manifest does not set supportsFiles: true');
  if (target.conversationType !== 'personal') {
    problems.push(`a file info card in a ${String(target.conversationType)} conversation: Teams' bot file APIs work in the personal chat only`);
  }
  for (const card of cards) {
    const content = (card.content ?? {}) as Record<string, unknown>;
    const contentUrl = typeof card.contentUrl === 'string' ? card.contentUrl : '';
    const upload = contentUrl ? findUpload(contentUrl) : undefined;
    if (!upload) {
      problems.push('a file info card whose contentUrl is not a file the bot uploaded (the uploadInfo.contentUrl of a finished upload)');
      continue;
    }
    if (target.owner !== undefined && upload.owner !== target.owner) problems.push("a file info card for a file in another user's OneDrive");
    if (card.name !== upload.name) problems.push(`a file info card named ${JSON.stringify(card.name)} for the uploaded file ${JSON.stringify(upload.name)}`);
    if (content.uniqueId !== upload.uniqueId) problems.push("a file info card whose content.uniqueId is not the upload's uniqueId");
    if (content.fileType !== upload.fileType) problems.push(`a file info card whose content.fileType ${JSON.stringify(content.fileType)} is not the upload's ${JSON.stringify(upload.fileType)}`);
  }
  return problems;
}
