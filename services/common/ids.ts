/**
 * The one way to turn outside strings (Teams conversation ids, UPNs, idempotency keys) into Cosmos DB ids and
 * partition keys. Cosmos forbids `/ \ ? #`, control characters, a trailing space and more than 255 characters.
 */
import { createHash } from 'node:crypto';
import { InvalidKeyError, assertValidKey } from '../storage/errors';

const ESCAPED = /[%/\\?#]/g;

/**
 * A key Cosmos accepts, reversibly (`fromKey`): `%` and the forbidden `/ \ ? #` become `%` and two hex digits; Teams
 * ids' `:` `@` `;` stay readable. Throws `InvalidKeyError` when the result still cannot be stored (empty, too long,
 * control characters, a trailing space).
 */
export function toKey(value: string): string {
  const escaped = value.replace(ESCAPED, (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  assertValidKey(escaped);
  return escaped;
}

/** The original string of a `toKey` result. */
export function fromKey(key: string): string {
  return key.replace(/%(25|2f|5c|3f|23)/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** A 32-character base64url SHA-256 digest: fixed length, storable, not reversible. */
export function digestKey(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 32);
}

/**
 * A document id for an idempotency key: `<prefix>:<toKey(key)>` where Cosmos can store it, so ids in logs stay
 * readable, else `<prefix>~<digest>` (keys over 200 characters or with characters `toKey` cannot fix). The two forms
 * cannot collide, as `~` never follows the prefix in the readable one. Throws `InvalidKeyError` for an empty key.
 */
export function readableIdOf(prefix: string, key: string, what = 'key'): string {
  if (!key) throw new InvalidKeyError(key, `an empty ${what}`);
  if (key.length <= 200) {
    try {
      return `${prefix}:${toKey(key)}`;
    } catch (err) {
      if (!(err instanceof InvalidKeyError)) throw err;
    }
  }
  return `${prefix}~${digestKey(key)}`;
}
