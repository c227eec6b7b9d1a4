import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { countingDatabase, type StoreCall } from '../support/countingDatabase';
import { KOELN_HEAD, KOELN_IB, KOELN_OFFICE } from '../support/demoPeople';
import { startTestApp, type TestApp } from '../support/testApp';

/** The app's clock: Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');

/** The dispatcher's look for due deliveries: once per poll interval whatever is sent, so not a cost of one notification. */
const isDueQuery = (call: StoreCall) => call.op === 'query' && String((call.args[0] as { query?: string })?.query).includes('c.dueAt <= @now');

/**
 * What delivering a card action's notifications costs in the database (issue 14), operation by operation: the head
 * instructs on a Vortrag, which tells two people, the IB by a message and the office by an update of its card.
 */
describe('database cost of delivering a card action\'s notifications', () => {
  let emulator: ChannelEmulator;
  let real: AppDatabase;
  let counting: ReturnType<typeof countingDatabase>;
  const calls: StoreCall[] = [];
  let app: TestApp;
  beforeAll(async () => {
    emulator = await startChannelEmulator();
    real = await openDatabase({ databaseId: 'delivery-cost' });
    counting = countingDatabase(real, { onCall: (call) => calls.push(call) });
    app = await startTestApp({}, { database: counting.database, now: () => NOW });
    await app.jobs.runDue();
  });
  afterAll(async () => {
    await app.stop();
    await real.close();
    await emulator.close();
  });

  it('costs per notification one create, one write that claims it and marks it sending, one that records it sent; an update reads the message it replaces once and marks it', async () => {
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const who of [KOELN_IB, KOELN_HEAD, KOELN_OFFICE]) expect((await app.post(teams.installationUpdate('add', { from: who }))).status).toBe(200);
    const submitted = await app.post(teams.cardAction('report.submit', { subject: 'Kosten (Beispiel)', summary: 'Vorschlag (Beispiel).', urgency: 'normal' }, { from: KOELN_IB }));
    const id = submitted.body.value.refresh.action.data.id as string;
    await app.delivery.whenIdle();

    calls.length = 0;
    const sentBefore = emulator.counters().accepted;
    const instructed = await app.post(teams.cardAction('report.instruct', { id, authority: 'koeln', rev: 1, instruction: 'Bitte abstimmen (Beispiel).' }, { from: KOELN_HEAD }));
    expect(instructed.body.statusCode).toBe(200);
    await app.delivery.whenIdle();
    // Two proactive calls: the IB's message and the office's card, updated in place.
    expect(emulator.counters().accepted - sentBefore).toBe(2);
    const ops = calls.filter((c) => !isDueQuery(c)).map((c) => `${c.container}:${c.op}`);
    const count = (op: string) => ops.filter((o) => o === op).length;
    // The request path: the item's one conditional write.
    expect(count(`${CONTAINERS.items}:replace`)).toBe(1);
    // The relay: the two deliveries written (the update after one query for the card it replaces), the item cleared.
    expect(count(`${CONTAINERS.outbox}:create`)).toBe(2);
    expect(count(`${CONTAINERS.outbox}:query`)).toBe(1);
    expect(count(`${CONTAINERS.items}:patch`)).toBe(1);
    // The dispatcher: the card's first delivery read once; per delivery claimed and marked `sending` in one write and
    // recorded `sent` in another; the card's first delivery marked with the update shown (no read before it).
    expect(count(`${CONTAINERS.outbox}:read`)).toBe(1);
    expect(count(`${CONTAINERS.outbox}:replace`)).toBe(5);
    expect(ops).toHaveLength(11);
  });
});
