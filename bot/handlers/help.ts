import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { helpCard, type HelpSection } from '../../cards/helpCard';
import { welcomeCard } from '../../cards/welcomeCard';
import { texts, type Lang } from '../texts';
import { invokeResponse, type Caller, type Feature } from './types';

const HELP_WORDS = new Set(['hilfe', 'help', '?', 'menü', 'menu', 'start', 'was kannst du', 'what can you do', 'befehle', 'commands']);

/** Builds the help card from every feature's help entries. */
export function renderHelp(lang: Lang, sections: HelpSection[]) {
  const t = texts[lang].help;
  return helpCard({ lang, title: t.title, intro: t.intro, sections, source: t.source });
}

export function renderWelcome(lang: Lang) {
  const t = texts[lang].welcome;
  return welcomeCard({ lang, ...t, examples: [...t.examples] });
}

/** "Hilfe"/"help" and the welcome card's button. `sections` collects the help of all features. */
export function helpFeature(sections: () => Record<Lang, HelpSection[]>): Feature {
  const send = async (context: TurnContext, caller: Caller) => {
    const card = renderHelp(caller.lang, sections()[caller.lang]);
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card.content)));
  };
  return {
    name: 'help',
    commands: [{ id: 'help', matches: (t) => HELP_WORDS.has(t), run: send }],
    verbs: [
      {
        verb: 'help.show',
        schema: z.object({}).passthrough(),
        run: async (_context, caller) => invokeResponse.card(renderHelp(caller.lang, sections()[caller.lang]).content),
      },
    ],
    help: {
      de: [{ heading: 'Hilfe', description: 'Zeigt diese Übersicht.', examples: '„Hilfe“' }],
      en: [{ heading: 'Help', description: 'Shows this overview.', examples: '"help"' }],
    },
  };
}
