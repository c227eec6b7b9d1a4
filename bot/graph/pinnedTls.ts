import https from 'node:https';
import type { TLSSocket } from 'node:tls';

/**
 * An https agent for test mode only: it accepts a server exactly when it presents the certificate with this SHA-256
 * fingerprint (`AA:BB:…`), and nothing else.
 *
 * The Graph stand-in serves a self-signed certificate (the one shipped with `@vercel/cosmosdb-server`, expired since
 * 2021), so ordinary chain validation cannot pass. Instead of switching TLS checks off (globally or per client), the
 * chain check is replaced by a pin for this agent alone: after the handshake and before any request bytes are
 * released, the peer certificate's fingerprint is compared and the socket destroyed on mismatch. TLS sessions are not
 * resumed (a resumed session presents no certificate to compare). Same approach as services/storage/embeddedCosmos.ts.
 */
export function pinnedHttpsAgent(expectedFingerprint256: string): https.Agent {
  const expected = expectedFingerprint256.toUpperCase();
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32, rejectUnauthorized: false, maxCachedSessions: 0 });
  type CreateConnection = (...args: unknown[]) => TLSSocket;
  const original = (agent as unknown as { createConnection: CreateConnection }).createConnection.bind(agent);
  (agent as unknown as { createConnection: CreateConnection }).createConnection = (...args: unknown[]) => {
    const socket = original(...args);
    socket.once('secureConnect', () => {
      const fp = socket.getPeerCertificate()?.fingerprint256;
      if (fp !== expected) socket.destroy(new Error('the Graph test server presented an unexpected certificate'));
    });
    return socket;
  };
  return agent;
}
