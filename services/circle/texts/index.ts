import type { Lang } from '../../workflow/texts';
import { de } from './de';
import { en } from './en';

/** The circle's texts per language. */
export const CIRCLE_MESSAGES = { de, en } as const;
export const circleTexts = (lang: Lang) => CIRCLE_MESSAGES[lang];
