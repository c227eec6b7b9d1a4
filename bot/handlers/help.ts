import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { freezeCard } from '../../cards/defineCard';
import { helpCard, type HelpAudience, type HelpSection, type MessageButton } from '../../cards/helpCard';
import { welcomeCard } from '../../cards/welcomeCard';
import type { Directory } from '../../services/directory/model';
import type { GroupSnapshot } from '../../services/directory/groupRoles';
import { rolesOf, type Roles } from '../../services/directory/roles';
import { texts, type Lang } from '../texts';
import { invokeResponse, type Caller, type Feature } from './types';

const HELP_WORDS = new Set(['hilfe', 'help', '?', 'menü', 'menu', 'start', 'was kannst du', 'what can you do', 'befehle', 'commands']);

/** The audiences a person belongs to, from their roles in the stored directory (never from card data). */
export function audiencesOf(roles: Roles | undefined): Set<HelpAudience> {
  const out = new Set<HelpAudience>();
  if (!roles) return out;
  if (roles.commissionerOf.length + roles.deputyOf.length > 0) out.add('commissioner');
  if (roles.headOf.length + roles.headOfficeOf.length > 0) out.add('head');
  if (roles.kfi) out.add('kfi');
  if (roles.circleMember || roles.kfi) out.add('circle');
  return out;
}

/** The sections this viewer sees: those for everyone and those of their roles. */
export function sectionsFor(sections: readonly HelpSection[], audiences: ReadonlySet<HelpAudience>): HelpSection[] {
  return sections.filter((s) => !s.audience || s.audience.some((a) => audiences.has(a as HelpAudience)));
}

/** The three main actions as buttons (the first two primary), from bot/texts.ts. */
function mainActions(lang: Lang): MessageButton[] {
  return texts[lang].welcome.actions.map((a) => ({ ...a }));
}

/**
 * Builds the help card from the sections the viewer may see. `personal`: the main actions as buttons (they send
 * their command as the user's message, which reaches the bot only in the personal chat).
 */
export function renderHelp(lang: Lang, sections: readonly HelpSection[], options: { personal?: boolean } = {}) {
  const t = texts[lang].help;
  return helpCard({
    lang,
    title: t.title,
    intro: t.intro,
    sections: sections.map(({ heading, description, examples }) => ({ heading, description, examples })),
    source: t.source,
    actions: options.personal === false ? [] : mainActions(lang),
  });
}

export function renderWelcome(lang: Lang) {
  const t = texts[lang].welcome;
  return welcomeCard({ lang, ...t, examples: [...t.examples], actions: mainActions(lang) });
}

/**
 * "Hilfe"/"help" and the welcome card's "Was kann ich fragen?". `sections` collects the help of all features;
 * `directory` decides the viewer's roles (without it, everyone sees only the sections for everyone).
 */
export function helpFeature(sections: () => Record<Lang, HelpSection[]>, directory?: () => Directory, groups?: () => GroupSnapshot): Feature {
  // The feature list is fixed once the bot runs, so each variant (language, audiences, scope) is rendered once (hot
  // path); the content is only serialised, never changed, so it is shared (frozen: its JSON is cached for replies).
  const rendered = new Map<string, Record<string, unknown>>();
  const card = (caller: Caller, personal: boolean) => {
    const audiences = audiencesOf(directory ? rolesOf(directory(), caller.aadObjectId, groups?.()) : undefined);
    const key = `${caller.lang}|${[...audiences].sort().join(',')}|${personal}`;
    let content = rendered.get(key);
    if (!content) {
      content = freezeCard(renderHelp(caller.lang, sectionsFor(sections()[caller.lang], audiences), { personal }).content);
      rendered.set(key, content);
    }
    return content;
  };
  const personal = (context: TurnContext) => (context.activity.conversation?.conversationType ?? 'personal') === 'personal';
  const send = async (context: TurnContext, caller: Caller) => {
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card(caller, personal(context)))));
  };
  return {
    name: 'help',
    commands: [{ id: 'help', matches: (t) => HELP_WORDS.has(t), run: send }],
    verbs: [
      {
        verb: 'help.show',
        schema: z.object({}).passthrough(),
        run: async (context, caller) => invokeResponse.card(card(caller, personal(context))),
      },
    ],
    help: {
      de: [{ heading: 'Hilfe', description: 'Zeigt diese Übersicht.', examples: '„Hilfe“' }],
      en: [{ heading: 'Help', description: 'Shows this overview.', examples: '"help"' }],
    },
  };
}
