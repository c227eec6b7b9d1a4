import { performance } from 'node:perf_hooks';

/** Cumulative time the event loop spent busy (`active`) and waiting (`idle`), in ms, as Node's `eventLoopUtilization()`. */
export interface LoopTimes {
  idle: number;
  active: number;
}

export interface TurnLoadOptions {
  /** Share of a window the event loop was busy from which, with turns in it, the process counts as busy (default 0.85). */
  threshold?: number;
  /** The window the share is taken over (default 250 ms). */
  windowMs?: number;
  /** Requests from Teams per window from which they count as a burst (default 10: 40 per second, over a longer window too). */
  minTurns?: number;
  /** Clock in ms (default `performance.now`). */
  now?: () => number;
  /** The loop's cumulative busy and idle time (default Node's `performance.eventLoopUtilization()`). */
  loopTimes?: () => LoopTimes;
}

/**
 * Whether people are waiting on this process: its event loop was nearly always busy over the last window and a burst
 * of turns (at least `minTurns` requests from Teams) came in during it. The outbox's dispatcher asks before each
 * channel call and, while the answer is yes, keeps to a slower pace (`DispatcherOptions.busyCallSpacingMs`), so that
 * a burst of card actions is answered before the notifications it causes are sent; they follow at Teams' full rate
 * when the burst is over. Background work alone (a large fan-out being enqueued, a sweep, an embedded database in
 * the same process) with a turn or two beside it never counts as busy: only a burst of turns does.
 *
 * Measured lazily, when asked: no timer runs, and a process nobody asks costs nothing.
 */
export class TurnLoad {
  private readonly threshold: number;
  private readonly windowMs: number;
  private readonly minTurns: number;
  private readonly now: () => number;
  private readonly loopTimes: () => LoopTimes;
  private windowStart: number;
  private mark: LoopTimes;
  private turns = 0;
  private saturated = false;

  constructor(options: TurnLoadOptions = {}) {
    this.threshold = options.threshold ?? 0.85;
    this.windowMs = options.windowMs ?? 250;
    this.minTurns = options.minTurns ?? 10;
    this.now = options.now ?? (() => performance.now());
    this.loopTimes = options.loopTimes ?? (() => performance.eventLoopUtilization());
    this.windowStart = this.now();
    this.mark = this.loopTimes();
  }

  /** Counts a turn (a request from Teams) in the current window. */
  turnStarted(): void {
    this.turns++;
  }

  /** True while the last complete window was saturated and had a burst of turns in it. */
  busy = (): boolean => {
    const now = this.now();
    if (now - this.windowStart < this.windowMs) return this.saturated;
    const times = this.loopTimes();
    const active = times.active - this.mark.active;
    const total = active + (times.idle - this.mark.idle);
    // Asked after a longer pause, the window is longer: the burst is a rate (minTurns per windowMs), not a count.
    const burst = this.turns >= this.minTurns * ((now - this.windowStart) / this.windowMs);
    this.saturated = burst && total > 0 && active / total >= this.threshold;
    this.mark = times;
    this.windowStart = now;
    this.turns = 0;
    return this.saturated;
  };
}
