/**
 * How wide Teams draws a row of card buttons on its narrowest card (328 px, the phone), in one place: the request
 * views choose their button rows with it (services/requests/views.ts) and the reading checks test every card with it
 * (test/support/cardReading.ts). The card gallery (scripts/gallery.ts) measures the rendered buttons and reports where
 * this estimate and the measurement disagree.
 *
 * Label widths are the advance widths of Selawik Semibold at 14 px (Teams draws buttons in Segoe UI Semibold 14 px;
 * Selawik is Microsoft's open-licensed, metric-compatible stand-in for Segoe UI, SIL OFL 1.1), measured in Chromium
 * with the gallery's font files (scripts/galleryFonts/). Selawik has no kerning, so a label's width is the sum of its
 * characters'. A character not in the table counts as wide as an "A" (10 px), on the safe side.
 */

/** Advance width in px at 14 px, Selawik Semibold, grouped by width. */
const WIDTH_GROUPS: ReadonlyArray<readonly [number, string]> = [
  [3, ':'],
  [4, " !',.;Iijl‘’·"],
  [5, '()r'],
  [6, '"*-/?Js”'],
  [7, 'EFLceftvxy–„“'],
  [8, '0123456789#BPSYakzä'],
  [9, 'CKRTVXZbdghnopquÄöüß'],
  [10, 'ADHUÜ'],
  [11, '+GNOQwÖ'],
  [12, '%&m…'],
  [13, 'M'],
  [14, '@W'],
  [15, '—'],
];
const CHAR_PX: ReadonlyMap<string, number> = new Map(WIDTH_GROUPS.flatMap(([px, chars]) => [...chars].map((c) => [c, px] as const)));
const UNKNOWN_CHAR_PX = 10;

/** Teams' narrowest card (the phone). */
export const NARROW_CARD_PX = 328;
/** The card's padding on each side (Teams host config `spacing.padding`). */
export const CARD_PADDING_PX = 16;
/** What a row of buttons has at 328 px: the card less its padding. */
export const NARROW_ROW_PX = NARROW_CARD_PX - 2 * CARD_PADDING_PX;
/** Between two buttons (host config `actions.buttonSpacing`). */
export const BUTTON_GAP_PX = 8;
/** A button's own width besides its label: 12 px padding and a 1 px border on each side. */
export const BUTTON_OWN_PX = 26;
/** The overflow button "…", shown when any action of the row is `mode: "secondary"`. */
export const OVERFLOW_BUTTON_PX = 38;
/** Buttons visible side by side at 328 px; the rest belong in the overflow menu (`mode: "secondary"`). */
export const MAX_PRIMARY_ACTIONS = 2;

/** The label's width in px, as Teams draws it on a button (Selawik Semibold 14 px). */
export function labelWidthPx(title: string): number {
  let px = 0;
  for (const c of title) px += CHAR_PX.get(c) ?? UNKNOWN_CHAR_PX;
  return px;
}

/** The width of a row of buttons with these labels, and the "…" menu when `overflow`. */
export function buttonRowWidthPx(titles: readonly string[], overflow: boolean): number {
  const buttons = titles.length + (overflow ? 1 : 0);
  const labels = titles.reduce((sum, t) => sum + labelWidthPx(t) + BUTTON_OWN_PX, 0);
  return labels + (overflow ? OVERFLOW_BUTTON_PX : 0) + Math.max(0, buttons - 1) * BUTTON_GAP_PX;
}

/** Whether these labels (and the "…" menu when `overflow`) stand side by side at 328 px without a label being cut. */
export function buttonRowFits(titles: readonly string[], overflow: boolean): boolean {
  return buttonRowWidthPx(titles, overflow) <= NARROW_ROW_PX;
}

/** Between two columns of a ColumnSet (host config `spacing.default`). */
export const COLUMN_SPACING_PX = 12;

/** The width of `text` in Selawik Semibold at `sizePx` (the table is at 14 px; widths scale with the size). */
export function semiboldWidthPx(text: string, sizePx: number): number {
  return (labelWidthPx(text) * sizePx) / 14;
}

/**
 * Whether a card's title (Large, 18 px, bolder) can stand beside its tags (Small, 12 px, bolder: "Frist 18.12.2026",
 * "Eilig") at 328 px without a word of the title being broken: its longest word and the widest tag must fit side by
 * side. Otherwise the tags belong below the title (cards/templates/item.json), and the title wraps between words.
 */
export function titleFitsBesideTags(title: string, tags: readonly string[]): boolean {
  if (!tags.length) return true;
  const longestWord = Math.max(0, ...title.split(/\s+/).map((w) => semiboldWidthPx(w, 18)));
  const widestTag = Math.max(...tags.map((t) => semiboldWidthPx(t, 12)));
  return longestWord + COLUMN_SPACING_PX + widestTag <= NARROW_ROW_PX;
}
