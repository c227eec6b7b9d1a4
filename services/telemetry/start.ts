import type { Logger } from '../logging';
import type { StartedSdk } from './sdk';

/**
 * Starts traces and metrics export to Application Insights when a connection string is configured; otherwise does
 * nothing at all (no SDK loaded, no exporter, no network) and the API's no-op implementations stay in place.
 */
export async function startTelemetry(
  settings: { readonly connectionString: string } | undefined,
  service: { name: string; version?: string },
  logger: Logger,
): Promise<StartedSdk | undefined> {
  if (!settings) return undefined;
  // Loaded only here, so that a process without telemetry loads no SDK code (a CommonJS require: jest runs the same path).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSdk } = require('./sdk') as typeof import('./sdk');
  const sdk = startSdk({ connectionString: settings.connectionString, serviceName: service.name, serviceVersion: service.version });
  logger.info({ event: 'telemetry.on' }, 'Traces and metrics go to Application Insights (OpenTelemetry).');
  return sdk;
}
