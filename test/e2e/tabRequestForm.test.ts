/**
 * „Anliegen senden“ as a form in the tab (tab/src/requestForm.ts), in headless Chromium: keyboard only, the two steps,
 * problems at their fields with what was typed kept, the sent Anliegen opening as its card; axe at 1024 and 360 px in
 * the light, dark and high-contrast themes; nothing cut off at 360 px, and a long subject beside its Frist wrapping
 * between words.
 */
import type { Frame, Page } from 'playwright-core';
import { hostPage, HOST_URL, launchTabBrowser, TAB_ORIGIN, tabFrame, type HostOptions, type TabBrowser } from '../../bench/tabHost';
import type { ItemDoc } from '../../services/requests/model';
import { REQUEST_TEXTS } from '../../services/requests/texts';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { seriousViolations } from '../support/axe';

jest.setTimeout(120_000);

/** Tuesday, 1 December 2026, 10:00 in Berlin. */
const NOW = new Date('2026-12-01T09:00:00Z');


/** Elements of `root` that reach beyond the viewport or cut their content off (a text input scrolls its value by design). */
function clipped(frame: Frame, root: string): Promise<{ pageWidth: number; viewport: number; clipped: string[] }> {
  return frame.evaluate((sel) => {
    const viewport = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(`${sel} *`))) {
      const rect = el.getBoundingClientRect();
      if (!rect.width) continue;
      const hides = getComputedStyle(el).overflowX !== 'visible' && el.tagName !== 'INPUT';
      if ((hides && el.scrollWidth > el.clientWidth + 1) || rect.right > viewport + 1) out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className}`);
    }
    return { pageWidth: document.scrollingElement!.scrollWidth, viewport, clipped: out };
  }, root);
}

/** The words of the element's text that the browser broke across two lines (a word's parts on different lines). */
function brokenWords(frame: Frame, selector: string): Promise<string[]> {
  return frame.evaluate((sel) => {
    const el = document.querySelector(sel);
    const text = el?.firstChild && el.firstChild.nodeType === Node.TEXT_NODE ? (el.firstChild as Text) : null;
    if (!text) throw new Error(`no text in ${sel}`);
    const broken: string[] = [];
    const re = /\S+/g;
    for (let m = re.exec(text.data); m; m = re.exec(text.data)) {
      const range = document.createRange();
      range.setStart(text, m.index);
      range.setEnd(text, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
    return broken;
  }, selector);
}

describe('„Anliegen senden“ as a form in the tab, in a browser', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;
  let browser: TabBrowser;
  let host: HostOptions = {};
  const items = () => database.store<ItemDoc>(CONTAINERS.items).query<ItemDoc>({ query: 'SELECT * FROM c' });

  const token = (oid: string) => issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, preferred_username: 'anna.beispiel@bezreg-koeln.example', name: 'Anna Beispiel' });
  async function openTab(options: HostOptions): Promise<{ page: Page; frame: Frame }> {
    host = options;
    const { page } = await browser.newPage();
    await page.goto(HOST_URL);
    return { page, frame: await tabFrame(page) };
  }
  /** Presses Tab until `selector` has the focus (at most `limit` times). */
  async function tabTo(page: Page, frame: Frame, selector: string, limit = 30): Promise<number> {
    for (let step = 1; step <= limit; step++) {
      await page.keyboard.press('Tab');
      if (await frame.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return step;
    }
    throw new Error(`Tab never reached ${selector} in ${limit} steps`);
  }
  /** No serious accessibility problem at 1024 and 360 px, and nothing of the requests section cut off at 360 px. */
  async function expectReadable(page: Page, frame: Frame, theme: string): Promise<void> {
    for (const width of [1024, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await frame.waitForFunction((w) => document.documentElement.clientWidth === w, width);
      expect({ theme, width, violations: await seriousViolations(frame) }).toEqual({ theme, width, violations: [] });
    }
    expect({ theme, ...(await clipped(frame, '#requests')) }).toEqual({ theme, pageWidth: 360, viewport: 360, clipped: [] });
  }
  const focused = (frame: Frame) => frame.evaluate(() => document.activeElement?.id || document.activeElement?.getAttribute('name') || document.activeElement?.tagName);

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'tab-request-form-e2e' });
    app = await startTabApp(issuer, { database, now: () => NOW });
    browser = await launchTabBrowser(app.url, () => hostPage(`${TAB_ORIGIN}/tab/index.html?lang=${host.locale ?? 'de-DE'}`, host));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.close();
    await issuer?.close();
  });

  it('walks staff by keyboard alone through both steps, shows each problem at its field with what was typed kept, and opens the sent Anliegen as its card', async () => {
    const staff = stableGuid('e2e-request-form', 'anna');
    const { page, frame } = await openTab({ token: token(staff) });
    await page.setViewportSize({ width: 360, height: 900 });
    await frame.locator('#send-request').waitFor();
    // The main task is the first stop of the keyboard, and opens the form (not the chat).
    await frame.locator('h1').evaluate((el: HTMLElement) => ((el.tabIndex = -1), el.focus()));
    expect(await tabTo(page, frame, '#send-request', 1)).toBe(1);
    await page.keyboard.press('Enter');
    await frame.locator('#request-form:not([hidden])').waitFor();
    expect(await frame.locator('#send-request').getAttribute('aria-expanded')).toBe('true');
    expect(await focused(frame)).toBe('request-form-heading');

    // Step 1 without a kind: the sentence at the radio buttons, nothing sent.
    await tabTo(page, frame, '#request-next');
    await page.keyboard.press('Enter');
    await frame.locator('#rf-category-error:has-text("Bitte wählen Sie, worum es geht.")').waitFor();
    expect(await frame.locator('#request-form-problems').innerText()).toContain('Nichts wurde gesendet');
    expect(await focused(frame)).toBe('category');
    // Arrow keys choose within the radio group: Beratung → Beteiligung.
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    expect(await frame.locator('input[name="category"]:checked').getAttribute('value')).toBe('beteiligung');
    await tabTo(page, frame, '#request-next');
    await page.keyboard.press('Enter');

    // Step 2: the recipient preset from the e-mail domain; the Beteiligung's fields.
    await frame.locator('#rf-authority').waitFor();
    expect(await focused(frame)).toBe('rf-authority');
    expect(await frame.locator('#rf-authority').inputValue()).toBe('koeln');
    await tabTo(page, frame, '#rf-subject');
    await page.keyboard.type('Sprachkursangebote für neu zugewanderte Beschäftigte');
    await tabTo(page, frame, '#rf-description');
    await page.keyboard.type('Das Dezernat plant Sprachkurse (Beispiel). Bitte um Beteiligung.');
    await tabTo(page, frame, '#rf-measure');
    await page.keyboard.type('Sprachkursreihe 2027');
    await tabTo(page, frame, '#request-submit');
    await page.keyboard.press('Enter');
    // The department and the planned date are missing: each at its field, the first one focused, the rest kept.
    await frame.locator('#rf-department-error:has-text("Bitte nennen Sie das Dezernat.")').waitFor();
    expect(await frame.locator('#rf-plannedDate-error').innerText()).toBe('Bitte wählen Sie den geplanten Termin.');
    expect(await frame.locator('#rf-department').getAttribute('aria-invalid')).toBe('true');
    expect(await frame.locator('#rf-subject').getAttribute('aria-invalid')).toBeNull();
    expect(await focused(frame)).toBe('rf-department');
    expect(await frame.locator('#rf-subject').inputValue()).toBe('Sprachkursangebote für neu zugewanderte Beschäftigte');
    expect(await frame.locator('#rf-measure').inputValue()).toBe('Sprachkursreihe 2027');
    expect(await items()).toEqual([]);

    // The form with its problems shown: no serious accessibility problem at 1024 and 360 px, nothing cut off at 360 px
    // (the dark and high-contrast themes: the next test).
    await expectReadable(page, frame, 'default');

    await frame.locator('#rf-department').focus();
    await page.keyboard.type('Dezernat 25');
    await tabTo(page, frame, '#rf-plannedDate');
    // The date picker's segments follow the browser's locale; the value goes in as the picker stores it.
    await frame.locator('#rf-plannedDate').fill('2027-01-15');
    await tabTo(page, frame, '#request-submit');
    await page.keyboard.press('Enter');

    // Sent: the Anliegen opens as the requester's card, with the confirmation.
    await frame.locator('#item-card .ac-adaptiveCard').waitFor();
    expect(await frame.locator('#item-status').innerText()).toBe('Gesendet. Die oder der IB ist benachrichtigt; Sie sehen hier jeden weiteren Schritt.');
    const [stored] = await items();
    expect(stored).toMatchObject({
      authority: 'koeln', category: 'beteiligung', subject: 'Sprachkursangebote für neu zugewanderte Beschäftigte',
      measure: { department: 'Dezernat 25', name: 'Sprachkursreihe 2027', plannedDate: '2027-01-15' }, createdBy: { aadObjectId: staff, name: 'Anna Beispiel' },
    });
    // At 360 px the subject beside its Frist tag wraps between words, nothing cut off.
    await page.setViewportSize({ width: 360, height: 900 });
    await frame.waitForFunction(() => document.documentElement.clientWidth === 360);
    expect(await brokenWords(frame, '#item-card [role="heading"]')).toEqual([]);
    expect(await clipped(frame, '#item')).toEqual({ pageWidth: 360, viewport: 360, clipped: [] });
    // Back to the overview: „Meine Anliegen“ lists it, its subject wrapping between words.
    await frame.locator('#item-back').click();
    await frame.locator('#requests button.row-open').first().waitFor();
    expect(await frame.locator('#requests button.row-open').allInnerTexts()).toEqual(['Sprachkursangebote für neu zugewanderte Beschäftigte']);
    expect(await brokenWords(frame, '#requests button.row-open')).toEqual([]);
    await page.close();
  });

  it.each(['dark', 'contrast'] as const)('shows the form with its problems readable and unclipped in the %s theme at 1024 and 360 px', async (theme) => {
    const { page, frame } = await openTab({ token: token(stableGuid('e2e-request-form', `theme-${theme}`)), theme });
    await frame.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
    await frame.locator('#send-request').click();
    await frame.locator('input[name="category"][value="beteiligung"]').check();
    await frame.locator('#request-next').click();
    await frame.locator('#rf-subject').fill('Sprachförderungsangebote');
    await frame.locator('#request-submit').click();
    await frame.locator('#rf-department-error:has-text("Dezernat")').waitFor();
    await expectReadable(page, frame, theme);
    await page.close();
  });

  it('shows the form in English for an English Teams, and a subject with long words beside a Frist wrapping between words on the card', async () => {
    const staff = stableGuid('e2e-request-form', 'edna');
    const created = await app.requests.createRequest(
      { aadObjectId: staff, tenantId: DEFAULT_TENANT_ID, name: 'Edna English', lang: 'en' },
      { authority: 'koeln', category: 'beratung', subject: 'Fortbildungsreihe Interkulturelle Kompetenz', description: 'Question (example).', deadline: '2026-12-18' },
    );
    expect(created.ok).toBe(true);
    const { page, frame } = await openTab({ token: token(staff), locale: 'en-GB' });
    await page.setViewportSize({ width: 360, height: 900 });
    await frame.locator('#send-request').click();
    await frame.locator('#request-next').waitFor();
    expect(await frame.locator('#request-form-heading').innerText()).toBe(REQUEST_TEXTS.en.formHeading);
    expect(await frame.locator('#request-next').innerText()).toBe('Next');
    // Escape closes the form again; the button says so.
    await frame.locator('#request-next').focus();
    await page.keyboard.press('Escape');
    expect(await frame.locator('#send-request').getAttribute('aria-expanded')).toBe('false');
    expect(await focused(frame)).toBe('send-request');
    // The Anliegen with a long compound and a Frist: at 360 px the tag goes below, no word is broken.
    await frame.locator('#requests button.row-open').first().click();
    await frame.locator('#item-card [role="heading"]').waitFor();
    // The card puts the tag beside this title (its words fit there in Segoe UI at 328 px); the tab's wider fallback
    // font does not fit them beside it at 360 px, so the tab's own rule moves the tag below.
    expect(await frame.locator('#item-card .ac-columnSet [role="heading"]').count()).toBe(1);
    expect(await brokenWords(frame, '#item-card [role="heading"]')).toEqual([]);
    expect(await clipped(frame, '#item')).toEqual({ pageWidth: 360, viewport: 360, clipped: [] });
    await page.close();
  });
});
