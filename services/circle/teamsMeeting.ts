/**
 * The circle meeting's Teams meeting: a calendar event with a Teams meeting in the configured KfI mailbox, made,
 * moved and cancelled through Microsoft Graph (`GraphPort.upsertMeetingEvent` / `cancelMeetingEvent`).
 *
 * Where the Graph call happens: never on the request path. Announcing a meeting stores it with
 * `teamsMeeting: { state: 'pending' }` and a `meeting.teams` notice in the same write (the transactional outbox,
 * services/workflow/pending.ts); a change of date, time, place or text, and a cancellation, carry the same notice. The
 * relay's `deliver` runs {@link syncTeamsMeeting} before it posts or updates any card, so a card posted with the
 * announcement already shows the join link. The sync reads the stored meeting and makes the event match it (create,
 * PATCH, cancel), then writes what Graph said (event id, join link) back with the meeting's ETag. A process that dies
 * anywhere in between leaves the notice pending; the relay's sweep runs the sync again, and the create's
 * `transactionId` (`circle:<meeting id>`) makes Graph return the event made before instead of a second one.
 *
 * A failed call does not hold up the announcement: the card goes out with the KfI's free-text link (if any), and a
 * scheduler job (`circle.teamsMeeting`) tries again with back-off (after Graph's Retry-After when throttled). After
 * {@link TEAMS_RETRY.attempts} failures, or at once when Graph refuses for good (permission, mailbox outside the
 * access policy), the meeting records `state: 'failed'` and the KfI's card says so; codes go to the log only.
 */
import { createHash } from 'node:crypto';
import { backoffDelay, type BackoffPolicy } from '../common/backoff';
import { GraphError, type GraphPort, type MeetingEventInput } from '../graph/graphPort';
import type { Logger } from '../logging';
import type { Scheduler } from '../scheduling/scheduler';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import type { PendingNotice } from '../workflow/pending';
import { transact, type WorkflowWriter } from '../workflow/transaction';
import { JOB_KINDS } from './jobs';
import { meetingTransitions, type CircleDoc, type MeetingDoc, type TeamsMeeting } from './model';
import { CIRCLE_MESSAGES } from './texts';

/** How often and how patiently a failed Graph call is tried again. */
export const TEAMS_RETRY = {
  /** Failed attempts before the bot gives up and the KfI's card says so. */
  attempts: 6,
  /** 1 minute doubling up to 30 minutes (about an hour in all), jittered. */
  backoff: { baseDelayMs: 60_000, maxDelayMs: 30 * 60_000 } satisfies BackoffPolicy,
} as const;

/** The event as Graph should show it: German like the mailbox, times in Berlin, nobody invited (the card is the invitation). */
export function meetingEventInput(m: MeetingDoc): MeetingEventInput {
  const t = CIRCLE_MESSAGES.de.teams;
  return {
    transactionId: `circle:${m.pk}`,
    subject: t.subject(m.title),
    bodyText: [m.agendaText, t.body].filter(Boolean).join('\n\n'),
    start: m.start,
    end: m.end,
    timeZone: 'Europe/Berlin',
    ...(m.place ? { location: m.place } : {}),
    attendees: [],
  };
}

/** A short digest of what the event says, stored as `synced` to tell whether it needs a PATCH. */
export function eventFingerprint(input: MeetingEventInput): string {
  const shown = [input.subject, input.bodyText, input.start, input.end, input.timeZone, input.location ?? ''];
  return createHash('sha256').update(JSON.stringify(shown)).digest('base64url').slice(0, 22);
}

/** What the event needs to match the stored meeting. */
export type TeamsPlan =
  | { kind: 'none' }
  /** Create (or, repeated, find through `transactionId`); `patchAfter` when the meeting changed since it was announced. */
  | { kind: 'create'; input: MeetingEventInput; patchAfter: boolean }
  | { kind: 'update'; eventId: string; input: MeetingEventInput }
  /** Cancel; without an event id, one that may exist is found through `transactionId` first. */
  | { kind: 'cancel'; eventId?: string; input: MeetingEventInput; comment: string }
  /** The event matches already: only the recorded state is behind (e.g. a failed update whose change was undone). */
  | { kind: 'settle' };

/** What Graph has to do for `m` (pure). */
export function planTeamsSync(m: MeetingDoc): TeamsPlan {
  const tm = m.teamsMeeting;
  if (!tm) return { kind: 'none' };
  const input = meetingEventInput(m);
  if (m.status === 'cancelled') {
    return tm.state === 'cancelled' ? { kind: 'none' } : { kind: 'cancel', ...(tm.eventId ? { eventId: tm.eventId } : {}), input, comment: m.cancelReason ?? '' };
  }
  // A repeated create returns the event as first created: a meeting changed since then needs the PATCH too.
  if (!tm.eventId) return { kind: 'create', input, patchAfter: m.revision > 1 };
  if (tm.synced !== eventFingerprint(input)) return { kind: 'update', eventId: tm.eventId, input };
  return tm.state === 'created' && !tm.attempts ? { kind: 'none' } : { kind: 'settle' };
}

/** Whether trying again can help: throttling and transient failures; a refusal (permission, bad request) stays one. */
const retryable = (err: GraphError) => err.kind === 'throttled' || err.kind === 'transient';

/** When to try again after the `failures`-th failure, or `undefined` to give up. */
export function retryAt(err: GraphError, failures: number, nowMs: number, random: () => number = Math.random): Date | undefined {
  if (!retryable(err) || failures >= TEAMS_RETRY.attempts) return undefined;
  const wait = err.kind === 'throttled' && err.retryAfterMs !== undefined ? err.retryAfterMs : backoffDelay(failures, TEAMS_RETRY.backoff, random);
  return new Date(nowMs + wait);
}

export interface TeamsMeetingDeps {
  graph: GraphPort;
  /** The KfI mailbox (UPN or id) the events live in (`GRAPH_MEETING_MAILBOX`). */
  mailbox: string;
  store: DocumentStore<CircleDoc>;
  writer: WorkflowWriter;
  /** The card update a change members see owes (the circle's notices for two revisions of the meeting). */
  cardNotices: (previous: MeetingDoc, next: MeetingDoc) => PendingNotice[];
  logger: Logger;
  now: () => Date;
}

/** What a sync came to: done (or nothing to do), try again at `at`, or given up (the KfI's card says so). */
export type TeamsSync = { kind: 'done' } | { kind: 'retry'; at: Date } | { kind: 'gaveUp' };

/**
 * Makes the meeting's event match the stored meeting (see the module comment) and records what Graph said.
 * `announcing`: the announcement is posted right after, from the stored meeting, so the join link needs no card update.
 * Rejects only when the store fails (the caller's notice or job then stays to be run again).
 */
export async function syncTeamsMeeting(deps: TeamsMeetingDeps, meetingId: string, options: { announcing?: boolean } = {}): Promise<TeamsSync> {
  const meeting = (await deps.store.read(meetingId, 'meeting')) as Versioned<MeetingDoc> | undefined;
  if (meeting?.type !== 'meeting' || !meeting.teamsMeeting) return { kind: 'done' };
  const tm = meeting.teamsMeeting;
  const plan = planTeamsSync(meeting);
  if (plan.kind === 'none') return { kind: 'done' };
  const record = (next: TeamsMeeting) => writeTeamsMeeting(deps, meetingId, next, !options.announcing);
  try {
    if (plan.kind === 'settle') {
      await record({ state: 'created', ...ids(tm), ...(tm.synced ? { synced: tm.synced } : {}) });
      return { kind: 'done' };
    }
    if (!(await deps.graph.features()).has('meetings')) throw new GraphError('MeetingsPermissionMissing', 'forbidden');
    if (plan.kind === 'cancel') {
      const eventId = plan.eventId ?? (await findForCancel(deps, plan.input));
      if (eventId) await deps.graph.cancelMeetingEvent(deps.mailbox, eventId, plan.comment);
      await record({ state: 'cancelled', ...ids({ ...tm, ...(eventId ? { eventId } : {}) }) });
      deps.logger.info({ event: 'circle.teams_cancelled', meetingId, found: !!eventId }, "the meeting's Teams meeting is cancelled");
      return { kind: 'done' };
    }
    let event = await deps.graph.upsertMeetingEvent(deps.mailbox, plan.input, plan.kind === 'update' ? plan.eventId : undefined);
    if (plan.kind === 'create' && plan.patchAfter) event = await deps.graph.upsertMeetingEvent(deps.mailbox, plan.input, event.eventId);
    const joinUrl = event.joinUrl || tm.joinUrl;
    await record({ state: 'created', eventId: event.eventId, ...(joinUrl ? { joinUrl } : {}), synced: eventFingerprint(plan.input) });
    deps.logger.info({ event: plan.kind === 'create' ? 'circle.teams_created' : 'circle.teams_updated', meetingId }, "the meeting's Teams meeting is up to date");
    return { kind: 'done' };
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    const failures = (tm.attempts ?? 0) + 1;
    const at = retryAt(err, failures, deps.now().getTime());
    const fields = { event: at ? 'circle.teams_retry' : 'circle.teams_failed', meetingId, step: plan.kind, code: err.code, kind: err.kind, status: err.status, attempts: failures };
    if (at) {
      deps.logger.warn({ ...fields, retryAt: at.toISOString() }, "the meeting's Teams meeting could not be made now; trying again");
      await record({ ...tm, attempts: failures });
      return { kind: 'retry', at };
    }
    deps.logger.error(fields, "the meeting's Teams meeting could not be made; the KfI's card says so");
    const failed = plan.kind === 'cancel' ? 'cancel' : plan.kind === 'update' ? 'update' : 'create';
    await record({ ...ids(tm), ...(tm.synced ? { synced: tm.synced } : {}), state: 'failed', failed });
    return { kind: 'gaveUp' };
  }
}

/** The ids of an event, without undefined fields (stored documents hold no `undefined`). */
const ids = (tm: TeamsMeeting) => ({ ...(tm.eventId ? { eventId: tm.eventId } : {}), ...(tm.joinUrl ? { joinUrl: tm.joinUrl } : {}) });

/**
 * The event a cancelled meeting may have although none was recorded (a create that reached Graph before the process
 * died, or whose answer was lost): the create with the same `transactionId` returns it. When Graph refuses the create
 * for good, it never made one, and there is nothing to cancel.
 */
async function findForCancel(deps: TeamsMeetingDeps, input: MeetingEventInput): Promise<string | undefined> {
  try {
    return (await deps.graph.upsertMeetingEvent(deps.mailbox, input)).eventId;
  } catch (err) {
    if (err instanceof GraphError && !retryable(err)) return undefined;
    throw err;
  }
}

/** Stores what Graph said with the meeting's ETag; a change members see counts the revision up and updates the cards. */
async function writeTeamsMeeting(deps: TeamsMeetingDeps, meetingId: string, tm: TeamsMeeting, cards: boolean): Promise<void> {
  const at = deps.now().toISOString();
  await transact(
    deps.store as unknown as DocumentStore<MeetingDoc>,
    meetingId,
    'meeting',
    (current) => {
      const change = meetingTransitions.teamsMeeting(current, tm, at);
      if (!('next' in change)) return { unchanged: true };
      return { next: change.next, notices: cards && change.next.revision !== current.revision ? deps.cardNotices(current, change.next) : [] };
    },
    deps.writer,
  );
}

/** The key of a meeting's retry job (one per meeting: a newer retry moves it). */
export const teamsJobKey = (meetingId: string) => `circle:meeting:${meetingId}:teams`;

/** The relay's part: sync now; a retry becomes the meeting's `circle.teamsMeeting` job. */
export async function syncTeamsMeetingNow(deps: TeamsMeetingDeps & { scheduler: Pick<Scheduler, 'reschedule'> }, meetingId: string, announcing: boolean): Promise<void> {
  const result = await syncTeamsMeeting(deps, meetingId, { announcing });
  if (result.kind === 'retry') await deps.scheduler.reschedule({ key: teamsJobKey(meetingId), kind: JOB_KINDS.teamsMeeting, dueAt: result.at, payload: { meetingId } });
}
