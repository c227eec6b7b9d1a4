import template from './templates/chooseAuthority.json';
import { defineCard } from './defineCard';

export interface ChooseAuthorityCardData {
  lang: string;
  heading: string;
  intro: string;
  label: string;
  errorMessage: string;
  choices: Array<{ title: string; value: string }>;
  submitLabel: string;
  /** The question to answer once the authority is known ('' for none); the user's own text, shown back to them only. */
  question: string;
}

/** Asks once which Bezirksregierung the user works for; the answer is remembered in their profile. */
export const chooseAuthorityCard = defineCard<ChooseAuthorityCardData>(template);
