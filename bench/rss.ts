import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Memory and CPU time of another process, read from Linux's /proc. In /proc/<pid>/status, `VmHWM` is the kernel's own
 * high-water mark of resident memory since the process started, so one read at the end of a run gives the peak
 * without sampling gaps.
 */

/** Resident memory of a process, in MB (2^20 bytes). */
export interface RssReading {
  /** Current resident set (`VmRSS`). */
  currentMb: number;
  /** Peak resident set since start (`VmHWM`). */
  peakMb: number;
}

function fieldKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${field} line (is this Linux, and is the process alive?)`);
  return Number(match[1]);
}

/** Reads current and peak RSS of `pid`; throws if the process is gone. */
export function readRss(pid: number): RssReading {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { currentMb: fieldKb(status, 'VmRSS') / 1024, peakMb: fieldKb(status, 'VmHWM') / 1024 };
}

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every common architecture. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) `pid` has used since it started, in ms. Unlike throughput, CPU per turn hardly changes
 * when other processes compete for the cores, so it is the steadier figure on a shared machine.
 */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may itself contain spaces); utime and stime are 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** Peak RSS of `pid` since it started, in MB. Read it before stopping the process. */
export function peakRssMb(pid: number): number {
  return readRss(pid).peakMb;
}

/** What `bench/heapProbe.ts` counted in a measured process since it started. */
export interface OldGeneration {
  /** Bytes the old generation grew by (collections not subtracted). */
  grownBytes: number;
  /** Full (mark-compact) collections, and their pauses on the process's thread. */
  fullCollections: number;
  fullCollectionMs: number;
}

/** Where the heap probe of `pid` keeps its counts. */
export function oldGenerationFile(pid: number): string {
  return path.join(tmpdir(), `lotse-bench-heap-${pid}.json`);
}

/** The heap probe's counts for `pid` (at most 100 ms old), or `undefined` when the process runs without it. */
export function readOldGeneration(pid: number): OldGeneration | undefined {
  try {
    return JSON.parse(readFileSync(oldGenerationFile(pid), 'utf8')) as OldGeneration;
  } catch {
    return undefined;
  }
}

/** The old generation's growth and full collections between two readings, per action (KB) and in all. */
export function oldGenerationBetween(before: OldGeneration | undefined, after: OldGeneration | undefined, actions: number): { kbPerAction: number; fullCollections: number } | undefined {
  if (!before || !after || actions <= 0) return undefined;
  return { kbPerAction: (after.grownBytes - before.grownBytes) / 1024 / actions, fullCollections: after.fullCollections - before.fullCollections };
}
