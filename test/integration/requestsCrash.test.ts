import { request } from 'node:http';
import type { DeliveryDoc, OutboxDoc } from '../../services/notifications/model';
import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { startEmbeddedCosmos } from '../../services/storage/embeddedCosmos';
import { activityBuilders, user } from '../support/activities';
import { startBotProcess, type BotProcess } from '../support/botProcess';
import { observeInbound, startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';

const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001' });
const STAFF = user({ name: 'Absturz Probe (Beispiel)' });

/** The product as in production: `node dist/bot/index.js`, its database in another process (here: the test's). */
async function startProduct(env: Record<string, string>): Promise<BotProcess> {
  const bot = await startBotProcess(env);
  return { ...bot, url: `${bot.url}/api/messages` };
}

/** POSTs an activity; a connection the dying process dropped counts as status 0. */
function post(url: string, activity: unknown): Promise<{ status: number; body: any }> {
  observeInbound(activity);
  const payload = JSON.stringify(activity);
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      res.on('error', () => resolve({ status: 0, body: undefined }));
    });
    req.on('error', () => resolve({ status: 0, body: undefined }));
    req.end(payload);
  });
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, intervalMs = 100): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

describe('a bot process that dies between storing a change and enqueueing its notifications (real processes)', () => {
  let db: Awaited<ReturnType<typeof startEmbeddedCosmos>>;
  let database: AppDatabase;
  let emulator: ChannelEmulator;
  let env: Record<string, string>;
  const running: BotProcess[] = [];

  beforeAll(async () => {
    db = await startEmbeddedCosmos();
    emulator = await startChannelEmulator();
    env = { COSMOS_ENDPOINT: db.endpoint, COSMOS_CERT_SHA256: db.certificateSha256, COSMOS_DATABASE: 'requests-crash', SEED_DEMO_DIRECTORY: 'true' };
    database = await openDatabase({ databaseId: 'requests-crash', endpoint: db.endpoint, certificateSha256: db.certificateSha256 });
  });
  afterAll(async () => {
    for (const p of running) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
    await database.close();
    await emulator.close();
    await db.close();
  });

  it('delivers the requester\'s notice exactly once after a restart, although the process died right after the item write', async () => {
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    const dying = await startProduct({ ...env, LOTSE_TEST_MODE: 'true', TEST_EXIT_AFTER_ITEM_WRITE: 'request.accept' });
    running.push(dying);
    for (const person of [STAFF, KOELN_IB]) expect((await post(dying.url, teams.installationUpdate('add', { from: person }))).status).toBe(200);
    const submitted = await post(dying.url, teams.cardAction('request.submit', { authority: 'koeln', category: 'beratung', subject: 'Absturz (Beispiel)', description: 'D' }, { from: STAFF }));
    expect(submitted.status).toBe(200);
    const ref = { id: submitted.body.value.refresh.action.data.id as string, authority: 'koeln' };

    const accepted = await post(dying.url, teams.cardAction('request.act', { ...ref, rev: 1, action: 'accept' }, { from: KOELN_IB }));
    expect(accepted.status).toBe(0);
    expect(await dying.exited).toBe(86);

    // The change is stored and says what it owes; its notification was never enqueued.
    const items = database.store<ItemDoc>(CONTAINERS.items);
    const stored = (await items.read('koeln', ref.id))!;
    expect(stored).toMatchObject({ rev: 2, status: 'in_bearbeitung', owes: { rev: 2 } });
    const outbox = database.store<OutboxDoc>(CONTAINERS.outbox);
    const owedKey = `item:${ref.id}:r2:requester`;
    const deliveriesOf = () =>
      outbox.query<DeliveryDoc>({ query: 'SELECT * FROM c WHERE c.kind = "delivery" AND c.notificationKey = @key', parameters: [{ name: '@key', value: owedKey }] });
    expect(await deliveriesOf()).toEqual([]);

    const restarted = await startProduct(env);
    running.push(restarted);
    const notices = () => emulator.calls.filter((c) => c.operation === 'send' && (c.activity?.text ?? '').includes('„Absturz (Beispiel)“: In Bearbeitung'));
    await eventually(() => notices().length > 0);
    // The channel has the message; the outbox records it as sent right after.
    await eventually(async () => (await deliveriesOf()).every((d) => d.status === 'sent'));
    expect((await deliveriesOf()).map((d) => d.status)).toEqual(['sent']);
    // The marker is gone: a later sweep (or a further restart) finds nothing left to do.
    await eventually(async () => (await items.read('koeln', ref.id))?.owes === undefined);

    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
    const again = await startProduct(env);
    running.push(again);
    expect((await post(again.url, teams.cardAction('request.refresh', ref, { from: KOELN_IB, trigger: 'automatic' }))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(notices()).toHaveLength(1);
  }, 90_000);
});
