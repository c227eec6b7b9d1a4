import { activityBuilders } from '../support/activities';
import { startBotProcess } from '../support/botProcess';
import { observeInbound, startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startDatabaseProcess, type DatabaseProcess } from '../support/databaseProcess';

/**
 * SIGTERM ends the process in every case (issue 16): also when its database is gone or its log stream is closed.
 * The assertion is on the exit and its code; the jest timeout only guards against a process that never ends.
 */
describe('graceful shutdown of the bot process', () => {
  let emulator: ChannelEmulator;
  let db: DatabaseProcess | undefined;
  beforeAll(async () => {
    emulator = await startChannelEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });
  afterEach(async () => {
    await db?.stop();
    db = undefined;
  });

  const botEnv = (extra: Record<string, string> = {}) => ({ ...db!.env, COSMOS_DATABASE: `shutdown-${Date.now()}`, SEED_DEMO_DIRECTORY: 'true', ...extra });

  /** One turn through the bot, so that its clients (database, connector) have connections open when it is stopped. */
  async function oneTurn(url: string): Promise<void> {
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    const hello = teams.message('Hilfe');
    observeInbound(hello);
    const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hello) });
    expect(res.status).toBe(200);
  }

  it('exits after SIGTERM when its database was killed first', async () => {
    db = await startDatabaseProcess();
    const bot = await startBotProcess(botEnv());
    try {
      await oneTurn(bot.url);
      db.child.kill('SIGKILL');
      await db.exited;
      bot.child.kill('SIGTERM');
      const code = await bot.exited;
      // Ended by itself (an exit code), not by a signal; 0 or the stop-timeout's 1.
      expect(typeof code).toBe('number');
      expect(bot.lines.map((l) => l.event)).toContain('server.stopping');
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    }
  }, 60_000);

  it('exits 0 after SIGTERM when its log stream was closed first', async () => {
    db = await startDatabaseProcess();
    const bot = await startBotProcess(botEnv({ LOG_LEVEL: 'debug' }));
    try {
      await oneTurn(bot.url);
      // The reading end goes: every further log line the bot writes meets EPIPE.
      bot.child.stdout!.destroy();
      await oneTurn(bot.url);
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    }
  }, 60_000);
});
