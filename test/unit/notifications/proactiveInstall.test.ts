import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { ConversationLifecycle } from '../../../bot/delivery/conversationLifecycle';
import type { Clock } from '../../../services/common/clock';
import { GraphError } from '../../../services/graph/graphPort';
import { silentLogger } from '../../../services/logging';
import { ChannelError, type ChannelSender, type PersonalConversationTarget, type SendOptions } from '../../../services/notifications/channelSender';
import { ConversationRegistry, personalConversationsIn, type RegistryDoc } from '../../../services/notifications/conversationRegistry';
import { startDispatcher, type DeliveryEvent, type Dispatcher, type DispatcherOptions } from '../../../services/notifications/dispatcher';
import { notificationIdOf } from '../../../services/notifications/keys';
import type { ConversationRef, DeliveryDoc, OutboxDoc, OutgoingActivity } from '../../../services/notifications/model';
import { Outbox } from '../../../services/notifications/outbox';
import type { DeliveryLimits } from '../../../services/notifications/rateLimiter';
import type { DeliveryReport } from '../../../services/notifications/reach';
import { OutboxReports } from '../../../services/notifications/reports';
import { UserProfileRepository, type UserProfile } from '../../../services/users/userProfiles';
import { activityBuilders, user } from '../../support/activities';
import { eventually as pollUntil } from '../../support/circle';
import { FakeClock } from '../../support/fakeClock';
import { FakeGraph } from '../../support/fakeGraph';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const TENANT = '72f988bf-0000-4000-a000-000000000001';
const SERVICE_URL = 'https://smba.example/emea/';
const HEAD = 'aa000000-0000-4000-a000-000000000001';
const OFFICE = 'aa000000-0000-4000-a000-000000000002';
const LEFT = 'aa000000-0000-4000-a000-000000000003';
const BLOCKER = 'aa000000-0000-4000-a000-000000000004';

interface Call {
  operation: 'create' | 'send';
  aadObjectId: string;
  ok: boolean;
  at: number;
}

/** Teams as it treats people with and without the app: no chat for a person without it, no post after they removed it. */
class TeamsWithApps implements ChannelSender {
  readonly calls: Call[] = [];
  /** People with the app, by Entra object id. */
  readonly hasApp = new Set<string>();
  readonly blocked = new Set<string>();
  /** Chat openings still refused after an installation (Teams takes a moment to see it). */
  refusalsAfterInstall = 0;
  private lastId = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  async createPersonalConversation(target: PersonalConversationTarget, _options: SendOptions): Promise<ConversationRef> {
    const ok = this.hasApp.has(target.aadObjectId) && this.refusalsAfterInstall-- <= 0;
    this.calls.push({ operation: 'create', aadObjectId: target.aadObjectId, ok, at: this.now() });
    if (!ok) throw new ChannelError('Forbidden', 'unreachable', 403);
    return { conversationId: `a:${target.aadObjectId}`, serviceUrl: target.serviceUrl, tenantId: target.tenantId, botId: target.botId, conversationType: 'personal' };
  }

  async send(ref: ConversationRef, _activity: OutgoingActivity, _options: SendOptions): Promise<{ activityId: string }> {
    const aadObjectId = ref.conversationId.replace(/^a:/, '');
    const blocked = this.blocked.has(aadObjectId);
    const ok = !blocked && this.hasApp.has(aadObjectId);
    this.calls.push({ operation: 'send', aadObjectId, ok, at: this.now() });
    if (blocked) throw new ChannelError('ConversationBlockedByUser', 'unreachable', 403);
    if (!ok) throw new ChannelError('Forbidden', 'unreachable', 403);
    return { activityId: `msg-${++this.lastId}` };
  }

  async update(): Promise<void> {
    throw new ChannelError('NotExpected', 'permanent', 400);
  }

  delivered(aadObjectId: string): number {
    return this.calls.filter((c) => c.operation === 'send' && c.ok && c.aadObjectId === aadObjectId).length;
  }
}

const eventually = (check: () => Promise<boolean> | boolean) => pollUntil(check, 5_000, 10);

const FAST: Partial<DispatcherOptions> = {
  pollIntervalMs: 20,
  leaseMs: 2_000,
  callTimeoutMs: 500,
  backoff: { baseDelayMs: 20, maxDelayMs: 80 },
  installBackoff: { baseDelayMs: 20, maxDelayMs: 80 },
  maxAttempts: 3,
  maxInstallFailures: 3,
  maxInstallWaits: 3,
  repairIntervalMs: 60_000,
};
const GENEROUS: Partial<DeliveryLimits> = { perConversation: [{ max: 100, windowMs: 1_000 }], perTenant: [{ max: 1_000, windowMs: 1_000 }] };

const toUser = (aadObjectId: string) => ({ user: { aadObjectId, tenantId: TENANT } });

describe('reaching people without the app (proactive installation through Graph)', () => {
  let outboxStore: MemoryDocumentStore<OutboxDoc>;
  let users: MemoryDocumentStore<UserProfile>;
  let outbox: Outbox;
  let teams: TeamsWithApps;
  let graph: FakeGraph;
  let reports: OutboxReports;
  let events: DeliveryEvent[];
  const running: Dispatcher[] = [];

  function start(withGraph = true, options: Partial<DispatcherOptions> = {}, clock?: Clock): Dispatcher {
    const dispatcher = startDispatcher({
      clock,
      stores: { outbox: outboxStore, users, conversations: new MemoryDocumentStore<RegistryDoc>('conversations') },
      sender: teams,
      logger: silentLogger,
      outbox,
      limits: GENEROUS,
      options: { ...FAST, ...options },
      defaultEndpoint: { serviceUrl: SERVICE_URL, botId: '28:bot' },
      graph: withGraph ? graph : undefined,
      onEvent: (e) => {
        events.push(e);
        reports.noteEvent(e);
      },
      random: () => 0.5,
    });
    running.push(dispatcher);
    return dispatcher;
  }

  async function delivery(key: string): Promise<DeliveryDoc> {
    const [doc] = await outboxStore.query<DeliveryDoc>({ query: 'SELECT * FROM c WHERE c.pk = @pk AND c.kind = "delivery"', parameters: [{ name: '@pk', value: notificationIdOf(key) }] });
    return doc;
  }

  async function settled(key: string, total = 1): Promise<DeliveryReport> {
    let report: DeliveryReport | undefined;
    await eventually(async () => {
      report = await reports.report(key);
      return report.total === total && report.pending === 0;
    });
    return report as DeliveryReport;
  }

  const profiles = () => new UserProfileRepository(users);
  /** The installations the bot asked Graph for, failed ones included. */
  const installs = () => graph.callsTo('installApp');

  beforeEach(() => {
    outboxStore = new MemoryDocumentStore<OutboxDoc>('outbox');
    users = new MemoryDocumentStore<UserProfile>('users');
    outbox = new Outbox(outboxStore);
    teams = new TeamsWithApps();
    graph = new FakeGraph({ features: ['install'], onInstall: (id) => teams.hasApp.add(id) });
    reports = new OutboxReports(outboxStore, { logger: silentLogger });
    events = [];
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
    await reports.stop();
  });

  it('installs the app for a head who never opened the bot, then opens the chat and delivers', async () => {
    start();
    await outbox.enqueue({ key: 'item:r1:head', activity: { text: 'Vortrag' }, recipients: [toUser(HEAD)] });
    const report = await settled('item:r1:head');
    expect(report).toMatchObject({ total: 1, delivered: 1, installed: 1, pending: 0, unreachable: [] });
    expect(report.recipients).toEqual([{ aadObjectId: HEAD, reach: 'installedThenDelivered' }]);
    expect(installs().map((c) => c.userId)).toEqual([HEAD]);
    expect(teams.calls.map((c) => `${c.operation}:${c.ok}`)).toEqual(['create:false', 'create:true', 'send:true']);
    expect(await delivery('item:r1:head')).toMatchObject({ status: 'sent', reach: 'installedThenDelivered', install: { state: 'done', installedAt: expect.any(String) } });
    const profile = await profiles().get(HEAD);
    expect(profile?.app?.installedByBotAt).toEqual(expect.any(String));
    expect(profile?.personal?.conversationId).toBe(`a:${HEAD}`);
  });

  it('tries the chat again with back-off while the installation takes effect', async () => {
    teams.refusalsAfterInstall = 2;
    start();
    await outbox.enqueue({ key: 'item:r2:head', activity: { text: 'Vortrag' }, recipients: [toUser(HEAD)] });
    const report = await settled('item:r2:head');
    expect(report.installed).toBe(1);
    expect(teams.calls.map((c) => `${c.operation}:${c.ok}`)).toEqual(['create:false', 'create:false', 'create:false', 'create:true', 'send:true']);
    expect(installs()).toHaveLength(1);
  });

  it('gives up as installFailed when Teams keeps refusing the chat after the installation', async () => {
    teams.refusalsAfterInstall = 1_000;
    start();
    await outbox.enqueue({ key: 'item:r3:head', activity: { text: 'Vortrag' }, recipients: [toUser(HEAD)] });
    const report = await settled('item:r3:head');
    expect(report.unreachable).toEqual([{ aadObjectId: HEAD, reach: 'unreachable', reason: 'installFailed' }]);
    // The first refusal, and one after the installation plus maxInstallWaits (3) more.
    expect(teams.calls.filter((c) => c.operation === 'create')).toHaveLength(5);
    expect(installs()).toHaveLength(1);
  });

  it('does not install the app again for a person who removed it after a post to their chat was refused', async () => {
    await profiles().update(LEFT, TENANT, (p) => ({ ...p, personal: { conversationId: `a:${LEFT}`, serviceUrl: SERVICE_URL, tenantId: TENANT, botId: '28:bot', conversationType: 'personal' } }));
    const dispatcher = start();
    await outbox.enqueue({ key: 'circle:poll:p1:opened', activity: { text: 'Umfrage' }, recipients: [toUser(LEFT)] });
    const first = await settled('circle:poll:p1:opened');
    expect(first.unreachable).toEqual([{ aadObjectId: LEFT, reach: 'unreachable', reason: 'removedByUser' }]);
    await dispatcher.whenIdle();
    const profile = await profiles().get(LEFT);
    expect(profile?.personal).toBeUndefined();
    expect(profile?.app?.removedByUserAt).toEqual(expect.any(String));

    await outbox.enqueue({ key: 'circle:poll:p2:opened', activity: { text: 'Umfrage' }, recipients: [toUser(LEFT)] });
    const second = await settled('circle:poll:p2:opened');
    expect(second.unreachable).toEqual([{ aadObjectId: LEFT, reach: 'unreachable', reason: 'removedByUser' }]);
    expect(installs()).toEqual([]);
  });

  it('waits as long as Graph says when it throttles the installation, without counting a failure', async () => {
    const clock = new FakeClock();
    outbox = new Outbox(outboxStore, { clock });
    teams = new TeamsWithApps(() => clock.now());
    graph = new FakeGraph({ features: ['install'], onInstall: (id) => teams.hasApp.add(id), now: () => clock.now() });
    graph.failNext('installApp', new GraphError('TooManyRequests', 'throttled', 429, 7_000));
    start(true, { maxInstallFailures: 1 }, clock);
    await outbox.enqueue({ key: 'item:r4:head', activity: { text: 'Vortrag' }, recipients: [toUser(HEAD)] });
    for (let ms = 0; !events.some((e) => e.type === 'installThrottled'); ms++) {
      if (ms > 10_000) throw new Error('no throttled installation');
      await clock.advance(1);
    }
    const waiting = await delivery('item:r4:head');
    expect(waiting).toMatchObject({ status: 'pending', install: { state: 'needed', failures: 0 }, lastError: { code: 'graph:TooManyRequests', status: 429 } });
    expect(waiting.dueAt).toBe(Date.parse(waiting.lastError!.at) + 7_000);
    for (let ms = 0; teams.delivered(HEAD) === 0; ms++) {
      if (ms > 20_000) throw new Error('not delivered after the wait');
      await clock.advance(1);
    }
    expect(installs()).toHaveLength(2);
    expect(installs()[1].at).toBeGreaterThanOrEqual(waiting.dueAt);
    // Throttling is not a failure: with maxInstallFailures 1, a counted failure would have ended it.
    expect(await delivery('item:r4:head')).toMatchObject({ status: 'sent', reach: 'installedThenDelivered', install: { failures: 0 } });
    // After the first refusal, no more chat openings until the installation is done.
    expect(teams.calls.map((c) => `${c.operation}:${c.ok}`)).toEqual(['create:false', 'create:true', 'send:true']);
  });

  it('ends as unreachable notInstalled when the installation permission is not granted, without calling Graph to install', async () => {
    graph.granted.delete('install');
    start();
    await outbox.enqueue({ key: 'item:r5:head', activity: { text: 'Vortrag' }, recipients: [toUser(HEAD)] });
    const report = await settled('item:r5:head');
    expect(report.unreachable).toEqual([{ aadObjectId: HEAD, reach: 'unreachable', reason: 'notInstalled' }]);
    expect(installs()).toEqual([]);
  });

  it('ends as unreachable notInstalled when Graph refuses the installation as forbidden', async () => {
    graph.failNext('installApp', new GraphError('Authorization_RequestDenied', 'forbidden', 403));
    start();
    await outbox.enqueue({ key: 'item:r6:head', activity: { text: 'Vortrag' }, recipients: [toUser(HEAD)] });
    const report = await settled('item:r6:head');
    expect(report.unreachable).toEqual([{ aadObjectId: HEAD, reach: 'unreachable', reason: 'notInstalled' }]);
    expect(await delivery('item:r6:head')).toMatchObject({ status: 'unreachable', lastError: { code: 'graph:Authorization_RequestDenied', status: 403 } });
    expect(installs()).toHaveLength(1);
  });

  it('retries a failing installation a bounded number of times, then reports installFailed', async () => {
    graph.failEvery('installApp', new GraphError('ServiceUnavailable', 'transient', 503));
    start();
    await outbox.enqueue({ key: 'item:r7:head', activity: { text: 'Vortrag' }, recipients: [toUser(HEAD)] });
    const report = await settled('item:r7:head');
    expect(report.unreachable).toEqual([{ aadObjectId: HEAD, reach: 'unreachable', reason: 'installFailed' }]);
    expect(installs()).toHaveLength(3);
    expect(teams.calls.filter((c) => c.operation === 'create')).toHaveLength(1);
  });

  it('keeps delivering to others while an installation is under way', async () => {
    teams.hasApp.add(OFFICE);
    const release = graph.hold('installApp');
    start();
    await outbox.enqueue({ key: 'item:r8:head', activity: { text: 'Vortrag' }, recipients: [toUser(HEAD)] });
    await eventually(() => installs().length === 1);
    await outbox.enqueue({ key: 'item:r8:office', activity: { text: 'Vortrag' }, recipients: [toUser(OFFICE)] });
    await eventually(() => teams.delivered(OFFICE) === 1);
    expect(teams.delivered(HEAD)).toBe(0);
    release();
    await eventually(() => teams.delivered(HEAD) === 1);
  });

  it('without Graph, records a person without the app as unreachable notInstalled and tries nothing more', async () => {
    const dispatcher = start(false);
    await outbox.enqueue({ key: 'item:r9:head', activity: { text: 'Vortrag' }, recipients: [toUser(HEAD)] });
    const report = await settled('item:r9:head');
    await dispatcher.whenIdle();
    expect(report.unreachable).toEqual([{ aadObjectId: HEAD, reach: 'unreachable', reason: 'notInstalled' }]);
    expect(teams.calls.map((c) => c.operation)).toEqual(['create']);
    expect(await delivery('item:r9:head')).toMatchObject({ status: 'unreachable', attempts: 1, reach: 'unreachable', reason: 'notInstalled' });
  });

  it("sums a fan-out's reach up for the sender: delivered, installed, and why the others were not reached", async () => {
    teams.hasApp.add(OFFICE).add(BLOCKER);
    teams.blocked.add(BLOCKER);
    await profiles().update(LEFT, TENANT, (p) => ({ ...p, app: { removedByUserAt: '2025-01-01T00:00:00.000Z' } }));
    const dispatcher = start();
    const recipients = [HEAD, OFFICE, LEFT, BLOCKER].map(toUser);
    await outbox.enqueue({ key: 'circle:poll:p3:opened', activity: { text: 'Umfrage' }, recipients });
    const report = await settled('circle:poll:p3:opened', 4);
    await dispatcher.whenIdle();
    expect(report).toMatchObject({ key: 'circle:poll:p3:opened', total: 4, delivered: 2, installed: 1, pending: 0 });
    expect(report.recipients).toEqual([
      { aadObjectId: HEAD, reach: 'installedThenDelivered' },
      { aadObjectId: OFFICE, reach: 'delivered' },
      { aadObjectId: LEFT, reach: 'unreachable', reason: 'removedByUser' },
      { aadObjectId: BLOCKER, reach: 'unreachable', reason: 'blocked' },
    ]);
    expect(report.unreachable.map((r) => r.reason)).toEqual(['removedByUser', 'blocked']);
    expect(installs().map((c) => c.userId)).toEqual([HEAD]);
  });
});

describe('the removal mark, kept in step with what Teams says', () => {
  const people = activityBuilders({ serviceUrl: SERVICE_URL, tenantId: TENANT });
  const person = user({ name: 'Hanna Hauptmann', tenantId: TENANT });
  let users: MemoryDocumentStore<UserProfile>;
  let lifecycle: ConversationLifecycle;

  const contextOf = (activity: unknown) => new TurnContext(new TestAdapter(), activity as Activity);
  const profile = () => new UserProfileRepository(users).get(person.aadObjectId.toLowerCase());

  beforeEach(() => {
    users = new MemoryDocumentStore<UserProfile>('users');
    const personal = personalConversationsIn(new UserProfileRepository(users));
    lifecycle = new ConversationLifecycle(new ConversationRegistry(new MemoryDocumentStore<RegistryDoc>('conversations')), silentLogger, personal);
  });

  it('marks a person who removes the app from their personal scope, and clears the mark when they install it again', async () => {
    await lifecycle.uninstalled(contextOf(people.installationUpdate('remove', { from: person })));
    expect((await profile())?.app?.removedByUserAt).toEqual(expect.any(String));
    await lifecycle.installed(contextOf(people.installationUpdate('add', { from: person })));
    expect((await profile())?.app?.removedByUserAt).toBeUndefined();
  });

  it('clears the mark when the person writes to the bot again (a personal chat is stored)', async () => {
    const repo = new UserProfileRepository(users);
    await lifecycle.uninstalled(contextOf(people.installationUpdate('remove', { from: person })));
    const ref: ConversationRef = { conversationId: 'a:new', serviceUrl: SERVICE_URL, tenantId: TENANT, botId: '28:bot', conversationType: 'personal' };
    await repo.update(person.aadObjectId.toLowerCase(), TENANT, (p) => ({ ...p, personal: ref }));
    const stored = await profile();
    expect(stored?.personal?.conversationId).toBe('a:new');
    expect(stored?.app?.removedByUserAt).toBeUndefined();
  });

  it('keeps the mark as long as the profile: its retention starts with the removal', async () => {
    await lifecycle.uninstalled(contextOf(people.installationUpdate('remove', { from: person })));
    const stored = await profile();
    expect(stored?.personal).toBeUndefined();
    expect(stored?.expiresAt).toEqual(expect.any(Number));
  });
});

describe('delivery reports for senders', () => {
  let store: MemoryDocumentStore<OutboxDoc>;
  let clock: FakeClock;
  let reports: OutboxReports;
  let outbox: Outbox;

  const settle = (key: string, type: DeliveryEvent['type'] = 'sent'): DeliveryEvent => ({ type, notificationId: notificationIdOf(key), notificationKey: key, deliveryId: 'd' });

  beforeEach(() => {
    store = new MemoryDocumentStore<OutboxDoc>('outbox');
    clock = new FakeClock();
    outbox = new Outbox(store, { clock });
    reports = new OutboxReports(store, { logger: silentLogger, clock });
  });

  afterEach(() => reports.stop());

  it('counts a notification not yet sent as pending, recipient by recipient in enqueue order', async () => {
    await outbox.enqueue({ key: 'circle:poll:q1:opened', activity: { text: 'x' }, recipients: [toUser(HEAD), toUser(OFFICE)] });
    expect(await reports.report('circle:poll:q1:opened')).toEqual({
      key: 'circle:poll:q1:opened',
      total: 2,
      delivered: 0,
      installed: 0,
      pending: 2,
      unreachable: [],
      recipients: [
        { aadObjectId: HEAD, reach: 'pending' },
        { aadObjectId: OFFICE, reach: 'pending' },
      ],
    });
  });

  it('calls a listener once for settles of one notification within a second, with the report as it then stands', async () => {
    await outbox.enqueue({ key: 'circle:poll:q2:opened', activity: { text: 'x' }, recipients: [toUser(HEAD), toUser(OFFICE)] });
    const heard: DeliveryReport[] = [];
    reports.onSettled('circle:poll:', (r) => {
      heard.push(r);
    });
    reports.onSettled('item:', () => {
      throw new Error('must not be called for a circle key');
    });
    reports.noteEvent(settle('circle:poll:q2:opened'));
    reports.noteEvent(settle('circle:poll:q2:opened', 'unreachable'));
    reports.noteEvent(settle('circle:poll:q2:opened', 'retry'));
    await clock.advance(1_000);
    // stop() waits for the calls under way: every call the three events caused has been made.
    await reports.stop();
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ key: 'circle:poll:q2:opened', total: 2, pending: 2 });
  });

  it("reads no report for a settled notification whose key no listener's pattern matches (issue 14: a query per settle otherwise)", async () => {
    await outbox.enqueue({ key: 'item:req-1:r2:requester', activity: { text: 'x' }, recipients: [toUser(HEAD)] });
    await outbox.enqueue({ key: 'item:vtr-1:card:head', activity: { text: 'x' }, recipients: [toUser(HEAD)] });
    const heard: string[] = [];
    reports.onSettled(/^item:(vtr-[^:]+):card:([^:]+)$/, (r) => {
      heard.push(r.key);
    });
    let queries = 0;
    const query = store.query.bind(store);
    store.query = ((...args: Parameters<typeof store.query>) => {
      queries += 1;
      return query(...args);
    }) as typeof store.query;
    reports.noteEvent(settle('item:req-1:r2:requester'));
    reports.noteEvent(settle('item:vtr-1:card:head'));
    await clock.advance(1_000);
    await reports.stop();
    expect(heard).toEqual(['item:vtr-1:card:head']);
    expect(queries).toBe(1);
  });

  it('calls the listener again for a settle after its last call', async () => {
    await outbox.enqueue({ key: 'circle:poll:q4:opened', activity: { text: 'x' }, recipients: [toUser(HEAD)] });
    const heard: DeliveryReport[] = [];
    reports.onSettled('circle:poll:', (r) => {
      heard.push(r);
    });
    reports.noteEvent(settle('circle:poll:q4:opened'));
    await clock.advance(1_000);
    await eventually(() => heard.length === 1);
    reports.noteEvent(settle('circle:poll:q4:opened'));
    await clock.advance(1_000);
    await eventually(() => heard.length === 2);
  });

  it('on stop, drops the calls it had scheduled', async () => {
    await outbox.enqueue({ key: 'circle:poll:q3:opened', activity: { text: 'x' }, recipients: [toUser(HEAD)] });
    let heard = 0;
    reports.onSettled('circle:', () => {
      heard += 1;
    });
    reports.noteEvent(settle('circle:poll:q3:opened'));
    await reports.stop();
    await clock.advance(2_000);
    expect(heard).toBe(0);
  });
});
