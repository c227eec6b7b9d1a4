/**
 * The Koordinierungskreis' cadence (issue 17): the rule by which the KfI (RdErl. v. 5.12.2023, Nr. 6) meets, e.g.
 * "quarterly on the second Tuesday, 10:00", "every 6 weeks on Wednesday", "monthly on the last Friday". Pure: dates are
 * Berlin calendar dates (`YYYY-MM-DD`), nothing reads the clock. A date that falls on an NRW public holiday (or, by a
 * holiday, on no working day) moves to the next working day (services/calendar/workingDays.ts, the same calendar the
 * Vortrag reminders count with); the occurrence keeps the rule's date as its identity, so a moved date is prepared once.
 */
import { berlinToUtc } from '../common/berlinTime';
import { addWorkingDays, isWorkingDay, nrwHolidays } from '../calendar/workingDays';
import type { Problem } from '../workflow/outcome';

/** Weeks of the month a monthly rule can name; -1 is the last. */
export const CADENCE_WEEKS = [1, 2, 3, 4, -1] as const;
export type CadenceWeek = (typeof CADENCE_WEEKS)[number];
/** Monday (1) to Friday (5): the authorities meet on working days. */
export const CADENCE_WEEKDAYS = [1, 2, 3, 4, 5] as const;
export const CADENCE_UNITS = ['week', 'month'] as const;
export type CadenceUnit = (typeof CADENCE_UNITS)[number];
export const CADENCE_KINDS = ['poll', 'meeting'] as const;
export type CadenceKind = (typeof CADENCE_KINDS)[number];

/** Limits of a rule (the tab's form states them, the service checks them). */
export const CADENCE_LIMITS = {
  interval: { week: 26, month: 12 },
  leadWeeks: { min: 1, max: 26 },
  alternatives: { min: 1, max: 4 },
  durationMinutes: { min: 30, max: 8 * 60 },
} as const;

/** When the circle meets. */
export interface CadenceRule {
  /** `week`: every `interval` weeks on `weekday`; `month`: every `interval` months on the `week`-th `weekday`. */
  unit: CadenceUnit;
  interval: number;
  weekday: number;
  /** Monthly rules only: 1–4, or -1 for the last such weekday of the month. */
  week?: CadenceWeek;
  /** Berlin date the cadence counts from: its week (weekly) or its month (monthly) is the first of the series. */
  from: string;
  /** Start time, Berlin `HH:MM`. */
  time: string;
}

/** One date of the series. */
export interface Occurrence {
  /** The rule's date: the occurrence's identity (a draft is prepared once per rule date). */
  ruleDate: string;
  /** The date it takes place: the rule's date, or the next working day after a public holiday. */
  date: string;
  /** The holiday's German name when the date moved. */
  holiday?: string;
}

const DAY = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const ms = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** Adds days to a calendar date. */
export function addDays(date: string, days: number): string {
  return iso(ms(date) + days * DAY);
}

/** The `week`-th `weekday` (0 Sunday … 6 Saturday) of a month (1-based), -1 the last; always inside the month. */
export function nthWeekdayOfMonth(year: number, month: number, weekday: number, week: CadenceWeek): string {
  if (week === -1) {
    const last = new Date(Date.UTC(year, month, 0));
    return iso(last.getTime() - ((last.getUTCDay() - weekday + 7) % 7) * DAY);
  }
  const first = new Date(Date.UTC(year, month - 1, 1));
  return iso(first.getTime() + (((weekday - first.getUTCDay() + 7) % 7) + (week - 1) * 7) * DAY);
}

/** The occurrence of a rule's date: moved to the next working day when it is a public holiday. */
function occurrenceOf(ruleDate: string): Occurrence {
  if (isWorkingDay(ruleDate)) return { ruleDate, date: ruleDate };
  const holiday = nrwHolidays(Number(ruleDate.slice(0, 4))).get(ruleDate);
  return { ruleDate, date: addWorkingDays(ruleDate, 0), ...(holiday ? { holiday } : {}) };
}

/** The rule's dates in order, from its first (lazily; the caller takes as many as it needs). */
function* ruleDates(rule: CadenceRule): Generator<string> {
  if (rule.unit === 'week') {
    const from = ms(rule.from);
    let t = from + ((rule.weekday - new Date(from).getUTCDay() + 7) % 7) * DAY;
    for (;;) {
      yield iso(t);
      t += rule.interval * 7 * DAY;
    }
  }
  const [y, m] = rule.from.split('-').map(Number);
  for (let k = 0; ; k += rule.interval) {
    const month = m - 1 + k;
    const date = nthWeekdayOfMonth(y + Math.floor(month / 12), (month % 12) + 1, rule.weekday, rule.week ?? 1);
    // The first month's date may lie before `from`: the series then begins with the next one.
    if (date >= rule.from) yield date;
  }
}

/** The next `count` occurrences whose date is on or after `onOrAfter` (a Berlin date). */
export function occurrences(rule: CadenceRule, onOrAfter: string, count: number): Occurrence[] {
  const out: Occurrence[] = [];
  if (count <= 0) return out;
  for (const ruleDate of ruleDates(rule)) {
    const occ = occurrenceOf(ruleDate);
    if (occ.date >= onOrAfter) out.push(occ);
    if (out.length >= count) break;
  }
  return out;
}

/** The instant an occurrence starts (Berlin date and the rule's time). */
export function startOf(rule: Pick<CadenceRule, 'time'>, occ: Pick<Occurrence, 'date'>): Date {
  return berlinToUtc(occ.date, rule.time)!;
}

/** When the draft of an occurrence is prepared: 09:00 Berlin, `leadWeeks` weeks before its date. */
export function prepareAt(occ: Pick<Occurrence, 'date'>, leadWeeks: number): Date {
  return berlinToUtc(addDays(occ.date, -7 * leadWeeks), '09:00')!;
}

/**
 * The further dates a prepared date poll offers besides the occurrence: the same weekday in the following weeks, each
 * moved past a public holiday like the occurrence itself.
 */
export function alternativeDates(occ: Occurrence, count: number): string[] {
  return Array.from({ length: count }, (_, i) => occurrenceOf(addDays(occ.ruleDate, 7 * (i + 1))).date);
}

/** The raw input of a rule (from the tab's form: strings), checked field by field. */
export interface CadenceRuleInput {
  unit?: unknown;
  interval?: unknown;
  weekday?: unknown;
  week?: unknown;
  from?: unknown;
  time?: unknown;
}

const int = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,3}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isInteger(n) ? n : undefined;
};
const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** A rule from form input, or the problems at their fields (`unit`, `interval`, `weekday`, `week`, `from`, `time`). */
export function parseRule(input: CadenceRuleInput): { rule: CadenceRule } | { problems: Problem[] } {
  const problems: Problem[] = [];
  const unit = CADENCE_UNITS.find((u) => u === str(input.unit));
  if (!unit) problems.push({ field: 'unit', code: str(input.unit) ? 'unknown_value' : 'missing' });
  const interval = int(input.interval);
  if (interval === undefined || interval < 1 || interval > CADENCE_LIMITS.interval[unit ?? 'month']) problems.push({ field: 'interval', code: str(input.interval) || typeof input.interval === 'number' ? 'unknown_value' : 'missing' });
  const weekday = int(input.weekday);
  if (weekday === undefined || !(CADENCE_WEEKDAYS as readonly number[]).includes(weekday)) problems.push({ field: 'weekday', code: 'unknown_value' });
  const weekRaw = int(input.week);
  const week = CADENCE_WEEKS.find((w) => w === weekRaw);
  if (unit === 'month' && week === undefined) problems.push({ field: 'week', code: str(input.week) || typeof input.week === 'number' ? 'unknown_value' : 'missing' });
  const from = str(input.from);
  if (!ISO_DATE.test(from) || iso(ms(from)) !== from) problems.push({ field: 'from', code: from ? 'bad_date' : 'missing' });
  const time = str(input.time);
  if (!TIME.test(time)) problems.push({ field: 'time', code: time ? 'bad_time' : 'missing' });
  if (problems.length) return { problems };
  return { rule: { unit: unit!, interval: interval!, weekday: weekday!, ...(unit === 'month' ? { week: week! } : {}), from, time } };
}
