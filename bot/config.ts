/**
 * Configuration: read once from the environment, validated, frozen.
 * This is the only module that reads `process.env`; everything else receives an `AppConfig`.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEAMS_CLIENT_IDS } from './tab/ssoToken';
import { AUTHORITY_CODES, type AuthorityCode } from '../services/directory/model';

/** A configuration value that is missing or malformed; the message names the key and the fix. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface CosmosConfig {
  /** `undefined` means: start the embedded Cosmos-compatible server on loopback. */
  readonly endpoint?: string;
  /** Account key; when absent with an endpoint, a managed identity (DefaultAzureCredential) is used. */
  readonly key?: string;
  /**
   * Client id of the user-assigned managed identity for Cosmos DB: the bot's app id with MicrosoftAppType=UserAssignedMSI
   * (one identity for the Bot Service, Graph and the database). Without it DefaultAzureCredential picks its default.
   */
  readonly managedIdentityClientId?: string;
  readonly databaseId: string;
  /** Pinned certificate fingerprint for a local embedded server in another process (`npm run db`). */
  readonly certificateSha256?: string;
  /** Seed the demo directory (fictitious people). Always on for the embedded database. */
  readonly seedDemo: boolean;
}

/** Microsoft Graph (issue 15). `undefined` when GRAPH_ENABLED is not `true`: everything works as without Graph. */
export interface GraphConfig {
  /** The bot's own identity is used: its app id, tenant and credential. */
  readonly tenantId: string;
  readonly clientId: string;
  /** `secret` (MicrosoftAppPassword), `certificate` (GRAPH_CERTIFICATE_PATH, PEM with key) or `managedIdentity` (UserAssignedMSI). */
  readonly credential: 'secret' | 'certificate' | 'managedIdentity';
  readonly clientSecret?: string;
  readonly certificatePath?: string;
  /** Entra ID login host (GRAPH_AUTHORITY_HOST, default https://login.microsoftonline.com; national clouds differ). */
  readonly authorityHost: string;
  /** Graph root including the version (GRAPH_BASE_URL, default https://graph.microsoft.com/v1.0). */
  readonly baseUrl: string;
  /** The app's id in the tenant's app catalog (GRAPH_TEAMS_CATALOG_APP_ID); looked up by the manifest id when absent. */
  readonly teamsCatalogAppId?: string;
  /** Mailbox (UPN) whose calendar holds the circle's Teams meetings (GRAPH_MEETING_MAILBOX); meetings off without it. */
  readonly meetingMailbox?: string;
  /** Mailbox (UPN) reports are e-mailed from when the head cannot be reached (GRAPH_MAIL_FROM); mail off without it. */
  readonly mailFrom?: string;
  /** Entra security groups holding roles, object ids (GRAPH_GROUP_*); the directory file may name them too. */
  readonly groups: {
    readonly kfi?: string;
    readonly directoryAdmins?: string;
    readonly circleMembers?: string;
    readonly headOffice: Readonly<Partial<Record<AuthorityCode, string>>>;
  };
  /** How long a group's members are cached (GRAPH_GROUP_CACHE_SECONDS, default 300): a change takes effect within it. */
  readonly groupCacheMs: number;
  /**
   * The Entra group whose (transitive) members are the staff of each authority (GRAPH_GROUP_STAFF_<AUTHORITY>), for
   * information posts to the whole authority or chosen departments; without one, the staff the bot knows.
   */
  readonly staffGroups: Readonly<Partial<Record<AuthorityCode, string>>>;
  /** Test mode only (GRAPH_TEST_CERT_SHA256): the pinned certificate of the loopback Graph stand-in. */
  readonly testCertificateSha256?: string;
}

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /** Microsoft App ID of the bot registration; `undefined` in local development (no authentication). */
  readonly microsoftAppId?: string;
  readonly microsoftAppPassword?: string;
  readonly microsoftAppTenantId?: string;
  readonly microsoftAppType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';
  /** Teams app ID of the app package (TEAMS_APP_ID, default: the bot's app ID), for deep links to the personal tab. */
  readonly teamsAppId?: string;
  /** Public https base URL of this service (links in cards, e.g. the decree text); default: the local URL. */
  readonly publicBaseUrl?: string;
  /** Tenants whose activities are served; empty means any (allowed only without an app ID). */
  readonly allowedTenantIds: readonly string[];
  readonly maxBodyBytes: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly cosmos: CosmosConfig;
  /** AAD object ids of directory administrators. */
  readonly adminAadObjectIds: readonly string[];
  /** Microsoft Graph; `undefined` when not enabled (the local default). */
  readonly graph?: GraphConfig;
  /** How long SIGTERM waits for in-flight turns before closing anyway. */
  readonly shutdownGraceMs: number;
  /**
   * Application Insights (APPLICATIONINSIGHTS_CONNECTION_STRING): traces and metrics go there through OpenTelemetry;
   * `undefined` = no exporter, nothing sent (services/telemetry).
   */
  readonly telemetry?: { readonly connectionString: string };
  /** Anliegen: working days without a change before the IB is reminded, before the deputy is told too, days closed items are kept. */
  readonly requests: {
    readonly reminderWorkingDays: number; readonly escalationWorkingDays: number; readonly retentionDays: number;
    /** Vortrag without decision: the head (and office) reminded every N working days, one N per urgency (normal, "eilig", "sehr eilig"), at most so many times. */
    readonly reportReminderWorkingDays: number; readonly reportReminderWorkingDaysUrgent: number; readonly reportReminderWorkingDaysVeryUrgent: number; readonly reportReminderMax: number;
    /** A proposed Vortrag date unanswered this many working days: the side that has to answer is reminded once (REPORT_TERMIN_REMINDER_WORKING_DAYS). */
    readonly terminReminderWorkingDays: number;
  };
  /** Koordinierungskreis: days after a meeting ended (or a poll closed) before it is deleted with its answers. */
  readonly circleRetentionDays: number;
  /**
   * Information posts (RdErl. Nr. 3, 5): days a post is kept after it was sent (POST_RETENTION_DAYS), and the ministry
   * contact a new IB's appointment post is copied to by e-mail (POST_MINISTRY_CONTACT; needs GRAPH_MAIL_FROM).
   */
  readonly posts: { readonly retentionDays: number; readonly ministryContact?: string };
  /** Months after which an IB's directory entry awaits confirmation and the IB is asked (DIRECTORY_CONFIRM_MONTHS). */
  readonly directoryConfirmMonths: number;
  /**
   * The paper of a Vortrag sent as a file (issue 17): the largest file taken (PAPER_FILE_MAX_MB), the days the Lotse
   * holds it at most until the head side took it (PAPER_FILE_RETENTION_DAYS), and the hosts Teams' pre-authorised
   * file addresses may point to (TEAMS_FILE_HOSTS: `*.sharepoint.com` by default; a loopback host for the emulator).
   */
  readonly paperFiles: { readonly maxBytes: number; readonly retentionDays: number; readonly hosts: readonly string[] };
  /**
   * Days kept of what has no record to expire with: a profile without a personal chat after its last change, a directory
   * audit entry, a team or group-chat reference after Teams reported the bot gone, a notification of no record.
   */
  readonly retention: { readonly userIdleDays: number; readonly directoryAuditDays: number; readonly conversationDays: number; readonly outboxDays: number };
  /** How long a process's claim on an outbox delivery lasts; after a crash, another process resends after it. */
  readonly outboxLeaseMs: number;
  /**
   * Folder of the send journal on the instance's local disk (OUTBOX_JOURNAL_DIR, default `<temp dir>/integrations-lotse`;
   * `off` for none): a process killed between Teams accepting a message and the outbox recording it leaves the send
   * there, and the next process on this machine records it instead of sending it again.
   */
  readonly outboxJournalDir?: string;
  /**
   * How many bot instances share Teams' rate limits (BOT_INSTANCE_COUNT, default 1): each instance's dispatcher keeps
   * to 1/n of them (per tenant and per conversation), so that n instances together stay within Teams' budget. With
   * autoscale: the maximum instance count.
   */
  readonly botInstanceCount: number;
  /**
   * Proactive calls per second while the process is saturated by turns (DELIVERY_BUSY_CALLS_PER_SECOND, default 1;
   * 0 = always Teams' full rate): people waiting for their card are answered first, and the notifications follow at
   * the full rate once the burst is over (bot/turnLoad.ts).
   */
  readonly deliveryBusyCallsPerSecond: number;
  /**
   * How long such a burst holds every proactive call back before that pace applies (DELIVERY_BUSY_HOLD_SECONDS,
   * default 20, at most a third of OUTBOX_LEASE_MS): a short burst's notifications all wait until it is over.
   */
  readonly deliveryBusyHoldMs: number;
  /** How often the relay looks for workflow notifications a process left pending, and after how long (RELAY_SWEEP_SECONDS, RELAY_GRACE_SECONDS). */
  readonly relay: { sweepMs: number; graceMs: number };
  /**
   * Scheduled jobs (reminders, checks, purges): how often a process looks for due ones (JOB_POLL_SECONDS), and how long
   * its claim on one lasts (JOB_LEASE_SECONDS): a job whose process died runs again after it.
   */
  readonly jobs: { pollMs: number; leaseMs: number };
  /**
   * `LOTSE_TEST_MODE=true`: the test suite runs this process, and the test-only switches below take effect.
   * Without it, each of them is refused at start.
   */
  readonly testMode: boolean;
  /** The test-only keys that are set (names only), for the warning logged at start in test mode. */
  readonly testSwitches: readonly string[];
  /**
   * Test-only Bot Framework authentication overrides (OpenID metadata of a local issuer).
   * Left empty in production; see README "Testing authentication offline".
   */
  readonly authOverrides?: Readonly<Record<string, string>>;
  /**
   * An outbound proxy is configured (`HTTPS_PROXY`/`HTTP_PROXY`): replies then go through botbuilder's connector
   * client, which honours it, instead of the lean reply path.
   */
  readonly outboundProxy: boolean;
  /**
   * OpenID metadata for validating the tab's single sign-on tokens (Entra ID v2.0). Only tests change it, to a
   * local issuer; the default is Microsoft's `common` v2.0 metadata.
   */
  readonly tabSsoMetadataUrl: string;
  /** Client applications (`azp`) whose SSO tokens the tab accepts; default: Teams desktop/mobile and Teams web. */
  readonly tabSsoAllowedClientIds: readonly string[];
  /**
   * Client id of the Entra app registration the personal tab's single sign-on tokens are issued for (TAB_APP_ID; default:
   * MicrosoftAppId, except with UserAssignedMSI: a managed identity cannot expose an API). `undefined`: the tab API
   * answers 503 `SsoNotConfigured` and the tab says that sign-in is not set up; chat and cards work as before.
   */
  readonly tabAppId?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The keys an Azure deployment sets (infra/main.bicep; test/unit/infra/consistency.test.ts keeps the two in step).
 * Without the first four an authenticated service refuses to start; without the others it runs as in local
 * development (embedded database that forgets everything at a restart, a database name by default, local links).
 */
export const PRODUCTION_SETTINGS = [
  'MicrosoftAppId',
  'MicrosoftAppType',
  'MicrosoftAppTenantId',
  'ALLOWED_TENANT_IDS',
  'COSMOS_ENDPOINT',
  'COSMOS_DATABASE',
  'PUBLIC_BASE_URL',
] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const APP_TYPES = ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'] as const;

function text(env: Env, key: string): string | undefined {
  const v = env[key]?.trim();
  return v ? v : undefined;
}

/** OUTBOX_JOURNAL_DIR: an absolute folder, `off`, or by default the temp dir's `integrations-lotse`. */
function journalDir(env: Env): string | undefined {
  const value = text(env, 'OUTBOX_JOURNAL_DIR');
  if (value === undefined) return path.join(tmpdir(), 'integrations-lotse');
  if (value.toLowerCase() === 'off') return undefined;
  if (!path.isAbsolute(value)) throw new ConfigError('OUTBOX_JOURNAL_DIR', 'must be an absolute folder on the instance\'s local disk, or "off".');
  return value;
}

/**
 * TEAMS_FILE_HOSTS: comma-separated host names or `*.suffix` patterns where Teams' file download and upload addresses
 * may point (the tenant's OneDrive is `<tenant>-my.sharepoint.com`).
 */
function fileHosts(env: Env): string[] {
  const raw = text(env, 'TEAMS_FILE_HOSTS') ?? '*.sharepoint.com';
  const hosts = raw.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const h of hosts) {
    if (!/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(h) || h === '*.com') {
      throw new ConfigError('TEAMS_FILE_HOSTS', `must list host names or *.suffix patterns, e.g. *.sharepoint.com (got "${h}").`);
    }
  }
  if (!hosts.length) throw new ConfigError('TEAMS_FILE_HOSTS', 'must name at least one host, e.g. *.sharepoint.com.');
  return hosts;
}

/** Information posts: retention and the ministry contact for appointment posts. */
function postSettings(env: Env): AppConfig['posts'] {
  const ministryContact = text(env, 'POST_MINISTRY_CONTACT')?.toLowerCase();
  if (ministryContact && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(ministryContact)) {
    throw new ConfigError('POST_MINISTRY_CONTACT', `must be an e-mail address, e.g. integration@mkjfgfi.nrw.de (got "${ministryContact}").`);
  }
  return { retentionDays: integer(env, 'POST_RETENTION_DAYS', 365, 30, 3650), ...(ministryContact ? { ministryContact } : {}) };
}

function integer(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = text(env, key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(key, `must be a whole number from ${min} to ${max} (got "${raw}").`);
  }
  return Number(raw);
}

function guidList(env: Env, key: string): string[] {
  const raw = text(env, key);
  if (!raw) return [];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!GUID.test(item)) {
      throw new ConfigError(key, `must be a comma-separated list of GUIDs; "${item}" is not one.`);
    }
  }
  return items.map((s) => s.toLowerCase());
}

function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, key);
  if (raw === undefined) return fallback;
  const hit = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!hit) throw new ConfigError(key, `must be one of ${allowed.join(', ')} (got "${raw}").`);
  return hit;
}

function bytes(env: Env, key: string, fallback: number): number {
  const raw = text(env, key);
  if (raw === undefined) return fallback;
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw);
  if (!m) throw new ConfigError(key, `must be a size such as 262144, 256kb or 1mb (got "${raw}").`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const value = Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
  if (value < 1024 || value > 10 * 1024 * 1024) {
    throw new ConfigError(key, 'must be between 1kb and 10mb.');
  }
  return value;
}

function requestSettings(env: Env): AppConfig['requests'] {
  const reminderWorkingDays = integer(env, 'REQUEST_REMINDER_WORKING_DAYS', 3, 1, 60);
  const escalationWorkingDays = integer(env, 'REQUEST_ESCALATION_WORKING_DAYS', 5, 1, 120);
  if (escalationWorkingDays <= reminderWorkingDays) {
    throw new ConfigError('REQUEST_ESCALATION_WORKING_DAYS', `must be larger than REQUEST_REMINDER_WORKING_DAYS (${reminderWorkingDays}).`);
  }
  // One interval per urgency; "sehr eilig" may not wait longer than "eilig" (its default, 1, never does).
  const reportReminderWorkingDaysUrgent = integer(env, 'REPORT_REMINDER_WORKING_DAYS_URGENT', 2, 1, 60);
  const reportReminderWorkingDaysVeryUrgent = integer(env, 'REPORT_REMINDER_WORKING_DAYS_VERY_URGENT', 1, 1, 60);
  if (reportReminderWorkingDaysVeryUrgent > reportReminderWorkingDaysUrgent) {
    throw new ConfigError('REPORT_REMINDER_WORKING_DAYS_VERY_URGENT', `must not be larger than REPORT_REMINDER_WORKING_DAYS_URGENT (${reportReminderWorkingDaysUrgent}).`);
  }
  return {
    reminderWorkingDays,
    escalationWorkingDays,
    retentionDays: integer(env, 'REQUEST_RETENTION_DAYS', 365, 1, 3650),
    reportReminderWorkingDays: integer(env, 'REPORT_REMINDER_WORKING_DAYS', 5, 1, 60),
    reportReminderWorkingDaysUrgent,
    reportReminderWorkingDaysVeryUrgent,
    reportReminderMax: integer(env, 'REPORT_REMINDER_MAX', 3, 0, 20),
    terminReminderWorkingDays: integer(env, 'REPORT_TERMIN_REMINDER_WORKING_DAYS', 2, 1, 60),
  };
}

const ENTRA_V2_METADATA = 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration';
/** Where Microsoft Entra ID publishes OpenID metadata (public cloud, US government). */
const ENTRA_HOSTS = ['login.microsoftonline.com', 'login.microsoftonline.us'];
const TEST_MODE_FIX = 'is a test-only switch: remove it (set LOTSE_TEST_MODE=true only in the test suite).';

/**
 * The Entra app the tab's SSO tokens are for: TAB_APP_ID, else the bot's own registration, which can expose
 * `api://<host>/<id>` only when it is an app registration (not with UserAssignedMSI). See docs/deployment.md.
 */
function tabAppIdOf(env: Env, botAppId: string | undefined, appType: AppConfig['microsoftAppType']): string | undefined {
  const raw = text(env, 'TAB_APP_ID')?.toLowerCase();
  if (raw === undefined) return appType === 'UserAssignedMSI' ? undefined : botAppId?.toLowerCase();
  if (!GUID.test(raw)) throw new ConfigError('TAB_APP_ID', 'must be the Application (client) ID GUID of the tab\'s Entra app registration (docs/deployment.md, "The personal tab").');
  if (!botAppId) throw new ConfigError('TAB_APP_ID', 'is set but MicrosoftAppId is not: the tab\'s sign-in is checked only for an authenticated service (set MicrosoftAppId and ALLOWED_TENANT_IDS).');
  if (appType === 'UserAssignedMSI' && raw === botAppId.toLowerCase()) {
    throw new ConfigError('TAB_APP_ID', 'is the managed identity\'s client id, which cannot expose an API: create the tab\'s own app registration (docs/deployment.md, "The personal tab").');
  }
  return raw;
}

/** The tab's SSO metadata URL, and whether it is a test-only one (a local issuer). */
function tabSsoMetadata(env: Env, testMode: boolean): { url: string; testOnly: boolean } {
  const raw = text(env, 'TAB_SSO_OPENID_METADATA_URL');
  if (!raw) return { url: ENTRA_V2_METADATA, testOnly: false };
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url?.protocol === 'https:' && ENTRA_HOSTS.includes(url.hostname.toLowerCase()) && !url.port) return { url: raw, testOnly: false };
  // Anything but Microsoft's own metadata decides who can sign tab tokens: only the test suite's local issuer.
  if (!testMode) throw new ConfigError('TAB_SSO_OPENID_METADATA_URL', `must be Microsoft Entra ID metadata (https://${ENTRA_HOSTS[0]}/…); any other issuer ${TEST_MODE_FIX}`);
  if (!/^(https:\/\/\S+|http:\/\/127\.0\.0\.1:\d+\/\S*)$/.test(raw)) {
    throw new ConfigError('TAB_SSO_OPENID_METADATA_URL', 'must be an https URL (or a loopback URL in tests); leave it unset in production.');
  }
  return { url: raw, testOnly: true };
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`: the interfaces nobody else can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.replace(/^::ffff:/, '');
  const parts = v4.split('.');
  return parts.length === 4 && parts[0] === '127' && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** The test-only switches; each is refused without `LOTSE_TEST_MODE=true`. */
function testSwitches(env: Env, testMode: boolean): { authOverrides: Record<string, string>; keys: string[] } {
  const authOverrides: Record<string, string> = {};
  const keys: string[] = [];
  for (const k of Object.keys(env).sort()) {
    // They point Bot Framework token validation at a local issuer.
    if (!k.startsWith('BOTAUTH_') || !text(env, k)) continue;
    if (!testMode) throw new ConfigError(k, TEST_MODE_FIX);
    authOverrides[k.slice('BOTAUTH_'.length)] = text(env, k) as string;
    keys.push(k);
  }
  return { authOverrides, keys };
}

const HTTPS_URL = /^https:\/\/[^\s/]+(\/[^\s]*)?$/;
const UPN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function graphSettings(
  env: Env,
  testMode: boolean,
  app: { microsoftAppId?: string; microsoftAppPassword?: string; microsoftAppTenantId?: string; microsoftAppType: AppConfig['microsoftAppType'] },
): GraphConfig | undefined {
  const enabled = oneOf(env, 'GRAPH_ENABLED', ['true', 'false'] as const, 'false') === 'true';
  const testPin = text(env, 'GRAPH_TEST_CERT_SHA256')?.toUpperCase();
  if (testPin && !testMode) throw new ConfigError('GRAPH_TEST_CERT_SHA256', TEST_MODE_FIX);
  if (!enabled) return undefined;
  if (!app.microsoftAppId || !app.microsoftAppTenantId) {
    throw new ConfigError('GRAPH_ENABLED', 'needs MicrosoftAppId and MicrosoftAppTenantId: Graph is called with the bot\'s own identity.');
  }
  const certificatePath = text(env, 'GRAPH_CERTIFICATE_PATH');
  const credential: GraphConfig['credential'] =
    app.microsoftAppType === 'UserAssignedMSI' ? 'managedIdentity' : certificatePath ? 'certificate' : 'secret';
  if (credential === 'secret' && !app.microsoftAppPassword) {
    throw new ConfigError('GRAPH_ENABLED', 'needs a credential: MicrosoftAppPassword, GRAPH_CERTIFICATE_PATH, or MicrosoftAppType=UserAssignedMSI.');
  }
  const url = (key: string, fallback: string): string => {
    const value = (text(env, key) ?? fallback).replace(/\/+$/, '');
    if (!HTTPS_URL.test(value)) throw new ConfigError(key, `must be an https URL (got "${value}").`);
    return value;
  };
  const mailbox = (key: string): string | undefined => {
    const value = text(env, key)?.toLowerCase();
    if (value && !UPN.test(value)) throw new ConfigError(key, `must be a mailbox's user principal name, e.g. kfi@bezreg-arnsberg.nrw.de (got "${value}").`);
    return value;
  };
  const group = (key: string): string | undefined => {
    const value = text(env, key)?.toLowerCase();
    if (value && !GUID.test(value)) throw new ConfigError(key, 'must be the object id (GUID) of an Entra security group.');
    return value;
  };
  const headOffice: Partial<Record<AuthorityCode, string>> = {};
  for (const code of AUTHORITY_CODES) {
    const id = group(`GRAPH_GROUP_HEAD_OFFICE_${code.toUpperCase()}`);
    if (id) headOffice[code] = id;
  }
  const staffGroups: Partial<Record<AuthorityCode, string>> = {};
  for (const code of AUTHORITY_CODES) {
    const id = group(`GRAPH_GROUP_STAFF_${code.toUpperCase()}`);
    if (id) staffGroups[code] = id;
  }
  const catalogId = text(env, 'GRAPH_TEAMS_CATALOG_APP_ID')?.toLowerCase();
  if (catalogId && !/^[0-9a-z-]{1,64}$/.test(catalogId)) throw new ConfigError('GRAPH_TEAMS_CATALOG_APP_ID', 'must be the app id from the tenant app catalog.');
  return Object.freeze({
    tenantId: app.microsoftAppTenantId.toLowerCase(),
    clientId: app.microsoftAppId.toLowerCase(),
    credential,
    clientSecret: credential === 'secret' ? app.microsoftAppPassword : undefined,
    certificatePath: credential === 'certificate' ? certificatePath : undefined,
    authorityHost: url('GRAPH_AUTHORITY_HOST', 'https://login.microsoftonline.com'),
    baseUrl: url('GRAPH_BASE_URL', 'https://graph.microsoft.com/v1.0'),
    teamsCatalogAppId: catalogId,
    meetingMailbox: mailbox('GRAPH_MEETING_MAILBOX'),
    mailFrom: mailbox('GRAPH_MAIL_FROM'),
    groups: Object.freeze({
      kfi: group('GRAPH_GROUP_KFI'),
      directoryAdmins: group('GRAPH_GROUP_DIRECTORY_ADMINS'),
      circleMembers: group('GRAPH_GROUP_CIRCLE_MEMBERS'),
      headOffice: Object.freeze(headOffice),
    }),
    groupCacheMs: integer(env, 'GRAPH_GROUP_CACHE_SECONDS', 300, 10, 86_400) * 1000,
    staffGroups: Object.freeze(staffGroups),
    testCertificateSha256: testPin,
  });
}

/** Parses and validates the environment. Throws `ConfigError` naming the first bad key. */
export function loadConfig(env: Env = process.env): AppConfig {
  const testMode = oneOf(env, 'LOTSE_TEST_MODE', ['true', 'false'] as const, 'false') === 'true';
  const switches = testSwitches(env, testMode);
  const microsoftAppId = text(env, 'MicrosoftAppId');
  if (microsoftAppId && !GUID.test(microsoftAppId)) {
    throw new ConfigError('MicrosoftAppId', 'must be the Application (client) ID GUID of the bot registration.');
  }
  const microsoftAppType = oneOf(env, 'MicrosoftAppType', APP_TYPES, 'SingleTenant');
  const microsoftAppPassword = text(env, 'MicrosoftAppPassword');
  const microsoftAppTenantId = text(env, 'MicrosoftAppTenantId');
  const teamsAppId = (text(env, 'TEAMS_APP_ID') ?? microsoftAppId)?.toLowerCase();
  if (teamsAppId && !GUID.test(teamsAppId)) throw new ConfigError('TEAMS_APP_ID', 'must be a GUID (default: MicrosoftAppId).');
  if (microsoftAppId && microsoftAppType !== 'MultiTenant' && !microsoftAppTenantId) {
    throw new ConfigError('MicrosoftAppTenantId', `is required for a ${microsoftAppType} bot: set it to your Entra tenant ID.`);
  }
  if (microsoftAppTenantId && !GUID.test(microsoftAppTenantId)) {
    throw new ConfigError('MicrosoftAppTenantId', 'must be a tenant ID GUID.');
  }
  const allowedTenantIds = guidList(env, 'ALLOWED_TENANT_IDS');
  if (microsoftAppId && allowedTenantIds.length === 0) {
    throw new ConfigError(
      'ALLOWED_TENANT_IDS',
      'must list the tenant ID(s) the bot serves when MicrosoftAppId is set (an empty list means "any tenant", allowed only in local development).',
    );
  }

  const endpoint = text(env, 'COSMOS_ENDPOINT');
  if (endpoint && !/^https:\/\/[^\s/]+(:\d+)?\/?$/.test(endpoint)) {
    throw new ConfigError('COSMOS_ENDPOINT', 'must be the account URI, e.g. https://myaccount.documents.azure.com:443/.');
  }
  const key = text(env, 'COSMOS_KEY');
  if (key && !endpoint) {
    throw new ConfigError('COSMOS_KEY', 'is set but COSMOS_ENDPOINT is not: set both, or neither for the embedded database.');
  }
  const certificateSha256 = text(env, 'COSMOS_CERT_SHA256')?.toUpperCase();
  if (certificateSha256 && !/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(certificateSha256)) {
    throw new ConfigError('COSMOS_CERT_SHA256', 'must be a SHA-256 fingerprint like AB:CD:…, as printed by `npm run db`.');
  }
  if (certificateSha256 && !endpoint) {
    throw new ConfigError('COSMOS_CERT_SHA256', 'only makes sense with COSMOS_ENDPOINT (a local embedded server started by `npm run db`).');
  }
  const databaseId = text(env, 'COSMOS_DATABASE') ?? 'integrations-lotse';
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/.test(databaseId)) {
    throw new ConfigError('COSMOS_DATABASE', 'may contain letters, digits, "-" and "_" only.');
  }
  const seedRaw = oneOf(env, 'SEED_DEMO_DIRECTORY', ['true', 'false'] as const, endpoint ? 'false' : 'true');

  const publicBaseUrl = text(env, 'PUBLIC_BASE_URL')?.replace(/\/+$/, '');
  if (publicBaseUrl && !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(publicBaseUrl)) {
    throw new ConfigError('PUBLIC_BASE_URL', 'must be the service URL, e.g. https://lotse.example.org.');
  }
  const host = text(env, 'HOST') ?? (microsoftAppId ? '0.0.0.0' : '127.0.0.1');
  if (!microsoftAppId && !isLoopbackHost(host)) {
    // Without an app ID nothing is authenticated: anyone who reaches the port could act as anyone.
    throw new ConfigError('HOST', `is ${JSON.stringify(host)}, not a loopback address, but MicrosoftAppId is not set, so requests would not be authenticated: set MicrosoftAppId (with ALLOWED_TENANT_IDS), or HOST=127.0.0.1 for local development.`);
  }
  const tabSso = tabSsoMetadata(env, testMode);
  const tabAppId = tabAppIdOf(env, microsoftAppId, microsoftAppType);

  const graph = graphSettings(env, testMode, { microsoftAppId, microsoftAppPassword, microsoftAppTenantId, microsoftAppType });

  const config: AppConfig = {
    graph,
    port: integer(env, 'PORT', 3978, 0, 65535),
    host,
    publicBaseUrl,
    microsoftAppId,
    microsoftAppPassword,
    microsoftAppTenantId,
    microsoftAppType,
    teamsAppId,
    allowedTenantIds,
    maxBodyBytes: bytes(env, 'MAX_BODY_BYTES', 256 * 1024),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    cosmos: Object.freeze({
      endpoint,
      key,
      managedIdentityClientId: microsoftAppType === 'UserAssignedMSI' ? microsoftAppId?.toLowerCase() : undefined,
      certificateSha256,
      databaseId,
      seedDemo: seedRaw === 'true' || !endpoint,
    }),
    adminAadObjectIds: guidList(env, 'ADMIN_AAD_OBJECT_IDS'),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 120_000),
    telemetry: telemetrySettings(env),
    requests: Object.freeze(requestSettings(env)),
    circleRetentionDays: integer(env, 'CIRCLE_RETENTION_DAYS', 730, 30, 3650),
    posts: Object.freeze(postSettings(env)),
    directoryConfirmMonths: integer(env, 'DIRECTORY_CONFIRM_MONTHS', 6, 1, 36),
    paperFiles: Object.freeze({
      maxBytes: integer(env, 'PAPER_FILE_MAX_MB', 10, 1, 50) * 1024 * 1024,
      retentionDays: integer(env, 'PAPER_FILE_RETENTION_DAYS', 14, 1, 90),
      hosts: Object.freeze(fileHosts(env)),
    }),
    retention: Object.freeze({
      userIdleDays: integer(env, 'USER_IDLE_RETENTION_DAYS', 365, 1, 3650),
      directoryAuditDays: integer(env, 'DIRECTORY_AUDIT_RETENTION_DAYS', 730, 30, 3650),
      conversationDays: integer(env, 'CONVERSATION_RETENTION_DAYS', 30, 1, 3650),
      outboxDays: integer(env, 'OUTBOX_RETENTION_DAYS', 30, 1, 3650),
    }),
    outboxLeaseMs: integer(env, 'OUTBOX_LEASE_MS', 60_000, 3_000, 600_000),
    outboxJournalDir: journalDir(env),
    botInstanceCount: integer(env, 'BOT_INSTANCE_COUNT', 1, 1, 30),
    deliveryBusyCallsPerSecond: integer(env, 'DELIVERY_BUSY_CALLS_PER_SECOND', 1, 0, 30),
    deliveryBusyHoldMs: integer(env, 'DELIVERY_BUSY_HOLD_SECONDS', 20, 0, 200) * 1000,
    relay: { sweepMs: integer(env, 'RELAY_SWEEP_SECONDS', 30, 1, 3_600) * 1000, graceMs: integer(env, 'RELAY_GRACE_SECONDS', 10, 0, 3_600) * 1000 },
    jobs: { pollMs: integer(env, 'JOB_POLL_SECONDS', 15, 1, 600) * 1000, leaseMs: integer(env, 'JOB_LEASE_SECONDS', 120, 10, 3_600) * 1000 },
    testMode,
    testSwitches: Object.freeze([...switches.keys, ...(tabSso.testOnly ? ['TAB_SSO_OPENID_METADATA_URL'] : []), ...(graph?.testCertificateSha256 ? ['GRAPH_TEST_CERT_SHA256'] : [])]),
    authOverrides: Object.keys(switches.authOverrides).length ? Object.freeze(switches.authOverrides) : undefined,
    outboundProxy: ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((k) => text(env, k) !== undefined),
    tabSsoMetadataUrl: tabSso.url,
    tabSsoAllowedClientIds: Object.freeze(text(env, 'TAB_SSO_ALLOWED_CLIENT_IDS') ? guidList(env, 'TAB_SSO_ALLOWED_CLIENT_IDS') : [...TEAMS_CLIENT_IDS]),
    tabAppId,
  };
  return Object.freeze(config);
}

/** The Application Insights connection string, checked for the part every one has (the resource's Overview shows it). */
function telemetrySettings(env: Env): AppConfig['telemetry'] {
  const connectionString = text(env, 'APPLICATIONINSIGHTS_CONNECTION_STRING');
  if (connectionString === undefined) return undefined;
  if (!/(^|;)\s*InstrumentationKey=[0-9a-f-]{36}\s*(;|$)/i.test(connectionString)) {
    throw new ConfigError('APPLICATIONINSIGHTS_CONNECTION_STRING', 'is not an Application Insights connection string: copy it from the resource\'s Overview page ("InstrumentationKey=…;IngestionEndpoint=…"), or leave it unset for no telemetry.');
  }
  return Object.freeze({ connectionString });
}

/** What `npm run package` needs to write the Teams app package. */
export interface PackageConfig {
  readonly botId: string;
  readonly teamsAppId: string;
  /** Host name from PUBLIC_BASE_URL (https only: Teams loads the tab and the SSO resource from it). */
  readonly host: string;
  readonly version: string;
  /** The tab's Entra app (TAB_APP_ID, see `AppConfig.tabAppId`); `undefined`: the manifest has no `webApplicationInfo`. */
  readonly tabAppId?: string;
}

/**
 * Reads the packaging keys (MicrosoftAppId, MicrosoftAppType, PUBLIC_BASE_URL, TEAMS_APP_ID, TAB_APP_ID,
 * TEAMS_APP_VERSION). Throws `ConfigError`.
 */
export function loadPackageConfig(env: Env = process.env): PackageConfig {
  const botId = text(env, 'MicrosoftAppId');
  if (!botId || !GUID.test(botId)) {
    throw new ConfigError('MicrosoftAppId', 'is required for the app package: the Application (client) ID GUID of the bot registration.');
  }
  const base = text(env, 'PUBLIC_BASE_URL');
  const m = base ? /^https:\/\/([a-z0-9.-]+)(:\d+)?\/?$/i.exec(base) : null;
  if (!m) {
    throw new ConfigError('PUBLIC_BASE_URL', 'is required for the app package: the https URL of the service without a path, e.g. https://lotse.example.org.');
  }
  const teamsAppId = text(env, 'TEAMS_APP_ID') ?? botId;
  if (!GUID.test(teamsAppId)) throw new ConfigError('TEAMS_APP_ID', 'must be a GUID (default: MicrosoftAppId).');
  const version = text(env, 'TEAMS_APP_VERSION') ?? '1.0.0';
  if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(version)) throw new ConfigError('TEAMS_APP_VERSION', 'must be a version like 1.0.0.');
  const tabAppId = tabAppIdOf(env, botId, oneOf(env, 'MicrosoftAppType', APP_TYPES, 'SingleTenant'));
  return Object.freeze({ botId: botId.toLowerCase(), teamsAppId: teamsAppId.toLowerCase(), host: m[1].toLowerCase(), version, tabAppId });
}
