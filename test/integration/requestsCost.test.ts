import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { DocumentStore, StoredFields } from '../../services/storage/documentStore';
import { activityBuilders, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { countingDatabase, type StoreCall } from '../support/countingDatabase';
import { startTestApp, type TestApp } from '../support/testApp';

const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001' });
/** The app's clock (reminders, purges): Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');

/**
 * The database as the app sees it, with every call on the containers the relay and the dispatcher write to (outbox,
 * jobs) held while `hold` is closed: an invoke answered while they are held did not need them.
 */
function holdingDatabase(inner: AppDatabase, held: readonly string[]) {
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const database: AppDatabase = Object.create(inner, {
    store: {
      value: <T extends StoredFields>(name: Parameters<AppDatabase['store']>[0]): DocumentStore<T> => {
        const store = inner.store<T>(name);
        if (!held.includes(name)) return store;
        return new Proxy(store, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver);
            if (typeof value !== 'function') return value;
            return async (...args: unknown[]) => {
              while (gate) await gate.promise;
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        });
      },
    },
  });
  return {
    database,
    hold() {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
    },
    release() {
      const g = gate;
      gate = undefined;
      g?.open();
    },
  };
}

describe('database cost of a card action', () => {
  let emulator: ChannelEmulator;
  let real: AppDatabase;
  let counting: ReturnType<typeof countingDatabase>;
  let holding: ReturnType<typeof holdingDatabase>;
  /** Every call on the database since the last reset, in order. */
  const calls: StoreCall[] = [];
  let app: TestApp;
  beforeAll(async () => {
    emulator = await startChannelEmulator();
    real = await openDatabase({ databaseId: 'requests-cost' });
    counting = countingDatabase(real, { onCall: (call) => calls.push(call) });
    holding = holdingDatabase(counting.database, [CONTAINERS.outbox, CONTAINERS.jobs]);
    app = await startTestApp({}, { database: holding.database, now: () => NOW });
    // The recurring jobs (purges, sweeps) run once at start; wait for them, so that only the actions below are counted.
    await app.jobs.runDue();
  });
  afterAll(async () => {
    holding.release();
    await app.stop();
    await real.close();
    await emulator.close();
  });

  it('writes the item once with its audit entry and its notifications on the request path, without reading it first when this process wrote it last (issue 14); the relay delivers afterwards and the acting IB\'s own card is left to the invoke response', async () => {
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    const staff = user({ name: 'Kosten Messung' });
    const submitted = await app.post(teams.cardAction('request.submit', { authority: 'koeln', category: 'beratung', subject: 'Kosten (Beispiel)', description: 'D' }, { from: staff }));
    const ref = { id: submitted.body.value.refresh.action.data.id as string, authority: 'koeln' };
    // The submission's notices are handed over, so that only the actions below are counted.
    await app.delivery.whenIdle();
    const itemOps = () => calls.filter((c) => c.container === CONTAINERS.items).map((c) => c.op);

    counting.reset();
    calls.length = 0;
    const refresh = await app.post(teams.cardAction('request.refresh', ref, { from: KOELN_IB, trigger: 'automatic' }));
    expect(refresh.body.statusCode).toBe(200);
    expect(counting.counts.byContainer.items).toEqual({ reads: 1, writes: 0 });
    expect(counting.counts.byContainer.audit).toBeUndefined();

    counting.reset();
    calls.length = 0;
    // Nothing reaches the outbox or the jobs until the invoke response is there: the action must not need them.
    holding.hold();
    const accepted = await app.post(teams.cardAction('request.accept', { ...ref, rev: 1 }, { from: KOELN_IB }));
    expect(accepted.body.statusCode).toBe(200);
    // Counted by the database when the invoke response has arrived: one conditional write of the item, nothing else in
    // any container. No read: this process created the item and the relay cleared its notices, so it has the stored
    // version, and the write's ETag proves it still is (a version changed elsewhere is read afresh: see
    // test/unit/workflow/recentVersions.test.ts).
    expect(counting.counts).toMatchObject({ reads: 0, writes: 1, byContainer: { items: { reads: 0, writes: 1 } } });
    expect(Object.keys(counting.counts.byContainer)).toEqual([CONTAINERS.items]);
    expect(itemOps()).toEqual(['replace']);
    expect(calls.find((c) => c.op === 'replace')?.args[1]).toEqual(expect.any(String));
    holding.release();

    await app.delivery.whenIdle();
    // Off the request path: the relay cleared the item's pending notices once the outbox had them.
    expect(itemOps()).toEqual(['replace', 'patch']);
    expect(counting.counts.byContainer.audit).toBeUndefined();
    expect(counting.counts.byContainer.jobs?.writes ?? 0).toBe(0);
    const stored = await real.store<ItemDoc>(CONTAINERS.items).read('koeln', ref.id);
    expect(stored?.trail?.map((e) => e.action)).toEqual(['request.create', 'request.accept']);
    expect(stored?.pending ?? []).toEqual([]);
    // The requester's message; no update of the IB's own card (the dispatcher may already be sending it).
    expect(await app.delivery.outbox.status(`item:${ref.id}:r2:requester`)).toBeDefined();
    expect(await app.delivery.outbox.status(`item:${ref.id}:card:${KOELN_IB.aadObjectId}:r2`)).toBeUndefined();
  });
});
