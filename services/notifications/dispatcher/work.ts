import { ChannelError } from '../channelSender';
import type { Delivery } from '../deliveryLedger';
import type { ConversationRef, DeliveryError } from '../model';
import type { DeliveryEvent } from '../dispatcher';

/** A claimed delivery on its way through this process. */
export interface Work {
  doc: Delivery;
  tenantId: string;
  /** The conversation to post to; absent for a user without a personal chat yet. */
  ref?: ConversationRef;
  /** The message to replace, for updates. */
  activityId?: string;
  /** For an update of another delivery's message: that delivery as read when this one was claimed (its ETag included). */
  original?: Delivery;
  /** The previous attempt's outcome was never recorded: this send may repeat a message. */
  uncertain: boolean;
  /** `claimed`: leased; `beginning`: the `sending` write is under way; `begun`: ready to go out when a slot frees. */
  phase: 'claimed' | 'beginning' | 'begun';
  /** When the current lease was taken (claim or begin). */
  leasedAt: number;
  order: number;
  /** Its chat ({@link chatOf}), worked out once. */
  chat?: string;
}

/** The tenant whose rate limits a delivery counts against. */
export function tenantOf(doc: Delivery): string {
  return doc.target.kind === 'user' ? doc.target.tenantId : doc.target.ref.tenantId;
}

/**
 * The chat a delivery goes to, as one string: the conversation of a conversation target, the person of a user target
 * (whose personal chat is one per person). Messages to one chat go out one at a time, in their order (see
 * {@link byOrder}).
 */
export function chatOf(of: Pick<Delivery, 'target'> | Work): string {
  if ('doc' in of) return (of.chat ??= chatOf(of.doc));
  const target = of.target;
  return target.kind === 'conversation' ? `c:${target.ref.conversationId}` : `u:${target.aadObjectId}`;
}

/**
 * The order due deliveries go out in: as they were enqueued (the outbox stamps each enqueue of a process later than
 * the one before, see `Outbox.stamp`), then by due time. Not by due time first: a delivery whose lease ran out, or that
 * waited for a retry, is due later than one enqueued after it, and still goes first to its chat.
 */
export function byOrder(a: Pick<Work, 'order' | 'doc'>, b: Pick<Work, 'order' | 'doc'>): number {
  return a.doc.createdAtMs - b.doc.createdAtMs || a.order - b.order;
}

/** One string per delivery, for sets and maps. */
export function keyOf(doc: { pk: string; id: string }): string {
  return `${doc.pk}\u0000${doc.id}`;
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** A short code for logs and events: the error's own code when it looks like one, else its name. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_.:-]{1,60}$/.test(code)) return code;
  return (err as Error)?.name || 'Error';
}

/** Any failure of a channel call as a `ChannelError`; what the sender did not classify counts as transient. */
export function channelErrorOf(err: unknown): ChannelError {
  return err instanceof ChannelError ? err : new ChannelError(errorCode(err), 'transient', undefined, undefined, false);
}

/** `at` is the instant the failure was handled: a retry's due time is counted from it. */
export function errorOf(e: ChannelError, at: number): DeliveryError {
  return {
    code: e.code,
    status: e.status,
    at: new Date(at).toISOString(),
    ...(e.ambiguous ? { ambiguous: true } : {}),
  };
}

export function eventOf(work: Work, type: DeliveryEvent['type'], extra: Partial<DeliveryEvent> = {}): DeliveryEvent {
  return {
    type,
    notificationId: work.doc.pk,
    notificationKey: work.doc.notificationKey,
    deliveryId: work.doc.id,
    conversationId: work.ref?.conversationId,
    ...extra,
  };
}
