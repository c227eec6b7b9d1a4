/** User-facing texts of the bot itself (the answer engine carries its own knowledge texts). German first. */

import type { Lang } from '../services/workflow/texts';
export { langOf, type Lang } from '../services/workflow/texts';

export const texts = {
  de: {
    turnError:
      'Entschuldigung, da ist bei mir etwas schiefgelaufen. Bitte versuchen Sie es in einem Moment noch einmal. Wenn es wieder nicht klappt, wenden Sie sich bitte an Ihren IT-Service.',
    invalidCardAction: 'Diese Aktion konnte nicht ausgeführt werden: Die Karte ist veraltet oder unvollständig. Bitte öffnen Sie sie neu.',
    personalOnly:
      'Das geht nur im persönlichen Chat mit dem Integrations-Lotsen, damit niemand sonst hier Ihre Vorgänge oder Daten sieht. Öffnen Sie den Chat mit dem Lotsen (Apps › Integrations-Lotse) und schreiben Sie es dort.',
    welcome: {
      title: 'Willkommen beim Integrations-Lotsen',
      intro:
        'Ich nenne Ihnen die richtige Ansprechperson für Integration und interkulturelle Öffnung: Ihre IB, ihre Vertretung und das Kompetenzzentrum für Integration. Anliegen an Ihre IB senden Sie hier vertraulich. Fragen Sie in eigenen Worten.',
      examplesTitle: 'Zum Beispiel (antippen):',
      examples: ['Wer ist meine IB?', 'Wer ist für Marl zuständig?', 'Was macht die oder der IB?'],
      // One visible button and the "…" menu: two labels and the menu do not fit beside each other on a phone (328 px).
      actions: [
        { title: 'Anliegen senden', text: 'Anliegen senden', mode: 'primary' },
        { title: 'Wer ist meine IB?', text: 'Wer ist meine IB?', mode: 'secondary' },
        { title: 'Meine Anliegen', text: 'Meine Anliegen', mode: 'secondary' },
      ],
      privacy:
        'Bitte schreiben Sie keine Namen, Geburtsdaten, Aktenzeichen oder Adressen anderer Personen in den Chat: Ich vermittle Ansprechpersonen, ich führe keine Fallakten.',
      helpButton: 'Was kann ich fragen?',
    },
    // Instead of the welcome card when the bot installed the app for the person to reach them (issue 15).
    installedForYou:
      'Der Integrations-Lotse wurde für Sie eingerichtet, damit Sie Nachrichten zu Integrationsanliegen erhalten. Sie können ihn jederzeit in Teams entfernen; er wird dann nicht erneut installiert. „Hilfe“ zeigt, was er kann.',
    help: {
      title: 'Was der Integrations-Lotse kann',
      intro: 'Schreiben Sie mir Ihre Frage in eigenen Worten, auf Deutsch oder Englisch. Ich antworte aus dem gepflegten Verzeichnis und dem Runderlass. Hier steht, was Sie mit Ihren Aufgaben tun können.',
      source: 'Grundlage: Runderlass „Bestellung von Integrationsbeauftragten bei den Bezirksregierungen“ vom 5.12.2023 (RdErl. v. 5.12.2023).',
    },
  },
  en: {
    turnError: 'Sorry, something went wrong on my side. Please try again in a moment. If it keeps failing, please contact your IT service desk.',
    invalidCardAction: 'This action could not be carried out: the card is outdated or incomplete. Please open it again.',
    personalOnly:
      'This works only in your personal chat with Integrations-Lotse, so that nobody else here sees your items or data. Open the chat with the Lotse (Apps › Integrations-Lotse) and write it there.',
    welcome: {
      title: 'Welcome to Integrations-Lotse',
      intro:
        'I name the right contact for integration and intercultural opening: your integration commissioner (IB), their deputy and the Kompetenzzentrum für Integration. You can send requests to your IB here in confidence. Ask in your own words.',
      examplesTitle: 'For example (tap one):',
      examples: ['Who is my IB?', 'Who is responsible for Marl?', 'What does the IB do?'],
      actions: [
        { title: 'Send a request', text: 'Send a request', mode: 'primary' },
        { title: 'Who is my IB?', text: 'Who is my IB?', mode: 'secondary' },
        { title: 'My requests', text: 'My requests', mode: 'secondary' },
      ],
      privacy:
        "Please do not post other people's names, dates of birth, file numbers or addresses in the chat: I route you to the right contact; I do not keep case files.",
      helpButton: 'What can I ask?',
    },
    installedForYou:
      'Integrations-Lotse was set up for you so that you receive messages about integration matters. You can remove it in Teams at any time; it will then not be installed again. Type "help" to see what it can do.',
    help: {
      title: 'What Integrations-Lotse can do',
      intro: 'Ask me in your own words, in German or English. I answer from the maintained directory and the decree. Below is what you can do in your roles.',
      source: 'Basis: decree "Bestellung von Integrationsbeauftragten bei den Bezirksregierungen" of 5 Dec 2023 (RdErl. v. 5.12.2023).',
    },
  },
} as const;

