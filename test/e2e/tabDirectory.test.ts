import type { Frame, Page } from 'playwright-core';
import { hostPage, HOST_URL, launchTabBrowser, TAB_ORIGIN, tabFrame, type HostOptions, type TabBrowser } from '../../bench/tabHost';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { seriousViolations } from '../support/axe';

jest.setTimeout(90_000);

/** The demo directory's IB of Köln (fictitious). */
const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const ADMIN = stableGuid('e2e-directory', 'admin');
const STAFF = stableGuid('e2e-directory', 'staff');
/** Tuesday, 1 December 2026, 10:00 in Berlin. */
const NOW = new Date('2026-12-01T09:00:00Z');


/** Elements of the editor that reach beyond the viewport or cut their content off. */
function clipped(frame: Frame): Promise<{ pageWidth: number; viewport: number; clipped: string[] }> {
  return frame.evaluate(() => {
    const viewport = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('#directory-editor *'))) {
      const rect = el.getBoundingClientRect();
      if (!rect.width) continue;
      const hides = getComputedStyle(el).overflowX !== 'visible';
      if ((hides && el.scrollWidth > el.clientWidth + 1) || rect.right > viewport + 1) out.push(`${el.tagName.toLowerCase()}#${el.id}`);
    }
    return { pageWidth: document.scrollingElement!.scrollWidth, viewport, clipped: out };
  });
}

describe('the directory editor in the tab, in a browser', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;
  let browser: TabBrowser;
  let host: HostOptions = {};

  const token = (oid: string) => issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE });
  async function openTab(options: HostOptions): Promise<{ page: Page; frame: Frame }> {
    host = options;
    const { page } = await browser.newPage();
    await page.goto(HOST_URL);
    return { page, frame: await tabFrame(page) };
  }

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'tab-directory-e2e' });
    app = await startTabApp(issuer, { database, now: () => NOW, env: { ADMIN_AAD_OBJECT_IDS: ADMIN } });
    browser = await launchTabBrowser(app.url, () => hostPage(`${TAB_ORIGIN}/tab/index.html?lang=${host.locale ?? 'de-DE'}`, host));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.close();
    await issuer?.close();
  });

  it('shows the IB their entry as a form with its history, accessible and unclipped at 1024 and 360 px in light and dark', async () => {
    for (const theme of ['default', 'dark'] as const) {
      const { page, frame } = await openTab({ token: token(KOELN_IB), theme });
      await frame.locator('#directory-editor[data-ready]').waitFor();
      expect(await frame.inputValue('#dir-phone')).toBe('0221 555-0101');
      expect(await frame.inputValue('#dir-deputy-name')).toBe('Jan Jedermann (Beispiel)');
      await frame.getByRole('heading', { name: 'Änderungsverlauf' }).waitFor();
      for (const width of [1024, 360]) {
        await page.setViewportSize({ width, height: 900 });
        await frame.waitForFunction((w) => document.documentElement.clientWidth === w, width);
        expect({ theme, width, violations: await seriousViolations(frame) }).toEqual({ theme, width, violations: [] });
      }
      expect(await clipped(frame)).toEqual({ pageWidth: 360, viewport: 360, clipped: [] });
      await page.close();
    }
  });

  it('shows each problem at its field, keeps what was typed, and saves once it is right', async () => {
    const { page, frame } = await openTab({ token: token(KOELN_IB) });
    await frame.locator('#directory-editor[data-ready]').waitFor();
    await frame.fill('#dir-officeHours', 'Di 9–11 Uhr (E2E)');
    await frame.click('#dir-absence-add');
    // The new absence (the second row) gets the focus, as a keyboard user expects.
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('dir-absences-1-from');
    await frame.fill('#dir-absences-1-from', '2027-03-10');
    await frame.fill('#dir-absences-1-to', '2027-03-01');
    await frame.click('#dir-save');
    await frame.waitForFunction(() => (document.getElementById('dir-absences-1-to-error')?.textContent ?? '') !== '');
    expect(await frame.textContent('#dir-absences-1-to-error')).toBe('Das Ende darf nicht vor dem Beginn liegen.');
    expect(await frame.getAttribute('#dir-absences-1-to', 'aria-invalid')).toBe('true');
    expect(await frame.textContent('#dir-problems')).toContain('gespeichert wurde nichts');
    expect(await frame.inputValue('#dir-officeHours')).toBe('Di 9–11 Uhr (E2E)');
    expect(await seriousViolations(frame)).toEqual([]);

    await frame.fill('#dir-absences-1-to', '2027-03-12');
    await frame.click('#dir-save');
    await frame.waitForFunction(() => /Gespeichert/.test(document.getElementById('dir-status')?.textContent ?? ''));
    expect(await frame.textContent('#dir-history')).toContain('Sabine Schmitz (Beispiel)');
    expect(await frame.textContent('#dir-history')).toContain('Di 9–11 Uhr (E2E)');
    expect(app.answers.engine.directory.authorities.find((a) => a.code === 'koeln')!.commissioner!.officeHours).toBe('Di 9–11 Uhr (E2E)');
    await page.close();
  });

  it('says so when someone else saved meanwhile, shows their state and overwrites nothing', async () => {
    const { page, frame } = await openTab({ token: token(KOELN_IB), locale: 'en-US' });
    await frame.locator('#directory-editor[data-ready]').waitFor();
    // An administrator saves first, through the same API.
    const auth = { authorization: `Bearer ${token(ADMIN)}` };
    const current = (await (await fetch(`${app.url}/api/tab/directory/koeln`, { headers: auth })).json()) as { entry: { revision: string; form: Record<string, unknown> } };
    const saved = await fetch(`${app.url}/api/tab/directory/koeln`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json', 'if-match': current.entry.revision },
      body: JSON.stringify({ ...current.entry.form, officeHours: 'Mo 8–12 Uhr (Administration)' }),
    });
    expect(saved.status).toBe(200);
    await frame.fill('#dir-officeHours', 'Fr 10–11 Uhr');
    await frame.click('#dir-save');
    await frame.waitForFunction(() => /changed meanwhile/.test(document.getElementById('dir-status')?.textContent ?? ''));
    expect(await frame.inputValue('#dir-officeHours')).toBe('Mo 8–12 Uhr (Administration)');
    await page.close();
  });

  it('offers an administrator every authority, and shows staff no editor at all', async () => {
    const admin = await openTab({ token: token(ADMIN) });
    await admin.frame.locator('#directory-editor[data-ready]').waitFor();
    expect(await admin.frame.locator('#dir-authority option').count()).toBe(5);
    await admin.page.setViewportSize({ width: 360, height: 900 });
    expect(await seriousViolations(admin.frame)).toEqual([]);
    await admin.page.close();

    const staff = await openTab({ token: token(STAFF) });
    // The editor asked and was told there is nothing to edit: it stays hidden.
    await staff.frame.locator('#directory-editor[data-ready="none"]').waitFor({ state: 'attached' });
    expect(await staff.frame.locator('#directory-editor').isHidden()).toBe(true);
    await staff.page.close();
  });
});
