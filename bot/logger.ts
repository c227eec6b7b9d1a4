import pino from 'pino';
import type { Logger } from '../services/logging';
import type { AppConfig } from './config';

/**
 * The process logger: one JSON line per event on stdout. Keys that could carry personal data or
 * secrets are censored even if a caller passes them by mistake (DSG NRW: logs without message text).
 */
export function createLogger(config: Pick<AppConfig, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'integrations-lotse' },
      redact: {
        paths: [
          'text', '*.text', 'value', '*.value', 'body', '*.body', 'name', '*.name', 'email', '*.email',
          'authorization', '*.authorization', 'headers', 'password', '*.password', 'key', '*.key', 'token', '*.token',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  ) as unknown as Logger;
}
