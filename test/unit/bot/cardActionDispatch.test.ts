import { CloudAdapter, ConfigurationBotFrameworkAuthentication, INVOKE_RESPONSE_KEY, TeamsActivityHandler, TurnContext, type Activity, type InvokeResponse } from 'botbuilder';
import { z } from 'zod';
import { invokeResponse, type Feature } from '../../../bot/handlers/types';
import { TeamsBot } from '../../../bot/teamsBot';
import { texts } from '../../../bot/texts';
import type { ConversationLifecycle } from '../../../bot/delivery/conversationLifecycle';
import { silentLogger } from '../../../services/logging';
import type { UserProfileRepository } from '../../../services/users/userProfiles';
import { cardAction, message, user } from '../../support/activities';

/**
 * TeamsBot answers Action.Execute invokes itself instead of through botbuilder's generator-based dispatch (issue 14:
 * the old generation's growth per card action). These tests hold its answers to what botbuilder's dispatch of the
 * same bot gives, for every kind of outcome.
 */
describe('card actions answered by TeamsBot itself, as botbuilder would answer them', () => {
  const person = user({ name: 'Karla Karte (Beispiel)' });
  const feature: Feature = {
    name: 'demo',
    verbs: [
      {
        verb: 'demo.count',
        schema: z.object({ n: z.number().int() }),
        run: async (_context, caller, data) => ({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: `${caller.lang} ${data.n}` }] } }),
      },
      { verb: 'demo.conflict', schema: z.object({}), run: async () => invokeResponse.error(409, 'Conflict', 'schon geändert') },
      { verb: 'demo.mine', personalOnly: true, schema: z.object({}), run: async () => invokeResponse.error(404, 'NotFound', 'nicht gefunden') },
      {
        verb: 'demo.fails',
        schema: z.object({}),
        run: async () => {
          throw new Error('handler failed');
        },
      },
    ],
  };
  const seen: string[] = [];
  const lifecycle = { seen: async (context: TurnContext) => void seen.push(context.activity.type) } as unknown as ConversationLifecycle;
  const bot = new TeamsBot({ features: [feature], profiles: { get: async () => undefined, update: async () => undefined } as unknown as UserProfileRepository, logger: silentLogger, lifecycle });
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));

  /** The invoke response a dispatch leaves in the turn (where CloudAdapter's processActivity takes it from). */
  async function answer(dispatch: (context: TurnContext) => Promise<void>, activity: unknown): Promise<InvokeResponse | undefined> {
    const context = new TurnContext(adapter, JSON.parse(JSON.stringify(activity)) as Activity);
    await dispatch(context);
    return (context.turnState.get(INVOKE_RESPONSE_KEY) as { value?: InvokeResponse } | undefined)?.value;
  }
  const ours = (context: TurnContext) => bot.run(context);
  // ActivityHandler's run on the same bot: onTurnActivity, onInvokeActivity (TeamsBot's, then Teams' and botbuilder's),
  // onAdaptiveCardInvoke, the invoke response sent through the turn.
  const botbuilders = (context: TurnContext) => TeamsActivityHandler.prototype.run.call(bot, context);

  beforeEach(() => {
    seen.length = 0;
  });

  it.each([
    ['a verb with valid data', cardAction('demo.count', { n: 3 }, { from: person })],
    ['a handler that refuses (409)', cardAction('demo.conflict', {}, { from: person })],
    ['an unknown verb', cardAction('demo.nope', {}, { from: person })],
    ['data the schema refuses', cardAction('demo.count', { n: 'drei' }, { from: person })],
    ['a personal verb on a card in a group chat', cardAction('demo.mine', {}, { from: person, scope: 'groupChat' })],
    ['an English client', cardAction('demo.count', { n: 4 }, { from: user({ name: 'Ed English (Beispiel)', locale: 'en-GB' }) })],
  ])('gives the same invoke response for %s', async (_name, activity) => {
    const expected = await answer(botbuilders, activity);
    expect(expected?.status).toEqual(expect.any(Number));
    expect(await answer(ours, activity)).toEqual(expected);
  });

  it('lets a failing handler fail the turn, as botbuilder does (the adapter answers 500)', async () => {
    const activity = cardAction('demo.fails', {}, { from: person });
    await expect(answer(botbuilders, activity)).rejects.toThrow('handler failed');
    await expect(answer(ours, activity)).rejects.toThrow('handler failed');
  });

  it('answers an invoke that is not Action.Execute with 400 and the polite text, as botbuilder answers 400', async () => {
    const base = cardAction('demo.count', { n: 1 }, { from: person });
    for (const activity of [
      { ...base, value: undefined },
      { ...base, value: { action: { type: 'Action.Submit', verb: 'demo.count', data: { n: 1 } } } },
    ]) {
      expect((await answer(botbuilders, activity))?.status).toBe(400);
      const ourAnswer = await answer(ours, activity);
      expect(ourAnswer?.status).toBe(400);
      expect(JSON.stringify(ourAnswer?.body)).toContain(texts.de.invalidCardAction);
    }
  });

  it('keeps an invoke response a handler set itself', async () => {
    const own = { type: 'invokeResponse', value: { status: 202 } };
    const context = new TurnContext(adapter, cardAction('demo.count', { n: 1 }, { from: person }) as unknown as Activity);
    context.turnState.set(INVOKE_RESPONSE_KEY, own);
    await bot.run(context);
    expect(context.turnState.get(INVOKE_RESPONSE_KEY)).toBe(own);
  });

  it('tells the conversation lifecycle about every turn, card action or not, once', async () => {
    await answer(ours, cardAction('demo.count', { n: 1 }, { from: person }));
    await answer(ours, message('hallo', { from: person }));
    expect(seen).toEqual(['invoke', 'message']);
  });
});
