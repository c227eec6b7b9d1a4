/**
 * The Koordinierungskreis (RdErl. v. 5.12.2023, Nr. 6) as stored in the `circle` container. Every poll and meeting is
 * its own partition (pk = poll or meeting id): the poll or meeting document, and beside it one document per member's
 * answer, RSVP and proposed topic. Members never write the same document, so parallel answers cannot overwrite one
 * another, and a member changing an answer rewrites only their own document (with its ETag).
 */
import type { ConversationRef } from '../users/userProfiles';
import type { Refusal } from '../workflow/outcome';
import type { ReachSummary } from '../workflow/reachSummary';
import type { PendingCarrier } from '../workflow/pending';

export type PollChoice = 'yes' | 'maybe' | 'no';
export const POLL_CHOICES: readonly PollChoice[] = ['yes', 'maybe', 'no'];
export const RSVP_ANSWERS = ['accept', 'decline', 'delegate'] as const;
export type RsvpAnswer = (typeof RSVP_ANSWERS)[number];
/** Where an announcement goes: the designated team channel, each member's personal chat, or both. */
export const DELIVERY_MODES = ['channel', 'personal', 'both'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** One proposed date of a poll; instants in ISO UTC. */
export interface Slot {
  id: string;
  start: string;
  end: string;
}

/** At most this many topics per member and per meeting (proposed, accepted or rejected alike). */
export const TOPIC_LIMITS = { perMember: 5, perMeeting: 40 } as const;

/**
 * A date poll (Terminumfrage); id `poll`, pk = poll id. Its pending notices (announcement, card update, reminder)
 * ride in the same write as the change that causes them (see services/workflow/pending.ts).
 */
export interface PollDoc extends PendingCarrier {
  id: 'poll';
  pk: string;
  type: 'poll';
  title: string;
  place?: string;
  onlineUrl?: string;
  slots: Slot[];
  status: 'open' | 'closed' | 'cancelled';
  tenantId: string;
  delivery: DeliveryMode;
  createdBy: string;
  createdAt: string;
  closedAt?: string;
  chosenSlotId?: string;
  meetingId?: string;
  /** Berlin date of the KfI's last reminder (at most one a day). */
  remindedOn?: string;
  /** Whom the announcement reached (the KfI's line on the card); written only when the delivery report changed. */
  reach?: ReachSummary;
}

/** One member's answers to a poll; id `answer:<aad>`, pk = poll id. */
export interface PollAnswerDoc {
  id: string;
  pk: string;
  type: 'pollAnswer';
  member: string;
  choices: Record<string, PollChoice>;
  updatedAt: string;
}

/** A task agreed in a meeting, with the member who owns it. */
export interface ActionItem {
  id: string;
  title: string;
  owner: string;
  ownerName: string;
  /** Berlin calendar date `YYYY-MM-DD`. */
  due: string;
  createdAt: string;
}

/**
 * The meeting's Teams meeting: a calendar event with `isOnlineMeeting` in the configured KfI mailbox, made through
 * Microsoft Graph (services/circle/teamsMeeting.ts). Only present when Graph's `meetings` feature was on at the
 * announcement; without it the KfI's free-text online link is the meeting's link, as before.
 */
export interface TeamsMeeting {
  /**
   * `pending`: the event is (still) to be created or brought up to date; `created`: the event shows the meeting as
   * stored; `failed`: Graph refused or kept failing and the bot gave up (the KfI's card says so); `cancelled`: the
   * event is cancelled.
   */
  state: 'pending' | 'created' | 'failed' | 'cancelled';
  /** Graph's event id in the mailbox, once created. */
  eventId?: string;
  /** The Teams join link (`onlineMeeting.joinUrl`), once created: on the card and in the calendar file. */
  joinUrl?: string;
  /** What the event last written to Graph says (subject, times, place, text), to tell whether it needs a PATCH. */
  synced?: string;
  /** Failed attempts since the last success (back-off; given up after a few). */
  attempts?: number;
  /** What failed, with `state: 'failed'` (the card's sentence differs). */
  failed?: 'create' | 'update' | 'cancel';
}

/** What a card shows of a Teams meeting: its join link, and (to the KfI) what Graph gave up on. */
export const teamsMeetingShown = (tm: TeamsMeeting | undefined): string => `${tm?.joinUrl ?? ''}|${tm?.state === 'failed' ? tm.failed : ''}`;

/** A meeting of the circle; id `meeting`, pk = meeting id. */
export interface MeetingDoc extends PendingCarrier {
  id: 'meeting';
  pk: string;
  type: 'meeting';
  title: string;
  start: string;
  end: string;
  place?: string;
  onlineUrl?: string;
  /** Free-text agenda given with the announcement (topics accepted later are listed after it). */
  agendaText?: string;
  /** Berlin calendar date until which members answer. */
  rsvpDeadline: string;
  status: 'scheduled' | 'cancelled';
  /**
   * Why the KfI cancelled (set with `status: 'cancelled'`): free text every member reads on the card and in the
   * cancellation message, so it passed the privacy guard before it was stored. Meetings cancelled by older builds have none.
   */
  cancelReason?: string;
  /** 128 random bits (base64url): the unguessable part of the .ics link. */
  icsToken: string;
  /** Increases with every change members see (cards, calendar SEQUENCE). */
  revision: number;
  tenantId: string;
  delivery: DeliveryMode;
  /** Accepted topics in agenda order. */
  agenda: string[];
  agendaPublished: boolean;
  minutes?: { text: string; postedAt: string; postedBy: string };
  actionItems: ActionItem[];
  /** Whom the announcement reached (the KfI's line on the card); written only when the delivery report changed. */
  reach?: ReachSummary;
  fromPollId?: string;
  /** The Teams meeting made for it through Graph (absent when Graph's `meetings` feature is off). */
  teamsMeeting?: TeamsMeeting;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** One member's RSVP; id `rsvp:<aad>`, pk = meeting id. */
export interface RsvpDoc {
  id: string;
  pk: string;
  type: 'rsvp';
  member: string;
  answer: RsvpAnswer;
  /** Who attends instead, for `delegate`. */
  delegate?: string;
  updatedAt: string;
}

/** A topic proposed for a meeting's agenda; id `topic:<uuid>`, pk = meeting id. */
export interface TopicDoc {
  id: string;
  pk: string;
  type: 'topic';
  title: string;
  description?: string;
  presenter?: string;
  proposedBy: string;
  status: 'proposed' | 'accepted' | 'rejected';
  createdAt: string;
}

/** A guest the KfI added at run time (the directory file stays the maintained source of members). */
export interface Guest {
  aadObjectId: string;
  name: string;
  addedBy: string;
  addedAt: string;
}

/** Circle-wide settings; id `settings`, pk `settings`. */
export interface SettingsDoc {
  id: 'settings';
  pk: 'settings';
  type: 'settings';
  guests: Guest[];
  /** The team channel the KfI designated ("Koordinierungskreis hier posten"). */
  channel?: ConversationRef;
  updatedAt: string;
}

/** Lookup of a meeting by its calendar token; id `ics`, pk `ics:<token>` (one point read per download). */
export interface IcsTokenDoc {
  id: 'ics';
  pk: string;
  type: 'icsToken';
  meetingId: string;
}

export type CircleDoc = PollDoc | PollAnswerDoc | MeetingDoc | RsvpDoc | TopicDoc | SettingsDoc | IcsTokenDoc | import('./cadenceService').CadenceDoc;

/** A member of the circle as the workflows see them. */
export interface CircleMemberView {
  aadObjectId: string;
  /** As the directory or Entra names the person; '' when neither does (cards say "a person whose name is unknown"). */
  name: string;
  role: 'commissioner' | 'deputy' | 'kfi' | 'guest';
}

/** Counts per choice for one slot. */
export type SlotTally = Record<PollChoice, number>;

/** A poll with everything a card needs, for one viewer. */
export interface PollView {
  poll: PollDoc;
  tallies: Record<string, SlotTally>;
  /** The slot with the most "yes" (then "maybe", then the earliest). */
  bestSlotId: string;
  members: CircleMemberView[];
  /** Members who have not answered yet. */
  notAnswered: CircleMemberView[];
  answeredCount: number;
  /** The viewer's own answers, when the view is for a member. */
  mine?: Record<string, PollChoice>;
  viewerIsKfi: boolean;
}

/** A meeting with everything a card needs, for one viewer. */
export interface MeetingView {
  meeting: MeetingDoc;
  counts: Record<RsvpAnswer, number> & { open: number };
  mine?: { answer: RsvpAnswer; delegate?: string };
  /** Accepted topics in order. */
  agenda: TopicDoc[];
  /** Topics waiting for the KfI (shown to the KfI only). */
  proposed: TopicDoc[];
  members: CircleMemberView[];
  notAnswered: CircleMemberView[];
  icsUrl: string;
  /** The meeting is over (RSVP and proposals closed). */
  ended: boolean;
  viewerIsKfi: boolean;
}

// ---------------------------------------------------------------- transitions (pure: no I/O, time passed in)

/** What a transition makes of a document: the changed document, nothing to change, or a refusal. */
export type Change<T> = { next: T } | { unchanged: true } | { refuse: Refusal };

const unchanged = { unchanged: true } as const;
const closed: { refuse: Refusal } = { refuse: { ok: false, code: 'closed' } };

/** The fields of a meeting the KfI edits in the form. */
export type MeetingDetails = Pick<MeetingDoc, 'title' | 'start' | 'end' | 'place' | 'onlineUrl' | 'agendaText' | 'rsvpDeadline'>;

/** A changed meeting counts its revision up (cards, calendar SEQUENCE and outbox keys follow it). */
const revised = (m: MeetingDoc, next: MeetingDoc, at: string): { next: MeetingDoc } => ({ next: { ...next, revision: m.revision + 1, updatedAt: at } });

export const meetingTransitions = {
  /** New details (date, place, link, agenda text, deadline); a cancelled meeting stays as it is. */
  update(m: MeetingDoc, details: MeetingDetails, at: string): Change<MeetingDoc> {
    if (m.status === 'cancelled') return closed;
    const next: MeetingDoc = { ...m, ...details };
    for (const k of ['place', 'onlineUrl', 'agendaText'] as const) if (!details[k]) delete next[k];
    const same = (['title', 'start', 'end', 'place', 'onlineUrl', 'agendaText', 'rsvpDeadline'] as const).every((k) => next[k] === m[k]);
    return same ? unchanged : revised(m, next, at);
  },
  /**
   * Cancels the meeting for `reason` (the text members are told); a cancellation without a reason is refused.
   * Cancelling twice changes nothing: the first reason stays, as members were told it.
   */
  cancel(m: MeetingDoc, reason: string, at: string): Change<MeetingDoc> {
    if (m.status === 'cancelled') return unchanged;
    if (!reason.trim()) return { refuse: { ok: false, code: 'invalid', problems: [{ field: 'cancelReason', code: 'missing' }] } };
    return revised(m, { ...m, status: 'cancelled', cancelReason: reason }, at);
  },
  /** Publishes the agenda (once). */
  publishAgenda(m: MeetingDoc, at: string): Change<MeetingDoc> {
    return m.agendaPublished ? unchanged : revised(m, { ...m, agendaPublished: true }, at);
  },
  /** Posts (or replaces) the minutes. */
  postMinutes(m: MeetingDoc, text: string, by: string, at: string): Change<MeetingDoc> {
    return m.minutes?.text === text ? unchanged : revised(m, { ...m, minutes: { text, postedAt: at, postedBy: by } }, at);
  },
  /**
   * What Graph did with the meeting's Teams meeting. A change members see (a new join link, or the KfI's note that it
   * failed or works again) is a revision (cards and the calendar file follow); bookkeeping (attempts, the synced
   * details) is not.
   */
  teamsMeeting(m: MeetingDoc, tm: TeamsMeeting, at: string): Change<MeetingDoc> {
    const fields = ['state', 'eventId', 'joinUrl', 'synced', 'attempts', 'failed'] as const;
    if (m.teamsMeeting && fields.every((k) => m.teamsMeeting![k] === tm[k])) return unchanged;
    const next: MeetingDoc = { ...m, teamsMeeting: tm };
    return teamsMeetingShown(m.teamsMeeting) === teamsMeetingShown(tm) ? { next } : revised(m, next, at);
  },
  /** Records an action item. */
  addActionItem(m: MeetingDoc, item: ActionItem, at: string): Change<MeetingDoc> {
    if (m.actionItems.some((i) => i.id === item.id)) return unchanged;
    return revised(m, { ...m, actionItems: [...m.actionItems, item] }, at);
  },
  /** The KfI's decision on a topic: accepted topics join the agenda at its end, rejected ones leave it, `up` moves one up. */
  decideTopic(m: MeetingDoc, topicId: string, decision: 'accept' | 'reject' | 'up', at: string): Change<MeetingDoc> {
    const agenda = m.agenda.filter((id) => id !== topicId);
    if (decision === 'accept') agenda.push(topicId);
    if (decision === 'up') {
      const i = m.agenda.indexOf(topicId);
      if (i <= 0) return unchanged;
      agenda.splice(i - 1, 0, topicId);
    }
    return JSON.stringify(agenda) === JSON.stringify(m.agenda) ? unchanged : revised(m, { ...m, agenda }, at);
  },
};

export const pollTransitions = {
  /** Closes an open poll on `slotId`, naming the meeting it turns into; a closed or cancelled poll stays as it is. */
  close(p: PollDoc, slotId: string, meetingId: string, at: string): Change<PollDoc> {
    if (p.status !== 'open') return closed;
    if (!p.slots.some((s) => s.id === slotId)) return { refuse: { ok: false, code: 'invalid', problems: [{ field: 'slot', code: 'unknown_value' }] } };
    return { next: { ...p, status: 'closed', closedAt: at, chosenSlotId: slotId, meetingId } };
  },
  /** Notes the KfI's reminder of Berlin day `date`: at most one a day, only while the poll is open. */
  remind(p: PollDoc, date: string): Change<PollDoc> {
    if (p.status !== 'open') return closed;
    return p.remindedOn === date ? unchanged : { next: { ...p, remindedOn: date } };
  },
};

/** Whether a member may still answer a poll / RSVP to or propose topics for a meeting at `nowMs`. */
export const isPollOpen = (p: PollDoc) => p.status === 'open';
export const isMeetingOpen = (m: MeetingDoc, nowMs: number) => m.status !== 'cancelled' && new Date(m.end).getTime() >= nowMs;

/** The circle's card verbs, one per action (cards and the bot use these constants). */
export const CIRCLE_VERBS = {
  guestAdd: 'circle.guest.add',
  pollNew: 'circle.poll.new',
  pollCreate: 'circle.poll.create',
  pollAnswer: 'circle.poll.answer',
  pollRefresh: 'circle.poll.refresh',
  pollShow: 'circle.poll.show',
  pollRemind: 'circle.poll.remind',
  pollClose: 'circle.poll.close',
  meetingNew: 'circle.meeting.new',
  meetingEdit: 'circle.meeting.edit',
  meetingSave: 'circle.meeting.save',
  meetingRefresh: 'circle.meeting.refresh',
  meetingShow: 'circle.meeting.show',
  meetingCancel: 'circle.meeting.cancel',
  meetingRsvp: 'circle.meeting.rsvp',
  topicPropose: 'circle.topic.propose',
  topicAccept: 'circle.topic.accept',
  topicReject: 'circle.topic.reject',
  topicUp: 'circle.topic.up',
  agendaPublish: 'circle.agenda.publish',
  minutesPost: 'circle.minutes.post',
  actionAdd: 'circle.action.add',
} as const;
