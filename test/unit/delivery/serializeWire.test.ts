import { freezeCard } from '../../../cards/defineCard';
import { serializeWire } from '../../../bot/delivery/replyPoster';

const card = (text: string) => ({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text, wrap: true }] });

describe('serialising a reply with cached frozen cards', () => {
  it('writes exactly what JSON.stringify writes, for frozen and ordinary cards side by side', () => {
    const frozen = freezeCard(card('Hilfe: „Wer ist meine IB?“ $& $1 \\ "quotes"'));
    const wire = {
      type: 'message',
      text: 'Vorher',
      attachments: [
        { contentType: 'application/vnd.microsoft.card.adaptive', content: frozen },
        { contentType: 'application/vnd.microsoft.card.adaptive', content: card('gewöhnlich') },
        { contentType: 'application/vnd.microsoft.card.adaptive', content: frozen },
      ],
    };
    const expected = JSON.stringify(wire);
    expect(serializeWire(wire)).toBe(expected);
    // The second time comes from the cache, and still matches.
    expect(serializeWire(wire)).toBe(expected);
  });

  it('leaves activities without attachments, or with nothing frozen, to JSON.stringify', () => {
    for (const wire of [{ type: 'message', text: 'x' }, { type: 'message', attachments: [{ content: card('y') }] }, { attachments: [null] }]) {
      expect(serializeWire(wire)).toBe(JSON.stringify(wire));
    }
  });

  it('freezes a card all the way down, so that nothing can change what was cached', () => {
    const frozen = freezeCard(card('fest'));
    expect(Object.isFrozen(frozen.body[0])).toBe(true);
    expect(() => {
      (frozen.body[0] as { text: string }).text = 'geändert';
    }).toThrow(TypeError);
  });
});
