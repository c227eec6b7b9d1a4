import type { Clock } from '../../common/clock';

// A reason of our own: abort() without one builds a DOMException (with a stack) on every wake.
const WOKEN = Symbol('woken');

/** The dispatcher loop's sleep, which anything that brings new work can cut short. */
export class Waker {
  private controller = new AbortController();

  constructor(private readonly clock: Clock) {}

  /** Ends the current sleep, or makes the next one return at once. */
  wake(): void {
    this.controller.abort(WOKEN);
  }

  /** Sleeps up to `ms`; returns early on `wake`, and at once when woken since the last sleep. */
  async sleep(ms: number): Promise<void> {
    const controller = this.controller;
    if (!controller.signal.aborted) await this.clock.sleep(ms, controller.signal);
    if (controller.signal.aborted) this.controller = new AbortController();
  }
}
