import { checkCard } from './cardParse';

export { checkCard, type CardProblems } from './cardParse';

/**
 * Asserts what every card of the bot must satisfy (house style): it parses at 1.5, nothing is left unbound, every input
 * is labelled, and it declares its language. `allowUnbound` passes over expressions that are user text shown as data.
 */
export function expectValidCard(content: Record<string, unknown>, lang: string, allowUnbound: (expression: string) => boolean = () => false): void {
  const problems = checkCard(content);
  expect(problems.parseErrors).toEqual([]);
  expect(problems.unboundExpressions.filter((e) => !allowUnbound(e))).toEqual([]);
  expect(problems.inputsWithoutLabel).toEqual([]);
  expect(content.version).toBe('1.5');
  expect(content.lang).toBe(lang);
}
