import template from './templates/knowledgeAnswer.json';
import { defineCard } from './defineCard';

export interface KnowledgeAnswerCardData {
  lang: string;
  /** "Vorschau der Antwort" / "Preview of the answer". */
  heading: string;
  /** Whose questions it answers: "Gilt für Fragen zur Bezirksregierung Düsseldorf". */
  scope: string;
  /** The taught answer, one paragraph each, escaped (`cardText`): it is user text. */
  paragraphs: string[];
  /** "Quelle: RdErl. v. 5.12.2023, Nr. 5 b · [Runderlass im Volltext](…)". */
  source: string;
}

/** A taught answer as the Lotse gives it, shown in the tab before it is published (issue 18). */
export const knowledgeAnswerCard = defineCard<KnowledgeAnswerCardData>(template);
