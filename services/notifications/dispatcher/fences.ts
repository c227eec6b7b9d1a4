import type { DeliveryDoc } from '../model';
import { chatOf } from './work';

/** A delivery that was open when this process started: its chat's later messages wait for it. */
export interface Fence {
  pk: string;
  id: string;
  /** When it is due: its lease's end while another process holds it. */
  until: number;
  createdAtMs: number;
}

/** What a starting dispatcher reads of each open delivery. */
export type OpenDelivery = Pick<DeliveryDoc, 'pk' | 'id' | 'target' | 'dueAt' | 'createdAtMs'>;

/**
 * Keeps the order of a chat's messages across a crash. A process that died leaves deliveries behind: leased until
 * their lease runs out (up to a minute), or due and waiting in the outbox among many. A message enqueued meanwhile to
 * the same chat would go first. So a starting dispatcher notes the open deliveries due by then (one query), and a
 * later delivery to such a chat waits until each earlier one there is settled or in its own hands (the slot pump then
 * keeps the order). Deliveries due later than that (a reminder for tomorrow) are not waited for.
 */
export class ChatFences {
  private readonly fences = new Map<string, Fence[]>();

  /** Notes the open deliveries found at start. */
  load(open: readonly OpenDelivery[]): void {
    for (const d of open) {
      const chat = chatOf(d);
      const fence = { pk: d.pk, id: d.id, until: d.dueAt, createdAtMs: d.createdAtMs };
      const list = this.fences.get(chat);
      if (list) list.push(fence);
      else this.fences.set(chat, [fence]);
    }
  }

  /** How many chats have fences. */
  get size(): number {
    return this.fences.size;
  }

  /** The deliveries to the chat of `doc` enqueued before it that were open at start and not known settled since. */
  before(doc: Pick<DeliveryDoc, 'pk' | 'id' | 'target' | 'createdAtMs'>): Fence[] {
    if (this.fences.size === 0) return [];
    return (this.fences.get(chatOf(doc)) ?? []).filter((f) => f.createdAtMs < doc.createdAtMs && !(f.pk === doc.pk && f.id === doc.id));
  }

  /** Forgets a fence: its delivery is settled, or this process holds it. */
  drop(doc: Pick<DeliveryDoc, 'target'>, fence: Fence): void {
    const chat = chatOf(doc);
    const rest = (this.fences.get(chat) ?? []).filter((f) => f !== fence);
    if (rest.length) this.fences.set(chat, rest);
    else this.fences.delete(chat);
  }
}
