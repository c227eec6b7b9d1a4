import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { spawnChild } from '../../../bench/childProcess';
import { oldGenerationBetween, oldGenerationFile, readOldGeneration } from '../../../bench/rss';

/** The probe as the benchmark loads it into a measured process (the built copy in dist/, which jest's setup builds). */
const PROBE = path.resolve(__dirname, '../../../dist/bench/heapProbe.js');

describe('the heap probe of the benchmarks (old generation and full collections)', () => {
  it('counts what a process grows its old generation by and its full collections, in the file the benchmark reads', () => {
    // 200,000 objects kept alive through a full collection end up in the old generation (about 10 MB). The script
    // exits once its own observer has seen that collection (observers are told in one batch: the probe's too), and
    // the probe writes its counts on exit.
    const script = [
      "const { PerformanceObserver, constants } = require('node:perf_hooks');",
      "new PerformanceObserver((list) => { if (list.getEntries().some((e) => e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) setImmediate(() => process.exit(0)); }).observe({ entryTypes: ['gc'] });",
      "const keep = []; for (let i = 0; i < 200000; i++) keep.push({ i, s: 'x' + i });",
      'global.gc();',
      'setInterval(() => keep.length, 1000);',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--expose-gc', '--require', PROBE, '-e', script], { encoding: 'utf8', timeout: 20_000 });
    try {
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const counts = readOldGeneration(run.pid);
      expect(counts?.fullCollections).toBeGreaterThanOrEqual(1);
      expect(counts?.fullCollectionMs).toBeGreaterThan(0);
      expect(counts?.grownBytes).toBeGreaterThan(5 * 1024 * 1024);
    } finally {
      rmSync(oldGenerationFile(run.pid), { force: true });
    }
  });

  it('leaves no file behind once a benchmark child with the probe has exited', async () => {
    const child = spawnChild(process.execPath, ['--require', PROBE, '-e', '0'], { stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(existsSync(oldGenerationFile(child.pid!))).toBe(false);
  });

  it('reads nothing for a process without the probe, and gives no figure then', () => {
    const run = spawnSync(process.execPath, ['-e', '0'], { encoding: 'utf8' });
    expect(readOldGeneration(run.pid)).toBeUndefined();
    expect(oldGenerationBetween(undefined, { grownBytes: 1, fullCollections: 0, fullCollectionMs: 0 }, 10)).toBeUndefined();
  });

  it('gives the growth per action in KB and the collections between two readings', () => {
    const before = { grownBytes: 10 * 1024 * 1024, fullCollections: 3, fullCollectionMs: 30 };
    const after = { grownBytes: 30 * 1024 * 1024, fullCollections: 10, fullCollectionMs: 100 };
    expect(oldGenerationBetween(before, after, 1024)).toEqual({ kbPerAction: 20, fullCollections: 7 });
    expect(oldGenerationBetween(before, after, 0)).toBeUndefined();
  });
});
