import type { CloudAdapter, TurnContext } from 'botbuilder';
import { silentLogger } from '../../../services/logging';
import { startServer, type RunningServer } from '../../../bot/server';
import type { TeamsBot } from '../../../bot/teamsBot';

/**
 * Which requests count as turns for the dispatcher's busy rule (bot/turnLoad.ts): only those the adapter has
 * authenticated, i.e. those whose turn logic it runs. CloudAdapter answers a refused token itself without running the
 * logic (pinned against botbuilder in test/integration/auth.test.ts); this stand-in does the same for a missing header.
 */
describe('the server counts a turn only once the adapter has authenticated the request', () => {
  let server: RunningServer;
  let turns = 0;
  let ran = 0;

  beforeAll(async () => {
    const adapter = {
      async process(req: { headers: Record<string, string | undefined> }, res: { status(code: number): void; end(): void }, logic: (context: TurnContext) => Promise<void>) {
        if (!req.headers.authorization) {
          res.status(401);
          res.end();
          return;
        }
        await logic({} as TurnContext);
        res.status(200);
        res.end();
      },
    } as unknown as CloudAdapter;
    const bot = { run: async () => void ran++ } as unknown as TeamsBot;
    server = await startServer({ adapter, bot, logger: silentLogger, maxBodyBytes: 10_000, ready: async () => undefined, onTurn: () => void turns++ }, '127.0.0.1', 0);
  });
  afterAll(() => server.stop(1_000));

  const post = (headers: Record<string, string>) =>
    fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ type: 'message', text: 'Hilfe' }) });

  it('does not count forged or unauthenticated requests, and counts each authenticated one', async () => {
    for (let i = 0; i < 3; i++) expect((await post({})).status).toBe(401);
    expect([turns, ran]).toEqual([0, 0]);
    expect((await post({ authorization: 'Bearer token' })).status).toBe(200);
    expect((await post({ authorization: 'Bearer token' })).status).toBe(200);
    expect([turns, ran]).toEqual([2, 2]);
  });
});
