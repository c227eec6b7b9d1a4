/**
 * The scheduled work of Anliegen and Vortrag: the request's reminder (handler after N working days, the deputy after
 * M; see `RequestService.reminderDue`), the Frist's reminders and overdue escalation (`deadline.ts`) and the retention
 * purge; the Vortrag's reminder about a proposed date (`requests.terminRemind`) and the retry of its calendar entry
 * through Graph (`requests.invitation`, see termin.ts); the check whether a Vortrag reached its head
 * (`requests.headReach`, see headReach.ts). A retired kind (`requests.sweep`, replaced by the relay's sweep) ends when it comes due.
 */
import type { JobHandler } from '../scheduling/scheduler';
import { DEADLINE_JOB_KIND } from './deadline';
import { headReachCheck, type HeadReachDeps } from './headReach';
import { HEAD_REACH_JOB_KIND, noticesForDeadline, noticesForReminder, TERMIN_REMINDER_JOB_KIND, type RequestNotifier } from './notifications';
import { INVITATION_JOB_KIND } from './termin';
import { JOB_KINDS, type RequestService } from './requestService';

export function requestJobs(
  service: RequestService,
  notifier: Pick<RequestNotifier, 'deliver'> & Partial<Pick<RequestNotifier, 'retryInvitation'>>,
  headReach: HeadReachDeps,
): Record<string, JobHandler> {
  return {
    // Whether a Vortrag reached its head, recorded also when the process that sent the card died (headReach.ts).
    [HEAD_REACH_JOB_KIND]: headReachCheck(headReach),
    [JOB_KINDS.remind]: async (job) => {
      const { due, next } = await service.reminderDue(job.payload ?? {});
      // A reminder changes nothing in the item: the job itself hands its notices over (idempotent by key, so a run
      // repeated after a crash or by a second process sends nothing twice). The escalation is a change of the item
      // and went into its write.
      if (due) await notifier.deliver(due.item, noticesForReminder(due.item, due.step, due.recipients, due.round));
      return next ? { next } : undefined;
    },
    // The requester's Frist (deadline.ts): reminders the job hands over itself (keyed once per step), the overdue
    // escalation written into the item with its notices by the service.
    [DEADLINE_JOB_KIND]: async (job) => {
      const { due, next } = await service.deadlineDue(job.payload ?? {});
      if (due) await notifier.deliver(due.item, noticesForDeadline(due.item, due.step, due.recipients));
      return next ? { next } : undefined;
    },
    // A proposed Vortrag date still unanswered: the side that has to answer is reminded once (written with its notices).
    [TERMIN_REMINDER_JOB_KIND]: async (job) => {
      const { next } = await service.terminReminderDue(job.payload ?? {});
      return next ? { next } : undefined;
    },
    // A Graph call of a Vortrag's calendar entry failed: tried again (a further failure reschedules it from its write).
    [INVITATION_JOB_KIND]: async (job) => {
      await notifier.retryInvitation?.(job.payload ?? {});
      return undefined;
    },
    [JOB_KINDS.purge]: async () => {
      await service.purgeExpired();
      return { next: new Date(service.currentTime().getTime() + 60 * 60_000) };
    },
    [JOB_KINDS.sweep]: async () => undefined,
  };
}
