import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID } from './activities';
import { OfflineCredentialsFactory, testModeAuthEnv } from './authConfig';
import { startTestApp, type TestApp } from './testApp';
import type { TokenIssuer } from './tokenIssuer';
import type { AppDatabase } from '../../services/storage/database';
import type { TabSources } from '../../bot/tab/sources';

/** The host name the tab's application ID URI names in tests (`api://lotse.test.example/{app id}`). */
export const TAB_HOST = 'lotse.test.example';
export const TAB_AUDIENCE = `api://${TAB_HOST}/${DEFAULT_BOT_APP_ID}`;

/**
 * Starts the service with a Microsoft App ID, the Bot Framework and the tab's SSO validation both pointed at the
 * local `issuer`: bot tokens and Entra v2 tab tokens are checked exactly as in production, offline.
 */
export async function startTabApp(
  issuer: TokenIssuer,
  options: { database?: AppDatabase; tabSources?: TabSources; env?: Record<string, string>; now?: () => Date } = {},
): Promise<TestApp> {
  // Test mode: the local issuers behind BOTAUTH_* and TAB_SSO_OPENID_METADATA_URL are refused without it.
  const overrides = testModeAuthEnv({ appId: DEFAULT_BOT_APP_ID, issuer, tenantId: DEFAULT_TENANT_ID });
  return startTestApp(
    {
      MicrosoftAppId: DEFAULT_BOT_APP_ID,
      MicrosoftAppTenantId: DEFAULT_TENANT_ID,
      ALLOWED_TENANT_IDS: DEFAULT_TENANT_ID,
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: `https://${TAB_HOST}`,
      TAB_SSO_OPENID_METADATA_URL: issuer.entraMetadataUrl,
      ...overrides,
      ...options.env,
    },
    { database: options.database, credentialsFactory: new OfflineCredentialsFactory(DEFAULT_BOT_APP_ID), tabSources: options.tabSources, now: options.now },
  );
}
