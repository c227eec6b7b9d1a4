import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { freezeCard } from '../../cards/defineCard';
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
  // The feature list is fixed once the bot runs, so each language's card is rendered once (hot path);
  // the content is only serialised, never changed, so it is shared (frozen: its JSON is cached for replies).
  const rendered = new Map<Lang, Record<string, unknown>>();
  const card = (lang: Lang) => {
    let content = rendered.get(lang);
    if (!content) rendered.set(lang, (content = freezeCard(renderHelp(lang, sections()[lang]).content)));
    return content;
  };
  const send = async (context: TurnContext, caller: Caller) => {
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card(caller.lang))));
  };
  return {
    name: 'help',
    commands: [{ id: 'help', matches: (t) => HELP_WORDS.has(t), run: send }],
    verbs: [
      {
        verb: 'help.show',
        schema: z.object({}).passthrough(),
        run: async (_context, caller) => invokeResponse.card(card(caller.lang)),
      },
    ],
    help: {
      de: [{ heading: 'Hilfe', description: 'Zeigt diese Übersicht.', examples: '„Hilfe“' }],
      en: [{ heading: 'Help', description: 'Shows this overview.', examples: '"help"' }],
    },
  };
}
