import { readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { UnansweredQuestions, type UnansweredQuestion } from '../../services/answers/unansweredQuestions';
import { projectRoot } from '../../services/paths';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { UserProfile } from '../../services/users/userProfiles';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import { startTestApp, type TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const KOELN_DEPUTY = '00000000-0000-4000-8000-000400000002';
const FOREIGN_TENANT = '99999999-9999-4999-8999-999999999999';
/** The app's clock (questions are kept 90 days from it): Tuesday, 24 November 2026, 10:00 in Berlin. */
const NOW = new Date('2026-11-24T09:00:00Z');

describe('the personal tab API', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;

  const token = (oid: string, extra: Record<string, unknown> = {}, options: Parameters<TokenIssuer['signEntra']>[1] = {}) =>
    issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, ...extra }, options);
  async function call(method: string, path: string, auth?: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
  const profile = (oid: string) => database.store<UserProfile>(CONTAINERS.users).read(oid, 'profile');

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'tab-api-test' });
    app = await startTabApp(issuer, { database, now: () => NOW });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await issuer.close();
  });

  describe('refuses every request without a valid Teams single sign-on token', () => {
    const staff = stableGuid('tab', 'refused');
    it.each([
      ['no token', () => undefined, 'missing'],
      ['a malformed token', () => 'not-a-token', 'malformed'],
      ['a token signed by an unknown key', () => token(staff, {}, { key: 'unknown', kid: issuer.keyId }), 'signature'],
      ['an expired token', () => token(staff, {}, { expiresInSeconds: -3600 }), 'expired'],
      ['a token that is not valid yet', () => token(staff, {}, { notBeforeSeconds: 3600 }), 'expired'],
      ['a token of a foreign tenant', () => issuer.signEntra({ oid: staff, tid: FOREIGN_TENANT, aud: TAB_AUDIENCE }), 'tenant'],
      ['a token for another application', () => token(staff, { aud: 'api://elsewhere.example/11111111-1111-4111-8111-111111111111' }), 'audience'],
      ['a token from another issuer', () => token(staff, { iss: 'https://sts.windows.net/evil/' }), 'issuer'],
      ['a token whose issuer names another tenant', () => token(staff, { iss: `https://login.microsoftonline.com/${FOREIGN_TENANT}/v2.0` }), 'issuer'],
      ['a token without the access_as_user scope', () => token(staff, { scp: 'User.Read' }), 'scope'],
      ['a Bot Framework channel token', () => issuer.sign({ serviceurl: 'https://smba.trafficmanager.net/emea/' }), 'claims'],
      // Only Teams' own clients fetch the tab's token; another app the user consented to must not use the API with it.
      ['a token another client application obtained', () => token(staff, { azp: '11111111-1111-4111-8111-111111111111' }), 'client'],
      ['a token without a client application (azp)', () => token(staff, { azp: '' }), 'client'],
    ])('answers 401 to %s and stores nothing', async (_name, make, reason) => {
      const res = await call('GET', '/api/tab/me', make());
      expect({ status: res.status, reason: res.body?.reason }).toEqual({ status: 401, reason });
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      expect(await profile(staff)).toBeUndefined();
    });

    it('accepts the token from Teams web as well as from the desktop and mobile clients', async () => {
      for (const azp of ['5e3ce6c0-2b1f-4285-8d4b-75ee78787346', '1fec8e78-bce4-4aaf-ab1b-5451cc387264']) {
        expect((await call('GET', '/api/tab/me', token(stableGuid('tab', 'client', azp), { azp }))).status).toBe(200);
      }
    });

    it('refuses to store a home authority without a token', async () => {
      const res = await call('PUT', '/api/tab/home', undefined, { authority: 'koeln' });
      expect(res.status).toBe(401);
      expect(await profile(staff)).toBeUndefined();
    });
  });

  it('shows staff the contact card of their IB, with the authority taken from the e-mail domain and stored', async () => {
    const staff = stableGuid('tab', 'staff-koeln');
    const res = await call('GET', '/api/tab/me', token(staff, { preferred_username: 'max.beispiel@bezreg-koeln.example', name: 'Max Beispiel' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.home).toEqual({ authority: 'koeln', name: 'Bezirksregierung Köln', source: 'emailDomain' });
    expect(res.body.name).toBe('Max Beispiel');
    const card = JSON.stringify(res.body.contactCard);
    expect(card).toContain('Sabine Schmitz (Beispiel)');
    expect(card).toContain('mailto:sabine.schmitz@bezreg-koeln.example');
    // Chat-only buttons (Action.Execute) do not work in the tab and are left out.
    expect(card).not.toContain('Action.Execute');
    // Staff see their own Anliegen (none yet) and their own data to download; nothing of the IB side, no circle, no composer.
    expect(res.body.sections).toEqual({ requests: [], downloads: { trailCsv: false, myData: true } });
    expect(await profile(staff)).toMatchObject({ homeAuthority: 'koeln', homeAuthoritySource: 'emailDomain', tenantId: DEFAULT_TENANT_ID });
  });

  it('lets staff with an unknown e-mail domain choose their Bezirksregierung, stored like „Meine Bezirksregierung“', async () => {
    const staff = stableGuid('tab', 'staff-unknown');
    const auth = token(staff, { preferred_username: 'someone@elsewhere.example' });
    const first = await call('GET', '/api/tab/me', auth);
    expect(first.body.home).toBeNull();
    expect(first.body.contactCard).toBeNull();
    expect(first.body.authorities.map((a: { code: string }) => a.code)).toEqual(['arnsberg', 'detmold', 'duesseldorf', 'koeln', 'muenster']);

    const chosen = await call('PUT', '/api/tab/home', auth, { authority: 'muenster' });
    expect(chosen.status).toBe(200);
    expect(chosen.body.home).toEqual({ authority: 'muenster', name: 'Bezirksregierung Münster', source: 'chosen' });
    expect(JSON.stringify(chosen.body.contactCard)).toContain('Tina Test (Beispiel)');
    expect(await profile(staff)).toMatchObject({ homeAuthority: 'muenster', homeAuthoritySource: 'chosen' });
  });

  it('rejects a home authority that does not exist and keeps the stored one', async () => {
    const staff = stableGuid('tab', 'staff-bad-choice');
    const auth = token(staff);
    expect((await call('PUT', '/api/tab/home', auth, { authority: 'koeln' })).status).toBe(200);
    for (const bad of [{ authority: 'berlin' }, { authority: 7 }, {}]) {
      const res = await call('PUT', '/api/tab/home', auth, bad);
      expect(res.status).toBe(400);
    }
    expect((await call('PUT', '/api/tab/home', auth, 'not json')).status).toBe(400);
    expect((await call('PUT', '/api/tab/home', auth, '{"authority":"koeln"}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect(await profile(staff)).toMatchObject({ homeAuthority: 'koeln', homeAuthoritySource: 'chosen' });
  });

  it('shows the IB and the deputy the unanswered questions of their authority from the database, and staff not', async () => {
    const questions = new UnansweredQuestions(database.store<UnansweredQuestion>(CONTAINERS.questions));
    await questions.record('koeln', 'Wie beantrage ich Sonderurlaub für das Zuckerfest?', 'de', NOW);
    await questions.record('muenster', 'Frage aus Münster', 'de', NOW);
    for (const oid of [KOELN_IB, KOELN_DEPUTY]) {
      const res = await call('GET', '/api/tab/me', token(oid, { preferred_username: 'x@bezreg-koeln.example' }), undefined, { 'accept-language': 'en-US' });
      expect(res.status).toBe(200);
      expect(res.body.lang).toBe('en');
      const section = res.body.sections.unanswered;
      expect(section).toMatchObject({ authority: 'koeln', authorityName: 'Bezirksregierung Köln' });
      expect(section.questions.map((q: { intent: string; keywords: string[] }) => [q.intent, q.keywords])).toEqual([['out_of_scope', ['beantrage', 'sonderurlaub', 'zuckerfest']]]);
      expect(JSON.stringify(section)).not.toContain('Wie beantrage');
    }
    const ib = await call('GET', '/api/tab/me', token(KOELN_IB));
    expect(ib.body.roles.commissionerOf).toEqual(['koeln']);
    const staff = await call('GET', '/api/tab/me', token(stableGuid('tab', 'staff-no-questions'), { preferred_username: 'y@bezreg-koeln.example' }));
    expect(staff.body.sections.unanswered).toBeUndefined();
  });

  it('offers no circle composer to someone who is not the KfI (the IB gets the information post only), and nothing for an unknown kind', async () => {
    const res = await call('POST', '/api/tab/preview', token(KOELN_IB), { kind: 'circle.poll', input: {} });
    expect(res.status).toBe(404);
    expect((await call('GET', '/api/tab/me', token(KOELN_IB))).body.sections.composer.kinds.map((k: { id: string }) => k.id)).toEqual(['post']);
  });

  describe('serves the built tab from a fixed allow-list', () => {
    it('serves the page with its content type, revalidation and a CSP that lets only Microsoft 365 hosts frame it', async () => {
      const res = await fetch(`${app.url}/tab/index.html`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toMatch(/frame-ancestors [^;]*https:\/\/teams\.microsoft\.com/);
      expect(csp).toMatch(/frame-ancestors [^;]*https:\/\/\*\.office\.com/);
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBeNull();
      expect(await res.text()).toContain('<html lang="de">');
      const again = await fetch(`${app.url}/tab/index.html`, { headers: { 'if-none-match': res.headers.get('etag') ?? '' } });
      expect(again.status).toBe(304);
    });

    it('serves the script and the styles with their types', async () => {
      const js = await fetch(`${app.url}/tab/app.js`);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const css = await fetch(`${app.url}/tab/app.css`);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect((await fetch(`${app.url}/tab/`)).status).toBe(200);
    });

    it('serves the script compressed as the browser accepts (brotli, else gzip), with Vary and revalidation, decompressing to the built bytes', async () => {
      // Raw bytes as they travel: fetch would decompress them.
      const get = (headers: Record<string, string>) =>
        new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const url = new URL('/tab/app.js', app.url);
          const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          });
          req.on('error', reject);
          req.end();
        });
      const built = readFileSync(path.join(projectRoot, 'tab', 'dist', 'app.js'));

      const plain = await get({});
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.equals(built)).toBe(true);
      const br = await get({ 'accept-encoding': 'gzip, deflate, br, zstd' });
      const gzip = await get({ 'accept-encoding': 'br;q=0, gzip' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(gzip.headers['content-encoding']).toBe('gzip');
      for (const res of [plain, br, gzip]) {
        expect(res.status).toBe(200);
        expect(res.headers.vary).toBe('Accept-Encoding');
        expect(res.headers['cache-control']).toBe('no-cache');
        expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
        expect(Number(res.headers['content-length'])).toBe(res.body.length);
      }
      expect(brotliDecompressSync(br.body).equals(built)).toBe(true);
      expect(gunzipSync(gzip.body).equals(built)).toBe(true);
      expect(br.body.length).toBeLessThan(built.length / 3);
      // Each representation has its own validator; a revalidation is answered 304 for the same one only.
      expect(new Set([plain.headers.etag, br.headers.etag, gzip.headers.etag]).size).toBe(3);
      expect((await get({ 'accept-encoding': 'br', 'if-none-match': br.headers.etag! })).status).toBe(304);
      expect((await get({ 'accept-encoding': 'gzip', 'if-none-match': br.headers.etag! })).status).toBe(200);
    });

    it.each([
      '/tab/../package.json',
      '/tab/%2e%2e/package.json',
      '/tab/%2E%2E%2Fpackage.json',
      '/tab/..%2f..%2fpackage.json',
      '/tab/..\\package.json',
      '/tab/%5c..%5cpackage.json',
      '/tab//etc/passwd',
      '/tab/%2fetc%2fpasswd',
      '/tab/C:\\Windows\\win.ini',
      '/tab/app.js.map',
      '/tab/nothing-here.js',
      '/tab/index.html%00.js',
    ])('answers 404 to %s', async (path) => {
      const url = new URL(app.url);
      // Raw request line: fetch would normalise the dots away before sending.
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(404);
    });
  });
});

describe('the personal tab without a Microsoft App ID', () => {
  it('answers 503 with a code the tab explains, and still serves the page', async () => {
    const app = await startTestApp();
    try {
      const res = await fetch(`${app.url}/api/tab/me`, { headers: { authorization: 'Bearer a.b.c' } });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: 'SsoNotConfigured' });
      expect((await fetch(`${app.url}/tab/index.html`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});

describe('the personal tab with its own list of client applications (TAB_SSO_ALLOWED_CLIENT_IDS)', () => {
  it('accepts tokens of the listed clients only', async () => {
    const outlookWeb = 'bc59ab01-8403-45c6-8796-ac3ef710b3e3';
    const issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    const app = await startTabApp(issuer, { env: { TAB_SSO_ALLOWED_CLIENT_IDS: outlookWeb } });
    try {
      const me = (azp: string) =>
        fetch(`${app.url}/api/tab/me`, { headers: { authorization: `Bearer ${issuer.signEntra({ oid: stableGuid('tab', 'own-clients'), tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, azp })}` } });
      expect((await me(outlookWeb)).status).toBe(200);
      const teams = await me('1fec8e78-bce4-4aaf-ab1b-5451cc387264');
      expect({ status: teams.status, body: await teams.json() }).toEqual({ status: 401, body: { code: 'Unauthorized', reason: 'client' } });
    } finally {
      await app.stop();
      await issuer.close();
    }
  });
});
