import type { Texts } from '../../../services/workflow/texts';
import type { de } from './de';

/** English texts of the answers every workflow gives alike. */
export const en: Texts<typeof de> = {
  forbidden: 'You may not do this here. Nothing was changed.',
  notFound: 'This item does not exist (any more), or it is not visible to you.',
  closed: 'This is no longer possible: the item is closed. Nothing was changed.',
  unavailable: 'This is not possible right now. Nothing was changed.',
  problems: (list: string) => `Please check: ${list}.`,
  problem: {
    missing: 'is missing',
    too_long: 'is too long',
    bad_date: 'is not a valid date',
    past_date: 'is in the past',
    bad_time: 'is not a valid time (HH:MM)',
    bad_url: 'must start with https://',
    unknown_value: 'is not one of the options offered',
    too_many: 'has too many entries',
    personal_data: "contains other people's personal data",
  },
};
