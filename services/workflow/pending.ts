/**
 * The transactional outbox inside a workflow document. A change and the notifications it causes are one write: the
 * notices ride in the document's `pending` list and the relay (`relay.ts`) turns them into outbox deliveries and
 * scheduled jobs afterwards, then clears them. A process that dies after the write leaves the notices in the document,
 * where the relay's sweep finds them: there is no window in which a change is stored and its notifications are not.
 */

/** One thing a change owes: a message, a card, an update of posted cards, a job. */
export interface PendingNotice {
  /**
   * Idempotency key in the outbox (or the scheduler), unique per change and recipient, e.g.
   * `item:<id>:r<rev>:requester`. Relaying a notice twice sends nothing twice.
   */
  key: string;
  /** What to do; the workflow's notifications module knows each kind (e.g. `message`, `card.post`, `card.update`). */
  kind: string;
  /** AAD object ids of the people concerned, where the kind has recipients. */
  to?: string[];
  /** What the text needs, captured at the moment of the change (a status then, not the status when relayed). */
  data?: Record<string, string | number | boolean | null>;
  /** The revision of the document whose change owes it. */
  rev: number;
}

/** Fields a document carries to take part in the transactional outbox. */
export interface PendingCarrier {
  id: string;
  pk: string;
  /** Notices written with the document's latest changes and not yet relayed (oldest first). */
  pending?: PendingNotice[];
  /** Epoch ms of the oldest change whose notices are still pending: the sweep's index (absent when none). */
  pendingSince?: number;
}

/**
 * The `pending` fields of a document about to be written: what is still pending from before (minus what this process
 * has relayed already, see `relayed`), then the new notices. Returns the fields to spread into the written document.
 */
export function withPending(
  current: PendingCarrier | undefined,
  notices: readonly PendingNotice[],
  nowMs: number,
  relayed: (key: string) => boolean = () => false,
): Pick<PendingCarrier, 'pending' | 'pendingSince'> {
  const carried = (current?.pending ?? []).filter((n) => !relayed(n.key));
  const known = new Set(carried.map((n) => n.key));
  const all = [...carried, ...notices.filter((n) => !known.has(n.key))];
  if (all.length === 0) return {};
  return { pending: all, pendingSince: carried.length && current?.pendingSince !== undefined ? current.pendingSince : nowMs };
}

/** A copy of the document without its pending fields (what views, exports and "Meine Daten" work with). */
export function withoutPending<T extends PendingCarrier>(doc: T): Omit<T, 'pending' | 'pendingSince'> {
  const { pending: _p, pendingSince: _s, ...rest } = doc;
  return rest;
}
