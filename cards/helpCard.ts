import template from './templates/help.json';
import { defineCard } from './defineCard';

/** Who a help section is for; a section without audience is for everyone. Decided from the directory (roles.ts). */
export type HelpAudience = (typeof HELP_AUDIENCES)[number];
export const HELP_AUDIENCES = ['commissioner', 'head', 'kfi', 'circle'] as const;

export interface HelpSection {
  heading: string;
  description: string;
  /** Example phrases, already joined for display. */
  examples: string;
  /**
   * Shown only to people holding one of these roles (`HelpAudience` values; plain strings so that text resource files,
   * typed `Texts<…>`, can carry them); absent: shown to everyone.
   */
  audience?: readonly string[];
}

/**
 * A main action as a button that sends its command as the user's own message (`imBack`), exactly as if they typed
 * it: the bot answers it like any message. Only in the personal chat (in a channel Teams delivers it without the
 * @mention, so the bot would not receive it).
 */
export interface MessageButton {
  title: string;
  /** The command as typed ("Anliegen senden", "Wer ist meine IB?"). */
  text: string;
  /** At most two primary buttons; the rest in the "…" menu. */
  mode: 'primary' | 'secondary';
}

export interface HelpCardData {
  lang: string;
  title: string;
  intro: string;
  sections: Array<Omit<HelpSection, 'audience'>>;
  source: string;
  /** The main actions; empty outside the personal chat. */
  actions: MessageButton[];
}

/** Lists what the bot can do for this viewer, with examples, in the user's language. */
export const helpCard = defineCard<HelpCardData>(template);
