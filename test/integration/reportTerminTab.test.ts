import { DECISION_VERBS, REQUEST_VERBS, type ItemDoc } from '../../services/requests/model';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/**
 * Head and office decide a Vortrag in the personal tab as on the card, the Termin included: the tab runs the chat's
 * verb table (requestItemVerbs), so the service re-checks who may act from stored data here too.
 */

/** People of the demo directory (fictitious; the Köln office may decide). */
const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const KOELN_HEAD = '00000000-0000-4000-8000-000400000003';
const KOELN_OFFICE = '00000000-0000-4000-8000-000400000004';
const DETMOLD_HEAD = '00000000-0000-4000-8000-000200000003';
/** Tuesday, 1 December 2026, 10:00 in Berlin. */
const NOW = new Date('2026-12-01T09:00:00Z');

type Card = Record<string, unknown>;
interface Execute {
  type: 'Action.Execute';
  verb: string;
  data: Record<string, unknown>;
}
/** Every Action.Execute of a card, also those inside an Action.ShowCard's input area. */
function executes(node: unknown, out: Execute[] = []): Execute[] {
  if (Array.isArray(node)) for (const n of node) executes(n, out);
  else if (node && typeof node === 'object') {
    if ((node as { type?: unknown }).type === 'Action.Execute') out.push(node as Execute);
    for (const v of Object.values(node)) executes(v, out);
  }
  return out;
}
const actionOf = (card: Card, verb: string): Execute => {
  const found = executes(card).find((a) => a.verb === verb);
  if (!found) throw new Error(`no ${verb} on the card: ${executes(card).map((a) => a.verb).join(', ')}`);
  return found;
};

describe('the Vortrag decided in the tab, with its Termin', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;

  async function call(method: string, path: string, oid: string, body?: unknown, lang = 'de-DE') {
    const token = issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, name: 'Person (Beispiel)' });
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'accept-language': lang, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }
  const open = (oid: string, item: ItemDoc, lang?: string) => call('GET', `/api/tab/items/${item.authority}/${item.id}`, oid, undefined, lang);
  /** Clicks `verb` on the card the viewer has, with what they typed into its input area. */
  const click = async (oid: string, item: ItemDoc, verb: string, inputs: Record<string, string> = {}, lang?: string) => {
    const card = (await open(oid, item, lang)).body.card as Card;
    return call('POST', `/api/tab/items/${item.authority}/${item.id}/actions`, oid, { verb, data: actionOf(card, verb).data, inputs }, lang);
  };
  const stored = async (item: ItemDoc) => (await app.requests.repo.get(item.authority, item.id))!;
  /** A report the IB of Köln wrote (through the service, not the card). */
  const created = async (subject: string): Promise<ItemDoc> => {
    const result = await app.requests.createReport({ aadObjectId: KOELN_IB, tenantId: DEFAULT_TENANT_ID, name: 'Sabine Schmitz (Beispiel)' }, { subject, summary: 'Kurz (Beispiel).' });
    if (!result.ok) throw new Error(`report not created: ${result.code}`);
    return result.value.item;
  };
  /** A report whose date the head proposed in the tab (08.12.2026, 10:30) and the IB accepted there, delivered. */
  const agreedInTab = async (subject: string): Promise<ItemDoc> => {
    const report = await created(subject);
    expect((await click(KOELN_HEAD, report, DECISION_VERBS.termin, { date: '2026-12-08', time: '10:30' })).status).toBe(200);
    expect((await click(KOELN_IB, report, REQUEST_VERBS.acceptMeeting)).status).toBe(200);
    await app.delivery.whenIdle();
    return report;
  };

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'report-termin-tab-test' });
    app = await startTabApp(issuer, { database, now: () => NOW });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await issuer.close();
  });

  it('lets the head propose, the IB propose another and the head accept, all in the tab; the office may not answer for the IB', async () => {
    const report = await created('Vortrag im Tab (Beispiel)');
    const listed = (await call('GET', '/api/tab/me', KOELN_HEAD)).body.sections.reports as Array<{ id: string }>;
    expect(listed.map((r) => r.id)).toContain(report.id);

    // The head's card in the tab offers every decision; "Termin vorschlagen" with its date and time.
    const headCard = (await open(KOELN_HEAD, report)).body.card as Card;
    expect(executes(headCard).map((a) => a.verb)).toEqual(expect.arrayContaining(Object.values(DECISION_VERBS)));
    const proposed = await click(KOELN_HEAD, report, DECISION_VERBS.termin, { date: '2026-12-08', time: '10:30' });
    expect(proposed.status).toBe(200);
    expect(await stored(report)).toMatchObject({ status: 'termin_vorgeschlagen', termin: { date: '2026-12-08', time: '10:30' } });

    // The office (which may decide in Köln) cannot accept for the IB: its card has no such button, and a forged click is refused.
    const officeCard = (await open(KOELN_OFFICE, report)).body.card as Card;
    expect(executes(officeCard).map((a) => a.verb)).not.toContain(REQUEST_VERBS.acceptMeeting);
    const current = await stored(report);
    const forged = await call('POST', `/api/tab/items/koeln/${report.id}/actions`, KOELN_OFFICE, { verb: REQUEST_VERBS.acceptMeeting, data: { id: report.id, authority: 'koeln', rev: current.rev } });
    expect(forged.status).toBe(403);

    // The IB, in English: a past date is refused at its field, then another date is proposed.
    const past = await click(KOELN_IB, report, REQUEST_VERBS.counterMeeting, { date: '2026-11-30', time: '14:00' }, 'en-GB');
    expect(past.status).toBe(200);
    expect(JSON.stringify(past.body.card)).toContain('The date is in the past: please choose today or a later date.');
    expect((await stored(report)).status).toBe('termin_vorgeschlagen');
    expect((await click(KOELN_IB, report, REQUEST_VERBS.counterMeeting, { date: '2026-12-09', time: '14:00' }, 'en-GB')).status).toBe(200);
    expect(await stored(report)).toMatchObject({ status: 'termin_gegenvorschlag', termin: { date: '2026-12-09', side: 'ib' } });

    const accepted = await click(KOELN_HEAD, report, REQUEST_VERBS.acceptMeeting);
    expect(accepted.status).toBe(200);
    await app.delivery.whenIdle();
    expect(await stored(report)).toMatchObject({ status: 'termin_vereinbart', termin: { agreed: { by: { aadObjectId: KOELN_HEAD } }, invitation: { state: 'ics' } } });
    const shown = JSON.stringify((await open(KOELN_HEAD, report)).body.card);
    expect(shown).toContain('Termin vereinbart: 09.12.2026, 14:00 Uhr');
    expect(shown).toContain('In den Kalender (.ics)');
  });

  it('moves and cancels an agreed date in the tab as on the card; another authority\'s head is refused', async () => {
    const report = await agreedInTab('Verschieben im Tab (Beispiel)');

    // The head moves it; a past date is refused at its field first.
    const past = await click(KOELN_HEAD, report, REQUEST_VERBS.moveMeeting, { date: '2026-11-30', time: '10:30' });
    expect(JSON.stringify(past.body.card)).toContain('Das Datum liegt in der Vergangenheit');
    expect((await click(KOELN_HEAD, report, REQUEST_VERBS.moveMeeting, { date: '2026-12-10', time: '09:00' })).status).toBe(200);
    expect(await stored(report)).toMatchObject({ status: 'termin_vorgeschlagen', termin: { date: '2026-12-10', moving: { date: '2026-12-08' } } });
    expect(JSON.stringify((await open(KOELN_IB, report)).body.card)).toContain('Vereinbart (gilt, bis ein neuer Termin angenommen ist): 08.12.2026, 10:30 Uhr');
    expect((await click(KOELN_IB, report, REQUEST_VERBS.acceptMeeting)).status).toBe(200);
    await app.delivery.whenIdle();
    expect(await stored(report)).toMatchObject({ status: 'termin_vereinbart', termin: { date: '2026-12-10', time: '09:00' } });

    // The head of another authority cannot cancel it (a forged click), the IB can, in English, with a reason.
    const current = await stored(report);
    const forged = await call('POST', `/api/tab/items/koeln/${report.id}/actions`, DETMOLD_HEAD, { verb: REQUEST_VERBS.cancelMeeting, data: { id: report.id, authority: 'koeln', rev: current.rev } });
    expect(forged.status).toBe(403);
    const cancelled = await click(KOELN_IB, report, REQUEST_VERBS.cancelMeeting, { cancelReason: 'Dienstreise (Beispiel)' }, 'en-GB');
    expect(cancelled.status).toBe(200);
    expect(JSON.stringify(cancelled.body.card)).toContain('Meeting cancelled: 10 Dec 2026, 09:00');
    expect(await stored(report)).toMatchObject({ status: 'termin_offen', terminCancelled: { reason: 'Dienstreise (Beispiel)', by: { aadObjectId: KOELN_IB } } });
  });

  it('cancels an agreed date in the tab while a move is negotiated; the old card of the proposal is already done', async () => {
    const report = await agreedInTab('Absagen im Tab (Beispiel)');
    expect((await click(KOELN_HEAD, report, REQUEST_VERBS.moveMeeting, { date: '2026-12-10', time: '09:00' })).status).toBe(200);
    // The IB's card of the proposal, kept open in the tab.
    const ibCard = (await open(KOELN_IB, report)).body.card as Card;
    // The office (which may decide in Köln) cancels the agreed date; the proposal goes with it.
    const cancelled = await click(KOELN_OFFICE, report, REQUEST_VERBS.cancelMeeting, { cancelReason: 'Kabinettssitzung (Beispiel)' });
    expect(cancelled.status).toBe(200);
    const shown = JSON.stringify(cancelled.body.card);
    expect(shown).toContain('Termin abgesagt: 08.12.2026, 10:30 Uhr');
    expect(shown).toContain('Der Vorschlag, den Termin auf 10.12.2026, 09:00 Uhr zu verschieben, ist damit zurückgezogen.');
    const after = await stored(report);
    expect(after).toMatchObject({ status: 'termin_offen', terminCancelled: { date: '2026-12-08', withdrawn: { date: '2026-12-10' }, by: { aadObjectId: KOELN_OFFICE } } });
    // "Termin annehmen" on the IB's old card: nothing changes, in English.
    const late = await call('POST', `/api/tab/items/koeln/${report.id}/actions`, KOELN_IB, { verb: REQUEST_VERBS.acceptMeeting, data: actionOf(ibCard, REQUEST_VERBS.acceptMeeting).data, inputs: {} }, 'en-GB');
    expect(late.status).toBe(200);
    expect(JSON.stringify(late.body)).toContain('Already done: Person (Beispiel) cancelled the meeting');
    expect((await stored(report)).rev).toBe(after.rev);
  });
});
