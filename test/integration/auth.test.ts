import { CONTAINERS } from '../../services/storage/containers';
import type { UserProfile } from '../../services/users/userProfiles';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, user } from '../support/activities';
import { OFFLINE_OUTBOUND_TOKEN, OfflineCredentialsFactory, testModeAuthEnv } from '../support/authConfig';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

const APP_ID = DEFAULT_BOT_APP_ID;
/** Any tenant at all: botbuilder's Emulator path adds the token's own `tid` to the issuers it trusts. */
const STRANGER_TENANT = '0badc0de-0000-4000-8000-00000000beef';

/** The service with an app ID, validating Bot Framework tokens against `issuer` (test mode), replies to the emulator. */
function startAuthenticatedApp(issuer: TokenIssuer): Promise<TestApp> {
  return startTestApp(
    {
      MicrosoftAppId: APP_ID,
      MicrosoftAppTenantId: DEFAULT_TENANT_ID,
      ALLOWED_TENANT_IDS: DEFAULT_TENANT_ID,
      HOST: '127.0.0.1',
      ...testModeAuthEnv({ appId: APP_ID, issuer, tenantId: DEFAULT_TENANT_ID }),
    },
    { credentialsFactory: new OfflineCredentialsFactory(APP_ID) },
  );
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('with a Microsoft App ID, every request must carry a valid Bot Framework token', () => {
  let issuer: TokenIssuer;
  let emulator: ChannelEmulator;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: APP_ID, endorsements: ['msteams'] });
    emulator = await startChannelEmulator({ expectedAuthorization: `Bearer ${OFFLINE_OUTBOUND_TOKEN}` });
    app = await startAuthenticatedApp(issuer);
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: APP_ID });
  });
  afterAll(async () => {
    await app.stop();
    await emulator.close();
    await issuer.close();
  });
  beforeEach(() => emulator.reset());

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
  ])('answers 401 to %s with a code only and sends nothing', async (_name, makeToken) => {
    const token = makeToken();
    const res = await app.post(teams.message('Hilfe'), token ? bearer(token) : {});
    // No turn ran: a turn's replies are sent before the response, so the response is the signal.
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: { code: 'Unauthorized' } });
    expect(emulator.calls).toHaveLength(0);
  });

  it('refuses a key not endorsed for Teams, although issuer, audience and service URL are right (botbuilder checks endorsements)', async () => {
    const other = await startTokenIssuer({ appId: APP_ID, endorsements: ['webchat'] });
    const otherApp = await startAuthenticatedApp(other);
    try {
      const res = await otherApp.post(teams.message('Hilfe'), bearer(other.sign({ serviceurl: emulator.serviceUrl })));
      expect(res).toEqual({ status: 401, body: { code: 'Unauthorized' } });
      expect(emulator.calls).toHaveLength(0);
    } finally {
      await otherApp.stop();
      await other.close();
    }
  });

  it('answers 401 to a valid channel token for another Bot Framework channel (Web Chat, Direct Line): their clients write channelData, tenant included', async () => {
    // Bot Framework's real keys are endorsed for every channel; a Web Chat or Direct Line client (anyone holding the
    // bot resource's secret) chooses `from` and `channelData.tenant` itself, so only Teams' own activities count.
    const other = await startTokenIssuer({ appId: APP_ID, endorsements: ['msteams', 'webchat', 'directline'] });
    const otherApp = await startAuthenticatedApp(other);
    try {
      for (const channelId of ['webchat', 'directline']) {
        const forged = { ...teams.message('Meine Daten', { from: user({ name: 'Erika Beispiel' }) }), channelId };
        const res = await otherApp.post(forged, bearer(other.sign({ serviceurl: emulator.serviceUrl })));
        expect(res).toEqual({ status: 401, body: { code: 'Unauthorized' } });
      }
      expect(emulator.calls).toHaveLength(0);
      // Teams itself still gets through with the same keys.
      const hello = teams.message('Hilfe');
      expect((await otherApp.post(hello, bearer(other.sign({ serviceurl: emulator.serviceUrl })))).status).toBe(200);
    } finally {
      await otherApp.stop();
      await other.close();
    }
  });

  describe('only Bot Connector channel tokens reach a turn', () => {
    let attacker: ChannelEmulator;
    const erika = user({ name: 'Erika Beispiel' });
    const profileOf = () => app.database.store<UserProfile>(CONTAINERS.users).read(erika.aadObjectId, 'profile');
    /** Every service URL the conversations container holds (tenant endpoints and conversation references). */
    const storedServiceUrls = async () => {
      const docs = await app.database.store<{ pk: string; id: string }>(CONTAINERS.conversations).query<Record<string, any>>({ query: 'SELECT * FROM c' });
      return docs.map((d) => d.serviceUrl ?? d.ref?.serviceUrl).filter((u): u is string => typeof u === 'string');
    };
    /** A real turn from Teams: its reply to the real channel shows that everything posted before it is done. */
    /** After a refused request: a genuine turn and an idle outbox later, nothing went to the attacker and nothing stored changed. */
    async function expectNothingReachedTheAttacker(before: unknown, code: string): Promise<void> {
      await genuineTurn();
      // Nothing the app sends later (the outbox) may go to the attacker's address either.
      await app.delivery.whenIdle();
      expect(attacker.calls).toHaveLength(0);
      expect((await profileOf())?.personal?.serviceUrl).toBe(emulator.serviceUrl);
      expect(await storedServiceUrls()).toEqual(before);
      expect(app.logs.lines.filter((l) => l.event === 'request.unauthorized').pop()).toMatchObject({ code });
    }

    const genuineTurn = async () => {
      const hello = teams.message('Hilfe', { from: erika });
      expect((await app.post(hello, bearer(issuer.sign({ serviceurl: emulator.serviceUrl })))).status).toBe(200);
      await emulator.waitFor((c) => c.operation === 'reply' && c.activity?.replyToId === hello.id);
    };

    beforeAll(async () => {
      attacker = await startChannelEmulator();
    });
    afterAll(() => attacker.close());

    it.each([
      ['an Emulator token (v1.0: sts.windows.net issuer, appid = the bot)', () => issuer.signEmulator({ tid: STRANGER_TENANT, ver: '1.0' })],
      ['an Emulator token (v2.0: login.microsoftonline.com issuer, azp = the bot)', () => issuer.signEmulator({ tid: STRANGER_TENANT, ver: '2.0' })],
      ['an Emulator token of the bot\'s own tenant', () => issuer.signEmulator({ tid: DEFAULT_TENANT_ID })],
      ['a channel token issued for the attacker\'s service URL but another issuer', () => issuer.sign({ serviceurl: 'ATTACKER', iss: `https://sts.windows.net/${STRANGER_TENANT}/` })],
    ])('answers 401 to %s, runs no logic and keeps the stored service URL', async (_name, makeToken) => {
      await genuineTurn();
      expect((await profileOf())?.personal?.serviceUrl).toBe(emulator.serviceUrl);
      const before = await storedServiceUrls();
      expect(before).toContain(emulator.serviceUrl);

      // The caller picks user, tenant and service URL; the reply would carry the bot's outbound token to them.
      const forged = activityBuilders({ serviceUrl: attacker.serviceUrl, botAppId: APP_ID }).message('Meine Daten', { from: erika });
      const token = makeToken().replace('ATTACKER', attacker.serviceUrl);
      const res = await app.post(forged, bearer(token));
      expect(res).toEqual({ status: 401, body: { code: 'Unauthorized' } });

      await expectNothingReachedTheAttacker(before, 'NOT_CHANNEL_TOKEN');
    });

    it.each([
      ['names the real channel, but the activity the attacker\'s address', () => issuer.sign({ serviceurl: emulator.serviceUrl }), 'ATTACKER'],
      ['names another address than the activity', () => issuer.sign({ serviceurl: 'https://smba.trafficmanager.net/emea/' }), 'ATTACKER'],
      ['has no serviceurl claim, for an activity without serviceUrl', () => issuer.sign({} as never), ''],
    ])('answers 401 to a channel token that %s', async (_name, makeToken, serviceUrl) => {
      await genuineTurn();
      const before = await storedServiceUrls();
      const forged = { ...teams.message('Hilfe', { from: erika }), serviceUrl: serviceUrl === 'ATTACKER' ? attacker.serviceUrl : serviceUrl };
      const res = await app.post(forged, bearer(makeToken()));
      expect(res).toEqual({ status: 401, body: { code: 'Unauthorized' } });

      await expectNothingReachedTheAttacker(before, 'SERVICE_URL_MISMATCH');
    });

    it('answers 401 to a valid channel token on an activity that claims the ASE channel (another botbuilder path)', async () => {
      const res = await app.post({ ...teams.message('Hilfe', { from: erika }), channelId: 'AseChannel' }, bearer(issuer.sign({ serviceurl: emulator.serviceUrl })));
      expect(res).toEqual({ status: 401, body: { code: 'Unauthorized' } });
      expect(emulator.calls).toHaveLength(0);
    });
  });

  describe('logs stay small whatever the request carries', () => {
    const HUGE = 40 * 1024;
    const huge = (c: string) => c.repeat(HUGE);
    /** Bytes of log written while `run` was in flight (the request's own lines: it runs alone). */
    async function logBytesOf(run: () => Promise<unknown>): Promise<{ bytes: number; lines: string[] }> {
      const from = app.logs.raw.length;
      await run();
      const lines = app.logs.raw.slice(from);
      return { bytes: lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0), lines };
    }
    const oversized = (type: 'message' | 'invoke') => {
      const base = type === 'message' ? teams.message('Hilfe') : teams.cardAction(huge('v'), {});
      return {
        ...base,
        id: `${'a\n'.repeat(HUGE / 2)}`,
        conversation: { ...base.conversation, id: `a:${huge('c')}` },
        from: { ...base.from, id: `29:${'\u0007'.repeat(1024)}` },
      };
    };

    it.each([
      ['an invalid token', 'message' as const, () => ({ headers: { authorization: 'Bearer x.y.z' } }), 401],
      ['an Emulator token', 'invoke' as const, () => bearer(issuer.signEmulator({ tid: STRANGER_TENANT })), 401],
      ['a valid token', 'message' as const, () => bearer(issuer.sign({ serviceurl: emulator.serviceUrl })), 200],
      ['a valid token on a card action with a 40 KB verb', 'invoke' as const, () => bearer(issuer.sign({ serviceurl: emulator.serviceUrl })), 400],
    ])('writes at most 1 KB of log, without control characters, for a request with 40 KB ids and %s', async (_name, type, auth, status) => {
      const activity = oversized(type);
      let answered = 0;
      const { bytes, lines } = await logBytesOf(async () => (answered = (await app.post(activity, auth())).status));
      expect(answered).toBe(status);
      expect(lines.length).toBeGreaterThan(0);
      expect(bytes).toBeLessThanOrEqual(1024);
      for (const line of lines) expect(line).not.toMatch(/\\n|\\u0007/);
    });
  });
});

describe('a failure inside the Bot Framework SDK', () => {
  it('answers 500 with a code only; the message (here: where the metadata lives) goes nowhere but the log code', async () => {
    const issuer = await startTokenIssuer({ appId: APP_ID });
    const emulator = await startChannelEmulator();
    const app = await startAuthenticatedApp(issuer);
    try {
      const token = issuer.sign({ serviceurl: emulator.serviceUrl });
      // The issuer's metadata cannot be fetched any more: botbuilder fails with an error naming the URL.
      await issuer.close();
      const res = await app.post(activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: APP_ID }).message('Hilfe'), bearer(token));
      expect(res).toEqual({ status: 500, body: { code: 'InternalError' } });
      const line = app.logs.lines.find((l) => l.event === 'request.failed');
      expect(line).toMatchObject({ code: expect.any(String) });
      expect(JSON.stringify(line)).not.toMatch(/127\.0\.0\.1|well-known/);
    } finally {
      await app.stop();
      await emulator.close();
    }
  });
});
