import type { ItemDoc } from '../../services/requests/model';
import type { JobDoc } from '../../services/scheduling/scheduler';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, DEFAULT_BOT_APP_ID, personalConversationId, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { KOELN_IB, KOELN_IB_EN, KOELN_HEAD, KOELN_OFFICE, STAFF } from '../support/demoPeople';
import { startTestApp, type TestApp } from '../support/testApp';

/**
 * A Vortrag whose head has not installed the app (RdErl. Nr. 4: the direct right to report must not end in a chat
 * nobody reads): the IB is told where the report went instead, also when the process that sent the head's card died
 * before it recorded the outcome. The outcome is recorded by the delivery report's listener about a second after the
 * card settles, in that process; the Vortrag's check job (`requests.headReach`, in its first write) records it
 * otherwise, in the next process, 15 s after the registration.
 */

jest.setTimeout(60_000);

type InvokeBody = { statusCode: number; type: string; value: any };

const START = new Date('2026-12-01T09:00:00Z');

describe.each([
  ['de', KOELN_IB, 'Die Behördenleitung ist in Teams nicht erreichbar (App nicht installiert). Ihr Vortrag „Mehrsprachige Bescheide (Beispiel)“: Der Vortrag ging an das Büro: Büro der Regierungspräsidentin (Beispiel).'],
  ['en', KOELN_IB_EN, 'The head of the authority cannot be reached in Teams (app not installed). Your report "Mehrsprachige Bescheide (Beispiel)": The report went to the office: Büro der Regierungspräsidentin (Beispiel).'],
] as const)('a head not reached in Teams, the process that sent the card gone before it noted that (%s)', (lang, ib: TeamsUser, told) => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let first: TestApp;
  let next: TestApp | undefined;
  let clock = START.getTime();
  const now = () => new Date(clock);

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: `head-reach-${lang}` });
    first = await startTestApp({}, { database, now });
  });

  afterAll(async () => {
    await next?.stop();
    await database.close();
    await emulator.close();
  });

  it('tells the IB once and records it in the trail, in the next process', async () => {
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    // The head never installed the app; IB, office and staff did.
    for (const p of [STAFF, ib, KOELN_OFFICE]) expect((await first.post(teams.installationUpdate('add', { from: p }))).status).toBe(200);
    const res = await first.post(teams.cardAction('report.submit', { subject: 'Mehrsprachige Bescheide (Beispiel)', summary: 'Vorschlag (Beispiel).', urgency: 'normal' }, { from: ib }));
    const body = res.body as InvokeBody;
    expect(body.statusCode).toBe(200);
    const id = String(body.value.refresh.action.data.id);
    await first.delivery.whenIdle();
    await first.stop();

    // Whether the listener's call came before the stop or not: the process is gone and what it recorded is taken back,
    // as if it had died in that second (the IB's message, if it went, stays sent under its key).
    const items = database.store<ItemDoc>(CONTAINERS.items);
    const stored = (await items.read('koeln', id))!;
    const { headReach: _recorded, pending: _pending, ...rest } = stored;
    await items.replace({ ...rest, trail: (stored.trail ?? []).filter((e) => e.action !== 'report.headUnreachable') }, stored.etag);
    expect((await items.read('koeln', id))!.headReach).toBeUndefined();

    // The check job rode in the Vortrag's first write.
    const jobs = await database.store<JobDoc>(CONTAINERS.jobs).query<JobDoc>({ query: 'SELECT * FROM c WHERE c.kind = "requests.headReach"' });
    expect(jobs.map((j) => [j.key, j.payload, j.dueAt])).toEqual([[`item:${id}:head-reach`, { id, authority: 'koeln' }, START.getTime() + 15_000]]);

    // The next process, 15 s after the registration: its jobs run, and what they owe goes out.
    clock += 15_000;
    next = await startTestApp({}, { database, now });
    await next.jobs.runDue();
    await next.delivery.whenIdle();

    const after = (await items.read('koeln', id))!;
    expect(after.headReach).toEqual({ reach: 'unreachable', reason: 'notInstalled', fallback: 'office', at: new Date(clock).toISOString() });
    expect(after.trail!.filter((e) => e.action === 'report.headUnreachable')).toHaveLength(1);
    expect(after.rev).toBe(stored.rev);
    const texts = emulator.activitiesTo(personalConversationId(ib.id, DEFAULT_BOT_APP_ID)).map((a) => String(a.text ?? ''));
    expect(texts.filter((t) => t === told)).toHaveLength(1);
    // The office got the report's card; the head's chat has nothing (there is none).
    expect(emulator.activitiesTo(personalConversationId(KOELN_OFFICE.id, DEFAULT_BOT_APP_ID)).length).toBeGreaterThan(0);
    expect(emulator.activitiesTo(personalConversationId(KOELN_HEAD.id, DEFAULT_BOT_APP_ID))).toEqual([]);

    // The job is done: it does not run again, and a second run of everything due changes nothing.
    const done = await database.store<JobDoc>(CONTAINERS.jobs).query<JobDoc>({ query: 'SELECT * FROM c WHERE c.kind = "requests.headReach"' });
    expect(done.map((j) => [j.status, j.open])).toEqual([['done', false]]);
    clock += 60 * 60_000;
    await next.jobs.runDue();
    await next.delivery.whenIdle();
    expect((await items.read('koeln', id))!.etag).toBe(after.etag);
  });
});
