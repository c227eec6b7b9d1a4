import { median, medianOfRounds } from '../../../bench/rounds';
import type { Figure } from '../../../bench/figure';

describe('side-by-side benchmarks over several rounds (bench/rounds.ts)', () => {
  it('takes the middle value, and the mean of the middle two for an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('prints each figure once: the median over the rounds, failures summed, the highest peak RSS, and the number of rounds', async () => {
    const rounds: Figure[][] = [
      [
        { name: 'actions.p99_ms', value: 98.5, unit: 'ms' },
        { name: 'actions.stock_p99_ms', value: 71.4, unit: 'ms' },
        { name: 'actions.ratio_vs_stock', value: 0.865, unit: 'x' },
        { name: 'actions.failed', value: 0, unit: 'requests' },
        { name: 'actions.stock_failed', value: 1, unit: 'requests' },
        { name: 'actions.peak_rss_mb', value: 229.3, unit: 'MB' },
      ],
      [
        { name: 'actions.p99_ms', value: 76.6, unit: 'ms' },
        { name: 'actions.stock_p99_ms', value: 80.8, unit: 'ms' },
        { name: 'actions.ratio_vs_stock', value: 1.482, unit: 'x' },
        { name: 'actions.failed', value: 2, unit: 'requests' },
        { name: 'actions.stock_failed', value: 0, unit: 'requests' },
        { name: 'actions.peak_rss_mb', value: 224.3, unit: 'MB' },
      ],
      [
        { name: 'actions.p99_ms', value: 89.5, unit: 'ms' },
        { name: 'actions.stock_p99_ms', value: 93.9, unit: 'ms' },
        { name: 'actions.ratio_vs_stock', value: 1.162, unit: 'x' },
        { name: 'actions.failed', value: 1, unit: 'requests' },
        { name: 'actions.stock_failed', value: 0, unit: 'requests' },
        { name: 'actions.peak_rss_mb', value: 234.2, unit: 'MB' },
      ],
    ];
    let next = 0;
    const lines: string[] = [];
    const figures = await medianOfRounds('actions', 3, async () => rounds[next++], (line) => lines.push(line));
    expect(next).toBe(3);
    expect(figures).toEqual([
      { name: 'actions.p99_ms', value: 89.5, unit: 'ms' },
      { name: 'actions.stock_p99_ms', value: 80.8, unit: 'ms' },
      { name: 'actions.ratio_vs_stock', value: 1.162, unit: 'x' },
      { name: 'actions.failed', value: 3, unit: 'requests' },
      { name: 'actions.stock_failed', value: 1, unit: 'requests' },
      { name: 'actions.peak_rss_mb', value: 234.2, unit: 'MB' },
      { name: 'actions.rounds', value: 3, unit: 'count' },
    ]);
    expect(lines).toEqual([
      'actions: round 1 of 3: p99 98.5 ms (stock 71.4 ms), ratio 0.865×, peak RSS 229.3 MB',
      'actions: round 2 of 3: p99 76.6 ms (stock 80.8 ms), ratio 1.482×, peak RSS 224.3 MB',
      'actions: round 3 of 3: p99 89.5 ms (stock 93.9 ms), ratio 1.162×, peak RSS 234.2 MB',
    ]);
  });

  it('leaves out a figure that a round did not print', async () => {
    const rounds: Figure[][] = [
      [{ name: 'circle.p99_ms', value: 65, unit: 'ms' }, { name: 'circle.db_ops_per_answer', value: 1, unit: 'operations' }],
      [{ name: 'circle.p99_ms', value: 67, unit: 'ms' }],
    ];
    let next = 0;
    const figures = await medianOfRounds('circle', 2, async () => rounds[next++], () => undefined);
    expect(figures.map((f) => f.name)).toEqual(['circle.p99_ms', 'circle.rounds']);
    expect(figures[0].value).toBe(66);
  });
});
