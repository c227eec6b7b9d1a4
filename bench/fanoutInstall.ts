import { performance } from 'node:perf_hooks';
import { createAdapter } from '../bot/adapter';
import { loadConfig } from '../bot/config';
import { BotConnectorSender } from '../bot/delivery/botConnectorSender';
import { createGraphPort } from '../bot/graph';
import { silentLogger } from '../services/logging';
import { personalConversationsIn, type RegistryDoc } from '../services/notifications/conversationRegistry';
import { startDispatcher } from '../services/notifications/dispatcher';
import type { OutboxDoc } from '../services/notifications/model';
import { forEachLimited, Outbox } from '../services/notifications/outbox';
import { TEAMS_LIMITS } from '../services/notifications/rateLimiter';
import { CONTAINERS } from '../services/storage/containers';
import { openDatabase } from '../services/storage/database';
import { UserProfileRepository, type UserProfile } from '../services/users/userProfiles';
import { DEFAULT_TENANT_ID, personalConversationId } from '../test/support/activities';
import { startChannelEmulator } from '../test/support/channelEmulator';
import { DOCUMENTED_LIMITS, stableGuid, startGraphStandIn } from '../test/support/graphStandIn';
import type { Figure } from './figure';

const BOT_APP_ID = 'integrations-lotse-bench';
const INSTALL_PERMISSION = 'TeamsAppInstallation.ReadWriteSelfForUser.All';

/** Calls per second Teams allows a bot per tenant (all Bot Connector operations together). */
const tenantPerSecond = Math.min(...TEAMS_LIMITS.perTenant.map((w) => (w.max * 1000) / w.windowMs));
/** Installations per second Graph allows an app per tenant (`POST …/teamwork/installedApps`). */
const installsPerSecond = (DOCUMENTED_LIMITS.installPost.limit * 1000) / DOCUMENTED_LIMITS.installPost.windowMs;

/**
 * The least time Teams' and Graph's limits allow for `withApp` people reached in their stored personal chat and
 * `withoutApp` people who need the app installed first:
 *
 *   minimum = max( (withApp · 1 + withoutApp · 3) / T ,  withoutApp / G )
 *
 * T = 30 Bot Connector calls per second per tenant, G = 30 installations per second per app per tenant (Graph). A person
 * with the app costs one call (the send). A person without costs three: the createConversation Teams refuses with 403
 * (nothing but that refusal tells the bot who lacks the app: an app installed through a team also lets the bot in), the
 * createConversation after the installation, and the send. The refused call counts against the tenant's budget: the
 * Teams stand-in throttles before it checks the installation (`ChannelEmulator.decide`: `throttle` before `perform`;
 * `createConversation` is among its limited operations), and Teams' rate-limit page
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit) does not exempt refused calls; the
 * dispatcher's own limiter counts them too. The installations run beside the Teams calls under their own limit, so
 * the two terms overlap rather than add. For 500 + 500: max(2000/30, 500/30) = 66.7 s.
 *
 * Were it known in advance who lacks the app, the refused call would go: {@link knownMinimumSeconds} (50 s for 500 + 500).
 */
export function installMinimumSeconds(withApp: number, withoutApp: number): number {
  return Math.max((withApp + 3 * withoutApp) / tenantPerSecond, withoutApp / installsPerSecond);
}

/** The least time if the bot knew beforehand who lacks the app (no refused createConversation): (withApp + 2 · withoutApp) / T. */
export function knownMinimumSeconds(withApp: number, withoutApp: number): number {
  return Math.max((withApp + 2 * withoutApp) / tenantPerSecond, withoutApp / installsPerSecond);
}

/** Options of {@link benchFanoutInstall} (the benchmark runs the defaults; its test a small run). */
export interface FanoutInstallOptions {
  /** Recipients (default 1,000). */
  recipients?: number;
  /** How many of them have the app already (default half). */
  withApp?: number;
  /** Whether the app may install itself for users through Graph (default true). */
  installPermission?: boolean;
}

interface Person {
  aadObjectId: string;
  userId: string;
  chat: string;
  hasApp: boolean;
  text: string;
}

/**
 * `fanout` with proactive installation (issue 15): 1,000 people addressed by person (`{ user: { aadObjectId,
 * tenantId } }`), half with the app (Teams knows their installation and the bot has their personal chat stored), half
 * without. The dispatcher opens a chat, gets 403, installs the app through the real Graph adapter (`createGraphPort`)
 * against the Graph stand-in (30 installations/s, 429 with Retry-After beyond), opens the chat and sends. The strict
 * Teams stand-in enforces Teams' rate limits and refuses chats with people without the app. Timed from the first
 * enqueue to the last delivery recorded as sent; bounded at three times the minimum. Everything on loopback.
 */
export async function benchFanoutInstall(options: FanoutInstallOptions = {}): Promise<Figure[]> {
  const recipients = options.recipients ?? 1_000;
  const withApp = options.withApp ?? Math.floor(recipients / 2);
  const database = await openDatabase({ databaseId: 'bench-fanout-install' });
  const emulator = await startChannelEmulator({ rateLimits: true, installations: 'perUser' });
  const graph = await startGraphStandIn({ clientId: stableGuid('bench-fanout-bot'), tenantId: DEFAULT_TENANT_ID, permissions: options.installPermission === false ? [] : [INSTALL_PERMISSION] });
  graph.throttle({ install: { ...DOCUMENTED_LIMITS.installPost }, global: { ...DOCUMENTED_LIMITS.global } });
  let dispatcher: ReturnType<typeof startDispatcher> | undefined;
  try {
    const people: Person[] = Array.from({ length: recipients }, (_, i) => {
      const userId = `29:1fanout-install-${String(i).padStart(4, '0')}`;
      return {
        aadObjectId: stableGuid(`fanout-install-${i}`),
        userId,
        chat: personalConversationId(userId, BOT_APP_ID),
        // Alternating while both kinds last, so that the two kinds are interleaved in the outbox.
        hasApp: i < 2 * Math.min(withApp, recipients - withApp) ? i % 2 === 0 : withApp > recipients - withApp,
        text: `Benachrichtigung ${i}`,
      };
    });
    const byAad = new Map(people.map((p) => [p.aadObjectId, p]));
    const installedEvent = (p: Person) => ({
      type: 'installationUpdate',
      action: 'add',
      from: { id: p.userId, aadObjectId: p.aadObjectId },
      recipient: { id: `28:${BOT_APP_ID}` },
      conversation: { id: p.chat, conversationType: 'personal' },
    });
    for (const p of people) graph.addUser({ id: p.aadObjectId, upn: `${p.aadObjectId}@bench.example` });
    // Teams learns of an installation through Graph as of one the person made (as in the integration test).
    graph.onInstall((userId) => {
      const p = byAad.get(userId.toLowerCase());
      if (p) emulator.observe(installedEvent(p));
    });

    const users = database.store<UserProfile>(CONTAINERS.users);
    const personal = personalConversationsIn(new UserProfileRepository(users));
    // Half have the app: Teams saw their installation, and the bot stored their personal chat from it.
    await forEachLimited(
      people.filter((p) => p.hasApp),
      16,
      async (p) => {
        emulator.observe(installedEvent(p));
        graph.setInstalled(p.aadObjectId, true);
        await personal.remember(p.aadObjectId, DEFAULT_TENANT_ID, { conversationId: p.chat, serviceUrl: emulator.serviceUrl, tenantId: DEFAULT_TENANT_ID, botId: `28:${BOT_APP_ID}`, conversationType: 'personal' });
      },
    );

    const config = loadConfig({ ...graph.env(), GRAPH_TEAMS_CATALOG_APP_ID: graph.catalogApp.id });
    if (!config.graph) throw new Error('Graph configuration missing');
    const graphPort = createGraphPort(config.graph, { logger: silentLogger });
    const outboxStore = database.store<OutboxDoc>(CONTAINERS.outbox);
    const outbox = new Outbox(outboxStore);
    const sender = new BotConnectorSender({ adapter: createAdapter(loadConfig({}), silentLogger), botAppId: '', logger: silentLogger, stampDeliveryId: true });

    let settled = 0;
    let sent = 0;
    let lastSentAt = 0;
    let allSettled: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (allSettled = resolve));
    dispatcher = startDispatcher({
      stores: { outbox: outboxStore, users, conversations: database.store<RegistryDoc>(CONTAINERS.conversations) },
      sender,
      logger: silentLogger,
      outbox,
      limits: TEAMS_LIMITS,
      personal,
      graph: graphPort,
      defaultEndpoint: { serviceUrl: emulator.serviceUrl, botId: `28:${BOT_APP_ID}` },
      onEvent: (event) => {
        if (event.type === 'sent') {
          sent += 1;
          lastSentAt = performance.now();
        } else if (event.type !== 'failed' && event.type !== 'unreachable') return;
        settled += 1;
        if (settled === recipients) allSettled();
      },
    });

    const minimumSeconds = installMinimumSeconds(withApp, recipients - withApp);
    const started = performance.now();
    await forEachLimited(people, 16, async (p) => {
      await outbox.enqueue({ key: `bench:install:${p.aadObjectId}`, activity: { text: p.text }, recipients: [{ user: { aadObjectId: p.aadObjectId, tenantId: DEFAULT_TENANT_ID } }] });
    });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, minimumSeconds * 3 * 1000).unref());
    await Promise.race([finished, timeout]);
    const seconds = ((sent === recipients ? lastSentAt : performance.now()) - started) / 1000;
    await dispatcher.stop();
    dispatcher = undefined;

    const delivered = people.filter((p) => emulator.activitiesTo(p.chat).some((a) => a.text === p.text)).length;
    const chatsWithCopies = people.filter((p) => emulator.activitiesTo(p.chat).length > 1).length;
    const duplicates = Math.max(chatsWithCopies, emulator.duplicateDeliveries().reduce((sum, group) => sum + group.calls.length - 1, 0));
    const installPosts = graph.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/teamwork/installedApps'));
    const refused = emulator.calls.filter((c) => c.operation === 'createConversation' && c.status === 403).length;
    return [
      { name: 'fanout.install.seconds', value: round(seconds, 2), unit: 's' },
      { name: 'fanout.install.minimum_seconds', value: round(minimumSeconds, 2), unit: 's' },
      { name: 'fanout.install.ratio_to_minimum', value: round(seconds / minimumSeconds, 3), unit: 'x' },
      { name: 'fanout.install.minimum_if_known_seconds', value: round(knownMinimumSeconds(withApp, recipients - withApp), 2), unit: 's' },
      { name: 'fanout.install.lost', value: recipients - delivered, unit: 'recipients' },
      { name: 'fanout.install.duplicates', value: duplicates, unit: 'notifications' },
      { name: 'fanout.install.graph_installs', value: installPosts.filter((c) => c.status === 201).length, unit: 'installations' },
      { name: 'fanout.install.graph_throttled_429', value: installPosts.filter((c) => c.status === 429).length, unit: 'answers' },
      { name: 'fanout.install.throttled_429', value: emulator.counters().rejectedByStatus[429] ?? 0, unit: 'answers' },
      { name: 'fanout.install.refused_403', value: refused, unit: 'calls' },
      // Calls within the tenant's budget (sends and chats opened or refused; answers 429 not counted).
      { name: 'fanout.install.teams_calls', value: emulator.calls.filter((c) => (c.operation === 'send' || c.operation === 'createConversation') && c.status !== 429).length, unit: 'calls' },
    ];
  } finally {
    await dispatcher?.stop();
    await graph.close();
    await emulator.close();
    await database.close();
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
