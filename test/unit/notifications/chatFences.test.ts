import { ChatFences } from '../../../services/notifications/dispatcher/fences';
import type { DeliveryTarget } from '../../../services/notifications/model';

const requester: DeliveryTarget = { kind: 'user', aadObjectId: '00000000-0000-4000-8000-000600000001', tenantId: 't' };
const channel: DeliveryTarget = {
  kind: 'conversation',
  ref: { conversationId: '19:kreis@thread.tacv2', serviceUrl: 'https://smba.example/emea/', tenantId: 't', botId: '28:bot', conversationType: 'channel' },
};

describe('chat fences: what a dead process held keeps its place in its chat', () => {
  const fences = new ChatFences();
  fences.load([
    { target: requester, dueAt: 1_000, createdAtMs: 100 },
    { target: requester, dueAt: 1_500, createdAtMs: 200 },
    { target: channel, dueAt: 800, createdAtMs: 100 },
  ]);

  it('holds a later message to the chat until the last lease of an earlier one runs out', () => {
    expect(fences.waitUntil({ target: requester, createdAtMs: 300 }, 500)).toBe(1_500);
    // Between the two held ones: only the older one is before it.
    expect(fences.waitUntil({ target: requester, createdAtMs: 150 }, 500)).toBe(1_000);
  });

  it('does not hold a message enqueued before everything held, nor one to another chat', () => {
    expect(fences.waitUntil({ target: requester, createdAtMs: 50 }, 500)).toBeUndefined();
    expect(fences.waitUntil({ target: { ...requester, aadObjectId: '00000000-0000-4000-8000-000600000002' }, createdAtMs: 300 }, 500)).toBeUndefined();
  });

  it('forgets a lease once it has run out', () => {
    expect(fences.waitUntil({ target: channel, createdAtMs: 300 }, 700)).toBe(800);
    expect(fences.waitUntil({ target: channel, createdAtMs: 300 }, 800)).toBeUndefined();
    expect(fences.waitUntil({ target: requester, createdAtMs: 300 }, 1_200)).toBe(1_500);
    expect(fences.size).toBe(1);
  });
});
