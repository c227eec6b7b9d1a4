import pino from 'pino';
import type { Logger } from '../services/logging';
import type { AppConfig } from './config';

/**
 * How much of a logged value is kept. Ids in activities (activity, conversation, user ids, verbs) come from the
 * request and may be any size; bounded here, one request writes a few hundred bytes of log, never the request.
 */
export const LOG_LIMITS = { string: 64, key: 32, keys: 16, items: 8, depth: 3, message: 200, total: 800 } as const;

// C0 and C1 control characters, and the Unicode line and paragraph separators: nothing that could forge a line.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Strips control characters and cuts to `max` characters (marked with "…"). */
export function cutForLog(value: string, max: number = LOG_LIMITS.string): string {
  // Slice first: cleaning a 100 KB id is wasted work when 64 characters are kept.
  const clean = value.slice(0, max * 2 + 1).replace(CONTROL, '');
  return clean.length > max || value.length > max * 2 + 1 ? `${clean.slice(0, max)}…` : clean;
}

/** What is left of one line's {@link LOG_LIMITS.total}: the per-value limits alone allow 16 × 16 × 16 values. */
interface Budget {
  left: number;
}

function bounded(value: unknown, depth: number, budget: Budget): unknown {
  if (typeof value === 'string') {
    const cut = budget.left > 0 ? cutForLog(value, Math.max(1, Math.min(LOG_LIMITS.string, budget.left))) : '…';
    budget.left -= cut.length;
    return cut;
  }
  if (value === null || value === undefined || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    budget.left -= String(value).length;
    return value;
  }
  if (typeof value === 'bigint') return bounded(String(value), depth, budget);
  if (typeof value !== 'object') return `[${typeof value}]`;
  // An error's message may quote data; its class and code say enough.
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { type: bounded(value.name, depth + 1, budget), ...(typeof code === 'string' || typeof code === 'number' ? { code: bounded(code, depth + 1, budget) } : {}) };
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (depth >= LOG_LIMITS.depth) return '[object]';
  if (Array.isArray(value)) {
    const items = value.slice(0, LOG_LIMITS.items).map((v) => bounded(v, depth + 1, budget));
    if (value.length > LOG_LIMITS.items) items.push(`…${value.length - LOG_LIMITS.items} more`);
    return items;
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (n++ === LOG_LIMITS.keys || budget.left <= 0) {
      out['…'] = 'more keys';
      break;
    }
    const name = cutForLog(key, LOG_LIMITS.key);
    // The key and the JSON around it ("…":…,).
    budget.left -= name.length + 4;
    out[name] = bounded((value as Record<string, unknown>)[key], depth + 1, budget);
  }
  return out;
}

/** The logged object with every string cut and cleaned, arrays, objects and nesting bounded (a new object). */
export function boundLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  return bounded(obj, 0, { left: LOG_LIMITS.total }) as Record<string, unknown>;
}

/**
 * The process logger: one JSON line per event on stdout. Keys that could carry personal data or
 * secrets are censored even if a caller passes them by mistake (DSG NRW: logs without message text),
 * and every value is bounded (see {@link LOG_LIMITS}), so a request cannot make a line any longer.
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
      formatters: { log: boundLogObject, bindings: boundLogObject },
      hooks: {
        // The message is a constant of ours; cut it anyway, and drop printf arguments (the Logger port has none).
        logMethod(args, method) {
          const [obj, msg] = args as unknown[];
          if (typeof obj === 'string') return method.call(this, cutForLog(obj, LOG_LIMITS.message));
          if (typeof msg === 'string') return method.call(this, obj as object, cutForLog(msg, LOG_LIMITS.message));
          // Without a message pino takes an error's (`obj` itself or `obj.err`) as the line's message, uncut and
          // unredacted; name the error's class instead.
          const err = obj instanceof Error ? obj : (obj as { err?: unknown; msg?: unknown } | null)?.msg === undefined ? (obj as { err?: unknown } | null)?.err : undefined;
          if (err) return method.call(this, obj as object, cutForLog(String((err as { name?: unknown }).name ?? 'Error'), LOG_LIMITS.message));
          return method.call(this, obj as object);
        },
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  ) as unknown as Logger;
}
