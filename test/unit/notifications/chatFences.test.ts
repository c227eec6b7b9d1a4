import { ChatFences } from '../../../services/notifications/dispatcher/fences';
import type { DeliveryTarget } from '../../../services/notifications/model';

const requester: DeliveryTarget = { kind: 'user', aadObjectId: '00000000-0000-4000-8000-000600000001', tenantId: 't' };
const other: DeliveryTarget = { kind: 'user', aadObjectId: '00000000-0000-4000-8000-000600000002', tenantId: 't' };
const channel: DeliveryTarget = {
  kind: 'conversation',
  ref: { conversationId: '19:kreis@thread.tacv2', serviceUrl: 'https://smba.example/emea/', tenantId: 't', botId: '28:bot', conversationType: 'channel' },
};

describe('chat fences: what was open at start keeps its place in its chat', () => {
  const open = () => {
    const fences = new ChatFences();
    fences.load([
      { pk: 'n1', id: 'd1', target: requester, dueAt: 1_000, createdAtMs: 100 },
      { pk: 'n2', id: 'd2', target: requester, dueAt: 500, createdAtMs: 200 },
      { pk: 'n3', id: 'd3', target: channel, dueAt: 800, createdAtMs: 100 },
    ]);
    return fences;
  };

  it('names the deliveries to the same chat enqueued before a later one', () => {
    expect(open().before({ pk: 'n9', id: 'd9', target: requester, createdAtMs: 300 }).map((f) => f.id)).toEqual(['d1', 'd2']);
    expect(open().before({ pk: 'n9', id: 'd9', target: requester, createdAtMs: 150 }).map((f) => f.id)).toEqual(['d1']);
  });

  it('names none for one enqueued before them, for one of them, or for another chat', () => {
    expect(open().before({ pk: 'n9', id: 'd9', target: requester, createdAtMs: 50 })).toEqual([]);
    expect(open().before({ pk: 'n2', id: 'd2', target: requester, createdAtMs: 200 }).map((f) => f.id)).toEqual(['d1']);
    expect(open().before({ pk: 'n9', id: 'd9', target: other, createdAtMs: 300 })).toEqual([]);
  });

  it('forgets a fence once dropped, and a chat once it has none', () => {
    const fences = open();
    const later = { pk: 'n9', id: 'd9', target: channel, createdAtMs: 300 };
    const [fence] = fences.before(later);
    fences.drop(later, fence);
    expect(fences.before(later)).toEqual([]);
    expect(fences.size).toBe(1);
  });
});
