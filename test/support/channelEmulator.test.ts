import { ConnectorClient, TokenCredentials } from 'botframework-connector';
import { personalConversationId, rosterMember, user, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID } from './activities';
import { startChannelEmulator, type ChannelEmulator } from './channelEmulator';

const erika = user({ name: 'Erika Mustermann' });
const jonas = user({ name: 'Jonas Schäfer' });
const personalChat = personalConversationId(erika.id);
const channelThread = '19:0b5e1a7c9d@thread.tacv2;messageid=1714737731123';

function clientFor(emulator: ChannelEmulator): ConnectorClient {
  return new ConnectorClient(new TokenCredentials('emulator-test'), { baseUri: emulator.serviceUrl });
}

async function post(emulator: ChannelEmulator, conversationId: string, text: string): Promise<Response> {
  return fetch(`${emulator.serviceUrl}v3/conversations/${encodeURIComponent(conversationId)}/activities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text }),
  });
}

describe('channel emulator', () => {
  let emulator: ChannelEmulator;

  beforeEach(async () => {
    emulator = await startChannelEmulator({ roster: [rosterMember(erika), rosterMember(jonas)] });
    // Teams knows what it delivered: Erika's personal chat with the bot, and the channel thread.
    emulator.observe({ type: 'message', from: { id: erika.id, aadObjectId: erika.aadObjectId }, conversation: { id: personalChat, conversationType: 'personal' } });
    emulator.observe({ type: 'message', from: { id: jonas.id }, conversation: { id: channelThread, conversationType: 'channel' }, channelData: { channel: { id: channelThread.split(';')[0] } } });
  });
  afterEach(async () => {
    await emulator.close();
  });

  it('serves on loopback with a trailing-slash service URL', () => {
    expect(emulator.serviceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('records a send from the SDK client with the Teams conversation id decoded', async () => {
    const response = await clientFor(emulator).conversations.sendToConversation(channelThread, { type: 'message', text: 'Hallo Team' });

    const call = await emulator.waitFor((c) => c.operation === 'send');
    expect(call.path).toContain('%3A'); // the id travels encoded …
    expect(call.conversationId).toBe(channelThread); // … and is recorded decoded
    expect(call.activity?.text).toBe('Hallo Team');
    expect(call.authorization).toBe('Bearer emulator-test');
    expect(call.status).toBe(201);
    expect(response.id).toBe(call.createdActivityId);
    expect(emulator.activitiesTo(channelThread).map((a) => a.text)).toEqual(['Hallo Team']);
  });

  it('shows what the user sees after a reply, an update and a delete', async () => {
    const client = clientFor(emulator);
    const first = await client.conversations.replyToActivity(personalChat, '1714737700000', { type: 'message', text: 'Karte v1' });
    const second = await client.conversations.sendToConversation(personalChat, { type: 'message', text: 'Zweite Nachricht' });
    await client.conversations.updateActivity(personalChat, first.id, { type: 'message', id: first.id, text: 'Karte v2' });
    await client.conversations.deleteActivity(personalChat, second.id);

    expect(emulator.calls.map((c) => [c.operation, c.activityId, c.status])).toEqual([
      ['reply', '1714737700000', 201],
      ['send', undefined, 201],
      ['update', first.id, 200],
      ['delete', second.id, 200],
    ]);
    expect(emulator.visibleActivities(personalChat).map((a) => [a.id, a.text])).toEqual([[first.id, 'Karte v2']]);
  });

  it('answers an update of an unknown message with 404 like the connector', async () => {
    await expect(
      clientFor(emulator).conversations.updateActivity(personalChat, '42', { type: 'message', text: 'x' }),
    ).rejects.toMatchObject({ statusCode: 404 });
  });

  it('creates the same personal conversation id Teams uses in inbound activities', async () => {
    const created = await clientFor(emulator).conversations.createConversation({
      isGroup: false,
      bot: { id: `28:${DEFAULT_BOT_APP_ID}`, name: 'Integrations-Lotse' },
      members: [{ id: erika.aadObjectId, name: '' }],
      tenantId: DEFAULT_TENANT_ID,
      channelData: { tenant: { id: DEFAULT_TENANT_ID } },
    } as Parameters<ConnectorClient['conversations']['createConversation']>[0]);

    expect(created.id).toBe(personalChat);
    expect(created.id.startsWith('a:1')).toBe(true);
  });

  it('refuses to create a conversation without a tenant id, as Teams does', async () => {
    await expect(
      clientFor(emulator).conversations.createConversation({
        isGroup: false,
        bot: { id: `28:${DEFAULT_BOT_APP_ID}`, name: 'Bot' },
        members: [{ id: erika.id, name: '' }],
      } as Parameters<ConnectorClient['conversations']['createConversation']>[0]),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('opens a new channel thread and returns its id and the first activity id', async () => {
    // The app is installed in the team: Teams delivered the bot's own arrival there.
    emulator.observe({ type: 'conversationUpdate', recipient: { id: `28:${DEFAULT_BOT_APP_ID}` }, membersAdded: [{ id: `28:${DEFAULT_BOT_APP_ID}` }], conversation: { id: '19:abc@thread.tacv2', conversationType: 'channel' }, channelData: { channel: { id: '19:abc@thread.tacv2' }, team: { id: '19:abc@thread.tacv2' } } });
    const created = await clientFor(emulator).conversations.createConversation({
      isGroup: true,
      bot: { id: `28:${DEFAULT_BOT_APP_ID}`, name: 'Bot' },
      activity: { type: 'message', text: 'Neue Anfrage' },
      channelData: { tenant: { id: DEFAULT_TENANT_ID }, channel: { id: '19:abc@thread.tacv2' } },
    } as Parameters<ConnectorClient['conversations']['createConversation']>[0]);

    expect(created.id).toBe(`19:abc@thread.tacv2;messageid=${created.activityId}`);
    expect(emulator.visibleActivities(created.id).map((a) => a.text)).toEqual(['Neue Anfrage']);
  });

  it('answers roster calls from the configured roster, with the AAD id where each endpoint puts it', async () => {
    const client = clientFor(emulator);
    const listed = await client.conversations.getConversationMembers(personalChat);
    expect(listed.map((m) => m.name)).toEqual(['Erika Mustermann', 'Jonas Schäfer']);
    expect(listed[0]).toMatchObject({ id: erika.id, objectId: erika.aadObjectId, userRole: 'user' });
    expect(listed[0]).not.toHaveProperty('aadObjectId');

    const single = await client.conversations.getConversationMember(personalChat, jonas.aadObjectId);
    expect(single).toMatchObject({ id: jonas.id, aadObjectId: jonas.aadObjectId, email: jonas.email });
    expect((await client.conversations.getConversationMember(personalChat, erika.id)).name).toBe('Erika Mustermann');
    await expect(client.conversations.getConversationMember(personalChat, '29:nobody')).rejects.toMatchObject({
      statusCode: 404,
      code: 'MemberNotFoundInConversation',
    });
  });

  it('pages a large team roster in pages of at least 50', async () => {
    const team = '19:team@thread.tacv2';
    emulator.setRoster(Array.from({ length: 120 }, (_, i) => rosterMember(user({ name: `Person ${i}` }))), team);
    const client = clientFor(emulator);

    const sizes: number[] = [];
    let continuationToken = '';
    do {
      const page = await client.conversations.getConversationPagedMembers(team, { pageSize: 10, continuationToken });
      sizes.push(page.members.length);
      continuationToken = page.continuationToken;
    } while (continuationToken);

    expect(sizes).toEqual([50, 50, 20]);
  });

  it('throttles the next call with 429 and Retry-After for one conversation only', async () => {
    emulator.failNext(1, { status: 429, retryAfterSeconds: 2 }, { conversationId: personalChat });

    const other = await post(emulator, channelThread, 'unbetroffen');
    const throttled = await post(emulator, personalChat, 'erster Versuch');
    const retried = await post(emulator, personalChat, 'zweiter Versuch');

    expect(other.status).toBe(201);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(await throttled.json()).toMatchObject({ error: { code: 'TooManyRequests' } });
    expect(retried.status).toBe(201);
    expect(emulator.counters(personalChat)).toEqual({ accepted: 1, rejected: 1, rejectedByStatus: { 429: 1 } });
    expect(emulator.calls[1].failure).toBe('injected');
  });

  it('lets the SDK connector client retry a 429 after Retry-After on its own', async () => {
    emulator.failNext(1, { status: 429, retryAfterSeconds: 1 });

    await clientFor(emulator).conversations.sendToConversation(personalChat, { type: 'message', text: 'Hallo' });

    // The client retried on its own once the emulator said when; how long it waited is not asserted (no timing bounds).
    expect(emulator.calls.map((c) => c.status)).toEqual([429, 201]);
    expect(emulator.calls[0].responseHeaders['retry-after']).toBe('1');
    expect(emulator.duplicateDeliveries()).toEqual([]);
  });

  it('answers 403 when the user blocked the bot, until faults are cleared', async () => {
    emulator.failNext(Infinity, { status: 403, code: 'ConversationBlockedByUser' }, { conversationId: personalChat, operations: ['send'] });
    const client = clientFor(emulator);

    await expect(client.conversations.sendToConversation(personalChat, { type: 'message', text: 'a' })).rejects.toMatchObject({
      statusCode: 403,
      code: 'ConversationBlockedByUser',
    });
    await expect(client.conversations.sendToConversation(personalChat, { type: 'message', text: 'b' })).rejects.toMatchObject({
      statusCode: 403,
    });
    expect((await client.conversations.getConversationMembers(personalChat)).length).toBe(2);
    emulator.clearFaults();
    await expect(client.conversations.sendToConversation(personalChat, { type: 'message', text: 'c' })).resolves.toHaveProperty('id');
  });

  it('enforces 7 sends per second per conversation in rate-limit mode', async () => {
    emulator.enableRateLimits();

    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await post(emulator, personalChat, `Nachricht ${i}`)).status);

    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201, 429, 429, 429]);
    const rejected = emulator.calls.find((c) => c.status === 429);
    expect(rejected?.responseHeaders['retry-after']).toBe('1');
    expect(emulator.counters(personalChat)).toEqual({ accepted: 7, rejected: 3, rejectedByStatus: { 429: 3 } });
  });

  it('tells a throttled client when the per-conversation window frees up', async () => {
    emulator.enableRateLimits({ perConversation: [{ max: 2, windowMs: 3_000 }] });
    await post(emulator, personalChat, '1');
    await post(emulator, personalChat, '2');

    const throttled = await post(emulator, personalChat, '3');

    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBe(3);
  });

  it('enforces 30 requests per second across conversations in rate-limit mode', async () => {
    emulator.enableRateLimits();
    const conversations = Array.from({ length: 10 }, (_, i) => `a:1conversation-${i}`);
    for (const id of conversations) emulator.observe({ type: 'message', from: { id: `29:${id}` }, conversation: { id, conversationType: 'personal' } });

    const responses = await Promise.all(
      conversations.flatMap((conversationId) => [0, 1, 2, 3].map((n) => post(emulator, conversationId, `n${n}`))),
    );

    const accepted = responses.filter((r) => r.status === 201).length;
    expect(accepted).toBe(30);
    expect(emulator.counters()).toMatchObject({ accepted: 30, rejected: 10 });
  });

  it('reports the same message delivered twice, by content and by client-supplied id', async () => {
    const client = clientFor(emulator);
    await client.conversations.sendToConversation(personalChat, { type: 'message', text: 'Ihre Anfrage ist eingegangen' });
    await client.conversations.sendToConversation(personalChat, { type: 'message', text: 'Ihre Anfrage ist eingegangen' });
    await client.conversations.sendToConversation(personalChat, { type: 'message', id: 'outbox-7', text: 'Erinnerung' });
    await client.conversations.sendToConversation(personalChat, { type: 'message', id: 'outbox-7', text: 'Erinnerung (neu)' });
    await client.conversations.sendToConversation(channelThread, { type: 'message', text: 'Ihre Anfrage ist eingegangen' });

    const duplicates = emulator.duplicateDeliveries();
    expect(duplicates.map((d) => [d.conversationId, d.reason, d.calls.length])).toEqual([
      [personalChat, 'sameContent', 2],
      [personalChat, 'sameClientId', 2],
    ]);
  });

  it('decodes ids with reserved characters from raw paths', async () => {
    const odd = '19:meeting_Zm9v@thread.v2;messageid=1/2?x';
    emulator.observe({ type: 'message', from: { id: erika.id }, conversation: { id: odd, conversationType: 'groupChat' } });
    const response = await post(emulator, odd, 'x');
    expect(response.status).toBe(201);
    expect(emulator.calls[0].conversationId).toBe(odd);
  });

  it('fails a wait with a summary of what arrived', async () => {
    await post(emulator, personalChat, 'x');
    await expect(emulator.waitFor((c) => c.operation === 'delete', 50)).rejects.toThrow(/0 of 1 expected call\(s\).*#1 send/);
  });

  it('resolves a wait for a call that arrives later', async () => {
    const waiting = emulator.waitForCalls((c) => c.conversationId === personalChat, 2, 2_000);
    await post(emulator, personalChat, 'eins');
    await post(emulator, personalChat, 'zwei');
    expect((await waiting).map((c) => c.activity?.text)).toEqual(['eins', 'zwei']);
  });

  it('asks the configured latency for each call before it answers', async () => {
    const asked: string[] = [];
    emulator.setLatency((call) => {
      asked.push(call.activity?.text ?? '');
      return 5;
    });
    expect((await post(emulator, personalChat, 'x')).status).toBe(201);
    expect(asked).toEqual(['x']);
    emulator.setLatency(0);
  });

  it('drops the connection on demand', async () => {
    emulator.failNext(1, { dropConnection: true });
    await expect(post(emulator, personalChat, 'x')).rejects.toThrow();
    expect((await post(emulator, personalChat, 'y')).status).toBe(201);
  });

  it('forgets calls, faults and counters on reset but keeps the roster', async () => {
    emulator.failNext(5, { status: 503 });
    await post(emulator, personalChat, 'x');
    emulator.reset();

    expect(emulator.calls).toEqual([]);
    expect(emulator.counters()).toEqual({ accepted: 0, rejected: 0, rejectedByStatus: {} });
    expect((await post(emulator, personalChat, 'y')).status).toBe(201);
    expect((await clientFor(emulator).conversations.getConversationMembers(personalChat)).length).toBe(2);
  });

  it('answers 401 to calls without the expected token when asked to check authorization', async () => {
    const strict = await startChannelEmulator({ expectedAuthorization: 'Bearer right' });
    try {
      expect((await post(strict, personalChat, 'x')).status).toBe(401);
      expect(strict.calls[0].failure).toBe('unauthorized');
    } finally {
      await strict.close();
    }
  });

  it('keeps a regional base path in the service URL and only answers under it', async () => {
    const regional = await startChannelEmulator({ basePath: '/emea/' });
    try {
      expect(regional.serviceUrl).toMatch(/\/emea\/$/);
      regional.observe({ type: 'message', from: { id: erika.id }, conversation: { id: personalChat, conversationType: 'personal' } });
      const ok = await post(regional, personalChat, 'x');
      const outside = await fetch(regional.serviceUrl.replace('/emea/', '/') + 'v3/conversations/x/activities', {
        method: 'POST',
        body: '{}',
      });
      expect([ok.status, outside.status]).toEqual([201, 404]);
    } finally {
      await regional.close();
    }
  });
});
