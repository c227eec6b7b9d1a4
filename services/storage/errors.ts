/** Errors raised by the storage layer, each with a stable code callers can branch on. */

export class StorageError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The document changed since it was read (HTTP 412 on an `IfMatch` write). Re-read and decide again. */
export class ConcurrencyError extends StorageError {
  constructor(readonly container: string, readonly id: string) {
    super('STORAGE_CONCURRENCY', `${container}/${id} was changed by someone else; re-read it and try again.`);
  }
}

/** A document with this id already exists in the partition (HTTP 409 on create). */
export class AlreadyExistsError extends StorageError {
  constructor(readonly container: string, readonly id: string) {
    super('STORAGE_ALREADY_EXISTS', `${container}/${id} already exists.`);
  }
}

/** An id or partition key Cosmos DB cannot store (empty, too long, or containing / \ ? #). */
export class InvalidKeyError extends StorageError {
  constructor(readonly value: string, reason: string) {
    super('STORAGE_INVALID_KEY', `invalid id or partition key: ${reason}`);
  }
}

/** The database did not answer or refused the request for a reason other than the ones above. */
export class StorageUnavailableError extends StorageError {
  constructor(message: string, readonly statusCode?: number) {
    super('STORAGE_UNAVAILABLE', message);
  }
}

const FORBIDDEN = /[/\\?#]/;

/** Checks a Cosmos DB id or partition key value; throws `InvalidKeyError` when it cannot be stored. */
export function assertValidKey(value: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidKeyError(String(value), 'empty');
  if (value.length > 255) throw new InvalidKeyError(value.slice(0, 20), 'longer than 255 characters');
  if (FORBIDDEN.test(value)) throw new InvalidKeyError(value, 'contains one of / \\ ? #');
  // Cosmos also rejects control characters and trailing spaces in ids.
  if (/[\u0000-\u001f\u007f]/.test(value) || value.endsWith(' ')) {
    throw new InvalidKeyError(value, 'contains control characters or ends with a space');
  }
}

// Escaping outside strings into storable keys: services/common/ids (`toKey`, `readableIdOf`).
