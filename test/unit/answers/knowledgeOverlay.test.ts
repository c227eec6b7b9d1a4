import { loadDefaultEngine, type AnswerEngine } from '../../../services/answers/engine';
import {
  citationOf,
  compileOverlay,
  validateOverlayInput,
  withOverlay,
  type OverlayContent,
  type PublishedEntry,
} from '../../../services/answers/knowledgeOverlay';
import { KnowledgeOverlayStore, type OverlayEntryDoc } from '../../../services/answers/knowledgeOverlayStore';
import { LiveAnswers } from '../../../services/answers/liveAnswers';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const NOW = new Date('2026-11-24T09:00:00Z');
const QUESTION = 'Wie beantrage ich ein Jobticket?';
const content = (over: Partial<OverlayContent> = {}): OverlayContent => ({
  intent: 'info.organisation',
  triggers: ['jobticket*'],
  answer: { de: 'Das Jobticket beantragen Sie im Personalportal.', en: 'Apply for the job ticket in the staff portal.' },
  source: 'rderl:4',
  ...over,
});
const entry = (scope: PublishedEntry['scope'], over: Partial<OverlayContent> = {}, key = 'kb-reise'): PublishedEntry => ({
  key,
  scope,
  version: { ...content(over), version: 1, publishedBy: 'ib', publishedAt: NOW.toISOString() },
});

describe('the knowledge overlay', () => {
  let engine: AnswerEngine;
  beforeAll(() => {
    engine = loadDefaultEngine();
  });

  it('leaves the question unanswered without an entry (the starting point of the other tests)', () => {
    const base = engine.answer({ text: QUESTION, homeAuthority: 'duesseldorf', now: NOW });
    expect({ intent: base.intent, source: base.source }).toEqual({ intent: 'out_of_scope', source: 'oos.generic' });
  });

  it('answers with a published entry of the asker\'s authority, citing its source, in the asker\'s language', () => {
    const merged = withOverlay(engine, compileOverlay([entry('duesseldorf')], 'r1'));
    const de = merged.answer({ text: QUESTION, homeAuthority: 'duesseldorf', now: NOW });
    expect({ intent: de.intent, text: de.text, citation: de.citation }).toEqual({
      intent: 'info.organisation',
      text: 'Das Jobticket beantragen Sie im Personalportal.',
      citation: 'RdErl. v. 5.12.2023, Nr. 4',
    });
    const en = merged.answer({ text: 'Where can I get a Jobticket?', homeAuthority: 'duesseldorf', now: NOW });
    expect(en.text).toBe('Apply for the job ticket in the staff portal.');
  });

  it('lays a taught answer out as a plain one when plain language is asked for: a sentence per line, the closing line', () => {
    const two = { de: 'Das Jobticket beantragen Sie im Personalportal. Fragen beantwortet die Personalstelle.', en: 'Apply in the staff portal. The personnel office answers questions.' };
    const merged = withOverlay(engine, compileOverlay([entry('duesseldorf', { answer: two })], 'r1p'));
    const shippedPlain = engine.answer({ text: 'Wer ist für Marl zuständig?', homeAuthority: 'duesseldorf', now: NOW, plain: true });
    const closing = shippedPlain.text.split('\n').at(-1);
    const de = merged.answer({ text: QUESTION, homeAuthority: 'duesseldorf', now: NOW, plain: true });
    expect(de.text).toBe(`Das Jobticket beantragen Sie im Personalportal.\nFragen beantwortet die Personalstelle.\n${closing}`);
    expect(de.plain).toBe(true);
    // Not asked for: as the IB wrote it.
    expect(merged.answer({ text: QUESTION, homeAuthority: 'duesseldorf', now: NOW }).text).toBe(two.de);
  });

  it('answers only questions resolved to the entry\'s authority: not Köln\'s, not those without an authority', () => {
    const merged = withOverlay(engine, compileOverlay([entry('duesseldorf')], 'r1'));
    expect(merged.answer({ text: QUESTION, homeAuthority: 'koeln', now: NOW }).source).toBe('oos.generic');
    expect(merged.answer({ text: QUESTION, now: NOW }).source).toBe('oos.generic');
  });

  it('answers everyone with an entry for all authorities, and prefers the authority\'s own entry to it', () => {
    const all = entry('all', { answer: { de: 'Für alle.', en: 'For all.' } }, 'kb-all');
    const merged = withOverlay(engine, compileOverlay([all, entry('duesseldorf')], 'r2'));
    expect(merged.answer({ text: QUESTION, homeAuthority: 'koeln', now: NOW }).text).toBe('Für alle.');
    expect(merged.answer({ text: QUESTION, homeAuthority: 'duesseldorf', now: NOW }).text).toBe('Das Jobticket beantragen Sie im Personalportal.');
  });

  it('corrects a shipped answer for one authority only', () => {
    const fix = entry('muenster', { intent: 'info.tasks', corrects: 'info.tasks', triggers: [], answer: { de: 'Korrigiert.', en: 'Corrected.' }, source: 'rderl:5b' }, 'fix-tasks');
    const merged = withOverlay(engine, compileOverlay([fix], 'r3'));
    const question = 'Was macht die Integrationsbeauftragte?';
    const shipped = engine.answer({ text: question, homeAuthority: 'muenster', now: NOW });
    expect(shipped.source).toBe('info.tasks');
    expect(merged.answer({ text: question, homeAuthority: 'muenster', now: NOW })).toMatchObject({ text: 'Korrigiert.', citation: 'RdErl. v. 5.12.2023, Nr. 5 b' });
    expect(merged.answer({ text: question, homeAuthority: 'arnsberg', now: NOW }).text).toBe(shipped.text);
  });

  it('never replaces a contact answer or a privacy warning', () => {
    const greedy = entry('all', { triggers: ['marl', 'diabetes', 'zuständig'] }, 'kb-greedy');
    const merged = withOverlay(engine, compileOverlay([greedy], 'r4'));
    expect(merged.answer({ text: 'Wer ist für Marl zuständig?', now: NOW }).intent).toBe('contact.commissioner');
    expect(merged.answer({ text: 'Frau Meier (geb. 01.02.1980) hat Diabetes, wen frage ich?', now: NOW }).intent).toBe('privacy.warning');
  });

  it('is the engine itself when nothing is published, and keeps the overlay over a new directory', () => {
    expect(withOverlay(engine, compileOverlay([], 'kb:0'))).toBe(engine);
    const merged = withOverlay(engine, compileOverlay([entry('duesseldorf')], 'r5'));
    const again = merged.withDirectory(engine.directory);
    expect(again.answer({ text: QUESTION, homeAuthority: 'duesseldorf', now: NOW }).intent).toBe('info.organisation');
    expect(merged.knowledgeVersion).toContain('r5');
  });

  it('cites a directory field in the answer\'s language', () => {
    expect(citationOf('directory:officeHours', 'de')).toBe('Verzeichnis der IB: Sprechzeiten');
    expect(citationOf('directory:officeHours', 'en')).toBe('Directory of the IB: office hours');
    expect(citationOf('rderl:6', 'de')).toBe('RdErl. v. 5.12.2023, Nr. 6');
  });
});

describe('checking an entry before it is published', () => {
  const good = { scope: 'duesseldorf', intent: 'info.tasks', triggers: 'dienstreise*\nreisekosten', answerDe: 'Text.', answerEn: 'Text.', source: 'rderl:5b' };

  it('accepts a complete entry and keeps one trigger per line', () => {
    const r = validateOverlayInput(good);
    expect(r.ok && r.content.triggers).toEqual(['dienstreise*', 'reisekosten']);
  });

  it('names the line and the reason of a trigger that does not compile, at the triggers field', () => {
    const r = validateOverlayInput({ ...good, triggers: 'reisekosten\n@unbekannt' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual([expect.objectContaining({ field: 'triggers', code: 'bad_pattern', line: 2, reason: expect.stringContaining('@unbekannt') })]);
  });

  it('refuses personal data of third parties in an answer (a name with health data) at its field', () => {
    const r = validateOverlayInput({ ...good, answerDe: 'Frau Erika Meier ist an Diabetes erkrankt und fragt nach Hilfe.' });
    expect(!r.ok && r.problems).toEqual([expect.objectContaining({ field: 'answerDe', code: 'personal_data', kinds: expect.arrayContaining(['health']) })]);
  });

  it.each([
    ['an unknown scope', { scope: 'bonn' }, 'scope', 'unknown_value'],
    ['no German answer', { answerDe: '  ' }, 'answerDe', 'missing'],
    ['an English answer too long', { answerEn: 'x'.repeat(2001) }, 'answerEn', 'too_long'],
    ['an unknown source', { source: 'rderl:9' }, 'source', 'unknown_value'],
    ['an intent a taught entry may not take', { intent: 'contact.commissioner' }, 'intent', 'unknown_value'],
    ['a new topic without triggers', { triggers: '' }, 'triggers', 'missing'],
    ['eleven triggers', { triggers: Array.from({ length: 11 }, (_, i) => `wort${i}`).join('\n') }, 'triggers', 'too_many'],
  ])('refuses %s', (_name, change, field, code) => {
    const r = validateOverlayInput({ ...good, ...change });
    expect(!r.ok && r.problems).toEqual([expect.objectContaining({ field, code })]);
  });
});

describe('versions of an entry', () => {
  const actor = '00000000-0000-4000-8000-000300000001';
  let store: KnowledgeOverlayStore;
  let docs: MemoryDocumentStore<OverlayEntryDoc>;
  beforeEach(() => {
    docs = new MemoryDocumentStore<OverlayEntryDoc>();
    store = new KnowledgeOverlayStore(docs);
  });

  it('keeps every published version with who and when, and rolls back as a new version', async () => {
    const first = await store.publish('duesseldorf', 'kb-reise', content(), actor, NOW);
    const later = new Date(NOW.getTime() + 3600_000);
    await store.publish('duesseldorf', 'kb-reise', content({ answer: { de: 'Zweite.', en: 'Second.' } }), actor, later);
    expect(first.ok).toBe(true);
    expect((await store.published())[0].version).toMatchObject({ version: 2, answer: { de: 'Zweite.' } });
    const back = await store.rollback('duesseldorf', 'kb-reise', 1, actor, new Date(later.getTime() + 1000));
    expect(back.ok && back.entry.version).toMatchObject({ version: 3, rolledBackFrom: 1, answer: { de: 'Das Jobticket beantragen Sie im Personalportal.' } });
    const doc = await store.get('duesseldorf', 'kb-reise');
    expect(doc?.versions.map((v) => [v.version, v.publishedBy, v.publishedAt, !!v.replacedAt])).toEqual([
      [1, actor, NOW.toISOString(), true],
      [2, actor, later.toISOString(), true],
      [3, actor, new Date(later.getTime() + 1000).toISOString(), false],
    ]);
  });

  it('refuses to roll back to a version that does not exist, or an entry of another scope', async () => {
    await store.publish('duesseldorf', 'kb-reise', content(), actor, NOW);
    expect(await store.rollback('duesseldorf', 'kb-reise', 7, actor, NOW)).toEqual({ ok: false, code: 'not_found' });
    expect(await store.rollback('koeln', 'kb-reise', 1, actor, NOW)).toEqual({ ok: false, code: 'not_found' });
  });

  it('moves the revision with every publish, so other instances reload', async () => {
    const empty = await store.revision();
    await store.publish('duesseldorf', 'kb-reise', content(), actor, NOW);
    const one = await store.revision();
    await store.publish('duesseldorf', 'kb-reise', content(), actor, NOW);
    expect(new Set([empty, one, await store.revision()]).size).toBe(3);
  });

  it('deletes versions replaced longer ago than the retention, never the current one', async () => {
    await store.publish('duesseldorf', 'kb-reise', content(), actor, NOW);
    await store.publish('duesseldorf', 'kb-reise', content(), actor, NOW);
    expect(await store.purgeExpired(new Date(NOW.getTime() + 729 * 86_400_000))).toBe(0);
    expect(await store.purgeExpired(new Date(NOW.getTime() + 731 * 86_400_000))).toBe(1);
    expect((await store.get('duesseldorf', 'kb-reise'))?.versions.map((v) => v.version)).toEqual([2]);
  });

  it('reaches a second instance over the same database on its next refresh, without a restart', async () => {
    const engine = loadDefaultEngine();
    const directorySource = { load: async () => engine.directory, revision: async () => 'd1' };
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;
    const a = new LiveAnswers(engine, directorySource, quiet, store);
    const b = new LiveAnswers(engine, directorySource, quiet, new KnowledgeOverlayStore(docs));
    await Promise.all([a.refresh(true), b.refresh(true)]);
    await store.publish('duesseldorf', 'kb-reise', content(), actor, NOW);
    expect(b.engine.answer({ text: QUESTION, homeAuthority: 'duesseldorf', now: NOW }).source).toBe('oos.generic');
    expect(await b.refresh()).toBe(true);
    expect(b.engine.answer({ text: QUESTION, homeAuthority: 'duesseldorf', now: NOW }).source).toBe('kb:duesseldorf:kb-reise:v1');
    expect(await b.refresh()).toBe(false);
  });
});
