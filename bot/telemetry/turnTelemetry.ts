import type { TurnContext } from 'botbuilder';
import { ATTR, SpanKind, countCardAction, currentSpan, inSpan } from '../../services/telemetry/telemetry';

/** Activity types Teams sends; anything else is named `other` (the type is the sender's text). */
const ACTIVITY_TYPES = new Set(['message', 'invoke', 'conversationUpdate', 'installationUpdate', 'messageReaction', 'messageUpdate', 'messageDelete', 'event', 'typing', 'endOfConversation']);

/**
 * One span per turn, named by the activity type; the bot renames it once it knows what the turn is (`nameTurn`).
 * Nothing of the activity but its type goes into the span: no ids, no text, no conversation.
 */
export function inTurnSpan<T>(context: TurnContext, work: () => Promise<T>): Promise<T> {
  const type = ACTIVITY_TYPES.has(context.activity.type) ? context.activity.type : 'other';
  return inSpan(`turn ${type}`, { [ATTR.activityType]: type }, () => work(), { kind: SpanKind.SERVER });
}

/** Names the current turn's span by what it does: a command id, a card verb, or a question (never the text). */
export function nameTurn(kind: 'command' | 'verb' | 'question', id?: string): void {
  const span = currentSpan();
  if (!span) return;
  span.updateName(id ? `turn ${kind} ${id}` : `turn ${kind}`);
  if (id && kind !== 'question') span.setAttribute(kind === 'command' ? ATTR.command : ATTR.verb, id);
}

/** Invoke response bodies this bot writes for card actions (see bot/handlers/types.ts `invokeResponse`). */
interface CardInvokeBody {
  statusCode?: number;
  value?: { code?: unknown };
}

/**
 * Counts a card action by verb and outcome, and names the turn: `verb` only when it is registered (the verb comes from
 * the card, i.e. from the client), `outcome` `ok` for a 200, else the response's error code.
 */
export function countCardInvoke(verb: string | undefined, response: { status: number; body?: unknown } | undefined): void {
  const name = verb ?? 'unknown';
  nameTurn('verb', name);
  const body = response?.body as CardInvokeBody | undefined;
  const status = body?.statusCode ?? response?.status;
  const code = body?.value?.code;
  const outcome = status === 200 ? 'ok' : typeof code === 'string' && /^[A-Za-z]{1,40}$/.test(code) ? code : `http_${status ?? 'unknown'}`;
  countCardAction(name, outcome);
}
