import { erasureText, myDataFeature, renderEraseQuestion, renderMyDataSummary } from '../../bot/handlers/myData';
import { eraseMyDataCard } from '../../cards/eraseMyDataCard';
import type { ErasureReport } from '../../services/privacy/erasure';
import type { MyData } from '../../services/privacy/myData';
import { checkCard, expectValidCard } from '../support/cardChecks';

const feature = myDataFeature({ erase: {} as never, purge: {} as never, logger: {} as never });
const verbs = new Set((feature.verbs ?? []).map((v) => v.verb));

const report: ErasureReport = {
  deleted: { profile: true, pollAnswers: 2, rsvps: 1, topics: 0 },
  kept: {
    created: { count: 3, open: 1, until: '2027-11-24T09:00:00.000Z' },
    actedOn: { count: 0, open: 0 },
    retentionDaysAfterClosing: 365,
    circle: { count: 1, open: 0, until: '2029-02-09T11:00:00.000Z' },
    guest: false,
    directoryEdits: { count: 0, open: 0 },
  },
};

describe.each(['de', 'en'] as const)('"Meine Daten löschen" cards in %s', (lang) => {
  const text = erasureText(lang, report);
  const cards = {
    question: renderEraseQuestion(lang).content,
    outcome: eraseMyDataCard({ lang, heading: text.heading, paragraphs: text.paragraphs, confirm: false, confirmLabel: 'x', cancelLabel: 'y' }).content,
  };

  it.each(Object.keys(cards))('%s renders as a valid Adaptive Card 1.5 with nothing left unbound', (name) => {
    expectValidCard(cards[name as keyof typeof cards], lang);
  });

  it('asks with exactly "delete for good" and "cancel", both handled; the outcome offers no button', () => {
    expect(checkCard(cards.question).executeVerbs).toEqual(['privacy.erase.confirm', 'privacy.erase.cancel']);
    for (const verb of checkCard(cards.question).executeVerbs) expect(verbs.has(verb)).toBe(true);
    expect(checkCard(cards.outcome).executeVerbs).toEqual([]);
  });
});

it('says what was deleted, what is kept and until when (Berlin dates), in German and English', () => {
  const de = erasureText('de', report).paragraphs;
  expect(de[0]).toBe('Gelöscht: Ihr Profil (Bezirksregierung, Sprache, wie der Lotse Sie im Chat erreicht), 2 Antworten auf Terminumfragen, 1 Rückmeldung zu Sitzungen.');
  expect(de).toContain('• 3 Anliegen und Vorträge von Ihnen: 1 noch offen, gelöscht 365 Tage nach dem Abschluss; die übrigen gelöscht bis spätestens 24.11.2027.');
  expect(de.some((p) => p.includes('Koordinierungskreis: 1 Sitzung oder Umfrage') && p.includes('09.02.2029'))).toBe(true);
  const en = erasureText('en', { ...report, deleted: { profile: false, pollAnswers: 0, rsvps: 0, topics: 0 }, kept: { ...report.kept, created: { count: 0, open: 0 }, circle: { count: 0, open: 0 } } }).paragraphs;
  expect(en).toEqual(['There was nothing (left) to delete.', 'Beyond that, the Lotse keeps nothing about you.', 'If you write to the Lotse again, it will again remember how to reach you in the chat.']);
});

describe('"Meine Daten" summary card', () => {
  const ME = '00000000-0000-4000-8000-0000000000aa';
  const data: MyData = {
    about: ME,
    generatedAt: '2026-12-04T09:00:00.000Z',
    profile: {
      tenantId: '00000000-0000-4000-8000-0000000000bb',
      homeAuthority: 'koeln',
      homeAuthoritySource: 'chosen',
      locale: 'de-DE',
      personalChat: { conversationId: 'a:1-secret-conversation', userId: '29:1-secret-user' },
      createdAt: '2026-01-10T08:00:00.000Z',
      updatedAt: '2026-11-30T08:00:00.000Z',
    },
    requests: {
      retentionDaysAfterClosing: 365,
      created: [
        { id: 'anl-b832f1e4', kind: 'request', authority: 'koeln', subject: 'Geheimer Betreff', text: 'Text', status: 'neu', createdAt: '2026-12-01T09:00:00.000Z', updatedAt: '2026-12-01T09:00:00.000Z', open: true, messages: [] },
        { id: 'anl-c1', kind: 'request', authority: 'koeln', subject: 'Alt', text: 'Text', status: 'erledigt', createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-02T09:00:00.000Z', open: false, messages: [{ at: '2026-03-02T09:00:00.000Z', kind: 'antwort', text: 'x' }] },
      ],
      actedOn: [],
      audit: [{ itemId: 'anl-b832f1e4', action: 'request.create', at: '2026-12-01T09:00:00.000Z', changes: [] }],
    },
    circle: { pollAnswers: [{} as never, {} as never], rsvps: [{} as never], topics: [], pollsCreated: [], meetingsCreated: [], actionItems: [], minutesPosted: [] },
    directoryEdits: [],
  } as MyData;

  it.each(['de', 'en'] as const)('renders in %s as a valid card with every kind, counts and dates, and no ids, JSON or ISO dates', (lang) => {
    const content = renderMyDataSummary(lang, data, 'https://teams.microsoft.com/l/entity/00000000-0000-4000-8000-000000000001/mein-lotse').content;
    expectValidCard(content, lang);
    const text = JSON.stringify(content.body);
    for (const leak of [ME, 'anl-b832f1e4', 'Geheimer Betreff', 'secret', '"about"', '2026-12-01']) expect(text).not.toContain(leak);
    expect(text).not.toMatch(/\{\\"|\d{4}-\d{2}-\d{2}T/);
    if (lang === 'de') {
      expect(text).toContain('Stand 04.12.2026');
      expect(text).toContain('Bezirksregierung: Bezirksregierung Köln (von Ihnen gewählt)');
      expect(text).toContain('2 insgesamt, davon 1 offen');
      expect(text).toContain('Zuletzt am 01.12.2026');
      expect(text).toContain('• 2 Antworten auf Terminumfragen');
      expect(text).toContain('„Downloads“');
    } else {
      expect(text).toContain('as of 4 Dec 2026');
    }
  });

  it('links to the tab for the file (primary) and offers deletion in the menu, a verb the feature handles', () => {
    const content = renderMyDataSummary('de', data, 'https://teams.microsoft.com/l/entity/x/mein-lotse').content as { actions: Array<Record<string, unknown>> };
    expect(content.actions.map((a) => [a.type, a.mode ?? 'primary'])).toEqual([['Action.OpenUrl', 'primary'], ['Action.Execute', 'secondary']]);
    expect(verbs.has('privacy.erase.ask')).toBe(true);
    expect(checkCard(content).executeVerbs).toEqual(['privacy.erase.ask']);
    // Without a Teams app id (local development) the card names the tab in its text and shows no link.
    const local = renderMyDataSummary('de', { ...data, profile: null }, '').content as { actions: Array<Record<string, unknown>>; body: unknown };
    expect(local.actions.map((a) => a.type)).toEqual(['Action.Execute']);
    expect(JSON.stringify(local.body)).toContain('Kein Profil gespeichert.');
  });
});
