import type { Clock } from '../common/clock';

/** At most `max` calls in any `windowMs` long span. */
export interface RateWindow {
  max: number;
  windowMs: number;
}

/** The limits the dispatcher keeps to. */
export interface DeliveryLimits {
  /** Per conversation (Teams: 7 per second and 60 per 30 seconds). */
  perConversation: RateWindow[];
  /** Per tenant across all conversations (30 per second). With several bot processes, see {@link limitsForInstances}. */
  perTenant: RateWindow[];
  /** Extra time a finished call keeps its slot, against clock granularity between bot and channel. */
  safetyMarginMs: number;
}

/** Teams' documented limits for a bot, as the issue fixes them. */
export const TEAMS_LIMITS: DeliveryLimits = Object.freeze({
  perConversation: [
    { max: 7, windowMs: 1_000 },
    { max: 60, windowMs: 30_000 },
  ],
  perTenant: [{ max: 30, windowMs: 1_000 }],
  safetyMarginMs: 5,
});

/**
 * One instance's share of `limits` when `instances` bot processes send for the same bot (BOT_INSTANCE_COUNT): every
 * window, per tenant and per conversation alike, allows 1/n of its calls. Per conversation too, because deliveries are
 * claimed one by one, not by conversation: two instances may each hold a message for the same chat and send at once.
 *
 * A window keeps its length and gets `floor(max / n)` calls, so that n instances together stay within `max` in every
 * span of that length. Where that is less than one call (more instances than the window allows calls), the window
 * becomes one call per `ceil(windowMs * n / max)`: the same average rate, though n instances starting together may
 * then exceed the window once; Teams answers that with a 429, which only delays.
 */
export function limitsForInstances(limits: DeliveryLimits, instances: number): DeliveryLimits {
  if (!Number.isInteger(instances) || instances < 1) throw new RangeError(`instances must be a whole number of at least 1 (got ${instances})`);
  if (instances === 1) return limits;
  const share = (windows: RateWindow[]): RateWindow[] =>
    windows.map(({ max, windowMs }) => {
      const calls = Math.floor(max / instances);
      return calls >= 1 ? { max: calls, windowMs } : { max: 1, windowMs: Math.ceil((windowMs * instances) / max) };
    });
  return Object.freeze({ ...limits, perConversation: share(limits.perConversation), perTenant: share(limits.perTenant) });
}

/** A granted slot: report when the call finished, or give the slot back if no call was made. */
export interface RatePermit {
  release(completedAt: number): void;
  cancel(): void;
}

export type RateDecision = { permit: RatePermit; waitMs?: undefined } | { permit?: undefined; waitMs: number };

/**
 * Calls of one key (a conversation or a tenant). The channel counts a call when it arrives, which is somewhere between
 * our sending it and its answer; so a call occupies its slot from the moment it is granted until its answer plus the
 * window. That keeps us inside the channel's sliding window without guessing network delays.
 */
class CallLog {
  inFlight = 0;
  /** Completion times, ascending. */
  readonly done: number[] = [];
  blockedUntil = 0;

  wait(now: number, windows: RateWindow[], margin: number): number {
    let wait = this.blockedUntil > now ? this.blockedUntil - now : 0;
    for (const { max, windowMs } of windows) {
      const from = now - windowMs - margin;
      const firstInWindow = upperBound(this.done, from);
      const doneInWindow = this.done.length - firstInWindow;
      const count = this.inFlight + doneInWindow;
      if (count < max) continue;
      const mustExpire = count - max + 1;
      // Only an answer can free a slot held by calls still in flight; the caller is woken when one arrives.
      if (mustExpire > doneInWindow) return Number.POSITIVE_INFINITY;
      const freedBy = this.done[firstInWindow + mustExpire - 1];
      wait = Math.max(wait, freedBy + windowMs + margin - now);
    }
    return wait;
  }

  /** Calls answered after `from`. */
  doneSince(from: number): number {
    return this.done.length - upperBound(this.done, from);
  }

  complete(at: number): void {
    this.inFlight -= 1;
    this.done.splice(upperBound(this.done, at), 0, at);
  }

  prune(before: number): void {
    const stale = upperBound(this.done, before);
    if (stale > 0) this.done.splice(0, stale);
  }

  idle(now: number): boolean {
    return this.inFlight === 0 && this.done.length === 0 && this.blockedUntil <= now;
  }
}

/** Index of the first element greater than `value` in an ascending array. */
function upperBound(values: number[], value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid] <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Keeps outgoing calls within per-conversation and per-tenant sliding windows. Non-blocking: `tryAcquire` either
 * grants a slot or says how long to wait (`Infinity`: until a call in flight answers).
 */
export class DeliveryRateLimiter {
  private readonly conversations = new Map<string, CallLog>();
  private readonly tenants = new Map<string, CallLog>();
  private readonly longestConversationMs: number;
  private readonly longestTenantMs: number;
  private grants = 0;

  constructor(
    private readonly limits: DeliveryLimits,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.longestConversationMs = Math.max(0, ...limits.perConversation.map((w) => w.windowMs)) + limits.safetyMarginMs;
    this.longestTenantMs = Math.max(0, ...limits.perTenant.map((w) => w.windowMs)) + limits.safetyMarginMs;
  }

  /** How long a call to `conversation` would wait now (0: a slot is free; `Infinity`: until a call in flight answers). Takes nothing. */
  waitFor(tenant: string, conversation?: string): number {
    const now = this.clock.now();
    const margin = this.limits.safetyMarginMs;
    const tenantLog = this.tenants.get(tenant);
    const conversationLog = conversation === undefined ? undefined : this.conversations.get(conversation);
    return Math.max(tenantLog ? tenantLog.wait(now, this.limits.perTenant, margin) : 0, conversationLog ? conversationLog.wait(now, this.limits.perConversation, margin) : 0);
  }

  /**
   * The average time between calls to `conversation` that its windows allow once `queued` more calls are made: the
   * longest interval of the windows those calls would fill (Teams: 143 ms while its 7 per second bind, 500 ms once its
   * 60 per 30 s do); when none would be filled, 0, or with `atLeastShortest` the shortest window's interval. How far
   * apart deliveries to one conversation waiting for their slot come due.
   */
  spacingFor(conversation: string, queued: number, atLeastShortest = false): number {
    const windows = this.limits.perConversation;
    if (windows.length === 0) return 0;
    const now = this.clock.now();
    const log = this.conversations.get(conversation);
    let spacing = 0;
    for (const { max, windowMs } of windows) {
      const used = log ? log.inFlight + log.doneSince(now - windowMs - this.limits.safetyMarginMs) : 0;
      if (used + queued + 1 > max) spacing = Math.max(spacing, windowMs / Math.max(1, max));
    }
    return spacing || (atLeastShortest ? Math.min(...windows.map((w) => w.windowMs / Math.max(1, w.max))) : 0);
  }

  /** A slot for one call to `conversation` (or, for calls that address no conversation yet, the tenant alone). */
  tryAcquire(tenant: string, conversation?: string): RateDecision {
    const now = this.clock.now();
    const margin = this.limits.safetyMarginMs;
    const tenantLog = this.log(this.tenants, tenant, now - this.longestTenantMs);
    const conversationLog = conversation === undefined ? undefined : this.log(this.conversations, conversation, now - this.longestConversationMs);
    const wait = Math.max(
      tenantLog.wait(now, this.limits.perTenant, margin),
      conversationLog ? conversationLog.wait(now, this.limits.perConversation, margin) : 0,
    );
    if (wait > 0) return { waitMs: wait };

    tenantLog.inFlight += 1;
    if (conversationLog) conversationLog.inFlight += 1;
    if (++this.grants % 1024 === 0) this.sweep(now);
    let settled = false;
    return {
      permit: {
        release: (completedAt: number) => {
          if (settled) return;
          settled = true;
          tenantLog.complete(completedAt);
          conversationLog?.complete(completedAt);
        },
        cancel: () => {
          if (settled) return;
          settled = true;
          tenantLog.inFlight -= 1;
          if (conversationLog) conversationLog.inFlight -= 1;
        },
      },
    };
  }

  /**
   * After a 429: nothing more to that conversation until Retry-After, and a pause for the whole tenant of at most
   * its shortest window, because the answer does not say which limit was hit.
   */
  block(tenant: string, conversation: string | undefined, retryAfterMs: number): void {
    const now = this.clock.now();
    if (conversation !== undefined) {
      const log = this.log(this.conversations, conversation, now - this.longestConversationMs);
      log.blockedUntil = Math.max(log.blockedUntil, now + retryAfterMs);
    }
    const shortest = Math.min(...this.limits.perTenant.map((w) => w.windowMs), retryAfterMs);
    const tenantLog = this.log(this.tenants, tenant, now - this.longestTenantMs);
    tenantLog.blockedUntil = Math.max(tenantLog.blockedUntil, now + shortest);
  }

  private log(map: Map<string, CallLog>, key: string, pruneBefore: number): CallLog {
    let log = map.get(key);
    if (!log) {
      log = new CallLog();
      map.set(key, log);
    } else {
      log.prune(pruneBefore);
    }
    return log;
  }

  /** Forgets conversations with nothing left in any window, so a long-running process does not grow. */
  private sweep(now: number): void {
    for (const [map, longest] of [
      [this.conversations, this.longestConversationMs],
      [this.tenants, this.longestTenantMs],
    ] as const) {
      for (const [key, log] of map) {
        log.prune(now - longest);
        if (log.idle(now)) map.delete(key);
      }
    }
  }
}
