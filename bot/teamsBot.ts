import {
  type Activity,
  ActivityTypes,
  type FileConsentCardResponse,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  CardFactory,
  INVOKE_RESPONSE_KEY,
  type InvokeResponse,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
} from 'botbuilder';
import type { Logger } from '../services/logging';
import { sameRef, type ConversationRef, type UserProfile, type UserProfileRepository } from '../services/users/userProfiles';
import { renderWelcome } from './handlers/help';
import { invokeResponse, receivedFiles, type CardVerb, type Caller, type Command, type Feature, type FileConsentAnswer, type IntentHandler } from './handlers/types';
import type { ConversationLifecycle } from './delivery/conversationLifecycle';
import { countCardInvoke, inTurnSpan, nameTurn } from './telemetry/turnTelemetry';
import { langOf, texts } from './texts';

/** turnState key under which the caller's stored profile (read once per turn) is kept. */
export const PROFILE_KEY = Symbol('userProfile');

/** Normalises a typed message for command matching: no mention, no surrounding punctuation, lower case. */
export function normaliseCommand(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .trim()
    .replace(/^[\s"'„“»«/!.]+|[\s"'„“»«!.:]+$/g, '')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

/** The caller as Teams identifies them; `undefined` for activities without a user (system events). */
export function callerOf(context: TurnContext): Caller | undefined {
  const a = context.activity;
  const tenantId = (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? a.conversation?.tenantId;
  const aadObjectId = a.from?.aadObjectId;
  if (!aadObjectId || !tenantId) return undefined;
  const clientInfo = a.entities?.find((e) => e.type === 'clientInfo') as { locale?: string } | undefined;
  const locale = a.locale ?? clientInfo?.locale ?? 'de-DE';
  return { aadObjectId: aadObjectId.toLowerCase(), tenantId, lang: langOf(locale), locale };
}

/** The reference the outbox needs to reach this conversation again. */
export function conversationRefOf(context: TurnContext): ConversationRef {
  const a = context.activity;
  const tenantId = (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? a.conversation.tenantId ?? '';
  const type = a.conversation.conversationType;
  return {
    conversationId: a.conversation.id,
    serviceUrl: a.serviceUrl,
    tenantId,
    botId: a.recipient.id,
    conversationType: type === 'channel' || type === 'groupChat' ? type : 'personal',
    userId: type === 'personal' || !type ? a.from.id : undefined,
  };
}

/** True only in the one-to-one chat with the bot: Teams marks it `personal` on every activity. */
export function inPersonalChat(context: TurnContext): boolean {
  return context.activity.conversation?.conversationType === 'personal';
}

/**
 * The intent takeovers of a personal-only feature (the request and report forms) work only in the personal chat;
 * in a room they decline, and the plain answer (who to contact) is sent instead.
 */
export function personalIntents(intents: Record<string, IntentHandler> | undefined): Record<string, IntentHandler> | undefined {
  if (!intents) return undefined;
  return Object.fromEntries(
    Object.entries(intents).map(([intent, handler]): [string, IntentHandler] => [intent, (context, caller, answer) => (inPersonalChat(context) ? handler(context, caller, answer) : Promise.resolve(false))]),
  );
}

export interface TeamsBotDeps {
  features: Feature[];
  profiles: UserProfileRepository;
  logger: Logger;
  /** Keeps team and group-chat references for proactive delivery. */
  lifecycle?: ConversationLifecycle;
}

/**
 * The activity handler. It only dispatches: text commands and card verbs are looked up in tables
 * built from the feature modules; everything a feature does lives in its handler.
 */
export class TeamsBot extends TeamsActivityHandler {
  private readonly commands: Command[];
  private readonly verbs = new Map<string, CardVerb<unknown>>();
  private readonly fallback?: Feature['fallback'];
  private readonly files?: Feature['files'];
  private readonly fileConsent?: Feature['fileConsent'];

  constructor(private readonly deps: TeamsBotDeps) {
    super();
    // A feature marked personalOnly passes the mark to each of its commands and verbs.
    this.commands = deps.features.flatMap((f) => (f.commands ?? []).map((c) => (f.personalOnly ? { ...c, personalOnly: true } : c)));
    for (const verb of deps.features.flatMap((f) => (f.verbs ?? []).map((v) => (f.personalOnly ? { ...v, personalOnly: true } : v)))) {
      if (this.verbs.has(verb.verb)) throw new Error(`card verb ${verb.verb} registered twice`);
      this.verbs.set(verb.verb, verb);
    }
    this.fallback = deps.features.find((f) => f.fallback)?.fallback;
    this.files = deps.features.find((f) => f.files)?.files;
    this.fileConsent = deps.features.find((f) => f.fileConsent)?.fileConsent;

    this.onMessage(async (context, next) => {
      await this.dispatchMessage(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.installed(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.uninstalled(context);
      await next();
    });
  }

  /** Reads the caller's profile once per turn and refreshes the stored personal conversation reference. */
  private async profileOf(context: TurnContext, caller: Caller): Promise<UserProfile | undefined> {
    if (context.turnState.has(PROFILE_KEY)) return context.turnState.get(PROFILE_KEY);
    let profile: UserProfile | undefined = await this.deps.profiles.get(caller.aadObjectId);
    if (context.activity.conversation.conversationType === 'personal') {
      const ref = conversationRefOf(context);
      // Written only when something changed, so an ordinary turn costs one read and no write.
      if (!sameRef(profile?.personal, ref) || profile?.locale !== caller.locale) {
        profile = await this.deps.profiles.update(caller.aadObjectId, caller.tenantId, (p) => ({ ...p, personal: ref, locale: caller.locale }));
      }
    }
    context.turnState.set(PROFILE_KEY, profile);
    return profile;
  }

  private async dispatchMessage(context: TurnContext): Promise<void> {
    const caller = callerOf(context);
    if (!caller) return;
    await this.profileOf(context, caller);
    // A file sent to the bot (Teams delivers files to bots in the personal chat only): its feature decides.
    const files = receivedFiles(context.activity.attachments);
    if (files.length && this.files) {
      nameTurn('command', 'files');
      if (!inPersonalChat(context)) {
        await context.sendActivity(texts[caller.lang].personalOnly);
        return;
      }
      return this.files(context, caller, files);
    }
    const raw = typeof context.activity.text === 'string' ? context.activity.text : '';
    const normalised = normaliseCommand(raw);
    const command = this.commands.find((c) => c.matches(normalised));
    if (command) {
      nameTurn('command', command.id);
      this.deps.logger.info({ event: 'command', command: command.id, activityId: context.activity.id }, 'command');
      if (command.personalOnly && !inPersonalChat(context)) {
        // Nothing personal is posted where others read along; the person is told where it works.
        await context.sendActivity(texts[caller.lang].personalOnly);
        return;
      }
      return command.run(context, caller);
    }
    nameTurn('question');
    if (this.fallback) return this.fallback(context, caller, raw.replace(/<at>[^<]*<\/at>/gi, ' '));
    const help = this.commands.find((c) => c.id === 'help');
    if (help) await help.run(context, caller);
  }

  /**
   * The app was added. In a personal scope the person is greeted with the welcome card, unless the bot installed the
   * app for them to deliver a message (the mark in their profile): then one short note says why it appeared and how
   * to remove it, next to the message itself.
   */
  private async installed(context: TurnContext): Promise<void> {
    await this.deps.lifecycle?.installed(context);
    const caller = callerOf(context);
    if (!caller || context.activity.conversation.conversationType !== 'personal') return;
    await this.profileOf(context, caller);
    const at: unknown = context.activity.timestamp;
    const addAt = at instanceof Date ? at.toISOString() : typeof at === 'string' ? at : undefined;
    if (context.activity.type === 'installationUpdate' && (await this.deps.profiles.takeBotInstall(caller.aadObjectId, caller.tenantId, addAt))) {
      await context.sendActivity(texts[caller.lang].installedForYou);
      return;
    }
    const card = renderWelcome(caller.lang);
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card.content)));
  }

  private async uninstalled(context: TurnContext): Promise<void> {
    await this.deps.lifecycle?.uninstalled(context);
    const caller = callerOf(context);
    if (caller && context.activity.conversation.conversationType === 'personal') {
      await this.deps.profiles.update(caller.aadObjectId, caller.tenantId, (p) => (p.personal ? { ...p, personal: undefined } : undefined));
    }
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const caller = callerOf(context);
    if (!caller) return invokeResponse.error(403, 'Forbidden', 'no user on this activity');
    const verb = this.verbs.get(value.action.verb);
    if (!verb) {
      this.deps.logger.warn({ event: 'card.unknown_verb', activityId: context.activity.id }, 'unknown card verb');
      return invokeResponse.error(400, 'UnknownVerb', texts[caller.lang].invalidCardAction);
    }
    if (verb.personalOnly && !inPersonalChat(context)) {
      this.deps.logger.warn({ event: 'card.not_personal', verb: verb.verb, activityId: context.activity.id }, 'card action outside the personal chat refused');
      return invokeResponse.error(403, 'PersonalChatOnly', texts[caller.lang].personalOnly);
    }
    const parsed = verb.schema.safeParse(value.action.data ?? {});
    if (!parsed.success) {
      this.deps.logger.warn(
        { event: 'card.invalid_data', verb: verb.verb, activityId: context.activity.id, issues: parsed.error.issues.map((i) => i.path.join('.')) },
        'card data rejected',
      );
      return invokeResponse.error(400, 'BadRequest', texts[caller.lang].invalidCardAction);
    }
    return verb.run(context, caller, parsed.data);
  }

  /**
   * A file consent card answered (`fileConsent/invoke`; Teams sends these cards, and their answers, in the personal chat
   * only). The feature that sent the card checks the rest from stored data; the invoke itself is answered 200.
   */
  protected override async handleTeamsFileConsentAccept(context: TurnContext, answer: FileConsentCardResponse): Promise<void> {
    await this.fileConsentAnswer(context, answer);
  }

  protected override async handleTeamsFileConsentDecline(context: TurnContext, answer: FileConsentCardResponse): Promise<void> {
    await this.fileConsentAnswer(context, answer);
  }

  private async fileConsentAnswer(context: TurnContext, answer: FileConsentCardResponse): Promise<void> {
    const caller = callerOf(context);
    nameTurn('command', 'fileConsent');
    if (!caller || !this.fileConsent || !inPersonalChat(context)) {
      this.deps.logger.warn({ event: 'file_consent.ignored', activityId: context.activity.id }, 'file consent answer outside a personal chat or without a feature: ignored');
      return;
    }
    await this.profileOf(context, caller);
    await this.fileConsent(context, caller, answer as FileConsentAnswer);
  }

  /**
   * One span per turn (services/telemetry; a no-op without a connection string). Every activity first tells the
   * conversation lifecycle that the conversation is in use (what `onTurn` handlers do in botbuilder's dispatch), then a
   * card action goes to {@link answerCardAction} and everything else to botbuilder's dispatch.
   */
  override async run(context: TurnContext): Promise<void> {
    return inTurnSpan(context, async () => {
      await this.deps.lifecycle?.seen(context);
      if (isCardAction(context.activity)) return this.answerCardAction(context);
      return super.run(context);
    });
  }

  /**
   * An Action.Execute invoke answered as `ActivityHandler` answers it (`onAdaptiveCardInvoke`, its answer with its
   * status code as the turn's invoke response, where CloudAdapter's `sendActivities` puts an `invokeResponse` and
   * `processActivity` takes it from), in this class's own code instead of botbuilder's dispatch chain. botbuilder-js
   * is compiled to ES2015: each call of one of its `async` methods creates a fresh generator function (TypeScript's
   * `__awaiter`), whose generator needs a hidden class of its own, and V8 (Node 20) allocates those in the old
   * generation however briefly they live (measured: about 0.4 KB per call; a native `async` function, none). The
   * dispatch of one card action made about a dozen such calls (run, the Turn handlers, onTurnActivity,
   * onInvokeActivity twice, the invoke response through sendActivity, defaultNextEvent and the Dialog handlers): 8–9 KB
   * of the 29 KB a card action added to the old generation. That growth sets how often a full collection pauses every
   * request in flight, and those pauses are the p99 of `npm run bench -- actions` (issue 14, docs/benchmarks.md).
   */
  private async answerCardAction(context: TurnContext): Promise<void> {
    const value = context.activity.value as Partial<AdaptiveCardInvokeValue> | undefined;
    const verb = value?.action?.verb;
    // Counted by registered verb only: the verb is the client's text.
    const known = typeof verb === 'string' && this.verbs.has(verb) ? verb : undefined;
    let response: InvokeResponse;
    try {
      const answer =
        value?.action?.type === 'Action.Execute'
          ? await this.onAdaptiveCardInvoke(context, { action: value.action, authentication: value.authentication, state: value.state } as AdaptiveCardInvokeValue)
          : // Teams sends Action.Execute only; anything else is a malformed invoke (botbuilder answers it 400 too).
            invokeResponse.error(400, 'BadRequest', texts[callerOf(context)?.lang ?? langOf(context.activity.locale)].invalidCardAction);
      response = { status: answer.statusCode, body: answer };
    } catch (err) {
      countCardInvoke(known, { status: 500 });
      throw err;
    }
    countCardInvoke(known, response);
    // As ActivityHandler: a handler that set the invoke response itself keeps it.
    if (!context.turnState.get(INVOKE_RESPONSE_KEY)) context.turnState.set(INVOKE_RESPONSE_KEY, { type: ActivityTypes.InvokeResponse, value: response });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const response = await super.onInvokeActivity(context);
    // Invokes this bot does not implement are a client error, not a server fault.
    if (response.status === 501) {
      // A fixed body: the invoke name is the caller's text and is not echoed.
      return { status: 400, body: { code: 'UnsupportedInvoke' } };
    }
    return response;
  }
}

/** An Adaptive Card Universal Action (`adaptiveCard/action` invoke), answered by {@link TeamsBot.answerCardAction}. */
function isCardAction(activity: Partial<Activity>): boolean {
  return activity.type === ActivityTypes.Invoke && activity.name === 'adaptiveCard/action';
}
