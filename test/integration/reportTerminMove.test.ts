import type { ItemDoc } from '../../services/requests/model';
import { INVITATION_JOB_KIND } from '../../services/requests/termin';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { DocumentStore } from '../../services/storage/documentStore';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, type TeamsUser } from '../support/activities';
import { OFFLINE_OUTBOUND_TOKEN, OfflineCredentialsFactory, testModeAuthEnv } from '../support/authConfig';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startGraphStandIn, stableGuid, type GraphStandIn } from '../support/graphStandIn';
import { startTestApp, type TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';
import { KOELN_IB, KOELN_IB_EN, KOELN_HEAD, KOELN_OFFICE, DETMOLD_IB, DETMOLD_HEAD, STAFF } from '../support/demoPeople';

/**
 * The Vortrag's Termin after a date is agreed (RdErl. v. 5.12.2023, Nr. 4; issue 17) over HTTP: either side moves the
 * agreed date (the negotiation opens again, the agreed date holds until the new one is accepted; the same Graph event
 * is updated, or the .ics keeps its UID with a higher SEQUENCE) or cancels it (optional reason; the event cancelled or
 * the .ics METHOD:CANCEL; the report waits for a new date). A failed Graph call is tried again by a job; a proposal
 * left unanswered brings one reminder to the side that has to answer it.
 */

const MAILBOX = 'vortraege@bezreg-koeln.example';

type InvokeBody = { statusCode: number; type: string; value: any };
const json = (v: unknown) => JSON.stringify(v);
const verbsOf = (card: unknown) => [...json(card).matchAll(/"verb":"([^"]+)"/g)].map((m) => m[1]);
const fieldErrorsOf = (card: unknown) => [...json(card).matchAll(/"type":"TextBlock","text":"([^"]*)","color":"Attention","size":"Small"/g)].map((m) => m[1]);

jest.setTimeout(90_000);

/**
 * One app on its own database, the people installed, for this describe block (started before all its tests, closed
 * after them); `clock` moves the product's time. With `graph`, the app uses a Graph stand-in that may write the meeting
 * mailbox's calendar.
 */
function useSetUp(name: string, clock: { now: Date }, options: { graph?: boolean } = {}) {
  const APP_ID = DEFAULT_BOT_APP_ID;
  let graph: GraphStandIn | undefined;
  let issuer: TokenIssuer | undefined;
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  let store: DocumentStore<ItemDoc>;
  let env: Record<string, string> = {};
  const now = () => clock.now;
  const start = () => startTestApp(env, { database, now, ...(issuer ? { credentialsFactory: new OfflineCredentialsFactory(APP_ID) } : {}) });
  const headers = () => (issuer ? { headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } } : {});
  beforeAll(async () => {
    if (options.graph) {
      graph = await startGraphStandIn({ clientId: DEFAULT_BOT_APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: ['Calendars.ReadWrite'] });
      graph.addUser({ id: stableGuid('vortrag-mailbox'), upn: MAILBOX });
      issuer = await startTokenIssuer({ appId: APP_ID, endorsements: ['msteams'] });
    }
    emulator = await startChannelEmulator(issuer ? { expectedAuthorization: `Bearer ${OFFLINE_OUTBOUND_TOKEN}` } : {});
    database = await openDatabase({ databaseId: name });
    env = graph && issuer ? { ...graph.env(), GRAPH_MEETING_MAILBOX: MAILBOX, HOST: '127.0.0.1', ...testModeAuthEnv({ appId: APP_ID, issuer, tenantId: DEFAULT_TENANT_ID }) } : {};
    app = await start();
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl, ...(issuer ? { botAppId: APP_ID } : {}) });
    for (const p of [STAFF, KOELN_IB, KOELN_HEAD, KOELN_OFFICE, DETMOLD_IB, DETMOLD_HEAD]) expect((await app.post(teams.installationUpdate('add', { from: p }), headers())).status).toBe(200);
    store = database.store<ItemDoc>(CONTAINERS.items);
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
    await issuer?.close();
    await graph?.close();
  });
  const read = async (id: string) => (await store.read('koeln', id))!;
  const invoke = async (verb: string, data: Record<string, unknown>, from: TeamsUser): Promise<InvokeBody> => {
    const res = await app.post(teams.cardAction(verb, data, { from }), headers());
    expect(res.status).toBe((res.body as InvokeBody).statusCode);
    return res.body as InvokeBody;
  };
  const ref = (r: ItemDoc) => ({ id: r.id, authority: 'koeln', rev: r.rev });
  const card = async (r: ItemDoc, who: TeamsUser) => (await invoke('request.refresh', { id: r.id, authority: 'koeln' }, who)).value;
  /** A new report whose date the head proposed and the IB accepted. */
  const agreed = async (date = '2026-12-08', time = '10:30', ib: TeamsUser = KOELN_IB): Promise<ItemDoc> => {
    const body = await invoke('report.submit', { subject: 'Mehrsprachige Bescheide (Beispiel)', summary: 'Vorschlag (Beispiel).', urgency: 'normal' }, ib);
    expect(body.statusCode).toBe(200);
    const id = body.value.refresh.action.data.id as string;
    expect((await invoke('report.proposeMeeting', { ...ref(await read(id)), date, time }, KOELN_HEAD)).statusCode).toBe(200);
    expect((await invoke('report.acceptMeeting', ref(await read(id)), ib)).statusCode).toBe(200);
    await app.delivery.whenIdle();
    const stored = await read(id);
    expect(stored.status).toBe('termin_vereinbart');
    return stored;
  };
  const messagesTo = (who: TeamsUser) => emulator.activitiesTo(personalConversationId(who.id, APP_ID)).map((a) => String(a.text ?? ''));
  const icsOf = async (r: ItemDoc) => {
    const res = await fetch(`${app.url}/kalender/${r.termin?.icsToken ?? r.terminCancelled?.icsToken}.ics`);
    expect(res.status).toBe(200);
    return res.text();
  };
  /** What the person now sees in their chat with the bot (posted cards with their updates applied). */
  const visibleTo = (who: TeamsUser) => emulator.visibleActivities(personalConversationId(who.id, APP_ID));
  return {
    get app() { return app; },
    get store() { return store; },
    /** The Graph stand-in (with `graph` only). */
    get graph() {
      if (!graph) throw new Error('this describe block started no Graph stand-in');
      return graph;
    },
    read, invoke, ref, card, agreed, messagesTo, visibleTo, icsOf, start,
  };
}

describe('an agreed Vortrag date moved and cancelled, without Graph (the .ics)', () => {
  // Tuesday, 1 December 2026, 10:00 in Köln.
  const clock = { now: new Date('2026-12-01T09:00:00Z') };
  const s = useSetUp('report-termin-move-ics', clock);

  it('moves: the head proposes a new date, the agreed one stays shown until the IB accepts; the .ics keeps its UID with a higher SEQUENCE', async () => {
    const report = await s.agreed();
    const before = await s.icsOf(report);
    expect(before).toContain('DTSTART;TZID=Europe/Berlin:20261208T103000');
    const uid = /UID:(.*)\r\n/.exec(before)![1];
    const sequence = Number(/SEQUENCE:(\d+)/.exec(before)![1]);
    // Both sides may move or cancel an agreed date; the office which may decide too.
    for (const who of [KOELN_IB, KOELN_HEAD, KOELN_OFFICE]) expect(verbsOf(await s.card(report, who))).toEqual(expect.arrayContaining(['report.moveMeeting', 'report.cancelMeeting']));
    expect(json(await s.card(report, KOELN_HEAD))).toContain('Termin verschieben');

    const moved = await s.invoke('report.moveMeeting', { ...s.ref(report), date: '2026-12-10', time: '09:00' }, KOELN_HEAD);
    expect(moved.statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const moving = await s.read(report.id);
    expect(moving).toMatchObject({ status: 'termin_vorgeschlagen', termin: { date: '2026-12-10', time: '09:00', moving: { date: '2026-12-08', time: '10:30' }, icsToken: report.termin!.icsToken } });
    expect(moving.closedAt).toBeUndefined();
    expect(s.messagesTo(KOELN_IB).some((m) => m.includes('(08.12.2026, 10:30 Uhr) soll verschoben werden auf: 10.12.2026, 09:00 Uhr'))).toBe(true);
    // The IB's card: the new date to answer, with the agreed date that holds until then.
    const ibCard = json(await s.card(report, KOELN_IB));
    expect(ibCard).toContain('Terminvorschlag: 10.12.2026, 09:00 Uhr');
    expect(ibCard).toContain('Vereinbart (gilt, bis ein neuer Termin angenommen ist): 08.12.2026, 10:30 Uhr');
    expect(verbsOf(await s.card(report, KOELN_IB))).toEqual(expect.arrayContaining(['report.acceptMeeting', 'report.counterMeeting']));
    // The head's card shows the same, with the agreed date's .ics; the file still holds the agreed date.
    const headCard = json(await s.card(report, KOELN_HEAD));
    expect(headCard).toContain('Vereinbart (gilt, bis ein neuer Termin angenommen ist): 08.12.2026, 10:30 Uhr');
    expect(headCard).toContain('In den Kalender (.ics)');
    expect(await s.icsOf(moving)).toContain('DTSTART;TZID=Europe/Berlin:20261208T103000');

    expect((await s.invoke('report.acceptMeeting', s.ref(moving), KOELN_IB)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const done = await s.read(report.id);
    expect(done).toMatchObject({ status: 'termin_vereinbart', termin: { date: '2026-12-10', time: '09:00', agreed: { by: { aadObjectId: KOELN_IB.aadObjectId } }, invitation: { state: 'ics' } } });
    expect(done.termin!.moving).toBeUndefined();
    const after = await s.icsOf(done);
    expect(after).toContain('DTSTART;TZID=Europe/Berlin:20261210T090000');
    expect(/UID:(.*)\r\n/.exec(after)![1]).toBe(uid);
    expect(Number(/SEQUENCE:(\d+)/.exec(after)![1])).toBeGreaterThan(sequence);
    expect(done.trail!.map((e) => e.action).filter((a) => a.startsWith('report.') && a !== 'report.headReached')).toEqual([
      'report.create', 'report.decide', 'report.acceptMeeting', 'report.invitation', 'report.moveMeeting', 'report.acceptMeeting', 'report.invitation',
    ]);
    // The trail as the chat shows it names the dates and what came of the calendar entry.
    await s.invoke('request.trail', { id: report.id, authority: 'koeln' }, KOELN_HEAD);
    const lines = s.messagesTo(KOELN_HEAD).filter((m) => m.startsWith('Verlauf zu')).at(-1)!;
    expect(lines).toContain('Verschiebung vorgeschlagen → Termin vorgeschlagen: 10.12.2026, 09:00 Uhr');
    expect(lines).toContain('Kalendereintrag: .ics-Datei angeboten');
  });

  it('cancels (the head, in German, with a reason; the IB told in English): back to no date, the .ics as METHOD:CANCEL, a new date can be proposed', async () => {
    const report = await s.agreed('2026-12-08', '10:30', KOELN_IB_EN);
    const ibCardBefore = json(await s.card(report, KOELN_IB_EN));
    expect(ibCardBefore).toContain('Move the appointment');
    expect(ibCardBefore).toContain('Cancel the appointment');
    const cancelled = await s.invoke('report.cancelMeeting', { ...s.ref(report), cancelReason: 'Kabinettssitzung am selben Tag (Beispiel)' }, KOELN_HEAD);
    expect(cancelled.statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const open = await s.read(report.id);
    expect(open).toMatchObject({ status: 'termin_offen', terminCancelled: { date: '2026-12-08', time: '10:30', reason: 'Kabinettssitzung am selben Tag (Beispiel)', invitation: { state: 'ics' } } });
    expect(open.termin).toBeUndefined();
    expect(open.closedAt).toBeUndefined();
    // "Meine Daten" of the head holds the cancellation with the reason they gave.
    const mine = (await s.app.requests.myData(KOELN_HEAD.aadObjectId)).actedOn.find((i) => i.id === report.id);
    expect(mine?.terminCancelled).toEqual({ at: clock.now.toISOString(), date: '2026-12-08', time: '10:30', reason: 'Kabinettssitzung am selben Tag (Beispiel)' });
    expect(s.messagesTo(KOELN_IB_EN).some((m) => m.includes('The meeting on the report') && m.includes('8 Dec 2026, 10:30 is cancelled. Reason: Kabinettssitzung am selben Tag (Beispiel)'))).toBe(true);
    // The office (head side) is told in German.
    expect(s.messagesTo(KOELN_OFFICE).some((m) => m.includes('am 08.12.2026, 10:30 Uhr ist abgesagt. Grund: Kabinettssitzung'))).toBe(true);
    const ibCard = json(await s.card(open, KOELN_IB_EN));
    expect(ibCard).toContain('Meeting cancelled: 8 Dec 2026, 10:30');
    expect(ibCard).toContain('Cancellation for your calendar (.ics)');
    expect(ibCard).toContain('Meeting: no date yet');
    const ics = await s.icsOf(open);
    expect(ics).toContain('METHOD:CANCEL');
    expect(ics).toContain('STATUS:CANCELLED');
    expect(ics).toContain(`UID:${report.id}@integrations-lotse`);
    // The head proposes a new date: a new calendar entry (round 2), which the IB accepts.
    const headCard = await s.card(open, KOELN_HEAD);
    expect(json(headCard)).toContain('Sie sind dran: bitte schlagen Sie einen neuen Termin vor.');
    expect(verbsOf(headCard)).toContain('report.proposeMeeting');
    expect((await s.invoke('report.proposeMeeting', { ...s.ref(open), date: '2026-12-15', time: '11:00' }, KOELN_HEAD)).statusCode).toBe(200);
    const again = await s.read(report.id);
    expect(again).toMatchObject({ status: 'termin_vorgeschlagen', termin: { date: '2026-12-15', round: 2 } });
    expect((await s.invoke('report.acceptMeeting', s.ref(again), KOELN_IB_EN)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const second = await s.read(report.id);
    expect(second.termin!.icsToken).not.toBe(report.termin!.icsToken);
    expect(await s.icsOf(second)).toContain(`UID:${report.id}-2@integrations-lotse`);
  });

  it('lets the office cancel for the head, and the IB propose a new date after a cancellation', async () => {
    const report = await s.agreed();
    expect((await s.invoke('report.cancelMeeting', s.ref(report), KOELN_OFFICE)).statusCode).toBe(200);
    const open = await s.read(report.id);
    expect(open).toMatchObject({ status: 'termin_offen', terminCancelled: { by: { aadObjectId: KOELN_OFFICE.aadObjectId } } });
    expect(open.terminCancelled!.reason).toBeUndefined();
    expect(verbsOf(await s.card(open, KOELN_IB))).toContain('report.counterMeeting');
    expect((await s.invoke('report.counterMeeting', { ...s.ref(open), date: '2026-12-16', time: '14:00' }, KOELN_IB)).statusCode).toBe(200);
    expect(await s.read(report.id)).toMatchObject({ status: 'termin_gegenvorschlag', termin: { date: '2026-12-16', side: 'ib' } });
  });

  it('refuses: another authority (403), staff (403), a date in the past (at the field), a report without an agreed date and a stale card (nothing changes), a reason with personal data or too long', async () => {
    const report = await s.agreed();
    for (const who of [DETMOLD_IB, DETMOLD_HEAD, STAFF]) {
      expect((await s.invoke('report.moveMeeting', { ...s.ref(report), date: '2026-12-10', time: '09:00' }, who)).statusCode).toBe(403);
      expect((await s.invoke('report.cancelMeeting', s.ref(report), who)).statusCode).toBe(403);
    }
    const past = await s.invoke('report.moveMeeting', { ...s.ref(report), date: '2026-11-30', time: '09:00' }, KOELN_IB);
    expect(past.statusCode).toBe(200);
    expect(fieldErrorsOf(past.value)).toEqual(['Das Datum liegt in der Vergangenheit: bitte wählen Sie ein Datum ab heute.']);
    const personal = await s.invoke('report.cancelMeeting', { ...s.ref(report), cancelReason: 'Frau Meier ist an Krebs erkrankt.' }, KOELN_IB);
    expect(personal.statusCode).toBe(200);
    expect(json(personal.value)).toContain('personenbezogene Daten');
    const long = await s.invoke('report.cancelMeeting', { ...s.ref(report), cancelReason: 'x'.repeat(301) }, KOELN_IB);
    expect(fieldErrorsOf(long.value)).toEqual(['Bitte kürzen Sie auf höchstens 300 Zeichen.']);
    expect(await s.read(report.id)).toMatchObject({ status: 'termin_vereinbart', rev: report.rev });

    // A card from before the agreement (a stale revision): nothing changes, the current card comes back.
    const stale = await s.invoke('report.cancelMeeting', { ...s.ref(report), rev: report.rev - 1 }, KOELN_HEAD);
    expect(json(stale.value)).toContain('Nichts geändert');
    // A Vortrag with no agreed date (only proposed): nothing to move or cancel.
    const body = await s.invoke('report.submit', { subject: 'Ohne Termin (Beispiel)', summary: 'Kurz (Beispiel).', urgency: 'normal' }, KOELN_IB);
    const id = body.value.refresh.action.data.id as string;
    expect((await s.invoke('report.proposeMeeting', { ...s.ref(await s.read(id)), date: '2026-12-08', time: '10:30' }, KOELN_HEAD)).statusCode).toBe(200);
    const proposed = await s.read(id);
    const none = await s.invoke('report.moveMeeting', { ...s.ref(proposed), date: '2026-12-10', time: '09:00' }, KOELN_HEAD);
    expect(json(none.value)).toContain('Nichts geändert');
    expect(json(await s.invoke('report.cancelMeeting', s.ref(proposed), KOELN_HEAD))).toContain('Nichts geändert');
    expect(await s.read(id)).toMatchObject({ status: 'termin_vorgeschlagen', rev: proposed.rev });
    expect(await s.read(report.id)).toMatchObject({ status: 'termin_vereinbart', rev: report.rev });
  });
});

describe('an agreed Vortrag date cancelled while a move is negotiated (issue 17), without Graph', () => {
  // Tuesday, 1 December 2026, 10:00 in Köln.
  const clock = { now: new Date('2026-12-01T09:00:00Z') };
  const s = useSetUp('report-termin-cancel-moving', clock);
  const cardsIn = (who: TeamsUser) => s.visibleTo(who).filter((a) => a.attachments?.length).map((a) => json(a.attachments));

  it('the IB proposed to move it, the head cancels (German, with a reason): the agreed date is cancelled, the proposal withdrawn, the IB told in English, an old card of the proposal says "Bereits erledigt"', async () => {
    const report = await s.agreed('2026-12-08', '10:30', KOELN_IB_EN);
    const icsBefore = await s.icsOf(report);
    expect((await s.invoke('report.moveMeeting', { ...s.ref(report), date: '2026-12-10', time: '09:00' }, KOELN_IB_EN)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const moving = await s.read(report.id);
    expect(moving).toMatchObject({ status: 'termin_gegenvorschlag', termin: { moving: { date: '2026-12-08' } } });
    // The head's card: the new date to answer, and the agreed date may still be cancelled.
    expect(verbsOf(await s.card(moving, KOELN_HEAD))).toEqual(expect.arrayContaining(['report.acceptMeeting', 'report.counterMeeting', 'report.cancelMeeting']));
    // The IB, who proposed the move and waits, may cancel it too.
    expect(verbsOf(await s.card(moving, KOELN_IB_EN))).toContain('report.cancelMeeting');

    const cancelled = await s.invoke('report.cancelMeeting', { ...s.ref(moving), cancelReason: 'Kabinettssitzung am selben Tag (Beispiel)' }, KOELN_HEAD);
    expect(cancelled.statusCode).toBe(200);
    expect(json(cancelled.value)).toContain('Termin abgesagt: 08.12.2026, 10:30 Uhr');
    await s.app.delivery.whenIdle();
    const open = await s.read(report.id);
    expect(open).toMatchObject({
      status: 'termin_offen',
      terminCancelled: { date: '2026-12-08', time: '10:30', reason: 'Kabinettssitzung am selben Tag (Beispiel)', by: { aadObjectId: KOELN_HEAD.aadObjectId }, invitation: { state: 'ics' }, icsToken: report.termin!.icsToken, withdrawn: { date: '2026-12-10', time: '09:00', side: 'ib' } },
    });
    expect(open.termin).toBeUndefined();
    expect(open.trail!.find((e) => e.action === 'report.cancelMeeting')!.changes).toEqual(expect.arrayContaining([{ path: '/termin/cancelled', from: null, to: '2026-12-08T10:30' }, { path: '/termin/withdrawn', from: '2026-12-10T09:00', to: null }]));

    // Both sides told in their language: the IB in English, the office (head side) in German, each with both dates.
    expect(s.messagesTo(KOELN_IB_EN).filter((m) => m.includes('is cancelled'))).toEqual([
      expect.stringContaining('on 8 Dec 2026, 10:30 is cancelled. Reason: Kabinettssitzung am selben Tag (Beispiel) The proposal to move it to 10 Dec 2026, 09:00 is withdrawn with it.'),
    ]);
    expect(s.messagesTo(KOELN_OFFICE).filter((m) => m.includes('ist abgesagt'))).toEqual([
      expect.stringContaining('am 08.12.2026, 10:30 Uhr ist abgesagt. Grund: Kabinettssitzung am selben Tag (Beispiel) Der Vorschlag, ihn auf 10.12.2026, 09:00 Uhr zu verschieben, ist damit zurückgezogen.'),
    ]);
    // Every holder's card shows the cancellation with the reason: the head's (the answer to the click replaced it), the
    // card posted in the office's chat (updated), the IB's.
    expect(json(cancelled.value)).toContain('Der Vorschlag, den Termin auf 10.12.2026, 09:00 Uhr zu verschieben, ist damit zurückgezogen.');
    for (const who of [KOELN_OFFICE]) {
      const cards = cardsIn(who);
      expect(cards.at(-1)).toContain('Termin abgesagt: 08.12.2026, 10:30 Uhr');
      expect(cards.at(-1)).toContain('Grund: Kabinettssitzung am selben Tag (Beispiel)');
      expect(cards.at(-1)).toContain('Der Vorschlag, den Termin auf 10.12.2026, 09:00 Uhr zu verschieben, ist damit zurückgezogen.');
      expect(cards.some((c) => c.includes('report.acceptMeeting'))).toBe(false);
    }
    const ibCard = json(await s.card(open, KOELN_IB_EN));
    expect(ibCard).toContain('Meeting cancelled: 8 Dec 2026, 10:30');
    expect(ibCard).toContain('The proposal to move it to 10 Dec 2026, 09:00 is withdrawn with it.');

    // The head's old card of the proposal ("Termin annehmen"): already done, nothing changes.
    const late = await s.invoke('report.acceptMeeting', s.ref(moving), KOELN_HEAD);
    expect(late.statusCode).toBe(200);
    expect(json(late.value)).toContain('Bereits erledigt: Frieda Fiktiv (Beispiel) hat den Termin am 01.12.2026, 10:00 Uhr abgesagt; ein offener Terminvorschlag ist damit zurückgezogen.');
    expect(await s.read(report.id)).toMatchObject({ status: 'termin_offen', rev: open.rev });

    // The .ics of the agreed date: the same link now cancels it (same UID, higher SEQUENCE).
    const ics = await s.icsOf(open);
    expect(ics).toContain('METHOD:CANCEL');
    expect(/UID:(.*)\r\n/.exec(ics)![1]).toBe(/UID:(.*)\r\n/.exec(icsBefore)![1]);
    expect(Number(/SEQUENCE:(\d+)/.exec(ics)![1])).toBeGreaterThan(Number(/SEQUENCE:(\d+)/.exec(icsBefore)![1]));
  });

  it('the head proposed to move it, the IB cancels (English, no reason): the head side is told in German, the IB\'s old card says "Already done"', async () => {
    const report = await s.agreed('2026-12-08', '10:30', KOELN_IB_EN);
    expect((await s.invoke('report.moveMeeting', { ...s.ref(report), date: '2026-12-11', time: '13:00' }, KOELN_OFFICE)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const moving = await s.read(report.id);
    expect(moving.status).toBe('termin_vorgeschlagen');
    const cancelled = await s.invoke('report.cancelMeeting', s.ref(moving), KOELN_IB_EN);
    expect(cancelled.statusCode).toBe(200);
    expect(json(cancelled.value)).toContain('Meeting cancelled: 8 Dec 2026, 10:30');
    await s.app.delivery.whenIdle();
    const open = await s.read(report.id);
    expect(open).toMatchObject({ status: 'termin_offen', terminCancelled: { date: '2026-12-08', by: { aadObjectId: KOELN_IB_EN.aadObjectId }, withdrawn: { date: '2026-12-11', time: '13:00', side: 'head' } } });
    expect(open.terminCancelled!.reason).toBeUndefined();
    for (const who of [KOELN_HEAD, KOELN_OFFICE]) {
      expect(s.messagesTo(who).filter((m) => m.includes(`„Mehrsprachige Bescheide (Beispiel)“ am 08.12.2026, 10:30 Uhr ist abgesagt. Der Vorschlag, ihn auf 11.12.2026, 13:00 Uhr zu verschieben`)).length).toBeGreaterThan(0);
    }
    const late = await s.invoke('report.acceptMeeting', s.ref(moving), KOELN_IB_EN);
    expect(json(late.value)).toContain('Already done: Sabine Schmitz (Beispiel) cancelled the meeting on 1 Dec 2026, 10:00; any open proposal of a date went with it.');
    expect(await s.read(report.id)).toMatchObject({ status: 'termin_offen', rev: open.rev });
    // The withdrawn proposal's reminder sends nothing when it comes due (Thursday: two working days later).
    clock.now = new Date('2026-12-03T08:00:00Z');
    try {
      await s.app.jobs.runDue();
      await s.app.delivery.whenIdle();
      expect(s.messagesTo(KOELN_IB_EN).filter((m) => m.startsWith('Reminder') || m.startsWith('Erinnerung'))).toEqual([]);
    } finally {
      clock.now = new Date('2026-12-01T09:00:00Z');
    }
  });

  it('refuses a cancellation while a move is negotiated to another authority and to staff (403), and a reason with personal data (nothing changes)', async () => {
    const report = await s.agreed();
    expect((await s.invoke('report.moveMeeting', { ...s.ref(report), date: '2026-12-10', time: '09:00' }, KOELN_HEAD)).statusCode).toBe(200);
    const moving = await s.read(report.id);
    for (const who of [DETMOLD_IB, DETMOLD_HEAD, STAFF]) expect((await s.invoke('report.cancelMeeting', s.ref(moving), who)).statusCode).toBe(403);
    const personal = await s.invoke('report.cancelMeeting', { ...s.ref(moving), cancelReason: 'Frau Meier ist an Krebs erkrankt.' }, KOELN_IB);
    expect(json(personal.value)).toContain('personenbezogene Daten');
    expect(await s.read(report.id)).toMatchObject({ status: 'termin_vorgeschlagen', rev: moving.rev });
  });
});

describe('reminders while a proposed date waits for an answer', () => {
  const clock = { now: new Date('2026-12-01T09:00:00Z') };
  const s = useSetUp('report-termin-remind', clock);

  it('reminds the IB of the head\'s proposal and the head side of the IB\'s, once each after 2 working days, none for a proposal answered', async () => {
    const remindersTo = (who: TeamsUser) => s.messagesTo(who).filter((m) => m.startsWith('Erinnerung: Der Terminvorschlag'));
    // Report A: the head proposes; nobody answers.
    const a = await s.invoke('report.submit', { subject: 'Vortrag A (Beispiel)', summary: 'Kurz (Beispiel).', urgency: 'normal' }, KOELN_IB);
    const aId = a.value.refresh.action.data.id as string;
    expect((await s.invoke('report.proposeMeeting', { ...s.ref(await s.read(aId)), date: '2026-12-14', time: '10:30' }, KOELN_HEAD)).statusCode).toBe(200);
    // Report B: the head proposes, the IB answers at once with another date (the head side's turn now).
    const b = await s.invoke('report.submit', { subject: 'Vortrag B (Beispiel)', summary: 'Kurz (Beispiel).', urgency: 'normal' }, KOELN_IB);
    const bId = b.value.refresh.action.data.id as string;
    expect((await s.invoke('report.proposeMeeting', { ...s.ref(await s.read(bId)), date: '2026-12-14', time: '14:00' }, KOELN_HEAD)).statusCode).toBe(200);
    expect((await s.invoke('report.counterMeeting', { ...s.ref(await s.read(bId)), date: '2026-12-15', time: '09:00' }, KOELN_IB)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();

    // One working day later: nothing yet.
    clock.now = new Date('2026-12-02T10:00:00Z');
    await s.app.jobs.runDue();
    await s.app.delivery.whenIdle();
    expect(remindersTo(KOELN_IB)).toEqual([]);
    expect(remindersTo(KOELN_HEAD)).toEqual([]);

    // Thursday, 3 December: two working days.
    clock.now = new Date('2026-12-03T08:00:00Z');
    await s.app.jobs.runDue();
    await s.app.delivery.whenIdle();
    expect(remindersTo(KOELN_IB)).toEqual(['Erinnerung: Der Terminvorschlag zum Vortrag „Vortrag A (Beispiel)“ (14.12.2026, 10:30 Uhr) wartet seit 2 Arbeitstagen auf Ihre Antwort. Bitte nehmen Sie ihn auf der Karte an oder schlagen Sie einen anderen vor.']);
    for (const who of [KOELN_HEAD, KOELN_OFFICE]) expect(remindersTo(who).map((m) => m.includes('„Vortrag B (Beispiel)“ (15.12.2026, 09:00 Uhr)'))).toEqual([true]);
    expect((await s.read(aId)).trail!.filter((e) => e.action === 'report.terminReminder')).toHaveLength(1);
    expect((await s.read(bId)).trail!.filter((e) => e.action === 'report.terminReminder')).toHaveLength(1);
    // The reminder changes no revision: the cards stay valid.
    expect((await s.read(aId)).rev).toBe((await s.read(aId)).trail!.filter((e) => e.actor !== 'system').length);

    // Once: later runs send nothing more.
    clock.now = new Date('2026-12-08T08:00:00Z');
    await s.app.jobs.runDue();
    await s.app.delivery.whenIdle();
    expect(remindersTo(KOELN_IB)).toHaveLength(1);
    expect(remindersTo(KOELN_HEAD)).toHaveLength(1);
  });
});

describe('an agreed Vortrag date moved and cancelled with Graph: the same Teams meeting, retried when Graph fails', () => {
  const clock = { now: new Date('2026-12-01T09:00:00Z') };
  const s = useSetUp('report-termin-move-graph', clock, { graph: true });
  const eventsOf = (r: ItemDoc) => s.graph.events.filter((e) => e.transactionId?.startsWith(`report:${r.id}`));

  it('updates the same event when the moved date is agreed (PATCH), and cancels it with the reason', async () => {
    const report = await s.agreed();
    expect(eventsOf(report)).toHaveLength(1);
    const eventId = eventsOf(report)[0]!.id;
    expect((await s.invoke('report.moveMeeting', { ...s.ref(report), date: '2026-12-11', time: '13:00' }, KOELN_IB)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const moving = await s.read(report.id);
    expect(moving).toMatchObject({ status: 'termin_gegenvorschlag', termin: { invitation: { state: 'created', eventId } } });
    // Until the head side accepts, the event keeps the agreed date and the cards its join link.
    expect(eventsOf(report)[0]!.start).toEqual({ dateTime: expect.stringMatching(/^2026-12-08T10:30:00/), timeZone: 'Europe/Berlin' });
    expect(json(await s.card(report, KOELN_HEAD))).toContain('An Teams-Besprechung teilnehmen');
    expect((await s.invoke('report.acceptMeeting', s.ref(moving), KOELN_OFFICE)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    expect(eventsOf(report)).toHaveLength(1);
    expect(eventsOf(report)[0]).toMatchObject({ id: eventId, updates: 1, cancelled: false, start: { dateTime: expect.stringMatching(/^2026-12-11T13:00:00/), timeZone: 'Europe/Berlin' } });
    expect(s.graph.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/events/${eventId}`)).map((c) => c.status)).toEqual([200]);
    const moved = await s.read(report.id);
    expect(moved.termin!.invitation).toMatchObject({ state: 'created', eventId });
    expect(moved.trail!.filter((e) => e.action === 'report.invitation').map((e) => e.changes[0]!.to)).toEqual(['created', 'updated']);

    expect((await s.invoke('report.cancelMeeting', { ...s.ref(moved), cancelReason: 'Dienstreise (Beispiel)' }, KOELN_IB)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    expect(eventsOf(report)[0]).toMatchObject({ id: eventId, cancelled: true, cancelComment: 'Dienstreise (Beispiel)' });
    const open = await s.read(report.id);
    expect(open).toMatchObject({ status: 'termin_offen', terminCancelled: { invitation: { state: 'cancelled', eventId } } });
    expect(json(await s.card(open, KOELN_HEAD))).toContain('Die Teams-Besprechung ist abgesagt');
    expect(s.messagesTo(KOELN_HEAD).some((m) => m.includes('ist abgesagt. Grund: Dienstreise (Beispiel)'))).toBe(true);
  });

  it('cancels the agreed date\'s Teams meeting when the date is cancelled while a move is negotiated; the proposed date never reaches the calendar', async () => {
    const report = await s.agreed('2026-12-15', '10:00');
    const [event] = eventsOf(report);
    expect((await s.invoke('report.moveMeeting', { ...s.ref(report), date: '2026-12-17', time: '11:00' }, KOELN_HEAD)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const moving = await s.read(report.id);
    expect((await s.invoke('report.cancelMeeting', { ...s.ref(moving), cancelReason: 'Dienstreise (Beispiel)' }, KOELN_IB)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    expect(eventsOf(report)).toHaveLength(1);
    expect(eventsOf(report)[0]).toMatchObject({ id: event!.id, cancelled: true, cancelComment: 'Dienstreise (Beispiel)', updates: 0, start: { dateTime: expect.stringMatching(/^2026-12-15T10:00:00/) } });
    const open = await s.read(report.id);
    expect(open).toMatchObject({ status: 'termin_offen', terminCancelled: { invitation: { state: 'cancelled', eventId: event!.id }, withdrawn: { date: '2026-12-17' } } });
    expect(json(await s.card(open, KOELN_HEAD))).toContain('Die Teams-Besprechung ist abgesagt');
  });

  it('offers the .ics at once when Graph fails, tries again from a job, and shows the Teams meeting when it works; two instances make one event', async () => {
    // Graph busy for two minutes (longer than the client waits itself): the create fails now, the job tries after that.
    s.graph.throttle({ next: 1, match: '/events', status: 503, retryAfterSeconds: 120 });
    const report = await s.agreed('2026-12-09', '09:00');
    const failed = await s.read(report.id);
    expect(failed.termin!.invitation).toMatchObject({ state: 'ics', attempts: 1, retry: true });
    expect(eventsOf(report)).toHaveLength(0);
    const icsCard = json(await s.card(failed, KOELN_HEAD));
    expect(icsCard).toContain('In den Kalender (.ics)');
    expect(icsCard).toContain('der Lotse versucht es erneut');
    expect((await s.app.database.store<{ id: string; pk: string; kind: string; dueAt: number; payload: { id?: string } }>(CONTAINERS.jobs).query({ query: 'SELECT * FROM c WHERE c.kind = @k', parameters: [{ name: '@k', value: INVITATION_JOB_KIND }] })).find((j) => j.payload.id === report.id)?.dueAt).toBe(clock.now.getTime() + 120_000);
    // Both instances run their due jobs at once when it is due: the job is claimed by one, the event made once.
    clock.now = new Date(clock.now.getTime() + 3 * 60_000);
    const other = await s.start();
    try {
      await Promise.all([s.app.jobs.runDue(), other.jobs.runDue()]);
      await Promise.all([s.app.delivery.whenIdle(), other.delivery.whenIdle()]);
    } finally {
      await other.stop();
    }
    expect(eventsOf(report)).toHaveLength(1);
    const created = await s.read(report.id);
    expect(created.termin!.invitation).toMatchObject({ state: 'created', eventId: eventsOf(report)[0]!.id });
    expect(created.termin!.invitation!.retry).toBeUndefined();
    expect(json(await s.card(created, KOELN_IB))).toContain('An Teams-Besprechung teilnehmen');
    expect(created.trail!.filter((e) => e.action === 'report.invitation').map((e) => e.changes[0]!.to)).toEqual(['retry', 'created']);
  });

  it('after a crash makes the event once: the failure\'s retry notice is relayed by the next process, a create repeated after Graph answered finds the same event', async () => {
    const report = await s.agreed('2026-12-14', '09:30');
    expect(eventsOf(report)).toHaveLength(1);
    await s.app.delivery.whenIdle();
    const made = await s.read(report.id);
    // As if a process made the event, died before recording it, and its failure write (retry, with the job's notice)
    // is all that was stored of an earlier attempt: pending in the document, not yet relayed.
    const at = new Date(clock.now.getTime() + 60_000).toISOString();
    await s.store.upsert({ ...made, termin: { ...made.termin!, invitation: { state: 'ics', attempts: 1, retry: true } }, pending: [{ key: `item:${report.id}:invitation:retry:1`, kind: 'job.invitationRetry', data: { at }, rev: made.rev }], pendingSince: 0 });
    const next = await s.start();
    try {
      await next.delivery.relay.sweep(0);
      await next.delivery.whenIdle();
      clock.now = new Date(clock.now.getTime() + 2 * 60_000);
      await next.jobs.runDue();
      await next.delivery.whenIdle();
    } finally {
      await next.stop();
    }
    expect(eventsOf(report)).toHaveLength(1);
    const recorded = await s.read(report.id);
    expect(recorded.termin!.invitation).toMatchObject({ state: 'created', eventId: eventsOf(report)[0]!.id });
    expect(recorded.pending ?? []).toEqual([]);
  });

  it('gives up after a bounded number of tries: the .ics stands and the trail says so', async () => {
    s.graph.throttle({ next: 1000, match: '/events', status: 503, retryAfterSeconds: 0 });
    try {
      const report = await s.agreed('2026-12-10', '15:00');
      for (let run = 0; run < 6; run++) {
        await s.app.jobs.runDue();
        await s.app.delivery.whenIdle();
      }
      const stored = await s.read(report.id);
      expect(stored.termin!.invitation).toMatchObject({ state: 'ics', attempts: 5, failed: true });
      expect(stored.trail!.filter((e) => e.action === 'report.invitation').map((e) => e.changes[0]!.to)).toEqual(['retry', 'retry', 'retry', 'retry', 'failed']);
      expect(json(await s.card(stored, KOELN_HEAD))).toContain('konnte nicht angepasst werden');
      const jobs = await s.app.database.store<{ id: string; pk: string; kind: string; open: boolean; payload: { id?: string } }>(CONTAINERS.jobs).query({ query: 'SELECT * FROM c WHERE c.kind = @k', parameters: [{ name: '@k', value: INVITATION_JOB_KIND }] });
      expect(jobs.filter((j) => j.payload.id === report.id && j.open)).toEqual([]);
    } finally {
      s.graph.throttle({ next: 0 });
    }
  });
});

describe('no invitation after a cancellation: the Termin cancelled before Graph\'s first create was recorded (issue 17)', () => {
  const clock = { now: new Date('2026-12-01T09:00:00Z') };
  const s = useSetUp('report-termin-cancel-unrecorded', clock, { graph: true });
  afterEach(() => s.graph.throttle({ next: 0 }));
  const eventsOf = (r: ItemDoc) => s.graph.events.filter((e) => e.transactionId?.startsWith(`report:${r.id}`));
  /** Creates Graph answered with an event (201): every invitation head and IB got from Exchange. */
  const creates = () => s.graph.calls.filter((c) => c.method === 'POST' && /\/events$/.test(c.path) && c.status === 201).length;
  const outcomes = (r: ItemDoc) => r.trail!.filter((e) => e.action === 'report.invitation').map((e) => e.changes[0]!.to);
  const openJobs = async (r: ItemDoc) =>
    (await s.app.database.store<{ id: string; pk: string; kind: string; open: boolean; payload: { id?: string } }>(CONTAINERS.jobs).query({ query: 'SELECT * FROM c WHERE c.kind = @k', parameters: [{ name: '@k', value: INVITATION_JOB_KIND }] })).filter((j) => j.payload.id === r.id && j.open);
  const icsLinkIn = (text: string | undefined) => /\((http:\/\/127\.0\.0\.1:\d+\/kalender\/[A-Za-z0-9_-]{22}\.ics)\)/.exec(text ?? '')?.[1];
  const fetchIcs = async (url: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res.text();
  };
  const later = async (minutes: number) => {
    clock.now = new Date(clock.now.getTime() + minutes * 60_000);
    await s.app.jobs.runDue();
    await s.app.delivery.whenIdle();
  };

  it('Graph fails at the agreement and still at the cancellation, then recovers: no event is made, the job stops (trail "stopped"), the .ics invitation sent before is followed by its CANCEL', async () => {
    // The create fails (Graph busy for two minutes), and so does the look-up of the cancellation.
    s.graph.throttle({ next: 2, match: '/events', status: 503, retryAfterSeconds: 120 });
    const before = creates();
    const report = await s.agreed('2026-12-09', '09:00');
    expect((await s.read(report.id)).termin!.invitation).toMatchObject({ state: 'ics', attempts: 1, retry: true });
    // The head got the agreement (the IB accepted it) with the .ics: an invitation for their calendar.
    const agreedMessage = s.messagesTo(KOELN_HEAD).filter((m) => m.includes('vereinbart')).at(-1);
    const icsUrl = icsLinkIn(agreedMessage)!;
    expect(icsUrl).toBeDefined();
    const invitation = await fetchIcs(icsUrl);
    expect(invitation).not.toContain('METHOD:CANCEL');
    const seen = s.messagesTo(KOELN_HEAD).length;

    expect((await s.invoke('report.cancelMeeting', { ...s.ref(report), cancelReason: 'Dienstreise (Beispiel)' }, KOELN_IB)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    const open = await s.read(report.id);
    expect(open).toMatchObject({ status: 'termin_offen', terminCancelled: { invitation: { state: 'ics', retry: true, attempts: 1 } } });
    expect(outcomes(open)).toEqual(['retry', 'retry']);

    // Graph answers again; the job comes due: it looks the event up (none), makes none, and stops.
    await later(3);
    expect(eventsOf(report)).toEqual([]);
    expect(creates()).toBe(before);
    const stopped = await s.read(report.id);
    expect(stopped.terminCancelled!.invitation).toEqual({ state: 'ics' });
    expect(outcomes(stopped)).toEqual(['retry', 'retry', 'stopped']);
    expect(await openJobs(report)).toEqual([]);
    // Nothing further when later jobs run.
    await later(60);
    expect(creates()).toBe(before);

    // The receiver's side: after the cancellation one message, the cancellation with the .ics CANCEL under the same
    // link (same UID, higher SEQUENCE); no invitation.
    const after = s.messagesTo(KOELN_HEAD).slice(seen);
    expect(after).toHaveLength(1);
    expect(after[0]).toContain('am 09.12.2026, 09:00 Uhr ist abgesagt. Grund: Dienstreise (Beispiel)');
    expect(after[0]).toContain('[Absage in den Kalender (.ics)]');
    expect(icsLinkIn(after[0])).toBe(icsUrl);
    const cancel = await fetchIcs(icsUrl);
    expect(cancel).toContain('METHOD:CANCEL');
    expect(/UID:(.*)\r\n/.exec(cancel)![1]).toBe(/UID:(.*)\r\n/.exec(invitation)![1]);
    expect(Number(/SEQUENCE:(\d+)/.exec(cancel)![1])).toBeGreaterThan(Number(/SEQUENCE:(\d+)/.exec(invitation)![1]));
    const card = json(await s.card(stopped, KOELN_HEAD));
    expect(card).toContain('Absage in den Kalender (.ics)');
    expect(card).not.toContain('versucht es erneut');
    // The trail as the chat shows it names the outcome.
    await s.invoke('request.trail', { id: report.id, authority: 'koeln' }, KOELN_HEAD);
    expect(s.messagesTo(KOELN_HEAD).filter((m) => m.startsWith('Verlauf zu')).at(-1)).toContain('Kalendereintrag: keine Teams-Besprechung angelegt, da der Termin abgesagt ist');
  });

  it('Graph fails at the agreement and recovers before the cancellation: the cancellation finds no event and makes none; the create\'s retry job then does nothing', async () => {
    s.graph.throttle({ next: 1, match: '/events', status: 503, retryAfterSeconds: 120 });
    const before = creates();
    const report = await s.agreed('2026-12-10', '14:00', KOELN_IB_EN);
    expect((await s.read(report.id)).termin!.invitation).toMatchObject({ retry: true });
    expect((await s.invoke('report.cancelMeeting', s.ref(report), KOELN_IB_EN)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    expect(outcomes(await s.read(report.id))).toEqual(['retry', 'stopped']);
    // The retry job of the create comes due after the cancellation.
    await later(3);
    expect(eventsOf(report)).toEqual([]);
    expect(creates()).toBe(before);
    const stored = await s.read(report.id);
    expect(outcomes(stored)).toEqual(['retry', 'stopped']);
    expect(await openJobs(report)).toEqual([]);
    // The head side is told in German with the .ics cancellation; the IB's card (English) offers it too.
    expect(s.messagesTo(KOELN_HEAD).filter((m) => m.includes('am 10.12.2026, 14:00 Uhr ist abgesagt')).map((m) => !!icsLinkIn(m))).toEqual([true]);
    expect(json(await s.card(stored, KOELN_IB_EN))).toContain('Cancellation for your calendar (.ics)');
  });

  it('Graph made the event but the process died before recording it; the date is cancelled before a sweep relays the agreement: the event is found by its transactionId and cancelled, no agreement message goes out after the cancellation', async () => {
    const report = await s.agreed('2026-12-16', '10:00');
    expect(eventsOf(report)).toHaveLength(1);
    const eventId = eventsOf(report)[0]!.id;
    const before = creates();
    const made = await s.read(report.id);
    // As another instance left it: the agreement's invitation not recorded (Graph's answer lost) and its notices not
    // relayed yet (new keys: this process never relayed them); not due for this process's sweep.
    await s.store.upsert({
      ...made,
      termin: { ...made.termin!, invitation: { state: 'pending' } },
      pending: [
        { key: `item:${report.id}:invitation:r${made.rev}:lost`, kind: 'report.invitation', rev: made.rev },
        { key: `item:${report.id}:r${made.rev}:termin:${KOELN_IB.aadObjectId}:lost`, kind: 'message', to: [KOELN_IB.aadObjectId], data: { text: 'meetingAgreed', status: 'termin_vereinbart', previous: 'termin_vorgeschlagen', date: '2026-12-16', time: '10:00', round: 1 }, rev: made.rev },
      ],
      pendingSince: Number.MAX_SAFE_INTEGER,
    });
    const seen = s.messagesTo(KOELN_IB).length;
    expect((await s.invoke('report.cancelMeeting', { ...s.ref(made), cancelReason: 'Landtagssitzung (Beispiel)' }, KOELN_HEAD)).statusCode).toBe(200);
    await s.app.delivery.whenIdle();
    // The calendar: the one event, cancelled with the reason (Exchange sends the cancellation); no second create.
    expect(eventsOf(report)).toHaveLength(1);
    expect(eventsOf(report)[0]).toMatchObject({ id: eventId, cancelled: true, cancelComment: 'Landtagssitzung (Beispiel)' });
    expect(creates()).toBe(before);
    const open = await s.read(report.id);
    expect(open.terminCancelled!.invitation).toEqual({ state: 'cancelled', eventId });
    expect(outcomes(open).at(-1)).toBe('cancelled');
    expect(open.pending ?? []).toEqual([]);
    // The receiver: only the cancellation, no "Termin vereinbart" after it.
    const after = s.messagesTo(KOELN_IB).slice(seen);
    expect(after.filter((m) => m.includes('vereinbart'))).toEqual([]);
    expect(after.filter((m) => m.includes('ist abgesagt. Grund: Landtagssitzung (Beispiel)'))).toHaveLength(1);
    // Graph cancelled the meeting: no .ics cancellation needed in the message.
    expect(after.some((m) => m.includes('.ics'))).toBe(false);
  });
});
