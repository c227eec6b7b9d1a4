import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Where and how to start the Microsoft 365 Agents Playground. */
export interface PlaygroundOptions {
  /** The bot's messaging endpoint, e.g. `http://127.0.0.1:3978/api/messages`. */
  botEndpoint: string;
  /** Port for the UI and its API on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Working directory of the Playground: it reads `.m365agentsplayground.yml` from here. */
  workDir: string;
  /** Its log file (holds message contents: keep it out of the repository). */
  logFile: string;
  /** Environment to start from; proxy settings are removed, telemetry switches are added. */
  env: Readonly<Record<string, string | undefined>>;
  /** How long to wait for the Playground to listen. */
  startTimeoutMs?: number;
}

/** A started Playground process. */
export interface RunningPlayground {
  /** Base URL of the UI and the local API, e.g. `http://127.0.0.1:56150`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) when the process ends, for whatever reason. */
  readonly exited: Promise<number | string>;
  /** Terminates the process group; escalates to SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** The version whose local API (internal to its UI) `playgroundCheck` was written against. */
export const PINNED_PLAYGROUND_VERSION = '0.2.28';

/** The version of the installed `@microsoft/m365agentsplayground`. */
export function installedPlaygroundVersion(): string {
  const manifest = readFileSync(require.resolve('@microsoft/m365agentsplayground/package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

const PROXY_VARIABLE = /^(https?|all|no)_proxy$/i;

/** Starting the Playground failed; the message says what it printed or why it did not start. */
export class PlaygroundStartError extends Error {
  readonly code = 'PLAYGROUND_START_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'PlaygroundStartError';
  }
}

/** A free TCP port on 127.0.0.1 (or `preferred` if that one is free). */
export async function freeLoopbackPort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const { port: bound } = server.address() as net.AddressInfo;
        server.close(() => resolve(bound));
      });
    });
  return (preferred ? await tryPort(preferred) : undefined) ?? (await tryPort(0)) ?? 0;
}

function playgroundEnv(options: PlaygroundOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(options.env)) {
    // Its HTTP client honours proxy variables, which would send bot traffic through a corporate proxy.
    if (value !== undefined && !PROXY_VARIABLE.test(key)) env[key] = value;
  }
  return {
    ...env,
    // `--dt` alone still lets Application Insights probe the cloud metadata address and DNS (statsbeat).
    APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    TEAMSAPPTESTER_BROWSER: 'none',
    M365_AGENTS_PLAYGROUND_LOGFILE: options.logFile,
    NO_PROXY: '127.0.0.1,localhost',
  };
}

/**
 * Starts the Agents Playground on 127.0.0.1 with telemetry off, pointed at the bot, as its own process group.
 * It is started with an IPC channel and the guard preload, so it exits by itself if this process dies.
 */
export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const port = options.port || (await freeLoopbackPort());
  const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  const guard = path.join(__dirname, 'playgroundGuard.js');
  const args = [
    '--require', guard, cli,
    '--disable-telemetry',
    '--app-endpoint', options.botEndpoint,
    '--channel-id', 'msteams',
    '--port', String(port),
    // The default service URL says "localhost", which may resolve to ::1 while the guard binds 127.0.0.1.
    '--service-url', `http://127.0.0.1:${port}/_connector`,
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.workDir,
    env: playgroundEnv(options),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Its own process group: Ctrl-C reaches only us, and we stop it first, then the bot. (On Windows this would
    // open a console window instead.)
    detached: process.platform !== 'win32',
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => resolve(`error: ${err.message}`));
  });
  const pid = child.pid;
  if (pid === undefined) throw new PlaygroundStartError('the Playground process could not be spawned.');
  // The channel exists only so that the child notices our death; it must not keep this process alive.
  child.channel?.unref();

  let output = '';
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 3000): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          if (process.platform === 'win32') child.kill(signal);
          else process.kill(-pid, signal);
        } catch {
          // Already gone.
        }
      };
      signalGroup('SIGTERM');
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
      if ((await Promise.race([exited, timer])) === 'timeout') {
        signalGroup('SIGKILL');
        await exited;
      }
    })());

  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const listening = new Promise<number>((resolve, reject) => {
    const onData = () => {
      const match = /Listening on (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    void exited.then((how) =>
      reject(new PlaygroundStartError(`the Playground exited (${how}) before listening. Its output:\n${output.trim()}`)),
    );
    setTimeout(
      () => reject(new PlaygroundStartError(`the Playground did not listen within ${startTimeoutMs} ms. Its output:\n${output.trim()}`)),
      startTimeoutMs,
    ).unref();
  });

  let boundPort: number;
  try {
    boundPort = await listening;
  } catch (err) {
    await stop(0);
    throw err;
  }
  if (boundPort !== port) {
    // It falls back to a random port when ours was taken meanwhile; its service URL would then be wrong.
    await stop(0);
    throw new PlaygroundStartError(`port ${port} was taken before the Playground could bind it; start again or choose another port.`);
  }
  return { url: `http://127.0.0.1:${port}`, port, pid, exited, stop };
}
