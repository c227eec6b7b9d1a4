import { X509Certificate, createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SignJWT, decodeJwt, jwtVerify } from 'jose';

/**
 * A Microsoft Graph and Entra ID (token endpoint) stand-in on loopback, for the Graph adapter (`bot/graph/`) and the
 * integration tests that reach people through Graph.
 *
 * It is HTTPS because MSAL (under `@azure/identity`) refuses authorities that are not; it serves the self-signed
 * certificate shipped with `@vercel/cosmosdb-server`, which clients pin by SHA-256 fingerprint (`certificateSha256`,
 * `GRAPH_TEST_CERT_SHA256`) instead of switching TLS checks off. It listens on 127.0.0.1 only.
 *
 * It answers the calls the product makes as Graph documents them (shapes, status codes, error codes; each rule cites
 * its Microsoft Learn page) and enforces the application permission each call needs: the `roles` claim of the access
 * token it issued, intersected with what is granted now (so {@link GraphStandIn.revoke} takes effect at once, as if
 * the admin had withdrawn consent and the token had been renewed).
 *
 * @example
 * ```ts
 * const graph = await startGraphStandIn({ permissions: ['User.Read.All'] });
 * graph.addUser({ id: 'aaaaaaaa-…', upn: 'erika@bezreg.example', mail: 'erika@bezreg.example', displayName: 'Erika' });
 * const app = await startBot({ ...graph.env() });
 * graph.throttle({ next: 1, match: '/teamwork/installedApps', retryAfterSeconds: 0 });
 * expect(graph.installedFor('aaaaaaaa-…')).toEqual([graph.catalogApp.id]);
 * await graph.close();
 * ```
 */

// ---------------------------------------------------------------------------------------------------------------------
// Rules (with their Microsoft Learn pages)
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Error body of every Graph failure: `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`.
 * https://learn.microsoft.com/graph/errors ("Error resource type")
 */
export interface GraphErrorBody {
  error: { code: string; message: string; innerError: { date: string; 'request-id': string; 'client-request-id': string } };
}

/**
 * JSON batching: at most 20 requests per `POST /$batch`; each answered with its own `id`, `status`, `headers`, `body`
 * (order not guaranteed); ids must be unique; more than 20 → 400. Throttling is evaluated per request inside a batch:
 * a throttled request gets its own 429 with `Retry-After`, the batch itself is 200.
 * https://learn.microsoft.com/graph/json-batching ("Batch size limitations", "Throttling and batching")
 */
export const MAX_BATCH_REQUESTS = 20;

/**
 * Paging: a collection answers at most `$top` items (transitiveMembers: default 100, at most 999) and an
 * `@odata.nextLink` with the full URL of the next page, until the last page, which has none.
 * https://learn.microsoft.com/graph/paging ; https://learn.microsoft.com/graph/api/group-list-transitivemembers ("Optional query parameters")
 */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_TOP = 999;

/**
 * The application permissions that allow each call, least privileged first (from the "Permissions" table of each
 * call's page). A token allows a call when it holds any one of them.
 */
export const CALL_PERMISSIONS = {
  /** https://learn.microsoft.com/graph/api/user-get (Application: User.Read.All; higher: User.ReadWrite.All, Directory.Read.All, Directory.ReadWrite.All) */
  getUser: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/user-list (Application: User.ReadBasic.All; higher: User.Read.All, …) */
  listUsers: ['User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/group-list-transitivemembers (Application: GroupMember.Read.All; higher: Group.Read.All, Directory.Read.All, …) */
  groupMembers: ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'GroupMember.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/userteamwork-list-installedapps (Application: TeamsAppInstallation.ReadForUser.All; higher: …ReadWriteSelfForUser.All, …ReadWriteForUser.All) */
  listInstalledApps: ['TeamsAppInstallation.ReadForUser.All', 'TeamsAppInstallation.ReadWriteSelfForUser.All', 'TeamsAppInstallation.ReadWriteForUser.All', 'TeamsAppInstallation.ReadWriteAndConsentSelfForUser.All', 'TeamsAppInstallation.ReadWriteAndConsentForUser.All'],
  /**
   * https://learn.microsoft.com/graph/api/userteamwork-post-installedapps (Application: TeamsAppInstallation.ReadWriteSelfForUser.All;
   * higher: …ReadWriteForUser.All, …). A `Self` permission allows installing only the calling app itself:
   * https://learn.microsoft.com/microsoftteams/platform/graph-api/proactive-bots-and-messages/graph-proactive-bots-and-messages ("Permissions")
   */
  installApp: ['TeamsAppInstallation.ReadWriteSelfForUser.All', 'TeamsAppInstallation.ReadWriteForUser.All', 'TeamsAppInstallation.ReadWriteAndConsentSelfForUser.All', 'TeamsAppInstallation.ReadWriteAndConsentForUser.All'],
  /** https://learn.microsoft.com/graph/api/appcatalogs-list-teamsapps (Application: AppCatalog.Read.All; higher: AppCatalog.ReadWrite.All, Directory.Read.All, Directory.ReadWrite.All) */
  listCatalog: ['AppCatalog.Read.All', 'AppCatalog.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/user-post-events , event-update , event-cancel (Application: Calendars.ReadWrite) */
  calendar: ['Calendars.ReadWrite'],
  /** https://learn.microsoft.com/graph/api/user-sendmail (Application: Mail.Send) */
  sendMail: ['Mail.Send'],
  /** https://learn.microsoft.com/graph/api/userscopeteamsappinstallation-get-chat (Application: TeamsAppInstallation.ReadForUser.All; higher: …Read.All, …ReadWriteForUser.All, …ReadWriteSelfForUser.All, …) */
  getInstalledAppChat: ['TeamsAppInstallation.ReadForUser.All', 'TeamsAppInstallation.Read.All', 'TeamsAppInstallation.ReadWriteForUser.All', 'TeamsAppInstallation.ReadWriteSelectedForUser.All', 'TeamsAppInstallation.ReadWriteSelfForUser.All'],
  /**
   * https://learn.microsoft.com/graph/api/chat-list-messages (Application: ChatMessage.Read.Chat, resource-specific
   * consent, not modelled here; higher: Chat.Read.All, Chat.ReadWrite.All). A protected API: Microsoft approves its
   * use with application permissions first (https://learn.microsoft.com/graph/teams-protected-apis).
   */
  listChatMessages: ['Chat.Read.All', 'Chat.ReadWrite.All'],
} as const;

/** What a person's personal chat with the bot holds (the channel emulator's `personalMessagesOf`), for {@link GraphStandIn.linkChats}. */
export type StandInChatSource = (aadObjectId: string) => Array<{ id: string; activity: { text?: string; attachments?: Array<{ contentType?: string; content?: unknown }> } }>;

/**
 * A bot's text as Teams shows it through Graph: `body.contentType` `html` (https://learn.microsoft.com/graph/api/resources/itembody);
 * the markdown a bot may send (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages)
 * turned into its HTML: bold, italics, links, line breaks.
 */
export function teamsHtml(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const html = escaped
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, '<a href="$2">$1</a>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w])_([^_]+)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/\r?\n/g, '<br>');
  return `<p>${html}</p>`;
}

/**
 * What an app may read of the users it lists through a group (`GET /groups/{id}/transitiveMembers`). The listing itself
 * needs only GroupMember.Read.All; what each member row then holds depends on what the app may read of users:
 * "When an application queries a relationship that returns a directoryObject type collection, if it doesn't have
 * permission to read a certain resource type, members of that type are returned but with limited information. For
 * example, only the @odata.type property for the object type and the id is returned, while other properties are
 * indicated as null" (https://learn.microsoft.com/graph/api/group-list-transitivemembers , "Permissions";
 * https://learn.microsoft.com/graph/permissions-overview#limited-information-returned-for-inaccessible-member-objects).
 * Never a 403 for the listing.
 *
 * - {@link USER_FULL_PROFILE}: every property, `department` too ("Read all users' full profiles").
 * - {@link USER_BASIC_PROFILE}: the basic profile only, "displayName, givenName, id, mail, photo, securityIdentifier,
 *   surname, userPrincipalName" (https://learn.microsoft.com/graph/permissions-reference#userreadbasicall); `department`
 *   is not among them and comes back null.
 * - neither (GroupMember.Read.All alone): `@odata.type` and `id`; `displayName`, `mail`, `userPrincipalName`,
 *   `department` all null.
 *
 * `department` is moreover "Returned only on $select" (https://learn.microsoft.com/graph/api/resources/user , "Properties").
 */
export const USER_FULL_PROFILE = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] as const;
/** See {@link USER_FULL_PROFILE}: the basic profile (names and addresses, no `department`). */
export const USER_BASIC_PROFILE = ['User.ReadBasic.All'] as const;
/** The user properties of the basic profile the stand-in serves (https://learn.microsoft.com/graph/permissions-reference#userreadbasicall). */
const USER_BASIC_PROPERTIES = new Set(['id', 'displayName', 'userPrincipalName', 'mail']);
/** The user properties the stand-in knows for `$select` on `transitiveMembers`; another name is 400 as in Graph. */
const USER_SELECTABLE = new Set(['id', 'displayName', 'userPrincipalName', 'mail', 'department']);

const SELF_ONLY_INSTALL = new Set(['TeamsAppInstallation.ReadWriteSelfForUser.All', 'TeamsAppInstallation.ReadWriteAndConsentSelfForUser.All']);

/**
 * Limits Graph documents for the calls here, per app per tenant (defaults of {@link ThrottleOptions} in the bench):
 * Teams: "POST/PUT … installedApps, appCatalogs: 30 rps", "GET … installedApps, appCatalogs: 60 rps", and
 * "Any Graph API calls for Microsoft Teams: 15000 requests every 10 seconds"; global: 130,000 requests per 10 s per app.
 * https://learn.microsoft.com/graph/throttling-limits ("Microsoft Teams service limits")
 * A throttled call is answered 429 with `Retry-After` (seconds) and code `TooManyRequests`.
 * https://learn.microsoft.com/graph/throttling ("What happens when throttling occurs?", "Best practices to handle throttling")
 */
export const DOCUMENTED_LIMITS = {
  installPost: { limit: 30, windowMs: 1000 },
  installedAppsGet: { limit: 60, windowMs: 1000 },
  teams: { limit: 15000, windowMs: 10_000 },
  global: { limit: 130_000, windowMs: 10_000 },
} as const;

// ---------------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------------

export interface StandInUser {
  id: string;
  upn: string;
  mail?: string;
  displayName?: string;
  /** Entra `department` (not a default property: returned only on `$select`, see {@link USER_FULL_PROFILE}). */
  department?: string;
}

/** This app in the tenant's app catalog. */
export interface CatalogApp {
  /** The catalog id (`teamsApp.id`), what `teamsApp@odata.bind` names. */
  id: string;
  /** The manifest id (`externalId`). */
  externalId: string;
  displayName: string;
}

export interface GraphStandInOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Application permissions granted (admin-consented) at start. */
  permissions?: readonly string[];
  /** This app in the catalog (default: a random catalog id, manifest id = `teamsAppId` or a random one). */
  catalogApp?: Partial<CatalogApp>;
  /** Page size of collections without `$top` (default 100, as Graph). */
  pageSize?: number;
  /**
   * Server-side paging of `transitiveMembers`: at most this many items a page whatever `$top` asks. Graph decides page
   * sizes itself and a client must follow `@odata.nextLink` until there is none, never stop at a short page
   * ("Some queries against Microsoft Graph return multiple pages of data either due to server-side paging or due to
   * the use of the $top query parameter", https://learn.microsoft.com/graph/paging). Lets a test cover several pages
   * without a thousand members.
   */
  serverPageLimit?: number;
  /** Lifetime of issued tokens in seconds (default 3599, as Entra). */
  tokenLifetimeSeconds?: number;
  /** The clock for token lifetimes and throttling windows (default `Date.now`). */
  now?: () => number;
}

/** App Service's managed identity endpoint, started by {@link GraphStandIn.startManagedIdentity}. */
export interface ManagedIdentityEndpoint {
  readonly url: string;
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

/** A fixed-window limit: at most `limit` requests per `windowMs`. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

export interface ThrottleOptions {
  /** `POST /users/{id}/teamwork/installedApps` (Teams: 30 rps per app per tenant). */
  install?: WindowLimit | null;
  /** Every Graph request of this app (inside `$batch` too, each counted). */
  global?: WindowLimit | null;
  /** The next `next` requests whose path contains `match` (all when absent) answer 429 (or `status`). */
  next?: number;
  match?: string;
  status?: 429 | 503;
  /** `Retry-After` seconds; default: until the window ends (rounded up), 1 for `next`. */
  retryAfterSeconds?: number;
}

export interface GraphCall {
  seq: number;
  method: string;
  /** Decoded path without query, e.g. `/v1.0/users/…/teamwork/installedApps` (or `/{tenant}/oauth2/v2.0/token`). */
  path: string;
  query: string;
  status: number;
  /** Set for a request inside `$batch`. */
  inBatch?: boolean;
  /** The Graph error code answered, if any. */
  code?: string;
}

export interface StandInEvent {
  id: string;
  mailbox: string;
  transactionId?: string;
  subject?: string;
  bodyContent?: string;
  start?: { dateTime: string; timeZone: string };
  end?: { dateTime: string; timeZone: string };
  location?: string;
  attendees: string[];
  isOnlineMeeting: boolean;
  joinUrl?: string;
  cancelled: boolean;
  cancelComment?: string;
  /** How many PATCHes it received. */
  updates: number;
}

export interface SentMail {
  from: string;
  to: string[];
  subject: string;
  bodyContent: string;
  contentType: string;
  saveToSentItems: boolean;
}

export type InstallListener = (userId: string, catalogAppId: string) => void | Promise<void>;

export interface GraphStandIn {
  /** `https://127.0.0.1:<port>`: the authority host and the Graph host. */
  readonly origin: string;
  /** `https://127.0.0.1:<port>/v1.0`. */
  readonly baseUrl: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** SHA-256 fingerprint of the served certificate (`AA:BB:…`), for pinning. */
  readonly certificateSha256: string;
  readonly catalogApp: CatalogApp;
  /** Every request, in arrival order. */
  readonly calls: GraphCall[];
  readonly events: StandInEvent[];
  readonly sentMail: SentMail[];
  /** Tokens issued so far. */
  readonly tokensIssued: number;
  grant(...permissions: string[]): void;
  revoke(...permissions: string[]): void;
  granted(): string[];
  addUser(user: StandInUser): void;
  /** A group with direct user members and nested groups (transitive members are resolved at read time). */
  addGroup(id: string, memberIds: readonly string[], nestedGroupIds?: readonly string[]): void;
  setGroupMembers(id: string, memberIds: readonly string[], nestedGroupIds?: readonly string[]): void;
  /** Catalog ids of the apps installed in personal scope for the user. */
  installedFor(userId: string): string[];
  /** Marks this app installed (or removed, e.g. the person uninstalled it) without a Graph call. */
  setInstalled(userId: string, installed: boolean): void;
  /** Called on every successful installation through Graph (before the 201 goes out); returns an unsubscribe. */
  onInstall(listener: InstallListener): () => void;
  /**
   * Starts App Service's managed identity endpoint for this app as a user-assigned identity (plain HTTP on loopback);
   * its `env()` gives IDENTITY_ENDPOINT and IDENTITY_HEADER, which `@azure/identity` reads inside an App Service.
   */
  startManagedIdentity(): Promise<ManagedIdentityEndpoint>;
  /** The resources managed identity tokens were asked for, in order. */
  readonly managedIdentityRequests: readonly string[];
  /** Where the personal chats' messages come from (the channel emulator), for `GET /chats/{id}/messages`. */
  linkChats(source: StandInChatSource): void;
  /** Sets limits; `throttle({})` keeps them, `throttle({ install: null })` lifts one. */
  throttle(options: ThrottleOptions): void;
  /** Invalidates every token issued so far (the next Graph call with one gets 401). */
  expireTokens(): void;
  /**
   * Environment that points a bot process at the stand-in: GRAPH_ENABLED, GRAPH_AUTHORITY_HOST, GRAPH_BASE_URL,
   * GRAPH_TEST_CERT_SHA256, LOTSE_TEST_MODE, and the bot identity Graph is called with (MicrosoftAppId,
   * MicrosoftAppPassword, MicrosoftAppTenantId, MicrosoftAppType, ALLOWED_TENANT_IDS). Pass `tenantId`, `clientId`
   * and `clientSecret` to {@link startGraphStandIn} when the bot's identity is fixed elsewhere (the Teams stand-in).
   */
  env(): Record<string, string>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------------------------

interface Group {
  members: string[];
  nested: string[];
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  code?: string;
}

interface Caller {
  roles: Set<string>;
  appId: string;
}

let signingKey: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
function keys(): { privateKey: KeyObject; publicKey: KeyObject } {
  signingKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return signingKey;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function graphError(status: number, code: string, message: string, headers?: Record<string, string>): Answer {
  const requestId = randomUUID();
  return {
    status,
    code,
    headers: { 'request-id': requestId, ...headers },
    body: { error: { code, message, innerError: { date: new Date(0).toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': requestId } } } satisfies GraphErrorBody,
  };
}

/** 403 as the directory answers it (users, groups): https://learn.microsoft.com/graph/errors ; https://learn.microsoft.com/graph/resolve-auth-errors */
const directoryDenied = (): Answer => graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
/** 403 as Teams answers it. */
const teamsDenied = (): Answer => graphError(403, 'Forbidden', 'Missing role permissions on the request. API requires one of the permissions for this call.');
/** 403 as Outlook answers it (calendar, mail). */
const outlookDenied = (): Answer => graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');

/** 404 of a directory object: `Request_ResourceNotFound` (https://learn.microsoft.com/graph/api/user-get , "Response"; https://learn.microsoft.com/graph/errors). */
const directoryNotFound = (id: string): Answer =>
  graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

/** An Outlook mailbox that is not a user of the tenant: 404 `ErrorInvalidUser`. */
const invalidMailbox = (mailbox: string): Answer => graphError(404, 'ErrorInvalidUser', `The requested user '${mailbox}' is invalid.`);

function parseFilterEq(filter: string | null, field: string): string | undefined {
  if (!filter) return undefined;
  const m = new RegExp(`^\\s*${field.replace(/\//g, '\\/')}\\s+eq\\s+'((?:[^']|'')*)'\\s*$`, 'i').exec(filter);
  return m ? (m[1] as string).replace(/''/g, "'") : undefined;
}

function parseUrl(raw: string): URL {
  return new URL(raw, 'https://127.0.0.1');
}

export async function startGraphStandIn(options: GraphStandInOptions = {}): Promise<GraphStandIn> {
  const now = options.now ?? Date.now;
  const tenantId = (options.tenantId ?? randomUUID()).toLowerCase();
  const clientId = (options.clientId ?? randomUUID()).toLowerCase();
  const clientSecret = options.clientSecret ?? `secret-${randomUUID()}`;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const tokenLifetime = options.tokenLifetimeSeconds ?? 3599;
  const catalogApp: CatalogApp = {
    id: (options.catalogApp?.id ?? randomUUID()).toLowerCase(),
    externalId: (options.catalogApp?.externalId ?? randomUUID()).toLowerCase(),
    displayName: options.catalogApp?.displayName ?? 'Integrations-Lotse',
  };
  const granted = new Set(options.permissions ?? []);
  const users = new Map<string, StandInUser>();
  const groups = new Map<string, Group>();
  const installed = new Map<string, Set<string>>();
  let chatSource: StandInChatSource | undefined;
  const managedIdentityRequests: string[] = [];
  const events: StandInEvent[] = [];
  const sentMail: SentMail[] = [];
  const calls: GraphCall[] = [];
  const installListeners = new Set<InstallListener>();
  let seq = 0;
  let tokensIssued = 0;
  /** Tokens carry the generation they were issued in; {@link GraphStandIn.expireTokens} starts a new one. */
  let generation = 0;
  const limits: { install: WindowLimit | null; global: WindowLimit | null } = { install: null, global: null };
  let retryAfterOverride: number | undefined;
  let forced: { remaining: number; match?: string; status: 429 | 503; retryAfterSeconds: number } | undefined;
  const windows = new Map<string, { start: number; count: number }>();

  const pkgDir = path.dirname(require.resolve('@vercel/cosmosdb-server/package.json'));
  const cert = readFileSync(path.join(pkgDir, 'cert.pem'));
  const key = readFileSync(path.join(pkgDir, 'key.pem'));
  const certificateSha256 = new X509Certificate(cert).fingerprint256;

  let origin = '';
  const issuer = () => `https://sts.windows.net/${tenantId}/`;

  function findUser(idOrUpn: string): StandInUser | undefined {
    const k = idOrUpn.toLowerCase();
    for (const u of users.values()) if (u.id === k || u.upn === k) return u;
    return undefined;
  }

  function userJson(u: StandInUser): Record<string, unknown> {
    return { '@odata.type': '#microsoft.graph.user', id: u.id, displayName: u.displayName ?? null, userPrincipalName: u.upn, mail: u.mail ?? null };
  }

  function transitiveUsers(groupId: string): StandInUser[] {
    const seen = new Set<string>();
    const out: StandInUser[] = [];
    const visit = (g: string): void => {
      if (seen.has(`g:${g}`)) return;
      seen.add(`g:${g}`);
      const group = groups.get(g);
      if (!group) return;
      for (const m of group.members) {
        if (seen.has(m)) continue;
        seen.add(m);
        out.push(users.get(m) ?? { id: m, upn: `${m}@unknown.invalid` });
      }
      for (const n of group.nested) visit(n);
    };
    visit(groupId);
    return out;
  }

  // --- throttling ---
  function overLimit(name: string, limit: WindowLimit | null): number | undefined {
    if (!limit) return undefined;
    const t = now();
    let w = windows.get(name);
    if (!w || t - w.start >= limit.windowMs) {
      w = { start: t - ((t - (w?.start ?? t)) % limit.windowMs), count: 0 };
      windows.set(name, w);
    }
    if (w.count >= limit.limit) return Math.max(1, Math.ceil((w.start + limit.windowMs - t) / 1000));
    w.count += 1;
    return undefined;
  }

  /** 429 (or 503) when a limit is reached, else undefined. Counts the request against the limits it falls under. */
  function throttled(method: string, graphPath: string): Answer | undefined {
    if (forced && forced.remaining > 0 && (!forced.match || graphPath.includes(forced.match))) {
      forced.remaining -= 1;
      const f = forced;
      return f.status === 429
        ? graphError(429, 'TooManyRequests', 'Too many requests.', { 'Retry-After': String(f.retryAfterSeconds) })
        : graphError(503, 'ServiceUnavailable', 'Service unavailable.', { 'Retry-After': String(f.retryAfterSeconds) });
    }
    const global = overLimit('global', limits.global);
    const isInstall = method === 'POST' && /\/teamwork\/installedApps$/i.test(graphPath);
    const install = global === undefined && isInstall ? overLimit('install', limits.install) : undefined;
    const wait = global ?? install;
    if (wait === undefined) return undefined;
    return graphError(429, 'TooManyRequests', 'Too many requests.', { 'Retry-After': String(retryAfterOverride ?? wait) });
  }

  // --- tokens ---
  /**
   * Client credentials grant: `POST /{tenant}/oauth2/v2.0/token` (form: client_id, scope=`{resource}/.default`,
   * client_secret or client_assertion, grant_type=client_credentials). Success: `{ token_type: 'Bearer', expires_in,
   * access_token }`; the token's `roles` lists the admin-consented application permissions (absent when none).
   * Errors: 400 `invalid_request`/`unsupported_grant_type`/`invalid_scope`, 401 `invalid_client` (AADSTS7000215).
   * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow ("Get a token", "Error response")
   * https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference (`roles`, `tid`, `appid`, `idtyp`)
   */
  /** An app-only access token of this app for `resource`, its `roles` the permissions granted now. */
  async function mintToken(resource: string): Promise<string> {
    const iat = Math.floor(now() / 1000);
    const roles = [...granted].sort();
    const claims: Record<string, unknown> = { standin_gen: generation, tid: tenantId, appid: clientId, azp: clientId, idtyp: 'app', oid: randomUUID(), sub: clientId };
    if (roles.length) claims.roles = roles;
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'standin' })
      .setIssuer(issuer())
      .setAudience(resource)
      .setIssuedAt(iat)
      .setNotBefore(iat - 300)
      .setExpirationTime(iat + tokenLifetime)
      .setJti(randomUUID())
      .sign(keys().privateKey);
    tokensIssued += 1;
    return accessToken;
  }

  /**
   * App Service's managed identity endpoint (what `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` name inside an App Service):
   * `GET ?api-version=2019-08-01&resource=…&client_id=…` with the header `X-IDENTITY-HEADER`; answers
   * `{ access_token, expires_on, resource, token_type, client_id }`, `expires_on` in seconds since the epoch; 400 for a
   * missing or other parameter, 401 without the header's secret. The identity is this app (`clientId`) as a user-assigned
   * managed identity. https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
   * It serves plain HTTP on loopback, as App Service's does.
   */
  async function startManagedIdentity(): Promise<ManagedIdentityEndpoint> {
    const secret = randomUUID();
    const msi = createHttpServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const answer = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.method !== 'GET') return answer(405, { statusCode: 405, message: 'Only GET is supported.' });
        if (req.headers['x-identity-header'] !== secret) return answer(401, { statusCode: 401, message: 'The X-IDENTITY-HEADER header is missing or wrong.' });
        if (url.searchParams.get('api-version') !== '2019-08-01') return answer(400, { statusCode: 400, message: 'Unsupported api-version.' });
        const resource = url.searchParams.get('resource');
        if (!resource) return answer(400, { statusCode: 400, message: 'The resource parameter is required.' });
        const id = url.searchParams.get('client_id');
        if (id !== null && id.toLowerCase() !== clientId) return answer(400, { statusCode: 400, message: 'No user-assigned identity with that client_id is assigned to this app.' });
        managedIdentityRequests.push(resource);
        const accessToken = await mintToken(resource.replace(/\/\.default$/, '').replace(/\/$/, ''));
        answer(200, { access_token: accessToken, expires_on: String(Math.floor(now() / 1000) + tokenLifetime), resource, token_type: 'Bearer', client_id: clientId });
      })().catch(() => {
        res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => msi.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(msi.address() as AddressInfo).port}/msi/token`;
    return {
      url,
      env: () => ({ IDENTITY_ENDPOINT: url, IDENTITY_HEADER: secret }),
      close: () =>
        new Promise<void>((resolve) => {
          msi.closeAllConnections?.();
          msi.close(() => resolve());
        }),
    };
  }

  async function token(tenant: string, form: URLSearchParams): Promise<Answer> {
    const oauthError = (status: number, error: string, description: string): Answer => ({
      status,
      code: error,
      body: { error, error_description: `${description}\r\nTrace ID: ${randomUUID()}\r\nTimestamp: 1970-01-01 00:00:00Z`, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)] },
    });
    if (tenant.toLowerCase() !== tenantId) return oauthError(400, 'invalid_request', `AADSTS90002: Tenant '${tenant}' not found.`);
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
    if ((form.get('client_id') ?? '').toLowerCase() !== clientId) return oauthError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`);
    const scope = form.get('scope') ?? '';
    const resource = /^(https:\/\/[^\s/]+)\/\.default$/.exec(scope)?.[1];
    if (!resource || (resource !== 'https://graph.microsoft.com' && resource !== origin)) {
      return oauthError(400, 'invalid_scope', `AADSTS1002012: The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`);
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (secret !== clientSecret) return oauthError(401, 'invalid_client', `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    } else if (assertion !== null) {
      // A certificate credential's signed assertion: the stand-in checks its subject only (no certificate registry).
      let sub: unknown;
      try {
        sub = decodeJwt(assertion).sub;
      } catch {
        sub = undefined;
      }
      if (typeof sub !== 'string' || sub.toLowerCase() !== clientId) return oauthError(401, 'invalid_client', 'AADSTS700027: Client assertion contains an invalid signature.');
    } else {
      return oauthError(401, 'invalid_client', "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    const accessToken = await mintToken(resource);
    return { status: 200, body: { token_type: 'Bearer', expires_in: tokenLifetime, ext_expires_in: tokenLifetime, access_token: accessToken } };
  }

  /**
   * 401 `InvalidAuthenticationToken` without a token, with a bad one, or an expired one.
   * https://learn.microsoft.com/graph/resolve-auth-errors ("401 Unauthorized")
   */
  async function authenticate(header: string | undefined): Promise<Caller | Answer> {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    try {
      const { payload } = await jwtVerify(m[1] as string, keys().publicKey, { issuer: issuer(), currentDate: new Date(now()) });
      if (payload.standin_gen !== generation) return graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
      if (payload.aud !== 'https://graph.microsoft.com' && payload.aud !== origin) return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
      const roles = new Set((Array.isArray(payload.roles) ? payload.roles : []).filter((r): r is string => typeof r === 'string' && granted.has(r)));
      return { roles, appId: String(payload.appid ?? '') };
    } catch (err) {
      const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
      return graphError(401, 'InvalidAuthenticationToken', expired ? 'Lifetime validation failed, the token is expired.' : 'Access token validation failure.');
    }
  }

  const allows = (caller: Caller, perms: readonly string[]): boolean => perms.some((p) => caller.roles.has(p));

  // --- Graph routes ---
  function graph(caller: Caller, method: string, rel: string, query: URLSearchParams, body: unknown, headers: Record<string, string | string[] | undefined> = {}): Answer {
    const segs = rel.split('/').filter(Boolean).map(decodeURIComponent);
    const [s0, s1, s2, s3, s4] = segs;
    const json = (status: number, b: unknown, headers?: Record<string, string>): Answer => ({ status, body: b, headers });

    // GET /users?$filter=mail eq '…'  https://learn.microsoft.com/graph/api/user-list
    if (s0 === 'users' && segs.length === 1 && method === 'GET') {
      if (!allows(caller, CALL_PERMISSIONS.listUsers)) return directoryDenied();
      // $search on users: https://learn.microsoft.com/graph/search-query-parameter (needs ConsistencyLevel: eventual;
      // "property:text" clauses joined by OR, each matching words of the property that start with the text).
      const search = query.get('$search');
      if (search !== null) {
        if (String(headers['consistencylevel'] ?? '').toLowerCase() !== 'eventual') {
          return graphError(400, 'Request_UnsupportedQuery', "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
        }
        const clauses = [...search.matchAll(/"(displayName|mail|userPrincipalName):([^"]*)"/g)].map((m) => ({ prop: m[1], text: m[2].toLowerCase() }));
        if (!clauses.length) return graphError(400, 'Request_UnsupportedQuery', 'Unsupported or invalid $search clause.');
        const value = (u: StandInUser, prop: string) => String(prop === 'displayName' ? u.displayName ?? '' : prop === 'mail' ? u.mail ?? '' : u.upn).toLowerCase();
        const found = [...users.values()].filter((u) => clauses.some((c) => value(u, c.prop).split(/[\s.@_-]+/).some((w) => w.startsWith(c.text)) || value(u, c.prop).startsWith(c.text)));
        const top = Number(query.get('$top') ?? '100');
        return json(200, { '@odata.context': `${origin}/v1.0/$metadata#users`, value: found.slice(0, top).map(userJson) });
      }
      const filter = query.get('$filter');
      const mail = parseFilterEq(filter, 'mail');
      const upn = parseFilterEq(filter, 'userPrincipalName');
      if (filter && mail === undefined && upn === undefined) return graphError(400, 'Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified.');
      const list = [...users.values()].filter((u) => (mail === undefined || (u.mail ?? '').toLowerCase() === mail.toLowerCase()) && (upn === undefined || u.upn === upn.toLowerCase()));
      return json(200, { '@odata.context': `${origin}/v1.0/$metadata#users`, value: list.map(userJson) });
    }
    // GET /users/{id | userPrincipalName}  https://learn.microsoft.com/graph/api/user-get
    if (s0 === 'users' && s1 && segs.length === 2 && method === 'GET') {
      if (!allows(caller, CALL_PERMISSIONS.getUser)) return directoryDenied();
      const u = findUser(s1);
      if (!u) return directoryNotFound(s1);
      return json(200, { '@odata.context': `${origin}/v1.0/$metadata#users/$entity`, ...userJson(u) });
    }
    // GET /groups/{id}/transitiveMembers/microsoft.graph.user  https://learn.microsoft.com/graph/api/group-list-transitivemembers
    if (s0 === 'groups' && s1 && s2 === 'transitiveMembers' && segs.length <= 4 && method === 'GET') {
      if (!allows(caller, CALL_PERMISSIONS.groupMembers)) return directoryDenied();
      const gid = s1.toLowerCase();
      if (!groups.has(gid)) return directoryNotFound(s1);
      if (s3 !== undefined && s3 !== 'microsoft.graph.user') return graphError(400, 'Request_BadRequest', `Unsupported type cast segment '${s3}'.`);
      const all = transitiveUsers(gid);
      const topRaw = query.get('$top');
      const top = topRaw === null ? pageSize : Number(topRaw);
      if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) return graphError(400, 'Request_BadRequest', `Invalid page size specified: '${topRaw}'. Must be between 1 and ${MAX_TOP} inclusive.`);
      const skip = Number(query.get('$skiptoken') ?? '0');
      if (!Number.isInteger(skip) || skip < 0) return graphError(400, 'Request_BadRequest', 'Invalid $skiptoken.');
      const selectRaw = query.get('$select');
      const select = selectRaw === null ? undefined : selectRaw.split(',').map((p) => p.trim()).filter(Boolean);
      const unknownProp = select?.find((p) => !USER_SELECTABLE.has(p));
      if (unknownProp !== undefined) return graphError(400, 'Request_BadRequest', `Could not find a property named '${unknownProp}' on type 'microsoft.graph.user'.`);
      // What the app may read of each member: everything, the basic profile, or only the id (see USER_FULL_PROFILE).
      const profile = allows(caller, USER_FULL_PROFILE) ? 'full' : allows(caller, USER_BASIC_PROFILE) ? 'basic' : 'limited';
      const memberJson = (u: StandInUser): Record<string, unknown> => {
        const full: Record<string, unknown> = { ...userJson(u), department: u.department ?? null };
        for (const p of Object.keys(full)) {
          if (p === '@odata.type' || p === 'id') continue;
          if (profile === 'limited' || (profile === 'basic' && !USER_BASIC_PROPERTIES.has(p))) full[p] = null;
        }
        if (!select) {
          delete full.department; // not a default property
          return full;
        }
        return Object.fromEntries([['@odata.type', '#microsoft.graph.user'], ...select.map((p) => [p, full[p] ?? null])]);
      };
      const size = Math.min(top, options.serverPageLimit ?? top);
      const page = all.slice(skip, skip + size);
      const out: Record<string, unknown> = { '@odata.context': `${origin}/v1.0/$metadata#users`, value: page.map(memberJson) };
      if (skip + size < all.length) {
        const next = new URLSearchParams(query);
        next.set('$top', String(top));
        next.set('$skiptoken', String(skip + size));
        out['@odata.nextLink'] = `${origin}/v1.0/${segs.map(encodeURIComponent).join('/')}?${next.toString()}`;
      }
      return json(200, out);
    }
    // GET /users/{id}/teamwork/installedApps/{installation id}/chat  https://learn.microsoft.com/graph/api/userscopeteamsappinstallation-get-chat
    if (s0 === 'users' && s1 && s2 === 'teamwork' && s3 === 'installedApps' && s4 && segs[5] === 'chat' && segs.length === 6 && method === 'GET') {
      if (!allows(caller, CALL_PERMISSIONS.getInstalledAppChat)) return teamsDenied();
      const u = findUser(s1);
      if (!u) return directoryNotFound(s1);
      const [owner, appId] = Buffer.from(s4, 'base64').toString('utf8').split('##');
      if (owner !== u.id || !appId || !(installed.get(u.id) ?? new Set<string>()).has(appId)) return graphError(404, 'NotFound', 'The app installation was not found.');
      return json(200, { '@odata.context': `${origin}/v1.0/$metadata#chats/$entity`, id: botChatId(u.id), chatType: 'oneOnOne' });
    }
    // GET /chats/{id}/messages  https://learn.microsoft.com/graph/api/chat-list-messages
    if (s0 === 'chats' && s1 && s2 === 'messages' && segs.length === 3 && method === 'GET') {
      if (!allows(caller, CALL_PERMISSIONS.listChatMessages)) return graphError(403, 'Forbidden', 'Missing role permissions on the request. API requires one of \'ChatMessage.Read.Chat, Chat.Read.All, Chat.ReadWrite.All\'.');
      const owner = /^19:([0-9a-f-]{36})_[0-9a-f-]+@unq\.gbl\.spaces$/i.exec(s1)?.[1]?.toLowerCase();
      if (!owner || s1 !== botChatId(owner)) return graphError(404, 'NotFound', 'Chat not found.');
      // $top at most 50; $orderby lastModifiedDateTime or createdDateTime, descending only; $filter on the same
      // property only together with that $orderby (lastModifiedDateTime: gt and lt; createdDateTime: lt), else ignored.
      const topRaw = query.get('$top');
      const top = topRaw === null ? 20 : Number(topRaw);
      if (!Number.isInteger(top) || top < 1 || top > 50) return graphError(400, 'BadRequest', `Invalid page size: '${topRaw}'. The maximum allowed $top value is 50.`);
      const orderby = (query.get('$orderby') ?? 'lastModifiedDateTime desc').trim();
      const order = /^(lastModifiedDateTime|createdDateTime)(\s+desc)?$/.exec(orderby);
      if (!order || !order[2]) return graphError(400, 'BadRequest', `Unsupported $orderby: '${orderby}'. Only lastModifiedDateTime and createdDateTime, descending, are supported.`);
      const prop = order[1];
      const clauses = (query.get('$filter') ?? '').split(/\s+and\s+/i).filter(Boolean).map((c) => /^(\w+)\s+(gt|lt)\s+(\S+)$/.exec(c.trim()));
      if (clauses.some((c) => !c || Number.isNaN(Date.parse(c[3])) || (c[1] === 'createdDateTime' && c[2] !== 'lt'))) return graphError(400, 'BadRequest', 'Invalid $filter clause.');
      const bounds = clauses.filter((c): c is RegExpExecArray => !!c && c[1] === prop).map((c) => ({ op: c[2], at: Date.parse(c[3]) }));
      const messages = (chatSource?.(owner) ?? [])
        .map((m) => ({ m, at: Number(m.id) }))
        .filter(({ at }) => bounds.every((b) => (b.op === 'gt' ? at > b.at : at < b.at)))
        .sort((a, b) => b.at - a.at)
        .slice(0, top)
        .map(({ m, at }) => chatMessageJson(m, at));
      return json(200, { '@odata.context': `${origin}/v1.0/$metadata#chats('${s1}')/messages`, '@odata.count': messages.length, value: messages });
    }
    // /users/{id}/teamwork/installedApps
    if (s0 === 'users' && s1 && s2 === 'teamwork' && s3 === 'installedApps' && s4 === undefined) {
      const u = findUser(s1);
      if (method === 'GET') {
        // https://learn.microsoft.com/graph/api/userteamwork-list-installedapps ($filter on teamsApp/id or teamsApp/externalId, $expand=teamsApp)
        if (!allows(caller, CALL_PERMISSIONS.listInstalledApps)) return teamsDenied();
        if (!u) return directoryNotFound(s1);
        const filter = query.get('$filter');
        const byId = parseFilterEq(filter, 'teamsApp/id');
        const byExternal = parseFilterEq(filter, 'teamsApp/externalId');
        if (filter && byId === undefined && byExternal === undefined) return graphError(400, 'BadRequest', 'Invalid filter clause.');
        const expand = (query.get('$expand') ?? '').split(',').map((s) => s.trim());
        const apps = [...(installed.get(u.id) ?? [])].filter(
          (a) => (byId === undefined || a === byId.toLowerCase()) && (byExternal === undefined || (a === catalogApp.id && catalogApp.externalId === byExternal.toLowerCase())),
        );
        return json(200, {
          '@odata.context': `${origin}/v1.0/$metadata#users('${u.id}')/teamwork/installedApps`,
          value: apps.map((a) => ({
            id: Buffer.from(`${u.id}##${a}`).toString('base64'),
            ...(expand.includes('teamsApp') ? { teamsApp: { id: a, externalId: a === catalogApp.id ? catalogApp.externalId : null, displayName: a === catalogApp.id ? catalogApp.displayName : a, distributionMethod: 'organization' } } : {}),
          })),
        });
      }
      if (method === 'POST') {
        // https://learn.microsoft.com/graph/api/userteamwork-post-installedapps : body `teamsApp@odata.bind`; 201 Created.
        // Already installed: 409 Conflict (https://learn.microsoft.com/microsoftteams/platform/graph-api/proactive-bots-and-messages/graph-proactive-bots-and-messages , "Install your app").
        if (!allows(caller, CALL_PERMISSIONS.installApp)) return teamsDenied();
        const bind = (body as Record<string, unknown> | undefined)?.['teamsApp@odata.bind'];
        const appId = typeof bind === 'string' ? /\/appCatalogs\/teamsApps\/([^/?]+)$/i.exec(bind)?.[1]?.toLowerCase() : undefined;
        if (!appId) return graphError(400, 'BadRequest', "The request body must bind 'teamsApp@odata.bind' to an app catalog app.");
        const selfOnly = ![...caller.roles].some((r) => CALL_PERMISSIONS.installApp.includes(r as never) && !SELF_ONLY_INSTALL.has(r));
        if (appId !== catalogApp.id) {
          if (selfOnly) return teamsDenied();
          return graphError(404, 'NotFound', `App '${appId}' was not found in the app catalog.`);
        }
        if (!u) return directoryNotFound(s1);
        const set = installed.get(u.id) ?? new Set<string>();
        if (set.has(appId)) return graphError(409, 'Conflict', 'App is already installed for the user.');
        set.add(appId);
        installed.set(u.id, set);
        for (const l of installListeners) {
          try {
            void Promise.resolve(l(u.id, appId)).catch(() => undefined);
          } catch {
            /* a listener's failure is the listener's test's problem */
          }
        }
        return { status: 201, headers: { Location: `/users('${u.id}')/teamwork/installedApps('${Buffer.from(`${u.id}##${appId}`).toString('base64')}')` } };
      }
    }
    // GET /appCatalogs/teamsApps?$filter=externalId eq '…'  https://learn.microsoft.com/graph/api/appcatalogs-list-teamsapps
    if (s0 === 'appCatalogs' && s1 === 'teamsApps' && segs.length === 2 && method === 'GET') {
      if (!allows(caller, CALL_PERMISSIONS.listCatalog)) return teamsDenied();
      const filter = query.get('$filter');
      const ext = parseFilterEq(filter, 'externalId');
      const id = parseFilterEq(filter, 'id');
      const match = (ext === undefined || ext.toLowerCase() === catalogApp.externalId) && (id === undefined || id.toLowerCase() === catalogApp.id);
      return json(200, {
        '@odata.context': `${origin}/v1.0/$metadata#appCatalogs/teamsApps`,
        value: match ? [{ id: catalogApp.id, externalId: catalogApp.externalId, displayName: catalogApp.displayName, distributionMethod: 'organization' }] : [],
      });
    }
    // Outlook: /users/{mailbox}/events…, /users/{mailbox}/sendMail
    if (s0 === 'users' && s1 && (s2 === 'events' || s2 === 'sendMail')) {
      const mailboxUser = findUser(s1);
      if (s2 === 'sendMail' && segs.length === 3 && method === 'POST') {
        // https://learn.microsoft.com/graph/api/user-sendmail : body { message, saveToSentItems }; 202 Accepted.
        if (!allows(caller, CALL_PERMISSIONS.sendMail)) return outlookDenied();
        if (!mailboxUser) return invalidMailbox(s1);
        const message = (body as { message?: Record<string, unknown> } | undefined)?.message;
        const to = Array.isArray(message?.toRecipients) ? (message.toRecipients as Array<{ emailAddress?: { address?: string } }>).map((r) => r.emailAddress?.address ?? '') : [];
        if (!message || !to.length || to.some((a) => !a)) return graphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
        const b = (message.body ?? {}) as { contentType?: string; content?: string };
        sentMail.push({
          from: mailboxUser.upn,
          to,
          subject: String(message.subject ?? ''),
          bodyContent: String(b.content ?? ''),
          contentType: String(b.contentType ?? 'text'),
          saveToSentItems: (body as { saveToSentItems?: boolean }).saveToSentItems !== false,
        });
        return { status: 202 };
      }
      if (s2 === 'events') {
        if (!allows(caller, CALL_PERMISSIONS.calendar)) return outlookDenied();
        if (!mailboxUser) return invalidMailbox(s1);
        const mailbox = mailboxUser.upn;
        const eventJson = (e: StandInEvent) => ({
          '@odata.context': `${origin}/v1.0/$metadata#users('${mailbox}')/events/$entity`,
          id: e.id,
          transactionId: e.transactionId ?? null,
          subject: e.subject ?? null,
          body: { contentType: 'html', content: e.bodyContent ?? '' },
          start: e.start,
          end: e.end,
          location: { displayName: e.location ?? '' },
          attendees: e.attendees.map((a) => ({ type: 'required', status: { response: 'none', time: '0001-01-01T00:00:00Z' }, emailAddress: { address: a, name: a } })),
          isOnlineMeeting: e.isOnlineMeeting,
          onlineMeetingProvider: e.isOnlineMeeting ? 'teamsForBusiness' : 'unknown',
          onlineMeeting: e.joinUrl ? { joinUrl: e.joinUrl } : null,
          isCancelled: e.cancelled,
        });
        const apply = (e: StandInEvent, b: Record<string, unknown>) => {
          if ('subject' in b) e.subject = String(b.subject ?? '');
          if (b.body && typeof b.body === 'object') e.bodyContent = String((b.body as { content?: unknown }).content ?? '');
          if (b.start) e.start = b.start as StandInEvent['start'];
          if (b.end) e.end = b.end as StandInEvent['end'];
          if ('location' in b) e.location = String((b.location as { displayName?: unknown } | null)?.displayName ?? '');
          if (Array.isArray(b.attendees)) e.attendees = (b.attendees as Array<{ emailAddress?: { address?: string } }>).map((a) => a.emailAddress?.address ?? '').filter(Boolean);
          if ('isOnlineMeeting' in b) e.isOnlineMeeting = b.isOnlineMeeting === true;
          if (e.isOnlineMeeting && !e.joinUrl) e.joinUrl = `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${e.id}%40thread.v2/0`;
        };
        const badTimes = (b: Record<string, unknown>) =>
          [b.start, b.end].some((t) => t !== undefined && (typeof (t as { dateTime?: unknown })?.dateTime !== 'string' || typeof (t as { timeZone?: unknown })?.timeZone !== 'string'));
        // POST /users/{mailbox}/events  https://learn.microsoft.com/graph/api/user-post-events : 201 Created with the event;
        // `transactionId` "for the server to avoid redundant POST operations in case of client retries": the same id answers the existing event.
        // https://learn.microsoft.com/graph/api/resources/event ("transactionId"); Teams meeting: isOnlineMeeting + onlineMeetingProvider
        // teamsForBusiness, join link in onlineMeeting.joinUrl (https://learn.microsoft.com/graph/outlook-calendar-online-meetings).
        if (segs.length === 3 && method === 'POST') {
          const b = (body ?? {}) as Record<string, unknown>;
          if (!b.start || !b.end || badTimes(b)) return graphError(400, 'ErrorInvalidRequest', 'Your request can\'t be completed. Start and end need dateTime and timeZone.');
          const tx = typeof b.transactionId === 'string' ? b.transactionId : undefined;
          const existing = tx ? events.find((e) => e.mailbox === mailbox && e.transactionId === tx) : undefined;
          if (existing) return json(201, eventJson(existing));
          const e: StandInEvent = { id: Buffer.from(randomUUID()).toString('base64url'), mailbox, transactionId: tx, attendees: [], isOnlineMeeting: false, cancelled: false, updates: 0 };
          apply(e, b);
          events.push(e);
          return json(201, eventJson(e));
        }
        // GET /users/{mailbox}/events?$filter=transactionId eq '…'  https://learn.microsoft.com/graph/api/user-list-events :
        // 200 with `value`; a cancelled event has left the organizer's calendar. Other filters are not played.
        if (segs.length === 3 && method === 'GET') {
          const filter = query.get('$filter') ?? '';
          const m = /^transactionId eq '((?:[^']|'')*)'$/.exec(filter);
          if (filter && !m) return graphError(400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.');
          const tx = m ? m[1]!.replace(/''/g, "'") : undefined;
          const found = events.filter((e) => e.mailbox === mailbox && !e.cancelled && (tx === undefined || e.transactionId === tx));
          return json(200, { '@odata.context': `${origin}/v1.0/$metadata#users('${mailbox}')/events`, value: found.map(eventJson) });
        }
        const event = s3 ? events.find((e) => e.mailbox === mailbox && e.id === s3 && !e.cancelled) : undefined;
        const itemNotFound = () => graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
        // PATCH /users/{mailbox}/events/{id}  https://learn.microsoft.com/graph/api/event-update : 200 OK with the event.
        if (segs.length === 4 && method === 'PATCH') {
          if (!event) return itemNotFound();
          const b = (body ?? {}) as Record<string, unknown>;
          if (badTimes(b)) return graphError(400, 'ErrorInvalidRequest', 'Start and end need dateTime and timeZone.');
          apply(event, b);
          event.updates += 1;
          return json(200, eventJson(event));
        }
        // POST /users/{mailbox}/events/{id}/cancel { comment }  https://learn.microsoft.com/graph/api/event-cancel : 202 Accepted;
        // only the organizer may cancel; the event leaves the organizer's calendar (a second cancel finds nothing: 404).
        if (segs.length === 5 && s4 === 'cancel' && method === 'POST') {
          if (!event) return itemNotFound();
          event.cancelled = true;
          event.cancelComment = String((body as { comment?: unknown } | undefined)?.comment ?? '');
          return { status: 202 };
        }
      }
    }
    return graphError(400, 'BadRequest', `Resource not found for the segment '${s0 ?? ''}'.`);
  }

  /** The personal chat of a person and this bot, in the form Graph gives it (`19:{user id}_{bot app id}@unq.gbl.spaces`). */
  const botChatId = (userId: string) => `19:${userId}_${clientId}@unq.gbl.spaces`;
  /** A message of the bot's chat as a chatMessage (https://learn.microsoft.com/graph/api/resources/chatmessage). */
  function chatMessageJson(m: ReturnType<StandInChatSource>[number], at: number): Record<string, unknown> {
    const when = new Date(at).toISOString();
    const attachments = (m.activity.attachments ?? []).map((a, i) => ({
      id: `${m.id}-${i}`,
      contentType: a.contentType ?? null,
      contentUrl: null,
      content: a.content === undefined ? null : JSON.stringify(a.content),
      name: null,
      thumbnailUrl: null,
    }));
    const text = m.activity.text ? teamsHtml(m.activity.text) : '';
    return {
      id: m.id,
      replyToId: null,
      messageType: 'message',
      createdDateTime: when,
      lastModifiedDateTime: when,
      deletedDateTime: null,
      chatId: null,
      from: { application: { '@odata.type': '#microsoft.graph.teamworkApplicationIdentity', id: clientId, displayName: 'Integrations-Lotse', applicationIdentityType: 'bot' }, user: null, device: null },
      body: { contentType: 'html', content: `${text}${attachments.map((a) => `<attachment id="${a.id}"></attachment>`).join('')}` },
      attachments,
    };
  }

  async function graphWithAuth(caller: Caller, method: string, rawUrl: string, body: unknown, inBatch: boolean, headers: Record<string, string | string[] | undefined> = {}): Promise<Answer> {
    const url = parseUrl(rawUrl);
    const rel = url.pathname.replace(/^\/v1\.0/, '');
    const answer = throttled(method, rel) ?? graph(caller, method, rel, url.searchParams, body, headers);
    calls.push({ seq: ++seq, method, path: decodeURIComponent(url.pathname), query: url.search, status: answer.status, inBatch: inBatch || undefined, code: answer.code });
    return answer;
  }

  /**
   * `POST /$batch`: https://learn.microsoft.com/graph/json-batching . Request ids unique, at most 20, urls relative to
   * the version (`/users/…` or `users/…`); each response `{ id, status, headers, body }`.
   */
  async function batch(caller: Caller, body: unknown): Promise<Answer> {
    const requests = (body as { requests?: unknown } | undefined)?.requests;
    if (!Array.isArray(requests)) return graphError(400, 'BadRequest', 'Invalid batch payload format.');
    if (requests.length > MAX_BATCH_REQUESTS) return graphError(400, 'BadRequest', `Number of batch request steps exceeds the maximum of ${MAX_BATCH_REQUESTS}.`);
    const ids = new Set<string>();
    for (const r of requests as Array<{ id?: unknown; method?: unknown; url?: unknown }>) {
      if (typeof r.id !== 'string' || typeof r.method !== 'string' || typeof r.url !== 'string') return graphError(400, 'BadRequest', 'Each batch request needs id, method and url.');
      if (ids.has(r.id)) return graphError(400, 'BadRequest', 'Batch request ids must be unique.');
      ids.add(r.id);
    }
    const responses = [];
    for (const r of requests as Array<{ id: string; method: string; url: string; body?: unknown }>) {
      const rel = r.url.startsWith('/') ? r.url : `/${r.url}`;
      const a = await graphWithAuth(caller, r.method.toUpperCase(), `/v1.0${rel}`, r.body, true);
      responses.push({ id: r.id, status: a.status, headers: { 'Content-Type': 'application/json', ...(a.headers ?? {}) }, ...(a.body !== undefined ? { body: a.body } : {}) });
    }
    return { status: 200, body: { responses } };
  }

  async function route(req: IncomingMessage, raw: Buffer): Promise<Answer & { record: boolean }> {
    const method = req.method ?? 'GET';
    const url = parseUrl(req.url ?? '/');
    const p = url.pathname;
    // MSAL's authority metadata (instance discovery is off in the adapter; answered anyway).
    // https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc ("Fetch the OpenID configuration document")
    const oidc = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(p);
    if (oidc && method === 'GET') {
      const t = oidc[1] as string;
      return {
        record: false,
        status: 200,
        body: {
          token_endpoint: `${origin}/${t}/oauth2/v2.0/token`,
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
          jwks_uri: `${origin}/${t}/discovery/v2.0/keys`,
          response_modes_supported: ['query', 'fragment', 'form_post'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
          issuer: `${origin}/${t}/v2.0`,
          request_uri_parameter_supported: false,
          authorization_endpoint: `${origin}/${t}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${origin}/${t}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${origin}/${t}/oauth2/v2.0/logout`,
          tenant_region_scope: 'EU',
          cloud_instance_name: 'microsoftonline.com',
        },
      };
    }
    if (p === '/common/discovery/instance' && method === 'GET') {
      const t = tenantId;
      return { record: false, status: 200, body: { tenant_discovery_endpoint: `${origin}/${t}/v2.0/.well-known/openid-configuration`, 'api-version': '1.1', metadata: [{ preferred_network: url.host, preferred_cache: url.host, aliases: [url.host] }] } };
    }
    const tok = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(p);
    if (tok && method === 'POST') return { record: true, ...(await token(tok[1] as string, new URLSearchParams(raw.toString('utf8')))) };
    if (p.startsWith('/v1.0/')) {
      const caller = await authenticate(req.headers.authorization);
      if (!('roles' in caller)) return { record: true, ...caller };
      let body: unknown;
      if (raw.length) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return { record: true, ...graphError(400, 'BadRequest', 'Unable to read JSON request payload.') };
        }
      }
      if (p === '/v1.0/$batch' && method === 'POST') return { record: true, ...(await batch(caller, body)) };
      return { record: false, ...(await graphWithAuth(caller, method, req.url ?? '/', body, false, req.headers)) };
    }
    return { record: true, ...graphError(404, 'UnknownPath', 'Not found.') };
  }

  const server: Server = createServer({ cert, key, keepAlive: true }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      route(req, Buffer.concat(chunks))
        .then((a) => {
          if (a.record) {
            const u = parseUrl(req.url ?? '/');
            calls.push({ seq: ++seq, method: req.method ?? '', path: decodeURIComponent(u.pathname), query: u.search, status: a.status, code: a.code });
          }
          const headers: Record<string, string> = { ...(a.headers ?? {}) };
          if (a.body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
          res.writeHead(a.status, headers);
          res.end(a.body !== undefined ? JSON.stringify(a.body) : undefined);
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'generalException', message: String(err) } }));
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const normalizeIds = (ids: readonly string[]) => ids.map((i) => i.toLowerCase());

  return {
    origin,
    baseUrl: `${origin}/v1.0`,
    tenantId,
    clientId,
    clientSecret,
    certificateSha256,
    catalogApp,
    calls,
    events,
    sentMail,
    get tokensIssued() {
      return tokensIssued;
    },
    grant: (...perms) => perms.forEach((p) => granted.add(p)),
    revoke: (...perms) => perms.forEach((p) => granted.delete(p)),
    granted: () => [...granted].sort(),
    addUser: (u) => {
      if (!GUID.test(u.id)) throw new Error(`addUser: id must be a GUID (got ${u.id})`);
      users.set(u.id.toLowerCase(), { id: u.id.toLowerCase(), upn: u.upn.toLowerCase(), mail: u.mail, displayName: u.displayName, ...(u.department !== undefined ? { department: u.department } : {}) });
    },
    addGroup: (id, memberIds, nested = []) => {
      groups.set(id.toLowerCase(), { members: normalizeIds(memberIds), nested: normalizeIds(nested) });
    },
    setGroupMembers: (id, memberIds, nested) => {
      const g = groups.get(id.toLowerCase());
      groups.set(id.toLowerCase(), { members: normalizeIds(memberIds), nested: nested ? normalizeIds(nested) : (g?.nested ?? []) });
    },
    startManagedIdentity,
    managedIdentityRequests,
    linkChats: (source) => {
      chatSource = source;
    },
    installedFor: (userId) => [...(installed.get(userId.toLowerCase()) ?? [])],
    setInstalled: (userId, on) => {
      const id = userId.toLowerCase();
      const set = installed.get(id) ?? new Set<string>();
      if (on) set.add(catalogApp.id);
      else set.delete(catalogApp.id);
      installed.set(id, set);
    },
    onInstall: (listener) => {
      installListeners.add(listener);
      return () => installListeners.delete(listener);
    },
    throttle: (o) => {
      if (o.install !== undefined) limits.install = o.install;
      if (o.global !== undefined) limits.global = o.global;
      if (o.retryAfterSeconds !== undefined && o.next === undefined) retryAfterOverride = o.retryAfterSeconds;
      if (o.next !== undefined) forced = { remaining: o.next, match: o.match, status: o.status ?? 429, retryAfterSeconds: o.retryAfterSeconds ?? 1 };
    },
    expireTokens: () => {
      generation += 1;
    },
    env: () => ({
      GRAPH_ENABLED: 'true',
      LOTSE_TEST_MODE: 'true',
      MicrosoftAppId: clientId,
      MicrosoftAppPassword: clientSecret,
      MicrosoftAppTenantId: tenantId,
      MicrosoftAppType: 'SingleTenant',
      ALLOWED_TENANT_IDS: tenantId,
      GRAPH_AUTHORITY_HOST: origin,
      GRAPH_BASE_URL: `${origin}/v1.0`,
      GRAPH_TEST_CERT_SHA256: certificateSha256,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** SHA-256 of a string, hex (for tests that want stable ids from names). */
export function stableGuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
