import template from './templates/paperFileConfirm.json';
import { defineCard } from './defineCard';

export interface PaperFileCardData {
  lang: string;
  heading: string;
  /** „Als Vorlage zu „<Betreff>“ einreichen?“, or with several Vorträge the question which one (escaped). */
  question: string;
  fileLabel: string;
  /** The file's name for display (escaped). */
  fileName: string;
  /** Several Vorträge wait for a paper: the IB chooses one (`choices`); else the one is `firstChoice`. */
  choose: boolean;
  chooseLabel: string;
  chooseMissing: string;
  /** `authority|id|rev` of the Vortrag preselected (the only one, or the oldest). */
  firstChoice: string;
  choices: Array<{ title: string; value: string }>;
  hint: string;
  confirmLabel: string;
  /** The id under which the Lotse holds the file (paperFileStore.ts); name and type are read from there again. */
  file: string;
}

/** A file the IB sent in the personal chat: "hand it in as the paper of this Vortrag?" (issue 17). */
export const paperFileCard = defineCard<PaperFileCardData>(template);
