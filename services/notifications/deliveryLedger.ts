import type { DocumentStore, Versioned } from '../storage/documentStore';
import { ConcurrencyError, StorageUnavailableError } from '../storage/errors';
import { backoffDelay, type BackoffPolicy } from '../common/backoff';
import type { Clock } from '../common/clock';
import type { ConversationRef, DeliveryDoc, DeliveryError, DeliveryStatus, OutboxDoc } from './model';

export type Delivery = Versioned<DeliveryDoc>;

/** `lastError.code` of a delivery whose earlier send has no recorded outcome (its message may have arrived). */
export const NO_OUTCOME_RECORDED = 'no_outcome_recorded';

/** Changes a dispatcher makes to a delivery; lease fields are handled by the ledger. */
export type DeliveryChanges = Partial<Omit<DeliveryDoc, 'id' | 'pk' | 'kind' | 'leaseOwner' | 'leaseUntil' | 'open'>>;

/**
 * The state machine of one delivery, each step a single ETag-guarded write:
 *
 *   pending ──claim──▶ leased ──begin──▶ sending ──▶ sent | failed | unreachable
 *      ▲                  │                 │
 *      └──── release ─────┘◀── retry/429 ───┘
 *
 * A lease is a deadline in the document (`leaseUntil`, mirrored in `dueAt`), so a delivery whose process died becomes
 * due again by itself: no clock-free coordination, no TTL. Whoever writes with a stale ETag lost the race and backs off.
 */
/** Retrying a write after a database hiccup: 100 ms, then 300 ms, exactly (the write is retried at most twice). */
const RECORD_RETRY: BackoffPolicy = { baseDelayMs: 100, maxDelayMs: 900, factor: 3, jitter: 'none' };

export class DeliveryLedger {
  constructor(
    private readonly store: DocumentStore<OutboxDoc>,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly clock: Clock,
  ) {}

  /** Deliveries due now (pending ones whose time has come, and leases that ran out), oldest first. */
  due(limit: number): Promise<Delivery[]> {
    return this.store.query<Delivery>(
      {
        query: 'SELECT TOP @n * FROM c WHERE c.kind = @kind AND c.open = true AND c.dueAt <= @now ORDER BY c.dueAt',
        parameters: [
          { name: '@n', value: limit },
          { name: '@kind', value: 'delivery' },
          { name: '@now', value: this.clock.now() },
        ],
      },
      { maxItems: limit },
    );
  }

  /**
   * Open deliveries due by `horizon`: what other processes hold (a lease ends within `leaseMs`) and what waits due in
   * the outbox. Only where they go, when they are due, and when they were enqueued (see `dispatcher/fences.ts`).
   */
  openDueBy(horizon: number, limit = 5_000): Promise<Array<Pick<DeliveryDoc, 'pk' | 'id' | 'target' | 'dueAt' | 'createdAtMs'>>> {
    return this.store.query(
      {
        query: 'SELECT c.pk, c.id, c.target, c.dueAt, c.createdAtMs FROM c WHERE c.kind = @kind AND c.open = true AND c.dueAt <= @horizon',
        parameters: [
          { name: '@kind', value: 'delivery' },
          { name: '@horizon', value: horizon },
        ],
      },
      { maxItems: limit },
    );
  }

  read(pk: string, id: string): Promise<OutboxDoc | undefined> {
    return this.store.read(pk, id);
  }

  /** Takes a due delivery for this process; `undefined` when another process was quicker or it is not due. */
  async claim(doc: Delivery): Promise<Delivery | undefined> {
    const now = this.clock.now();
    if (!doc.open || doc.dueAt > now) return undefined;
    // A delivery left `sending` by a process that died: its message may be in the chat. The claim replaces `sending`,
    // so it keeps that knowledge in `lastError` for whoever sends next (this process, or the next one if this one
    // dies before sending); otherwise a second crash would turn the resend into a send nobody counts as uncertain.
    const unconfirmed = doc.status === 'sending' && !doc.lastError?.ambiguous ? { lastError: { code: NO_OUTCOME_RECORDED, at: new Date(now).toISOString(), ambiguous: true } } : {};
    return this.write(doc, { ...unconfirmed, status: 'leased', dueAt: now + this.leaseMs }, true);
  }

  /**
   * Marks the delivery as about to be sent, with a fresh lease, through the ETag of our claim: if the lease was lost
   * in the meantime this fails and nothing is sent. From here until the outcome is recorded, a crash leaves the
   * delivery `sending`, and whoever picks it up next treats its send as possibly repeated.
   */
  begin(doc: Delivery, conversation: ConversationRef): Promise<Delivery | undefined> {
    return this.write(doc, { status: 'sending', dueAt: this.clock.now() + this.leaseMs, conversation }, true);
  }

  /**
   * Claim and begin in one write, for a delivery this process has just enqueued and can send at once (its
   * conversation known, a slot ahead free): the same guard as {@link claim}, the same meaning as {@link begin}.
   */
  claimToSend(doc: Delivery, conversation: ConversationRef): Promise<Delivery | undefined> {
    const now = this.clock.now();
    if (!doc.open || doc.dueAt > now || doc.status !== 'pending') return Promise.resolve(undefined);
    return this.write(doc, { status: 'sending', dueAt: now + this.leaseMs, conversation }, true);
  }

  /**
   * Records progress on a delivery this process keeps working on (an installation done), with a fresh lease. The
   * same guard as {@link claim}: `undefined` when the lease was lost meanwhile.
   */
  hold(doc: Delivery, changes: DeliveryChanges): Promise<Delivery | undefined> {
    return this.write(doc, { ...changes, status: 'leased', dueAt: this.clock.now() + this.leaseMs }, true);
  }

  /** Back to pending, due at `dueAt`, without a send (stopping, rate-limit deferral, waiting for an original). */
  release(doc: Delivery, dueAt: number, changes: DeliveryChanges = {}): Promise<Delivery | undefined> {
    return this.write(doc, { ...changes, status: 'pending', dueAt }, false);
  }

  /** The attempt failed but may succeed later. */
  retry(doc: Delivery, dueAt: number, error: DeliveryError, changes: DeliveryChanges = {}): Promise<Delivery | undefined> {
    return this.write(doc, { ...changes, status: 'pending', dueAt, lastError: error }, false);
  }

  /** Nothing more will happen: `failed` or `unreachable`, with the reason. */
  finish(doc: Delivery, status: Extract<DeliveryStatus, 'failed' | 'unreachable'>, error: DeliveryError, changes: DeliveryChanges = {}): Promise<Delivery | undefined> {
    return this.write(doc, { ...changes, status, lastError: error }, false);
  }

  /**
   * The channel took the message. If our lease was taken meanwhile (the call outlived it), the delivery is still
   * recorded as sent unless the other process is already sending it; that keeps a slow call from causing a second one.
   */
  async sent(doc: Delivery, changes: DeliveryChanges): Promise<{ recorded: boolean; raced: boolean }> {
    const next: DeliveryChanges = { ...changes, status: 'sent', sentAt: new Date(this.clock.now()).toISOString(), lastError: undefined };
    if (await this.write(doc, next, false)) return { recorded: true, raced: false };
    for (let i = 0; i < 3; i++) {
      const current = await this.store.read(doc.pk, doc.id);
      // Our own write landed although its answer was lost.
      if (current?.kind === 'delivery' && current.status === 'sent' && current.activityId === changes.activityId) return { recorded: true, raced: false };
      if (!current || current.kind !== 'delivery' || (current.status !== 'pending' && current.status !== 'leased')) {
        return { recorded: false, raced: true };
      }
      if (await this.write(current as Delivery, next, false)) return { recorded: true, raced: true };
    }
    return { recorded: false, raced: true };
  }

  private async write(doc: Delivery, changes: DeliveryChanges, leased: boolean): Promise<Delivery | undefined> {
    const { etag, leaseOwner: _owner, leaseUntil: _until, ...base } = doc;
    const status = changes.status ?? doc.status;
    const next: DeliveryDoc = {
      ...base,
      ...changes,
      open: status !== 'sent' && status !== 'failed' && status !== 'unreachable',
      updatedAt: new Date(this.clock.now()).toISOString(),
    };
    if (leased) {
      next.leaseOwner = this.owner;
      next.leaseUntil = next.dueAt;
    }
    for (const key of Object.keys(next) as Array<keyof DeliveryDoc>) {
      if (next[key] === undefined) delete next[key];
    }
    // A database hiccup must not widen the window between a send and its record: retry briefly. Safe, because the
    // write is guarded by the ETag; if an earlier try did land, the retry sees a conflict.
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.store.replace(next, etag)) as Delivery;
      } catch (err) {
        if (err instanceof ConcurrencyError) return undefined;
        if (!(err instanceof StorageUnavailableError) || attempt >= 3) throw err;
        await this.clock.sleep(backoffDelay(attempt, RECORD_RETRY));
      }
    }
  }
}
