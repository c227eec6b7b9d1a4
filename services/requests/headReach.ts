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
 */
import type { Authority, Directory } from '../directory/model';
import type { Logger } from '../logging';
import type { DeliveryReport, DeliveryReports, UnreachableReason } from '../notifications/reach';
import type { DocumentStore } from '../storage/documentStore';
import type { PendingNotice } from '../workflow/pending';
import { transact, type WorkflowWriter } from '../workflow/transaction';
import type { HeadReach, ItemDoc, TrailEntry } from './model';
import { cardKey, NOTICE_KINDS } from './notifications';

/** The head's card of a report: `item:vtr-<uuid>:card:<aad>`. */
const REPORT_CARD = /^item:(vtr-[^:]+):card:([^:]+)$/;

/** The notifications the listener is registered for: a report's cards (no report is read for any other item notification). */
export const HEAD_REACH_KEYS = REPORT_CARD;

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
  reason: UnreachableReason;
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
    const directory = deps.directory();
    const authority = directory.authorities.find((a) => a.head.teams?.aadObjectId?.toLowerCase() === aad.toLowerCase());
    if (!authority) return;
    const mine = report.recipients.find((r) => r.aadObjectId?.toLowerCase() === aad.toLowerCase()) ?? report.recipients[0];
    if (!mine) return;
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
  };
}

/** Where the report went instead (see the module comment). */
async function fallbackFor(deps: HeadReachDeps, item: ItemDoc, authority: Authority, headAad: string, reason: UnreachableReason): Promise<HeadUnreachable> {
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
