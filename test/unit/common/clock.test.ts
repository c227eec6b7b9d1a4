import { dateOf, isoNow, systemClock, type Clock } from '../../../services/common/clock';

describe('clock', () => {
  const fixed: Clock = { now: () => Date.UTC(2026, 2, 29, 1, 0, 0), sleep: async () => undefined };

  it('derives Date and ISO string from an injected clock', () => {
    expect(dateOf(fixed).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(isoNow(fixed)).toBe('2026-03-29T01:00:00.000Z');
  });

  it('system sleep resolves at once when its signal is already aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(systemClock.sleep(60_000, abort.signal)).resolves.toBeUndefined();
  });

  it('system sleep resolves early, without error, when its signal aborts while sleeping', async () => {
    const abort = new AbortController();
    const slept = systemClock.sleep(60_000, abort.signal);
    abort.abort();
    await expect(slept).resolves.toBeUndefined();
  });
});
