import type { ChatMessageSeen, GraphPort } from '../graph/graphPort';
import type { Logger } from '../logging';
import type { DocumentStore } from '../storage/documentStore';
import type { ConversationRef, DeliveryDoc, OutboxDoc, OutgoingActivity } from './model';

/**
 * Before a message is sent again because an earlier attempt has no recorded outcome (the process died during the call,
 * or after Teams answered and before the outbox write), the bot looks in its own personal chat with the person whether
 * the message arrived, through Graph (`chats` feature, docs/architecture.md "The window Teams leaves open"). Found: the
 * delivery is recorded with that message's id and nothing is sent. Not found, not a personal chat, no permission, or
 * Graph failing: the message is sent again, as without read-back; a read-back never stops a delivery.
 *
 * A message is ours when our bot posted it, Teams created it after the delivery was (minus {@link CLOCK_SKEW_MS}), and
 * it shows the same content, and no other delivery recorded it as its own: the same adaptive cards (compared as JSON), or, for text, the same visible words once
 * markdown and HTML are set aside (Teams turns the markdown we send into HTML, https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages).
 * Two messages of the same content to the same person within the same minutes (the same status twice) are told apart
 * by the outbox: a message another delivery recorded is not this one's; of two unrecorded ones, the oldest is taken.
 */
export class ChatReadBack {
  constructor(
    private readonly deps: {
      graph: Pick<GraphPort, 'features' | 'botChatMessages'>;
      /** The bot's Entra app id (what Graph names as `from.application.id`). */
      botAppId: string;
      /** The outbox: messages other deliveries recorded in the chat are not this one's. */
      outbox: Pick<DocumentStore<OutboxDoc>, 'query'>;
      logger: Logger;
    },
  ) {}

  /** Teams' message id of `doc`'s message when it is in the person's chat already; `undefined` when it is not, or cannot be told. */
  async find(doc: DeliveryDoc, ref: ConversationRef): Promise<string | undefined> {
    if (doc.operation !== 'send' || doc.target.kind !== 'user' || ref.conversationType !== 'personal' || !this.deps.botAppId) return undefined;
    try {
      if (!(await this.deps.graph.features()).has('chats')) return undefined;
      const since = doc.createdAtMs - CLOCK_SKEW_MS;
      const seen = await this.deps.graph.botChatMessages(doc.target.aadObjectId, new Date(since));
      const candidates = seen.filter((m) => m.fromAppId === this.deps.botAppId.toLowerCase());
      if (!candidates.length) return undefined;
      // A message another delivery recorded (the same status twice, say) is that delivery's, however alike.
      const recorded = new Set(
        await this.deps.outbox.query<string>({
          // Recorded as sent in the same window, whenever they were made (a delivery held back by throttling included).
          query: 'SELECT VALUE c.activityId FROM c WHERE c.kind = "delivery" AND c.conversation.conversationId = @conversation AND IS_DEFINED(c.activityId) AND c.sentAt >= @since',
          parameters: [
            { name: '@conversation', value: ref.conversationId },
            { name: '@since', value: new Date(since - CLOCK_SKEW_MS).toISOString() },
          ],
        }),
      );
      return findOwnMessage(doc.activity, candidates.filter((m) => !recorded.has(m.id)), { botAppId: this.deps.botAppId, since })?.id;
    } catch (err) {
      this.deps.logger.warn(
        { event: 'delivery.read_back_failed', notificationId: doc.pk, deliveryId: doc.id, code: (err as { code?: string })?.code ?? 'unknown' },
        'could not read the chat back: sending again',
      );
      return undefined;
    }
  }
}

/** How far Teams' clock (createdDateTime) may be behind ours when we compare it with a delivery's creation. */
export const CLOCK_SKEW_MS = 60_000;

/** The message in `seen` that is `activity` as our bot posted it (see {@link ChatReadBack}); the oldest such one. */
export function findOwnMessage(activity: OutgoingActivity, seen: readonly ChatMessageSeen[], options: { botAppId: string; since: number }): ChatMessageSeen | undefined {
  const bot = options.botAppId.toLowerCase();
  const cards = (activity.attachments ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => canonicalJson(a.content));
  const words = visibleWords(activity.text ?? '', false);
  const matches = seen.filter((m) => {
    if (m.fromAppId !== bot) return false;
    const created = Date.parse(m.createdDateTime);
    if (!Number.isFinite(created) || created < options.since) return false;
    if (cards.length) return m.cards.length === cards.length && m.cards.every((c, i) => canonicalJson(c) === cards[i]);
    return m.cards.length === 0 && words !== '' && visibleWords(m.bodyHtml, true) === words;
  });
  return matches.sort((a, b) => Date.parse(a.createdDateTime) - Date.parse(b.createdDateTime))[0];
}

/** JSON with object keys in order, so that two equal cards compare equal however their keys were ordered. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The words a reader sees: HTML tags (or markdown markers and link targets) left out, entities decoded, spaces collapsed. */
export function visibleWords(text: string, html: boolean): string {
  let t = text;
  if (html) {
    t = t
      .replace(/<br\s*\/?>|<\/p>|<\/li>|<\/div>/gi, ' ')
      .replace(/<[^>]*>/g, '')
      .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, name: string) => {
        if (name[0] === '#') {
          const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
          return Number.isFinite(code) ? String.fromCodePoint(code) : all;
        }
        return ENTITIES[name.toLowerCase()] ?? all;
      });
  } else {
    t = t.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
  }
  // Markdown emphasis and code markers, list bullets and headings: Teams shows them as formatting, not as characters.
  t = t.replace(/\*\*|__|[*_`]/g, '').replace(/(^|\n)\s*(?:[-+]|\d+\.|#+)\s+/g, '$1');
  return t.replace(/\s+/g, ' ').trim();
}
