import { readFileSync } from 'node:fs';
import type { Frame, Page } from 'playwright-core';
import { DOWNLOADS_SUB_ENTITY, tabDeepLink } from '../../bot/tab/deepLink';
import { hostPage, HOST_URL, launchTabBrowser, TAB_ORIGIN, tabFrame, type HostOptions, type TabBrowser } from '../../bench/tabHost';
import { UnansweredQuestions, type UnansweredQuestion } from '../../services/answers/unansweredQuestions';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { UserProfile } from '../../services/users/userProfiles';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { acceptedPosts, eventually } from '../support/circle';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { seriousViolations } from '../support/axe';

jest.setTimeout(90_000);

const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const KFI = '00000000-0000-4000-8000-000600000001';
const KOELN_HEAD = '00000000-0000-4000-8000-000400000003';
const THEMES = ['default', 'dark', 'contrast'] as const;
const WIDTHS = [1024, 360] as const;
/** The app's clock (meeting dates, retention of questions): Tuesday, 1 December 2026, 10:00 in Berlin. */
const NOW = new Date('2026-12-01T09:00:00Z');


/** The ids of the tab's sections in page order. */
function sectionOrder(frame: Frame): Promise<string[]> {
  return frame.evaluate(() => Array.from(document.querySelectorAll('#main > section')).map((s) => s.id));
}

/**
 * What a narrow screen cuts off: the page wider than the viewport, or an element of the sections whose content is
 * wider than its box while its overflow hides or scrolls it (a region that needs scrolling), or that reaches beyond
 * the viewport's right edge.
 */
function overflowProblems(frame: Frame): Promise<{ pageWidth: number; viewport: number; clipped: string[] }> {
  return frame.evaluate(() => {
    const viewport = document.documentElement.clientWidth;
    const clipped: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('#main section *'))) {
      const rect = el.getBoundingClientRect();
      if (!rect.width || el.closest('.visually-hidden, thead')) continue;
      const style = getComputedStyle(el);
      const hides = style.overflowX !== 'visible';
      const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''}: ${(el.textContent ?? '').trim().slice(0, 40)}`;
      if ((hides && el.scrollWidth > el.clientWidth + 1) || rect.right > viewport + 1) clipped.push(name);
    }
    return { pageWidth: document.scrollingElement!.scrollWidth, viewport, clipped };
  });
}

/** Puts the focus at the top of the tab, on its heading, as after opening it. */
async function startAtTop(frame: Frame): Promise<void> {
  await frame.locator('h1').evaluate((el: HTMLElement) => {
    el.tabIndex = -1;
    el.focus();
  });
}

/** Moves the focus with Tab until `selector` has it (at most `limit` steps); returns how many steps it took. */
async function tabTo(page: Page, frame: Frame, selector: string, limit = 60): Promise<number> {
  for (let step = 1; step <= limit; step++) {
    await page.keyboard.press('Tab');
    if (await frame.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return step;
  }
  throw new Error(`Tab never reached ${selector} in ${limit} steps`);
}

describe('the personal tab in a browser', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;
  let browser: TabBrowser;
  let host: HostOptions = {};
  let emulator: ChannelEmulator;
  const STAFF = stableGuid('e2e', 'staff-with-request');

  const token = (oid: string, extra: Record<string, unknown> = {}) => issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, ...extra });
  async function openTab(options: HostOptions): Promise<{ page: Page; frame: Frame }> {
    host = options;
    const { page } = await browser.newPage();
    await page.goto(HOST_URL);
    return { page, frame: await tabFrame(page) };
  }

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'tab-e2e-test' });
    emulator = await startChannelEmulator();
    app = await startTabApp(issuer, { database, now: () => NOW });
    // The KfI talks to the bot first, so the tenant's connector endpoint is known for the 1:1 invitations.
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: DEFAULT_BOT_APP_ID });
    const hello = await app.post(teams.message('Hilfe', { from: user({ name: 'Karla Koordinata (Beispiel)', aadObjectId: KFI }) }), {
      headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` },
    });
    expect(hello.status).toBe(200);
    // Every circle member has the app: Teams opens the 1:1 chats for the invitations only with them.
    const members = await app.circle.members();
    expect(members.length).toBeGreaterThan(1);
    for (const m of members) {
      const installed = await app.post(teams.installationUpdate('add', { from: user({ name: m.name, aadObjectId: m.aadObjectId }) }), {
        headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` },
      });
      expect(installed.status).toBe(200);
    }
    const stored = await app.requests.createRequest(
      { aadObjectId: STAFF, tenantId: DEFAULT_TENANT_ID, name: 'Anna Beispiel' },
      { authority: 'koeln', category: 'beratung', subject: 'Beratung zur Stellenausschreibung (E2E)', description: 'Bitte um Beratung (Beispiel).' },
    );
    expect(stored.ok).toBe(true);
    await new UnansweredQuestions(database.store<UnansweredQuestion>(CONTAINERS.questions)).record('koeln', 'Gibt es Gebetsräume in der Dienststelle?', 'de', NOW);
    browser = await launchTabBrowser(app.url, () => hostPage(`${TAB_ORIGIN}/tab/index.html?lang=${host.locale ?? 'de-DE'}`, host));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.close();
    await issuer?.close();
    await emulator?.close();
  });

  it('shows staff their IB on the contact card rendered by the Adaptive Cards renderer, with no serious accessibility problem', async () => {
    const { page, frame } = await openTab({ token: token(stableGuid('e2e', 'staff'), { preferred_username: 'anna.beispiel@bezreg-koeln.example', name: 'Anna Beispiel' }) });
    expect(await frame.evaluate(() => document.documentElement.dataset.state)).toBe('ready');
    expect(await frame.evaluate(() => document.documentElement.lang)).toBe('de');
    await frame.getByRole('heading', { name: 'Ihre Ansprechperson für Integration' }).waitFor();
    const card = frame.locator('#contact-card .ac-adaptiveCard');
    await card.waitFor();
    expect(await card.innerText()).toContain('Sabine Schmitz (Beispiel)');
    expect(await frame.locator('#main').innerText()).toContain('Angemeldet als Anna Beispiel');
    expect(await frame.locator('#unanswered').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { hostLog: string[] }).hostLog)).toEqual(expect.arrayContaining(['initialize', 'authentication.getAuthToken']));
    expect(await seriousViolations(frame)).toEqual([]);
    await page.close();
  });

  it('lists the unanswered questions of the IB\'s authority from the database', async () => {
    const { page, frame } = await openTab({ token: token(KOELN_IB, { preferred_username: 'sabine.schmitz@bezreg-koeln.example' }) });
    const section = frame.locator('#unanswered');
    await section.waitFor();
    expect(await section.getByRole('heading').innerText()).toBe('Unbeantwortete Fragen – Bezirksregierung Köln');
    expect(await section.innerText()).toContain('dienststelle · gebetsräume');
    expect(await section.innerText()).toContain('nur Stichwörter, ohne Personenbezug');
    expect(await section.innerText()).not.toContain('Gibt es Gebetsräume');
    expect(await seriousViolations(frame)).toEqual([]);
    await page.close();
  });

  it('lets staff choose their Bezirksregierung with the keyboard alone, and remembers it', async () => {
    const oid = stableGuid('e2e', 'chooser');
    const { page, frame } = await openTab({ token: token(oid, { preferred_username: 'x@elsewhere.example' }), locale: 'en-US' });
    expect(await frame.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await seriousViolations(frame)).toEqual([]);
    const select = frame.getByLabel('I work for');
    await select.focus();
    await select.selectOption('detmold');
    await page.keyboard.press('Tab');
    expect(await frame.evaluate(() => document.activeElement?.textContent)).toBe('Save');
    await page.keyboard.press('Enter');
    await frame.locator('#contact-card .ac-adaptiveCard').waitFor();
    expect(await frame.locator('#contact-card').innerText()).toContain('Moritz Muster (Beispiel)');
    expect(await frame.locator('#home-status').innerText()).toContain('Saved: Bezirksregierung Detmold');
    // The change button is reachable and opens the form again.
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('home-change');
    await page.keyboard.press('Enter');
    expect(await frame.locator('#home-form').isVisible()).toBe(true);
    const stored = await database.store<UserProfile>(CONTAINERS.users).read(oid, 'profile');
    expect(stored).toMatchObject({ homeAuthority: 'detmold', homeAuthoritySource: 'chosen' });
    await page.close();
  });

  it('shows staff „Meine Anliegen“ from the database with the status, in German and in English', async () => {
    const de = await openTab({ token: token(STAFF, { preferred_username: 'anna.beispiel@bezreg-koeln.example', name: 'Anna Beispiel' }) });
    const section = de.frame.locator('#requests');
    await section.waitFor();
    expect(await section.getByRole('heading', { level: 2 }).innerText()).toBe('Meine Anliegen');
    const row = section.getByRole('row', { name: /Beratung zur Stellenausschreibung \(E2E\)/ });
    expect(await row.innerText()).toContain('Neu');
    expect(await row.innerText()).toContain('Bezirksregierung Köln');
    expect(await seriousViolations(de.frame)).toEqual([]);
    await de.page.close();
    const en = await openTab({ token: token(STAFF, { preferred_username: 'anna.beispiel@bezreg-koeln.example' }), locale: 'en-US' });
    await en.frame.locator('#requests').waitFor();
    expect(await en.frame.locator('#requests h2').innerText()).toBe('My requests');
    expect(await en.frame.locator('#requests').innerText()).toContain('New');
    await en.page.close();
  });

  it('lists the stored Anliegen in the inbox of the IB, with no serious accessibility problem', async () => {
    const { page, frame } = await openTab({ token: token(KOELN_IB, { preferred_username: 'sabine.schmitz@bezreg-koeln.example' }) });
    const inbox = frame.locator('#inbox');
    await inbox.waitFor();
    expect(await inbox.innerText()).toContain('Beratung zur Stellenausschreibung (E2E)');
    expect(await inbox.innerText()).toContain('Neu');
    // The IB's composer offers the information post only, none of the KfI's circle kinds.
    expect(await frame.locator('#f-poll-title, #f-meeting-title, input[name="composer-kind"]').count()).toBe(0);
    expect(await seriousViolations(frame)).toEqual([]);
    await page.close();
  });

  it('lets the IB download the history as a CSV file for Excel from the Downloads section, by keyboard', async () => {
    const { page, frame } = await openTab({ token: token(KOELN_IB, { preferred_username: 'sabine.schmitz@bezreg-koeln.example' }) });
    const button = frame.locator('#download-trail');
    await button.waitFor();
    // By keyboard, as in the other tests of this frame.
    await button.focus();
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toMatch(/^lotse-verlauf-koeln-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('Beratung zur Stellenausschreibung (E2E)');
    await frame.locator('#downloads [role=status]', { hasText: 'Heruntergeladen' }).waitFor();
    expect(await frame.locator('#download-my-data').count()).toBe(1);
    await page.close();
  });

  it('lets a person delete their data from the Downloads section only after confirming, by keyboard', async () => {
    const oid = stableGuid('e2e', 'erase');
    const { page, frame } = await openTab({ token: token(oid, { preferred_username: 'erika.loeschen@bezreg-koeln.example' }) });
    const open = frame.locator('#erase-my-data');
    await open.waitFor();
    const profiles = database.store<UserProfile>(CONTAINERS.users);
    expect(await profiles.read(oid, 'profile')).toBeDefined(); // the tab stored the home authority from the e-mail domain

    await open.focus();
    await page.keyboard.press('Enter');
    await frame.locator('#erase-confirm-dialog').waitFor({ state: 'visible' });
    // The safe choice has the focus; the dialog passes the accessibility check.
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('erase-cancel');
    expect(await seriousViolations(frame)).toEqual([]);
    await page.keyboard.press('Enter');
    await frame.locator('#erase-result', { hasText: 'Nichts gelöscht' }).waitFor();
    expect(await profiles.read(oid, 'profile')).toBeDefined();

    await open.focus();
    await page.keyboard.press('Enter');
    await frame.locator('#erase-confirm').focus();
    await page.keyboard.press('Enter');
    await frame.locator('#erase-result', { hasText: 'Ihre Daten sind gelöscht' }).waitFor();
    expect(await frame.locator('#erase-result').innerText()).toContain('Gelöscht: Ihr Profil');
    expect(await profiles.read(oid, 'profile')).toBeUndefined();
    await page.close();
  });

  it('lets the KfI compose a meeting by keyboard, preview the card with the renderer, and send it to every member of the circle', async () => {
    const { page, frame } = await openTab({ token: token(KFI, { preferred_username: 'karla.koordinata@bezreg-arnsberg.example' }) });
    const composer = frame.locator('#composer');
    await composer.waitFor();
    expect(await seriousViolations(frame)).toEqual([]);
    const press = async (id: string) => {
      await frame.locator(`#${id}`).focus();
      await page.keyboard.press('Enter');
    };
    // The kinds are a radio group: the arrow key moves from „Terminumfrage“ to „Sitzung ankündigen“.
    await frame.getByRole('radio', { name: 'Terminumfrage' }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await frame.getByRole('radio', { name: 'Sitzung ankündigen' }).isChecked()).toBe(true);
    await frame.locator('#f-meeting-title').waitFor();
    expect(await frame.locator('#composer-send').isDisabled()).toBe(true);
    const type = async (label: string, value: string) => {
      await frame.getByLabel(label, { exact: false }).first().focus();
      await page.keyboard.type(value);
    };
    await press('composer-preview');
    await frame.waitForFunction(() => document.getElementById('f-meeting-title-error')?.textContent === 'Bitte „Titel“ ausfüllen.');
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('f-meeting-title');
    const day = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString().slice(0, 10);
    await type('Titel', 'Wintersitzung des Koordinierungskreises');
    // Date and time pickers take their value directly (their keyboard order depends on the browser's locale).
    await frame.locator('#f-meeting-date').fill(day(40));
    await frame.locator('#f-meeting-startTime').fill('10:00');
    await frame.locator('#f-meeting-endTime').fill('12:00');
    await type('Ort', 'Arnsberg, Raum 36 (Beispiel)');
    await type('Tagesordnung', 'Berichte aus den Bezirksregierungen');
    await frame.locator('#f-meeting-rsvpDeadline').fill(day(30));
    await press('composer-preview');
    const preview = frame.locator('#composer-preview-card .ac-adaptiveCard');
    await preview.waitFor();
    expect(await preview.innerText()).toContain('Wintersitzung des Koordinierungskreises');
    expect(await preview.innerText()).toContain('Arnsberg, Raum 36 (Beispiel)');
    expect(await seriousViolations(frame)).toEqual([]);
    // A change after the preview asks for a new preview before sending.
    await type('Tagesordnung', '; Austausch');
    expect(await frame.locator('#composer-send').isDisabled()).toBe(true);
    await press('composer-preview');
    await frame.waitForFunction(() => !(document.getElementById('composer-send') as HTMLButtonElement).disabled);
    emulator.reset();
    await press('composer-send');
    await frame.waitForFunction(() => /ist angekündigt/.test(document.getElementById('composer-status')?.textContent ?? ''));
    expect(await seriousViolations(frame)).toEqual([]);

    const members = await app.circle.members();
    expect(members.length).toBeGreaterThan(1);
    await eventually(() => acceptedPosts(emulator).size === members.length);
    for (const calls of acceptedPosts(emulator).values()) {
      expect(calls).toHaveLength(1);
      const posted = JSON.stringify(calls[0].body);
      expect(posted).toContain('Wintersitzung des Koordinierungskreises');
      expect(posted).toContain('Arnsberg, Raum 36 (Beispiel)');
    }
    await page.close();
  });

  describe('at a glance, for each role, at 1024 and 360 px, in the light, dark and high-contrast themes', () => {
    const staffToken = () => token(STAFF, { preferred_username: 'anna.beispiel@bezreg-koeln.example', name: 'Anna Beispiel' });
    const roles: Array<{ role: string; token: () => string; first: string }> = [
      { role: 'staff', token: staffToken, first: 'requests' },
      { role: 'the IB', token: () => token(KOELN_IB, { preferred_username: 'sabine.schmitz@bezreg-koeln.example' }), first: 'inbox' },
      { role: 'the head', token: () => token(KOELN_HEAD, { preferred_username: 'frieda.fiktiv@bezreg-koeln.example' }), first: 'reports' },
      { role: 'the KfI', token: () => token(KFI, { preferred_username: 'karla.koordinata@bezreg-arnsberg.example' }), first: 'composer' },
    ];

    it.each(roles)('shows $role their main task first, readable and unclipped in every theme and width', async ({ token: tokenFor, first }) => {
      for (const theme of THEMES) {
        const { page, frame } = await openTab({ token: tokenFor(), theme });
        await frame.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
        expect((await sectionOrder(frame))[0]).toBe(first);
        for (const width of WIDTHS) {
          await page.setViewportSize({ width, height: 900 });
          await frame.waitForFunction((w) => document.documentElement.clientWidth === w, width);
          expect({ theme, width, violations: await seriousViolations(frame) }).toEqual({ theme, width, violations: [] });
        }
        // At 360 px: nothing wider than the screen, nothing cut off in the lists, the cards or the contact facts.
        expect({ theme, ...(await overflowProblems(frame)) }).toEqual({ theme, pageWidth: 360, viewport: 360, clipped: [] });
        await page.close();
      }
    });

    it('stacks a list at 360 px into one card per row, each value with its label', async () => {
      const { page, frame } = await openTab({ token: staffToken() });
      await page.setViewportSize({ width: 360, height: 900 });
      const row = frame.locator('#requests').getByRole('row', { name: /Beratung zur Stellenausschreibung \(E2E\)/ });
      await row.waitFor();
      const cells = await row.locator('td').evaluateAll((tds) => tds.map((td) => ({ display: getComputedStyle(td).display, label: getComputedStyle(td, '::before').content })));
      expect(cells.map((c) => c.label)).toEqual(['"Art"', '"Bezirksregierung"', '"Status"', '"Frist"', '"Zuletzt geändert"']);
      expect(cells.every((c) => c.display === 'grid')).toBe(true);
      const box = (await row.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(360);
      await page.close();
    });

    it('draws the contact card in the theme Teams reports, and again when Teams switches it', async () => {
      const { page, frame } = await openTab({ token: staffToken(), theme: 'dark' });
      const card = frame.locator('#contact-card .ac-adaptiveCard');
      await card.waitFor();
      const background = () => card.evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(await background()).toBe('rgb(41, 41, 41)');
      expect(await frame.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(31, 31, 31)');
      // Teams announces a theme change to the tab with a `themeChange` message.
      await page.evaluate((origin) => (document.getElementById('tab') as HTMLIFrameElement).contentWindow!.postMessage({ func: 'themeChange', args: ['contrast'] }, origin), TAB_ORIGIN);
      await frame.waitForFunction(() => document.documentElement.dataset.theme === 'contrast');
      await frame.waitForFunction(() => document.querySelector('#contact-card')?.getAttribute('data-card-theme') === 'contrast');
      expect(await frame.locator('#contact-card .ac-adaptiveCard').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(0, 0, 0)');
      expect(await seriousViolations(frame)).toEqual([]);
      await page.close();
    });
  });

  it('keeps to the system colours under Windows high contrast (forced colours), in the contrast theme Teams sets there', async () => {
    const { page, frame } = await openTab({ token: token(STAFF, { preferred_username: 'anna.beispiel@bezreg-koeln.example' }), theme: 'contrast' });
    await page.emulateMedia({ forcedColors: 'active' });
    await page.setViewportSize({ width: 360, height: 800 });
    await frame.locator('#send-request').waitFor();
    expect(await frame.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim())).toBe('LinkText');
    expect(await seriousViolations(frame)).toEqual([]);
    await page.close();
  });

  it('shows the IB their own directory entry and how to change it, not themselves as their contact with a chat to themselves', async () => {
    const { page, frame } = await openTab({ token: token(KOELN_IB, { preferred_username: 'sabine.schmitz@bezreg-koeln.example' }) });
    const entry = frame.locator('#own-entry');
    await entry.waitFor();
    expect(await entry.getByRole('heading', { level: 2 }).innerText()).toBe('Ihr Eintrag im Verzeichnis');
    expect(await entry.innerText()).toContain('Sabine Schmitz (Beispiel)');
    expect(await entry.innerText()).toContain('„Meine Angaben“');
    expect(await frame.locator('#contact').count()).toBe(0);
    expect(await frame.locator('#main').innerText()).not.toContain('Ihre Ansprechperson');
    // Inbox and reports come before everything else.
    expect((await sectionOrder(frame)).slice(0, 2)).toEqual(['inbox', 'reports']);
    await page.close();
  });

  it('walks staff by Tab and Enter alone to „Anliegen senden“, which opens the form in the tab (test/e2e/tabRequestForm.test.ts)', async () => {
    const { page, frame } = await openTab({ token: token(STAFF, { preferred_username: 'anna.beispiel@bezreg-koeln.example', name: 'Anna Beispiel' }) });
    await page.setViewportSize({ width: 360, height: 800 });
    await frame.locator('#send-request').waitFor();
    await startAtTop(frame);
    // The main task is the first stop of the keyboard.
    expect(await tabTo(page, frame, '#send-request', 1)).toBe(1);
    await page.keyboard.press('Enter');
    await frame.locator('#request-form:not([hidden]) #request-next').waitFor();
    expect(await frame.locator('#send-request').getAttribute('aria-expanded')).toBe('true');
    await page.close();
  });

  it('walks the KfI by Tab and Enter alone from the top of the page to the preview of a date poll', async () => {
    const { page, frame } = await openTab({ token: token(KFI, { preferred_username: 'karla.koordinata@bezreg-arnsberg.example' }) });
    await page.setViewportSize({ width: 360, height: 800 });
    await frame.locator('#composer').waitFor();
    await startAtTop(frame);
    // The composer is the first section: its kind is the first stop of the keyboard.
    await tabTo(page, frame, 'input[name="composer-kind"][value="poll"]', 1);
    await tabTo(page, frame, '#f-poll-title', 1);
    await page.keyboard.type('Terminumfrage Januar (Beispiel)');
    await tabTo(page, frame, '#f-poll-slot1', 2);
    // A date-and-time picker's keyboard order depends on the browser's locale: it takes its value directly.
    await frame.locator('#f-poll-slot1').fill('2027-01-15T10:00');
    await tabTo(page, frame, '#f-poll-slot2', 10);
    await frame.locator('#f-poll-slot2').fill('2027-01-19T14:00');
    // Nine more date-and-time pickers, each with its parts (day, month, year, hour, minute) as stops of their own.
    await tabTo(page, frame, '#f-poll-duration', 100);
    await page.keyboard.type('2');
    expect(await frame.locator('#f-poll-duration').inputValue()).toBe('120');
    await tabTo(page, frame, '#composer-preview', 10);
    await page.keyboard.press('Enter');
    const preview = frame.locator('#composer-preview-card .ac-adaptiveCard');
    await preview.waitFor();
    expect(await preview.innerText()).toContain('Terminumfrage Januar (Beispiel)');
    expect(await frame.locator('#composer-send').isDisabled()).toBe(false);
    await page.close();
  });

  it('lets the IB open an Anliegen from the inbox by keyboard, take it over with the card’s primary action, see the new status, and go back to the row', async () => {
    const created = await app.requests.createRequest(
      { aadObjectId: STAFF, tenantId: DEFAULT_TENANT_ID, name: 'Anna Beispiel' },
      { authority: 'koeln', category: 'beratung', subject: 'Anliegen zum Übernehmen (E2E)', description: 'Bitte um Beratung (Beispiel).' },
    );
    if (!created.ok) throw new Error(`request not created: ${created.code}`);
    const item = created.value.item;
    const row = `[data-open="koeln/${item.id}"]`;
    const { page, frame } = await openTab({ token: token(KOELN_IB, { preferred_username: 'sabine.schmitz@bezreg-koeln.example', name: 'Sabine Schmitz (Beispiel)' }) });
    await page.setViewportSize({ width: 360, height: 900 });
    await frame.locator(row).waitFor();
    await startAtTop(frame);
    await tabTo(page, frame, row);
    await page.keyboard.press('Enter');
    const card = frame.locator('#item-card .ac-adaptiveCard');
    await card.waitFor();
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('item-heading');
    expect(await card.innerText()).toContain('Anliegen zum Übernehmen (E2E)');
    expect(await card.innerText()).toContain('Status: Neu');
    // The chat-only actions are not offered in the tab.
    expect(await card.innerText()).not.toContain('Vortrag daraus machen');
    expect(await seriousViolations(frame)).toEqual([]);
    expect(await overflowProblems(frame)).toEqual({ pageWidth: 360, viewport: 360, clipped: [] });

    // The card's primary action, by keyboard.
    await tabTo(page, frame, '#item-card button[aria-label="Übernehmen"]', 10);
    await page.keyboard.press('Enter');
    await frame.locator('#item-card', { hasText: 'Status: In Bearbeitung' }).waitFor();
    expect(await frame.locator('#item-card').innerText()).toContain('Gespeichert.');
    expect(await frame.locator('#item-status').innerText()).toBe('Die Karte zeigt den neuen Stand.');
    // Its two buttons („Antworten“, „Rückfrage stellen“) and the overflow button fit beside each other at 360 px.
    expect(await overflowProblems(frame)).toEqual({ pageWidth: 360, viewport: 360, clipped: [] });
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('item-heading');
    expect(await app.requests.repo.get('koeln', item.id)).toMatchObject({ status: 'in_bearbeitung', handler: { aadObjectId: KOELN_IB } });
    expect(await seriousViolations(frame)).toEqual([]);

    // Back to the list: the row shows the new status and has the focus again.
    await frame.locator('#item-back').focus();
    await page.keyboard.press('Enter');
    await frame.locator('#inbox').getByRole('row', { name: /Anliegen zum Übernehmen \(E2E\)/ }).filter({ hasText: 'In Bearbeitung' }).waitFor();
    expect(await frame.evaluate((sel) => document.activeElement?.matches(sel) ?? false, row)).toBe(true);
    await page.close();
  });

  it('opens the item a deep link names (subEntityId „item:<authority>:<id>“), and refuses one the person may not see', async () => {
    const created = await app.requests.createRequest(
      { aadObjectId: STAFF, tenantId: DEFAULT_TENANT_ID, name: 'Anna Beispiel' },
      { authority: 'koeln', category: 'beratung', subject: 'Anliegen aus einem Link (E2E)', description: 'Bitte um Beratung (Beispiel).' },
    );
    if (!created.ok) throw new Error(`request not created: ${created.code}`);
    const subEntityId = `item:koeln:${created.value.item.id}`;
    const ib = await openTab({ token: token(KOELN_IB, { preferred_username: 'sabine.schmitz@bezreg-koeln.example' }), subEntityId });
    await ib.frame.locator('#item-card', { hasText: 'Anliegen aus einem Link (E2E)' }).waitFor();
    expect(await ib.frame.locator('#item-heading').innerText()).toBe('Anliegen');
    await ib.page.close();
    const other = await openTab({ token: token(stableGuid('e2e', 'someone-else'), { preferred_username: 'otto@bezreg-koeln.example' }), subEntityId });
    await other.frame.locator('#item-error', { hasText: 'Das dürfen Sie bei diesem Vorgang nicht.' }).waitFor();
    expect(await other.frame.locator('#item').innerText()).not.toContain('Anliegen aus einem Link (E2E)');
    expect(await other.frame.evaluate(() => document.documentElement.dataset.state)).toBe('ready');
    await other.page.close();
  });

  it('jumps to the downloads, heading focused, from the „Meine Daten“ link in the chat (subEntityId „downloads“)', async () => {
    // The link the „Meine Daten“ card carries; Teams hands its context's subEntityId to the tab.
    const link = new URL(tabDeepLink('00000000-0000-4000-8000-0000000000c0', DOWNLOADS_SUB_ENTITY));
    const { subEntityId } = JSON.parse(link.searchParams.get('context')!) as { subEntityId: string };
    const { page, frame } = await openTab({ token: token(KOELN_IB, { preferred_username: 'sabine.schmitz@bezreg-koeln.example' }), subEntityId });
    expect(await frame.evaluate(() => document.documentElement.dataset.state)).toBe('ready');
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('downloads-heading');
    expect(await frame.evaluate(() => document.activeElement?.textContent)).toBe('Downloads');
    // Scrolled there: the page starts further down, with the heading in view.
    const view = await frame.evaluate(() => ({ scrollY: window.scrollY, top: document.getElementById('downloads-heading')!.getBoundingClientRect().top, height: window.innerHeight }));
    expect(view.scrollY).toBeGreaterThan(0);
    // At the top of the view: scrolling lands on whole device pixels, so a heading at a fractional layout position may
    // sit a fraction of a pixel above the edge.
    expect(view.top).toBeGreaterThan(-1);
    expect(view.top).toBeLessThan(view.height);
    expect(await seriousViolations(frame)).toEqual([]);
    await page.close();
  });

  it('explains the problem when Teams refuses the sign-in', async () => {
    const { page, frame } = await openTab({ token: undefined });
    expect(await frame.evaluate(() => document.documentElement.dataset.state)).toBe('error');
    expect(await frame.getByRole('alert').innerText()).toContain('Anmeldung nicht möglich');
    expect(await seriousViolations(frame)).toEqual([]);
    await page.close();
  });

  it('opened outside Teams, shows a clear notice in German and English instead of failing', async () => {
    const { page } = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${app.url}/tab/index.html`);
    await page.waitForFunction(() => document.documentElement.dataset.state === 'notice', undefined, { timeout: 20_000 });
    const notice = page.locator('#outside-teams');
    expect(await notice.getAttribute('role')).toBe('alert');
    const text = await notice.innerText();
    expect(text).toContain('Bitte in Microsoft Teams öffnen');
    expect(text).toContain('Please open in Microsoft Teams');
    expect(errors).toEqual([]);
    expect(await seriousViolations(page.mainFrame())).toEqual([]);
    await page.close();
  });
});
