import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DeliveryDoc, OutboxDoc } from '../../services/notifications/model';
import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { DocumentStore } from '../../services/storage/documentStore';
import { startEmbeddedCosmos } from '../../services/storage/embeddedCosmos';
import { activityBuilders, personalConversationId, user, type TeamsUser } from '../support/activities';
import { startBotProcess, type BotProcess } from '../support/botProcess';
import { observeInbound, startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { startCosmosGate, type CosmosGate } from '../support/cosmosGate';

/**
 * Issue 14, the window between Teams accepting a message and the outbox recording it, closed by the send journal
 * (services/notifications/sendJournal.ts). The real bot process (`node dist/bot/index.js`) is killed with SIGKILL after
 * the channel emulator has stored its message and answered, while the outbox write that records it is held back by
 * the database gate (test/support/cosmosGate.ts); then a new process starts on the same database. Nothing in the
 * product knows about the test: the emulator answers slowly so that the gate can be shut in time, and the gate shows
 * from outside when the process got as far as recording the send.
 */

/** POSTs an activity as Teams would deliver it. */
function post(url: string, activity: unknown): Promise<{ status: number; body: any }> {
  observeInbound(activity);
  const payload = JSON.stringify(activity);
  return new Promise((resolve) => {
    const req = request(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      res.on('error', () => resolve({ status: 0, body: undefined }));
    });
    req.on('error', () => resolve({ status: 0, body: undefined }));
    req.end(payload);
  });
}

/** Polls `check` (a database query each time, so not too often). */
async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 30_000, intervalMs = 150): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const REQUESTER = user({ name: 'Journalprobe (Beispiel)' });

describe('a send Teams accepted just before the process was killed (real processes, one database)', () => {
  let db: Awaited<ReturnType<typeof startEmbeddedCosmos>>;
  let gate: CosmosGate;
  let database: AppDatabase;
  let items: DocumentStore<ItemDoc>;
  let outbox: DocumentStore<OutboxDoc>;
  let emulator: ChannelEmulator;
  const folders: string[] = [];
  const running: BotProcess[] = [];
  let scenario = 0;

  beforeAll(async () => {
    db = await startEmbeddedCosmos();
    gate = await startCosmosGate(db);
    emulator = await startChannelEmulator();
  });
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(running.map((p) => p.exited));
    await database?.close();
    await emulator?.close();
    await gate?.close();
    await db?.close();
    for (const f of folders) rmSync(f, { recursive: true, force: true });
  });

  const journalFolder = (): string => {
    const folder = mkdtempSync(path.join(tmpdir(), 'lotse-journal-it-'));
    folders.push(folder);
    return folder;
  };

  /**
   * Submits an Anliegen, kills the process once Teams has taken the IB's card and the process is recording it, and
   * starts the next process with `nextJournal`. Returns the IB's posts of that card and the delivery as recorded.
   */
  async function killAfterAcceptedSend(journal: string, nextJournal: string): Promise<{ posts: ConnectorCall[]; delivery: DeliveryDoc; next: BotProcess }> {
    scenario += 1;
    const databaseId = `send-journal-${scenario}`;
    await database?.close();
    database = await openDatabase({ databaseId, endpoint: db.endpoint, certificateSha256: db.certificateSha256 });
    items = database.store<ItemDoc>(CONTAINERS.items);
    outbox = database.store<OutboxDoc>(CONTAINERS.outbox);
    const env = { COSMOS_ENDPOINT: gate.endpoint, COSMOS_CERT_SHA256: db.certificateSha256, COSMOS_DATABASE: databaseId, SEED_DEMO_DIRECTORY: 'true', OUTBOX_LEASE_MS: '3000' };
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });

    const first = await startBotProcess({ ...env, OUTBOX_JOURNAL_DIR: journal });
    running.push(first);
    expect((await post(first.url, teams.installationUpdate('add', { from: REQUESTER }))).status).toBe(200);
    const ib = user({ name: 'Erika Mustermann (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000100000001' });
    expect((await post(first.url, teams.installationUpdate('add', { from: ib }))).status).toBe(200);
    const ibChat = personalConversationId(ib.id);

    // Teams stores the message at once and answers after 600 ms; the gate is shut for outbox writes in between.
    emulator.setLatency((call) => (call.operation === 'send' && call.conversationId === ibChat ? 600 : 0));
    const subject = `Journalprobe ${scenario} (Beispiel)`;
    const submitted = post(first.url, teams.cardAction('request.submit', { authority: 'arnsberg', category: 'beratung', subject, description: 'Beschreibung (Beispiel)' }, { from: REQUESTER }));
    const accepted = await emulator.waitFor((c) => c.operation === 'send' && c.conversationId === ibChat && c.status < 300 && JSON.stringify(c.activity ?? null).includes(subject), 30_000);
    gate.hold((r) => r.container === CONTAINERS.outbox && r.write);
    // The process got the answer and writes `sent`: by then it has noted the send in its journal, if it keeps one.
    await gate.waitFor((r) => r.held && r.container === CONTAINERS.outbox, 1, 10_000);
    first.child.kill('SIGKILL');
    await first.exited;
    gate.dropHeld();
    // The click's own answer may have died with the process; the Anliegen is stored either way (its card went out).
    await submitted;
    emulator.setLatency(0);

    const [item] = await items.query<ItemDoc>({ query: 'SELECT * FROM c WHERE c.type = "item" AND c.subject = @s', parameters: [{ name: '@s', value: subject }] });
    expect(item.cardsTo.map((id) => id.toLowerCase())).toEqual([ib.aadObjectId.toLowerCase()]);
    const key = `item:${item.id}:card:${item.cardsTo[0]}`;
    const deliveryOf = async () => (await outbox.query<DeliveryDoc>({ query: 'SELECT * FROM c WHERE c.kind = "delivery" AND c.notificationKey = @k', parameters: [{ name: '@k', value: key }] }))[0];
    // Killed before the outbox recorded it: Teams has the card, the outbox says `sending`.
    expect(await deliveryOf()).toMatchObject({ status: 'sending' });

    const next = await startBotProcess({ ...env, OUTBOX_JOURNAL_DIR: nextJournal });
    running.push(next);
    await eventually(async () => (await deliveryOf())?.status === 'sent');
    // A graceful stop finishes whatever calls it had under way before the posts are counted.
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    const posts = emulator.calls.filter((c) => c.operation === 'send' && c.conversationId === ibChat && c.status < 300 && JSON.stringify(c.activity ?? null).includes(item.id));
    expect(posts[0]).toBe(accepted);
    return { posts, delivery: await deliveryOf(), next };
  }

  it('records the card as sent with the message id Teams gave it, from the journal of the same machine, without sending it again', async () => {
    const journal = journalFolder();
    const { posts, delivery, next } = await killAfterAcceptedSend(journal, journal);
    expect(posts).toHaveLength(1);
    expect(delivery).toMatchObject({ status: 'sent', activityId: posts[0].createdActivityId, uncertainResends: 0 });
    expect(next.lines.find((l) => l.event === 'outbox.journal_opened')).toMatchObject({ openEntries: 1 });
    expect(next.lines.filter((l) => l.event === 'delivery.recovered_from_journal')).toHaveLength(1);
    expect(next.lines.filter((l) => l.event === 'delivery.uncertain_resend')).toHaveLength(0);
  }, 90_000);

  it('sends it again, counted as an uncertain resend, when the next process runs on another machine (its own journal)', async () => {
    const { posts, delivery, next } = await killAfterAcceptedSend(journalFolder(), journalFolder());
    expect(posts).toHaveLength(2);
    expect(delivery).toMatchObject({ status: 'sent', activityId: posts[1].createdActivityId, uncertainResends: 1 });
    expect(next.lines.filter((l) => l.event === 'delivery.recovered_from_journal')).toHaveLength(0);
  }, 90_000);
});
