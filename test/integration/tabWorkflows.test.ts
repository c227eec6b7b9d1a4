import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { CircleDoc } from '../../services/circle/model';
import { notificationIdOf } from '../../services/notifications/keys';
import type { NotificationDoc } from '../../services/notifications/model';
import type { ItemDoc } from '../../services/requests/model';
import { circleProfiles } from '../../bot/handlers/circle';
import { circleComposer } from '../../bot/tab/workflowSources';
import { rolesOf } from '../../services/directory/roles';
import { UserProfileRepository, type UserProfile } from '../../services/users/userProfiles';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { tabCall } from '../support/tabCall';

/** People of the demo directory (fictitious). */
const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const KOELN_DEPUTY = '00000000-0000-4000-8000-000400000002';
const KOELN_HEAD = '00000000-0000-4000-8000-000400000003';
const KOELN_OFFICE = '00000000-0000-4000-8000-000400000004';
const ARNSBERG_IB = '00000000-0000-4000-8000-000100000001';
const DETMOLD_HEAD = '00000000-0000-4000-8000-000200000003';
const KFI_LEAD = '00000000-0000-4000-8000-000600000001';

/** The app's clock: Tuesday, 1 December 2026, 10:00 in Berlin. */
const NOW = new Date('2026-12-01T09:00:00Z');
/** A Berlin calendar date `days` from NOW (far enough from midnight not to matter). */
const dayFromNow = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString().slice(0, 10);

describe('the personal tab with the Anliegen, Vortrag and Koordinierungskreis workflows', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;

  const token = (oid: string, extra: Record<string, unknown> = {}) => issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, ...extra });
  const call = (method: string, path: string, oid: string, body?: unknown, lang = 'de-DE') => tabCall(app.url, token(oid), method, path, body, lang);
  const me = async (oid: string, lang?: string) => (await call('GET', '/api/tab/me', oid, undefined, lang)).body;
  const stored = async () =>
    (await database.store<CircleDoc>(CONTAINERS.circle).query<CircleDoc>({ query: 'SELECT * FROM c WHERE c.type = @p OR c.type = @m', parameters: [{ name: '@p', value: 'poll' }, { name: '@m', value: 'meeting' }] })).length;
  const party = (oid: string, name: string) => ({ aadObjectId: oid, tenantId: DEFAULT_TENANT_ID, name });
  const request = async (oid: string, authority: string, subject: string) => {
    const outcome = await app.requests.createRequest(party(oid, 'Beispiel'), { authority, category: 'beratung', subject, description: 'Bitte um Beratung (Beispiel).' });
    if (!outcome.ok) throw new Error(`request not created: ${outcome.code}`);
    return outcome.value.item;
  };
  const meetingInput = (overrides: Record<string, string> = {}) => ({
    title: 'Sitzung des Koordinierungskreises',
    date: dayFromNow(40),
    startTime: '10:00',
    endTime: '12:00',
    place: 'Arnsberg, Raum 36 (Beispiel)',
    onlineUrl: '',
    agendaText: '1. Berichte aus den Bezirksregierungen',
    rsvpDeadline: dayFromNow(30),
    ...overrides,
  });
  const slots = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`slot${i + 1}`, `${dayFromNow(20 + i)}T10:00`]));

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'tab-workflows-test' });
    app = await startTabApp(issuer, { database, now: () => NOW });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await issuer.close();
  });

  it('shows staff their own Anliegen with the status in their language, and nobody else’s', async () => {
    const anna = stableGuid('tab2', 'anna');
    const bert = stableGuid('tab2', 'bert');
    await request(anna, 'koeln', 'Beratung zur Stellenausschreibung');
    await request(bert, 'koeln', 'Frage von Bert');
    const de = await me(anna);
    expect(de.sections.requests).toEqual([
      expect.objectContaining({ kind: 'request', kindLabel: { de: 'Anliegen', en: 'Request' }, authority: 'koeln', subject: 'Beratung zur Stellenausschreibung', status: { code: 'neu', de: 'Neu', en: 'New' } }),
    ]);
    expect(de.sections.inbox).toBeUndefined();
    expect(de.sections.reports).toBeUndefined();
    expect(de.sections.composer).toBeUndefined();
    const en = await me(bert, 'en-US');
    expect(en.lang).toBe('en');
    expect(en.sections.requests.map((r: { subject: string }) => r.subject)).toEqual(['Frage von Bert']);
  });

  it('shows the IB and the deputy the inbox of their own Bezirksregierung only', async () => {
    const staff = stableGuid('tab2', 'carla');
    await request(staff, 'koeln', 'Anliegen an Köln');
    await request(staff, 'arnsberg', 'Anliegen an Arnsberg');
    for (const oid of [KOELN_IB, KOELN_DEPUTY]) {
      const inbox = (await me(oid)).sections.inbox as Array<{ subject: string; authority: string }>;
      expect(inbox.map((c) => c.subject)).toContain('Anliegen an Köln');
      expect(inbox.every((c) => c.authority === 'koeln')).toBe(true);
    }
    const arnsberg = (await me(ARNSBERG_IB)).sections.inbox as Array<{ subject: string }>;
    expect(arnsberg.map((c) => c.subject)).toEqual(['Anliegen an Arnsberg']);
  });

  it('lets the IB download the history of their authority as CSV for German Excel, and refuses everyone else', async () => {
    const staff = stableGuid('tab', 'download-staff');
    const item = await request(staff, 'koeln', '=HYPERLINK("http://evil.example") Beispiel');
    await request(stableGuid('tab', 'download-other'), 'muenster', 'Nur Münster (Beispiel)');
    const download = (oid: string, name: string) =>
      fetch(`${app.url}/api/tab/downloads/${name}`, { headers: { authorization: `Bearer ${token(oid)}` } });

    expect((await me(KOELN_IB)).sections.downloads).toEqual({ trailCsv: true, myData: true });
    expect((await me(staff)).sections.downloads).toEqual({ trailCsv: false, myData: true });

    const res = await download(KOELN_IB, 'trail.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="lotse-verlauf-koeln-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 byte-order mark: Excel keeps the umlauts
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe('item_id;authority;kind;subject;status;created_at;closed_at;at;actor;action;from;to');
    const row = lines.find((l) => l.startsWith(`"${item.id}";"koeln"`));
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"") Beispiel"`); // no formula runs on opening
    expect(lines.some((l) => l.includes('Nur Münster'))).toBe(false);

    for (const oid of [staff, KOELN_HEAD]) expect((await download(oid, 'trail.csv')).status).toBe(403);
    expect((await download(KOELN_IB, 'everything.zip')).status).toBe(404);
    expect((await fetch(`${app.url}/api/tab/downloads/trail.csv`)).status).toBe(401);
  });

  it('lets anyone download what is stored about them („Meine Daten“) as a JSON file', async () => {
    const staff = stableGuid('tab', 'my-data');
    const item = await request(staff, 'koeln', 'Meine Daten (Beispiel)');
    const res = await fetch(`${app.url}/api/tab/downloads/my-data.json`, { headers: { authorization: `Bearer ${token(staff)}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="lotse-meine-daten-\d{4}-\d{2}-\d{2}\.json"$/);
    const data = (await res.json()) as {
      about: string;
      profile: { homeAuthority?: string } | null;
      requests: { created: Array<{ id: string; subject: string; etag?: string }>; actedOn: unknown[]; audit: Array<{ action: string }> };
      circle: { pollAnswers: unknown[]; rsvps: unknown[] } | null;
    };
    expect(data.about).toBe(staff);
    expect(data.requests.created.map((i) => [i.id, i.subject])).toEqual([[item.id, 'Meine Daten (Beispiel)']]);
    expect(data.requests.created[0].etag).toBeUndefined();
    expect(data.requests.actedOn).toEqual([]);
    expect(data.requests.audit.map((e) => e.action)).toEqual(['request.create']);
    expect(data.circle).toMatchObject({ pollAnswers: [], rsvps: [] });
    // The IB who received the request is on the item (cardsTo); their id is not the requester's data.
    expect(JSON.stringify(data)).not.toContain(KOELN_IB);
  });

  it('deletes the viewer’s own data from the Downloads section („Meine Daten löschen“), keeps their requests and says so', async () => {
    const staff = stableGuid('tab', 'erase');
    const other = stableGuid('tab', 'erase-other');
    const item = await request(staff, 'koeln', 'Bleibt als Akte (Beispiel)');
    for (const oid of [staff, other]) expect((await call('PUT', '/api/tab/home', oid, { authority: 'koeln' })).status).toBe(200);
    const profiles = database.store<UserProfile>(CONTAINERS.users);
    expect(await profiles.read(staff, 'profile')).toBeDefined();

    expect((await fetch(`${app.url}/api/tab/my-data`, { method: 'DELETE' })).status).toBe(401);
    const res = await call('DELETE', '/api/tab/my-data', staff);
    expect(res.status).toBe(200);
    expect(res.body.heading).toBe('Ihre Daten sind gelöscht');
    expect(res.body.paragraphs.join('\n')).toContain('Gelöscht: Ihr Profil');
    expect(res.body.paragraphs.join('\n')).toContain('• 1 Anliegen oder Vortrag von Ihnen: noch offen, gelöscht 365 Tage nach dem Abschluss.');
    expect(await profiles.read(staff, 'profile')).toBeUndefined();
    expect(await profiles.read(other, 'profile')).toBeDefined();
    expect(await database.store<ItemDoc>(CONTAINERS.items).read('koeln', item.id)).toBeDefined();

    const english = await call('DELETE', '/api/tab/my-data', staff, undefined, 'en-US');
    expect(english.status).toBe(200);
    expect(english.body.paragraphs[0]).toBe('There was nothing (left) to delete.');
  });

  it('shows a Vortrag to the IB side and the head and office of that authority only (need to know)', async () => {
    const outcome = await app.requests.createReport(party(KOELN_IB, 'Sabine Schmitz (Beispiel)'), { subject: 'Vortrag zur Barrierefreiheit', summary: 'Zusammenfassung (Beispiel).' });
    expect(outcome.ok).toBe(true);
    for (const oid of [KOELN_IB, KOELN_DEPUTY, KOELN_HEAD, KOELN_OFFICE]) {
      const reports = (await me(oid)).sections.reports as Array<{ subject: string; status: { code: string } }>;
      expect(reports).toEqual([expect.objectContaining({ subject: 'Vortrag zur Barrierefreiheit', status: expect.objectContaining({ code: 'eingereicht', de: 'Eingereicht' }) })]);
    }
    for (const oid of [ARNSBERG_IB, DETMOLD_HEAD]) {
      expect(((await me(oid)).sections.reports ?? []).map((r: { subject: string }) => r.subject)).not.toContain('Vortrag zur Barrierefreiheit');
    }
    expect((await me(stableGuid('tab2', 'anna'))).sections.reports).toBeUndefined();
  });

  it('shows the KfI the circle (empty so far) and the composer kinds; the IB, a member, sees the circle without a composer', async () => {
    const kfi = await me(KFI_LEAD);
    expect(kfi.sections.composer.kinds.map((k: { id: string }) => k.id)).toEqual(['poll', 'meeting', 'post']);
    expect(kfi.sections.circle.items).toEqual([]);
    const ib = await me(KOELN_IB);
    expect(ib.sections.circle.items).toEqual([]);
    // The IB composes information posts only (issue 17), no polls or meetings.
    expect(ib.sections.composer.kinds.map((k: { id: string }) => k.id)).toEqual(['post']);
  });

  it('refuses a forged send by someone who is not the KfI with 403 and stores nothing', async () => {
    const before = await stored();
    for (const oid of [KOELN_IB, stableGuid('tab2', 'anna')]) {
      const meeting = await call('POST', '/api/tab/send', oid, { kind: 'meeting', input: meetingInput() });
      expect(meeting.status).toBe(403);
      const poll = await call('POST', '/api/tab/send', oid, { kind: 'poll', input: { title: 'Umfrage', duration: '120', ...slots(2) } });
      expect(poll.status).toBe(403);
      expect((await call('POST', '/api/tab/preview', oid, { kind: 'meeting', input: meetingInput() })).status).toBe(403);
    }
    expect((await call('POST', '/api/tab/send', KFI_LEAD, { kind: 'circle.nothing', input: {} })).status).toBe(404);
    expect(await stored()).toBe(before);
  });

  it('has the circle service re-check the KfI role itself, so a composer called for someone else still stores nothing', async () => {
    const before = await stored();
    const composer = circleComposer(app.circle, circleProfiles(new UserProfileRepository(database.store<UserProfile>(CONTAINERS.users))));
    const viewer = { aadObjectId: KOELN_IB, tenantId: DEFAULT_TENANT_ID, lang: 'de' as const, roles: rolesOf(app.answers.engine.directory, KOELN_IB) };
    expect(composer.kinds(viewer)).toEqual([]);
    const sent = await composer.send(viewer, 'meeting', meetingInput());
    expect(sent).toMatchObject({ ok: false, forbidden: true, problems: [{ message: { de: expect.stringMatching(/nur das Kompetenzzentrum/) } }] });
    expect(await composer.preview(viewer, 'poll', { title: 'Umfrage', duration: '120', ...slots(2) })).toMatchObject({ ok: false, forbidden: true });
    expect(await stored()).toBe(before);
  });

  it.each([
    ['an empty title', 'meeting', () => meetingInput({ title: '  ' }), 'title', /Titel/],
    ['a poll with one date', 'poll', () => ({ title: 'Umfrage', duration: '120', ...slots(1) }), 'slot1', /2 bis 10 verschiedene Termine/],
    ['a poll with eleven dates', 'poll', () => ({ title: 'Umfrage', duration: '120', ...slots(11) }), undefined, /Unbekanntes Feld „slot11“/],
    ['a meeting in the past', 'meeting', () => meetingInput({ date: dayFromNow(-3), rsvpDeadline: dayFromNow(-4) }), 'date', /Vergangenheit/],
    ['an end before the start', 'meeting', () => meetingInput({ endTime: '09:00' }), 'endTime', /Ende muss nach dem Beginn/],
    ['neither place nor link', 'meeting', () => meetingInput({ place: '', onlineUrl: '' }), 'place', /Ort oder einen Online-Link/],
    ['a link that is not https', 'meeting', () => meetingInput({ onlineUrl: 'http://example.org/x' }), 'onlineUrl', /https:\/\//],
    ['an oversized title', 'meeting', () => meetingInput({ title: 'x'.repeat(151) }), 'title', /Höchstens 150 Zeichen/],
    ['an oversized agenda', 'meeting', () => meetingInput({ agendaText: 'x'.repeat(2001) }), 'agendaText', /Höchstens 2000 Zeichen/],
    // The privacy guard: a named person with an Art. 9 category is refused at its field (issue 13, point 9).
    ['an agenda naming a person with their health', 'meeting', () => meetingInput({ agendaText: 'Frau Schmitz ist an Krebs erkrankt; Vertretung klären' }), 'agendaText', /„Tagesordnung“ enthält personenbezogene Daten Dritter \(Gesundheit\)/],
    ['a poll title naming a person with their religion', 'poll', () => ({ title: 'Frau Yilmaz ist Muslima: Gebetszeiten', duration: '120', ...slots(2) }), 'title', /„Titel“ enthält personenbezogene Daten Dritter \(Religion\)/],
  ])('answers %s with 400 and the problem at the field, in preview and send, storing nothing', async (_name, kind, input, field, message) => {
    const before = await stored();
    for (const action of ['preview', 'send']) {
      const res = await call('POST', `/api/tab/${action}`, KFI_LEAD, { kind, input: input() });
      expect(res.status).toBe(400);
      expect(res.body.ok).toBe(false);
      const problem = res.body.problems.find((p: { field?: string; message: { de: string } }) => message.test(p.message.de));
      expect(problem).toBeDefined();
      expect(problem.field).toBe(field);
      expect(problem.message.en).toBeTruthy();
    }
    expect(await stored()).toBe(before);
  });

  it('previews exactly the card the circle posts without storing it, then sends it through the outbox', async () => {
    const before = await stored();
    const input = meetingInput({ title: 'Wintersitzung (Vorschau)' });
    const preview = await call('POST', '/api/tab/preview', KFI_LEAD, { kind: 'meeting', input });
    expect(preview.status).toBe(200);
    expect(preview.body.card).toMatchObject({ type: 'AdaptiveCard' });
    expect(JSON.stringify(preview.body.card)).toContain('Wintersitzung (Vorschau)');
    expect(JSON.stringify(preview.body.card)).toContain('Arnsberg, Raum 36 (Beispiel)');
    expect(await stored()).toBe(before);

    const sent = await call('POST', '/api/tab/send', KFI_LEAD, { kind: 'meeting', input });
    expect(sent.status).toBe(200);
    expect(sent.body.message.de).toMatch(/„Wintersitzung \(Vorschau\)“ ist angekündigt/);
    expect(await stored()).toBe(before + 1);
    const next = await app.circle.nextMeeting();
    expect(next?.title).toBe('Wintersitzung (Vorschau)');
    const key = `circle:meeting:${next!.pk}:announce`;
    expect(await app.delivery.outbox.status(key)).toBeDefined();
    // The posted card is the previewed card, up to the meeting's own id and calendar link (made when it is stored).
    const header = await database.store<NotificationDoc>(CONTAINERS.outbox).read(notificationIdOf(key), 'notification');
    const same = (card: unknown) => JSON.stringify(card).replace(/m-[0-9a-f-]{36}/g, 'MEETING').replace(/kalender\/[A-Za-z0-9_-]{22}/g, 'kalender/TOKEN');
    expect(same(header?.activity.attachments?.[0]?.content)).toBe(same(preview.body.card));

    const poll = await call('POST', '/api/tab/send', KFI_LEAD, { kind: 'poll', input: { title: 'Frühjahrssitzung', duration: '90', place: 'Arnsberg', ...slots(3) } });
    expect(poll.status).toBe(200);
    expect(await stored()).toBe(before + 2);
    const circle = (await me(KFI_LEAD, 'en-US')).sections.circle.items as Array<{ kind: { code: string }; title: string; status: { en: string } }>;
    expect(circle.map((i) => [i.kind.code, i.title])).toEqual([
      ['meeting', 'Wintersitzung (Vorschau)'],
      ['poll', 'Frühjahrssitzung'],
    ]);
    expect(circle[0].status.en).toBe('Reply missing');
  });
});
