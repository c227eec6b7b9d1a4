/**
 * Scheduled steps (reminders, escalations, purges) kept in the `jobs` container, not in process memory: they survive
 * restarts, and when several bot processes share the database each job runs once at a time. A job is claimed with an
 * ETag-guarded write (a lease); a process that dies mid-job leaves the lease to expire, and another process runs the
 * job again. Handlers must therefore be idempotent: notifications they send go through the outbox with an
 * idempotency key derived from the job, so a repeated run sends nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../logging';
import { backoffDelay, type BackoffPolicy } from '../common/backoff';
import { systemClock, type Clock } from '../common/clock';
import { updateWithRetry } from '../common/etagRetry';
import { readableIdOf } from '../common/ids';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { AlreadyExistsError, ConcurrencyError } from '../storage/errors';

export type JobStatus = 'pending' | 'running' | 'done' | 'cancelled' | 'failed';

/** One scheduled step; pk = id (derived from the key). */
export interface JobDoc {
  id: string;
  pk: string;
  type: 'job';
  /** The caller's idempotency key, e.g. `request:4711:remind:1`. */
  key: string;
  /** Which handler runs it. */
  kind: string;
  /** Ids and parameters only (never message text); the handler reads current state from the database. */
  payload: Record<string, string | number | boolean | null>;
  /** Epoch ms: when a pending job is due, or when a running job's lease runs out. */
  dueAt: number;
  status: JobStatus;
  /** True while the job still has to run (the runner's query). */
  open: boolean;
  attempts: number;
  leaseOwner?: string;
  lastError?: { code: string; at: string };
  createdAt: string;
  updatedAt: string;
  doneAt?: string;
  /** Epoch ms after which a finished job may be deleted (the purge); Cosmos `ttl` does the same on Azure. */
  expiresAt?: number;
  ttl?: number;
}

/** What a handler may ask for after running: run again at `next` (recurring steps). */
export type JobOutcome = void | { next: Date };

export type JobHandler = (job: Readonly<JobDoc>) => Promise<JobOutcome>;

export interface ScheduleRequest {
  key: string;
  kind: string;
  dueAt: Date;
  payload?: JobDoc['payload'];
}

/** The job id for an idempotency key: readable where Cosmos allows it, else a digest. */
export function jobIdOf(key: string): string {
  return readableIdOf('j', key, 'job key');
}

const DAY_MS = 86_400_000;

/** Writes, moves and cancels jobs. Each call is one single-document write. */
export class Scheduler {
  private readonly listeners = new Set<(dueAtMs: number) => void>();

  constructor(
    private readonly store: DocumentStore<JobDoc>,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  /**
   * Schedules a job once per key: scheduling the same key again leaves the stored job as it is and returns it
   * (use `reschedule` to move it).
   */
  async schedule(request: ScheduleRequest): Promise<Versioned<JobDoc>> {
    const id = jobIdOf(request.key);
    const now = new Date(this.clock.now()).toISOString();
    const doc: JobDoc = {
      id,
      pk: id,
      type: 'job',
      key: request.key,
      kind: request.kind,
      payload: request.payload ?? {},
      dueAt: request.dueAt.getTime(),
      status: 'pending',
      open: true,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    };
    try {
      const created = await this.store.create(doc);
      this.notify(doc.dueAt);
      return created;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      const existing = await this.store.read(id, id);
      if (!existing) throw err;
      return existing;
    }
  }

  /** Moves a job (pending or finished) to run at `dueAt`; creates it when missing. */
  async reschedule(request: ScheduleRequest): Promise<Versioned<JobDoc>> {
    const id = jobIdOf(request.key);
    let missing = false;
    const saved = await updateWithRetry(this.store, id, id, (current) => {
      missing = !current;
      if (!current) return undefined;
      // A running attempt that finishes after this write finds a new ETag and leaves the new time in place.
      const { etag: _etag, ...rest } = current;
      const next: JobDoc = {
        ...rest,
        payload: request.payload ?? current.payload,
        dueAt: request.dueAt.getTime(),
        status: 'pending',
        open: true,
        attempts: 0,
        updatedAt: new Date(this.clock.now()).toISOString(),
      };
      delete next.expiresAt;
      delete next.ttl;
      delete next.doneAt;
      delete next.leaseOwner;
      return next;
    });
    if (missing || !saved) return this.schedule(request);
    this.notify(saved.dueAt);
    return saved;
  }

  /** Cancels a job that has not run yet; returns false when there was none open. */
  async cancel(key: string): Promise<boolean> {
    const id = jobIdOf(key);
    let cancelled = false;
    await updateWithRetry(this.store, id, id, (current): JobDoc | undefined => {
      cancelled = false;
      if (!current || !current.open) return undefined;
      const { etag: _etag, ...rest } = current;
      const nowMs = this.clock.now();
      cancelled = true;
      return { ...rest, status: 'cancelled', open: false, updatedAt: new Date(nowMs).toISOString(), expiresAt: nowMs + 30 * DAY_MS, ttl: 30 * 86_400 };
    });
    return cancelled;
  }

  /** The stored job for a key. */
  get(key: string): Promise<Versioned<JobDoc> | undefined> {
    const id = jobIdOf(key);
    return this.store.read(id, id);
  }

  /** Called with the job's due time when a job is written, so a runner in this process can look at once. */
  onScheduled(listener: (dueAtMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(dueAtMs: number): void {
    for (const l of this.listeners) l(dueAtMs);
  }
}

export interface JobRunnerOptions {
  /** Names this process in leases; unique per process. */
  workerId: string;
  /** How long a claimed job is ours; a crashed process's job runs again after it. */
  leaseMs: number;
  /** How often to look for due jobs. */
  pollIntervalMs: number;
  /** Jobs claimed per poll. */
  batchSize: number;
  /** Attempts before a job is marked failed. */
  maxAttempts: number;
  /** Wait after a failed attempt (doubled each time). */
  retryDelayMs: number;
  /** How long finished jobs are kept. */
  keepDoneMs: number;
}

export const DEFAULT_JOB_RUNNER_OPTIONS: Omit<JobRunnerOptions, 'workerId'> = {
  leaseMs: 120_000,
  pollIntervalMs: 15_000,
  batchSize: 20,
  maxAttempts: 8,
  retryDelayMs: 30_000,
  keepDoneMs: 30 * DAY_MS,
};

export interface JobRunnerDeps {
  store: DocumentStore<JobDoc>;
  scheduler?: Scheduler;
  handlers: Record<string, JobHandler>;
  logger: Logger;
  clock?: Clock;
  options?: Partial<JobRunnerOptions>;
}

export interface JobRunner {
  /** Claims and runs every job due now; returns how many ran (tests and benchmarks drive it directly). */
  runDue(): Promise<number>;
  /** Deletes finished jobs past `expiresAt`. */
  purge(): Promise<number>;
  /** Stops polling and waits for the job in hand. */
  stop(): Promise<void>;
}

/** Runs due jobs of the `jobs` container in this process, alongside any other process doing the same. */
export function startJobRunner(deps: JobRunnerDeps, { autoStart = true } = {}): JobRunner {
  const clock = deps.clock ?? systemClock;
  const o: JobRunnerOptions = { ...DEFAULT_JOB_RUNNER_OPTIONS, workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, ...deps.options };
  // Doubling from retryDelayMs for at most six doublings, without jitter: a failed job's next try is predictable.
  const retryPolicy: BackoffPolicy = { baseDelayMs: o.retryDelayMs, maxDelayMs: o.retryDelayMs * 2 ** 6, jitter: 'none' };
  const abort = new AbortController();
  let running: Promise<number> | undefined;
  let rerun = false;

  const finish = async (job: Versioned<JobDoc>, changes: Partial<JobDoc>): Promise<void> => {
    const { etag, ...rest } = job;
    try {
      await deps.store.replace({ ...rest, ...changes, updatedAt: new Date(clock.now()).toISOString() } as JobDoc, etag);
    } catch (err) {
      // Rescheduled or cancelled while running: the newer write wins.
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  };

  const runOne = async (candidate: Versioned<JobDoc>): Promise<boolean> => {
    const nowMs = clock.now();
    const { etag, ...rest } = candidate;
    let claimed: Versioned<JobDoc>;
    try {
      claimed = await deps.store.replace(
        { ...rest, status: 'running', leaseOwner: o.workerId, dueAt: nowMs + o.leaseMs, attempts: candidate.attempts + 1, updatedAt: new Date(nowMs).toISOString() },
        etag,
      );
    } catch (err) {
      if (err instanceof ConcurrencyError) return false; // another process has it
      throw err;
    }
    const handler = deps.handlers[claimed.kind];
    if (!handler) {
      deps.logger.error({ event: 'job.unknown_kind', jobId: claimed.id, kind: claimed.kind }, 'no handler for job kind');
      await finish(claimed, { status: 'failed', open: false, lastError: { code: 'JOB_UNKNOWN_KIND', at: new Date(nowMs).toISOString() } });
      return true;
    }
    try {
      const outcome = await handler(claimed);
      const doneMs = clock.now();
      if (outcome && 'next' in outcome) {
        await finish(claimed, { status: 'pending', open: true, dueAt: outcome.next.getTime(), attempts: 0, leaseOwner: undefined });
      } else {
        await finish(claimed, {
          status: 'done',
          open: false,
          doneAt: new Date(doneMs).toISOString(),
          expiresAt: doneMs + o.keepDoneMs,
          ttl: Math.round(o.keepDoneMs / 1000),
          leaseOwner: undefined,
        });
      }
      deps.logger.debug({ event: 'job.done', jobId: claimed.id, kind: claimed.kind }, 'job done');
    } catch (err) {
      const code = (err as { code?: string })?.code ?? (err as Error)?.name ?? 'Error';
      const failedMs = clock.now();
      const last = claimed.attempts >= o.maxAttempts;
      deps.logger.warn({ event: last ? 'job.failed' : 'job.retry', jobId: claimed.id, kind: claimed.kind, code, attempts: claimed.attempts }, 'job attempt failed');
      await finish(claimed, {
        status: last ? 'failed' : 'pending',
        open: !last,
        dueAt: failedMs + backoffDelay(claimed.attempts, retryPolicy),
        lastError: { code: String(code), at: new Date(failedMs).toISOString() },
        leaseOwner: undefined,
        ...(last ? { expiresAt: failedMs + o.keepDoneMs, ttl: Math.round(o.keepDoneMs / 1000) } : {}),
      });
    }
    return true;
  };

  const runDueOnce = async (): Promise<number> => {
    let ran = 0;
    for (;;) {
      const due = await deps.store.query<Versioned<JobDoc>>(
        { query: 'SELECT * FROM c WHERE c.open = true AND c.dueAt <= @now ORDER BY c.dueAt', parameters: [{ name: '@now', value: clock.now() }] },
        { maxItems: o.batchSize },
      );
      if (due.length === 0) return ran;
      let claimedAny = false;
      for (const job of due) {
        if (abort.signal.aborted) return ran;
        if (await runOne(job)) {
          ran++;
          claimedAny = true;
        }
      }
      if (!claimedAny || due.length < o.batchSize) return ran;
    }
  };

  const runDue = (): Promise<number> => {
    if (running) {
      rerun = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      try {
        do {
          rerun = false;
          total += await runDueOnce();
        } while (rerun && !abort.signal.aborted);
      } finally {
        running = undefined;
      }
      return total;
    })();
    return running;
  };

  const purge = async (): Promise<number> => {
    const expired = await deps.store.query<Versioned<JobDoc>>(
      { query: 'SELECT * FROM c WHERE c.open = false AND c.expiresAt <= @now', parameters: [{ name: '@now', value: clock.now() }] },
      { maxItems: 500 },
    );
    let deleted = 0;
    for (const job of expired) if (await deps.store.delete(job.pk, job.id, job.etag).catch(() => false)) deleted++;
    return deleted;
  };

  const tick = () =>
    runDue().catch((err: unknown) => deps.logger.warn({ event: 'job.poll_failed', code: (err as Error)?.name }, 'job poll failed'));
  const unsubscribe = deps.scheduler?.onScheduled((dueAtMs) => {
    // Jobs due now (e.g. scheduled for the past) run at once; later ones wait for the poll, so that scheduling a
    // reminder days ahead does not cost a query of the whole container.
    if (dueAtMs <= clock.now()) setImmediate(tick);
  });
  let loop: Promise<void> | undefined;
  if (autoStart) {
    loop = (async () => {
      let lastPurge = 0;
      while (!abort.signal.aborted) {
        await tick();
        if (clock.now() - lastPurge > 3_600_000) {
          lastPurge = clock.now();
          await purge().catch(() => 0);
        }
        await clock.sleep(o.pollIntervalMs, abort.signal);
      }
    })();
  }

  return {
    runDue,
    purge,
    async stop() {
      abort.abort();
      unsubscribe?.();
      await loop;
      await running?.catch(() => 0);
    },
  };
}
