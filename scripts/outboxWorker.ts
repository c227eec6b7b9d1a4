import { createAdapter } from '../bot/adapter';
import { loadConfig } from '../bot/config';
import { BotConnectorSender } from '../bot/delivery/botConnectorSender';
import { silentLogger } from '../services/logging';
import type { RegistryDoc } from '../services/notifications/conversationRegistry';
import { startDispatcher, type DispatcherOptions } from '../services/notifications/dispatcher';
import type { OutboxDoc } from '../services/notifications/model';
import type { DeliveryLimits } from '../services/notifications/rateLimiter';
import { CONTAINERS } from '../services/storage/containers';
import { openDatabase } from '../services/storage/database';
import type { UserProfile } from '../services/users/userProfiles';

/** What the worker is told on its command line, as one JSON argument. */
interface WorkerSettings {
  endpoint: string;
  certificateSha256: string;
  databaseId: string;
  workerId?: string;
  limits?: Partial<DeliveryLimits>;
  options?: Partial<Omit<DispatcherOptions, 'workerId'>>;
}

function write(line: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

/**
 * A standalone outbox dispatcher process, for crash and multi-process tests against a database in another process
 * (`npm run db`). Usage: `node dist/scripts/outboxWorker.js '{"endpoint":…,"certificateSha256":…,"databaseId":…}'`.
 * Prints one JSON line per delivery event on stdout (`{"event":"ready"}` first); stops cleanly on SIGTERM.
 */
async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as WorkerSettings;
  if (!settings.endpoint || !settings.certificateSha256 || !settings.databaseId) {
    throw new Error('pass {"endpoint","certificateSha256","databaseId"} as the first argument, as printed by `npm run db`');
  }
  const database = await openDatabase({ endpoint: settings.endpoint, certificateSha256: settings.certificateSha256, databaseId: settings.databaseId });
  const outbox = database.store<OutboxDoc>(CONTAINERS.outbox);
  const dispatcher = startDispatcher({
    stores: { outbox, users: database.store<UserProfile>(CONTAINERS.users), conversations: database.store<RegistryDoc>(CONTAINERS.conversations) },
    sender: new BotConnectorSender({ adapter: createAdapter(loadConfig({}), silentLogger), botAppId: '', logger: silentLogger, stampDeliveryId: true }),
    logger: silentLogger,
    limits: settings.limits,
    options: { ...settings.options, ...(settings.workerId ? { workerId: settings.workerId } : {}) },
    onEvent: (e) => write({ event: e.type, notificationId: e.notificationId, deliveryId: e.deliveryId, conversationId: e.conversationId, code: e.code }),
  });

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    dispatcher
      .stop()
      .then(() => database.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Announced once the handlers are in place, so a stop sent right after this line is graceful.
  write({ event: 'ready', workerId: dispatcher.workerId, pid: process.pid });
}

main().catch((err: unknown) => {
  process.stderr.write(`outbox worker failed: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
