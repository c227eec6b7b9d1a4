import { forEachLimited } from '../outbox';
import type { Dispatcher } from '../dispatcher';
import type { Claimer } from './claimer';
import type { DispatchContext } from './context';
import type { SlotPump } from './slotPump';
import { errorCode } from './work';

function stoppedError(): Error {
  return Object.assign(new Error('The outbox dispatcher stopped before it was idle.'), { code: 'DISPATCHER_STOPPED' });
}

/**
 * The loop that drives a dispatcher: each turn starts a fetch when the claimer wants one, lets the pump start what
 * the rate limits allow, and sleeps until the next thing is due or something wakes it. Implements `Dispatcher` (its
 * flow control, `hasRoom`, reads the holdings directly).
 */
export class DispatcherLoop implements Omit<Dispatcher, 'hasRoom' | 'onRoom'> {
  readonly workerId: string;
  private stopping = false;
  private running: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly ctx: DispatchContext,
    private readonly claimer: Claimer,
    private readonly pump: SlotPump,
    /** Ends the subscription to this process's enqueues. */
    private readonly unsubscribe: (() => void) | undefined,
  ) {
    this.workerId = ctx.options.workerId;
  }

  /** Starts the loop; called once, by `startDispatcher`. */
  start(): this {
    const { options, logger } = this.ctx;
    logger.info({ event: 'outbox.dispatcher_started', leaseMs: options.leaseMs, claimAhead: options.claimAhead }, 'outbox dispatcher started');
    this.running = this.loop();
    return this;
  }

  wake(): void {
    this.ctx.schedule.queryNow();
    this.ctx.waker.wake();
  }

  whenIdle(): Promise<void> {
    if (this.stopping) return Promise.reject(stoppedError());
    const idle = this.ctx.idle.wait();
    this.ctx.waker.wake();
    return idle;
  }

  stop(): Promise<void> {
    return (this.stopped ??= this.shutDown());
  }

  private async loop(): Promise<void> {
    const { clock, options, logger, waker } = this.ctx;
    while (!this.stopping) {
      try {
        if (this.claimer.wantsFetch(clock.now())) this.claimer.startFetch();
        // Evaluated in this order: the pump may take deliveries off the queue, which can make a fetch due sooner.
        const sleep = Math.min(this.pump.pump(), options.pollIntervalMs, this.claimer.msUntilFetch());
        await waker.sleep(sleep);
      } catch (err) {
        logger.error({ event: 'outbox.loop_error', code: errorCode(err) }, 'dispatcher loop error');
        await clock.sleep(options.pollIntervalMs);
      }
    }
  }

  private async shutDown(): Promise<void> {
    const { clock, logger, holdings, idle, waker } = this.ctx;
    this.stopping = true;
    this.claimer.stop();
    idle.rejectAll(stoppedError);
    this.unsubscribe?.();
    waker.wake();
    await this.running;
    await this.claimer.fetching;
    // Calls in flight finish and are recorded; `sending` marks under way complete, so the releases below carry
    // the current ETags.
    while (holdings.inFlight.size > 0 || holdings.housekeeping.size > 0) await Promise.allSettled([...holdings.inFlight, ...holdings.housekeeping]);
    const left = holdings.ready.splice(0);
    await forEachLimited(left, 8, (work) => this.pump.giveBack(work, clock.now()));
    logger.info({ event: 'outbox.dispatcher_stopped', released: left.length }, 'outbox dispatcher stopped');
  }
}
