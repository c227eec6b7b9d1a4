import type { CadenceDoc } from '../../services/circle/cadenceService';
import type { CircleDoc, PollDoc } from '../../services/circle/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { DocumentStore } from '../../services/storage/documentStore';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, user } from './activities';
import { startChannelEmulator, type ChannelEmulator } from './channelEmulator';
import { KFI_LEAD } from './circle';
import { startTabApp, TAB_AUDIENCE } from './tabApp';
import type { TestApp } from './testApp';
import { startTokenIssuer, type TokenIssuer } from './tokenIssuer';

/** The second KfI member of the demo directory; uses Teams in English. */
export const KFI_CIRCLE = user({ name: 'Felix Format (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000600000002', locale: 'en-GB' });

/** Wednesday, 20 January 2027, 10:00 in Berlin: where the cadence suites' clock starts. */
export const CADENCE_START = new Date('2027-01-20T09:00:00Z');

/**
 * Quarterly on the second Tuesday (January, April, July, October), 10:00 for two hours, prepared six weeks ahead; a
 * date poll with two alternatives (`poll`), or a meeting invitation with the one date (`meeting`). The tab's form.
 */
export const quarterlyRule = (kind: 'poll' | 'meeting') => ({ active: 'on', kind, unit: 'month', interval: '3', weekday: '2', week: '2', from: '2027-01-01', time: '10:00', duration: '120', leadWeeks: '6', alternatives: '2', title: 'Koordinierungskreis Q2 (Beispiel)', place: 'Arnsberg, Raum 36 (Beispiel)', onlineUrl: '' });

export interface CadenceSuite {
  readonly issuer: TokenIssuer;
  readonly emulator: ChannelEmulator;
  readonly database: AppDatabase;
  readonly app: TestApp;
  readonly teams: ReturnType<typeof activityBuilders>;
  readonly store: DocumentStore<CircleDoc>;
  /** Posts an activity as the Bot Connector would, with a bot token from the local issuer. */
  post(activity: unknown): ReturnType<TestApp['post']>;
  /** Calls a tab route as the Entra user `oid`, in the language `lang`. */
  tab(method: string, path: string, oid: string, body?: unknown, lang?: string): Promise<{ status: number; body: any }>;
  cadence(): Promise<CadenceDoc | undefined>;
  polls(): Promise<PollDoc[]>;
  /**
   * Every circle activity the channel accepted (posts, and the first post of a new 1:1 chat), as JSON text: draft cards,
   * poll cards and announcements. Other features' jobs (the directory's confirmation prompts) also run when the clock
   * moves on.
   */
  posted(): string[];
  /** Delivers what is pending, runs the jobs that are due, and delivers what they left. */
  idle(): Promise<void>;
}

/**
 * The cadence suites' set-up (registered as this describe block's beforeAll/afterAll): a local token issuer, the
 * channel emulator, a database of its own, the service with the tab on the clock `now`; every circle member has the
 * app, and the two KfI members have written to the bot (Felix in English); the emulator's records start empty.
 */
export function useCadenceSuite(databaseId: string, now: () => Date): CadenceSuite {
  let issuer: TokenIssuer;
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  let store: DocumentStore<CircleDoc>;

  const bearer = () => ({ headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } });
  const post = (activity: unknown) => app.post(activity, bearer());
  async function tab(method: string, path: string, oid: string, body?: unknown, lang = 'de-DE') {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE })}`, 'accept-language': lang, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }
  const cadence = async () => (await store.read('cadence', 'cadence')) as CadenceDoc | undefined;
  const polls = () => store.query<PollDoc>({ query: 'SELECT * FROM c WHERE c.type = "poll"' });
  const posted = () =>
    emulator.calls
      .filter((c) => (c.operation === 'send' || c.operation === 'createConversation') && c.status < 300)
      .map((c) => JSON.stringify(c.activity ?? (c.body as { activity?: unknown })?.activity ?? null))
      .filter((text) => text.includes('"verb":"circle.'));
  const idle = async () => {
    await app.delivery.whenIdle();
    await app.jobs.runDue();
    await app.delivery.whenIdle();
  };

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId });
    app = await startTabApp(issuer, { database, now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    store = database.store<CircleDoc>(CONTAINERS.circle);
    // Every member has the app, and the two KfI members have written to the bot (Felix in English).
    for (const m of await app.circle.members()) expect((await post(teams.installationUpdate('add', { from: user({ name: m.name, aadObjectId: m.aadObjectId }) }))).status).toBe(200);
    expect((await post(teams.message('Hilfe', { from: KFI_LEAD }))).status).toBe(200);
    expect((await post(teams.message('Help', { from: KFI_CIRCLE, locale: 'en-GB' }))).status).toBe(200);
    await idle();
    emulator.reset();
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
    await issuer.close();
  });

  return {
    get issuer() { return issuer; },
    get emulator() { return emulator; },
    get database() { return database; },
    get app() { return app; },
    get teams() { return teams; },
    get store() { return store; },
    post,
    tab,
    cadence,
    polls,
    posted,
    idle,
  };
}
