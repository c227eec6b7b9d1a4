import type { ChatMessageSeen } from '../../../services/graph/graphPort';
import { GraphError } from '../../../services/graph/graphPort';
import { ChatReadBack, CLOCK_SKEW_MS, findOwnMessage, visibleWords } from '../../../services/notifications/chatReadBack';
import type { DeliveryDoc } from '../../../services/notifications/model';
import { FakeGraph } from '../../support/fakeGraph';
import { teamsHtml } from '../../support/graphStandIn';

const BOT = 'b07c0de0-1a2b-4c3d-8e4f-50617283a4b5';
const PERSON = '00000000-0000-4000-8000-0000000000a1';
const T0 = Date.parse('2026-12-07T09:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const noneRecorded = { query: async () => [] } as never;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

function seen(id: string, createdMs: number, content: { html?: string; cards?: unknown[] }, fromAppId = BOT): ChatMessageSeen {
  return { id, createdDateTime: at(createdMs), ...(fromAppId ? { fromAppId } : {}), bodyHtml: content.html ?? '', cards: content.cards ?? [] };
}

const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Rückfrage (Beispiel)', wrap: true }] };

describe('findOwnMessage: is the message our bot meant to post already in the chat?', () => {
  const options = { botAppId: BOT, since: T0 };

  it('matches text by its visible words, as Teams shows our markdown in HTML', () => {
    const text = 'Ihr Anliegen **„Raum & Zeit“** ist _in Bearbeitung_.\nSiehe [Erlass](https://example.org/e) – danke <3';
    expect(findOwnMessage({ text }, [seen('1', 5, { html: teamsHtml(text) })], options)?.id).toBe('1');
  });

  it('matches cards as JSON whatever the order of their keys', () => {
    const reordered = { body: card.body, version: '1.5', type: 'AdaptiveCard' };
    const found = findOwnMessage({ attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }, [seen('7', 5, { cards: [reordered], html: '<attachment id="7-0"></attachment>' })], options);
    expect(found?.id).toBe('7');
  });

  it('does not match other words, another card, a text against a card, or an empty text', () => {
    expect(findOwnMessage({ text: 'Ihr Anliegen ist erledigt.' }, [seen('1', 5, { html: '<p>Ihr Anliegen ist in Bearbeitung.</p>' })], options)).toBeUndefined();
    const other = { ...card, body: [{ type: 'TextBlock', text: 'Andere Karte', wrap: true }] };
    expect(findOwnMessage({ attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }, [seen('2', 5, { cards: [other] })], options)).toBeUndefined();
    expect(findOwnMessage({ text: 'Rückfrage (Beispiel)' }, [seen('3', 5, { cards: [card], html: '<p>Rückfrage (Beispiel)</p>' })], options)).toBeUndefined();
    expect(findOwnMessage({ text: '' }, [seen('4', 5, { html: '' })], options)).toBeUndefined();
  });

  it("takes only our bot's messages, created after the delivery (less the clock skew)", () => {
    const html = teamsHtml('Erinnerung (Beispiel)');
    expect(findOwnMessage({ text: 'Erinnerung (Beispiel)' }, [seen('1', 5, { html }, '')], options)).toBeUndefined();
    expect(findOwnMessage({ text: 'Erinnerung (Beispiel)' }, [seen('1', 5, { html }, 'another-app')], options)).toBeUndefined();
    expect(findOwnMessage({ text: 'Erinnerung (Beispiel)' }, [seen('1', -1, { html })], options)).toBeUndefined();
  });

  it('of two equal messages takes the older one', () => {
    const html = teamsHtml('Erinnerung (Beispiel)');
    expect(findOwnMessage({ text: 'Erinnerung (Beispiel)' }, [seen('9', 90, { html }), seen('8', 10, { html })], options)?.id).toBe('8');
  });

  it('reads HTML entities, line breaks and paragraphs as the words they show', () => {
    expect(visibleWords('<p>A&amp;B &lt;C&gt; &#252;ber&nbsp;&#x263A;</p><p>zweite<br>Zeile</p>', true)).toBe('A&B <C> über ☺ zweite Zeile');
    expect(visibleWords('**A** _b_ `c`\n- Punkt\n1. Eins', false)).toBe('A b c Punkt Eins');
  });
});

describe('ChatReadBack: when it asks Graph, and what a failure means', () => {
  const doc = (changes: Partial<DeliveryDoc> = {}): DeliveryDoc =>
    ({
      id: 'd1',
      pk: 'n1',
      kind: 'delivery',
      notificationKey: 'k',
      operation: 'send',
      activity: { text: 'Hallo (Beispiel)' },
      target: { kind: 'user', aadObjectId: PERSON, tenantId: 't' },
      createdAtMs: T0,
      ...changes,
    }) as DeliveryDoc;
  const personal = { conversationId: 'a:1', serviceUrl: 'https://smba.example/', tenantId: 't', botId: `28:${BOT}`, conversationType: 'personal' } as const;

  it('asks for the messages since the delivery was made, less the clock skew, and returns the match', async () => {
    const graph = new FakeGraph({ features: ['install', 'chats'] }).addChatMessage(PERSON, seen('42', 3, { html: teamsHtml('Hallo (Beispiel)') }));
    expect(await new ChatReadBack({ graph, botAppId: BOT, outbox: noneRecorded, logger: silent }).find(doc(), personal)).toBe('42');
    expect(graph.callsTo('botChatMessages').map((c) => c.since.getTime())).toEqual([T0 - CLOCK_SKEW_MS]);
  });

  it('leaves a message another delivery recorded to that delivery (the same status twice)', async () => {
    const html = teamsHtml('Hallo (Beispiel)');
    const graph = new FakeGraph({ features: ['install', 'chats'] }).addChatMessage(PERSON, seen('42', 3, { html }));
    const queries: unknown[] = [];
    const outbox = { query: async (spec: unknown) => (queries.push(spec), ['42']) } as never;
    const readBack = new ChatReadBack({ graph, botAppId: BOT, outbox, logger: silent });
    expect(await readBack.find(doc(), personal)).toBeUndefined();
    expect(JSON.stringify(queries[0])).toContain('a:1');
    graph.addChatMessage(PERSON, seen('43', 9, { html }));
    expect(await readBack.find(doc(), personal)).toBe('43');
  });

  it('does not ask for updates, channel posts or without the feature', async () => {
    const graph = new FakeGraph({ features: ['install'] });
    const readBack = new ChatReadBack({ graph, botAppId: BOT, outbox: noneRecorded, logger: silent });
    expect(await readBack.find(doc(), personal)).toBeUndefined();
    graph.granted.add('chats');
    expect(await readBack.find(doc({ operation: 'update' }), personal)).toBeUndefined();
    expect(await readBack.find(doc({ target: { kind: 'conversation', ref: { ...personal, conversationType: 'channel' } } } as Partial<DeliveryDoc>), { ...personal, conversationType: 'channel' })).toBeUndefined();
    expect(graph.callsTo('botChatMessages')).toHaveLength(0);
  });

  it('answers "not found" when Graph fails, so that the message is sent again rather than lost', async () => {
    const graph = new FakeGraph({ features: ['install', 'chats'] }).failNext('botChatMessages', new GraphError('TooManyRequests', 'throttled', 429));
    expect(await new ChatReadBack({ graph, botAppId: BOT, outbox: noneRecorded, logger: silent }).find(doc(), personal)).toBeUndefined();
  });
});
