import { cardAction, message, user, type TeamsUser } from '../test/support/activities';
import { startChannelEmulatorProcess } from './channelEmulatorProcess';
import type { Figure } from './figure';
import { operationsBetween } from '../services/storage/operationCount';
import { operationsPerAction, percentile } from './callTally';
import { markProfileWindow, profileClockUs } from './profileWindow';
import { oldGenerationBetween, peakRssMb, readCpuMs, readOldGeneration } from './rss';
import { runStock, stockFigures } from './stockActions';
import type { ProductProcess } from './turns';

/** Settings for {@link benchCircle}. */
export interface CircleBenchOptions {
  /** Starts the product as in production (its database in another process). */
  startProduct: () => Promise<ProductProcess>;
  /** Starts the stock Universal Actions bot with its own database: the baseline measured in the same run. */
  startStock?: () => Promise<ProductProcess>;
  /** Concurrent members answering; default 16 (the bar's concurrency). */
  concurrency?: number;
  warmupMs?: number;
  durationMs?: number;
}

const KFI = user({ name: 'Karla Koordinata (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000600000001' });

/** Resolves once the channel emulator accepted no further call for a second (at most 60 s). */
async function announcementsOut(emulator: { counters(): Promise<{ accepted: number }> }): Promise<void> {
  const until = Date.now() + 60_000;
  let last = -1;
  let sameSince = Date.now();
  while (Date.now() < until) {
    const { accepted } = await emulator.counters();
    if (accepted !== last) [last, sameSince] = [accepted, Date.now()];
    else if (Date.now() - sameSince >= 1_000) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the poll announcement was still being delivered after 60 s');
}

/**
 * `circle`: poll answers per second with the state in Cosmos DB (the embedded server in its own process, as Azure
 * Cosmos DB is), `concurrency` members answering one poll over HTTP at once. Every request changes the member's
 * answer, so each one is a real write (read, replace with the ETag) plus the tally query for the returned card.
 */
export async function benchCircle(opts: CircleBenchOptions): Promise<Figure[]> {
  const concurrency = opts.concurrency ?? 16;
  const emulator = await startChannelEmulatorProcess();
  const product = await opts.startProduct();
  try {
    const post = async (body: unknown): Promise<any> => {
      const res = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
      return text ? JSON.parse(text) : undefined;
    };
    const base = { serviceUrl: emulator.serviceUrl };
    await post(message('Hilfe', { ...base, from: KFI }));
    const members: TeamsUser[] = Array.from({ length: concurrency }, (_, i) =>
      user({ name: `Bench Gast ${i + 1}`, aadObjectId: `00000000-0000-4000-8000-${(0x800000000000 + i).toString(16)}` }),
    );
    for (const m of members) {
      const r = await post(cardAction('circle.guest.add', { guestId: m.aadObjectId, guestName: m.name }, { ...base, from: KFI }));
      if (r?.statusCode !== 200) throw new Error(`adding a guest failed: ${JSON.stringify(r).slice(0, 200)}`);
    }
    const slots = Object.fromEntries(['2030-03-04', '2030-03-05', '2030-03-06', '2030-03-07', '2030-03-08'].flatMap((d, i) => [[`slot${i + 1}Date`, d], [`slot${i + 1}Time`, '10:00']]));
    const created = await post(cardAction('circle.poll.create', { title: 'Bench-Umfrage', place: 'Arnsberg', duration: '120', ...slots }, { ...base, from: KFI }));
    const pollId = /"pollId":"(p-[0-9a-f-]+)"/.exec(JSON.stringify(created))?.[1];
    if (!pollId) throw new Error('the poll was not created');
    // Members answer a poll they received: the answers start once its announcement to every member is out (Teams
    // accepted no further call for a second), not while the product still delivers it at Teams' pace. The fan-out
    // itself is the `fanout` benchmark's; measured here, it was the answers' p99 (the first second of the window).
    await announcementsOut(emulator);

    const latencies: number[] = [];
    let measuring = false;
    let failures = 0;
    let stop = false;
    const loops = members.map(async (m, vu) => {
      for (let n = 0; !stop; n++) {
        const body = cardAction('circle.poll.answer', { pollId, slot_s1: n % 2 === 0 ? 'yes' : 'no', slot_s2: n % 3 === 0 ? 'maybe' : 'yes' }, { ...base, from: m, id: `bench-${vu}-${n}` });
        const started = performance.now();
        const r = await post(body).catch(() => undefined);
        const ms = performance.now() - started;
        if (!measuring) continue;
        // As in `actions`: a failed call counts in the latencies, not in the throughput.
        latencies.push(ms);
        if (r?.statusCode !== 200) failures++;
      }
    });
    await new Promise((r) => setTimeout(r, opts.warmupMs ?? 2_000));
    measuring = true;
    const t0 = performance.now();
    const prof0 = profileClockUs();
    const cpu0 = readCpuMs(product.pid);
    const db0 = product.dbPid ? readCpuMs(product.dbPid) : 0;
    const heap0 = readOldGeneration(product.pid);
    const ops0 = await product.dbOperations?.();
    await new Promise((r) => setTimeout(r, opts.durationMs ?? 10_000));
    measuring = false;
    const elapsed = performance.now() - t0;
    const prof1 = profileClockUs();
    markProfileWindow({ label: 'circle.product', pid: product.pid, fromUs: prof0, toUs: prof1, actions: latencies.length });
    const ops1 = await product.dbOperations?.();
    const productCpuMs = readCpuMs(product.pid) - cpu0;
    const dbCpuMs = product.dbPid ? readCpuMs(product.dbPid) - db0 : 0;
    const oldGeneration = oldGenerationBetween(heap0, readOldGeneration(product.pid), latencies.length);
    stop = true;
    await Promise.all(loops);
    const peakRss = peakRssMb(product.pid);
    const sorted = [...latencies].sort((a, b) => a - b);
    // Counted by the database process: every operation it served in the measured window, per answer.
    const ops = ops0 && ops1 ? operationsPerAction(operationsBetween(ops0, ops1), latencies.length, []) : undefined;
    if (ops) process.stderr.write(`circle: database operations per answer (database side): ${ops.breakdown}\n`);
    const perS = ((latencies.length - failures) / elapsed) * 1000;
    await product.stop();
    // The same members' same answers against the stock bot, after the product has stopped (no shared cores).
    const stock = opts.startStock
      ? await runStock({
          startStock: opts.startStock,
          concurrency,
          warmupMs: opts.warmupMs ?? 2_000,
          durationMs: opts.durationMs ?? 10_000,
          profileLabel: 'circle.stock',
          activity: (vu, n) => cardAction('circle.poll.answer', { pollId, slot_s1: n % 2 === 0 ? 'yes' : 'no', slot_s2: n % 3 === 0 ? 'maybe' : 'yes' }, { ...base, from: members[vu], id: `stock-${vu}-${n}` }),
        })
      : undefined;
    return [
      { name: 'circle.answers_per_s', value: perS, unit: 'answers/s' },
      { name: 'circle.p99_ms', value: percentile(sorted, 99), unit: 'ms' },
      { name: 'circle.p50_ms', value: percentile(sorted, 50), unit: 'ms' },
      { name: 'circle.failed', value: failures, unit: 'requests' },
      // What limits throughput at a fixed concurrency: the product's CPU time per answer (one Node thread).
      { name: 'circle.product_cpu_ms_per_answer', value: latencies.length ? productCpuMs / latencies.length : 0, unit: 'ms' },
      // The embedded database shares the same two cores here (Azure Cosmos DB would not).
      ...(product.dbPid ? [{ name: 'circle.db_cpu_ms_per_answer', value: latencies.length ? dbCpuMs / latencies.length : 0, unit: 'ms' }] : []),
      ...(ops
        ? [
            { name: 'circle.db_ops_per_answer', value: ops.requestPath, unit: 'operations' },
            { name: 'circle.db_ops_after_response_per_answer', value: ops.offPath, unit: 'operations' },
          ]
        : []),
      { name: 'circle.peak_rss_mb', value: peakRss, unit: 'MB' },
      ...(oldGeneration
        ? [
            { name: 'circle.old_gen_kb_per_answer', value: oldGeneration.kbPerAction, unit: 'KB' },
            { name: 'circle.full_gcs', value: oldGeneration.fullCollections, unit: 'collections' },
          ]
        : []),
      ...(stock ? stockFigures('circle', stock, perS) : []),
    ];
  } finally {
    await product.stop();
    await emulator.stop();
  }
}
