import {
  berlinDate,
  berlinOffsetHours,
  berlinParts,
  berlinToUtc,
  formatBerlin,
  formatBerlinDate,
  formatBerlinDateTime,
  formatBerlinDay,
  formatBerlinRange,
} from '../../../services/common/berlinTime';

const at = (iso: string) => new Date(iso);
const HOUR = 3_600_000;

// The reference: Intl with the ICU zone data, which the module avoids loading at run time.
const intlParts = (d: Date) => {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
};

describe('Berlin time', () => {
  describe('spring switch, Sunday 2026-03-29 (01:00 UTC: 02:00 CET becomes 03:00 CEST)', () => {
    it('uses +1 until the switch and +2 from it', () => {
      expect(berlinOffsetHours(at('2026-03-29T00:59:59.999Z'))).toBe(1);
      expect(berlinOffsetHours(at('2026-03-29T01:00:00Z'))).toBe(2);
      expect(berlinParts(at('2026-03-29T00:59:00Z')).time).toBe('01:59');
      expect(berlinParts(at('2026-03-29T01:00:00Z')).time).toBe('03:00');
    });

    it('agrees with Intl every 15 minutes across the day', () => {
      const start = Date.parse('2026-03-28T20:00:00Z');
      const steps = Array.from({ length: 4 * 12 }, (_, i) => new Date(start + (i * HOUR) / 4));
      expect(steps.length).toBeGreaterThan(0);
      for (const d of steps) expect({ iso: d.toISOString(), ...berlinParts(d) }).toMatchObject({ iso: d.toISOString(), ...intlParts(d) });
    });

    it('maps wall-clock times to instants, moving a time in the gap forward', () => {
      expect(berlinToUtc('2026-03-29', '01:30')?.toISOString()).toBe('2026-03-29T00:30:00.000Z');
      expect(berlinToUtc('2026-03-29', '02:30')?.toISOString()).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
      expect(berlinToUtc('2026-03-29', '03:00')?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    });
  });

  describe('autumn switch, Sunday 2026-10-25 (01:00 UTC: 03:00 CEST becomes 02:00 CET)', () => {
    it('uses +2 until the switch and +1 from it', () => {
      expect(berlinOffsetHours(at('2026-10-25T00:59:59.999Z'))).toBe(2);
      expect(berlinOffsetHours(at('2026-10-25T01:00:00Z'))).toBe(1);
      expect(berlinParts(at('2026-10-25T00:30:00Z')).time).toBe('02:30');
      expect(berlinParts(at('2026-10-25T01:30:00Z')).time).toBe('02:30');
    });

    it('agrees with Intl every 15 minutes across the day', () => {
      const start = Date.parse('2026-10-24T20:00:00Z');
      const steps = Array.from({ length: 4 * 12 }, (_, i) => new Date(start + (i * HOUR) / 4));
      expect(steps.length).toBeGreaterThan(0);
      for (const d of steps) expect({ iso: d.toISOString(), ...berlinParts(d) }).toMatchObject({ iso: d.toISOString(), ...intlParts(d) });
    });

    it('takes the earlier of the hour that occurs twice', () => {
      expect(berlinToUtc('2026-10-25', '02:30')?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
      expect(berlinToUtc('2026-10-25', '03:30')?.toISOString()).toBe('2026-10-25T02:30:00.000Z');
    });
  });

  it('gives the Berlin calendar day around midnight in winter and summer', () => {
    expect(berlinDate(at('2026-03-28T23:30:00Z'))).toBe('2026-03-29');
    expect(berlinDate(at('2026-03-28T22:59:00Z'))).toBe('2026-03-28');
    expect(berlinDate(at('2026-10-24T22:30:00Z'))).toBe('2026-10-25');
    expect(berlinDate(at('2026-10-24T21:59:00Z'))).toBe('2026-10-24');
    expect(berlinDate(at('2026-12-31T23:00:00Z'))).toBe('2027-01-01');
  });

  it('rejects malformed and non-existent wall-clock dates and times', () => {
    expect(berlinToUtc('2026-02-30', '10:00')).toBeUndefined();
    expect(berlinToUtc('2026-3-29', '10:00')).toBeUndefined();
    expect(berlinToUtc('2026-03-29', '24:00')).toBeUndefined();
    expect(berlinToUtc('2026-03-29', '9:00')).toBeUndefined();
  });

  it('formats in German and English', () => {
    const d = at('2026-12-15T09:00:00Z');
    expect(formatBerlin(d, 'de')).toBe('Di., 15.12.2026, 10:00 Uhr');
    expect(formatBerlin(d, 'en')).toBe('Tue 15 Dec 2026, 10:00');
    expect(formatBerlinRange(d, at('2026-12-15T11:00:00Z'), 'de')).toBe('Di., 15.12.2026, 10:00–12:00 Uhr');
    expect(formatBerlinRange(d, at('2026-12-15T11:00:00Z'), 'en')).toBe('Tue 15 Dec 2026, 10:00–12:00');
    expect(formatBerlinDate('2026-03-09', 'de')).toBe('09.03.2026');
    expect(formatBerlinDate('2026-03-09', 'en')).toBe('9 Mar 2026');
    expect(formatBerlinDate('2026-03-09', 'en', 'long')).toBe('9 March 2026');
    expect(formatBerlinDateTime(at('2026-10-25T01:30:00Z'))).toBe('25.10.2026, 02:30');
  });

  it('formats a day as the Intl formatters it replaced did, around both switches and at the turn of the year', () => {
    const de = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' });
    const en = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', day: 'numeric', month: 'long', year: 'numeric' });
    const deTime = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
    const moments = ['2026-03-28T23:30:00Z', '2026-03-29T01:00:00Z', '2026-10-24T22:30:00Z', '2026-10-25T01:30:00Z', '2026-12-31T23:00:00Z', '2026-07-01T12:00:00Z'].map(at);
    expect(moments.length).toBeGreaterThan(0);
    for (const d of moments) {
      expect(formatBerlinDay(d, 'de')).toBe(de.format(d));
      expect(formatBerlinDay(d, 'en', 'long')).toBe(en.format(d));
      expect(formatBerlinDateTime(d)).toBe(deTime.format(d));
    }
  });
});
