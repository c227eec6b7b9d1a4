import { request } from 'node:http';
import { decodeJwt } from 'jose';
import { startEmbeddedCosmos } from '../../services/storage/embeddedCosmos';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, user } from '../support/activities';
import { testModeAuthEnv } from '../support/authConfig';
import { startBotProcess, type BotProcess } from '../support/botProcess';
import { observeInbound, startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startGraphStandIn, type GraphStandIn, type ManagedIdentityEndpoint } from '../support/graphStandIn';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/**
 * The deployment the docs recommend, in a real process (`node dist/bot/index.js`): the bot's identity is a user-assigned
 * managed identity (`MicrosoftAppType=UserAssignedMSI`), with no secret anywhere. Inside an App Service,
 * `@azure/identity` gets its tokens from the platform's endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER): here the Graph
 * stand-in's, on loopback. The bot authenticates Teams' requests (against the local issuer), calls the Bot Connector
 * with a managed identity token for the Bot Framework, and Graph with one for Graph.
 */

const APP_ID = DEFAULT_BOT_APP_ID;

function post(url: string, activity: unknown, token: string): Promise<number> {
  observeInbound(activity);
  const payload = JSON.stringify(activity);
  return new Promise((resolve) => {
    const req = request(
      `${url}/api/messages`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(payload);
  });
}

describe('a real process whose identity is a managed identity', () => {
  let db: Awaited<ReturnType<typeof startEmbeddedCosmos>>;
  let issuer: TokenIssuer;
  let emulator: ChannelEmulator;
  let graph: GraphStandIn;
  let msi: ManagedIdentityEndpoint;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    db = await startEmbeddedCosmos();
    issuer = await startTokenIssuer({ appId: APP_ID, endorsements: ['msteams'] });
    emulator = await startChannelEmulator();
    graph = await startGraphStandIn({ clientId: APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: ['TeamsAppInstallation.ReadWriteSelfForUser.All', 'Chat.Read.All'] });
    msi = await graph.startManagedIdentity();
  });
  afterAll(async () => {
    if (bot && bot.child.exitCode === null) bot.child.kill('SIGKILL');
    await bot?.exited;
    await msi?.close();
    await graph?.close();
    await emulator?.close();
    await issuer?.close();
    await db?.close();
  });

  it('answers Teams, posts with a Bot Framework token from the managed identity, and turns Graph features on with a Graph one', async () => {
    const { MicrosoftAppPassword: _secret, ...graphEnv } = graph.env();
    bot = await startBotProcess({
      COSMOS_ENDPOINT: db.endpoint,
      COSMOS_CERT_SHA256: db.certificateSha256,
      COSMOS_DATABASE: 'managed-identity-process',
      SEED_DEMO_DIRECTORY: 'true',
      HOST: '127.0.0.1',
      ...graphEnv,
      MicrosoftAppType: 'UserAssignedMSI',
      GRAPH_TEAMS_CATALOG_APP_ID: graph.catalogApp.id,
      ...testModeAuthEnv({ appId: APP_ID, issuer, tenantId: DEFAULT_TENANT_ID }),
      ...msi.env(),
    });
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: APP_ID });
    const person = user({ name: 'Mia Managed (Beispiel)' });
    const token = issuer.sign({ serviceurl: emulator.serviceUrl });
    expect(await post(bot.url, teams.installationUpdate('add', { from: person }), token)).toBe(200);
    expect(await post(bot.url, teams.message('hilfe', { from: person }), token)).toBe(200);
    const reply = await emulator.waitFor((c) => (c.operation === 'send' || c.operation === 'reply') && c.conversationId === personalConversationId(person.id, APP_ID) && c.status < 300, 30_000);
    const outbound = decodeJwt(String(reply.authorization).replace(/^Bearer /, ''));
    expect(outbound).toMatchObject({ aud: 'https://api.botframework.com', appid: APP_ID, tid: DEFAULT_TENANT_ID });
    // Graph's resource is the stand-in's origin here (GRAPH_BASE_URL), graph.microsoft.com in Azure. Without a token, Teams' request is refused.
    expect(await post(bot.url, teams.message('hilfe', { from: person }), 'not-a-token')).toBe(401);
    expect(graph.managedIdentityRequests).toEqual(expect.arrayContaining([graph.origin, 'https://api.botframework.com']));
    expect(bot.lines.find((l) => l.event === 'graph.on')).toMatchObject({ on: expect.arrayContaining(['install', 'chats']) });
  }, 90_000);
});
