import type { Figure } from './figure';

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** How each figure of several rounds becomes one: counts of failures add up, peaks take the highest, the rest the median. */
function combine(name: string, values: number[]): number {
  if (/(^|[._])(failed|throttled)$/.test(name)) return values.reduce((a, b) => a + b, 0);
  if (name.includes('peak_rss')) return Math.max(...values);
  return median(values);
}

/**
 * Runs a side-by-side benchmark (product, then the stock bot, each in fresh processes) `rounds` times and prints one
 * figure per name: the median over the rounds (ratios are each round's own ratio, so the median compares product and
 * stock measured minutes, not a quarter of an hour, apart), failures summed, peak RSS the highest. One round on two
 * shared cores varies by ±20 % in throughput and ±25 ms in p99 (2026-12-06: `actions` p99 above the stock bot's by
 * −4 to +42 ms in seven runs of one build); the median of three keeps a verdict from resting on one neighbour's burst.
 * Each round's main figures are logged, and `<prefix>.rounds` says how many there were.
 */
export async function medianOfRounds(prefix: string, rounds: number, run: () => Promise<Figure[]>, log: (line: string) => void): Promise<Figure[]> {
  const all: Figure[][] = [];
  for (let round = 1; round <= rounds; round++) {
    const figures = await run();
    all.push(figures);
    const pick = (suffix: string) => figures.find((f) => f.name === `${prefix}.${suffix}`)?.value;
    const fmt = (v: number | undefined, digits = 1) => (v === undefined ? '–' : v.toFixed(digits));
    log(
      `${prefix}: round ${round} of ${rounds}: p99 ${fmt(pick('p99_ms'))} ms (stock ${fmt(pick('stock_p99_ms'))} ms), ` +
        `ratio ${fmt(pick('ratio_vs_stock'), 3)}×, peak RSS ${fmt(pick('peak_rss_mb'))} MB`,
    );
  }
  const names = all[0].map((f) => f.name).filter((name) => all.every((figures) => figures.some((f) => f.name === name)));
  const combined = names.map((name) => {
    const first = all[0].find((f) => f.name === name) as Figure;
    return { name, value: combine(name, all.map((figures) => (figures.find((f) => f.name === name) as Figure).value)), unit: first.unit };
  });
  return [...combined, { name: `${prefix}.rounds`, value: rounds, unit: 'count' }];
}
