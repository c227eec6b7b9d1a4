import { PassThrough } from 'node:stream';
import { loadDefaultEngine, type AnswerEngine } from '../../../services/answers/engine';
import { answerJsonLine, processJsonLines } from '../../../services/answers/jsonl';

let engine: AnswerEngine;
beforeAll(() => {
  engine = loadDefaultEngine();
});

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe('the --jsonl protocol (contracts.md §2)', () => {
  it('answers a line with exactly the contract fields, in contract order', () => {
    const out = answerJsonLine(engine, JSON.stringify({ id: 'q1', text: 'Wer ist für Marl zuständig?', locale: 'de-DE', extra: 1 }));
    expect(out).not.toContain('\n');
    const a = parse(out);
    expect(Object.keys(a)).toEqual(['id', 'intent', 'authority', 'place', 'citation', 'text']);
    expect(a).toEqual({
      id: 'q1',
      intent: 'contact.commissioner',
      authority: 'muenster',
      place: { ags: '05562024', name: 'Marl' },
      citation: 'RdErl. v. 5.12.2023, Nr. 5 d',
      text: expect.stringMatching(/^Für Marl \(Kreis Recklinghausen\) ist die Bezirksregierung Münster zuständig\./),
    });
  });

  it('uses homeAuthority when given and ignores unknown fields', () => {
    const a = parse(answerJsonLine(engine, '{"id":"q103","text":"Wer ist meine Integrationsbeauftragte?","homeAuthority":"koeln","foo":[1]}'));
    expect(a).toEqual(expect.objectContaining({ id: 'q103', intent: 'contact.commissioner', authority: 'koeln' }));
  });

  it('answers "meine IB" without a home authority with authority null', () => {
    const a = parse(answerJsonLine(engine, '{"id":"q105","text":"Wer ist meine Integrationsbeauftragte?"}'));
    expect(a.authority).toBeNull();
  });

  it.each([
    ['not JSON at all', 'hello world', null],
    ['broken JSON with an id', '{"id": "b7", "text": "Wer ist', 'b7'],
    ['a numeric id', '{"id": 17, "text": 5}', 17],
    ['an array', '[1,2,3]', null],
    ['a JSON string', '"Wer ist für Marl zuständig?"', null],
    ['text missing', '{"id":"m1"}', 'm1'],
    ['an empty line', '', null],
    ['an invalid home authority', '{"id":"h1","text":"Wer ist meine IB?","homeAuthority":"bayern"}', 'h1'],
  ])('answers a malformed line (%s) with one JSON line carrying the id', (_name, line, id) => {
    const a = parse(answerJsonLine(engine, line));
    expect(a.id).toBe(id);
    expect(['help', 'out_of_scope', 'contact.commissioner']).toContain(a.intent);
    expect(typeof a.text).toBe('string');
  });

  it('writes exactly one line per input line, in order, including blank and broken ones', async () => {
    const lines = [
      JSON.stringify({ id: 'a', text: 'Hilfe' }),
      '',
      '{broken',
      JSON.stringify({ id: 'b', text: 'Who is the integration commissioner responsible for Herne?' }),
      JSON.stringify({ id: 'c', text: 'x'.repeat(20_000) }),
      JSON.stringify({ id: 'd', text: 'Welches KI ist für Wenden zuständig?' }),
    ];
    const input = new PassThrough();
    const output = new PassThrough();
    let written = '';
    output.on('data', (c: Buffer) => (written += c.toString('utf8')));
    const done = processJsonLines(engine, input, output);
    input.end('\ufeff' + lines.join('\r\n') + '\n');
    await done;
    const out = written.split('\n');
    expect(out.pop()).toBe('');
    expect(out).toHaveLength(lines.length);
    const answers = out.map(parse);
    expect(answers.map((a) => a.id)).toEqual(['a', null, null, 'b', 'c', 'd']);
    expect(answers[0].intent).toBe('help');
    expect(answers[3]).toEqual(expect.objectContaining({ intent: 'contact.commissioner', authority: 'arnsberg' }));
    expect(answers[5]).toEqual(expect.objectContaining({ intent: 'contact.ki', authority: 'arnsberg' }));
  });

  it('keeps up with a large batch', async () => {
    const n = 5000;
    const input = new PassThrough();
    const output = new PassThrough();
    let count = 0;
    output.on('data', (c: Buffer) => (count += c.toString('utf8').split('\n').length - 1));
    const done = processJsonLines(engine, input, output);
    for (let i = 0; i < n; i++) input.write(JSON.stringify({ id: i, text: i % 2 ? 'Wer ist für Marl zuständig?' : 'Was macht eine IB?' }) + '\n');
    input.end();
    await done;
    await new Promise((r) => setImmediate(r));
    expect(count).toBe(n);
  });
});
