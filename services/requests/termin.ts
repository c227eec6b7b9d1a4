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
 *   writer, services/circle/ics.ts) on the cards and in the messages. A failed call is logged with its code and not
 *   tried again: the .ics is there at once, and nobody waits for a meeting that may never come.
 */
import { berlinToUtc } from '../common/berlinTime';
import { renderIcs } from '../circle/ics';
import { authorityOf, AUTHORITY_NAMES, type Directory } from '../directory/model';
import { GraphError, type GraphPort, type MeetingEventInput } from '../graph/graphPort';
import type { Logger } from '../logging';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { transact, type WorkflowWriter } from '../workflow/transaction';
import type { ItemDoc, Termin } from './model';
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

/** The event as Graph should make it: German like the authorities, Berlin time, head and IB invited. */
export function invitationEventInput(item: ItemDoc, attendees: readonly string[]): MeetingEventInput | undefined {
  const termin = item.termin;
  const times = termin && meetingTimes(termin);
  if (!times) return undefined;
  const t = REQUEST_TEXTS.de.termin;
  return {
    transactionId: `report:${item.id}`,
    subject: t.eventSubject(item.subject),
    bodyText: t.eventBody(AUTHORITY_NAMES[item.authority]),
    start: times.start.toISOString(),
    end: times.end.toISOString(),
    timeZone: 'Europe/Berlin',
    attendees,
  };
}

export interface InvitationDeps {
  store: DocumentStore<ItemDoc>;
  directory: () => Directory;
  /** Graph and the mailbox the events live in; without them every invitation is the .ics link. */
  graph?: Pick<GraphPort, 'features' | 'upsertMeetingEvent'>;
  mailbox?: string;
  writer: WorkflowWriter;
  logger: Logger;
}

/**
 * Makes the invitation of an agreed date (see the module comment) and records what came of it with the item's ETag.
 * Nothing to do when it is recorded already. Rejects only when the store fails (the notice then stays to be run again).
 */
export async function syncInvitation(deps: InvitationDeps, item: Pick<ItemDoc, 'id' | 'authority'>): Promise<void> {
  const current = await deps.store.read(item.authority, item.id);
  if (!current?.termin?.agreed || current.termin.invitation?.state !== 'pending') return;
  let invitation: NonNullable<Termin['invitation']> = { state: 'ics' };
  const input = invitationEventInput(current, inviteesOf(deps.directory(), current));
  if (deps.graph && deps.mailbox && input) {
    try {
      if (!(await deps.graph.features()).has('meetings')) throw new GraphError('MeetingsPermissionMissing', 'forbidden');
      const event = await deps.graph.upsertMeetingEvent(deps.mailbox, input);
      invitation = { state: 'created', eventId: event.eventId, ...(event.joinUrl ? { joinUrl: event.joinUrl } : {}) };
      deps.logger.info({ event: 'requests.invitation_created', itemId: current.id }, 'the agreed Vortrag is a Teams meeting in the calendars of head and IB');
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      // Codes only: the event's subject and the invitees are not for the log.
      deps.logger.warn({ event: 'requests.invitation_ics', itemId: current.id, code: err.code, kind: err.kind, status: err.status }, 'no Teams meeting for the agreed Vortrag: the cards offer the .ics');
    }
  }
  await transact(
    deps.store,
    current.authority,
    current.id,
    (doc) => (doc.termin?.agreed && doc.termin.invitation?.state === 'pending' ? { next: { ...doc, termin: { ...doc.termin, invitation } }, notices: [] } : { unchanged: true }),
    deps.writer,
  );
}

/**
 * The `.ics` of an agreed Vortrag for the token in its link; undefined for an unknown token or a date not (or no
 * longer) agreed. One file for head and IB, German, through the circle's one ics writer.
 */
export async function reportIcs(store: DocumentStore<ItemDoc>, token: string): Promise<{ body: string; filename: string } | undefined> {
  if (!/^[A-Za-z0-9_-]{22}$/.test(token)) return undefined;
  const [item] = await store.query<Versioned<ItemDoc>>({
    query: "SELECT * FROM c WHERE c.type = 'item' AND c.kind = 'report' AND c.termin.icsToken = @token",
    parameters: [{ name: '@token', value: token }],
  });
  const termin = item?.termin;
  const times = termin?.agreed && termin.icsToken === token ? meetingTimes(termin) : undefined;
  if (!item || !termin || !times) return undefined;
  const t = REQUEST_TEXTS.de.termin;
  const joinUrl = termin.invitation?.joinUrl;
  const body = renderIcs({
    uid: `${item.id}@integrations-lotse`,
    sequence: termin.proposals,
    stamp: new Date(termin.agreed!.at),
    start: times.start,
    end: times.end,
    summary: t.eventSubject(item.subject),
    description: [t.eventBody(AUTHORITY_NAMES[item.authority]), joinUrl ? t.icsJoin(joinUrl) : ''].filter(Boolean).join('\n\n'),
    ...(joinUrl ? { url: joinUrl, teamsUrl: joinUrl } : {}),
  });
  return { body, filename: `vortrag-${termin.date}.ics` };
}
