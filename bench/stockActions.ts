import { Agent } from 'node:http';
import type { Figure } from './figure';
import { postJson } from './keepAlivePost';
import { readCpuMs } from './rss';
import type { ProductProcess } from './turns';

/** What the stock Universal Actions bot (`baselines/stockCardAction.ts`) achieved under the same load. */
export interface StockFigures {
  perS: number;
  p50: number;
  p99: number;
  cpuMsPerAction: number;
  dbCpuMsPerAction: number;
  failures: number;
}

export interface StockRunOptions {
  /** Starts the stock bot with its own embedded database process. */
  startStock: () => Promise<ProductProcess>;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** The invoke virtual user `vu` sends as its `n`-th request (the same activities the product gets). */
  activity: (vu: number, n: number) => unknown;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
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
  const post = async (payload: string): Promise<boolean> => {
    try {
      const res = await postJson(url, agent, payload);
      return res.status === 200 && (JSON.parse(res.text) as { statusCode?: number }).statusCode === 200;
    } catch {
      return false;
    }
  };
  try {
    const latencies: number[] = [];
    let failures = 0;
    let measuring = false;
    let stop = false;
    const loops = Array.from({ length: opts.concurrency }, async (_, vu) => {
      for (let n = 0; !stop; n++) {
        const payload = JSON.stringify(opts.activity(vu, n));
        const started = performance.now();
        const ok = await post(payload);
        const ms = performance.now() - started;
        if (!measuring) continue;
        if (ok) latencies.push(ms);
        else failures++;
      }
    });
    await new Promise((r) => setTimeout(r, opts.warmupMs));
    measuring = true;
    const t0 = performance.now();
    const cpu0 = readCpuMs(target.pid);
    const db0 = target.dbPid ? readCpuMs(target.dbPid) : 0;
    await new Promise((r) => setTimeout(r, opts.durationMs));
    measuring = false;
    const elapsed = performance.now() - t0;
    const cpu = readCpuMs(target.pid) - cpu0;
    const db = target.dbPid ? readCpuMs(target.dbPid) - db0 : 0;
    stop = true;
    await Promise.all(loops);
    const sorted = latencies.sort((a, b) => a - b);
    const n = Math.max(1, sorted.length);
    return { perS: (sorted.length / elapsed) * 1000, p50: percentile(sorted, 50), p99: percentile(sorted, 99), cpuMsPerAction: cpu / n, dbCpuMsPerAction: db / n, failures };
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
    { name: `${prefix}.ratio_vs_stock`, value: stock.perS ? productPerS / stock.perS : 0, unit: 'x' },
  ];
}
