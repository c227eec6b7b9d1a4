import { readFileSync } from 'node:fs';
import { compileKnowledge, ENGINE_ENTRIES, ENGINE_TEXTS, loadKnowledge, validateKnowledge, type Knowledge } from '../../../services/answers/knowledge';
import { INTENTS } from '../../../services/answers/intents';
import { dataFile } from '../../../services/paths';
import { tokenize } from '../../../services/text/normalize';

const shipped = (): Knowledge => JSON.parse(readFileSync(dataFile('knowledge.json'), 'utf8')) as Knowledge;

describe('the shipped knowledge base', () => {
  it('is valid', () => {
    const r = validateKnowledge(shipped());
    expect(r.ok ? [] : r.problems).toEqual([]);
    expect(() => loadKnowledge()).not.toThrow();
  });

  it('has German and English text with a citation of the decree for every informational answer', () => {
    for (const e of shipped().entries.filter((x) => x.intent.startsWith('info.'))) {
      expect(e.answer?.de).toBeTruthy();
      expect(e.answer?.en).toBeTruthy();
      expect(e.citation).toMatch(/^RdErl\. v\. 5\.12\.2023, Nr\. \d/);
    }
  });

  it('only uses the intents of the contract', () => {
    for (const e of shipped().entries) expect(INTENTS).toContain(e.intent);
  });

  it('provides every entry and text the engine needs', () => {
    const k = shipped();
    for (const id of ENGINE_ENTRIES) expect(k.entries.find((e) => e.id === id)?.answer).toBeDefined();
    for (const key of ENGINE_TEXTS) expect(k.texts[key]).toBeDefined();
  });

  it('calls the ministry "das für Integration zuständige Ministerium", not by a name that changes with governments', () => {
    const text = JSON.stringify(shipped().entries.map((e) => e.answer));
    expect(text).toContain('für Integration zuständige Ministerium');
    expect(text).not.toMatch(/MKJFGFI|MKFFI|Ministerium für Kinder/);
  });
});

describe('rejecting a bad knowledge file', () => {
  it('lists every problem with its path and reason', () => {
    const k = shipped() as unknown as Record<string, any>;
    k.entries[0].intent = 'contact.everyone';
    k.entries[1].id = k.entries[0].id;
    k.entries[2].triggers.push({ match: '@nonexistent', weight: 1 });
    k.entries[3].triggers.push({ match: 'a*b', weight: 1 });
    k.entries[3].triggers.push({ weight: 1 });
    k.concepts.ib.patterns.push('... ib');
    delete k.texts.askHome;
    k.texts.kfi.de = 'Das {kfiNmae} hilft.';
    const r = validateKnowledge(k);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const has = (path: string, reason: RegExp) => expect(r.problems).toContainEqual({ path, reason: expect.stringMatching(reason) });
    has('/entries/0/intent', /must be one of/);
    has('/entries/1/id', /already used by \/entries\/0/);
    has('/entries/2/triggers/' + (k.entries[2].triggers.length - 1) + '/match', /unknown concept @nonexistent/);
    has('/entries/3/triggers/' + (k.entries[3].triggers.length - 2) + '/match', /"\*" may only stand/);
    has('/entries/3/triggers/' + (k.entries[3].triggers.length - 1), /exactly one of "match" or "all"/);
    has('/concepts/ib/patterns/' + (k.concepts.ib.patterns.length - 1), /must start and end with a word/);
    has('/texts/askHome', /required by the engine/);
    has('/texts/kfi/de', /unknown placeholder \{kfiNmae\}/);
  });

  it('rejects a concept that refers to itself or to a later concept', () => {
    const k = shipped();
    k.concepts = { loop: { patterns: ['@loop'] }, ...k.concepts };
    const r = validateKnowledge(k);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.some((p) => p.path.startsWith('/concepts/loop'))).toBe(true);
  });

  it('never throws on junk', () => {
    for (const junk of [null, 1, 'x', [], {}]) expect(validateKnowledge(junk).ok).toBe(false);
  });
});

describe('extending the knowledge base without code', () => {
  it('lets a maintainer add a trigger phrase that changes the answer', () => {
    const k = shipped();
    const question = 'Wo finde ich die Ansprechstelle für Vielfaltsmanagement?';
    const engineWith = (kb: Knowledge) => compileKnowledge(kb);
    const before = engineWith(k);
    expect(before.entries.length).toBeGreaterThan(10);
    k.entries.find((e) => e.id === 'info.tasks')!.triggers.push({ match: 'vielfaltsmanagement', weight: 6 });
    expect(validateKnowledge(k).ok).toBe(true);
    const after = engineWith(k);
    const m = after.matcher.match(tokenize(question));
    const entry = after.entries.find((e) => e.entry.id === 'info.tasks')!;
    const score = entry.triggers.reduce((s, t) => (t.parts.every((p) => m.has(p)) ? s + t.weight : s), 0);
    expect(score).toBeGreaterThanOrEqual(6);
  });
});
