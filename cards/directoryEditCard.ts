import template from './templates/directoryEdit.json';
import { defineCard } from './defineCard';

export interface DirectoryEditCardData {
  lang: string;
  heading: string;
  intro: string;
  /** Outcome of the last save ('' for none) and its container style ('good', 'attention'). */
  status: string;
  statusStyle: 'default' | 'good' | 'attention';
  /** "Angaben zuletzt bestätigt am 10.03.2026" (with "; eine Bestätigung steht aus" once the period is over). */
  confirmedText: string;
  officeHours: string;
  absencesText: string;
  deputy: { name: string; title: string; email: string; phone: string };
  /** Which entry the card edits (shown for orientation; the handler re-derives what the caller may edit). */
  authority: string;
  labels: {
    officeHours: string; absences: string; absenceFrom: string; absenceTo: string; absenceNote: string;
    clearAbsences: string; clearAbsencesLabel: string; deputy: string; deputyPick: string; deputyName: string; deputyTitle: string;
    deputyEmail: string; deputyPhone: string; save: string; confirm: string;
  };
}

/** The IB's self-service card: office hours, absences and deputy of their own directory entry. */
export const directoryEditCard = defineCard<DirectoryEditCardData>(template);
