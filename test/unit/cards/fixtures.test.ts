import { renderCardFixtures, type CardFixtures } from '../../fixtures/cards';

describe('the card fixtures (gallery and reading checks)', () => {
  let rendered: CardFixtures;
  beforeAll(async () => {
    rendered = await renderCardFixtures();
  });

  it('all render', () => {
    expect(rendered.broken).toEqual([]);
  });

  it('cover every card in German and English under the same names', () => {
    const all = [...rendered.fixtures, ...rendered.broken];
    const base = (lang: string) => all.filter((f) => f.lang === lang).map((f) => f.name.replace(/\/(de|en)$/, ''));
    expect(base('de').length).toBeGreaterThan(40);
    expect(base('en').sort()).toEqual(base('de').sort());
  });
});
