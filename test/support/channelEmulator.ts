import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { personalConversationId, type FileUploadInfo, type RosterMember, type SentFile, type SentFileConsentCard, type TeamsUser } from './activities';
import { ChatFiles, type FileRequest, type UploadedFile } from './chatFiles';
import {
  FILE_CONSENT_CARD,
  InstallationRegistry,
  MAX_MESSAGE_BYTES,
  cardProblems,
  cardsOf,
  fileConsentCardProblems,
  fileInfoCardProblems,
  inboundFileProblems,
  messageBytes,
  type CardError,
  type InboundActivity,
} from './teamsRules';
import appManifest from '../../manifest/manifest.json';

/**
 * A local stand-in for the Bot Connector service that Teams exposes at the activity's `serviceUrl`.
 *
 * It answers the REST calls a Teams bot makes (send, reply, update, delete, create conversation, roster) the way the
 * real connector does, records every call for assertions, and can misbehave on demand: injected 429/403/5xx answers,
 * dropped connections, Teams' documented rate limits, artificial latency. It listens on 127.0.0.1 only.
 *
 * It refuses what Teams refuses (rules and their Microsoft Learn pages in `teamsRules.ts`): a personal conversation
 * with a user who has not installed the app (403), a send to a conversation Teams does not know (404), a message over
 * 100 KB (413 `MessageSizeTooBig`), an update or delete of an activity the bot did not send there (404). Every card it
 * receives is parsed with the Adaptive Cards SDK at 1.5 and `refresh.userIds` must be user MRIs; problems are kept in
 * {@link ChannelEmulator.cardErrors} and fail the test that caused them (`strictTeams.setup.ts`).
 * Files (Teams' bot file APIs, personal chat only): {@link ChannelEmulator.shareFile} puts a file the user sent into their
 * OneDrive with a pre-authenticated download link served here; file consent and file info cards are checked on every
 * message (refused with 400 and recorded as card errors when Teams would refuse them); {@link
 * ChannelEmulator.prepareUpload} opens the OneDrive upload session Teams hands the bot when the user accepts
 * (`chatFiles.ts` enforces OneDrive's upload rules).
 * Teams learns who installed the app from the activities it delivers; so does the emulator, from every activity the
 * tests post to the bot ({@link observeInbound}, called by the test app's `post`).
 *
 * @example
 * ```ts
 * const emulator = await startChannelEmulator({ roster: [rosterMember(erika)] });
 * await postToBot(message('hilfe', { serviceUrl: emulator.serviceUrl }));
 * const reply = await emulator.waitFor((call) => call.operation === 'reply');
 * expect(reply.activity?.text).toContain('Integrationsbeauftragte');
 * emulator.failNext(1, { status: 429, retryAfterSeconds: 1 }, { conversationId });
 * await emulator.close();
 * ```
 */

/** The connector operations the emulator understands; `unknown` is any other path (answered 404, still recorded). */
export type ConnectorOperation =
  | 'send'
  | 'reply'
  | 'update'
  | 'delete'
  | 'createConversation'
  | 'getMembers'
  | 'getPagedMembers'
  | 'getMember'
  | 'unknown';

/** An activity as the bot posted it (JSON body of send, reply, update). */
export interface ConnectorActivity {
  type?: string;
  id?: string;
  text?: string;
  attachments?: Array<{ contentType?: string; content?: unknown; [key: string]: unknown }>;
  replyToId?: string;
  [key: string]: unknown;
}

/** One HTTP call the bot made to the emulator, with what the emulator answered. */
export interface ConnectorCall {
  /** Arrival order, starting at 1; survives {@link ChannelEmulator.reset} so ordering stays unambiguous. */
  seq: number;
  operation: ConnectorOperation;
  method: string;
  /** Path as sent (still URL-encoded), without the query string. */
  path: string;
  query: Record<string, string>;
  /** Decoded conversation id from the path (or the created one, for `createConversation`). */
  conversationId?: string;
  /** Decoded activity id from the path (the message replied to, updated or deleted). */
  activityId?: string;
  /** Decoded member id from the path. */
  memberId?: string;
  /** Parsed JSON body, or the raw text if it was not JSON, or undefined when empty. */
  body: unknown;
  /** The body as an activity, for send, reply and update. */
  activity?: ConnectorActivity;
  headers: IncomingHttpHeaders;
  authorization?: string;
  /** Epoch milliseconds at arrival. */
  time: number;
  /** Epoch milliseconds when the answer was written (after the latency); absent while pending or for a dropped connection. */
  answeredAt?: number;
  status: number;
  responseBody: unknown;
  /** Headers the emulator answered with besides content type and length, e.g. `retry-after`. */
  responseHeaders: Record<string, string>;
  /** Id the emulator gave the activity this call created (send, reply, createConversation with an activity). */
  createdActivityId?: string;
  /** Why the call failed when the failure was made up: an injected fault or the rate limiter. */
  failure?: 'injected' | 'rateLimited' | 'unauthorized';
}

/** A made-up failure for {@link ChannelEmulator.failNext}. */
export type ConnectorFault =
  | {
      /** 429 (throttled), 403 (e.g. the user blocked the bot), 404, 5xx … */
      status: number;
      /** Sent as the `Retry-After` header (seconds); left out when undefined. */
      retryAfterSeconds?: number;
      /** `error.code` in the body; a Teams-like default per status when left out. */
      code?: string;
      message?: string;
    }
  | {
      /** Destroy the socket without answering, like a connection reset. */
      dropConnection: true;
      /**
       * Carry the call out first (the message is posted, as when a gateway times out after the service acted), then
       * destroy the socket: the sender cannot know that it arrived.
       */
      afterPerforming?: boolean;
    };

/** Requests to the OneDrive addresses the emulator serves: a GET of a download link, a PUT to an upload session. */
export type FileOperation = 'fileDownload' | 'fileUpload';

/** Which calls a fault applies to. */
export interface FaultScope {
  /** Only calls for this conversation; faults for a conversation are used before global ones. */
  conversationId?: string;
  /**
   * Only these operations; defaults to all connector operations. File requests take only a fault without
   * `conversationId` that names them here, e.g. `failNext(1, { status: 503 }, { operations: ['fileUpload'] })`.
   */
  operations?: Array<ConnectorOperation | FileOperation>;
}

/** At most `max` accepted calls in any sliding window of `windowMs`. */
export interface RateLimitWindow {
  max: number;
  windowMs: number;
}

/** Teams' throttling, enforced with sliding windows over accepted calls. */
export interface RateLimitOptions {
  /** Per conversation; defaults to Teams' 7 per second and 60 per 30 seconds. */
  perConversation?: RateLimitWindow[];
  /** Across all conversations (one tenant); defaults to 30 per second. */
  global?: RateLimitWindow[];
  /** Operations that count and can be throttled; defaults to the writes (send, reply, update, delete, create). */
  operations?: ConnectorOperation[];
  /** `computed`: `Retry-After` says when the window frees up (at least 1 s); `omit`: no header, as Teams sometimes does. */
  retryAfter?: 'computed' | 'omit';
}

/** Accepted (2xx) and rejected calls, with rejections broken down by status. */
export interface CallCounters {
  accepted: number;
  rejected: number;
  rejectedByStatus: Record<number, number>;
}

/** Calls that delivered the same thing to the same conversation more than once. */
export interface DuplicateDelivery {
  conversationId: string;
  /** `sameContent`: equal text and attachments; `sameClientId`: the bot supplied the same activity `id` twice. */
  reason: 'sameContent' | 'sameClientId';
  key: string;
  calls: ConnectorCall[];
}

/** Settings for {@link ChannelEmulator}; all optional. */
export interface ChannelEmulatorOptions {
  /** Path part of the service URL, with slashes, e.g. `/emea/` to check the bot keeps Teams' regional path. */
  basePath?: string;
  /** Members every conversation has unless {@link ChannelEmulator.setRoster} sets one for it. */
  roster?: RosterMember[];
  /** Member lookups for ids not on the roster: 404 like Teams (`notFound`), or a made-up member (`synthesize`). */
  unknownMembers?: 'notFound' | 'synthesize';
  /** Enforce Teams' rate limits from the start (`true` for the defaults). */
  rateLimits?: RateLimitOptions | boolean;
  /** Delay before each answer. */
  latencyMs?: LatencySetting;
  /** Keep every call in {@link ChannelEmulator.calls} (default true); benchmarks turn it off and read counters. */
  record?: boolean;
  /** When set, calls whose `Authorization` header differs get 401, like the real connector without a valid token. */
  expectedAuthorization?: string;
  /**
   * `perUser` (default): the bot reaches only users who installed the app, or are members of a team or chat where it is
   * installed, as the activities posted to the bot show. `tenantWide`: an admin's app setup policy installed it for
   * everyone (benchmarks that post from other processes).
   */
  installations?: 'perUser' | 'tenantWide';
  /** Whether the app lets users send files to the bot (default: the manifest's `bots[0].supportsFiles`). */
  supportsFiles?: boolean;
}

/** Emulators of this process by service URL, so that posting an activity to the bot can tell the right one. */
const live = new Map<string, ChannelEmulator>();

/**
 * Tells the emulator behind `activity.serviceUrl` (if one runs in this process) that Teams delivered this activity to the
 * bot: Teams knows the conversation from then on, and installations and membership follow from it.
 */
export function observeInbound(activity: unknown): void {
  const serviceUrl = (activity as { serviceUrl?: unknown } | undefined)?.serviceUrl;
  if (typeof serviceUrl !== 'string') return;
  live.get(serviceUrl)?.observe(activity as InboundActivity);
}

/** Every emulator running in this process (for the after-each check of card errors). */
export function liveEmulators(): ChannelEmulator[] {
  return [...live.values()];
}

/** Fixed delay in milliseconds, or one computed per call. */
export type LatencySetting = number | ((call: Readonly<ConnectorCall>) => number);

interface PendingFault {
  remaining: number;
  fault: ConnectorFault;
  operations?: Array<ConnectorOperation | FileOperation>;
}

interface Waiter {
  predicate: (call: ConnectorCall) => boolean;
  count: number;
  matched: ConnectorCall[];
  resolve: (calls: ConnectorCall[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface StoredMessage {
  id: string;
  activity: ConnectorActivity;
  deleted: boolean;
}

interface Outcome {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  createdActivityId?: string;
  conversationId?: string;
  failure?: ConnectorCall['failure'];
  dropConnection?: boolean;
}

const DEFAULT_RATE_LIMITS: Required<Omit<RateLimitOptions, 'retryAfter'>> & Pick<RateLimitOptions, 'retryAfter'> = {
  perConversation: [
    { max: 7, windowMs: 1_000 },
    { max: 60, windowMs: 30_000 },
  ],
  global: [{ max: 30, windowMs: 1_000 }],
  operations: ['send', 'reply', 'update', 'delete', 'createConversation'],
  retryAfter: 'computed',
};

const DEFAULT_ERROR_CODES: Record<number, string> = {
  400: 'BadArgument',
  401: 'Unauthorized',
  403: 'ConversationBlockedByUser',
  404: 'NotFound',
  412: 'PreconditionFailed',
  429: 'TooManyRequests',
  500: 'ServiceError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** Teams' paged roster: 200 members per page by default; smaller requests are raised to 50, larger capped at 500. */
const DEFAULT_PAGE_SIZE = 200;
const MIN_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
const GLOBAL_KEY = '\u0000global';

function errorBody(status: number, code?: string, message?: string): unknown {
  return { error: { code: code ?? DEFAULT_ERROR_CODES[status] ?? 'Error', message: message ?? `Emulated ${status}` } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sliding-window log of accepted-call times for one key. */
class SlidingWindowLog {
  private readonly times: number[] = [];

  /** Milliseconds until a call would fit every window, or 0 if it fits now. */
  waitNeeded(now: number, windows: RateLimitWindow[]): number {
    let wait = 0;
    for (const { max, windowMs } of windows) {
      const from = now - windowMs;
      const inWindow = this.times.length - this.firstIndexAfter(from);
      if (inWindow >= max) {
        // The call fits once the oldest entry that keeps the window full has aged out.
        const blocking = this.times[this.times.length - max];
        wait = Math.max(wait, blocking + windowMs - now);
      }
    }
    return wait;
  }

  add(now: number, longestWindowMs: number): void {
    this.times.push(now);
    const keepFrom = this.firstIndexAfter(now - longestWindowMs);
    if (keepFrom > 1024) this.times.splice(0, keepFrom);
  }

  private firstIndexAfter(time: number): number {
    let low = 0;
    let high = this.times.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.times[mid] <= time) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** See the module documentation; create with {@link startChannelEmulator} or `new` + {@link ChannelEmulator.start}. */
export class ChannelEmulator {
  private server?: Server;
  private url?: string;
  private readonly basePath: string;
  private readonly recording: boolean;
  private readonly unknownMembers: 'notFound' | 'synthesize';
  private readonly expectedAuthorization?: string;
  private latency: LatencySetting;
  private rateLimits?: Required<Omit<RateLimitOptions, 'retryAfter'>> & Pick<RateLimitOptions, 'retryAfter'>;

  private connectionsOpened = 0;
  private recorded: ConnectorCall[] = [];
  private seq = 0;
  private lastActivityId = 0;
  private waiters: Waiter[] = [];
  private faultsByConversation = new Map<string, PendingFault[]>();
  private globalFaults: PendingFault[] = [];
  private windows = new Map<string, SlidingWindowLog>();
  private counterMap = new Map<string, CallCounters>();
  private messages = new Map<string, StoredMessage[]>();
  private defaultRoster: RosterMember[];
  private rosters = new Map<string, RosterMember[]>();
  private readonly installations: InstallationRegistry;
  /** Entra object id (lower case) → 29: id, learnt from activities and rosters. */
  private readonly userIdsByAad = new Map<string, string>();
  /** Personal conversations by the person's Entra object id (from their activities and the chats the bot opened). */
  private readonly personalChats = new Map<string, Set<string>>();
  private cardErrorList: CardError[] = [];
  private readonly supportsFiles: boolean;
  /** Conversation id → `personal`, `groupChat` or `channel`, from delivered activities and created conversations. */
  private readonly conversationTypes = new Map<string, string>();
  /** OneDrive user folder names (from the UPN) by Entra object id (lower case). */
  private readonly driveSlugs = new Map<string, string>();
  private readonly files = new ChatFiles(
    () => new URL(this.serviceUrl).origin,
    (operation) => this.takeFileFault(operation),
  );
  /** File consent cards Teams accepted, with the Entra object id (lower case) of the chat's user. */
  private consentCards: Array<{ owner: string | undefined; card: SentFileConsentCard }> = [];

  /** Configures the emulator; it listens only after {@link start}. */
  constructor(options: ChannelEmulatorOptions = {}) {
    const base = options.basePath ?? '/';
    this.basePath = (base.startsWith('/') ? base : '/' + base).replace(/\/?$/, '/');
    this.recording = options.record ?? true;
    this.unknownMembers = options.unknownMembers ?? 'notFound';
    this.supportsFiles = options.supportsFiles ?? appManifest.bots[0].supportsFiles;
    this.expectedAuthorization = options.expectedAuthorization;
    this.latency = options.latencyMs ?? 0;
    this.defaultRoster = [...(options.roster ?? [])];
    this.installations = new InstallationRegistry(options.installations === 'tenantWide');
    if (options.rateLimits) this.enableRateLimits(options.rateLimits === true ? {} : options.rateLimits);
  }

  /** Starts listening on 127.0.0.1 (random port) and returns the service URL, with trailing slash. */
  async start(): Promise<string> {
    if (this.url) return this.url;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const work = ChatFiles.handles(url.pathname) ? this.files.serve(req, res, url) : this.handle(req, res);
      work.catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(errorBody(500, 'EmulatorError', String(error))));
        }
      });
    });
    server.keepAliveTimeout = 30_000;
    server.on('connection', () => {
      this.connectionsOpened += 1;
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}${this.basePath}`;
    live.set(this.url, this);
    return this.url;
  }

  /** Teams delivered `activity` to the bot: remember the conversation, installations and the user's ids. */
  observe(activity: InboundActivity): void {
    const fileProblems = inboundFileProblems(activity, this.supportsFiles);
    if (fileProblems.length) this.cardErrorList.push({ where: 'inbound', conversationId: activity.conversation?.id, errors: fileProblems });
    const from = activity.from;
    if (from?.id && from.aadObjectId) this.userIdsByAad.set(from.aadObjectId.toLowerCase(), from.id);
    const id = activity.conversation?.id;
    if (id && from?.aadObjectId && activity.conversation?.conversationType === 'personal') this.notePersonalChat(from.aadObjectId, id);
    if (id) {
      const type = activity.conversation?.conversationType ?? 'personal';
      this.conversationTypes.set(id, type);
      if (type === 'channel') this.conversationTypes.set(id.split(';messageid=')[0], type);
    }
    if (activity.type === 'invoke' && activity.name === 'fileConsent/invoke') {
      const problems = this.fileConsentAnswerProblems(activity);
      if (problems.length) this.cardErrorList.push({ where: 'inbound', conversationId: id, errors: problems });
    }
    const roster = id ? this.rosters.get(id) : undefined;
    const botAdded = activity.type === 'conversationUpdate' && (activity.membersAdded ?? []).some((m) => m.id === activity.recipient?.id);
    // A team or chat the app is added to brings its roster: Teams lets the bot reach each member 1:1.
    const members = botAdded ? (roster ?? this.defaultRoster).flatMap((m) => [m.id, ...(m.aadObjectId ? [m.aadObjectId.toLowerCase()] : [])]) : undefined;
    this.installations.observe(members ? { ...activity, members } : activity);
  }

  /**
   * The messages the bot posted in its personal chat with the person (by Entra object id) that are still there, oldest
   * first, each with its id (epoch ms, so also when Teams created it): what Graph's chat read-back shows
   * (`graphStandIn.linkChats`).
   */
  personalMessagesOf(aadObjectId: string): Array<{ id: string; activity: ConnectorActivity }> {
    const conversations = this.personalChats.get(aadObjectId.toLowerCase()) ?? new Set<string>();
    return [...conversations].flatMap((c) => (this.messages.get(c) ?? []).filter((m) => !m.deleted).map((m) => ({ id: m.id, activity: m.activity })));
  }

  /**
   * A file the user put into the chat with the bot. As in Teams it is first uploaded to the user's OneDrive; the
   * returned {@link SentFile} is what `fileMessage([...])` delivers: `downloadUrl` a pre-authenticated loopback address
   * with an unguessable token (GET answers the bytes, 200, `application/octet-stream`, no Authorization needed),
   * `uniqueId` a GUID, `fileType` from the name's extension unless given.
   */
  shareFile(owner: TeamsUser | string, name: string, bytes: Buffer, fileType?: string): SentFile {
    return this.files.share(this.driveOwner(owner), name, bytes, fileType);
  }

  /** Every download link handed out so far answers 401 from now on, as Teams' links do after a few minutes. */
  expireFileLinks(): void {
    this.files.expireLinks();
  }

  /** GET requests to download links so far (any answer, injected faults included). */
  fileDownloads(): number {
    return this.files.downloads;
  }

  /** Requests to the emulated OneDrive (downloads, upload PUTs, …), oldest first; not part of {@link calls}. */
  fileRequests(): readonly FileRequest[] {
    return this.files.calls;
  }

  /** File consent cards the bot sent that Teams accepted, in the personal chat of this user (Entra object id). */
  fileConsentCards(aadObjectId: string): SentFileConsentCard[] {
    const key = aadObjectId.toLowerCase();
    return this.consentCards.filter((c) => c.owner === key).map((c) => ({ ...c.card }));
  }

  /**
   * The user accepts `card`: opens an upload session in their OneDrive (folder "Microsoft Teams Chat Files") and
   * returns the `uploadInfo` Teams sends with the `fileConsent/invoke` (`fileConsentAccept(card, uploadInfo)`). The
   * name is the card's, renamed like OneDrive does when the folder has it already ("Vorlage 1.docx"); `options.name`
   * sets it instead (Teams may rename).
   */
  prepareUpload(aadObjectId: string, card: SentFileConsentCard, options: { name?: string } = {}): FileUploadInfo {
    const shown = this.fileConsentCards(aadObjectId).some((c) => c.activityId === card.activityId && c.conversationId === card.conversationId);
    if (!shown) throw new Error(`prepareUpload: the bot sent no file consent card ${card.activityId} to the personal chat of ${aadObjectId}`);
    return this.files.prepareUpload(this.driveOwner(aadObjectId), options.name ?? card.name, options.name !== undefined);
  }

  /** Files the bot finished uploading to this user's OneDrive through the consent flow, oldest first. */
  uploadedFiles(aadObjectId: string): UploadedFile[] {
    return this.files.uploaded(aadObjectId);
  }

  /** The user's OneDrive folder name, from their UPN as SharePoint does (`erika_mustermann_bezreg_example`). */
  private driveOwner(owner: TeamsUser | string): { aadObjectId: string; slug: string } {
    const aadObjectId = (typeof owner === 'string' ? owner : owner.aadObjectId).toLowerCase();
    if (typeof owner !== 'string') this.driveSlugs.set(aadObjectId, owner.userPrincipalName.toLowerCase().replace(/[^a-z0-9]/g, '_'));
    if (!this.driveSlugs.has(aadObjectId)) {
      const member = [this.defaultRoster, ...this.rosters.values()].flat().find((m) => m.aadObjectId?.toLowerCase() === aadObjectId);
      const upn = member?.userPrincipalName ?? member?.email;
      this.driveSlugs.set(aadObjectId, upn ? upn.toLowerCase().replace(/[^a-z0-9]/g, '_') : aadObjectId);
    }
    return { aadObjectId, slug: this.driveSlugs.get(aadObjectId)! };
  }

  /** `personal`, `groupChat`, `channel`, or undefined for a conversation Teams never told the emulator about. */
  private conversationType(conversationId: string): string | undefined {
    return (
      this.conversationTypes.get(conversationId) ??
      this.conversationTypes.get(conversationId.split(';messageid=')[0]) ??
      // Teams' personal chat ids start with `a:` (group chats and channels with `19:`).
      (conversationId.startsWith('a:') ? 'personal' : undefined)
    );
  }

  /** The Entra object id (lower case) of the user of a personal chat, if known. */
  private personalChatUser(conversationId: string): string | undefined {
    for (const [aad, conversations] of this.personalChats) if (conversations.has(conversationId)) return aad;
    return undefined;
  }

  /** Refuses (400, recorded as a card error) a file consent or file info card Teams would not take. */
  private checkFileCards(call: ConnectorCall, conversationId: string, activity: ConnectorActivity | undefined): Outcome | undefined {
    if (!activity?.attachments?.length) return undefined;
    const target = { conversationType: this.conversationType(conversationId), supportsFiles: this.supportsFiles };
    const owner = target.conversationType === 'personal' ? this.personalChatUser(conversationId) : undefined;
    const errors = [
      ...fileConsentCardProblems(activity.attachments, target),
      ...fileInfoCardProblems(activity.attachments, { ...target, owner }, (contentUrl) => this.files.findUpload(contentUrl)),
    ];
    if (!errors.length) return undefined;
    this.cardErrorList.push({ where: call.operation, conversationId, errors });
    return { status: 400, body: errorBody(400, 'BadArgument', errors.join('; ')) };
  }

  /** Keeps the file consent cards of a message Teams took (an update replaces what the message showed). */
  private noteFileConsentCards(conversationId: string, activityId: string, activity: ConnectorActivity): void {
    this.consentCards = this.consentCards.filter((c) => !(c.card.conversationId === conversationId && c.card.activityId === activityId));
    const owner = this.personalChatUser(conversationId);
    for (const attachment of activity.attachments ?? []) {
      if (attachment.contentType !== FILE_CONSENT_CARD) continue;
      const content = attachment.content as { sizeInBytes: number; description?: string; acceptContext: unknown; declineContext: unknown };
      const card: SentFileConsentCard = {
        activityId,
        conversationId,
        name: String(attachment.name),
        sizeInBytes: content.sizeInBytes,
        acceptContext: content.acceptContext,
        declineContext: content.declineContext,
      };
      if (content.description !== undefined) card.description = content.description;
      this.consentCards.push({ owner, card });
    }
  }

  /**
   * What is wrong with a `fileConsent/invoke` a test posts: Teams sends it only for a consent card still shown in that
   * personal chat (`replyToId`), hands back the card's context, and on accept an upload session opened for that user
   * (`prepareUpload`). https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4
   */
  private fileConsentAnswerProblems(activity: InboundActivity): string[] {
    const problems: string[] = [];
    const conversationId = activity.conversation?.id ?? '';
    const message = this.findMessage(conversationId, activity.replyToId);
    const card = message && !message.deleted ? message.activity.attachments?.find((a) => a.contentType === FILE_CONSENT_CARD) : undefined;
    if (!card) problems.push(`a fileConsent/invoke for ${String(activity.replyToId)}, which is no file consent card shown in this chat`);
    const value = (activity.value ?? {}) as { type?: unknown; action?: unknown; context?: unknown; uploadInfo?: { uploadUrl?: unknown } };
    if (value.type !== 'fileUpload') problems.push('a fileConsent/invoke whose value.type is not fileUpload');
    if (value.action !== 'accept' && value.action !== 'decline') problems.push(`a fileConsent/invoke with action ${JSON.stringify(value.action)}`);
    const content = (card?.content ?? {}) as { acceptContext?: unknown; declineContext?: unknown };
    const expected = value.action === 'accept' ? content.acceptContext : content.declineContext;
    if (card && JSON.stringify(value.context) !== JSON.stringify(expected)) problems.push(`a fileConsent/invoke whose context is not the card's ${String(value.action)}Context`);
    if (value.action === 'accept') {
      const uploadUrl = value.uploadInfo?.uploadUrl;
      if (typeof uploadUrl !== 'string' || !this.files.isOpenSession(uploadUrl, activity.from?.aadObjectId ?? '')) {
        problems.push("an accepted fileConsent/invoke whose uploadInfo is not an upload session open in the user's OneDrive (use emulator.prepareUpload)");
      }
    } else if (value.uploadInfo !== undefined) problems.push('a declined fileConsent/invoke with uploadInfo');
    return problems;
  }

  private takeFileFault(operation: FileOperation): ConnectorFault | undefined {
    const index = this.globalFaults.findIndex((f) => f.operations?.includes(operation));
    if (index === -1) return undefined;
    const pending = this.globalFaults[index];
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.globalFaults.splice(index, 1);
    return pending.fault;
  }

  private notePersonalChat(aadObjectId: string, conversationId: string): void {
    const key = aadObjectId.toLowerCase();
    const set = this.personalChats.get(key) ?? new Set<string>();
    set.add(conversationId);
    this.personalChats.set(key, set);
  }

  /** Card problems seen so far (each fails the test that caused it; see `strictTeams.setup.ts`). */
  get cardErrors(): readonly CardError[] {
    return this.cardErrorList;
  }

  /** Returns the card problems seen so far and forgets them. */
  takeCardErrors(): CardError[] {
    const errors = this.cardErrorList;
    this.cardErrorList = [];
    return errors;
  }

  /** Stops listening, cuts open connections and fails pending {@link waitFor} calls. */
  async close(): Promise<void> {
    const server = this.server;
    if (this.url) live.delete(this.url);
    this.server = undefined;
    this.url = undefined;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('Channel emulator closed while waiting for a call'));
    }
    this.waiters = [];
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** The base URL to put into activities' `serviceUrl`, e.g. `http://127.0.0.1:41234/`. */
  get serviceUrl(): string {
    if (!this.url) throw new Error('Channel emulator not started: await emulator.start() first');
    return this.url;
  }

  /** TCP connections the bot opened to the emulator so far: a bot without keep-alive opens one per call. */
  get connectionCount(): number {
    return this.connectionsOpened;
  }

  /** Every call so far, oldest first (empty when recording is off). */
  get calls(): readonly ConnectorCall[] {
    return this.recorded;
  }

  /**
   * Activities delivered to a conversation, in order of arrival: accepted sends and replies, and the first activity
   * of a conversation the bot created with one. Later updates are not applied (see {@link visibleActivities}).
   */
  activitiesTo(conversationId: string): ConnectorActivity[] {
    const delivers = (call: ConnectorCall): boolean =>
      call.operation === 'send' ||
      call.operation === 'reply' ||
      (call.operation === 'createConversation' && call.createdActivityId !== undefined);
    return this.recorded
      .filter((call) => delivers(call) && call.conversationId === conversationId && call.status < 300)
      .map((call) => call.activity ?? {});
  }

  /**
   * What the user now sees in a conversation: delivered messages with later updates applied and deleted ones removed,
   * each with the id the emulator gave it. Independent of recording.
   */
  visibleActivities(conversationId: string): ConnectorActivity[] {
    return (this.messages.get(conversationId) ?? [])
      .filter((message) => !message.deleted)
      .map((message) => ({ ...message.activity, id: message.id }));
  }

  /**
   * Resolves with the first call, past or future, that matches; rejects after `timeoutMs` with a summary of what
   * did arrive.
   */
  async waitFor(predicate: (call: ConnectorCall) => boolean, timeoutMs = 5_000): Promise<ConnectorCall> {
    const [call] = await this.waitForCalls(predicate, 1, timeoutMs);
    return call;
  }

  /** Resolves once `count` calls (past or future) match, with those calls in arrival order. */
  waitForCalls(predicate: (call: ConnectorCall) => boolean, count: number, timeoutMs = 5_000): Promise<ConnectorCall[]> {
    const matched = this.recorded.filter(predicate).slice(0, count);
    if (matched.length >= count) return Promise.resolve(matched);
    return new Promise<ConnectorCall[]>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        count,
        matched,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(
            new Error(
              `Channel emulator: ${waiter.matched.length} of ${count} expected call(s) within ${timeoutMs} ms. ` +
                `Calls seen: ${this.describeCalls()}`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * Forgets recorded calls, pending faults, counters and rate-limit windows. What Teams itself keeps stays: delivered
   * messages (so later updates still find them), known conversations and installations, roster, latency, and whether
   * rate limits are on.
   */
  reset(): void {
    this.recorded = [];
    this.faultsByConversation.clear();
    this.globalFaults = [];
    this.windows.clear();
    this.counterMap.clear();
  }

  /**
   * Makes the next `n` matching calls fail with `fault` instead of being processed. Pass `Infinity` for a lasting
   * condition, e.g. a user who blocked the bot (403 until {@link clearFaults} or {@link reset}).
   */
  failNext(n: number, fault: ConnectorFault, scope: FaultScope = {}): void {
    const pending: PendingFault = { remaining: n, fault, operations: scope.operations };
    if (scope.conversationId === undefined) {
      this.globalFaults.push(pending);
    } else {
      const list = this.faultsByConversation.get(scope.conversationId) ?? [];
      list.push(pending);
      this.faultsByConversation.set(scope.conversationId, list);
    }
  }

  /** Drops every pending injected fault. */
  clearFaults(): void {
    this.faultsByConversation.clear();
    this.globalFaults = [];
  }

  /** Starts enforcing Teams' rate limits (defaults: 7/s and 60/30 s per conversation, 30/s overall). */
  enableRateLimits(options: RateLimitOptions = {}): void {
    this.rateLimits = {
      perConversation: options.perConversation ?? DEFAULT_RATE_LIMITS.perConversation,
      global: options.global ?? DEFAULT_RATE_LIMITS.global,
      operations: options.operations ?? DEFAULT_RATE_LIMITS.operations,
      retryAfter: options.retryAfter ?? DEFAULT_RATE_LIMITS.retryAfter,
    };
    this.windows.clear();
  }

  /** Stops enforcing rate limits. */
  disableRateLimits(): void {
    this.rateLimits = undefined;
  }

  /** Accepted and rejected calls for one conversation, or across all calls when no id is given. */
  counters(conversationId?: string): CallCounters {
    const counters = this.counterMap.get(conversationId ?? GLOBAL_KEY);
    return counters
      ? { accepted: counters.accepted, rejected: counters.rejected, rejectedByStatus: { ...counters.rejectedByStatus } }
      : { accepted: 0, rejected: 0, rejectedByStatus: {} };
  }

  /**
   * Messages that reached a conversation more than once: equal text and attachments, or the same client-supplied
   * activity `id`. Only accepted sends and replies count; a throttled attempt that was retried is not a duplicate.
   */
  duplicateDeliveries(conversationId?: string): DuplicateDelivery[] {
    const groups = new Map<string, DuplicateDelivery>();
    for (const call of this.recorded) {
      if (call.operation !== 'send' && call.operation !== 'reply') continue;
      if (call.status >= 300 || call.conversationId === undefined || !call.activity) continue;
      if (conversationId !== undefined && call.conversationId !== conversationId) continue;
      const activity = call.activity;
      const keys: Array<[DuplicateDelivery['reason'], string]> = [];
      if ((activity.type ?? 'message') === 'message' && (activity.text !== undefined || activity.attachments?.length)) {
        keys.push(['sameContent', JSON.stringify([activity.text ?? null, activity.attachments ?? []])]);
      }
      if (typeof activity.id === 'string' && activity.id !== '') keys.push(['sameClientId', activity.id]);
      for (const [reason, key] of keys) {
        const groupKey = `${call.conversationId}\u0000${reason}\u0000${key}`;
        const group = groups.get(groupKey) ?? { conversationId: call.conversationId, reason, key, calls: [] };
        group.calls.push(call);
        groups.set(groupKey, group);
      }
    }
    return [...groups.values()].filter((group) => group.calls.length > 1);
  }

  /** Sets the members of one conversation, or the default roster for all conversations without one. */
  setRoster(members: RosterMember[], conversationId?: string): void {
    if (conversationId === undefined) this.defaultRoster = [...members];
    else this.rosters.set(conversationId, [...members]);
  }

  /** Changes the delay before each answer. */
  setLatency(latency: LatencySetting): void {
    this.latency = latency;
  }

  private describeCalls(): string {
    if (!this.recording) return '(recording off)';
    if (this.recorded.length === 0) return 'none';
    return this.recorded
      .slice(-20)
      .map((c) => `#${c.seq} ${c.operation} ${c.conversationId ?? ''} → ${c.status}`)
      .join('; ');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const time = Date.now();
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const call: ConnectorCall = {
      seq: ++this.seq,
      operation: 'unknown',
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parseBody(rawBody),
      headers: req.headers,
      authorization: req.headers.authorization,
      time,
      status: 0,
      responseBody: undefined,
      responseHeaders: {},
    };

    const outcome = this.decide(call, method, url.pathname);
    call.status = outcome.status;
    call.responseBody = outcome.body;
    call.responseHeaders = { ...outcome.headers };
    call.failure = outcome.failure;
    if (outcome.createdActivityId !== undefined) call.createdActivityId = outcome.createdActivityId;
    if (outcome.conversationId !== undefined) call.conversationId = outcome.conversationId;
    this.count(call);
    if (this.recording) this.recorded.push(call);
    this.notifyWaiters(call);

    const delay = typeof this.latency === 'function' ? this.latency(call) : this.latency;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

    if (outcome.dropConnection) {
      req.socket.destroy();
      return;
    }
    call.answeredAt = Date.now();
    const headers: Record<string, string> = { ...call.responseHeaders };
    if (outcome.body === undefined) {
      res.writeHead(outcome.status, headers);
      res.end();
    } else {
      const payload = JSON.stringify(outcome.body);
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = String(Buffer.byteLength(payload));
      res.writeHead(outcome.status, headers);
      res.end(payload);
    }
  }

  /** Routes the call, applies auth, faults and rate limits, and performs the operation if it gets through. */
  private decide(call: ConnectorCall, method: string, pathname: string): Outcome {
    if (!pathname.startsWith(this.basePath)) return { status: 404, body: errorBody(404) };
    let segments: string[];
    try {
      // Split before decoding: Teams ids contain characters that arrive percent-encoded (':' '@' ';' and even '/').
      segments = pathname.slice(this.basePath.length).split('/').filter((s) => s !== '').map(decodeURIComponent);
    } catch {
      return { status: 400, body: errorBody(400, 'BadArgument', 'Malformed percent-encoding in path') };
    }
    this.route(call, method, segments);

    if (this.expectedAuthorization !== undefined && call.authorization !== this.expectedAuthorization) {
      return { status: 401, body: errorBody(401, 'Unauthorized', 'Authorization has been denied for this request.'), failure: 'unauthorized' };
    }
    if (call.operation === 'unknown') return { status: 404, body: errorBody(404) };

    const fault = this.takeFault(call);
    if (fault) {
      if ('dropConnection' in fault) {
        if (fault.afterPerforming) return { ...this.perform(call), dropConnection: true, failure: 'injected' };
        return { status: 0, dropConnection: true, failure: 'injected' };
      }
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      return { status: fault.status, body: errorBody(fault.status, fault.code, fault.message), headers, failure: 'injected' };
    }

    const throttled = this.throttle(call);
    if (throttled) return throttled;

    return this.perform(call);
  }

  private route(call: ConnectorCall, method: string, segments: string[]): void {
    const [version, collection, conversationId, sub, id, extra] = segments;
    if (version !== 'v3' || collection !== 'conversations') return;
    if (segments.length === 2) {
      if (method === 'POST') call.operation = 'createConversation';
      return;
    }
    call.conversationId = conversationId;
    if (sub === 'activities') {
      if (segments.length === 4 && method === 'POST') call.operation = 'send';
      else if (segments.length === 5 && id !== 'history') {
        call.activityId = id;
        if (method === 'POST') call.operation = 'reply';
        else if (method === 'PUT') call.operation = 'update';
        else if (method === 'DELETE') call.operation = 'delete';
      }
    } else if (sub === 'members' && method === 'GET') {
      if (segments.length === 4) call.operation = 'getMembers';
      else if (segments.length === 5) {
        call.memberId = id;
        call.operation = 'getMember';
      }
    } else if (sub === 'pagedmembers' && method === 'GET' && segments.length === 4) {
      call.operation = 'getPagedMembers';
    }
    if (extra !== undefined) call.operation = 'unknown';
    if (['send', 'reply', 'update'].includes(call.operation) && isObject(call.body)) {
      call.activity = call.body as ConnectorActivity;
    }
  }

  private takeFault(call: ConnectorCall): ConnectorFault | undefined {
    const lists = [call.conversationId !== undefined ? this.faultsByConversation.get(call.conversationId) : undefined, this.globalFaults];
    for (const list of lists) {
      if (!list) continue;
      const index = list.findIndex((f) => !f.operations || f.operations.includes(call.operation));
      if (index === -1) continue;
      const pending = list[index];
      pending.remaining -= 1;
      if (pending.remaining <= 0) list.splice(index, 1);
      return pending.fault;
    }
    return undefined;
  }

  private throttle(call: ConnectorCall): Outcome | undefined {
    const limits = this.rateLimits;
    if (!limits || !limits.operations.includes(call.operation)) return undefined;
    const now = Date.now();
    const conversationLog = call.conversationId !== undefined ? this.windowFor(call.conversationId) : undefined;
    const globalLog = this.windowFor(GLOBAL_KEY);
    const wait = Math.max(
      conversationLog ? conversationLog.waitNeeded(now, limits.perConversation) : 0,
      globalLog.waitNeeded(now, limits.global),
    );
    if (wait > 0) {
      const headers: Record<string, string> = {};
      if (limits.retryAfter !== 'omit') headers['retry-after'] = String(Math.max(1, Math.ceil(wait / 1000)));
      return {
        status: 429,
        body: errorBody(429, 'TooManyRequests', 'Too many requests; the bot exceeded Teams rate limits.'),
        headers,
        failure: 'rateLimited',
      };
    }
    const longest = (windows: RateLimitWindow[]): number => Math.max(0, ...windows.map((w) => w.windowMs));
    conversationLog?.add(now, longest(limits.perConversation));
    globalLog.add(now, longest(limits.global));
    return undefined;
  }

  private windowFor(key: string): SlidingWindowLog {
    let log = this.windows.get(key);
    if (!log) {
      log = new SlidingWindowLog();
      this.windows.set(key, log);
    }
    return log;
  }

  /** 413 for a message over Teams' size limit; card problems are recorded for the test (the message still goes out). */
  private checkContent(call: ConnectorCall, activity: ConnectorActivity | undefined): Outcome | undefined {
    if (!activity) return undefined;
    if (messageBytes(activity) > MAX_MESSAGE_BYTES) {
      return { status: 413, body: errorBody(413, 'MessageSizeTooBig', 'Message size too large.') };
    }
    const errors = cardProblems(cardsOf(activity));
    if (errors.length) this.cardErrorList.push({ where: call.operation, conversationId: call.conversationId, errors });
    return undefined;
  }

  private perform(call: ConnectorCall): Outcome {
    const conversationId = call.conversationId ?? '';
    if (call.operation === 'send' || call.operation === 'reply' || call.operation === 'update' || call.operation === 'delete') {
      const status = this.installations.sendStatus(conversationId);
      if (status === 404) return { status: 404, body: errorBody(404, 'ConversationNotFound', 'Conversation not found.') };
      if (status === 403) return { status: 403, body: errorBody(403, 'Forbidden', 'The bot is not installed for this user.') };
      const refused = this.checkContent(call, call.activity) ?? this.checkFileCards(call, conversationId, call.activity);
      if (refused) return refused;
    }
    switch (call.operation) {
      case 'send':
      case 'reply': {
        if (!call.activity) return { status: 400, body: errorBody(400, 'BadArgument', 'Activity body is required') };
        const id = this.nextActivityId();
        this.store(conversationId, id, call.activity);
        this.noteFileConsentCards(conversationId, id, call.activity);
        return { status: 201, body: { id }, createdActivityId: id };
      }
      case 'update': {
        const existing = this.findMessage(conversationId, call.activityId);
        if (!existing || existing.deleted || !call.activity) {
          return { status: 404, body: errorBody(404, 'ActivityNotFound', 'The activity to update was not found.') };
        }
        existing.activity = call.activity;
        this.noteFileConsentCards(conversationId, existing.id, call.activity);
        return { status: 200, body: { id: existing.id } };
      }
      case 'delete': {
        const existing = this.findMessage(conversationId, call.activityId);
        if (!existing || existing.deleted) {
          return { status: 404, body: errorBody(404, 'ActivityNotFound', 'The activity to delete was not found.') };
        }
        existing.deleted = true;
        return { status: 200 };
      }
      case 'createConversation':
        return this.createConversation(call);
      case 'getMembers':
        return { status: 200, body: this.rosterOf(conversationId).map(asListedMember) };
      case 'getPagedMembers': {
        const roster = this.rosterOf(conversationId);
        const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(MIN_PAGE_SIZE, Number(call.query.pageSize) || DEFAULT_PAGE_SIZE));
        const start = call.query.continuationToken ? Number(Buffer.from(call.query.continuationToken, 'base64url').toString()) || 0 : 0;
        const members = roster.slice(start, start + pageSize);
        const next = start + pageSize;
        const body: Record<string, unknown> = { members: members.map(asListedMember) };
        if (next < roster.length) body.continuationToken = Buffer.from(String(next)).toString('base64url');
        return { status: 200, body };
      }
      case 'getMember': {
        const memberId = call.memberId ?? '';
        // Teams resolves a member by its 29: id or by its AAD object id.
        const member = this.rosterOf(conversationId).find((m) => m.id === memberId || m.aadObjectId === memberId);
        if (member) return { status: 200, body: member };
        if (this.unknownMembers === 'synthesize') return { status: 200, body: synthesizedMember(memberId) };
        return { status: 404, body: errorBody(404, 'MemberNotFoundInConversation', 'The member could not be found in the conversation.') };
      }
      default:
        return { status: 404, body: errorBody(404) };
    }
  }

  private createConversation(call: ConnectorCall): Outcome {
    const params = isObject(call.body) ? call.body : {};
    const channelData = isObject(params.channelData) ? params.channelData : {};
    const tenant = isObject(channelData.tenant) ? channelData.tenant : {};
    const tenantId = typeof params.tenantId === 'string' ? params.tenantId : typeof tenant.id === 'string' ? tenant.id : undefined;
    // Teams refuses proactive conversations that do not name the tenant.
    if (!tenantId) return { status: 400, body: errorBody(400, 'BadArgument', 'Tenant id is required.') };
    const bot = isObject(params.bot) ? params.bot : {};
    const botId = typeof bot.id === 'string' ? bot.id.replace(/^28:/, '') : '';
    const activity = isObject(params.activity) ? (params.activity as ConnectorActivity) : undefined;
    const channel = isObject(channelData.channel) ? channelData.channel : undefined;

    let conversationId: string;
    let createdActivityId: string | undefined;
    const refused = this.checkContent(call, activity);
    if (refused) return refused;
    if (channel && typeof channel.id === 'string') {
      if (!activity) return { status: 400, body: errorBody(400, 'BadArgument', 'A new channel thread needs an activity.') };
      // Only in a channel of a team where the app is installed.
      if (this.installations.sendStatus(channel.id) !== 200) return { status: 403, body: errorBody(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.') };
      this.conversationTypes.set(channel.id, 'channel');
      const fileRefused = this.checkFileCards(call, channel.id, activity);
      if (fileRefused) return fileRefused;
      createdActivityId = this.nextActivityId();
      conversationId = `${channel.id};messageid=${createdActivityId}`;
      this.installations.created(conversationId, []);
      this.conversationTypes.set(conversationId, 'channel');
    } else {
      const members = Array.isArray(params.members) ? params.members.filter(isObject) : [];
      const memberId = members[0] && typeof members[0].id === 'string' ? members[0].id : undefined;
      if (!memberId) return { status: 400, body: errorBody(400, 'BadArgument', 'Members are required.') };
      // Members may be named by AAD object id; the conversation is the same as for their 29: id.
      const known = this.defaultRoster.find((m) => m.aadObjectId?.toLowerCase() === memberId.toLowerCase());
      const userId = memberId.startsWith('29:') ? memberId : (known?.id ?? this.userIdsByAad.get(memberId.toLowerCase()) ?? memberId);
      const ids = [...new Set([memberId, userId, ...(known?.aadObjectId ? [known.aadObjectId] : [])])];
      // Teams opens a personal chat only with a user who has the app, personally or through a team or chat.
      if (!this.installations.canReach(ids)) return { status: 403, body: errorBody(403, 'Forbidden', 'The bot is not installed for this user.') };
      conversationId = personalConversationId(userId, botId || undefined);
      this.conversationTypes.set(conversationId, 'personal');
      for (const id of ids) if (!id.startsWith('29:')) this.notePersonalChat(id, conversationId);
      const fileRefused = this.checkFileCards(call, conversationId, activity);
      if (fileRefused) return fileRefused;
      this.installations.created(conversationId, ids);
      if (activity) createdActivityId = this.nextActivityId();
    }
    if (activity && createdActivityId) {
      call.activity = activity;
      this.store(conversationId, createdActivityId, activity);
      this.noteFileConsentCards(conversationId, createdActivityId, activity);
    }
    const body: Record<string, unknown> = { id: conversationId };
    if (createdActivityId) body.activityId = createdActivityId;
    return { status: 201, body, conversationId, createdActivityId };
  }

  private rosterOf(conversationId: string): RosterMember[] {
    return this.rosters.get(conversationId) ?? this.defaultRoster;
  }

  private store(conversationId: string, id: string, activity: ConnectorActivity): void {
    const list = this.messages.get(conversationId) ?? [];
    list.push({ id, activity, deleted: false });
    this.messages.set(conversationId, list);
  }

  private findMessage(conversationId: string, id: string | undefined): StoredMessage | undefined {
    return this.messages.get(conversationId)?.find((m) => m.id === id);
  }

  /** Teams message ids are epoch milliseconds; keep them unique and increasing. */
  private nextActivityId(): string {
    this.lastActivityId = Math.max(this.lastActivityId + 1, Date.now());
    return String(this.lastActivityId);
  }

  private count(call: ConnectorCall): void {
    const keys = call.conversationId !== undefined ? [GLOBAL_KEY, call.conversationId] : [GLOBAL_KEY];
    for (const key of keys) {
      let counters = this.counterMap.get(key);
      if (!counters) {
        counters = { accepted: 0, rejected: 0, rejectedByStatus: {} };
        this.counterMap.set(key, counters);
      }
      if (call.status >= 200 && call.status < 300) counters.accepted += 1;
      else {
        counters.rejected += 1;
        counters.rejectedByStatus[call.status] = (counters.rejectedByStatus[call.status] ?? 0) + 1;
      }
    }
  }

  private notifyWaiters(call: ConnectorCall): void {
    if (this.waiters.length === 0) return;
    for (const waiter of [...this.waiters]) {
      if (!waiter.predicate(call)) continue;
      waiter.matched.push(call);
      if (waiter.matched.length >= waiter.count) {
        clearTimeout(waiter.timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(waiter.matched);
      }
    }
  }
}

/**
 * A roster entry as the list endpoints (`members`, `pagedmembers`) put it on the wire: the AAD object id travels as
 * `objectId` there (botbuilder-dotnet#3856; botbuilder-js maps it back only in `TeamsInfo.getMembers`), whereas the
 * single-member endpoint answers with `aadObjectId`.
 */
function asListedMember(member: RosterMember): Record<string, unknown> {
  const { aadObjectId, ...rest } = member;
  return aadObjectId === undefined ? { ...rest } : { ...rest, objectId: aadObjectId };
}

function synthesizedMember(memberId: string): RosterMember {
  return { id: memberId, name: `Member ${memberId.slice(-6)}`, userRole: 'user' };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Creates and starts a {@link ChannelEmulator}; read its `serviceUrl` afterwards. */
export async function startChannelEmulator(options: ChannelEmulatorOptions = {}): Promise<ChannelEmulator> {
  const emulator = new ChannelEmulator(options);
  await emulator.start();
  return emulator;
}
