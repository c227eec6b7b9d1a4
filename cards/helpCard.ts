import template from './templates/help.json';
import { defineCard } from './defineCard';

export interface HelpSection {
  heading: string;
  description: string;
  /** Example phrases, already joined for display. */
  examples: string;
}

export interface HelpCardData {
  lang: string;
  title: string;
  intro: string;
  sections: HelpSection[];
  source: string;
}

/** Lists what the bot can do, with examples, in the user's language. */
export const helpCard = defineCard<HelpCardData>(template);
