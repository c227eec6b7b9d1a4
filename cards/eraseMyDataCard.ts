import template from './templates/eraseMyData.json';
import { defineCard } from './defineCard';

export interface EraseMyDataCardData {
  lang: string;
  heading: string;
  /** Fixed texts of the bot with counts and dates; no user text. */
  paragraphs: string[];
  /** The question with "Endgültig löschen" / "Abbrechen"; false for the outcome that replaces it. */
  confirm: boolean;
  confirmLabel: string;
  cancelLabel: string;
}

/** "Meine Daten löschen": the confirmation step, and the outcome that replaces it in place. */
export const eraseMyDataCard = defineCard<EraseMyDataCardData>(template);
