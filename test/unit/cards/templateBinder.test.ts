import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as ACData from 'adaptivecards-templating';
import { compileTemplate } from '../../../cards/templateBinder';
import { renderCardFixtures } from '../../fixtures/cards';

/** Every render through defineCard while the fixtures render: the template, and both outputs as JSON at that moment. */
const mockRenders: Array<{ template: object; ours: string; library: string; same: boolean }> = [];

jest.mock('../../../cards/defineCard', () => {
  const actual = jest.requireActual<typeof import('../../../cards/defineCard')>('../../../cards/defineCard');
  const { Template } = jest.requireActual<typeof import('adaptivecards-templating')>('adaptivecards-templating');
  return {
    ...actual,
    defineCard: (template: object) => {
      const render = actual.defineCard(template);
      const library = new Template(template);
      return (data: object) => {
        // The library first, on the same data object: it must not matter which runs first (neither changes the data).
        const expected = library.expand({ $root: data }) as unknown;
        const card = render(data);
        mockRenders.push({ template, ours: JSON.stringify(card.content), library: JSON.stringify(expected), same: isDeepStrictEqual(card.content, expected) });
        return card;
      };
    },
  };
});

const TEMPLATES = path.join(__dirname, '../../../cards/templates');

/** The library's output and the binder's for one template and data. */
function both(template: unknown, data: unknown): { library: unknown; ours: unknown } {
  return { library: new ACData.Template(template).expand({ $root: data }) as unknown, ours: compileTemplate(template)(data) };
}

describe('the template binder (cards/templateBinder.ts)', () => {
  it('renders every card fixture exactly as adaptivecards-templating does, and every template is among them', async () => {
    const { fixtures } = await renderCardFixtures();
    expect(fixtures.length).toBeGreaterThan(40);
    expect(mockRenders.length).toBeGreaterThanOrEqual(fixtures.length);
    const differing = mockRenders.filter((r) => !r.same || r.ours !== r.library);
    expect(differing.map((r) => ({ ours: r.ours, library: r.library }))).toEqual([]);
    // Every template file was rendered by at least one fixture.
    const rendered = new Set(mockRenders.map((r) => JSON.stringify(r.template)));
    const files = readdirSync(TEMPLATES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(15);
    const unrendered = files.filter((f) => !rendered.has(JSON.stringify(JSON.parse(readFileSync(path.join(TEMPLATES, f), 'utf8')))));
    expect(unrendered).toEqual([]);
  });

  it('compiles every template in cards/templates', () => {
    const files = readdirSync(TEMPLATES).filter((f) => f.endsWith('.json'));
    for (const f of files) expect(() => compileTemplate(JSON.parse(readFileSync(path.join(TEMPLATES, f), 'utf8')), f)).not.toThrow();
  });

  // The library's behaviour at the edges, pinned: each case must come out the same from both.
  const cases: Array<[string, unknown, unknown]> = [
    ['a missing path becomes ${path}, also inside text', { a: '${missing}', b: 'x ${labels.none} y', c: '${$root.none.deeper}' }, { labels: {} }],
    ['values keep their type and are the data itself', { n: '${n}', t: '${t}', o: '${o}', l: '${l}', z: '${z}' }, { n: 3, t: true, o: { x: 1 }, l: [1, 'a'], z: null }],
    ['interpolation turns numbers, booleans, arrays and objects into text', { s: '${n} ${t} ${l} ${o}' }, { n: 3.5, t: false, l: [1, [2, 3]], o: { x: 1 } }],
    ['names are found ignoring case', { a: '${Title}', b: '${labels.SUBMIT}' }, { title: 'T', labels: { submit: 'S' } }],
    ['falsy values on the way give the substitution', { a: '${e.x}', b: '${z.x}', c: '${f.x}' }, { e: '', z: 0, f: false }],
    [
      '$when keeps only boolean true; comparisons and logic without substitution',
      {
        body: [
          { $when: '${flag}', v: 1 },
          { $when: "${s != ''}", v: 2 },
          { $when: "${missing != ''}", v: 3 },
          { $when: "${missing == ''}", v: 4 },
          { $when: '${s}', v: 5 },
          { $when: '${!missing}', v: 6 },
          { $when: '${count(list) > 0 && mode == "a"}', v: 7 },
          { $when: '${count(missing) > 0}', v: 8 },
          { $when: '${count(empty) == 0}', v: 9 },
          { $when: '${exists(s) && s != ""}', v: 10 },
          { $when: '${exists(missing)}', v: 11 },
          { $when: '${missing || flag}', v: 12 },
          { $when: '${s > 0}', v: 13 },
          { $when: '${n == 2}', v: 14 },
          { $when: '${!(n > 1)}', v: 15 },
        ],
      },
      { flag: true, s: 'x', list: [1], mode: 'a', empty: [], n: 2 },
    ],
    ['|| gives the last operand itself when none is true', { a: '${x || y}', b: '${x || t}', c: '${x || missing}' }, { x: null, y: 0, t: 'yes' }],
    ['count and comparisons as values', { a: '${count(l)}', b: '${count(s)}', c: '${count(o)}', d: '${count(l) > 1}', e: "${s == 'abc'}", f: '${count(missing)}' }, { l: [1, 2], s: 'abc', o: { a: 1 } }],
    [
      '$data repeats, with $root, $data and the item; 0 items drop, 1 item is the object',
      {
        body: [
          { $data: '${items}', text: '${name} ${$root.suffix}', me: '${$data}' },
          { $data: '${none}', text: 'never' },
          { $data: '${one}', text: '${name}' },
          { $data: '${obj}', text: '${name}', $when: '${keep}' },
          { $data: '${items}', $when: "${name != 'b'}", text: '${name}' },
        ],
        single: { $data: '${one}', text: '${name}' },
        gone: { $data: '${none}', text: 'x' },
        off: { $when: '${off}', text: 'x' },
      },
      { off: false, items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], none: [], one: [{ name: 'only' }], obj: { name: 'o', keep: true }, suffix: '!' },
    ],
    ['arrays drop null and spread arrays; literals are copied', { a: [null, 1, [2, 3], '${l}', '${z}', { k: null }], b: null, c: { d: [true, 'x'] } }, { l: [4, 5], z: null }],
    ['strings of items', { body: [{ $data: '${words}', text: '${$data}' }] }, { words: ['eins', 'zwei'] }],
  ];
  it.each(cases)('%s', (_name, template, data) => {
    const { library, ours } = both(template, data);
    expect(ours).toStrictEqual(library);
    expect(JSON.stringify(ours)).toBe(JSON.stringify(library));
  });

  it('a null value inside text throws, as in the library', () => {
    const template = { s: 'x ${z}' };
    expect(() => new ACData.Template(template).expand({ $root: { z: null } })).toThrow();
    expect(() => compileTemplate(template)({ z: null })).toThrow();
  });

  it('refuses, when compiling, what it does not support', () => {
    const refused: unknown[] = [
      { text: '${formatDateTime(when)}' },
      { text: '${items[0]}' },
      { text: '${$index}' },
      { text: '${$host.x}' },
      { text: '${a == b}' },
      { text: '${a + 1}' },
      { text: '${a >= 1}' },
      { text: '${if(a, 1, 2)}' },
      { '${key}': 'x' },
      { $when: true, text: 'x' },
      { $when: 'always', text: 'x' },
      { $when: '${a} ${b}', text: 'x' },
      { $data: [1, 2], text: 'x' },
      { $index: 1, text: 'x' },
      { $when: '${false}', text: 'x' },
    ];
    for (const template of refused) expect(() => compileTemplate(template)).toThrow(/not supported by the template binder/);
  });
});
