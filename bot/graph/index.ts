import https from 'node:https';
import type { TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  BatchRequestContent,
  BatchResponseContent,
  Client,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { decodeJwt } from 'jose';
import {
  GraphError,
  featuresFromRoles,
  type GraphFeature,
  type GraphPort,
  type ChatMessageSeen,
  type GraphUser,
  type InstallResult,
  type InstallState,
  type MailInput,
  type MeetingEvent,
  type MeetingEventInput,
} from '../../services/graph/graphPort';
import type { Logger } from '../../services/logging';
import type { GraphConfig } from '../config';
import { createCredential } from './credential';
import { fromResponse, retryAfterMs, toGraphError } from './errors';
import { NodeHttpsHandler } from './httpHandler';
import { pinnedHttpsAgent } from './pinnedTls';

/** Options of {@link createGraphPort}. */
export interface GraphPortOptions {
  logger: Logger;
  /** The app's manifest id (TEAMS_APP_ID): finds the app in the tenant's catalog when GRAPH_TEAMS_CATALOG_APP_ID is not set. */
  teamsAppId?: string;
  /** How often a throttled call (429, or 503/504) is retried before it rejects with kind `throttled` (default 3, at most 10). */
  maxRetries?: number;
  /** The longest Retry-After the port waits out itself; a longer one rejects at once with kind `throttled` (default 30 s). */
  maxRetryAfterMs?: number;
  /** Concurrent `$batch` requests (default 4). */
  batchConcurrency?: number;
  /** The credential (default: the bot's own, from the configuration); tests of the credential choice pass their own. */
  credential?: TokenCredential;
}

/** Graph's limit of requests in one `$batch` (https://learn.microsoft.com/graph/json-batching). */
const BATCH_SIZE = 20;
const USER_SELECT = 'id,displayName,userPrincipalName,mail';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * `BatchRequestContent` takes `Request` objects and keeps the part of their URL after scheme and host; Node's `Request`
 * needs an absolute URL. Steps are therefore built on this placeholder origin with paths relative to the Graph version,
 * which is exactly what a `$batch` step's `url` must be.
 */
const BATCH_STEP_ORIGIN = 'https://batch-step.invalid';

/** One answer of a `$batch` step. */
interface StepAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface PendingStep {
  url: string;
  attempts: number;
  resolve: (a: StepAnswer) => void;
  reject: (e: GraphError) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const odataString = (value: string) => `'${value.replace(/'/g, "''")}'`;
const lowerUser = (u: { id?: unknown; displayName?: unknown; userPrincipalName?: unknown; mail?: unknown; department?: unknown }): GraphUser => ({
  id: String(u.id ?? '').toLowerCase(),
  ...(typeof u.displayName === 'string' ? { displayName: u.displayName } : {}),
  ...(typeof u.userPrincipalName === 'string' ? { userPrincipalName: u.userPrincipalName.toLowerCase() } : {}),
  ...(typeof u.mail === 'string' ? { mail: u.mail.toLowerCase() } : {}),
  ...(typeof u.department === 'string' && u.department.trim() ? { department: u.department.trim() } : {}),
});

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** An ISO date-time with offset as the wall-clock time in `timeZone` (Graph's dateTimeTimeZone: local time + zone). */
export function wallClock(iso: string, timeZone: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new GraphError('invalid_date', 'permanent');
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/**
 * The Graph port on Microsoft's Graph client (`@microsoft/microsoft-graph-client` 3: its middleware chain — token,
 * retry with Retry-After, telemetry — and its `$batch` content classes) and `@azure/identity`, with the bot's own
 * credential.
 *
 * Why this client rather than the Kiota-generated `@microsoft/msgraph-sdk`: the port makes nine calls; the core client
 * does each in one line with the documented URL, is one small package without generated models for all of Graph, and
 * its retry handler and batch helpers are what the Graph throttling and batching guidance describes.
 */
export function createGraphPort(config: GraphConfig, options: GraphPortOptions): GraphPort {
  const logger = options.logger.child({ component: 'graph' });
  const maxRetries = Math.min(options.maxRetries ?? 3, 10);
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  const base = new URL(config.baseUrl);
  const version = base.pathname.replace(/^\/+|\/+$/g, '') || 'v1.0';
  const scope = `${base.origin}/.default`;
  // Test mode: every connection (token and Graph) trusts exactly the stand-in's certificate. Otherwise ordinary TLS.
  const agent = config.testCertificateSha256 ? pinnedHttpsAgent(config.testCertificateSha256) : new https.Agent({ keepAlive: true, maxSockets: 32 });
  const credential = options.credential ?? createCredential(config, config.testCertificateSha256 ? agent : undefined);

  const auth = new AuthenticationHandler(new TokenCredentialAuthenticationProvider(credential, { scopes: [scope] }));
  const retry = new RetryHandler(
    new RetryHandlerOptions(3, maxRetries, (_delay, attempt, _request, _options, response) => {
      const wait = retryAfterMs((response as Response | undefined)?.headers?.get('retry-after'));
      const ok = wait === undefined || wait <= maxRetryAfterMs;
      logger.info({ event: 'graph.retry', status: (response as Response | undefined)?.status, attempt: attempt + 1, retryAfterMs: wait, retrying: ok });
      return ok;
    }),
  );
  const telemetry = new TelemetryHandler();
  const http = new NodeHttpsHandler(agent);
  const chain: Middleware[] = [auth, retry, telemetry, http];
  const client = Client.initWithMiddleware({
    middleware: chain,
    baseUrl: `${base.origin}/`,
    defaultVersion: version,
    customHosts: new Set([base.hostname]),
  });
  const graphUrl = (path: string) => `${base.origin}/${version}${path}`;

  /** A Graph call; every failure becomes a GraphError. */
  async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const e = toGraphError(err);
      logger.warn({ event: 'graph.failed', call: what, code: e.code, kind: e.kind, status: e.status });
      throw e;
    }
  }

  // --- features (from the token's roles, until the token expires) ---
  let featureCache: { features: ReadonlySet<GraphFeature>; until: number } | undefined;
  async function features(): Promise<ReadonlySet<GraphFeature>> {
    if (featureCache && Date.now() < featureCache.until) return featureCache.features;
    let token;
    try {
      token = await credential.getToken(scope);
    } catch (err) {
      const e = toGraphError(err);
      logger.warn({ event: 'graph.token_failed', code: e.code, kind: e.kind });
      throw e;
    }
    if (!token) throw new GraphError('token_unavailable', 'permanent');
    let roles: string[] = [];
    try {
      const claim = decodeJwt(token.token).roles;
      roles = Array.isArray(claim) ? claim.filter((r): r is string => typeof r === 'string') : [];
    } catch {
      throw new GraphError('token_unreadable', 'permanent');
    }
    const granted = featuresFromRoles(roles);
    featureCache = { features: granted, until: token.expiresOnTimestamp };
    return granted;
  }
  async function need(feature: GraphFeature): Promise<void> {
    if (!(await features()).has(feature)) throw new GraphError('permission_missing', 'forbidden');
  }

  // --- $batch: concurrent single GETs are gathered into batches of 20 ---
  const queue: PendingStep[] = [];
  let flushScheduled = false;
  let inFlight = 0;
  const concurrency = Math.max(1, options.batchConcurrency ?? 4);

  function batchedGet(url: string): Promise<StepAnswer> {
    return new Promise<StepAnswer>((resolve, reject) => {
      queue.push({ url, attempts: 0, resolve, reject });
      scheduleFlush();
    });
  }
  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      pump();
    });
  }
  function pump(): void {
    while (inFlight < concurrency && queue.length) {
      const chunk = queue.splice(0, BATCH_SIZE);
      inFlight += 1;
      void sendBatch(chunk).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }
  async function sendBatch(chunk: PendingStep[]): Promise<void> {
    let answers: Map<string, StepAnswer>;
    try {
      const content = new BatchRequestContent(chunk.map((step, i) => ({ id: String(i + 1), request: new Request(`${BATCH_STEP_ORIGIN}${step.url}`, { method: 'GET' }) })));
      const body = (await client.api('/$batch').post(await content.getContent())) as ConstructorParameters<typeof BatchResponseContent>[0];
      const responses = new BatchResponseContent(body).getResponses();
      answers = new Map();
      for (const [id, res] of responses) {
        const text = await res.text();
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        answers.set(id, { status: res.status, body: parsed, headers });
      }
    } catch (err) {
      const e = toGraphError(err);
      logger.warn({ event: 'graph.batch_failed', code: e.code, kind: e.kind, steps: chunk.length });
      chunk.forEach((s) => s.reject(e));
      return;
    }
    const throttled: Array<{ step: PendingStep; wait: number }> = [];
    chunk.forEach((step, i) => {
      const a = answers.get(String(i + 1));
      if (!a) return step.reject(new GraphError('batch_step_missing', 'transient'));
      const wait = retryAfterMs(a.headers['retry-after']);
      const retryable = a.status === 429 || ((a.status === 503 || a.status === 504) && wait !== undefined);
      if (retryable && step.attempts < maxRetries && (wait ?? 0) <= maxRetryAfterMs) throttled.push({ step, wait: wait ?? 1000 * 2 ** step.attempts });
      else step.resolve(a);
    });
    if (!throttled.length) return;
    const wait = Math.max(...throttled.map((t) => t.wait));
    logger.info({ event: 'graph.batch_throttled', steps: throttled.length, retryAfterMs: wait });
    // The waiting steps do not hold a batch slot; they join the queue again when their Retry-After has passed.
    void sleep(wait).then(() => {
      for (const t of throttled) {
        t.step.attempts += 1;
        queue.push(t.step);
      }
      scheduleFlush();
    });
  }

  // --- catalog id of this app ---
  let catalogId: Promise<string> | undefined = config.teamsCatalogAppId ? Promise.resolve(config.teamsCatalogAppId) : undefined;
  function appCatalogId(): Promise<string> {
    if (catalogId) return catalogId;
    const manifestId = options.teamsAppId?.toLowerCase();
    if (!manifestId) return Promise.reject(new GraphError('catalog_app_unknown', 'permanent'));
    // https://learn.microsoft.com/graph/api/appcatalogs-list-teamsapps : filter by the manifest id (externalId).
    const lookup = call('appCatalog', async () => {
      const res = (await client.api('/appCatalogs/teamsApps').filter(`externalId eq ${odataString(manifestId)}`).get()) as { value?: Array<{ id?: string }> };
      const id = res.value?.[0]?.id;
      if (!id) throw new GraphError('catalog_app_not_found', 'notFound', 404);
      return id.toLowerCase();
    });
    catalogId = lookup;
    lookup.catch(() => {
      if (catalogId === lookup) catalogId = undefined;
    });
    return lookup;
  }

  const chatIds = new Map<string, string>();
  const userPath = (userId: string) => `/users/${encodeURIComponent(userId.trim().toLowerCase())}`;

  return {
    features,

    async installState(userId: string): Promise<InstallState> {
      await need('install');
      const appId = await appCatalogId();
      const url = `${userPath(userId)}/teamwork/installedApps?$filter=${encodeURIComponent(`teamsApp/id eq ${odataString(appId)}`)}`;
      const a = await call('installState', () => batchedGet(url));
      if (a.status !== 200) throw fromResponse(a.status, a.body, a.headers);
      return ((a.body as { value?: unknown[] }).value ?? []).length > 0 ? 'installed' : 'notInstalled';
    },

    async installApp(userId: string): Promise<InstallResult> {
      await need('install');
      const appId = await appCatalogId();
      try {
        await call('installApp', () =>
          client.api(`${userPath(userId)}/teamwork/installedApps`).post({ 'teamsApp@odata.bind': graphUrl(`/appCatalogs/teamsApps/${encodeURIComponent(appId)}`) }),
        );
        return 'installed';
      } catch (err) {
        if (err instanceof GraphError && err.kind === 'conflict') return 'alreadyInstalled';
        throw err;
      }
    },

    async resolveUsers(identifiers: readonly string[]): Promise<Map<string, GraphUser | null>> {
      await need('people');
      const keys = [...new Set(identifiers.map((i) => i.trim().toLowerCase()).filter(Boolean))];
      const result = new Map<string, GraphUser | null>();
      const select = `$select=${USER_SELECT}`;
      // First by id or UPN; what is not found and looks like an address is tried as `mail` (an address that is not a UPN).
      const byKey = await Promise.all(
        keys.map(async (key) => {
          const a = await call('resolveUser', () => batchedGet(`${userPath(key)}?${select}`));
          return [key, a] as const;
        }),
      );
      const byMail: string[] = [];
      for (const [key, a] of byKey) {
        if (a.status === 200) result.set(key, lowerUser(a.body as Record<string, unknown>));
        else if (a.status === 404 || a.status === 400) {
          if (key.includes('@')) byMail.push(key);
          else result.set(key, null);
        } else throw fromResponse(a.status, a.body, a.headers);
      }
      const mailed = await Promise.all(
        byMail.map(async (key) => {
          const a = await call('resolveUserByMail', () => batchedGet(`/users?$filter=${encodeURIComponent(`mail eq ${odataString(key)}`)}&${select}`));
          return [key, a] as const;
        }),
      );
      for (const [key, a] of mailed) {
        if (a.status !== 200) throw fromResponse(a.status, a.body, a.headers);
        const value = (a.body as { value?: Array<Record<string, unknown>> }).value ?? [];
        result.set(key, value.length === 1 ? lowerUser(value[0] as Record<string, unknown>) : null);
      }
      // One entry per input, in input order.
      return new Map(identifiers.map((i) => i.trim().toLowerCase()).filter(Boolean).map((k) => [k, result.get(k) ?? null]));
    },

    async searchUsers(text: string, top = 10): Promise<GraphUser[]> {
      await need('people');
      // Quotes and backslashes would end the search clause; the text is a name or an address fragment.
      const term = text.replace(/["\\]/g, ' ').trim().slice(0, 60);
      if (!term) return [];
      return call('searchUsers', async () => {
        // https://learn.microsoft.com/graph/search-query-parameter : $search on users needs ConsistencyLevel: eventual.
        const page = (await client
          .api('/users')
          .header('ConsistencyLevel', 'eventual')
          .query({ $search: `"displayName:${term}" OR "mail:${term}" OR "userPrincipalName:${term}"` })
          .select(USER_SELECT.split(','))
          .top(Math.min(25, Math.max(1, top)))
          .get()) as { value?: Array<Record<string, unknown>> };
        return (page.value ?? []).map((u) => lowerUser(u)).filter((u) => !!u.id);
      });
    },

    async groupMembers(groupId: string, options?: { department?: boolean }): Promise<GraphUser[]> {
      await need('groups');
      // `department` is not among a user's default properties: Graph returns it only when `$select` names it
      // (https://learn.microsoft.com/graph/api/resources/user , "Properties"), and as null to an app without User.Read.All;
      // to an app with GroupMember.Read.All alone every member comes with its id only (marked `limited`)
      // (https://learn.microsoft.com/graph/permissions-overview#limited-information-returned-for-inaccessible-member-objects).
      const select = options?.department ? ['id', 'displayName', 'department'] : USER_SELECT.split(',');
      if (!GUID.test(groupId)) throw new GraphError('invalid_group_id', 'permanent');
      return call('groupMembers', async () => {
        const members = new Map<string, GraphUser>();
        // https://learn.microsoft.com/graph/api/group-list-transitivemembers ; paging: https://learn.microsoft.com/graph/paging
        let page = (await client
          .api(`/groups/${groupId.toLowerCase()}/transitiveMembers/microsoft.graph.user`)
          .select(select)
          .top(999)
          .get()) as { value?: Array<Record<string, unknown>>; '@odata.nextLink'?: string };
        for (;;) {
          for (const u of page.value ?? []) {
            const user = lowerUser(u);
            // "Limited information": only @odata.type and id, every other property null, when the app may not read
            // users (https://learn.microsoft.com/graph/api/group-list-transitivemembers , "Permissions").
            const limited = Object.entries(u).every(([k, v]) => k === 'id' || k.startsWith('@odata') || v === null || v === undefined);
            if (user.id) members.set(user.id, limited ? { ...user, limited: true } : user);
          }
          const next = page['@odata.nextLink'];
          if (!next) break;
          page = (await client.api(next).get()) as typeof page;
        }
        return [...members.values()];
      });
    },

    async upsertMeetingEvent(mailbox: string, input: MeetingEventInput, eventId?: string): Promise<MeetingEvent> {
      await need('meetings');
      const body = {
        subject: input.subject,
        body: { contentType: 'html', content: input.bodyText.split('\n').map((line) => `<p>${escapeHtml(line)}</p>`).join('') },
        start: { dateTime: wallClock(input.start, input.timeZone), timeZone: input.timeZone },
        end: { dateTime: wallClock(input.end, input.timeZone), timeZone: input.timeZone },
        location: { displayName: input.location ?? '' },
        attendees: input.attendees.map((address) => ({ emailAddress: { address }, type: 'required' })),
        isOnlineMeeting: true,
        onlineMeetingProvider: 'teamsForBusiness',
      };
      const events = `${userPath(mailbox)}/events`;
      const event = (await call(eventId ? 'updateEvent' : 'createEvent', () =>
        eventId
          ? client.api(`${events}/${encodeURIComponent(eventId)}`).patch(body)
          : client.api(events).post({ ...body, transactionId: input.transactionId }),
      )) as { id?: string; onlineMeeting?: { joinUrl?: string } | null };
      const joinUrl = event.onlineMeeting?.joinUrl;
      // Teams fills the join link when it creates the meeting; without it the create is repeated (same transactionId).
      if (!event.id || !joinUrl) throw new GraphError('online_meeting_missing', 'transient');
      return { eventId: event.id, joinUrl };
    },

    async findMeetingEvent(mailbox: string, transactionId: string): Promise<string | undefined> {
      await need('meetings');
      // https://learn.microsoft.com/graph/api/user-list-events : the event a create with this transactionId made, if any.
      const url = `${userPath(mailbox)}/events?$filter=${encodeURIComponent(`transactionId eq ${odataString(transactionId)}`)}&$select=id,isCancelled&$top=1`;
      const page = (await call('findEvent', () => client.api(url).get())) as { value?: Array<{ id?: string; isCancelled?: boolean }> };
      return page.value?.find((e) => e.id && !e.isCancelled)?.id;
    },

    async cancelMeetingEvent(mailbox: string, eventId: string, comment: string): Promise<void> {
      await need('meetings');
      try {
        await call('cancelEvent', () => client.api(`${userPath(mailbox)}/events/${encodeURIComponent(eventId)}/cancel`).post({ comment }));
      } catch (err) {
        if (err instanceof GraphError && err.kind === 'notFound') return;
        throw err;
      }
    },

    async sendMail(mailbox: string, mail: MailInput): Promise<void> {
      await need('mail');
      await call('sendMail', () =>
        client.api(`${userPath(mailbox)}/sendMail`).post({
          message: {
            subject: mail.subject,
            body: { contentType: 'Text', content: mail.bodyText },
            toRecipients: mail.to.map((address) => ({ emailAddress: { address } })),
          },
          saveToSentItems: true,
        }),
      );
    },

    async botChatMessages(userId: string, since: Date): Promise<ChatMessageSeen[]> {
      await need('chats');
      await need('install');
      const chatId = await botChatId(userId.trim().toLowerCase());
      // https://learn.microsoft.com/graph/api/chat-list-messages : $top at most 50; $orderby lastModifiedDateTime (desc
      // only); $filter on lastModifiedDateTime takes gt and lt, and only together with $orderby on the same property.
      const page = (await call('botChatMessages', () =>
        client
          .api(`/chats/${encodeURIComponent(chatId)}/messages`)
          .top(50)
          .orderby('lastModifiedDateTime desc')
          .filter(`lastModifiedDateTime gt ${since.toISOString()}`)
          .get(),
      )) as { value?: Array<Record<string, unknown>> };
      return (page.value ?? []).map(seenMessage).filter((m): m is ChatMessageSeen => m !== undefined);
    },
  };

  /**
   * The personal chat between a person and this app: found through the app's installation for the person
   * (https://learn.microsoft.com/graph/api/userscopeteamsappinstallation-get-chat), then remembered (it does not change
   * while the app stays installed; at most {@link MAX_CHAT_IDS} people, the oldest forgotten first).
   */
  async function botChatId(userId: string): Promise<string> {
    const known = chatIds.get(userId);
    if (known) return known;
    const appId = await appCatalogId();
    const chatId = await call('botChat', async () => {
      const apps = (await client.api(`${userPath(userId)}/teamwork/installedApps`).filter(`teamsApp/id eq ${odataString(appId)}`).get()) as { value?: Array<{ id?: string }> };
      const installation = apps.value?.[0]?.id;
      if (!installation) throw new GraphError('app_not_installed', 'notFound', 404);
      const chat = (await client.api(`${userPath(userId)}/teamwork/installedApps/${encodeURIComponent(installation)}/chat`).get()) as { id?: string };
      if (!chat.id) throw new GraphError('chat_not_found', 'notFound', 404);
      return chat.id;
    });
    if (chatIds.size >= MAX_CHAT_IDS) chatIds.delete(chatIds.keys().next().value as string);
    chatIds.set(userId, chatId);
    return chatId;
  }
}

/** People whose personal chat with the app is remembered by one process. */
const MAX_CHAT_IDS = 10_000;

/** A chat message as Graph returns it, reduced to {@link ChatMessageSeen}; system messages and malformed ones are dropped. */
function seenMessage(raw: Record<string, unknown>): ChatMessageSeen | undefined {
  const id = typeof raw.id === 'string' ? raw.id : undefined;
  if (!id || (raw.messageType !== undefined && raw.messageType !== 'message')) return undefined;
  const from = raw.from as { application?: { id?: unknown } } | null | undefined;
  const body = raw.body as { content?: unknown } | undefined;
  const cards: unknown[] = [];
  for (const a of (raw.attachments as Array<{ contentType?: unknown; content?: unknown }> | undefined) ?? []) {
    if (a?.contentType !== 'application/vnd.microsoft.card.adaptive' || typeof a.content !== 'string') continue;
    try {
      cards.push(JSON.parse(a.content));
    } catch {
      // A card Graph could not give back as JSON does not identify the message.
    }
  }
  return {
    id,
    createdDateTime: typeof raw.createdDateTime === 'string' ? raw.createdDateTime : '',
    ...(typeof from?.application?.id === 'string' ? { fromAppId: from.application.id.toLowerCase() } : {}),
    bodyHtml: typeof body?.content === 'string' ? body.content : '',
    cards,
  };
}
