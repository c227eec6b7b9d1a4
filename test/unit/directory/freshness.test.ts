import { addMonths, confirmationDueOn, confirmationPending, DEFAULT_CONFIRM_MONTHS } from '../../../services/directory/freshness';

describe('freshness of a directory entry', () => {
  it.each([
    ['2026-01-15', 6, '2026-07-15'],
    ['2026-08-31', 6, '2027-02-28'],
    ['2027-08-31', 6, '2028-02-29'],
    ['2026-11-30', 3, '2027-02-28'],
    ['2026-12-05', 1, '2027-01-05'],
  ])('%s plus %i months is %s', (day, months, expected) => {
    expect(addMonths(day, months)).toBe(expected);
  });

  it('is pending from the day the period ends, by default after six months', () => {
    expect(DEFAULT_CONFIRM_MONTHS).toBe(6);
    expect(confirmationDueOn('2026-03-10')).toBe('2026-09-10');
    expect(confirmationPending('2026-03-10', '2026-09-09')).toBe(false);
    expect(confirmationPending('2026-03-10', '2026-09-10')).toBe(true);
    expect(confirmationPending('2026-03-10', '2026-06-10', 3)).toBe(true);
  });

  it('counts an entry without a readable date as pending', () => {
    expect(confirmationPending('', '2026-01-01')).toBe(true);
  });
});
