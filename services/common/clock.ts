/**
 * Time as the services see it. Production passes `systemClock`; tests pass a fake one to step through back-off,
 * leases and due dates without waiting and without depending on today's date.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** The clock's current moment as a `Date`. */
export function dateOf(clock: Clock): Date {
  return new Date(clock.now());
}

/** The clock's current moment as an ISO UTC string, as documents store it. */
export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
