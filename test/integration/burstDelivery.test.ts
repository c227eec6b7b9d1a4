import { createAdapter } from '../../bot/adapter';
import { loadConfig } from '../../bot/config';
import { startDelivery, type Delivery } from '../../bot/delivery/startDelivery';
import { silentLogger } from '../../services/logging';
import type { ConversationRef } from '../../services/notifications/model';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { PendingCarrier, PendingNotice } from '../../services/workflow/pending';
import { createWithNotices, transact, type WorkflowWriter } from '../../services/workflow/transaction';
import { DEFAULT_TENANT_ID } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { eventually } from '../support/circle';
import { MemoryDocumentStore } from '../support/memoryDocumentStore';

const BOT_ID = '28:integrations-lotse-test';

interface Doc extends PendingCarrier {
  rev: number;
  status: string;
}

/**
 * A burst of turns (issue 14): the notifications its changes cause wait in their documents while it lasts (the hold),
 * and all of them reach Teams once it is over, through the relay, the outbox and the dispatcher as composed in
 * bot/app.ts, against the channel emulator.
 */
describe('notifications caused during a burst of turns', () => {
  let database: AppDatabase;
  let emulator: ChannelEmulator;
  let delivery: Delivery;
  let busy = false;
  const items = new MemoryDocumentStore<Doc>('items');
  let chat: ConversationRef;

  beforeAll(async () => {
    database = await openDatabase({ databaseId: 'burst-delivery' });
    emulator = await startChannelEmulator();
    emulator.disableRateLimits();
    emulator.observe({ type: 'message', from: { id: '29:burst' }, conversation: { id: 'a:1burst', conversationType: 'personal' } });
    chat = { conversationId: 'a:1burst', serviceUrl: emulator.serviceUrl, tenantId: DEFAULT_TENANT_ID, botId: BOT_ID, conversationType: 'personal' };
    delivery = startDelivery({
      database,
      adapter: createAdapter(loadConfig({}), silentLogger),
      logger: silentLogger,
      busy: () => busy,
      // The hold as deployed (20 s, a third of the lease); the test ends the burst long before it runs out.
      options: { pollIntervalMs: 50, leaseMs: 60_000, callTimeoutMs: 3_000, busyCallSpacingMs: 1_000, busyHoldMs: 20_000 },
    });
    delivery.relay.register<Doc>({
      name: 'burst',
      store: items,
      deliver: async (doc, notices) => {
        for (const n of notices) await delivery.outbox.enqueue({ key: n.key, activity: { text: `Status ${String(n.data?.status)}` }, recipients: [{ conversation: chat }] });
      },
    });
  });

  afterAll(async () => {
    await delivery.stop();
    await emulator.close();
    await database.close();
  });

  it('wait in their document while the burst lasts, and all reach the chat once it is over', async () => {
    const writer: WorkflowWriter = { relay: delivery.relay, source: 'burst', now: () => Date.now() };
    const notice = (rev: number, status: string): PendingNotice => ({ key: `burst:d:r${rev}`, kind: 'message', data: { status }, rev });
    busy = true;
    await createWithNotices(items, { id: 'd', pk: 'p', rev: 1, status: 'neu' }, [notice(1, 'neu')], writer);
    for (const status of ['in_bearbeitung', 'rueckfrage', 'erledigt']) {
      await transact(items, 'p', 'd', (current) => ({ next: { ...current, rev: current.rev + 1, status }, notices: [notice(current.rev + 1, status)] }), writer);
    }
    // The relay asked for room and was held back: the four notices are still in the document, none reached Teams.
    await eventually(() => delivery.relay.stats.heldBack > 0);
    expect((await items.read('p', 'd'))?.pending?.map((n) => n.key)).toEqual(['burst:d:r1', 'burst:d:r2', 'burst:d:r3', 'burst:d:r4']);
    expect(emulator.calls.filter((c) => c.conversationId === chat.conversationId)).toEqual([]);
    // The burst is over: the dispatcher says so, the relay hands the document over, and every message goes out.
    busy = false;
    await eventually(() => emulator.calls.filter((c) => c.conversationId === chat.conversationId && c.status === 201).length === 4);
    // Each once (calls to one chat run side by side, so Teams may take them in any order).
    expect(emulator.calls.filter((c) => c.conversationId === chat.conversationId).map((c) => c.activity?.text).sort()).toEqual([
      'Status erledigt',
      'Status in_bearbeitung',
      'Status neu',
      'Status rueckfrage',
    ]);
    await delivery.whenIdle();
    expect((await items.read('p', 'd'))?.pending).toEqual([]);
  });
});
