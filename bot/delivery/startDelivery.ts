import type { CloudAdapter } from 'botbuilder';
import type { Logger } from '../../services/logging';
import { ChatReadBack } from '../../services/notifications/chatReadBack';
import { ConversationRegistry, personalConversationsIn, type RegistryDoc } from '../../services/notifications/conversationRegistry';
import { startDispatcher, type DeliveryEvent, type Dispatcher, type DispatcherOptions } from '../../services/notifications/dispatcher';
import type { OutboxDoc } from '../../services/notifications/model';
import { Outbox } from '../../services/notifications/outbox';
import type { DeliveryReports } from '../../services/notifications/reach';
import { OutboxReports } from '../../services/notifications/reports';
import type { GraphPort } from '../../services/graph/graphPort';
import { limitsForInstances, TEAMS_LIMITS, type DeliveryLimits } from '../../services/notifications/rateLimiter';
import { CONTAINERS } from '../../services/storage/containers';
import { countDelivery } from '../../services/telemetry/telemetry';
import { Relay } from '../../services/workflow/relay';
import type { SendJournal } from '../../services/notifications/sendJournal';
import type { AppDatabase } from '../../services/storage/database';
import { UserProfileRepository, type UserProfile } from '../../services/users/userProfiles';
import { BotConnectorSender } from './botConnectorSender';
import { ConversationLifecycle } from './conversationLifecycle';

export interface DeliveryDeps {
  database: AppDatabase;
  adapter: CloudAdapter;
  /** The bot's Microsoft App ID; absent in local development. */
  botAppId?: string;
  logger: Logger;
  /**
   * Connector endpoint for opening a 1:1 chat in a tenant the bot has not heard from yet (Teams' global one is
   * `https://smba.trafficmanager.net/teams/`). Without it, such users are reached once anyone of their tenant has
   * talked to the bot.
   */
  defaultServiceUrl?: string;
  limits?: Partial<DeliveryLimits>;
  /**
   * Bot instances sharing Teams' rate limits (BOT_INSTANCE_COUNT, default 1): this instance keeps to 1/n of `limits`
   * (Teams' own when not given), per tenant and per conversation.
   */
  instanceCount?: number;
  options?: Partial<DispatcherOptions>;
  onEvent?: (event: DeliveryEvent) => void;
  /** Pending workflow notices younger than this are left to the process that wrote them (RELAY_GRACE_SECONDS). */
  relayGraceMs?: number;
  now?: () => number;
  /**
   * The process's (cached) profile repository: the dispatcher finds personal chat references through it, so a
   * delivery to someone who used the bot lately costs no profile read.
   */
  profiles?: UserProfileRepository;
  /**
   * Microsoft Graph, when configured: people without the app get it installed before their first message (unless they
   * removed it themselves). Without it they stay unreachable (`notInstalled`), as the delivery reports say.
   */
  graph?: GraphPort;
  /** The send journal on this machine's disk (closed by `stop`); without it a send cut off from its record is repeated. */
  journal?: SendJournal;
  /** True while the process's turns need its thread: the dispatcher then keeps to `options.busyCallSpacingMs`. */
  busy?: () => boolean;
}

/** Proactive delivery, wired: what feature code enqueues into, what the bot's handlers call, and the running sender. */
export interface Delivery {
  /** Feature code: `outbox.enqueue(…)`, `outbox.enqueueUpdate(…)`, `outbox.status(key)`. */
  readonly outbox: Outbox;
  /** Team channels and group chats the app is installed in. */
  readonly registry: ConversationRegistry;
  /** For the activity handler: `installed`, `uninstalled`, `seen`. */
  readonly lifecycle: ConversationLifecycle;
  readonly dispatcher: Dispatcher;
  /**
   * The relay of the workflows' transactional outbox: each workflow registers its documents; the notices a change
   * writes into its document reach the outbox through it (see services/workflow/relay.ts).
   */
  readonly relay: Relay;
  /** Whom each notification reached: `report(key)`, and `onSettled(keys, listener)` for senders' cards. */
  readonly reports: DeliveryReports;
  /** Resolves once the relay has nothing left to hand over and the dispatcher nothing left to send. */
  whenIdle(): Promise<void>;
  /** Finishes relaying and calls in flight and hands unsent work back to the outbox; call before closing the database. */
  stop(): Promise<void>;
}

/** Composition of the delivery path for `bot/app.ts`. */
export function startDelivery(deps: DeliveryDeps): Delivery {
  const outboxStore = deps.database.store<OutboxDoc>(CONTAINERS.outbox);
  const conversations = deps.database.store<RegistryDoc>(CONTAINERS.conversations);
  const outbox = new Outbox(outboxStore);
  const registry = new ConversationRegistry(conversations);
  const botAppId = deps.botAppId ?? '';
  const reports = new OutboxReports(outboxStore, { logger: deps.logger });
  const personal = personalConversationsIn(deps.profiles ?? new UserProfileRepository(deps.database.store<UserProfile>(CONTAINERS.users)));
  const dispatcher = startDispatcher({
    stores: { outbox: outboxStore, users: deps.database.store<UserProfile>(CONTAINERS.users), conversations },
    sender: new BotConnectorSender({ adapter: deps.adapter, botAppId, logger: deps.logger }),
    logger: deps.logger,
    outbox,
    limits: limitsForInstances({ ...TEAMS_LIMITS, ...deps.limits }, deps.instanceCount ?? 1),
    options: deps.options,
    personal,
    defaultEndpoint: deps.defaultServiceUrl && botAppId ? { serviceUrl: deps.defaultServiceUrl, botId: `28:${botAppId}` } : undefined,
    graph: deps.graph,
    journal: deps.journal,
    ...(deps.busy ? { busy: deps.busy } : {}),
    // With Graph's `chats` feature: an uncertain resend first looks whether the message is in the person's chat already.
    ...(deps.graph && botAppId ? { readBack: new ChatReadBack({ graph: deps.graph, botAppId, outbox: outboxStore, logger: deps.logger }) } : {}),
    onEvent: (event) => {
      countDelivery(event.type);
      reports.noteEvent(event);
      deps.onEvent?.(event);
    },
  });
  // The relay hands notices over only as fast as the dispatcher sends them (Teams' rate limit): a burst of actions
  // waits in its documents, where several changes of one item become one hand-over, instead of piling up in the outbox.
  const relay = new Relay({
    logger: deps.logger,
    hasRoom: () => dispatcher.hasRoom(),
    ...(deps.relayGraceMs !== undefined ? { graceMs: deps.relayGraceMs } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  dispatcher.onRoom(() => relay.resume());
  return {
    outbox,
    registry,
    lifecycle: new ConversationLifecycle(registry, deps.logger, personal),
    dispatcher,
    relay,
    reports,
    async whenIdle() {
      // The relay feeds the outbox: idle when neither has work after the dispatcher became idle.
      for (;;) {
        await relay.whenIdle();
        await dispatcher.whenIdle();
        if (relay.isIdle()) return;
      }
    },
    async stop() {
      await relay.stop();
      await dispatcher.stop();
      deps.journal?.close();
      await reports.stop();
    },
  };
}
