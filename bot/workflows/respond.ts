/**
 * The one mapping from a workflow's outcome to the invoke response Teams shows: the changed card, the current card
 * with a notice (stale click), the form again with the problems (invalid input), or an error with its status code.
 */
import type { AdaptiveCardInvokeResponse } from 'botbuilder';
import type { Outcome, Problem, Refusal } from '../../services/workflow/outcome';
import type { Lang } from '../../services/workflow/texts';
import { PERSONAL_DATA_ADVICE, personalDataReason } from '../privacyTexts';
import { invokeResponse } from '../handlers/types';
import { de } from './texts/de';
import { en } from './texts/en';

export const OUTCOME_TEXTS = { de, en } as const;

export type NoticeStyle = 'default' | 'good' | 'attention' | 'warning';

/** How one workflow shows its records; `respond` decides which of these an outcome needs. */
export interface Rendering<T> {
  /** The record's card for the caller, with a notice on top. */
  card(value: T, notice: string, style: NoticeStyle): Promise<Record<string, unknown>>;
  /** The notice after a change (e.g. "Gespeichert."). */
  saved: string;
  /** The notice on the current card when the caller's card was out of date. */
  stale(current: T): string;
  /** Invalid input: the form or card again, with what was typed and the problems (default: an error with the text). */
  invalid?(problems: Problem[], text: string): Promise<AdaptiveCardInvokeResponse>;
  /** A workflow's own wording for a refusal (e.g. "Das kann nur das KfI …"); the shared text otherwise. */
  refusalText?(refusal: Exclude<Refusal, { code: 'invalid' }>): string | undefined;
  /** Field names in the caller's language, for problem texts. */
  fieldNames?: Record<string, string>;
}

/** "Bitte prüfen: Betreff fehlt; …" in the caller's language, with the privacy advice when the guard refused a field. */
export function problemsText(lang: Lang, problems: Problem[], fieldNames: Record<string, string> = {}): string {
  const t = OUTCOME_TEXTS[lang];
  const reason = (p: Problem) => (p.code === 'personal_data' && p.kinds?.length ? personalDataReason(lang, p.kinds) : t.problem[p.code]);
  const text = t.problems(problems.map((p) => `${fieldNames[p.field] ?? p.field} ${reason(p)}`).join('; '));
  // The privacy guard refused a field: say that nothing was stored and how to go on.
  return problems.some((p) => p.code === 'personal_data') ? `${text} ${PERSONAL_DATA_ADVICE[lang]}` : text;
}

/** The status code and text of a refusal. */
export function refusalResponse(lang: Lang, refusal: Exclude<Refusal, { code: 'invalid' }>, own?: string): AdaptiveCardInvokeResponse {
  const t = OUTCOME_TEXTS[lang];
  switch (refusal.code) {
    case 'forbidden':
      return invokeResponse.error(403, 'Forbidden', own ?? t.forbidden);
    case 'not_found':
      return invokeResponse.error(404, 'NotFound', own ?? t.notFound);
    case 'closed':
      return invokeResponse.error(400, 'BadRequest', own ?? t.closed);
    case 'unavailable':
      return invokeResponse.error(400, 'BadRequest', own ?? t.unavailable);
  }
}

export async function respond<T>(outcome: Outcome<T>, lang: Lang, r: Rendering<T>): Promise<AdaptiveCardInvokeResponse> {
  if (outcome.ok) return invokeResponse.card(await r.card(outcome.value, outcome.changed ? r.saved : '', outcome.changed ? 'good' : 'default'));
  if (outcome.code === 'stale') return invokeResponse.card(await r.card(outcome.current, r.stale(outcome.current), 'attention'));
  if (outcome.code === 'invalid') {
    const text = problemsText(lang, outcome.problems, r.fieldNames);
    return r.invalid ? r.invalid(outcome.problems, text) : invokeResponse.error(400, 'BadRequest', text);
  }
  return refusalResponse(lang, outcome, r.refusalText?.(outcome));
}
