import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startApp, type RunningApp } from '../bot/app';
import { ConfigError, loadConfig, type AppConfig } from '../bot/config';
import { createLogger } from '../bot/logger';
import { freeLoopbackPort, startPlayground, type RunningPlayground } from './playgroundRunner';

const DEFAULT_UI_PORT = 56150;

const USAGE = `Usage: npm run playground [-- --ui-port <port>]

Starts the bot (configured from the environment, like npm start) and the Microsoft 365 Agents Playground,
a local Teams-like chat to try the bot in. Open the printed address in your browser; Ctrl-C stops both.
  --ui-port <port>  port of the Playground UI on 127.0.0.1 (default ${DEFAULT_UI_PORT}; a free one if taken)
`;

function exitWith(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** The Playground talks to the bot without tokens and from its own mock tenant; say what to unset otherwise. */
function checkLocalOnly(config: AppConfig): void {
  if (config.microsoftAppId) {
    exitWith(
      'npm run playground runs the bot without authentication, as in local development, but MicrosoftAppId is set. ' +
        'Unset MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId for this command (test a registered bot in Teams itself).',
    );
  }
  if (config.allowedTenantIds.length > 0) {
    exitWith('ALLOWED_TENANT_IDS is set, so the bot would reject the Playground\'s mock tenant. Unset it for npm run playground.');
  }
}

function parseUiPort(): number {
  let values: { 'ui-port'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { 'ui-port': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    exitWith(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const raw = values['ui-port'];
  if (raw === undefined) return DEFAULT_UI_PORT;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) exitWith(`--ui-port must be a port number from 1 to 65535 (got "${raw}").`);
  return Number(raw);
}

/**
 * `npm run playground`: the bot and the Agents Playground together, for trying the bot locally.
 *
 * The Playground runs with telemetry off (`--disable-telemetry` and `APPLICATION_INSIGHTS_NO_STATSBEAT=true`), bound to
 * 127.0.0.1, without proxy settings; it then only talks to the bot. It runs in the normal network, not in a
 * loopback-only namespace like the automated test, because the browser must reach its UI.
 */
async function main(): Promise<void> {
  const wantedUiPort = parseUiPort();
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) exitWith(`Configuration error: ${err.message}`);
    throw err;
  }
  checkLocalOnly(config);
  const logger = createLogger(config);

  let app: RunningApp | undefined;
  let playground: RunningPlayground | undefined;
  let workDir: string | undefined;
  let stopping = false;
  const stop = async (exitCode: number): Promise<never> => {
    if (stopping) {
      // A second Ctrl-C: leave now; the Playground follows through its IPC channel.
      process.exit(1);
    }
    stopping = true;
    process.stderr.write('Stopping the Playground and the bot …\n');
    await playground?.stop().catch(() => undefined);
    await app?.stop().catch((err: unknown) => logger.error({ event: 'server.stop_failed', code: (err as Error)?.name }, 'stop failed'));
    if (workDir) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    app = await startApp(config, { logger });
    workDir = await mkdtemp(path.join(os.tmpdir(), 'lotse-playground-'));
    const uiPort = await freeLoopbackPort(wantedUiPort);
    playground = await startPlayground({
      botEndpoint: `${app.url}/api/messages`,
      port: uiPort,
      workDir,
      logFile: path.join(workDir, 'playground.log'),
      env: process.env,
    });
  } catch (err) {
    process.stderr.write(`The Playground could not be started: ${(err as Error).message}\n`);
    return stop(1);
  }
  void playground.exited.then((how) => {
    if (stopping) return;
    logger.error({ event: 'playground.exited', code: String(how) }, 'the Playground stopped unexpectedly');
    void stop(1);
  });

  logger.info({ event: 'playground.ready', url: playground.url, botUrl: app.url }, 'Agents Playground ready');
  process.stderr.write(
    [
      '',
      `  Agents Playground: open ${playground.url} in your browser${playground.port === wantedUiPort ? '' : ` (port ${wantedUiPort} was taken)`}.`,
      `  Bot: ${app.url}/api/messages, without authentication (local development).`,
      '  The Playground is bound to 127.0.0.1 with telemetry off; it always sends locale en-US, so the bot answers in English.',
      `  Playground log (deleted on exit): ${path.join(workDir, 'playground.log')}`,
      '  Ctrl-C stops both.',
      '',
    ].join('\n') + '\n',
  );
}

main().catch((err: unknown) => exitWith(`npm run playground failed: ${(err as Error)?.message ?? String(err)}`));
