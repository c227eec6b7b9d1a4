/**
 * `npm run bench -- tab`: the personal tab's weight and speed in headless Chromium.
 * - tab.js_wire_kb: the bytes on the wire of every script the tab loads (bar: ≤ 300 KB), as Chromium reports them
 *   (CDP `Network.loadingFinished.encodedDataLength`: headers and body as received, compressed as the service chose
 *   for Chromium's own Accept-Encoding). Measured on a real loopback request from the service's origin, because the
 *   framed tab's requests go through Playwright's interception, where no encoding is negotiated.
 * - tab.interactive_ms: from the tab frame's navigation start to the first view rendered and operable (the app's
 *   `lotse:interactive` mark), for an IB (contact card, unanswered questions, inbox, Vorträge, Koordinierungskreis), median of cold loads (bar: ≤ 1 s).
 * - tab.static_page_ms: baseline in the same run, a static page of the same server in the same host frame
 *   (navigation start to DOMContentLoaded), i.e. what loading anything at all costs here.
 */
import path from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../services/paths';
import { startTokenIssuer } from '../test/support/tokenIssuer';
import { spawnChild } from './childProcess';
import type { Figure } from './figure';
import { hostPage, HOST_URL, launchTabBrowser, TAB_ORIGIN, tabFrame, type TabBrowser } from './tabHost';
import { median } from './rounds';

const APP_ID = '9f0e5d3c-1b2a-4c6d-8e7f-0a1b2c3d4e5f';
const TENANT = '5e1b2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const LOADS = 7;


/** Starts `node dist/bot/index.js` (embedded database, demo directory) with SSO checked against `metadataUrl`. */
function startService(metadataUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawnChild(process.execPath, ['--max-old-space-size=256', path.join(projectRoot, 'dist', 'bot', 'index.js')], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      MicrosoftAppId: APP_ID,
      MicrosoftAppTenantId: TENANT,
      // Never used: the benchmark sends no bot messages; the SDK only insists on a secret at start-up.
      MicrosoftAppPassword: 'bench-only-not-a-secret',
      ALLOWED_TENANT_IDS: TENANT,
      PUBLIC_BASE_URL: TAB_ORIGIN,
      // A local issuer is a test-only switch: the service refuses it without test mode.
      LOTSE_TEST_MODE: 'true',
      TAB_SSO_OPENID_METADATA_URL: metadataUrl,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('service did not start within 60 s'));
    }, 60_000);
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('"server.listening"')) return;
      clearTimeout(timer);
      resolve({
        url: (JSON.parse(line) as { url: string }).url,
        stop: () => new Promise<void>((done) => (child.exitCode !== null ? done() : (child.once('exit', () => done()), child.kill('SIGTERM')))),
      });
    });
  });
}

/**
 * The bytes on the wire of the scripts at `paths`, loaded by Chromium from the service itself over loopback: the page
 * opens at the service's origin and fetches each script without cache, so the request carries Chromium's own
 * Accept-Encoding and the response comes as the service sends it. Returns the total and a line per script.
 */
async function scriptsOnTheWire(browser: TabBrowser, serviceUrl: string, paths: string[]): Promise<{ bytes: number; lines: string[] }> {
  const { context, page } = await browser.newPage();
  try {
    await page.goto(`${serviceUrl}/tab/about.html`);
    const cdp = await context.newCDPSession(page);
    const responses = new Map<string, { path: string; encoding: string }>();
    const measured: Array<{ path: string; encoding: string; bytes: number }> = [];
    let allFinished: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (allFinished = resolve));
    cdp.on('Network.responseReceived', (e) => {
      const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      responses.set(e.requestId, { path: new URL(e.response.url).pathname, encoding: String(headers['content-encoding'] ?? 'identity') });
    });
    // Fires after the last byte arrived, possibly after the page's fetch has resolved.
    cdp.on('Network.loadingFinished', (e) => {
      const response = responses.get(e.requestId);
      if (!response || !paths.includes(response.path)) return;
      measured.push({ ...response, bytes: e.encodedDataLength });
      if (measured.length === paths.length) allFinished();
    });
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.evaluate(async (list) => {
      for (const p of list) await (await fetch(p, { cache: 'no-store' })).arrayBuffer();
    }, paths);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('tab: a script fetch never finished')), 10_000)))]);
    clearTimeout(timer);
    const lines = measured.map((m) => `${m.path}: ${m.bytes} bytes (${m.encoding})`);
    return { bytes: measured.reduce((sum, m) => sum + m.bytes, 0), lines };
  } finally {
    await context.close();
  }
}

export async function benchTab(): Promise<Figure[]> {
  const issuer = await startTokenIssuer({ appId: APP_ID });
  const service = await startService(issuer.entraMetadataUrl);
  let framed = '/tab/index.html?lang=de-DE';
  const token = () => issuer.signEntra({ oid: KOELN_IB, tid: TENANT, aud: `api://${new URL(TAB_ORIGIN).host}/${APP_ID}`, preferred_username: 'sabine.schmitz@bezreg-koeln.example' });
  let currentToken = token();
  const browser = await launchTabBrowser(service.url, () => hostPage(`${TAB_ORIGIN}${framed}`, { token: currentToken }));
  try {
    // The scripts the framed tab loads (by path); their size on the wire is measured afterwards.
    const scripts = new Set<string>();
    const interactive: number[] = [];
    for (let i = 0; i < LOADS + 1; i++) {
      currentToken = token();
      const { context, page } = await browser.newPage();
      page.on('request', (req) => {
        if (req.resourceType() === 'script' && req.url().startsWith(TAB_ORIGIN)) scripts.add(new URL(req.url()).pathname);
      });
      await page.goto(HOST_URL);
      const frame = await tabFrame(page);
      const state = await frame.evaluate(() => document.documentElement.dataset.state);
      if (state !== 'ready') throw new Error(`the tab ended in state ${state}`);
      const ms = await frame.evaluate(() => performance.getEntriesByName('lotse:interactive')[0]?.startTime ?? NaN);
      // The first load warms the service's caches (SSO metadata, keys); it is not counted.
      if (i > 0) interactive.push(ms);
      await context.close();
    }
    framed = '/tab/about.html';
    const baseline: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const { context, page } = await browser.newPage();
      await page.goto(HOST_URL);
      const frame = page.frames().find((f) => f.url().includes('/tab/about.html')) ?? (await page.waitForEvent('frameattached'));
      await frame.waitForLoadState('domcontentloaded');
      baseline.push(await frame.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd));
      await context.close();
    }
    if (!scripts.size) throw new Error('tab: the framed tab loaded no script');
    const wire = await scriptsOnTheWire(browser, service.url, [...scripts]);
    process.stderr.write(`tab: scripts on the wire: ${wire.lines.join('; ')}\n`);
    return [
      { name: 'tab.js_wire_kb', value: Math.round((wire.bytes / 1024) * 10) / 10, unit: 'KB' },
      { name: 'tab.interactive_ms', value: Math.round(median(interactive)), unit: 'ms' },
      { name: 'tab.static_page_ms', value: Math.round(median(baseline)), unit: 'ms' },
    ];
  } finally {
    await browser.close();
    await service.stop();
    await issuer.close();
  }
}
