import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { countingDatabase } from '../support/countingDatabase';
import { startTestApp, type TestApp } from '../support/testApp';

const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001' });
/** The app's clock (reminders, purges): Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');

describe('database cost of a card action', () => {
  let emulator: ChannelEmulator;
  let real: AppDatabase;
  let counting: ReturnType<typeof countingDatabase>;
  let app: TestApp;
  beforeAll(async () => {
    emulator = await startChannelEmulator();
    real = await openDatabase({ databaseId: 'requests-cost' });
    counting = countingDatabase(real);
    app = await startTestApp({}, { database: counting.database, now: () => NOW });
    // The recurring jobs (purges, sweeps) run once at start; wait for them, so that only the actions below are counted.
    await app.jobs.runDue();
  });
  afterAll(async () => {
    await app.stop();
    await real.close();
    await emulator.close();
  });

  it('reads and writes the item once, keeps the audit entry in that write, writes no job, and leaves the acting IB\'s own card to the invoke response', async () => {
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    const staff = user({ name: 'Kosten Messung' });
    const submitted = await app.post(teams.cardAction('request.submit', { authority: 'koeln', category: 'beratung', subject: 'Kosten (Beispiel)', description: 'D' }, { from: staff }));
    const ref = { id: submitted.body.value.refresh.action.data.id as string, authority: 'koeln' };

    counting.reset();
    const refresh = await app.post(teams.cardAction('request.refresh', ref, { from: KOELN_IB, trigger: 'automatic' }));
    expect(refresh.body.statusCode).toBe(200);
    expect(counting.counts.byContainer.items).toEqual({ reads: 1, writes: 0 });
    expect(counting.counts.byContainer.audit).toBeUndefined();

    counting.reset();
    const accepted = await app.post(teams.cardAction('request.act', { ...ref, rev: 1, action: 'accept' }, { from: KOELN_IB }));
    expect(accepted.body.statusCode).toBe(200);
    expect(counting.counts.byContainer.items).toEqual({ reads: 1, writes: 1 });
    expect(counting.counts.byContainer.audit).toBeUndefined();
    expect((await real.store<ItemDoc>(CONTAINERS.items).read('koeln', ref.id))?.trail?.map((e) => e.action)).toEqual(['request.create', 'request.accept']);
    expect(counting.counts.byContainer.jobs?.writes ?? 0).toBe(0);
    // The requester's message; no update of the IB's own card (the dispatcher may already be sending it).
    expect(await app.delivery.outbox.status(`item:${ref.id}:r2:requester`)).toBeDefined();
    expect(await app.delivery.outbox.status(`item:${ref.id}:card:${KOELN_IB.aadObjectId}:r2`)).toBeUndefined();
  });
});
