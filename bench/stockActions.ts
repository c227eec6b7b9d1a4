import { Agent } from 'node:http';
import { operationsBetween } from '../services/storage/operationCount';
import { CallTally, percentile } from './callTally';
import type { Figure } from './figure';
import { postJson } from './keepAlivePost';
import { markProfileWindow, profileClockUs } from './profileWindow';
import { oldGenerationBetween, readCpuMs, readOldGeneration } from './rss';
import type { ProductProcess } from './turns';

/** What the stock Universal Actions bot (`baselines/stockCardAction.ts`) achieved under the same load. */
export interface StockFigures {
  perS: number;
  p50: number;
  p99: number;
  cpuMsPerAction: number;
  dbCpuMsPerAction: number;
  failures: number;
  /** Database operations per action, counted by the stock bot's database process. */
  dbOpsPerAction?: number;
  /** The failures by reason, e.g. `2 failed (nothing changed: 2)`. */
  failureSummary: string;
  /** How much the old generation grew per action and how many full collections ran (bench/heapProbe.ts). */
  oldGeneration?: { kbPerAction: number; fullCollections: number };
}

export interface StockRunOptions {
  /** Starts the stock bot with its own embedded database process. */
  startStock: () => Promise<ProductProcess>;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** The invoke virtual user `vu` sends as its `n`-th request (the same activities the product gets). */
  activity: (vu: number, n: number) => unknown;
  /** Names the measured window for `bench/profileByPackage.ts` when `BENCH_CPU_PROF` is set (default `stock`). */
  profileLabel?: string;
}

/** The stock bot's card, as `baselines/stockCardAction.ts` expands it: its last text block reads `Answered <n> times`. */
interface StockInvokeBody {
  statusCode?: number;
  value?: { body?: Array<{ type?: string; text?: string }> };
}

/**
 * Judges one answer of the stock bot by the same rule as the product's: a refusal or a card showing that nothing
 * changed is a failure. The stock bot counts the actions on the user's state document and shows the count, so an
 * answer changed something only if its count is higher than the last one this user saw. Returns the failure reason
 * (or `undefined`) and the count shown.
 */
export function stockActionFailure(httpStatus: number, body: StockInvokeBody | undefined, lastCount: number): { failure?: string; count?: number } {
  if (typeof body?.statusCode === 'number' && body.statusCode !== 200) return { failure: `refused ${body.statusCode}` };
  if (httpStatus !== 200) return { failure: `HTTP ${httpStatus}` };
  if (body?.statusCode !== 200) return { failure: 'no invoke response' };
  const text = [...(body.value?.body ?? [])].reverse().find((b) => b.type === 'TextBlock')?.text ?? '';
  const match = /^Answered (\d+) times$/.exec(text);
  if (!match) return { failure: 'no card' };
  const count = Number(match[1]);
  return count > lastCount ? { count } : { failure: 'nothing changed', count };
}


/**
 * The same closed loop as the product's benchmark, against the stock bot: `concurrency` virtual users, each sending
 * its next card action as soon as the last one is answered. Gives the floor of the chosen stack (restify, botbuilder,
 * `@azure/cosmos` on the embedded server, adaptivecards-templating) on this machine, measured in the same run.
 */
export async function runStock(opts: StockRunOptions): Promise<StockFigures> {
  const target = await opts.startStock();
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency * 2 });
  const url = new URL('/api/messages', target.url);
  const tally = new CallTally();
  try {
    let stop = false;
    const loops = Array.from({ length: opts.concurrency }, async (_, vu) => {
      let lastCount = 0;
      for (let n = 0; !stop; n++) {
        const payload = JSON.stringify(opts.activity(vu, n));
        const started = performance.now();
        let verdict: { failure?: string; count?: number };
        try {
          const res = await postJson(url, agent, payload);
          verdict = stockActionFailure(res.status, res.text ? (JSON.parse(res.text) as StockInvokeBody) : undefined, lastCount);
        } catch (err) {
          verdict = { failure: `no answer (${(err as Error).message})` };
        }
        tally.record(performance.now() - started, verdict.failure);
        lastCount = Math.max(lastCount, verdict.count ?? 0);
      }
    });
    await new Promise((r) => setTimeout(r, opts.warmupMs));
    tally.measuring = true;
    const t0 = performance.now();
    const prof0 = profileClockUs();
    const cpu0 = readCpuMs(target.pid);
    const db0 = target.dbPid ? readCpuMs(target.dbPid) : 0;
    const heap0 = readOldGeneration(target.pid);
    const ops0 = await target.dbOperations?.();
    await new Promise((r) => setTimeout(r, opts.durationMs));
    tally.measuring = false;
    const elapsed = performance.now() - t0;
    const prof1 = profileClockUs();
    const ops1 = await target.dbOperations?.();
    const cpu = readCpuMs(target.pid) - cpu0;
    const db = target.dbPid ? readCpuMs(target.dbPid) - db0 : 0;
    const heap1 = readOldGeneration(target.pid);
    stop = true;
    await Promise.all(loops);
    // As for the product: failed calls count in the latencies and the CPU per call, not in the throughput.
    const sorted = tally.sorted();
    const n = Math.max(1, sorted.length);
    markProfileWindow({ label: opts.profileLabel ?? 'stock', pid: target.pid, fromUs: prof0, toUs: prof1, actions: sorted.length });
    return {
      perS: (tally.succeeded / elapsed) * 1000,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      cpuMsPerAction: cpu / n,
      dbCpuMsPerAction: db / n,
      failures: tally.failed,
      failureSummary: tally.describeFailures(),
      oldGeneration: oldGenerationBetween(heap0, heap1, sorted.length),
      // The stock bot keeps its state in one container; all of its operations are on the request path.
      ...(ops0 && ops1 ? { dbOpsPerAction: Object.entries(operationsBetween(ops0, ops1)).reduce((sum, [op, count]) => (op.startsWith('meta:') ? sum : sum + count), 0) / n } : {}),
    };
  } finally {
    agent.destroy();
    await target.stop();
  }
}

/** The stock bot's figures under `<prefix>.stock_…`, and the product's throughput as a ratio of the stock bot's. */
export function stockFigures(prefix: string, stock: StockFigures, productPerS: number): Figure[] {
  return [
    { name: `${prefix}.stock_per_s`, value: stock.perS, unit: 'actions/s' },
    { name: `${prefix}.stock_p50_ms`, value: stock.p50, unit: 'ms' },
    { name: `${prefix}.stock_p99_ms`, value: stock.p99, unit: 'ms' },
    { name: `${prefix}.stock_cpu_ms_per_action`, value: stock.cpuMsPerAction, unit: 'ms' },
    { name: `${prefix}.stock_db_cpu_ms_per_action`, value: stock.dbCpuMsPerAction, unit: 'ms' },
    { name: `${prefix}.stock_failed`, value: stock.failures, unit: 'requests' },
    ...(stock.dbOpsPerAction !== undefined ? [{ name: `${prefix}.stock_db_ops_per_action`, value: stock.dbOpsPerAction, unit: 'operations' }] : []),
    ...(stock.oldGeneration
      ? [
          { name: `${prefix}.stock_old_gen_kb_per_action`, value: stock.oldGeneration.kbPerAction, unit: 'KB' },
          { name: `${prefix}.stock_full_gcs`, value: stock.oldGeneration.fullCollections, unit: 'collections' },
        ]
      : []),
    { name: `${prefix}.ratio_vs_stock`, value: stock.perS ? productPerS / stock.perS : 0, unit: 'x' },
  ];
}
