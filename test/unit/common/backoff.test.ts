import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../../../services/common/backoff';

const low = () => 0;
const high = () => 0.999999;

describe('backoffDelay', () => {
  const policy: BackoffPolicy = { baseDelayMs: 1_000, maxDelayMs: 10_000 };

  it('doubles per failure between half and all of the ceiling (equal jitter)', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, low))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, high))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(3_000);
  });

  it('never exceeds the cap nor falls below half of it, however many failures', () => {
    for (const n of [5, 10, 31, 1_000, Number.MAX_SAFE_INTEGER]) {
      expect(backoffDelay(n, policy, low)).toBe(5_000);
      expect(backoffDelay(n, policy, high)).toBe(10_000);
    }
  });

  it('treats zero failures as the first', () => {
    expect(backoffDelay(0, policy, low)).toBe(backoffDelay(1, policy, low));
  });

  it('without jitter gives the ceiling exactly, with the caller\'s factor', () => {
    const exact: BackoffPolicy = { baseDelayMs: 100, maxDelayMs: 900, factor: 3, jitter: 'none' };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, exact, low))).toEqual([100, 300, 900, 900]);
    expect(backoffDelay(2, exact, high)).toBe(300);
  });

  it('keeps the scheduler\'s numbers: retryDelayMs doubled at most six times, no jitter', () => {
    const retry = 30_000;
    const scheduler: BackoffPolicy = { baseDelayMs: retry, maxDelayMs: retry * 2 ** 6, jitter: 'none' };
    expect([1, 2, 7, 8, 20].map((n) => backoffDelay(n, scheduler))).toEqual([1, 2, 7, 8, 20].map((n) => retry * 2 ** Math.min(n - 1, 6)));
  });

  it('defaults to the outbox policy: 1 s doubling up to 5 minutes', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseDelayMs: 1_000, maxDelayMs: 300_000 });
    expect(backoffDelay(1, undefined, high)).toBe(1_000);
    expect(backoffDelay(30, undefined, high)).toBe(300_000);
  });
});
