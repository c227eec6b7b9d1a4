import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

/** Entry point of `npm start`. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      // One line naming the key and the fix; nothing else is started.
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  if (config.testMode) {
    logger.warn(
      { event: 'config.test_mode', switches: config.testSwitches },
      'LOTSE_TEST_MODE=true: test-only switches take effect (local token issuers, crash hooks). Never run production like this.',
    );
  }
  if (!config.microsoftAppId) {
    logger.warn(
      { event: 'auth.disabled', host: config.host },
      `No MicrosoftAppId configured: requests are not authenticated, so the server listens on ${config.host} only (local development).`,
    );
  }
  // Loaded after the configuration is known to be valid, so a bad value fails fast.
  const { startApp } = await import('./app.js');
  const app = await startApp(config, { logger });
  logger.info({ event: 'server.listening', url: app.url }, `Integrations-Lotse listening on ${app.url}/api/messages`);

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ event: 'server.stopping', signal }, 'stopping: finishing in-flight turns');
    app.stop().then(
      () => {
        logger.info({ event: 'server.stopped' }, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ event: 'server.stop_failed', code: (err as Error)?.name }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Start-up failed: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
