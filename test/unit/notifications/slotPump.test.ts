import { silentLogger } from '../../../services/logging';
import type { Delivery } from '../../../services/notifications/deliveryLedger';
import type { DispatchContext } from '../../../services/notifications/dispatcher/context';
import type { DeliveryCalls } from '../../../services/notifications/dispatcher/deliveryCalls';
import { Holdings } from '../../../services/notifications/dispatcher/holdings';
import type { ConversationPace } from '../../../services/notifications/dispatcher/pace';
import { SlotPump } from '../../../services/notifications/dispatcher/slotPump';
import type { Work } from '../../../services/notifications/dispatcher/work';
import type { DispatcherOptions } from '../../../services/notifications/dispatcher';
import type { ConversationRef } from '../../../services/notifications/model';
import type { DeliveryRateLimiter } from '../../../services/notifications/rateLimiter';
import { FakeClock } from '../../support/fakeClock';

const TENANT = '72f988bf-0000-4000-a000-000000000001';

function chat(name: string): ConversationRef {
  return { conversationId: `conv-${name}`, serviceUrl: 'https://smba.example/emea/', tenantId: TENANT, botId: '28:bot', conversationType: 'personal' };
}

/** A delivery to `to` in the ready queue, in the given phase; `order` is its place in the queue's order. */
function work(id: string, to: string, phase: Work['phase'], order: number): Work {
  const ref = chat(to);
  const doc = { id, pk: `n-${id}`, kind: 'delivery', target: { kind: 'conversation', ref }, createdAtMs: order, dueAt: order, status: phase === 'claimed' ? 'leased' : 'sending' } as unknown as Delivery;
  return { doc, tenantId: TENANT, ref, uncertain: false, phase, leasedAt: 0, order };
}

/** One slot pump over a ready queue the test fills, with calls the test answers one by one. */
function pumpWith(options: Partial<DispatcherOptions>) {
  const clock = new FakeClock();
  const holdings = new Holdings();
  const begun: string[] = [];
  const started: string[] = [];
  const answers = new Map<string, () => void>();
  const ctx = {
    options: { leaseMs: 60_000, beginAhead: 10, maxInFlight: 100, maxCallsInFlight: 10, deferAfterMs: 1_000, ...options },
    clock,
    holdings,
    logger: silentLogger,
    ledger: { begin: async (doc: Delivery) => (begun.push(doc.id), { ...doc, status: 'sending' }) },
    waker: { wake: () => undefined },
    idle: { waiting: false, putBack: () => undefined },
    callWait: () => 0,
    emit: () => undefined,
  } as unknown as DispatchContext;
  const limiter = { tryAcquire: () => ({ permit: { release: () => undefined, cancel: () => undefined }, waitMs: 0 }) } as unknown as DeliveryRateLimiter;
  const calls = {
    needsInstall: () => false,
    canInstall: () => false,
    run: (w: Work) => {
      started.push(w.doc.id);
      return new Promise<void>((resolve) => answers.set(w.doc.id, resolve));
    },
  } as unknown as DeliveryCalls;
  const pump = new SlotPump(ctx, limiter, calls, {} as ConversationPace);
  /** Answers the call of `id`, and lets the pump's bookkeeping of it run. */
  const answer = async (id: string) => {
    answers.get(id)!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  /** Puts deliveries in the ready queue, their leases just taken. */
  const queue = (...works: Work[]) => holdings.ready.push(...works.map((w) => ({ ...w, leasedAt: clock.now() })));
  return { pump, queue, begun, started, answer };
}

describe('the slot pump: messages to one chat', () => {
  it('starts one call at a time to a chat, in the queue’s order, while other chats go side by side', async () => {
    const { pump, queue, started, answer } = pumpWith({});
    queue(work('rueckfrage', 'requester', 'begun', 1), work('erledigt', 'requester', 'begun', 2), work('andere', 'other', 'begun', 3));
    pump.pump();
    expect(started).toEqual(['rueckfrage', 'andere']);
    pump.pump();
    expect(started).toEqual(['rueckfrage', 'andere']);
    await answer('andere');
    pump.pump();
    // The other chat's answer frees nothing for the requester's chat.
    expect(started).toEqual(['rueckfrage', 'andere']);
    await answer('rueckfrage');
    pump.pump();
    expect(started).toEqual(['rueckfrage', 'andere', 'erledigt']);
  });

  it('does not let a later message to a chat go while an earlier one is still being marked sending', () => {
    const { pump, queue, started, begun } = pumpWith({});
    queue(work('rueckfrage', 'requester', 'claimed', 1), work('erledigt', 'requester', 'begun', 2));
    pump.pump();
    expect(begun).toEqual(['rueckfrage']);
    expect(started).toEqual([]);
  });

  it('marks the first message to a chat sending past beginAhead when a later one to that chat is marked already (it waits behind it)', () => {
    const { pump, queue, begun } = pumpWith({ beginAhead: 1 });
    queue(work('rueckfrage', 'requester', 'claimed', 1), work('erledigt', 'requester', 'begun', 2), work('einladung', 'other', 'claimed', 3));
    pump.pump();
    // The other chat's first delivery keeps to beginAhead: nothing of its chat waits for it.
    expect(begun).toEqual(['rueckfrage']);
  });
});
