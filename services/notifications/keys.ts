import { createHash } from 'node:crypto';
import { InvalidKeyError, toKey } from '../storage/errors';
import type { DeliveryTarget } from './model';

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 32);
}

/**
 * The notification id (partition key) for an idempotency key: the key itself where Cosmos can store it, so ids in
 * logs stay readable, else a digest of it.
 */
export function notificationIdOf(key: string): string {
  if (key.length === 0) throw new InvalidKeyError(key, 'an empty notification key');
  if (key.length <= 200) {
    try {
      return 'n:' + toKey(key);
    } catch (err) {
      if (!(err instanceof InvalidKeyError)) throw err;
    }
  }
  return 'n~' + digest(key);
}

/** Who a target is, independent of how we reach them: the recipient part of the idempotency key. */
export function recipientKeyOf(target: DeliveryTarget): string {
  return target.kind === 'user' ? `user:${target.aadObjectId.toLowerCase()}` : `conversation:${target.ref.conversationId}`;
}

/** The delivery document id for a recipient within its notification. */
export function deliveryIdOf(recipientKey: string): string {
  return 'd-' + digest(recipientKey);
}
