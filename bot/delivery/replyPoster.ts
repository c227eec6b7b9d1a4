import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Activity } from 'botbuilder';
import type { ServiceClientCredentials } from 'botframework-connector';
import * as ConnectorMappers from 'botframework-connector/lib/connectorApi/models/mappers';
import { backoffDelay, type BackoffPolicy } from '../../services/common/backoff';
import { parseRetryAfter } from '../../services/notifications/channelSender';
import { countThrottled } from '../../services/telemetry/telemetry';

/** Settings for {@link ReplyPoster}; the defaults are those of botbuilder's connector client. */
export interface ReplyPosterOptions {
  /** Further attempts after the first; default 3. */
  maxRetries?: number;
  /** First back-off delay, doubled per attempt (with jitter); default 1000 ms. */
  retryDelayMs?: number;
  /** Upper bound of one back-off delay and of an honoured Retry-After; default 64000 ms. */
  maxRetryDelayMs?: number;
  /** Give up on one attempt after this long; default 30000 ms. */
  timeoutMs?: number;
  /** For tests: how to wait between attempts. */
  sleep?: (ms: number) => Promise<void>;
  /** For tests: the clock an HTTP-date Retry-After is read against. */
  now?: () => number;
}

/**
 * A reply the connector refused or never answered, shaped like botbuilder's `RestError` (`statusCode`, `code`) so
 * that `onTurnError` and its log line treat it the same.
 */
export class ConnectorReplyError extends Error {
  constructor(
    /** `error.code` from the connector's answer when it is a plain code, else `http_<status>` or the socket error code. */
    readonly code: string,
    readonly statusCode?: number,
  ) {
    super(`connector call failed: ${code}${statusCode !== undefined ? ` (HTTP ${statusCode})` : ''}`);
    this.name = 'RestError';
  }
}

/** Where a service URL points, parsed once. */
interface Endpoint {
  secure: boolean;
  hostname: string;
  port: number;
  /** The service URL's path with a trailing slash, e.g. `/emea/`. */
  basePath: string;
  /** A query the service URL carries (kept, as the connector client does); usually empty. */
  search: string;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Connection errors after which botbuilder's client retries too. */
const RETRY_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'ENOTFOUND']);
const USER_AGENT = 'integrations-lotse (botbuilder-js/4.23.3)';

/** The part of an @azure/core-client mapper the connector's models use. */
interface Mapper {
  serializedName?: string;
  readOnly?: boolean;
  type: MapperShape;
}
interface MapperShape {
  name: string;
  className?: string;
  modelProperties?: Record<string, Mapper>;
  element?: Mapper;
  value?: Mapper;
}
const MODELS = ConnectorMappers as unknown as Record<string, Mapper>;
const ACTIVITY_MAPPER = MODELS.Activity;
const propertyLists = new Map<string, Array<[clientName: string, wireName: string, mapper: Mapper]>>();

function propertiesOf(type: MapperShape): Array<[string, string, Mapper]> {
  const key = type.className ?? '';
  let list = propertyLists.get(key);
  if (!list) {
    const properties = type.modelProperties ?? MODELS[key]?.type.modelProperties ?? {};
    list = Object.entries(properties)
      .filter(([, mapper]) => !mapper.readOnly)
      .map(([clientName, mapper]) => [clientName, mapper.serializedName ?? clientName, mapper]);
    propertyLists.set(key, list);
  }
  return list;
}

/**
 * The body the connector client would send: its serializer keeps only the properties the connector's schema (the
 * mappers in botframework-connector) knows, recursively, passes `Object`-typed values (card content, channelData,
 * value) through as they are and writes dates as ISO strings. This walks the same mappers without the serializer's
 * generic machinery (name splitting, polymorphism and XML checks the connector schema never uses), which was a
 * third of a reply's CPU.
 */
export function toWireActivity(activity: Partial<Activity>): unknown {
  return project(ACTIVITY_MAPPER, activity);
}

/** JSON of card contents that can never change (deep-frozen, like the help card), serialised once per object. */
const frozenJson = new WeakMap<object, string>();
/** Stands in for a cached card while the rest is serialised; random per process, so no text can imitate it. */
const CARD_MARK = `lotse-card-${randomUUID()}-`;

/**
 * `JSON.stringify` of a wire activity, with the content of deep-frozen cards (`freezeCard`) taken from a cache: the help card of a
 * turn is the same object every time, and serialising it was most of a help reply's remaining CPU.
 */
export function serializeWire(wire: unknown): string {
  const attachments = (wire as { attachments?: unknown } | undefined)?.attachments;
  if (!Array.isArray(attachments)) return JSON.stringify(wire);
  const cached: string[] = [];
  const swapped = attachments.map((a: { content?: unknown } | null) => {
    const content = a?.content;
    if (!content || typeof content !== 'object' || !Object.isFrozen(content)) return a;
    let json = frozenJson.get(content);
    if (json === undefined) frozenJson.set(content, (json = JSON.stringify(content)));
    cached.push(json);
    return { ...a, content: CARD_MARK + (cached.length - 1) };
  });
  if (cached.length === 0) return JSON.stringify(wire);
  let text = JSON.stringify({ ...(wire as object), attachments: swapped });
  cached.forEach((json, i) => {
    text = text.replace(`"${CARD_MARK}${i}"`, () => json);
  });
  return text;
}

function project(mapper: Mapper, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  const type = mapper.type;
  switch (type.name) {
    case 'Composite': {
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [clientName, wireName, property] of propertiesOf(type)) {
        const projected = project(property, source[clientName]);
        if (projected !== undefined) out[wireName] = projected;
      }
      return out;
    }
    case 'Sequence':
      return Array.isArray(value) && type.element ? value.map((item) => project(type.element!, item)) : value;
    case 'Dictionary': {
      const element = type.value;
      if (!element || typeof value !== 'object') return value;
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, project(element, v)]));
    }
    case 'DateTime': {
      const date = value instanceof Date ? value : new Date(value as string);
      return Number.isNaN(date.getTime()) ? value : date.toISOString();
    }
    default:
      return value;
  }
}

function safeCode(code: unknown): string | undefined {
  return typeof code === 'string' && /^[A-Za-z0-9_.:-]{1,60}$/.test(code) ? code : undefined;
}

function errorCodeOf(answer: Answer): string {
  try {
    const parsed = JSON.parse(answer.body) as { error?: { code?: unknown } };
    return safeCode(parsed?.error?.code) ?? `http_${answer.status}`;
  } catch {
    return `http_${answer.status}`;
  }
}

/** The `id` of the connector's ResourceResponse; the message was posted even when the answer names none. */
function idOf(body: string): string {
  try {
    const parsed = body ? (JSON.parse(body) as { id?: unknown }) : undefined;
    return typeof parsed?.id === 'string' ? parsed.id : '';
  } catch {
    return '';
  }
}

/** Sets the headers `signRequest` adds (the bearer token) on a plain object. */
async function authorizationOf(credentials: ServiceClientCredentials): Promise<string | undefined> {
  const headers = new Map<string, string>();
  const resource = { headers: { set: (name: string, value: string) => void headers.set(name.toLowerCase(), value) } };
  await credentials.signRequest(resource as unknown as Parameters<ServiceClientCredentials['signRequest']>[0]);
  return headers.get('authorization');
}

/**
 * Posts a turn's replies to the Bot Connector with one plain HTTP request each, instead of botbuilder's connector
 * client pipeline (about a dozen policies and a generic serializer per call). The wire format is the connector's:
 * `POST {serviceUrl}v3/conversations/{id}/activities/{replyToId}` (or `…/activities` without a `replyToId`), the
 * activity as the connector's own mappers shape it ({@link toWireActivity}), `Authorization` from the turn's
 * credentials (botbuilder's token cache), and the retries of botbuilder's default policy: 429/503 with Retry-After
 * after that time, 408 and 5xx (but 501/505) and connection errors with exponential back-off, three times at most.
 * Unlike the connector client it gives up on an attempt after `timeoutMs`.
 */
export class ReplyPoster {
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly maxRetries: number;
  /** Equal-jitter doubling from `retryDelayMs` (1 s) up to `maxRetryDelayMs` (64 s), which also caps a Retry-After. */
  private readonly retryPolicy: BackoffPolicy;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(options: ReplyPosterOptions = {}) {
    this.maxRetries = options.maxRetries ?? 3;
    this.retryPolicy = { baseDelayMs: options.retryDelayMs ?? 1_000, maxDelayMs: options.maxRetryDelayMs ?? 64_000 };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Sends one activity of a turn; resolves with the id the channel gave it (empty when it named none). */
  async post(activity: Partial<Activity>, credentials: ServiceClientCredentials): Promise<string> {
    const conversationId = activity.conversation?.id;
    if (!activity.serviceUrl || !conversationId) throw new ConnectorReplyError('missing_conversation');
    const path =
      `v3/conversations/${encodeURIComponent(conversationId)}/activities` + (activity.replyToId ? `/${encodeURIComponent(activity.replyToId)}` : '');
    const endpoint = this.endpointOf(activity.serviceUrl);
    const body = Buffer.from(serializeWire(toWireActivity(activity)), 'utf8');
    for (let attempt = 0; ; attempt++) {
      const authorization = await authorizationOf(credentials);
      let answer: Answer;
      try {
        // The connector client names the conversation in a header on replies only.
        answer = await this.request(endpoint, endpoint.basePath + path + endpoint.search, body, activity.replyToId ? conversationId : undefined, authorization);
      } catch (err) {
        const code = safeCode((err as { code?: unknown })?.code) ?? 'network_error';
        if (attempt < this.maxRetries && RETRY_CODES.has(code)) {
          await this.sleep(this.backoff(attempt));
          continue;
        }
        throw new ConnectorReplyError(code);
      }
      if (answer.status >= 200 && answer.status < 300) {
        return idOf(answer.body);
      }
      if (answer.status === 429) countThrottled('teams');
      const wait = this.retryWait(answer, attempt);
      if (wait === undefined) throw new ConnectorReplyError(errorCodeOf(answer), answer.status);
      await this.sleep(wait);
    }
  }

  /** Closes idle keep-alive connections (shutdown). */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private endpointOf(serviceUrl: string): Endpoint {
    let endpoint = this.endpoints.get(serviceUrl);
    if (!endpoint) {
      const url = new URL(serviceUrl);
      const secure = url.protocol === 'https:';
      endpoint = {
        secure,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port ? Number(url.port) : secure ? 443 : 80,
        basePath: url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`,
        search: url.search,
      };
      // serviceUrl comes from the activity; a bounded cache keeps forged ones (auth off) from growing it.
      if (this.endpoints.size >= 100) this.endpoints.clear();
      this.endpoints.set(serviceUrl, endpoint);
    }
    return endpoint;
  }

  private retryWait(answer: Answer, attempt: number): number | undefined {
    if (attempt >= this.maxRetries) return undefined;
    const { status } = answer;
    if (status === 429 || status === 503) {
      const header = answer.headers['retry-after'];
      const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, this.now());
      if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.retryPolicy.maxDelayMs);
    }
    if ((status >= 500 || status === 408) && status !== 501 && status !== 505) return this.backoff(attempt);
    return undefined;
  }

  /** The delay after the failed try number `attempt` (0 for the first). */
  private backoff(attempt: number): number {
    return backoffDelay(attempt + 1, this.retryPolicy);
  }

  private request(endpoint: Endpoint, path: string, body: Buffer, conversationHeader: string | undefined, authorization: string | undefined): Promise<Answer> {
    const { secure } = endpoint;
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': body.length,
      accept: '*/*',
      'user-agent': USER_AGENT,
    };
    if (conversationHeader) headers['x-ms-conversation-id'] = conversationHeader;
    if (authorization) headers.authorization = authorization;
    return new Promise<Answer>((resolve, reject) => {
      const req = (secure ? https : http).request(
        {
          method: 'POST',
          hostname: endpoint.hostname,
          port: endpoint.port,
          path,
          headers,
          agent: secure ? this.agents.https : this.agents.http,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  }
}
