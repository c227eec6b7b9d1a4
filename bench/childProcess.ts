import { fork, spawn, type ChildProcess, type ForkOptions, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { oldGenerationFile } from './rss';

/*
 * Every process a benchmark starts (the product, its database, baselines, load generators, the channel emulator) is
 * registered here, so that none outlives the benchmark: `npm run bench` ends them when it finishes, when a benchmark
 * throws, when it is interrupted (SIGINT, SIGTERM) and, as a last resort, in the process's `exit` event. The browser
 * of the `tab` benchmark is Playwright's child; Playwright kills it on the same events.
 */
const children = new Set<ChildProcess>();

/** Registers `child` until it exits; then its heap probe's file (bench/heapProbe.ts), read while it ran, goes too. */
export function track<T extends ChildProcess>(child: T): T {
  if (child.exitCode === null && child.signalCode === null) {
    children.add(child);
    child.once('exit', () => {
      children.delete(child);
      if (child.pid !== undefined) rmSync(oldGenerationFile(child.pid), { force: true });
    });
  }
  return child;
}

/** `spawn`, registered (see {@link track}). */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return track(spawn(command, args, options));
}

/** `fork`, registered (see {@link track}). */
export function forkChild(modulePath: string, args: readonly string[], options: ForkOptions): ChildProcess {
  return track(fork(modulePath, args, options));
}

/** The registered children that have not exited yet. */
export function liveChildren(): number[] {
  return [...children].map((c) => c.pid ?? -1);
}

/** Ends every registered child: SIGTERM, then SIGKILL for any still running after `killAfterMs`. */
export async function stopAllChildren(killAfterMs = 5_000): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child, killAfterMs)));
}

let handlersInstalled = false;

/**
 * Makes sure no registered child outlives this process: SIGINT and SIGTERM stop them (with `killAfterMs` grace) and
 * then exit with 130 or 143; any exit, also after an uncaught exception, SIGKILLs those still running.
 */
export function endChildrenOnExit(killAfterMs = 2_000): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      process.stderr.write(`${signal}: stopping ${children.size} child process(es)\n`);
      void stopAllChildren(killAfterMs).finally(() => process.exit(code));
    });
  }
}

/** A server running in its own Node process, as the benchmarks drive it. */
export interface ServerProcess {
  /** The messaging endpoint, e.g. `http://127.0.0.1:41234/api/messages`. */
  url: string;
  port: number;
  pid: number;
  /** SIGTERM, then SIGKILL if it has not exited after `killAfterMs`. */
  stop(): Promise<void>;
}

/** Settings for {@link startServerProcess}. */
export interface ServerProcessOptions {
  /** Extra environment; `PORT` defaults to `0` (a random free port). */
  env?: NodeJS.ProcessEnv;
  args?: string[];
  /** Options for node itself, e.g. `['--max-old-space-size=256']`. */
  nodeArgs?: string[];
  /** Path appended to `http://127.0.0.1:<port>`; defaults to `/api/messages`. */
  path?: string;
  readyTimeoutMs?: number;
  killAfterMs?: number;
}

const READY_LINE = /^READY (\d+)\s*$/;

/**
 * Starts `node <script>` and resolves once it prints `READY <port>` on stdout (the contract every benchmark target
 * follows). Its further stdout is drained so a chatty server never blocks on a full pipe; the last stderr lines are kept
 * for the error message if it dies before it is ready.
 */
export function startServerProcess(script: string, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const child = spawnChild(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
    env: { ...process.env, PORT: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderrTail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail.push(chunk);
    if (stderrTail.length > 20) stderrTail.shift();
  });

  return new Promise<ServerProcess>((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not print "READY <port>" within ${options.readyTimeoutMs ?? 30_000} ms\n${stderrTail.join('')}`));
    }, options.readyTimeoutMs ?? 30_000);

    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (ready) return;
      const match = READY_LINE.exec(line);
      if (!match) return;
      ready = true;
      clearTimeout(timer);
      const port = Number(match[1]);
      resolve({
        url: `http://127.0.0.1:${port}${options.path ?? '/api/messages'}`,
        port,
        pid: child.pid!,
        stop: () => stopChild(child, options.killAfterMs ?? 5_000),
      });
    });
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`${script} exited (${signal ?? code}) before it was ready\n${stderrTail.join('')}`));
    });
    child.once('error', (error) => {
      if (ready) return;
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** SIGTERM, then SIGKILL if `child` has not exited after `killAfterMs`; resolves once it has exited. */
export function stopChild(child: ChildProcess, killAfterMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Port for a benchmark target: first CLI argument, else `PORT`, else 0 (random). */
export function portFromArgs(argv: string[] = process.argv, env: NodeJS.ProcessEnv = process.env): number {
  const raw = argv[2] ?? env.PORT ?? '0';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port "${raw}": pass 0-65535 as first argument or PORT`);
  return port;
}
