/**
 * The requester's Frist on an Anliegen, as a schedule: pure functions of the stored item and the Berlin date, used by
 * the deadline job (`RequestService.deadlineDue`) and by the notifier that schedules it.
 *
 * - `soon`: the working day before the Frist, the handler is reminded ("Frist morgen" or "am Montag");
 * - `today`: on the day of the Frist, the handler is reminded again;
 * - `overdue`: from the day after the Frist the cards and the tab show "überfällig"; on the next working day the
 *   request goes to the deputy once, with the reason (written into the item with its notices, audited in the trail).
 *
 * Each moment is 08:00 Berlin. A reminder whose day is the day the request was sent (or earlier) is left out: the
 * handler has just received it. While a question to the requester is open the handler is not reminded, and the
 * escalation waits for the reply (the delay is the requester's).
 *
 * Where an overdue request goes (decided from the decree, RdErl. v. 5.12.2023, and docs/workflows.md "Frist"): the
 * deputy of the IB; when the deputy is the one handling it (the IB absent), the IB; when no deputy is set, the handler
 * themselves (nobody else). Never the KfI and never the head: the IB act "in eigener Verantwortung" (Nr. 6) and the
 * KfI advises them but supervises nobody; a member of staff's Anliegen is need-to-know inside their authority. A
 * request to the KfI goes to the other KfI members.
 */
import { berlinToUtc } from '../common/berlinTime';
import { addWorkingDays, isWorkingDay } from '../calendar/workingDays';

/** The job that follows a request's Frist (one per request, key {@link deadlineJobKey}). */
export const DEADLINE_JOB_KIND = 'requests.deadline';
export const deadlineJobKey = (itemId: string) => `item:${itemId}:deadline`;

/** A step of the Frist: the two reminders and the overdue escalation. */
export type DeadlineStep = 'soon' | 'today' | 'overdue';

/** The Berlin dates of the three steps of a Frist (`deadline`: ISO date). */
export function deadlineDays(deadline: string): Record<DeadlineStep, string> {
  return { soon: workingDayBefore(deadline), today: deadline, overdue: addWorkingDays(dayAfter(deadline), 0) };
}

/** 08:00 Berlin of a date. */
export function morningOf(day: string): Date {
  return berlinToUtc(day, '08:00') ?? new Date(`${day}T07:00:00Z`);
}

/**
 * What is due on `today` for a Frist and what comes next: the latest step whose day has come (a late run sends only
 * that one) and the moment of the following step. `created`: the Berlin date the request was sent.
 */
export function deadlineStepOn(deadline: string, created: string, today: string): { step?: DeadlineStep; next?: Date } {
  const days = deadlineDays(deadline);
  if (today < days.soon) return { next: morningOf(days.soon) };
  if (today < days.today) return { ...(created < days.soon ? { step: 'soon' as const } : {}), next: morningOf(days.today) };
  if (today < days.overdue) return { ...(created < days.today ? { step: 'today' as const } : {}), next: morningOf(days.overdue) };
  return { step: 'overdue' };
}

/** When the deadline job of a request first runs: its first step's morning that has not yet passed the day it was sent. */
export function deadlineJobDueAt(deadline: string, created: string): Date {
  const days = deadlineDays(deadline);
  const first = created < days.soon ? days.soon : created < days.today ? days.today : days.overdue;
  return morningOf(first);
}

function dayAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function workingDayBefore(day: string): string {
  let t = Date.parse(`${day}T00:00:00Z`) - 86_400_000;
  while (!isWorkingDay(new Date(t).toISOString().slice(0, 10))) t -= 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}
