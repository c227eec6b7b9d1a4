import type { Texts } from '../../workflow/texts';
import type { de } from './de';

/** Anliegen and Vortrag in English (the same keys as `de.ts`). */
export const en: Texts<typeof de> = {
  fieldNames: {
    authority: 'Authority', category: 'Kind of request', subject: 'Subject', description: 'Description', deadline: 'Deadline',
    department: 'Department (Dezernat)', measure: 'Measure', plannedDate: 'Planned date', summary: 'Summary', urgency: 'Urgency',
    proposedDates: 'Proposed dates', text: 'Text', decision: 'Decision', date: 'Date', time: 'Time',
  },
  statusLabels: {
    neu: 'New', in_bearbeitung: 'In progress', rueckfrage: 'Question back', erledigt: 'Done', eskaliert: 'Raised with the head',
    eingereicht: 'Submitted', termin_vorgeschlagen: 'Meeting proposed', schriftlich: 'Submit in writing', zur_kenntnis: 'Noted',
    abgelehnt: 'Declined', weisung: 'Instruction given',
  },
  categoryLabels: { beratung: 'Advice', beteiligung: 'Involvement in a planned measure (No. 5 a)', information: 'Information', sonstiges: 'Other' },
  urgencyLabels: { normal: 'Normal', eilig: 'Urgent', sehr_eilig: 'Very urgent' },
  formHeading: 'Request to the integration commissioner',
  formIntro:
    'Your request goes to the integration commissioner of your authority (to the deputy during an absence). You see every step on this card and as a message. Involvement in planned measures: decree No. 5 a.',
  privacy:
    "Please do not include other people's personal data: no names with origin, religion, health, sexual orientation, date of birth or file number, no addresses or phone numbers. The Lotse does not store such text. Individual residence cases are handled by the local immigration office.",
  labels: {
    authority: 'Authority', category: 'Kind of request', subject: 'Subject', description: 'Description', deadline: 'Deadline (optional)',
    measureHeading: 'Only for involvement in a planned measure', department: 'Department (Dezernat)', measure: 'Measure', plannedDate: 'Planned date of the measure',
    submit: 'Send request', required: 'Please fill in.',
  },
  reportHeading: 'Report to the head of the authority',
  reportIntro:
    "The commissioner's direct right to report to the head (decree No. 4). The report goes to the head and, where configured, the head's office; visible only to you, your deputy, the head and the office.",
  reportLabels: { subject: 'Subject', summary: 'Summary', urgency: 'Urgency', proposedDates: 'Proposed dates (optional)', submit: 'Register report', required: 'Please fill in.' },
  linked: (subject: string) => `About the request "${subject}"`,
  notIb: 'Reports to the head are registered by the integration commissioners and their deputies. Your account is not listed as either in the directory.',
  requestHeading: 'Request',
  reportCardHeading: 'Report to the head of the authority',
  status: (label: string) => `Status: ${label}`,
  facts: {
    authority: 'Authority', category: 'Kind', from: 'From', handler: 'Handled by', deadline: 'Deadline', department: 'Department', measure: 'Measure',
    plannedDate: 'Planned for', urgency: 'Urgency', proposedDates: 'Proposed dates', created: 'Received', linked: 'Linked to',
  },
  messageHeading: { rueckfrage: 'Question', antwort: 'Answer', nachtrag: 'Reply to the question' },
  by: (name: string, at: string) => `${name}, ${at}`,
  buttons: {
    accept: 'Take over', ask: 'Ask back', answer: 'Answer', done: 'Done', toReport: 'Report to the head', reply: 'Send reply',
    trail: 'History', termin: 'Propose a meeting', schriftlich: 'Submit in writing', kenntnis: 'Noted', ablehnen: 'Decline', weisung: 'Give an instruction',
  },
  textLabel: { ib: 'Message to the requester (for a question or an answer)', requester: 'Your reply to the question', head: 'Reason, instruction or note' },
  dateLabel: 'Meeting: date',
  timeLabel: 'Meeting: time',
  refresh: 'Refresh',
  decision: {
    termin: (d: string, t: string) => `Meeting proposed: ${d}, ${t}`,
    schriftlich: 'Please submit in writing.', kenntnis: 'Noted.', ablehnen: 'Declined.', weisung: 'Instruction:',
  },
  decidedBy: (name: string, at: string) => `Decided by ${name} on ${at}.`,
  sent: 'Sent. The commissioner has been notified; you will see every further step here.',
  reportSent: 'Registered. The head has been notified.',
  saved: 'Saved.',
  stale: (name: string, at: string, label: string) => `Nothing changed: ${name} already acted on ${at} (status: ${label}). The card shows the current state.`,
  forbidden: 'You may not do this on this item. Nothing was changed.',
  notFound: 'This item does not exist (any more), or it is not visible to you.',
  listMine: 'My requests',
  listInbox: 'Open items',
  listReports: 'Reports',
  listIntroMine: (n: number) => (n ? `${n} requests, newest first.` : 'You have not sent a request yet. Write "request" to send one.'),
  listIntroInbox: (n: number, name: string) => (n ? `${n} open requests for the ${name}.` : `No open requests for the ${name}.`),
  listIntroReports: (n: number) => (n ? `${n} reports you may see.` : 'No reports you may see.'),
  inboxForbidden: 'Open items are for the integration commissioners and their deputies.',
  open: 'Open',
  subtitle: (status: string, authority: string, created: string, deadline: string) => `${status} · ${authority} · ${created}${deadline ? ` · due ${deadline}` : ''}`,
  trailHeading: (subject: string) => `History of "${subject}":`,
  actions: {
    'request.create': 'created', 'request.accept': 'taken over', 'request.ask': 'asked back', 'request.answer': 'answered', 'request.done': 'done',
    'request.reply': 'replied to the question', 'request.escalate': 'reported to the head', 'request.escalate_deputy': 'passed to the deputy (reminder)',
    'report.create': 'registered', 'report.decide': 'decided',
  },
  noticeNew: (subject: string) => `New request: ${subject}`,
  noticeReport: (subject: string) => `New report: ${subject}`,
  changed: (subject: string, label: string) => `Your request "${subject}": ${label}.`,
  changedReport: (subject: string, label: string) => `Your report "${subject}": ${label}.`,
  replied: (subject: string) => `Reply to your question on "${subject}".`,
  remind: (subject: string) => `Reminder: the request "${subject}" has been waiting for several working days.`,
  escalate: (subject: string) => `Passed to the deputy: the request "${subject}" has not been handled for several working days.`,
  exportNone: 'Nothing to export.',
  exportHeading: (name: string, n: number) => `History of all items of the ${name} as CSV (${n} entries). As a file for Excel: in the “My Lotse” tab under “Downloads”.`,
  part: (n: number, total: number) => `(part ${n} of ${total})`,
  exportForbidden: 'The export is for the integration commissioners and their deputies.',
  myDataHeading: (n: number, m: number, c: number) =>
    `What the Lotse has stored about you: your profile, ${n} requests and reports with ${m} history entries, ${c} entries in the coordination circle. Closed items are deleted after the retention period. As a file: in the “My Lotse” tab under “Downloads”. The data (JSON):`,
  help: [
    {
      heading: 'Requests to the commissioner',
      description: 'Advice, involvement in a planned measure (No. 5 a), information: a form to the commissioner of your authority; you see every step.',
      examples: '"request" · "my requests" · "my data"',
    },
    {
      heading: 'For commissioners: items and reports',
      description: 'Handle open requests, register a report to the head (No. 4), export the history as CSV.',
      examples: '"open items" · "report" · "reports" · "export"',
    },
  ],
};
