import template from './templates/contact.json';
import { defineCard } from './defineCard';

export interface ContactFact {
  label: string;
  /** Display text, escaped with `cardText`, or a link from `mailtoLink`/`telLink` (services/text/escape.ts). */
  value: string;
}

export interface ContactPerson {
  /** "Integrationsbeauftragte", "Vertretung", "Büro der Regierungspräsidentin". */
  role: string;
  name: string;
  title: string;
  facts: ContactFact[];
  /** Deep link that opens a Teams chat with the person; '' when no Teams account is known. */
  chatUrl: string;
  chatLabel: string;
}

export interface ContactCardData {
  lang: string;
  heading: string;
  /** The engine's answer text. */
  intro: string;
  /** Absence notice ('' for none). */
  notice: string;
  people: ContactPerson[];
  /** "Quelle: RdErl. v. 5.12.2023, Nr. 5 b · Verzeichnis Stand …" with a link to the decree. */
  source: string;
  /** '' hides the button. */
  requestLabel: string;
  authority: string;
}

/** Whom to contact: the IB (and deputy when absent) of one authority, with ways to reach them. */
export const contactCard = defineCard<ContactCardData>(template);
