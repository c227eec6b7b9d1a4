import { ConversationPace } from '../../../services/notifications/dispatcher/pace';
import { DeliveryRateLimiter, TEAMS_LIMITS } from '../../../services/notifications/rateLimiter';
import { FakeClock } from '../../support/fakeClock';

const TENANT = 'tenant-nrw';

describe('the pace of deliveries to a chat whose rate limit is used up', () => {
  let clock: FakeClock;
  let limiter: DeliveryRateLimiter;
  let pace: ConversationPace;

  beforeEach(() => {
    clock = new FakeClock();
    limiter = new DeliveryRateLimiter({ ...TEAMS_LIMITS, safetyMarginMs: 0 }, clock);
    pace = new ConversationPace(limiter, clock);
  });

  /** `n` calls to `conversation`, 150 ms apart (within Teams' 7 per second), each answered at once. */
  async function calls(conversation: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const decision = limiter.tryAcquire(TENANT, conversation);
      if (!decision.permit) throw new Error(`call ${i} had to wait ${decision.waitMs} ms`);
      decision.permit.release(clock.now());
      await clock.advance(150);
    }
  }

  it('spaces deliveries put back for one chat by the interval of the window that binds: 143 ms for 7 per second, 500 ms once 60 per 30 s are used', async () => {
    const start = clock.now() + 2_000;
    const first = [0, 1, 2].map(() => pace.later('conv-burst', start));
    expect(first[1] - first[0]).toBeCloseTo(1000 / 7);
    expect(first[2] - first[1]).toBeCloseTo(1000 / 7);
    await calls('conv-ib', 60);
    expect(limiter.spacingFor('conv-ib', 0)).toBe(500);
    const at = clock.now() + 2_000;
    expect([0, 1, 2].map(() => pace.later('conv-ib', at))).toEqual([at, at + 500, at + 1_000]);
    // Another chat has its own line; a later earliest time than the line's end wins.
    expect(pace.later('conv-other', at)).toBe(at);
    expect(pace.later('conv-ib', at + 10_000)).toBe(at + 10_000);
  });

  it('starts a new line once the last one has come due', async () => {
    const first = pace.later('conv-ib', clock.now() + 100);
    await clock.advance(1_000);
    expect(first).toBeLessThan(clock.now());
    expect(pace.later('conv-ib', clock.now() + 100)).toBe(clock.now() + 100);
  });

  it("estimates a delivery's wait from the rate limiter without taking a slot, plus the deliveries queued before it where they fill a window", async () => {
    // Nothing sent: up to six queued before it still fit into the 7 per second.
    expect(pace.estimate(TENANT, 'conv-ib', 0)).toBe(0);
    expect(pace.estimate(TENANT, 'conv-ib', 6)).toBe(0);
    expect(pace.estimate(TENANT, 'conv-ib', 7)).toBeCloseTo((7 * 1000) / 7);
    // 60 calls in the last 30 s: the next waits for the oldest to leave the window, and each queued one 500 ms more.
    await calls('conv-ib', 60);
    const wait = limiter.waitFor(TENANT, 'conv-ib');
    expect(wait).toBeGreaterThan(2_000);
    expect(pace.estimate(TENANT, 'conv-ib', 2)).toBe(wait + 1_000);
    // Estimating took no slot.
    expect(limiter.tryAcquire(TENANT, 'conv-ib').waitMs).toBe(wait);
  });
});
