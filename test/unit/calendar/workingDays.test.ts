import { addWorkingDays, easterSunday, isWorkingDay, nrwHolidays, workingDaysBetween } from '../../../services/calendar/workingDays';

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('working days in North Rhine-Westphalia', () => {
  it.each([
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
  ])('knows Easter Sunday %i (%s)', (year, expected) => {
    expect(iso(easterSunday(year))).toBe(expected);
  });

  it('lists the eleven NRW public holidays of 2026, Fronleichnam included', () => {
    const h = nrwHolidays(2026);
    expect(h.size).toBe(11);
    expect(h.get('2026-04-03')).toBe('Karfreitag');
    expect(h.get('2026-04-06')).toBe('Ostermontag');
    expect(h.get('2026-05-14')).toBe('Christi Himmelfahrt');
    expect(h.get('2026-05-25')).toBe('Pfingstmontag');
    expect(h.get('2026-06-04')).toBe('Fronleichnam');
    expect(h.get('2026-11-01')).toBe('Allerheiligen');
    // Not holidays in NRW: Reformationstag, Buß- und Bettag, Heilige Drei Könige.
    expect(h.has('2026-10-31')).toBe(false);
    expect(h.has('2026-11-18')).toBe(false);
    expect(h.has('2026-01-06')).toBe(false);
  });

  it('skips weekends and holidays', () => {
    expect(isWorkingDay('2026-12-01')).toBe(true); // Tuesday
    expect(isWorkingDay('2026-12-05')).toBe(false); // Saturday
    expect(isWorkingDay('2026-12-25')).toBe(false);
    expect(addWorkingDays('2026-12-23', 1)).toBe('2026-12-24');
    expect(addWorkingDays('2026-12-24', 1)).toBe('2026-12-28'); // over Christmas and the weekend
    expect(addWorkingDays('2026-04-02', 1)).toBe('2026-04-07'); // over Easter
    expect(addWorkingDays('2026-12-05', 0)).toBe('2026-12-07'); // a Saturday counts from Monday
  });

  it('counts working days between two dates', () => {
    expect(workingDaysBetween('2026-11-30', '2026-12-07')).toBe(5);
    expect(workingDaysBetween('2026-12-24', '2026-12-28')).toBe(1);
    expect(workingDaysBetween('2026-12-07', '2026-12-01')).toBe(0);
  });
});
