import { performance } from 'node:perf_hooks';
import { TurnLoad, type LoopTimes } from '../../../bot/turnLoad';

/** A loop whose busy and idle time the test sets, on a clock the test moves. */
function fakeLoop() {
  let now = 0;
  const times: LoopTimes = { idle: 0, active: 0 };
  return {
    now: () => now,
    loopTimes: () => ({ ...times }),
    /** `ms` pass, `busyShare` of them with the loop busy. */
    pass(ms: number, busyShare: number) {
      now += ms;
      times.active += ms * busyShare;
      times.idle += ms * (1 - busyShare);
    },
  };
}

/** `turns` requests from Teams arrive, then `ms` pass with the loop busy `busyShare` of them: is the process busy now? */
function afterWindow(load: TurnLoad, loop: ReturnType<typeof fakeLoop>, turns: number, ms: number, busyShare: number): boolean {
  for (let i = 0; i < turns; i++) load.turnStarted();
  loop.pass(ms, busyShare);
  return load.busy();
}

describe('TurnLoad (whether people are waiting on this process)', () => {
  it('is busy after a window in which the loop was saturated and turns came in, and not once it has room again', () => {
    const loop = fakeLoop();
    const load = new TurnLoad({ now: loop.now, loopTimes: loop.loopTimes, windowMs: 250, threshold: 0.85 });
    expect(load.busy()).toBe(false);
    expect(afterWindow(load, loop, 50, 250, 0.97)).toBe(true);
    // Within the next window the answer stands.
    expect(afterWindow(load, loop, 0, 100, 0.1)).toBe(true);
    expect(afterWindow(load, loop, 50, 150, 0.1)).toBe(false);
  });

  it('does not count a saturated loop with no burst of turns (a fan-out being enqueued, a sweep, a turn or two) as busy', () => {
    const loop = fakeLoop();
    const load = new TurnLoad({ now: loop.now, loopTimes: loop.loopTimes, minTurns: 10 });
    expect(afterWindow(load, loop, 0, 250, 1)).toBe(false);
    expect(afterWindow(load, loop, 9, 250, 1)).toBe(false);
    expect(afterWindow(load, loop, 10, 250, 1)).toBe(true);
  });

  it('takes a burst as a rate: asked after a long pause, a few turns over the whole pause are no burst', () => {
    const loop = fakeLoop();
    const load = new TurnLoad({ now: loop.now, loopTimes: loop.loopTimes, windowMs: 250, minTurns: 10 });
    expect(afterWindow(load, loop, 15, 2_500, 1)).toBe(false);
    expect(afterWindow(load, loop, 100, 2_500, 1)).toBe(true);
  });

  it('does not count turns on a loop with room as busy, nor a share just below the threshold', () => {
    const loop = fakeLoop();
    const load = new TurnLoad({ now: loop.now, loopTimes: loop.loopTimes, threshold: 0.85 });
    expect(afterWindow(load, loop, 20, 250, 0.84)).toBe(false);
    expect(afterWindow(load, loop, 20, 250, 0.86)).toBe(true);
  });

  it("reads Node's event loop utilisation by default: a spin of 30 ms counts as busy time, a wait of 50 ms as idle time", async () => {
    // The library behaviour TurnLoad relies on: cumulative busy (`active`) and idle ms since the process started.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const first = performance.eventLoopUtilization();
    const spinUntil = performance.now() + 30;
    while (performance.now() < spinUntil) {
      // Keep the loop busy.
    }
    await new Promise((resolve) => setImmediate(resolve));
    const spun = performance.eventLoopUtilization(first);
    expect(spun.active).toBeGreaterThanOrEqual(29);
    const second = performance.eventLoopUtilization();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(performance.eventLoopUtilization(second).idle).toBeGreaterThanOrEqual(40);
  });
});
