/**
 * Aggregated figures of the questions people ask (issue 18): how many per week by intent and authority, how many were
 * answered, which intents stay unanswered. Counts only: no question text, no user id, nothing per person. A group
 * of fewer than {@link K_ANONYMITY} questions shows no figure ("< 5").
 */
import { berlinDate } from '../common/berlinTime';
import { updateWithRetry } from '../common/etagRetry';
import { AUTHORITY_CODES, type AuthorityCode } from '../directory/model';
import type { Logger } from '../logging';
import type { DocumentStore } from '../storage/documentStore';
import { INTENTS, type Intent } from './intents';

/** No figure for a group of fewer questions than this. */
export const K_ANONYMITY = 5;
/** Weekly counts are deleted this long after their week (purge; Cosmos `ttl` as a backstop). */
export const FIGURES_RETENTION_DAYS = 730;
/** Weeks the tab shows. */
export const FIGURES_WEEKS = 8;

export type CountScope = AuthorityCode | 'unassigned';

/** One week's counts of one authority in the `figures` container (id = the week, pk = the authority). */
export interface WeekCountsDoc {
  id: string;
  pk: CountScope;
  type: 'weekCounts';
  /** ISO week, "2026-W48" (Monday to Sunday, Europe/Berlin). */
  week: string;
  /** Its Monday, YYYY-MM-DD. */
  monday: string;
  /** Per intent: questions asked and questions answered. */
  counts: Partial<Record<Intent, { asked: number; answered: number }>>;
  expiresAt: string;
  ttl: number;
}

/** The Monday (YYYY-MM-DD) and ISO week ("2026-W49") of a moment, in Berlin. */
export function isoWeekOf(at: Date): { week: string; monday: string } {
  const day = berlinDate(at);
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  const monday = new Date(d.getTime() - weekday * 86_400_000);
  const thursday = new Date(monday.getTime() + 3 * 86_400_000);
  const year = thursday.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  const firstMonday = new Date(firstThursday.getTime() - ((firstThursday.getUTCDay() + 6) % 7) * 86_400_000);
  const n = Math.round((monday.getTime() - firstMonday.getTime()) / (7 * 86_400_000)) + 1;
  return { week: `${year}-W${String(n).padStart(2, '0')}`, monday: monday.toISOString().slice(0, 10) };
}

/**
 * Counts questions in memory and adds them to the weekly documents every flush (one ETag-guarded write per week and
 * authority that had questions, whatever the number of questions): no database write on the answer path. A process
 * killed between flushes loses the counts of that interval, never more (figures, not records).
 */
export class QuestionCounter {
  private pending = new Map<string, { pk: CountScope; week: string; monday: string; counts: Map<Intent, { asked: number; answered: number }> }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: DocumentStore<WeekCountsDoc>,
    private readonly logger?: Logger,
  ) {}

  /** One question: the authority it was resolved to (or the asker's), its intent, whether the Lotse answered it. */
  count(authority: AuthorityCode | null | undefined, intent: Intent, answered: boolean, at: Date): void {
    const pk: CountScope = authority ?? 'unassigned';
    const { week, monday } = isoWeekOf(at);
    const key = `${pk}|${week}`;
    let bucket = this.pending.get(key);
    if (!bucket) this.pending.set(key, (bucket = { pk, week, monday, counts: new Map() }));
    const c = bucket.counts.get(intent) ?? { asked: 0, answered: 0 };
    c.asked += 1;
    if (answered) c.answered += 1;
    bucket.counts.set(intent, c);
  }

  /** Adds what was counted since the last flush to the stored weeks. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    const buckets = [...this.pending.values()];
    this.pending = new Map();
    for (const b of buckets) {
      try {
        await updateWithRetry(this.store, b.pk, b.week, (doc) => {
          const counts: WeekCountsDoc['counts'] = { ...(doc?.counts ?? {}) };
          for (const [intent, c] of b.counts) {
            const prev = counts[intent] ?? { asked: 0, answered: 0 };
            counts[intent] = { asked: prev.asked + c.asked, answered: prev.answered + c.answered };
          }
          const ttl = FIGURES_RETENTION_DAYS * 86_400 + 7 * 86_400;
          return {
            id: b.week,
            pk: b.pk,
            type: 'weekCounts' as const,
            week: b.week,
            monday: b.monday,
            counts,
            expiresAt: new Date(Date.parse(`${b.monday}T00:00:00Z`) + ttl * 1000).toISOString(),
            ttl,
          };
        }, 20);
      } catch (err) {
        this.logger?.warn({ event: 'figures.flush_failed', code: (err as Error)?.name }, 'question counts could not be stored');
      }
    }
  }

  /** Flushes every `intervalMs` until `stop()`. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and stores what is still counted. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}

/** A figure, or none: `{ lt: 5 }` for a group of 1 to 4 questions. */
export type Cell = { n: number } | { lt: typeof K_ANONYMITY };

/** k-anonymity of one count: 0 and 5 or more are shown, 1 to 4 are not. */
export function protect(n: number): Cell {
  return n > 0 && n < K_ANONYMITY ? { lt: K_ANONYMITY } : { n };
}

/**
 * Cells of one breakdown whose total is shown: the small groups are withheld, and when exactly one would be withheld,
 * the next smallest too (else the total minus the others gives it away).
 */
export function protectBreakdown(counts: number[]): Cell[] {
  const cells = counts.map(protect);
  const hidden = cells.filter((c) => 'lt' in c).length;
  if (hidden === 1) {
    let smallest = -1;
    counts.forEach((n, i) => {
      if ('n' in cells[i] && n > 0 && (smallest < 0 || n < counts[smallest])) smallest = i;
    });
    if (smallest >= 0) cells[smallest] = { lt: K_ANONYMITY };
  }
  return cells;
}

/** A share in whole per cent, only where both parts are 0 or at least 5 questions. */
export function protectShare(answered: number, asked: number): { percent: number } | { lt: typeof K_ANONYMITY } {
  const unanswered = asked - answered;
  if (asked < K_ANONYMITY || 'lt' in protect(answered) || 'lt' in protect(unanswered)) return { lt: K_ANONYMITY };
  return { percent: Math.round((answered / asked) * 100) };
}

/** The figures of one week. */
export interface WeekFigures {
  week: string;
  monday: string;
  asked: Cell;
  answeredShare: { percent: number } | { lt: typeof K_ANONYMITY };
  byIntent: Array<{ intent: Intent; asked: Cell }>;
  /** The KfI's view only (every authority). */
  byAuthority?: Array<{ authority: CountScope; asked: Cell }>;
}

/** What the tab shows. */
export interface FiguresView {
  scopes: CountScope[];
  weeks: WeekFigures[];
  /** Intents of questions left unanswered over all weeks shown, most frequent first. */
  topUnanswered: Array<{ intent: Intent; unanswered: Cell }>;
}

/**
 * The figures of some authorities over the last {@link FIGURES_WEEKS} weeks (pure): totals and breakdowns
 * protected by {@link protectBreakdown}; groups without any question are left out.
 */
export function aggregateFigures(docs: readonly WeekCountsDoc[], scopes: readonly CountScope[], now: Date, weeks = FIGURES_WEEKS): FiguresView {
  const thisWeek = isoWeekOf(now);
  const mondays = Array.from({ length: weeks }, (_, i) => isoWeekOf(new Date(Date.parse(`${thisWeek.monday}T12:00:00Z`) - i * 7 * 86_400_000)));
  const perAuthority = scopes.length > 1;
  const unanswered = new Map<Intent, number>();
  const out: WeekFigures[] = [];
  for (const { week, monday } of mondays) {
    const ofWeek = docs.filter((d) => d.week === week && scopes.includes(d.pk));
    const byIntent = new Map<Intent, number>();
    const byAuthority = new Map<CountScope, number>();
    let asked = 0;
    let answered = 0;
    for (const d of ofWeek) {
      for (const [intent, c] of Object.entries(d.counts) as Array<[Intent, { asked: number; answered: number }]>) {
        byIntent.set(intent, (byIntent.get(intent) ?? 0) + c.asked);
        byAuthority.set(d.pk, (byAuthority.get(d.pk) ?? 0) + c.asked);
        unanswered.set(intent, (unanswered.get(intent) ?? 0) + c.asked - c.answered);
        asked += c.asked;
        answered += c.answered;
      }
    }
    const intents = INTENTS.filter((i) => (byIntent.get(i) ?? 0) > 0);
    const intentCells = protectBreakdown(intents.map((i) => byIntent.get(i) ?? 0));
    const authorities = [...AUTHORITY_CODES, 'unassigned' as const].filter((a) => (byAuthority.get(a) ?? 0) > 0);
    const authorityCells = protectBreakdown(authorities.map((a) => byAuthority.get(a) ?? 0));
    out.push({
      week,
      monday,
      asked: protect(asked),
      answeredShare: protectShare(answered, asked),
      byIntent: intents.map((intent, i) => ({ intent, asked: intentCells[i] })),
      ...(perAuthority ? { byAuthority: authorities.map((authority, i) => ({ authority, asked: authorityCells[i] })) } : {}),
    });
  }
  const top = [...unanswered.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  // Top intents are not a breakdown of a total shown, so each group is protected on its own.
  return { scopes: [...scopes], weeks: out, topUnanswered: top.slice(0, 5).map(([intent, n]) => ({ intent, unanswered: protect(n) })) };
}

/** Reads the weekly counts. */
export class FiguresReader {
  constructor(private readonly store: DocumentStore<WeekCountsDoc>) {}

  async figures(scopes: readonly CountScope[], now: Date, weeks = FIGURES_WEEKS): Promise<FiguresView> {
    const from = isoWeekOf(new Date(now.getTime() - weeks * 7 * 86_400_000)).monday;
    const docs = (
      await Promise.all(
        scopes.map((pk) =>
          this.store.query<WeekCountsDoc>(
            {
              query: 'SELECT * FROM c WHERE c.pk = @pk AND c.type = @type AND c.monday >= @from',
              parameters: [{ name: '@pk', value: pk }, { name: '@type', value: 'weekCounts' }, { name: '@from', value: from }],
            },
            { partitionKey: pk },
          ),
        ),
      )
    ).flat();
    return aggregateFigures(docs, scopes, now, weeks);
  }

  /** Deletes weeks past retention (the embedded database has no TTL). Returns how many. */
  async purgeExpired(now: Date): Promise<number> {
    const expired = await this.store.query<{ id: string; pk: string }>({
      query: 'SELECT c.id, c.pk FROM c WHERE c.type = @type AND c.expiresAt <= @now',
      parameters: [{ name: '@type', value: 'weekCounts' }, { name: '@now', value: now.toISOString() }],
    });
    let n = 0;
    for (const d of expired) if (await this.store.delete(d.pk, d.id)) n++;
    return n;
  }
}
