import type { Logger } from '../../logging';

/** What the dispatcher does about the process's own turns now (see {@link TurnYield}). */
export type YieldPhase =
  /** No burst of turns: calls at Teams' full rate, claims up to `claimAhead`. */
  | 'free'
  /** The first `busyHoldMs` of a burst: no channel call starts and nothing is claimed. */
  | 'held'
  /** A burst longer than the hold: calls at the busy spacing, claims for two seconds of it. */
  | 'slowed';

export interface TurnYieldOptions {
  /** See `DispatcherOptions.busyHoldMs` (0: no hold, a burst is slowed from its start). */
  holdMs: number;
  /** See `DispatcherOptions.busyCallSpacingMs` (0: the dispatcher never yields). */
  spacingMs: number;
  claimAhead: number;
}

/** How often at most the dispatcher says that it yields to a burst of turns (a saturated process may flip often). */
const YIELD_LOG_INTERVAL_MS = 60_000;

/**
 * How the dispatcher yields to a burst of turns (`busy`, bot/turnLoad.ts). A burst's notifications wait until it is
 * over: for its first `holdMs` no channel call starts and nothing is claimed (claims and `sending` marks are writes on
 * the same thread), so its notices wait in their documents and the outbox. A burst that lasts longer than that gets
 * one call per `spacingMs`, so that a long saturation cannot hold notifications back indefinitely. When the burst is
 * over, `onFree` is called (the relay hands over what waited) and calls go at Teams' full rate.
 *
 * Asked, not timed: the dispatcher's loop asks at least once per poll interval, so the end of a burst is noticed
 * within one.
 */
export class TurnYield {
  private busySince: number | undefined;
  private logged = Number.NEGATIVE_INFINITY;
  /** Deliveries claimed at once while slowed: what the busy spacing sends in two seconds (at least one). */
  private readonly slowWindow: number;

  constructor(
    private readonly busy: () => boolean,
    private readonly options: TurnYieldOptions,
    private readonly logger: Logger,
    private readonly onFree: () => void,
  ) {
    this.slowWindow = options.spacingMs > 0 ? Math.min(options.claimAhead, Math.max(1, Math.ceil(2_000 / options.spacingMs))) : options.claimAhead;
  }

  /** The phase at `now`; a burst's start and end are noticed here. */
  phase(now: number): YieldPhase {
    if (this.options.spacingMs <= 0) return 'free';
    if (!this.busy()) {
      if (this.busySince !== undefined) {
        this.busySince = undefined;
        this.onFree();
      }
      return 'free';
    }
    if (this.busySince === undefined) {
      this.busySince = now;
      if (now - this.logged >= YIELD_LOG_INTERVAL_MS) {
        this.logged = now;
        this.logger.info(
          { event: 'delivery.yielding_to_turns', holdSeconds: Math.round(this.options.holdMs / 1000), callsPerSecond: Math.round(1000 / this.options.spacingMs) },
          'a burst of turns saturates the process: proactive calls wait until it is over',
        );
      }
    }
    return now - this.busySince < this.options.holdMs ? 'held' : 'slowed';
  }

  /** How many deliveries the dispatcher may take on ahead of their calls at `now`. */
  claimWindow(now: number): number {
    switch (this.phase(now)) {
      case 'free':
        return this.options.claimAhead;
      case 'held':
        return 0;
      case 'slowed':
        return this.slowWindow;
    }
  }

  /** How long the next channel call waits at `now` (0: it may go), given when the last one started. */
  callWait(now: number, lastCallAt: number): number {
    switch (this.phase(now)) {
      case 'free':
        return 0;
      case 'held':
        return this.busySince! + this.options.holdMs - now;
      case 'slowed':
        return Math.max(0, lastCallAt + this.options.spacingMs - now);
    }
  }
}
