import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** Why a tab request was refused; only the code is logged or returned. */
export class SsoError extends Error {
  constructor(readonly code: 'missing' | 'malformed' | 'signature' | 'issuer' | 'audience' | 'tenant' | 'client' | 'expired' | 'scope' | 'claims' | 'metadata') {
    super(`SSO token rejected: ${code}`);
    this.name = 'SsoError';
  }
}

/** Who called, from a validated token. */
export interface SsoIdentity {
  aadObjectId: string;
  tenantId: string;
  /** `preferred_username` / `upn`: used only to derive the home authority from the e-mail domain. */
  username?: string;
  name?: string;
}

/**
 * The client applications Teams uses to fetch a tab's SSO token: Teams desktop and mobile, and Teams web. They are
 * the ids an app registration pre-authorises for its `access_as_user` scope, per Microsoft Learn, "Configure your
 * tab app in Microsoft Entra ID", section "To configure authorized client application":
 * https://learn.microsoft.com/en-us/microsoftteams/platform/tabs/how-to/authentication/tab-sso-register-aad#to-configure-authorized-client-application
 * (the same table lists Microsoft 365 and Outlook clients; add them via TAB_SSO_ALLOWED_CLIENT_IDS if the tab runs there).
 */
export const TEAMS_CLIENT_IDS: readonly string[] = ['1fec8e78-bce4-4aaf-ab1b-5451cc387264', '5e3ce6c0-2b1f-4285-8d4b-75ee78787346'];

/** What the validator checks against. */
export interface SsoSettings {
  /** OpenID metadata of Entra ID v2.0 (`common`); its `issuer` carries `{tenantid}`. */
  metadataUrl: string;
  /** Accepted `aud` values: the application ID URI `api://{host}/{client id}` and the client id. */
  audiences: readonly string[];
  /** Tenants whose users may use the tab; empty means any tenant (development only, refused by the config). */
  allowedTenantIds: readonly string[];
  /**
   * Client applications (`azp` of the v2.0 token, lower-case GUIDs) allowed to obtain the token; another app that a
   * user consented to could otherwise call the tab's API with the user's token.
   */
  allowedClientIds: readonly string[];
  /** Scope Teams requests for the tab (exposed by the app registration). */
  requiredScope: string;
  /** Clock skew accepted on `exp` and `nbf`, in seconds. */
  clockToleranceSeconds?: number;
  now?: () => number;
}

interface Metadata {
  issuer: string;
  jwks_uri: string;
}

interface Jwk {
  kty: string;
  kid?: string;
  n?: string;
  e?: string;
  use?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const METADATA_TTL_MS = 24 * 60 * 60_000;
/** An unknown `kid` refetches the keys (Entra rolls them), but at most this often. */
const KEY_REFRESH_MIN_MS = 5 * 60_000;

function decodeJson(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SsoError('malformed');
  return value as Record<string, unknown>;
}

/**
 * Validates the Entra ID v2.0 access tokens Teams single sign-on (`authentication.getAuthToken`) gives the tab:
 * RS256 signature against the published keys, issuer of the token's tenant, audience, allowed tenant, allowed client
 * application (`azp`), expiry and not-before, the `access_as_user` scope, and GUID `oid`/`tid`. Metadata and keys are fetched once and cached.
 */
export class SsoTokenValidator {
  private metadata?: { value: Metadata; at: number };
  private keys = new Map<string, KeyObject>();
  private keysAt = 0;
  private loading?: Promise<void>;

  constructor(private readonly settings: SsoSettings) {}

  private now(): number {
    return this.settings.now?.() ?? Date.now();
  }

  private async fetchJson(url: string): Promise<Record<string, unknown>> {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new SsoError('metadata');
    return (await res.json()) as Record<string, unknown>;
  }

  private async load(forceKeys: boolean): Promise<void> {
    const now = this.now();
    if (!this.metadata || now - this.metadata.at > METADATA_TTL_MS) {
      const doc = await this.fetchJson(this.settings.metadataUrl);
      if (typeof doc.issuer !== 'string' || typeof doc.jwks_uri !== 'string') throw new SsoError('metadata');
      this.metadata = { value: { issuer: doc.issuer, jwks_uri: doc.jwks_uri }, at: now };
      forceKeys = true;
    }
    if (forceKeys || this.keys.size === 0) {
      const jwks = await this.fetchJson(this.metadata.value.jwks_uri);
      const keys = new Map<string, KeyObject>();
      for (const jwk of (Array.isArray(jwks.keys) ? jwks.keys : []) as Jwk[]) {
        if (jwk.kty !== 'RSA' || !jwk.kid || !jwk.n || !jwk.e || (jwk.use && jwk.use !== 'sig')) continue;
        keys.set(jwk.kid, createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }));
      }
      this.keys = keys;
      this.keysAt = now;
    }
  }

  private async ensureLoaded(forceKeys = false): Promise<void> {
    // One fetch at a time; concurrent requests wait for it.
    this.loading ??= this.load(forceKeys).finally(() => (this.loading = undefined));
    await this.loading;
  }

  /** Validates `Authorization: Bearer …`; throws {@link SsoError} with the reason. */
  async validate(authorization: string | undefined): Promise<SsoIdentity> {
    const m = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization?.trim() ?? '');
    if (!authorization) throw new SsoError('missing');
    if (!m) throw new SsoError('malformed');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = decodeJson(m[1]);
      claims = decodeJson(m[2]);
    } catch {
      throw new SsoError('malformed');
    }
    if (header.alg !== 'RS256' || typeof header.kid !== 'string') throw new SsoError('malformed');

    await this.ensureLoaded();
    let key = this.keys.get(header.kid);
    if (!key && this.now() - this.keysAt > KEY_REFRESH_MIN_MS) {
      await this.ensureLoaded(true);
      key = this.keys.get(header.kid);
    }
    if (!key || !verify('sha256', Buffer.from(`${m[1]}.${m[2]}`), key, Buffer.from(m[3], 'base64url'))) throw new SsoError('signature');

    const tid = typeof claims.tid === 'string' ? claims.tid.toLowerCase() : '';
    const oid = typeof claims.oid === 'string' ? claims.oid.toLowerCase() : '';
    if (!GUID.test(tid) || !GUID.test(oid)) throw new SsoError('claims');
    if (claims.iss !== this.metadata!.value.issuer.replace('{tenantid}', tid)) throw new SsoError('issuer');
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.some((a) => typeof a === 'string' && this.settings.audiences.includes(a))) throw new SsoError('audience');
    if (this.settings.allowedTenantIds.length && !this.settings.allowedTenantIds.includes(tid)) throw new SsoError('tenant');
    const azp = typeof claims.azp === 'string' ? claims.azp.toLowerCase() : '';
    if (!this.settings.allowedClientIds.includes(azp)) throw new SsoError('client');
    const nowSeconds = this.now() / 1000;
    const tolerance = this.settings.clockToleranceSeconds ?? 300;
    if (typeof claims.exp !== 'number' || claims.exp + tolerance < nowSeconds) throw new SsoError('expired');
    if (typeof claims.nbf === 'number' && claims.nbf - tolerance > nowSeconds) throw new SsoError('expired');
    const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ') : [];
    if (!scopes.includes(this.settings.requiredScope)) throw new SsoError('scope');

    const username = [claims.preferred_username, claims.upn].find((v): v is string => typeof v === 'string' && v.includes('@'));
    return { aadObjectId: oid, tenantId: tid, username, name: typeof claims.name === 'string' ? claims.name : undefined };
  }
}
