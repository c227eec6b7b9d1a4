import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../services/paths';
import { startRoundRobinProxy } from '../test/support/roundRobinProxy';
import { benchActions } from './actions';
import { benchAnswers } from './answers';
import { benchAnswerTurns } from './answerTurns';
import { benchCircle } from './circle';
import { benchCrash } from './crash';
import { benchFanout } from './fanout';
import { endChildrenOnExit, spawnChild, startServerProcess, stopAllChildren } from './childProcess';
import { benchPrivacy } from './privacy';
import { benchTab } from './tab';
import { benchTurns, type ProductProcess } from './turns';
import type { Figure } from './figure';
import { medianOfRounds } from './rounds';

/** The node flags of `npm start`, so the benchmark runs the service exactly as it is started. */
function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const flags = pkg.scripts.start.split(/\s+/).filter((a) => a.startsWith('--'));
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the product process, written there when it stops.
  if (process.env.BENCH_CPU_PROF) flags.push('--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`);
  // The old generation's growth and full collections of each measured process (bench/heapProbe.ts; not in `npm start`).
  flags.push('--require', path.join(__dirname, 'heapProbe.js'));
  // BENCH_NODE_FLAGS: further node flags for the measured processes, e.g. `--require <file>` that counts sockets.
  if (process.env.BENCH_NODE_FLAGS) flags.push(...process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean));
  return flags;
}

/** Starts the embedded database in its own process (`npm run db`) and returns the bot's environment for it. */
function startDatabaseProcess(): Promise<{ env: Record<string, string>; pid: number; operations(): Promise<Record<string, number>>; stop(): void }> {
  // With an IPC channel the database counts the operations it serves (scripts/embeddedDb.ts).
  const child = spawnChild(process.execPath, [path.join(projectRoot, 'dist', 'scripts', 'embeddedDb.js')], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  child.channel?.unref();
  const operations = () =>
    new Promise<Record<string, number>>((resolve, reject) => {
      const onMessage = (m: { type?: string; counts?: Record<string, number> }) => {
        if (m?.type !== 'operations') return;
        child.off('message', onMessage);
        resolve(m.counts ?? {});
      };
      child.on('message', onMessage);
      child.send({ type: 'operations' }, (err) => err && reject(err));
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`database exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const env = Object.fromEntries(line.trim().split(/\s+/).map((kv) => kv.split('=', 2) as [string, string]));
      resolve({ env, pid: child.pid!, operations, stop: () => child.kill('SIGTERM') });
    });
  });
}

/**
 * Starts the product as it runs in production: `node dist/bot/index.js` with its database in another
 * process (as Azure Cosmos DB is), seeded with the demo directory; waits for its listening line.
 */
async function startProduct(): Promise<ProductProcess> {
  const db = await startDatabaseProcess();
  const child = spawnChild(process.execPath, [...startFlags(), path.join(projectRoot, 'dist', 'bot', 'index.js')], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'info', SEED_DEMO_DIRECTORY: 'true', ...db.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.once('exit', () => db.stop());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('product did not start within 30 s'));
    }, 30_000);
    child.once('exit', (code) => reject(new Error(`product exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // The product's error lines (pino level 50 and up: ids and codes only) are kept, so that a failed call can be explained.
      if (/"level":(5|6)\d\b/.test(line)) process.stderr.write(`product: ${line}\n`);
      if (!line.includes('"server.listening"')) return;
      clearTimeout(timer);
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url,
        pid: child.pid!,
        dbPid: db.pid,
        dbOperations: db.operations,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/**
 * `instances` product processes on one database process, behind a round-robin proxy on loopback (issue 16): each
 * request goes to the next process. One instance runs behind the same proxy, so the two figures differ only in the
 * number of instances.
 */
async function startProductsBehindProxy(instances: number): Promise<ProductProcess> {
  const db = await startDatabaseProcess();
  const children: ChildProcess[] = [];
  const stopAll = () => Promise.all(children.map((child) => new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  })));
  try {
    const urls: string[] = [];
    // One after the other: the first seeds the demo directory, the others find it.
    for (let i = 0; i < instances; i++) {
      const child = spawnChild(process.execPath, [...startFlags(), path.join(projectRoot, 'dist', 'bot', 'index.js')], {
        cwd: projectRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'info', SEED_DEMO_DIRECTORY: 'true', ...db.env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      urls.push(await listeningUrl(child));
    }
    const proxy = await startRoundRobinProxy(urls);
    return {
      url: proxy.url,
      pid: children[0].pid!,
      otherPids: children.slice(1).map((c) => c.pid!),
      dbPid: db.pid,
      dbOperations: db.operations,
      stop: async () => {
        await proxy.close();
        await stopAll();
        db.stop();
      },
    };
  } catch (err) {
    await stopAll();
    db.stop();
    throw err;
  }
}

/** Resolves with the URL a product process logs in its listening line. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('product did not start within 30 s'));
    }, 30_000);
    child.once('exit', (code) => reject(new Error(`product exited with ${code}`)));
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.includes('"server.listening"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
}

/** The stock Universal Actions bot (`baselines/stockCardAction.ts`) with its own database process, like the product. */
async function startStock(): Promise<ProductProcess> {
  const db = await startDatabaseProcess();
  try {
    const stock = await startServerProcess(path.join(__dirname, 'baselines', 'stockCardAction.js'), { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...db.env }, nodeArgs: startFlags() });
    return {
      url: `http://127.0.0.1:${stock.port}`,
      pid: stock.pid,
      dbPid: db.pid,
      dbOperations: db.operations,
      stop: async () => {
        await stock.stop();
        db.stop();
      },
    };
  } catch (err) {
    db.stop();
    throw err;
  }
}

/** BENCH_ROUNDS: how often the side-by-side benchmarks run (default 3; 1 for a quick look). */
function rounds(): number {
  const n = Number(process.env.BENCH_ROUNDS ?? 3);
  return Number.isInteger(n) && n >= 1 ? n : 3;
}

const logLine = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const BENCHMARKS: Record<string, () => Promise<Figure[]>> = {
  // Three rounds: medians even out a neighbour that was busy during one of them.
  turns: () => benchTurns({ startProduct, startProductsBehindProxy, rounds: 3 }),
  answers: async () => [...(await benchAnswers()), ...(await benchAnswerTurns())],
  fanout: () => benchFanout(),
  // Product and stock bot side by side, BENCH_ROUNDS times (default 3): the medians (see bench/rounds.ts).
  actions: () => medianOfRounds('actions', rounds(), () => benchActions({ startProduct, startStock }), logLine),
  circle: () => medianOfRounds('circle', rounds(), () => benchCircle({ startProduct, startStock }), logLine),
  // Kills the real bot process 40 times at random moments; no notification may be lost (crash.lost must be 0).
  crash: () => benchCrash(),
  tab: () => benchTab(),
  privacy: () => benchPrivacy(),
};

/** `npm run bench [-- NAME …]`: runs the benchmarks and prints `name: value unit` lines. */
async function main(names: string[]): Promise<void> {
  const unknown = names.filter((n) => !BENCHMARKS[n]);
  if (unknown.length) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`);
    process.exit(2);
  }
  for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
    for (const f of await BENCHMARKS[name]()) {
      const value = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(f.value < 10 ? 3 : 1);
      process.stdout.write(`${f.name}: ${value} ${f.unit}\n`);
    }
  }
}

// No product, database, load generator or browser outlives the run, whether it ends, fails or is interrupted.
endChildrenOnExit();
main(process.argv.slice(2)).then(
  () => stopAllChildren().finally(() => process.exit(0)),
  (err: unknown) => {
    process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
    void stopAllChildren().finally(() => process.exit(1));
  },
);
