/**
 * "Anliegen senden" as a form in the personal tab, over HTTP against the real app (bot/tab/requestFormRoutes.ts):
 * the chat form's validation, privacy guard and creation; who sends comes from the SSO token only.
 */
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { ItemDoc } from '../../services/requests/model';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/** The demo directory's IB of Köln (fictitious). */
const KOELN_IB = '00000000-0000-4000-8000-000400000001';
/** The app's clock: Tuesday, 1 December 2026, 10:00 in Berlin. */
const NOW = new Date('2026-12-01T09:00:00Z');
/** Names a third person with an Art. 9 category: the privacy guard refuses it. */
const SECRET = 'Herr Ahmadi aus Syrien ist schwer krank.';

describe('„Anliegen senden“ in the personal tab', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;

  const token = (oid: string) => issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, name: 'Anna Beispiel' });
  async function call(method: string, path: string, oid: string | undefined, body?: unknown, options: { lang?: string; type?: string } = {}) {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        ...(oid ? { authorization: `Bearer ${token(oid)}` } : {}),
        'accept-language': options.lang ?? 'de-DE',
        ...(body !== undefined ? { 'content-type': options.type ?? 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  }
  const send = (oid: string, body: unknown, lang?: string) => call('POST', '/api/tab/requests', oid, body, { lang });
  const items = () => database.store<ItemDoc>(CONTAINERS.items).query<ItemDoc>({ query: 'SELECT * FROM c' });
  const mine = async (oid: string) => (await items()).filter((i) => i.createdBy?.aadObjectId === oid);

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'tab-request-form-test' });
    app = await startTabApp(issuer, { database, now: () => NOW });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
    await issuer?.close();
  });

  it('gives the signed-in the form in both languages: the four kinds, the five IB and the KfI as recipients', async () => {
    const res = await call('GET', '/api/tab/requests/form', stableGuid('tab-form', 'reader'));
    expect(res.status).toBe(200);
    const form = res.body.form;
    expect(form.categories.map((c: { value: string }) => c.value)).toEqual(['beratung', 'beteiligung', 'information', 'sonstiges']);
    expect(form.recipients.map((r: { value: string }) => r.value)).toEqual(['arnsberg', 'detmold', 'duesseldorf', 'koeln', 'muenster', 'kfi']);
    expect(form.submit).toEqual({ de: 'Anliegen senden', en: 'Send request' });
    expect(form.kindMissing.de).toBe('Bitte wählen Sie, worum es geht.');
    expect((await call('GET', '/api/tab/requests/form', undefined)).status).toBe(401);
  });

  it('sends an Anliegen to the IB of the chosen Bezirksregierung as the signed-in person, listed for both, and opens as the requester\'s card', async () => {
    const staff = stableGuid('tab-form', 'anna');
    const res = await send(staff, { authority: 'koeln', category: 'beratung', subject: 'Fortbildung Interkulturelle Kompetenz (Tab-Formular)', description: 'Gibt es Angebote für unser Dezernat? (Beispiel)', deadline: '2026-12-18' });
    expect(res.status).toBe(201);
    expect(res.body.message.de).toBe('Gesendet. Die oder der IB ist benachrichtigt; Sie sehen hier jeden weiteren Schritt.');
    expect(res.body.item).toEqual({ authority: 'koeln', id: expect.stringMatching(/^anl-/), kind: 'request' });
    const [stored] = await mine(staff);
    expect(stored).toMatchObject({ authority: 'koeln', status: 'neu', category: 'beratung', deadline: '2026-12-18', createdBy: { aadObjectId: staff, name: 'Anna Beispiel', lang: 'de' } });
    expect(stored.cardsTo).toContain(KOELN_IB);
    // The IB's inbox and the requester's „Meine Anliegen“ list it; it opens as the card the requester sees in the chat.
    const inbox = (await call('GET', '/api/tab/me', KOELN_IB)).body.sections.inbox as Array<{ id: string }>;
    expect(inbox.map((c) => c.id)).toContain(stored.id);
    const requests = (await call('GET', '/api/tab/me', staff)).body.sections.requests as Array<{ id: string }>;
    expect(requests.map((c) => c.id)).toEqual([stored.id]);
    const opened = await call('GET', `/api/tab/items/koeln/${stored.id}`, staff);
    expect(opened.status).toBe(200);
    expect(JSON.stringify(opened.body.card)).toContain('Fortbildung Interkulturelle Kompetenz (Tab-Formular)');
  });

  it('sends an Anliegen to the KfI, confirmed in the viewer\'s language', async () => {
    const staff = stableGuid('tab-form', 'edna');
    const res = await send(staff, { authority: 'kfi', category: 'information', subject: 'Material on funding calls', description: 'Is there material for associations? (example)' }, 'en-GB');
    expect(res.status).toBe(201);
    expect(res.body.message.en).toBe('Sent. The KfI has been notified; you will see every further step here.');
    expect((await mine(staff))[0]).toMatchObject({ recipient: 'kfi', createdBy: { lang: 'en' } });
  });

  it('refuses a Beteiligung without its measure and with a Frist in the past: each problem at its field, in a sentence, nothing stored', async () => {
    const staff = stableGuid('tab-form', 'bernd');
    const res = await send(staff, { authority: 'koeln', category: 'beteiligung', subject: 'Förderaufruf 2027', description: 'Bitte beteiligen (Beispiel).', deadline: '2026-11-30', department: '', measure: '', plannedDate: '' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('Invalid');
    expect(res.body.message.de).toBe('Nichts wurde gesendet: bitte prüfen Sie die markierten Felder.');
    const byField = Object.fromEntries((res.body.problems as Array<{ field: string; message: { de: string; en: string } }>).map((p) => [p.field, p.message]));
    expect(Object.keys(byField).sort()).toEqual(['deadline', 'department', 'measure', 'plannedDate']);
    expect(byField.department.de).toBe('Bitte nennen Sie das Dezernat.');
    expect(byField.measure.en).toBe('Please name the measure.');
    expect(byField.deadline.de).toMatch(/Vergangenheit/);
    expect(await mine(staff)).toEqual([]);
    // The kind and the recipient are asked for when missing, and an unknown recipient is refused.
    const empty = await send(staff, { authority: 'bayern', category: '', subject: '', description: '' }, 'en-GB');
    expect(empty.status).toBe(400);
    expect((empty.body.problems as Array<{ field: string }>).map((p) => p.field).sort()).toEqual(['authority', 'category', 'description', 'subject']);
    expect(await mine(staff)).toEqual([]);
    // Over-long text is refused at its field with the limit.
    const long = await send(staff, { authority: 'koeln', category: 'beratung', subject: 'x'.repeat(201), description: 'Kurz.' });
    expect(long.body.problems).toEqual([{ field: 'subject', message: { de: expect.stringContaining('200'), en: expect.stringContaining('200') } }]);
    expect(await mine(staff)).toEqual([]);
  });

  it('refuses other people\'s personal data through the privacy guard: stored nowhere, logged nowhere', async () => {
    const staff = stableGuid('tab-form', 'carla');
    const res = await send(staff, { authority: 'koeln', category: 'beratung', subject: 'Frage zur Pause', description: SECRET });
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([{ field: 'description', message: { de: expect.stringMatching(/personenbezogene Daten/), en: expect.stringMatching(/personal data/) } }]);
    expect(await mine(staff)).toEqual([]);
    expect(JSON.stringify(await items())).not.toContain('Ahmadi');
    expect(app.logs.raw.join('\n')).not.toContain('Ahmadi');
    expect(app.logs.events()).toContain('tab.request_invalid');
  });

  it('answers precisely to what is not the form: no token 401, not JSON 415/400, unknown or non-text fields 400, nothing stored', async () => {
    const staff = stableGuid('tab-form', 'dora');
    const valid = { authority: 'koeln', category: 'beratung', subject: 'Betreff', description: 'Text (Beispiel).' };
    expect((await call('POST', '/api/tab/requests', undefined, valid)).status).toBe(401);
    expect((await call('POST', '/api/tab/requests', staff, 'authority=koeln', { type: 'text/plain' })).status).toBe(415);
    expect((await call('POST', '/api/tab/requests', staff, '[1,2]')).status).toBe(400);
    expect((await call('POST', '/api/tab/requests', staff, '{"authority":')).status).toBe(400);
    // Who sends comes from the token: a body naming someone else is not the form.
    const forged = await send(staff, { ...valid, createdBy: { aadObjectId: KOELN_IB } });
    expect(forged).toEqual({ status: 400, body: { code: 'BadRequest', message: 'Not the Anliegen form: body.' } });
    const numbers = await send(staff, { ...valid, subject: 42 });
    expect(numbers.status).toBe(400);
    expect(numbers.body.message).toContain('subject');
    expect(await mine(staff)).toEqual([]);
  });
});
