import type { DeliveryDoc } from '../model';
import { chatOf } from './work';

/** One delivery another process held when this one started: its chat's later messages wait for it. */
interface Fence {
  /** When its lease runs out (then it is due, and this process may take it). */
  until: number;
  createdAtMs: number;
}

/**
 * Keeps the order of a chat's messages across a crash. A process that died leaves the deliveries it held leased until
 * their lease runs out (up to a minute); a later message to the same chat, enqueued meanwhile, would go first. So a
 * starting dispatcher notes what other processes hold (one query), and a delivery to such a chat enqueued after one of
 * them is put back until that lease has run out: then the earlier one goes first. Live instances' deliveries are
 * noted as well; their leases end within seconds of their calls, and the wait is as short.
 */
export class ChatFences {
  private readonly fences = new Map<string, Fence[]>();

  /** Notes the deliveries other processes hold. */
  load(held: ReadonlyArray<Pick<DeliveryDoc, 'target' | 'dueAt' | 'createdAtMs'>>): void {
    for (const d of held) {
      const chat = chatOf(d);
      const list = this.fences.get(chat);
      const fence = { until: d.dueAt, createdAtMs: d.createdAtMs };
      if (list) list.push(fence);
      else this.fences.set(chat, [fence]);
    }
  }

  /** How many chats are fenced now (for the log). */
  get size(): number {
    return this.fences.size;
  }

  /**
   * Until when a delivery must wait for an earlier one to its chat that another process held (`undefined`: it may go).
   * Fences whose lease has run out are forgotten.
   */
  waitUntil(doc: Pick<DeliveryDoc, 'target' | 'createdAtMs'>, now: number): number | undefined {
    if (this.fences.size === 0) return undefined;
    const chat = chatOf(doc);
    const list = this.fences.get(chat);
    if (!list) return undefined;
    const live = list.filter((f) => f.until > now);
    if (live.length === 0) {
      this.fences.delete(chat);
      return undefined;
    }
    if (live.length < list.length) this.fences.set(chat, live);
    let until: number | undefined;
    for (const f of live) if (f.createdAtMs < doc.createdAtMs) until = Math.max(until ?? 0, f.until);
    return until;
  }
}
