/**
 * The commands Teams suggests in the compose box (the app manifest's `commandLists`), one source for the manifest,
 * its English localization and the test that sends every title to the bot and checks that it is handled.
 * A feature that adds a text command adds its entry here (title as the user types it, ≤ 32 characters).
 */

/** Where Teams offers a command: the personal chat, team channels, group chats. */
export type CommandScope = 'personal' | 'team' | 'groupChat';

/** One entry of the manifest's command lists. */
export interface CatalogCommand {
  /**
   * The feature command (`Command.id`) that handles the title, or `question` for an example question that the answer
   * engine answers (no command matches it).
   */
  handledBy: string;
  scopes: readonly CommandScope[];
  de: { title: string; description: string };
  en: { title: string; description: string };
}

export const COMMAND_CATALOG: readonly CatalogCommand[] = [
  {
    handledBy: 'help',
    scopes: ['personal', 'team', 'groupChat'],
    de: { title: 'Hilfe', description: 'Zeigt, wobei der Lotse hilft, mit Beispielen.' },
    en: { title: 'Help', description: 'Shows what the Lotse helps with, with examples.' },
  },
  {
    handledBy: 'question',
    scopes: ['personal', 'team', 'groupChat'],
    de: { title: 'Wer ist meine IB?', description: 'Nennt Ihre Integrationsbeauftragte oder Ihren Integrationsbeauftragten mit Kontakt. Sie können jede Frage frei stellen.' },
    en: { title: 'Who is my IB?', description: 'Names the integration commissioner of your authority with contact details. Ask any question in your own words.' },
  },
  {
    handledBy: 'profile.chooseAuthority',
    scopes: ['personal'],
    de: { title: 'Meine Bezirksregierung', description: 'Legt fest oder ändert, für welche Bezirksregierung Sie arbeiten.' },
    en: { title: 'My authority', description: 'Sets or changes the Bezirksregierung you work for.' },
  },
  {
    handledBy: 'directory.edit',
    scopes: ['personal'],
    de: { title: 'Meine Angaben', description: 'Für IB: Sprechzeiten, Abwesenheiten und Vertretung im Verzeichnis pflegen.' },
    en: { title: 'My details', description: 'For commissioners: keep office hours, absences and deputy up to date in the directory.' },
  },
  {
    handledBy: 'questions.unanswered',
    scopes: ['personal'],
    de: { title: 'Unbeantwortete Fragen', description: 'Für IB: Fragen, die der Lotse nicht beantworten konnte, ohne personenbezogene Daten.' },
    en: { title: 'Unanswered questions', description: 'For commissioners: questions the Lotse could not answer, without personal data.' },
  },
];
