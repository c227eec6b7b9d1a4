import { buttonRowFits, buttonRowWidthPx, labelWidthPx, NARROW_ROW_PX } from '../../../services/text/buttonWidth';

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
