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

type Action = { type: string; title?: string; mode?: string; style?: string; verb?: string; data?: Record<string, unknown>; card?: { body?: Array<Record<string, unknown>>; actions?: Action[] } };
const rootActions = (content: unknown) => (content as { actions: Action[] }).actions;
const primary = (actions: Action[]) => actions.filter((a) => (a.mode ?? 'primary') !== 'secondary');

/** What a reader sees as text: TextBlocks, TextRuns and facts. */
function shownTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const child of node) shownTexts(child, out);
  else if (node && typeof node === 'object') {
    const element = node as Record<string, unknown>;
    if ((element.type === 'TextBlock' || element.type === 'TextRun') && typeof element.text === 'string') out.push(element.text);
    if (element.type === 'FactSet') for (const f of element.facts as Array<{ title: string; value: string }>) out.push(f.title, f.value);
    for (const value of Object.values(element)) if (value && typeof value === 'object') shownTexts(value, out);
  }
  return out;
}

describe('the circle cards at a glance', () => {
  it('gives a member two visible buttons on the meeting card, Zusagen and Absagen; everything else is in the overflow menu', () => {
    const actions = rootActions(renderMeetingCard(meetingView(false), 'de').content);
    expect(primary(actions).map((a) => [a.title, a.style, a.data?.rsvp])).toEqual([['Zusagen', 'positive', 'accept'], ['Absagen', 'destructive', 'decline']]);
    expect(actions.filter((a) => a.mode === 'secondary').map((a) => a.title)).toEqual(['Vertretung melden', 'Online teilnehmen', 'In den Kalender (.ics)', 'Thema vorschlagen']);
    // "Vertretung melden" opens its own input area with only the name, required, and sends the RSVP "delegate".
    const delegate = actions.find((a) => a.title === 'Vertretung melden')!;
    expect(delegate.type).toBe('Action.ShowCard');
    expect(delegate.card!.body!.map((i) => [i.id, i.isRequired])).toEqual([['delegate', true]]);
    expect(delegate.card!.actions!.map((a) => [a.verb, a.data?.rsvp])).toEqual([['circle.meeting.rsvp', 'delegate']]);
  });

  it("keeps the KfI's management in the overflow menu, each input in its own area, and asks before cancelling", () => {
    const actions = rootActions(renderMeetingCard(meetingView(true), 'de').content);
    expect(primary(actions).map((a) => a.title)).toEqual(['Zusagen', 'Absagen']);
    const minutes = actions.find((a) => a.title === 'Protokoll veröffentlichen')!;
    expect(minutes.card!.body!.map((i) => i.id)).toEqual(['minutes']);
    const action = actions.find((a) => a.title === 'Aufgabe hinzufügen')!;
    expect(action.card!.body!.map((i) => [i.id, i.isRequired])).toEqual([['actionTitle', true], ['actionOwner', true], ['actionDue', true]]);
    const cancel = actions.find((a) => a.title === 'Sitzung absagen')!;
    expect(cancel.type).toBe('Action.ShowCard');
    // Cancelling asks for the reason members will read: one short required line, with a sentence when it is missing.
    expect(cancel.card!.body!.filter((i) => String(i.type).startsWith('Input.'))).toEqual([
      expect.objectContaining({ type: 'Input.Text', id: 'cancelReason', label: 'Grund der Absage', isRequired: true, maxLength: 500, errorMessage: 'Bitte geben Sie einen Grund für die Absage an. Alle Mitglieder erhalten ihn mit der Absage.' }),
    ]);
    expect(cancel.card!.body!.find((i) => i.id === 'cancelReason')!.isMultiline).toBeUndefined();
    expect(cancel.card!.actions!.map((a) => [a.verb, a.style, (a as { associatedInputs?: string }).associatedInputs])).toEqual([['circle.meeting.cancel', 'destructive', 'auto']]);
  });

  it('refills the reason the KfI typed after a refused cancellation', () => {
    const actions = rootActions(renderMeetingCard(meetingView(true), 'de', { inputs: { cancelReason: 'Saal gesperrt' } }).content);
    expect(actions.find((a) => a.title === 'Sitzung absagen')!.card!.body!.find((i) => i.id === 'cancelReason')!.value).toBe('Saal gesperrt');
  });

  it.each([
    ['de', 'Abgesagt: Raum \\*B 12\\* ist gesperrt \\<at>Alle\\</at>'],
    ['en', 'Cancelled: Raum \\*B 12\\* ist gesperrt \\<at>Alle\\</at>'],
  ] as const)('shows a cancelled meeting with the reason on top, escaped, and nothing left to answer (%s)', (lang, status) => {
    const view = meetingView(false);
    const cancelled = { ...view, meeting: { ...view.meeting, status: 'cancelled' as const, cancelReason: 'Raum *B 12* ist gesperrt <at>Alle</at>' } };
    const content = renderMeetingCard(cancelled, lang).content;
    expect(shownTexts(content)[1]).toBe(status);
    expect(JSON.stringify(rootActions(content) ?? [])).not.toContain('circle.meeting.rsvp');
    const old = renderMeetingCard({ ...view, meeting: { ...view.meeting, status: 'cancelled' } }, 'de').content;
    expect(shownTexts(old)[1]).toBe('Diese Sitzung ist abgesagt.');
  });

  it('shows the poll answer as the one visible button and the KfI tools in the overflow menu', () => {
    const actions = rootActions(renderPollCard(pollView(true), 'de').content);
    expect(primary(actions).map((a) => a.title)).toEqual(['Antwort speichern']);
    const close = actions.find((a) => a.title === 'Umfrage abschließen')!;
    expect(close.mode).toBe('secondary');
    expect(close.card!.body!.map((i) => i.id)).toEqual(['slotId', 'rsvpDeadline']);
  });

  it.each([
    ['meeting (member)', () => renderMeetingCard(meetingView(false), 'de').content],
    ['meeting (KfI)', () => renderMeetingCard(meetingView(true), 'de').content],
    ['poll (KfI)', () => renderPollCard({ ...pollView(true), poll: { ...pollView(true).poll, onlineUrl: 'https://teams.example/x' } }, 'de').content],
    ['poll form', () => renderPollForm('de', { channel: true }).content],
    ['meeting form', () => renderMeetingForm('de', { channel: true }).content],
  ])('the German %s shows no raw URL, ISO date, time zone name or id', (_name, render) => {
    for (const text of shownTexts(render())) {
      expect(text).not.toMatch(/https?:\/\//);
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      expect(text).not.toMatch(/Europe\/Berlin/);
      expect(text).not.toMatch(/\bm-1\b|\bp-1\b|topic:/);
    }
  });

  it('shows the meeting link and a minutes link as link text', () => {
    const json = JSON.stringify(renderMeetingCard(meetingView(false), 'de').content);
    expect(json).toContain('"text":"Online teilnehmen","color":"Accent","underline":true,"selectAction":{"type":"Action.OpenUrl","title":"Online teilnehmen","url":"https://teams.example/x"}');
    expect(json).toContain('"text":"Protokoll öffnen"');
  });

  it('labels the forms’ buttons for what they do and marks only required fields as required', () => {
    const poll = renderPollForm('de', { channel: true }).content as { actions: Action[] };
    expect(poll.actions.map((a) => a.title)).toEqual(['Umfrage senden']);
    expect(rootActions(renderMeetingForm('de', { channel: true }).content).map((a) => a.title)).toEqual(['Sitzung ankündigen']);
    const edit = renderMeetingForm('de', { channel: false, meeting: meetingView(true).meeting }).content;
    expect(rootActions(edit).map((a) => a.title)).toEqual(['Änderungen speichern']);
    const inputs: Array<Record<string, unknown>> = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (typeof o.type === 'string' && o.type.startsWith('Input.')) inputs.push(o);
        Object.values(o).forEach(collect);
      }
    };
    collect([poll, edit]);
    for (const input of inputs) if (String(input.label).includes('optional')) expect(input.isRequired).not.toBe(true);
  });

  it('shows three date slots on the poll form and the others behind "Weitere Termine", open when one of them is filled in', () => {
    const form = renderPollForm('de', { channel: false }).content as { body: Array<Record<string, unknown>> };
    const ids = JSON.stringify(form.body);
    const more = form.body.find((e) => e.id === 'moreSlots')!;
    expect(more.isVisible).toBe(false);
    expect(JSON.stringify(more)).toContain('slot4Date');
    expect(JSON.stringify(more)).not.toContain('slot3Date');
    expect(ids).toContain('Weitere Termine (4 bis 10)');
    const refilled = renderPollForm('de', { channel: false, values: { slot5Date: '2027-01-20' } }).content as { body: Array<Record<string, unknown>> };
    expect(refilled.body.find((e) => e.id === 'moreSlots')!.isVisible).toBe(true);
  });

  it("shows a refusal's problem at its field, in a sentence, and points to it on top", () => {
    const form = renderMeetingForm('de', { channel: false, status: 'Die Rückmeldefrist muss ein Datum vor oder am Sitzungstag sein.', errors: { rsvpDeadline: 'Die Rückmeldefrist muss ein Datum vor oder am Sitzungstag sein.' } }).content as { body: Array<Record<string, unknown>> };
    const at = form.body.findIndex((e) => e.id === 'rsvpDeadline');
    expect(form.body[at + 1]).toMatchObject({ type: 'TextBlock', text: 'Die Rückmeldefrist muss ein Datum vor oder am Sitzungstag sein.', color: 'Attention' });
    expect(shownTexts(form)).toContain('Bitte prüfen Sie die markierten Angaben.');
    // A problem without a field of its own stays on top.
    const other = renderPollForm('de', { channel: false, status: 'Ein Text ist zu lang.', errors: { tooLong: 'Ein Text ist zu lang.' } }).content;
    expect(shownTexts(other).filter((t) => t === 'Ein Text ist zu lang.')).toHaveLength(1);
  });
});
