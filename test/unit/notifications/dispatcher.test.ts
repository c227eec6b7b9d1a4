import { silentLogger, type Logger } from '../../../services/logging';
import type { Clock } from '../../../services/common/clock';
import {
  ChannelError,
  type ChannelSender,
  type PersonalConversationTarget,
  type SendOptions,
} from '../../../services/notifications/channelSender';
import { ConversationRegistry, type RegistryDoc } from '../../../services/notifications/conversationRegistry';
import { DeliveryLedger, NO_OUTCOME_RECORDED, type Delivery } from '../../../services/notifications/deliveryLedger';
import { startDispatcher, type DeliveryEvent, type Dispatcher, type DispatcherOptions } from '../../../services/notifications/dispatcher';
import { notificationIdOf } from '../../../services/notifications/keys';
import type { ConversationRef, DeliveryDoc, OutboxDoc, OutgoingActivity } from '../../../services/notifications/model';
import { Outbox } from '../../../services/notifications/outbox';
import type { DeliveryLimits } from '../../../services/notifications/rateLimiter';
import type { JournalEntry, JournalledDelivery, SendJournal } from '../../../services/notifications/sendJournal';
import type { DocumentStore, QueryOptions, QuerySpec, Versioned } from '../../../services/storage/documentStore';
import { UserProfileRepository, type UserProfile } from '../../../services/users/userProfiles';
import { contendedStore } from '../../support/countingDatabase';
import { FakeClock } from '../../support/fakeClock';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const TENANT = '72f988bf-0000-4000-a000-000000000001';
const SERVICE_URL = 'https://smba.example/emea/';

function chat(name: string, type: ConversationRef['conversationType'] = 'personal'): ConversationRef {
  return { conversationId: `conv-${name}`, serviceUrl: SERVICE_URL, tenantId: TENANT, botId: '28:bot', conversationType: type };
}

interface SentCall {
  operation: 'send' | 'update' | 'create';
  conversationId: string;
  activityId?: string;
  text?: string;
  deliveryId: string;
  startedAt: number;
}

/** A channel that answers from a script: per conversation, the failures to give before succeeding. */
class ScriptedChannel implements ChannelSender {
  readonly calls: SentCall[] = [];
  private readonly failures = new Map<string, ChannelError[]>();
  private lastId = 0;
  latencyMs = 0;

  /** `now` stamps each call: the dispatcher's clock, so that spacing is measured in the time it schedules by. */
  constructor(private readonly now: () => number = () => Date.now()) {}

  fail(conversationId: string, ...errors: ChannelError[]): void {
    this.failures.set(conversationId, [...(this.failures.get(conversationId) ?? []), ...errors]);
  }

  failAlways(conversationId: string, error: ChannelError): void {
    this.failures.set(conversationId, Array.from({ length: 1000 }, () => error));
  }

  accepted(operation: SentCall['operation'] = 'send'): SentCall[] {
    return this.calls.filter((c) => c.operation === operation && !(c as SentCall & { failed?: boolean }).failed);
  }

  async send(ref: ConversationRef, activity: OutgoingActivity, options: SendOptions): Promise<{ activityId: string }> {
    await this.answer('send', ref.conversationId, options, activity.text);
    return { activityId: `msg-${++this.lastId}` };
  }

  async update(ref: ConversationRef, activityId: string, activity: OutgoingActivity, options: SendOptions): Promise<void> {
    await this.answer('update', ref.conversationId, options, activity.text, activityId);
  }

  async createPersonalConversation(target: PersonalConversationTarget, options: SendOptions): Promise<ConversationRef> {
    const conversationId = `a:1${target.aadObjectId}`;
    await this.answer('create', conversationId, options);
    return { conversationId, serviceUrl: target.serviceUrl, tenantId: target.tenantId, botId: target.botId, conversationType: 'personal' };
  }

  private async answer(operation: SentCall['operation'], conversationId: string, options: SendOptions, text?: string, activityId?: string): Promise<void> {
    const call: SentCall & { failed?: boolean } = { operation, conversationId, text, activityId, deliveryId: options.deliveryId, startedAt: this.now() };
    this.calls.push(call);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const error = this.failures.get(conversationId)?.shift();
    if (error) {
      call.failed = true;
      throw error;
    }
  }
}

/**
 * The outbox store, except that the query for due deliveries can be held after it has read: its answer then describes
 * the outbox as it was before anything written while it was held.
 */
class GatedDueQueries implements DocumentStore<OutboxDoc> {
  private gate?: { entered: () => void; opened: Promise<void> };

  constructor(private readonly inner: MemoryDocumentStore<OutboxDoc>) {}

  get name(): string {
    return this.inner.name;
  }

  /** Holds the next due-query to start once it has read; `entered` resolves then, `release` lets it answer. */
  holdNext(): { entered: Promise<void>; release: () => void } {
    let entered!: () => void;
    let release!: () => void;
    const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
    this.gate = { entered, opened: new Promise<void>((resolve) => (release = resolve)) };
    return { entered: enteredPromise, release };
  }

  async query<R>(spec: QuerySpec, options?: QueryOptions): Promise<R[]> {
    const gate = spec.query.includes('c.dueAt <= @now') ? this.gate : undefined;
    if (gate) this.gate = undefined;
    const answer = await this.inner.query<R>(spec, options);
    if (gate) {
      gate.entered();
      await gate.opened;
    }
    return answer;
  }

  read: DocumentStore<OutboxDoc>['read'] = (pk, id) => this.inner.read(pk, id);
  create: DocumentStore<OutboxDoc>['create'] = (doc) => this.inner.create(doc);
  replace: DocumentStore<OutboxDoc>['replace'] = (doc, etag) => this.inner.replace(doc, etag);
  upsert: DocumentStore<OutboxDoc>['upsert'] = (doc) => this.inner.upsert(doc);
  patch: DocumentStore<OutboxDoc>['patch'] = (pk, id, ops, etag) => this.inner.patch(pk, id, ops, etag);
  delete: DocumentStore<OutboxDoc>['delete'] = (pk, id, etag) => this.inner.delete(pk, id, etag);
}

/** A send journal in memory, with a log of what the dispatcher told it. */
class MemoryJournal implements SendJournal {
  readonly entries = new Map<string, JournalEntry & { createdAtMs: number }>();
  readonly log: string[] = [];
  accepted(d: JournalledDelivery, activityId: string): void {
    this.entries.set(`${d.pk}/${d.id}`, { activityId, at: 0, createdAtMs: d.createdAtMs });
    this.log.push(`accepted ${d.id} ${activityId}`);
  }
  recorded(d: JournalledDelivery): void {
    this.entries.delete(`${d.pk}/${d.id}`);
    this.log.push(`recorded ${d.id}`);
  }
  find(d: JournalledDelivery): JournalEntry | undefined {
    const entry = this.entries.get(`${d.pk}/${d.id}`);
    return entry && entry.createdAtMs === d.createdAtMs ? { activityId: entry.activityId, at: entry.at } : undefined;
  }
  close(): void {}
}

/** The outbox store, noting the status of every document written with `replace` (claims, marks, outcomes, hand-backs). */
function writesByStatus(inner: DocumentStore<OutboxDoc>): { store: DocumentStore<OutboxDoc>; written: string[] } {
  const written: string[] = [];
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'replace') return Reflect.get(target, prop, receiver);
      return (doc: OutboxDoc, etag: string) => {
        written.push(doc.kind === 'delivery' ? doc.status : doc.kind);
        return target.replace(doc, etag);
      };
    },
  });
  return { store, written };
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const FAST: Partial<DispatcherOptions> = {
  pollIntervalMs: 20,
  leaseMs: 2_000,
  callTimeoutMs: 500,
  backoff: { baseDelayMs: 20, maxDelayMs: 80 },
  maxAttempts: 3,
  repairIntervalMs: 60_000,
  waitForOriginalMs: 30,
};
const GENEROUS: Partial<DeliveryLimits> = { perConversation: [{ max: 100, windowMs: 1_000 }], perTenant: [{ max: 1_000, windowMs: 1_000 }] };

describe('the outbox dispatcher', () => {
  let outboxStore: MemoryDocumentStore<OutboxDoc>;
  let users: MemoryDocumentStore<UserProfile>;
  let conversations: MemoryDocumentStore<RegistryDoc>;
  let outbox: Outbox;
  let channel: ScriptedChannel;
  let events: DeliveryEvent[];
  const running: Dispatcher[] = [];

  function start(
    options: Partial<DispatcherOptions> = {},
    limits: Partial<DeliveryLimits> = GENEROUS,
    wiring: { clock?: Clock; outboxStore?: DocumentStore<OutboxDoc>; journal?: SendJournal; busy?: () => boolean; logger?: Logger } = {},
  ): Dispatcher {
    const dispatcher = startDispatcher({
      clock: wiring.clock,
      busy: wiring.busy,
      stores: { outbox: wiring.outboxStore ?? outboxStore, users, conversations },
      sender: channel,
      logger: wiring.logger ?? silentLogger,
      outbox,
      limits,
      options: { ...FAST, ...options },
      defaultEndpoint: { serviceUrl: SERVICE_URL, botId: '28:bot' },
      onEvent: (e) => events.push(e),
      random: () => 0.5,
      journal: wiring.journal,
    });
    running.push(dispatcher);
    return dispatcher;
  }

  async function deliveries(key: string): Promise<DeliveryDoc[]> {
    return outboxStore.query<DeliveryDoc>({ query: 'SELECT * FROM c WHERE c.pk = @pk AND c.kind = "delivery"', parameters: [{ name: '@pk', value: notificationIdOf(key) }] });
  }

  beforeEach(() => {
    outboxStore = new MemoryDocumentStore<OutboxDoc>('outbox');
    users = new MemoryDocumentStore<UserProfile>('users');
    conversations = new MemoryDocumentStore<RegistryDoc>('conversations');
    outbox = new Outbox(outboxStore);
    channel = new ScriptedChannel();
    events = [];
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
  });

  it('delivers to every recipient once and records the id the channel gave each message', async () => {
    start();
    await outbox.enqueue({ key: 'circle:1:invite', activity: { text: 'Einladung' }, recipients: ['a', 'b', 'c'].map((n) => ({ conversation: chat(n) })) });
    await eventually(async () => (await outbox.status('circle:1:invite'))?.delivered === 3);
    expect(channel.accepted().map((c) => c.conversationId).sort()).toEqual(['conv-a', 'conv-b', 'conv-c']);
    const status = await outbox.status('circle:1:invite');
    expect(new Set(status?.recipients.map((r) => r.activityId)).size).toBe(3);
  });

  it('retries 503 with back-off until it succeeds', async () => {
    channel.fail('conv-a', new ChannelError('ServiceUnavailable', 'transient', 503), new ChannelError('BadGateway', 'transient', 502));
    start();
    await outbox.enqueue({ key: 'request:1:submitted', activity: { text: 'Anliegen' }, recipients: [{ conversation: chat('a') }] });
    await eventually(async () => (await outbox.status('request:1:submitted'))?.delivered === 1);
    expect(channel.calls.filter((c) => c.conversationId === 'conv-a')).toHaveLength(3);
    expect((await deliveries('request:1:submitted'))[0]).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('marks a delivery failed with its reason after the configured number of attempts', async () => {
    channel.failAlways('conv-a', new ChannelError('GatewayTimeout', 'transient', 504));
    start({ maxAttempts: 3 });
    await outbox.enqueue({ key: 'request:2:submitted', activity: { text: 'Anliegen' }, recipients: [{ conversation: chat('a') }] });
    await eventually(async () => (await outbox.status('request:2:submitted'))?.counts.failed === 1);
    const [delivery] = await deliveries('request:2:submitted');
    expect(delivery).toMatchObject({ status: 'failed', open: false, attempts: 3, lastError: { code: 'max_attempts:GatewayTimeout', status: 504 } });
    expect(channel.calls).toHaveLength(3);
  });

  it('marks a recipient who blocked the bot unreachable and stops trying', async () => {
    channel.failAlways('conv-team', new ChannelError('BotNotInConversationRoster', 'unreachable', 403));
    const registry = new ConversationRegistry(conversations);
    await registry.installed(chat('team', 'channel'), { teamId: 'conv-team' });
    const dispatcher = start();
    await outbox.enqueue({ key: 'circle:2:agenda', activity: { text: 'Tagesordnung' }, recipients: [{ conversation: chat('team', 'channel') }] });
    await eventually(async () => (await outbox.status('circle:2:agenda'))?.counts.unreachable === 1);
    await dispatcher.whenIdle();
    expect(channel.calls).toHaveLength(1);
    expect((await registry.get(chat('team', 'channel')))?.unreachableSince).toEqual(expect.any(String));
  });

  it('forgets the personal chat of a person who blocked the bot, so their profile starts to expire', async () => {
    const aad = 'c0ffee00-0000-4000-a000-000000000043';
    const profiles = new UserProfileRepository(users);
    await profiles.update(aad, TENANT, (p) => ({ ...p, homeAuthority: 'koeln', personal: chat('blocked') }));
    expect((await profiles.get(aad))?.expiresAt).toBeUndefined();
    channel.failAlways('conv-blocked', new ChannelError('ConversationBlockedByUser', 'unreachable', 403));
    const dispatcher = start();
    await outbox.enqueue({ key: 'request:9:submitted', activity: { text: 'Anliegen' }, recipients: [{ user: { aadObjectId: aad, tenantId: TENANT } }] });
    await eventually(async () => (await outbox.status('request:9:submitted'))?.counts.unreachable === 1);
    await dispatcher.whenIdle();
    const stored = await new UserProfileRepository(users).get(aad);
    expect(stored?.personal).toBeUndefined();
    expect(stored?.homeAuthority).toBe('koeln');
    expect(stored?.expiresAt).toEqual(expect.any(Number));
  });

  it('opens a 1:1 chat for a user the bot has no chat with yet, remembers it and posts there', async () => {
    start();
    const aad = 'c0ffee00-0000-4000-a000-000000000042';
    await outbox.enqueue({ key: 'request:3:submitted', activity: { text: 'Anliegen' }, recipients: [{ user: { aadObjectId: aad, tenantId: TENANT } }] });
    await eventually(async () => (await outbox.status('request:3:submitted'))?.delivered === 1);
    expect(channel.calls.map((c) => c.operation)).toEqual(['create', 'send']);
    const profile = await new UserProfileRepository(users).get(aad);
    expect(profile?.personal?.conversationId).toBe(`a:1${aad}`);
    // The next notification uses the remembered chat without creating another.
    await outbox.enqueue({ key: 'request:4:submitted', activity: { text: 'Noch eins' }, recipients: [{ user: { aadObjectId: aad, tenantId: TENANT } }] });
    await eventually(async () => (await outbox.status('request:4:submitted'))?.delivered === 1);
    expect(channel.calls.filter((c) => c.operation === 'create')).toHaveLength(1);
  });

  it('updates the messages of an earlier notification in place, keeping their activity ids', async () => {
    start();
    await outbox.enqueue({ key: 'request:5:submitted', activity: { text: 'offen' }, recipients: [{ conversation: chat('ib') }, { conversation: chat('deputy') }] });
    await outbox.enqueueUpdate({ key: 'request:5:accepted', of: 'request:5:submitted', activity: { text: 'angenommen' } });
    await eventually(async () => (await outbox.status('request:5:accepted'))?.delivered === 2);
    const originals = await outbox.status('request:5:submitted');
    const updates = channel.accepted('update');
    expect(updates.map((u) => u.activityId).sort()).toEqual(originals?.recipients.map((r) => r.activityId).sort());
    expect(updates.every((u) => u.text === 'angenommen')).toBe(true);
  });

  it('sends the messages to one chat one at a time, in the order they were enqueued, while other chats go side by side', async () => {
    // The first message's call is the slowest: sent side by side, the second and third would reach the chat before it.
    const send = channel.send.bind(channel);
    const arrived: string[] = [];
    const inFlight = new Map<string, number>();
    let mostToOneChat = 0;
    let mostOverall = 0;
    channel.send = async (ref, activity, options) => {
      inFlight.set(ref.conversationId, (inFlight.get(ref.conversationId) ?? 0) + 1);
      mostToOneChat = Math.max(mostToOneChat, inFlight.get(ref.conversationId)!);
      mostOverall = Math.max(mostOverall, [...inFlight.values()].reduce((a, b) => a + b, 0));
      try {
        await new Promise((resolve) => setTimeout(resolve, activity.text === 'Rückfrage' ? 80 : 5));
        const sent = await send(ref, activity, options);
        arrived.push(`${ref.conversationId} ${activity.text}`);
        return sent;
      } finally {
        inFlight.set(ref.conversationId, inFlight.get(ref.conversationId)! - 1);
      }
    };
    // Enqueued before the dispatcher starts: its query finds them together and claims them in a shuffled order.
    for (const text of ['Rückfrage', 'Antwort', 'Erledigt']) {
      await outbox.enqueue({ key: `request:77:${text}`, activity: { text }, recipients: [{ conversation: chat('requester') }] });
      await outbox.enqueue({ key: `request:78:${text}`, activity: { text: `${text} (andere)` }, recipients: [{ conversation: chat(`other-${text}`) }] });
    }
    const dispatcher = start();
    await dispatcher.whenIdle();
    expect(arrived.filter((a) => a.startsWith('conv-requester '))).toEqual(['conv-requester Rückfrage', 'conv-requester Antwort', 'conv-requester Erledigt']);
    expect(arrived).toHaveLength(6);
    expect(mostToOneChat).toBe(1);
    // The other chats did not wait for the slow call.
    expect(mostOverall).toBeGreaterThan(1);
    expect(arrived.indexOf('conv-requester Rückfrage')).toBeGreaterThan(arrived.indexOf('conv-other-Antwort Antwort (andere)'));
  });

  it('does not roll a card back to an older update that arrives late', async () => {
    // The outbox's clock ticks a millisecond per reading (in the past, so everything is due): the two updates are
    // ordered by their creation time without a sleep between them.
    let tick = Date.now() - 60_000;
    outbox = new Outbox(outboxStore, { clock: { now: () => ++tick } });
    start();
    await outbox.enqueue({ key: 'request:6:submitted', activity: { text: 'offen' }, recipients: [{ conversation: chat('ib') }] });
    await eventually(async () => (await outbox.status('request:6:submitted'))?.delivered === 1);
    channel.fail('conv-ib', new ChannelError('ServiceUnavailable', 'transient', 503));
    await outbox.enqueueUpdate({ key: 'request:6:accepted', of: 'request:6:submitted', activity: { text: 'angenommen' } });
    await outbox.enqueueUpdate({ key: 'request:6:closed', of: 'request:6:submitted', activity: { text: 'erledigt' } });
    await eventually(async () => {
      const [a, b] = await Promise.all([outbox.status('request:6:accepted'), outbox.status('request:6:closed')]);
      return a?.delivered === 1 && b?.delivered === 1;
    });
    const shown = channel.accepted('update').map((u) => u.text);
    expect(shown[shown.length - 1]).toBe('erledigt');
  });

  it("notes an update on its card's original before the call: a process that dies after Teams took it leaves no older update to follow", async () => {
    start();
    await outbox.enqueue({ key: 'request:7:submitted', activity: { text: 'offen' }, recipients: [{ conversation: chat('ib') }] });
    await eventually(async () => (await outbox.status('request:7:submitted'))?.delivered === 1);
    const [original] = await deliveries('request:7:submitted');
    // What the outbox says about the card while Teams takes the update.
    const marksDuringCall: Array<number | undefined> = [];
    const update = channel.update.bind(channel);
    channel.update = async (ref, activityId, activity, options) => {
      marksDuringCall.push(((await outboxStore.read(original!.pk, original!.id)) as DeliveryDoc | undefined)?.latestUpdateMs);
      return update(ref, activityId, activity, options);
    };
    await outbox.enqueueUpdate({ key: 'request:7:accepted', of: 'request:7:submitted', activity: { text: 'angenommen' } });
    await eventually(async () => (await outbox.status('request:7:accepted'))?.delivered === 1);
    const [accepted] = await deliveries('request:7:accepted');
    expect(marksDuringCall).toEqual([accepted!.createdAtMs]);

    // A process died after Teams took a newer update (its record lost); an older one still waits: it is not sent.
    const older = { ...accepted!, id: 'd-older', notificationKey: 'request:7:older', pk: notificationIdOf('request:7:older'), createdAtMs: accepted!.createdAtMs - 1_000, status: 'pending', open: true, dueAt: 0, attempts: 0, activityId: undefined, sentAt: undefined } as DeliveryDoc;
    const { etag: _etag, ...fresh } = older as Versioned<DeliveryDoc>;
    await outboxStore.create(fresh);
    const updatesBefore = channel.accepted('update').length;
    await eventually(async () => ((await outboxStore.read(older.pk, older.id)) as DeliveryDoc | undefined)?.open === false);
    expect((await outboxStore.read(older.pk, older.id)) as DeliveryDoc).toMatchObject({ status: 'sent', superseded: true });
    expect(channel.accepted('update')).toHaveLength(updatesBefore);
  });

  it('resends deliveries whose earlier attempt has no recorded outcome one at a time, and fresh ones side by side', async () => {
    channel.latencyMs = 40;
    let inFlight = 0;
    let most = 0;
    const send = channel.send.bind(channel);
    channel.send = async (ref, activity, options) => {
      most = Math.max(most, ++inFlight);
      try {
        return await send(ref, activity, options);
      } finally {
        inFlight--;
      }
    };
    // A process died while these five calls were under way: marked `sending`, lease run out.
    await outbox.enqueue({ key: 'circle:9:invite', activity: { text: 'Einladung' }, recipients: Array.from({ length: 5 }, (_, i) => ({ conversation: chat(`u${i}`) })) });
    const stored = await deliveries('circle:9:invite');
    expect(stored).toHaveLength(5);
    for (const d of stored) {
      const current = (await outboxStore.read(d.pk, d.id))!;
      await outboxStore.replace({ ...d, status: 'sending', leaseOwner: 'dead-process', leaseUntil: 1, dueAt: 1, conversation: chat(d.recipientKey.replace('conversation:conv-', '')) } as DeliveryDoc, current.etag);
    }
    start();
    await eventually(async () => (await outbox.status('circle:9:invite'))?.delivered === 5);
    expect(channel.accepted().filter((c) => c.conversationId.startsWith('conv-u'))).toHaveLength(5);
    expect(most).toBe(1);
    // The same dispatcher sends fresh deliveries in parallel: the limit is for uncertain resends only.
    most = 0;
    await outbox.enqueue({ key: 'circle:10:invite', activity: { text: 'Einladung' }, recipients: Array.from({ length: 5 }, (_, i) => ({ conversation: chat(`f${i}`) })) });
    await eventually(async () => (await outbox.status('circle:10:invite'))?.delivered === 5);
    expect(most).toBeGreaterThan(1);
  });

  it('keeps a send without a recorded outcome uncertain when the process that claimed it next dies before sending', async () => {
    // Process A died during the call (`sending`); process B claimed the delivery and died before sending it.
    await outbox.enqueue({ key: 'circle:16:invite', activity: { text: 'Einladung' }, recipients: [{ conversation: chat('twice') }] });
    const [d] = await deliveries('circle:16:invite');
    const current = (await outboxStore.read(d.pk, d.id))!;
    await outboxStore.replace({ ...d, status: 'sending', leaseOwner: 'dead-a', leaseUntil: 1, dueAt: 1, conversation: chat('twice') } as DeliveryDoc, current.etag);
    const sending = (await outboxStore.read(d.pk, d.id)) as Versioned<DeliveryDoc>;
    const claimedByB = await new DeliveryLedger(outboxStore, 'dead-b', 1, { now: () => 2, sleep: async () => undefined } as Clock).claim(sending as Delivery);
    expect(claimedByB).toMatchObject({ status: 'leased', lastError: { code: NO_OUTCOME_RECORDED, ambiguous: true } });
    start();
    await eventually(async () => (await outbox.status('circle:16:invite'))?.delivered === 1);
    // Process C sends it as what it is: possibly a repeat.
    expect((await deliveries('circle:16:invite'))[0]).toMatchObject({ status: 'sent', uncertainResends: 1 });
    expect(events.filter((e) => e.type === 'uncertainResend')).toHaveLength(1);
  });

  it('keeps it uncertain when the resend itself fails and is retried', async () => {
    await outbox.enqueue({ key: 'circle:17:invite', activity: { text: 'Einladung' }, recipients: [{ conversation: chat('flaky') }] });
    const [d] = await deliveries('circle:17:invite');
    const current = (await outboxStore.read(d.pk, d.id))!;
    await outboxStore.replace({ ...d, status: 'sending', leaseOwner: 'dead-a', leaseUntil: 1, dueAt: 1, conversation: chat('flaky') } as DeliveryDoc, current.etag);
    channel.fail('conv-flaky', new ChannelError('ServiceUnavailable', 'transient', 503));
    start();
    await eventually(async () => (await outbox.status('circle:17:invite'))?.delivered === 1);
    // The 503 said nothing about the first attempt: the retry after it is an uncertain resend as well.
    expect(events.filter((e) => e.type === 'uncertainResend')).toHaveLength(2);
  });

  it('keeps at most maxCallsInFlight channel calls under way; the rest wait unsent', async () => {
    channel.latencyMs = 30;
    let inFlight = 0;
    let most = 0;
    const send = channel.send.bind(channel);
    channel.send = async (ref, activity, options) => {
      most = Math.max(most, ++inFlight);
      try {
        return await send(ref, activity, options);
      } finally {
        inFlight--;
      }
    };
    const dispatcher = start({ maxCallsInFlight: 3 });
    await outbox.enqueue({ key: 'circle:15:invite', activity: { text: 'Einladung' }, recipients: Array.from({ length: 12 }, (_, i) => ({ conversation: chat(`c${i}`) })) });
    await dispatcher.whenIdle();
    expect((await outbox.status('circle:15:invite'))?.delivered).toBe(12);
    expect(most).toBe(3);
  });

  it('notes every accepted send in the send journal before recording it, and lets the entry go once recorded', async () => {
    const journal = new MemoryJournal();
    start({}, GENEROUS, { journal });
    await outbox.enqueue({ key: 'circle:12:invite', activity: { text: 'Einladung' }, recipients: ['a', 'b'].map((n) => ({ conversation: chat(n) })) });
    await eventually(async () => (await outbox.status('circle:12:invite'))?.delivered === 2);
    const stored = await deliveries('circle:12:invite');
    expect(journal.log.filter((l) => l.startsWith('accepted')).sort()).toEqual(stored.map((d) => `accepted ${d.id} ${d.activityId}`).sort());
    expect(journal.log.filter((l) => l.startsWith('recorded'))).toHaveLength(2);
    expect(journal.entries.size).toBe(0);
  });

  it('records a send found in the journal with its message id instead of sending it again after a crash', async () => {
    // A process died after Teams accepted these two posts and before the outbox recorded them; its journal kept one.
    await outbox.enqueue({ key: 'circle:13:invite', activity: { text: 'Einladung' }, recipients: ['j1', 'j2'].map((n) => ({ conversation: chat(n) })) });
    const stored = await deliveries('circle:13:invite');
    for (const d of stored) {
      const current = (await outboxStore.read(d.pk, d.id))!;
      await outboxStore.replace({ ...d, status: 'sending', leaseOwner: 'dead-process', leaseUntil: 1, dueAt: 1, conversation: chat(d.recipientKey.replace('conversation:conv-', '')) } as DeliveryDoc, current.etag);
    }
    const journalled = stored.find((d) => d.recipientKey === 'conversation:conv-j1')!;
    const journal = new MemoryJournal();
    journal.accepted(journalled, 'msg-before-the-crash');
    start({}, GENEROUS, { journal });
    await eventually(async () => (await outbox.status('circle:13:invite'))?.delivered === 2);
    // Only the delivery the journal did not know is sent again (and counted as possibly repeated).
    expect(channel.accepted().map((c) => c.conversationId)).toEqual(['conv-j2']);
    const after = await deliveries('circle:13:invite');
    expect(after.find((d) => d.id === journalled.id)).toMatchObject({ status: 'sent', activityId: 'msg-before-the-crash', uncertainResends: 0, attempts: 0 });
    expect(after.find((d) => d.id !== journalled.id)).toMatchObject({ status: 'sent', uncertainResends: 1 });
    expect(events.filter((e) => e.type === 'recoveredFromJournal').map((e) => [e.deliveryId, e.activityId])).toEqual([[journalled.id, 'msg-before-the-crash']]);
    expect(journal.entries.size).toBe(0);
  });

  it('does not take a journal entry for a later delivery under the same key', async () => {
    await outbox.enqueue({ key: 'circle:14:invite', activity: { text: 'Einladung' }, recipients: [{ conversation: chat('k1') }] });
    const [d] = await deliveries('circle:14:invite');
    const journal = new MemoryJournal();
    journal.accepted({ ...d, createdAtMs: d.createdAtMs - 1 }, 'msg-of-an-earlier-delivery');
    start({}, GENEROUS, { journal });
    await eventually(async () => (await outbox.status('circle:14:invite'))?.delivered === 1);
    expect(channel.accepted().map((c) => c.conversationId)).toEqual(['conv-k1']);
    expect((await deliveries('circle:14:invite'))[0].activityId).not.toBe('msg-of-an-earlier-delivery');
  });

  it('has no room while it holds as many deliveries as it claims ahead, and says when it lets one go', async () => {
    channel.latencyMs = 30;
    // Three claimed ahead and three calls in flight (a slow channel): the loop waits for an answer instead of spinning.
    const dispatcher = start({ claimAhead: 3 });
    let released = 0;
    dispatcher.onRoom(() => released++);
    expect(dispatcher.hasRoom()).toBe(true);
    await outbox.enqueue({ key: 'circle:11:invite', activity: { text: 'Einladung' }, recipients: Array.from({ length: 5 }, (_, i) => ({ conversation: chat(`r${i}`) })) });
    // Handed over by the enqueue, not sent yet: five deliveries held against three claimed ahead.
    expect(dispatcher.hasRoom()).toBe(false);
    await dispatcher.whenIdle();
    expect((await outbox.status('circle:11:invite'))?.delivered).toBe(5);
    expect(released).toBe(5);
    expect(dispatcher.hasRoom()).toBe(true);
  });

  it('while the process is busy with turns past the hold, has room only for what the busy pace sends in two seconds', async () => {
    channel.latencyMs = 30;
    let busy = true;
    // 2 calls per second while busy (no hold): room for 4 deliveries, against 50 claimed ahead otherwise.
    const dispatcher = start({ claimAhead: 50, busyCallSpacingMs: 500, busyHoldMs: 0 }, GENEROUS, { busy: () => busy });
    expect(dispatcher.hasRoom()).toBe(true);
    await outbox.enqueue({ key: 'circle:12:invite', activity: { text: 'Einladung' }, recipients: Array.from({ length: 6 }, (_, i) => ({ conversation: chat(`s${i}`) })) });
    expect(dispatcher.hasRoom()).toBe(false);
    // The burst is over: the same six held are well inside what the dispatcher takes at Teams' rate.
    busy = false;
    expect(dispatcher.hasRoom()).toBe(true);
    await dispatcher.whenIdle();
    expect((await outbox.status('circle:12:invite'))?.delivered).toBe(6);
  });

  it('has room as usual while busy when it never yields (busy spacing 0)', async () => {
    channel.latencyMs = 30;
    const dispatcher = start({ claimAhead: 50, busyCallSpacingMs: 0 }, GENEROUS, { busy: () => true });
    await outbox.enqueue({ key: 'circle:13:invite', activity: { text: 'Einladung' }, recipients: Array.from({ length: 6 }, (_, i) => ({ conversation: chat(`t${i}`) })) });
    expect(dispatcher.hasRoom()).toBe(true);
    await dispatcher.whenIdle();
  });

  it('on stop finishes the calls in flight and hands the unsent claims back', async () => {
    channel.latencyMs = 150;
    const dispatcher = start({}, { perConversation: [{ max: 100, windowMs: 1_000 }], perTenant: [{ max: 2, windowMs: 60_000 }] });
    await outbox.enqueue({ key: 'circle:4:invite', activity: { text: 'Einladung' }, recipients: Array.from({ length: 6 }, (_, i) => ({ conversation: chat(`s${i}`) })) });
    await eventually(() => channel.calls.length === 2);
    await dispatcher.stop();
    const docs = await deliveries('circle:4:invite');
    expect(docs.filter((d) => d.status === 'sent')).toHaveLength(2);
    expect(docs.filter((d) => d.status === 'pending' && d.leaseOwner === undefined)).toHaveLength(4);
  });

  it('shares one outbox between two dispatchers and sends every delivery exactly once: 60 races, really contended', async () => {
    channel.latencyMs = 2;
    // Both dispatchers are told of every enqueue and reach for the same deliveries; their writes count the 412s.
    const contended = contendedStore(outboxStore);
    start({ workerId: 'worker-a' }, GENEROUS, { outboxStore: contended.store });
    start({ workerId: 'worker-b' }, GENEROUS, { outboxStore: contended.store });
    const recipients = Array.from({ length: 60 }, (_, i) => ({ conversation: chat(`x${i}`) }));
    await outbox.enqueue({ key: 'circle:5:invite', activity: { text: 'Einladung' }, recipients });
    await eventually(async () => (await outbox.status('circle:5:invite'))?.delivered === 60);
    const perConversation = new Map<string, number>();
    for (const call of channel.accepted()) perConversation.set(call.conversationId, (perConversation.get(call.conversationId) ?? 0) + 1);
    expect(perConversation.size).toBe(60);
    expect([...perConversation.values()].every((n) => n === 1)).toBe(true);
    expect(contended.contention.preconditionFailed).toBeGreaterThan(0);
    expect(new Set(events.filter((e) => e.type === 'sent').map((e) => e.deliveryId)).size).toBe(60);
    expect(events.filter((e) => e.type === 'sent')).toHaveLength(60);
  });

  describe('on an injected clock (time moves only when the test moves it)', () => {
    let clock: FakeClock;

    beforeEach(() => {
      clock = new FakeClock();
      outbox = new Outbox(outboxStore, { clock });
      channel = new ScriptedChannel(() => clock.now());
    });

    /** Lets the dispatcher run until `check` holds, one millisecond of its time per step. */
    async function runUntil(check: () => boolean, limitMs = 10_000): Promise<void> {
      for (let elapsed = 0; !check(); elapsed++) {
        if (elapsed > limitMs) throw new Error(`condition not reached within ${limitMs} ms of the dispatcher's time`);
        await clock.advance(1);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }

    it('schedules the retry after a 429 at the Retry-After instant, sends no earlier, and does not count it as an attempt', async () => {
      channel.fail('conv-a', new ChannelError('TooManyRequests', 'throttled', 429, 300));
      start({}, GENEROUS, { clock });
      await outbox.enqueue({ key: 'report:1:submitted', activity: { text: 'Vortrag' }, recipients: [{ conversation: chat('a') }] });
      await runUntil(() => events.some((e) => e.type === 'throttled'));
      const [waiting] = await deliveries('report:1:submitted');
      expect(waiting).toMatchObject({ status: 'pending', attempts: 0, throttled: 1, lastError: { code: 'TooManyRequests', status: 429 } });
      expect(waiting.dueAt).toBe(Date.parse(waiting.lastError!.at) + 300);
      await runUntil(() => channel.accepted().length === 1);
      const [refused, accepted] = channel.calls;
      expect(refused.startedAt).toBeLessThanOrEqual(Date.parse(waiting.lastError!.at));
      expect(accepted.startedAt).toBeGreaterThanOrEqual(waiting.dueAt);
      expect((await deliveries('report:1:submitted'))[0]).toMatchObject({ status: 'sent', attempts: 1, throttled: 1 });
    });

    it('delivers after 60 answers 429 in a row: throttling uses up no attempt and never fails the delivery', async () => {
      // More 429s than any fixed cap would allow (FAST allows 3 attempts); each waits its Retry-After.
      channel.fail('conv-a', ...Array.from({ length: 60 }, () => new ChannelError('TooManyRequests', 'throttled', 429, 100)));
      start({}, GENEROUS, { clock });
      await outbox.enqueue({ key: 'report:2:submitted', activity: { text: 'Vortrag' }, recipients: [{ conversation: chat('a') }] });
      await runUntil(() => channel.accepted().length === 1, 60_000);
      expect(channel.calls).toHaveLength(61);
      expect(events.filter((e) => e.type === 'throttled')).toHaveLength(60);
      expect(events.map((e) => e.type)).not.toContain('failed');
      expect((await deliveries('report:2:submitted'))[0]).toMatchObject({ status: 'sent', attempts: 1, throttled: 60 });
    });

    it('waits out 429s without Retry-After with back-off, and keeps them from counting', async () => {
      channel.fail('conv-a', ...Array.from({ length: 20 }, () => new ChannelError('TooManyRequests', 'throttled', 429)));
      start({}, GENEROUS, { clock });
      await outbox.enqueue({ key: 'report:3:submitted', activity: { text: 'Vortrag' }, recipients: [{ conversation: chat('a') }] });
      await runUntil(() => channel.accepted().length === 1, 60_000);
      const starts = channel.calls.map((c) => c.startedAt);
      // FAST's back-off with the test's fixed jitter: 15, 30, then 60 ms (the ceiling of 80, halfway jittered).
      expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(15);
      expect(starts[20] - starts[19]).toBeGreaterThanOrEqual(60);
      expect((await deliveries('report:3:submitted'))[0]).toMatchObject({ status: 'sent', attempts: 1, throttled: 20 });
    });

    it('keeps the attempt bound for other errors: 429s between them neither fail the delivery nor give it more attempts', async () => {
      const busy = (): ChannelError => new ChannelError('TooManyRequests', 'throttled', 429, 50);
      const unavailable = (): ChannelError => new ChannelError('ServiceUnavailable', 'transient', 503);
      channel.fail('conv-a', unavailable(), busy(), busy(), unavailable(), busy(), unavailable(), busy());
      start({}, GENEROUS, { clock });
      await outbox.enqueue({ key: 'report:4:submitted', activity: { text: 'Vortrag' }, recipients: [{ conversation: chat('a') }] });
      await runUntil(() => events.some((e) => e.type === 'failed'), 60_000);
      expect(channel.calls).toHaveLength(6);
      expect((await deliveries('report:4:submitted'))[0]).toMatchObject({
        status: 'failed',
        attempts: 3,
        throttled: 3,
        lastError: { code: 'max_attempts:ServiceUnavailable', status: 503 },
      });
    });

    it('while the process is busy with turns past the hold, starts channel calls only at the busy spacing, and at the full rate again after', async () => {
      let busy = true;
      const logged: Array<Record<string, unknown>> = [];
      const logger: Logger = { ...silentLogger, info: (obj) => void logged.push(obj), child: () => logger };
      start({ busyCallSpacingMs: 100, busyHoldMs: 0 }, GENEROUS, { clock, busy: () => busy, logger });
      const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      await outbox.enqueue({ key: 'circle:9:invite', activity: { text: 'Einladung' }, recipients: names.map((n) => ({ conversation: chat(n) })) });
      await runUntil(() => channel.accepted().length === 4);
      const busyStarts = channel.calls.map((c) => c.startedAt);
      expect(busyStarts).toHaveLength(4);
      for (let i = 1; i < busyStarts.length; i++) expect(busyStarts[i] - busyStarts[i - 1]).toBeGreaterThanOrEqual(100);
      // Nothing was written back meanwhile: the waiting deliveries stay claimed in this process.
      expect((await deliveries('circle:9:invite')).filter((d) => d.status === 'pending' && d.dueAt > d.createdAtMs)).toEqual([]);
      busy = false;
      const freeFrom = clock.now();
      await runUntil(() => channel.accepted().length === names.length);
      const freeStarts = channel.calls.slice(4).map((c) => c.startedAt);
      // The rest go as the (generous) rate limit allows: within a few ms of the dispatcher's time, not 100 ms apart.
      expect(Math.max(...freeStarts) - freeFrom).toBeLessThan(100);
      expect((await outbox.status('circle:9:invite'))?.delivered).toBe(names.length);
      // Operators see it once (not per held call): the event and the pace, no ids.
      expect(logged.filter((l) => l.event === 'delivery.yielding_to_turns')).toEqual([{ event: 'delivery.yielding_to_turns', holdSeconds: 0, callsPerSecond: 10 }]);
    });

    it('while the process is busy with turns past the hold, claims only what the busy pace sends in two seconds; the rest waits unclaimed in the outbox', async () => {
      let busy = true;
      // 2 calls per second while busy (no hold): four deliveries taken on at a time, against the usual claim-ahead of 50.
      start({ busyCallSpacingMs: 500, busyHoldMs: 0, claimAhead: 50 }, GENEROUS, { clock, busy: () => busy });
      const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
      await outbox.enqueue({ key: 'circle:15:invite', activity: { text: 'Einladung' }, recipients: names.map((n) => ({ conversation: chat(n) })) });
      await runUntil(() => channel.accepted().length === 2);
      const all = await deliveries('circle:15:invite');
      // Claimed (leased, or marked sending ahead of the slot): at most the busy window; the others not even claimed.
      expect(all.filter((d) => d.status === 'leased' || d.status === 'sending').length).toBeLessThanOrEqual(4);
      expect(all.filter((d) => d.status === 'pending' && d.attempts === 0 && d.leaseOwner === undefined).length).toBeGreaterThanOrEqual(4);
      busy = false;
      await runUntil(() => channel.accepted().length === names.length);
      expect((await outbox.status('circle:15:invite'))?.delivered).toBe(names.length);
    });

    it('holds every channel call and claim back for the first busyHoldMs of a burst of turns, then calls at the busy spacing', async () => {
      let busy = true;
      // When each claim (`leased`, or `sending` marked with it) was written, on the dispatcher's clock.
      const claimedAt: number[] = [];
      const store = new Proxy(outboxStore, {
        get(target, prop, receiver) {
          if (prop !== 'replace') return Reflect.get(target, prop, receiver);
          return (doc: OutboxDoc, etag: string) => {
            if (doc.kind === 'delivery' && (doc.status === 'leased' || doc.status === 'sending')) claimedAt.push(clock.now());
            return target.replace(doc, etag);
          };
        },
      });
      const logged: Array<Record<string, unknown>> = [];
      const logger: Logger = { ...silentLogger, info: (obj) => void logged.push(obj), child: () => logger };
      start({ busyCallSpacingMs: 100, busyHoldMs: 600, claimAhead: 50 }, GENEROUS, { clock, busy: () => busy, logger, outboxStore: store });
      const from = clock.now();
      const names = ['a', 'b', 'c', 'd', 'e', 'f'];
      await outbox.enqueue({ key: 'circle:16:invite', activity: { text: 'Einladung' }, recipients: names.map((n) => ({ conversation: chat(n) })) });
      await runUntil(() => channel.accepted().length === 3);
      // Nothing claimed and nothing called during the hold; then one call per 100 ms, two seconds of it claimed ahead.
      expect(Math.min(...claimedAt) - from).toBeGreaterThanOrEqual(600);
      const starts = channel.calls.map((c) => c.startedAt);
      expect(starts[0] - from).toBeGreaterThanOrEqual(600);
      for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(100);
      expect(logged.filter((l) => l.event === 'delivery.yielding_to_turns')).toEqual([{ event: 'delivery.yielding_to_turns', holdSeconds: 1, callsPerSecond: 10 }]);
      busy = false;
      await runUntil(() => channel.accepted().length === names.length);
      expect((await outbox.status('circle:16:invite'))?.delivered).toBe(names.length);
    });

    it('holds no longer than a third of the lease, so that deliveries claimed before a burst keep their lease through it', async () => {
      let busy = false;
      const { store: counted, written } = writesByStatus(outboxStore);
      // One call per 500 ms to the chat: the first message goes at once, the other three wait claimed in this process.
      // FAST's lease is 2 s: a hold of 10 s is cut to 666 ms.
      const oneChat = { perConversation: [{ max: 1, windowMs: 500 }], perTenant: [{ max: 100, windowMs: 1_000 }], safetyMarginMs: 0 };
      start({ busyCallSpacingMs: 100, busyHoldMs: 10_000 }, oneChat, { clock, busy: () => busy, outboxStore: counted });
      for (let i = 0; i < 4; i++) await outbox.enqueue({ key: `circle:17:${i}`, activity: { text: `Nachricht ${i}` }, recipients: [{ conversation: chat('one') }] });
      await runUntil(() => channel.calls.length === 1);
      busy = true;
      const from = clock.now();
      await runUntil(() => channel.calls.length === 2);
      expect(channel.calls[1].startedAt - from).toBeGreaterThanOrEqual(666);
      expect(channel.calls[1].startedAt - from).toBeLessThan(1_000);
      busy = false;
      await runUntil(() => channel.accepted().length === 4);
      // None was handed back for an old lease (and claimed again).
      expect(written.filter((w) => w === 'pending')).toEqual([]);
    });

    it('tells the relay there is room again when a burst ends during the hold, with no delivery let go', async () => {
      let busy = true;
      const dispatcher = start({ busyCallSpacingMs: 100, busyHoldMs: 600, claimAhead: 50 }, GENEROUS, { clock, busy: () => busy });
      let told = 0;
      dispatcher.onRoom(() => told++);
      // Held: no room at all, so the relay's notices wait in their documents.
      expect(dispatcher.hasRoom()).toBe(false);
      busy = false;
      await runUntil(() => told > 0);
      expect(dispatcher.hasRoom()).toBe(true);
    });

    it('does not hold calls back without a busy signal, or with a spacing of 0', async () => {
      start({ busyCallSpacingMs: 0 }, GENEROUS, { clock, busy: () => true });
      await outbox.enqueue({ key: 'circle:10:invite', activity: { text: 'Einladung' }, recipients: ['a', 'b', 'c', 'd'].map((n) => ({ conversation: chat(n) })) });
      const from = clock.now();
      await runUntil(() => channel.accepted().length === 4);
      expect(Math.max(...channel.calls.map((c) => c.startedAt)) - from).toBeLessThan(100);
    });

    it('puts deliveries to a chat whose rate limit is used up back one behind the other, without claiming them first (issue 14)', async () => {
      // Every write to the outbox, by the status it writes: a claim that is then handed back costs two.
      const { store: counted, written } = writesByStatus(outboxStore);
      // One chat allows 2 calls per second: twelve messages to it take six seconds.
      start({ deferAfterMs: 500 }, { perConversation: [{ max: 2, windowMs: 1_000 }], perTenant: [{ max: 100, windowMs: 1_000 }], safetyMarginMs: 0 }, { clock, outboxStore: counted });
      for (let i = 0; i < 12; i++) await outbox.enqueue({ key: `circle:busy:${i}`, activity: { text: `Nachricht ${i}` }, recipients: [{ conversation: chat('busy') }] });
      await runUntil(() => channel.accepted().length === 12, 20_000);
      expect(new Set(channel.accepted().map((c) => c.text)).size).toBe(12);
      // Each message: claimed and marked sending in one write, recorded sent in another; those that had to wait were put
      // back about once each (one write, no claim), not claimed and put back again whenever the chat's slot came round.
      // The pace is an estimate: the rate limiter may still hand back one or two that were marked already.
      const count = (status: string) => written.filter((w) => w === status).length;
      expect(count('sent')).toBe(12);
      expect(count('leased')).toBe(0);
      expect(count('sending')).toBeLessThanOrEqual(14);
      expect(count('pending')).toBeLessThanOrEqual(14);
      expect(written.length).toBeLessThanOrEqual(40);
    });

    it('looks at an update whose original waits in the outbox again once the original is due, not every waitForOriginalMs (issue 14)', async () => {
      const originalPk = notificationIdOf('circle:late:post');
      let originalReads = 0;
      const counted = new Proxy(outboxStore, {
        get(target, prop, receiver) {
          if (prop !== 'read') return Reflect.get(target, prop, receiver);
          return (pk: string, id: string) => {
            if (pk === originalPk) originalReads += 1;
            return target.read(pk, id);
          };
        },
      });
      start({}, GENEROUS, { clock, outboxStore: counted });
      // The card goes out in 5 s (its notBefore); its update is enqueued now and must follow it.
      await outbox.enqueue({ key: 'circle:late:post', activity: { text: 'Karte' }, recipients: [{ conversation: chat('late') }], notBefore: new Date(clock.now() + 5_000) });
      await outbox.enqueueUpdate({ key: 'circle:late:post:r2', of: 'circle:late:post', activity: { text: 'Karte, neu' } });
      await runUntil(() => channel.accepted('update').length === 1, 20_000);
      expect(channel.accepted().map((c) => c.text)).toEqual(['Karte']);
      expect(channel.accepted('update').map((c) => c.text)).toEqual(['Karte, neu']);
      // Read when first due, then once the card is due (and sent): not every 30 ms for 5 s (about 170 reads and as many writes).
      expect(originalReads).toBeLessThanOrEqual(3);
    });

    it('claims no more deliveries than it marks sending ahead of their slot, so that each claim is that mark (issue 14)', async () => {
      const { store: counted, written } = writesByStatus(outboxStore);
      // Forty chats, the tenant allowing 10 calls per second: four seconds of sending, four marked ahead at most. Two
      // calls at a time: the first query runs while the enqueue still hands its deliveries over, and a delivery claimed
      // from the query and sent must not be claimed again from its stale handed-over copy (a write bound to fail).
      start({ claimAhead: 16, beginAhead: 4, maxCallsInFlight: 2 }, { perConversation: [{ max: 100, windowMs: 1_000 }], perTenant: [{ max: 10, windowMs: 1_000 }], safetyMarginMs: 0 }, { clock, outboxStore: counted });
      await outbox.enqueue({ key: 'circle:40:invite', activity: { text: 'Einladung' }, recipients: Array.from({ length: 40 }, (_, i) => ({ conversation: chat(`c${i}`) })) });
      await runUntil(() => channel.accepted().length === 40, 20_000);
      // Per delivery one write that claims it and marks it sending, one that records it sent; no claim without the mark.
      expect(written.filter((w) => w === 'leased')).toHaveLength(0);
      expect(written.filter((w) => w === 'sending')).toHaveLength(40);
      expect(written.filter((w) => w === 'sent')).toHaveLength(40);
    });

    it('keeps a chat\'s order across a crash: a message enqueued after one a dead process still holds waits until that lease runs out, then goes second', async () => {
      // A process died while it held the first message (`sending`, its lease runs 300 ms more).
      await outbox.enqueue({ key: 'item:1:r2:requester', activity: { text: 'In Bearbeitung' }, recipients: [{ conversation: chat('requester') }] });
      const [first] = await deliveries('item:1:r2:requester');
      const current = (await outboxStore.read(first.pk, first.id))!;
      const leaseEnds = clock.now() + 300;
      await outboxStore.replace({ ...first, status: 'sending', leaseOwner: 'dead-process', leaseUntil: leaseEnds, dueAt: leaseEnds, conversation: chat('requester') } as DeliveryDoc, current.etag);
      await clock.advance(5);
      // The next process starts; the next change's message is enqueued, and one to another chat.
      await outbox.enqueue({ key: 'item:1:r3:requester', activity: { text: 'Erledigt' }, recipients: [{ conversation: chat('requester') }] });
      await outbox.enqueue({ key: 'item:2:r2:requester', activity: { text: 'Anderes Anliegen' }, recipients: [{ conversation: chat('other') }] });
      start({}, GENEROUS, { clock });
      await runUntil(() => channel.accepted().length === 3, 2_000);
      expect(channel.accepted().filter((c) => c.conversationId === 'conv-requester').map((c) => c.text)).toEqual(['In Bearbeitung', 'Erledigt']);
      const erledigt = channel.accepted().find((c) => c.text === 'Erledigt')!;
      expect(erledigt.startedAt).toBeGreaterThan(leaseEnds);
      // The other chat did not wait.
      expect(channel.accepted().find((c) => c.text === 'Anderes Anliegen')!.startedAt).toBeLessThan(leaseEnds);
      // The first one went as what it is: possibly a repeat.
      expect((await deliveries('item:1:r2:requester'))[0]).toMatchObject({ status: 'sent', uncertainResends: 1 });
    });

    it('keeps a chat\'s order across a crash when the earlier message waits due in the outbox behind others, and a later one is enqueued in this process', async () => {
      // A dead process left a backlog: twelve due messages to other chats, then one to the requester.
      for (let i = 0; i < 12; i++) await outbox.enqueue({ key: `circle:${i}:invite`, activity: { text: `Einladung ${i}` }, recipients: [{ conversation: chat(`member-${i}`) }] });
      await clock.advance(1);
      await outbox.enqueue({ key: 'item:4:r2:requester', activity: { text: 'In Bearbeitung' }, recipients: [{ conversation: chat('requester') }] });
      await clock.advance(5);
      // This process claims two at a time; as it starts, the next change's message is enqueued here (handed over, no query).
      start({ beginAhead: 2, claimAhead: 2, maxCallsInFlight: 1 }, GENEROUS, { clock });
      await outbox.enqueue({ key: 'item:4:r3:requester', activity: { text: 'Erledigt' }, recipients: [{ conversation: chat('requester') }] });
      await runUntil(() => channel.accepted().length === 14, 5_000);
      expect(channel.accepted().filter((c) => c.conversationId === 'conv-requester').map((c) => c.text)).toEqual(['In Bearbeitung', 'Erledigt']);
    });

    it('keeps a chat\'s order when a dead process was sending two messages to it and the later one\'s lease runs out first, and the later one stays an uncertain resend', async () => {
      const orphan = async (key: string, text: string, leaseEnds: number) => {
        await outbox.enqueue({ key, activity: { text }, recipients: [{ conversation: chat('requester') }] });
        const [d] = await deliveries(key);
        const current = (await outboxStore.read(d.pk, d.id))!;
        await outboxStore.replace({ ...d, status: 'sending', leaseOwner: 'dead-process', leaseUntil: leaseEnds, dueAt: leaseEnds, conversation: chat('requester') } as DeliveryDoc, current.etag);
      };
      // The earlier one was marked again shortly before the crash: its lease runs out after the later one's.
      await orphan('item:5:r2:requester', 'In Bearbeitung', clock.now() + 200);
      await clock.advance(1);
      await orphan('item:5:r3:requester', 'Erledigt', clock.now() + 100);
      start({}, GENEROUS, { clock });
      await runUntil(() => channel.accepted().length === 2, 1_000);
      expect(channel.accepted().map((c) => c.text)).toEqual(['In Bearbeitung', 'Erledigt']);
      expect((await deliveries('item:5:r3:requester'))[0]).toMatchObject({ status: 'sent', uncertainResends: 1 });
      expect(events.filter((e) => e.type === 'uncertainResend')).toHaveLength(2);
    });

    it('delivers all the same when it cannot look up the deliveries open at start, and says so in the log', async () => {
      const logged: Array<Record<string, unknown>> = [];
      const logger: Logger = { ...silentLogger, warn: (obj) => void logged.push(obj), child: () => logger };
      const failing = new Proxy(outboxStore, {
        get(target, prop, receiver) {
          if (prop !== 'query') return Reflect.get(target, prop, receiver);
          return (spec: QuerySpec, options?: QueryOptions) => {
            if (spec.query.includes('c.dueAt <= @horizon')) return Promise.reject(Object.assign(new Error('unavailable'), { code: 'ServiceUnavailable' }));
            return target.query(spec, options);
          };
        },
      });
      await outbox.enqueue({ key: 'item:3:r2:requester', activity: { text: 'In Bearbeitung' }, recipients: [{ conversation: chat('requester') }] });
      start({}, GENEROUS, { clock, outboxStore: failing, logger });
      await runUntil(() => channel.accepted().length === 1);
      expect(logged).toEqual([expect.objectContaining({ event: 'outbox.fences_unavailable', code: 'ServiceUnavailable' })]);
    });

    it('keeps every sliding window of the tenant limit', async () => {
      start({}, { perConversation: [{ max: 100, windowMs: 1_000 }], perTenant: [{ max: 5, windowMs: 200 }], safetyMarginMs: 0 }, { clock });
      await outbox.enqueue({ key: 'circle:3:minutes', activity: { text: 'Protokoll' }, recipients: Array.from({ length: 20 }, (_, i) => ({ conversation: chat(`m${i}`) })) });
      await runUntil(() => channel.accepted().length === 20);
      const starts = channel.calls.map((c) => c.startedAt).sort((a, b) => a - b);
      expect(starts).toHaveLength(20);
      for (let i = 5; i < starts.length; i++) expect(starts[i] - starts[i - 5]).toBeGreaterThanOrEqual(200);
    });
  });

  describe('whenIdle', () => {
    it('resolves once every due delivery is sent, not before', async () => {
      channel.latencyMs = 20;
      const dispatcher = start();
      await outbox.enqueue({ key: 'idle:1', activity: { text: 'Einladung' }, recipients: ['a', 'b', 'c'].map((n) => ({ conversation: chat(n) })) });
      await dispatcher.whenIdle();
      expect(channel.accepted().map((c) => c.conversationId).sort()).toEqual(['conv-a', 'conv-b', 'conv-c']);
      expect((await outbox.status('idle:1'))?.delivered).toBe(3);
    });

    it('resolves at once when there is nothing to do, and again after new work is done', async () => {
      const dispatcher = start();
      await dispatcher.whenIdle();
      expect(channel.calls).toEqual([]);
      await outbox.enqueue({ key: 'idle:2', activity: { text: 'Noch eins' }, recipients: [{ conversation: chat('a') }] });
      await dispatcher.whenIdle();
      expect(channel.accepted()).toHaveLength(1);
    });

    it('waits for deliveries it put back for later: a retry after back-off and a Retry-After wait', async () => {
      channel.fail('conv-a', new ChannelError('ServiceUnavailable', 'transient', 503));
      channel.fail('conv-b', new ChannelError('TooManyRequests', 'throttled', 429, 150));
      const dispatcher = start();
      await outbox.enqueue({ key: 'idle:3', activity: { text: 'Später' }, recipients: [{ conversation: chat('a') }, { conversation: chat('b') }] });
      await dispatcher.whenIdle();
      expect(await outbox.status('idle:3')).toMatchObject({ total: 2, delivered: 2 });
      expect(channel.calls.map((c) => c.conversationId).sort()).toEqual(['conv-a', 'conv-a', 'conv-b', 'conv-b']);
    });

    it('does not take the answer of a query that was under way when it was called', async () => {
      const gated = new GatedDueQueries(outboxStore);
      const dispatcher = start({}, GENEROUS, { outboxStore: gated });
      await dispatcher.whenIdle();
      // A first caller makes the dispatcher look; that query reads the outbox empty, then is held.
      const held = gated.holdNext();
      const first = dispatcher.whenIdle();
      await held.entered;
      // Meanwhile another process enqueues: nothing is handed over to this dispatcher, it must find it by a query.
      await new Outbox(outboxStore).enqueue({ key: 'idle:4', activity: { text: 'Von nebenan' }, recipients: [{ conversation: chat('a') }] });
      const second = dispatcher.whenIdle();
      held.release();
      // The held answer is true for the first caller (the outbox was empty after it called), not for the second.
      await first;
      await second;
      expect(channel.accepted().map((c) => c.text)).toEqual(['Von nebenan']);
    });

    it('rejects a caller still waiting when the dispatcher stops, and any caller after', async () => {
      channel.failAlways('conv-a', new ChannelError('ServiceUnavailable', 'transient', 503));
      const dispatcher = start({ backoff: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, maxAttempts: 5 });
      await outbox.enqueue({ key: 'idle:5', activity: { text: 'Hängt' }, recipients: [{ conversation: chat('a') }] });
      await eventually(() => channel.calls.length === 1);
      // Settled into a value at once, so that the rejection is never unhandled while stop() runs.
      const waiting = dispatcher.whenIdle().then(
        () => 'idle',
        (err: unknown) => err,
      );
      await dispatcher.stop();
      expect(await waiting).toMatchObject({ code: 'DISPATCHER_STOPPED' });
      await expect(dispatcher.whenIdle()).rejects.toMatchObject({ code: 'DISPATCHER_STOPPED' });
    });
  });
});
