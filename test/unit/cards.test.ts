import { renderHelp, renderWelcome } from '../../bot/handlers/help';
import { helpFeature } from '../../bot/handlers/help';
import { requestsFeature } from '../../bot/handlers/requests';
import { itemListCard, reportFormCard, requestFormCard } from '../../cards/requestCards';
import { checkCard, expectValidCard } from '../support/cardChecks';

const verbs = new Set((helpFeature(() => ({ de: [], en: [] })).verbs ?? []).map((v) => v.verb));

const sections = [{ heading: 'Zuständigkeit', description: 'Wer ist für eine Kommune zuständig?', examples: '„Wer ist für Marl zuständig?“' }];

describe.each(['de', 'en'] as const)('cards in %s', (lang) => {
  const cards = {
    welcome: renderWelcome(lang).content,
    help: renderHelp(lang, sections).content,
  };

  it.each(Object.entries(cards))('%s renders as a valid Adaptive Card 1.5 with nothing left unbound', (_name, content) => {
    expectValidCard(content, lang);
  });

  it.each(Object.entries(cards))('%s only offers card verbs the bot handles', (_name, content) => {
    for (const verb of checkCard(content).executeVerbs) expect(verbs.has(verb)).toBe(true);
  });
});

it('keeps user text as data: a "${" typed by a user is shown, not evaluated', () => {
  const content = renderHelp('de', [{ heading: '${1+1}', description: '${$root.title}', examples: 'x' }]).content;
  expect(JSON.stringify(content)).toContain('${1+1}');
  expect(JSON.stringify(content)).not.toContain('"2"');
});

describe.each(['de', 'en'] as const)('Anliegen and Vortrag cards in %s', (lang) => {
  const feature = requestsFeature({ live: {} as never, service: {} as never, views: {} as never, notifier: {} as never, logger: {} as never, headReach: {} as never });
  const requestVerbs = new Set((feature.verbs ?? []).map((v) => v.verb));
  const cards: Record<string, Record<string, unknown>> = {
    requestForm: requestFormCard({
      lang, step: 'form', beteiligung: true, heading: 'h', intro: 'i', privacy: 'p', status: 'Bitte prüfen: Betreff fehlt.',
      authorities: [{ title: 'Bezirksregierung Köln', value: 'koeln' }], categories: [{ title: 'Beratung', value: 'beratung' }],
      values: { authority: 'koeln', category: 'beratung', subject: '', description: '', deadline: '', department: '', measure: '', plannedDate: '' },
      errors: { authority: '', category: '', subject: 'Bitte geben Sie einen Betreff ein.', description: '', deadline: '', department: '', measure: '', plannedDate: '' },
      labels: {
        authority: 'a', category: 'c', kindQuestion: 'k', subject: 's', description: 'd', deadline: 'f', measureHeading: 'm', measureHint: 'mh', department: 'dz', measure: 'ms', plannedDate: 'pd', next: 'Weiter', submit: 'Senden',
        missing: { authority: 'a!', category: 'c!', subject: 's!', description: 'd!', department: 'dz!', measure: 'ms!', plannedDate: 'pd!' },
      },
    }).content,
    reportForm: reportFormCard({
      lang, heading: 'h', intro: 'i', status: '', linkedText: 'Zum Anliegen „x“', authority: 'koeln', linkedRequestId: 'anl-1',
      urgencies: [{ title: 'Normal', value: 'normal' }], values: { subject: 's', summary: '', urgency: 'normal', proposedDates: '' },
      errors: { subject: '', summary: 'Bitte fassen Sie Ihren Vortrag zusammen.', urgency: '', proposedDates: '' },
      labels: { subject: 's', summary: 'z', urgency: 'u', proposedDates: 'p', submit: 'Anmelden', missing: { subject: 's!', summary: 'z!' } },
    }).content,
    list: itemListCard({ lang, heading: 'Meine Anliegen', intro: '1 Anliegen', openLabel: 'Öffnen', items: [{ title: 't', subtitle: 's', id: 'anl-1', authority: 'koeln', openLabel: 'Öffnen' }] }).content,
  };

  it.each(Object.keys(cards))('%s renders as a valid Adaptive Card 1.5 with nothing left unbound and every input labelled', (name) => {
    // The sample user text "${1+1}" must arrive as data, unexpanded (the item card: test/unit/requests/itemCard.test.ts).
    expectValidCard(cards[name], lang, (e) => e.includes('${1+1}'));
  });

  it.each(Object.keys(cards))('%s only offers card verbs the bot handles', (name) => {
    for (const verb of checkCard(cards[name]).executeVerbs) expect(requestVerbs.has(verb)).toBe(true);
  });
});
