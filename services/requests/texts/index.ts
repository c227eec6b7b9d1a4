import type { Lang, Texts } from '../../workflow/texts';
import { de } from './de';
import { en } from './en';

export type RequestTexts = Texts<typeof de>;

/** The texts of Anliegen and Vortrag, by language. */
export const REQUEST_TEXTS: Record<Lang, RequestTexts> = { de, en };
