import { Agent } from 'node:http';
import { activityBuilders, user, type TeamsUser } from '../test/support/activities';
import { startChannelEmulator } from '../test/support/channelEmulator';
import type { Figure } from './figure';
import { postJson } from './keepAlivePost';
import { readCpuMs } from './rss';
import { percentile, runStock, stockFigures } from './stockActions';
import type { ProductProcess } from './turns';

export interface BenchActionsOptions {
  /** Starts the product as in production: its own process, the database in another one, demo directory seeded. */
  startProduct: () => Promise<ProductProcess>;
  /** Starts the stock Universal Actions bot with its own database: the baseline measured in the same run. */
  startStock?: () => Promise<ProductProcess>;
  concurrency?: number;
  warmupMs?: number;
  durationMs?: number;
  log?: (line: string) => void;
}

/** The demo directory's (fictitious) IB of Köln: every request of the benchmark goes to her. */
const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001' });

/**
 * Card action round trips (an `adaptiveCard/action` invoke in, the invoke response out) against the product in its
 * own process with its database in another, as in production. Each of N concurrent virtual users walks a request
 * through its whole life (submit, refresh, Übernehmen, Rückfrage, the requester's answer, Antworten, Erledigt): seven
 * invokes, each re-checking permissions, writing with the ETag, the audit trail, the outbox and the reminder jobs.
 * The load is generated in this process.
 */
export async function benchActions(opts: BenchActionsOptions): Promise<Figure[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const concurrency = opts.concurrency ?? 16;
  const emulator = await startChannelEmulator({ record: false });
  const product = await opts.startProduct();
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency * 2 });
  const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  const url = new URL('/api/messages', product.url).toString();
  const latencies: number[] = [];
  let measuring = false;
  let failures = 0;

  const post = async (activity: unknown): Promise<{ statusCode: number; value: any }> => {
    const payload = JSON.stringify(activity);
    const started = performance.now();
    const res = await postJson(url, agent, payload);
    const ms = performance.now() - started;
    const body = (res.text ? JSON.parse(res.text) : { statusCode: res.status }) as { statusCode: number; value: any };
    if (res.status !== 200 || (body.statusCode !== undefined && body.statusCode !== 200)) failures++;
    if (measuring) latencies.push(ms);
    return body;
  };

  const cycle = async (staff: TeamsUser): Promise<void> => {
    const submitted = await post(
      teams.cardAction('request.submit', { authority: 'koeln', category: 'beratung', subject: 'Benchmark (Beispiel)', description: 'Lastprobe ohne personenbezogene Daten.' }, { from: staff }),
    );
    const ref = { id: submitted.value.refresh.action.data.id as string, authority: 'koeln' };
    await post(teams.cardAction('request.refresh', ref, { from: KOELN_IB, trigger: 'automatic' }));
    await post(teams.cardAction('request.act', { ...ref, rev: 1, action: 'accept' }, { from: KOELN_IB }));
    await post(teams.cardAction('request.act', { ...ref, rev: 2, action: 'ask', text: 'Rückfrage (Beispiel)' }, { from: KOELN_IB }));
    await post(teams.cardAction('request.reply', { ...ref, rev: 3, text: 'Antwort (Beispiel)' }, { from: staff }));
    await post(teams.cardAction('request.act', { ...ref, rev: 4, action: 'answer', text: 'Auskunft (Beispiel)' }, { from: KOELN_IB }));
    await post(teams.cardAction('request.act', { ...ref, rev: 5, action: 'done' }, { from: KOELN_IB }));
  };

  try {
    const staff = Array.from({ length: concurrency }, (_, i) => user({ name: `Bench Staff ${i}` }));
    // First contact stores each conversation reference once, as in real use.
    for (const s of [...staff, KOELN_IB]) await post(teams.installationUpdate('add', { from: s }));
    let stop = false;
    const warmupMs = opts.warmupMs ?? 3_000;
    const durationMs = opts.durationMs ?? 10_000;
    let measuredMs = 0;
    const workers = staff.map(async (s) => {
      while (!stop) await cycle(s);
    });
    await new Promise((r) => setTimeout(r, warmupMs));
    measuring = true;
    failures = 0;
    const t0 = performance.now();
    const cpu0 = readCpuMs(product.pid);
    const db0 = product.dbPid ? readCpuMs(product.dbPid) : 0;
    const own0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, durationMs));
    measuring = false;
    measuredMs = performance.now() - t0;
    const productCpuMs = readCpuMs(product.pid) - cpu0;
    const dbCpuMs = product.dbPid ? readCpuMs(product.dbPid) - db0 : 0;
    const own = process.cpuUsage(own0);
    const ownCpuMs = (own.user + own.system) / 1000;
    stop = true;
    await Promise.all(workers);
    const sorted = [...latencies].sort((a, b) => a - b);
    log(
      `actions: ${latencies.length} invokes in ${(measuredMs / 1000).toFixed(1)} s at ${concurrency} concurrent; ` +
        `p50 ${percentile(sorted, 50).toFixed(1)} ms p90 ${percentile(sorted, 90).toFixed(1)} ms p99 ${percentile(sorted, 99).toFixed(1)} ms max ${sorted.at(-1)?.toFixed(1)} ms; ${failures} failed; ` +
        `CPU per action: product ${(productCpuMs / Math.max(1, latencies.length)).toFixed(1)} ms, database ${(dbCpuMs / Math.max(1, latencies.length)).toFixed(1)} ms, load generator and channel emulator ${(ownCpuMs / Math.max(1, latencies.length)).toFixed(1)} ms`,
    );
    if (failures > latencies.length * 0.01) throw new Error(`actions: ${failures} of ${latencies.length} invokes failed`);
    const perS = latencies.length / (measuredMs / 1000);
    await product.stop();
    // The stock bot under the same closed loop (one state read and one upsert per action), after the product stopped.
    const stock = opts.startStock
      ? await runStock({
          startStock: opts.startStock,
          concurrency,
          warmupMs,
          durationMs,
          activity: (vu, n) => teams.cardAction('request.act', { id: `stock-${vu}`, authority: 'koeln', rev: n, action: 'accept' }, { from: staff[vu] }),
        })
      : undefined;
    return [
      { name: 'actions.p99_ms', value: percentile(sorted, 99), unit: 'ms' },
      { name: 'actions.p50_ms', value: percentile(sorted, 50), unit: 'ms' },
      { name: 'actions.per_s', value: perS, unit: 'actions/s' },
      { name: 'actions.product_cpu_ms_per_action', value: productCpuMs / Math.max(1, latencies.length), unit: 'ms' },
      ...(product.dbPid ? [{ name: 'actions.db_cpu_ms_per_action', value: dbCpuMs / Math.max(1, latencies.length), unit: 'ms' }] : []),
      ...(stock ? stockFigures('actions', stock, perS) : []),
    ];
  } finally {
    await product.stop();
    agent.destroy();
    await emulator.close();
  }
}
