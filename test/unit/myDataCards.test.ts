import { erasureText, myDataFeature, renderEraseQuestion } from '../../bot/handlers/myData';
import { eraseMyDataCard } from '../../cards/eraseMyDataCard';
import type { ErasureReport } from '../../services/privacy/erasure';
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
