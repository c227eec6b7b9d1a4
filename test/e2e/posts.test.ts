import type { Frame, Page } from 'playwright-core';
import { hostPage, HOST_URL, launchTabBrowser, TAB_ORIGIN, tabFrame, type HostOptions, type TabBrowser } from '../../bench/tabHost';
import type { PostDoc } from '../../services/posts/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { UserProfileRepository, type UserProfile } from '../../services/users/userProfiles';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, stableGuid, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { eventually } from '../support/circle';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { seriousViolations } from '../support/axe';

/** The IB's composer for an information post (issue 17) in the personal tab, in Chromium, with axe at 1024 and 360 px. */

jest.setTimeout(90_000);

const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const NOW = new Date('2026-12-01T09:00:00Z');
const STAFF = user({ name: 'Anna Beispiel', aadObjectId: stableGuid('e2e-posts', 'anna') });


describe('the information post composer in the personal tab', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;
  let browser: TabBrowser;
  let emulator: ChannelEmulator;
  let host: HostOptions = {};
  const token = (oid: string) => issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, preferred_username: 'sabine.schmitz@bezreg-koeln.example' });
  async function openTab(options: HostOptions): Promise<{ page: Page; frame: Frame }> {
    host = options;
    const { page } = await browser.newPage();
    await page.goto(HOST_URL);
    return { page, frame: await tabFrame(page) };
  }

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'posts-e2e-test' });
    emulator = await startChannelEmulator();
    app = await startTabApp(issuer, { database, now: () => NOW });
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: DEFAULT_BOT_APP_ID });
    const installed = await app.post(teams.installationUpdate('add', { from: STAFF }), { headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } });
    expect(installed.status).toBe(200);
    await new UserProfileRepository(database.store<UserProfile>(CONTAINERS.users), { ttlMs: 0, maxEntries: 10 }).update(STAFF.aadObjectId, DEFAULT_TENANT_ID, (p) => ({ ...p, homeAuthority: 'koeln', homeAuthoritySource: 'chosen' }));
    browser = await launchTabBrowser(app.url, () => hostPage(`${TAB_ORIGIN}/tab/index.html?lang=${host.locale ?? 'de-DE'}`, host));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.close();
    await issuer?.close();
    await emulator?.close();
  });

  it.each([1024, 360])('lets the IB write, preview and send a post by keyboard at %i px, with no serious accessibility problem', async (width) => {
    const { page, frame } = await openTab({ token: token(KOELN_IB) });
    await page.setViewportSize({ width, height: 900 });
    await frame.locator('#f-post-title').waitFor();
    expect(await seriousViolations(frame)).toEqual([]);
    const press = async (id: string) => {
      await frame.locator(`#${id}`).focus();
      await page.keyboard.press('Enter');
    };
    // An empty text is named at its field, and the focus goes there.
    await press('composer-preview');
    await frame.waitForFunction(() => document.getElementById('f-post-title-error')?.textContent === 'Bitte „Betreff“ ausfüllen.');
    expect(await seriousViolations(frame)).toEqual([]);
    await frame.locator('#f-post-title').focus();
    await page.keyboard.type(`Interkulturelle Woche ${width}`);
    await frame.locator('#f-post-text').focus();
    await page.keyboard.type('Beiträge bitte bis Ende Juni.');
    await frame.locator('#f-post-audience').selectOption('authority:koeln');
    await frame.locator('#f-post-ack').selectOption('yes');
    await press('composer-preview');
    const preview = frame.locator('#composer-preview-card .ac-adaptiveCard');
    await preview.waitFor();
    const shown = await preview.innerText();
    expect(shown).toContain(`Interkulturelle Woche ${width}`);
    expect(shown).toContain('Bitte nehmen Sie diese Information zur Kenntnis.');
    expect(await seriousViolations(frame)).toEqual([]);
    await frame.waitForFunction(() => !(document.getElementById('composer-send') as HTMLButtonElement).disabled);
    await press('composer-send');
    await frame.waitForFunction(() => /geht an 1 Person/.test(document.getElementById('composer-status')?.textContent ?? ''));
    expect(await seriousViolations(frame)).toEqual([]);
    const posts = await database.store<PostDoc>(CONTAINERS.posts).query<PostDoc>({ query: "SELECT * FROM c WHERE c.type = 'post' AND c.title = @t", parameters: [{ name: '@t', value: `Interkulturelle Woche ${width}` }] });
    expect(posts.map((p) => p.recipients)).toEqual([[STAFF.aadObjectId]]);
    await eventually(() => emulator.activitiesTo(personalConversationId(STAFF.id, DEFAULT_BOT_APP_ID)).some((a) => a.summary === `Information: Interkulturelle Woche ${width}`));
    await page.close();
  });

  it('shows the IB the counts of their posts and the staff member the post to acknowledge, with no serious accessibility problem', async () => {
    const ib = await openTab({ token: token(KOELN_IB) });
    const section = ib.frame.locator('#posts');
    await ib.frame.waitForFunction(() => /Zur Kenntnis genommen: 0 von 1/.test(document.getElementById('posts')?.textContent ?? ''));
    expect(await section.innerText()).toContain('Noch nicht zur Kenntnis genommen: eine Person ohne bekannten Namen');
    expect(await seriousViolations(ib.frame)).toEqual([]);
    await ib.page.close();

    const staff = await openTab({ token: issuer.signEntra({ oid: STAFF.aadObjectId, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE }) });
    await staff.frame.locator('#posts').waitFor();
    await staff.frame.getByRole('button', { name: 'Zur Kenntnis genommen' }).first().waitFor();
    expect(await seriousViolations(staff.frame)).toEqual([]);
    await staff.frame.getByRole('button', { name: 'Zur Kenntnis genommen' }).first().focus();
    await staff.page.keyboard.press('Enter');
    await staff.frame.waitForFunction(() => document.getElementById('posts-status')?.textContent === 'Zur Kenntnis genommen');
    await staff.page.close();
  });
});
