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

/** Teams shows at most 10 commands per scope list (manifest schema `commandLists[].commands` maxItems). */
export const MAX_COMMANDS_PER_SCOPE = 10;

/**
 * In display order. The personal list is full: „Meine Angaben“ and „Unbeantwortete Fragen“ (IB only) are reached by
 * typing them, from the help card and, for the questions, in the personal tab; rooms get nothing that shows personal data.
 */
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
    handledBy: 'requests.form',
    scopes: ['personal'],
    de: { title: 'Anliegen', description: 'Ein Anliegen vertraulich an Ihre IB senden; Sie sehen den Bearbeitungsstand.' },
    en: { title: 'New request', description: 'Send a request to your integration commissioner in confidence; you see its status.' },
  },
  {
    handledBy: 'requests.mine',
    scopes: ['personal'],
    de: { title: 'Meine Anliegen', description: 'Ihre Anliegen mit ihrem aktuellen Stand.' },
    en: { title: 'My requests', description: 'Your requests with their current status.' },
  },
  {
    handledBy: 'requests.inbox',
    scopes: ['personal'],
    de: { title: 'Offene Vorgänge', description: 'Für IB und Vertretung: offene Anliegen Ihrer Bezirksregierung.' },
    en: { title: 'Inbox', description: 'For commissioners and deputies: open requests of your authority.' },
  },
  {
    handledBy: 'reports.form',
    scopes: ['personal'],
    de: { title: 'Vortrag', description: 'Für IB: einen Vortrag bei der Behördenleitung anmelden (Nr. 4 des Erlasses).' },
    en: { title: 'New report', description: 'For commissioners: submit a report to the head of the authority (no. 4 of the decree).' },
  },
  {
    handledBy: 'circle.overview',
    scopes: ['personal'],
    de: { title: 'Koordinierungskreis', description: 'Nächste Sitzung, offene Terminumfragen und Ihre Rückmeldungen.' },
    en: { title: 'Coordination circle', description: 'Next meeting, open date polls and your replies.' },
  },
  {
    handledBy: 'circle.overview',
    scopes: ['personal'],
    de: { title: 'Nächste Sitzung', description: 'Wann und wo der Koordinierungskreis das nächste Mal tagt.' },
    en: { title: 'Next meeting', description: 'When and where the coordination circle meets next.' },
  },
  {
    handledBy: 'circle.poll',
    scopes: ['personal'],
    de: { title: 'Terminumfrage', description: 'Für das KfI: dem Koordinierungskreis 2 bis 10 Termine vorschlagen.' },
    en: { title: 'New date poll', description: 'For the KfI: propose 2 to 10 dates to the coordination circle.' },
  },
  {
    handledBy: 'profile.chooseAuthority',
    scopes: ['personal'],
    de: { title: 'Meine Bezirksregierung', description: 'Legt fest oder ändert, für welche Bezirksregierung Sie arbeiten.' },
    en: { title: 'My authority', description: 'Sets or changes the Bezirksregierung you work for.' },
  },
  {
    handledBy: 'circle.channel',
    scopes: ['team'],
    de: { title: 'Koordinierungskreis hier posten', description: 'Für das KfI: Umfragen und Einladungen des Koordinierungskreises in diesem Kanal posten.' },
    en: { title: 'Post the circle here', description: "For the KfI: post the coordination circle's polls and invitations in this channel." },
  },
];
