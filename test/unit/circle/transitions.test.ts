import { isMeetingOpen, meetingTransitions, pollTransitions, type ActionItem, type MeetingDoc, type PollDoc } from '../../../services/circle/model';
import { NOTICE_KINDS, noticesForMeeting, noticesForMeetingCreate, noticesForPollClose, noticesForPollCreate, noticesForPollRemind } from '../../../services/circle/notifications';

const AT = '2026-12-04T10:00:00.000Z';

const meeting = (over: Partial<MeetingDoc> = {}): MeetingDoc => ({
  id: 'meeting', pk: 'm-1', type: 'meeting', title: 'Sitzung Februar', start: '2027-02-09T09:00:00.000Z', end: '2027-02-09T11:00:00.000Z',
  place: 'Arnsberg', rsvpDeadline: '2027-02-02', status: 'scheduled', icsToken: 'AAAAAAAAAAAAAAAAAAAAAA', revision: 3, tenantId: 't', delivery: 'personal',
  agenda: ['topic:a', 'topic:b'], agendaPublished: false, actionItems: [], createdBy: 'kfi', createdAt: AT, updatedAt: AT, ...over,
});
const poll = (over: Partial<PollDoc> = {}): PollDoc => ({
  id: 'poll', pk: 'p-1', type: 'poll', title: 'Umfrage', status: 'open', tenantId: 't', delivery: 'personal', createdBy: 'kfi', createdAt: AT,
  slots: [{ id: 's1', start: '2027-01-12T09:00:00.000Z', end: '2027-01-12T11:00:00.000Z' }, { id: 's2', start: '2027-01-13T09:00:00.000Z', end: '2027-01-13T11:00:00.000Z' }],
  ...over,
});
const item: ActionItem = { id: 'i1', title: 'Bericht', owner: 'a', ownerName: 'A', due: '2027-03-01', createdAt: AT };
const details = (m: MeetingDoc) => ({ title: m.title, start: m.start, end: m.end, place: m.place, rsvpDeadline: m.rsvpDeadline });
const next = <T>(c: { next: T } | { unchanged: true } | { refuse: unknown }): T => {
  if (!('next' in c)) throw new Error(`expected a change, got ${JSON.stringify(c)}`);
  return c.next;
};

describe('meeting transitions', () => {
  it('update: new details count the revision up; the same details change nothing; a cancelled meeting is closed', () => {
    const m = meeting();
    const changed = next(meetingTransitions.update(m, { ...details(m), start: '2027-02-10T09:00:00.000Z', end: '2027-02-10T11:00:00.000Z' }, AT));
    expect(changed).toMatchObject({ start: '2027-02-10T09:00:00.000Z', revision: 4, updatedAt: AT });
    expect(meetingTransitions.update(m, details(m), AT)).toEqual({ unchanged: true });
    expect(meetingTransitions.update(meeting({ status: 'cancelled' }), details(m), AT)).toEqual({ refuse: { ok: false, code: 'closed' } });
  });
  it('update: a place left empty is removed', () => {
    const m = meeting({ onlineUrl: 'https://x.example' });
    const changed = next(meetingTransitions.update(m, { ...details(m), place: undefined, onlineUrl: 'https://x.example' }, AT));
    expect('place' in changed).toBe(false);
  });
  it('cancel: stores the reason with the cancellation, once; cancelling again changes nothing and keeps the first reason', () => {
    expect(next(meetingTransitions.cancel(meeting(), 'Der Saal ist gesperrt.', AT))).toMatchObject({ status: 'cancelled', cancelReason: 'Der Saal ist gesperrt.', revision: 4, updatedAt: AT });
    const cancelled = meeting({ status: 'cancelled', cancelReason: 'Der Saal ist gesperrt.' });
    expect(meetingTransitions.cancel(cancelled, 'Ein anderer Grund', AT)).toEqual({ unchanged: true });
  });
  it.each([[''], ['   ']])('cancel: refuses a cancellation without a reason (%j), naming the field', (reason) => {
    expect(meetingTransitions.cancel(meeting(), reason, AT)).toEqual({ refuse: { ok: false, code: 'invalid', problems: [{ field: 'cancelReason', code: 'missing' }] } });
  });
  it('publishAgenda: once', () => {
    expect(next(meetingTransitions.publishAgenda(meeting(), AT))).toMatchObject({ agendaPublished: true, revision: 4 });
    expect(meetingTransitions.publishAgenda(meeting({ agendaPublished: true }), AT)).toEqual({ unchanged: true });
  });
  it('postMinutes: new text is stored with who and when; the same text changes nothing', () => {
    expect(next(meetingTransitions.postMinutes(meeting(), 'Protokoll', 'kfi', AT)).minutes).toEqual({ text: 'Protokoll', postedAt: AT, postedBy: 'kfi' });
    expect(meetingTransitions.postMinutes(meeting({ minutes: { text: 'Protokoll', postedAt: AT, postedBy: 'kfi' } }), 'Protokoll', 'kfi', AT)).toEqual({ unchanged: true });
  });
  it('addActionItem: appended; the same item twice changes nothing', () => {
    expect(next(meetingTransitions.addActionItem(meeting(), item, AT)).actionItems).toEqual([item]);
    expect(meetingTransitions.addActionItem(meeting({ actionItems: [item] }), item, AT)).toEqual({ unchanged: true });
  });
  it('decideTopic: accept appends, reject removes, up moves one place up; nothing to do changes nothing', () => {
    expect(next(meetingTransitions.decideTopic(meeting(), 'topic:c', 'accept', AT)).agenda).toEqual(['topic:a', 'topic:b', 'topic:c']);
    expect(next(meetingTransitions.decideTopic(meeting(), 'topic:a', 'reject', AT)).agenda).toEqual(['topic:b']);
    expect(next(meetingTransitions.decideTopic(meeting(), 'topic:b', 'up', AT)).agenda).toEqual(['topic:b', 'topic:a']);
    expect(meetingTransitions.decideTopic(meeting(), 'topic:a', 'up', AT)).toEqual({ unchanged: true });
    expect(meetingTransitions.decideTopic(meeting(), 'topic:x', 'reject', AT)).toEqual({ unchanged: true });
  });
  it('is open for answers until it ends, and not when cancelled', () => {
    expect(isMeetingOpen(meeting(), Date.parse('2027-02-09T10:00:00Z'))).toBe(true);
    expect(isMeetingOpen(meeting(), Date.parse('2027-02-09T12:00:00Z'))).toBe(false);
    expect(isMeetingOpen(meeting({ status: 'cancelled' }), Date.parse(AT))).toBe(false);
  });
});

describe('poll transitions', () => {
  it('close: an open poll on a known slot; an unknown slot is invalid; a closed or cancelled poll is closed', () => {
    expect(next(pollTransitions.close(poll(), 's2', 'm-1', AT))).toMatchObject({ status: 'closed', chosenSlotId: 's2', meetingId: 'm-1', closedAt: AT });
    expect(pollTransitions.close(poll(), 's9', 'm-1', AT)).toEqual({ refuse: { ok: false, code: 'invalid', problems: [{ field: 'slot', code: 'unknown_value' }] } });
    expect(pollTransitions.close(poll({ status: 'closed' }), 's1', 'm-1', AT)).toEqual({ refuse: { ok: false, code: 'closed' } });
    expect(pollTransitions.close(poll({ status: 'cancelled' }), 's1', 'm-1', AT)).toEqual({ refuse: { ok: false, code: 'closed' } });
  });
  it('remind: once a day while open', () => {
    expect(next(pollTransitions.remind(poll(), '2026-12-04')).remindedOn).toBe('2026-12-04');
    expect(pollTransitions.remind(poll({ remindedOn: '2026-12-04' }), '2026-12-04')).toEqual({ unchanged: true });
    expect(next(pollTransitions.remind(poll({ remindedOn: '2026-12-03' }), '2026-12-04')).remindedOn).toBe('2026-12-04');
    expect(pollTransitions.remind(poll({ status: 'closed' }), '2026-12-04')).toEqual({ refuse: { ok: false, code: 'closed' } });
  });
});

describe('who is told what', () => {
  const kinds = (notices: Array<{ kind: string }>) => notices.map((n) => n.kind).sort();
  it('a new poll owes its announcement; a closed one the card update and its meeting; a reminder goes to those named', () => {
    expect(noticesForPollCreate(poll())).toEqual([{ key: 'circle:poll:p-1:announce', kind: NOTICE_KINDS.pollAnnounce, rev: 1 }]);
    const closing = noticesForPollClose(poll(), meeting());
    expect(kinds(closing)).toEqual([NOTICE_KINDS.meetingCreate, NOTICE_KINDS.pollCards].sort());
    expect(JSON.parse(String(closing.find((n) => n.kind === NOTICE_KINDS.meetingCreate)?.data?.meeting))).toEqual(meeting());
    expect(noticesForPollRemind(poll(), '2026-12-04', ['a', 'b'])).toEqual([{ key: 'circle:poll:p-1:remind:2026-12-04', kind: NOTICE_KINDS.pollRemind, to: ['a', 'b'], rev: 1 }]);
    expect(noticesForPollRemind(poll(), '2026-12-04', [])).toEqual([]);
  });
  it('a new meeting owes its announcement, calendar link and reminders', () => {
    expect(kinds(noticesForMeetingCreate(meeting({ revision: 1 })))).toEqual([NOTICE_KINDS.meetingAnnounce, NOTICE_KINDS.meetingIcs, NOTICE_KINDS.reminders].sort());
  });
  it('a change of date: cards, one "changed" notice under the revision, reminders', () => {
    const m = meeting();
    const n = next(meetingTransitions.update(m, { ...details(m), start: '2027-02-10T09:00:00.000Z', end: '2027-02-10T11:00:00.000Z' }, AT));
    const notices = noticesForMeeting(m, n);
    expect(notices.map((x) => x.key).sort()).toEqual(['circle:meeting:m-1:card:r4', 'circle:meeting:m-1:changed:r4', 'circle:meeting:m-1:reminders:r4']);
  });
  it('cancelling: cards, a "cancelled" notice, reminders (stopped by the relay)', () => {
    const notices = noticesForMeeting(meeting(), next(meetingTransitions.cancel(meeting(), 'Der Saal ist gesperrt.', AT)));
    expect(notices.find((x) => x.kind === NOTICE_KINDS.meetingNotice)?.data).toEqual({ notice: 'cancelled' });
    expect(kinds(notices)).toEqual([NOTICE_KINDS.meetingCards, NOTICE_KINDS.meetingNotice, NOTICE_KINDS.reminders].sort());
  });
  it('publishing the agenda and posting minutes: cards and one notice each, no reminders', () => {
    const published = noticesForMeeting(meeting(), next(meetingTransitions.publishAgenda(meeting(), AT)));
    expect(published.find((x) => x.kind === NOTICE_KINDS.meetingNotice)?.data).toEqual({ notice: 'agenda' });
    expect(kinds(published)).toEqual([NOTICE_KINDS.meetingCards, NOTICE_KINDS.meetingNotice].sort());
    const minutes = noticesForMeeting(meeting(), next(meetingTransitions.postMinutes(meeting(), 'P', 'kfi', AT)));
    expect(minutes.find((x) => x.kind === NOTICE_KINDS.meetingNotice)?.data).toEqual({ notice: 'minutes' });
  });
  it('reordering an unpublished agenda tells nobody; a published one updates the cards only', () => {
    expect(noticesForMeeting(meeting(), next(meetingTransitions.decideTopic(meeting(), 'topic:b', 'up', AT)))).toEqual([]);
    const published = meeting({ agendaPublished: true });
    expect(kinds(noticesForMeeting(published, next(meetingTransitions.decideTopic(published, 'topic:b', 'up', AT))))).toEqual([NOTICE_KINDS.meetingCards]);
  });
  it('an action item: cards and its reminder job', () => {
    const notices = noticesForMeeting(meeting(), next(meetingTransitions.addActionItem(meeting(), item, AT)));
    expect(kinds(notices)).toEqual([NOTICE_KINDS.actionReminder, NOTICE_KINDS.meetingCards].sort());
    expect(notices.find((x) => x.kind === NOTICE_KINDS.actionReminder)).toMatchObject({ key: 'circle:meeting:m-1:action:i1', data: { itemId: 'i1' } });
  });
});
