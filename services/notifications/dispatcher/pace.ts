import type { Clock } from '../../common/clock';
import type { DeliveryRateLimiter } from '../rateLimiter';

/** Conversations with deliveries put back for later that a dispatcher remembers. */
const MAX_CONVERSATIONS = 10_000;

/**
 * Deliveries to one conversation that must wait for its rate limit (Teams: 7 calls per second and 60 per 30 s to one
 * chat) go back to the outbox one behind the other, spaced by the average time the binding limit allows between calls
 * (143 ms while the 7 per second bind, 500 ms once the 60 per 30 s do), instead of all due
 * again at the same instant, when one of them gets the slot and the others are claimed and put back once more (two
 * writes each, every time). And a delivery that would only wait is not claimed at all: it is put back at once (one
 * write). Only a schedule: the rate limiter still decides when each call goes.
 */
export class ConversationPace {
  /** Per conversation, the latest due time given to a delivery put back for it. */
  private readonly last = new Map<string, number>();

  constructor(
    private readonly limiter: DeliveryRateLimiter,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  /**
   * How long a delivery to `conversationId` would wait for its slot if it were claimed now: the rate limiter's wait and
   * the deliveries to the same conversation queued before it (`queued`). `Infinity` when only a call in flight can
   * free a slot (its answer comes soon).
   */
  estimate(tenantId: string, conversationId: string, queued: number): number {
    return this.limiter.waitFor(tenantId, conversationId) + queued * this.limiter.spacingFor(conversationId, queued);
  }

  /**
   * The due time of a delivery to `conversationId` put back to go not before `earliest`: after those put back before it,
   * as far apart as the windows that keep it waiting allow calls (`queued`: deliveries to it queued before this one).
   */
  later(conversationId: string | undefined, earliest: number, queued = 0): number {
    if (conversationId === undefined) return earliest;
    const now = this.clock.now();
    const previous = this.last.get(conversationId);
    const dueAt = previous !== undefined && previous >= now ? Math.max(earliest, previous + this.limiter.spacingFor(conversationId, queued, true)) : earliest;
    this.last.delete(conversationId);
    this.last.set(conversationId, dueAt);
    if (this.last.size > MAX_CONVERSATIONS) this.forgetPast(now);
    return dueAt;
  }

  /** Forgets conversations whose last due time has passed, and beyond the bound the least recently paced. */
  private forgetPast(now: number): void {
    for (const [conversationId, dueAt] of this.last) {
      if (dueAt < now || this.last.size > MAX_CONVERSATIONS) this.last.delete(conversationId);
    }
  }
}
