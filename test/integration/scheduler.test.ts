import { silentLogger } from '../../services/logging';
import { Scheduler, startJobRunner, type JobDoc } from '../../services/scheduling/scheduler';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { DocumentStore } from '../../services/storage/documentStore';
import { contendedStore } from '../support/countingDatabase';
import { FakeClock } from '../support/fakeClock';

describe('scheduled jobs in Cosmos DB (embedded server)', () => {
  let database: AppDatabase;
  let store: DocumentStore<JobDoc>;
  let run = 0;

  beforeAll(async () => {
    database = await openDatabase({ databaseId: 'scheduler-test' });
    store = database.store<JobDoc>(CONTAINERS.jobs);
  });
  afterAll(() => database.close());

  it('runs a job once it is due, and only once', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler(store, clock);
    const key = `test:${++run}:remind`;
    const seen: string[] = [];
    const runner = startJobRunner({ store, handlers: { remind: async (job) => void seen.push(String(job.payload.item)) }, logger: silentLogger, clock }, { autoStart: false });
    await scheduler.schedule({ key, kind: 'remind', dueAt: new Date(clock.now() + 60_000), payload: { item: 'a' } });
    await scheduler.schedule({ key, kind: 'remind', dueAt: new Date(clock.now()), payload: { item: 'b' } }); // same key: kept as it was
    await runner.runDue();
    expect(seen).toEqual([]);
    await clock.advance(60_000);
    await runner.runDue();
    await runner.runDue();
    expect(seen).toEqual(['a']);
    expect((await scheduler.get(key))?.status).toBe('done');
    await runner.stop();
  });

  it('runs each due job exactly once while three runners share the container, in each of 50 rounds, and they really compete', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler(store, clock);
    const base = ++run;
    const counts = new Map<string, number>();
    const handler = async (job: Readonly<JobDoc>) => {
      counts.set(job.key, (counts.get(job.key) ?? 0) + 1);
    };
    // The runners' claims go through a store that counts the 412s: proof that they competed for the same jobs.
    const contended = contendedStore(store);
    const runners = [1, 2, 3].map((n) =>
      startJobRunner({ store: contended.store, handlers: { [`fan${base}`]: handler }, logger: silentLogger, clock, options: { workerId: `w${n}`, batchSize: 2 } }, { autoStart: false }),
    );
    const ROUNDS = 50;
    for (let round = 0; round < ROUNDS; round++) {
      const keys = [0, 1, 2].map((i) => `fan:${base}:${round}:${i}`);
      for (const key of keys) await scheduler.schedule({ key, kind: `fan${base}`, dueAt: new Date(clock.now()) });
      await Promise.all(runners.map((r) => r.runDue()));
      await Promise.all(runners.map((r) => r.runDue()));
      expect(keys.map((key) => counts.get(key))).toEqual([1, 1, 1]);
    }
    expect(counts.size).toBe(ROUNDS * 3);
    expect(contended.contention.preconditionFailed).toBeGreaterThan(0);
    await Promise.all(runners.map((r) => r.stop()));
  });

  it('runs a job again after the lease of a process that died mid-job has expired', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler(store, clock);
    const key = `crash:${++run}`;
    await scheduler.schedule({ key, kind: 'crashy', dueAt: new Date(clock.now()) });
    let calls = 0;
    let claimed!: () => void;
    const running = new Promise<void>((resolve) => (claimed = resolve));
    const dying = startJobRunner(
      {
        store,
        // Called once the job is claimed, and never finishes: the process "died" mid-job.
        handlers: {
          crashy: () => {
            calls++;
            claimed();
            return new Promise<void>(() => undefined);
          },
        },
        logger: silentLogger,
        clock,
        options: { leaseMs: 60_000 },
      },
      { autoStart: false },
    );
    void dying.runDue();
    await running;
    const survivor = startJobRunner({ store, handlers: { crashy: async () => void calls++ }, logger: silentLogger, clock, options: { leaseMs: 60_000 } }, { autoStart: false });
    expect(await survivor.runDue()).toBe(0); // still leased
    await clock.advance(61_000);
    expect(await survivor.runDue()).toBe(1);
    expect(calls).toBe(2);
    expect((await scheduler.get(key))?.status).toBe('done');
  });

  it('retries a failing job with back-off, then marks it failed', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler(store, clock);
    const key = `fail:${++run}`;
    await scheduler.schedule({ key, kind: 'boom', dueAt: new Date(clock.now()) });
    const runner = startJobRunner(
      { store, handlers: { boom: async () => Promise.reject(Object.assign(new Error('x'), { code: 'E_TEST' })) }, logger: silentLogger, clock, options: { maxAttempts: 2, retryDelayMs: 1000 } },
      { autoStart: false },
    );
    await runner.runDue();
    expect((await scheduler.get(key))?.status).toBe('pending');
    await clock.advance(1000);
    await runner.runDue();
    const job = await scheduler.get(key);
    expect(job?.status).toBe('failed');
    expect(job?.lastError?.code).toBe('E_TEST');
  });

  it('cancels and reschedules, and supports recurring jobs', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler(store, clock);
    const k1 = `cancel:${++run}`;
    const k2 = `recur:${run}`;
    let ticks = 0;
    const runner = startJobRunner(
      {
        store,
        handlers: { never: async () => fail('cancelled job ran'), recur: async () => (++ticks < 3 ? { next: new Date(clock.now() + 1000) } : undefined) },
        logger: silentLogger,
        clock,
      },
      { autoStart: false },
    );
    await scheduler.schedule({ key: k1, kind: 'never', dueAt: new Date(clock.now()) });
    expect(await scheduler.cancel(k1)).toBe(true);
    expect(await scheduler.cancel(k1)).toBe(false);
    await scheduler.schedule({ key: k2, kind: 'recur', dueAt: new Date(clock.now() + 5000) });
    await scheduler.reschedule({ key: k2, kind: 'recur', dueAt: new Date(clock.now()) });
    for (let i = 0; i < 4; i++) {
      await runner.runDue();
      await clock.advance(1000);
    }
    expect(ticks).toBe(3);
    expect((await scheduler.get(k2))?.status).toBe('done');
    expect((await scheduler.get(k1))?.status).toBe('cancelled');
  });
});
