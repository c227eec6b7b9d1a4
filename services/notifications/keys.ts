import { digestKey, readableIdOf } from '../common/ids';
import type { DeliveryTarget } from './model';

/**
 * The notification id (partition key) for an idempotency key: the key itself where Cosmos can store it, so ids in
 * logs stay readable, else a digest of it.
 */
export function notificationIdOf(key: string): string {
  return readableIdOf('n', key, 'notification key');
}

/** Who a target is, independent of how we reach them: the recipient part of the idempotency key. */
export function recipientKeyOf(target: DeliveryTarget): string {
  return target.kind === 'user' ? `user:${target.aadObjectId.toLowerCase()}` : `conversation:${target.ref.conversationId}`;
}

/** The delivery document id for a recipient within its notification. */
export function deliveryIdOf(recipientKey: string): string {
  return 'd-' + digestKey(recipientKey);
}
