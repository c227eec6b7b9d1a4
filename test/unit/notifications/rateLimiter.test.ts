import { backoffDelay } from '../../../services/common/backoff';
import { classifyStatus, parseRetryAfter } from '../../../services/notifications/channelSender';
import { DeliveryRateLimiter, limitsForInstances, TEAMS_LIMITS, type RatePermit, type RateWindow } from '../../../services/notifications/rateLimiter';
import { FakeClock } from '../../support/fakeClock';

const TENANT = 'tenant-nrw';

function grant(limiter: DeliveryRateLimiter, conversation?: string): RatePermit {
  const decision = limiter.tryAcquire(TENANT, conversation);
  if (!decision.permit) throw new Error(`expected a slot, had to wait ${decision.waitMs} ms`);
  return decision.permit;
}

describe('the delivery rate limiter', () => {
  let clock: FakeClock;
  let limiter: DeliveryRateLimiter;

  beforeEach(() => {
    clock = new FakeClock();
    limiter = new DeliveryRateLimiter({ ...TEAMS_LIMITS, safetyMarginMs: 0 }, clock);
  });

  it('lets 30 calls per second through for a tenant and makes the 31st wait until the first answer is a second old', async () => {
    for (let i = 0; i < 30; i++) grant(limiter, `conv-${i}`).release(clock.now());
    const refused = limiter.tryAcquire(TENANT, 'conv-30');
    expect(refused.waitMs).toBe(1000);
    await clock.advance(999);
    expect(limiter.tryAcquire(TENANT, 'conv-30').waitMs).toBe(1);
    await clock.advance(1);
    expect(limiter.tryAcquire(TENANT, 'conv-30').permit).toBeDefined();
  });

  it('keeps one conversation to 7 calls per second', async () => {
    for (let i = 0; i < 7; i++) grant(limiter, 'conv-a').release(clock.now());
    expect(limiter.tryAcquire(TENANT, 'conv-a').waitMs).toBe(1000);
    // Other conversations of the tenant are not held up.
    expect(limiter.tryAcquire(TENANT, 'conv-b').permit).toBeDefined();
  });

  it('keeps one conversation to 60 calls per 30 seconds', async () => {
    for (let second = 0; second < 9; second++) {
      const burst = second < 8 ? 7 : 4;
      for (let i = 0; i < burst; i++) grant(limiter, 'conv-a').release(clock.now());
      await clock.advance(1000);
    }
    // 60 calls within 9 seconds: the next one waits until the first call leaves the 30-second window.
    const decision = limiter.tryAcquire(TENANT, 'conv-a');
    expect(decision.waitMs).toBe(30_000 - 9_000);
  });

  it('counts a call from the moment it is granted until a window after its answer', async () => {
    const slow = Array.from({ length: 30 }, (_, i) => grant(limiter, `conv-${i}`));
    // Every slot is held by a call still in flight: only an answer can free one.
    expect(limiter.tryAcquire(TENANT, 'conv-x').waitMs).toBe(Number.POSITIVE_INFINITY);
    await clock.advance(400);
    slow[0].release(clock.now());
    expect(limiter.tryAcquire(TENANT, 'conv-x').waitMs).toBe(1000);
  });

  it('gives the slot of a call that was never made back at once', () => {
    const permits = Array.from({ length: 30 }, (_, i) => grant(limiter, `conv-${i}`));
    permits[5].cancel();
    expect(limiter.tryAcquire(TENANT, 'conv-x').permit).toBeDefined();
  });

  it('adds the safety margin to every window', () => {
    const strict = new DeliveryRateLimiter({ ...TEAMS_LIMITS, safetyMarginMs: 20 }, clock);
    for (let i = 0; i < 30; i++) grant(strict, `conv-${i}`).release(clock.now());
    expect(strict.tryAcquire(TENANT, 'conv-30').waitMs).toBe(1020);
  });

  it('after a 429 holds the conversation for Retry-After and the whole tenant for at most a second', async () => {
    limiter.block(TENANT, 'conv-a', 5_000);
    expect(limiter.tryAcquire(TENANT, 'conv-a').waitMs).toBe(5_000);
    expect(limiter.tryAcquire(TENANT, 'conv-b').waitMs).toBe(1_000);
    await clock.advance(1_000);
    expect(limiter.tryAcquire(TENANT, 'conv-b').permit).toBeDefined();
    expect(limiter.tryAcquire(TENANT, 'conv-a').waitMs).toBe(4_000);
  });

  it('limits calls that address no conversation yet (opening a 1:1 chat) by the tenant alone', () => {
    for (let i = 0; i < 30; i++) grant(limiter).release(clock.now());
    expect(limiter.tryAcquire(TENANT).waitMs).toBe(1000);
  });
});

describe('several instances sharing Teams\' limits (BOT_INSTANCE_COUNT)', () => {
  /**
   * `instances` limiters on one clock, each sending as fast as its own limiter lets it for `duration` ms (calls answer
   * at once); `conversationOf` names the conversation of each instance's k-th call. Returns every call's time, sorted.
   */
  async function sendTogether(instances: number, durationMs: number, conversationOf: (instance: number, k: number) => string): Promise<number[]> {
    const clock = new FakeClock();
    const limits = limitsForInstances(TEAMS_LIMITS, instances);
    const limiters = Array.from({ length: instances }, () => new DeliveryRateLimiter(limits, clock));
    const sent = limiters.map(() => 0);
    const times: number[] = [];
    for (let elapsed = 0; elapsed < durationMs; elapsed++) {
      limiters.forEach((limiter, i) => {
        for (;;) {
          const decision = limiter.tryAcquire(TENANT, conversationOf(i, sent[i]));
          if (!decision.permit) break;
          decision.permit.release(clock.now());
          sent[i] += 1;
          times.push(clock.now());
        }
      });
      await clock.advance(1);
    }
    return times;
  }

  /** Whether no span of `windowMs` holds more than `max` of the (sorted) call times. */
  function withinWindow(times: number[], { max, windowMs }: RateWindow): boolean {
    return times.every((t, i) => i + max >= times.length || times[i + max] - t >= windowMs);
  }

  it('leaves the limits as they are for one instance', () => {
    expect(limitsForInstances(TEAMS_LIMITS, 1)).toBe(TEAMS_LIMITS);
  });

  it('gives each of n instances 1/n of every window, per tenant and per conversation', () => {
    expect(limitsForInstances(TEAMS_LIMITS, 2)).toEqual({
      perConversation: [
        { max: 3, windowMs: 1_000 },
        { max: 30, windowMs: 30_000 },
      ],
      perTenant: [{ max: 15, windowMs: 1_000 }],
      safetyMarginMs: TEAMS_LIMITS.safetyMarginMs,
    });
    expect(limitsForInstances(TEAMS_LIMITS, 3).perTenant).toEqual([{ max: 10, windowMs: 1_000 }]);
    expect(limitsForInstances(TEAMS_LIMITS, 4).perTenant).toEqual([{ max: 7, windowMs: 1_000 }]);
  });

  it('spreads a window that allows fewer calls than there are instances: one call per n/max of it', () => {
    // 7 calls per second per conversation among 8 instances: one call per 1143 ms each, 7 per 8 s together.
    expect(limitsForInstances(TEAMS_LIMITS, 8).perConversation).toEqual([
      { max: 1, windowMs: 1_143 },
      { max: 7, windowMs: 30_000 },
    ]);
  });

  it('refuses a count that is not a whole number of at least 1', () => {
    expect(() => limitsForInstances(TEAMS_LIMITS, 0)).toThrow(RangeError);
    expect(() => limitsForInstances(TEAMS_LIMITS, 1.5)).toThrow(RangeError);
  });

  it.each([2, 3, 4])('keeps %i instances fanning out at full speed within the tenant\'s 30 calls per second together', async (instances) => {
    const times = await sendTogether(instances, 3_000, (i, k) => `conv-${i}-${k}`);
    for (const window of TEAMS_LIMITS.perTenant) expect(withinWindow(times, window)).toBe(true);
    // Not slower than the shares add up to: each instance its floor(30 / n) calls in each of the three seconds.
    expect(times.length).toBe(3 * instances * Math.floor(30 / instances));
  });

  it.each([2, 3, 4])('keeps %i instances sending to one chat at once within 7 per second and 60 per 30 seconds together', async (instances) => {
    const times = await sendTogether(instances, 31_000, () => 'conv-shared');
    for (const window of TEAMS_LIMITS.perConversation) expect(withinWindow(times, window)).toBe(true);
    expect(times.length).toBeGreaterThan(0);
  });

  it('lets one instance alone use the whole budget of 30 calls per second', async () => {
    const times = await sendTogether(1, 1_000, (i, k) => `conv-${i}-${k}`);
    expect(times.length).toBe(30);
  });
});

describe('back-off between attempts', () => {
  const policy = { baseDelayMs: 1_000, maxDelayMs: 60_000 };

  it('doubles with every failed attempt, jittered between half and all of the ceiling', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(2, policy, () => 0)).toBe(1_000);
    expect(backoffDelay(3, policy, () => 1)).toBe(4_000);
    expect(backoffDelay(4, policy, () => 0.5)).toBe(6_000);
  });

  it('never exceeds the maximum, however many attempts failed', () => {
    expect(backoffDelay(50, policy, () => 1)).toBe(60_000);
    expect(backoffDelay(50, policy, () => 0)).toBe(30_000);
  });

  it('spreads deliveries that failed together', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(3, policy)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

describe('how a failed channel call is treated', () => {
  it('waits for Retry-After on 429, retries 412 and gateway errors, stops at 403', () => {
    expect(classifyStatus(429, 'send')).toBe('throttled');
    for (const status of [412, 502, 503, 504]) expect(classifyStatus(status, 'send')).toBe('transient');
    expect(classifyStatus(403, 'send')).toBe('unreachable');
    expect(classifyStatus(400, 'send')).toBe('permanent');
  });

  it('treats 404 as a vanished conversation on a post but as a plain failure on an update', () => {
    expect(classifyStatus(404, 'send')).toBe('unreachable');
    expect(classifyStatus(404, 'update')).toBe('permanent');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2025, 0, 6, 8, 0, 0);
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter(new Date(now + 3_000).toUTCString(), now)).toBe(3_000);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
