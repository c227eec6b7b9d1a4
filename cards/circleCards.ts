import meetingFormTemplate from './templates/circleMeetingForm.json';
import meetingTemplate from './templates/circleMeeting.json';
import overviewTemplate from './templates/circleOverview.json';
import pollFormTemplate from './templates/circlePollForm.json';
import pollTemplate from './templates/circlePoll.json';
import { defineCard } from './defineCard';

type Choice = { title: string; value: string };
type Labels = Record<string, string>;

/** The date poll: one choice set per slot, live tallies, the viewer's own answers; the KfI's tools when `kfi`. */
export interface CirclePollCardData {
  lang: string;
  pollId: string;
  heading: string;
  intro: string;
  where: string;
  status: string;
  statusStyle: 'default' | 'good' | 'attention';
  open: boolean;
  slots: Array<{ id: string; label: string; tally: string; mine: string; inputId: string; inputLabel: string; value: string }>;
  answeredText: string;
  kfi: boolean;
  notAnsweredText: string;
  closeChoices: Choice[];
  /** Ja / Vielleicht / Nein for every slot's answer, labelled in the card's language. */
  answerChoices: Choice[];
  bestSlotId: string;
  meetingId: string;
  /** Teams user ids (29:…, at most 60) whose clients refresh the card automatically into their own view. */
  refreshUserIds: string[];
  labels: Labels;
}

/** A meeting announcement: details, RSVP counts, the viewer's own answer, agenda, minutes; the KfI's tools when `kfi`. */
export interface CircleMeetingCardData {
  lang: string;
  meetingId: string;
  heading: string;
  status: string;
  statusStyle: 'default' | 'good' | 'attention';
  facts: Array<{ title: string; value: string }>;
  agendaText: string;
  countsText: string;
  mineText: string;
  canRsvp: boolean;
  rsvpValue: string;
  delegateValue: string;
  /** The topic proposal's inputs, refilled after a refused proposal ('' otherwise). */
  topicValues: { title: string; description: string; presenter: string };
  actionTitleValue: string;
  canPropose: boolean;
  icsUrl: string;
  onlineUrl: string;
  minutesText: string;
  minutesValue: string;
  actionItemsText: string;
  kfi: boolean;
  notAnsweredText: string;
  proposed: Array<{ id: string; text: string }>;
  ordered: Array<{ id: string; text: string }>;
  ownerChoices: Choice[];
  refreshUserIds: string[];
  labels: Labels;
}

/** "Koordinierungskreis": the next meeting and open polls at a glance. */
export interface CircleOverviewCardData {
  lang: string;
  heading: string;
  intro: string;
  nextText: string;
  nextMeetingId: string;
  polls: Array<{ id: string; text: string }>;
  hint: string;
  kfi: boolean;
  /** Guests the KfI added (names), for the KfI. */
  guestsText: string;
  labels: Labels;
}

/** The KfI's form for a new date poll (2–10 slots). */
export interface CirclePollFormCardData {
  lang: string;
  heading: string;
  intro: string;
  status: string;
  values: { title: string; place: string; onlineUrl: string; duration: string; delivery: string };
  slots: Array<{ dateId: string; timeId: string; dateLabel: string; timeLabel: string; date: string; time: string }>;
  deliveryChoices: Choice[];
  labels: Labels;
}

/** The KfI's form to announce or change a meeting. */
export interface CircleMeetingFormCardData {
  lang: string;
  heading: string;
  intro: string;
  status: string;
  /** '' for a new meeting. */
  meetingId: string;
  values: { title: string; date: string; startTime: string; endTime: string; place: string; onlineUrl: string; agendaText: string; rsvpDeadline: string; delivery: string };
  deliveryChoices: Choice[];
  labels: Labels;
}

export const circlePollCard = defineCard<CirclePollCardData>(pollTemplate);
export const circleMeetingCard = defineCard<CircleMeetingCardData>(meetingTemplate);
export const circleOverviewCard = defineCard<CircleOverviewCardData>(overviewTemplate);
export const circlePollFormCard = defineCard<CirclePollFormCardData>(pollFormTemplate);
export const circleMeetingFormCard = defineCard<CircleMeetingFormCardData>(meetingFormTemplate);
