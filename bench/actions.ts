import { Agent } from 'node:http';
import { STATUS_LABELS, type ItemStatus } from '../services/requests/model';
import { activityBuilders, user, type TeamsUser } from '../test/support/activities';
import { benchCardBind } from './cardBind';
import { startChannelEmulatorProcess } from './channelEmulatorProcess';
import { allPerCall, CallTally, operationsPerAction, perCall, percentile } from './callTally';
import type { Figure } from './figure';
import { postJson } from './keepAlivePost';
import { operationsBetween } from '../services/storage/operationCount';
import { markProfileWindow, profileClockUs } from './profileWindow';
import { oldGenerationBetween, peakRssMb, readCpuMs, readOldGeneration } from './rss';
import { runStock, stockFigures } from './stockActions';
import type { ProductProcess } from './turns';

export interface BenchActionsOptions {
  /** Starts the product as in production: its own process, the database in another one, demo directory seeded. */
  startProduct: () => Promise<ProductProcess>;
  /** Starts the stock Universal Actions bot with its own database: the baseline measured in the same run. */
  startStock?: () => Promise<ProductProcess>;
  concurrency?: number;
  warmupMs?: number;
  durationMs?: number;
  /** How long the delivery work alone is measured after the last action (default 5 s). */
  drainMs?: number;
  log?: (line: string) => void;
}

/** The demo directory's (fictitious) IB of Köln: every request of the benchmark goes to her. */
const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001' });

/** An `adaptiveCard/action` invoke response as the product returns it. */
interface InvokeBody {
  statusCode?: number;
  type?: string;
  value?: { body?: Array<{ type?: string; style?: string; items?: Array<{ text?: string }> }>; refresh?: { action?: { data?: { id?: string } } } };
}

/**
 * Why the product's answer to a card action that should leave the item in status `expected` is not that success, or
 * `undefined` if it is. Failures are: no 200 over HTTP; an invoke response other than 200 (a refusal: 400, 403, 404);
 * no card; a card that says nothing changed (the product answers a stale or repeated action with the current card and
 * a notice in the `attention` style: "Nichts geändert: … hat bereits gehandelt"); a status line other than `expected`.
 */
export function productActionFailure(httpStatus: number, body: InvokeBody | undefined, expected: ItemStatus): string | undefined {
  // The HTTP status of an invoke mirrors the invoke response's statusCode; the latter names the refusal.
  if (typeof body?.statusCode === 'number' && body.statusCode !== 200) return `refused ${body.statusCode}`;
  if (httpStatus !== 200) return `HTTP ${httpStatus}`;
  if (body?.statusCode !== 200) return 'no invoke response';
  const blocks = body.value?.body;
  if (body.type !== 'application/vnd.microsoft.card.adaptive' || !Array.isArray(blocks)) return 'no card';
  if (blocks.some((b) => b.type === 'Container' && (b.style === 'attention' || b.style === 'warning'))) return 'nothing changed';
  const statusLine = blocks.find((b) => b.type === 'Container' && b.style === 'emphasis')?.items?.[0]?.text;
  const label = STATUS_LABELS[expected];
  if (statusLine !== `Status: ${label.de}` && statusLine !== `Status: ${label.en}`) return 'wrong status';
  return undefined;
}

/**
 * Card action round trips (an `adaptiveCard/action` invoke in, the invoke response out) against the product in its
 * own process with its database in another, as in production. Each of N concurrent virtual users walks a request
 * through its whole life (submit, refresh, Übernehmen, Rückfrage, the requester's answer, Antworten, Erledigt): seven
 * invokes, each re-checking permissions, writing with the ETag, the audit trail, the outbox and the reminder jobs.
 * The load is generated in this process. A call counts as done only if the product's card shows the step's new status;
 * a refusal or a "nothing changed" card is a failure (see {@link productActionFailure}), and its latency counts too.
 */
export async function benchActions(opts: BenchActionsOptions): Promise<Figure[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const concurrency = opts.concurrency ?? 16;
  // Teams' rate limits on, as in a tenant: the product's proactive messages and card updates are paced by them.
  // In its own process (as in `circle`): the proactive calls the actions cause are answered there, not in the process
  // that measures the actions' latencies (where its work and garbage collection showed in their p99).
  const emulator = await startChannelEmulatorProcess({ rateLimits: true });
  const product = await opts.startProduct();
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency * 2 });
  const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  const url = new URL('/api/messages', product.url).toString();
  const tally = new CallTally();

  /** One invoke; its latency and verdict go to the tally. Resolves with the body if the step succeeded. */
  const call = async (activity: unknown, expected: ItemStatus): Promise<InvokeBody | undefined> => {
    const step = (activity as { value?: { action?: { verb?: string } } }).value?.action?.verb;
    const payload = JSON.stringify(activity);
    const started = performance.now();
    let body: InvokeBody | undefined;
    let failure: string | undefined;
    try {
      const res = await postJson(url, agent, payload);
      body = res.text ? (JSON.parse(res.text) as InvokeBody) : undefined;
      failure = productActionFailure(res.status, body, expected);
    } catch (err) {
      failure = `no answer (${(err as Error).message})`;
    }
    tally.record(performance.now() - started, failure, step);
    return failure ? undefined : body;
  };

  /** A request's whole life; a step that fails ends the cycle (the later steps would only fail after it). */
  const cycle = async (staff: TeamsUser): Promise<void> => {
    const submitted = await call(
      teams.cardAction('request.submit', { authority: 'koeln', category: 'beratung', subject: 'Benchmark (Beispiel)', description: 'Lastprobe ohne personenbezogene Daten.' }, { from: staff }),
      'neu',
    );
    const id = submitted?.value?.refresh?.action?.data?.id;
    if (!id) return;
    const ref = { id, authority: 'koeln' };
    const steps: Array<[unknown, ItemStatus]> = [
      [teams.cardAction('request.refresh', ref, { from: KOELN_IB, trigger: 'automatic' }), 'neu'],
      [teams.cardAction('request.accept', { ...ref, rev: 1 }, { from: KOELN_IB }), 'in_bearbeitung'],
      [teams.cardAction('request.ask', { ...ref, rev: 2, text: 'Rückfrage (Beispiel)' }, { from: KOELN_IB }), 'rueckfrage'],
      [teams.cardAction('request.reply', { ...ref, rev: 3, text: 'Antwort (Beispiel)' }, { from: staff }), 'in_bearbeitung'],
      [teams.cardAction('request.answer', { ...ref, rev: 4, text: 'Auskunft (Beispiel)' }, { from: KOELN_IB }), 'in_bearbeitung'],
      [teams.cardAction('request.done', { ...ref, rev: 5 }, { from: KOELN_IB }), 'erledigt'],
    ];
    for (const [activity, expected] of steps) if (!(await call(activity, expected))) return;
  };

  try {
    const staff = Array.from({ length: concurrency }, (_, i) => user({ name: `Bench Staff ${i}` }));
    // First contact stores each conversation reference once, as in real use.
    for (const s of [...staff, KOELN_IB]) {
      const res = await postJson(url, agent, JSON.stringify(teams.installationUpdate('add', { from: s })));
      if (res.status !== 200) throw new Error(`actions: installing the app for a user got HTTP ${res.status}`);
    }
    let stop = false;
    const warmupMs = opts.warmupMs ?? 3_000;
    const durationMs = opts.durationMs ?? 10_000;
    let measuredMs = 0;
    const workers = staff.map(async (s) => {
      while (!stop) await cycle(s);
    });
    await new Promise((r) => setTimeout(r, warmupMs));
    tally.measuring = true;
    const t0 = performance.now();
    const prof0 = profileClockUs();
    const cpu0 = readCpuMs(product.pid);
    const db0 = product.dbPid ? readCpuMs(product.dbPid) : 0;
    const heap0 = readOldGeneration(product.pid);
    const emulatorCpu0 = readCpuMs(emulator.pid);
    const own0 = process.cpuUsage();
    const ops0 = await product.dbOperations?.();
    const channel0 = await emulator.counters();
    await new Promise((r) => setTimeout(r, durationMs));
    tally.measuring = false;
    measuredMs = performance.now() - t0;
    const prof1 = profileClockUs();
    const ops1 = await product.dbOperations?.();
    const channel1 = await emulator.counters();
    const productCpuMs = readCpuMs(product.pid) - cpu0;
    const heap1 = readOldGeneration(product.pid);
    const dbCpuMs = product.dbPid ? readCpuMs(product.dbPid) - db0 : 0;
    // Teams' stand-in answering the product's proactive calls: work Teams does on its own machines, here on the same cores.
    const emulatorCpuMs = readCpuMs(emulator.pid) - emulatorCpu0;
    const own = process.cpuUsage(own0);
    const ownCpuMs = (own.user + own.system) / 1000;
    stop = true;
    await Promise.all(workers);
    // The delivery work alone (issue 14): no more actions, the notifications they left behind still going out at Teams'
    // pace. What the product does now is relaying, rendering, the outbox and the dispatcher: its CPU and the database's
    // operations over the proactive calls Teams accepted in the same window.
    const drainMs = opts.drainMs ?? 5_000;
    const drainProf0 = profileClockUs();
    const drainCpu0 = readCpuMs(product.pid);
    const drainOps0 = await product.dbOperations?.();
    const drainChannel0 = await emulator.counters();
    await new Promise((r) => setTimeout(r, drainMs));
    const drainCpuMs = readCpuMs(product.pid) - drainCpu0;
    const drainOps1 = await product.dbOperations?.();
    const drainCalls = (await emulator.counters()).accepted - drainChannel0.accepted;
    // With BENCH_CPU_PROF: the delivery window's profile, per proactive call ("actions" there).
    markProfileWindow({ label: 'actions.delivery', pid: product.pid, fromUs: drainProf0, toUs: profileClockUs(), actions: drainCalls });
    const drainOps = drainOps0 && drainOps1 ? operationsBetween(drainOps0, drainOps1) : undefined;
    const drainOpsTotal = drainOps ? Object.entries(drainOps).reduce((n, [op, k]) => (op.startsWith('meta:') ? n : n + k), 0) : undefined;
    if (drainCalls > 0) {
      log(
        `actions: delivery alone (${(drainMs / 1000).toFixed(0)} s after the last action): ${drainCalls} proactive calls, product CPU ${(drainCpuMs / drainCalls).toFixed(2)} ms per call` +
          (drainOps ? `, database operations per call: ${allPerCall(drainOps, drainCalls)}` : ''),
      );
    }
    const peakRss = peakRssMb(product.pid);
    const sorted = tally.sorted();
    const calls = Math.max(1, sorted.length);
    markProfileWindow({ label: 'actions.product', pid: product.pid, fromUs: prof0, toUs: prof1, actions: sorted.length });
    // Counted by the database process: every operation it served in the measured window, per action.
    const ops = ops0 && ops1 ? operationsPerAction(operationsBetween(ops0, ops1), sorted.length, ['items']) : undefined;
    if (ops) log(`actions: database operations per action (database side): ${ops.breakdown}`);
    log(
      `actions: ${sorted.length} invokes in ${(measuredMs / 1000).toFixed(1)} s at ${concurrency} concurrent, ${tally.describeFailures()}; ` +
        `p50 ${percentile(sorted, 50).toFixed(1)} ms p90 ${percentile(sorted, 90).toFixed(1)} ms p99 ${percentile(sorted, 99).toFixed(1)} ms max ${sorted.at(-1)?.toFixed(1)} ms (failed calls included); ` +
        `CPU per action: product ${(productCpuMs / calls).toFixed(1)} ms, database ${(dbCpuMs / calls).toFixed(1)} ms, load generator ${(ownCpuMs / calls).toFixed(1)} ms, channel emulator ${(emulatorCpuMs / calls).toFixed(2)} ms`,
    );
    // Which steps make the tail: each verb's median and p99, and how many of the calls above the run's p99 it had.
    log(`actions: by step: ${tally.describeSteps()}`);
    // Proactive messages and card updates Teams accepted in the window (its limit: 30 per second per tenant here).
    const channelPerS = (channel1.accepted - channel0.accepted) / (measuredMs / 1000);
    const throttled = channel1.rejected - channel0.rejected;
    log(`actions: the channel accepted ${channelPerS.toFixed(1)} proactive calls/s and throttled ${throttled}; while the burst saturates the product, its notifications wait in their documents and follow at Teams' rate after it (the delivery alone, below)`);
    // The delivery work per proactive call Teams accepted (issue 14): every operation after the response (relay,
    // outbox, dispatcher, reports, jobs) over the calls made in the same window.
    const channelCalls = channel1.accepted - channel0.accepted;
    const opsPerCall = ops && channelCalls > 0 ? (ops.offPath * sorted.length) / channelCalls : undefined;
    if (ops && channelCalls > 0) log(`actions: database operations per proactive call: ${perCall(ops.counts, channelCalls, ['items'])}`);
    if (channelCalls > 0) log(`actions: the channel emulator (Teams' stand-in, same cores) used ${(emulatorCpuMs / channelCalls).toFixed(2)} ms CPU per proactive call, ${((emulatorCpuMs / measuredMs) * 100).toFixed(1)} % of one core`);
    if (tally.failed > sorted.length * 0.01) throw new Error(`actions: ${tally.describeFailures()} of ${sorted.length} invokes`);
    // Only actions that did what they were sent to do count as throughput.
    const perS = tally.succeeded / (measuredMs / 1000);
    await product.stop();
    // The stock bot under the same closed loop (one state read and one upsert per action), after the product stopped.
    const stock = opts.startStock
      ? await runStock({
          startStock: opts.startStock,
          concurrency,
          warmupMs,
          durationMs,
          profileLabel: 'actions.stock',
          activity: (vu, n) => teams.cardAction('request.accept', { id: `stock-${vu}`, authority: 'koeln', rev: n }, { from: staff[vu] }),
        })
      : undefined;
    if (stock) log(`actions (stock bot): ${stock.perS.toFixed(0)} actions/s, ${stock.failureSummary}; p50 ${stock.p50.toFixed(1)} ms p99 ${stock.p99.toFixed(1)} ms (failed calls included)`);
    // What sets the p99 (issue 14): requests in flight during a full collection wait for it, and the old generation's
    // growth per action decides how often one comes.
    const oldGeneration = oldGenerationBetween(heap0, heap1, sorted.length);
    if (oldGeneration) {
      log(
        `actions: old generation: product +${oldGeneration.kbPerAction.toFixed(1)} KB per action, ${oldGeneration.fullCollections} full collections in the window` +
          (stock?.oldGeneration ? `; stock bot +${stock.oldGeneration.kbPerAction.toFixed(1)} KB per action, ${stock.oldGeneration.fullCollections} full collections` : ''),
      );
    }
    // Issue 14: one card render, the product's template binder against adaptivecards-templating, here after the load.
    const cardBind = benchCardBind();
    return [
      { name: 'actions.p99_ms', value: percentile(sorted, 99), unit: 'ms' },
      { name: 'actions.p50_ms', value: percentile(sorted, 50), unit: 'ms' },
      { name: 'actions.per_s', value: perS, unit: 'actions/s' },
      { name: 'actions.failed', value: tally.failed, unit: 'requests' },
      { name: 'actions.product_cpu_ms_per_action', value: productCpuMs / calls, unit: 'ms' },
      ...(product.dbPid ? [{ name: 'actions.db_cpu_ms_per_action', value: dbCpuMs / calls, unit: 'ms' }] : []),
      // CPU of Teams' stand-in per action (the stock bot makes no proactive calls: none on its side).
      { name: 'actions.emulator_cpu_ms_per_action', value: emulatorCpuMs / calls, unit: 'ms' },
      ...(ops
        ? [
            { name: 'actions.db_ops_per_action', value: ops.requestPath, unit: 'operations' },
            { name: 'actions.db_ops_after_response_per_action', value: ops.offPath, unit: 'operations' },
          ]
        : []),
      ...(opsPerCall !== undefined ? [{ name: 'actions.db_ops_per_proactive_call', value: opsPerCall, unit: 'operations' }] : []),
      ...(drainCalls > 0
        ? [
            { name: 'actions.delivery_cpu_ms_per_call', value: drainCpuMs / drainCalls, unit: 'ms' },
            ...(drainOpsTotal !== undefined ? [{ name: 'actions.delivery_db_ops_per_call', value: drainOpsTotal / drainCalls, unit: 'operations' }] : []),
          ]
        : []),
      { name: 'actions.peak_rss_mb', value: peakRss, unit: 'MB' },
      ...(oldGeneration
        ? [
            { name: 'actions.old_gen_kb_per_action', value: oldGeneration.kbPerAction, unit: 'KB' },
            { name: 'actions.full_gcs', value: oldGeneration.fullCollections, unit: 'collections' },
          ]
        : []),
      { name: 'actions.channel_calls_per_s', value: channelPerS, unit: 'calls/s' },
      { name: 'actions.channel_throttled', value: throttled, unit: 'calls' },
      ...(stock ? stockFigures('actions', stock, perS) : []),
      ...cardBind,
    ];
  } finally {
    await product.stop();
    agent.destroy();
    await emulator.stop();
  }
}
