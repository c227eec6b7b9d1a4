import { readFileSync } from 'node:fs';
import { renderAnswerCard } from '../../bot/handlers/answers';
import { renderMeetingCard, renderMeetingForm, renderOverviewCard, renderPollCard } from '../../cards/circleViews';
import { renderCadenceDraftCard } from '../../cards/cadenceCard';
import { defineCard } from '../../cards/defineCard';
import { itemCard, type ItemCardData } from '../../cards/requestCards';
import { createAnswerEngine } from '../../services/answers/engine';
import { loadKnowledge } from '../../services/answers/knowledge';
import type { MeetingView, PollView } from '../../services/circle/model';
import { loadGazetteer } from '../../services/directory/gazetteer';
import { parseDirectory } from '../../services/directory/validate';
import { dataFile } from '../../services/paths';
import { cardText } from '../../services/text/escape';

const LINK = '[Bitte bestätigen](https://evil.example)';
const HOSTILE = `${LINK} **fett** <at>x</at>`;

/** TextBlock texts and FactSet titles and values: what Teams renders as Markdown. */
function displayTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const child of node) displayTexts(child, out);
  else if (node && typeof node === 'object') {
    const element = node as Record<string, unknown>;
    if (element.type === 'TextBlock' && typeof element.text === 'string') out.push(element.text);
    if (element.type === 'FactSet' && Array.isArray(element.facts)) for (const f of element.facts as Array<{ title: string; value: string }>) out.push(f.title, f.value);
    for (const value of Object.values(element)) if (value && typeof value === 'object') displayTexts(value, out);
  }
  return out;
}

/** A Markdown link to the planted address a renderer would make: `](` without a backslash before the `]`. */
const plantedLink = (text: string) => /(^|[^\\])\]\(https:\/\/evil/.test(text);

/** Every display text that still holds the planted link or unescaped emphasis or tags. */
const unsafe = (content: unknown) => displayTexts(content).filter((t) => plantedLink(t) || /(^|[^\\])(\*\*|<at>)/.test(t));

describe('card data builders escape user text for display, and only for display', () => {
  const members = [
    { aadObjectId: 'a', name: `Erika ${HOSTILE}`, role: 'commissioner' as const },
    { aadObjectId: 'b', name: 'Karla Koordinata (Beispiel)', role: 'kfi' as const },
  ];
  const poll: PollView = {
    poll: {
      id: 'poll', pk: 'p-1', type: 'poll', title: HOSTILE, place: HOSTILE, onlineUrl: 'https://teams.example/x', status: 'open', tenantId: 't', delivery: 'personal', createdBy: 'b', createdAt: '2026-12-01T09:00:00Z',
      slots: [{ id: 's1', start: '2027-01-12T09:00:00Z', end: '2027-01-12T11:00:00Z' }, { id: 's2', start: '2027-01-13T13:00:00Z', end: '2027-01-13T15:00:00Z' }],
    },
    tallies: { s1: { yes: 1, maybe: 0, no: 0 }, s2: { yes: 0, maybe: 0, no: 0 } },
    bestSlotId: 's1',
    members,
    notAnswered: members,
    answeredCount: 0,
    viewerIsKfi: true,
  };
  const meeting: MeetingView = {
    meeting: {
      id: 'meeting', pk: 'm-1', type: 'meeting', title: HOSTILE, start: '2027-01-13T13:00:00Z', end: '2027-01-13T15:00:00Z', place: HOSTILE, onlineUrl: 'https://teams.example/x',
      agendaText: `# Tagesordnung\n${HOSTILE}`, rsvpDeadline: '2027-01-08', status: 'scheduled', icsToken: 'AAAAAAAAAAAAAAAAAAAAAA', revision: 2, tenantId: 't', delivery: 'personal',
      agenda: ['topic:1'], agendaPublished: true, actionItems: [{ id: 'x', title: HOSTILE, owner: 'a', ownerName: members[0].name, due: '2027-02-01', createdAt: '' }],
      minutes: { text: `- ${HOSTILE}`, postedAt: '', postedBy: 'b' }, createdBy: 'b', createdAt: '', updatedAt: '',
    },
    counts: { accept: 1, decline: 0, delegate: 1, open: 0 },
    mine: { answer: 'delegate', delegate: HOSTILE },
    agenda: [{ id: 'topic:1', pk: 'm-1', type: 'topic', title: HOSTILE, description: HOSTILE, presenter: HOSTILE, proposedBy: 'a', status: 'accepted', createdAt: '' }],
    proposed: [{ id: 'topic:2', pk: 'm-1', type: 'topic', title: HOSTILE, presenter: HOSTILE, proposedBy: 'a', status: 'proposed', createdAt: '' }],
    members,
    notAnswered: members,
    icsUrl: 'https://lotse.example/kalender/AAAAAAAAAAAAAAAAAAAAAA',
    ended: false,
    viewerIsKfi: true,
  };

  it.each([
    ['poll', () => renderPollCard(poll, 'de').content],
    ['meeting', () => renderMeetingCard(meeting, 'de').content],
    ['overview', () => renderOverviewCard({ isMember: true, isKfi: true, nextMeeting: meeting, openPolls: [poll], channelDesignated: false }, 'de', HOSTILE, [HOSTILE]).content],
    ['overview outside the circle', () => renderOverviewCard({ isMember: false, isKfi: false, openPolls: [], channelDesignated: false }, 'en', HOSTILE).content],
    ['cadence draft', () =>
      renderCadenceDraftCard({
        cadence: { active: true, kind: 'poll', rule: { unit: 'month', interval: 3, weekday: 2, week: 2, from: '2027-01-01', time: '10:00' }, leadWeeks: 6, alternatives: 1, durationMinutes: 120, title: HOSTILE, place: HOSTILE },
        upcoming: [],
        draft: { seq: 1, ruleDate: '2027-04-13', date: '2027-04-13', dates: ['2027-04-13', '2027-04-20'], preparedAt: '', status: 'confirmed', confirmedBy: 'b', confirmedAt: '2027-03-02T10:00:00Z' },
        confirmedByName: `Erika ${HOSTILE}`,
      }, 'de').content],
  ])('the %s card shows titles, places, names, agenda, topics and minutes as text', (_name, render) => {
    const content = render();
    const texts = displayTexts(content);
    expect(texts.some((t) => t.includes(cardText(HOSTILE)))).toBe(true);
    expect(unsafe(content)).toEqual([]);
  });

  it("keeps the meeting's own agenda list (our numbering) and escapes the user's line starts", () => {
    const agenda = displayTexts(renderMeetingCard(meeting, 'de').content).find((t) => t.includes('Tagesordnung\n'))!;
    expect(agenda.startsWith('\\# Tagesordnung')).toBe(true);
    expect(agenda).toContain(`1. ${cardText(HOSTILE)}`);
  });

  it('prefills the meeting form with the stored text as typed (inputs do not render Markdown)', () => {
    const form = renderMeetingForm('de', { channel: false, meeting: meeting.meeting }).content as { body: Array<{ id?: string; value?: string }> };
    expect(form.body.find((e) => e.id === 'title')?.value).toBe(HOSTILE);
    expect(form.body.find((e) => e.id === 'agendaText')?.value).toBe(meeting.meeting.agendaText);
  });

  it('turns directory fields into text on the contact card and links only valid addresses', () => {
    const parsed = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
    if (!parsed.ok) throw new Error('demo directory invalid');
    const muenster = parsed.directory.authorities.find((a) => a.code === 'muenster')!;
    muenster.commissioner!.officeHours = HOSTILE;
    muenster.commissioner!.email = 'x)[y](https://evil';
    muenster.commissioner!.phone = '0251 [1](https://evil.example)';
    const engine = createAnswerEngine({ gazetteer: loadGazetteer(), knowledge: loadKnowledge(), directory: parsed.directory });
    const answer = engine.answer({ text: 'Wer ist für Marl zuständig?', locale: 'de-DE', homeAuthority: null, now: new Date('2026-11-24T10:00:00Z') });
    const content = renderAnswerCard(answer, 'https://lotse.example/erlass')!.content;
    const texts = displayTexts(content);
    expect(texts).toContain(cardText(HOSTILE));
    expect(texts).toContain(cardText('x)[y](https://evil'));
    expect(JSON.stringify(content)).not.toMatch(/mailto:x|tel:0251/);
    expect(unsafe(content)).toEqual([]);
    // Our own link to the decree stays a link.
    expect(texts.some((t) => t.includes('](https://lotse.example/erlass)'))).toBe(true);
  });

  it('binds user text as data: a subject "${$root.secret}" is shown literally, never evaluated', () => {
    const template = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: '${subject}' }, { type: 'TextBlock', text: 'Betreff: ${subject}' }] };
    const content = defineCard<{ subject: string; secret: string }>(template)({ subject: '${$root.secret}', secret: 'GEHEIM' }).content;
    expect(displayTexts(content)).toEqual(['${$root.secret}', 'Betreff: ${$root.secret}']);
    expect(JSON.stringify(content)).not.toContain('GEHEIM');

    const item = itemCard({ subject: '${$root.secret}', secret: 'GEHEIM', messages: [], tags: [], facts: [], actions: [], labels: {} } as unknown as ItemCardData).content;
    expect(displayTexts(item)).toContain('${$root.secret}');
    expect(JSON.stringify(item)).not.toContain('GEHEIM');
  });
});
