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

  it("spaces deliveries put back for one chat by the average time its longest window allows (Teams: 60 per 30 s, 500 ms)", () => {
    expect(limiter.conversationSpacingMs).toBe(500);
    const start = clock.now() + 2_000;
    expect([0, 1, 2].map(() => pace.later('conv-ib', start))).toEqual([start, start + 500, start + 1_000]);
    // Another chat has its own line.
    expect(pace.later('conv-other', start)).toBe(start);
    // A later earliest time than the line's end wins.
    expect(pace.later('conv-ib', start + 10_000)).toBe(start + 10_000);
  });

  it('starts a new line once the last one has come due', async () => {
    const first = pace.later('conv-ib', clock.now() + 100);
    await clock.advance(1_000);
    expect(first).toBeLessThan(clock.now());
    expect(pace.later('conv-ib', clock.now() + 100)).toBe(clock.now() + 100);
  });

  it("estimates a delivery's wait from the rate limiter without taking a slot, plus the deliveries queued before it", () => {
    expect(pace.estimate(TENANT, 'conv-ib', 0)).toBe(0);
    expect(pace.estimate(TENANT, 'conv-ib', 3)).toBe(1_500);
    // Seven calls in a second use the chat's 7/s window up: the eighth waits, and estimating took nothing.
    for (let i = 0; i < 7; i++) {
      const decision = limiter.tryAcquire(TENANT, 'conv-ib');
      decision.permit!.release(clock.now());
    }
    expect(limiter.waitFor(TENANT, 'conv-ib')).toBe(1_000);
    expect(pace.estimate(TENANT, 'conv-ib', 1)).toBe(1_500);
    expect(limiter.tryAcquire(TENANT, 'conv-ib').waitMs).toBe(1_000);
  });
});
