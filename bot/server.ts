import type { AddressInfo } from 'node:net';
import type { CloudAdapter } from 'botbuilder';
import restify, { type Next, type Request, type Response } from 'restify';
import type { Logger } from '../services/logging';
import { bodyReader } from './bodyReader';
import type { TeamsBot } from './teamsBot';

export interface ServerDeps {
  adapter: CloudAdapter;
  bot: TeamsBot;
  logger: Logger;
  maxBodyBytes: number;
  /** Called as each authenticated request from Teams starts its turn (the dispatcher yields to a burst of them, see bot/turnLoad.ts). */
  onTurn?: () => void;
  /** Resolves when the database answers; rejects with the reason otherwise. */
  ready: () => Promise<void>;
  /** Read-only documents served at fixed paths (never a file-system path taken from the request). */
  documents?: Record<string, { contentType: string; body: Buffer }>;
  /** Calendar files of circle meetings by their unguessable token; `undefined` for unknown tokens (404). */
  calendar?: (token: string) => Promise<{ body: string; filename: string } | undefined>;
  /** Further routes (the personal tab and its API), registered after the health probes. */
  routes?: (server: restify.Server) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Turns being processed right now. */
  inFlight(): number;
  /** Stops accepting connections and waits (up to `graceMs`) for in-flight turns to finish. */
  stop(graceMs: number): Promise<void>;
}

/** A short code for the log: the error's own code when it looks like one, else its class name; never its message. */
function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/i.test(code)) return code;
  return (err as Error)?.name || 'Error';
}

function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status);
  res.json({ code, message });
}

/**
 * Parses a JSON body that {@link bodyReader} has already size-limited. Our own parser instead of
 * jsonBodyParser, so that a bad body gets a plain 400 without echoing its content back.
 */
function parseJson(req: Request, res: Response, next: Next): void {
  const raw = (req as Request & { body?: unknown }).body;
  const type = (req.getContentType() || '').toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json')) {
    sendError(res, 415, 'UnsupportedMediaType', 'Content-Type must be application/json.');
    return next(false);
  }
  if (raw === undefined || raw === null || (Buffer.isBuffer(raw) && raw.length === 0) || raw === '') {
    sendError(res, 400, 'BadRequest', 'The request body is empty.');
    return next(false);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      sendError(res, 400, 'BadRequest', 'The request body must be a JSON object (an activity).');
      return next(false);
    }
    (req as Request & { body?: unknown }).body = parsed;
    return next();
  } catch {
    sendError(res, 400, 'BadRequest', 'The request body is not valid JSON.');
    return next(false);
  }
}

/** Starts the HTTP server: the Bot Framework endpoint and the health probes. */
export async function startServer(deps: ServerDeps, host: string, port: number): Promise<RunningServer> {
  const server = restify.createServer({ name: 'integrations-lotse', handleUncaughtExceptions: false });
  let inFlight = 0;
  let stopping = false;
  const idle: Array<() => void> = [];

  // restify's own errors (no route: 404 quoting the path; wrong method: 405 quoting it; an error passed to next) would
  // echo the request or an internal message; they get a fixed body, the same for every Accept header.
  const FIXED: Record<number, [string, string]> = {
    404: ['NotFound', 'There is nothing at this address.'],
    405: ['MethodNotAllowed', 'This method is not allowed here.'],
    406: ['NotAcceptable', 'The requested representation is not available.'],
    415: ['UnsupportedMediaType', 'This content type is not accepted.'],
  };
  server.on('restifyError', (_req: Request, res: Response, err: unknown, done: () => void) => {
    if (!res.headersSent) {
      const raw = (err as { statusCode?: unknown })?.statusCode;
      const status = typeof raw === 'number' && raw >= 400 && raw <= 599 ? raw : 500;
      if (status >= 500) deps.logger.error({ event: 'http.error', code: errorCode(err) }, 'request failed');
      const [code, message] = FIXED[status] ?? (status >= 500 ? ['InternalError', 'The request could not be processed.'] : ['BadRequest', 'The request could not be processed.']);
      sendError(res, status, code, message);
    }
    return done();
  });

  server.pre((req: Request, res: Response, next: Next) => {
    if (stopping) {
      res.header('Connection', 'close');
      sendError(res, 503, 'ShuttingDown', 'The service is shutting down.');
      return next(false);
    }
    return next();
  });

  server.post(
    '/api/messages',
    bodyReader(deps.maxBodyBytes),
    parseJson,
    async (req: Request, res: Response) => {
      inFlight++;
      try {
        // Counted once the adapter has authenticated the request: forged traffic never makes the process look busy.
        await deps.adapter.process(req, res, (context) => {
          deps.onTurn?.();
          return deps.bot.run(context);
        });
      } catch (err) {
        // CloudAdapter answers auth failures itself; anything reaching here is unexpected.
        deps.logger.error({ event: 'http.process_failed', code: (err as Error)?.name ?? 'Error' }, 'request failed');
        if (!res.headersSent) sendError(res, 500, 'InternalError', 'The request could not be processed.');
      } finally {
        inFlight--;
        if (inFlight === 0) idle.splice(0).forEach((resolve) => resolve());
      }
    },
  );

  server.get('/healthz', (_req: Request, res: Response, next: Next) => {
    res.json({ status: 'ok' });
    return next();
  });

  for (const [route, doc] of Object.entries(deps.documents ?? {})) {
    server.get(route, (_req: Request, res: Response, next: Next) => {
      res.setHeader('Content-Type', doc.contentType);
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.writeHead(200);
      res.end(doc.body);
      return next();
    });
  }

  const calendar = deps.calendar;
  if (calendar) {
    server.get('/kalender/:token', async (req: Request, res: Response) => {
      const token = String((req.params as Record<string, unknown>).token ?? '').replace(/\.ics$/, '');
      try {
        const file = await calendar(token);
        if (!file) return sendError(res, 404, 'NotFound', 'No calendar file under this link.');
        res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
        res.setHeader('Cache-Control', 'private, no-store');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.writeHead(200);
        res.end(file.body);
      } catch (err) {
        deps.logger.error({ event: 'calendar.failed', code: (err as Error)?.name ?? 'Error' }, 'calendar file failed');
        sendError(res, 500, 'InternalError', 'The calendar file could not be produced.');
      }
    });
  }
  deps.routes?.(server);

  server.get('/readyz', async (_req: Request, res: Response) => {
    try {
      await deps.ready();
      res.json({ status: 'ready' });
    } catch (err) {
      // The probe says which dependency failed, as a code; the error itself (host names, SDK text) goes to the log.
      deps.logger.warn({ event: 'readyz.unavailable', code: errorCode(err) }, 'not ready: the database does not answer');
      res.status(503);
      res.json({ status: 'unavailable', code: 'DatabaseUnavailable' });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    inFlight: () => inFlight,
    async stop(graceMs: number): Promise<void> {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((resolve) => idle.push(resolve)), new Promise((r) => setTimeout(r, graceMs).unref())]);
      }
      // Keep-alive connections would hold close() open; they carry no work any more.
      (server.server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      (server.server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
    },
  };
}
