import { readFileSync } from 'node:fs';
import { renderAnswerCard } from '../../../bot/handlers/answers';
import { createAnswerEngine } from '../../../services/answers/engine';
import { loadKnowledge } from '../../../services/answers/knowledge';
import { loadGazetteer } from '../../../services/directory/gazetteer';
import { parseDirectory } from '../../../services/directory/validate';
import { dataFile } from '../../../services/paths';

describe('an answer about an IB says when the entry was last confirmed, and whether a confirmation is pending', () => {
  const parsed = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
  if (!parsed.ok) throw new Error('demo directory invalid');
  parsed.directory.authorities.find((a) => a.code === 'koeln')!.commissioner!.lastVerified = '2026-03-10';
  const engine = createAnswerEngine({ gazetteer: loadGazetteer(), knowledge: loadKnowledge(), directory: parsed.directory });
  const sourceLine = (text: string, locale: string, today: string, months = 6) => {
    const answer = engine.answer({ text, locale, homeAuthority: null, now: new Date(`${today}T10:00:00Z`) });
    const json = JSON.stringify(renderAnswerCard(answer, 'https://lotse.example/erlass', { today, months })!.content);
    return json;
  };

  it('within the period: the date only', () => {
    const card = sourceLine('Wer ist die IB in Köln?', 'de-DE', '2026-09-09');
    expect(card).toContain('Angaben zuletzt bestätigt am 10.03.2026');
    expect(card).not.toContain('Bestätigung steht aus');
  });

  it('after the period: the date and that a confirmation is pending, in German and English', () => {
    expect(sourceLine('Wer ist die IB in Köln?', 'de-DE', '2026-09-10')).toContain('Angaben zuletzt bestätigt am 10.03.2026; eine Bestätigung steht aus');
    expect(sourceLine('Who is the integration commissioner in Cologne?', 'en-US', '2026-09-10')).toMatch(/Details last confirmed on [^"]*2026; a confirmation is pending/);
  });

  it('a shorter configured period makes it pending sooner', () => {
    expect(sourceLine('Wer ist die IB in Köln?', 'de-DE', '2026-06-10', 3)).toContain('eine Bestätigung steht aus');
  });
});
