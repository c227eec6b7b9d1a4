/**
 * The tab's English texts read as English (the cards' reading rule, test/support/cardReading.ts): no German word the
 * product itself writes, apart from the terms the English texts keep on purpose. Functions are called with sample
 * values that are English or kept terms, so only the tab's own words are read.
 */
import { TAB_TEXTS } from '../../../bot/tab/texts';
import { REQUEST_FORM_TEXTS } from '../../../tab/src/requestForm';
import { TEXTS } from '../../../tab/src/texts';
import { germanWords } from '../../support/cardReading';

/** Every text of a resource object, functions called with harmless English samples, with its key path. */
function allTexts(value: unknown, path: string): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (typeof value === 'function') {
    const samples = Array.from({ length: (value as (...a: unknown[]) => unknown).length }, (_, i) => (i === 0 ? 'Bezirksregierung Arnsberg' : 3));
    return allTexts((value as (...a: unknown[]) => unknown)(...samples), `${path}()`);
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => allTexts(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => allTexts(v, path ? `${path}.${k}` : k));
  return [];
}

it.each([
  ['the page (tab/src/texts.ts)', TEXTS.en],
  ['the workflow sections (bot/tab/texts/en.ts)', TAB_TEXTS.en],
  ['the Anliegen form (tab/src/requestForm.ts)', REQUEST_FORM_TEXTS.en],
])('finds no German word in the English texts of %s', (_where, texts) => {
  const all = allTexts(texts, '');
  expect(all.length).toBeGreaterThan(0);
  const found = all.flatMap(([path, text]) => germanWords(text).map((w) => `${path}: ${w} in "${text}"`));
  expect(found).toEqual([]);
});

it('reads the German texts of the tab as German (the sample check finds what it should)', () => {
  const found = allTexts(TEXTS.de, '').flatMap(([, text]) => germanWords(text));
  expect(found).toContain('Anliegen');
});
