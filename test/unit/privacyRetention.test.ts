import { loadConfig } from '../../bot/config';
import { AuditLog, type AuditEntry } from '../../services/audit/auditLog';
import { ConversationRegistry, type RegistryDoc } from '../../services/notifications/conversationRegistry';
import type { ConversationRef, OutboxDoc } from '../../services/notifications/model';
import { Outbox } from '../../services/notifications/outbox';
import { purgeExpiredData, type RetentionSettings } from '../../services/privacy/retention';
import { UserProfileRepository, type UserProfile } from '../../services/users/userProfiles';
import { FakeClock } from '../support/fakeClock';
import { MemoryDocumentStore } from '../support/memoryDocumentStore';

const DAY = 86_400_000;
const SETTINGS: RetentionSettings = { userIdleDays: 365, directoryAuditDays: 730, conversationDays: 30, outboxDays: 30 };
const TENANT = 't';

function ref(n: number, conversationType: ConversationRef['conversationType'] = 'groupChat'): ConversationRef {
  return { conversationId: `19:chat-${n}@thread.v2`, serviceUrl: 'https://smba.example/emea/', tenantId: TENANT, botId: '28:bot', conversationType, ...(conversationType === 'personal' ? { userId: `29:user-${n}` } : {}) };
}
const message = { type: 'message' as const, text: 'Hallo' };

describe('the retention purge of what has no record of its own', () => {
  let clock: FakeClock;
  let users: MemoryDocumentStore<UserProfile>;
  let auditStore: MemoryDocumentStore<AuditEntry>;
  let conversationStore: MemoryDocumentStore<RegistryDoc>;
  let outboxStore: MemoryDocumentStore<OutboxDoc>;
  let profiles: UserProfileRepository;
  let audit: AuditLog;
  let registry: ConversationRegistry;
  let outbox: Outbox;
  const at = () => new Date(clock.now());
  const purge = () => purgeExpiredData({ profiles, audit, conversations: registry, outbox, settings: SETTINGS }, clock.now());

  beforeEach(() => {
    clock = new FakeClock();
    users = new MemoryDocumentStore<UserProfile>('users');
    auditStore = new MemoryDocumentStore<AuditEntry>('audit');
    conversationStore = new MemoryDocumentStore<RegistryDoc>('conversations');
    outboxStore = new MemoryDocumentStore<OutboxDoc>('outbox');
    profiles = new UserProfileRepository(users, { ttlMs: 30_000, maxEntries: 100, now: () => clock.now() }, { idleDays: SETTINGS.userIdleDays, now: at });
    audit = new AuditLog(auditStore);
    registry = new ConversationRegistry(conversationStore, clock);
    outbox = new Outbox(outboxStore, { clock });
  });

  it('deletes user profiles a year after the personal chat went (uninstall), and keeps installed and recent ones', async () => {
    await profiles.update('gone', TENANT, (p) => ({ ...p, personal: ref(1, 'personal') }));
    await profiles.update('gone', TENANT, (p) => ({ ...p, personal: undefined }));
    await profiles.update('installed', TENANT, (p) => ({ ...p, personal: ref(2, 'personal'), homeAuthority: 'koeln' }));
    // Written before retention existed: no personal chat, no expiry, last changed long ago.
    await users.create({ id: 'profile', pk: 'legacy', type: 'userProfile', tenantId: TENANT, createdAt: at().toISOString(), updatedAt: at().toISOString() });
    await clock.advance(200 * DAY);
    await profiles.update('recent', TENANT, (p) => ({ ...p, homeAuthority: 'detmold' }));
    expect((await profiles.get('gone'))?.expiresAt).toBe(clock.now() - 200 * DAY + 365 * DAY);
    expect((await profiles.get('installed'))?.expiresAt).toBeUndefined();

    await clock.advance(166 * DAY);
    expect((await purge()).users).toBe(2);
    expect(await users.read('gone', 'profile')).toBeUndefined();
    expect(await users.read('legacy', 'profile')).toBeUndefined();
    expect(await profiles.get('gone')).toBeUndefined(); // not served from the cache either
    expect(await users.read('installed', 'profile')).toBeDefined();
    expect(await users.read('recent', 'profile')).toBeDefined();
  });

  it('clears the deletion date when the person is back in a personal chat', async () => {
    await profiles.update('back', TENANT, (p) => ({ ...p, homeAuthority: 'koeln' }));
    expect((await profiles.get('back'))?.expiresAt).toBe(clock.now() + 365 * DAY);
    await profiles.update('back', TENANT, (p) => ({ ...p, personal: ref(3, 'personal') }));
    await clock.advance(400 * DAY);
    expect((await purge()).users).toBe(0);
    expect((await users.read('back', 'profile'))?.homeAuthority).toBe('koeln');
  });

  it('deletes directory audit entries after DIRECTORY_AUDIT_RETENTION_DAYS and leaves item trails to their item', async () => {
    const old = await audit.record('directory:authority-koeln', 'admin', 'directory.edit', [{ path: '/commissioner/name', from: 'A', to: 'B' }], at());
    const item = await audit.record('anl-1', 'staff', 'request.legacy', [], at());
    await clock.advance(700 * DAY);
    const recent = await audit.record('directory:authority-koeln', 'admin', 'directory.edit', [], at());
    await clock.advance(31 * DAY);
    expect((await purge()).directoryAudit).toBe(1);
    expect(await auditStore.read(old.pk, old.id)).toBeUndefined();
    expect(await auditStore.read(recent.pk, recent.id)).toBeDefined();
    expect(await auditStore.read(item.pk, item.id)).toBeDefined();
  });

  it('deletes team and group-chat references Teams reported gone a month ago, and keeps live ones and tenant endpoints', async () => {
    for (const n of [1, 2, 3]) await registry.installed(ref(n));
    await registry.markUnreachable(ref(1));
    await clock.advance(20 * DAY);
    await registry.markUnreachable(ref(2));
    await clock.advance(11 * DAY);
    expect((await purge()).conversations).toBe(1);
    expect(await registry.get(ref(1))).toBeUndefined();
    expect(await registry.get(ref(2))).toBeDefined();
    expect(await registry.get(ref(3))).toBeDefined();
    expect(await registry.endpointFor(TENANT)).toBeDefined();
  });

  it('deletes finished notifications of no record after OUTBOX_RETENTION_DAYS; those of a record stay with it, due ones with the dispatcher', async () => {
    const send = (key: string, recipients = [{ conversation: ref(1) }]) => outbox.enqueue({ key, activity: message, recipients });
    await send('notice:old:sent');
    await send('notice:old:fanout', [{ conversation: ref(1) }, { conversation: ref(2) }]);
    await send('notice:old:pending');
    await send('item:abc:card:x');
    await send('circle:poll:p-1:announce');
    const finish = async (key: string) => {
      const docs = await outboxStore.query<OutboxDoc & { etag: string }>({ query: 'SELECT * FROM c WHERE c.kind = "delivery" AND c.notificationKey = @k', parameters: [{ name: '@k', value: key }] });
      expect(docs.length).toBeGreaterThan(0);
      for (const d of docs) await outboxStore.replace({ ...d, status: 'sent', open: false } as OutboxDoc, d.etag);
    };
    for (const key of ['notice:old:sent', 'notice:old:fanout', 'item:abc:card:x', 'circle:poll:p-1:announce']) await finish(key);
    await clock.advance(31 * DAY);
    await send('notice:new:sent');
    await finish('notice:new:sent');

    expect((await purge()).outbox).toBe(4); // one delivery, and a header with its two deliveries
    expect(await outbox.status('notice:old:sent')).toBeUndefined();
    expect(await outbox.status('notice:old:fanout')).toBeUndefined();
    expect((await outbox.status('notice:old:pending'))?.counts.pending).toBe(1);
    expect((await outbox.status('item:abc:card:x'))?.delivered).toBe(1);
    expect((await outbox.status('circle:poll:p-1:announce'))?.delivered).toBe(1);
    expect((await outbox.status('notice:new:sent'))?.delivered).toBe(1);
  });
});

describe('retention settings', () => {
  it('default to a year for idle profiles, two years for directory changes, a month for references and notifications', () => {
    expect(loadConfig({}).retention).toEqual({ userIdleDays: 365, directoryAuditDays: 730, conversationDays: 30, outboxDays: 30 });
    expect(loadConfig({ USER_IDLE_RETENTION_DAYS: '90', OUTBOX_RETENTION_DAYS: '7' }).retention).toMatchObject({ userIdleDays: 90, outboxDays: 7 });
  });

  it.each([
    ['USER_IDLE_RETENTION_DAYS', '0'],
    ['DIRECTORY_AUDIT_RETENTION_DAYS', '10'],
    ['CONVERSATION_RETENTION_DAYS', 'a month'],
    ['OUTBOX_RETENTION_DAYS', '99999'],
  ])('refuses %s=%s at start, naming the key', (key, value) => {
    expect(() => loadConfig({ [key]: value })).toThrow(new RegExp(`^${key}: must be a whole number`));
  });
});
