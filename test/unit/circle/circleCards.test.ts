import { readFileSync } from 'node:fs';
import { circleFeature, circleProfiles } from '../../../bot/handlers/circle';
import { renderMeetingCard, renderMeetingForm, renderOverviewCard, renderPollCard, renderPollForm } from '../../../cards/circleViews';
import type { LiveAnswers } from '../../../services/answers/liveAnswers';
import { CircleService } from '../../../services/circle/circleService';
import type { CircleDoc, MeetingView, PollView } from '../../../services/circle/model';
import { parseDirectory } from '../../../services/directory/validate';
import { silentLogger } from '../../../services/logging';
import { dataFile } from '../../../services/paths';
import type { JobDoc } from '../../../services/scheduling/scheduler';
import { Scheduler } from '../../../services/scheduling/scheduler';
import { UserProfileRepository, type UserProfile } from '../../../services/users/userProfiles';
import { Outbox } from '../../../services/notifications/outbox';
import type { OutboxDoc } from '../../../services/notifications/model';
import { checkCard, expectValidCard } from '../../support/cardChecks';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const parsed = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
if (!parsed.ok) throw new Error('demo directory invalid');
const directory = parsed.directory;
const profiles = new UserProfileRepository(new MemoryDocumentStore<UserProfile>('users'));
const service = new CircleService({
  store: new MemoryDocumentStore<CircleDoc>('circle'),
  directory: () => directory,
  outbox: new Outbox(new MemoryDocumentStore<OutboxDoc>('outbox')),
  scheduler: new Scheduler(new MemoryDocumentStore<JobDoc>('jobs')),
  relay: { kick: () => undefined, relayed: () => false },
  profiles: circleProfiles(profiles),
  icsUrl: (t) => `https://lotse.example/kalender/${t}`,
  logger: silentLogger,
});
const feature = circleFeature({ service, live: { engine: { directory } } as unknown as LiveAnswers, profiles, logger: silentLogger });
const verbs = new Set((feature.verbs ?? []).map((v) => v.verb));

const members = [
  { aadObjectId: 'a', name: 'Erika Mustermann (Beispiel)', role: 'commissioner' as const },
  { aadObjectId: 'b', name: 'Karla Koordinata (Beispiel)', role: 'kfi' as const },
];
const pollView = (kfi: boolean, title = 'Sitzung Januar'): PollView => ({
  poll: {
    id: 'poll', pk: 'p-1', type: 'poll', title, place: 'Arnsberg', status: 'open', tenantId: 't', delivery: 'personal', createdBy: 'b', createdAt: '2026-12-01T09:00:00Z',
    slots: [{ id: 's1', start: '2027-01-12T09:00:00Z', end: '2027-01-12T11:00:00Z' }, { id: 's2', start: '2027-01-13T13:00:00Z', end: '2027-01-13T15:00:00Z' }],
  },
  tallies: { s1: { yes: 1, maybe: 0, no: 1 }, s2: { yes: 2, maybe: 0, no: 0 } },
  bestSlotId: 's2',
  members,
  notAnswered: [],
  answeredCount: 2,
  mine: { s1: 'no', s2: 'yes' },
  viewerIsKfi: kfi,
});
const meetingView = (kfi: boolean): MeetingView => ({
  meeting: {
    id: 'meeting', pk: 'm-1', type: 'meeting', title: 'Sitzung Januar', start: '2027-01-13T13:00:00Z', end: '2027-01-13T15:00:00Z', place: 'Arnsberg', onlineUrl: 'https://teams.example/x',
    agendaText: 'Austausch', rsvpDeadline: '2027-01-08', status: 'scheduled', icsToken: 'AAAAAAAAAAAAAAAAAAAAAA', revision: 2, tenantId: 't', delivery: 'personal',
    agenda: ['topic:1'], agendaPublished: true, actionItems: [{ id: 'x', title: 'Bericht', owner: 'a', ownerName: 'Erika Mustermann (Beispiel)', due: '2027-02-01', createdAt: '' }],
    minutes: { text: 'https://intranet.example/protokoll', postedAt: '', postedBy: 'b' }, createdBy: 'b', createdAt: '', updatedAt: '',
  },
  counts: { accept: 1, decline: 0, delegate: 1, open: 0 },
  mine: { answer: 'delegate', delegate: 'Max (Beispiel)' },
  agenda: [{ id: 'topic:1', pk: 'm-1', type: 'topic', title: 'Förderung', proposedBy: 'a', status: 'accepted', createdAt: '' }],
  proposed: [{ id: 'topic:2', pk: 'm-1', type: 'topic', title: 'IKÖ', proposedBy: 'a', status: 'proposed', createdAt: '' }],
  members,
  notAnswered: [],
  icsUrl: 'https://lotse.example/kalender/AAAAAAAAAAAAAAAAAAAAAA',
  ended: false,
  viewerIsKfi: kfi,
});

describe.each(['de', 'en'] as const)('Koordinierungskreis cards in %s', (lang) => {
  const cards = {
    'poll (member)': renderPollCard(pollView(false), lang, { refreshUserIds: ['29:a'] }).content,
    'poll (KfI)': renderPollCard(pollView(true), lang).content,
    'meeting (member)': renderMeetingCard(meetingView(false), lang, { refreshUserIds: ['29:a'] }).content,
    'meeting (KfI)': renderMeetingCard(meetingView(true), lang).content,
    overview: renderOverviewCard({ isMember: true, isKfi: true, nextMeeting: meetingView(false), openPolls: [pollView(false)], channelDesignated: false }, lang, 'KfI').content,
    'poll form': renderPollForm(lang, { channel: true }).content,
    'meeting form': renderMeetingForm(lang, { channel: false, meeting: meetingView(true).meeting }).content,
  };

  it.each(Object.entries(cards))('%s renders as a valid Adaptive Card 1.5 with nothing left unbound', (_name, content) => {
    expectValidCard(content, lang);
  });

  it.each(Object.entries(cards))('%s only offers card verbs the bot handles', (_name, content) => {
    const used = checkCard(content).executeVerbs;
    expect(used.length).toBeGreaterThan(0);
    for (const verb of used) expect(verbs.has(verb)).toBe(true);
  });
});

it('shows each member their own answer and refreshes automatically for at most 60 users', () => {
  const content = renderPollCard(pollView(false), 'de', { refreshUserIds: Array.from({ length: 80 }, (_, i) => `29:${i}`) }).content as any;
  expect(content.refresh.userIds).toHaveLength(60);
  expect(content.refresh.action.verb).toBe('circle.poll.refresh');
  expect(JSON.stringify(content)).toContain('Ihre Antwort: Ja');
});

it('keeps user text as data: a "${" in a title is shown, not evaluated', () => {
  expect(JSON.stringify(renderPollCard(pollView(false, 'Sitzung ${1+1}'), 'de').content)).toContain('Sitzung ${1+1}');
});

it('shows the KfI tools only to the KfI', () => {
  expect(JSON.stringify(renderMeetingCard(meetingView(false), 'de').content)).not.toContain('circle.meeting.cancel');
  expect(JSON.stringify(renderMeetingCard(meetingView(true), 'de').content)).toContain('circle.meeting.cancel');
});
