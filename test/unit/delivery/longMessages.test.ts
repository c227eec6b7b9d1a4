import { splitIntoMessages } from '../../../bot/delivery/longMessages';

const label = (n: number, total: number) => `(Teil ${n} von ${total})`;

describe('long lists and exports are split into messages Teams accepts, never cut off', () => {
  const rows = Array.from({ length: 2_000 }, (_, i) => `"2026-11-${String((i % 28) + 1).padStart(2, '0')}";"anl-${i}";"Eintrag ${i} mit etwas Text"`);

  it('keeps every line, each part under the limit, the header in every part, in order', () => {
    const parts = splitIntoMessages('Verlauf als CSV (2000 Einträge).', rows, { fence: true, header: '"Zeit";"Vorgang";"Text"', partLabel: label, maxChars: 10_000 });
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(10_000);
      expect(part).toContain('"Zeit";"Vorgang";"Text"');
      expect(part.match(/^```$/gm)).toHaveLength(2);
    }
    expect(parts[0].startsWith('Verlauf als CSV')).toBe(true);
    expect(parts[1].startsWith(`(Teil 2 von ${parts.length})`)).toBe(true);
    const back = parts.flatMap((p) => p.split('\n').filter((l) => l.startsWith('"2026')));
    expect(back).toEqual(rows);
  });

  it('sends a short list as one message with its heading', () => {
    expect(splitIntoMessages('Drei Fragen:', ['- a', '- b', '- c'], { partLabel: label })).toEqual(['Drei Fragen:\n\n- a\n- b\n- c']);
  });

  it('still sends the heading when there is nothing below it', () => {
    expect(splitIntoMessages('Nichts da.', [], { partLabel: label })).toEqual(['Nichts da.\n\n']);
  });
});
