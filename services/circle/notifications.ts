/**
 * Who in the Koordinierungskreis is told what. The pure `notices…` functions decide it from the stored poll or
 * meeting alone; the service writes their result in the same document write as the change (the transactional outbox,
 * see services/workflow/pending.ts). The relay source's `deliver` carries them out afterwards, off the request path:
 * the posted card and updates of every posted card (rendered from the latest document), text messages to members,
 * and the reminder jobs. Whatever goes to members personally is in each member's own language: one notification per
 * language, German under the notice's key and English under `<key>:en` (a card update likewise, each referring to
 * its own language's announcement). Every outbox key is derived from the item and its step (and the meeting's
 * revision), so relaying a notice twice sends nothing twice.
 */
import { meetingWhen } from '../../cards/circleViews';
import { formatBerlinDate } from '../common/berlinTime';
import type { Logger } from '../logging';
import type { OutgoingActivity, Recipient } from '../notifications/model';
import { OutboxError, type Outbox } from '../notifications/outbox';
import type { Scheduler } from '../scheduling/scheduler';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { AlreadyExistsError } from '../storage/errors';
import { messageText } from '../text/escape';
import type { PendingNotice } from '../workflow/pending';
import type { RelaySource } from '../workflow/relay';
import { LANGS, type Lang } from '../workflow/texts';
import { createWithNotices, type WorkflowWriter } from '../workflow/transaction';
import { cancelMeetingJobs, scheduleActionReminder, scheduleReminders } from './jobs';
import { teamsMeetingShown, type CircleDoc, type CircleMemberView, type DeliveryMode, type IcsTokenDoc, type MeetingDoc, type MeetingView, type PollDoc, type PollView } from './model';
import { CIRCLE_MESSAGES } from './texts';
import { meetingActivity, pollActivity, type RefreshIds } from './views';

/** The relay source name of the circle's documents. */
export const CIRCLE_SOURCE = 'circle';

/** The notice kinds of polls and meetings. */
export const NOTICE_KINDS = {
  /**
   * The poll card to the circle (key `circle:poll:<id>:announce`, the key later updates refer to; the English card to
   * members who use Teams in English under `…:announce:en`).
   */
  pollAnnounce: 'poll.announce',
  /** Every posted poll card shows the closed poll. */
  pollCards: 'poll.cards',
  /** A reminder to the members listed in `to` who had not answered. */
  pollRemind: 'poll.remind',
  /** The meeting a closed poll turned into (`data.meeting`, the document as JSON) exists. */
  meetingCreate: 'meeting.create',
  /** The meeting card to the circle (key `circle:meeting:<id>:announce`, English `…:announce:en`). */
  meetingAnnounce: 'meeting.announce',
  /** The calendar link's lookup document exists. */
  meetingIcs: 'meeting.ics',
  /** Every posted meeting card shows the latest revision. */
  meetingCards: 'meeting.cards',
  /**
   * The meeting's Teams meeting (an event in the KfI mailbox) is made to match the meeting: created, moved or
   * cancelled through Graph, before any card is posted or updated (services/circle/teamsMeeting.ts).
   */
  meetingTeams: 'meeting.teams',
  /** A short text to every member (`data.notice`: changed, cancelled, agenda, minutes). */
  meetingNotice: 'meeting.notice',
  /** The RSVP and day-before reminders move to the latest dates (or stop, cancelled). */
  reminders: 'job.reminders',
  /** The reminder of one action item (`data.itemId`). */
  actionReminder: 'job.action',
} as const;

export type MeetingNoticeKind = 'changed' | 'cancelled' | 'agenda' | 'minutes';

const pollKey = (pollId: string, step: string) => `circle:poll:${pollId}:${step}`;
const meetingKey = (meetingId: string, step: string) => `circle:meeting:${meetingId}:${step}`;

// ---------------------------------------------------------------- who is told what (pure)

/** A new poll: its card goes to the circle. */
export function noticesForPollCreate(poll: PollDoc): PendingNotice[] {
  return [{ key: pollKey(poll.pk, 'announce'), kind: NOTICE_KINDS.pollAnnounce, rev: 1 }];
}

/** A poll closed on a slot: posted cards show it closed, and the meeting it turned into exists. */
export function noticesForPollClose(poll: PollDoc, meeting: MeetingDoc): PendingNotice[] {
  return [
    { key: pollKey(poll.pk, 'meeting'), kind: NOTICE_KINDS.meetingCreate, data: { meeting: JSON.stringify(meeting) }, rev: 2 },
    { key: pollKey(poll.pk, 'card:closed'), kind: NOTICE_KINDS.pollCards, rev: 2 },
  ];
}

/** The KfI's reminder of `date` (Berlin) to the members who have not answered. */
export function noticesForPollRemind(poll: PollDoc, date: string, notAnswered: string[]): PendingNotice[] {
  return notAnswered.length ? [{ key: pollKey(poll.pk, `remind:${date}`), kind: NOTICE_KINDS.pollRemind, to: notAnswered, rev: 1 }] : [];
}

/** A new meeting: its card goes to the circle, its calendar link works, its reminders are scheduled. */
export function noticesForMeetingCreate(meeting: MeetingDoc): PendingNotice[] {
  const rev = meeting.revision;
  return [
    ...(meeting.teamsMeeting ? [{ key: meetingKey(meeting.pk, `teams:r${rev}`), kind: NOTICE_KINDS.meetingTeams, rev }] : []),
    { key: meetingKey(meeting.pk, 'announce'), kind: NOTICE_KINDS.meetingAnnounce, rev },
    { key: meetingKey(meeting.pk, 'ics'), kind: NOTICE_KINDS.meetingIcs, rev },
    { key: meetingKey(meeting.pk, `reminders:r${rev}`), kind: NOTICE_KINDS.reminders, rev },
  ];
}

const DETAILS = ['title', 'start', 'end', 'place', 'onlineUrl', 'agendaText', 'rsvpDeadline'] as const;

/** Whether the details members plan with (date, place, link, agenda text, deadline) differ. */
export function detailsChanged(a: MeetingDoc, b: MeetingDoc): boolean {
  return DETAILS.some((k) => a[k] !== b[k]);
}

/**
 * What a change of a meeting (from `previous` to `next`, whose revision is already counted up) owes the circle:
 * card updates for everything members see on the card, one text to every member for a new date or details, a
 * cancellation, the published agenda and the minutes; reminders follow the dates; a new action item gets its reminder.
 * An agenda reordered before it is published is the KfI's draft: nothing goes out.
 */
export function noticesForMeeting(previous: MeetingDoc, next: MeetingDoc): PendingNotice[] {
  const rev = next.revision;
  const id = next.pk;
  const out: PendingNotice[] = [];
  let notice: MeetingNoticeKind | undefined;
  let cards = false;
  let reminders = false;
  if (previous.status !== 'cancelled' && next.status === 'cancelled') {
    notice = 'cancelled';
    cards = reminders = true;
  } else if (detailsChanged(previous, next)) {
    notice = 'changed';
    cards = reminders = true;
  }
  if (!previous.agendaPublished && next.agendaPublished) {
    notice ??= 'agenda';
    cards = true;
  }
  if ((next.minutes?.text ?? '') !== (previous.minutes?.text ?? '')) {
    notice ??= 'minutes';
    cards = true;
  }
  if (next.agendaPublished && JSON.stringify(previous.agenda) !== JSON.stringify(next.agenda)) cards = true;
  if (teamsMeetingShown(previous.teamsMeeting) !== teamsMeetingShown(next.teamsMeeting)) cards = true;
  // The Teams meeting follows a new date, time, place or text, and a cancellation (the event itself decides whether
  // Graph has anything to do).
  const teams = !!next.teamsMeeting && reminders;
  const known = new Set(previous.actionItems.map((i) => i.id));
  const added = next.actionItems.filter((i) => !known.has(i.id));
  if (added.length) cards = true;
  if (teams) out.push({ key: meetingKey(id, `teams:r${rev}`), kind: NOTICE_KINDS.meetingTeams, rev });
  if (cards) out.push({ key: meetingKey(id, `card:r${rev}`), kind: NOTICE_KINDS.meetingCards, rev });
  if (notice) out.push({ key: meetingKey(id, `${notice}:r${rev}`), kind: NOTICE_KINDS.meetingNotice, data: { notice }, rev });
  if (reminders) out.push({ key: meetingKey(id, `reminders:r${rev}`), kind: NOTICE_KINDS.reminders, rev });
  for (const item of added) out.push({ key: meetingKey(id, `action:${item.id}`), kind: NOTICE_KINDS.actionReminder, data: { itemId: item.id }, rev });
  return out;
}

// ---------------------------------------------------------------- carrying them out

/** What the relay source needs from the circle. */
export interface CircleNotifierDeps {
  store: DocumentStore<CircleDoc>;
  outbox: Pick<Outbox, 'enqueue' | 'enqueueUpdate'>;
  scheduler: Pick<Scheduler, 'schedule' | 'reschedule' | 'cancel'>;
  /** Each member's language (their Teams locale, German when unknown). */
  langOf: (aadObjectId: string) => Promise<Lang>;
  refreshIds: RefreshIds;
  /** The impersonal views of the current documents (members from the directory and settings). */
  pollView: (pollId: string) => Promise<PollView>;
  meetingView: (meetingId: string) => Promise<MeetingView>;
  /** Where an announcement goes (the designated channel and/or each member). */
  recipients: (mode: DeliveryMode, tenantId: string, members: CircleMemberView[]) => Promise<Recipient[]>;
  writer: WorkflowWriter;
  logger: Logger;
  now: () => Date;
  /**
   * Brings the meeting's Teams meeting in line (Graph; absent when Graph's `meetings` feature is off). `announcing`:
   * the announcement is posted right after and shows the join link itself.
   */
  syncTeamsMeeting?: (meetingId: string, announcing: boolean) => Promise<void>;
  /** Carries out the notices of the cadence document (services/circle/cadenceService.ts). */
  cadence?: (doc: Versioned<CircleDoc>, notices: PendingNotice[]) => Promise<void>;
}

/** The key of a notification in `lang`: German under `key` itself (as posted by older builds), English under `key:en`. */
const langKey = (key: string, lang: Lang): string => (lang === 'de' ? key : `${key}:${lang}`);

/**
 * Recipients by language: a member reached personally by their own (Teams locale, German when unknown). A conversation
 * (the designated channel) stays German: one post that every member reads, in the authorities' working language.
 */
async function byLang(deps: Pick<CircleNotifierDeps, 'langOf'>, recipients: Recipient[]): Promise<Map<Lang, Recipient[]>> {
  const langs = await Promise.all(recipients.map((r) => ('user' in r ? deps.langOf(r.user.aadObjectId).catch((): Lang => 'de') : 'de')));
  const groups = new Map<Lang, Recipient[]>();
  recipients.forEach((r, i) => groups.set(langs[i], [...(groups.get(langs[i]) ?? []), r]));
  return groups;
}

/**
 * One notification per language of the recipients (keys from {@link langKey}), each built in its language, so that
 * repeating the call sends nothing twice. Returns how many deliveries were added.
 */
async function enqueueByLang(
  deps: Pick<CircleNotifierDeps, 'outbox' | 'langOf'>,
  key: string,
  recipients: Recipient[],
  build: (lang: Lang) => OutgoingActivity,
): Promise<number> {
  const groups = await byLang(deps, recipients);
  let added = 0;
  for (const lang of LANGS) {
    const to = groups.get(lang);
    if (to?.length) added += (await deps.outbox.enqueue({ key: langKey(key, lang), activity: build(lang), recipients: to })).added;
  }
  return added;
}

/**
 * A text message to members, each in their own language: one notification per language, German under `key` itself
 * and English under `key:en`, so that repeating the call sends nothing twice. Returns how many deliveries were added.
 */
export async function messageMembers(
  deps: Pick<CircleNotifierDeps, 'outbox' | 'langOf'>,
  key: string,
  tenantId: string,
  aadObjectIds: string[],
  build: (lang: Lang) => OutgoingActivity,
): Promise<number> {
  return enqueueByLang(deps, key, aadObjectIds.map((aadObjectId) => ({ user: { aadObjectId, tenantId } })), build);
}

/** A text message (titles are user text: escaped for Teams Markdown by the caller). */
export const textMessage = (text: string): OutgoingActivity => ({ type: 'message', text, textFormat: 'markdown' });

/**
 * Updates every language's posted cards: each announcement (`of`, `of:en`) by its own update (`key`, `key:en`) in its
 * language. A language whose announcement was never enqueued has nothing to update.
 */
async function updateCards(deps: CircleNotifierDeps, key: string, of: string, card: (lang: Lang) => OutgoingActivity): Promise<void> {
  for (const lang of LANGS) {
    await deps.outbox.enqueueUpdate({ key: langKey(key, lang), of: langKey(of, lang), activity: card(lang) }).catch((err: unknown) => {
      if (!(err instanceof OutboxError && err.code === 'OUTBOX_UNKNOWN_NOTIFICATION')) throw err;
    });
  }
}

/** The newest notice of `kind` (card updates are rendered from the latest document, under the newest key). */
const newest = (notices: PendingNotice[], kind: string) => notices.filter((n) => n.kind === kind).sort((a, b) => b.rev - a.rev)[0];

async function deliverPoll(deps: CircleNotifierDeps, poll: Versioned<PollDoc>, notices: PendingNotice[]): Promise<void> {
  const of = (kind: string) => notices.filter((n) => n.kind === kind);
  for (const n of of(NOTICE_KINDS.meetingCreate)) {
    const meeting = JSON.parse(String(n.data?.meeting ?? '{}')) as MeetingDoc;
    try {
      await createWithNotices(deps.store, meeting, noticesForMeetingCreate(meeting), deps.writer);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }
  const announce = of(NOTICE_KINDS.pollAnnounce)[0];
  const cards = newest(notices, NOTICE_KINDS.pollCards);
  if (announce || cards) {
    const view = await deps.pollView(poll.pk);
    const refresh = await deps.refreshIds(view.members);
    const card = (lang: Lang) => pollActivity(view, lang, refresh);
    if (announce) await enqueueByLang(deps, announce.key, await deps.recipients(poll.delivery, poll.tenantId, view.members), card);
    if (cards) await updateCards(deps, cards.key, pollKey(poll.pk, 'announce'), card);
  }
  for (const n of of(NOTICE_KINDS.pollRemind)) {
    await messageMembers(deps, n.key, poll.tenantId, n.to ?? [], (lang) => textMessage(CIRCLE_MESSAGES[lang].pollReminder(messageText(poll.title))));
  }
}

async function deliverMeeting(deps: CircleNotifierDeps, meeting: Versioned<MeetingDoc>, notices: PendingNotice[]): Promise<void> {
  const of = (kind: string) => notices.filter((n) => n.kind === kind);
  // First the Teams meeting, so that the cards rendered below (from the stored meeting) carry its join link.
  if (of(NOTICE_KINDS.meetingTeams).length && deps.syncTeamsMeeting) await deps.syncTeamsMeeting(meeting.pk, of(NOTICE_KINDS.meetingAnnounce).length > 0);
  if (of(NOTICE_KINDS.meetingIcs).length) {
    await deps.store.upsert({ id: 'ics', pk: `ics:${meeting.icsToken}`, type: 'icsToken', meetingId: meeting.pk } satisfies IcsTokenDoc);
  }
  const announce = of(NOTICE_KINDS.meetingAnnounce)[0];
  const cards = newest(notices, NOTICE_KINDS.meetingCards);
  const notes = of(NOTICE_KINDS.meetingNotice);
  let view: MeetingView | undefined;
  if (announce || cards || notes.length) view = await deps.meetingView(meeting.pk);
  if (view && (announce || cards)) {
    const refresh = await deps.refreshIds(view.members);
    const shown = view;
    const card = (lang: Lang) => meetingActivity(shown, lang, refresh);
    if (announce) await enqueueByLang(deps, announce.key, await deps.recipients(meeting.delivery, meeting.tenantId, view.members), card);
    if (cards) await updateCards(deps, cards.key, meetingKey(meeting.pk, 'announce'), card);
  }
  for (const n of notes) {
    const kind = String(n.data?.notice ?? 'changed') as MeetingNoticeKind;
    await messageMembers(deps, n.key, meeting.tenantId, view!.members.map((m) => m.aadObjectId), (lang) => meetingNoticeText(meeting, kind, lang));
  }
  if (of(NOTICE_KINDS.reminders).length) {
    if (meeting.status === 'cancelled') await cancelMeetingJobs(deps.scheduler, meeting);
    else await scheduleReminders(deps.scheduler, meeting, deps.now());
  }
  if (meeting.status !== 'cancelled') {
    for (const n of of(NOTICE_KINDS.actionReminder)) {
      const item = meeting.actionItems.find((i) => i.id === n.data?.itemId);
      if (item) await scheduleActionReminder(deps.scheduler, meeting, item, deps.now());
    }
  }
}

/** The relay source of the circle's polls and meetings. */
export function circleRelaySource(deps: CircleNotifierDeps): RelaySource<CircleDoc> {
  return {
    name: CIRCLE_SOURCE,
    store: deps.store,
    async deliver(doc, notices) {
      if (doc.type === 'poll') await deliverPoll(deps, doc as Versioned<PollDoc>, notices);
      else if (doc.type === 'meeting') await deliverMeeting(deps, doc as Versioned<MeetingDoc>, notices);
      else if (doc.type === 'cadence' && deps.cadence) await deps.cadence(doc, notices);
      else deps.logger.warn({ event: 'circle.notice_ignored', type: doc.type }, 'pending notices on a circle document without notices');
    },
  };
}

/**
 * The text a member gets about a change of `meeting`, in their language. A cancellation carries the KfI's reason (user
 * text: escaped for Teams Markdown, like the title); one cancelled by an older build has none and says so without it.
 */
export function meetingNoticeText(meeting: MeetingDoc, kind: MeetingNoticeKind, lang: Lang): OutgoingActivity {
  const t = CIRCLE_MESSAGES[lang].notice;
  const title = messageText(meeting.title);
  const when = meetingWhen(meeting, lang);
  if (kind === 'cancelled') return textMessage(t.cancelled(title, when, meeting.cancelReason ? messageText(meeting.cancelReason) : undefined));
  return textMessage(t[kind](title, when));
}

/** Reminders sent by jobs, in the recipient's language. */
export const reminderTexts = {
  rsvp: (view: MeetingView, lang: Lang) =>
    textMessage(CIRCLE_MESSAGES[lang].rsvpReminder(messageText(view.meeting.title), meetingWhen(view.meeting, lang), formatBerlinDate(view.meeting.rsvpDeadline, lang))),
  dayBefore: (view: MeetingView, lang: Lang) => textMessage(CIRCLE_MESSAGES[lang].dayBefore(messageText(view.meeting.title), meetingWhen(view.meeting, lang))),
  action: (view: MeetingView, item: { title: string; due: string }, lang: Lang) =>
    textMessage(CIRCLE_MESSAGES[lang].actionReminder(messageText(item.title), formatBerlinDate(item.due, lang), messageText(view.meeting.title))),
};
