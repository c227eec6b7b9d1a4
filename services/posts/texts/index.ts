import type { Lang } from '../../workflow/texts';
import { de } from './de';
import { en } from './en';

/** The posts' texts per language. */
export const POST_TEXTS = { de, en } as const satisfies Record<Lang, typeof de>;
