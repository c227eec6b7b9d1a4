import type { Logger } from '../../logging';
import type { Clock } from '../../common/clock';
import type { PersonalConversations } from '../conversationRegistry';
import type { DeliveryLedger } from '../deliveryLedger';
import type { DeliveryEvent, DispatcherOptions } from '../dispatcher';
import type { Holdings } from './holdings';
import type { IdleTracker } from './idleTracker';
import type { QuerySchedule } from './querySchedule';
import type { Waker } from './waker';

/**
 * What the parts of one dispatcher share: its settings and collaborators, and its state (what it holds, the idle
 * bookkeeping, the query schedule, the loop's wake-up). Built once by `startDispatcher`.
 */
export interface DispatchContext {
  readonly options: DispatcherOptions;
  readonly clock: Clock;
  /** Source of jitter and claim-order shuffling. */
  readonly random: () => number;
  readonly logger: Logger;
  readonly ledger: DeliveryLedger;
  readonly personal: PersonalConversations;
  readonly holdings: Holdings;
  readonly idle: IdleTracker;
  readonly schedule: QuerySchedule;
  readonly waker: Waker;
  emit(event: DeliveryEvent): void;
  /**
   * How many deliveries the dispatcher takes on ahead of their calls now: `claimAhead`; none during the hold of a burst
   * of turns, and what the busy pace sends in two seconds after it (claims are writes; a burst's notices wait in the
   * outbox and their documents for free). See `turnYield.ts`.
   */
  claimWindow(): number;
  /** How long the next channel call waits for the process's turns (0: it may go now), given when the last one started. */
  callWait(lastCallAt: number): number;
}
