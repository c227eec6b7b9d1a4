import { CallTally, percentile } from '../../../bench/callTally';

describe('CallTally (latencies of a closed-loop benchmark)', () => {
  it('takes the nearest-rank percentile of an ascending list, and 0 of an empty one', () => {
    const ms = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(ms, 50)).toBe(50);
    expect(percentile(ms, 99)).toBe(99);
    expect(percentile(ms, 100)).toBe(100);
    expect(percentile([], 99)).toBe(0);
  });

  it('says per step how many calls it had, their median and p99, and how many of the run\'s slowest 1 % were its', () => {
    const tally = new CallTally();
    tally.measuring = true;
    // 99 fast accepts and one slow submit: the submit is the whole tail.
    for (let i = 0; i < 99; i++) tally.record(10, undefined, 'request.accept');
    tally.record(200, undefined, 'request.submit');
    expect(tally.describeSteps()).toBe('request.accept 99 p50 10.0 p99 10.0 ms (tail 0), request.submit 1 p50 200.0 p99 200.0 ms (tail 1)');
  });

  it('records nothing outside the measured window, and counts a failed call in the latencies but not in the successes', () => {
    const tally = new CallTally();
    tally.record(5, undefined, 'request.accept');
    expect(tally.describeSteps()).toBe('');
    tally.measuring = true;
    tally.record(7, 'nothing changed', 'request.accept');
    tally.record(9, undefined, 'request.accept');
    expect([tally.latencies.length, tally.succeeded, tally.failed]).toEqual([2, 1, 1]);
    expect(tally.describeFailures()).toBe('1 failed (nothing changed: 1)');
  });
});
