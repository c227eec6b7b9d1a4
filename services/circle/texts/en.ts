/** The Koordinierungskreis' texts in English (the same keys as `de.ts`). */
import type { Texts } from '../../workflow/texts';
import { TOPIC_LIMITS } from '../model';
import type { de } from './de';

export const en: Texts<typeof de> = {
  kfiOnly: 'Only the Kompetenzzentrum für Integration (KfI), which runs the coordination circle, can do this.',
  notMember: 'This is for members of the coordination circle.',
  notFound: 'This poll or meeting does not exist (any more).',
  closed: 'This is no longer possible: the poll is closed, or the meeting was cancelled or is over.',
  past: 'That date is in the past. Please choose a date in the future.',
  noChannel: 'No Teams channel has been designated yet. Write "Koordinierungskreis hier posten" in the channel, or choose "To each member personally".',
  invalid: {
    title: 'Please enter a title.', duration: 'Please choose a duration.', slot: 'A date is incomplete: please give day and time.',
    slotCount: 'Please propose 2 to 10 different dates.', onlineUrl: 'The online link must start with https://.',
    date: 'Please give the date, start and end.', endBeforeStart: 'The end must be after the start.',
    rsvpDeadline: 'The reply deadline must be on or before the day of the meeting.', placeOrLink: 'Please give a place or an online link.',
    choices: 'Please answer yes, maybe or no for at least one date.', delegate: 'Please name who attends instead.',
    topicTitle: 'Please enter a topic.', minutes: 'Please enter the minutes or a link.', actionTitle: 'Please describe the action item.',
    owner: 'Please choose an owner from the circle.', due: 'Please give a due date.', tooLong: 'A text is too long.',
    guest: "The guest's id is not valid.", guestName: "Please give the guest's name.",
    topicLimit: `You have already proposed ${TOPIC_LIMITS.perMember} topics for this meeting. Please discuss further topics with the KfI directly.`,
    topicsFull: `This meeting already has ${TOPIC_LIMITS.perMeeting} topics. Please contact the KfI directly.`,
  },
  fields: {
    title: 'Title', place: 'Place', agendaText: 'Agenda', topicTitle: 'Topic', topicDescription: 'Short description', topicPresenter: 'Who presents it?',
    minutes: 'Minutes', actionTitle: 'New action item', delegate: 'Sending someone',
  },
  fieldRefused: (field: string, reason: string) => `The field "${field}" ${reason}.`,
  invalidDefault: 'Some details are missing. Please check the form.',
  answerSaved: 'Thank you, your answer is saved.',
  reminded: (n: number) => (n > 0 ? `Reminder sent to ${n} members.` : 'Nobody to remind: a reminder went out today already, or everyone has answered.'),
  pollCreated: 'The date poll is created and goes to the coordination circle.',
  meetingAnnounced: 'The meeting is announced. Every member receives the invitation; reminders are scheduled.',
  meetingChanged: 'The change is saved. Every card is updated, members are told once.',
  rsvpSaved: 'Thank you, your reply is saved.',
  topicProposed: 'Thank you, your topic proposal is with the KfI.',
  saved: 'Saved.',
  cancelled: 'The meeting is cancelled. Every member is told once.',
  channelSet: "This channel is now the coordination circle's channel: polls and invitations are posted here.",
  channelOnly: 'Please write "Koordinierungskreis hier posten" in the Teams channel where the circle should receive its invitations.',
  pollReminder: (t: string) => `Reminder: please answer the coordination circle's date poll "${t}".`,
  rsvpReminder: (t: string, when: string, d: string) => `Reminder: please reply by ${d} for "${t}" on ${when}.`,
  dayBefore: (t: string, when: string) => `Tomorrow: "${t}" of the coordination circle, ${when}.`,
  notice: {
    changed: (t: string, when: string) => `Changed: "${t}" now takes place on ${when} or has new details. The card shows the current state.`,
    cancelled: (t: string, when: string) => `Cancelled: "${t}" on ${when} will not take place.`,
    agenda: (t: string) => `The agenda for "${t}" is published.`,
    minutes: (t: string) => `The minutes of "${t}" are published.`,
  },
  actionReminder: (title: string, due: string, t: string) => `Reminder: your action item "${title}" from "${t}" is due on ${due}.`,
  nextMeeting: (t: string, when: string, where: string) => `The next meeting of the coordination circle: "${t}", ${when}${where ? `, ${where}` : ''}.`,
  noMeeting: (contact: string) => `No meeting of the coordination circle is scheduled at the moment. Please contact the ${contact}.`,
};
