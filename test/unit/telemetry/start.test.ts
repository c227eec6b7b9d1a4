import { metrics, trace } from '@opentelemetry/api';
import { loadConfig } from '../../../bot/config';
import { startTelemetry } from '../../../services/telemetry/start';
import { countAnswer } from '../../../services/telemetry/telemetry';

const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn(), child: () => logger } as never;
const CONNECTION = 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/';

describe('telemetry start', () => {
  // The exporter's own usage statistics (statsbeat) would start a timer that sends to Microsoft; the tests stay offline.
  const saved = process.env.APPLICATION_INSIGHTS_NO_STATSBEAT;
  beforeAll(() => {
    process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.APPLICATION_INSIGHTS_NO_STATSBEAT;
    else process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = saved;
  });
  afterEach(() => {
    trace.disable();
    metrics.disable();
  });

  it('starts nothing without APPLICATIONINSIGHTS_CONNECTION_STRING: no SDK, spans are not recorded, metrics go nowhere', async () => {
    const config = loadConfig({ PORT: '0' });
    expect(config.telemetry).toBeUndefined();
    expect(await startTelemetry(config.telemetry, { name: 'integrations-lotse' }, logger)).toBeUndefined();
    const span = trace.getTracer('probe').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
  });

  it('starts the Azure Monitor export with the connection string, and stops it again', async () => {
    const config = loadConfig({ PORT: '0', APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION });
    expect(config.telemetry).toEqual({ connectionString: CONNECTION });
    const sdk = await startTelemetry(config.telemetry, { name: 'integrations-lotse' }, logger);
    expect(sdk).toBeDefined();
    // Not ended: nothing is exported, so the test sends nothing anywhere.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(true);
    expect(metrics.getMeterProvider().constructor.name).toBe('MeterProvider');
    await sdk!.shutdown();
    expect(trace.getTracer('probe').startSpan('after').isRecording()).toBe(false);
  });

  it('refuses a value that is not a connection string, naming the key', () => {
    expect(() => loadConfig({ PORT: '0', APPLICATIONINSIGHTS_CONNECTION_STRING: 'my-instrumentation-key' })).toThrow(/APPLICATIONINSIGHTS_CONNECTION_STRING: is not an Application Insights connection string/);
  });

  it('never fails the caller when recording fails', () => {
    const broken = { getMeter: () => ({ createCounter: () => ({ add: () => { throw new Error('exporter bug'); } }) }) };
    metrics.setGlobalMeterProvider(broken as never);
    expect(() => countAnswer('contact.commissioner')).not.toThrow();
  });
});

describe('telemetry boundaries', () => {
  it('imports the OpenTelemetry SDK and the exporter in services/telemetry/sdk.ts only; everything else uses the API', () => {
    const { readdirSync, readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const { join, relative } = jest.requireActual<typeof import('node:path')>('node:path');
    const root = join(__dirname, '..', '..', '..');
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const sdkImport = /from '(@opentelemetry\/(?!api')[^']+|@azure\/monitor-opentelemetry[^']*)'/;
    const importers = [...files(join(root, 'bot')), ...files(join(root, 'services'))].filter((f) => sdkImport.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    expect(importers).toEqual(['services/telemetry/sdk.ts']);
  });
});
