import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID } from '../support/activities';
import { OFFLINE_OUTBOUND_TOKEN, offlineAuthConfig, OfflineCredentialsFactory } from '../support/authConfig';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

const APP_ID = DEFAULT_BOT_APP_ID;

describe('with a Microsoft App ID, every request must carry a valid Bot Framework token', () => {
  let issuer: TokenIssuer;
  let emulator: ChannelEmulator;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: APP_ID, endorsements: ['msteams'] });
    emulator = await startChannelEmulator({ expectedAuthorization: `Bearer ${OFFLINE_OUTBOUND_TOKEN}` });
    const overrides = Object.fromEntries(
      Object.entries(offlineAuthConfig({ appId: APP_ID, issuer, tenantId: DEFAULT_TENANT_ID }))
        .filter(([k]) => k !== 'MicrosoftAppId' && k !== 'MicrosoftAppTenantId')
        .map(([k, v]) => [`BOTAUTH_${k}`, String(v)]),
    );
    app = await startTestApp(
      { MicrosoftAppId: APP_ID, MicrosoftAppTenantId: DEFAULT_TENANT_ID, ALLOWED_TENANT_IDS: DEFAULT_TENANT_ID, HOST: '127.0.0.1', ...overrides },
      { credentialsFactory: new OfflineCredentialsFactory(APP_ID) },
    );
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: APP_ID });
  });
  afterAll(async () => {
    await app.stop();
    await emulator.close();
    await issuer.close();
  });
  beforeEach(() => emulator.reset());

  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('accepts a valid token and replies to the channel with its own credentials', async () => {
    const token = issuer.sign({ serviceurl: emulator.serviceUrl });
    const res = await app.post(teams.message('Hilfe'), bearer(token));
    expect(res.status).toBe(200);
    const call = await emulator.waitFor((c) => c.operation === 'reply' || c.operation === 'send');
    expect({ status: call.status, auth: call.authorization, body: call.responseBody }).toMatchObject({ status: 201 });
    expect(call.authorization).toBe(`Bearer ${OFFLINE_OUTBOUND_TOKEN}`);
  });

  it.each([
    ['no token', () => undefined],
    ['a malformed token', () => 'not.a.jwt'],
    ['a token signed by an unknown key', () => issuer.sign({ serviceurl: emulator.serviceUrl }, { key: 'unknown', kid: issuer.keyId })],
    ['a token for another audience', () => issuer.sign({ serviceurl: emulator.serviceUrl, aud: '99999999-9999-4999-8999-999999999999' })],
    ['an expired token', () => issuer.sign({ serviceurl: emulator.serviceUrl }, { expiresInSeconds: -3600 })],
  ])('answers 401 to %s and sends nothing', async (_name, makeToken) => {
    const token = makeToken();
    const res = await app.post(teams.message('Hilfe'), token ? bearer(token) : {});
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 401 });
    await new Promise((r) => setTimeout(r, 100));
    expect(emulator.calls).toHaveLength(0);
  });
});
