/**
 * What the service tells about itself: OpenTelemetry spans and metrics, through the API package only. Without a
 * registered SDK (no APPLICATIONINSIGHTS_CONNECTION_STRING) every call here goes to the API's no-op implementations:
 * nothing is recorded, nothing is sent. The SDK and the exporter are started in one place (./sdk.ts).
 *
 * No personal data in any attribute: names, counters and attribute values come from fixed sets in code (activity
 * types, command ids, card verbs, intents, outcome codes, container names), never from a user's text, id or name, a
 * conversation id or a tenant id. `test/unit/telemetry.test.ts` pins that.
 */
import { SpanKind, SpanStatusCode, metrics, trace, type Attributes, type Counter, type Meter, type MeterProvider, type Span } from '@opentelemetry/api';

/** Instrumentation scope of every span and metric. */
export const TELEMETRY_SCOPE = 'integrations-lotse';

/** Metric names (also what the alerts in docs/operations.md query). */
export const METRICS = {
  answers: 'lotse.answers',
  unanswered: 'lotse.questions.unanswered',
  cardActions: 'lotse.card_actions',
  deliveries: 'lotse.deliveries',
  outboxBacklog: 'lotse.outbox.backlog',
  outboxOldestDueAge: 'lotse.outbox.oldest_due_age',
  throttled: 'lotse.throttled',
} as const;

/** Attribute keys of this service's own spans and metrics. */
export const ATTR = {
  activityType: 'lotse.activity.type',
  command: 'lotse.command',
  verb: 'lotse.verb',
  outcome: 'lotse.outcome',
  intent: 'lotse.intent',
  result: 'lotse.result',
  peer: 'lotse.peer',
} as const;

interface Instruments {
  answers: Counter;
  unanswered: Counter;
  cardActions: Counter;
  deliveries: Counter;
  throttled: Counter;
}

function create(meter: Meter): Instruments {
  return {
    answers: meter.createCounter(METRICS.answers, { description: 'Questions answered, by intent' }),
    unanswered: meter.createCounter(METRICS.unanswered, { description: 'Questions the bot could not answer (recorded as keywords)' }),
    cardActions: meter.createCounter(METRICS.cardActions, { description: 'Card actions, by verb and outcome' }),
    deliveries: meter.createCounter(METRICS.deliveries, { description: 'Outbox delivery events, by result' }),
    throttled: meter.createCounter(METRICS.throttled, { description: 'HTTP 429 answers, by peer (teams, graph)' }),
  };
}

// Instruments belong to the meter provider they were made from; the metrics API has no proxy, so they are made again
// when the global provider changes (the SDK starting after the first use, tests registering their own reader).
let cached: { provider: MeterProvider; instruments: Instruments } | undefined;

function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (cached?.provider !== provider) cached = { provider, instruments: create(provider.getMeter(TELEMETRY_SCOPE)) };
  return cached.instruments;
}

/** The meter of this service, for observable instruments (see ./outboxGauges.ts). */
export function meter(): Meter {
  return metrics.getMeter(TELEMETRY_SCOPE);
}

/** The tracer of this service (the API's proxy: spans are recorded once an SDK is registered). */
export function tracer() {
  return trace.getTracer(TELEMETRY_SCOPE);
}

/**
 * Telemetry never changes what the service does: a failure while recording is swallowed here (it can only be a bug
 * in an exporter or SDK, and a turn must not fail for it).
 */
function safely(record: () => void): void {
  try {
    record();
  } catch {
    // Deliberately ignored: see above.
  }
}

/** A question was answered with `intent` (one of the fixed intents). */
export function countAnswer(intent: string): void {
  safely(() => instruments().answers.add(1, { [ATTR.intent]: intent }));
}

/** A question was recorded as unanswered. */
export function countUnanswered(): void {
  safely(() => instruments().unanswered.add(1));
}

/** A card action ended: `verb` is a registered verb (or `unknown`), `outcome` `ok` or the error code of the response. */
export function countCardAction(verb: string, outcome: string): void {
  safely(() => instruments().cardActions.add(1, { [ATTR.verb]: verb, [ATTR.outcome]: outcome }));
}

/** An outbox delivery event (`sent`, `updated`, `failed`, `unreachable`, `retry`, `throttled`, …). */
export function countDelivery(result: string): void {
  safely(() => instruments().deliveries.add(1, { [ATTR.result]: result }));
}

/** A 429 from Teams (the Bot Connector) or Microsoft Graph. */
export function countThrottled(peer: 'teams' | 'graph'): void {
  safely(() => instruments().throttled.add(1, { [ATTR.peer]: peer }));
}

/** The current span (the turn's, inside a turn), for naming it once the turn knows what it is. */
export function currentSpan(): Span | undefined {
  return trace.getActiveSpan();
}

/**
 * Runs `work` inside a span named `name` (made current, so nested spans, e.g. database calls, become its children).
 * A thrown error is recorded by its class name only (messages may carry data) and rethrown unchanged.
 * `expected(err)`: errors that are outcomes, not faults (a concurrency conflict), leave the status unset.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>, options: { kind?: SpanKind; expected?: (err: unknown) => boolean } = {}): Promise<T> {
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      safely(() => {
        span.setAttribute('error.type', (err as Error)?.name || 'Error');
        if (!options.expected?.(err)) span.setStatus({ code: SpanStatusCode.ERROR });
      });
      throw err;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };
