import { randomUUID } from 'node:crypto';
import type { AuthorityCode } from '../directory/model';
import type { DocumentStore } from '../storage/documentStore';
import type { Intent } from './intents';
import { findNamedPeople, findPersonalData } from './privacy';
import { FIRST_NAMES } from './privacyLexicon';

/** How long an unanswered question is kept for the IB to review (issue: 90 days). */
export const UNANSWERED_RETENTION_DAYS = 90;
/** At most this many keywords are kept of one question. */
export const MAX_KEYWORDS = 12;

/**
 * A question the engine could not answer, kept for the IB of the asker's authority as what the engine made of it
 * (the intent) and its keywords: never the text, never who asked.
 */
export interface UnansweredQuestion {
  id: string;
  /** The asker's authority, or 'unassigned' when unknown. */
  pk: AuthorityCode | 'unassigned';
  type: 'unansweredQuestion';
  /** The engine's intent for the question (`out_of_scope` for a question it could not place). */
  intent: Intent;
  /** Normalised keywords (see {@link questionKeywords}): lower case, sorted, no names, numbers or contact data. */
  keywords: string[];
  language: 'de' | 'en';
  askedAt: string;
  /** Deleted after this moment (purge job; Cosmos TTL as well where supported). */
  expiresAt: string;
  ttl: number;
  /** Stored verbatim (redacted) before keywords were introduced; never read, only turned into keywords. */
  text?: string;
}

// Function words and everyday verbs carry no topic; dropping them also keeps the list from reading like the question.
const STOPWORDS: ReadonlySet<string> = new Set(
  `
  aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei beim bin bis bitte bist da dabei
  damit dann das dass dein deine dem den denn der des dessen dich die dies diese diesem diesen dieser dieses dir doch
  dort du durch ein eine einem einen einer eines einmal er es etwa etwas euch euer eure für gab gibt ganz gar gegen
  geht gehen gern gerne gewesen habe haben hat hatte hätte hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer
  im immer in ins ist ja jede jedem jeden jeder jedes jetzt kann kannst kein keine keinem keinen keiner können könnte
  machen macht man mehr mein meine meinem meinen meiner mich mir mit möchte möchten muss müssen nach nein nicht nichts noch
  nun nur ob oder ohne schon sehr sein seine seinem seinen seiner seit sich sie sind so soll sollen sollte sonst über um
  und uns unser unsere unserem unseren unter viel vom von vor war waren warum was weil welche welchem welchen welcher
  welches wem wen wenn wer werde werden wie wieder will wir wird wo woher wohin wurde würde zu zum zur zwischen wann
  wozu womit wofür worum danke hallo guten tag frage fragen eigentlich bekomme bekommen
  herr herrn frau hr fr dr prof mr mrs ms miss
  about after all also and any are around because been before being but can could did does doing for from had has have
  having her here hers him his how into its just more most not now off once only other our out over please same she
  should some such than that the their them then there these they this those through too under until very was were
  what when where which while who whom why will with would you your yours hello thanks thank
  `
    .split(/\s+/)
    .filter(Boolean),
);

const URL = /\bhttps?:\/\/\S+|\bwww\.\S+/gi;
const WORD = /\p{L}+(?:-\p{L}+)*/gu;

/**
 * The keywords of a question, for the IB's review list: lower case, each once, sorted, at most {@link MAX_KEYWORDS},
 * without function words, numbers, links, named people (and first names), or anything the privacy guard finds
 * (contact data, birth dates, file numbers, special categories tied to a person). Never the text itself.
 */
export function questionKeywords(question: string): string[] {
  const text = question.slice(0, 2000);
  const blanks = [...findPersonalData(text), ...findNamedPeople(text)];
  let cleaned = '';
  let pos = 0;
  for (const b of blanks.sort((x, y) => x.start - y.start)) {
    if (b.end <= pos) continue;
    cleaned += text.slice(pos, Math.max(pos, b.start)) + ' ';
    pos = b.end;
  }
  cleaned = (cleaned + text.slice(pos)).replace(URL, ' ');
  const out = new Set<string>();
  for (const m of cleaned.matchAll(WORD)) {
    const word = m[0].toLocaleLowerCase('de-DE');
    if (word.length < 3 || word.length > 40 || STOPWORDS.has(word) || FIRST_NAMES.has(word)) continue;
    out.add(word);
  }
  return [...out].sort((a, b) => a.localeCompare(b, 'de')).slice(0, MAX_KEYWORDS);
}

/** The review list of unanswered questions in the `questions` container. */
export class UnansweredQuestions {
  constructor(private readonly store: DocumentStore<UnansweredQuestion>) {}

  /** Keeps the question's intent and keywords (never its text) for the IB of `authority`. */
  async record(authority: AuthorityCode | undefined, text: string, language: 'de' | 'en', now: Date = new Date(), intent: Intent = 'out_of_scope'): Promise<void> {
    const keywords = questionKeywords(text);
    if (keywords.length === 0) return;
    const ttl = UNANSWERED_RETENTION_DAYS * 24 * 3600;
    await this.store.create({
      id: randomUUID(),
      pk: authority ?? 'unassigned',
      type: 'unansweredQuestion',
      intent,
      keywords,
      language,
      askedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
      ttl,
    });
  }

  /** The newest questions of one authority that are still within retention, as intent and keywords. */
  async list(authority: AuthorityCode, now: Date = new Date(), max = 20): Promise<UnansweredQuestion[]> {
    const stored = await this.store.query<UnansweredQuestion>(
      {
        query: 'SELECT * FROM c WHERE c.pk = @pk AND c.expiresAt > @now ORDER BY c.askedAt DESC',
        parameters: [{ name: '@pk', value: authority }, { name: '@now', value: now.toISOString() }],
      },
      { partitionKey: authority, maxItems: max },
    );
    // Entries stored before keywords existed held a redacted text: shown as keywords too, the text never leaves.
    return stored.map(({ text, ...q }) => ({ ...q, intent: q.intent ?? 'out_of_scope', keywords: q.keywords ?? questionKeywords(text ?? '') }));
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
