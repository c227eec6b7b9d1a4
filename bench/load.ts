import path from 'node:path';
import { forkChild } from './childProcess';

/**
 * HTTP load against a bot's messaging endpoint, generated in a separate process so the generator never competes with
 * the measuring process's event loop (and, with two cores, so its cost is visible as what it is).
 *
 * The request body is a JSON template: every string in it may contain the tokens below, replaced per request.
 * - `{{seq}}`: a number unique to the request within the run (use it for activity ids),
 * - `{{vu}}`: the index of the virtual user (one per connection) sending it,
 * - `{{vuGuid}}`: a GUID-shaped id unique to the virtual user (for `aadObjectId`),
 * - `{{now}}`: the ISO time the request is sent,
 * - `{{alt:A|B}}`: `A` on a virtual user's 1st, 3rd, … request and `B` on its 2nd, 4th, … (any number of choices),
 *   e.g. a Teams locale that changes every time, so each turn stores something.
 *
 * @example
 * ```ts
 * const result = await runLoad({
 *   url: 'http://127.0.0.1:3978/api/messages',
 *   template: message('hilfe', { id: '{{seq}}', conversationId: 'a:1bench-{{vu}}', serviceUrl }),
 *   connections: 32, warmupMs: 2000, durationMs: 10000,
 * });
 * console.log(result.throughputPerS, result.p99Ms);
 * ```
 */

/** The GUID-shaped `aadObjectId` the `{{vuGuid}}` token gives virtual user `vu`. */
export function vuGuid(vu: number): string {
  return `00000000-0000-4000-a000-${vu.toString(16).padStart(12, '0')}`;
}

/** What to send, where, how hard and for how long. */
export interface LoadOptions {
  /** The messaging endpoint to POST to. */
  url: string;
  /** JSON body with `{{token}}` placeholders (see the module documentation). */
  template: unknown;
  /** Concurrent keep-alive connections, one virtual user each; default 32. */
  connections?: number;
  /** Load before measuring, discarded (JIT, caches, state creation); default 2000 ms. */
  warmupMs?: number;
  /** Measured duration; default 10000 ms. Ignored when `requests` is given. */
  durationMs?: number;
  /** Measure exactly this many requests instead of a duration. */
  requests?: number;
  /** Extra request headers, e.g. `authorization`. */
  headers?: Record<string, string>;
  /** Per-request timeout; a timed-out request counts as an error. Default 10000 ms. */
  requestTimeoutMs?: number;
}

/** What the measured phase produced. */
export interface LoadResult {
  /** Measured requests completed (any status). */
  requests: number;
  /** Measured wall time, ms. */
  elapsedMs: number;
  /** Completed 2xx requests per second. */
  throughputPerS: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers outside 2xx. */
  non2xx: number;
  /** Requests that got no answer: connection errors and timeouts. */
  errors: number;
  statusCounts: Record<string, number>;
  /** First few error messages, for diagnosis. */
  errorSamples: string[];
  /** Requests sent during warm-up (not measured). */
  warmupRequests: number;
  /** CPU time the load generator itself used during the measured phase, ms (user + system). */
  generatorCpuMs: number;
}

/** Message from the parent to the worker. */
export interface LoadWorkerRequest {
  type: 'run';
  options: LoadOptions;
}

/** Message from the worker to the parent. */
export type LoadWorkerReply =
  | { type: 'measureStart' }
  | { type: 'measureEnd' }
  | { type: 'result'; result: LoadResult }
  | { type: 'error'; message: string };

/** Callbacks at the edges of the measured phase, e.g. to read the target's CPU time exactly over it. */
export interface LoadPhaseHooks {
  onMeasureStart?(): void;
  onMeasureEnd?(): void;
}

/** Runs the load in a child process (`loadWorker.js` next to this file) and resolves with its measurements. */
export function runLoad(options: LoadOptions, hooks: LoadPhaseHooks = {}): Promise<LoadResult> {
  const worker = forkChild(path.join(__dirname, 'loadWorker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (reply: LoadWorkerReply) => {
      if (reply.type === 'measureStart') return hooks.onMeasureStart?.();
      if (reply.type === 'measureEnd') return hooks.onMeasureEnd?.();
      settled = true;
      worker.disconnect();
      if (reply.type === 'result') resolve(reply.result);
      else reject(new Error(`load worker: ${reply.message}`));
    });
    worker.once('exit', (code, signal) => {
      if (!settled) reject(new Error(`load worker exited (${signal ?? code}) without a result`));
    });
    worker.once('error', reject);
    const request: LoadWorkerRequest = { type: 'run', options };
    worker.send(request);
  });
}
