import { buttonRowFits, buttonRowWidthPx, labelWidthPx, NARROW_ROW_PX, semiboldWidthPx, titleFitsBesideTags } from '../../../services/text/buttonWidth';

describe('the button-row estimate at 328 px (Selawik Semibold 14 px)', () => {
  it.each([
    // Widths measured in Chromium with the gallery's Selawik Semibold (scripts/galleryFonts/).
    ['Antworten', 74],
    ['Nachfragen', 80],
    ['Rückfrage stellen', 117],
    ['Propose a meeting', 124],
    ['Zur Kenntnis nehmen', 144],
    ['Termin vorschlagen', 130],
  ])('draws "%s" %i px wide', (title, px) => {
    expect(labelWidthPx(title)).toBe(px);
  });

  it('counts a character it does not know as wide as an "A", and nothing for an empty label', () => {
    expect(labelWidthPx('ق')).toBe(labelWidthPx('A'));
    expect(labelWidthPx('')).toBe(0);
  });

  it('adds each button\'s padding and border, the gaps and the "…" menu', () => {
    expect(buttonRowWidthPx(['Antworten'], false)).toBe(74 + 26);
    expect(buttonRowWidthPx(['Antworten', 'Nachfragen'], true)).toBe(74 + 26 + 80 + 26 + 38 + 2 * 8);
    expect(buttonRowWidthPx([], false)).toBe(0);
  });

  it('lets the IB\'s "Antworten" and "Nachfragen" stand beside "…", and not "Rückfrage stellen" (the gallery measured it cut)', () => {
    expect(NARROW_ROW_PX).toBe(296);
    expect(buttonRowFits(['Antworten', 'Nachfragen'], true)).toBe(true);
    expect(buttonRowFits(['Antworten', 'Rückfrage stellen'], true)).toBe(false);
    expect(buttonRowFits(['Antworten', 'Rückfrage stellen'], false)).toBe(true);
  });
});

describe('the title row at 328 px: the title (18 px) beside its tags (12 px)', () => {
  it('keeps short words beside the Frist, and moves the tags below where a long compound would be broken', () => {
    expect(titleFitsBesideTags('Sprachkurse für neu zugewanderte Beschäftigte', ['Frist 18.12.2026'])).toBe(true);
    expect(titleFitsBesideTags('Integrationsbeauftragte Stellenausschreibung', ['Frist 18.12.2026'])).toBe(false);
    expect(titleFitsBesideTags('Integrationsbeauftragte Stellenausschreibung', [])).toBe(true);
    // The widest tag counts ("Überfällig seit …" is wider than "Eilig").
    expect(titleFitsBesideTags('Fortbildungsreihe', ['Eilig'])).toBe(true);
  });

  it('scales the 14 px widths with the size', () => {
    expect(semiboldWidthPx('Antworten', 14)).toBe(74);
    expect(semiboldWidthPx('Antworten', 28)).toBe(148);
  });
});
