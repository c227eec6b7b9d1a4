/**
 * The deployment (infra/) gives the Web App one user-assigned managed identity and no secret: the Bot Service, Graph and
 * Cosmos DB all authenticate as it. These tests pin what the code needs for that.
 */
const credentialOptions: unknown[] = [];
const clientOptions: Array<Record<string, unknown>> = [];

jest.mock('@azure/identity', () => ({
  ...jest.requireActual('@azure/identity'),
  DefaultAzureCredential: jest.fn().mockImplementation((options: unknown) => {
    credentialOptions.push(options);
    return { getToken: async () => null };
  }),
}));

jest.mock('@azure/cosmos', () => {
  const actual = jest.requireActual('@azure/cosmos');
  const FakeClient = jest.fn().mockImplementation((options: Record<string, unknown>) => {
    clientOptions.push(options);
    return {
      databases: { createIfNotExists: async () => Promise.reject(new Error('no network in this test')) },
      dispose: () => undefined,
    };
  });
  // A proxy, not a spread: the package's exports are getters that must not be read while it is still loading.
  return new Proxy(actual, { get: (target, key) => (key === 'CosmosClient' ? FakeClient : target[key]) });
});

import { ConfigError, loadConfig } from '../../../bot/config';
import { openDatabase } from '../../../services/storage/database';

const IDENTITY_CLIENT_ID = '7d1c2e3f-1111-4222-8333-444455556666';
const TENANT = '7d1c2e3f-1111-4222-8333-444455556667';
const ENDPOINT = 'https://lotse-db.documents.azure.com:443/';

/** The app settings infra/web.bicep writes, with example values. */
function azureSettings(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    MicrosoftAppId: IDENTITY_CLIENT_ID.toUpperCase(),
    MicrosoftAppType: 'UserAssignedMSI',
    MicrosoftAppTenantId: TENANT,
    ALLOWED_TENANT_IDS: TENANT,
    COSMOS_ENDPOINT: ENDPOINT,
    COSMOS_DATABASE: 'integrations-lotse',
    PUBLIC_BASE_URL: 'https://lotse.azurewebsites.net',
    ...overrides,
  };
}

describe('the user-assigned managed identity as the only credential', () => {
  beforeEach(() => {
    credentialOptions.length = 0;
    clientOptions.length = 0;
  });

  it('uses the bot\'s identity (its client id is MicrosoftAppId) for Cosmos DB when no account key is set', () => {
    const c = loadConfig(azureSettings());
    expect(c.microsoftAppType).toBe('UserAssignedMSI');
    expect(c.cosmos).toMatchObject({ endpoint: ENDPOINT, key: undefined, managedIdentityClientId: IDENTITY_CLIENT_ID });
    expect(c.microsoftAppPassword).toBeUndefined();
  });

  it('leaves the identity choice to DefaultAzureCredential for a secret-based bot', () => {
    const c = loadConfig(azureSettings({ MicrosoftAppType: 'SingleTenant', MicrosoftAppPassword: 'not-a-real-secret' }));
    expect(c.cosmos.managedIdentityClientId).toBeUndefined();
  });

  it('calls Graph with the same identity when Graph is on', () => {
    const c = loadConfig(azureSettings({ GRAPH_ENABLED: 'true' }));
    expect(c.graph).toMatchObject({ credential: 'managedIdentity', clientId: IDENTITY_CLIENT_ID, tenantId: TENANT });
  });

  it('demands the tenant id for a managed-identity bot, as the Bot Framework token service does', () => {
    let error: unknown;
    try {
      loadConfig(azureSettings({ MicrosoftAppTenantId: undefined }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe('MicrosoftAppTenantId');
    expect((error as ConfigError).message).toMatch(/UserAssignedMSI/);
  });

  it('builds the Cosmos client on DefaultAzureCredential with the identity\'s client id', async () => {
    const c = loadConfig(azureSettings());
    await expect(openDatabase({ ...c.cosmos })).rejects.toThrow(/could not prepare database/);
    expect(credentialOptions).toEqual([{ managedIdentityClientId: IDENTITY_CLIENT_ID }]);
    expect(clientOptions).toHaveLength(1);
    expect(clientOptions[0]).toMatchObject({ endpoint: ENDPOINT });
    expect(clientOptions[0].key).toBeUndefined();
  });

  it('uses the account key instead when one is set', async () => {
    const c = loadConfig(azureSettings({ COSMOS_KEY: 'a2V5' }));
    await expect(openDatabase({ ...c.cosmos })).rejects.toThrow(/could not prepare database/);
    expect(credentialOptions).toEqual([]);
    expect(clientOptions[0]).toMatchObject({ endpoint: ENDPOINT, key: 'a2V5' });
  });
});
