import type { DeliveryReport } from '../../services/notifications/reach';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID } from './activities';
import { OFFLINE_OUTBOUND_TOKEN, OfflineCredentialsFactory, testModeAuthEnv } from './authConfig';
import { startChannelEmulator, type ChannelEmulator } from './channelEmulator';
import { startGraphStandIn, type GraphStandIn, type GraphStandInOptions } from './graphStandIn';
import { startTabApp, TAB_AUDIENCE } from './tabApp';
import { tabCall } from './tabCall';
import { startTestApp, type TestApp } from './testApp';
import { startTokenIssuer, type TokenIssuer } from './tokenIssuer';

export interface GraphBotSuiteOptions {
  databaseId: string;
  /** The service's clock; without it, the test app's default. */
  now?: () => Date;
  /** The Graph stand-in's options; without them the suite starts no Graph stand-in. */
  graph?: GraphStandInOptions;
  /** Set-up of the Graph stand-in before the service starts (users, groups, hooks that tell the channel emulator). */
  prepareGraph?: (graph: GraphStandIn, emulator: ChannelEmulator) => void;
  /** Settings beyond the Graph stand-in's own (`graph.env()`, added when there is a stand-in). */
  env?: Record<string, string> | ((graph: GraphStandIn | undefined) => Record<string, string>);
  /**
   * 'tab' (default): the service with the tab's SSO (`startTabApp`); 'bot': the service with the bot's authentication
   * only (`startTestApp` in test mode with offline credentials).
   */
  host?: 'tab' | 'bot';
}

export interface GraphBotSuite {
  readonly issuer: TokenIssuer;
  readonly emulator: ChannelEmulator;
  /** The Graph stand-in (only when the options asked for one). */
  readonly graph: GraphStandIn;
  readonly database: AppDatabase;
  readonly app: TestApp;
  readonly teams: ReturnType<typeof activityBuilders>;
  /** Posts an activity as the Bot Connector would, with a bot token from the local issuer. */
  post(activity: unknown): ReturnType<TestApp['post']>;
  /** A tab SSO token (Entra v2) for the user `oid`, from the local issuer. */
  token(oid: string): string;
  /** Calls a tab route as the Entra user `oid`, in the language `lang`. */
  call(method: string, path: string, oid: string, body?: unknown, lang?: string): Promise<{ status: number; body: any }>;
}

/**
 * The set-up of a suite of the real bot over HTTP with Graph (registered as this describe block's beforeAll/afterAll):
 * a local token issuer endorsing msteams, the channel emulator expecting the offline outbound token, the Graph stand-in
 * (when asked for), a database of its own, and the service (with the tab, or the bot only). Installing the app for
 * people is each suite's own set-up.
 */
export function useGraphBotSuite(options: GraphBotSuiteOptions): GraphBotSuite {
  const appId = DEFAULT_BOT_APP_ID;
  let issuer: TokenIssuer;
  let emulator: ChannelEmulator;
  let graph: GraphStandIn | undefined;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  const token = (oid: string) => issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE });
  const call = (method: string, path: string, oid: string, body?: unknown, lang = 'de-DE') => tabCall(app.url, token(oid), method, path, body, lang);
  const post = (activity: unknown) => app.post(activity, { headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } });

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId, endorsements: ['msteams'] });
    emulator = await startChannelEmulator({ expectedAuthorization: `Bearer ${OFFLINE_OUTBOUND_TOKEN}` });
    if (options.graph) {
      graph = await startGraphStandIn(options.graph);
      options.prepareGraph?.(graph, emulator);
    }
    database = await openDatabase({ databaseId: options.databaseId });
    const env = { ...graph?.env(), ...(typeof options.env === 'function' ? options.env(graph) : options.env) };
    app =
      options.host === 'bot'
        ? await startTestApp(
            { ...env, HOST: '127.0.0.1', ...testModeAuthEnv({ appId, issuer, tenantId: DEFAULT_TENANT_ID }) },
            { database, credentialsFactory: new OfflineCredentialsFactory(appId), now: options.now },
          )
        : await startTabApp(issuer, { database, now: options.now, env });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: appId });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
    await graph?.close();
    await emulator?.close();
    await issuer?.close();
  });

  return {
    get issuer() { return issuer; },
    get emulator() { return emulator; },
    get graph() {
      if (!graph) throw new Error('this suite started no Graph stand-in');
      return graph;
    },
    get database() { return database; },
    get app() { return app; },
    get teams() { return teams; },
    post,
    token,
    call,
  };
}

/** The delivery report of `key` once it has recipients and none pending; fails after `timeoutMs`. */
export async function settledReport(app: TestApp, key: string, timeoutMs: number): Promise<DeliveryReport> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const report = await app.delivery.reports.report(key);
    if (report.total > 0 && report.pending === 0) return report;
    if (Date.now() > until) throw new Error(`not settled: ${key} (${JSON.stringify(report)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
