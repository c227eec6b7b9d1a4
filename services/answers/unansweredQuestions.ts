import { randomUUID } from 'node:crypto';
import type { AuthorityCode } from '../directory/model';
import type { DocumentStore } from '../storage/documentStore';
import { redactPersonalData } from './privacy';

/** How long an unanswered question is kept for the IB to review (issue: 90 days). */
export const UNANSWERED_RETENTION_DAYS = 90;

/** A question the engine could not answer, redacted, kept for the IB of the asker's authority. */
export interface UnansweredQuestion {
  id: string;
  /** The asker's authority, or 'unassigned' when unknown. */
  pk: AuthorityCode | 'unassigned';
  type: 'unansweredQuestion';
  /** Redacted text: third parties' data replaced, cut to 500 characters. No asker id is stored. */
  text: string;
  language: 'de' | 'en';
  askedAt: string;
  /** Deleted after this moment (purge job; Cosmos TTL as well where supported). */
  expiresAt: string;
  ttl: number;
}

/** The review list of unanswered questions in the `questions` container. */
export class UnansweredQuestions {
  constructor(private readonly store: DocumentStore<UnansweredQuestion>) {}

  async record(authority: AuthorityCode | undefined, text: string, language: 'de' | 'en', now: Date = new Date()): Promise<void> {
    const ttl = UNANSWERED_RETENTION_DAYS * 24 * 3600;
    await this.store.create({
      id: randomUUID(),
      pk: authority ?? 'unassigned',
      type: 'unansweredQuestion',
      text: redactPersonalData(text).replace(/\s+/g, ' ').trim().slice(0, 500),
      language,
      askedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
      ttl,
    });
  }

  /** The newest questions of one authority that are still within retention. */
  async list(authority: AuthorityCode, now: Date = new Date(), max = 20): Promise<UnansweredQuestion[]> {
    return this.store.query<UnansweredQuestion>(
      {
        query: 'SELECT * FROM c WHERE c.pk = @pk AND c.expiresAt > @now ORDER BY c.askedAt DESC',
        parameters: [{ name: '@pk', value: authority }, { name: '@now', value: now.toISOString() }],
      },
      { partitionKey: authority, maxItems: max },
    );
  }

  /** Deletes questions past retention (the embedded database has no TTL). Returns how many. */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    const expired = await this.store.query<{ id: string; pk: string }>({
      query: 'SELECT c.id, c.pk FROM c WHERE c.expiresAt <= @now',
      parameters: [{ name: '@now', value: now.toISOString() }],
    });
    let n = 0;
    for (const q of expired) if (await this.store.delete(q.pk, q.id)) n++;
    return n;
  }
}
