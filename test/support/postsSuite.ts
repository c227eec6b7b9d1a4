import type { PostDoc } from '../../services/posts/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, type TeamsUser } from './activities';
import { OFFLINE_OUTBOUND_TOKEN, OfflineCredentialsFactory, testModeAuthEnv } from './authConfig';
import { readVisible } from './cardReading';
import { startChannelEmulator, type ChannelEmulator, type ConnectorActivity } from './channelEmulator';
import { eventually } from './circle';
import { startGraphStandIn, type GraphStandIn, type GraphStandInOptions } from './graphStandIn';
import { startTabApp, TAB_AUDIENCE } from './tabApp';
import { tabCall } from './tabCall';
import { startTestApp, type TestApp } from './testApp';
import { startTokenIssuer, type TokenIssuer } from './tokenIssuer';

/** The bot's app id in the posts suites. */
export const APP_ID = DEFAULT_BOT_APP_ID;

/** The Adaptive Card of an activity the bot sent, if any. */
export const cardOf = (a: ConnectorActivity) => a.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content as Record<string, unknown> | undefined;
/** What a card shows, as a user reads it, one text a line. */
export const textOf = (card: unknown) => readVisible((card ?? {}) as Record<string, unknown>).texts.map((t) => t.text).join('\n');
/** The personal chat of a person with the bot. */
export const chatOf = (person: TeamsUser) => personalConversationId(person.id, APP_ID);

export interface PostsSuiteOptions {
  databaseId: string;
  now: () => Date;
  /** The Graph stand-in's options; without them the suite starts no Graph stand-in. */
  graph?: GraphStandInOptions;
  /** Set-up of the Graph stand-in before the service starts (users, groups). */
  prepareGraph?: (graph: GraphStandIn) => void;
  /** Settings beyond the Graph stand-in's own (`graph.env()`, added when there is a stand-in). */
  env?: Record<string, string>;
  /**
   * 'tab' (default): the service with the tab's SSO (`startTabApp`); 'bot': the service with the bot's authentication
   * only (`startTestApp` in test mode with offline credentials).
   */
  host?: 'tab' | 'bot';
}

export interface PostsSuite {
  readonly issuer: TokenIssuer;
  readonly emulator: ChannelEmulator;
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
  /** A card action (`verb` with `data`) by `from` in `locale`. */
  act(verb: string, data: Record<string, unknown>, from: TeamsUser, locale?: string): ReturnType<TestApp['post']>;
  /** Every post stored. */
  allPosts(): Promise<PostDoc[]>;
  /** The information posts (cards) in a person's personal chat. */
  postsIn(person: TeamsUser): ConnectorActivity[];
  /** The reminders in a person's personal chat. */
  remindersIn(person: TeamsUser): ConnectorActivity[];
  /**
   * Sends a post with `input` as `sender` through the tab; returns the stored post once its cards are delivered. The
   * clock stands still: the new post is the one this suite has not returned before.
   */
  sendPost(sender: string, input: Record<string, string>): Promise<PostDoc>;
}

/**
 * The posts suites' set-up (registered as this describe block's beforeAll/afterAll): a local token issuer endorsing
 * msteams, the channel emulator expecting the offline outbound token, the Graph stand-in (when asked for), a database
 * of its own and the service on the clock `now`. Installing the app for people is each suite's own set-up.
 */
export function usePostsSuite(options: PostsSuiteOptions): PostsSuite {
  let issuer: TokenIssuer;
  let emulator: ChannelEmulator;
  let graph: GraphStandIn | undefined;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  const token = (oid: string) => issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE });
  const call = (method: string, path: string, oid: string, body?: unknown, lang = 'de-DE') => tabCall(app.url, token(oid), method, path, body, lang);
  const post = (activity: unknown) => app.post(activity, { headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } });
  const act = (verb: string, data: Record<string, unknown>, from: TeamsUser, locale = 'de-DE') => post(teams.cardAction(verb, data, { from, locale }));
  const allPosts = () => database.store<PostDoc>(CONTAINERS.posts).query<PostDoc>({ query: "SELECT * FROM c WHERE c.type = 'post'" });
  const postsIn = (person: TeamsUser) => emulator.activitiesTo(chatOf(person)).filter((a) => String(a.summary ?? '').startsWith('Information'));
  const remindersIn = (person: TeamsUser) => emulator.activitiesTo(chatOf(person)).filter((a) => /^(Erinnerung|Reminder): /.test(a.text ?? ''));

  const seen = new Set<string>();
  async function sendPost(sender: string, input: Record<string, string>): Promise<PostDoc> {
    const res = await call('POST', '/api/tab/send', sender, { kind: 'post', input });
    expect(res.status).toBe(200);
    const fresh = (await allPosts()).filter((p) => !seen.has(p.pk));
    expect(fresh).toHaveLength(1);
    const doc = fresh[0]!;
    seen.add(doc.pk);
    await eventually(async () => {
      const r = await app.delivery.reports.report(`post:${doc.pk}:announce`);
      const en = await app.delivery.reports.report(`post:${doc.pk}:announce:en`);
      return r.total + en.total === doc.recipients.length && r.pending + en.pending === 0;
    });
    await app.delivery.whenIdle();
    return doc;
  }

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: APP_ID, endorsements: ['msteams'] });
    emulator = await startChannelEmulator({ expectedAuthorization: `Bearer ${OFFLINE_OUTBOUND_TOKEN}` });
    if (options.graph) {
      graph = await startGraphStandIn(options.graph);
      options.prepareGraph?.(graph);
    }
    database = await openDatabase({ databaseId: options.databaseId });
    const env = { ...graph?.env(), ...options.env };
    app =
      options.host === 'bot'
        ? await startTestApp(
            { ...env, HOST: '127.0.0.1', ...testModeAuthEnv({ appId: APP_ID, issuer, tenantId: DEFAULT_TENANT_ID }) },
            { database, credentialsFactory: new OfflineCredentialsFactory(APP_ID), now: options.now },
          )
        : await startTabApp(issuer, { database, now: options.now, env });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: APP_ID });
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
      if (!graph) throw new Error('this posts suite started no Graph stand-in');
      return graph;
    },
    get database() { return database; },
    get app() { return app; },
    get teams() { return teams; },
    post,
    token,
    call,
    act,
    allPosts,
    postsIn,
    remindersIn,
    sendPost,
  };
}
