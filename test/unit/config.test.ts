import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../bot/config';

const APP = '5f0e0c2a-1111-4222-8333-444455556666';
const TENANT = '5f0e0c2a-1111-4222-8333-444455556667';

describe('configuration', () => {
  it('runs locally with no settings: loopback, port 3978, embedded database with demo data, 256 KB bodies', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3978, host: '127.0.0.1', maxBodyBytes: 256 * 1024, allowedTenantIds: [] });
    expect(c.cosmos).toMatchObject({ endpoint: undefined, seedDemo: true, databaseId: 'integrations-lotse' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.cosmos)).toBe(true);
  });

  it('binds to all interfaces once an app ID is configured, and demands the tenants it serves', () => {
    expect(() => loadConfig({ MicrosoftAppId: APP, MicrosoftAppTenantId: TENANT })).toThrow(/ALLOWED_TENANT_IDS/);
    const c = loadConfig({ MicrosoftAppId: APP, MicrosoftAppTenantId: TENANT, ALLOWED_TENANT_IDS: TENANT.toUpperCase() });
    expect(c.host).toBe('0.0.0.0');
    expect(c.allowedTenantIds).toEqual([TENANT]);
  });

  it('uses a configured Cosmos DB account without seeding demo people unless asked', () => {
    const c = loadConfig({ COSMOS_ENDPOINT: 'https://acc.documents.azure.com:443/' });
    expect(c.cosmos).toMatchObject({ endpoint: 'https://acc.documents.azure.com:443/', seedDemo: false, key: undefined });
    expect(loadConfig({ COSMOS_ENDPOINT: 'https://acc.documents.azure.com:443/', SEED_DEMO_DIRECTORY: 'true' }).cosmos.seedDemo).toBe(true);
  });

  it.each([
    ['PORT', { PORT: '99999' }],
    ['MicrosoftAppId', { MicrosoftAppId: 'bot' }],
    ['MicrosoftAppTenantId', { MicrosoftAppId: APP }],
    ['MicrosoftAppType', { MicrosoftAppType: 'Anything' }],
    ['ALLOWED_TENANT_IDS', { ALLOWED_TENANT_IDS: 'contoso' }],
    ['COSMOS_ENDPOINT', { COSMOS_ENDPOINT: 'http://insecure:8081' }],
    ['COSMOS_KEY', { COSMOS_KEY: 'k' }],
    ['COSMOS_DATABASE', { COSMOS_DATABASE: 'a/b' }],
    ['COSMOS_CERT_SHA256', { COSMOS_ENDPOINT: 'https://127.0.0.1:8081/', COSMOS_CERT_SHA256: 'abc' }],
    ['MAX_BODY_BYTES', { MAX_BODY_BYTES: '100gb' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['ADMIN_AAD_OBJECT_IDS', { ADMIN_AAD_OBJECT_IDS: 'admin@example.org' }],
    ['REQUEST_REMINDER_WORKING_DAYS', { REQUEST_REMINDER_WORKING_DAYS: '0' }],
    ['REQUEST_ESCALATION_WORKING_DAYS', { REQUEST_REMINDER_WORKING_DAYS: '5', REQUEST_ESCALATION_WORKING_DAYS: '5' }],
    ['REQUEST_RETENTION_DAYS', { REQUEST_RETENTION_DAYS: 'ein Jahr' }],
    ['HOST', { HOST: '0.0.0.0' }],
    ['LOTSE_TEST_MODE', { LOTSE_TEST_MODE: 'yes' }],
    ['BOTAUTH_ToBotFromChannelOpenIdMetadataUrl', { BOTAUTH_ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/openid' }],
    ['TAB_SSO_OPENID_METADATA_URL', { TAB_SSO_OPENID_METADATA_URL: 'http://127.0.0.1:9/v2.0/.well-known/openid-configuration' }],
    ['TAB_SSO_ALLOWED_CLIENT_IDS', { TAB_SSO_ALLOWED_CLIENT_IDS: 'teams' }],
  ])('rejects a bad %s with an error naming the key and the fix', (key, env) => {
    try {
      loadConfig(env as Record<string, string>);
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).key).toBe(key);
      expect((err as ConfigError).message.startsWith(`${key}: `)).toBe(true);
    }
  });

  it('notices an outbound proxy, so that replies take the connector client that honours it', () => {
    expect(loadConfig({}).outboundProxy).toBe(false);
    expect(loadConfig({ HTTPS_PROXY: 'http://proxy.example:8080' }).outboundProxy).toBe(true);
    expect(loadConfig({ http_proxy: 'http://proxy.example:8080' }).outboundProxy).toBe(true);
    expect(loadConfig({ HTTPS_PROXY: ' ' }).outboundProxy).toBe(false);
  });

  it('defaults the request reminders to 3 and 5 working days, a proposed Vortrag date to 2, and retention to 365 days', () => {
    expect(loadConfig({}).requests).toEqual({ reminderWorkingDays: 3, escalationWorkingDays: 5, retentionDays: 365, reportReminderWorkingDays: 5, reportReminderWorkingDaysUrgent: 2, reportReminderWorkingDaysVeryUrgent: 1, reportReminderMax: 3, terminReminderWorkingDays: 2 });
    expect(loadConfig({ REPORT_TERMIN_REMINDER_WORKING_DAYS: '4' }).requests.terminReminderWorkingDays).toBe(4);
    expect(() => loadConfig({ REPORT_TERMIN_REMINDER_WORKING_DAYS: '0' })).toThrow(/REPORT_TERMIN_REMINDER_WORKING_DAYS/);
    expect(loadConfig({ REPORT_REMINDER_WORKING_DAYS: '4', REPORT_REMINDER_WORKING_DAYS_URGENT: '2', REPORT_REMINDER_MAX: '5' }).requests).toMatchObject({ reportReminderWorkingDays: 4, reportReminderWorkingDaysUrgent: 2, reportReminderMax: 5 });
    expect(loadConfig({ REQUEST_RETENTION_DAYS: '30' }).requests.retentionDays).toBe(30);
  });

  it('reads one report reminder interval per urgency: "sehr eilig" has its own key and never waits longer than "eilig"', () => {
    expect(loadConfig({ REPORT_REMINDER_WORKING_DAYS_URGENT: '3', REPORT_REMINDER_WORKING_DAYS_VERY_URGENT: '2' }).requests).toMatchObject({ reportReminderWorkingDaysUrgent: 3, reportReminderWorkingDaysVeryUrgent: 2 });
    // A deployment that set only the older key keeps it for "eilig"; "sehr eilig" takes its default.
    expect(loadConfig({ REPORT_REMINDER_WORKING_DAYS_URGENT: '4' }).requests).toMatchObject({ reportReminderWorkingDaysUrgent: 4, reportReminderWorkingDaysVeryUrgent: 1 });
    expect(loadConfig({ REPORT_REMINDER_WORKING_DAYS_URGENT: '1' }).requests).toMatchObject({ reportReminderWorkingDaysUrgent: 1, reportReminderWorkingDaysVeryUrgent: 1 });
    expect(() => loadConfig({ REPORT_REMINDER_WORKING_DAYS_URGENT: '2', REPORT_REMINDER_WORKING_DAYS_VERY_URGENT: '3' })).toThrow(/REPORT_REMINDER_WORKING_DAYS_VERY_URGENT.*must not be larger than REPORT_REMINDER_WORKING_DAYS_URGENT \(2\)/);
    expect(() => loadConfig({ REPORT_REMINDER_WORKING_DAYS_VERY_URGENT: '0' })).toThrow(/REPORT_REMINDER_WORKING_DAYS_VERY_URGENT/);
  });

  it('keeps the send journal in the temp dir by default, in an absolute folder if given, nowhere with "off"', () => {
    expect(loadConfig({}).outboxJournalDir).toBe(path.join(tmpdir(), 'integrations-lotse'));
    expect(loadConfig({ OUTBOX_JOURNAL_DIR: '/var/local/lotse' }).outboxJournalDir).toBe('/var/local/lotse');
    expect(loadConfig({ OUTBOX_JOURNAL_DIR: 'OFF' }).outboxJournalDir).toBeUndefined();
    for (const bad of ['journal', './tmp/lotse']) {
      expect(() => loadConfig({ OUTBOX_JOURNAL_DIR: bad })).toThrow(expect.objectContaining({ key: 'OUTBOX_JOURNAL_DIR', message: expect.stringContaining('absolute folder') }));
    }
  });

  it('shares Teams\' rate limits among BOT_INSTANCE_COUNT instances: one by default, a whole number up to 30', () => {
    expect(loadConfig({}).botInstanceCount).toBe(1);
    expect(loadConfig({ BOT_INSTANCE_COUNT: '3' }).botInstanceCount).toBe(3);
    for (const bad of ['0', '2.5', 'zwei', '31']) {
      expect(() => loadConfig({ BOT_INSTANCE_COUNT: bad })).toThrow(expect.objectContaining({ key: 'BOT_INSTANCE_COUNT', message: expect.stringContaining('from 1 to 30') }));
    }
  });

  it('lets deliveries yield to a burst of turns at one call per second by default; 0 switches it off; a bad value is refused', () => {
    expect(loadConfig({}).deliveryBusyCallsPerSecond).toBe(1);
    expect(loadConfig({ DELIVERY_BUSY_CALLS_PER_SECOND: '0' }).deliveryBusyCallsPerSecond).toBe(0);
    expect(loadConfig({ DELIVERY_BUSY_CALLS_PER_SECOND: '30' }).deliveryBusyCallsPerSecond).toBe(30);
    for (const bad of ['-1', '31', 'fünf', '2.5']) {
      expect(() => loadConfig({ DELIVERY_BUSY_CALLS_PER_SECOND: bad })).toThrow(expect.objectContaining({ key: 'DELIVERY_BUSY_CALLS_PER_SECOND' }));
    }
  });

  it('holds every proactive call back for the first 20 s of a burst of turns by default; 0 slows from the start; a bad value is refused', () => {
    expect(loadConfig({}).deliveryBusyHoldMs).toBe(20_000);
    expect(loadConfig({ DELIVERY_BUSY_HOLD_SECONDS: '0' }).deliveryBusyHoldMs).toBe(0);
    expect(loadConfig({ DELIVERY_BUSY_HOLD_SECONDS: '200' }).deliveryBusyHoldMs).toBe(200_000);
    for (const bad of ['-1', '201', 'zwanzig', '2.5']) {
      expect(() => loadConfig({ DELIVERY_BUSY_HOLD_SECONDS: bad })).toThrow(expect.objectContaining({ key: 'DELIVERY_BUSY_HOLD_SECONDS' }));
    }
  });

  it('looks for due jobs every 15 s and lets a dead process\'s claim on one run out after 2 minutes, unless told otherwise', () => {
    expect(loadConfig({}).jobs).toEqual({ pollMs: 15_000, leaseMs: 120_000 });
    expect(loadConfig({ JOB_POLL_SECONDS: '2', JOB_LEASE_SECONDS: '10' }).jobs).toEqual({ pollMs: 2_000, leaseMs: 10_000 });
    for (const [key, bad, range] of [['JOB_POLL_SECONDS', '0', 'from 1 to 600'], ['JOB_LEASE_SECONDS', '9', 'from 10 to 3600'], ['JOB_LEASE_SECONDS', 'zwei', 'from 10 to 3600']] as const) {
      expect(() => loadConfig({ [key]: bad })).toThrow(expect.objectContaining({ key, message: expect.stringContaining(range) }));
    }
  });

  describe('without MicrosoftAppId nothing is authenticated, so the service stays on loopback', () => {
    it.each(['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1'])('accepts HOST=%s', (host) => {
      expect(loadConfig({ HOST: host }).host).toBe(host);
    });

    it.each(['0.0.0.0', '::', '192.168.1.20', '10.0.0.1', 'lotse.example.org', '128.0.0.1', '::ffff:10.0.0.1'])('refuses HOST=%s in one line naming HOST and the fix', (host) => {
      expect(() => loadConfig({ HOST: host })).toThrow(ConfigError);
      try {
        loadConfig({ HOST: host });
      } catch (err) {
        expect((err as ConfigError).key).toBe('HOST');
        expect((err as ConfigError).message).toMatch(/^HOST: .*not a loopback address.*MicrosoftAppId.*HOST=127\.0\.0\.1/);
        expect((err as ConfigError).message).not.toContain('\n');
      }
    });

    it('binds anywhere once requests are authenticated', () => {
      expect(loadConfig({ MicrosoftAppId: APP, MicrosoftAppTenantId: TENANT, ALLOWED_TENANT_IDS: TENANT, HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    });
  });

  describe('test-only switches take effect only in test mode', () => {
    const switches = {
      BOTAUTH_ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/openid',
      BOTAUTH_ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
      TAB_SSO_OPENID_METADATA_URL: 'http://127.0.0.1:9/v2.0/.well-known/openid-configuration',
    };

    it('takes them with LOTSE_TEST_MODE=true and lists their names for the start-up warning', () => {
      const c = loadConfig({ LOTSE_TEST_MODE: 'true', ...switches });
      expect(c).toMatchObject({
        testMode: true,
        authOverrides: { ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/openid', ToBotFromChannelTokenIssuer: 'https://api.botframework.com' },
        tabSsoMetadataUrl: switches.TAB_SSO_OPENID_METADATA_URL,
      });
      expect([...c.testSwitches].sort()).toEqual(Object.keys(switches).sort());
    });

    it('is off by default, with none of them set', () => {
      expect(loadConfig({})).toMatchObject({ testMode: false, testSwitches: [], authOverrides: undefined });
      expect(loadConfig({ LOTSE_TEST_MODE: 'false' }).testMode).toBe(false);
    });

    it.each(Object.entries(switches))('refuses %s without test mode, naming the key', (key, value) => {
      for (const env of [{ [key]: value }, { LOTSE_TEST_MODE: 'false', [key]: value }]) {
        try {
          loadConfig(env);
          throw new Error('expected a ConfigError');
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          expect((err as ConfigError).key).toBe(key);
          expect((err as ConfigError).message).toMatch(/test-only|LOTSE_TEST_MODE/);
        }
      }
    });

    it.each([
      'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
      `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`,
    ])('takes Microsoft Entra ID metadata (%s) in production', (url) => {
      expect(loadConfig({ TAB_SSO_OPENID_METADATA_URL: url })).toMatchObject({ tabSsoMetadataUrl: url, testSwitches: [] });
    });

    it.each(['https://login.microsoftonline.com.evil.example/v2.0', 'https://evil.example/login.microsoftonline.com/v2.0', 'https://login.microsoftonline.com:8443/common/v2.0'])(
      'refuses other SSO metadata (%s) in production',
      (url) => {
        expect(() => loadConfig({ TAB_SSO_OPENID_METADATA_URL: url })).toThrow(expect.objectContaining({ key: 'TAB_SSO_OPENID_METADATA_URL' }));
      },
    );
  });

  it('accepts tab SSO tokens from Teams desktop/mobile and Teams web unless told other client ids', () => {
    expect(loadConfig({}).tabSsoAllowedClientIds).toEqual(['1fec8e78-bce4-4aaf-ab1b-5451cc387264', '5e3ce6c0-2b1f-4285-8d4b-75ee78787346']);
    const own = '4765445B-32C6-49B0-83E6-1D93765276CA';
    expect(loadConfig({ TAB_SSO_ALLOWED_CLIENT_IDS: `1fec8e78-bce4-4aaf-ab1b-5451cc387264, ${own}` }).tabSsoAllowedClientIds).toEqual([
      '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
      own.toLowerCase(),
    ]);
  });

  describe('the Entra app of the personal tab\'s single sign-on (TAB_APP_ID)', () => {
    const TAB_APP = '9a8b7c6d-1111-4222-8333-444455556666';
    const bot = { MicrosoftAppId: APP, MicrosoftAppTenantId: TENANT, ALLOWED_TENANT_IDS: TENANT };
    const msi = { ...bot, MicrosoftAppType: 'UserAssignedMSI' };

    it('is the bot\'s own app registration when not set (a secret-based registration exposes the tab\'s API too)', () => {
      expect(loadConfig(bot).tabAppId).toBe(APP);
      expect(loadConfig({ ...bot, MicrosoftAppType: 'MultiTenant' }).tabAppId).toBe(APP);
    });

    it('is the configured registration when set, in lower case', () => {
      expect(loadConfig({ ...bot, TAB_APP_ID: TAB_APP.toUpperCase() }).tabAppId).toBe(TAB_APP);
      expect(loadConfig({ ...msi, TAB_APP_ID: TAB_APP }).tabAppId).toBe(TAB_APP);
    });

    it('is none for a managed-identity bot without it: the service starts, the tab has no sign-in', () => {
      const c = loadConfig(msi);
      expect(c.microsoftAppType).toBe('UserAssignedMSI');
      expect(c.tabAppId).toBeUndefined();
    });

    it('is none in local development without an app id', () => {
      expect(loadConfig({}).tabAppId).toBeUndefined();
    });

    it.each([
      ['not a GUID', { ...bot, TAB_APP_ID: 'lotse-tab' }, /Application \(client\) ID GUID/],
      ['without MicrosoftAppId', { TAB_APP_ID: TAB_APP }, /MicrosoftAppId is not/],
      ['the managed identity\'s own client id', { ...msi, TAB_APP_ID: APP.toUpperCase() }, /cannot expose an API/],
    ])('refuses TAB_APP_ID %s, naming the key and the fix', (_name, env, fix) => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(expect.objectContaining({ key: 'TAB_APP_ID', message: expect.stringMatching(fix) }));
    });
  });

  it('never repeats a secret value in its error messages', () => {
    expect(() => loadConfig({ COSMOS_KEY: 'super-secret-key' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('super-secret-key') }));
  });
});
