import {
  ActivityTypes,
  Channels,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  INVOKE_RESPONSE_KEY,
  StatusCodes,
  type TurnContext,
} from 'botbuilder';
import {
  AseChannelValidation,
  AuthenticationConstants,
  AuthenticationError,
  ConnectorFactory,
  SkillValidation,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorClient,
  type ServiceClientCredentialsFactory,
  type UserTokenClient,
} from 'botframework-connector';
import type { ServerResponse } from 'node:http';
import type { Activity, Request, ResourceResponse, Response } from 'botbuilder';
import { validateAndFixActivity } from 'botbuilder/lib/activityValidator';
import type { Logger } from '../services/logging';
import { StorageError } from '../services/storage/errors';
import type { AppConfig } from './config';
import { ReplyPoster } from './delivery/replyPoster';
import { langOf, texts } from './texts';

export interface AdapterOptions {
  /** Outbound credentials; tests pass one that never calls the identity provider. */
  credentialsFactory?: ServiceClientCredentialsFactory;
  /** Posts the turn's replies; without it they go through botbuilder's connector client. */
  replies?: ReplyPoster;
}

function tenantOf(context: TurnContext): string | undefined {
  const a = context.activity;
  return (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? a.conversation?.tenantId;
}

/** A short, stable code for the log line, never the error message (it may quote user data). */
function errorCode(err: unknown): string {
  if (err instanceof StorageError) return err.code;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/i.test(code)) return code;
  return (err as Error)?.name || 'UnknownError';
}

/** The bot's app id as botbuilder derives it for outbound clients: the audience of a channel token, else `appid`. */
function appIdOf(identity: ClaimsIdentity): string {
  return identity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? identity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

/** Remembers up to 100 values by key; a failed promise is forgotten so the next turn tries again. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    // Keys derive from the activity (validated against the token when auth is on); bound the cache anyway.
    if (cache.size >= 100) cache.clear();
    value = make();
    value.catch(() => cache.delete(key));
    cache.set(key, value);
  }
  return value;
}

/** A request refused before any logic runs; the code goes to the log, the caller sees 401 only. */
class ChannelTokenRefused extends AuthenticationError {
  constructor(readonly code: 'NOT_CHANNEL_TOKEN' | 'NOT_TEAMS_CHANNEL' | 'SERVICE_URL_MISMATCH' | 'INVALID_TOKEN') {
    super(code, StatusCodes.UNAUTHORIZED);
    this.name = 'ChannelTokenRefused';
  }
}

/** The claims of `Bearer <jwt>` without checking anything; `undefined` when it is not a JWT. */
function unverifiedClaims(authHeader: string): Record<string, unknown> | undefined {
  const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authHeader.trim());
  if (!m) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(m[1].split('.')[1], 'base64url').toString('utf8'));
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Only Bot Connector channel tokens reach a turn. botbuilder also accepts Emulator tokens (any Entra token whose
 * `appid`/`azp` is the bot's id, from any tenant, without a `serviceurl` claim), skill tokens and, by channel id, ASE
 * tokens; with one of those a caller could choose the `serviceUrl` the bot replies to (with its bearer token) and that
 * is stored for the tenant. So a request must carry a token issued by the channel issuer for exactly the activity's
 * `serviceUrl`: checked on the raw claims first (so botbuilder only ever takes its channel path, which verifies
 * signature, endorsement, audience and expiry), and again on the claims botbuilder verified.
 *
 * botframework-connector also rethrows a bad signature (jsonwebtoken's JsonWebTokenError) and a token used before its
 * `nbf` as plain errors, which CloudAdapter turns into 500. A forged token is the caller's fault: 401 like every
 * other invalid token.
 */
class StrictAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly clients = new Map<string, Promise<ConnectorClient>>();
  private readonly tokenClients = new Map<string, Promise<UserTokenClient>>();

  constructor(
    options: Record<string, string | undefined>,
    private readonly credentials: ServiceClientCredentialsFactory,
    /** `https://api.botframework.com`, or the test issuer's `ToBotFromChannelTokenIssuer` in test mode. */
    private readonly channelIssuer: string,
  ) {
    super(options, credentials);
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    // No app ID: local development on loopback only (the configuration refuses any other HOST). Its turns reuse
    // connector clients too, so that it (and `npm run bench`, which runs the product this way) pays what a tenant pays.
    if (await this.credentials.isAuthenticationDisabled()) return this.withReusedClients(await super.authenticateRequest(activity, authHeader));
    const serviceUrl = activity.serviceUrl;
    const claimed = unverifiedClaims(authHeader);
    if (!claimed || claimed.iss !== this.channelIssuer || AseChannelValidation.isTokenFromAseChannel(activity.channelId) || SkillValidation.isSkillToken(authHeader)) {
      throw new ChannelTokenRefused(claimed ? 'NOT_CHANNEL_TOKEN' : 'INVALID_TOKEN');
    }
    if (typeof serviceUrl !== 'string' || !serviceUrl || claimed.serviceurl !== serviceUrl) throw new ChannelTokenRefused('SERVICE_URL_MISMATCH');
    // Bot Framework signs every channel's tokens with the same keys, and a Web Chat or Direct Line client (anyone with
    // the bot resource's secret) writes `from` and `channelData.tenant` itself: only Teams' own activities count.
    if (activity.channelId !== Channels.Msteams) throw new ChannelTokenRefused('NOT_TEAMS_CHANNEL');
    let result: AuthenticateRequestResult;
    try {
      result = await super.authenticateRequest(activity, authHeader);
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === 'JsonWebTokenError' || name === 'NotBeforeError' || name === 'TokenExpiredError') throw new ChannelTokenRefused('INVALID_TOKEN');
      throw err;
    }
    // The same conditions on what botbuilder verified, whichever path it took.
    const identity = result.claimsIdentity;
    if (
      !identity?.isAuthenticated ||
      identity.getClaimValue(AuthenticationConstants.IssuerClaim) !== this.channelIssuer ||
      SkillValidation.isSkillClaim(identity.claims)
    ) {
      throw new ChannelTokenRefused('NOT_CHANNEL_TOKEN');
    }
    if (identity.getClaimValue(AuthenticationConstants.ServiceUrlClaim) !== serviceUrl) throw new ChannelTokenRefused('SERVICE_URL_MISMATCH');
    return this.withReusedClients(result);
  }

  private withReusedClients(result: AuthenticateRequestResult): AuthenticateRequestResult {
    if (result.connectorFactory) result.connectorFactory = this.reusing(result.connectorFactory, appIdOf(result.claimsIdentity));
    return result;
  }

  /**
   * botbuilder builds a new user-token client (a client pipeline of a dozen policies) for every turn, though it
   * depends on nothing but the app id and holds no per-turn state, so one per app id serves.
   */
  override createUserTokenClient(identity: ClaimsIdentity): Promise<UserTokenClient> {
    return remember(this.tokenClients, appIdOf(identity), () => super.createUserTokenClient(identity));
  }

  /**
   * botbuilder also builds a new connector client (credentials, another pipeline) for every inbound turn. A client
   * holds no per-turn state and its credentials cache and renew their token themselves, so one client per app id,
   * service URL and audience serves every turn. Proactive sends keep their own clients (see BotConnectorSender, which
   * changes its client's retry policy).
   */
  private reusing(factory: ConnectorFactory, appId: string): ConnectorFactory {
    const clients = this.clients;
    return new (class extends ConnectorFactory {
      create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        return remember(clients, `${appId}|${serviceUrl}|${audience ?? ''}`, () => factory.create(serviceUrl, audience));
      }
    })();
  }
}

/**
 * The CloudAdapter whose turn replies go out through {@link ReplyPoster} (same URL, body, token and retries as the
 * connector client, at a fraction of the CPU). Everything else (invoke responses, delays, traces, updates, proactive
 * sends) stays botbuilder's.
 */
class LotseAdapter extends CloudAdapter {
  constructor(
    auth: ConfigurationBotFrameworkAuthentication,
    private readonly replies: ReplyPoster | undefined,
    private readonly logger: Logger,
  ) {
    super(auth);
  }

  /**
   * `CloudAdapter.process` for an HTTP request, step for step, without building half a dozen zod schemas per request
   * to check what restify and `server.ts` already guarantee (a POST with a parsed JSON object, a response object).
   * Web-socket upgrades (four arguments) stay botbuilder's.
   */
  override process(req: Request, res: Response, logic: (context: TurnContext) => Promise<void>): Promise<void>;
  override process(req: Request, socket: never, head: never, logic: (context: TurnContext) => Promise<void>): Promise<void>;
  override async process(req: Request, res: Response | never, logicOrHead: ((context: TurnContext) => Promise<void>) | never, maybeLogic?: (context: TurnContext) => Promise<void>): Promise<void> {
    if (maybeLogic) return super.process(req, res as never, logicOrHead as never, maybeLogic);
    const response = res as Response;
    const logic = logicOrHead as (context: TurnContext) => Promise<void>;
    const end = (status: number, body?: unknown) => {
      const raw = response as unknown as Partial<ServerResponse>;
      if (typeof raw.writeHead === 'function' && typeof raw.end === 'function' && !raw.headersSent) {
        // Node's response directly: what restify's send would write (a JSON body), without its formatter chain.
        if (body === undefined || body === null || body === '') {
          raw.writeHead(status, { 'Content-Length': 0 });
          raw.end();
          return;
        }
        const text = JSON.stringify(body);
        raw.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        raw.end(text);
        return;
      }
      response.status(status);
      if (body) response.send(body);
      response.end();
    };
    if (req.method !== 'POST') return end(StatusCodes.METHOD_NOT_ALLOWED);
    const body = req.body as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return end(StatusCodes.BAD_REQUEST, '`req.body` not an object, make sure you are using middleware to parse incoming requests.');
    }
    const activity = validateAndFixActivity(body as Activity);
    if (!activity.type) {
      this.logger.warn({ event: 'request.no_activity_type' }, 'request without an activity type');
      return end(StatusCodes.BAD_REQUEST);
    }
    const header = req.headers?.Authorization ?? req.headers?.authorization ?? '';
    if (typeof header !== 'string') throw new TypeError('authorization header must be a string');
    try {
      const invokeResponse = await this.processActivity(header, activity, logic);
      return end(invokeResponse?.status ?? StatusCodes.OK, invokeResponse?.body);
    } catch (err) {
      // A structured line with codes only (botbuilder prints the whole error object to the console here); the body
      // carries a fixed code, never the error's message.
      // botbuilder also throws AuthenticationError (status 500) when it cannot load the issuer's metadata: our fault.
      const unauthorized = err instanceof AuthenticationError && err.statusCode === StatusCodes.UNAUTHORIZED;
      this.logger[unauthorized ? 'warn' : 'error']({ event: unauthorized ? 'request.unauthorized' : 'request.failed', activityId: activity.id, code: errorCode(err) }, 'request refused');
      return unauthorized ? end(StatusCodes.UNAUTHORIZED, { code: 'Unauthorized' }) : end(StatusCodes.INTERNAL_SERVER_ERROR, { code: 'InternalError' });
    }
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const replies = this.replies;
    if (!replies) return super.sendActivities(context, activities);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      const botbuilders =
        activity.type === 'delay' || activity.type === ActivityTypes.InvokeResponse || (activity.type === ActivityTypes.Trace && activity.channelId !== 'emulator');
      if (botbuilders) {
        responses.push(...(await super.sendActivities(context, [activity])));
        continue;
      }
      delete activity.id;
      const client = context.turnState.get<ConnectorClient | undefined>(this.ConnectorClientKey);
      if (!client) throw new Error('Unable to extract ConnectorClient from turn context.');
      responses.push({ id: await replies.post(activity, client.credentials) });
    }
    return responses;
  }
}

/**
 * The CloudAdapter with authentication from configuration, a tenant gate in front of every turn,
 * and the one central error handler.
 */
export function createAdapter(config: AppConfig, logger: Logger, options: AdapterOptions = {}): CloudAdapter {
  // Without an app ID the bot runs unauthenticated (local development); the app type then must stay unset.
  const appType = config.microsoftAppId ? config.microsoftAppType : undefined;
  const authConfig: Record<string, string | undefined> = {
    MicrosoftAppId: config.microsoftAppId,
    MicrosoftAppPassword: config.microsoftAppPassword,
    MicrosoftAppType: appType,
    MicrosoftAppTenantId: config.microsoftAppTenantId,
    ...config.authOverrides,
  };
  const credentials =
    options.credentialsFactory ??
    new ConfigurationServiceClientCredentialFactory({
      MicrosoftAppId: config.microsoftAppId,
      MicrosoftAppPassword: config.microsoftAppPassword,
      MicrosoftAppType: appType,
      MicrosoftAppTenantId: config.microsoftAppTenantId,
    });
  const channelIssuer = config.authOverrides?.ToBotFromChannelTokenIssuer ?? AuthenticationConstants.ToBotFromChannelTokenIssuer;
  const auth = new StrictAuthentication(authConfig, credentials, channelIssuer);
  const adapter = new LotseAdapter(auth, options.replies, logger);

  const allowed = new Set(config.allowedTenantIds.map((t) => t.toLowerCase()));
  adapter.use(async (context, next) => {
    const tenant = tenantOf(context)?.toLowerCase();
    if (allowed.size > 0 && (!tenant || !allowed.has(tenant))) {
      logger.warn({ event: 'tenant.rejected', activityId: context.activity.id, activityType: context.activity.type }, 'activity from a tenant that is not allowed');
      if (context.activity.type === ActivityTypes.Invoke) {
        context.turnState.set(INVOKE_RESPONSE_KEY, { type: ActivityTypes.InvokeResponse, value: { status: 403 } });
      }
      return;
    }
    await next();
  });

  adapter.onTurnError = async (context, error) => {
    logger.error(
      { event: 'turn.error', activityId: context.activity.id, conversationId: context.activity.conversation?.id, code: errorCode(error) },
      'turn failed',
    );
    const lang = langOf(context.activity.locale);
    try {
      if (context.activity.type === ActivityTypes.Invoke) {
        context.turnState.set(INVOKE_RESPONSE_KEY, {
          type: ActivityTypes.InvokeResponse,
          value: { status: 500, body: { statusCode: 500, type: 'application/vnd.microsoft.error', value: { code: 'InternalError', message: texts[lang].turnError } } },
        });
      } else if (context.activity.type === ActivityTypes.Message) {
        await context.sendActivity(texts[lang].turnError);
      }
    } catch (sendError) {
      logger.error({ event: 'turn.error_reply_failed', activityId: context.activity.id, code: errorCode(sendError) }, 'could not tell the user about the error');
    }
  };
  return adapter;
}
