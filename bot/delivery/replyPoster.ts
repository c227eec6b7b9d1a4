import http from 'node:http';
import https from 'node:https';
import { createSerializer, type Mapper } from '@azure/core-client';
import type { Activity } from 'botbuilder';
import type { ServiceClientCredentials } from 'botframework-connector';
import * as ConnectorMappers from 'botframework-connector/lib/connectorApi/models/mappers';
import { parseRetryAfter } from '../../services/notifications/channelSender';

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
  /** For tests. */
  sleep?: (ms: number) => Promise<void>;
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

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Connection errors after which botbuilder's client retries too. */
const RETRY_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'ENOTFOUND']);
const USER_AGENT = 'integrations-lotse (botbuilder-js/4.23.3)';

/**
 * The connector client's own model of an activity: serialising through it drops what the client would drop (e.g.
 * properties its schema does not know), so the body on the wire is the same byte for byte in content.
 */
const serializer = createSerializer(ConnectorMappers as unknown as Record<string, Mapper>, false);
const ACTIVITY_MAPPER: Mapper = { ...ConnectorMappers.Activity, required: true };

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
 * client pipeline (about a dozen policies and the msRest mappers per call). The wire format is the connector's:
 * `POST {serviceUrl}v3/conversations/{id}/activities/{replyToId}` (or `…/activities` without a `replyToId`), the
 * activity serialised by the connector's own mappers, `Authorization` from the turn's credentials (botbuilder's token cache), and the same retries as
 * botbuilder's default policy: 429/503 with Retry-After after that time, 408 and 5xx (but 501/505) and connection
 * errors with exponential back-off, three times at most.
 */
export class ReplyPoster {
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  private readonly bases = new Map<string, URL>();
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(options: ReplyPosterOptions = {}) {
    this.maxRetries = options.maxRetries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 64_000;
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
    const url = this.urlFor(activity.serviceUrl, path);
    const body = Buffer.from(JSON.stringify(serializer.serialize(ACTIVITY_MAPPER, activity, 'activity')), 'utf8');
    for (let attempt = 0; ; attempt++) {
      const authorization = await authorizationOf(credentials);
      let answer: Answer;
      try {
        // The connector client names the conversation in a header on replies only.
        answer = await this.request(url, body, activity.replyToId ? conversationId : undefined, authorization);
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

  private urlFor(serviceUrl: string, path: string): URL {
    let base = this.bases.get(serviceUrl);
    if (!base) {
      base = new URL(serviceUrl);
      if (!base.pathname.endsWith('/')) base.pathname += '/';
      // serviceUrl comes from the activity; a bounded cache keeps forged ones (auth off) from growing it.
      if (this.bases.size >= 100) this.bases.clear();
      this.bases.set(serviceUrl, base);
    }
    const url = new URL(base.href);
    url.pathname = base.pathname + path;
    return url;
  }

  private retryWait(answer: Answer, attempt: number): number | undefined {
    if (attempt >= this.maxRetries) return undefined;
    const { status } = answer;
    if (status === 429 || status === 503) {
      const header = answer.headers['retry-after'];
      const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, this.now());
      if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.maxRetryDelayMs);
    }
    if ((status >= 500 || status === 408) && status !== 501 && status !== 505) return this.backoff(attempt);
    return undefined;
  }

  private backoff(attempt: number): number {
    const exponential = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** attempt);
    return Math.round(exponential / 2 + Math.random() * (exponential / 2));
  }

  private request(url: URL, body: Buffer, conversationHeader: string | undefined, authorization: string | undefined): Promise<Answer> {
    const secure = url.protocol === 'https:';
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
        url,
        { method: 'POST', headers, agent: secure ? this.agents.https : this.agents.http, timeout: this.timeoutMs },
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
