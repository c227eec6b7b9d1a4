/**
 * What a sender sees of a notification's reach: the delivery reports (services/notifications/reach.ts) summed up into
 * what a workflow document keeps (`ReachSummary`, ids and codes only), and the one short line cards and the tab show
 * ("Zugestellt an 11 von 12; nicht erreichbar: Name (Grund), …"), with names looked up by the view and words from the
 * workflow's own text files.
 */
import type { DeliveryReport, UnreachableReason } from '../notifications/reach';

/** A notification's reach as a workflow document stores it (compared before writing: an unchanged report writes nothing). */
export interface ReachSummary {
  total: number;
  /** Includes those reached after the app was installed for them. */
  delivered: number;
  installed: number;
  pending: number;
  /** Who was not reached and why: a person's object id, or none for a channel. */
  unreachable: Array<{ aadObjectId?: string; reason: UnreachableReason }>;
}

/** The words of the reach line, per language, from a workflow's text file. */
export interface ReachTexts {
  /** "Zugestellt an 11 von 12". */
  delivered: (delivered: number, total: number) => string;
  /** "nicht erreichbar: Anna Beispiel (App nicht installiert), …". */
  unreachable: (list: string) => string;
  /** "1 unterwegs". */
  pending: (n: number) => string;
  /** "und 2 weitere". */
  more: (n: number) => string;
  /** "Anna Beispiel (App nicht installiert)". */
  person: (name: string, reason: string) => string;
  /** A recipient whose id the directory does not know (any more). */
  unknownPerson: string;
  /** A channel or group chat among the recipients. */
  channel: string;
  reasons: Record<UnreachableReason, string>;
}

/** At most this many names on the line; the rest are counted ("und 2 weitere"). */
export const REACH_NAMES = 3;

/**
 * One summary of several reports of the same announcement (one per language of its recipients). Reports of keys that
 * were never enqueued have no recipients and add nothing.
 */
export function summarize(reports: readonly DeliveryReport[]): ReachSummary {
  const sum: ReachSummary = { total: 0, delivered: 0, installed: 0, pending: 0, unreachable: [] };
  for (const r of reports) {
    sum.total += r.total;
    sum.delivered += r.delivered;
    sum.installed += r.installed;
    sum.pending += r.pending;
    for (const u of r.unreachable) sum.unreachable.push({ ...(u.aadObjectId ? { aadObjectId: u.aadObjectId.toLowerCase() } : {}), reason: u.reason ?? 'failed' });
  }
  return sum;
}

/** Whether two summaries say the same (the order of the unreachable does not matter). */
export function sameReach(a: ReachSummary | undefined, b: ReachSummary | undefined): boolean {
  if (!a || !b) return a === b;
  const list = (s: ReachSummary) => s.unreachable.map((u) => `${u.aadObjectId ?? ''}:${u.reason}`).sort().join(',');
  return a.total === b.total && a.delivered === b.delivered && a.installed === b.installed && a.pending === b.pending && list(a) === list(b);
}

/**
 * The line for the sender, e.g. "Zugestellt an 9 von 12; nicht erreichbar: A (App nicht installiert), B (hat den Bot
 * blockiert), C (…) und 1 weitere; 1 unterwegs". `nameOf` gives a person's display name (already escaped for where
 * the line is shown) or undefined when the directory does not know the id.
 */
export function reachLine(summary: ReachSummary, t: ReachTexts, nameOf: (aadObjectId: string) => string | undefined): string {
  const parts = [t.delivered(summary.delivered, summary.total)];
  if (summary.unreachable.length) {
    const named = summary.unreachable.slice(0, REACH_NAMES).map((u) => t.person(u.aadObjectId ? nameOf(u.aadObjectId) ?? t.unknownPerson : t.channel, t.reasons[u.reason] ?? t.reasons.failed));
    const rest = summary.unreachable.length - named.length;
    parts.push(t.unreachable(named.join(', ') + (rest > 0 ? ` ${t.more(rest)}` : '')));
  }
  if (summary.pending) parts.push(t.pending(summary.pending));
  return parts.join('; ');
}
