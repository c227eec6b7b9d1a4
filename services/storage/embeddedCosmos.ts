import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { COSMOS_AGENT_OPTIONS } from './cosmosAgent';

/** A Cosmos DB-compatible server running in this process on loopback; its data lives in memory. */
export interface EmbeddedCosmos {
  readonly endpoint: string;
  /** An https agent that trusts exactly this server's certificate, for this client only. */
  readonly agent: https.Agent;
  close(): Promise<void>;
}

/**
 * The server ships a self-signed certificate that expired in 2021, so ordinary chain validation
 * cannot pass. Instead of switching TLS checks off, this agent pins the certificate: a connection
 * is accepted only when the peer presents exactly the certificate the embedded server was started with.
 */
export function pinnedAgent(expectedFingerprint256: string): https.Agent {
  const agent = new https.Agent({
    ...COSMOS_AGENT_OPTIONS,
    maxSockets: 64,
    rejectUnauthorized: false,
    // A resumed TLS session presents no certificate to check; always do the full handshake.
    maxCachedSessions: 0,
  });
  const createConnection = (agent as unknown as { createConnection: (...a: unknown[]) => TLSSocket }).createConnection.bind(agent);
  (agent as unknown as { createConnection: (...a: unknown[]) => TLSSocket }).createConnection = (...args: unknown[]) => {
    const socket = createConnection(...args);
    socket.once('secureConnect', () => {
      const fp = socket.getPeerCertificate()?.fingerprint256;
      if (fp !== expectedFingerprint256) socket.destroy(new Error('embedded Cosmos server presented an unexpected certificate'));
    });
    return socket;
  };
  return agent;
}

/** One request as the server received it: method, path and the header that marks a query. */
export interface ServerRequest {
  method: string;
  url: string;
  isQuery: boolean;
}

/**
 * Starts the embedded server on 127.0.0.1 (a free port unless `port` is given). `observe` sees every request the
 * server receives (the database side's count of operations, for benchmarks).
 */
export async function startEmbeddedCosmos(port = 0, observe?: (request: ServerRequest) => void): Promise<EmbeddedCosmos & { certificateSha256: string }> {
  // Loaded only here: with its query engine (Babel, Turf) the server adds about 10 MB to the heap of a process that
  // merely talks to a database, as the service does in production (test/integration/process.test.ts). A CommonJS
  // require, so that jest runs the same path.
  const { createHttpsServer } = require('@vercel/cosmosdb-server') as typeof import('@vercel/cosmosdb-server');
  const pkgDir = path.dirname(require.resolve('@vercel/cosmosdb-server/package.json'));
  const cert = readFileSync(path.join(pkgDir, 'cert.pem'));
  const key = readFileSync(path.join(pkgDir, 'key.pem'));
  // keepAlive: without it the server answers `Connection: close` and every request pays a TLS handshake.
  const server = createHttpsServer({ cert, key, keepAlive: true } as Parameters<typeof createHttpsServer>[0]);
  if (observe) {
    server.on('request', (req: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> }) =>
      observe({ method: req.method ?? '', url: req.url ?? '', isQuery: String(req.headers['x-ms-documentdb-isquery'] ?? '').toLowerCase() === 'true' }),
    );
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  const certificateSha256 = new X509Certificate(cert).fingerprint256;
  const agent = pinnedAgent(certificateSha256);
  return {
    endpoint: `https://127.0.0.1:${actual}/`,
    agent,
    certificateSha256,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
