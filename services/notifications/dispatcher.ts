import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../logging';
import type { DocumentStore } from '../storage/documentStore';
import { updateWithRetry } from '../common/etagRetry';
import { UserProfileRepository, type UserProfile } from '../users/userProfiles';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy } from '../common/backoff';
import { ChannelError, DEFAULT_RETRY_STATUSES, type ChannelSender, type SendOptions } from './channelSender';
import { systemClock, type Clock } from '../common/clock';
import {
  ConversationRegistry,
  personalConversationsIn,
  type PersonalConversations,
  type RegistryDoc,
  type TenantEndpoint,
} from './conversationRegistry';
import { DeliveryLedger, type Delivery, type DeliveryChanges } from './deliveryLedger';
import type { ConversationRef, DeliveryError, OutboxDoc } from './model';
import { Outbox, forEachLimited } from './outbox';
import { DeliveryRateLimiter, TEAMS_LIMITS, type DeliveryLimits, type RatePermit } from './rateLimiter';

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
  /** Channel calls in flight at once. */
  maxInFlight: number;
  /**
   * Deliveries marked `sending` ahead of their rate-limit slot, so that a free slot is used at once instead of after a
   * database round trip. Enough to fill the tenant's shortest window.
   */
  beginAhead: number;
  /** Timeout of one channel call; must stay well below `leaseMs`. */
  callTimeoutMs: number;
  /** A claimed delivery that would wait longer than this for its rate limit goes back to the outbox meanwhile. */
  deferAfterMs: number;
  /** Attempts (429 answers not counted) before a delivery is marked failed. */
  maxAttempts: number;
  /** 429 answers before a delivery is marked failed. */
  maxThrottles: number;
  backoff: BackoffPolicy;
  retryStatuses: readonly number[];
  /** How often to complete notifications whose enqueue was interrupted, and how old they must be. */
  repairIntervalMs: number;
  repairAfterMs: number;
  /** An update whose original message is not sent yet waits this long before looking again. */
  waitForOriginalMs: number;
}

/** What happened to a delivery; for metrics, tests and benchmarks. Ids and codes only. */
export interface DeliveryEvent {
  type: 'sent' | 'updated' | 'superseded' | 'retry' | 'throttled' | 'failed' | 'unreachable' | 'conversationCreated' | 'leaseLost' | 'uncertainResend';
  notificationId: string;
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
  /** Source of jitter; tests make it deterministic. */
  random?: () => number;
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
  /** Stops claiming, lets calls in flight finish and be recorded, and hands unsent claims back. */
  stop(): Promise<void>;
}

/** A claimed delivery on its way through this process. */
interface Work {
  doc: Delivery;
  tenantId: string;
  /** The conversation to post to; absent for a user without a personal chat yet. */
  ref?: ConversationRef;
  /** The message to replace, for updates. */
  activityId?: string;
  /** The previous attempt's outcome was never recorded: this send may repeat a message. */
  uncertain: boolean;
  /** `claimed`: leased; `beginning`: the `sending` write is under way; `begun`: ready to go out when a slot frees. */
  phase: 'claimed' | 'beginning' | 'begun';
  /** When the current lease was taken (claim or begin). */
  leasedAt: number;
  order: number;
}

function defaultOptions(limits: DeliveryLimits): DispatcherOptions {
  const perSecond = limits.perTenant.reduce((least, w) => Math.min(least, (w.max * 1000) / w.windowMs), Number.POSITIVE_INFINITY);
  return {
    workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: 60_000,
    pollIntervalMs: 1_000,
    claimAhead: Math.max(8, Math.min(500, Math.ceil(2 * (Number.isFinite(perSecond) ? perSecond : 100)))),
    maxInFlight: 64,
    beginAhead: Math.max(4, Math.min(200, Math.ceil(Number.isFinite(perSecond) ? perSecond : 30))),
    callTimeoutMs: 15_000,
    deferAfterMs: 2_000,
    maxAttempts: 6,
    maxThrottles: 50,
    backoff: DEFAULT_BACKOFF,
    retryStatuses: DEFAULT_RETRY_STATUSES,
    repairIntervalMs: 30_000,
    repairAfterMs: 10_000,
    waitForOriginalMs: 2_000,
  };
}

/** How many deliveries put back for later a dispatcher remembers for `whenIdle`. */
const MAX_TRACKED_LATER = 10_000;

function stoppedError(): Error {
  return Object.assign(new Error('The outbox dispatcher stopped before it was idle.'), { code: 'DISPATCHER_STOPPED' });
}

function keyOf(doc: { pk: string; id: string }): string {
  return `${doc.pk}\u0000${doc.id}`;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_.:-]{1,60}$/.test(code)) return code;
  return (err as Error)?.name || 'Error';
}

/**
 * Starts the delivery loop: claims due deliveries with ETag-guarded leases, sends them within Teams' rate limits,
 * and records each outcome. Several processes may run it on one database; each delivery is sent by one of them.
 *
 * Exactly-once has one honest gap: Teams has no idempotency key for posts (the channel assigns message ids). Between
 * the channel accepting a message and our `sent` write (one HTTP answer plus one database round trip) a crash leaves
 * the delivery `sending`; after the lease runs out it is sent again and counted in `uncertainResends`. So are
 * timeouts and dropped connections. Every other crash point loses nothing and repeats nothing. `sending` is written
 * shortly before the slot frees (see `beginAhead`), so `uncertainResends` may over-count, never under-count.
 */
export function startDispatcher(deps: StartDispatcherDeps): Dispatcher {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const limits: DeliveryLimits = { ...TEAMS_LIMITS, ...deps.limits };
  const options: DispatcherOptions = { ...defaultOptions(limits), ...deps.options };
  if (options.callTimeoutMs * 2 >= options.leaseMs) {
    // A call must end well inside its lease, or another process could take the delivery while it is still under way.
    throw new RangeError(`callTimeoutMs (${options.callTimeoutMs}) must be less than half of leaseMs (${options.leaseMs})`);
  }
  const logger = deps.logger.child({ component: 'outbox', workerId: options.workerId });
  const ledger = new DeliveryLedger(deps.stores.outbox, options.workerId, options.leaseMs, clock);
  const limiter = new DeliveryRateLimiter(limits, clock);
  const registry = new ConversationRegistry(deps.stores.conversations, clock);
  const personal = deps.personal ?? personalConversationsIn(new UserProfileRepository(deps.stores.users));
  const repairer = deps.outbox ?? new Outbox(deps.stores.outbox, { clock });
  const emit = (event: DeliveryEvent): void => deps.onEvent?.(event);
  const lowWater = Math.ceil(options.claimAhead / 2);

  const ready: Work[] = [];
  const mine = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const housekeeping = new Set<Promise<void>>();
  /** Deliveries this process just enqueued: claimed from here without a query. */
  const handoff: Delivery[] = [];
  let fetching: Promise<void> | undefined;
  let nextQueryAt = 0;
  let lastQueryAt = Number.NEGATIVE_INFINITY;
  let nextRepairAt = 0;
  /** Earliest due time this process wrote (retries, deferrals), so it comes back on time without extra queries. */
  let earliestScheduled = Number.POSITIVE_INFINITY;
  const scheduled = (dueAt: number): number => {
    earliestScheduled = Math.min(earliestScheduled, dueAt);
    return dueAt;
  };
  let stopping = false;
  /** Due-queries started so far; a `whenIdle` call waits for a quiet one started after it. */
  let querySeq = 0;
  /** A failed fetch holds idle probes off until then, so that a waiter does not hammer a failing database. */
  let probeAfter = 0;
  const idleWaiters: Array<{ after: number; resolve: () => void; reject: (err: Error) => void }> = [];
  /**
   * Deliveries this process put back as pending for later, with their due time: `whenIdle` waits for them. An entry
   * goes when this process claims the delivery again, or when a complete query after its due time does not return it
   * (another process took it, or it was finished or deleted). Bounded: beyond the limit the oldest entries are dropped.
   */
  const later = new Map<string, number>();
  const putBack = (doc: { pk: string; id: string }, dueAt: number): void => {
    if (later.size >= MAX_TRACKED_LATER) later.delete(later.keys().next().value as string);
    later.set(keyOf(doc), dueAt);
  };
  /** Marks a delivery as claimed by this process. */
  const own = (key: string): void => {
    mine.add(key);
    later.delete(key);
  };
  const holdsNothing = (): boolean =>
    ready.length === 0 && mine.size === 0 && inFlight.size === 0 && housekeeping.size === 0 && handoff.length === 0;
  const earliestLater = (): number => {
    let at = Number.POSITIVE_INFINITY;
    for (const dueAt of later.values()) at = Math.min(at, dueAt);
    return at;
  };
  /** When an idle waiter next needs a fresh query: when the first delivery put back comes due, not before a failed fetch may be retried. */
  const nextProbeAt = (): number => Math.max(probeAfter, later.size === 0 ? 0 : earliestLater());
  const idleProbeDue = (now: number): boolean => idleWaiters.length > 0 && holdsNothing() && now >= nextProbeAt();
  let wakeController = new AbortController();
  // A reason of our own: abort() without one builds a DOMException (with a stack) on every wake.
  const WOKEN = Symbol('woken');

  const wake = (queryNow = false): void => {
    if (queryNow) nextQueryAt = 0;
    wakeController.abort(WOKEN);
  };
  const unsubscribe = deps.outbox?.onEnqueued((created) => {
    const room = options.claimAhead * 4 - handoff.length;
    handoff.push(...(created.slice(0, Math.max(0, room)) as Delivery[]));
    // What does not fit is found by the next query.
    wake(created.length > room);
  });

  const sendOptions = (doc: Delivery): SendOptions => ({ deliveryId: `${doc.pk}/${doc.id}`, timeoutMs: options.callTimeoutMs });
  /** `at` is the instant the failure was handled: a retry's due time is counted from it. */
  const errorOf = (e: ChannelError, at: number): DeliveryError => ({
    code: e.code,
    status: e.status,
    at: new Date(at).toISOString(),
    ...(e.ambiguous ? { ambiguous: true } : {}),
  });
  const eventOf = (work: Work, type: DeliveryEvent['type'], extra: Partial<DeliveryEvent> = {}): DeliveryEvent => ({
    type,
    notificationId: work.doc.pk,
    deliveryId: work.doc.id,
    conversationId: work.ref?.conversationId,
    ...extra,
  });
  const done = (work: Work): void => {
    mine.delete(keyOf(work.doc));
  };

  /** Works out where a freshly claimed delivery goes; `undefined` when it was settled or put back instead. */
  async function prepare(before: Delivery, claimed: Delivery): Promise<Work | undefined> {
    const target = claimed.target;
    const work: Work = {
      doc: claimed,
      tenantId: target.kind === 'user' ? target.tenantId : target.ref.tenantId,
      uncertain: before.status === 'sending' || before.lastError?.ambiguous === true,
      phase: 'claimed',
      leasedAt: clock.now(),
      order: before.dueAt,
    };
    if (claimed.operation === 'update' && claimed.replaces && !claimed.replaceActivityId) {
      const original = await ledger.read(claimed.replaces.notificationId, claimed.replaces.deliveryId);
      if (!original || original.kind !== 'delivery') {
        await settleFailed(work, 'failed', { code: 'original_missing', at: new Date(clock.now()).toISOString() });
        return undefined;
      }
      if (original.status === 'sent' && original.activityId && original.conversation) {
        work.ref = original.conversation;
        work.activityId = original.activityId;
        if ((original.latestUpdateMs ?? 0) > claimed.createdAtMs) {
          // A newer update of the same card is already shown; sending this one would roll it back.
          await ledger.sent(claimed, { superseded: true, conversation: original.conversation, activityId: original.activityId });
          emit(eventOf(work, 'superseded'));
          return undefined;
        }
        return work;
      }
      if (original.open) {
        const dueAt = scheduled(clock.now() + options.waitForOriginalMs);
        if (await ledger.release(claimed, dueAt)) putBack(claimed, dueAt);
        return undefined;
      }
      await settleFailed(work, 'failed', { code: 'original_not_delivered', at: new Date(clock.now()).toISOString() });
      return undefined;
    }
    if (claimed.operation === 'update') work.activityId = claimed.replaceActivityId;
    if (target.kind === 'conversation') work.ref = target.ref;
    else work.ref = (await personal.get(target.aadObjectId)) ?? claimed.conversation;
    return work;
  }

  async function settleFailed(work: Work, status: 'failed' | 'unreachable', error: DeliveryError, changes: DeliveryChanges = {}): Promise<void> {
    const written = await ledger.finish(work.doc, status, error, changes);
    if (!written) {
      emit(eventOf(work, 'leaseLost'));
      return;
    }
    logger.warn({ event: `delivery.${status}`, notificationId: work.doc.pk, deliveryId: work.doc.id, code: error.code, status: error.status }, `delivery ${status}`);
    emit(eventOf(work, status, { code: error.code, status: error.status, attempts: written.attempts }));
  }

  async function fetch(): Promise<void> {
    const now = clock.now();
    if (now >= nextRepairAt) {
      nextRepairAt = now + options.repairIntervalMs;
      const repaired = await repairer.completeInterrupted(options.repairAfterMs);
      if (repaired > 0) logger.warn({ event: 'outbox.enqueue_completed', count: repaired }, 'completed interrupted enqueues');
    }
    const want = options.claimAhead - ready.length - inFlight.size;
    if (want <= 0) return;
    // Only a query that starts and ends with nothing held can tell an idle waiter that the dispatcher caught up.
    const probing = idleWaiters.length > 0 && holdsNothing();
    const candidates = handoff.splice(0, want).filter((d) => !mine.has(keyOf(d)));
    const fresh = new Set(candidates);
    // Query when the handoff does not fill the queue, and at least once per poll interval for retries that came due.
    if ((candidates.length < want && now >= nextQueryAt) || now >= lastQueryAt + options.pollIntervalMs || probing) {
      lastQueryAt = now;
      const seq = ++querySeq;
      const asked = Math.max(want - candidates.length, Math.ceil(want / 4));
      const seen = new Set(candidates.map(keyOf));
      const due = await ledger.due(asked);
      if (due.length < asked) {
        // A complete answer: what this process put back, due by now and not in it, is no longer waiting for anyone.
        const returned = new Set(due.map(keyOf));
        for (const [key, dueAt] of later) if (dueAt <= now && !returned.has(key)) later.delete(key);
      }
      if (probing && due.length === 0 && holdsNothing() && later.size === 0) settleIdle(seq);
      candidates.push(...shuffle(due.filter((d) => !mine.has(keyOf(d)) && !seen.has(keyOf(d))), random));
      const after = clock.now();
      if (due.length < asked || candidates.length === 0) {
        if (earliestScheduled <= after) earliestScheduled = Number.POSITIVE_INFINITY;
        nextQueryAt = Math.min(after + options.pollIntervalMs, earliestScheduled);
      } else {
        // A backlog: query again as soon as there is room.
        nextQueryAt = after;
      }
    }
    // Concurrent processes see the same oldest items; a shuffled claim order spreads them over different ones.
    let begunAhead = ready.filter((w) => w.phase !== 'claimed').length;
    await forEachLimited(candidates, 8, async (doc) => {
      if (stopping) return;
      if (fresh.has(doc) && begunAhead < options.beginAhead && (await claimToSend(doc))) {
        begunAhead += 1;
        return;
      }
      const claimed = await ledger.claim(doc);
      if (!claimed) return;
      own(keyOf(claimed));
      try {
        const work = await prepare(doc, claimed);
        if (work) {
          ready.push(work);
          // Start sending while the rest of the batch is still being claimed.
          wake();
        } else {
          mine.delete(keyOf(claimed));
        }
      } catch (err) {
        mine.delete(keyOf(claimed));
        throw err;
      }
    });
    ready.sort((a, b) => a.order - b.order);
  }

  /**
   * A delivery this process just enqueued, whose conversation is known without looking up an original message:
   * claimed and marked `sending` in one write (instead of a claim and then a begin). True when it is queued.
   */
  async function claimToSend(doc: Delivery): Promise<boolean> {
    if (doc.operation === 'update' && !doc.replaceActivityId) return false;
    const target = doc.target;
    const ref = target.kind === 'conversation' ? target.ref : ((await personal.get(target.aadObjectId)) ?? doc.conversation);
    if (!ref) return false;
    const claimed = await ledger.claimToSend(doc, ref);
    if (!claimed) return false;
    own(keyOf(claimed));
    ready.push({
      doc: claimed,
      tenantId: target.kind === 'user' ? target.tenantId : target.ref.tenantId,
      ref,
      ...(doc.operation === 'update' ? { activityId: doc.replaceActivityId } : {}),
      uncertain: false,
      phase: 'begun',
      leasedAt: clock.now(),
      order: doc.dueAt,
    });
    wake();
    return true;
  }

  /** Records a failed call: retry, wait for Retry-After, or give up, depending on what the channel said. */
  async function handleFailure(work: Work, err: unknown, sentActivity: boolean): Promise<void> {
    const e = err instanceof ChannelError ? err : new ChannelError(errorCode(err), 'transient', undefined, undefined, false);
    const doc = work.doc;
    const now = clock.now();
    const error = errorOf(e, now);
    const uncertainResends = doc.uncertainResends + (sentActivity && work.uncertain ? 1 : 0);
    if (e.kind === 'throttled') {
      const throttled = doc.throttled + 1;
      const wait = e.retryAfterMs ?? backoffDelay(throttled, options.backoff, random);
      limiter.block(work.tenantId, work.ref?.conversationId, wait);
      if (throttled > options.maxThrottles) {
        await settleFailed(work, 'failed', { ...error, code: 'throttled_too_often' }, { throttled, uncertainResends });
        return;
      }
      const dueAt = scheduled(now + wait);
      const written = await ledger.retry(doc, dueAt, error, { throttled, uncertainResends });
      if (written) putBack(doc, dueAt);
      emit(eventOf(work, written ? 'throttled' : 'leaseLost', { code: e.code, status: e.status }));
      return;
    }
    const attempts = doc.attempts + 1;
    if (e.kind === 'unreachable') {
      await settleFailed(work, 'unreachable', error, { attempts, uncertainResends });
      if (work.ref && work.ref.conversationType !== 'personal') await registry.markUnreachable(work.ref);
      // A person who blocked or removed the bot: their chat reference goes, and with it their profile's reason to stay.
      else if (work.ref && work.doc.target.kind === 'user') await personal.forget?.(work.doc.target.aadObjectId, work.ref);
      return;
    }
    if (e.kind === 'permanent') {
      await settleFailed(work, 'failed', error, { attempts, uncertainResends });
      return;
    }
    if (attempts >= options.maxAttempts) {
      await settleFailed(work, 'failed', { ...error, code: `max_attempts:${e.code}` }, { attempts, uncertainResends });
      return;
    }
    const dueAt = scheduled(now + backoffDelay(attempts, options.backoff, random));
    const written = await ledger.retry(doc, dueAt, error, { attempts, uncertainResends });
    if (written) putBack(doc, dueAt);
    logger.info({ event: 'delivery.retry', notificationId: doc.pk, deliveryId: doc.id, code: e.code, status: e.status, attempts }, 'delivery will be retried');
    emit(eventOf(work, written ? 'retry' : 'leaseLost', { code: e.code, status: e.status, attempts }));
  }

  async function openPersonalChat(work: Work, permit: RatePermit): Promise<void> {
    const target = work.doc.target;
    if (target.kind !== 'user') return;
    const endpoint = (await registry.endpointFor(target.tenantId)) ?? deps.defaultEndpoint;
    if (!endpoint) {
      permit.cancel();
      await settleFailed(work, 'failed', { code: 'no_endpoint_for_tenant', at: new Date(clock.now()).toISOString() });
      return;
    }
    let ref: ConversationRef;
    try {
      ref = await deps.sender.createPersonalConversation({ aadObjectId: target.aadObjectId, tenantId: target.tenantId, ...endpoint }, sendOptions(work.doc));
    } catch (err) {
      permit.release(clock.now());
      await handleFailure(work, err, false);
      return;
    }
    permit.release(clock.now());
    await personal.remember(target.aadObjectId, target.tenantId, ref);
    work.ref = ref;
    emit(eventOf(work, 'conversationCreated'));
    // Still leased: back to the front of the queue to be posted under the conversation's own limits.
    work.phase = 'claimed';
    ready.unshift(work);
  }

  /** Writes `sending` for a delivery waiting for its slot; a lost lease drops it from this process. */
  function beginAhead(work: Work): void {
    work.phase = 'beginning';
    const begin = (async () => {
      try {
        const begun = await ledger.begin(work.doc, work.ref as ConversationRef);
        if (!begun) {
          const at = ready.indexOf(work);
          if (at !== -1) ready.splice(at, 1);
          done(work);
          emit(eventOf(work, 'leaseLost'));
          return;
        }
        work.doc = begun;
        work.phase = 'begun';
        work.leasedAt = clock.now();
      } catch (err) {
        work.phase = 'claimed';
        logger.error({ event: 'delivery.begin_failed', notificationId: work.doc.pk, deliveryId: work.doc.id, code: errorCode(err) }, 'could not mark a delivery as sending');
      } finally {
        wake();
      }
    })();
    housekeeping.add(begin);
    void begin.finally(() => housekeeping.delete(begin));
  }

  /** Makes the channel call for a begun delivery and records what happened. */
  async function deliver(work: Work, permit: RatePermit): Promise<void> {
    const ref = work.ref as ConversationRef;
    const doc = work.doc;
    if (work.uncertain) {
      logger.warn({ event: 'delivery.uncertain_resend', notificationId: doc.pk, deliveryId: doc.id }, 'sending again after an attempt with no recorded outcome');
      emit(eventOf(work, 'uncertainResend'));
    }
    let activityId: string;
    try {
      if (doc.operation === 'update') {
        await deps.sender.update(ref, work.activityId as string, doc.activity, sendOptions(doc));
        activityId = work.activityId as string;
      } else {
        activityId = (await deps.sender.send(ref, doc.activity, sendOptions(doc))).activityId;
      }
    } catch (err) {
      permit.release(clock.now());
      await handleFailure(work, err, true);
      return;
    }
    permit.release(clock.now());
    const { recorded, raced } = await ledger.sent(doc, {
      activityId,
      conversation: ref,
      attempts: doc.attempts + 1,
      uncertainResends: doc.uncertainResends + (work.uncertain ? 1 : 0),
    });
    if (raced) {
      logger.warn({ event: 'delivery.lease_lost_after_send', notificationId: doc.pk, deliveryId: doc.id, recorded }, 'the lease ran out during the call');
    }
    if (doc.operation === 'update' && doc.replaces) {
      const mark = doc.createdAtMs;
      await updateWithRetry(deps.stores.outbox, doc.replaces.notificationId, doc.replaces.deliveryId, (current) =>
        current?.kind === 'delivery' && (current.latestUpdateMs ?? 0) < mark ? { ...current, latestUpdateMs: mark } : undefined,
      );
    }
    emit(eventOf(work, doc.operation === 'update' ? 'updated' : 'sent', { activityId, attempts: doc.attempts + 1 }));
  }

  function start(work: Work, permit: RatePermit): void {
    const run = (async () => {
      try {
        if (work.ref) await deliver(work, permit);
        else await openPersonalChat(work, permit);
      } catch (err) {
        // Storage trouble: the lease runs out and the delivery is picked up again.
        permit.cancel();
        logger.error({ event: 'delivery.error', notificationId: work.doc.pk, deliveryId: work.doc.id, code: errorCode(err) }, 'delivery step failed');
      }
    })();
    inFlight.add(run);
    void run.finally(() => {
      inFlight.delete(run);
      if (!ready.includes(work)) done(work);
      wake();
    });
  }

  /**
   * Starts every begun delivery the limits allow, and begins the next ones so that they are ready when a slot frees.
   * Returns how long until the next one could go.
   */
  function pump(): number {
    let wait = Number.POSITIVE_INFINITY;
    const now = clock.now();
    let ahead = ready.filter((w) => w.phase !== 'claimed').length;
    for (let i = 0; i < ready.length && inFlight.size < options.maxInFlight; ) {
      const work = ready[i];
      if (work.phase === 'beginning') {
        i++;
        continue;
      }
      if (now - work.leasedAt > options.leaseMs / 2) {
        ready.splice(i, 1);
        giveBack(work, now);
        continue;
      }
      // Posts are marked `sending` ahead of their slot. A user without a personal chat goes straight to opening one:
      // that call is idempotent and needs no mark.
      if (work.ref && work.phase === 'claimed') {
        if (ahead < options.beginAhead) {
          ahead += 1;
          beginAhead(work);
        }
        i++;
        continue;
      }
      const decision = limiter.tryAcquire(work.tenantId, work.ref?.conversationId);
      if (decision.permit) {
        ready.splice(i, 1);
        ahead -= work.phase === 'begun' ? 1 : 0;
        start(work, decision.permit);
        continue;
      }
      if (Number.isFinite(decision.waitMs) && decision.waitMs > options.deferAfterMs) {
        ready.splice(i, 1);
        ahead -= work.phase === 'begun' ? 1 : 0;
        giveBack(work, scheduled(now + decision.waitMs));
        continue;
      }
      wait = Math.min(wait, decision.waitMs);
      i++;
    }
    return wait;
  }

  /** Hands a claimed delivery back to the outbox (unsent, no attempt used); tracked so that `stop` can wait for it. */
  function giveBack(work: Work, dueAt: number): Promise<void> {
    const changes: DeliveryChanges = work.ref && work.doc.target.kind === 'user' ? { conversation: work.ref } : {};
    if (work.uncertain && !work.doc.lastError?.ambiguous) {
      // Keep the knowledge that an earlier send has no recorded outcome, for whoever sends this next.
      changes.lastError = { code: 'no_outcome_recorded', at: new Date(clock.now()).toISOString(), ambiguous: true };
    }
    const release = (async () => {
      try {
        if (await ledger.release(work.doc, dueAt, changes)) putBack(work.doc, dueAt);
      } catch (err) {
        logger.error({ event: 'delivery.release_failed', notificationId: work.doc.pk, deliveryId: work.doc.id, code: errorCode(err) }, 'could not hand a delivery back');
      } finally {
        done(work);
      }
    })();
    housekeeping.add(release);
    void release.finally(() => {
      housekeeping.delete(release);
      if (idleWaiters.length > 0) wake();
    });
    return release;
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      try {
        const now = clock.now();
        if (!fetching && ready.length < lowWater && (handoff.length > 0 || now >= nextQueryAt || idleProbeDue(now))) {
          fetching = fetch()
            .catch((err: unknown) => {
              nextQueryAt = clock.now() + options.pollIntervalMs;
              probeAfter = nextQueryAt;
              logger.error({ event: 'outbox.fetch_failed', code: errorCode(err) }, 'could not fetch due deliveries');
            })
            .finally(() => {
              fetching = undefined;
              wake();
            });
        }
        let sleep = Math.min(pump(), options.pollIntervalMs);
        if (!fetching && ready.length < lowWater) sleep = Math.min(sleep, handoff.length > 0 ? 0 : Math.max(0, nextQueryAt - clock.now()));
        // An idle waiter: look again when the first delivery put back comes due (or a failed fetch may be retried).
        if (!fetching && idleWaiters.length > 0 && holdsNothing()) sleep = Math.min(sleep, Math.max(0, nextProbeAt() - clock.now()));
        const controller = wakeController;
        if (!controller.signal.aborted) await clock.sleep(sleep, controller.signal);
        if (controller.signal.aborted) wakeController = new AbortController();
      } catch (err) {
        logger.error({ event: 'outbox.loop_error', code: errorCode(err) }, 'dispatcher loop error');
        await clock.sleep(options.pollIntervalMs);
      }
    }
  }

  /** Resolves the idle waiters that called before query `seq` started. */
  function settleIdle(seq: number): void {
    for (let i = idleWaiters.length - 1; i >= 0; i--) {
      if (idleWaiters[i].after < seq) idleWaiters.splice(i, 1)[0].resolve();
    }
  }

  logger.info({ event: 'outbox.dispatcher_started', leaseMs: options.leaseMs, claimAhead: options.claimAhead }, 'outbox dispatcher started');
  const running = loop();
  let stopped: Promise<void> | undefined;

  return {
    workerId: options.workerId,
    wake: () => wake(true),
    whenIdle: () => {
      if (stopping) return Promise.reject(stoppedError());
      return new Promise<void>((resolve, reject) => {
        idleWaiters.push({ after: querySeq, resolve, reject });
        wake();
      });
    },
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        for (const waiter of idleWaiters.splice(0)) waiter.reject(stoppedError());
        unsubscribe?.();
        wake();
        await running;
        await fetching;
        // Calls in flight finish and are recorded; `sending` marks under way complete, so the releases below carry
        // the current ETags.
        while (inFlight.size > 0 || housekeeping.size > 0) await Promise.allSettled([...inFlight, ...housekeeping]);
        const left = ready.splice(0);
        await forEachLimited(left, 8, (work) => giveBack(work, clock.now()));
        logger.info({ event: 'outbox.dispatcher_stopped', released: left.length }, 'outbox dispatcher stopped');
      })()),
  };
}
