import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ChatReadBack } from './chatReadBack';
import type { Logger } from '../logging';
import type { DocumentStore } from '../storage/documentStore';
import { UserProfileRepository, type UserProfile } from '../users/userProfiles';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../common/backoff';
import { DEFAULT_RETRY_STATUSES, type ChannelSender } from './channelSender';
import { systemClock, type Clock } from '../common/clock';
import { ConversationRegistry, personalConversationsIn, type PersonalConversations, type RegistryDoc, type TenantEndpoint } from './conversationRegistry';
import { DeliveryLedger } from './deliveryLedger';
import type { OutboxDoc } from './model';
import { Outbox } from './outbox';
import { DeliveryRateLimiter, TEAMS_LIMITS, type DeliveryLimits } from './rateLimiter';
import { Claimer } from './dispatcher/claimer';
import type { DispatchContext } from './dispatcher/context';
import { DeliveryCalls } from './dispatcher/deliveryCalls';
import { DispatcherLoop } from './dispatcher/dispatcherLoop';
import { Holdings } from './dispatcher/holdings';
import { IdleTracker } from './dispatcher/idleTracker';
import { Outcomes } from './dispatcher/outcomes';
import { ConversationPace } from './dispatcher/pace';
import { QuerySchedule } from './dispatcher/querySchedule';
import { SlotPump } from './dispatcher/slotPump';
import { TurnYield } from './dispatcher/turnYield';
import { Waker } from './dispatcher/waker';
import { Installs } from './dispatcher/installs';
import { NO_JOURNAL, type SendJournal } from './sendJournal';
import type { GraphPort } from '../graph/graphPort';

/** The containers the dispatcher works on. */
export interface DispatcherStores {
  outbox: DocumentStore<OutboxDoc>;
  /** User profiles: where personal chat references are kept. */
  users: DocumentStore<UserProfile>;
  /** Team and group chat references, tenant endpoints. */
  conversations: DocumentStore<RegistryDoc>;
}

/** Tuning; the defaults suit one bot process against Teams. */
export interface DispatcherOptions {
  /** Names this process in leases and logs; unique per process. */
  workerId: string;
  /** How long a claimed delivery stays ours without further writes; a crashed process's work is picked up after it. */
  leaseMs: number;
  /** How often to look for due work when idle (enqueues in this process wake the dispatcher at once). */
  pollIntervalMs: number;
  /** Deliveries claimed ahead of the rate limiter, so that it never waits for the database. */
  claimAhead: number;
  /** Calls in flight at once: channel calls and Graph installations together. */
  maxInFlight: number;
  /**
   * Channel calls (posts, updates, new chats) in flight at once. Each is a message Teams may have stored before its
   * answer is read, which a crash would make the next process send again; enough for the tenant's rate at Teams'
   * usual latency (30/s at up to about 330 ms: 10), and no more.
   */
  maxCallsInFlight: number;
  /**
   * Deliveries marked `sending` ahead of their rate-limit slot, so that a free slot is used at once instead of after a
   * database round trip. Enough to fill the tenant's shortest window.
   */
  beginAhead: number;
  /** Timeout of one channel call; must stay well below `leaseMs`. */
  callTimeoutMs: number;
  /** A claimed delivery that would wait longer than this for its rate limit goes back to the outbox meanwhile. */
  deferAfterMs: number;
  /**
   * Attempts before a delivery is marked failed. 429 answers are not attempts: a throttled delivery waits Retry-After
   * (else back-off) and is tried again however often Teams throttles it, and never fails for that.
   */
  maxAttempts: number;
  backoff: BackoffPolicy;
  retryStatuses: readonly number[];
  /** How often to complete notifications whose enqueue was interrupted, and how old they must be. */
  repairIntervalMs: number;
  repairAfterMs: number;
  /** An update whose original message is not sent yet waits this long before looking again. */
  waitForOriginalMs: number;
  /** Graph failures (not throttling) of one installation before the recipient counts as `installFailed`. */
  maxInstallFailures: number;
  /** Chats Teams refuses after the bot installed the app before giving up (an installation takes a moment to take effect). */
  maxInstallWaits: number;
  /** Back-off between those refusals, and after a failed Graph call. */
  installBackoff: BackoffPolicy;
  /** Graph installations under way at once (they hold no Teams rate-limit slot). */
  maxInstallsInFlight: number;
  /**
   * While `busy` (see {@link StartDispatcherDeps.busy}) says the process's own turns need its thread: for the first
   * `busyHoldMs` of the burst no channel call starts and nothing is claimed; after that, calls start at most once per
   * `busyCallSpacingMs` (default 1,000: one per second), and the dispatcher claims, and {@link Dispatcher.hasRoom}
   * lets the relay hand over, only what this pace sends in two seconds. 0 = never yield. Nothing is dropped or
   * written back: a burst's notices wait in their documents and the outbox, and go at Teams' full rate once the turns
   * leave room (see `dispatcher/turnYield.ts`).
   */
  busyCallSpacingMs: number;
  /**
   * How long a burst of turns holds every channel call and claim back before the busy spacing lets calls through
   * (default 20,000 ms; 0 = slowed from the start). At most a third of `leaseMs` (longer is cut to that), so that
   * deliveries claimed before the burst keep their lease through it.
   */
  busyHoldMs: number;
}

/** What happened to a delivery; for metrics, tests and benchmarks. Ids and codes only. */
export interface DeliveryEvent {
  type:
    | 'sent'
    | 'updated'
    | 'superseded'
    | 'retry'
    | 'throttled'
    | 'failed'
    | 'unreachable'
    | 'conversationCreated'
    | 'leaseLost'
    | 'uncertainResend'
    /**
     * Sent by a process that died before recording it, found in this machine's send journal and recorded now with
     * the message id Teams gave it, instead of sending it again.
     */
    | 'recoveredFromJournal'
    /**
     * Sent by a process that died before recording it, found in the person's chat through Graph (`chats`) and recorded
     * now with its message id, instead of sending it again.
     */
    | 'recoveredFromChat'
    /** The app was installed for the recipient through Graph (or Graph found it installed). */
    | 'installed'
    /** Graph throttled the installation; the delivery waits. */
    | 'installThrottled';
  notificationId: string;
  /** The notification's idempotency key (absent only where no delivery document was at hand). */
  notificationKey?: string;
  deliveryId: string;
  conversationId?: string;
  activityId?: string;
  code?: string;
  status?: number;
  attempts?: number;
}

export interface StartDispatcherDeps {
  stores: DispatcherStores;
  sender: ChannelSender;
  logger: Logger;
  limits?: Partial<DeliveryLimits>;
  clock?: Clock;
  options?: Partial<DispatcherOptions>;
  /** The outbox feature code enqueues into in this process: its enqueues wake the dispatcher at once. */
  outbox?: Outbox;
  /** Endpoint for opening a 1:1 chat in a tenant the bot has not heard from since references were kept. */
  defaultEndpoint?: TenantEndpoint;
  /** Where personal chat references live; defaults to the user profiles in `stores.users`. */
  personal?: PersonalConversations;
  onEvent?: (event: DeliveryEvent) => void;
  /**
   * True while people are waiting on this process's thread (it is saturated by turns): the dispatcher then keeps to
   * `busyCallSpacingMs`, so that a burst of card actions is answered first and its notifications follow at Teams'
   * full rate right after (bot/turnLoad.ts). Without it the dispatcher always uses Teams' full rate.
   */
  busy?: () => boolean;
  /**
   * Microsoft Graph, when configured: a person Teams will not open a chat with for want of the app gets it installed
   * (feature `install`), unless they removed it themselves. Without it such a person is `unreachable`/`notInstalled`.
   */
  graph?: GraphPort;
  /** Source of jitter; tests make it deterministic. */
  random?: () => number;
  /**
   * Where accepted sends are noted before their outcome reaches the outbox, so that a process that dies in between
   * does not cause a resend on this machine (see `sendJournal.ts`). Without it, such a send is repeated.
   */
  journal?: SendJournal;
  /** Looks in the person's chat whether an uncertain send arrived before sending it again (Graph `chats`). */
  readBack?: ChatReadBack;
}

/** A running dispatcher. */
export interface Dispatcher {
  readonly workerId: string;
  /** Look for due work now instead of at the next poll. */
  wake(): void;
  /**
   * Resolves once this dispatcher has caught up with the outbox: it holds nothing (no claim, no call in flight, no
   * write under way, nothing handed over by an enqueue in this process), every delivery it put back for later (a
   * retry after back-off, a Retry-After wait, a rate-limit deferral, an update waiting for its original) has come due
   * and been dealt with, and a query of due deliveries that started after this call found none.
   *
   * So everything due when it was called, and everything that followed from it in this process, has been sent or
   * settled; what a test then does not see was not sent. Not waited for: deliveries another process holds a lease on,
   * and deliveries enqueued with a `notBefore` still ahead. Rejects when the dispatcher stops first. It never
   * resolves while work keeps coming or a delivery keeps being retried; callers bound the wait themselves.
   */
  whenIdle(): Promise<void>;
  /**
   * Whether this process's dispatcher can take more work without it piling up: fewer deliveries handed over or held
   * than it sends in about two seconds at the tenant's rate limit (`claimAhead`), or, while turns saturate the process
   * (`busy`), at the busy pace (`busyCallSpacingMs`). The relay of the workflows' notices asks before handing more
   * over; notices it holds back stay in their documents, where they are as safe.
   */
  hasRoom(): boolean;
  /** Calls `listener` whenever a held delivery is let go (room may have become free); returns the unsubscribe. */
  onRoom(listener: () => void): () => void;
  /** Stops claiming, lets calls in flight finish and be recorded, and hands unsent claims back. */
  stop(): Promise<void>;
}

function defaultOptions(limits: DeliveryLimits): DispatcherOptions {
  const perSecond = limits.perTenant.reduce((least, w) => Math.min(least, (w.max * 1000) / w.windowMs), Number.POSITIVE_INFINITY);
  return {
    workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: 60_000,
    pollIntervalMs: 1_000,
    claimAhead: Math.max(8, Math.min(500, Math.ceil(2 * (Number.isFinite(perSecond) ? perSecond : 100)))),
    maxInFlight: 64,
    maxCallsInFlight: Math.max(2, Math.min(64, Math.ceil((Number.isFinite(perSecond) ? perSecond : 30) / 3))),
    beginAhead: Math.max(4, Math.min(200, Math.ceil(Number.isFinite(perSecond) ? perSecond : 30))),
    callTimeoutMs: 15_000,
    deferAfterMs: 2_000,
    maxAttempts: 6,
    backoff: DEFAULT_BACKOFF,
    retryStatuses: DEFAULT_RETRY_STATUSES,
    repairIntervalMs: 30_000,
    repairAfterMs: 10_000,
    waitForOriginalMs: 2_000,
    maxInstallFailures: 4,
    maxInstallWaits: 5,
    installBackoff: { baseDelayMs: 2_000, maxDelayMs: 30_000 },
    maxInstallsInFlight: 16,
    busyCallSpacingMs: 1_000,
    busyHoldMs: 20_000,
  };
}

/**
 * Starts the delivery loop: claims due deliveries with ETag-guarded leases, sends them within Teams' rate limits,
 * and records each outcome. Several processes may run it on one database; each delivery is sent by one of them.
 *
 * Exactly-once has one honest gap: Teams has no idempotency key for posts (the channel assigns message ids). Between
 * the channel accepting a message and our `sent` write (one HTTP answer plus one database round trip) a crash leaves
 * the delivery `sending`. With a send journal (`deps.journal`) the part after the answer is covered: the next process
 * on the machine records the send from it. Otherwise, and for a crash during the call itself, it is sent again after
 * the lease runs out and counted in `uncertainResends`. So are timeouts and dropped connections. Every other crash point loses nothing and repeats nothing. `sending` is written
 * shortly before the slot frees (see `beginAhead`), so `uncertainResends` may over-count, never under-count.
 */
export function startDispatcher(deps: StartDispatcherDeps): Dispatcher {
  const clock = deps.clock ?? systemClock;
  const limits: DeliveryLimits = { ...TEAMS_LIMITS, ...deps.limits };
  const options: DispatcherOptions = { ...defaultOptions(limits), ...deps.options };
  if (options.callTimeoutMs * 2 >= options.leaseMs) {
    // A call must end well inside its lease, or another process could take the delivery while it is still under way.
    throw new RangeError(`callTimeoutMs (${options.callTimeoutMs}) must be less than half of leaseMs (${options.leaseMs})`);
  }
  const holdings = new Holdings();
  const logger = deps.logger.child({ component: 'outbox', workerId: options.workerId });
  const turnYield = new TurnYield(
    deps.busy ?? (() => false),
    { holdMs: Math.min(options.busyHoldMs, Math.floor(options.leaseMs / 3)), spacingMs: options.busyCallSpacingMs, claimAhead: options.claimAhead },
    logger,
    // The burst is over: the relay hands over what waited in the documents.
    () => holdings.roomFreed(),
  );
  const ctx: DispatchContext = {
    options,
    clock,
    random: deps.random ?? Math.random,
    logger,
    ledger: new DeliveryLedger(deps.stores.outbox, options.workerId, options.leaseMs, clock),
    personal: deps.personal ?? personalConversationsIn(new UserProfileRepository(deps.stores.users)),
    holdings,
    idle: new IdleTracker(holdings),
    schedule: new QuerySchedule(options.pollIntervalMs),
    waker: new Waker(clock),
    emit: (event) => deps.onEvent?.(event),
    claimWindow: () => turnYield.claimWindow(clock.now()),
    callWait: (lastCallAt) => turnYield.callWait(clock.now(), lastCallAt),
  };
  const limiter = new DeliveryRateLimiter(limits, clock);
  const registry = new ConversationRegistry(deps.stores.conversations, clock);
  const outcomes = new Outcomes(ctx, limiter, registry);
  const pace = new ConversationPace(limiter, clock);
  const claimer = new Claimer(ctx, deps.outbox ?? new Outbox(deps.stores.outbox, { clock }), outcomes, pace);
  const installs = deps.graph ? new Installs(ctx, deps.graph, outcomes) : undefined;
  const calls = new DeliveryCalls(ctx, deps.sender, registry, outcomes, deps.stores.outbox, deps.defaultEndpoint, deps.journal ?? NO_JOURNAL, installs, deps.readBack);
  const unsubscribe = deps.outbox?.onEnqueued((created) => claimer.takeHandoff(created));
  const loop = new DispatcherLoop(ctx, claimer, new SlotPump(ctx, limiter, calls, pace), unsubscribe).start();
  return {
    workerId: loop.workerId,
    wake: () => loop.wake(),
    whenIdle: () => loop.whenIdle(),
    // While turns need the thread, the relay hands over nothing during the hold and then only what the busy pace sends
    // in two seconds: a burst's notices wait in their documents (several changes of an item become one hand-over).
    hasRoom: () => holdings.backlog() < ctx.claimWindow(),
    onRoom: (listener) => holdings.onRelease(listener),
    stop: () => loop.stop(),
  };
}
