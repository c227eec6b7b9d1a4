/**
 * The one module that starts the OpenTelemetry SDK and the Azure Monitor exporter. Everything else records through
 * the API (./telemetry.ts). Loaded by `startTelemetry` only when a connection string is configured, so a process
 * without one loads no SDK code, starts no exporter and opens no connection.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AzureMonitorMetricExporter, AzureMonitorTraceExporter } from '@azure/monitor-opentelemetry-exporter';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface SdkOptions {
  connectionString: string;
  /** `service.name`: Application Insights shows it as the cloud role name. */
  serviceName: string;
  serviceVersion?: string;
  /** How often metrics are exported (default 60 s, what Azure Monitor's own distro uses). */
  metricIntervalMs?: number;
}

/** A started SDK: `shutdown` flushes what is pending and unregisters the global providers. */
export interface StartedSdk {
  shutdown(): Promise<void>;
}

export function startSdk(options: SdkOptions): StartedSdk {
  const resource = resourceFromAttributes({ 'service.name': options.serviceName, ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}) });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new AzureMonitorTraceExporter({ connectionString: options.connectionString }))],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new AzureMonitorMetricExporter({ connectionString: options.connectionString }),
        exportIntervalMillis: options.metricIntervalMs ?? 60_000,
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    async shutdown() {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      trace.disable();
      metrics.disable();
      context.disable();
    },
  };
}
