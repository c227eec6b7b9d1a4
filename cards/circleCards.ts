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
  /** The intro stands out (accent, bold) while the viewer has not answered: it is what they have to do. */
  introColor: 'Accent' | 'Default';
  introWeight: 'Bolder' | 'Default';
  where: string;
  status: string;
  statusStyle: 'default' | 'good' | 'attention';
  open: boolean;
  slots: Array<{ id: string; label: string; tally: string; mine: string; inputId: string; inputLabel: string; value: string }>;
  answeredText: string;
  kfi: boolean;
  notAnsweredText: string;
  /** The KfI's "Zugestellt an 11 von 12; nicht erreichbar: …" ('' for none). */
  reachText: string;
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
  /** What the viewer has to do next, or their own answer, under the title. */
  todoText: string;
  /** Shown as plain text runs (no Markdown): user text as typed. */
  facts: Array<{ title: string; value: string }>;
  agendaText: string;
  countsText: string;
  /** Zusagen and Absagen as the two visible buttons; "Vertretung melden" in the overflow menu. */
  canRsvp: boolean;
  delegateValue: string;
  /** The topic proposal's inputs, refilled after a refused proposal ('' otherwise). */
  topicValues: { title: string; description: string; presenter: string };
  actionTitleValue: string;
  /** The KfI's reason for cancelling, refilled after a refused cancellation ('' otherwise). */
  cancelReasonValue: string;
  canPropose: boolean;
  icsUrl: string;
  /** The join link: the Teams meeting's when Graph made one, else the KfI's own online link ('' for none). */
  onlineUrl: string;
  /** The KfI's note that the Teams meeting could not be created, changed or cancelled ('' otherwise). */
  teamsNote: string;
  minutesText: string;
  /** Minutes that are one https link: shown as link text. */
  minutesUrl: string;
  minutesValue: string;
  /** "Protokoll veröffentlichen" is a visible button once the meeting has taken place, else in the overflow menu. */
  minutesMode: 'primary' | 'secondary';
  actionItemsText: string;
  kfi: boolean;
  agendaPublished: boolean;
  notAnsweredText: string;
  /** The KfI's "Zugestellt an 11 von 12; nicht erreichbar: …" ('' for none). */
  reachText: string;
  proposed: Array<{ id: string; text: string }>;
  /** The agenda in order; `canUp` for every topic but the first. */
  ordered: Array<{ id: string; text: string; canUp: boolean }>;
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
  /** The KfI's "new poll"/"announce" are visible buttons while no meeting is set, else in the overflow menu. */
  kfiMode: 'primary' | 'secondary';
  /** Guests the KfI added (names), for the KfI. */
  guestsText: string;
  labels: Labels;
}

type Slot = { dateId: string; timeId: string; dateLabel: string; timeLabel: string; date: string; time: string; required: boolean };

/** The KfI's form for a new date poll (2–10 slots: three shown, seven more behind a toggle). */
export interface CirclePollFormCardData {
  lang: string;
  heading: string;
  intro: string;
  status: string;
  /** The sentence at each field ('' for none). */
  errors: Record<'title' | 'place' | 'onlineUrl' | 'duration' | 'slots' | 'delivery', string>;
  values: { title: string; place: string; onlineUrl: string; duration: string; delivery: string };
  durationChoices: Choice[];
  firstSlots: Slot[];
  moreSlots: Slot[];
  /** The further slots are open from the start when one of them is filled in (a refused form comes back). */
  showMore: boolean;
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
  /** The sentence at each field ('' for none). */
  errors: Record<'title' | 'date' | 'endTime' | 'place' | 'onlineUrl' | 'agendaText' | 'rsvpDeadline' | 'delivery', string>;
  /** "Sitzung ankündigen" or "Änderungen speichern". */
  submitLabel: string;
  values: { title: string; date: string; startTime: string; endTime: string; place: string; onlineUrl: string; agendaText: string; rsvpDeadline: string; delivery: string };
  deliveryChoices: Choice[];
  labels: Labels;
}

export const circlePollCard = defineCard<CirclePollCardData>(pollTemplate);
export const circleMeetingCard = defineCard<CircleMeetingCardData>(meetingTemplate);
export const circleOverviewCard = defineCard<CircleOverviewCardData>(overviewTemplate);
export const circlePollFormCard = defineCard<CirclePollFormCardData>(pollFormTemplate);
export const circleMeetingFormCard = defineCard<CircleMeetingFormCardData>(meetingFormTemplate);
