/**
 * The personal tab's single sign-on with its own Entra app registration (TAB_APP_ID), as a bot that runs as a managed
 * identity needs it: the identity cannot expose `api://<host>/<id>`, so the tab's tokens are issued for another app.
 */
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid } from '../support/activities';
import { startTabApp, TAB_AUDIENCE, TAB_HOST } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

const TAB_APP_ID = '0c4d9e7a-5b6c-4d7e-8f90-a1b2c3d4e5f6';

describe('the personal tab with its own Entra app (TAB_APP_ID)', () => {
  let issuer: TokenIssuer;
  let app: TestApp;
  const me = (aud: string) =>
    fetch(`${app.url}/api/tab/me`, { headers: { authorization: `Bearer ${issuer.signEntra({ oid: stableGuid('tab-app', 'staff'), tid: DEFAULT_TENANT_ID, aud })}` } });

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    app = await startTabApp(issuer, { env: { TAB_APP_ID } });
  });
  afterAll(async () => {
    await app.stop();
    await issuer.close();
  });

  it.each([
    ['its application ID URI', `api://${TAB_HOST}/${TAB_APP_ID}`],
    ['its client id', TAB_APP_ID],
  ])('accepts a token whose audience is the tab app, by %s, and names the bot for the chat links', async (_name, aud) => {
    const res = await me(aud);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ botId: DEFAULT_BOT_APP_ID });
  });

  it.each([
    ['application ID URI', TAB_AUDIENCE],
    ['client id', DEFAULT_BOT_APP_ID],
  ])('refuses a token issued for the bot\'s own app (%s)', async (_name, aud) => {
    const res = await me(aud);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 401, body: { code: 'Unauthorized', reason: 'audience' } });
  });

  it('does not warn that the tab has no sign-in', () => {
    expect(app.logs.events()).not.toContain('tab.sso_not_configured');
  });
});

describe('the personal tab of a managed-identity bot without TAB_APP_ID', () => {
  it('starts, answers the tab 503 SsoNotConfigured (the tab explains it) and says so once in the log', async () => {
    const issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    const app = await startTabApp(issuer, { env: { MicrosoftAppType: 'UserAssignedMSI' } });
    try {
      // A token for the identity's client id cannot exist in Entra ID; even one made up is not looked at.
      for (const aud of [TAB_AUDIENCE, DEFAULT_BOT_APP_ID]) {
        const res = await fetch(`${app.url}/api/tab/me`, {
          headers: { authorization: `Bearer ${issuer.signEntra({ oid: stableGuid('tab-app', 'msi'), tid: DEFAULT_TENANT_ID, aud })}` },
        });
        expect({ status: res.status, code: ((await res.json()) as { code?: string }).code }).toEqual({ status: 503, code: 'SsoNotConfigured' });
      }
      // The tab asks without a token when Teams gives it none (no webApplicationInfo in the package).
      const probe = await fetch(`${app.url}/api/tab/me`);
      expect({ status: probe.status, code: ((await probe.json()) as { code?: string }).code }).toEqual({ status: 503, code: 'SsoNotConfigured' });
      expect(app.logs.events().filter((e) => e === 'tab.sso_not_configured')).toHaveLength(1);
      expect((await fetch(`${app.url}/tab/index.html`)).status).toBe(200);
    } finally {
      await app.stop();
      await issuer.close();
    }
  });
});
