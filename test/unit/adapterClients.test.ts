import type { TurnContext } from 'botbuilder';
import { createAdapter } from '../../bot/adapter';
import { loadConfig } from '../../bot/config';
import { silentLogger } from '../../services/logging';

/** A request as restify hands it to the adapter (body parsed by server.ts), and a response that records what it got. */
function exchange(activity: Record<string, unknown>) {
  const got: { status?: number; body?: string } = {};
  const req = { method: 'POST', body: activity, headers: {} };
  const res = {
    headersSent: false,
    writeHead(status: number) {
      got.status = status;
    },
    end(text?: string) {
      got.body = text;
    },
  };
  return { req, res, got };
}

const message = (serviceUrl: string, n: number) => ({
  type: 'message',
  id: `m${n}`,
  text: 'Hallo',
  channelId: 'msteams',
  serviceUrl,
  from: { id: '29:staff', aadObjectId: '00000000-0000-4000-8000-000000000011' },
  recipient: { id: '28:bot' },
  conversation: { id: 'a:personal', conversationType: 'personal', tenantId: '00000000-0000-4000-8000-00000000a000' },
  channelData: { tenant: { id: '00000000-0000-4000-8000-00000000a000' } },
});

/** Issue 14: botbuilder builds a connector client for every turn; the adapter keeps one per service URL, also without an app id. */
describe('the adapter without an app id (local development, the benchmarks)', () => {
  it('reuses one connector client per service URL across turns', async () => {
    const adapter = createAdapter(loadConfig({}), silentLogger);
    const clients: unknown[] = [];
    const turn = async (serviceUrl: string, n: number) => {
      const { req, res, got } = exchange(message(serviceUrl, n));
      await adapter.process(req as never, res as never, async (context: TurnContext) => {
        clients.push(context.turnState.get(adapter.ConnectorClientKey));
      });
      expect(got.status).toBe(200);
    };
    await turn('http://127.0.0.1:9/teams/', 1);
    await turn('http://127.0.0.1:9/teams/', 2);
    await turn('http://127.0.0.1:9/other/', 3);
    expect(clients).toHaveLength(3);
    expect(clients[0]).toBeDefined();
    expect(clients[1]).toBe(clients[0]);
    expect(clients[2]).not.toBe(clients[0]);
  });
});
