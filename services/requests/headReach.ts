/**
 * A Vortrag whose head cannot be reached in Teams (RdErl. Nr. 4: the IB's direct right to report must not end in a
 * chat nobody reads). When the delivery of the head's card settles, the item records it (`headReach`, a trail entry),
 * in one ETag write with what it owes: when the head was not reached, a message to the IB at once, in the IB's
 * language, saying why and where the report went instead, and, where that is the fallback, the e-mail to the head.
 *
 * The fallback: the head's office, when staff of the office received the report as well and their card was not
 * refused (RdErl. Nr. 4: reports are registered there); otherwise an e-mail through Graph `sendMail` to the head's
 * directory address, when Graph's `mail` feature is on and a sender mailbox is configured; otherwise the IB is asked to
 * inform the head another way. Office staff who do not receive reports (`receivesReports: false`) may not see the
 * item (need to know), so the bot does not send it to them on its own.
 *
 * The revision stays as it is: the head's card (and its buttons) stay current; nothing else on the item changed.
 *
 * Two ways lead here, and both end in the same ETag write (whichever comes second changes nothing): the listener
 * (`headReachListener`, in the process that sent the card, about a second after its delivery settled) and, because a
 * process may die in that second, a job per Vortrag (`headReachCheck`, `requests.headReach`) that rides in the
 * Vortrag's first write like its reminder: it looks 15 s after the registration and, while the card is still on its
 * way, again later (a quarter of the Vortrag's age, at most every 15 minutes, for three days).
 */
import type { Authority, Directory } from '../directory/model';
import type { Logger } from '../logging';
import type { DeliveryReport, DeliveryReports, RecipientReach } from '../notifications/reach';
import type { DocumentStore } from '../storage/documentStore';
import type { JobHandler } from '../scheduling/scheduler';
import type { PendingNotice } from '../workflow/pending';
import { transact, type WorkflowWriter } from '../workflow/transaction';
import type { HeadReach, HeadUnreachableReason, ItemDoc, TrailEntry } from './model';
import { cardKey, HEAD_REACH_FIRST_CHECK_MS, NOTICE_KINDS } from './notifications';

/** The head's card of a report: `item:vtr-<uuid>:card:<aad>`. */
const REPORT_CARD = /^item:(vtr-[^:]+):card:([^:]+)$/;

/** The notifications the listener is registered for: a report's cards (no report is read for any other item notification). */
export const HEAD_REACH_KEYS = REPORT_CARD;

/** While the card is on its way, the job looks again after a quarter of the Vortrag's age, at most this long. */
const HEAD_REACH_RECHECK_MAX_MS = 15 * 60_000;
/** A card still on its way after this long (say, Teams throttled for days) is left to the listener. */
const HEAD_REACH_GIVE_UP_MS = 3 * 86_400_000;

export interface HeadReachDeps {
  store: DocumentStore<ItemDoc>;
  directory: () => Directory;
  reports: Pick<DeliveryReports, 'report'>;
  /** Whether the e-mail fallback is available now (Graph's `mail` feature granted and a sender mailbox configured). */
  mailAvailable: () => Promise<boolean>;
  writer: WorkflowWriter;
  logger: Logger;
  now: () => Date;
}

/** What the IB is told and the trail records when the head was not reached. */
export interface HeadUnreachable {
  reason: HeadUnreachableReason;
  fallback: NonNullable<HeadReach['fallback']>;
  /** The office's name (fallback `office`) or the head's e-mail address (fallback `mail`). */
  where: string;
}

/** The notices an unreachable head owes (pure): the IB's message, and the e-mail when that is the fallback. */
export function noticesForHeadUnreachable(item: ItemDoc, u: HeadUnreachable): PendingNotice[] {
  const notices: PendingNotice[] = [
    {
      key: `item:${item.id}:head-unreachable:ib`,
      kind: NOTICE_KINDS.message,
      to: [item.createdBy.aadObjectId],
      data: { text: 'headUnreachable', reason: u.reason, fallback: u.fallback, where: u.where, status: item.status },
      rev: item.rev,
    },
  ];
  if (u.fallback === 'mail') notices.push({ key: `item:${item.id}:head-mail`, kind: NOTICE_KINDS.headMail, data: { to: u.where }, rev: item.rev });
  return notices;
}

/** The item with the head's reach recorded and its trail entry (pure; the revision stays). */
export function withHeadReach(item: ItemDoc, reach: HeadReach): ItemDoc {
  const changes: TrailEntry['changes'] = [{ path: '/headReach/reach', from: item.headReach?.reach ?? null, to: reach.reach }];
  if (reach.reason) changes.push({ path: '/headReach/reason', from: null, to: reach.reason });
  if (reach.fallback) changes.push({ path: '/headReach/fallback', from: null, to: reach.fallback });
  const action = reach.reach === 'unreachable' ? 'report.headUnreachable' : 'report.headReached';
  return { ...item, headReach: reach, trail: [...(item.trail ?? []), { at: reach.at, actor: 'system', action, changes }] };
}

/** The listener for `DeliveryReports.onSettled(HEAD_REACH_KEYS, …)`. */
export function headReachListener(deps: HeadReachDeps): (report: DeliveryReport) => Promise<void> {
  return async (report) => {
    const m = REPORT_CARD.exec(report.key);
    if (!m) return;
    const [, id, aad] = m as unknown as [string, string, string];
    const authority = deps.directory().authorities.find((a) => a.head.teams?.aadObjectId?.toLowerCase() === aad.toLowerCase());
    if (!authority) return;
    const mine = report.recipients.find((r) => r.aadObjectId?.toLowerCase() === aad.toLowerCase()) ?? report.recipients[0];
    if (!mine || mine.reach === 'pending') return;
    await recordHeadReach(deps, authority, id, aad, mine);
  };
}

/**
 * The job `requests.headReach` (payload: the Vortrag's `id` and `authority`): records the head's reach if nobody has
 * yet; while the head's card is still on its way, runs again later. A head the directory gives no Teams account is
 * recorded as not reachable (`noTeamsIdentity`) once the office's cards have settled.
 */
export function headReachCheck(deps: HeadReachDeps): JobHandler {
  return async (job) => {
    const { id, authority: code } = job.payload ?? {};
    if (typeof id !== 'string' || typeof code !== 'string') return undefined;
    const item = await deps.store.read(code, id);
    if (!item || item.kind !== 'report' || item.headReach) return undefined;
    const authority = deps.directory().authorities.find((a) => a.code === item.authority);
    if (!authority) return undefined;
    const headAad = authority.head.teams?.aadObjectId?.toLowerCase();
    if (!headAad) {
      // The directory gives the head no Teams account: no card could go there. Once the office's cards have settled
      // (the fallback depends on them), the IB is told, as for a head who could not be reached.
      const office = await Promise.all(item.cardsTo.map((x) => deps.reports.report(cardKey(item.id, x))));
      if (office.some((r) => r.recipients.length === 0 || r.pending > 0)) return later(deps, item);
      await recordHeadReach(deps, authority, id, '', { reach: 'unreachable', reason: 'noTeamsIdentity' });
      return undefined;
    }
    // The card went to the id as the directory had it then (the key is written with it).
    const aad = item.cardsTo.find((x) => x.toLowerCase() === headAad);
    if (!aad) return undefined;
    const report = await deps.reports.report(cardKey(item.id, aad));
    const mine = report.recipients.find((r) => r.aadObjectId?.toLowerCase() === headAad);
    if (mine && mine.reach !== 'pending') {
      await recordHeadReach(deps, authority, id, aad, mine);
      return undefined;
    }
    return later(deps, item);
  };
}

/** The check's next run while what it waits for is on its way; none after three days. */
function later(deps: HeadReachDeps, item: ItemDoc): { next: Date } | undefined {
  const now = deps.now().getTime();
  const age = Math.max(0, now - Date.parse(item.createdAt));
  if (age > HEAD_REACH_GIVE_UP_MS) {
    deps.logger.warn({ event: 'requests.head_reach_unknown', itemId: item.id }, "a report's cards are still on their way: the head's reach is no longer checked");
    return undefined;
  }
  return { next: new Date(now + Math.min(HEAD_REACH_RECHECK_MAX_MS, Math.max(HEAD_REACH_FIRST_CHECK_MS, age / 4))) };
}

/** One ETag write: the reach (and, for an unreachable head, what that owes) unless the item records it already. */
async function recordHeadReach(deps: HeadReachDeps, authority: Authority, id: string, aad: string, mine: { reach: RecipientReach['reach']; reason?: HeadUnreachableReason }): Promise<void> {
  const reach = mine.reach;
  if (reach === 'pending') return;
  const at = deps.now().toISOString();
  const result = await transact(
    deps.store,
    authority.code,
    id,
    async (item) => {
      if (item.kind !== 'report' || item.headReach?.reach === reach) return { unchanged: true };
      if (reach !== 'unreachable') return { next: withHeadReach(item, { reach, at }), notices: [] };
      const u = await fallbackFor(deps, item, authority, aad, mine.reason ?? 'failed');
      return { next: withHeadReach(item, { reach: 'unreachable', reason: u.reason, fallback: u.fallback, at }), notices: noticesForHeadUnreachable(item, u) };
    },
    deps.writer,
  );
  if (result.kind === 'written') {
    const r = result.doc.headReach;
    deps.logger.info({ event: 'requests.head_reach', itemId: id, reach: r?.reach, reason: r?.reason, fallback: r?.fallback }, 'head reach of a report recorded');
  }
}

/** Where the report went instead (see the module comment). */
async function fallbackFor(deps: HeadReachDeps, item: ItemDoc, authority: Authority, headAad: string, reason: HeadUnreachableReason): Promise<HeadUnreachable> {
  const office = item.cardsTo.filter((id) => id.toLowerCase() !== headAad.toLowerCase());
  const reached = await Promise.all(
    office.map(async (id) => {
      const r = await deps.reports.report(cardKey(item.id, id));
      return r.recipients.some((x) => x.reach !== 'unreachable');
    }),
  );
  if (reached.some(Boolean)) return { reason, fallback: 'office', where: authority.headOffice.name };
  if (authority.head.email && (await deps.mailAvailable())) return { reason, fallback: 'mail', where: authority.head.email };
  return { reason, fallback: 'none', where: '' };
}
