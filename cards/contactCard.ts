import template from './templates/contact.json';
import { defineCard } from './defineCard';

export interface ContactFact {
  label: string;
  /** Display text, escaped with `cardText`, or a link from `mailtoLink`/`telLink` (services/text/escape.ts). */
  value: string;
}

/** A way to reach the person as a button: Teams chat, e-mail, phone. */
export interface ContactAction {
  title: string;
  /** https deep link into Teams, `mailto:` or `tel:`. */
  url: string;
  /** At most two primary actions on the whole card; the rest go to the overflow menu ("…"). */
  mode: 'primary' | 'secondary';
}

export interface ContactPerson {
  /** '' for the IB themselves; "Vertretung", "Zurzeit abwesend", "Büro der Behördenleitung" otherwise. */
  role: string;
  name: string;
  /** The person's function in their own grammatical form ("Integrationsbeauftragte"); '' for none. */
  title: string;
  /** Each fact once: unit, office hours, phone, e-mail. */
  facts: ContactFact[];
  actions: ContactAction[];
}

export interface ContactCardData {
  lang: string;
  /** Whom this card names, as one short sentence ("Ihre IB bei der Bezirksregierung Köln"). */
  heading: string;
  /** What else the question needed ("Für Marl ist die Bezirksregierung Münster zuständig."); '' for nothing. */
  intro: string;
  /** Absence notice ('' for none). */
  notice: string;
  people: ContactPerson[];
  /** "Quelle: RdErl. v. 5.12.2023, Nr. 5 b · Verzeichnis geprüft am …" with a link to the decree. */
  source: string;
  /** '' hides the button. */
  requestLabel: string;
  authority: string;
  /** "Einfach erklärt" / "Normale Sprache" in the "…" menu (issue 18); '' hides it. */
  styleLabel?: string;
  /** The question the card answers, sent back with `answers.style` to answer it again in the other style. */
  styleQuestion?: string;
  /** `plain` or `standard`: the style the button asks for. */
  styleTarget?: string;
}

/** Whom to contact: the IB (and deputy when absent) of one authority, with ways to reach them. */
export const contactCard = defineCard<ContactCardData>(template);
