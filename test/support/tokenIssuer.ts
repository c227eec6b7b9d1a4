import { generateKeyPairSync, randomBytes, sign as signBytes, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Bot Framework token issuer that signs the tokens Teams sends with every activity.
 *
 * It serves an OpenID metadata document and a JWKS (one RSA key endorsed for `msteams`) on 127.0.0.1 and signs RS256
 * JWTs with the claims the Bot Connector puts into channel tokens. Point the bot's `ToBotFromChannelOpenIdMetadataUrl`
 * at {@link TokenIssuer.metadataUrl} (see `authConfig.ts`) and the bot validates tokens exactly as in production,
 * without network access.
 *
 * @example
 * ```ts
 * const issuer = await startTokenIssuer({ appId: APP_ID });
 * const header = issuer.authorizationHeader({ serviceurl: emulator.serviceUrl });
 * const expired = issuer.sign({ serviceurl }, { expiresInSeconds: -600 });
 * const forged = issuer.sign({ serviceurl }, { key: 'unknown' });
 * const emulatorStyle = issuer.signEmulator({ tid: 'any-tenant-guid' });
 * ```
 */

/** The issuer Bot Framework channel tokens carry in `iss`. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/** Claims of a channel token; anything left out gets the value a real channel token has. */
export interface ChannelTokenClaims {
  /** The connector URL the token is valid for; must equal the activity's `serviceUrl`. */
  serviceurl: string;
  /** Audience: the bot's App ID. Defaults to the issuer's `appId`. */
  aud?: string;
  /** Defaults to {@link BOT_FRAMEWORK_ISSUER}. */
  iss?: string;
  [claim: string]: unknown;
}

/** How to sign a token; the defaults produce a token the bot accepts. */
export interface SignOptions {
  /**
   * `issuer` (default): the published key. `unknown`: a key the JWKS does not contain (a forged token).
   * A `KeyObject`: any RSA private key.
   */
  key?: 'issuer' | 'unknown' | KeyObject;
  /**
   * Key id in the header. Defaults to the published key's id for `issuer`, and to an unpublished id otherwise; pass
   * the published id with `key: 'unknown'` to forge a signature under a known key id.
   */
  kid?: string;
  /** Lifetime from now; negative for an already expired token (beyond the SDK's 5-minute clock tolerance: < -300). */
  expiresInSeconds?: number;
  /** Seconds from now before which the token is not valid (`nbf`); defaults to 5 minutes in the past, like Azure. */
  notBeforeSeconds?: number;
}

/** Settings for {@link startTokenIssuer}. */
export interface TokenIssuerOptions {
  /** The bot's App ID: the default audience. */
  appId: string;
  /** Channels the published key is endorsed for; Bot Framework rejects tokens from channels not listed. */
  endorsements?: string[];
}

/** JSON Web Key as the Bot Framework JWKS publishes it. */
export interface PublishedKey {
  kty: 'RSA';
  use: 'sig';
  kid: string;
  n: string;
  e: string;
  endorsements: string[];
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The issuer template of Microsoft Entra ID v2.0 tokens, as the `common` OpenID metadata publishes it. */
export const ENTRA_V2_ISSUER_TEMPLATE = 'https://login.microsoftonline.com/{tenantid}/v2.0';

/** Claims of an Entra ID v2.0 access token as Teams SSO (`getAuthToken`) issues it for the tab. */
export interface EntraTokenClaims {
  /** The signed-in user's object id. */
  oid: string;
  /** The user's tenant. */
  tid: string;
  /** Audience: the tab's application ID URI `api://{host}/{client id}` (or the client id). */
  aud: string;
  /** Defaults to `https://login.microsoftonline.com/{tid}/v2.0`. */
  iss?: string;
  /** Delegated scopes, space-separated; defaults to `access_as_user`. */
  scp?: string;
  /** The client application that obtained the token; defaults to {@link TEAMS_DESKTOP_CLIENT_ID}. */
  azp?: string;
  name?: string;
  preferred_username?: string;
  [claim: string]: unknown;
}

/**
 * The client id of Teams desktop and mobile: the `azp` of the SSO tokens Teams fetches for a tab (Teams web is
 * 5e3ce6c0-2b1f-4285-8d4b-75ee78787346). The default of {@link TokenIssuer.signEntra}.
 */
export const TEAMS_DESKTOP_CLIENT_ID = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';

/**
 * Claims of a token botbuilder would take for one from the Bot Framework Emulator: an Entra ID token whose `appid`
 * (v1.0) or `azp` (v2.0) is the bot's own app id, issued by any tenant, and without a `serviceurl` claim.
 */
export interface EmulatorTokenClaims {
  /** The issuing tenant; the issuer is `https://sts.windows.net/{tid}/` (v1.0) or `https://login.microsoftonline.com/{tid}/v2.0`. */
  tid: string;
  /** `1.0` (default): the app id in `appid`; `2.0`: in `azp`. */
  ver?: '1.0' | '2.0';
  /** Audience and calling app; default: the issuer's `appId`, which is what botbuilder's Emulator path checks. */
  aud?: string;
  appId?: string;
  [claim: string]: unknown;
}

/** Serves OpenID metadata + JWKS and signs tokens; create with {@link startTokenIssuer}. */
export class TokenIssuer {
  /** Id of the published signing key (`kid`). */
  readonly keyId = `test-${randomBytes(6).toString('hex')}`;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private strangerKey?: KeyObject;
  private server?: Server;
  private baseUrl?: string;
  private fetches = { metadata: 0, keys: 0 };
  // botframework-connector caches metadata per URL for the whole process; a random path keeps issuers apart.
  private readonly pathPrefix = `/${randomBytes(8).toString('hex')}`;

  constructor(private readonly options: TokenIssuerOptions) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** The bot's App ID (default audience). */
  get appId(): string {
    return this.options.appId;
  }

  /** The OpenID metadata document URL, for `ToBotFromChannelOpenIdMetadataUrl`. */
  get metadataUrl(): string {
    return `${this.origin}${this.pathPrefix}/v1/.well-known/openidconfiguration`;
  }

  /**
   * The Entra ID v2.0 OpenID metadata URL (issuer `https://login.microsoftonline.com/{tenantid}/v2.0`, same keys):
   * for the tab's single sign-on validation (`TAB_SSO_OPENID_METADATA_URL`).
   */
  get entraMetadataUrl(): string {
    return `${this.origin}${this.pathPrefix}/v2.0/.well-known/openid-configuration`;
  }

  /** The JWKS URL the metadata points to. */
  get jwksUrl(): string {
    return `${this.origin}${this.pathPrefix}/v1/.well-known/keys`;
  }

  /** `http://127.0.0.1:PORT`, no trailing slash; other loopback endpoints (login, token service) can hang off it. */
  get origin(): string {
    if (!this.baseUrl) throw new Error('Token issuer not started: await issuer.start() first');
    return this.baseUrl;
  }

  /** How often the SDK fetched the metadata document and the keys (it caches them for 24 h per URL). */
  get fetchCounts(): { metadata: number; keys: number } {
    return { ...this.fetches };
  }

  /** The JWKS entry for the published key. */
  publishedKey(): PublishedKey {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return {
      kty: 'RSA',
      use: 'sig',
      kid: this.keyId,
      n: String(jwk.n),
      e: String(jwk.e),
      endorsements: this.options.endorsements ?? ['msteams'],
    };
  }

  /** Starts serving on 127.0.0.1 (random port); returns the metadata URL. */
  async start(): Promise<string> {
    if (this.baseUrl) return this.metadataUrl;
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      let body: unknown;
      if (req.method === 'GET' && path === `${this.pathPrefix}/v1/.well-known/openidconfiguration`) {
        this.fetches.metadata += 1;
        body = this.metadataDocument();
      } else if (req.method === 'GET' && path === `${this.pathPrefix}/v2.0/.well-known/openid-configuration`) {
        this.fetches.metadata += 1;
        body = { ...this.metadataDocument(), issuer: ENTRA_V2_ISSUER_TEMPLATE };
      } else if (req.method === 'GET' && path === `${this.pathPrefix}/v1/.well-known/keys`) {
        this.fetches.keys += 1;
        body = { keys: [this.publishedKey()] };
      }
      // No chaining on writeHead: restify patches http.ServerResponse.prototype process-wide, and its version returns nothing.
      if (body === undefined) {
        res.writeHead(404);
        res.end();
        return;
      }
      const payload = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.metadataUrl;
  }

  /** Stops serving. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Signs an RS256 JWT with channel-token defaults (`iss`, `aud`, `nbf`, `exp`) under the given claims. */
  sign(claims: ChannelTokenClaims, options: SignOptions = {}): string {
    return this.signJwt(claims, options);
  }

  private signJwt(claims: Record<string, unknown>, options: SignOptions): string {
    const now = Math.floor(Date.now() / 1000);
    const key =
      options.key === undefined || options.key === 'issuer' ? this.privateKey : options.key === 'unknown' ? this.unknownKey() : options.key;
    const publishedKeyUsed = key === this.privateKey;
    const kid = options.kid ?? (publishedKeyUsed ? this.keyId : `unpublished-${this.keyId}`);
    const header = { alg: 'RS256', typ: 'JWT', kid, x5t: kid };
    const payload = {
      iss: BOT_FRAMEWORK_ISSUER,
      aud: this.options.appId,
      nbf: now + (options.notBeforeSeconds ?? -300),
      exp: now + (options.expiresInSeconds ?? 3600),
      ...claims,
    };
    const signingInput = `${base64urlJson(header)}.${base64urlJson(payload)}`;
    const signature = signBytes('sha256', Buffer.from(signingInput), key).toString('base64url');
    return `${signingInput}.${signature}`;
  }

  /**
   * Signs an Entra ID v2.0 access token like the one Teams hands the tab from `authentication.getAuthToken()`
   * (`ver` 2.0, `scp` access_as_user, issuer per tenant); `options` as for {@link sign}.
   */
  signEntra(claims: EntraTokenClaims, options: SignOptions = {}): string {
    const { iss, scp, azp, ...rest } = claims;
    return this.signJwt(
      { ...rest, iss: iss ?? ENTRA_V2_ISSUER_TEMPLATE.replace('{tenantid}', claims.tid), scp: scp ?? 'access_as_user', azp: azp ?? TEAMS_DESKTOP_CLIENT_ID, ver: '2.0' },
      options,
    );
  }

  /**
   * Signs an Emulator-style token (see {@link EmulatorTokenClaims}) with the published key: with the test
   * configuration, whose `ToBotFromEmulatorOpenIdMetadataUrl` is this issuer too, its signature is valid, so only the
   * bot's own rules can refuse it.
   */
  signEmulator(claims: EmulatorTokenClaims, options: SignOptions = {}): string {
    const { tid, ver = '1.0', appId = this.options.appId, ...rest } = claims;
    const iss = ver === '1.0' ? `https://sts.windows.net/${tid}/` : ENTRA_V2_ISSUER_TEMPLATE.replace('{tenantid}', tid);
    return this.signJwt({ iss, tid, ver, ...(ver === '1.0' ? { appid: appId } : { azp: appId }), ...rest }, options);
  }

  /** `Bearer <token>` for the `Authorization` header of a POST to the bot. */
  authorizationHeader(claims: ChannelTokenClaims, options: SignOptions = {}): string {
    return `Bearer ${this.sign(claims, options)}`;
  }

  private unknownKey(): KeyObject {
    this.strangerKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    return this.strangerKey;
  }

  private metadataDocument(): Record<string, unknown> {
    return {
      issuer: BOT_FRAMEWORK_ISSUER,
      authorization_endpoint: `${this.origin}${this.pathPrefix}/v1/authorize`,
      jwks_uri: this.jwksUrl,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    };
  }
}

/** Creates and starts a {@link TokenIssuer}. */
export async function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const issuer = new TokenIssuer(options);
  await issuer.start();
  return issuer;
}
