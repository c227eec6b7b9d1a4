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
        'Ich helfe Ihnen, die richtige Ansprechperson für Integration und interkulturelle Öffnung zu finden: die Integrationsbeauftragten der fünf Bezirksregierungen in NRW und das Kompetenzzentrum für Integration. Fragen Sie einfach in eigenen Worten.',
      examplesTitle: 'Zum Beispiel:',
      examples: ['Wer ist für Marl zuständig?', 'Wer ist meine Integrationsbeauftragte?', 'Was macht die oder der Integrationsbeauftragte?', 'Hilfe'],
      privacy:
        'Bitte schreiben Sie keine Namen, Geburtsdaten, Aktenzeichen oder Adressen anderer Personen in den Chat: Ich vermittle Ansprechpersonen, ich führe keine Fallakten.',
      helpButton: 'Was kann ich fragen?',
    },
    help: {
      title: 'Was der Integrations-Lotse kann',
      intro: 'Schreiben Sie mir Ihre Frage in eigenen Worten, auf Deutsch oder Englisch. Ich antworte aus dem gepflegten Verzeichnis und dem Runderlass.',
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
        'I help you find the right contact for integration and intercultural opening: the integration commissioners of the five district governments (Bezirksregierungen) in North Rhine-Westphalia and the Kompetenzzentrum für Integration. Just ask in your own words.',
      examplesTitle: 'For example:',
      examples: ['Who is responsible for Marl?', 'Who is my integration commissioner?', 'What does the integration commissioner do?', 'help'],
      privacy:
        "Please do not post other people's names, dates of birth, file numbers or addresses in the chat: I route you to the right contact; I do not keep case files.",
      helpButton: 'What can I ask?',
    },
    help: {
      title: 'What Integrations-Lotse can do',
      intro: 'Ask me in your own words, in German or English. I answer from the maintained directory and the decree.',
      source: 'Basis: decree "Bestellung von Integrationsbeauftragten bei den Bezirksregierungen" of 5 Dec 2023 (RdErl. v. 5.12.2023).',
    },
  },
} as const;

