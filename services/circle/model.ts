/**
 * The Koordinierungskreis (RdErl. v. 5.12.2023, Nr. 6) as stored in the `circle` container. Every poll and meeting is
 * its own partition (pk = poll or meeting id): the poll or meeting document, and beside it one document per member's
 * answer, RSVP and proposed topic. Members never write the same document, so parallel answers cannot overwrite one
 * another, and a member changing an answer rewrites only their own document (with its ETag).
 */
import type { ConversationRef } from '../users/userProfiles';

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

/** A date poll (Terminumfrage); id `poll`, pk = poll id. */
export interface PollDoc {
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

/** A meeting of the circle; id `meeting`, pk = meeting id. */
export interface MeetingDoc {
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
  fromPollId?: string;
  /**
   * What the latest change owes members besides the stored state (written in the same document write, so a process
   * that dies before sending leaves a record the sweep finishes; the outbox keys carry the revision, so finishing twice
   * sends nothing twice). Revision 1 always owes the announcement and the reminders.
   */
  owes?: MeetingFollowUp;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** The messages and steps one change of a meeting causes. */
export interface MeetingFollowUp {
  /** A message to every member, once per revision. */
  notice?: 'changed' | 'cancelled' | 'agenda' | 'minutes';
  /** Update every posted card of the meeting. */
  cards?: boolean;
  /** Move (or, cancelled, stop) the RSVP and day-before reminders. */
  reminders?: boolean;
  /** Schedule the reminder of this action item. */
  actionItemId?: string;
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

export type CircleDoc = PollDoc | PollAnswerDoc | MeetingDoc | RsvpDoc | TopicDoc | SettingsDoc | IcsTokenDoc;

/** A member of the circle as the workflows see them. */
export interface CircleMemberView {
  aadObjectId: string;
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
