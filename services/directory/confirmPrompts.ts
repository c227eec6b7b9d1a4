/**
 * The confirmation prompt (issue 17, RdErl. v. 5.12.2023, Nr. 3: the IB's reachability must be current). A daily job
 * looks at every entry; once its last confirmation is older than DIRECTORY_CONFIRM_MONTHS, the IB gets a card in their
 * personal chat to confirm the entry (`directory.confirm`) or correct it. Unanswered, the card comes once more after
 * {@link REPEAT_AFTER_DAYS} days, and then no more: after that the entry says "eine Bestätigung steht aus" wherever it
 * is shown, and administrators see it in the tab.
 *
 * One write per prompt, the workflow shape: the authority's directory document takes the prompt's state
 * (`confirmPrompt`) and the notice that sends the card (`pending`) in one conditional write; the relay enqueues the card
 * afterwards under a key made of the entry, its confirmation date and the round. Two instances running the job at once
 * meet at the ETag (one writes, the other finds the round taken); a crash after the write leaves the notice to the
 * relay's sweep; relaying twice sends nothing twice. A confirmation or an edit moves `lastVerified` on, which starts
 * the count afresh.
 */
import type { OutgoingActivity, Recipient } from '../notifications/model';
import { berlinDate } from '../common/berlinTime';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import type { Logger } from '../logging';
import type { PendingNotice } from '../workflow/pending';
import type { RelaySource } from '../workflow/relay';
import { transact, type WorkflowWriter } from '../workflow/transaction';
import type { DirectoryDoc } from './directoryRepository';
import { addMonths, confirmationPending, DEFAULT_CONFIRM_MONTHS } from './freshness';
import { AUTHORITY_CODES, type Authority, type AuthorityCode } from './model';

/** The relay source of the directory's documents. */
export const DIRECTORY_SOURCE = 'directory';
/** The daily job's kind and its one key for all processes. */
export const CONFIRM_PROMPT_JOB = { kind: 'directory.confirmPrompt', key: 'directory:confirm-prompt' } as const;
/** The first run after `startMs`: the next 07:00 UTC (08:00 or 09:00 in Berlin), so a start reads nothing extra. */
export function nextPromptRun(startMs: number): Date {
  const day = new Date(startMs).toISOString().slice(0, 10);
  const today = Date.parse(`${day}T07:00:00Z`);
  return new Date(today > startMs ? today : today + 86_400_000);
}

/** An unanswered prompt comes once more after this many days. */
export const REPEAT_AFTER_DAYS = 14;
/** Prompts per confirmation period: the first and one repeat. */
export const MAX_ROUNDS = 2;
const NOTICE_KIND = 'directory.confirmPrompt';

/** The prompt's state in the authority's directory document (beside `data`, so imports and exports never see it). */
export interface ConfirmPromptState {
  /** The `lastVerified` the prompts are about; another date means a new period. */
  lastVerified: string;
  rounds: number;
  /** Berlin day of the last prompt. */
  lastSentOn: string;
}

export interface ConfirmPromptDeps {
  store: DocumentStore<DirectoryDoc>;
  writer: WorkflowWriter;
  months?: number;
  /** The card, in the recipient's language, for the stored entry. */
  render: (authority: Authority, lang: 'de' | 'en', round: number) => OutgoingActivity;
  outbox: { enqueue(request: { key: string; activity: OutgoingActivity; recipients: Recipient[] }): Promise<unknown> };
  /** The IB's language and tenant (from their profile); `undefined` tenant: the configured one. */
  recipient: (aadObjectId: string) => Promise<{ lang: 'de' | 'en'; tenantId: string | undefined }>;
  logger: Logger;
  now: () => Date;
}

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * Whether a prompt is owed for this entry today, and which round: pure, so the rule is tested without a database.
 */
export function promptRound(authority: Authority, state: ConfirmPromptState | undefined, today: string, months: number = DEFAULT_CONFIRM_MONTHS): number | undefined {
  const ib = authority.commissioner;
  if (!ib?.teams?.aadObjectId || !confirmationPending(ib.lastVerified, today, months)) return undefined;
  const current = state && state.lastVerified === ib.lastVerified ? state : undefined;
  if (!current) return 1;
  if (current.rounds >= MAX_ROUNDS) return undefined;
  return addDays(current.lastSentOn, REPEAT_AFTER_DAYS) <= today ? current.rounds + 1 : undefined;
}

export class ConfirmPrompts {
  constructor(private readonly deps: ConfirmPromptDeps) {}

  /** The job: one conditional write per entry that owes a prompt. Returns how many prompts were written. */
  async run(): Promise<{ next: Date; prompted: number }> {
    const now = this.deps.now();
    const today = berlinDate(now);
    let prompted = 0;
    for (const code of AUTHORITY_CODES) if (await this.promptOne(code, today)) prompted++;
    if (prompted) this.deps.logger.info({ event: 'directory.confirm_prompted', count: prompted }, 'confirmation prompts written');
    // Daily, at 08:00 Berlin time on the next day (07:00 UTC keeps it within office hours in summer and winter).
    const next = new Date(`${addDays(today, 1)}T07:00:00Z`);
    return { next, prompted };
  }

  private async promptOne(code: AuthorityCode, today: string): Promise<boolean> {
    const result = await transact<DirectoryDoc>(
      this.deps.store,
      'directory',
      `authority-${code}`,
      (current) => {
        if (current.kind !== 'authority') return { unchanged: true };
        const round = promptRound(current.data, current.confirmPrompt, today, this.deps.months);
        if (!round) return { unchanged: true };
        const ib = current.data.commissioner!;
        const notice: PendingNotice = {
          key: `directory:authority-${code}:confirm:${ib.lastVerified}:${round}`,
          kind: NOTICE_KIND,
          to: [ib.teams!.aadObjectId],
          data: { round },
          rev: round,
        };
        return { next: { ...current, confirmPrompt: { lastVerified: ib.lastVerified, rounds: round, lastSentOn: today } }, notices: [notice] };
      },
      this.deps.writer,
    );
    return result.kind === 'written';
  }

  /** What the relay calls with the notices a directory document carries: the card to the IB, in their language. */
  relaySource(): RelaySource<DirectoryDoc> {
    return {
      name: DIRECTORY_SOURCE,
      store: this.deps.store,
      deliver: async (doc: Versioned<DirectoryDoc>, notices: PendingNotice[]) => {
        for (const n of notices) {
          if (n.kind !== NOTICE_KIND || doc.kind !== 'authority' || !n.to?.length) continue;
          const to = n.to[0];
          // The card shows the entry as stored now; an entry confirmed meanwhile needs no prompt any more.
          const ib = doc.data.commissioner;
          if (!ib || ib.teams?.aadObjectId.toLowerCase() !== to.toLowerCase() || !confirmationPending(ib.lastVerified, berlinDate(this.deps.now()), this.deps.months)) continue;
          const { lang, tenantId } = await this.deps.recipient(to);
          if (!tenantId) {
            this.deps.logger.warn({ event: 'directory.confirm_prompt_no_tenant', authority: doc.data.code }, 'no tenant known for the IB: prompt not sent');
            continue;
          }
          await this.deps.outbox.enqueue({ key: n.key, activity: this.deps.render(doc.data, lang, Number(n.data?.round ?? 1)), recipients: [{ user: { aadObjectId: to, tenantId } }] });
        }
      },
    };
  }
}

/** The day an entry's confirmation falls due (for texts), re-exported for the card. */
export const confirmationDue = (lastVerified: string, months: number = DEFAULT_CONFIRM_MONTHS) => addMonths(lastVerified, months);
