import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

/**
 * How long after SIGTERM the process ends at the latest: the grace for in-flight turns (SHUTDOWN_GRACE_MS, default
 * 10 s) and {@link STOP_MARGIN_MS} for the rest (the job runner, the outbox's calls in flight, the database client).
 * With the default, 15 s: well within the 30 s a platform gives between SIGTERM and SIGKILL (Kubernetes' and Azure
 * Container Apps' default; keep SHUTDOWN_GRACE_MS below the platform's grace minus the margin).
 */
const STOP_MARGIN_MS = 5_000;
const stopDeadlineMs = (graceMs: number): number => graceMs + STOP_MARGIN_MS;

/** A log line that cannot stop the shutdown: with the log stream gone (EPIPE) the line is lost, nothing else. */
function safeLog(write: () => void): void {
  try {
    write();
  } catch {
    // Nowhere left to report it.
  }
}

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
  // A closed log stream (the platform's log collector gone, a pipe closed) must not crash or stall the service.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
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

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    // The process ends within the grace period in every case: when the database does not answer (the outbox's and
    // the jobs' last writes wait on it) or the log stream is gone, the stop is cut short here.
    setTimeout(() => {
      safeLog(() => logger.error({ event: 'server.stop_timeout', afterMs: stopDeadlineMs(config.shutdownGraceMs) }, 'stop did not finish in time: exiting'));
      process.exit(1);
    }, stopDeadlineMs(config.shutdownGraceMs)).unref();
    safeLog(() => logger.info({ event: 'server.stopping', signal }, 'stopping: finishing in-flight turns'));
    app.stop().then(
      () => {
        safeLog(() => logger.info({ event: 'server.stopped' }, 'stopped'));
        process.exit(0);
      },
      (err: unknown) => {
        safeLog(() => logger.error({ event: 'server.stop_failed', code: (err as Error)?.name }, 'stop failed'));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Announced only once the signal handlers are in place: a supervisor (or a test) that sends SIGTERM as soon as it
  // reads this line must get the graceful stop, not the default action (the process killed by the signal).
  logger.info({ event: 'server.listening', url: app.url }, `Integrations-Lotse listening on ${app.url}/api/messages`);
}

main().catch((err: unknown) => {
  process.stderr.write(`Start-up failed: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
