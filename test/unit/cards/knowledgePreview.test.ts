import { renderKnowledgePreview } from '../../../bot/tab/knowledgeRoutes';
import { KNOWLEDGE_TEXTS } from '../../../bot/tab/knowledgeTexts';

const keysOf = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keysOf(v, `${prefix}${k}.`) : [`${prefix}${k}`])).sort();

describe('the knowledge base preview card', () => {
  it('escapes what the IB typed: no links, no formatting, no template source taken from the answer', () => {
    const text = '**Fett** [hier klicken](https://evil.example) ${secret}\n\n<b>zweiter</b> Absatz';
    const card = renderKnowledgePreview({ scope: 'koeln', answer: { de: { text, citation: 'RdErl. v. 5.12.2023, Nr. 4' }, en: { text, citation: 'x' } } }, 'de', 'https://lotse.example/erlass');
    const blocks = (card.body as Array<{ text: string }>).map((b) => b.text);
    expect(blocks[0]).toBe('So antwortet der Lotse');
    expect(blocks[1]).toBe('Gilt für Fragen zur Bezirksregierung Köln');
    expect(blocks).toHaveLength(5);
    expect(blocks[2]).not.toContain('[hier klicken](');
    expect(blocks[2]).not.toMatch(/(^|[^\\])\*\*Fett/);
    expect(blocks[2]).toContain('secret');
    expect(blocks[4]).toBe('Quelle: RdErl. v. 5.12.2023, Nr. 4 · [Runderlass im Volltext](https://lotse.example/erlass)');
  });

  it('has every German text in English too', () => {
    expect(keysOf(KNOWLEDGE_TEXTS.en)).toEqual(keysOf(KNOWLEDGE_TEXTS.de));
  });
});
