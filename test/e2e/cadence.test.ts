import type { Frame, Page } from 'playwright-core';
import { hostPage, HOST_URL, launchTabBrowser, TAB_ORIGIN, tabFrame, type HostOptions, type TabBrowser } from '../../bench/tabHost';
import type { CadenceDoc } from '../../services/circle/cadenceService';
import type { CircleDoc, PollDoc } from '../../services/circle/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { seriousViolations } from '../support/axe';

jest.setTimeout(90_000);

const KFI = '00000000-0000-4000-8000-000600000001';


/** Elements of the cadence section wider than the viewport (or the page itself). */
function clipped(frame: Frame): Promise<{ pageWidth: number; viewport: number; wider: string[] }> {
  return frame.evaluate(() => {
    const viewport = document.documentElement.clientWidth;
    const wider = Array.from(document.querySelectorAll<HTMLElement>('#cadence *'))
      .filter((el) => el.getBoundingClientRect().right > viewport + 1)
      .map((el) => `${el.tagName.toLowerCase()}#${el.id}: ${(el.textContent ?? '').trim().slice(0, 30)}`);
    return { pageWidth: document.scrollingElement!.scrollWidth, viewport, wider };
  });
}

describe('the KfI’s cadence in the personal tab', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;
  let browser: TabBrowser;
  let host: HostOptions = {};
  // Wednesday, 20 January 2027, 10:00 in Berlin.
  let now = new Date('2027-01-20T09:00:00Z');

  const token = () => issuer.signEntra({ oid: KFI, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, preferred_username: 'karla.koordinata@bezreg-arnsberg.example' });
  async function openTab(options: HostOptions): Promise<{ page: Page; frame: Frame }> {
    host = options;
    const { page } = await browser.newPage();
    await page.goto(HOST_URL);
    const frame = await tabFrame(page);
    await frame.locator('#cadence-form').waitFor();
    return { page, frame };
  }
  const cadence = async () => (await database.store<CircleDoc>(CONTAINERS.circle).read('cadence', 'cadence')) as CadenceDoc | undefined;

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'cadence-e2e-test' });
    app = await startTabApp(issuer, { database, now: () => now });
    browser = await launchTabBrowser(app.url, () => hostPage(`${TAB_ORIGIN}/tab/index.html?lang=${host.locale ?? 'de-DE'}`, host));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.close();
    await issuer?.close();
  });

  it('lets the KfI set a quarterly cadence by keyboard, shows a bad field at the field, with no serious accessibility problem at 1024 and 360 px', async () => {
    const { page, frame } = await openTab({ token: token() });
    for (const width of [1024, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await frame.waitForFunction((w) => document.documentElement.clientWidth === w, width);
      expect({ width, violations: await seriousViolations(frame) }).toEqual({ width, violations: [] });
    }
    expect(await frame.locator('#cadence-summary').innerText()).toBe('Es ist noch kein Rhythmus festgelegt.');
    // The week of the month belongs to monthly rules only.
    await frame.locator('#cadence-f-unit').selectOption('week');
    expect(await frame.locator('[data-field="week"]').isHidden()).toBe(true);
    await frame.locator('#cadence-f-unit').selectOption('month');
    expect(await frame.locator('[data-field="week"]').isVisible()).toBe(true);

    // A bad interval: the message at the field, the focus on it, nothing stored.
    await frame.locator('#cadence-f-interval').fill('0');
    await frame.locator('#cadence-f-from').fill('2027-01-01');
    await frame.locator('#cadence-save').focus();
    await page.keyboard.press('Enter');
    await frame.waitForFunction(() => document.getElementById('cadence-f-interval-error')?.textContent === 'Bitte geben Sie eine ganze Zahl an: 1 bis 26 Wochen oder 1 bis 12 Monate.');
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('cadence-f-interval');
    expect(await frame.locator('#cadence-f-interval').getAttribute('aria-invalid')).not.toBeNull();
    expect(await cadence()).toBeUndefined();
    expect(await seriousViolations(frame)).toEqual([]);

    await page.keyboard.press('Control+A');
    await page.keyboard.type('3');
    await frame.locator('#cadence-save').focus();
    await page.keyboard.press('Enter');
    await frame.waitForFunction(() => document.getElementById('cadence-status')?.textContent === 'Der Rhythmus ist gespeichert.');
    expect(await frame.locator('#cadence-summary').innerText()).toMatch(/^Vierteljährlich am zweiten Dienstag im Monat, 10:00 Uhr\./);
    expect(await frame.locator('#cadence-upcoming li').first().innerText()).toBe('Di., 13.04.2027, 10:00 Uhr Entwurf am 02.03.2027');
    expect((await cadence())!.rule).toEqual({ unit: 'month', interval: 3, weekday: 2, week: 2, from: '2027-01-01', time: '10:00' });
    for (const width of [1024, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await frame.waitForFunction((w) => document.documentElement.clientWidth === w, width);
      expect({ width, violations: await seriousViolations(frame) }).toEqual({ width, violations: [] });
    }
    expect(await clipped(frame)).toEqual({ pageWidth: 360, viewport: 360, wider: [] });
    await page.close();
  });

  it('shows the prepared draft marked, as the card, and sends the poll when the KfI confirms it (in English, at 360 px in the dark theme)', async () => {
    await app.delivery.whenIdle();
    await app.jobs.runDue();
    now = new Date('2027-03-02T08:00:00Z');
    await app.jobs.runDue();
    await app.delivery.whenIdle();
    expect((await cadence())!.draft?.status).toBe('prepared');

    const { page, frame } = await openTab({ token: token(), locale: 'en-GB', theme: 'dark' });
    await page.setViewportSize({ width: 360, height: 900 });
    await frame.waitForFunction(() => document.documentElement.clientWidth === 360);
    expect(await frame.locator('#cadence-draft-heading').innerText()).toBe('Prepared by cadence — please check and send');
    const card = frame.locator('#cadence-draft-card .ac-adaptiveCard');
    await card.waitFor();
    expect(await card.innerText()).toContain('Tue 13 Apr 2027, 10:00–12:00');
    expect(await card.innerText()).toContain('Tue 27 Apr 2027, 10:00–12:00');
    expect(await seriousViolations(frame)).toEqual([]);
    expect(await clipped(frame)).toEqual({ pageWidth: 360, viewport: 360, wider: [] });

    await frame.locator('#cadence-confirm').focus();
    await page.keyboard.press('Enter');
    await frame.waitForFunction(() => document.getElementById('cadence-status')?.textContent === 'The date poll is confirmed and goes to the coordination circle.');
    expect(await frame.locator('#cadence-confirm').count()).toBe(0);
    const polls = await database.store<CircleDoc>(CONTAINERS.circle).query<PollDoc>({ query: 'SELECT * FROM c WHERE c.type = "poll"' });
    expect(polls.map((p) => p.slots[0].start)).toEqual(['2027-04-13T08:00:00.000Z']);
    expect(await seriousViolations(frame)).toEqual([]);
    await page.close();
  });
});
