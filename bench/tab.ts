/**
 * `npm run bench -- tab`: the personal tab's weight and speed in headless Chromium.
 * - tab.js_gzip_kb: gzip size of every script the tab loads (bar: ≤ 300 KB).
 * - tab.interactive_ms: from the tab frame's navigation start to the first view rendered and operable (the app's
 *   `lotse:interactive` mark), for an IB (contact card, unanswered questions, inbox, Vorträge, Koordinierungskreis), median of cold loads (bar: ≤ 1 s).
 * - tab.static_page_ms: baseline in the same run, a static page of the same server in the same host frame
 *   (navigation start to DOMContentLoaded), i.e. what loading anything at all costs here.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import { projectRoot } from '../services/paths';
import { startTokenIssuer } from '../test/support/tokenIssuer';
import type { Figure } from './figure';
import { hostPage, HOST_URL, launchTabBrowser, TAB_ORIGIN, tabFrame } from './tabHost';

const APP_ID = '9f0e5d3c-1b2a-4c6d-8e7f-0a1b2c3d4e5f';
const TENANT = '5e1b2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const LOADS = 7;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Starts `node dist/bot/index.js` (embedded database, demo directory) with SSO checked against `metadataUrl`. */
function startService(metadataUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--max-old-space-size=256', path.join(projectRoot, 'dist', 'bot', 'index.js')], {
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
    const timer = setTimeout(() => reject(new Error('service did not start within 60 s')), 60_000);
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

export async function benchTab(): Promise<Figure[]> {
  const issuer = await startTokenIssuer({ appId: APP_ID });
  const service = await startService(issuer.entraMetadataUrl);
  let framed = '/tab/index.html?lang=de-DE';
  const token = () => issuer.signEntra({ oid: KOELN_IB, tid: TENANT, aud: `api://${new URL(TAB_ORIGIN).host}/${APP_ID}`, preferred_username: 'sabine.schmitz@bezreg-koeln.example' });
  let currentToken = token();
  const browser = await launchTabBrowser(service.url, () => hostPage(`${TAB_ORIGIN}${framed}`, { token: currentToken }));
  try {
    const scripts = new Map<string, number>();
    const interactive: number[] = [];
    for (let i = 0; i < LOADS + 1; i++) {
      currentToken = token();
      const { context, page } = await browser.newPage();
      page.on('response', async (res) => {
        if (res.request().resourceType() !== 'script' || !res.url().startsWith(TAB_ORIGIN)) return;
        const body = await res.body().catch(() => undefined);
        if (body) scripts.set(res.url(), gzipSync(body, { level: 9 }).length);
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
    const gzipBytes = [...scripts.values()].reduce((a, b) => a + b, 0);
    return [
      { name: 'tab.js_gzip_kb', value: Math.round((gzipBytes / 1024) * 10) / 10, unit: 'KB' },
      { name: 'tab.interactive_ms', value: Math.round(median(interactive)), unit: 'ms' },
      { name: 'tab.static_page_ms', value: Math.round(median(baseline)), unit: 'ms' },
    ];
  } finally {
    await browser.close();
    await service.stop();
    await issuer.close();
  }
}
