/**
 * Working days at the Bezirksregierungen: Monday to Friday, except the public holidays of North Rhine-Westphalia
 * (Feiertagsgesetz NW § 2): Neujahr, Karfreitag, Ostermontag, 1. Mai, Christi Himmelfahrt, Pfingstmontag,
 * Fronleichnam, Tag der Deutschen Einheit, Allerheiligen, 1. and 2. Weihnachtstag.
 * Days are ISO calendar dates (`YYYY-MM-DD`) in Europe/Berlin; see `berlinDate` (services/common/berlinTime) for turning a moment into one.
 */

const DAY_MS = 86_400_000;

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, "Meeus/Jones/Butcher"), as UTC midnight ms. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const parse = (day: string) => Date.parse(`${day}T00:00:00Z`);

const cache = new Map<number, Map<string, string>>();

/** The NRW public holidays of a year: ISO date → German name. */
export function nrwHolidays(year: number): ReadonlyMap<string, string> {
  let holidays = cache.get(year);
  if (holidays) return holidays;
  const easter = easterSunday(year);
  const rel = (days: number) => iso(easter + days * DAY_MS);
  holidays = new Map<string, string>([
    [`${year}-01-01`, 'Neujahr'],
    [rel(-2), 'Karfreitag'],
    [rel(1), 'Ostermontag'],
    [`${year}-05-01`, 'Tag der Arbeit'],
    [rel(39), 'Christi Himmelfahrt'],
    [rel(50), 'Pfingstmontag'],
    [rel(60), 'Fronleichnam'],
    [`${year}-10-03`, 'Tag der Deutschen Einheit'],
    [`${year}-11-01`, 'Allerheiligen'],
    [`${year}-12-25`, '1. Weihnachtstag'],
    [`${year}-12-26`, '2. Weihnachtstag'],
  ]);
  cache.set(year, holidays);
  return holidays;
}

/** Whether `day` is a working day in NRW (not a weekend, not a public holiday). */
export function isWorkingDay(day: string): boolean {
  const weekday = new Date(parse(day)).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !nrwHolidays(Number(day.slice(0, 4))).has(day);
}

/** The working day `n` working days after `day` (n ≥ 0; n = 0 gives `day` itself, or the next working day if it is none). */
export function addWorkingDays(day: string, n: number): string {
  let t = parse(day);
  while (!isWorkingDay(iso(t))) t += DAY_MS;
  for (let left = n; left > 0; ) {
    t += DAY_MS;
    if (isWorkingDay(iso(t))) left--;
  }
  return iso(t);
}

/** Working days strictly after `from` up to and including `to` (0 when `to` ≤ `from`). */
export function workingDaysBetween(from: string, to: string): number {
  let count = 0;
  for (let t = parse(from) + DAY_MS, end = parse(to); t <= end; t += DAY_MS) if (isWorkingDay(iso(t))) count++;
  return count;
}
