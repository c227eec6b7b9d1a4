import path from 'node:path';
import { cardAction, message, user } from '../test/support/activities';
import { startChannelEmulator, type CallCounters } from '../test/support/channelEmulator';
import { startChannelEmulatorProcess } from './channelEmulatorProcess';
import { startServerProcess } from './childProcess';
import { runLoad, vuGuid, type LoadResult } from './load';
import { peakRssMb, readCpuMs } from './rss';
import type { Figure } from './figure';
import { median } from './rounds';

/** The product under test, started in its own process and listening on loopback. */
export interface ProductProcess {
  /** Messaging endpoint; a bare origin (`http://127.0.0.1:PORT`) gets `/api/messages` appended. */
  url: string;
  pid: number;
  /** Further product processes behind the same URL (several instances behind a proxy); their CPU counts too. */
  otherPids?: number[];
  /** The embedded database's own process, where the product runs with one (its CPU counts against the same cores). */
  dbPid?: number;
  /** The operations the database has served so far, by `container:kind`, counted by the database process itself. */
  dbOperations?: () => Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Settings for {@link benchTurns}; only `startProduct` is required. */
export interface BenchTurnsOptions {
  startProduct: () => Promise<ProductProcess>;
  /**
   * `n` product processes on one database behind a round-robin proxy (issue 16). When given, each round also measures
   * one and two instances behind the proxy with the same load, for `turns.two_instances_ratio`.
   */
  startProductsBehindProxy?: (instances: number) => Promise<ProductProcess>;
  /** Concurrent connections (one user and one personal chat each); default 32. */
  connections?: number;
  /** Discarded load before each measurement; default 3000 ms. */
  warmupMs?: number;
  /** Measured load per target and round; default 10000 ms. */
  durationMs?: number;
  /**
   * Rounds of (bare restify, stock echo, product), each target freshly started; default 1. With more, throughput and
   * latency are medians and peak RSS the maximum, which evens out a neighbour that was busy during one round.
   */
  rounds?: number;
  /** What the users type; default `hilfe`, a command every version of the product answers. */
  text?: string;
  /**
   * Also measure a turn that reads and writes state in Cosmos DB (see {@link STATE_TURN}); default true. Needs the
   * product (its Anliegen and „Meine Anliegen“), so a stand-in such as the echo bot turns it off.
   */
  stateTurn?: boolean;
  /** The bot's App ID for the recipient account; the product must accept it (auth is expected to be off). */
  botAppId?: string;
  /** Extra headers for every request, e.g. an `authorization` header from a long-lived test token. */
  headers?: Record<string, string>;
  /** Where the channel emulator runs: in this process (default) or its own. */
  emulator?: 'inProcess' | 'childProcess';
  /** Throw instead of reporting when more than this share of a target's requests fail; default 0.01. */
  maxErrorShare?: number;
  /** Progress lines; default stderr. */
  log?: (line: string) => void;
}

/** What one measured run of one target produced. */
interface TargetRun {
  load: LoadResult;
  peakRssMb: number;
  /** CPU the target used per completed request during the measured phase. */
  cpuMsPerTurn: number;
  /** CPU its database process used per completed request (0 without one). */
  dbCpuMsPerTurn: number;
  /** Connector calls the target made per request (replies, roster lookups …), warm-up included. */
  connectorCallsPerTurn: number;
}

/** Where the channel emulator runs and how to read it. */
interface EmulatorHandle {
  serviceUrl: string;
  counters(): Promise<CallCounters>;
  /** CPU the emulator's process has used so far, ms (the whole bench process when in-process). */
  cpuMs(): number;
  stop(): Promise<void>;
}

async function startEmulator(where: 'inProcess' | 'childProcess'): Promise<EmulatorHandle> {
  if (where === 'childProcess') {
    const child = await startChannelEmulatorProcess();
    return { serviceUrl: child.serviceUrl, counters: () => child.counters(), cpuMs: () => readCpuMs(child.pid), stop: () => child.stop() };
  }
  // Recording every call would grow this process's memory with the run; counters are all the benchmark reads.
  const emulator = await startChannelEmulator({ installations: 'tenantWide', record: false, unknownMembers: 'synthesize' });
  return {
    serviceUrl: emulator.serviceUrl,
    counters: async () => emulator.counters(),
    cpuMs: () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1000;
    },
    stop: () => emulator.close(),
  };
}

/**
 * The second turn measured: „Meine Anliegen“ by someone who has one, with the Teams locale switching between German
 * and English on every message. The switch is a profile change, so every turn stores the profile (a read and a
 * replace with the ETag in the users container) and then queries the person's Anliegen: state read and written in
 * Cosmos DB, where the help turn is served from the profile cache.
 */
const STATE_TURN = { text: 'meine anliegen', locale: '{{alt:de-DE|en-US}}' };

/** Virtual user `vu` (a number, or the load template's `{{vu}}` and `{{vuGuid}}` tokens). */
function benchUser(vu: string, aadObjectId: string) {
  return user({ name: `Bench User ${vu}`, id: `29:1bench-user-${vu}`, aadObjectId, email: `bench.user.${vu}@bezreg.example` });
}

/** One 1:1 chat per connection, each with its own user, so per-user and per-conversation state behave as in use. */
function turnTemplate(serviceUrl: string, text: string, botAppId: string | undefined, locale?: string): unknown {
  const from = benchUser('{{vu}}', '{{vuGuid}}');
  const activity = message(text, { from, serviceUrl, botAppId, conversationId: 'a:1bench-chat-{{vu}}', id: '{{seq}}', ...(locale ? { locale } : {}) });
  return { ...activity, timestamp: '{{now}}' };
}

/** Gives each of the first `connections` virtual users one Anliegen, so „Meine Anliegen“ reads a real list. */
async function submitOneRequestEach(url: string, serviceUrl: string, connections: number, botAppId: string | undefined): Promise<void> {
  for (let vu = 0; vu < connections; vu++) {
    const form = { authority: 'koeln', category: 'beratung', subject: `Benchmark ${vu} (Beispiel)`, description: 'Lastprobe ohne personenbezogene Daten.' };
    const activity = cardAction('request.submit', form, { from: benchUser(String(vu), vuGuid(vu)), serviceUrl, botAppId, conversationId: `a:1bench-chat-${vu}` });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    const body = (await res.json().catch(() => undefined)) as { statusCode?: number } | undefined;
    if (res.status !== 200 || body?.statusCode !== 200) throw new Error(`turns: submitting an Anliegen for virtual user ${vu} got HTTP ${res.status}, ${JSON.stringify(body)?.slice(0, 200)}`);
  }
}

function messagingUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/api/messages';
  return parsed.toString();
}

/**
 * Runs the same load (N concurrent personal chats posting Teams messages, each answered by the bot through the
 * channel emulator) against bare restify, the stock botbuilder echo bot and the product, one after the other, and
 * reports turns per second, latency percentiles, CPU per turn and peak RSS for each, plus the product's ratios to the
 * baselines. Baselines are started from `dist/bench/baselines/`, so run it from the compiled output.
 *
 * @example
 * ```ts
 * const figures = await benchTurns({
 *   startProduct: () => startServerProcess('dist/bot/index.js', { env: { LOG_LEVEL: 'warn' } }),
 *   rounds: 3,
 * });
 * ```
 */
export async function benchTurns(opts: BenchTurnsOptions): Promise<Figure[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const maxErrorShare = opts.maxErrorShare ?? 0.01;
  const emulator = await startEmulator(opts.emulator ?? 'inProcess');
  const template = turnTemplate(emulator.serviceUrl, opts.text ?? 'hilfe', opts.botAppId);
  const connections = opts.connections ?? 32;

  async function measure(name: string, start: () => Promise<ProductProcess>, turn = template, prepare?: (url: string) => Promise<void>): Promise<TargetRun> {
    const target = await start();
    try {
      await prepare?.(messagingUrl(target.url));
      const targetCpu = () => [target.pid, ...(target.otherPids ?? [])].reduce((sum, pid) => sum + readCpuMs(pid), 0);
      const before = await emulator.counters();
      let targetCpuAtStart = 0;
      let targetCpuAtEnd = 0;
      let dbCpuAtStart = 0;
      let dbCpuAtEnd = 0;
      let emulatorCpuAtStart = 0;
      let emulatorCpuAtEnd = 0;
      const load = await runLoad(
        {
          url: messagingUrl(target.url),
          template: turn,
          connections,
          warmupMs: opts.warmupMs ?? 3_000,
          durationMs: opts.durationMs ?? 10_000,
          headers: opts.headers,
        },
        {
          onMeasureStart: () => {
            targetCpuAtStart = targetCpu();
            dbCpuAtStart = target.dbPid ? readCpuMs(target.dbPid) : 0;
            emulatorCpuAtStart = emulator.cpuMs();
          },
          onMeasureEnd: () => {
            targetCpuAtEnd = targetCpu();
            dbCpuAtEnd = target.dbPid ? readCpuMs(target.dbPid) : 0;
            emulatorCpuAtEnd = emulator.cpuMs();
          },
        },
      );
      const after = await emulator.counters();
      const peak = peakRssMb(target.pid);
      const failed = load.errors + load.non2xx;
      const cpuMsPerTurn = (targetCpuAtEnd - targetCpuAtStart) / Math.max(1, load.requests);
      const dbCpuMsPerTurn = (dbCpuAtEnd - dbCpuAtStart) / Math.max(1, load.requests);
      const share = (cpuMs: number): string => `${((cpuMs / load.elapsedMs) * 100).toFixed(0)}%`;
      log(
        `${name}: ${load.throughputPerS.toFixed(0)}/s p50 ${load.p50Ms.toFixed(1)} ms p99 ${load.p99Ms.toFixed(1)} ms, ` +
          `${cpuMsPerTurn.toFixed(2)} CPU ms/turn${target.dbPid ? ` + ${dbCpuMsPerTurn.toFixed(2)} in the database` : ''}, peak RSS ${peak.toFixed(0)} MB; CPU of a core: target ${share(targetCpuAtEnd - targetCpuAtStart)}, ` +
          `load generator ${share(load.generatorCpuMs)}, emulator ${share(emulatorCpuAtEnd - emulatorCpuAtStart)}; ` +
          `${failed} failed of ${load.requests} ${JSON.stringify(load.statusCounts)}`,
      );
      if (load.requests === 0 || failed / load.requests > maxErrorShare) {
        throw new Error(
          `${name}: ${failed} of ${load.requests} requests failed (${JSON.stringify(load.statusCounts)}; ${load.errorSamples.join('; ')})`,
        );
      }
      const calls = after.accepted + after.rejected - (before.accepted + before.rejected);
      return { load, peakRssMb: peak, cpuMsPerTurn, dbCpuMsPerTurn, connectorCallsPerTurn: calls / (load.requests + load.warmupRequests) };
    } finally {
      await target.stop();
    }
  }

  const baselines = path.join(__dirname, 'baselines');
  const runs = { bare: [] as TargetRun[], echo: [] as TargetRun[], product: [] as TargetRun[], state: [] as TargetRun[], oneBehindProxy: [] as TargetRun[], twoBehindProxy: [] as TargetRun[] };
  const stateTemplate = turnTemplate(emulator.serviceUrl, STATE_TURN.text, opts.botAppId, STATE_TURN.locale);
  try {
    const rounds = Math.max(1, opts.rounds ?? 1);
    for (let round = 1; round <= rounds; round++) {
      if (rounds > 1) log(`round ${round} of ${rounds}`);
      runs.bare.push(await measure('bare restify', () => startServerProcess(path.join(baselines, 'bareRestify.js'))));
      runs.echo.push(await measure('stock echo', () => startServerProcess(path.join(baselines, 'stockEcho.js'))));
      runs.product.push(await measure('product', opts.startProduct));
      if (opts.stateTurn ?? true) {
        runs.state.push(
          await measure('product, „Meine Anliegen“ with a profile change', opts.startProduct, stateTemplate, (url) => submitOneRequestEach(url, emulator.serviceUrl, connections, opts.botAppId)),
        );
      }
      const behindProxy = opts.startProductsBehindProxy;
      if (behindProxy) {
        // Same load, same proxy: one instance, then two on the same database, adjacent in time.
        runs.oneBehindProxy.push(await measure('product, one instance behind the proxy', () => behindProxy(1)));
        runs.twoBehindProxy.push(await measure('product, two instances behind the proxy', () => behindProxy(2)));
      }
    }
  } finally {
    await emulator.stop();
  }

  const summary = (list: TargetRun[]) => ({
    perS: median(list.map((r) => r.load.throughputPerS)),
    p50: median(list.map((r) => r.load.p50Ms)),
    p99: median(list.map((r) => r.load.p99Ms)),
    cpu: median(list.map((r) => r.cpuMsPerTurn)),
    dbCpu: median(list.map((r) => r.dbCpuMsPerTurn)),
    rss: Math.max(...list.map((r) => r.peakRssMb)),
    calls: median(list.map((r) => r.connectorCallsPerTurn)),
  });
  // Ratios per round, then the median: targets measured minutes apart see different neighbours, adjacent ones similar.
  const ratio = (numerator: TargetRun[], denominator: TargetRun[]): number =>
    median(numerator.map((run, i) => run.load.throughputPerS / denominator[i].load.throughputPerS));
  const bare = summary(runs.bare);
  const echo = summary(runs.echo);
  const product = summary(runs.product);
  if (product.calls < 0.5) log(`warning: the product made ${product.calls.toFixed(2)} connector calls per turn; did it answer?`);

  return [
    { name: 'turns.product_per_s', value: product.perS, unit: 'turns/s' },
    { name: 'turns.stock_echo_per_s', value: echo.perS, unit: 'turns/s' },
    { name: 'turns.bare_restify_per_s', value: bare.perS, unit: 'req/s' },
    { name: 'turns.ratio_vs_stock_echo', value: ratio(runs.product, runs.echo), unit: 'x' },
    { name: 'turns.ratio_vs_bare_restify', value: ratio(runs.product, runs.bare), unit: 'x' },
    { name: 'turns.p50_ms', value: product.p50, unit: 'ms' },
    { name: 'turns.p99_ms', value: product.p99, unit: 'ms' },
    { name: 'turns.peak_rss_mb', value: product.rss, unit: 'MB' },
    { name: 'turns.cpu_ms_per_turn', value: product.cpu, unit: 'ms' },
    { name: 'turns.db_cpu_ms_per_turn', value: product.dbCpu, unit: 'ms' },
    ...(runs.state.length ? stateFigures(summary(runs.state)) : []),
    ...(runs.twoBehindProxy.length
      ? [
          { name: 'turns.two_instances_ratio', value: ratio(runs.twoBehindProxy, runs.oneBehindProxy), unit: 'x' },
          { name: 'turns.one_instance_behind_proxy_per_s', value: summary(runs.oneBehindProxy).perS, unit: 'turns/s' },
          { name: 'turns.two_instances_behind_proxy_per_s', value: summary(runs.twoBehindProxy).perS, unit: 'turns/s' },
        ]
      : []),
    { name: 'turns.stock_echo_p50_ms', value: echo.p50, unit: 'ms' },
    { name: 'turns.stock_echo_p99_ms', value: echo.p99, unit: 'ms' },
    { name: 'turns.stock_echo_peak_rss_mb', value: echo.rss, unit: 'MB' },
    { name: 'turns.stock_echo_cpu_ms_per_turn', value: echo.cpu, unit: 'ms' },
    { name: 'turns.bare_restify_p50_ms', value: bare.p50, unit: 'ms' },
    { name: 'turns.bare_restify_p99_ms', value: bare.p99, unit: 'ms' },
    { name: 'turns.bare_restify_peak_rss_mb', value: bare.rss, unit: 'MB' },
    { name: 'turns.bare_restify_cpu_ms_per_req', value: bare.cpu, unit: 'ms' },
    { name: 'turns.product_connector_calls_per_turn', value: product.calls, unit: 'calls' },
  ];
}

/** The figures of the turn that reads and writes Cosmos DB, beside the help turn's. */
function stateFigures(state: { perS: number; p50: number; p99: number; cpu: number; dbCpu: number; calls: number }): Figure[] {
  return [
    { name: 'turns.state_turn_per_s', value: state.perS, unit: 'turns/s' },
    { name: 'turns.state_turn_p50_ms', value: state.p50, unit: 'ms' },
    { name: 'turns.state_turn_p99_ms', value: state.p99, unit: 'ms' },
    { name: 'turns.state_turn_cpu_ms_per_turn', value: state.cpu, unit: 'ms' },
    { name: 'turns.state_turn_db_cpu_ms_per_turn', value: state.dbCpu, unit: 'ms' },
    { name: 'turns.state_turn_connector_calls_per_turn', value: state.calls, unit: 'calls' },
  ];
}
