import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { openDatabase, type AppDatabase } from '../../services/storage/database';

// From the demo directory: Köln's IB Sabine Schmitz is away 7–25 July 2025, Jan Jedermann is her deputy.
const KOELN_DEPUTY = '00000000-0000-4000-8000-000400000002';
/** Thursday, 10 July 2025, 10:00 in Berlin: the IB of Köln is absent. */
const DURING_ABSENCE = new Date('2025-07-10T08:00:00Z');
/** Tuesday, 24 November 2026: the IB of Köln is in. */
const IB_PRESENT = new Date('2026-11-24T09:00:00Z');

describe('the personal tab for the deputy of an IB', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;
  let now = DURING_ABSENCE;

  const me = async (oid: string, username: string, language = 'de-DE') => {
    const auth = issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, preferred_username: username });
    const res = await fetch(`${app.url}/api/tab/me`, { headers: { authorization: `Bearer ${auth}`, 'accept-language': language } });
    expect(res.status).toBe(200);
    return (await res.json()) as { roles: { deputyOf: string[] }; home: { authority: string } | null; contactCard: unknown; contactNote?: string; ownEntry?: unknown };
  };

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'tab-deputy-test' });
    app = await startTabApp(issuer, { database, now: () => now });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await issuer.close();
  });

  it('does not show the deputy themselves as the contact while the IB is absent, but says whom they stand in for', async () => {
    now = DURING_ABSENCE;
    const deputy = await me(KOELN_DEPUTY, 'jan.jedermann@bezreg-koeln.example');
    expect(deputy.roles.deputyOf).toEqual(['koeln']);
    expect(deputy.home).toMatchObject({ authority: 'koeln' });
    expect(deputy.contactCard).toBeNull();
    expect(deputy.contactNote).toBe('Sie vertreten die oder den IB der Bezirksregierung Köln.');
    expect(deputy.ownEntry).toBeUndefined();
    const english = await me(KOELN_DEPUTY, 'jan.jedermann@bezreg-koeln.example', 'en-US');
    expect(english.contactNote).toBe('You are standing in for the IB of the Bezirksregierung Köln.');

    // Staff of Köln meanwhile see the deputy as their contact.
    const staff = await me('00000000-0000-4000-8000-0000000a0b01', 'max.beispiel@bezreg-koeln.example');
    expect(JSON.stringify(staff.contactCard)).toContain('Jan Jedermann (Beispiel)');
    expect(staff.contactNote).toBeUndefined();
  });

  it('shows the deputy the regular contact card of their IB while she is in', async () => {
    now = IB_PRESENT;
    const deputy = await me(KOELN_DEPUTY, 'jan.jedermann@bezreg-koeln.example');
    expect(JSON.stringify(deputy.contactCard)).toContain('Sabine Schmitz (Beispiel)');
    expect(deputy.contactNote).toBeUndefined();
  });
});
