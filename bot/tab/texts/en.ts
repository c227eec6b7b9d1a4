import type { Texts } from '../../../services/workflow/texts';
import type { de } from './de';

/** The tab's own workflow texts in English (the same keys as `de.ts`). */
export const en: Texts<typeof de> = {
  kind: { report: 'Report' },
  circle: {
    poll: 'Date poll',
    pollAnswered: 'Answered',
    pollUnanswered: 'Answer missing',
    rsvp: { accept: 'Attending', decline: 'Not attending', delegate: 'Sending someone', open: 'Reply missing' },
  },
  composer: {
    fields: {
      slot: (n: number) => `Date ${n}`,
      slotHint: '2 to 10 dates (start, German time); empty fields do not count.',
      hours: (hours: number) => `${hours} h`,
      onlineUrl: 'Online link',
      urlHint: 'Starts with https://, e.g. the Teams meeting link.',
      placeHint: 'Place or online link: at least one of them.',
      rsvpDeadline: 'Reply by',
    },
    poll: {
      description: 'Propose dates to the coordination circle; every member answers yes, maybe or no.',
      send: 'Send the poll',
      sent: (title: string, members: number) => `The date poll "${title}" is created and goes to ${members} members of the coordination circle.`,
    },
    meeting: {
      description: 'The invitation goes to every member of the coordination circle; reminders are scheduled.',
      send: 'Send the invitation',
      sent: (title: string, members: number) => `The meeting "${title}" is announced: the invitation goes to ${members} members, reminders are scheduled.`,
    },
  },
};
