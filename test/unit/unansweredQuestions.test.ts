import { questionKeywords, UnansweredQuestions, type UnansweredQuestion } from '../../services/answers/unansweredQuestions';
import type { DocumentStore } from '../../services/storage/documentStore';
import { MemoryDocumentStore } from '../support/memoryDocumentStore';

describe('unanswered questions', () => {
  const now = new Date('2026-11-24T10:00:00Z');
  const newStore = () => new MemoryDocumentStore<UnansweredQuestion>() as unknown as DocumentStore<UnansweredQuestion>;

  it('stores only the intent and normalised keywords, never the text or who asked, and lists them for the authority', async () => {
    const store = newStore();
    const questions = new UnansweredQuestions(store);
    await questions.record('koeln', 'Wie beantrage ich bei Frau Schneider einen Dienstwagen? Ruf mich an unter 0221 1234567 oder mail an x.y@example.org', 'de', now, 'out_of_scope');
    const [q] = await questions.list('koeln', now);
    expect(q).toMatchObject({ intent: 'out_of_scope', keywords: ['beantrage', 'dienstwagen', 'mail', 'ruf'], language: 'de' });
    expect(Object.keys(q).sort()).toEqual(['askedAt', 'etag', 'expiresAt', 'id', 'intent', 'keywords', 'language', 'pk', 'ttl', 'type']);
    const raw = JSON.stringify(await store.query({ query: 'SELECT * FROM c' }));
    for (const secret of ['Schneider', '1234567', 'x.y@example.org', 'Wie beantrage ich']) expect(raw).not.toContain(secret);
    expect(await questions.list('muenster', now)).toEqual([]);
  });

  it('shows an entry stored as text before keywords existed as keywords only', async () => {
    const store = newStore();
    await store.create({ id: 'old', pk: 'koeln', type: 'unansweredQuestion', text: 'Gibt es Gebetsräume in der Dienststelle?', language: 'de', askedAt: now.toISOString(), expiresAt: new Date(now.getTime() + 86_400_000).toISOString(), ttl: 86_400 } as unknown as UnansweredQuestion);
    const [q] = await new UnansweredQuestions(store).list('koeln', now);
    expect(q.keywords).toEqual(['dienststelle', 'gebetsräume']);
    expect(q.intent).toBe('out_of_scope');
    expect(q).not.toHaveProperty('text');
  });

  it('deletes questions after 90 days', async () => {
    const store = newStore();
    const questions = new UnansweredQuestions(store);
    await questions.record(undefined, 'Alte Frage zum Dienstwagen', 'de', now);
    const later = new Date(now.getTime() + 91 * 24 * 3600 * 1000);
    expect(await questions.list('koeln', later)).toEqual([]);
    expect(await questions.purgeExpired(new Date(now.getTime() + 89 * 24 * 3600 * 1000))).toBe(0);
    expect(await questions.purgeExpired(later)).toBe(1);
  });
});

describe('the keywords of a question', () => {
  it.each<[string, string[]]>([
    ['Wie beantrage ich Sonderurlaub für das Zuckerfest?', ['beantrage', 'sonderurlaub', 'zuckerfest']],
    ['Wie beantrage ich einen Dienstwagen für die Dienstreise?', ['beantrage', 'dienstreise', 'dienstwagen']],
    ['Kann Herr Dr. Ahmad K. den Dienstwagen nutzen?', ['dienstwagen', 'nutzen']],
    ['Fatima Khan fragt nach Parkplätzen', ['fragt', 'parkplätzen']],
    ['What about parking at the office, see https://example.org/x?a=1', ['office', 'parking', 'see']],
    ['Az. 12-34/2024: Termin 12.03.2025 um 10 Uhr in Raum 1.234', ['raum', 'termin', 'uhr']],
  ])('"%s" → %j', (text, keywords) => {
    expect(questionKeywords(text)).toEqual(keywords);
  });

  it('keeps at most 12, each once', () => {
    const many = Array.from({ length: 30 }, (_, i) => `Stichwort${String.fromCharCode(97 + (i % 26))}${i >= 26 ? 'x' : ''}`).join(' ');
    const keywords = questionKeywords(`${many} ${many}`);
    expect(keywords).toHaveLength(12);
    expect(new Set(keywords).size).toBe(12);
  });
});
