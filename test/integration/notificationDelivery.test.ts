import { createAdapter } from '../../bot/adapter';
import { loadConfig } from '../../bot/config';
import { BotConnectorSender } from '../../bot/delivery/botConnectorSender';
import { startDelivery, type Delivery } from '../../bot/delivery/startDelivery';
import { silentLogger } from '../../services/logging';
import type { ConversationRef, DeliveryDoc } from '../../services/notifications/model';
import type { Outbox } from '../../services/notifications/outbox';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { UserProfileRepository, type UserProfile } from '../../services/users/userProfiles';
import { DEFAULT_TENANT_ID, personalConversationId, rosterMember, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { countingDatabase } from '../support/countingDatabase';

const BOT_ID = '28:integrations-lotse-test';
let run = 0;

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 8_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('proactive delivery through botbuilder to the channel emulator, on the embedded database', () => {
  let database: AppDatabase;
  let emulator: ChannelEmulator;
  let delivery: Delivery;
  let outbox: Outbox;
  /** Every delivery the dispatcher wrote back, as it wrote it. */
  const deliveryWrites: DeliveryDoc[] = [];
  const erika = user({ name: 'Erika Mustermann' });

  /** A personal chat reference, unique per test so that rate-limit windows and faults do not leak between tests. */
  function personalChat(label: string): ConversationRef {
    run += 1;
    // Teams knows the chat: its user wrote to the bot there.
    emulator.observe({ type: 'message', from: { id: `29:${label}-${run}` }, conversation: { id: `a:1${label}-${run}`, conversationType: 'personal' } });
    return {
      conversationId: `a:1${label}-${run}`,
      serviceUrl: emulator.serviceUrl,
      tenantId: DEFAULT_TENANT_ID,
      botId: BOT_ID,
      conversationType: 'personal',
    };
  }

  function writes(conversationId: string): ConnectorCall[] {
    return emulator.calls.filter((c) => c.conversationId === conversationId && c.operation !== 'unknown');
  }

  async function delivered(key: string, count = 1): Promise<void> {
    await eventually(async () => (await outbox.status(key))?.delivered === count);
  }

  beforeAll(async () => {
    database = await openDatabase({ databaseId: 'notification-delivery' });
    emulator = await startChannelEmulator({ roster: [rosterMember(erika)] });
    const observed = countingDatabase(database, {
      onCall: ({ container, op, args }) => {
        const doc = args[0] as DeliveryDoc;
        if (container === CONTAINERS.outbox && op === 'replace' && doc.kind === 'delivery') deliveryWrites.push(structuredClone(doc));
      },
    });
    // The same composition bot/app.ts uses, with quick retries for the test.
    delivery = startDelivery({
      database: observed.database,
      adapter: createAdapter(loadConfig({}), silentLogger),
      logger: silentLogger,
      options: { pollIntervalMs: 50, backoff: { baseDelayMs: 50, maxDelayMs: 200 }, maxAttempts: 3, leaseMs: 10_000, callTimeoutMs: 3_000 },
    });
    outbox = delivery.outbox;
  });

  afterAll(async () => {
    await delivery.stop();
    await emulator.close();
    await database.close();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.disableRateLimits();
    deliveryWrites.length = 0;
  });

  it('posts to a personal chat and records the id Teams gave the message', async () => {
    const chat = personalChat('post');
    await outbox.enqueue({ key: `t${run}:request:submitted`, activity: { text: 'Neues Anliegen von Erika' }, recipients: [{ conversation: chat }] });
    await delivered(`t${run}:request:submitted`);
    const [post] = writes(chat.conversationId);
    expect(post).toMatchObject({ operation: 'send', status: 201 });
    expect(post.activity).toMatchObject({ type: 'message', text: 'Neues Anliegen von Erika', from: { id: BOT_ID } });
    const status = await outbox.status(`t${run}:request:submitted`);
    expect(status?.recipients[0].activityId).toBe(post.createdActivityId);
  });

  it('makes exactly one HTTP call per attempt: botbuilder\'s own retries are switched off', async () => {
    const chat = personalChat('one-call');
    emulator.failNext(1, { status: 503 }, { conversationId: chat.conversationId });
    await outbox.enqueue({ key: `t${run}:one-call`, activity: { text: 'Einmal' }, recipients: [{ conversation: chat }] });
    await delivered(`t${run}:one-call`);
    expect(writes(chat.conversationId).map((c) => c.status)).toEqual([503, 201]);
  });

  it('waits for Retry-After when Teams answers 429: the retry is due at that instant, and the 429 is no attempt', async () => {
    const chat = personalChat('throttled');
    emulator.failNext(1, { status: 429, retryAfterSeconds: 1 }, { conversationId: chat.conversationId });
    await outbox.enqueue({ key: `t${run}:throttled`, activity: { text: 'Bitte warten' }, recipients: [{ conversation: chat }] });
    await delivered(`t${run}:throttled`);
    expect(writes(chat.conversationId).map((c) => c.status)).toEqual([429, 201]);
    // What the dispatcher stored on the 429, read from its write: due again one Retry-After after it was handled.
    const putBack = deliveryWrites.filter((d) => d.status === 'pending' && d.lastError?.status === 429);
    expect(putBack).toEqual([expect.objectContaining({ attempts: 0, throttled: 1, lastError: expect.objectContaining({ code: 'TooManyRequests' }) })]);
    expect(putBack[0].dueAt).toBe(Date.parse(putBack[0].lastError!.at) + 1_000);
    expect((await outbox.status(`t${run}:throttled`))?.recipients[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('delivers after 20 answers 429 in a row without Retry-After: throttling never uses up the three attempts', async () => {
    const chat = personalChat('sustained-429');
    // Teams sometimes leaves Retry-After out: the dispatcher then backs off (50–200 ms here) and tries again.
    emulator.failNext(20, { status: 429 }, { conversationId: chat.conversationId });
    await outbox.enqueue({ key: `t${run}:sustained-429`, activity: { text: 'Geduld' }, recipients: [{ conversation: chat }] });
    // 20 back-offs of up to 200 ms plus polls: seconds, so a bound wider than `delivered`'s for a loaded host.
    await eventually(async () => (await outbox.status(`t${run}:sustained-429`))?.delivered === 1, 30_000);
    expect(writes(chat.conversationId).map((c) => c.status)).toEqual([...Array.from({ length: 20 }, () => 429), 201]);
    expect((await outbox.status(`t${run}:sustained-429`))?.recipients[0]).toMatchObject({ status: 'sent', attempts: 1 });
    expect(deliveryWrites.filter((d) => d.status === 'failed')).toEqual([]);
  });

  it('retries 502, 503 and 504 with back-off and marks the delivery failed with the reason after the last attempt', async () => {
    const chat = personalChat('gateway');
    for (const status of [502, 503, 504]) emulator.failNext(1, { status }, { conversationId: chat.conversationId });
    await outbox.enqueue({ key: `t${run}:gateway`, activity: { text: 'Trotzdem' }, recipients: [{ conversation: chat }] });
    await eventually(async () => {
      const status = await outbox.status(`t${run}:gateway`);
      return (status?.counts.failed ?? 0) + (status?.counts.sent ?? 0) === 1;
    });
    const calls = writes(chat.conversationId).map((c) => c.status);
    expect(calls).toEqual([502, 503, 504]);
    expect((await outbox.status(`t${run}:gateway`))?.recipients[0]).toMatchObject({ status: 'failed', attempts: 3, lastError: { code: 'max_attempts:GatewayTimeout', status: 504 } });
  });

  it('retries 412 and gateway errors within the attempt budget and delivers', async () => {
    const chat = personalChat('precondition');
    emulator.failNext(1, { status: 412 }, { conversationId: chat.conversationId });
    emulator.failNext(1, { status: 502 }, { conversationId: chat.conversationId });
    await outbox.enqueue({ key: `t${run}:precondition`, activity: { text: 'Noch einmal' }, recipients: [{ conversation: chat }] });
    await delivered(`t${run}:precondition`);
    expect(writes(chat.conversationId).map((c) => c.status)).toEqual([412, 502, 201]);
  });

  it('marks a recipient who blocked the bot unreachable after one 403 and stops trying', async () => {
    const chat = personalChat('blocked');
    emulator.failNext(Infinity, { status: 403, code: 'ConversationBlockedByUser' }, { conversationId: chat.conversationId });
    await outbox.enqueue({ key: `t${run}:blocked`, activity: { text: 'Hallo?' }, recipients: [{ conversation: chat }] });
    await eventually(async () => (await outbox.status(`t${run}:blocked`))?.counts.unreachable === 1);
    await delivery.whenIdle();
    expect(writes(chat.conversationId)).toHaveLength(1);
    expect((await outbox.status(`t${run}:blocked`))?.recipients[0].lastError).toMatchObject({ code: 'ConversationBlockedByUser', status: 403 });
  });

  it('reports "zugestellt an 2 von 3" when one of three recipients cannot be reached', async () => {
    const chats = [personalChat('a'), personalChat('b'), personalChat('c')];
    emulator.failNext(Infinity, { status: 403 }, { conversationId: chats[1].conversationId });
    await outbox.enqueue({ key: `t${run}:circle`, activity: { text: 'Einladung' }, recipients: chats.map((conversation) => ({ conversation })) });
    await eventually(async () => {
      const status = await outbox.status(`t${run}:circle`);
      return status?.delivered === 2 && status.counts.unreachable === 1;
    });
    expect(await outbox.status(`t${run}:circle`)).toMatchObject({ total: 3, delivered: 2 });
  });

  it('updates a posted card in place: a PUT on the activity id it replaced', async () => {
    const chat = personalChat('card');
    const card = (state: string) => ({ attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: state }] } }] });
    await outbox.enqueue({ key: `t${run}:request:submitted`, activity: card('offen'), recipients: [{ conversation: chat }] });
    await delivered(`t${run}:request:submitted`);
    await outbox.enqueueUpdate({ key: `t${run}:request:accepted`, of: `t${run}:request:submitted`, activity: card('angenommen') });
    await delivered(`t${run}:request:accepted`);
    const [post, put] = writes(chat.conversationId);
    expect(put).toMatchObject({ operation: 'update', method: 'PUT', activityId: post.createdActivityId, status: 200 });
    const visible = emulator.visibleActivities(chat.conversationId);
    expect(visible).toHaveLength(1);
    expect(JSON.stringify(visible[0].attachments)).toContain('angenommen');
  });

  it('opens a 1:1 chat through the connector for a user without a stored one and remembers it', async () => {
    // Any earlier turn from the tenant tells the bot where its connector is.
    await delivery.registry.seen({ ...personalChat('someone-else'), serviceUrl: emulator.serviceUrl });
    // Teams opens the chat because Erika has the app: it was added to a team she belongs to.
    emulator.observe({ type: 'conversationUpdate', recipient: { id: BOT_ID }, membersAdded: [{ id: BOT_ID }], conversation: { id: '19:team-general@thread.tacv2', conversationType: 'channel' }, members: [erika.id, erika.aadObjectId] });
    await outbox.enqueue({ key: `t${run}:report:submitted`, activity: { text: 'Neuer Vortrag' }, recipients: [{ user: { aadObjectId: erika.aadObjectId, tenantId: DEFAULT_TENANT_ID } }] });
    await delivered(`t${run}:report:submitted`);
    const create = emulator.calls.find((c) => c.operation === 'createConversation');
    expect(create?.body).toMatchObject({ isGroup: false, tenantId: DEFAULT_TENANT_ID, members: [{ id: erika.aadObjectId }] });
    const expected = personalConversationId(erika.id, BOT_ID.replace(/^28:/, ''));
    expect(emulator.activitiesTo(expected).map((a) => a.text)).toEqual(['Neuer Vortrag']);
    const profile = await new UserProfileRepository(database.store<UserProfile>(CONTAINERS.users)).get(erika.aadObjectId);
    expect(profile?.personal?.conversationId).toBe(expected);
  });

  it('marks a user who does not have the app unreachable: Teams refuses to open the chat (403), nothing is retried', async () => {
    await delivery.registry.seen({ ...personalChat('someone-else'), serviceUrl: emulator.serviceUrl });
    const stranger = user({ name: 'Nie Installiert (Beispiel)' });
    await outbox.enqueue({ key: `t${run}:stranger`, activity: { text: 'Hallo' }, recipients: [{ user: { aadObjectId: stranger.aadObjectId, tenantId: DEFAULT_TENANT_ID } }] });
    await eventually(async () => (await outbox.status(`t${run}:stranger`))?.counts.unreachable === 1);
    const tries = emulator.calls.filter((c) => c.operation === 'createConversation' && (c.body as { members?: Array<{ id?: string }> })?.members?.[0]?.id === stranger.aadObjectId);
    expect(tries.map((c) => c.status)).toEqual([403]);
  });

  it('keeps to Teams\' limits: a burst to one chat and a fan-out at once, without a single 429', async () => {
    emulator.enableRateLimits();
    const busy = personalChat('busy');
    const fanOut = Array.from({ length: 40 }, (_, i) => personalChat(`fan${i}`));
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => outbox.enqueue({ key: `t${run}:busy:${i}`, activity: { text: `Nachricht ${i}` }, recipients: [{ conversation: busy }] })),
      outbox.enqueue({ key: `t${run}:fan`, activity: { text: 'Rundschreiben' }, recipients: fanOut.map((conversation) => ({ conversation })) }),
    ]);
    await eventually(async () => emulator.counters().accepted === 52, 10_000);
    // The emulator keeps Teams' sliding windows (7/s and 60/30 s per chat, 30/s per tenant) and answers 429 beyond
    // them: no 429 is the proof of the spacing. How fast a fan-out goes is a benchmark figure (`npm run bench -- fanout`).
    expect(emulator.counters().rejectedByStatus[429]).toBeUndefined();
    expect(emulator.duplicateDeliveries()).toEqual([]);
    expect(writes(busy.conversationId).filter((c) => c.status === 201)).toHaveLength(12);
  });
});

describe('the botbuilder channel sender', () => {
  let emulator: ChannelEmulator;
  let sender: BotConnectorSender;
  const options = { deliveryId: 'n:test/d-1', timeoutMs: 2_000 };

  function chat(serviceUrl: string): ConversationRef {
    run += 1;
    // Teams knows the chat (its user wrote there); an unreachable service URL has no emulator to tell.
    if (serviceUrl === emulator.serviceUrl) emulator.observe({ type: 'message', from: { id: `29:sender-${run}` }, conversation: { id: `a:1sender-${run}`, conversationType: 'personal' } });
    return { conversationId: `a:1sender-${run}`, serviceUrl, tenantId: DEFAULT_TENANT_ID, botId: BOT_ID, conversationType: 'personal' };
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    sender = new BotConnectorSender({ adapter: createAdapter(loadConfig({}), silentLogger), botAppId: '', logger: silentLogger, stampDeliveryId: true });
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('reports a 429 with its Retry-After and the channel\'s error code', async () => {
    const ref = chat(emulator.serviceUrl);
    emulator.failNext(1, { status: 429, retryAfterSeconds: 3 }, { conversationId: ref.conversationId });
    await expect(sender.send(ref, { text: 'x' }, options)).rejects.toMatchObject({ kind: 'throttled', status: 429, retryAfterMs: 3_000, code: 'TooManyRequests' });
  });

  it('reports a call that outlived its timeout as transient and possibly delivered', async () => {
    const ref = chat(emulator.serviceUrl);
    emulator.setLatency((call) => (call.conversationId === ref.conversationId ? 300 : 0));
    await expect(sender.send(ref, { text: 'x' }, { ...options, timeoutMs: 100 })).rejects.toMatchObject({ kind: 'transient', code: 'timeout', ambiguous: true });
    emulator.setLatency(0);
  });

  it('reports a dropped connection as possibly delivered, a refused one as certainly not', async () => {
    const ref = chat(emulator.serviceUrl);
    emulator.failNext(1, { dropConnection: true }, { conversationId: ref.conversationId });
    await expect(sender.send(ref, { text: 'x' }, options)).rejects.toMatchObject({ kind: 'transient', ambiguous: true });
    await expect(sender.send(chat('http://127.0.0.1:1/'), { text: 'x' }, options)).rejects.toMatchObject({ kind: 'transient', code: 'ECONNREFUSED', ambiguous: false });
  });

  it('stamps the delivery id on the posted activity when asked, so the emulator can spot a repeat', async () => {
    const ref = chat(emulator.serviceUrl);
    await sender.send(ref, { text: 'eins' }, options);
    expect(emulator.activitiesTo(ref.conversationId)[0]).toMatchObject({ id: options.deliveryId, conversation: { id: ref.conversationId } });
  });
});

describe('two instances sharing Teams\' rate limits (BOT_INSTANCE_COUNT=2), one database', () => {
  let database: AppDatabase;
  let emulator: ChannelEmulator;
  let instances: Delivery[] = [];
  const sent: string[][] = [[], []];

  function personalChat(label: string): ConversationRef {
    run += 1;
    emulator.observe({ type: 'message', from: { id: `29:${label}-${run}` }, conversation: { id: `a:1${label}-${run}`, conversationType: 'personal' } });
    return { conversationId: `a:1${label}-${run}`, serviceUrl: emulator.serviceUrl, tenantId: DEFAULT_TENANT_ID, botId: BOT_ID, conversationType: 'personal' };
  }

  beforeAll(async () => {
    database = await openDatabase({ databaseId: 'notification-two-instances' });
    emulator = await startChannelEmulator({ rateLimits: true });
    // What bot/app.ts wires for each of two instances with BOT_INSTANCE_COUNT=2: one dispatcher each, one outbox.
    instances = [0, 1].map((i) =>
      startDelivery({
        database,
        adapter: createAdapter(loadConfig({}), silentLogger),
        logger: silentLogger,
        instanceCount: loadConfig({ BOT_INSTANCE_COUNT: '2' }).botInstanceCount,
        options: { pollIntervalMs: 50, leaseMs: 10_000, callTimeoutMs: 3_000, workerId: `instance-${i}` },
        onEvent: (e) => {
          if (e.type === 'sent') sent[i].push(e.deliveryId);
        },
      }),
    );
  });

  afterAll(async () => {
    for (const instance of instances) await instance.stop();
    await emulator.close();
    await database.close();
  });

  it('sends a fan-out and a burst to one chat through both instances without a single 429', async () => {
    const busy = personalChat('shared-busy');
    const fanOut = Array.from({ length: 80 }, (_, i) => personalChat(`shared-fan${i}`));
    // Both instances enqueue (as feature code on either would); both dispatchers take from the one outbox.
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) =>
        instances[i % 2].outbox.enqueue({ key: `t${run}:shared-busy:${i}`, activity: { text: `Nachricht ${i}` }, recipients: [{ conversation: busy }] }),
      ),
      instances[0].outbox.enqueue({ key: `t${run}:shared-fan:a`, activity: { text: 'Rundschreiben' }, recipients: fanOut.slice(0, 40).map((conversation) => ({ conversation })) }),
      instances[1].outbox.enqueue({ key: `t${run}:shared-fan:b`, activity: { text: 'Rundschreiben' }, recipients: fanOut.slice(40).map((conversation) => ({ conversation })) }),
    ]);
    await eventually(async () => emulator.counters().accepted === 92, 30_000);
    // Each instance kept to half of Teams' windows, so together they kept to all of them: the emulator enforces
    // 7/s and 60/30 s per chat and 30/s per tenant, and answers 429 beyond them.
    expect(emulator.counters().rejectedByStatus[429]).toBeUndefined();
    expect(emulator.duplicateDeliveries()).toEqual([]);
    // Both really sent (otherwise one instance alone within half the budget would prove nothing).
    // The 'sent' event of a call follows its outbox write, which may still be under way when Teams has the last message.
    await eventually(() => sent[0].length + sent[1].length === 92, 10_000);
    expect(sent[0].length).toBeGreaterThan(0);
    expect(sent[1].length).toBeGreaterThan(0);
    expect(sent[0].length + sent[1].length).toBe(92);
  });
});
