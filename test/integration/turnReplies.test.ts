import { AuthenticationConstants, ClaimsIdentity, MicrosoftAppCredentials, TokenCredentials } from 'botframework-connector';
import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { ConnectorReplyError, ReplyPoster } from '../../bot/delivery/replyPoster';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID } from '../support/activities';
import { OfflineCredentialsFactory } from '../support/authConfig';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

const isPost = (c: ConnectorCall) => c.operation === 'reply' || c.operation === 'send';

/** A reply as TurnContext hands it to the adapter: addressed from the inbound activity, without an id. */
function replyTo(serviceUrl: string, conversationId: string, replyToId: string | undefined): Partial<Activity> {
  return {
    type: 'message',
    text: 'Hallo',
    channelId: 'msteams',
    serviceUrl,
    from: { id: `28:${DEFAULT_BOT_APP_ID}`, name: 'Integrations-Lotse' },
    recipient: { id: '29:1user', name: 'Erika Beispiel', aadObjectId: 'a1b2' } as Activity['recipient'],
    conversation: { id: conversationId, conversationType: 'personal', tenantId: DEFAULT_TENANT_ID, isGroup: false, name: '' },
    locale: 'de-DE',
    replyToId,
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'ä „x“' }] } }],
    entities: [{ type: 'clientInfo', locale: 'de-DE' }],
  };
}

/** The same with every kind of field the connector schema has: nested models, lists, free objects, a date, nulls. */
function richReplyTo(serviceUrl: string, conversationId: string, replyToId: string | undefined): Partial<Activity> {
  return {
    ...replyTo(serviceUrl, conversationId, replyToId),
    textFormat: 'markdown',
    timestamp: new Date('2026-12-01T10:00:00.000Z'),
    speak: null as unknown as string,
    summary: 'Übersicht',
    suggestedActions: { to: ['29:1user'], actions: [{ type: 'imBack', title: 'Hilfe', value: 'Hilfe', extra: 1 } as never] },
    entities: [{ type: 'mention', text: '<at>Erika</at>', mentioned: { id: '29:1user', name: 'Erika', role: 'user' } } as never, { type: 'clientInfo', locale: 'de-DE' }],
    channelData: { notification: { alert: true }, tenant: { id: DEFAULT_TENANT_ID } },
    value: { nested: [1, { deep: true }] },
    custom: 'not in the schema',
  } as Partial<Activity>;
}

describe('turn replies go to the Bot Connector exactly as botbuilder posts them', () => {
  let emulator: ChannelEmulator;
  const poster = new ReplyPoster({ retryDelayMs: 1 });

  beforeAll(async () => {
    // Teams' service URLs carry a regional path; the reply must keep it.
    emulator = await startChannelEmulator({ basePath: '/emea/' });
    // Teams knows these chats: their users wrote in them.
    for (const id of ['a:1chat-3', 'a:1chat-4', 'a:1chat-5', 'a:1chat-6', 'a:1chat-7', 'a:1chat-8']) {
      emulator.observe({ type: 'message', from: { id: `29:${id}` }, conversation: { id, conversationType: 'personal' } });
    }
  });
  afterAll(async () => {
    poster.close();
    await emulator.close();
  });
  beforeEach(() => emulator.reset());

  it.each([
    ['a reply to a message', 'a:1chat/with;odd?chars', '1700000000000'],
    ['a message without replyToId', 'a:1chat-2', undefined],
  ])('posts %s to the same path with the same body and headers as the connector client', async (_name, conversationId, replyToId) => {
    // The client exactly as CloudAdapter builds it for a turn of an authenticated bot.
    const auth = new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: DEFAULT_BOT_APP_ID }, new OfflineCredentialsFactory(DEFAULT_BOT_APP_ID));
    const claims = new ClaimsIdentity([
      { type: AuthenticationConstants.AudienceClaim, value: DEFAULT_BOT_APP_ID },
      { type: AuthenticationConstants.AppIdClaim, value: DEFAULT_BOT_APP_ID },
    ]);
    const client = await auth.createConnectorFactory(claims).create(emulator.serviceUrl);
    const credentials = client.credentials;
    const activity = richReplyTo(emulator.serviceUrl, conversationId, replyToId);
    // Teams knows the chat: the user wrote in it.
    emulator.observe({ type: 'message', from: { id: '29:1user' }, conversation: { id: conversationId, conversationType: 'personal' } });
    if (replyToId) await client.conversations.replyToActivity(conversationId, replyToId, { ...activity });
    else await client.conversations.sendToConversation(conversationId, { ...activity });
    const id = await poster.post({ ...activity }, credentials);

    const [sdk, lean] = emulator.calls;
    expect(emulator.calls).toHaveLength(2);
    expect(id).toBe(lean.createdActivityId);
    expect({ method: lean.method, path: lean.path, operation: lean.operation, activityId: lean.activityId }).toEqual({
      method: sdk.method,
      path: sdk.path,
      operation: replyToId ? 'reply' : 'send',
      activityId: sdk.activityId,
    });
    expect(lean.path.startsWith('/emea/v3/conversations/')).toBe(true);
    expect(lean.body).toEqual(sdk.body);
    expect(lean.authorization).toBe('Bearer offline-test-token');
    for (const header of ['authorization', 'content-type', 'x-ms-conversation-id', 'accept']) {
      expect([header, lean.headers[header]]).toEqual([header, sdk.headers[header]]);
    }
  });

  it('sends no authorization header when authentication is off (no app id)', async () => {
    await poster.post(replyTo(emulator.serviceUrl, 'a:1chat-3', '1'), MicrosoftAppCredentials.Empty);
    const [call] = emulator.calls;
    expect(call.status).toBe(201);
    expect(call.authorization).toBeUndefined();
  });

  it('waits for Retry-After on 429 and for back-off on 5xx, then delivers the reply once', async () => {
    emulator.failNext(1, { status: 429, retryAfterSeconds: 0 });
    emulator.failNext(1, { status: 502 });
    const id = await poster.post(replyTo(emulator.serviceUrl, 'a:1chat-4', '1'), new TokenCredentials('t'));
    expect(emulator.calls.map((c) => c.status)).toEqual([429, 502, 201]);
    expect(id).toBe(emulator.calls[2].createdActivityId);
  });

  it('gives up after three retries with the status and the connector\'s error code', async () => {
    emulator.failNext(4, { status: 503, code: 'ServiceUnavailable' });
    const failure = await poster.post(replyTo(emulator.serviceUrl, 'a:1chat-5', '1'), new TokenCredentials('t')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectorReplyError);
    expect(failure).toMatchObject({ statusCode: 503, code: 'ServiceUnavailable' });
    expect(emulator.calls).toHaveLength(4);
  });

  it('does not retry a 403 (the user blocked the bot) or a 404', async () => {
    emulator.failNext(1, { status: 403 });
    await expect(poster.post(replyTo(emulator.serviceUrl, 'a:1chat-6', '1'), new TokenCredentials('t'))).rejects.toMatchObject({
      statusCode: 403,
      code: 'ConversationBlockedByUser',
    });
    emulator.failNext(1, { status: 404 });
    await expect(poster.post(replyTo(emulator.serviceUrl, 'a:1chat-6', '1'), new TokenCredentials('t'))).rejects.toMatchObject({ statusCode: 404 });
    expect(emulator.calls).toHaveLength(2);
  });

  it('retries a dropped connection and reports a refused one as a network error code', async () => {
    emulator.failNext(1, { dropConnection: true });
    await poster.post(replyTo(emulator.serviceUrl, 'a:1chat-7', '1'), new TokenCredentials('t'));
    expect(emulator.calls.filter((c) => c.status === 201)).toHaveLength(1);

    const closed = await startChannelEmulator();
    const url = closed.serviceUrl;
    await closed.close();
    await expect(new ReplyPoster({ retryDelayMs: 1 }).post(replyTo(url, 'a:1chat-8', '1'), new TokenCredentials('t'))).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});

describe('the service answers a turn through the lean reply path', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'turn-replies-test' });
    app = await startTestApp({}, { database });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });
  beforeEach(() => emulator.reset());

  it('replies to the message it answers, at {serviceUrl}v3/conversations/{id}/activities/{replyToId}', async () => {
    const activity = teams.message('Hilfe');
    expect((await app.post(activity)).status).toBe(200);
    const call = await emulator.waitFor(isPost);
    expect(call.method).toBe('POST');
    expect(call.path).toBe(`/v3/conversations/${encodeURIComponent(activity.conversation.id)}/activities/${encodeURIComponent(activity.id)}`);
    expect(call.activity).toMatchObject({ type: 'message', replyToId: activity.id, conversation: { id: activity.conversation.id }, recipient: { id: activity.from.id } });
    expect(call.activity?.id).toBeUndefined();
    expect(JSON.stringify(call.activity?.attachments)).toContain('Was der Integrations-Lotse kann');
  });

  it('rides out a throttled reply (429 with Retry-After) without failing the turn', async () => {
    const activity = teams.message('Hilfe');
    emulator.failNext(1, { status: 429, retryAfterSeconds: 0 }, { conversationId: activity.conversation.id });
    expect((await app.post(activity)).status).toBe(200);
    await emulator.waitFor((c) => isPost(c) && c.status === 201);
    expect(emulator.calls.filter(isPost).map((c) => c.status)).toEqual([429, 201]);
    expect(app.logs.events()).not.toContain('turn.error');
  });

  it('hands a refused reply to onTurnError: one log line with the code, then the polite error message', async () => {
    const activity = teams.message('Hilfe');
    const before = app.logs.lines.filter((l) => l.event === 'turn.error').length;
    emulator.failNext(1, { status: 403 }, { conversationId: activity.conversation.id });
    await app.post(activity);
    const apology = await emulator.waitFor((c) => isPost(c) && c.status === 201);
    expect(apology.activity?.text).toMatch(/^Entschuldigung, da ist bei mir etwas schiefgelaufen/);
    const errors = app.logs.lines.filter((l) => l.event === 'turn.error').slice(before);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ activityId: activity.id, code: 'ConversationBlockedByUser' });
  });
});
