import { GraphError, type GraphFeature, type GraphPort, type InstallResult, type InstallState } from '../../../services/graph/graphPort';
import { silentLogger } from '../../../services/logging';
import { ChannelError, type ChannelSender, type PersonalConversationTarget } from '../../../services/notifications/channelSender';
import { personalConversationsIn, type RegistryDoc } from '../../../services/notifications/conversationRegistry';
import { startDispatcher, type Dispatcher } from '../../../services/notifications/dispatcher';
import type { ConversationRef, OutboxDoc } from '../../../services/notifications/model';
import { Outbox } from '../../../services/notifications/outbox';
import type { DeliveryReport } from '../../../services/notifications/reach';
import { OutboxReports } from '../../../services/notifications/reports';
import { BOT_INSTALL_ADD_WINDOW_MS, takeBotInstallMark, UserProfileRepository, withAppRecord, type UserProfile } from '../../../services/users/userProfiles';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

/**
 * The mark that tells Teams' `installationUpdate` add for an installation the bot made (answered with a short note)
 * from one the person made themselves (answered with the welcome card), issue 15.
 */

const TENANT = '72f988bf-0000-4000-a000-000000000001';
const PERSON = 'bb000000-0000-4000-a000-000000000001';
const MARKED = '2026-12-01T09:00:00.000Z';

const profile = (app?: UserProfile['app'], personal?: ConversationRef): UserProfile => ({
  id: 'profile', pk: PERSON, type: 'userProfile', tenantId: TENANT, createdAt: MARKED, updatedAt: MARKED, ...(app ? { app } : {}), ...(personal ? { personal } : {}),
});
const later = (ms: number) => new Date(Date.parse(MARKED) + ms).toISOString();

describe('taking the bot-installation mark on an add', () => {
  it.each([
    ['no mark: the person installed the app themselves', undefined, later(1_000), false],
    ['a mark and an add seconds later', { botInstallPendingSince: MARKED }, later(5_000), true],
    ['a mark and an add before the installation call returned (same instant)', { botInstallPendingSince: MARKED }, MARKED, true],
    ['a mark and an add without a timestamp', { botInstallPendingSince: MARKED }, undefined, true],
    ['a mark at the end of the window', { botInstallPendingSince: MARKED }, later(BOT_INSTALL_ADD_WINDOW_MS), true],
    ['a mark older than the window (an outcome the bot never learnt)', { botInstallPendingSince: MARKED }, later(BOT_INSTALL_ADD_WINDOW_MS + 1), false],
  ] as const)('%s', (_name, app, addAt, byBot) => {
    const taken = takeBotInstallMark(profile(app), addAt);
    expect(taken.byBot).toBe(byBot);
    // Whatever it meant, the mark goes with the add (a later add is the person's own).
    expect(taken.next?.app?.botInstallPendingSince).toBeUndefined();
    expect(taken.next === undefined).toBe(app === undefined);
  });

  it('is dropped when the person removed the app after the bot began installing it', () => {
    const removed = withAppRecord(profile({ botInstallPendingSince: MARKED, removedByUserAt: later(60_000) }));
    expect(removed.app).toEqual({ removedByUserAt: later(60_000) });
    const before = withAppRecord(profile({ botInstallPendingSince: later(60_000), removedByUserAt: MARKED }));
    expect(before.app).toEqual({ botInstallPendingSince: later(60_000), removedByUserAt: MARKED });
  });

  it('is taken once: a second add for the same person is their own', async () => {
    const repo = new UserProfileRepository(new MemoryDocumentStore<UserProfile>('users'), undefined, { idleDays: 365, now: () => new Date(MARKED) });
    await personalConversationsIn(repo).installingByBot?.(PERSON, TENANT, MARKED);
    expect(await repo.takeBotInstall(PERSON, TENANT, later(2_000))).toBe(true);
    expect(await repo.takeBotInstall(PERSON, TENANT, later(3_000))).toBe(false);
    expect(await repo.takeBotInstall('bb000000-0000-4000-a000-00000000ffff', TENANT, later(3_000))).toBe(false);
  });
});

/** Teams: no chat with a person without the app. */
class Teams implements ChannelSender {
  readonly hasApp = new Set<string>();
  async createPersonalConversation(target: PersonalConversationTarget): Promise<ConversationRef> {
    if (!this.hasApp.has(target.aadObjectId)) throw new ChannelError('Forbidden', 'unreachable', 403);
    return { conversationId: `a:${target.aadObjectId}`, serviceUrl: target.serviceUrl, tenantId: target.tenantId, botId: target.botId, conversationType: 'personal' };
  }
  async send(): Promise<{ activityId: string }> {
    return { activityId: 'm1' };
  }
  async update(): Promise<void> {}
}

/** Graph's installation as the port presents it; `during` runs inside the call, before it returns. */
class Graph implements GraphPort {
  result: InstallResult | GraphError = 'installed';
  during: (userId: string) => Promise<void> = async () => undefined;
  async features(): Promise<ReadonlySet<GraphFeature>> {
    return new Set<GraphFeature>(['install']);
  }
  async installState(): Promise<InstallState> {
    return 'notInstalled';
  }
  async installApp(userId: string): Promise<InstallResult> {
    await this.during(userId);
    if (this.result instanceof GraphError) throw this.result;
    return this.result;
  }
  searchUsers(): never {
    throw new Error('not used');
  }
  resolveUsers(): never {
    throw new Error('not used');
  }
  groupMembers(): never {
    throw new Error('not used');
  }
  upsertMeetingEvent(): never {
    throw new Error('not used');
  }
  findMeetingEvent(): never {
    throw new Error('not used');
  }
  cancelMeetingEvent(): never {
    throw new Error('not used');
  }
  sendMail(): never {
    throw new Error('not used');
  }  botChatMessages(): never {
    throw new Error('not used');
  }
}

describe('the dispatcher marks the person before it installs the app for them', () => {
  let users: MemoryDocumentStore<UserProfile>;
  let outboxStore: MemoryDocumentStore<OutboxDoc>;
  let outbox: Outbox;
  let reports: OutboxReports;
  let teams: Teams;
  let graph: Graph;
  let dispatcher: Dispatcher | undefined;
  const repo = () => new UserProfileRepository(users);

  beforeEach(() => {
    users = new MemoryDocumentStore<UserProfile>('users');
    outboxStore = new MemoryDocumentStore<OutboxDoc>('outbox');
    outbox = new Outbox(outboxStore);
    reports = new OutboxReports(outboxStore, { logger: silentLogger });
    teams = new Teams();
    graph = new Graph();
    dispatcher = startDispatcher({
      stores: { outbox: outboxStore, users, conversations: new MemoryDocumentStore<RegistryDoc>('conversations') },
      sender: teams,
      logger: silentLogger,
      outbox,
      limits: { perConversation: [{ max: 100, windowMs: 1_000 }], perTenant: [{ max: 1_000, windowMs: 1_000 }] },
      options: { pollIntervalMs: 20, leaseMs: 2_000, callTimeoutMs: 500, backoff: { baseDelayMs: 20, maxDelayMs: 80 }, installBackoff: { baseDelayMs: 20, maxDelayMs: 80 }, maxInstallWaits: 3 },
      defaultEndpoint: { serviceUrl: 'https://smba.example/emea/', botId: '28:bot' },
      graph,
      onEvent: (e) => reports.noteEvent(e),
      random: () => 0.5,
    });
  });
  afterEach(async () => {
    await dispatcher?.stop();
    await reports.stop();
  });

  async function settled(key: string): Promise<DeliveryReport> {
    for (;;) {
      const report = await reports.report(key);
      if (report.total === 1 && report.pending === 0) return report;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  const send = (key: string) => outbox.enqueue({ key, activity: { text: 'Vortrag' }, recipients: [{ user: { aadObjectId: PERSON, tenantId: TENANT } }] });

  it("has the mark stored when Teams' add arrives before Graph's answer, and the add takes it", async () => {
    let markedDuringCall: string | undefined;
    let byBot: boolean | undefined;
    graph.during = async (userId) => {
      markedDuringCall = (await repo().get(userId))?.app?.botInstallPendingSince;
      // Teams tells the bot of the installation before the installation call has returned.
      byBot = await repo().takeBotInstall(userId, TENANT);
      teams.hasApp.add(userId);
    };
    await send('item:mark:race');
    expect(await settled('item:mark:race')).toMatchObject({ delivered: 1, installed: 1 });
    expect(markedDuringCall).toEqual(expect.any(String));
    expect(byBot).toBe(true);
    // The add took the mark; the installation was recorded after it, without bringing the mark back.
    expect((await repo().get(PERSON))?.app).toEqual({ installedByBotAt: expect.any(String) });
  });

  it('takes the mark away when the app was there already (no add will come)', async () => {
    graph.result = 'alreadyInstalled';
    graph.during = async (userId) => {
      teams.hasApp.add(userId);
    };
    await send('item:mark:already');
    expect(await settled('item:mark:already')).toMatchObject({ delivered: 1 });
    expect((await repo().get(PERSON))?.app?.botInstallPendingSince).toBeUndefined();
    expect(await repo().takeBotInstall(PERSON, TENANT)).toBe(false);
  });

  it('takes the mark away when Graph refuses the installation', async () => {
    let markedDuringCall: string | undefined;
    graph.result = new GraphError('Forbidden', 'forbidden', 403);
    graph.during = async (userId) => {
      markedDuringCall = (await repo().get(userId))?.app?.botInstallPendingSince;
    };
    await send('item:mark:forbidden');
    expect((await settled('item:mark:forbidden')).unreachable).toEqual([{ aadObjectId: PERSON, reach: 'unreachable', reason: 'notInstalled' }]);
    expect(markedDuringCall).toEqual(expect.any(String));
    expect((await repo().get(PERSON))?.app?.botInstallPendingSince).toBeUndefined();
  });
});
