import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { ActivityHandler, CloudAdapter } from 'botbuilder';
import { message, user } from './activities';
import { createOfflineBotFrameworkAuthentication, OFFLINE_OUTBOUND_TOKEN } from './authConfig';
import { observeInbound, startChannelEmulator, type ChannelEmulator } from './channelEmulator';
import { installLoopbackGuard, type LoopbackGuard } from './loopbackGuard';
import { startTokenIssuer, type TokenIssuer } from './tokenIssuer';

const APP_ID = '3f6c1a2b-5d4e-4c7b-9a8f-0e1d2c3b4a59';

interface TinyBot {
  url: string;
  turns: Array<{ text?: string; callerId?: string }>;
  close(): Promise<void>;
}

/** The smallest production-shaped bot: restify + CloudAdapter + an echoing ActivityHandler. */
async function startTinyBot(issuer: TokenIssuer): Promise<TinyBot> {
  const adapter = new CloudAdapter(createOfflineBotFrameworkAuthentication({ appId: APP_ID, issuer }));
  const turns: TinyBot['turns'] = [];
  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    turns.push({ text: context.activity.text, callerId: context.activity.callerId });
    await context.sendActivity(`Echo: ${context.activity.text}`);
    await next();
  });
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/messages`,
    turns,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('offline Bot Framework authentication with the local token issuer', () => {
  let guard: LoopbackGuard;
  let issuer: TokenIssuer;
  let emulator: ChannelEmulator;
  let bot: TinyBot;
  const erika = user({ name: 'Erika Mustermann' });

  async function postWith(authorization: string | undefined, serviceUrl = emulator.serviceUrl): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization !== undefined) headers.authorization = authorization;
    const activity = message('hilfe', { from: erika, botAppId: APP_ID, serviceUrl });
    observeInbound(activity);
    return fetch(bot.url, { method: 'POST', headers, body: JSON.stringify(activity) });
  }

  beforeAll(async () => {
    guard = installLoopbackGuard();
    issuer = await startTokenIssuer({ appId: APP_ID });
    emulator = await startChannelEmulator();
    bot = await startTinyBot(issuer);
  });
  afterAll(async () => {
    await bot.close();
    await emulator.close();
    await issuer.close();
    guard.restore();
  });
  beforeEach(() => {
    emulator.reset();
    bot.turns.length = 0;
    // The SDK logs every rejected token with console.error; the assertions below say what matters.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('accepts a valid channel token and the reply reaches the channel with the offline token', async () => {
    const response = await postWith(issuer.authorizationHeader({ serviceurl: emulator.serviceUrl }));

    expect(response.status).toBe(200);
    const reply = await emulator.waitFor((call) => call.operation === 'reply');
    expect(reply.activity?.text).toBe('Echo: hilfe');
    expect(reply.authorization).toBe(`Bearer ${OFFLINE_OUTBOUND_TOKEN}`);
    expect(bot.turns).toEqual([{ text: 'hilfe', callerId: 'urn:botframework:azure' }]);
    expect(issuer.fetchCounts.keys).toBeGreaterThanOrEqual(1);
  });

  it.each<[string, () => string | undefined]>([
    ['no token', () => undefined],
    ['a malformed token', () => 'Bearer not-a-jwt'],
    ['a token signed by an unknown key', () => issuer.authorizationHeader({ serviceurl: emulator.serviceUrl }, { key: 'unknown' })],
    ['a token for another audience', () => issuer.authorizationHeader({ serviceurl: emulator.serviceUrl, aud: 'another-bot' })],
    ['an expired token', () => issuer.authorizationHeader({ serviceurl: emulator.serviceUrl }, { expiresInSeconds: -600 })],
    ['a token from another issuer', () => issuer.authorizationHeader({ serviceurl: emulator.serviceUrl, iss: 'https://sts.example' })],
    ['a token for another service URL', () => issuer.authorizationHeader({ serviceurl: 'https://smba.trafficmanager.net/emea/' })],
    ['a token in another scheme', () => `Basic ${issuer.sign({ serviceurl: emulator.serviceUrl })}`],
  ])('rejects %s with 401 and runs no turn', async (_case, authorization) => {
    const response = await postWith(authorization());

    expect(response.status).toBe(401);
    expect(bot.turns).toEqual([]);
    expect(emulator.calls).toEqual([]);
  });

  // The SDK only maps its own AuthenticationError to 401; jsonwebtoken's errors for a bad signature under a known key
  // id, or a token not valid yet, escape as 500. Still refused, but a product that wants 401 must map it itself.
  it.each<[string, () => string]>([
    ['a signature forged under the published key id', () => issuer.authorizationHeader({ serviceurl: emulator.serviceUrl }, { key: 'unknown', kid: issuer.keyId })],
    ['a token not valid yet', () => issuer.authorizationHeader({ serviceurl: emulator.serviceUrl }, { notBeforeSeconds: 3600 })],
  ])('refuses %s (the SDK answers 500) and runs no turn', async (_case, authorization) => {
    const response = await postWith(authorization());

    expect(response.status).toBe(500);
    expect(bot.turns).toEqual([]);
    expect(emulator.calls).toEqual([]);
  });

  it('never tried to reach anything but loopback', () => {
    expect(guard.blocked).toEqual([]);
    expect(guard.allowed.length).toBeGreaterThan(0);
    expect(guard.allowed.every((target) => target.startsWith('127.0.0.1:'))).toBe(true);
  });
});
