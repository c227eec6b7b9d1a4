/**
 * The one module for Europe/Berlin wall-clock time, where the authorities work and the circle meets.
 * Instants are stored as ISO UTC; conversion uses the EU summer-time rule (last Sunday of March to last Sunday of
 * October, switching at 01:00 UTC) rather than Intl: loading ICU time-zone data costs ~25 ms, a tenth of the CLI's
 * start-up. The rule is fixed by EU directive 2000/84/EC; the unit tests compare it with Intl around both switches.
 */
const HOUR = 3_600_000;

/** Midnight UTC of the last Sunday of a month (0-based). */
function lastSundayUtc(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay());
}

/** Offset of Berlin from UTC at an instant, in hours (1 or 2). */
export function berlinOffsetHours(at: Date): 1 | 2 {
  const t = at.getTime();
  const year = at.getUTCFullYear();
  return t >= lastSundayUtc(year, 2) + HOUR && t < lastSundayUtc(year, 9) + HOUR ? 2 : 1;
}

/** Berlin wall-clock parts of an instant: `date` `YYYY-MM-DD`, `time` `HH:MM`, `weekday` 0 (Sunday) to 6. */
export function berlinParts(at: Date): { date: string; time: string; weekday: number } {
  const local = new Date(at.getTime() + berlinOffsetHours(at) * HOUR);
  const iso = local.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16), weekday: local.getUTCDay() };
}

/** The ISO date (`YYYY-MM-DD`) of a moment in Berlin. */
export function berlinDate(at: Date): string {
  return berlinParts(at).date;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The instant of a Berlin wall-clock date and time (`YYYY-MM-DD`, `HH:MM`); `undefined` when either is malformed or
 * names no real day. In the autumn hour that occurs twice the earlier one is taken; a spring-gap time moves forward.
 */
export function berlinToUtc(date: string, time: string): Date | undefined {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) return undefined;
  const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const wall = Date.UTC(y, m - 1, day, Number(t[1]), Number(t[2]));
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== day) return undefined;
  for (const offset of [2, 1] as const) {
    const candidate = new Date(wall - offset * HOUR);
    if (berlinOffsetHours(candidate) === offset) return candidate;
  }
  return new Date(wall - HOUR);
}

export type BerlinLang = 'de' | 'en';

const WEEKDAYS = { de: ['So.', 'Mo.', 'Di.', 'Mi.', 'Do.', 'Fr.', 'Sa.'], en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] } as const;
const MONTHS = {
  short: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  long: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
} as const;

/** "Di., 15.12.2026, 10:00 Uhr" / "Tue 15 Dec 2026, 10:00" (Berlin time). */
export function formatBerlin(at: Date, lang: BerlinLang): string {
  const p = berlinParts(at);
  const [y, m, d] = p.date.split('-');
  if (lang === 'de') return `${WEEKDAYS.de[p.weekday]}, ${d}.${m}.${y}, ${p.time} Uhr`;
  return `${WEEKDAYS.en[p.weekday]} ${Number(d)} ${MONTHS.short[Number(m) - 1]} ${y}, ${p.time}`;
}

/** Ranges formatted lately (a poll's slots are shown on every answer's card): pure, so kept, at most 500. */
const recentRanges = new Map<string, string>();

/** "Di., 15.12.2026, 10:00–12:00 Uhr" (the end on the same day shows its time only). */
export function formatBerlinRange(start: Date, end: Date, lang: BerlinLang): string {
  const key = `${start.getTime()}|${end.getTime()}|${lang}`;
  const known = recentRanges.get(key);
  if (known !== undefined) return known;
  const text = rangeText(start, end, lang);
  if (recentRanges.size >= 500) recentRanges.delete(recentRanges.keys().next().value as string);
  recentRanges.set(key, text);
  return text;
}

function rangeText(start: Date, end: Date, lang: BerlinLang): string {
  const s = berlinParts(start);
  const e = berlinParts(end);
  if (s.date !== e.date) return `${formatBerlin(start, lang)} – ${formatBerlin(end, lang)}`;
  const head = formatBerlin(start, lang).replace(/, \d{2}:\d{2}( Uhr)?$/, '');
  return lang === 'de' ? `${head}, ${s.time}–${e.time} Uhr` : `${head}, ${s.time}–${e.time}`;
}

/** "15.12.2026" / "15 Dec 2026" (or "15 December 2026" with `month: 'long'`) for a Berlin calendar date. */
export function formatBerlinDate(date: string, lang: BerlinLang, month: 'short' | 'long' = 'short'): string {
  const [y, m, d] = date.split('-');
  if (lang === 'de') return `${d}.${m}.${y}`;
  return `${Number(d)} ${MONTHS[month][Number(m) - 1]} ${y}`;
}

/** The Berlin calendar day of an instant, formatted as `formatBerlinDate` does. */
export function formatBerlinDay(at: Date, lang: BerlinLang, month: 'short' | 'long' = 'short'): string {
  return formatBerlinDate(berlinDate(at), lang, month);
}

/** "15.12.2026, 10:00" (Berlin time, German numeric, no weekday): the short form for status lines. */
export function formatBerlinDateTime(at: Date): string {
  const p = berlinParts(at);
  return `${formatBerlinDate(p.date, 'de')}, ${p.time}`;
}
