import { readFileSync } from 'node:fs';
import type { Frame, Page } from 'playwright-core';
import { hostPage, HOST_URL, launchTabBrowser, TAB_ORIGIN, tabFrame, type HostOptions, type TabBrowser } from '../../bench/tabHost';
import type { TabComposer, TabSources } from '../../bot/tab/sources';
import { UnansweredQuestions, type UnansweredQuestion } from '../../services/answers/unansweredQuestions';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { UserProfile } from '../../services/users/userProfiles';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

jest.setTimeout(90_000);

const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const KFI = '00000000-0000-4000-8000-000600000001';
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * A composer plugged into the tab's seam (bot/tab/sources.ts) as the Koordinierungskreis will plug in its polls and
 * meetings: it exercises the generic form, the server-side input checks, the card preview and sending.
 */
function seamComposer(sent: Array<Record<string, string>>): TabComposer {
  return {
    kinds: (viewer) =>
      viewer.roles.kfi
        ? [
            {
              id: 'notice',
              label: { de: 'Hinweis an den Koordinierungskreis', en: 'Notice to the Koordinierungskreis' },
              sendLabel: { de: 'Hinweis senden', en: 'Send notice' },
              fields: [
                { name: 'title', label: { de: 'Überschrift', en: 'Heading' }, type: 'text', required: true, maxLength: 80 },
                { name: 'body', label: { de: 'Text', en: 'Text' }, type: 'textarea', hint: { de: 'Ohne personenbezogene Daten.', en: 'No personal data.' } },
              ],
            },
          ]
        : [],
    preview: async (_viewer, _kind, input) => ({
      ok: true,
      card: {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [
          { type: 'TextBlock', text: input.title, weight: 'Bolder', size: 'Medium', wrap: true, style: 'heading' },
          { type: 'TextBlock', text: input.body || ' ', wrap: true },
        ],
      },
    }),
    send: async (_viewer, _kind, input) => {
      sent.push(input);
      return { ok: true, message: { de: 'Gesendet.', en: 'Sent.' } };
    },
  };
}

async function seriousViolations(frame: Frame): Promise<Array<{ id: string; impact: string; nodes: string[] }>> {
  await frame.evaluate(AXE);
  return frame.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

describe('the personal tab in a browser', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;
  let browser: TabBrowser;
  let host: HostOptions = {};
  const sent: Array<Record<string, string>> = [];

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
    const tabSources: TabSources = { composer: seamComposer(sent) };
    app = await startTabApp(issuer, { database, tabSources });
    await new UnansweredQuestions(database.store<UnansweredQuestion>(CONTAINERS.questions)).record('koeln', 'Gibt es Gebetsräume in der Dienststelle?', 'de');
    browser = await launchTabBrowser(app.url, () => hostPage(`${TAB_ORIGIN}/tab/index.html?lang=${host.locale ?? 'de-DE'}`, host));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.close();
    await issuer?.close();
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
    expect(await section.innerText()).toContain('Gibt es Gebetsräume in der Dienststelle?');
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

  it('previews a composed card with the renderer before it can be sent, and sends it', async () => {
    const { page, frame } = await openTab({ token: token(KFI, { preferred_username: 'karla@kfi.example' }) });
    const composer = frame.locator('#composer');
    await composer.waitFor();
    expect(await frame.locator('#composer-send').isDisabled()).toBe(true);
    const press = async (id: string) => {
      await frame.locator(`#${id}`).focus();
      await page.keyboard.press('Enter');
    };
    await press('composer-preview');
    await frame.waitForFunction(() => document.getElementById('f-notice-title-error')?.textContent === 'Bitte „Überschrift“ ausfüllen.');
    expect(await frame.locator('#f-notice-title').getAttribute('aria-invalid')).not.toBeNull();
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('f-notice-title');
    await frame.getByLabel('Überschrift').fill('Sitzung am 10. Dezember');
    await frame.getByLabel('Text').fill('Tagesordnung folgt.');
    await press('composer-preview');
    const preview = frame.locator('#composer-preview-card .ac-adaptiveCard');
    await preview.waitFor();
    expect(await preview.innerText()).toContain('Sitzung am 10. Dezember');
    expect(await seriousViolations(frame)).toEqual([]);
    await frame.getByLabel('Text').fill('Tagesordnung folgt bald.');
    expect(await frame.locator('#composer-send').isDisabled()).toBe(true);
    await press('composer-preview');
    await frame.waitForFunction(() => !(document.getElementById('composer-send') as HTMLButtonElement).disabled);
    await press('composer-send');
    await frame.waitForFunction(() => document.getElementById('composer-status')?.textContent === 'Gesendet.');
    expect(sent).toEqual([{ title: 'Sitzung am 10. Dezember', body: 'Tagesordnung folgt bald.' }]);
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
