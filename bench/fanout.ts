import { performance } from 'node:perf_hooks';
import { createAdapter } from '../bot/adapter';
import { loadConfig } from '../bot/config';
import { BotConnectorSender } from '../bot/delivery/botConnectorSender';
import { silentLogger } from '../services/logging';
import type { RegistryDoc } from '../services/notifications/conversationRegistry';
import { startDispatcher } from '../services/notifications/dispatcher';
import type { ConversationRef, OutboxDoc } from '../services/notifications/model';
import { forEachLimited, Outbox } from '../services/notifications/outbox';
import { TEAMS_LIMITS } from '../services/notifications/rateLimiter';
import { CONTAINERS } from '../services/storage/containers';
import { openDatabase } from '../services/storage/database';
import type { UserProfile } from '../services/users/userProfiles';
import { DEFAULT_TENANT_ID } from '../test/support/activities';
import { startChannelEmulator } from '../test/support/channelEmulator';
import { benchFanoutInstall } from './fanoutInstall';
import type { Figure } from './figure';

const NOTIFICATIONS = 1_000;

/**
 * `fanout`: 1,000 notifications to 1,000 personal chats, enqueued at once, delivered through botbuilder to the channel
 * emulator enforcing Teams' limits (7/s and 60/30 s per conversation, 30/s per tenant; 429 beyond them), with the
 * outbox on the embedded database. The minimum is what the tenant limit allows: 1,000 / 30 per second.
 * Timed from the first enqueue to the last delivery recorded as sent. Then the same with proactive installation
 * (`fanout.install.*`, see `fanoutInstall.ts`).
 */
export async function benchFanout(): Promise<Figure[]> {
  const database = await openDatabase({ databaseId: 'bench-fanout' });
  const emulator = await startChannelEmulator({ installations: 'tenantWide', rateLimits: true });
  const outboxStore = database.store<OutboxDoc>(CONTAINERS.outbox);
  const outbox = new Outbox(outboxStore);
  const sender = new BotConnectorSender({ adapter: createAdapter(loadConfig({}), silentLogger), botAppId: '', logger: silentLogger, stampDeliveryId: true });

  let sent = 0;
  let lastSentAt = 0;
  let allSent: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (allSent = resolve));
  const dispatcher = startDispatcher({
    stores: { outbox: outboxStore, users: database.store<UserProfile>(CONTAINERS.users), conversations: database.store<RegistryDoc>(CONTAINERS.conversations) },
    sender,
    logger: silentLogger,
    outbox,
    limits: TEAMS_LIMITS,
    onEvent: (event) => {
      if (event.type !== 'sent') return;
      sent += 1;
      lastSentAt = performance.now();
      if (sent === NOTIFICATIONS) allSent();
    },
  });

  const chats: ConversationRef[] = Array.from({ length: NOTIFICATIONS }, (_, i) => ({
    conversationId: `a:1fanout-${String(i).padStart(4, '0')}`,
    serviceUrl: emulator.serviceUrl,
    tenantId: DEFAULT_TENANT_ID,
    botId: '28:integrations-lotse-bench',
    conversationType: 'personal',
  }));
  const started = performance.now();
  await forEachLimited(chats, 16, async (conversation) => {
    await outbox.enqueue({ key: `bench:${conversation.conversationId}`, activity: { text: `Benachrichtigung für ${conversation.conversationId}` }, recipients: [{ conversation }] });
  });
  const enqueued = performance.now();
  const minimumSeconds = NOTIFICATIONS / 30;
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, minimumSeconds * 3 * 1000).unref());
  await Promise.race([finished, timeout]);
  const seconds = ((sent === NOTIFICATIONS ? lastSentAt : performance.now()) - started) / 1000;

  await dispatcher.stop();
  const reached = chats.filter((c) => emulator.activitiesTo(c.conversationId).length > 0).length;
  const duplicates = emulator.duplicateDeliveries().reduce((sum, group) => sum + group.calls.length - 1, 0);
  const throttled = emulator.counters().rejectedByStatus[429] ?? 0;
  await emulator.close();
  await database.close();

  return [
    { name: 'fanout.seconds', value: round(seconds, 2), unit: 's' },
    { name: 'fanout.minimum_seconds', value: round(minimumSeconds, 2), unit: 's' },
    { name: 'fanout.ratio_vs_minimum', value: round(seconds / minimumSeconds, 3), unit: 'x' },
    { name: 'fanout.lost', value: NOTIFICATIONS - reached, unit: 'notifications' },
    { name: 'fanout.duplicates', value: duplicates, unit: 'notifications' },
    { name: 'fanout.throttled_429', value: throttled, unit: 'answers' },
    { name: 'fanout.enqueue_seconds', value: round((enqueued - started) / 1000, 2), unit: 's' },
    // Then 1,000 people of whom half need the app installed through Graph first (bench/fanoutInstall.ts).
    ...(await benchFanoutInstall()),
  ];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

if (require.main === module) {
  benchFanout().then(
    (figures) => {
      for (const f of figures) process.stdout.write(`${f.name}: ${f.value} ${f.unit}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`fanout benchmark failed: ${(err as Error)?.message ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
