/**
 * What every workflow action returns: a change (or no change), or one refusal from one vocabulary. The bot maps these
 * to invoke responses in one place (`bot/workflows/respond.ts`); services never throw for a refusal.
 */
import type { PersonalDataKind } from '../answers/privacy';

/** Why one input field was not accepted (the bot turns field and code into a polite sentence in the user's language). */
export type ProblemCode =
  | 'missing'
  | 'too_long'
  | 'bad_date'
  | 'past_date'
  | 'bad_time'
  | 'bad_url'
  | 'unknown_value'
  | 'too_many'
  | 'personal_data';

export interface Problem {
  field: string;
  code: ProblemCode;
  /** With `personal_data`: what the privacy guard found in the field (the text itself is neither kept nor logged). */
  kinds?: PersonalDataKind[];
}

/** Refusals that carry no document: the caller may not, the record is not there (for them), or no longer open. */
export type RefusalCode =
  /** The caller's stored role does not allow this action (never decided from card data). */
  | 'forbidden'
  /** No such record, or one the caller may not see: the same answer, so ids reveal nothing. */
  | 'not_found'
  /** The record is closed, cancelled or over: nothing more can change. */
  | 'closed'
  /** A setting the action needs is missing (e.g. the circle has no channel yet). */
  | 'unavailable';

export type Refusal =
  | { ok: false; code: RefusalCode; reason?: string }
  | { ok: false; code: 'invalid'; problems: Problem[] };

/**
 * The outcome of an action on a record of type `T` (a workflow's view of its document).
 * `stale`: the card was out of date (someone else acted, or the same click arrived twice): nothing was changed and
 * `current` is what the record looks like now.
 */
export type Outcome<T> = { ok: true; value: T; changed: boolean } | { ok: false; code: 'stale'; current: T } | Refusal;

export const outcome = {
  done<T>(value: T, changed = true): Outcome<T> {
    return { ok: true, value, changed };
  },
  refuse(code: RefusalCode, reason?: string): Refusal {
    return reason ? { ok: false, code, reason } : { ok: false, code };
  },
  invalid(problems: Problem[]): Refusal {
    return { ok: false, code: 'invalid', problems };
  },
  stale<T>(current: T): Outcome<T> {
    return { ok: false, code: 'stale', current };
  },
};

/** True for an outcome that is a refusal without a document. */
export function isRefusal<T>(o: Outcome<T>): o is Refusal {
  return !o.ok && o.code !== 'stale';
}
