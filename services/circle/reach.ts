/**
 * The KfI's "Zugestellt an 11 von 12; nicht erreichbar: …" on the poll and meeting cards. When the deliveries of an
 * announcement settle, the summed-up report (every language's announcement together) is stored on the poll or meeting
 * with its ETag, only when it changed; cards and the tab render it from there. A settled report (nothing on the way
 * any more) or a newly unreachable member also owes a card update through the circle's own notices, so the KfI's card
 * shows it without a click; reports in between are stored without updating every posted card.
 */
import type { Logger } from '../logging';
import type { DeliveryReport, DeliveryReports } from '../notifications/reach';
import type { DocumentStore } from '../storage/documentStore';
import type { PendingNotice } from '../workflow/pending';
import { sameReach, summarize, type ReachSummary } from '../workflow/reachSummary';
import { LANGS } from '../workflow/texts';
import { transact, type WorkflowWriter } from '../workflow/transaction';
import type { CircleDoc, MeetingDoc, PollDoc } from './model';
import { NOTICE_KINDS } from './notifications';

/** An announcement's key: `circle:poll:<id>:announce`, its English one `…:announce:en`. */
const ANNOUNCE = /^circle:(poll|meeting):([^:]+):announce(?::([a-z]{2}))?$/;

/** The notifications the listener is registered for: announcements (no report is read for any other circle notification). */
export const CIRCLE_REACH_KEYS = ANNOUNCE;

export interface CircleReachDeps {
  store: DocumentStore<CircleDoc>;
  reports: Pick<DeliveryReports, 'report'>;
  writer: WorkflowWriter;
  logger: Logger;
}

/** Whether a change of the stored reach owes the posted cards an update (see the module comment). */
export function cardsOwed(previous: ReachSummary | undefined, next: ReachSummary): boolean {
  return next.pending === 0 || next.unreachable.length > (previous?.unreachable.length ?? 0);
}

/** The listener for `DeliveryReports.onSettled(CIRCLE_REACH_KEYS, …)`. */
export function circleReachListener(deps: CircleReachDeps): (report: DeliveryReport) => Promise<void> {
  return async (report) => {
    const m = ANNOUNCE.exec(report.key);
    if (!m) return;
    const [, type, id, lang] = m as unknown as [string, 'poll' | 'meeting', string, string | undefined];
    const base = `circle:${type}:${id}:announce`;
    const others = LANGS.filter((l) => l !== (lang ?? 'de')).map((l) => (l === 'de' ? base : `${base}:${l}`));
    const more = await Promise.all(others.map((key) => deps.reports.report(key)));
    const summary = summarize([report, ...more]);
    if (summary.total === 0) return;
    const store = deps.store as DocumentStore<PollDoc | MeetingDoc>;
    const result = await transact(
      store,
      id,
      type,
      (current) => {
        if (sameReach(current.reach, summary)) return { unchanged: true };
        const rev = current.type === 'meeting' ? current.revision : 1;
        const tag = `d${summary.delivered}p${summary.pending}u${summary.unreachable.length}`;
        const notices: PendingNotice[] = cardsOwed(current.reach, summary)
          ? [{ key: `circle:${type}:${id}:card:reach-${tag}`, kind: type === 'poll' ? NOTICE_KINDS.pollCards : NOTICE_KINDS.meetingCards, rev }]
          : [];
        return { next: { ...current, reach: summary }, notices };
      },
      deps.writer,
    );
    if (result.kind === 'written') deps.logger.info({ event: 'circle.reach', key: base, total: summary.total, delivered: summary.delivered, pending: summary.pending, unreachable: summary.unreachable.length }, 'announcement reach stored');
  };
}
