import type { Frame, Page } from 'playwright-core';
import { hostPage, HOST_URL, launchTabBrowser, TAB_ORIGIN, tabFrame, type HostOptions, type TabBrowser } from '../../bench/tabHost';
import type { PostDoc } from '../../services/posts/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, stableGuid, user } from '../support/activities';
import { seriousViolations } from '../support/axe';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { eventually } from '../support/circle';
import { startGraphStandIn, type GraphStandIn } from '../support/graphStandIn';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/**
 * The IB's choice of departments in the post composer (issue 17), in Chromium: the staff group of Köln in Entra (the
 * Graph stand-in) with departments; the IB ticks two by keyboard, the preview says how many it reaches, and the post
 * goes to exactly those members. axe at 1024 and 360 px.
 */

jest.setTimeout(120_000);

const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const NOW = new Date('2026-12-01T09:00:00Z');
const person = (name: string) => user({ name, aadObjectId: stableGuid('e2e-departments', name) });
const ANNA = person('Anna Abteilung');
const BERT = person('Bert Abteilung');
const CARLA = person('Carla Abteilung');
const STAFF_GROUP = stableGuid('e2e-departments', 'staff-koeln');

describe('choosing departments in the information post composer', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;
  let browser: TabBrowser;
  let emulator: ChannelEmulator;
  let graph: GraphStandIn;
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
    database = await openDatabase({ databaseId: 'posts-departments-e2e-test' });
    emulator = await startChannelEmulator();
    graph = await startGraphStandIn({ clientId: DEFAULT_BOT_APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: ['User.Read.All', 'GroupMember.Read.All'] });
    for (const [p, department] of [[ANNA, 'Abteilung 2'], [BERT, 'Zentrale Dienste'], [CARLA, 'Ärztliche Prüfstelle']] as const) {
      graph.addUser({ id: p.aadObjectId, upn: `${p.aadObjectId}@bezreg.example`, displayName: p.name, department });
    }
    graph.addGroup(STAFF_GROUP, [ANNA.aadObjectId, BERT.aadObjectId, CARLA.aadObjectId]);
    app = await startTabApp(issuer, { database, now: () => NOW, env: { ...graph.env(), GRAPH_GROUP_STAFF_KOELN: STAFF_GROUP } });
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl, botAppId: DEFAULT_BOT_APP_ID });
    for (const p of [ANNA, BERT, CARLA]) {
      const installed = await app.post(teams.installationUpdate('add', { from: p }), { headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } });
      expect(installed.status).toBe(200);
    }
    browser = await launchTabBrowser(app.url, () => hostPage(`${TAB_ORIGIN}/tab/index.html?lang=${host.locale ?? 'de-DE'}`, host));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.close();
    await graph?.close();
    await issuer?.close();
    await emulator?.close();
  });

  it.each([1024, 360])('lets the IB tick departments by keyboard, see the reach and send at %i px, with no serious accessibility problem', async (width) => {
    const { page, frame } = await openTab({ token: token(KOELN_IB) });
    await page.setViewportSize({ width, height: 900 });
    await frame.locator('#f-post-title').waitFor();
    // The departments (and the group id) only for the audience they belong to.
    expect(await frame.locator('#f-post-departments').isHidden()).toBe(true);
    expect(await frame.locator('#f-post-groupId').isHidden()).toBe(true);
    await frame.locator('#f-post-audience').selectOption('departments:koeln');
    await frame.locator('#f-post-departments').waitFor();
    expect(await frame.locator('#f-post-groupId').isHidden()).toBe(true);
    // The departments as check boxes, in German order (Ä with A), each with how many people it has.
    const labels = await frame.locator('#f-post-departments label').allInnerTexts();
    expect(labels.map((l) => l.trim())).toEqual(['Abteilung 2 (1)', 'Ärztliche Prüfstelle (1)', 'Zentrale Dienste (1)']);
    expect(await frame.locator('#f-post-audience-hint').innerText()).toBe('„Alle Beschäftigten der Bezirksregierung Köln“ sind die 3 Mitglieder ihrer Beschäftigten-Gruppe in Entra ID.');
    expect(await seriousViolations(frame)).toEqual([]);
    const press = async (id: string) => {
      await frame.locator(`#${id}`).focus();
      await page.keyboard.press('Enter');
    };
    await frame.locator('#f-post-title').focus();
    await page.keyboard.type(`Brandschutzübung ${width}`);
    await frame.locator('#f-post-text').focus();
    await page.keyboard.type('Am Donnerstag um 10 Uhr.');
    await frame.locator('#f-post-ack').selectOption('no');
    // None ticked: named at the field, and the focus goes there.
    await press('composer-preview');
    await frame.waitForFunction(() => document.getElementById('f-post-departments-error')?.textContent === 'Bitte wählen Sie mindestens eine Abteilung.');
    expect(await seriousViolations(frame)).toEqual([]);
    for (const name of ['Abteilung 2 (1)', 'Ärztliche Prüfstelle (1)']) {
      await frame.getByRole('checkbox', { name }).focus();
      await page.keyboard.press('Space');
    }
    await press('composer-preview');
    await frame.waitForFunction(() => /^Diese Information erreicht 2 Personen\./.test(document.getElementById('composer-status')?.textContent ?? ''));
    expect(await seriousViolations(frame)).toEqual([]);
    await frame.waitForFunction(() => !(document.getElementById('composer-send') as HTMLButtonElement).disabled);
    await press('composer-send');
    await frame.waitForFunction(() => /geht an 2 Personen/.test(document.getElementById('composer-status')?.textContent ?? ''));
    const posts = await database.store<PostDoc>(CONTAINERS.posts).query<PostDoc>({ query: "SELECT * FROM c WHERE c.type = 'post' AND c.title = @t", parameters: [{ name: '@t', value: `Brandschutzübung ${width}` }] });
    expect(posts.map((p) => [...p.recipients].sort())).toEqual([[ANNA.aadObjectId, CARLA.aadObjectId].sort()]);
    await eventually(() => emulator.activitiesTo(personalConversationId(CARLA.id, DEFAULT_BOT_APP_ID)).some((a) => a.summary === `Information: Brandschutzübung ${width}`));
    await app.delivery.whenIdle();
    expect(emulator.activitiesTo(personalConversationId(BERT.id, DEFAULT_BOT_APP_ID)).filter((a) => a.summary === `Information: Brandschutzübung ${width}`)).toEqual([]);
    await page.close();
  });
});
