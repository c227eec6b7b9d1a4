import template from './templates/myDataSummary.json';
import { defineCard } from './defineCard';

/** One kind of stored data: a title and its lines (counts and German dates, no ids). */
export interface MyDataKind {
  title: string;
  lines: string[];
}

export interface MyDataSummaryCardData {
  lang: string;
  heading: string;
  intro: string;
  kinds: MyDataKind[];
  /** Where the full file is (the tab's download). */
  download: string;
  /** How to delete ("Meine Daten löschen"). */
  erase: string;
  /** Deep link to the personal tab "Mein Lotse"; '' hides the button. */
  tabUrl: string;
  tabLabel: string;
  eraseLabel: string;
}

/** "Meine Daten" in the personal chat: what the Lotse stores about the person, by kind, with the full file in the tab. */
export const myDataSummaryCard = defineCard<MyDataSummaryCardData>(template);
