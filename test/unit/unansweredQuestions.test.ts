import { UnansweredQuestions, type UnansweredQuestion } from '../../services/answers/unansweredQuestions';
import type { DocumentStore } from '../../services/storage/documentStore';
import { MemoryDocumentStore } from '../support/memoryDocumentStore';

describe('unanswered questions', () => {
  const now = new Date('2026-11-24T10:00:00Z');

  it('stores the question redacted, without who asked, and lists it for the authority', async () => {
    const store = new MemoryDocumentStore<UnansweredQuestion>() as unknown as DocumentStore<UnansweredQuestion>;
    const questions = new UnansweredQuestions(store);
    await questions.record('koeln', 'Wie geht das? Ruf mich an unter 0221 1234567 oder mail an x.y@example.org', 'de', now);
    const [q] = await questions.list('koeln', now);
    expect(q.text).toContain('Wie geht das?');
    expect(q.text).not.toContain('1234567');
    expect(q.text).not.toContain('x.y@example.org');
    expect(Object.keys(q).sort()).toEqual(['askedAt', 'etag', 'expiresAt', 'id', 'language', 'pk', 'text', 'ttl', 'type']);
    expect(await questions.list('muenster', now)).toEqual([]);
  });

  it('deletes questions after 90 days', async () => {
    const store = new MemoryDocumentStore<UnansweredQuestion>() as unknown as DocumentStore<UnansweredQuestion>;
    const questions = new UnansweredQuestions(store);
    await questions.record(undefined, 'Alte Frage', 'de', now);
    const later = new Date(now.getTime() + 91 * 24 * 3600 * 1000);
    expect(await questions.list('koeln', later)).toEqual([]);
    expect(await questions.purgeExpired(new Date(now.getTime() + 89 * 24 * 3600 * 1000))).toBe(0);
    expect(await questions.purgeExpired(later)).toBe(1);
  });
});
