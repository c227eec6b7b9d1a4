import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { ConversationLifecycle, conversationRefFrom } from '../../../bot/delivery/conversationLifecycle';
import { silentLogger } from '../../../services/logging';
import { ConversationRegistry, personalConversationsIn, type RegistryDoc } from '../../../services/notifications/conversationRegistry';
import type { ConversationRef } from '../../../services/notifications/model';
import type { StoredFields } from '../../../services/storage/documentStore';
import { UserProfileRepository, type UserProfile } from '../../../services/users/userProfiles';
import { DEFAULT_TENANT_ID, activityBuilders, botMember, defaultChannel, teamChannel, type TeamsActivity } from '../../support/activities';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

/** Counts database calls, to check that an ordinary turn costs none. */
class CountingStore<T extends StoredFields> extends MemoryDocumentStore<T> {
  calls = 0;
  override async read(pk: string, id: string) {
    this.calls += 1;
    return super.read(pk, id);
  }
  override async create(doc: T) {
    this.calls += 1;
    return super.create(doc);
  }
  override async replace(doc: T, etag: string) {
    this.calls += 1;
    return super.replace(doc, etag);
  }
}

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const teams = activityBuilders({ serviceUrl: SERVICE_URL });

function groupChat(id = '19:abc@thread.v2'): ConversationRef {
  return { conversationId: id, serviceUrl: SERVICE_URL, tenantId: DEFAULT_TENANT_ID, botId: '28:bot', conversationType: 'groupChat' };
}

describe('the conversation registry', () => {
  let store: CountingStore<RegistryDoc>;
  let registry: ConversationRegistry;

  beforeEach(() => {
    store = new CountingStore<RegistryDoc>('conversations');
    registry = new ConversationRegistry(store);
  });

  it('keeps a team channel under the channel itself, not the thread a message came from', async () => {
    const thread: ConversationRef = { ...groupChat(), conversationType: 'channel', conversationId: '19:general@thread.tacv2;messageid=1700000000000' };
    await registry.installed(thread, { teamId: '19:general@thread.tacv2' });
    const stored = await registry.get({ conversationId: '19:general@thread.tacv2;messageid=1800000000000', conversationType: 'channel' });
    expect(stored?.ref.conversationId).toBe('19:general@thread.tacv2');
    expect((await registry.forTeam('19:general@thread.tacv2'))?.ref.conversationId).toBe('19:general@thread.tacv2');
  });

  it('refreshes a reference on a turn only when something changed', async () => {
    await registry.installed(groupChat());
    const before = store.calls;
    await registry.seen(groupChat());
    await registry.seen(groupChat());
    expect(store.calls).toBe(before);
    await registry.seen({ ...groupChat(), serviceUrl: 'https://smba.trafficmanager.net/de/' });
    expect((await registry.get(groupChat()))?.ref.serviceUrl).toBe('https://smba.trafficmanager.net/de/');
  });

  it('forgets a group chat when the app is removed from it', async () => {
    await registry.installed(groupChat());
    expect(await registry.uninstalled(groupChat())).toBe(true);
    expect(await registry.get(groupChat())).toBeUndefined();
    expect(await registry.list(DEFAULT_TENANT_ID)).toEqual([]);
  });

  it('flags a conversation the channel called unreachable until the next install', async () => {
    await registry.installed(groupChat());
    await registry.markUnreachable(groupChat());
    expect((await registry.get(groupChat()))?.unreachableSince).toEqual(expect.any(String));
    await registry.installed(groupChat());
    expect((await registry.get(groupChat()))?.unreachableSince).toBeUndefined();
  });

  it('remembers where each tenant\'s connector is, from any turn, for opening 1:1 chats later', async () => {
    const personal: ConversationRef = { ...groupChat('a:1xyz'), conversationType: 'personal', userId: '29:1abc' };
    await registry.seen(personal);
    expect(await registry.endpointFor(DEFAULT_TENANT_ID)).toEqual({ serviceUrl: SERVICE_URL, botId: '28:bot' });
    expect(await registry.list(DEFAULT_TENANT_ID)).toEqual([]);
  });

  it('keeps personal chats in the user profile', async () => {
    const users = new MemoryDocumentStore<UserProfile>('users');
    const personal = personalConversationsIn(new UserProfileRepository(users));
    const ref: ConversationRef = { ...groupChat('a:1xyz'), conversationType: 'personal' };
    await personal.remember('ABCDEF01-0000-4000-A000-000000000001', DEFAULT_TENANT_ID, ref);
    expect(await personal.get('abcdef01-0000-4000-a000-000000000001')).toEqual(ref);
  });
});

describe('keeping the registry in step with Teams', () => {
  let registry: ConversationRegistry;
  let lifecycle: ConversationLifecycle;

  function contextOf(activity: TeamsActivity): TurnContext {
    return new TurnContext(new TestAdapter(), activity as unknown as Activity);
  }

  beforeEach(() => {
    registry = new ConversationRegistry(new MemoryDocumentStore<RegistryDoc>('conversations'));
    lifecycle = new ConversationLifecycle(registry, silentLogger);
  });

  it('stores the channel the user picked when the app is installed in a team', async () => {
    const picked = teamChannel({ channelName: 'Koordinierungskreis' });
    await lifecycle.installed(contextOf(teams.installationUpdate('add', { scope: 'channel', channel: picked })));
    const stored = await registry.forTeam(picked.teamId);
    expect(stored?.ref).toMatchObject({ conversationId: picked.channelId, conversationType: 'channel', serviceUrl: SERVICE_URL, tenantId: DEFAULT_TENANT_ID });
    expect(picked.channelId).not.toBe(picked.teamId);
  });

  it('stores a group chat on install and removes it on uninstall', async () => {
    const installed = teams.installationUpdate('add', { scope: 'groupChat' });
    await lifecycle.installed(contextOf(installed));
    const ref = conversationRefFrom(installed as unknown as Activity);
    expect((await registry.get(ref))?.ref.conversationType).toBe('groupChat');
    await lifecycle.uninstalled(contextOf(teams.installationUpdate('remove', { scope: 'groupChat' })));
    expect(await registry.get(ref)).toBeUndefined();
  });

  it('records a team the bot was added to before references were kept, on its next message there', async () => {
    await lifecycle.seen(contextOf(teams.message('Hilfe', { scope: 'channel' })));
    expect((await registry.forTeam(defaultChannel.teamId))?.ref.conversationId).toBe(defaultChannel.channelId);
  });

  it('takes the bot\'s own id from the activity and the user id only for personal chats', () => {
    const personal = conversationRefFrom(teams.message('Hallo') as unknown as Activity);
    expect(personal).toMatchObject({ conversationType: 'personal', botId: botMember().id, userId: expect.stringMatching(/^29:/) });
    const chat = conversationRefFrom(teams.message('Hallo', { scope: 'groupChat' }) as unknown as Activity);
    expect(chat.userId).toBeUndefined();
  });
});
