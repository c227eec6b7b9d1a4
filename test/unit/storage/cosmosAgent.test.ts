import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { COSMOS_AGENT_OPTIONS, cosmosAgent } from '../../../services/storage/cosmosAgent';
import { pinnedAgent } from '../../../services/storage/embeddedCosmos';

/** The client port of the connection each request came in on, as the server saw it. */
async function portsUsed(agent: http.Agent, url: string, concurrent: number, sequential: number): Promise<number[]> {
  const get = () =>
    new Promise<number>((resolve, reject) => {
      http
        .get(url, { agent }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(Number(body)));
        })
        .on('error', reject);
    });
  // A burst opens several connections …
  await Promise.all(Array.from({ length: concurrent }, get));
  // … and the steady load after it uses them: in turn (`fifo`), or always the last one freed (`lifo`).
  const ports: number[] = [];
  for (let i = 0; i < sequential; i++) ports.push(await get());
  return ports;
}

describe('the Cosmos DB clients\' connections (services/storage/cosmosAgent.ts)', () => {
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer({ keepAlive: true } as http.ServerOptions, (req, res) => {
      // Answered a moment later, so that the burst's requests overlap and each gets a connection of its own.
      setTimeout(() => res.end(String(req.socket.remotePort)), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('keeps connections alive and takes them in turn', () => {
    expect(COSMOS_AGENT_OPTIONS).toEqual({ keepAlive: true, scheduling: 'fifo', timeout: 30_000 });
    for (const agent of [cosmosAgent(), pinnedAgent('AB:CD')]) {
      const options = (agent as unknown as { options: { keepAlive?: boolean; scheduling?: string; timeout?: number } }).options;
      expect(options.keepAlive).toBe(true);
      expect(options.scheduling).toBe('fifo');
      expect(options.timeout).toBe(30_000);
      agent.destroy();
    }
  });

  it("closes a connection that stood idle for the agent's timeout (Node's agent, here with 100 ms instead of 30 s)", async () => {
    const agent = new http.Agent({ ...COSMOS_AGENT_OPTIONS, timeout: 100 });
    const free = () => Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);
    await portsUsed(agent, url, 1, 0);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(free()).toBe(1);
    // Closed by the client: its 'close' is the signal, no fixed wait.
    const [socket] = Object.values(agent.freeSockets).flat();
    await new Promise<void>((resolve) => socket!.once('close', () => resolve()));
    expect(free()).toBe(0);
    agent.destroy();
  });

  it("uses every connection a burst opened for the load after it (Node's fifo), so that none falls idle and is closed", async () => {
    const agent = new http.Agent({ ...COSMOS_AGENT_OPTIONS });
    const ports = await portsUsed(agent, url, 3, 6);
    agent.destroy();
    expect(new Set(ports).size).toBe(3);
  });

  it("without it, Node's default (lifo) keeps using the last connection freed while the others stand idle", async () => {
    const agent = new http.Agent({ keepAlive: true });
    const ports = await portsUsed(agent, url, 3, 6);
    agent.destroy();
    expect(new Set(ports).size).toBe(1);
  });
});
