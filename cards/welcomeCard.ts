import template from './templates/welcome.json';
import { defineCard } from './defineCard';

export interface WelcomeCardData {
  lang: string;
  title: string;
  intro: string;
  examplesTitle: string;
  examples: string[];
  privacy: string;
  helpButton: string;
}

/** Sent once when a user installs the app in personal scope. Its button opens the help card in place (`help.show`). */
export const welcomeCard = defineCard<WelcomeCardData>(template);
