import {
  CallerIdConstants,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import {
  ServiceClientCredentialsFactory,
  TokenCredentials,
  type ServiceClientCredentials,
} from 'botframework-connector';
import { BOT_FRAMEWORK_ISSUER } from './tokenIssuer';

/**
 * Bot Framework authentication wired to the local {@link TokenIssuer}: inbound tokens are validated exactly as in
 * production (signature, issuer, audience, expiry, endorsement, service URL), but against keys served on 127.0.0.1;
 * outbound calls carry a fixed fake token instead of one from Entra ID.
 *
 * Why every key: as soon as one of the "parameterized" options (`ToBotFromChannelOpenIdMetadataUrl`, …) is set,
 * botframework-connector stops filling in the public-cloud defaults and uses the given values for all of them; a
 * missing `ToBotFromChannelTokenIssuer` then rejects every token. So the configuration names them all, and anything
 * that could make a request (login, token service) points at loopback.
 *
 * @example
 * ```ts
 * const issuer = await startTokenIssuer({ appId: APP_ID });
 * const adapter = new CloudAdapter(
 *   new ConfigurationBotFrameworkAuthentication(offlineAuthConfig({ appId: APP_ID, issuer }), new OfflineCredentialsFactory(APP_ID)),
 * );
 * // or: new CloudAdapter(createOfflineBotFrameworkAuthentication({ appId: APP_ID, issuer }))
 * ```
 */

/** Where the local issuer lives; a started `TokenIssuer` fits. */
export interface LocalIssuer {
  metadataUrl: string;
  /** `http://127.0.0.1:PORT`, used for the loopback login and token-service URLs. */
  origin: string;
}

/** Settings for {@link offlineAuthConfig}. */
export interface OfflineAuthSettings {
  appId: string;
  issuer: LocalIssuer;
  /** For single-tenant registrations, the tenant the bot belongs to. */
  tenantId?: string;
}

/** The configuration keys {@link offlineAuthConfig} sets, all of them strings. */
export interface OfflineAuthConfig extends ConfigurationBotFrameworkAuthenticationOptions {
  MicrosoftAppId: string;
  ToBotFromChannelOpenIdMetadataUrl: string;
  ToBotFromEmulatorOpenIdMetadataUrl: string;
  ToBotFromChannelTokenIssuer: string;
  ToChannelFromBotLoginUrl: string;
  ToChannelFromBotOAuthScope: string;
  OAuthUrl: string;
  ValidateAuthority: string;
  CallerId: string;
}

/** The token the bot presents to the channel emulator when {@link OfflineCredentialsFactory} is used. */
export const OFFLINE_OUTBOUND_TOKEN = 'offline-test-token';

/**
 * The exact `ConfigurationBotFrameworkAuthentication` options that make a CloudAdapter validate channel tokens
 * against the local issuer. Use it together with {@link OfflineCredentialsFactory}: the default credentials factory
 * would ask Entra ID for an outbound token.
 */
export function offlineAuthConfig(settings: OfflineAuthSettings): OfflineAuthConfig {
  const config: OfflineAuthConfig = {
    MicrosoftAppId: settings.appId,
    ToBotFromChannelOpenIdMetadataUrl: settings.issuer.metadataUrl,
    // Only emulator and skill tokens are checked against this one; loopback so such a token cannot trigger a fetch out.
    ToBotFromEmulatorOpenIdMetadataUrl: settings.issuer.metadataUrl,
    ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
    ToChannelFromBotLoginUrl: `${settings.issuer.origin}/login/botframework.com`,
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    OAuthUrl: `${settings.issuer.origin}/oauth`,
    ValidateAuthority: 'true',
    // What production stamps on authenticated activities from the public cloud.
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
  if (settings.tenantId !== undefined) config.MicrosoftAppTenantId = settings.tenantId;
  return config;
}

/** One request for outbound credentials, as the SDK made it. */
export interface CredentialsRequest {
  appId: string;
  audience: string | undefined;
  loginEndpoint: string;
}

/**
 * Outbound credentials without an identity provider: every connector call is signed with a fixed bearer token
 * ({@link OFFLINE_OUTBOUND_TOKEN} unless given), and inbound tokens are accepted only for the configured App ID.
 */
export class OfflineCredentialsFactory extends ServiceClientCredentialsFactory {
  /** Every credentials request the SDK made, e.g. to check the audience of proactive sends. */
  readonly requests: CredentialsRequest[] = [];

  constructor(
    private readonly appId: string,
    private readonly token: string = OFFLINE_OUTBOUND_TOKEN,
  ) {
    super();
  }

  /** True only for the bot's own App ID: tokens for another audience are rejected with 401. */
  async isValidAppId(appId: string): Promise<boolean> {
    return appId === this.appId;
  }

  /** Authentication is on: tokens are required and validated. */
  async isAuthenticationDisabled(): Promise<boolean> {
    return false;
  }

  /** A static token credential; never contacts `loginEndpoint`. */
  async createCredentials(
    appId: string,
    audience: string | undefined,
    loginEndpoint: string,
    _validateAuthority: boolean,
  ): Promise<ServiceClientCredentials> {
    this.requests.push({ appId, audience, loginEndpoint });
    // Mirrors the SDK's own factories, which refuse credentials for a foreign App ID.
    if (appId !== this.appId) throw new Error(`OfflineCredentialsFactory: credentials requested for unknown App ID ${appId}`);
    return new TokenCredentials(this.token);
  }
}

/** Both halves in one: a `BotFrameworkAuthentication` for `new CloudAdapter(...)` that works offline. */
export function createOfflineBotFrameworkAuthentication(settings: OfflineAuthSettings): ConfigurationBotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication(offlineAuthConfig(settings), new OfflineCredentialsFactory(settings.appId));
}

/**
 * The environment that points a service started with `loadConfig` (in process or as `node dist/bot/index.js`) at the
 * local issuer: `LOTSE_TEST_MODE=true`, without which the service refuses the test-only keys, and one `BOTAUTH_<Key>`
 * per {@link offlineAuthConfig} option (except the app and tenant ids, which are the service's own keys).
 */
export function testModeAuthEnv(settings: OfflineAuthSettings): Record<string, string> {
  const overrides = Object.entries(offlineAuthConfig(settings))
    .filter(([k]) => k !== 'MicrosoftAppId' && k !== 'MicrosoftAppTenantId')
    .map(([k, v]) => [`BOTAUTH_${k}`, String(v)]);
  return { LOTSE_TEST_MODE: 'true', ...Object.fromEntries(overrides) };
}
