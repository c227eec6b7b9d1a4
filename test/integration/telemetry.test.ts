import { context, metrics, trace, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { INTENTS } from '../../services/answers/intents';
import { METRICS } from '../../services/telemetry/telemetry';
import { activityBuilders, personalConversationId, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

/** Collects on demand, as the Azure Monitor exporter's periodic reader does every minute. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

interface Point {
  name: string;
  attributes: Record<string, unknown>;
  value: unknown;
}

function points(collected: ResourceMetrics): Point[] {
  return collected.scopeMetrics.flatMap((s) =>
    s.metrics.flatMap((m) => m.dataPoints.map((p) => ({ name: m.descriptor.name, attributes: { ...p.attributes }, value: p.value }))),
  );
}

describe('telemetry: spans and metrics of a running service, without personal data', () => {
  const spans = new InMemorySpanExporter();
  const reader = new TestReader();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const meterProvider = new MeterProvider({ readers: [reader] });
  let emulator: ChannelEmulator;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  const asker = user({ name: 'Telemetrie Fragende' });
  const texts: string[] = [];

  const collect = async () => points((await reader.collect()).resourceMetrics);
  const ask = async (text: string) => {
    texts.push(text);
    const res = await app.post(teams.message(text, { from: asker }));
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
    emulator = await startChannelEmulator();
    app = await startTestApp();
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  });
  afterAll(async () => {
    await app.stop();
    await emulator.close();
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    trace.disable();
    metrics.disable();
    context.disable();
  });

  it('records a turn as one span named by what it did, with each database call a child span', async () => {
    await ask('Hilfe');
    spans.reset();
    await ask('Wer ist für Bottrop zuständig?');
    const turn = spans.getFinishedSpans().find((s) => s.name === 'turn question');
    expect(turn).toBeDefined();
    expect(turn!.kind).toBe(SpanKind.SERVER);
    expect(turn!.attributes['lotse.activity.type']).toBe('message');
    const children = spans.getFinishedSpans().filter((s) => s.parentSpanContext?.spanId === turn!.spanContext().spanId);
    expect(children.map((s) => s.name)).toContain('read users');
    const read = children.find((s) => s.name === 'read users')!;
    expect(read.kind).toBe(SpanKind.CLIENT);
    expect(read.attributes).toEqual({ 'db.system.name': 'azure.cosmosdb', 'db.collection.name': 'users', 'db.operation.name': 'read' });

    const answers = (await collect()).filter((p) => p.name === METRICS.answers);
    expect(answers.length).toBeGreaterThan(0);
    for (const p of answers) expect(INTENTS).toContain(p.attributes['lotse.intent']);
  });

  it('names a command turn by the command', async () => {
    spans.reset();
    await ask('Hilfe');
    expect(spans.getFinishedSpans().map((s) => s.name)).toContain('turn command help');
  });

  it('counts a question it could not answer', async () => {
    const before = (await collect()).find((p) => p.name === METRICS.unanswered)?.value ?? 0;
    await ask('Wie beantrage ich einen neuen Dienstausweis mit Foto?');
    const after = (await collect()).find((p) => p.name === METRICS.unanswered)?.value;
    expect(after).toBe((before as number) + 1);
  });

  it('counts card actions by registered verb and outcome, never by the verb text a client sent', async () => {
    spans.reset();
    expect((await app.post(teams.cardAction('profile.setAuthority', { authority: 'koeln' }, { from: asker }))).status).toBe(200);
    await app.post(teams.cardAction('profile.setAuthority', { authority: 'berlin' }, { from: asker }));
    await app.post(teams.cardAction('Telemetrie Fragende schreibt hier', {}, { from: asker }));
    const actions = (await collect()).filter((p) => p.name === METRICS.cardActions);
    expect(actions).toEqual(
      expect.arrayContaining([
        { name: METRICS.cardActions, attributes: { 'lotse.verb': 'profile.setAuthority', 'lotse.outcome': 'ok' }, value: 1 },
        { name: METRICS.cardActions, attributes: { 'lotse.verb': 'profile.setAuthority', 'lotse.outcome': 'BadRequest' }, value: 1 },
        { name: METRICS.cardActions, attributes: { 'lotse.verb': 'unknown', 'lotse.outcome': 'UnknownVerb' }, value: 1 },
      ]),
    );
    expect(spans.getFinishedSpans().map((s) => s.name)).toEqual(expect.arrayContaining(['turn verb profile.setAuthority', 'turn verb unknown']));
  });

  it('counts deliveries by result and the 429s Teams answered, and reads the outbox backlog and its oldest due age', async () => {
    const person = user({ name: 'Telemetrie Empfangende' });
    await app.post(teams.installationUpdate('add', { from: person }));
    const conversationId = personalConversationId(person.id);
    emulator.failNext(1, { status: 429, retryAfterSeconds: 1 }, { operations: ['send'] });
    await app.delivery.outbox.enqueue({
      key: 'test:telemetry:1',
      activity: { type: 'message', text: 'Ihr Anliegen wurde übernommen (Beispiel).' },
      recipients: [{ user: { aadObjectId: person.aadObjectId, tenantId: person.tenantId } }],
    });
    await emulator.waitFor((c) => c.operation === 'send' && c.status < 300 && /übernommen/.test(c.activity?.text ?? ''), 10_000);
    await app.delivery.whenIdle();
    const collected = await collect();
    const result = (r: string) => collected.find((p) => p.name === METRICS.deliveries && p.attributes['lotse.result'] === r)?.value;
    expect(result('throttled')).toBe(1);
    expect(result('sent')).toBeGreaterThanOrEqual(1);
    expect(collected.find((p) => p.name === METRICS.throttled && p.attributes['lotse.peer'] === 'teams')?.value).toBeGreaterThanOrEqual(1);
    expect(collected.find((p) => p.name === METRICS.outboxBacklog)?.value).toBe(0);
    expect(collected.find((p) => p.name === METRICS.outboxOldestDueAge)?.value).toBe(0);

    // One more, due tomorrow: the backlog counts it, but it is not overdue.
    await app.delivery.outbox.enqueue({
      key: 'test:telemetry:later',
      activity: { type: 'message', text: 'Erinnerung (Beispiel).' },
      recipients: [{ user: { aadObjectId: person.aadObjectId, tenantId: person.tenantId } }],
      notBefore: new Date(Date.now() + 24 * 3600_000),
    });
    const later = await collect();
    expect(later.find((p) => p.name === METRICS.outboxBacklog)?.value).toBe(1);
    expect(later.find((p) => p.name === METRICS.outboxOldestDueAge)?.value).toBe(0);
    texts.push(conversationId, person.aadObjectId, person.name, person.userPrincipalName, person.email);
  });

  it('puts no personal data into any span or metric: no user id, name, UPN, text, conversation or tenant id', async () => {
    const recorded: ReadableSpan[] = spans.getFinishedSpans();
    expect(recorded.length).toBeGreaterThan(0);
    const values = [
      ...recorded.flatMap((s) => [s.name, ...Object.values(s.attributes).map(String), ...s.events.flatMap((e) => Object.values(e.attributes ?? {}).map(String))]),
      ...(await collect()).flatMap((p) => [p.name, ...Object.values(p.attributes).map(String)]),
    ].join('\n').toLowerCase();
    const forbidden = [
      asker.aadObjectId,
      asker.id,
      asker.name,
      asker.userPrincipalName,
      asker.tenantId,
      personalConversationId(asker.id),
      ...texts,
    ];
    for (const value of forbidden) expect(values).not.toContain(value.toLowerCase());
  });
});
