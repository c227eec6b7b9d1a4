import type { ItemDoc } from '../../services/requests/model';
import { INVITATION_NOTICE, invitationKey } from '../../services/requests/termin';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, type TeamsUser } from '../support/activities';
import { OFFLINE_OUTBOUND_TOKEN, OfflineCredentialsFactory, testModeAuthEnv } from '../support/authConfig';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startGraphStandIn, stableGuid, type GraphStandIn } from '../support/graphStandIn';
import { startTestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { KOELN_IB, KOELN_IB_EN, KOELN_HEAD, KOELN_HEAD_EN, KOELN_OFFICE, STAFF } from '../support/demoPeople';

/**
 * The Vortrag's Termin to its end (RdErl. v. 5.12.2023, Nr. 4) over HTTP: the head side proposes a date, the IB
 * accepts or proposes another, the head side accepts or proposes again; the agreed date becomes the invitation for
 * head and IB: a Teams meeting through Graph (the stand-in) where configured, else the .ics link.
 */

const HEAD_MAIL = 'frieda.fiktiv@bezreg-koeln.example';
const IB_MAIL = 'sabine.schmitz@bezreg-koeln.example';
const MAILBOX = 'vortraege@bezreg-koeln.example';

type InvokeBody = { statusCode: number; type: string; value: any };
const json = (v: unknown) => JSON.stringify(v);
const verbsOf = (card: unknown) => [...json(card).matchAll(/"verb":"([^"]+)"/g)].map((m) => m[1]);
/** The text a card shows under its inputs when the server refused what was typed there. */
const fieldErrorsOf = (card: unknown) => [...json(card).matchAll(/"type":"TextBlock","text":"([^"]*)","color":"Attention","size":"Small"/g)].map((m) => m[1]);

jest.setTimeout(60_000);

/**
 * One app on its own database, with the people installed, and helpers to act as them. With `graph` the bot has an
 * identity (Graph is called with it), so Teams' requests carry tokens from a local issuer, as in a tenant.
 */
async function setUp(name: string, now: () => Date, graph?: GraphStandIn) {
  const APP_ID = DEFAULT_BOT_APP_ID;
  const issuer: TokenIssuer | undefined = graph ? await startTokenIssuer({ appId: APP_ID, endorsements: ['msteams'] }) : undefined;
  const emulator = await startChannelEmulator(issuer ? { expectedAuthorization: `Bearer ${OFFLINE_OUTBOUND_TOKEN}` } : {});
  const database = await openDatabase({ databaseId: name });
  const env = graph && issuer ? { ...graph.env(), GRAPH_MEETING_MAILBOX: MAILBOX, HOST: '127.0.0.1', ...testModeAuthEnv({ appId: APP_ID, issuer, tenantId: DEFAULT_TENANT_ID }) } : {};
  const app = await startTestApp(env, { database, now, ...(issuer ? { credentialsFactory: new OfflineCredentialsFactory(APP_ID) } : {}) });
  const teams = activityBuilders({ serviceUrl: emulator.serviceUrl, ...(issuer ? { botAppId: APP_ID } : {}) });
  const headers = () => (issuer ? { headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } } : {});
  for (const p of [STAFF, KOELN_IB, KOELN_HEAD, KOELN_OFFICE]) expect((await app.post(teams.installationUpdate('add', { from: p }), headers())).status).toBe(200);
  const store = database.store<ItemDoc>(CONTAINERS.items);
  const read = async (id: string) => (await store.read('koeln', id))!;
  const invoke = async (verb: string, data: Record<string, unknown>, from: TeamsUser): Promise<InvokeBody> => {
    const res = await app.post(teams.cardAction(verb, data, { from }), headers());
    expect(res.status).toBe((res.body as InvokeBody).statusCode);
    return res.body as InvokeBody;
  };
  const ref = (r: ItemDoc) => ({ id: r.id, authority: 'koeln', rev: r.rev });
  /** A new report the head proposed a date for. */
  const proposed = async (date: string, time: string, by: TeamsUser = KOELN_HEAD): Promise<ItemDoc> => {
    const body = await invoke('report.submit', { subject: 'Mehrsprachige Bescheide (Beispiel)', summary: 'Vorschlag (Beispiel).', urgency: 'normal' }, KOELN_IB);
    expect(body.statusCode).toBe(200);
    const report = await read(body.value.refresh.action.data.id as string);
    expect((await invoke('report.proposeMeeting', { ...ref(report), date, time }, by)).statusCode).toBe(200);
    await app.delivery.whenIdle();
    return read(report.id);
  };
  const messagesTo = (who: TeamsUser) => emulator.activitiesTo(personalConversationId(who.id, APP_ID)).map((a) => String(a.text ?? ''));
  const close = async () => {
    await app.stop();
    await database.close();
    await emulator.close();
    await issuer?.close();
  };
  /** Another process on the same database (as after a restart): its relay sweeps what is pending. */
  const restart = () => startTestApp(env, { database, now, ...(issuer ? { credentialsFactory: new OfflineCredentialsFactory(APP_ID) } : {}) });
  /** Waits until the report records whether its card reached the head (the delivery report settles in the background). */
  const headReachRecorded = async (id: string) => {
    const until = Date.now() + 20_000;
    while (!(await read(id)).headReach) {
      if (Date.now() > until) throw new Error('the head reach was never recorded');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { app, store, read, invoke, ref, proposed, messagesTo, restart, headReachRecorded, close };
}

describe('the Vortrag\'s Termin without Graph: an .ics for head and IB', () => {
  // Tuesday, 1 December 2026, 10:00 in Köln.
  const now = new Date('2026-12-01T09:00:00Z');
  let s: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    s = await setUp('report-termin-ics', () => now);
  });
  afterAll(() => s.close());

  it('goes from the head\'s proposal over the IB\'s counter-proposal to the head\'s acceptance, each step in the trail', async () => {
    const report = await s.proposed('2026-12-08', '10:30');
    expect(report).toMatchObject({ status: 'termin_vorgeschlagen', termin: { date: '2026-12-08', time: '10:30', side: 'head' } });
    expect(s.messagesTo(KOELN_IB).some((m) => m.includes('Terminvorschlag zum Vortrag „Mehrsprachige Bescheide (Beispiel)“: 08.12.2026, 10:30 Uhr'))).toBe(true);
    // The IB's card: the proposal on top, "Termin annehmen" and "Anderer Termin".
    const ibCard = (await s.invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_IB)).value;
    expect(verbsOf(ibCard)).toEqual(expect.arrayContaining(['report.acceptMeeting', 'report.counterMeeting']));
    expect(json(ibCard)).toContain('08.12.2026, 10:30 Uhr');
    expect(json(ibCard)).toContain('Termin annehmen');
    // The head side waits: no Termin buttons for them now.
    expect(verbsOf((await s.invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_HEAD)).value)).not.toContain('report.acceptMeeting');

    const counter = await s.invoke('report.counterMeeting', { ...s.ref(report), date: '2026-12-09', time: '14:00' }, KOELN_IB);
    expect(counter.statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const countered = await s.read(report.id);
    expect(countered).toMatchObject({ status: 'termin_gegenvorschlag', termin: { date: '2026-12-09', time: '14:00', side: 'ib', proposals: 2 } });
    for (const who of [KOELN_HEAD, KOELN_OFFICE]) {
      expect(s.messagesTo(who).some((m) => m.includes('einen anderen Termin vor: 09.12.2026, 14:00 Uhr'))).toBe(true);
    }
    const headCard = (await s.invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_HEAD)).value;
    expect(verbsOf(headCard)).toEqual(expect.arrayContaining(['report.acceptMeeting', 'report.counterMeeting']));
    expect(json(headCard)).toContain('Vorschlag von Sabine Schmitz (Beispiel)');

    const accepted = await s.invoke('report.acceptMeeting', s.ref(countered), KOELN_HEAD);
    expect(accepted.statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const agreed = await s.read(report.id);
    expect(agreed).toMatchObject({ status: 'termin_vereinbart', termin: { date: '2026-12-09', time: '14:00', agreed: { by: { aadObjectId: KOELN_HEAD.aadObjectId } }, invitation: { state: 'ics' } } });
    expect(agreed.pending ?? []).toEqual([]);
    // (The delivery report's entry, "Leitung erreicht", comes when the head's card settled: not a step of the Termin.)
    // (…and the calendar entry's outcome, here the .ics, is a system entry of its own.)
    expect(agreed.trail!.map((e) => e.action).filter((a) => a !== 'report.headReached')).toEqual(['report.create', 'report.decide', 'report.counterMeeting', 'report.acceptMeeting', 'report.invitation']);
    expect(agreed.trail!.flatMap((e) => e.changes.filter((c) => c.path.startsWith('/termin') && !c.path.endsWith('/invitation')).map((c) => c.to))).toEqual(['2026-12-08T10:30', '2026-12-09T14:00', '2026-12-09T14:00']);

    // Both get the invitation: the card of each shows the agreed date and the .ics link; the IB is told with it.
    for (const who of [KOELN_IB, KOELN_HEAD]) {
      const card = json((await s.invoke('request.refresh', { id: report.id, authority: 'koeln' }, who)).value);
      expect(card).toContain('Termin vereinbart: 09.12.2026, 14:00 Uhr');
      expect(card).toContain('In den Kalender (.ics)');
      expect(card).toMatch(/\/kalender\/[A-Za-z0-9_-]{22}\.ics/);
    }
    const told = s.messagesTo(KOELN_IB).find((m) => m.startsWith('Termin zum Vortrag'))!;
    expect(told).toContain('09.12.2026, 14:00 Uhr');
    const path = /\/kalender\/[A-Za-z0-9_-]{22}\.ics/.exec(told)![0];
    const ics = await fetch(`${s.app.url}${path}`);
    expect(ics.status).toBe(200);
    expect(ics.headers.get('content-type')).toContain('text/calendar');
    const body = await ics.text();
    expect(body).toContain('DTSTART;TZID=Europe/Berlin:20261209T140000');
    expect(body).toContain('DTEND;TZID=Europe/Berlin:20261209T150000');
    expect(body).toContain('SUMMARY:Vortrag der oder des IB: Mehrsprachige Bescheide (Beispiel)');
    // An unknown token is no calendar file.
    expect((await fetch(`${s.app.url}/kalender/AAAAAAAAAAAAAAAAAAAAAA.ics`)).status).toBe(404);

    // The trail as the chat shows it names each date.
    const trail = await s.invoke('request.trail', { id: report.id, authority: 'koeln' }, KOELN_IB);
    expect(trail.statusCode).toBe(200);
    const lines = s.messagesTo(KOELN_IB).find((m) => m.startsWith('Verlauf zu'))!;
    expect(lines).toContain('anderen Termin vorgeschlagen → Anderer Termin vorgeschlagen: 09.12.2026, 14:00 Uhr');
    expect(lines).toContain('Termin angenommen → Termin vereinbart: 09.12.2026, 14:00 Uhr');
  });

  it('refuses the office accepting for the IB (403), and the IB accepting a date already superseded (nothing changes)', async () => {
    const report = await s.proposed('2026-12-08', '10:30');
    expect((await s.invoke('report.acceptMeeting', s.ref(report), KOELN_OFFICE)).statusCode).toBe(403);
    expect((await s.invoke('report.acceptMeeting', s.ref(report), STAFF)).statusCode).toBe(403);
    expect((await s.invoke('report.counterMeeting', { ...s.ref(report), date: '2026-12-09', time: '10:00' }, KOELN_OFFICE)).statusCode).toBe(403);
    expect(await s.read(report.id)).toMatchObject({ status: 'termin_vorgeschlagen', rev: report.rev });

    // The IB proposes another date, the office (which may decide in Köln) proposes yet another.
    expect((await s.invoke('report.counterMeeting', { ...s.ref(report), date: '2026-12-09', time: '14:00' }, KOELN_IB)).statusCode).toBe(200);
    const countered = await s.read(report.id);
    // Now the IB may not accept their own proposal: it is the head side's turn.
    expect((await s.invoke('report.acceptMeeting', s.ref(countered), KOELN_IB)).statusCode).toBe(403);
    expect((await s.invoke('report.counterMeeting', { ...s.ref(countered), date: '2026-12-10', time: '09:00' }, KOELN_OFFICE)).statusCode).toBe(200);
    const again = await s.read(report.id);
    expect(again).toMatchObject({ status: 'termin_vorgeschlagen', termin: { date: '2026-12-10', time: '09:00', side: 'head', by: { aadObjectId: KOELN_OFFICE.aadObjectId } } });

    // The IB clicks "Termin annehmen" on the card of the head's first proposal (8 December), superseded since.
    const stale = await s.invoke('report.acceptMeeting', s.ref(report), KOELN_IB);
    expect(stale.statusCode).toBe(200);
    expect(json(stale.value)).toContain('Nichts geändert');
    expect(json(stale.value)).toContain('10.12.2026, 09:00 Uhr');
    expect(await s.read(report.id)).toMatchObject({ status: 'termin_vorgeschlagen', rev: again.rev, termin: { date: '2026-12-10' } });
    // On the current card it works.
    expect((await s.invoke('report.acceptMeeting', s.ref(again), KOELN_IB)).statusCode).toBe(200);
    expect(await s.read(report.id)).toMatchObject({ status: 'termin_vereinbart', termin: { date: '2026-12-10', agreed: { by: { aadObjectId: KOELN_IB.aadObjectId } } } });
  });

  it('refuses a date in the past, and a time already over today, with a sentence at the field; nothing is stored', async () => {
    const report = await s.proposed('2026-12-08', '10:30');
    const past = await s.invoke('report.counterMeeting', { ...s.ref(report), date: '2026-11-30', time: '14:00' }, KOELN_IB);
    expect(past.statusCode).toBe(200);
    expect(fieldErrorsOf(past.value)).toEqual(['Das Datum liegt in der Vergangenheit: bitte wählen Sie ein Datum ab heute.']);
    // What was typed comes back into the inputs.
    expect(json(past.value)).toContain('"value":"2026-11-30"');
    const over = await s.invoke('report.counterMeeting', { ...s.ref(report), date: '2026-12-01', time: '09:30' }, KOELN_IB);
    expect(fieldErrorsOf(over.value)).toEqual(['Die Uhrzeit ist heute schon vorbei: bitte wählen Sie eine spätere.']);
    const missing = await s.invoke('report.counterMeeting', { ...s.ref(report), date: '', time: '14:00' }, KOELN_IB);
    expect(fieldErrorsOf(missing.value)).toEqual(['Bitte füllen Sie dieses Feld aus.']);
    expect(await s.read(report.id)).toMatchObject({ status: 'termin_vorgeschlagen', rev: report.rev, termin: { date: '2026-12-08' } });
    // The head's own first proposal in the past: the same sentence, on the head's card.
    const body = await s.invoke('report.submit', { subject: 'Zweiter Vortrag (Beispiel)', summary: 'Kurz (Beispiel).', urgency: 'normal' }, KOELN_IB);
    const second = await s.read(body.value.refresh.action.data.id as string);
    const refused = await s.invoke('report.proposeMeeting', { ...s.ref(second), date: '2026-11-30', time: '10:30' }, KOELN_HEAD);
    expect(fieldErrorsOf(refused.value)).toEqual(['Das Datum liegt in der Vergangenheit: bitte wählen Sie ein Datum ab heute.']);
    expect((await s.read(second.id)).status).toBe('eingereicht');
  });

  it('in English: the IB accepts the head\'s proposal ("Accept date"), the past date refused in English', async () => {
    const report = await s.proposed('2026-12-08', '10:30', KOELN_HEAD_EN);
    const card = (await s.invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_IB_EN)).value;
    expect(json(card)).toContain('Accept date');
    expect(json(card)).toContain('Other date');
    expect(json(card)).toContain('8 Dec 2026, 10:30');
    const past = await s.invoke('report.counterMeeting', { ...s.ref(report), date: '2026-11-30', time: '14:00' }, KOELN_IB_EN);
    expect(fieldErrorsOf(past.value)).toEqual(['The date is in the past: please choose today or a later date.']);
    const done = await s.invoke('report.acceptMeeting', s.ref(report), KOELN_IB_EN);
    expect(done.statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const shown = json((await s.invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_IB_EN)).value);
    expect(shown).toContain('Meeting agreed: 8 Dec 2026, 10:30');
    expect(shown).toContain('Add to calendar (.ics)');
  });
});

describe('the Vortrag\'s Termin with Graph: a Teams meeting in the meeting mailbox for head and IB', () => {
  const now = new Date('2026-12-01T09:00:00Z');
  let graph: GraphStandIn;
  let s: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    graph = await startGraphStandIn({ clientId: DEFAULT_BOT_APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: ['Calendars.ReadWrite'] });
    graph.addUser({ id: stableGuid('vortrag-mailbox'), upn: MAILBOX });
    s = await setUp('report-termin-graph', () => now, graph);
  });
  afterAll(async () => {
    await s.close();
    await graph.close();
  });

  it('invites head and IB once, even when the invitation is carried out again or the acceptance is repeated', async () => {
    const report = await s.proposed('2026-12-08', '10:30');
    expect((await s.invoke('report.counterMeeting', { ...s.ref(report), date: '2026-12-09', time: '14:00' }, KOELN_IB)).statusCode).toBe(200);
    const countered = await s.read(report.id);
    expect((await s.invoke('report.acceptMeeting', s.ref(countered), KOELN_HEAD)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const events = () => graph.events.filter((e) => e.transactionId === `report:${report.id}`);
    expect(events()).toHaveLength(1);
    expect(events()[0]).toMatchObject({ mailbox: MAILBOX, isOnlineMeeting: true, cancelled: false, subject: 'Vortrag der oder des IB: Mehrsprachige Bescheide (Beispiel)' });
    expect([...events()[0]!.attendees].sort()).toEqual([HEAD_MAIL, IB_MAIL].sort());
    expect(events()[0]!.start).toEqual({ dateTime: expect.stringMatching(/^2026-12-09T14:00:00/), timeZone: 'Europe/Berlin' });
    expect(events()[0]!.end).toEqual({ dateTime: expect.stringMatching(/^2026-12-09T15:00:00/), timeZone: 'Europe/Berlin' });
    const agreed = await s.read(report.id);
    expect(agreed.termin!.invitation).toMatchObject({ state: 'created', eventId: events()[0]!.id, joinUrl: events()[0]!.joinUrl });
    // Both cards carry the join link; the IB's message says the invitation is in their calendar.
    for (const who of [KOELN_IB, KOELN_HEAD]) {
      const card = json((await s.invoke('request.refresh', { id: report.id, authority: 'koeln' }, who)).value);
      expect(card).toContain('An Teams-Besprechung teilnehmen');
      expect(card).not.toContain('In den Kalender (.ics)');
    }
    expect(s.messagesTo(KOELN_IB).some((m) => m.startsWith('Termin zum Vortrag') && m.includes('An Teams-Besprechung teilnehmen'))).toBe(true);

    // A repeated click on the card that accepted: out of date, nothing made again.
    expect(json((await s.invoke('report.acceptMeeting', s.ref(countered), KOELN_HEAD)).value)).toContain('Nichts geändert');
    // A process that died after Graph made the event and before it recorded it: the next process's sweep carries the
    // notice out again, and the create's transactionId makes Graph answer with the event made before. First the
    // delivery report of the head's card is recorded (a write of this process that would otherwise relay the notice).
    await s.headReachRecorded(report.id);
    const settled = await s.read(report.id);
    await s.store.upsert({ ...settled, termin: { ...settled.termin!, invitation: { state: 'pending' } }, pending: [{ key: invitationKey(report.id), kind: INVITATION_NOTICE, rev: settled.rev }], pendingSince: 0 });
    const next = await s.restart();
    try {
      await next.delivery.relay.sweep(0);
      await next.delivery.whenIdle();
    } finally {
      await next.stop();
    }
    expect(graph.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/events`)).length).toBe(2);
    expect(events()).toHaveLength(1);
    expect((await s.read(report.id)).pending ?? []).toEqual([]);
    expect((await s.read(report.id)).termin!.invitation).toMatchObject({ state: 'created', eventId: events()[0]!.id });
  });

  it('falls back to the .ics when the permission for calendars is withdrawn', async () => {
    graph.revoke('Calendars.ReadWrite');
    graph.expireTokens();
    const report = await s.proposed('2026-12-10', '09:00');
    expect((await s.invoke('report.acceptMeeting', s.ref(report), KOELN_IB)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    expect((await s.read(report.id)).termin!.invitation).toEqual({ state: 'ics' });
    expect(json((await s.invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_HEAD)).value)).toContain('In den Kalender (.ics)');
  });
});
