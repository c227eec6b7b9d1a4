import { silentLogger } from '../../../services/logging';
import type { NotificationRequest } from '../../../services/notifications/model';
import type { ItemDoc, ItemRoles, Party } from '../../../services/requests/model';
import { NOTICE_KINDS, RequestNotifier } from '../../../services/requests/notifications';
import { RequestViews } from '../../../services/requests/views';
import type { PendingNotice } from '../../../services/workflow/pending';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const REQUESTER: Party = { aadObjectId: '00000000-0000-4000-8000-000500000001', tenantId: 't', name: 'Erika Beispiel', lang: 'de' };
const IB: Party = { aadObjectId: '00000000-0000-4000-8000-000500000002', tenantId: 't', name: 'Sabine Schmitz (Beispiel)', lang: 'de' };
const NOW = '2026-12-04T10:00:00.000Z';

const item: ItemDoc = {
  id: 'anl-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d', pk: 'koeln', type: 'item', kind: 'request', authority: 'koeln', rev: 6, status: 'erledigt',
  subject: 'Sprachkurs (Beispiel)', body: '', linked: [], createdBy: REQUESTER, handler: IB, messages: [], participants: [REQUESTER.aadObjectId, IB.aadObjectId],
  touchedAt: NOW, cardsTo: [IB.aadObjectId], trail: [], createdAt: NOW, updatedAt: NOW,
};

const message = (rev: number, status: string, previous: string): PendingNotice => ({
  key: `item:${item.id}:r${rev}:requester`,
  kind: NOTICE_KINDS.message,
  to: [REQUESTER.aadObjectId],
  data: { text: 'changed', status, previous },
  rev,
});

describe('the messages of several changes handed over at once (say, after a process died before relaying them)', () => {
  it('are enqueued one after the other, oldest change first, whichever enqueue takes longer', async () => {
    const started: string[] = [];
    const finished: string[] = [];
    let underWay = 0;
    let most = 0;
    const roles = (): ItemRoles => ({ requester: false, commissioner: false, headSide: false, decider: false });
    const notifier = new RequestNotifier({
      store: new MemoryDocumentStore<ItemDoc>('items'),
      outbox: {
        enqueue: async (r: NotificationRequest) => {
          started.push(r.key);
          most = Math.max(most, ++underWay);
          // The oldest one's write is the slowest: enqueued side by side, the newer ones would be stamped first.
          await new Promise((resolve) => setTimeout(resolve, r.key.endsWith(':r3:requester') ? 40 : 1));
          underWay--;
          finished.push(r.key);
          return { notificationId: r.key, added: 1, total: 1 };
        },
        enqueueUpdate: async () => ({ notificationId: '', added: 0, total: 0 }),
      },
      scheduler: { schedule: async () => ({}) as never },
      views: new RequestViews({ refreshIds: async () => [], audienceOf: () => [] }),
      rolesFor: roles,
      reminderDueAt: () => new Date(NOW),
      reminderJobKind: 'requests.remind',
      logger: silentLogger,
    });
    await notifier.deliver(item, [message(3, 'rueckfrage', 'in_bearbeitung'), message(5, 'in_bearbeitung', 'rueckfrage'), message(6, 'erledigt', 'in_bearbeitung')]);
    const keys = [3, 5, 6].map((rev) => `item:${item.id}:r${rev}:requester`);
    expect(finished).toEqual(keys);
    expect(started).toEqual(keys);
    expect(most).toBe(1);
  });
});
