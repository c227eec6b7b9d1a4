import template from './templates/directoryConfirm.json';
import { defineCard } from './defineCard';

export interface DirectoryConfirmCardData {
  lang: string;
  heading: string;
  intro: string;
  /** The entry as staff see it: office hours, phone, deputy, coming absences (display-ready, escaped). */
  facts: Array<{ title: string; value: string }>;
  /** "Angaben zuletzt bestätigt am 10.01.2025; eine Bestätigung steht aus." */
  confirmedText: string;
  closing: string;
  /** Which entry the card is about (the handler re-derives what the caller may confirm or edit). */
  authority: string;
  labels: { confirm: string; correct: string };
}

/** The daily prompt to the IB: confirm the directory entry as current, or open it to correct it (RdErl. Nr. 3). */
export const directoryConfirmCard = defineCard<DirectoryConfirmCardData>(template);
