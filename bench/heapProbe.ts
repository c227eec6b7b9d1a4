/**
 * Loaded by the benchmark into each process it measures (`--require`, bench/run.ts), never by the service: how much
 * the old generation grew and how many full collections ran, kept in a file that {@link readOldGeneration} reads.
 *
 * Why these two (issue 14): in a burst of card actions the p99 is set by full (mark-compact) collections. Every
 * request in flight during one waits for it; how often one comes depends on how fast the old generation grows, and
 * that is not just objects that live long: a call of an `async` method compiled to ES2015 (botbuilder-js) creates a
 * fresh generator function whose generator needs a hidden class of its own, and V8 (Node 20) allocates those there at
 * once. docs/benchmarks.md has the figures.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { oldGenerationFile, type OldGeneration } from './rss';

const file = oldGenerationFile(process.pid);
const state: OldGeneration = { grownBytes: 0, fullCollections: 0, fullCollectionMs: 0 };

const oldSpaceUsed = (): number => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;
let last = oldSpaceUsed();

// Growth is what the old space gained between samples; a drop is a collection and is not counted. A sample every
// 20 ms misses only the growth between the last sample and a collection (about 2 % at one collection a second).
const sample = (): void => {
  const used = oldSpaceUsed();
  if (used > last) state.grownBytes += used - last;
  last = used;
};
setInterval(sample, 20).unref();

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
    state.fullCollections += 1;
    state.fullCollectionMs += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

// Written whole and renamed into place, so the benchmark never reads half a file; and once more on the way out.
const write = (): void => {
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
};
setInterval(write, 100).unref();
process.once('exit', () => {
  sample();
  write();
});
