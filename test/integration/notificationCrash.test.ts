import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { DeliveryDoc, ConversationRef, OutboxDoc } from '../../services/notifications/model';
import { Outbox } from '../../services/notifications/outbox';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { DocumentStore } from '../../services/storage/documentStore';
import { startEmbeddedCosmos } from '../../services/storage/embeddedCosmos';
import { DEFAULT_TENANT_ID, installationUpdate, user } from '../support/activities';
import { observeInbound, startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';

const ROOT = path.resolve(__dirname, '..', '..');
// Built by jest's globalSetup (tsc -p tsconfig.build.json) before the suites run.
const WORKER = path.join(ROOT, 'dist', 'scripts', 'outboxWorker.js');

interface Worker {
  child: ChildProcess;
  events: Array<{ event: string; conversationId?: string }>;
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `scripts/outboxWorker.ts` (compiled) as a real process on the database of this test. */
function startWorker(settings: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(settings)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Worker['events'] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const event = JSON.parse(line) as Worker['events'][number];
      events.push(event);
      if (event.event === 'ready') resolve();
    });
    void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`)));
  });
  return { child, events, ready, exited };
}

async function kill(worker: Worker): Promise<void> {
  worker.child.kill('SIGKILL');
  await worker.exited;
}

/** Polls `check`; database checks poll slowly, since every query also loads the database the workers use. */
async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, intervalMs = 25): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

describe('delivery across crashed and concurrent bot processes (real processes, one database)', () => {
  let db: Awaited<ReturnType<typeof startEmbeddedCosmos>>;
  let database: AppDatabase | undefined;
  let store: DocumentStore<OutboxDoc>;
  let outbox: Outbox;
  let emulator: ChannelEmulator;
  const workers: Worker[] = [];
  let scenario = 0;

  function worker(extra: Record<string, unknown> = {}): Worker {
    const started = startWorker({
      endpoint: db.endpoint,
      certificateSha256: db.certificateSha256,
      databaseId: `outbox-crash-${scenario}`,
      options: { leaseMs: 3_000, pollIntervalMs: 100, callTimeoutMs: 1_400, backoff: { baseDelayMs: 100, maxDelayMs: 400 } },
      ...extra,
    });
    workers.push(started);
    return started;
  }

  /** Personal chats of users who installed the app (Teams tells the emulator, as it would tell the bot). */
  function chats(count: number, label: string): ConversationRef[] {
    return Array.from({ length: count }, (_, i) => {
      const conversationId = `a:1${label}-${scenario}-${i}`;
      observeInbound(installationUpdate('add', { serviceUrl: emulator.serviceUrl, conversationId, from: user({ name: `Empfänger ${label} ${scenario}-${i} (Beispiel)` }) }));
      return { conversationId, serviceUrl: emulator.serviceUrl, tenantId: DEFAULT_TENANT_ID, botId: '28:integrations-lotse-test', conversationType: 'personal' as const };
    });
  }

  /** One fan-out to most recipients plus single notifications to the rest, as a circle invitation and requests would. */
  async function enqueueFanOut(recipients: ConversationRef[]): Promise<void> {
    const fanOut = recipients.slice(0, Math.floor(recipients.length * 0.8));
    await outbox.enqueue({ key: `s${scenario}:circle:invite`, activity: { text: 'Einladung zum Koordinierungskreis' }, recipients: fanOut.map((conversation) => ({ conversation })) });
    for (const conversation of recipients.slice(fanOut.length)) {
      await outbox.enqueue({ key: `s${scenario}:request:${conversation.conversationId}`, activity: { text: `Anliegen für ${conversation.conversationId}` }, recipients: [{ conversation }] });
    }
  }

  async function deliveries(): Promise<DeliveryDoc[]> {
    return store.query<DeliveryDoc>({ query: 'SELECT * FROM c WHERE c.kind = "delivery" AND STARTSWITH(c.notificationKey, @prefix)', parameters: [{ name: '@prefix', value: `s${scenario}:` }] });
  }

  function acceptedPer(recipients: ConversationRef[]): number[] {
    return recipients.map((c) => emulator.activitiesTo(c.conversationId).length);
  }

  beforeAll(async () => {
    // The database runs in this process, which is never killed: its data survives the workers.
    db = await startEmbeddedCosmos();
    emulator = await startChannelEmulator();
  });

  afterAll(async () => {
    await emulator.close();
    await database?.close();
    await db.close();
  });

  beforeEach(async () => {
    scenario += 1;
    emulator.reset();
    emulator.setLatency(0);
    // A database per scenario, so that work a failed scenario left behind cannot show up in the next one.
    await database?.close();
    database = await openDatabase({ endpoint: db.endpoint, certificateSha256: db.certificateSha256, databaseId: `outbox-crash-${scenario}` });
    store = database.store<OutboxDoc>(CONTAINERS.outbox);
    outbox = new Outbox(store);
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => (w.child.exitCode === null && w.child.signalCode === null ? kill(w) : undefined)));
  });

  it('loses nothing and sends nothing twice when a worker is killed with SIGKILL in the middle of a fan-out', async () => {
    const recipients = chats(150, 'crash');
    await enqueueFanOut(recipients);
    const first = worker({ limits: { perTenant: [{ max: 40, windowMs: 1_000 }] } });
    await first.ready;
    await eventually(() => emulator.counters().accepted >= 40);

    // Freeze the channel: from now on every call hangs and then fails, so nothing new is accepted while we kill.
    emulator.failNext(Infinity, { status: 503 });
    emulator.setLatency((call) => (call.failure === 'injected' ? 3_000 : 0));
    // Kill only once every message the channel accepted is recorded as sent: the crash hits claims, leases and calls
    // in flight, but not the one gap no protocol closes (accepted by Teams, not yet recorded).
    await eventually(async () => (await deliveries()).filter((d) => d.status === 'sent').length === emulator.counters().accepted, 20_000, 100);
    await kill(first);
    const atKill = await deliveries();

    const accepted = emulator.counters().accepted;
    expect(accepted).toBeLessThan(150);
    // Killed mid fan-out: the dead process held claims (leased or sending) that nobody may take before they expire.
    expect(atKill.some((d) => d.leaseOwner !== undefined)).toBe(true);
    expect(atKill.some((d) => d.status === 'pending' || d.status === 'leased')).toBe(true);

    emulator.clearFaults();
    emulator.setLatency(0);
    // The survivor with the deployed lease and call timeout (60 s, 15 s). With the crash scenario's 1.4 s, one slow
    // answer of the stand-in on a loaded machine becomes an uncertain resend: a duplicate the kill did not cause. (One
    // fresh-clone CI run saw a recipient without exactly one message here; not reproduced since, alone or beside three
    // CPU hogs, so this is the likely cause, not a proven one.)
    const second = worker({
      limits: { perTenant: [{ max: 100, windowMs: 1_000 }] },
      options: { leaseMs: 60_000, pollIntervalMs: 100, callTimeoutMs: 15_000, backoff: { baseDelayMs: 100, maxDelayMs: 400 } },
    });
    await second.ready;
    await eventually(() => emulator.counters().accepted >= 150, 30_000);
    await eventually(async () => (await deliveries()).every((d) => d.status === 'sent'), 10_000, 100);

    // Duplicates first: their list says which recipient and when, where the count below would only say false.
    expect(emulator.duplicateDeliveries()).toEqual([]);
    expect(acceptedPer(recipients).every((n) => n === 1)).toBe(true);
    const after = await deliveries();
    expect(after).toHaveLength(150);
    // The calls hanging at the kill are resent and flagged as possibly repeated; the channel shows them once.
    expect(after.filter((d) => d.uncertainResends > 0).length).toBe(atKill.filter((d) => d.status === 'sending' || d.lastError?.ambiguous).length);
  }, 90_000);

  it('delivers every notification exactly once while two worker processes share the outbox', async () => {
    const recipients = chats(200, 'pair');
    await enqueueFanOut(recipients);
    // Nothing is killed here: leases and call timeouts as long as deployed, so that a loaded test machine (the channel
    // stand-in and the database answer from this process) cannot turn a slow answer into a resend.
    const shared = { limits: { perTenant: [{ max: 100, windowMs: 1_000 }] }, options: { leaseMs: 60_000, pollIntervalMs: 100, callTimeoutMs: 15_000 } };
    const a = worker({ workerId: 'worker-a', ...shared });
    const b = worker({ workerId: 'worker-b', ...shared });
    await Promise.all([a.ready, b.ready]);
    await eventually(() => emulator.counters().accepted >= 200, 30_000);
    await eventually(async () => (await deliveries()).every((d) => d.status === 'sent'), 10_000, 100);

    expect(acceptedPer(recipients).every((n) => n === 1)).toBe(true);
    expect(emulator.duplicateDeliveries()).toEqual([]);
    const sentBy = (w: Worker) => w.events.filter((e) => e.event === 'sent').length;
    expect(sentBy(a) + sentBy(b)).toBe(200);
    expect(sentBy(a)).toBeGreaterThan(0);
    expect(sentBy(b)).toBeGreaterThan(0);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
  }, 90_000);

  it('sends a message again, flagged as possibly repeated, when the worker died after Teams accepted it but before recording it', async () => {
    const [only] = chats(1, 'window');
    // Teams takes the message at once but its answer is slow: the worker dies while waiting for it.
    emulator.setLatency((call) => (call.operation === 'send' && call.status === 201 ? 1_000 : 0));
    await outbox.enqueue({ key: `s${scenario}:request:window`, activity: { text: 'Ein Anliegen' }, recipients: [{ conversation: only }] });
    const first = worker();
    await first.ready;
    await eventually(() => emulator.counters().accepted === 1);
    await kill(first);

    emulator.setLatency(0);
    const second = worker();
    await second.ready;
    await eventually(async () => (await deliveries()).every((d) => d.status === 'sent'), 20_000, 100);
    expect(emulator.activitiesTo(only.conversationId)).toHaveLength(2);
    expect((await deliveries())[0]).toMatchObject({ status: 'sent', uncertainResends: 1 });
  }, 60_000);
});
