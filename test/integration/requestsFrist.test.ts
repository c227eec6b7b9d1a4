/**
 * The requester's Frist over HTTP with an injected clock: the handler is reminded the working day before and on the
 * day, the cards say "Überfällig" from the day after, and on the next working day the request goes to the deputy
 * once, with the reason, audited, even with two bot processes running the due jobs at the same moment.
 */
import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, user, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

const person = (name: string, aad: string, locale = 'de-DE') => user({ name, aadObjectId: aad, locale });
const KOELN_IB = person('Sabine Schmitz (Beispiel)', '00000000-0000-4000-8000-000400000001');
const KOELN_DEPUTY = person('Jan Jedermann (Beispiel)', '00000000-0000-4000-8000-000400000002');
const DUS_IB_EN = person('Lieschen Müller (Beispiel)', '00000000-0000-4000-8000-000300000001', 'en-US');
const DUS_DEPUTY = person('Hans Meier (Beispiel)', '00000000-0000-4000-8000-000300000002', 'en-US');
const STAFF = user({ name: 'Erika Sachbearbeiterin' });
const STAFF_EN = user({ name: 'Emma Clerk', locale: 'en-US' });

type InvokeBody = { statusCode: number; type: string; value: any };
const json = (v: unknown) => JSON.stringify(v);

describe('the Frist of an Anliegen', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  // Tuesday, 1 December 2026; the Frist is Friday, 18 December.
  let now = new Date('2026-12-01T09:00:00Z');
  const FRIST = '2026-12-18';

  const read = async (pk: string, id: string) => (await database.store<ItemDoc>(CONTAINERS.items).read(pk, id))!;

  async function invoke(verb: string, data: Record<string, unknown>, from: TeamsUser): Promise<InvokeBody> {
    const res = await app.post(teams.cardAction(verb, data, { from }));
    expect(res.status).toBe((res.body as InvokeBody).statusCode);
    return res.body as InvokeBody;
  }

  /** Runs the due jobs (in each process given) and waits until what they owe is handed over and sent. */
  async function runJobs(...apps: TestApp[]): Promise<void> {
    await Promise.all(apps.map((a) => a.jobs.runDue()));
    for (const a of apps) await a.delivery.whenIdle();
  }

  /** How often a notification was enqueued and sent (undefined: never), and the text the channel received for it. */
  async function sent(key: string, contains: string): Promise<{ total?: number; text?: string }> {
    const status = await app.delivery.outbox.status(key);
    const call = emulator.calls.find((c) => (c.activity?.text ?? '').includes(contains));
    return { total: status?.total, text: call?.activity?.text };
  }

  async function submit(from: TeamsUser, authority: string, subject: string): Promise<ItemDoc> {
    const body = await invoke('request.submit', { authority, category: 'beratung', subject, description: 'Bitte bis zur Frist.', deadline: FRIST }, from);
    expect(body.statusCode).toBe(200);
    await app.delivery.whenIdle();
    return read(authority, body.value.refresh.action.data.id as string);
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'requests-frist-test' });
    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [STAFF, STAFF_EN, KOELN_IB, KOELN_DEPUTY, DUS_IB_EN, DUS_DEPUTY]) await app.post(teams.installationUpdate('add', { from: p }));
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  it('reminds the handler before and on the day, marks it overdue, then passes it to the deputy once with the reason (German)', async () => {
    const item = await submit(STAFF, 'koeln', 'Stellungnahme zum Förderaufruf (Beispiel)');
    expect(item.deadline).toBe(FRIST);
    const soonKey = `item:${item.id}:deadline:soon:${KOELN_IB.aadObjectId}`;
    const todayKey = `item:${item.id}:deadline:today:${KOELN_IB.aadObjectId}`;
    const overdueKey = `item:${item.id}:overdue:${KOELN_DEPUTY.aadObjectId}`;

    now = new Date('2026-12-16T09:00:00Z'); // two days before: nothing about the Frist yet
    await runJobs(app);
    expect((await sent(soonKey, 'endet am')).total).toBeUndefined();

    now = new Date('2026-12-17T07:00:00Z'); // Thursday 08:00, the working day before
    await runJobs(app);
    await runJobs(app);
    expect(await sent(soonKey, 'Stellungnahme zum Förderaufruf (Beispiel)“ endet am')).toEqual({
      total: 1,
      text: 'Erinnerung: Die Frist für das Anliegen „Stellungnahme zum Förderaufruf (Beispiel)“ endet am 18.12.2026.',
    });
    expect((await sent(todayKey, 'endet heute')).total).toBeUndefined();

    now = new Date('2026-12-18T07:00:00Z'); // the day itself
    await runJobs(app);
    expect(await sent(todayKey, 'endet heute')).toEqual({ total: 1, text: 'Erinnerung: Die Frist für das Anliegen „Stellungnahme zum Förderaufruf (Beispiel)“ endet heute.' });
    const beforeFrist = await invoke('request.refresh', { id: item.id, authority: 'koeln' }, KOELN_IB);
    expect(json(beforeFrist.value)).toContain('Frist 18.12.2026');
    expect(json(beforeFrist.value)).not.toContain('Überfällig');

    now = new Date('2026-12-19T10:00:00Z'); // Saturday: overdue on every card, the escalation waits for Monday
    await runJobs(app);
    const ibCard = await invoke('request.refresh', { id: item.id, authority: 'koeln' }, KOELN_IB);
    expect(json(ibCard.value)).toContain('"text":"Überfällig: Frist 18.12.2026"');
    const requesterCard = await invoke('request.refresh', { id: item.id, authority: 'koeln' }, STAFF);
    expect(json(requesterCard.value)).toContain('Überfällig: Frist 18.12.2026');
    expect((await sent(overdueKey, 'Überfällig:')).total).toBeUndefined();
    expect((await read('koeln', item.id)).overdue).toBeUndefined();
    // The IB's list says it too.
    expect((await app.post(teams.message('Offene Vorgänge', { from: KOELN_IB }))).status).toBe(200);
    const list = await emulator.waitFor((c) => c.operation === 'reply' && json(c.activity).includes('Stellungnahme zum Förderaufruf (Beispiel)'));
    expect(json(list.activity)).toContain('Neu · Überfällig · Bezirksregierung Köln');

    // Monday 08:00, two processes run the due jobs at once: the deputy is told once, with the reason.
    now = new Date('2026-12-21T07:00:00Z');
    const second = await startTestApp({}, { database, now: () => now });
    try {
      await runJobs(app, second);
      await runJobs(app, second);
    } finally {
      await second.stop();
    }
    await app.delivery.whenIdle();
    expect(await sent(overdueKey, 'Überfällig: Das Anliegen „Stellungnahme')).toEqual({
      total: 1,
      text:
        'Überfällig: Das Anliegen „Stellungnahme zum Förderaufruf (Beispiel)“ ist nicht bis zur Frist am 18.12.2026 erledigt worden. ' +
        'Sie erhalten es als Vertretung der oder des IB: bitte übernehmen Sie es oder stimmen Sie sich mit der oder dem IB ab.',
    });
    expect((await app.delivery.outbox.status(`item:${item.id}:card:${KOELN_DEPUTY.aadObjectId}`))?.delivered).toBe(1);
    const stored = await read('koeln', item.id);
    expect(stored.overdue).toEqual({ at: '2026-12-21T07:00:00.000Z', to: [KOELN_DEPUTY.aadObjectId], reason: 'deputy' });
    expect((stored.trail ?? []).filter((e) => e.action === 'request.overdue')).toHaveLength(1);
    expect(stored.pending ?? []).toEqual([]);
    // The deputy's card shows it overdue; the IB may still act on the card they have (the revision did not move).
    const deputyCard = await invoke('request.refresh', { id: item.id, authority: 'koeln' }, KOELN_DEPUTY);
    expect(json(deputyCard.value)).toContain('Überfällig: Frist 18.12.2026');
    expect((await invoke('request.done', { id: item.id, authority: 'koeln', rev: item.rev }, KOELN_IB)).statusCode).toBe(200);
    const done = await invoke('request.refresh', { id: item.id, authority: 'koeln' }, STAFF);
    expect(json(done.value)).not.toContain('Überfällig');

    // Later runs send nothing more.
    now = new Date('2026-12-28T07:00:00Z');
    await runJobs(app);
    expect((await sent(overdueKey, 'Überfällig:')).total).toBe(1);
  });

  it('reminds an English-speaking handler in English; the deputy, who never acted on the item, is told in German like every first message', async () => {
    now = new Date('2026-12-01T09:00:00Z');
    emulator.reset();
    const item = await submit(STAFF_EN, 'duesseldorf', 'Statement on the call for funding (example)');
    expect((await invoke('request.accept', { id: item.id, authority: 'duesseldorf', rev: item.rev }, DUS_IB_EN)).statusCode).toBe(200);
    await app.delivery.whenIdle();

    now = new Date('2026-12-17T07:00:00Z');
    await runJobs(app);
    expect((await sent(`item:${item.id}:deadline:soon:${DUS_IB_EN.aadObjectId}`, 'the deadline for the request "Statement on the call')).text).toBe(
      'Reminder: the deadline for the request "Statement on the call for funding (example)" ends on 18 Dec 2026.',
    );
    now = new Date('2026-12-19T10:00:00Z');
    const card = await invoke('request.refresh', { id: item.id, authority: 'duesseldorf' }, DUS_IB_EN);
    expect(json(card.value)).toContain('Overdue: due 18 Dec 2026');

    // The deputy has never acted on it: German is their language on this item, as for every first message.
    now = new Date('2026-12-21T07:00:00Z');
    await runJobs(app);
    expect((await sent(`item:${item.id}:overdue:${DUS_DEPUTY.aadObjectId}`, 'Statement on the call for funding (example)“ ist nicht')).total).toBe(1);
    expect((await read('duesseldorf', item.id)).overdue).toMatchObject({ to: [DUS_DEPUTY.aadObjectId], reason: 'deputy' });
  });
});
