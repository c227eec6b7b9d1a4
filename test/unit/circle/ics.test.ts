import { berlinToUtc, formatBerlin, formatBerlinRange } from '../../../services/common/berlinTime';
import { escapeText, foldLine, renderIcs } from '../../../services/circle/ics';

/** Unfolds content lines (RFC 5545 §3.1) after checking every physical line against the rules. */
function checkAndUnfold(file: string): string[] {
  expect(file.endsWith('\r\n')).toBe(true);
  expect(file.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // no bare CR or LF
  const physical = file.slice(0, -2).split('\r\n');
  for (const line of physical) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
  const logical: string[] = [];
  for (const line of physical) {
    if (line.startsWith(' ')) logical[logical.length - 1] += line.slice(1);
    else logical.push(line);
  }
  return logical;
}

const event = {
  uid: 'm-1@integrations-lotse',
  sequence: 3,
  stamp: new Date('2026-12-01T09:00:00Z'),
  start: new Date('2027-07-13T08:00:00Z'),
  end: new Date('2027-07-13T10:30:00Z'),
  summary: 'Koordinierungskreis; Sommer, 2027',
  location: 'Arnsberg, Raum 3\\B (Beispiel)',
  description: 'Tagesordnung:\n1. Interkulturelle Öffnung – Stand in den Dezernaten, Berichte aus allen fünf Bezirksregierungen\n2. Förderprogramme',
};

describe('the .ics file of a meeting (RFC 5545)', () => {
  const lines = checkAndUnfold(renderIcs(event));

  it('has CRLF line ends, lines of at most 75 octets, and folds long lines with a leading space', () => {
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.at(-1)).toBe('END:VCALENDAR');
    expect(renderIcs(event)).toContain('\r\n ');
  });

  it('gives the start and end in Europe/Berlin with the zone defined in a VTIMEZONE', () => {
    expect(lines).toContain('DTSTART;TZID=Europe/Berlin:20270713T100000');
    expect(lines).toContain('DTEND;TZID=Europe/Berlin:20270713T123000');
    const tz = lines.slice(lines.indexOf('BEGIN:VTIMEZONE'), lines.indexOf('END:VTIMEZONE') + 1);
    expect(tz).toEqual(expect.arrayContaining(['TZID:Europe/Berlin', 'TZOFFSETTO:+0200', 'TZOFFSETTO:+0100', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU']));
  });

  it('carries UID, DTSTAMP in UTC and SEQUENCE', () => {
    expect(lines).toContain('UID:m-1@integrations-lotse');
    expect(lines).toContain('DTSTAMP:20261201T090000Z');
    expect(lines).toContain('SEQUENCE:3');
    expect(lines).toContain('VERSION:2.0');
    expect(lines.some((l) => l.startsWith('PRODID:'))).toBe(true);
  });

  it('escapes commas, semicolons, backslashes and line breaks in text', () => {
    expect(lines).toContain('SUMMARY:Koordinierungskreis\\; Sommer\\, 2027');
    expect(lines).toContain('LOCATION:Arnsberg\\, Raum 3\\\\B (Beispiel)');
    const description = lines.find((l) => l.startsWith('DESCRIPTION:'))!;
    expect(description).toContain('Tagesordnung:\\n1. Interkulturelle Öffnung');
    expect(description).not.toMatch(/[^\\],/);
  });

  it('never splits a multi-byte character when folding', () => {
    const folded = foldLine('DESCRIPTION:' + 'ä'.repeat(100));
    for (const part of folded.split('\r\n')) {
      expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
      expect(part).not.toContain('\uFFFD');
    }
    expect(folded.replace(/\r\n /g, '')).toBe('DESCRIPTION:' + 'ä'.repeat(100));
    expect(escapeText('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne');
  });

  it('marks a cancelled meeting', () => {
    const cancelled = checkAndUnfold(renderIcs({ ...event, cancelled: true }));
    expect(cancelled).toContain('STATUS:CANCELLED');
    expect(cancelled).toContain('METHOD:CANCEL');
  });
});

describe('Berlin wall-clock time', () => {
  it('converts winter and summer times to UTC', () => {
    expect(berlinToUtc('2027-01-12', '10:00')?.toISOString()).toBe('2027-01-12T09:00:00.000Z');
    expect(berlinToUtc('2027-07-13', '10:00')?.toISOString()).toBe('2027-07-13T08:00:00.000Z');
    // The last Sunday of March 2027 is the 28th: 03:00 local is already summer time.
    expect(berlinToUtc('2027-03-28', '03:30')?.toISOString()).toBe('2027-03-28T01:30:00.000Z');
  });

  it('refuses dates that do not exist', () => {
    expect(berlinToUtc('2027-02-30', '10:00')).toBeUndefined();
    expect(berlinToUtc('2027-01-12', '25:00')).toBeUndefined();
    expect(berlinToUtc('12.01.2027', '10:00')).toBeUndefined();
  });

  it('formats for German and English readers', () => {
    expect(formatBerlin(new Date('2027-01-12T09:00:00Z'), 'de')).toBe('Di., 12.01.2027, 10:00 Uhr');
    expect(formatBerlin(new Date('2027-01-12T09:00:00Z'), 'en')).toBe('Tue 12 Jan 2027, 10:00');
    expect(formatBerlinRange(new Date('2027-01-12T09:00:00Z'), new Date('2027-01-12T11:00:00Z'), 'de')).toBe('Di., 12.01.2027, 10:00–12:00 Uhr');
  });
});
