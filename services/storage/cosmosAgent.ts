import https from 'node:https';

/**
 * How every Cosmos DB client of the product connects (`cosmosAgent`, and the embedded server's pinned agent): kept-alive
 * connections, taken in turn (`fifo`) rather than the most recently used first (Node's default, `lifo`). With `lifo`,
 * a burst that opened extra connections leaves them idle while the steady load keeps using the same few; the server
 * closes an idle connection (Node's server after 5 s), and the next burst pays a TLS handshake for each again, in the
 * product and in the database at once. Measured (`npm run bench -- actions`, 2026-12-06): 16 new connections in one
 * moment of the 10 s window with `lifo`, 4 with `fifo`; p99 above the stock bot's by 8–30 ms in four runs of three
 * rounds (median 10) instead of 22–41 ms (median 25): a gain within a noisy measurement, not a certainty. The price of taking the oldest free connection: when traffic is low, that is the one idle
 * longest, the likeliest to have been dropped by the server or a load balancer on the way (Azure's drops idle flows
 * after 4 minutes), and the SDK repeats a read on a reset connection but not a write. So the client closes a connection
 * itself once it has been idle for 30 s (`timeout`; Node's agent also honours a server's shorter keep-alive hint).
 * Pinned by `test/unit/storage/cosmosAgent.test.ts`.
 */
export const COSMOS_AGENT_OPTIONS = Object.freeze({ keepAlive: true, scheduling: 'fifo' as const, timeout: 30_000 });

/** The https agent for Azure Cosmos DB (the SDK's own default plus `fifo`, see {@link COSMOS_AGENT_OPTIONS}). */
export function cosmosAgent(): https.Agent {
  return new https.Agent({ ...COSMOS_AGENT_OPTIONS, minVersion: 'TLSv1.2' });
}
