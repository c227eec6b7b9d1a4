import { productActionFailure } from '../../bench/actions';
import { stockActionFailure } from '../../bench/stockActions';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001' });
const STAFF = user({ name: 'Bench Staff (Beispiel)' });
const OTHER_STAFF = user({ name: 'Otto Kollege (Beispiel)' });
/** The app's clock (reminders, deadlines): Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');

/** The `actions` benchmark's verdict on the product's real answers: only a step that did what it was sent for is done. */
describe('the actions benchmark counts what a user would see as done', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'bench-actions-test' });
    app = await startTestApp({}, { database, now: () => NOW });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [STAFF, OTHER_STAFF, KOELN_IB]) expect((await app.post(teams.installationUpdate('add', { from: p }))).status).toBe(200);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
    await emulator?.close();
  });

  async function submit(): Promise<{ id: string; authority: string }> {
    const form = { authority: 'koeln', category: 'beratung', subject: 'Benchmark (Beispiel)', description: 'Lastprobe ohne personenbezogene Daten.' };
    const res = await app.post(teams.cardAction('request.submit', form, { from: STAFF }));
    expect(productActionFailure(res.status, res.body as never, 'neu')).toBeUndefined();
    return { id: (res.body as { value: { refresh: { action: { data: { id: string } } } } }).value.refresh.action.data.id, authority: 'koeln' };
  }

  it('counts an action that moved the request on, and the same click again ("Nichts geändert") as a failure', async () => {
    const ref = await submit();
    const accept = teams.cardAction('request.accept', { ...ref, rev: 1 }, { from: KOELN_IB });
    const first = await app.post(accept);
    expect(productActionFailure(first.status, first.body as never, 'in_bearbeitung')).toBeUndefined();
    // A card showing another status than the step's is not that step done.
    expect(productActionFailure(first.status, first.body as never, 'erledigt')).toBe('wrong status');

    const again = await app.post(teams.cardAction('request.accept', { ...ref, rev: 1 }, { from: KOELN_IB }));
    expect(again.status).toBe(200);
    expect(JSON.stringify(again.body)).toContain('Nichts geändert');
    expect(productActionFailure(again.status, again.body as never, 'in_bearbeitung')).toBe('nothing changed');
  });

  it('counts a refusal as a failure', async () => {
    const ref = await submit();
    const res = await app.post(teams.cardAction('request.accept', { ...ref, rev: 1 }, { from: OTHER_STAFF }));
    expect(productActionFailure(res.status, res.body as never, 'in_bearbeitung')).toBe(`refused ${(res.body as { statusCode: number }).statusCode}`);
    expect([403, 404]).toContain((res.body as { statusCode: number }).statusCode);
  });

  it('judges the stock bot by the same rule: its card must show a higher action count than the user saw last', () => {
    const card = (n: number) => ({ statusCode: 200, value: { body: [{ type: 'TextBlock', text: 'accept' }, { type: 'TextBlock', text: `Answered ${n} times` }] } });
    expect(stockActionFailure(200, card(4), 3)).toEqual({ count: 4 });
    expect(stockActionFailure(200, card(3), 3)).toEqual({ failure: 'nothing changed', count: 3 });
    expect(stockActionFailure(500, { statusCode: 500 }, 3)).toEqual({ failure: 'refused 500' });
    expect(stockActionFailure(502, undefined, 3)).toEqual({ failure: 'HTTP 502' });
  });
});
