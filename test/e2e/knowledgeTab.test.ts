import type { Frame, Page } from 'playwright-core';
import { hostPage, HOST_URL, launchTabBrowser, TAB_ORIGIN, tabFrame, type HostOptions, type TabBrowser } from '../../bench/tabHost';
import { UnansweredQuestions, type UnansweredQuestion } from '../../services/answers/unansweredQuestions';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { seriousViolations } from '../support/axe';

jest.setTimeout(90_000);

const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const KFI = '00000000-0000-4000-8000-000600000001';
/** Tuesday, 1 December 2026, 10:00 in Berlin. */
const NOW = new Date('2026-12-01T09:00:00Z');


describe('the knowledge base and the figures in the tab, in a browser', () => {
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
    database = await openDatabase({ databaseId: 'knowledge-e2e-test' });
    app = await startTabApp(issuer, { database, now: () => NOW });
    await new UnansweredQuestions(database.store<UnansweredQuestion>(CONTAINERS.questions)).record('koeln', 'Wie beantrage ich ein Jobticket?', 'de', NOW);
    browser = await launchTabBrowser(app.url, () => hostPage(`${TAB_ORIGIN}/tab/index.html?lang=${host.locale ?? 'de-DE'}`, host));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.close();
    await issuer?.close();
  });

  it('lets the IB turn an unanswered question into an answer: keywords as triggers, preview on the card, publish; no serious accessibility problem at 1024 and 360 px', async () => {
    const { page, frame } = await openTab({ token: token(KOELN_IB) });
    const section = frame.locator('#knowledge');
    await section.locator('#knowledge-unanswered').waitFor();
    expect(await section.innerText()).toContain('beantrage · jobticket');
    expect(await section.innerText()).not.toContain('Wie beantrage ich');
    await section.getByRole('button', { name: /Antwort dazu anlegen: beantrage, jobticket/ }).click();
    expect(await frame.locator('#kb-triggers').inputValue()).toBe('beantrage\njobticket');
    await frame.locator('#kb-triggers').fill('jobticket*');
    await frame.locator('#kb-intent').selectOption('info.organisation');
    await frame.locator('#kb-answerDe').fill('Das Jobticket beantragen Sie im Personalportal.');
    await frame.locator('#kb-answerEn').fill('Apply for the job ticket in the staff portal.');
    await frame.locator('#kb-source').selectOption('directory:reachability');
    expect(await frame.locator('#kb-publish').isDisabled()).toBe(true);
    await frame.locator('#kb-preview').click();
    const card = frame.locator('#kb-preview-card .ac-adaptiveCard');
    await card.waitFor();
    expect(await card.innerText()).toContain('Das Jobticket beantragen Sie im Personalportal.');
    expect(await frame.locator('#kb-publish').isDisabled()).toBe(false);
    for (const width of [1024, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await frame.waitForFunction((w) => document.documentElement.clientWidth === w, width);
      expect({ width, violations: await seriousViolations(frame) }).toEqual({ width, violations: [] });
    }
    await frame.locator('#kb-publish').click();
    await frame.locator('#knowledge-entries').waitFor();
    expect(await frame.locator('#knowledge-status').innerText()).toContain('Veröffentlicht als Version 1');
    expect(await frame.locator('#knowledge-entries').innerText()).toContain('Anbindung und Vortragsrecht (Nr. 4)');
    expect(app.answers.engine.answer({ text: 'Wie beantrage ich ein Jobticket?', homeAuthority: 'koeln', now: NOW }).text).toBe('Das Jobticket beantragen Sie im Personalportal.');
    await frame.locator('#figures-weeks').waitFor();
    await page.close();
  });

  it('shows a trigger that does not compile at its field, in English', async () => {
    const { page, frame } = await openTab({ token: token(KOELN_IB), locale: 'en-US' });
    await frame.locator('#kb-form').waitFor();
    await frame.locator('#kb-intent').selectOption('info.tasks');
    await frame.locator('#kb-triggers').fill('jobticket\n@nothing');
    await frame.locator('#kb-answerDe').fill('Text.');
    await frame.locator('#kb-answerEn').fill('Text.');
    await frame.locator('#kb-source').selectOption('rderl:5b');
    await frame.locator('#kb-preview').click();
    await frame.waitForFunction(() => (document.getElementById('kb-triggers-error')?.textContent ?? '').length > 0);
    expect(await frame.locator('#kb-triggers-error').innerText()).toMatch(/^Line 2:/);
    expect(await frame.locator('#kb-triggers').getAttribute('aria-invalid')).not.toBeNull();
    await page.close();
  });

  it('shows the KfI the figures of every authority and "for all" as a scope, with no serious accessibility problem at 360 px', async () => {
    const { page, frame } = await openTab({ token: token(KFI) });
    await frame.locator('#figures-weeks').waitFor();
    await frame.locator('#kb-form').waitFor();
    const scopes = await frame.locator('#kb-scope option').allInnerTexts();
    expect(scopes).toEqual(expect.arrayContaining(['alle Bezirksregierungen', 'Bezirksregierung Köln']));
    await page.setViewportSize({ width: 360, height: 900 });
    await frame.waitForFunction(() => document.documentElement.clientWidth === 360);
    expect(await seriousViolations(frame)).toEqual([]);
    await page.close();
  });
});
