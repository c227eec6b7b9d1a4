/**
 * The personal tab's side of Anliegen to the KfI and of the Frist: the KfI's members get the KfI's inbox, the IB of
 * Arnsberg does not see it, and a row past its Frist says "überfällig" (the server's flag; the tab shows it in words).
 */
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/** People of the demo directory (fictitious), and a member of staff. */
const KFI_LEAD = '00000000-0000-4000-8000-000600000001';
const ARNSBERG_IB = '00000000-0000-4000-8000-000100000001';
const STAFF = 'aaaaaaaa-0000-4000-8000-00000000c0de';

describe('Anliegen to the KfI and the Frist in the personal tab', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;
  // Tuesday, 1 December 2026, 10:00 in Berlin; the Frist is Friday, 4 December.
  let now = new Date('2026-12-01T09:00:00Z');

  async function call(method: string, path: string, oid: string) {
    const token = issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, name: 'Beispiel' });
    const res = await fetch(`${app.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'accept-language': 'de-DE' } });
    return { status: res.status, body: (await res.json()) as any };
  }
  const rows = (body: any, section: string): Array<Record<string, unknown>> => body.sections[section] ?? [];

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'requests-kfi-tab-test' });
    app = await startTabApp(issuer, { database, now: () => now });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await issuer.close();
  });

  it('lists the request in the KfI member\'s inbox (not the Arnsberg IB\'s), and marks it overdue after its Frist', async () => {
    const created = await app.requests.createRequest(
      { aadObjectId: STAFF, tenantId: DEFAULT_TENANT_ID, name: 'Anna Beispiel' },
      { authority: 'kfi', category: 'beratung', subject: 'Material zum Förderaufruf (Beispiel)', description: 'Gibt es Material?', deadline: '2026-12-04' },
    );
    if (!created.ok) throw new Error('not created');
    const item = created.value.item;

    const kfi = await call('GET', '/api/tab/me', KFI_LEAD);
    expect(kfi.status).toBe(200);
    expect(rows(kfi.body, 'inbox')).toEqual([expect.objectContaining({ id: item.id, authority: 'arnsberg', kfi: true, deadline: '2026-12-04' })]);
    expect(rows(kfi.body, 'inbox')[0].overdue).toBeUndefined();
    const ib = await call('GET', '/api/tab/me', ARNSBERG_IB);
    expect(rows(ib.body, 'inbox').map((r) => r.id)).not.toContain(item.id);
    expect((await call('GET', `/api/tab/items/arnsberg/${item.id}`, ARNSBERG_IB)).status).toBe(403);
    expect((await call('GET', `/api/tab/items/arnsberg/${item.id}`, KFI_LEAD)).status).toBe(200);

    now = new Date('2026-12-05T09:00:00Z'); // the day after the Frist
    expect(rows((await call('GET', '/api/tab/me', KFI_LEAD)).body, 'inbox')[0]).toMatchObject({ id: item.id, overdue: true });
    expect(rows((await call('GET', '/api/tab/me', STAFF)).body, 'requests')).toEqual([expect.objectContaining({ id: item.id, overdue: true, kfi: true })]);
  });
});
