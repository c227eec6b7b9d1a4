import { CIRCLE_MESSAGES } from '../../../services/circle/texts';
import { REQUEST_TEXTS } from '../../../services/requests/texts';
import type { Lang, Texts } from '../../../services/workflow/texts';
import type { Localized } from '../wire';
import { de } from './de';
import { en } from './en';

export type TabTexts = Texts<typeof de>;

/** The tab's own workflow texts, by language. */
export const TAB_TEXTS: Record<Lang, TabTexts> = { de, en };

/** Everything the tab's workflow sections say in one language: its own texts and the workflows' resource files. */
const BUNDLES = {
  de: { tab: TAB_TEXTS.de, circle: CIRCLE_MESSAGES.de, requests: REQUEST_TEXTS.de },
  en: { tab: TAB_TEXTS.en, circle: CIRCLE_MESSAGES.en, requests: REQUEST_TEXTS.en },
};
export type TabBundle = (typeof BUNDLES)[Lang];

/**
 * One text in both languages, as the tab's API sends it (`Localized`): the browser picks the language, so the server
 * sends the pair, each half read from its resource file.
 */
export function localized(pick: (texts: TabBundle) => string): Localized {
  return { de: pick(BUNDLES.de), en: pick(BUNDLES.en) };
}
