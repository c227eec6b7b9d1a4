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

  it('defaults the request reminders to 3 and 5 working days and retention to 365 days', () => {
    expect(loadConfig({}).requests).toEqual({ reminderWorkingDays: 3, escalationWorkingDays: 5, retentionDays: 365 });
    expect(loadConfig({ REQUEST_RETENTION_DAYS: '30' }).requests.retentionDays).toBe(30);
  });

  it('never repeats a secret value in its error messages', () => {
    expect(() => loadConfig({ COSMOS_KEY: 'super-secret-key' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('super-secret-key') }));
  });
});
