import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * With `BENCH_CPU_PROF=<dir>` every measured process writes a V8 CPU profile there when it stops. The profile covers
 * its whole life (start, warm-up, measurement, stop); a window file names the measured part so that
 * `bench/profileByPackage.ts` can count only its samples and divide by the actions served in it.
 *
 * V8 stamps profile samples with its monotonic clock in microseconds, the clock `process.hrtime` reads on Linux.
 */
export interface ProfileWindow {
  /** What ran, e.g. `actions.product`, `actions.stock`. */
  label: string;
  pid: number;
  fromUs: number;
  toUs: number;
  /** Requests served in the window (failed ones included, as in the CPU-per-action figures). */
  actions: number;
}

/** Now on the profiler's clock, in microseconds. */
export function profileClockUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Writes `<BENCH_CPU_PROF>/window-<label>-<pid>.json`; does nothing when no profile is taken. */
export function markProfileWindow(window: ProfileWindow, dir = process.env.BENCH_CPU_PROF): void {
  if (!dir) return;
  // The profiles themselves are written when the processes stop; the folder may not exist before.
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `window-${window.label}-${window.pid}.json`), JSON.stringify(window) + '\n');
}
