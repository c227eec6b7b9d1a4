import { alternativeDates, nthWeekdayOfMonth, occurrences, parseRule, prepareAt, startOf, type CadenceRule } from '../../../services/circle/cadence';

const quarterly: CadenceRule = { unit: 'month', interval: 3, weekday: 2, week: 2, from: '2027-01-01', time: '10:00' };

describe('the cadence rule', () => {
  it('meets quarterly on the second Tuesday: January, April, July, October', () => {
    expect(occurrences(quarterly, '2027-01-01', 5).map((o) => o.date)).toEqual(['2027-01-12', '2027-04-13', '2027-07-13', '2027-10-12', '2028-01-11']);
  });

  it('starts with the first date on or after the given day', () => {
    expect(occurrences(quarterly, '2027-04-14', 2).map((o) => o.date)).toEqual(['2027-07-13', '2027-10-12']);
    // The month of `from` counts only from that day on: 12 January is before 15 January, so the series begins in April.
    expect(occurrences({ ...quarterly, from: '2027-01-15' }, '2027-01-01', 1).map((o) => o.date)).toEqual(['2027-04-13']);
  });

  it('moves a date that falls on an NRW public holiday to the next working day and names the holiday', () => {
    const firstTuesday: CadenceRule = { unit: 'month', interval: 3, weekday: 2, week: 1, from: '2028-10-01', time: '10:00' };
    expect(occurrences(firstTuesday, '2028-10-01', 2)).toEqual([
      { ruleDate: '2028-10-03', date: '2028-10-04', holiday: 'Tag der Deutschen Einheit' },
      { ruleDate: '2029-01-02', date: '2029-01-02' },
    ]);
  });

  it('skips Good Friday and Easter Monday together (last Friday of March 2027 becomes Tuesday)', () => {
    const lastFriday: CadenceRule = { unit: 'month', interval: 1, weekday: 5, week: -1, from: '2027-01-01', time: '09:30' };
    expect(occurrences(lastFriday, '2027-01-01', 4)).toEqual([
      { ruleDate: '2027-01-29', date: '2027-01-29' },
      { ruleDate: '2027-02-26', date: '2027-02-26' },
      { ruleDate: '2027-03-26', date: '2027-03-30', holiday: 'Karfreitag' },
      { ruleDate: '2027-04-30', date: '2027-04-30' },
    ]);
  });

  it('finds the last weekday of a month at the month end, also across the year end and in February of a leap year', () => {
    expect(nthWeekdayOfMonth(2027, 8, 2, -1)).toBe('2027-08-31');
    expect(nthWeekdayOfMonth(2028, 2, 2, -1)).toBe('2028-02-29');
    expect(nthWeekdayOfMonth(2027, 2, 5, -1)).toBe('2027-02-26');
    const lastTuesday: CadenceRule = { unit: 'month', interval: 2, weekday: 2, week: -1, from: '2027-08-01', time: '10:00' };
    expect(occurrences(lastTuesday, '2027-08-01', 3).map((o) => o.date)).toEqual(['2027-08-31', '2027-10-26', '2027-12-28']);
  });

  it('counts weekly rules in weeks from the first matching weekday', () => {
    const everySixWeeks: CadenceRule = { unit: 'week', interval: 6, weekday: 3, from: '2027-01-01', time: '14:00' };
    expect(occurrences(everySixWeeks, '2027-01-01', 3).map((o) => o.date)).toEqual(['2027-01-06', '2027-02-17', '2027-03-31']);
  });

  it('prepares the draft at 9:00 Berlin time the lead time before, and starts at the rule time in Berlin', () => {
    const [april] = occurrences(quarterly, '2027-04-01', 1);
    expect(prepareAt(april, 6).toISOString()).toBe('2027-03-02T08:00:00.000Z');
    expect(startOf(quarterly, april).toISOString()).toBe('2027-04-13T08:00:00.000Z');
  });

  it('offers the same weekday of the following weeks as alternatives, past holidays', () => {
    expect(alternativeDates({ ruleDate: '2027-04-13', date: '2027-04-13' }, 2)).toEqual(['2027-04-20', '2027-04-27']);
    expect(alternativeDates({ ruleDate: '2027-05-20', date: '2027-05-20' }, 1)).toEqual(['2027-05-28']);
  });

  describe('form input', () => {
    it('accepts a quarterly rule given as strings', () => {
      expect(parseRule({ unit: 'month', interval: '3', weekday: '2', week: '2', from: '2027-01-01', time: '10:00' })).toEqual({ rule: quarterly });
    });
    it('names each bad field: unit, interval, weekday, week, date and time', () => {
      expect(parseRule({ unit: 'year', interval: '0', weekday: '6', week: '5', from: '2027-02-30', time: '25:00' })).toEqual({
        problems: [
          { field: 'unit', code: 'unknown_value' },
          { field: 'interval', code: 'unknown_value' },
          { field: 'weekday', code: 'unknown_value' },
          { field: 'from', code: 'bad_date' },
          { field: 'time', code: 'bad_time' },
        ],
      });
      expect(parseRule({ unit: 'month', interval: '13', weekday: '2', week: '5', from: '2027-01-01', time: '10:00' })).toEqual({
        problems: [
          { field: 'interval', code: 'unknown_value' },
          { field: 'week', code: 'unknown_value' },
        ],
      });
      expect(parseRule({ unit: 'week', interval: '', weekday: '1', from: '', time: '' })).toEqual({
        problems: [
          { field: 'interval', code: 'missing' },
          { field: 'from', code: 'missing' },
          { field: 'time', code: 'missing' },
        ],
      });
    });
  });
});
