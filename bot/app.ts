import { readFileSync } from 'node:fs';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { HelpSection } from '../cards/helpCard';
import { createAnswerEngine } from '../services/answers/engine';
import { loadKnowledge } from '../services/answers/knowledge';
import { LiveAnswers } from '../services/answers/liveAnswers';
import { UnansweredQuestions, type UnansweredQuestion } from '../services/answers/unansweredQuestions';
import { FiguresReader, QuestionCounter, type WeekCountsDoc } from '../services/answers/figures';
import { KnowledgeOverlayService } from '../services/answers/knowledgeOverlayService';
import { KnowledgeOverlayStore, type OverlayEntryDoc } from '../services/answers/knowledgeOverlayStore';
import { AuditLog, type AuditEntry } from '../services/audit/auditLog';
import { DirectoryRepository, type DirectoryDoc } from '../services/directory/directoryRepository';
import { GroupRoles, roleGroupIds, type GroupSnapshot } from '../services/directory/groupRoles';
import { loadGazetteer } from '../services/directory/gazetteer';
import { skeletonDirectory } from '../services/directory/skeleton';
import { parseDirectory } from '../services/directory/validate';
import type { Logger } from '../services/logging';
import { dataFile } from '../services/paths';
import type { ItemDoc } from '../services/requests/model';
import { RequestNotifier } from '../services/requests/notifications';
import { HEAD_REACH_KEYS, headReachListener, type HeadReachDeps } from '../services/requests/headReach';
import { CIRCLE_REACH_KEYS, circleReachListener } from '../services/circle/reach';
import { CIRCLE_SOURCE } from '../services/circle/notifications';
import { JOB_KINDS, REQUESTS_SOURCE, RequestService } from '../services/requests/requestService';
import { reportIcs } from '../services/requests/termin';
import { RequestViews } from '../services/requests/views';
import { collectMyData, type MyData } from '../services/privacy/myData';
import { eraseMyData } from '../services/privacy/erasure';
import { DIRECTORY_AUDIT_PREFIX, PRIVACY_JOB_KINDS, purgeExpiredData } from '../services/privacy/retention';
import { systemClock } from '../services/common/clock';
import { berlinDate } from '../services/common/berlinTime';
import { CONTAINERS } from '../services/storage/containers';
import { startTelemetry } from '../services/telemetry/start';
import { observeOutbox } from '../services/telemetry/outboxGauges';
import { openDatabase, type AppDatabase } from '../services/storage/database';
import { FileSendJournal, type SendJournal } from '../services/notifications/sendJournal';
import { Scheduler, startJobRunner, type JobDoc, type JobHandler, type JobRunner } from '../services/scheduling/scheduler';
import { UserProfileRepository, type UserProfile } from '../services/users/userProfiles';
import { createAdapter } from './adapter';
import { createGraphPort } from './graph';
import { describeFeatures, type GraphPort } from '../services/graph/graphPort';
import { ReplyPoster } from './delivery/replyPoster';
import { startDelivery, type Delivery } from './delivery/startDelivery';
import type { AppConfig } from './config';
import { answersFeature } from './handlers/answers';
import { circleFeature, circleProfiles } from './handlers/circle';
import { cadenceFeature } from './handlers/cadence';
import { CircleService, JOB_KINDS as CIRCLE_JOB_KINDS } from '../services/circle/circleService';
import type { CircleDoc } from '../services/circle/model';
import type { PostsDoc } from '../services/posts/model';
import { POST_JOB_KINDS, POST_REACH_KEYS } from '../services/posts/notifications';
import { StaffRoster } from '../services/posts/staffRoster';
import { cadenceTrailBy } from '../services/circle/cadenceData';
import type { CadenceDoc } from '../services/circle/cadenceService';
import { taughtBy } from '../services/answers/knowledgeData';
import { PostService } from '../services/posts/postService';
import { postsFeature } from './handlers/posts';
import { paperFileHandlers } from './handlers/paperFiles';
import { PaperFileStore } from '../services/requests/paperFileStore';
import { directoryFeature, graphPersonLookup, renderConfirmPrompt } from './handlers/directory';
import { DirectoryEntryEditor } from '../services/directory/entryEditor';
import { CONFIRM_PROMPT_JOB, ConfirmPrompts, DIRECTORY_SOURCE, nextPromptRun } from '../services/directory/confirmPrompts';
import { langOf } from './texts';
import { refreshIdsFrom } from './handlers/refreshIds';
import { requestsFeature } from './handlers/requests';
import { helpFeature } from './handlers/help';
import { myDataFeature } from './handlers/myData';
import type { Feature, IntentHandler } from './handlers/types';
import { startServer, type RunningServer } from './server';
import { TurnLoad } from './turnLoad';
import { projectRoot } from '../services/paths';
import { DOWNLOADS_SUB_ENTITY, tabDeepLink } from './tab/deepLink';
import type { TabSources } from './tab/sources';
import { SsoTokenValidator } from './tab/ssoToken';
import { registerTabRoutes } from './tab/tabRoutes';
import type { KnowledgeRouteDeps } from './tab/knowledgeRoutes';
import { peopleSearch } from './tab/directoryRoutes';
import { TabService } from './tab/tabService';
import { workflowTabSources } from './tab/workflowSources';
import { personalIntents, TeamsBot } from './teamsBot';
import type { Lang } from './texts';

export interface AppOptions {
  logger: Logger;
  /** Outbound credentials that never call the identity provider (tests with an app ID). */
  credentialsFactory?: ServiceClientCredentialsFactory;
  /** Use this database instead of opening one (tests sharing one embedded server). */
  database?: AppDatabase;
  /** For tests: the clock the features use. */
  now?: () => Date;
  /** For tests: how often the job runner polls (default 15 s). */
  jobPollMs?: number;
  /** Extra sections of the personal tab (tests of the tab seam); the workflows' own sources are wired below. */
  tabSources?: TabSources;
}

export interface RunningApp {
  readonly url: string;
  readonly port: number;
  readonly database: AppDatabase;
  readonly answers: LiveAnswers;
  /** Proactive delivery: the outbox features enqueue into. */
  readonly delivery: Delivery;
  /** Scheduled steps (reminders, escalations) kept in the `jobs` container. */
  readonly scheduler: Scheduler;
  /** Runs due jobs; tests call `runDue()` to step through time. */
  readonly jobs: JobRunner;
  /** The Koordinierungskreis (for a personal tab and tests). */
  readonly circle: CircleService;
  /** Anliegen and Vorträge: the service the bot's cards and the tab call. */
  readonly requests: RequestService;
  /** Information posts of the IB and the KfI (for the tab and tests). */
  readonly posts: PostService;
  /** "Meine Daten" of one person, as the chat summary and the tab's download build it. */
  readonly myData: (aadObjectId: string) => Promise<MyData>;
  /** Stops accepting, finishes in-flight turns, closes the database client. */
  stop(): Promise<void>;
}

const DIRECTORY_REFRESH_MS = 60_000;
/** Question counts are added to the weekly figures this often (and at stop); docs/operations.md. */
const FIGURES_FLUSH_MS = 60_000;
const PURGE_INTERVAL_MS = 60 * 60_000;
/** How long a user profile read is reused in this process (see UserProfileRepository). */
const PROFILE_CACHE_MS = 30_000;

/** Loads the demo directory into an empty database (embedded, or when SEED_DEMO_DIRECTORY=true). */
async function seedDemoDirectory(repo: DirectoryRepository, logger: Logger, now?: Date): Promise<void> {
  if (await repo.revision()) return;
  const result = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
  if (!result.ok) throw new Error(`data/demo-directory.json is invalid: ${result.problems.map((p) => `${p.path} ${p.reason}`).join('; ')}`);
  await repo.importDirectory(result.directory, 'seed', now);
  logger.warn({ event: 'directory.demo_seeded' }, 'Loaded the demo directory: all people in it are fictitious ("… (Beispiel)").');
}

/** Says once at start whether Graph is on, and which of its features the granted permissions allow. */
async function announceGraph(graph: GraphPort | undefined, logger: Logger): Promise<void> {
  if (!graph) {
    logger.info(
      { event: 'graph.off' },
      'Microsoft Graph is not configured (GRAPH_ENABLED): no proactive installation, directory names must be object ids, roles come from the directory only, meeting links are free text.',
    );
    return;
  }
  try {
    const { on, off } = describeFeatures(await graph.features());
    logger.info(
      { event: 'graph.on', on, off: off.map((o) => `${o.feature} (${o.missing})`) },
      `Microsoft Graph: on: ${on.join(', ') || 'nothing'}; off: ${off.map((o) => `${o.feature} (needs ${o.missing})`).join(', ') || 'nothing'}`,
    );
  } catch (err) {
    // Not fatal: each feature asks again when it needs Graph, and reports what it could not do.
    logger.warn({ event: 'graph.unavailable', code: (err as { code?: string })?.code ?? 'unknown' }, 'Microsoft Graph is configured but no token could be had: its features are off until one can.');
  }
}

/**
 * The send journal (OUTBOX_JOURNAL_DIR), for a database that outlives the process: none for the embedded one (its
 * outbox dies with the process) nor for a database handed in by a test. A journal that cannot be opened is logged
 * and left out: sends are then repeated after a crash, as without it.
 */
function openSendJournal(config: AppConfig, database: AppDatabase, ownsDatabase: boolean, logger: Logger): SendJournal | undefined {
  if (!config.outboxJournalDir || !ownsDatabase || database.embedded) return undefined;
  try {
    const file = FileSendJournal.fileFor(config.outboxJournalDir, { endpoint: database.endpoint, databaseId: config.cosmos.databaseId });
    const journal = FileSendJournal.open(file, { clock: systemClock });
    logger.info({ event: 'outbox.journal_opened', openEntries: journal.size }, 'send journal opened');
    return journal;
  } catch (err) {
    logger.warn({ event: 'outbox.journal_unavailable', code: (err as { code?: string })?.code ?? 'unknown' }, 'no send journal: a send cut off from its record by a crash is repeated');
    return undefined;
  }
}

/** Composition root: wires configuration, storage, features, bot, adapter and HTTP server. */
export async function startApp(config: AppConfig, options: AppOptions): Promise<RunningApp> {
  const { logger } = options;
  const database = options.database ?? (await openDatabase({ ...config.cosmos }));
  const ownsDatabase = !options.database;
  if (database.embedded) {
    logger.warn(
      { event: 'storage.embedded', endpoint: database.endpoint },
      'No COSMOS_ENDPOINT configured: using the embedded Cosmos DB-compatible server on loopback. Data is kept in memory and is gone when the process stops.',
    );
  } else {
    logger.info({ event: 'storage.cosmos', endpoint: database.endpoint, databaseId: config.cosmos.databaseId }, 'Using Azure Cosmos DB');
  }

  // Microsoft Graph (optional): who is reachable, installed, in which group; the circle's Teams meeting.
  const graph: GraphPort | undefined = config.graph ? createGraphPort(config.graph, { logger, teamsAppId: config.teamsAppId }) : undefined;
  await announceGraph(graph, logger);
  // Traces and metrics to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set; nothing otherwise.
  const telemetry = await startTelemetry(config.telemetry, { name: 'integrations-lotse' }, logger);
  const stopOutboxGauges = observeOutbox(database.store(CONTAINERS.outbox), () => (options.now ? options.now() : new Date()).getTime(), logger);

  let server: RunningServer | undefined;
  let live: LiveAnswers | undefined;
  let questionCounter: QuestionCounter | undefined;
  let groupRoles: GroupRoles | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let delivery: Delivery | undefined;
  let jobs: JobRunner | undefined;
  // Without a proxy to honour, the turn's replies skip botbuilder's connector pipeline (see ReplyPoster).
  const replies = config.outboundProxy ? undefined : new ReplyPoster();
  let circle: CircleService | undefined;
  let requests: RequestService | undefined;
  let posts: PostService | undefined;
  let myDataOf: ((aadObjectId: string) => Promise<MyData>) | undefined;
  const scheduler = new Scheduler(database.store<JobDoc>(CONTAINERS.jobs), options.now ? { now: () => options.now!().getTime() } : undefined);
  try {
    const audit = new AuditLog(database.store<AuditEntry>(CONTAINERS.audit));
    const profiles = new UserProfileRepository(
      database.store<UserProfile>(CONTAINERS.users),
      { ttlMs: PROFILE_CACHE_MS, maxEntries: 20_000 },
      { idleDays: config.retention.userIdleDays, now: options.now },
    );
    const directory = new DirectoryRepository(database.store<DirectoryDoc>(CONTAINERS.directory), audit);
    const unanswered = new UnansweredQuestions(database.store<UnansweredQuestion>(CONTAINERS.questions));

    if (config.cosmos.seedDemo) await seedDemoDirectory(directory, logger, options.now?.());
    const stored = await directory.load();
    if (!stored) {
      logger.warn({ event: 'directory.missing' }, 'No directory imported yet: answers name the responsible authority but no people. Import one with `npm run directory:import -- FILE`.');
    }
    const engine = createAnswerEngine({ gazetteer: loadGazetteer(), knowledge: loadKnowledge(), directory: stored ?? skeletonDirectory() });
    // The entries the IB taught (issue 18) are merged into the engine on each refresh whose revision moved.
    const knowledgeStore = new KnowledgeOverlayStore(database.store<OverlayEntryDoc>(CONTAINERS.knowledge));
    const figures = new FiguresReader(database.store<WeekCountsDoc>(CONTAINERS.figures));
    questionCounter = new QuestionCounter(database.store<WeekCountsDoc>(CONTAINERS.figures), logger);
    questionCounter.start(FIGURES_FLUSH_MS);
    const counter = questionCounter;
    live = new LiveAnswers(engine, directory, logger, knowledgeStore);
    await live.refresh(true);
    live.startAutoRefresh(DIRECTORY_REFRESH_MS);
    // Roles from Entra groups (GRAPH_GROUP_*, else the directory file's): read through Graph before the first turn,
    // then kept for GRAPH_GROUP_CACHE_SECONDS and re-read in the background (services/directory/groupRoles.ts).
    if (graph && config.graph) {
      const liveDirectory = live;
      const groupConfig = config.graph;
      groupRoles = new GroupRoles({
        graph,
        groupIds: () => roleGroupIds(groupConfig.groups, liveDirectory.engine.directory),
        cacheMs: groupConfig.groupCacheMs,
        now: () => (options.now ? options.now().getTime() : Date.now()),
        logger,
      });
      await groupRoles.refreshIfStale();
      groupRoles.start(Math.max(1_000, Math.floor(groupConfig.groupCacheMs / 10)));
    }
    const liveGroups = groupRoles;
    const groups: (() => GroupSnapshot) | undefined = liveGroups ? () => liveGroups.snapshot() : undefined;

    const purge = () =>
      Promise.all([unanswered.purgeExpired(), knowledgeStore.purgeExpired(options.now?.() ?? new Date()), figures.purgeExpired(options.now?.() ?? new Date())]).catch((err: unknown) =>
        logger.warn({ event: 'purge.failed', code: (err as Error)?.name }, 'purge failed'),
      );
    purgeTimer = setInterval(purge, PURGE_INTERVAL_MS);
    purgeTimer.unref();

    const features: Feature[] = [];
    let intentTable: Record<string, IntentHandler> | undefined;
    const helpSections = (): Record<Lang, HelpSection[]> => ({
      de: features.flatMap((f) => f.help?.de ?? []),
      en: features.flatMap((f) => f.help?.en ?? []),
    });
    const baseUrl = () => config.publicBaseUrl ?? server?.url ?? `http://127.0.0.1:${config.port}`;
    const liveAnswers = live;
    // The daily confirmation prompt to each IB (issue 17); the relay exists once delivery has started (below).
    const prompts = new ConfirmPrompts({
      store: database.store<DirectoryDoc>(CONTAINERS.directory),
      writer: { relay: { kick: (source, doc) => delivery!.relay.kick(source, doc), relayed: (key) => delivery!.relay.relayed(key) }, source: DIRECTORY_SOURCE, now: () => (options.now ? options.now() : new Date()).getTime() },
      months: config.directoryConfirmMonths,
      render: (authority, lang, round) => {
        const card = renderConfirmPrompt(authority, lang, round, berlinDate(options.now ? options.now() : new Date()), config.directoryConfirmMonths);
        return { summary: lang === 'de' ? 'Sind Ihre Angaben im Verzeichnis noch aktuell?' : 'Are your directory details still current?', attachments: [card] };
      },
      outbox: { enqueue: (r) => delivery!.outbox.enqueue(r) },
      recipient: async (aadObjectId) => {
        const profile = await profiles.get(aadObjectId).catch(() => undefined);
        return { lang: langOf(profile?.locale), tenantId: profile?.tenantId ?? config.microsoftAppTenantId ?? config.allowedTenantIds[0] };
      },
      logger,
      now: () => (options.now ? options.now() : new Date()),
    });
    features.push(
      answersFeature({
        live: liveAnswers,
        profiles,
        unanswered,
        counter,
        logger,
        get decreeUrl() {
          return `${baseUrl()}/erlass`;
        },
        now: options.now,
        confirmMonths: config.directoryConfirmMonths,
        // The feature list is complete before the first turn, so the table is built once.
        intentHandlers: () => (intentTable ??= Object.assign({}, ...features.map((f) => (f.personalOnly ? personalIntents(f.intents) : f.intents) ?? {}))),
      }),
      directoryFeature({ live: liveAnswers, directory, admins: config.adminAadObjectIds, groups, logger, now: options.now, confirmMonths: config.directoryConfirmMonths, prompts, ...(graph ? { lookupPerson: graphPersonLookup(graph, logger) } : {}) }),
    );
    // Delivery starts after the features; nothing is enqueued before the first turn, when it exists.
    circle = new CircleService({
      store: database.store<CircleDoc>(CONTAINERS.circle),
      directory: () => liveAnswers.engine.directory,
      groups,
      outbox: { enqueue: (r) => delivery!.outbox.enqueue(r), enqueueUpdate: (r) => delivery!.outbox.enqueueUpdate(r), deleteOwned: (p) => delivery!.outbox.deleteOwned(p) },
      scheduler,
      // The relay exists once delivery has started (below); the service only writes after the first turn.
      relay: { kick: (source, doc) => delivery!.relay.kick(source, doc), relayed: (key) => delivery!.relay.relayed(key) },
      profiles: circleProfiles(profiles),
      icsUrl: (token) => `${baseUrl()}/kalender/${token}`,
      retentionDays: config.circleRetentionDays,
      // With Graph's `meetings` feature and a mailbox, each meeting gets a Teams meeting (services/circle/teamsMeeting.ts).
      ...(graph ? { graph } : {}),
      ...(config.graph?.meetingMailbox ? { meetingMailbox: config.graph.meetingMailbox } : {}),
      logger,
      now: options.now,
    });
    const circleFeatureModule = circleFeature({ service: circle, live: liveAnswers, profiles, logger });

    const adapter = createAdapter(config, logger, { credentialsFactory: options.credentialsFactory, replies });
    const turnLoad = new TurnLoad();
    delivery = startDelivery({
      database,
      adapter,
      botAppId: config.microsoftAppId,
      logger,
      profiles,
      graph,
      // Teams' rate limits are per bot and tenant, not per instance: each of BOT_INSTANCE_COUNT instances keeps to its share.
      instanceCount: config.botInstanceCount,
      options: {
        leaseMs: config.outboxLeaseMs,
        callTimeoutMs: Math.min(15_000, Math.floor(config.outboxLeaseMs / 3)),
        busyCallSpacingMs: config.deliveryBusyCallsPerSecond > 0 ? Math.ceil(1000 / config.deliveryBusyCallsPerSecond) : 0,
        busyHoldMs: config.deliveryBusyHoldMs,
      },
      // A burst of turns is answered first; its notifications follow (bot/turnLoad.ts).
      busy: turnLoad.busy,
      journal: openSendJournal(config, database, ownsDatabase, logger),
      relayGraceMs: config.relay.graceMs,
      ...(options.now ? { now: () => options.now!().getTime() } : {}),
    });
    requests = new RequestService({
      items: database.store<ItemDoc>(CONTAINERS.items),
      audit: database.store<AuditEntry>(CONTAINERS.audit),
      directory: () => liveAnswers.engine.directory,
      groups,
      relay: delivery.relay,
      outbox: delivery.outbox,
      settings: config.requests,
      logger,
      now: options.now,
    });
    // Anliegen and Vortrag: their cards per viewer, and the relay source that carries out their notices.
    const requestViews = new RequestViews({
      refreshIds: refreshIdsFrom(profiles),
      audienceOf: (item) => requestService.audienceOf(item),
      // A card names its linked items by subject: one read each, only for items that have them (a request made a report).
      linkedOf: async (item) => (await Promise.all(item.linked.map((id) => requestService.repo.get(item.authority, id)))).filter((l) => l !== undefined),
      // An agreed Vortrag date's .ics, served on the circle's calendar route.
      icsUrl: (token) => `${baseUrl()}/kalender/${token}.ics`,
      // "Überfällig" on a request past its Frist, by the service's clock.
      today: () => berlinDate(requestService.currentTime()),
    });
    const requestNotifier = new RequestNotifier({
      store: database.store<ItemDoc>(CONTAINERS.items),
      outbox: delivery.outbox,
      scheduler,
      views: requestViews,
      rolesFor: (id, item) => requestService.rolesFor(id, item),
      reminderDueAt: (item) => requestService.reminderDueAt(item),
      reminderJobKind: JOB_KINDS.remind,
      // A proposed Vortrag date unanswered: the side that has to answer is reminded once (REPORT_TERMIN_REMINDER_WORKING_DAYS).
      terminReminderDueAt: (item) => requestService.terminReminderDueAt(item),
      // A message to someone who has not acted on the item (the head reminded of a report): in their Teams client's language.
      langOf: async (id) => langOf((await profiles.get(id).catch(() => undefined))?.locale),
      // An agreed Vortrag date: a Teams meeting for head and IB in GRAPH_MEETING_MAILBOX with Graph's `meetings`, else the .ics.
      invitation: {
        directory: () => liveAnswers.engine.directory,
        now: () => (options.now ? options.now() : new Date()),
        writer: { relay: delivery.relay, source: REQUESTS_SOURCE, now: () => (options.now ? options.now() : new Date()).getTime() },
        ...(graph && config.graph?.meetingMailbox ? { graph, mailbox: config.graph.meetingMailbox } : {}),
      },
      icsUrl: (token) => `${baseUrl()}/kalender/${token}.ics`,
      logger,
      // A Vortrag whose head cannot be reached in Teams goes by e-mail when Graph may send mail from a configured mailbox.
      ...(graph && config.graph?.mailFrom
        ? { mail: { graph, from: config.graph.mailFrom, itemLink: (item: ItemDoc) => (config.teamsAppId ? tabDeepLink(config.teamsAppId, `item:${item.authority}:${item.id}`) : undefined) } }
        : {}),
    });
    delivery.relay.register(requestNotifier.source(REQUESTS_SOURCE));
    delivery.relay.register(prompts.relaySource());
    // Delivery reports where the sender looks: the KfI's line on the circle's cards, the IB told when the head is not reached.
    const reports = delivery.reports;
    const nowMs = () => (options.now ? options.now() : new Date()).getTime();
    reports.onSettled(
      CIRCLE_REACH_KEYS,
      circleReachListener({ store: database.store<CircleDoc>(CONTAINERS.circle), reports, writer: { relay: delivery.relay, source: CIRCLE_SOURCE, now: nowMs }, logger }),
    );
    const mailFrom = config.graph?.mailFrom;
    // The head's reach of a Vortrag: the listener right after the card settles, and the job that checks when the process died.
    const headReachDeps: HeadReachDeps = {
      store: database.store<ItemDoc>(CONTAINERS.items),
      directory: () => liveAnswers.engine.directory,
      reports,
      mailAvailable: async () => !!graph && !!mailFrom && (await graph.features().catch(() => new Set<string>())).has('mail'),
      writer: { relay: delivery.relay, source: REQUESTS_SOURCE, now: nowMs },
      logger,
      now: () => (options.now ? options.now() : new Date()),
    };
    reports.onSettled(HEAD_REACH_KEYS, headReachListener(headReachDeps));
    // The Koordinierungskreis: polls and meetings carry their notices; its source carries them out.
    delivery.relay.register(circle.relaySource());
    // Information posts (RdErl. Nr. 3, 5, 6): a post and its notices are one write; its source carries them out.
    const postProfiles = circleProfiles(profiles);
    posts = new PostService({
      store: database.store<PostsDoc>(CONTAINERS.posts),
      users: database.store<UserProfile>(CONTAINERS.users),
      directory: () => liveAnswers.engine.directory,
      groups,
      ...(graph ? { graph } : {}),
      relay: delivery.relay,
      outbox: delivery.outbox,
      scheduler,
      reports: delivery.reports,
      langOf: postProfiles.langOf,
      logger,
      now: options.now,
      retentionDays: config.posts.retentionDays,
      ...(config.graph?.mailFrom ? { mailFrom: config.graph.mailFrom } : {}),
      ...(config.posts.ministryContact ? { ministryContact: config.posts.ministryContact } : {}),
      admins: config.adminAadObjectIds,
      tenantOf: async (id) => (await profiles.get(id))?.tenantId ?? config.allowedTenantIds[0],
      // The whole authority through Entra (GRAPH_GROUP_STAFF_<AUTHORITY>); without a staff group, the staff the bot knows.
      ...(graph && config.graph && Object.values(config.graph.staffGroups).some(Boolean)
        ? { staff: new StaffRoster({ graph, groups: config.graph.staffGroups, cacheMs: config.graph.groupCacheMs, now: () => (options.now?.() ?? new Date()).getTime(), logger }) }
        : {}),
    });
    delivery.relay.register(posts.relaySource());
    // The sender's status card, updated in place once the post's cards have all settled.
    reports.onSettled(POST_REACH_KEYS, posts.reachListener());
    // The paper of a Vortrag sent as a file, held until the head side took it (bot/handlers/paperFiles.ts).
    const paperFiles = {
      store: new PaperFileStore(database.store(CONTAINERS.files), { retentionDays: config.paperFiles.retentionDays }),
      hosts: config.paperFiles.hosts,
      maxBytes: config.paperFiles.maxBytes,
      retentionDays: config.paperFiles.retentionDays,
      now: () => (options.now ? options.now() : new Date()),
    };
    const filesHandedIn = paperFileHandlers({ settings: paperFiles, service: requests, logger }).handedIn;
    // "Meine Daten": what every workflow stores about a person, for the chat command and the tab's download.
    const requestService = requests;
    const circleService = circle;
    const myData = (aadObjectId: string) =>
      collectMyData(
        {
          profile: (id) => profiles.get(id),
          requests: (id) => requestService.myData(id),
          circle: (id) => circleService.dataAbout(id),
          directoryEdits: (id) => audit.byActor(id, DIRECTORY_AUDIT_PREFIX),
          // Posts sent, acknowledged and reminded of; the cadence trail entries and taught answers the person made.
          posts: (id) => posts!.dataAbout(id),
          cadenceTrail: (id) => cadenceTrailBy(database.store<CadenceDoc>(CONTAINERS.circle), id),
          taughtAnswers: (id) => taughtBy(database.store<OverlayEntryDoc>(CONTAINERS.knowledge), id),
          paperFiles: (id) => paperFiles.store.dataAbout(id),
          directoryAuditDays: config.retention.directoryAuditDays,
          now: options.now,
        },
        aadObjectId,
      );
    myDataOf = myData;
    // "Meine Daten löschen" (chat and tab) and the retention of what has no record of its own.
    const eraseData = (aadObjectId: string) =>
      eraseMyData(
        {
          myData, deleteProfile: (id) => profiles.delete(id), eraseCircle: (id) => circleService.eraseAbout(id), erasePosts: (id) => posts!.eraseAbout(id),
          eraseFiles: (id) => paperFiles.store.eraseUnclaimed(id, filesHandedIn),
        },
        aadObjectId,
      );
    const wired = delivery;
    const privacyFeat = myDataFeature({
      erase: eraseData,
      purge: () =>
        purgeExpiredData(
          { profiles, audit, conversations: wired.registry, outbox: wired.outbox, settings: config.retention },
          (options.now ? options.now() : new Date()).getTime(),
        ),
      logger,
      now: options.now,
      myData,
      // „Meine Daten“ links to the tab's downloads, where the full file is.
      ...(config.teamsAppId ? { tabUrl: tabDeepLink(config.teamsAppId, DOWNLOADS_SUB_ENTITY) } : {}),
    });
    const requestsFeat = requestsFeature({ live: liveAnswers, service: requests, views: requestViews, notifier: requestNotifier, logger, paperFiles, headReach: headReachDeps });
    features.push(postsFeature({ service: posts, logger }));
    // Help comes last so that the help card lists the features in the order users meet them.
    features.push(requestsFeat, circleFeatureModule, cadenceFeature({ service: circle.cadence, logger }), privacyFeat, helpFeature(helpSections, () => liveAnswers.engine.directory, groups));
    // Recurring jobs, one per key for all processes: created when missing, reopened when a run closed them.
    const startMs = options.now ? options.now().getTime() : Date.now();
    const recurring = [
      // Retention; the embedded server has no TTL.
      { key: 'requests:purge', kind: JOB_KINDS.purge, dueAt: new Date(startMs) },
      { key: 'circle:purge', kind: CIRCLE_JOB_KINDS.purge, dueAt: new Date(startMs) },
      { key: 'privacy:purge', kind: PRIVACY_JOB_KINDS.purge, dueAt: new Date(startMs) },
      { key: 'posts:purge', kind: POST_JOB_KINDS.purge, dueAt: new Date(startMs) },
      // Nr. 3: a new IB in the directory gets an announcement prepared for confirmation (checked hourly).
      { key: 'posts:appointments', kind: POST_JOB_KINDS.appointments, dueAt: new Date(startMs) },
      // The IB's confirmation prompt, daily (services/directory/confirmPrompts.ts).
      { key: CONFIRM_PROMPT_JOB.key, kind: CONFIRM_PROMPT_JOB.kind, dueAt: nextPromptRun(startMs) },
    ];
    await Promise.all(
      recurring.map(async (job) => {
        if (!(await scheduler.schedule(job)).open) await scheduler.reschedule(job);
      }),
    );
    const handlers: Record<string, JobHandler> = {};
    for (const [kind, handler] of features.flatMap((f) => Object.entries(f.jobs ?? {}))) {
      if (handlers[kind]) throw new Error(`job kind ${kind} registered twice`);
      handlers[kind] = handler;
    }
    jobs = startJobRunner({
      store: database.store<JobDoc>(CONTAINERS.jobs),
      scheduler,
      handlers,
      logger,
      ...(options.now ? { clock: { now: () => options.now!().getTime(), sleep: systemClock.sleep } } : {}),
      options: { pollIntervalMs: options.jobPollMs ?? config.jobs.pollMs, leaseMs: config.jobs.leaseMs },
    });
    // Every workflow has registered its documents with the relay by now: hand over what a stopped process left pending.
    delivery.relay.start(config.relay.sweepMs);
    // The caller's own profile is read from the database on each turn and tab request (not the cache): with several
    // instances, what they chose a moment ago on another instance counts here too (docs/architecture.md).
    const ownProfiles = profiles.readThrough();
    const bot = new TeamsBot({ features, profiles: ownProfiles, logger, lifecycle: delivery.lifecycle });
    // The personal tab: each workflow adds its section source here (see bot/tab/sources.ts).
    const tabSources: TabSources = { ...workflowTabSources({ requests, views: requestViews, logger, circle, posts, profiles: circleProfiles(profiles), now: options.now, myData, eraseMyData: eraseData }), ...options.tabSources };
    const tab = new TabService({ live: liveAnswers, groups, profiles: ownProfiles, unanswered, sources: tabSources, logger, decreeUrl: () => `${baseUrl()}/erlass`, now: options.now });
    // The knowledge base and the figures in the tab (bot/tab/knowledgeRoutes.ts, issue 18).
    const knowledgeRoutes: KnowledgeRouteDeps = {
      service: new KnowledgeOverlayService({ store: knowledgeStore, unanswered, directory: () => liveAnswers.engine.directory, groups, changed: async () => void (await liveAnswers.refresh()), now: options.now }),
      figures,
      flushCounts: () => counter.flush(),
      directory: () => liveAnswers.engine.directory,
      groups,
      decreeUrl: () => `${baseUrl()}/erlass`,
      now: options.now,
    };
    // The directory editor in the tab (issue 17/20): the IB's own entry, administrators every entry, with its history.
    const directoryEditor = new DirectoryEntryEditor({
      repository: directory,
      directory: () => liveAnswers.engine.directory,
      refresh: async () => void (await liveAnswers.refresh(true)),
      admins: config.adminAadObjectIds,
      groups,
      now: options.now,
    });
    const tabHost = config.publicBaseUrl ? new URL(config.publicBaseUrl).host : undefined;
    // The tab's tokens are for its own Entra app (TAB_APP_ID; the bot's registration unless the bot is a managed identity).
    const ssoValidator = config.tabAppId
      ? new SsoTokenValidator({
          metadataUrl: config.tabSsoMetadataUrl,
          audiences: [config.tabAppId, ...(tabHost ? [`api://${tabHost}/${config.tabAppId}`] : [])],
          allowedTenantIds: config.allowedTenantIds,
          allowedClientIds: config.tabSsoAllowedClientIds,
          requiredScope: 'access_as_user',
        })
      : undefined;
    if (config.microsoftAppId && !ssoValidator) {
      logger.warn(
        { event: 'tab.sso_not_configured' },
        'The personal tab has no Entra app registration (TAB_APP_ID; a managed identity cannot expose an API): the tab says that sign-in is not set up. Chat and cards work. See docs/deployment.md, "The personal tab".',
      );
    }
    server = await startServer(
      {
        adapter,
        bot,
        logger,
        onTurn: () => turnLoad.turnStarted(),
        maxBodyBytes: config.maxBodyBytes,
        ready: () => database.ping(),
        calendar: async (token) => (await circle!.icsFor(token)) ?? (await reportIcs(database.store<ItemDoc>(CONTAINERS.items), token)),
        documents: { '/erlass': { contentType: 'text/plain; charset=utf-8', body: readFileSync(dataFile('runderlass-2023-12-05.txt')) } },
        routes: (http) => registerTabRoutes(http, { service: tab, validator: ssoValidator, botId: config.microsoftAppId, logger, staticDir: `${projectRoot}/tab/dist`, knowledge: knowledgeRoutes, cadence: circle!.cadence, posts: posts!, directory: { editor: directoryEditor, logger, ...(graph ? { searchPeople: peopleSearch(graph, logger) } : {}) }, requestForm: { service: requestService, logger } }),
      },
      config.host,
      config.port,
    );
  } catch (err) {
    live?.stop();
    await questionCounter?.stop();
    groupRoles?.stop();
    clearInterval(purgeTimer);
    await jobs?.stop();
    await delivery?.stop();
    replies?.close();
    stopOutboxGauges();
    await telemetry?.shutdown();
    if (ownsDatabase) await database.close();
    throw err;
  }

  const running = server;
  const answers = live;
  const roleGroups = groupRoles;
  const sending = delivery;
  const runner = jobs;
  const circleService = circle!;
  const requestService = requests!;
  const postService = posts!;
  let stopped: Promise<void> | undefined;
  return {
    url: running.url,
    port: running.port,
    database,
    answers,
    delivery: sending,
    scheduler,
    jobs: runner,
    circle: circleService,
    requests: requestService,
    posts: postService,
    myData: myDataOf!,
    stop: () =>
      (stopped ??= (async () => {
        answers.stop();
        roleGroups?.stop();
        await questionCounter?.stop();
        clearInterval(purgeTimer);
        await running.stop(config.shutdownGraceMs);
        replies?.close();
        await runner.stop();
        // Pending notifications stay in the outbox for the next start; calls in flight finish first.
        await sending.stop();
        stopOutboxGauges();
        await telemetry?.shutdown();
        if (ownsDatabase) await database.close();
      })()),
  };
}
