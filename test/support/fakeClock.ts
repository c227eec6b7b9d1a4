import type { Clock } from '../../services/common/clock';

interface Sleeper {
  at: number;
  resolve: () => void;
}

/** A clock that moves only when the test says so; `sleep` resolves once `advance` passes its deadline. */
export class FakeClock implements Clock {
  private sleepers: Sleeper[] = [];

  constructor(private time = Date.UTC(2025, 0, 6, 8, 0, 0)) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = { at: this.time + Math.max(0, ms), resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Moves time forward, waking sleepers in deadline order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const next = this.sleepers.filter((s) => s.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = next.at;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.time = until;
  }
}
