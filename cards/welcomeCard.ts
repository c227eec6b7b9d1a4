import type { MessageButton } from './helpCard';
import template from './templates/welcome.json';
import { defineCard } from './defineCard';

export interface WelcomeCardData {
  lang: string;
  title: string;
  intro: string;
  examplesTitle: string;
  /** Example questions, each tappable: it sends the question as the user's message. */
  examples: string[];
  privacy: string;
  /** The main actions (ask for the IB, send a request, my requests), as message buttons. */
  actions: MessageButton[];
  helpButton: string;
}

/** Sent once when a user installs the app in personal scope. Its menu opens the help card in place (`help.show`). */
export const welcomeCard = defineCard<WelcomeCardData>(template);
