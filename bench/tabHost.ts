/**
 * Drives the personal tab in headless Chromium as Teams would host it, offline: a stand-in Teams page (served by
 * Playwright's request interception at https://teams.microsoft.com, never fetched from the network) frames the tab
 * and answers the teams-js handshake (`initialize`, `getContext`) and `authentication.getAuthToken` with a token
 * from the local issuer. The tab is loaded from its public-looking address (https://lotse.test.example), which the
 * interception forwards to the service on loopback, as a reverse proxy would; every other request is aborted.
 * Used by the browser tests (test/e2e/tab.test.ts) and the `tab` benchmark.
 */
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser';

/** The stand-in host page's address: an origin teams-js trusts and the tab's CSP lets frame it. */
export const HOST_URL = 'https://teams.microsoft.com/_lotse-test-host';
/** Where the browser sees the service (Chromium refuses to let a public origin frame loopback). */
export const TAB_ORIGIN = 'https://lotse.test.example';

export interface HostOptions {
  /** The SSO token getAuthToken returns; `undefined` makes getAuthToken fail like a refused consent. */
  token?: string;
  locale?: string;
  theme?: 'default' | 'dark' | 'contrast';
  /** The deep link's `subEntityId` (context `subEntityId`, `page.subPageId`). */
  subEntityId?: string;
}

/** The host page: an iframe with the tab and a postMessage responder speaking teams-js's wire format. */
export function hostPage(tabUrl: string, options: HostOptions): string {
  const context = { locale: options.locale ?? 'de-DE', theme: options.theme ?? 'default', frameContext: 'content', hostClientType: 'web', entityId: 'mein-lotse', ...(options.subEntityId ? { subEntityId: options.subEntityId } : {}) };
  const runtime = { apiVersion: 4, isLegacyTeams: false, supports: { app: {}, appEntity: {}, pages: { appButton: {}, tabs: {}, config: {}, backStack: {} }, teamsCore: {}, dialog: {} } };
  const config = { token: options.token ?? null, context, runtime: JSON.stringify(runtime) };
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Teams (test host)</title>
<style>html,body{margin:0;height:100%}iframe{border:0;width:100%;height:100%}</style></head>
<body><iframe id="tab" title="Mein Lotse" src="${tabUrl}"></iframe>
<script>
const config = ${JSON.stringify(config)};
window.hostLog = [];
window.addEventListener('message', (event) => {
  const m = event.data;
  if (!m || typeof m.func !== 'string') return;
  window.hostLog.push(m.func);
  const reply = (args) => event.source.postMessage({ id: m.id, uuidAsString: m.uuidAsString, args }, event.origin);
  if (m.func === 'initialize') reply(['content', 'web', config.runtime, '2.58.0']);
  else if (m.func === 'getContext') reply([config.context]);
  else if (m.func === 'authentication.getAuthToken') reply(config.token ? [true, config.token] : [false, 'resourceDisabled']);
});
</script></body></html>`;
}

export interface TabBrowser {
  browser: Browser;
  /** A fresh context (own storage) with the offline routing in place. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/**
 * Launches Chromium headless with a fresh profile (test/support/browser.ts: the system one, else the packaged build);
 * nothing it does leaves loopback. Requests to {@link TAB_ORIGIN} go to `serviceUrl`; `host` renders the host page
 * (for the tab at `${TAB_ORIGIN}/tab/…`).
 */
export async function launchTabBrowser(serviceUrl: string, host: () => string): Promise<TabBrowser> {
  const browser = await launchChromium();
  return {
    browser,
    async newPage() {
      const context = await browser.newContext();
      // One page per context: once it closed, a request of its still in flight (say, the tab reloading a section) has
      // nowhere to go, and Playwright's "Request context disposed" is no failure of the tab.
      let closed = false;
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (url.startsWith(HOST_URL)) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: host() });
        if (url.startsWith(`${TAB_ORIGIN}/`)) {
          try {
            const response = await route.fetch({ url: serviceUrl + url.slice(TAB_ORIGIN.length) });
            return await route.fulfill({ response });
          } catch (err) {
            if (closed) return;
            throw err;
          }
        }
        if (url.startsWith(serviceUrl)) return route.continue();
        return route.abort('blockedbyclient');
      });
      const page = await context.newPage();
      // Noted when the close starts: the fetch under way may fail before Playwright reports the page closed.
      const close = page.close.bind(page);
      page.close = (options) => ((closed = true), close(options));
      page.once('close', () => (closed = true));
      return { context, page };
    },
    async close() {
      await browser.close();
    },
  };
}

/** The tab's frame inside the host page, once it has reached a final state (`ready`, `notice` or `error`). */
export async function tabFrame(page: Page, timeoutMs = 20_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = page.frames().find((f) => f.url().includes('/tab/index.html'));
    if (frame) {
      await frame.waitForFunction(() => !!document.documentElement.dataset.state, undefined, { timeout: Math.max(1, deadline - Date.now()) });
      return frame;
    }
    if (Date.now() > deadline) throw new Error('the tab frame did not load');
    await new Promise((r) => setTimeout(r, 50));
  }
}
