import { renderHelp, renderWelcome } from '../../bot/handlers/help';
import { helpFeature } from '../../bot/handlers/help';
import { checkCard } from '../support/cardChecks';

const verbs = new Set((helpFeature(() => ({ de: [], en: [] })).verbs ?? []).map((v) => v.verb));

const sections = [{ heading: 'Zuständigkeit', description: 'Wer ist für eine Kommune zuständig?', examples: '„Wer ist für Marl zuständig?“' }];

describe.each(['de', 'en'] as const)('cards in %s', (lang) => {
  const cards = {
    welcome: renderWelcome(lang).content,
    help: renderHelp(lang, sections).content,
  };

  it.each(Object.entries(cards))('%s renders as a valid Adaptive Card 1.5 with nothing left unbound', (_name, content) => {
    const problems = checkCard(content);
    expect(problems.parseErrors).toEqual([]);
    expect(problems.unboundExpressions).toEqual([]);
    expect(problems.inputsWithoutLabel).toEqual([]);
    expect(content.version).toBe('1.5');
    expect(content.lang).toBe(lang);
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
