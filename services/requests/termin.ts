/**
 * The agreed date of a Vortrag (RdErl. v. 5.12.2023, Nr. 4) as a calendar invitation for the head and the IB, the way
 * the circle makes its meetings (services/circle/teamsMeeting.ts): never on the request path. The agreement is written
 * with `termin.invitation: { state: 'pending' }` and a `report.invitation` notice (one conditional write); the relay's
 * `deliver` runs {@link syncInvitation} before it renders any card or message, so they already carry the join link.
 *
 * - With Graph's `meetings` feature and a meeting mailbox (GRAPH_MEETING_MAILBOX): a calendar event with a Teams
 *   meeting in that mailbox, head and IB invited as attendees (Exchange sends them the invitation). The create carries
 *   `transactionId` `report:<item id>`, so a repeated notice (a process that died before it recorded Graph's answer)
 *   gets the event made before, not a second one.
 * - Otherwise, or when Graph refuses or fails: the `.ics` link (`/kalender/<token>`, the circle's route and its one ics
 *   writer, services/circle/ics.ts) on the cards and in the messages, at once. A call that may succeed later
 *   (throttled, transient) is tried again by the job `requests.invitation` with back-off, at most
 *   {@link INVITATION_RETRY}`.attempts` times; the failure and the job's notice are one write, so a crash loses neither.
 *   On success the cards show the Teams meeting.
 * - A moved date (agreed again after "Termin verschieben"): the same event is updated (PATCH), or the .ics keeps its
 *   UID with a higher SEQUENCE. A cancelled date ("Termin absagen"): the event is cancelled with the reason as comment,
 *   or the .ics is offered as METHOD:CANCEL. Every outcome is a trail entry (`report.invitation`).
 */
import { berlinToUtc } from '../common/berlinTime';
import { renderIcs } from '../circle/ics';
import { authorityOf, AUTHORITY_NAMES, type Directory } from '../directory/model';
import { GraphError, type GraphPort, type MeetingEventInput } from '../graph/graphPort';
import type { Logger } from '../logging';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { backoffDelay, type BackoffPolicy } from '../common/backoff';
import type { PendingNotice } from '../workflow/pending';
import { transact, type Step, type WorkflowWriter } from '../workflow/transaction';
import { INVITATION_RETRY_ATTEMPTS, type Invitation, type ItemDoc, type Termin, type TrailEntry } from './model';
import { REQUEST_TEXTS } from './texts';

/** How long the meeting of an agreed Vortrag is set for in the calendar (the card names only its start). */
export const REPORT_MEETING_MINUTES = 60;

/** The notice an agreement carries: make the invitation (key `item:<id>:invitation`, once per item). */
export const INVITATION_NOTICE = 'report.invitation';
export const invitationKey = (itemId: string) => `item:${itemId}:invitation`;

/** Start and end of the agreed date, or undefined when the stored date does not name a real moment. */
export function meetingTimes(t: Pick<Termin, 'date' | 'time'>): { start: Date; end: Date } | undefined {
  const start = berlinToUtc(t.date, t.time);
  return start ? { start, end: new Date(start.getTime() + REPORT_MEETING_MINUTES * 60_000) } : undefined;
}

/**
 * The e-mail addresses invited: the head and the IB who registered the report (or, when that person is no longer in
 * the directory, the authority's IB). From the stored directory, never from card data.
 */
export function inviteesOf(directory: Directory, item: ItemDoc): string[] {
  const authority = authorityOf(directory, item.authority);
  if (!authority) return [];
  const creator = item.createdBy.aadObjectId.toLowerCase();
  const ibSide = [authority.commissioner, authority.deputy].filter((p) => !!p);
  const ib = ibSide.find((p) => p.teams?.aadObjectId?.toLowerCase() === creator) ?? authority.commissioner;
  return [...new Set([authority.head.email, ib?.email].filter((e): e is string => !!e).map((e) => e.toLowerCase()))];
}

/** The calendar entry's `transactionId`: `report:<id>` for the first agreed date, `report:<id>:<round>` after a cancellation. */
export const transactionIdOf = (itemId: string, round = 1) => (round > 1 ? `report:${itemId}:${round}` : `report:${itemId}`);

/** The agreed date in force: the agreed proposal, or while a move is negotiated, the date agreed before. */
export function agreedDate(termin: Termin | undefined): (Pick<Termin, 'date' | 'time' | 'proposals'> & { agreed: NonNullable<Termin['agreed']> }) | undefined {
  if (termin?.agreed) return { date: termin.date, time: termin.time, proposals: termin.proposals, agreed: termin.agreed };
  return termin?.moving;
}

/** The event as Graph should make it: German like the authorities, Berlin time, head and IB invited. */
export function invitationEventInput(item: ItemDoc, attendees: readonly string[], date: Pick<Termin, 'date' | 'time'> | undefined = agreedDate(item.termin), round = item.termin?.round): MeetingEventInput | undefined {
  const times = date && meetingTimes(date);
  if (!times) return undefined;
  const t = REQUEST_TEXTS.de.termin;
  return {
    transactionId: transactionIdOf(item.id, round),
    subject: t.eventSubject(item.subject),
    bodyText: t.eventBody(AUTHORITY_NAMES[item.authority]),
    start: times.start.toISOString(),
    end: times.end.toISOString(),
    timeZone: 'Europe/Berlin',
    attendees,
  };
}

/** How often and how patiently a failed Graph call of an invitation is tried again (the circle's numbers). */
export const INVITATION_RETRY = {
  attempts: INVITATION_RETRY_ATTEMPTS,
  /** 1 minute doubling up to 30 minutes, jittered. */
  backoff: { baseDelayMs: 60_000, maxDelayMs: 30 * 60_000 } satisfies BackoffPolicy,
} as const;

/** The retry job of an item's invitation (one per item: a newer retry moves it). */
export const INVITATION_JOB_KIND = 'requests.invitation';
export const invitationJobKey = (itemId: string) => `item:${itemId}:invitation:retry`;
/** The notice that (re)schedules that job, written with the failure it follows (`data.at`: when). */
export const INVITATION_RETRY_NOTICE = 'job.invitationRetry';

export interface InvitationDeps {
  store: DocumentStore<ItemDoc>;
  directory: () => Directory;
  /** Graph and the mailbox the events live in; without them every invitation is the .ics link. */
  graph?: Pick<GraphPort, 'features' | 'upsertMeetingEvent' | 'findMeetingEvent' | 'cancelMeetingEvent'>;
  mailbox?: string;
  writer: WorkflowWriter;
  logger: Logger;
  now?: () => Date;
  random?: () => number;
}

/**
 * What a sync did to one calendar entry (the trail's word for it, see texts `termin.outcomes`). `stopped`: the date was
 * cancelled before Graph made its event (a create still owed or retried): none is made, none was found to cancel.
 */
type SyncOutcome = 'created' | 'updated' | 'cancelled' | 'stopped' | 'ics' | 'retry' | 'failed';
// `late` (written by lateEventOfCancelled): Graph made the event only after the date was cancelled; it is cancelled next.

/** Which entry: the agreed date's (`termin`) or the cancelled date's (`terminCancelled`). */
type Target = 'termin' | 'terminCancelled';

/** Whether the entry's Graph step is still owed: written by the change (`pending`), or failed and to be tried again. */
const owed = (inv: Invitation | undefined) => !!inv && (inv.state === 'pending' || !!inv.retry);

/** What identifies the date a sync acted on, so that its answer is recorded only while the date is still the same. */
function stateOf(item: ItemDoc, target: Target): string | undefined {
  if (target === 'terminCancelled') return item.terminCancelled ? `c:${item.terminCancelled.round}:${item.terminCancelled.at}` : undefined;
  const d = agreedDate(item.termin);
  return d ? `t:${item.termin?.round ?? 1}:${d.date}T${d.time}:${d.agreed.at}` : undefined;
}

/**
 * Makes, moves or cancels the calendar entries an item owes (see the module comment) and records what came of each
 * with the item's ETag, with a trail entry. A failed Graph call that may succeed later leaves the .ics standing and
 * schedules the retry job in the same write (at most {@link INVITATION_RETRY.attempts} tries). `fromJob`: the retry job
 * runs it, so the cards are updated from the same write (on the relay path the relay updates them right after).
 * Rejects only when the store fails (the notice or job then stays to be run again).
 */
export async function syncInvitation(deps: InvitationDeps, item: Pick<ItemDoc, 'id' | 'authority'>, options: { fromJob?: boolean } = {}): Promise<void> {
  for (const target of ['terminCancelled', 'termin'] as const) {
    const current = await deps.store.read(item.authority, item.id);
    if (!current) return;
    const inv = target === 'termin' ? current.termin?.invitation : current.terminCancelled?.invitation;
    if (!owed(inv) || !inv || (target === 'termin' && !agreedDate(current.termin))) continue;
    await syncOne(deps, current, target, inv, !!options.fromJob);
  }
}

async function syncOne(deps: InvitationDeps, current: ItemDoc, target: Target, inv: Invitation, fromJob: boolean): Promise<void> {
  const cancelling = target === 'terminCancelled';
  const c = current.terminCancelled;
  const input = cancelling ? invitationEventInput(current, inviteesOf(deps.directory(), current), c, c?.round) : invitationEventInput(current, inviteesOf(deps.directory(), current));
  let next: Invitation = { state: 'ics', ...(inv.eventId ? { eventId: inv.eventId } : {}) };
  let outcome: SyncOutcome = 'ics';
  let retryAt: Date | undefined;
  const now = deps.now ?? (() => new Date());
  if (deps.graph && deps.mailbox && input) {
    try {
      if (!(await deps.graph.features()).has('meetings')) throw new GraphError('MeetingsPermissionMissing', 'forbidden');
      if (cancelling) {
        // Without a recorded event a create may still have reached Graph (its answer lost): its transactionId finds it.
        // Never a create here: it would invite head and IB to a date that is already cancelled.
        const eventId = inv.eventId ?? (await deps.graph.findMeetingEvent(deps.mailbox, input.transactionId));
        if (eventId) {
          await deps.graph.cancelMeetingEvent(deps.mailbox, eventId, c?.reason ?? '');
          next = { state: 'cancelled', eventId };
          outcome = 'cancelled';
        } else {
          // Graph never made it: nothing to cancel, and the create owed before is not tried again; the .ics cancellation stands.
          next = { state: 'ics' };
          outcome = 'stopped';
        }
      } else {
        const event = await deps.graph.upsertMeetingEvent(deps.mailbox, input, inv.eventId);
        next = { state: 'created', eventId: event.eventId, ...(event.joinUrl || inv.joinUrl ? { joinUrl: event.joinUrl || inv.joinUrl } : {}) };
        outcome = inv.eventId ? 'updated' : 'created';
      }
      deps.logger.info({ event: `requests.invitation_${outcome}`, itemId: current.id }, 'the calendar entry of the Vortrag date is up to date');
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      const failures = (inv.attempts ?? 0) + 1;
      const retryable = err.kind === 'throttled' || err.kind === 'transient';
      if (retryable && failures < INVITATION_RETRY.attempts) {
        const wait = err.kind === 'throttled' && err.retryAfterMs !== undefined ? err.retryAfterMs : backoffDelay(failures, INVITATION_RETRY.backoff, deps.random);
        retryAt = new Date(now().getTime() + wait);
        next = { ...next, attempts: failures, retry: true };
        outcome = 'retry';
      } else if (retryable) {
        next = { ...next, attempts: failures, failed: true };
        outcome = 'failed';
      }
      // Codes only: the event's subject and the invitees are not for the log.
      deps.logger.warn({ event: `requests.invitation_${outcome}`, itemId: current.id, code: err.code, kind: err.kind, status: err.status, attempts: failures }, 'no Teams meeting change for the Vortrag date now: the cards offer the .ics');
    }
  }
  const acted = stateOf(current, target);
  const round = current.termin?.round ?? 1;
  const path = cancelling ? '/terminCancelled/invitation' : '/termin/invitation';
  await transact(
    deps.store,
    current.authority,
    current.id,
    (doc): Step<ItemDoc> => {
      // Graph made the event of a date that was cancelled while the call ran: that cancellation now owes its cancel.
      if (!cancelling && next.eventId && outcome === 'created') {
        const late = lateEventOfCancelled(doc, round, next.eventId, now().toISOString());
        if (late) return late;
      }
      const stored = cancelling ? doc.terminCancelled?.invitation : doc.termin?.invitation;
      if (!stored || !owed(stored)) return { unchanged: true };
      // The date changed while Graph was called: only the event id is kept (the newer change's notice syncs it).
      if (stateOf(doc, target) !== acted) {
        if (!next.eventId || stored.eventId === next.eventId || cancelling) return { unchanged: true };
        return { next: { ...doc, termin: { ...doc.termin!, invitation: { ...stored, eventId: next.eventId } } }, notices: [] };
      }
      const at = now().toISOString();
      const entry: TrailEntry = { at, actor: 'system', action: 'report.invitation', changes: [{ path, from: stored.state, to: outcome }] };
      const written: ItemDoc = cancelling ? { ...doc, terminCancelled: { ...doc.terminCancelled!, invitation: next } } : { ...doc, termin: { ...doc.termin!, invitation: next } };
      const notices: PendingNotice[] = [];
      if (retryAt) notices.push({ key: `${invitationJobKey(doc.id)}:${next.attempts}`, kind: INVITATION_RETRY_NOTICE, data: { at: retryAt.toISOString() }, rev: doc.rev });
      // From the retry job: what the cards show of the calendar entry changed (the revision stays: cards stay valid).
      if (fromJob && outcome !== 'retry') notices.push({ key: `item:${doc.id}:r${doc.rev}:inv${next.attempts ?? 0}:cards`, kind: 'cards.update', data: { actor: 'system', keySuffix: `inv${next.attempts ?? 0}${cancelling ? 'c' : ''}` }, rev: doc.rev });
      return { next: { ...written, trail: [...(doc.trail ?? []), entry] }, notices };
    },
    deps.writer,
  );
}

/**
 * The answer of a create that ran while its date was cancelled (the cancellation's sync looked for the event before
 * Graph had made it): the event id goes to the cancelled date's entry, with the notice that cancels it, so the event
 * does not stay in head's and IB's calendars. Undefined when the date was not cancelled or the event is known there.
 */
function lateEventOfCancelled(doc: ItemDoc, round: number, eventId: string, at: string): Step<ItemDoc> | undefined {
  const c = doc.terminCancelled;
  if (!c || c.round !== round || (doc.termin && (doc.termin.round ?? 1) === round) || c.invitation.eventId === eventId) return undefined;
  const entry: TrailEntry = { at, actor: 'system', action: 'report.invitation', changes: [{ path: '/terminCancelled/invitation', from: c.invitation.state, to: 'late' }] };
  return {
    next: { ...doc, terminCancelled: { ...c, invitation: { state: 'pending', eventId } }, trail: [...(doc.trail ?? []), entry] },
    notices: [
      { key: `${invitationKey(doc.id)}:r${doc.rev}:late:${eventId}`, kind: INVITATION_NOTICE, rev: doc.rev },
      // The revision stays (cards stay valid): the cards' update has a key of its own.
      { key: `item:${doc.id}:r${doc.rev}:late:${eventId}:cards`, kind: 'cards.update', data: { actor: 'system', keySuffix: `late-${eventId}` }, rev: doc.rev },
    ],
  };
}

/**
 * The `.ics` of an agreed Vortrag for the token in its link; undefined for an unknown token or a date not (or no
 * longer) agreed. One file for head and IB, German, through the circle's one ics writer.
 */
export async function reportIcs(store: DocumentStore<ItemDoc>, token: string): Promise<{ body: string; filename: string } | undefined> {
  if (!/^[A-Za-z0-9_-]{22}$/.test(token)) return undefined;
  const [item] = await store.query<Versioned<ItemDoc>>({
    query: "SELECT * FROM c WHERE c.type = 'item' AND c.kind = 'report' AND (c.termin.icsToken = @token OR c.terminCancelled.icsToken = @token)",
    parameters: [{ name: '@token', value: token }],
  });
  if (!item) return undefined;
  const t = REQUEST_TEXTS.de.termin;
  const uid = (round = 1) => `${item.id}${round > 1 ? `-${round}` : ''}@integrations-lotse`;
  const summary = t.eventSubject(item.subject);
  // The agreed date in force (while a move is negotiated, the one agreed before): same UID, its SEQUENCE.
  const termin = item.termin;
  const agreed = termin?.icsToken === token ? agreedDate(termin) : undefined;
  const times = agreed && meetingTimes(agreed);
  if (termin && agreed && times) {
    const joinUrl = termin.invitation?.joinUrl;
    const body = renderIcs({
      uid: uid(termin.round),
      sequence: agreed.proposals,
      stamp: new Date(agreed.agreed.at),
      start: times.start,
      end: times.end,
      summary,
      description: [t.eventBody(AUTHORITY_NAMES[item.authority]), joinUrl ? t.icsJoin(joinUrl) : ''].filter(Boolean).join('\n\n'),
      ...(joinUrl ? { url: joinUrl, teamsUrl: joinUrl } : {}),
    });
    return { body, filename: `vortrag-${agreed.date}.ics` };
  }
  // A cancelled date: METHOD:CANCEL with the UID of its entry and a higher SEQUENCE, so calendars remove it.
  const c = item.terminCancelled;
  const cancelledTimes = c?.icsToken === token ? meetingTimes(c) : undefined;
  if (!c || !cancelledTimes) return undefined;
  const body = renderIcs({
    uid: uid(c.round),
    sequence: c.proposals + 1,
    stamp: new Date(c.at),
    start: cancelledTimes.start,
    end: cancelledTimes.end,
    summary,
    description: t.eventBody(AUTHORITY_NAMES[item.authority]),
    cancelled: true,
  });
  return { body, filename: `vortrag-${c.date}-abgesagt.ics` };
}
