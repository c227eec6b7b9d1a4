import type { AuditEntry } from '../../services/audit/auditLog';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/** The demo directory (fictitious people): the IB and deputy of Köln, the IB of Münster. */
const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const KOELN_DEPUTY = '00000000-0000-4000-8000-000400000002';
const MUENSTER_IB = '00000000-0000-4000-8000-000500000001';
const ADMIN = stableGuid('directory', 'admin');
const STAFF = stableGuid('directory', 'staff');
/** Tuesday, 24 November 2026, 10:00 in Berlin; each reading of the clock one second later, so the history has an order. */
const NOW = new Date('2026-11-24T09:00:00Z');
let ticks = 0;
const clock = () => new Date(NOW.getTime() + 1000 * ticks++);

describe('the directory editor in the personal tab (issues 17 and 20)', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;

  const token = (oid: string) => issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE });
  async function call(method: string, path: string, oid: string, options: { body?: unknown; lang?: string; ifMatch?: string } = {}) {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token(oid)}`,
        'accept-language': options.lang ?? 'de-DE',
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.ifMatch ? { 'if-match': options.ifMatch } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any, etag: res.headers.get('etag') };
  }
  const stored = async (code: string) => (await database.store<any>(CONTAINERS.directory).read('directory', `authority-${code}`))!;
  const trail = (code: string) =>
    database.store<AuditEntry>(CONTAINERS.audit).query<AuditEntry>({ query: 'SELECT * FROM c WHERE c.pk = @pk ORDER BY c.at', parameters: [{ name: '@pk', value: `directory:authority-${code}` }] });

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'tab-directory-test' });
    app = await startTabApp(issuer, { database, now: clock, env: { ADMIN_AAD_OBJECT_IDS: ADMIN } });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await issuer.close();
  });

  it('offers the IB their own entry, an administrator every entry, and staff none', async () => {
    expect((await call('GET', '/api/tab/directory', KOELN_IB)).body).toEqual({ admin: false, entries: [{ authority: 'koeln', name: 'Bezirksregierung Köln' }] });
    expect((await call('GET', '/api/tab/directory', ADMIN)).body.entries.map((e: { authority: string }) => e.authority)).toEqual(['arnsberg', 'detmold', 'duesseldorf', 'koeln', 'muenster']);
    expect((await call('GET', '/api/tab/directory', STAFF)).body).toEqual({ admin: false, entries: [] });
  });

  it('shows the IB the form with the stored values, its revision as ETag, and the history', async () => {
    const res = await call('GET', '/api/tab/directory/koeln', KOELN_IB);
    expect(res.status).toBe(200);
    expect(res.etag).toBe(res.body.entry.revision);
    expect(res.body.entry.form).toMatchObject({ phone: '0221 555-0101', absences: [{ from: '2025-07-07', to: '2025-07-25', note: 'Urlaub (Beispiel)' }] });
    expect(res.body.entry.form.deputy).toMatchObject({ name: 'Jan Jedermann (Beispiel)', aadObjectId: KOELN_DEPUTY });
    expect(res.body.entry.history[0]).toMatchObject({ who: 'Import der Verzeichnisdatei', what: 'durch Import der Verzeichnisdatei angelegt' });
  });

  it('saves the IB’s edit, records who changed which field from what to what, and answers show it at once', async () => {
    const { body } = await call('GET', '/api/tab/directory/koeln', KOELN_IB);
    const form = { ...body.entry.form, officeHours: 'Mi 8–10 Uhr', absences: [...body.entry.form.absences, { from: '2026-12-21', to: '2027-01-04', note: 'Urlaub' }] };
    const res = await call('PUT', '/api/tab/directory/koeln', KOELN_IB, { body: form, ifMatch: body.entry.revision });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Gespeichert. Die Angaben sind ab sofort in den Antworten sichtbar.');
    expect(res.body.entry.revision).not.toBe(body.entry.revision);
    const doc = await stored('koeln');
    expect(doc.data.commissioner).toMatchObject({ officeHours: 'Mi 8–10 Uhr', lastVerified: '2026-11-24' });
    expect(doc.data.commissioner.absences).toHaveLength(2);
    const last = (await trail('koeln')).at(-1)!;
    expect(last).toMatchObject({ actor: KOELN_IB, action: 'directory.tab_edit' });
    expect(last.changes).toContainEqual({ path: '/commissioner/officeHours', from: 'Mo–Do 9–15 Uhr, Fr 9–12 Uhr; gern nach Terminabsprache (Beispiel)', to: 'Mi 8–10 Uhr' });
    const line = res.body.entry.history[0];
    expect(line).toMatchObject({ who: 'Sabine Schmitz (Beispiel)', what: 'im Tab geändert' });
    expect(line.changes).toContainEqual({ field: 'IB: Sprechzeiten und Erreichbarkeit', from: 'Mo–Do 9–15 Uhr, Fr 9–12 Uhr; gern nach Terminabsprache (Beispiel)', to: 'Mi 8–10 Uhr' });
    expect(JSON.stringify(res.body.entry.history)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(app.answers.engine.directory.authorities.find((a) => a.code === 'koeln')!.commissioner!.officeHours).toBe('Mi 8–10 Uhr');
  });

  it('refuses a staff member with 403 and a clear message, in German and in English, and stores nothing', async () => {
    const before = await stored('koeln');
    const { body } = await call('GET', '/api/tab/directory/koeln', KOELN_IB);
    const de = await call('PUT', '/api/tab/directory/koeln', STAFF, { body: body.entry.form, ifMatch: body.entry.revision });
    expect(de).toMatchObject({ status: 403, body: { code: 'Forbidden', message: 'Diesen Eintrag können nur die oder der Integrationsbeauftragte dieser Bezirksregierung und die Verzeichnis-Administration ändern.' } });
    const en = await call('PUT', '/api/tab/directory/koeln', STAFF, { body: body.entry.form, ifMatch: body.entry.revision, lang: 'en-US' });
    expect(en).toMatchObject({ status: 403, body: { message: 'Only the integration commissioner of this Bezirksregierung and the directory administrators can change this entry.' } });
    expect((await call('GET', '/api/tab/directory/koeln', STAFF)).status).toBe(403);
    expect((await stored('koeln')).etag).toBe(before.etag);
  });

  it('refuses the IB of another authority (not an administrator) for an entry not theirs', async () => {
    const { body } = await call('GET', '/api/tab/directory/koeln', KOELN_IB);
    const res = await call('PUT', '/api/tab/directory/koeln', MUENSTER_IB, { body: { ...body.entry.form, officeHours: 'nie' }, ifMatch: body.entry.revision });
    expect(res.status).toBe(403);
    expect((await stored('koeln')).data.commissioner.officeHours).not.toBe('nie');
  });

  it('lets an administrator edit any authority’s entry, and names them in the history', async () => {
    const { body } = await call('GET', '/api/tab/directory/muenster', ADMIN);
    expect(body.entry.as).toBe('admin');
    const res = await call('PUT', '/api/tab/directory/muenster', ADMIN, { body: { ...body.entry.form, phone: '0251 411-0' }, ifMatch: body.entry.revision, lang: 'en' });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Saved. Answers show the details from now on.');
    expect(res.body.entry.history[0]).toMatchObject({ who: 'Directory administrators', what: 'changed in the tab', changes: [{ field: 'Commissioner: Last confirmed', from: '10 Jan 2025', to: '24 Nov 2026' }, { field: 'Commissioner: Phone', from: '0251 555-0101', to: '0251 411-0' }] });
  });

  it('answers each invalid field at its field in one sentence, keeps what was typed out of the store, in German and English', async () => {
    const { body } = await call('GET', '/api/tab/directory/koeln', KOELN_IB);
    const form = {
      ...body.entry.form,
      phone: 'ruf an',
      absences: [{ from: '2027-02-10', to: '2027-02-01', note: '' }],
      deputy: { name: '', title: '', email: 'keine-adresse', phone: '', aadObjectId: '' },
    };
    const de = await call('PUT', '/api/tab/directory/koeln', KOELN_IB, { body: form, ifMatch: body.entry.revision });
    expect(de.status).toBe(400);
    expect(de.body.problems).toEqual([
      { field: 'phone', message: 'Bitte eine Telefonnummer aus Ziffern angeben, etwa 0221 147-2000.' },
      { field: 'absences.0.to', message: 'Das Ende darf nicht vor dem Beginn liegen.' },
      { field: 'deputy.name', message: 'Bitte den Namen der Vertretung angeben (oder die Vertretung entfernen).' },
      { field: 'deputy.email', message: 'Bitte eine gültige E-Mail-Adresse angeben, etwa vorname.name@bezreg-koeln.nrw.de.' },
    ]);
    const en = await call('PUT', '/api/tab/directory/koeln', KOELN_IB, { body: form, ifMatch: body.entry.revision, lang: 'en' });
    expect(en.body.problems[1]).toEqual({ field: 'absences.0.to', message: 'The end must not be before the start.' });
    expect(JSON.stringify((await stored('koeln')).data)).not.toContain('2027-02-10');
  });

  it('checks the entry as the import checks a file: the deputy’s address must be in the authority’s mail domain', async () => {
    const { body } = await call('GET', '/api/tab/directory/koeln', KOELN_IB);
    const form = { ...body.entry.form, deputy: { name: 'Paula Probe (Beispiel)', title: '', email: 'paula@example.org', phone: '', aadObjectId: '' } };
    const res = await call('PUT', '/api/tab/directory/koeln', KOELN_IB, { body: form, ifMatch: body.entry.revision });
    expect(res.body.problems).toEqual([{ field: 'deputy.email', message: 'Die Adresse gehört nicht zu dieser Bezirksregierung; bitte die dienstliche Adresse angeben.' }]);
  });

  it('runs office hours and notes through the privacy guard', async () => {
    const { body } = await call('GET', '/api/tab/directory/koeln', KOELN_IB);
    const res = await call('PUT', '/api/tab/directory/koeln', KOELN_IB, { body: { ...body.entry.form, officeHours: 'Vertretung für Herrn Yilmaz, geb. 03.04.1980' }, ifMatch: body.entry.revision });
    expect(res.status).toBe(400);
    expect(res.body.problems[0].field).toBe('officeHours');
    expect(res.body.problems[0].message).toContain('personenbezogene Daten Dritter');
  });

  it('refuses a save whose entry changed meanwhile with 409 and the current state: two editors never overwrite each other', async () => {
    const { body: first } = await call('GET', '/api/tab/directory/koeln', KOELN_IB);
    const { body: second } = await call('GET', '/api/tab/directory/koeln', ADMIN);
    expect(second.entry.revision).toBe(first.entry.revision);
    const a = await call('PUT', '/api/tab/directory/koeln', KOELN_IB, { body: { ...first.entry.form, officeHours: 'Do 10–12 Uhr' }, ifMatch: first.entry.revision });
    expect(a.status).toBe(200);
    const b = await call('PUT', '/api/tab/directory/koeln', ADMIN, { body: { ...second.entry.form, officeHours: 'Fr 8–9 Uhr' }, ifMatch: second.entry.revision });
    expect(b.status).toBe(409);
    expect(b.body.message).toMatch(/^Der Eintrag wurde inzwischen geändert/);
    expect(b.body.entry.form.officeHours).toBe('Do 10–12 Uhr');
    const en = await call('PUT', '/api/tab/directory/koeln', ADMIN, { body: second.entry.form, ifMatch: second.entry.revision, lang: 'en' });
    expect(en.body.message).toMatch(/^The entry was changed meanwhile/);
    expect((await stored('koeln')).data.commissioner.officeHours).toBe('Do 10–12 Uhr');
  });

  it('asks for the revision (428) instead of saving blind', async () => {
    const { body } = await call('GET', '/api/tab/directory/koeln', KOELN_IB);
    const res = await call('PUT', '/api/tab/directory/koeln', KOELN_IB, { body: body.entry.form });
    expect(res.status).toBe(428);
    expect(res.body.message).toContain('Bitte laden Sie den Eintrag neu');
  });

  it('answers 404 for an authority that does not exist and 400 for a body that is not an object', async () => {
    expect((await call('GET', '/api/tab/directory/bonn', ADMIN)).status).toBe(404);
    expect((await call('PUT', '/api/tab/directory/koeln', KOELN_IB, { body: [1, 2], ifMatch: '"x"' })).status).toBe(400);
  });

  it('shows the history to administrators and the IB; the deputy (not standing in for edits) is refused', async () => {
    const res = await call('GET', '/api/tab/directory/koeln', ADMIN);
    expect(res.body.entry.history.length).toBeGreaterThanOrEqual(3);
    expect(res.body.entry.history.every((l: { who: string }) => typeof l.who === 'string' && l.who.length > 0)).toBe(true);
    expect((await call('GET', '/api/tab/directory/koeln', KOELN_DEPUTY)).status).toBe(403);
  });
});
