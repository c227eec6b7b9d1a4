/**
 * Every card the Lotse sends, read as a user reads it (test/support/cardReading.ts): no internal ids, no ISO dates or
 * time-zone names, no raw URLs, no English words in German views and no German words in English ones (what people
 * typed and the directory's free text excepted), and no more buttons than fit at 328 px. The fixtures are
 * the gallery's (test/fixtures/cards.ts, `npm run gallery`).
 */
import { cardFixtures, fixtureUserTexts, type CardFixture } from '../../fixtures/cards';
import { expectValidCard } from '../../support/cardChecks';
import { describeFindings, readCard } from '../../support/cardReading';

let german: CardFixture[];
beforeAll(async () => {
  german = (await cardFixtures()).filter((f) => f.lang === 'de');
});

it('covers every German card fixture', () => {
  expect(german.length).toBeGreaterThan(40);
});

it('finds nothing a German reader would stumble over on any card', () => {
  expect(german.length).toBeGreaterThan(40);
  const problems: Record<string, string[]> = {};
  for (const f of german) {
    const lines = describeFindings(readCard(f.card, 'de'));
    if (lines.length) problems[f.name] = lines;
  }
  expect(problems).toEqual({});
});

it('finds no ids, ISO dates, time zones, bare URLs, German words or buttons cut at 328 px on any English card either', async () => {
  const english = (await cardFixtures()).filter((f) => f.lang === 'en');
  expect(english.length).toBe(german.length);
  const typed = await fixtureUserTexts();
  expect(typed).toContain('Sprachkurse für neu zugewanderte Beschäftigte');
  const problems: Record<string, string[]> = {};
  for (const f of english) {
    const lines = describeFindings(readCard(f.card, 'en', typed));
    if (lines.length) problems[f.name] = lines;
  }
  expect(problems).toEqual({});
});

it('sends only cards Teams accepts (valid Adaptive Card 1.5, at most Teams\' number of actions, nothing unbound)', () => {
  expect(german.length).toBeGreaterThan(40);
  const problems: Record<string, string> = {};
  for (const f of german) {
    try {
      expectValidCard(f.card, f.lang);
    } catch (err) {
      problems[f.name] = (err as Error).message.replace(/\s+/g, ' ').slice(0, 300);
    }
  }
  expect(problems).toEqual({});
});

it('puts the Frist below a title whose long compound would be broken beside it at 328 px, and beside a title of short words', async () => {
  const all = await cardFixtures();
  const body = (name: string) => (all.find((f) => f.name === name)!.card.body as Array<{ type: string; items?: Array<{ text?: string }>; columns?: unknown[] }>);
  const long = body('item/ib/long-subject/de')[1];
  expect(long.type).toBe('Container');
  expect(long.items!.map((i) => i.text)).toEqual(['Integrationsbeauftragte Stellenausschreibungsverfahren', 'Frist 18.12.2026']);
  expect(body('item/ib/neu/de')[1].type).toBe('ColumnSet');
});
