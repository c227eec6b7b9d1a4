/**
 * The circle's scheduled steps: the RSVP reminder before the deadline, the day-before reminder, the action items'
 * reminders and the retention purge. Scheduling happens in the relay's `deliver` (notices of kind `job.*`); each job
 * re-reads the stored meeting when it runs and sends through the outbox under a key of meeting and step, so a job that
 * runs twice sends nothing twice.
 */
import { berlinParts, berlinToUtc } from '../common/berlinTime';
import type { JobDoc, JobHandler, Scheduler } from '../scheduling/scheduler';
import type { ActionItem, MeetingDoc, MeetingView } from './model';
import { messageMembers, reminderTexts, type CircleNotifierDeps } from './notifications';

export const JOB_KINDS = {
  rsvpReminder: 'circle.rsvpReminder',
  dayBefore: 'circle.dayBefore',
  actionReminder: 'circle.actionReminder',
  purge: 'circle.purge',
  /** Tries again to bring the meeting's Teams meeting in line with the meeting (teamsMeeting.ts). */
  teamsMeeting: 'circle.teamsMeeting',
  /** Retired: the relay's sweep finishes what a stopped process left (a stored job of this kind just ends). */
  sweep: 'circle.sweep',
} as const;

const DAY = 86_400_000;
const HOUR = 3_600_000;

const jobKey = (meetingId: string, step: string) => `circle:meeting:${meetingId}:${step}`;

/** Members who have not answered hear at 9:00 on the day before the deadline (or in an hour); everyone the day before. */
export async function scheduleReminders(scheduler: Pick<Scheduler, 'reschedule'>, meeting: MeetingDoc, now: Date): Promise<void> {
  const at = now.getTime();
  const start = new Date(meeting.start).getTime();
  const deadlineReminder = berlinToUtc(meeting.rsvpDeadline, '09:00')!.getTime() - DAY;
  const payload = { meetingId: meeting.pk };
  await scheduler.reschedule({ key: jobKey(meeting.pk, 'rsvp-reminder'), kind: JOB_KINDS.rsvpReminder, dueAt: new Date(Math.max(at + HOUR, deadlineReminder)), payload });
  await scheduler.reschedule({ key: jobKey(meeting.pk, 'day-before'), kind: JOB_KINDS.dayBefore, dueAt: new Date(Math.max(at, start - DAY)), payload });
}

/** A cancelled meeting: no reminder goes out any more. */
export async function cancelMeetingJobs(scheduler: Pick<Scheduler, 'cancel'>, meeting: MeetingDoc): Promise<void> {
  await scheduler.cancel(jobKey(meeting.pk, 'rsvp-reminder'));
  await scheduler.cancel(jobKey(meeting.pk, 'day-before'));
  for (const item of meeting.actionItems) await scheduler.cancel(jobKey(meeting.pk, `action:${item.id}`));
}

/** The owner of an action item hears two days before it is due (09:00 Berlin), or now if that has passed. */
export async function scheduleActionReminder(scheduler: Pick<Scheduler, 'schedule'>, meeting: MeetingDoc, item: ActionItem, now: Date): Promise<void> {
  const due = berlinToUtc(item.due, '09:00')!.getTime() - 2 * DAY;
  await scheduler.schedule({ key: jobKey(meeting.pk, `action:${item.id}`), kind: JOB_KINDS.actionReminder, dueAt: new Date(Math.max(now.getTime(), due)), payload: { meetingId: meeting.pk, itemId: item.id } });
}

export interface CircleJobDeps extends Pick<CircleNotifierDeps, 'outbox' | 'langOf'> {
  readMeeting: (meetingId: string) => Promise<MeetingDoc | undefined>;
  meetingView: (meetingId: string) => Promise<MeetingView>;
  purgeExpired: () => Promise<number>;
  /** Syncs the meeting's Teams meeting; the time to try again, if it has to (absent without Graph). */
  syncTeamsMeeting?: (meetingId: string) => Promise<Date | undefined>;
  now: () => Date;
}

/** Handlers for the Scheduler: each re-reads state and sends through the outbox under a key of meeting and step. */
export function circleJobHandlers(deps: CircleJobDeps, cadence: Record<string, JobHandler> = {}): Record<string, JobHandler> {
  const load = async (job: Readonly<JobDoc>): Promise<MeetingView | undefined> => {
    const id = String(job.payload.meetingId ?? '');
    const meeting = await deps.readMeeting(id);
    if (!meeting || meeting.status !== 'scheduled' || new Date(meeting.start).getTime() < deps.now().getTime()) return undefined;
    return deps.meetingView(id);
  };
  return {
    // The cadence's job (cadenceService.ts): prepares the KfI's draft of the next date ahead of time.
    ...cadence,
    [JOB_KINDS.sweep]: async () => undefined,
    [JOB_KINDS.purge]: async () => {
      await deps.purgeExpired();
      return { next: new Date(deps.now().getTime() + HOUR) };
    },
    [JOB_KINDS.teamsMeeting]: async (job) => {
      // Without Graph (configuration changed since) the meeting keeps its free-text link: nothing to do.
      const at = await deps.syncTeamsMeeting?.(String(job.payload.meetingId ?? ''));
      return at ? { next: at } : undefined;
    },
    [JOB_KINDS.rsvpReminder]: async (job) => {
      const view = await load(job);
      if (!view || view.notAnswered.length === 0 || view.meeting.rsvpDeadline < berlinParts(deps.now()).date) return;
      await messageMembers(deps, jobKey(view.meeting.pk, `rsvp-reminder:${view.meeting.rsvpDeadline}`), view.meeting.tenantId, view.notAnswered.map((m) => m.aadObjectId), (lang) => reminderTexts.rsvp(view, lang));
    },
    [JOB_KINDS.dayBefore]: async (job) => {
      const view = await load(job);
      if (!view) return;
      await messageMembers(deps, jobKey(view.meeting.pk, `day-before:${view.meeting.start}`), view.meeting.tenantId, view.members.map((m) => m.aadObjectId), (lang) => reminderTexts.dayBefore(view, lang));
    },
    [JOB_KINDS.actionReminder]: async (job) => {
      const id = String(job.payload.meetingId ?? '');
      const meeting = await deps.readMeeting(id);
      const item = meeting?.actionItems.find((i) => i.id === job.payload.itemId);
      if (!meeting || !item || meeting.status === 'cancelled') return;
      const view = await deps.meetingView(id);
      await messageMembers(deps, jobKey(id, `action:${item.id}:remind:${item.due}`), meeting.tenantId, [item.owner], (lang) => reminderTexts.action(view, item, lang));
    },
  };
}
