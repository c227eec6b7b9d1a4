/**
 * The relay of the transactional outbox (see `pending.ts`): it hands the notices a workflow document carries to the
 * workflow's notifications module (which enqueues outbox deliveries and schedules jobs, idempotently per notice key),
 * then clears them from the document.
 *
 * There is one path. After a write the service `kick`s the relay with the written document (no database read; the
 * request has already been answered). At start-up and every interval, `sweep` finds documents whose notices are still
 * pending after a grace period (their process died, or a relay failed) and kicks them the same way. Relaying a notice
 * twice (two processes, or a crash after delivery and before the clear) enqueues nothing twice.
 */
import type { Logger } from '../logging';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { ConcurrencyError } from '../storage/errors';
import type { PendingCarrier, PendingNotice } from './pending';
import { recentVersionsOf } from './transaction';

/** One workflow's documents, and what carries out their notices. */
export interface RelaySource<D extends PendingCarrier = PendingCarrier> {
  /** The workflow's name, e.g. `requests` (logs, kicks). */
  name: string;
  store: DocumentStore<D>;
  /**
   * Carries out `notices` of `doc` (the document as written with them, or newer): outbox enqueues and scheduler calls,
   * each idempotent by the notice key. Throws when something could not be done; the notices then stay pending.
   */
  deliver(doc: Versioned<D>, notices: PendingNotice[]): Promise<void>;
}

export interface RelayOptions {
  logger: Logger;
  now?: () => number;
  /** Pending notices younger than this are left to the live relay of the process that wrote them (default 10 s). */
  graceMs?: number;
  /** Documents relayed at once (default 4). */
  concurrency?: number;
  /** Documents one sweep takes per workflow (default 200; the next sweep takes the rest). */
  sweepBatch?: number;
  /** Keys remembered as relayed by this process, so a carried-over notice is not handed over again (default 20,000). */
  remember?: number;
  /**
   * Flow control: whether whatever carries out the notices (the outbox's dispatcher) can take more now. While it
   * cannot, documents wait in the queue, their notices still pending in the document (as safe there as in the
   * outbox); {@link Relay.resume} starts again. Several changes of one document meanwhile become one hand-over, and
   * its card updates one update. Without it the relay hands over as fast as documents are written.
   */
  hasRoom?: () => boolean;
  /**
   * Documents kept queued at most (default 5,000). Beyond, the oldest snapshot is dropped from memory: its notices stay
   * pending in the document and the next sweep finds it.
   */
  maxQueued?: number;
}

/**
 * A document waiting to be relayed. Usually only its address: this process remembers the version it wrote
 * ({@link recentVersionsOf}), so the queue keeps no copy of it; a burst of turns can hold thousands of documents
 * here while the outbox has no room, and copies of them would grow the heap by tens of MB. A document the sweep found,
 * or one this process does not remember, is kept as found.
 */
interface Queued {
  source: RelaySource;
  pk: string;
  id: string;
  snapshot?: Versioned<PendingCarrier>;
}

export class Relay {
  private readonly sources = new Map<string, RelaySource>();
  private readonly queue = new Map<string, Queued>();
  private readonly active = new Set<string>();
  private readonly relayedKeys = new Set<string>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly now: () => number;
  private readonly graceMs: number;
  private readonly concurrency: number;
  private readonly sweepBatch: number;
  private readonly remember: number;
  private readonly maxQueued: number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private pumpScheduled = false;
  private stopping = false;
  /** Counters for operations and benchmarks (`heldBack`: pumps that found no room; `dropped`: left to the sweep). */
  readonly stats = { relayed: 0, notices: 0, failed: 0, clearConflicts: 0, swept: 0, heldBack: 0, dropped: 0 };

  constructor(private readonly options: RelayOptions) {
    this.now = options.now ?? Date.now;
    this.graceMs = options.graceMs ?? 10_000;
    this.concurrency = options.concurrency ?? 4;
    this.sweepBatch = options.sweepBatch ?? 200;
    this.remember = options.remember ?? 20_000;
    this.maxQueued = options.maxQueued ?? 5_000;
  }

  register<D extends PendingCarrier>(source: RelaySource<D>): void {
    if (this.sources.has(source.name)) throw new Error(`relay source ${source.name} registered twice`);
    this.sources.set(source.name, source as unknown as RelaySource);
  }

  /** True when this process has relayed the notice with `key` (the next write of its document may drop it). */
  relayed = (key: string): boolean => this.relayedKeys.has(key);

  /**
   * Relays the notices `doc` carries, in the background: those of the newest version of it this process knows when
   * its turn comes (`doc`, or newer), read again if this process no longer remembers it. A newer kick of the same
   * document takes a queued one's place.
   */
  kick<D extends PendingCarrier>(sourceName: string, doc: Versioned<D>): void {
    const source = this.sources.get(sourceName);
    if (!source) throw new Error(`no relay source ${sourceName}`);
    // The version a workflow just wrote is remembered (transaction.ts): the address is enough.
    this.enqueue(source, doc, !recentVersionsOf(source.store).has(doc.pk, doc.id));
  }

  /** Queues `doc` (a newer entry takes an older one's place, and its turn: it waited as long); `keep`: with a copy. */
  private enqueue(source: RelaySource, doc: Versioned<PendingCarrier>, keep: boolean): void {
    if (!doc.pending?.length || this.stopping) return;
    const key = `${source.name}|${doc.pk}|${doc.id}`;
    this.queue.set(key, { source, pk: doc.pk, id: doc.id, ...(keep ? { snapshot: doc } : {}) });
    if (this.queue.size > this.maxQueued) {
      const oldest = this.queue.keys().next().value;
      if (oldest !== undefined && oldest !== key) {
        this.queue.delete(oldest);
        this.stats.dropped++;
      }
    }
    this.resume();
  }

  /** Hands over what is queued, after the current turn; called by the flow control when room may have become free. */
  resume(): void {
    if (this.queue.size === 0) return;
    // After the current turn: the caller's invoke response is written before any other recipient's card is rendered.
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
  }

  /** True when nothing is queued or being relayed. */
  isIdle(): boolean {
    return this.queue.size === 0 && this.active.size === 0;
  }

  /** Resolves once nothing is queued or being relayed. */
  whenIdle(): Promise<void> {
    if (this.queue.size === 0 && this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Finds documents of every workflow whose notices have been pending for longer than the grace period and relays
   * them; resolves with how many documents it took, once they are relayed.
   */
  sweep(graceMs = this.graceMs): Promise<number> {
    this.sweeping ??= this.sweepOnce(graceMs).finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /**
   * Sweeps at once without a grace period (at start-up whatever is pending was left by a process that stopped, or is
   * being relayed by another instance, which only costs a repeated, idempotent hand-over), then every `intervalMs`
   * until `stop`.
   */
  start(intervalMs = 30_000): void {
    if (this.timer) return;
    const run = (graceMs?: number) =>
      void this.sweep(graceMs).catch((err: unknown) => this.options.logger.error({ event: 'relay.sweep_failed', err: errorCode(err) }, 'relay sweep failed'));
    run(0);
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  /**
   * Stops the periodic sweep and waits for what is being relayed. What is still queued stays pending in its documents
   * (the next start's sweep relays it): a stopping process does not wait for the outbox to make room.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.queue.clear();
    this.settleIfIdle();
    await this.sweeping?.catch(() => 0);
    await this.whenIdle();
  }

  private async sweepOnce(graceMs: number): Promise<number> {
    const cutoff = this.now() - graceMs;
    let found = 0;
    for (const [name, source] of this.sources) {
      const docs = await source.store.query<Versioned<PendingCarrier>>(
        { query: 'SELECT * FROM c WHERE c.pendingSince <= @cutoff', parameters: [{ name: '@cutoff', value: cutoff }] },
        { maxItems: this.sweepBatch },
      );
      for (const doc of docs) {
        // Queued by the live path: relayed from a version at least as new. Otherwise kept as found: fresher than any
        // version this process may remember (a write that did not go through `transact` does not update that).
        if (!this.queue.has(`${name}|${doc.pk}|${doc.id}`)) this.enqueue(source, doc, true);
      }
      found += docs.length;
    }
    this.stats.swept += found;
    if (found) this.options.logger.info({ event: 'relay.swept', count: found }, 'pending notifications found and relayed');
    await this.whenIdle();
    return found;
  }

  private pump(): void {
    for (const [key, entry] of this.queue) {
      if (this.active.size >= this.concurrency) return;
      if (this.options.hasRoom && !this.options.hasRoom()) {
        this.stats.heldBack++;
        return;
      }
      if (this.active.has(key)) continue;
      this.queue.delete(key);
      this.active.add(key);
      void this.relay(key, entry)
        .catch((err: unknown) => {
          this.stats.failed++;
          this.options.logger.warn({ event: 'relay.failed', source: entry.source.name, docId: entry.id, err: errorCode(err) }, 'notifications stay pending');
        })
        .finally(() => {
          this.active.delete(key);
          this.pump();
          this.settleIfIdle();
        });
    }
  }

  private settleIfIdle(): void {
    if (this.queue.size === 0 && this.active.size === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  private async relay(key: string, { source, pk, id, snapshot }: Queued): Promise<void> {
    const doc = snapshot ?? recentVersionsOf(source.store).get(pk, id) ?? (await source.store.read(pk, id));
    // Deleted meanwhile (its notices with it), or relayed and cleared already (by another process, or here).
    if (!doc?.pending?.length) return;
    const all = doc.pending;
    const notices = all.filter((n) => !this.relayedKeys.has(n.key));
    if (notices.length) await source.deliver(doc, notices);
    for (const n of notices) this.rememberKey(n.key);
    this.stats.relayed++;
    this.stats.notices += notices.length;
    // A newer kick of the document is queued here: its relay clears what it carries.
    if (this.queue.has(key)) return;
    try {
      const cleared = await source.store.patch(doc.pk, doc.id, [{ op: 'set', path: '/pending', value: [] }, { op: 'remove', path: '/pendingSince' }], doc.etag);
      // The document's latest version now: the next change of it in this process needs no read first.
      recentVersionsOf(source.store).remember(cleared);
    } catch (err) {
      // Written again meanwhile: that write carried over whatever this process had not relayed, and its relay (here,
      // or in the process that wrote it, or the sweep) clears the document.
      if (!(err instanceof ConcurrencyError)) throw err;
      this.stats.clearConflicts++;
    }
  }

  private rememberKey(key: string): void {
    if (this.relayedKeys.size >= this.remember) {
      const oldest = this.relayedKeys.values().next().value;
      if (oldest !== undefined) this.relayedKeys.delete(oldest);
    }
    this.relayedKeys.add(key);
  }
}

function errorCode(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') return (err as { code: string }).code;
  return err instanceof Error ? err.name : 'unknown';
}
