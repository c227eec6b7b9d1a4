import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pinnedAgent } from '../../services/storage/embeddedCosmos';

/**
 * A gate between bot processes and the embedded database of a test: a TLS proxy on loopback that presents the
 * embedded server's own certificate (so `COSMOS_CERT_SHA256` stays the same), forwards every request, records what
 * it saw, and can hold requests back. Crash tests use it to see from outside how far a process got (its item writes)
 * and to stop it at a chosen point (hold its outbox writes) before killing it; nothing in the product knows about it.
 */

/** One request a bot process made to the database. */
export interface DbRequest {
  /** Arrival order, from 1. */
  seq: number;
  method: string;
  path: string;
  /** The container from `/dbs/<db>/colls/<container>/…`, if the path names one. */
  container?: string;
  /** Creates, upserts, replaces, patches, deletes and batches of documents; not reads or queries. */
  write: boolean;
  /** Held back by {@link CosmosGate.hold} when it arrived. */
  held: boolean;
}

export interface CosmosGate {
  /** Give this to bot processes as `COSMOS_ENDPOINT` (with the embedded server's `COSMOS_CERT_SHA256`). */
  readonly endpoint: string;
  /** Every request so far, oldest first. */
  readonly seen: readonly DbRequest[];
  /** From now on, requests that match are not forwarded until {@link dropHeld} (a crash test kills their sender first). */
  hold(predicate: (request: DbRequest) => boolean): void;
  /** Requests held back right now. */
  heldCount(): number;
  /** Stops holding, and answers none of the held requests: they never reached the database. */
  dropHeld(): void;
  /** Resolves once `count` requests (past or future) match, with those requests. */
  waitFor(predicate: (request: DbRequest) => boolean, count: number, timeoutMs?: number): Promise<DbRequest[]>;
  /** Resolves once every forwarded request has its answer from the database (or failed), so reads see its effect. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

interface Waiter {
  predicate: (request: DbRequest) => boolean;
  count: number;
  matched: DbRequest[];
  resolve: (requests: DbRequest[]) => void;
}

function classify(seq: number, req: IncomingMessage): DbRequest {
  const method = (req.method ?? 'GET').toUpperCase();
  const pathname = new URL(req.url ?? '/', 'https://127.0.0.1').pathname;
  const match = /^\/dbs\/[^/]+\/colls\/([^/]+)\/docs(\/|$)/.exec(pathname);
  const isQuery = String(req.headers['x-ms-documentdb-isquery'] ?? '').toLowerCase() === 'true' || String(req.headers['content-type'] ?? '').startsWith('application/query+json');
  const write = match !== null && (method === 'PUT' || method === 'PATCH' || method === 'DELETE' || (method === 'POST' && !isQuery));
  return { seq, method, path: pathname, container: match ? decodeURIComponent(match[1]) : undefined, write, held: false };
}

/** Starts a gate in front of the embedded server at `upstream` (its endpoint and certificate fingerprint). */
export async function startCosmosGate(upstream: { endpoint: string; certificateSha256: string }): Promise<CosmosGate> {
  const pkgDir = path.dirname(require.resolve('@vercel/cosmosdb-server/package.json'));
  const cert = readFileSync(path.join(pkgDir, 'cert.pem'));
  const key = readFileSync(path.join(pkgDir, 'key.pem'));
  const target = new URL(upstream.endpoint);
  const agent = pinnedAgent(upstream.certificateSha256);
  const seen: DbRequest[] = [];
  let waiters: Waiter[] = [];
  let holding: ((request: DbRequest) => boolean) | undefined;
  const held: Array<{ req: IncomingMessage }> = [];
  let inFlight = 0;
  const quiet: Array<() => void> = [];

  const finished = (): void => {
    inFlight -= 1;
    if (inFlight === 0) for (const resolve of quiet.splice(0)) resolve();
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    inFlight += 1;
    const out = https.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.once('end', finished);
        answer.once('error', () => {
          res.destroy();
          finished();
        });
      },
    );
    out.once('error', () => {
      res.destroy();
      finished();
    });
    out.end(body);
  };

  const server = https.createServer({ cert, key, keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = classify(seen.length + 1, req);
      request.held = holding?.(request) ?? false;
      seen.push(request);
      if (request.held) held.push({ req });
      else forward(req, res, Buffer.concat(chunks));
      for (const waiter of waiters) if (waiter.predicate(request)) waiter.matched.push(request);
      for (const waiter of waiters.filter((w) => w.matched.length >= w.count)) waiter.resolve(waiter.matched);
      waiters = waiters.filter((w) => w.matched.length < w.count);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `https://127.0.0.1:${port}/`,
    get seen() {
      return seen;
    },
    hold: (predicate) => {
      holding = predicate;
    },
    heldCount: () => held.length,
    dropHeld: () => {
      holding = undefined;
      for (const { req } of held.splice(0)) req.socket.destroy();
    },
    waitFor: (predicate, count, timeoutMs = 20_000) => {
      const matched = seen.filter(predicate);
      if (matched.length >= count) return Promise.resolve(matched.slice(0, count));
      return new Promise<DbRequest[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          reject(new Error(`database gate: ${waiter.matched.length} of ${count} expected request(s) within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter: Waiter = {
          predicate,
          count,
          matched,
          resolve: (requests) => {
            clearTimeout(timer);
            resolve(requests);
          },
        };
        waiters.push(waiter);
      });
    },
    settled: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => quiet.push(resolve))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const { req } of held.splice(0)) req.socket.destroy();
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
