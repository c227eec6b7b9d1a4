import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { DECISION_VERBS, type ItemDoc } from '../../services/requests/model';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid } from '../support/activities';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/** People of the demo directory (fictitious). */
const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const KOELN_HEAD = '00000000-0000-4000-8000-000400000003';
/** The app's clock: Tuesday, 1 December 2026, 10:00 in Berlin. */
const NOW = new Date('2026-12-01T09:00:00Z');

type Card = Record<string, unknown>;
interface Execute {
  type: 'Action.Execute';
  verb: string;
  title: string;
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

describe('an Anliegen or Vortrag opened in the personal tab, with the card’s actions', () => {
  let issuer: TokenIssuer;
  let database: AppDatabase;
  let app: TestApp;

  const token = (oid: string) => issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE, name: 'Sabine Schmitz (Beispiel)' });
  async function call(method: string, path: string, oid: string | undefined, body?: unknown, lang = 'de-DE') {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        ...(oid ? { authorization: `Bearer ${token(oid)}` } : {}),
        'accept-language': lang,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }
  const open = (oid: string, item: { authority: string; id: string }, lang?: string) => call('GET', `/api/tab/items/${item.authority}/${item.id}`, oid, undefined, lang);
  const act = (oid: string, item: { authority: string; id: string }, body: unknown, lang?: string) => call('POST', `/api/tab/items/${item.authority}/${item.id}/actions`, oid, body, lang);
  const stored = async (item: Pick<ItemDoc, 'authority' | 'id'>) => (await app.requests.repo.get(item.authority, item.id))!;
  /** What an action changes (the relay's delivery bookkeeping — pending notices, ETag — changes on its own). */
  const state = async (item: Pick<ItemDoc, 'authority' | 'id'>) => {
    const { rev, status, handler, messages, decision, lastChange, updatedAt } = await stored(item);
    return { rev, status, handler, messages, decision, lastChange, updatedAt };
  };
  const request = async (oid: string, subject: string) => {
    const outcome = await app.requests.createRequest(
      { aadObjectId: oid, tenantId: DEFAULT_TENANT_ID, name: 'Anna Beispiel' },
      { authority: 'koeln', category: 'beratung', subject, description: 'Bitte um Beratung (Beispiel).' },
    );
    if (!outcome.ok) throw new Error(`request not created: ${outcome.code}`);
    return outcome.value.item;
  };
  const cardText = (card: Card) => JSON.stringify(card);

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    database = await openDatabase({ databaseId: 'tab-items-test' });
    app = await startTabApp(issuer, { database, now: () => NOW });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await issuer.close();
  });

  it('lets the IB open an Anliegen from the inbox, take it over and answer it, each time getting the refreshed card', async () => {
    const staff = stableGuid('tab-items', 'anna');
    const item = await request(staff, 'Beratung zur Stellenausschreibung (Tab)');
    const me = await call('GET', '/api/tab/me', KOELN_IB);
    const row = (me.body.sections.inbox as Array<{ id: string; authority: string; subject: string }>).find((c) => c.subject === 'Beratung zur Stellenausschreibung (Tab)')!;
    expect(row).toBeDefined();

    const opened = await open(KOELN_IB, row);
    expect(opened.status).toBe(200);
    expect(opened.body.item).toEqual({ authority: 'koeln', id: item.id });
    expect(opened.body.card).toMatchObject({ type: 'AdaptiveCard' });
    expect(cardText(opened.body.card)).toContain('Beratung zur Stellenausschreibung (Tab)');
    expect(cardText(opened.body.card)).toContain('Status: Neu');
    // The chat's automatic refresh and the chat-only actions („Vortrag daraus machen“, „Verlauf“) are not in the tab.
    expect(opened.body.card.refresh).toBeUndefined();
    expect(executes(opened.body.card).map((a) => a.verb)).toEqual(expect.arrayContaining(['request.accept', 'request.answer', 'request.ask', 'request.done']));
    expect(executes(opened.body.card).map((a) => a.verb)).not.toContain('report.start');
    expect(executes(opened.body.card).map((a) => a.verb)).not.toContain('request.trail');

    const accept = actionOf(opened.body.card, 'request.accept');
    const accepted = await act(KOELN_IB, row, { verb: accept.verb, data: accept.data });
    expect(accepted.status).toBe(200);
    expect(cardText(accepted.body.card)).toContain('Gespeichert.');
    expect(cardText(accepted.body.card)).toContain('Status: In Bearbeitung');
    expect(await stored(item)).toMatchObject({ status: 'in_bearbeitung', handler: { aadObjectId: KOELN_IB, name: 'Sabine Schmitz (Beispiel)' } });

    const answer = actionOf(accepted.body.card, 'request.answer');
    const answered = await act(KOELN_IB, row, { verb: answer.verb, data: answer.data, inputs: { answer: 'Die Stelle kann so ausgeschrieben werden (Beispiel).' } });
    expect(answered.status).toBe(200);
    expect(cardText(answered.body.card)).toContain('Gespeichert.');
    expect(cardText(answered.body.card)).toContain('Die Stelle kann so ausgeschrieben werden (Beispiel).');
    const after = await stored(item);
    expect(after.messages.at(-1)).toMatchObject({ kind: 'antwort', text: 'Die Stelle kann so ausgeschrieben werden (Beispiel).', by: { aadObjectId: KOELN_IB } });
    expect(after.rev).toBe(item.rev + 2);
  });

  it('lets the requester open their own Anliegen, and refuses another staff member to open or act on it, changing nothing', async () => {
    const anna = stableGuid('tab-items', 'anna-own');
    const bert = stableGuid('tab-items', 'bert');
    const item = await request(anna, 'Frage von Anna (Tab)');
    const own = await open(anna, item);
    expect(own.status).toBe(200);
    expect(cardText(own.body.card)).toContain('Frage von Anna (Tab)');
    expect(executes(own.body.card).map((a) => a.verb)).not.toContain('request.accept');

    const seen = await open(bert, item);
    expect(seen).toEqual({ status: 403, body: { code: 'Forbidden', message: 'Das dürfen Sie bei diesem Vorgang nicht. Es wurde nichts geändert.' } });
    expect(JSON.stringify(seen.body)).not.toContain('Frage von Anna');
    const before = await state(item);
    for (const [verb, inputs] of [['request.accept', {}], ['request.answer', { answer: 'Von Bert (Beispiel)' }], ['request.done', {}]] as const) {
      const tried = await act(bert, item, { verb, data: { id: item.id, authority: item.authority, rev: item.rev }, inputs }, 'en-US');
      expect(tried).toEqual({ status: 403, body: { code: 'Forbidden', message: 'You may not do this on this item. Nothing was changed.' } });
    }
    // The requester may not act as the IB either.
    expect((await act(anna, item, { verb: 'request.accept', data: { id: item.id, authority: item.authority, rev: item.rev } })).status).toBe(403);
    expect(await state(item)).toEqual(before);
    // An item that does not exist, or an address of no item, is not found.
    expect((await open(bert, { authority: 'koeln', id: 'anl-00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    expect((await open(bert, { authority: 'atlantis', id: item.id })).status).toBe(404);
    expect((await open(bert, { authority: 'koeln', id: 'a%20b' })).status).toBe(404);
  });

  it('answers a bad payload with a precise 4xx and changes nothing', async () => {
    const item = await request(stableGuid('tab-items', 'carla'), 'Anliegen für falsche Eingaben (Tab)');
    const before = await state(item);
    const ref = { id: item.id, authority: item.authority, rev: item.rev };
    const cases: Array<[unknown, number, string, RegExp]> = [
      [{ data: ref }, 400, 'BadRequest', /^verb: /],
      [{ verb: 'request.accept', data: { ...ref, rev: 'eins' } }, 400, 'BadRequest', /^rev: /],
      [{ verb: 'request.accept', data: { id: item.id, authority: item.authority } }, 400, 'BadRequest', /^rev: /],
      [{ verb: 'request.accept', data: ref, extra: 1 }, 400, 'BadRequest', /extra/],
      [{ verb: 'request.answer', data: ref, inputs: { answer: 42 } }, 400, 'BadRequest', /^inputs\.answer: /],
      [{ verb: 'request.accept', data: { ...ref, id: 'anl-someone-else' } }, 400, 'ItemMismatch', /data\.id/],
      [{ verb: 'request.accept', data: { ...ref, authority: 'arnsberg' } }, 400, 'ItemMismatch', /data\.authority/],
      [{ verb: 'request.explode', data: ref }, 400, 'UnknownVerb', /request\.explode/],
      [{ verb: 'report.start', data: { requestId: item.id, authority: item.authority } }, 400, 'ChatOnly', /chat/],
      [{ verb: 'request.trail', data: ref }, 400, 'ChatOnly', /chat/],
      [{ verb: 'request.open', data: { id: item.id, authority: item.authority, within: 'anl-other' } }, 400, 'ItemMismatch', /within/],
      [[1, 2], 400, 'BadRequest', /JSON object/],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await act(KOELN_IB, item, body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status, code });
      expect(res.body.message).toMatch(message);
    }
    expect((await call('POST', `/api/tab/items/koeln/${item.id}/actions`, KOELN_IB, 'not json')).status).toBe(400);
    const unsigned = await call('POST', `/api/tab/items/koeln/${item.id}/actions`, undefined, { verb: 'request.accept', data: ref });
    expect(unsigned.status).toBe(401);
    // An empty answer is the service's to refuse: the card comes back with the problem, as in the chat.
    const empty = await act(KOELN_IB, item, { verb: 'request.answer', data: ref, inputs: { answer: '   ' } });
    expect(empty.status).toBe(200);
    expect(cardText(empty.body.card)).toContain('Bitte prüfen');
    expect(await state(item)).toEqual(before);
  });

  it('answers a stale action with the current card and its notice, as in the chat, changing nothing', async () => {
    const item = await request(stableGuid('tab-items', 'dora'), 'Anliegen mit zwei Klicks (Tab)');
    const card = (await open(KOELN_IB, item)).body.card;
    const accept = actionOf(card, 'request.accept');
    expect((await act(KOELN_IB, item, { verb: accept.verb, data: accept.data })).status).toBe(200);
    const afterFirst = await state(item);
    // The same card's „Als erledigt markieren“, at the revision it showed.
    const done = actionOf(card, 'request.done');
    const stale = await act(KOELN_IB, item, { verb: done.verb, data: done.data });
    expect(stale.status).toBe(200);
    expect(cardText(stale.body.card)).toContain('Nichts geändert: Sabine Schmitz (Beispiel) hat am 01.12.2026');
    expect(cardText(stale.body.card)).toContain('Status: In Bearbeitung');
    expect(await state(item)).toEqual(afterFirst);
  });

  it('opens the Vortrag made from an Anliegen from the Anliegen’s card, for the IB only', async () => {
    const staff = stableGuid('tab-items', 'emil');
    const item = await request(staff, 'Anliegen mit Vortrag (Tab)');
    const created = await app.requests.createReport(
      { aadObjectId: KOELN_IB, tenantId: DEFAULT_TENANT_ID, name: 'Sabine Schmitz (Beispiel)' },
      { authority: 'koeln', subject: 'Vortrag zum Anliegen (Tab)', summary: 'Zum Anliegen (Beispiel).', urgency: 'normal', linkedRequestId: item.id },
    );
    if (!created.ok) throw new Error(`report not created: ${created.code}`);
    const report = created.value.item;
    const card = (await open(KOELN_IB, item)).body.card;
    const openReport = actionOf(card, 'request.open');
    const opened = await act(KOELN_IB, item, { verb: openReport.verb, data: openReport.data });
    expect(opened.status).toBe(200);
    expect(opened.body.item).toEqual({ authority: 'koeln', id: report.id, kind: 'report' });
    expect(cardText(opened.body.card)).toContain('Vortrag zum Anliegen (Tab)');
    // The requester sees no such button, and naming the Vortrag anyway is refused: they may not see it.
    expect(executes((await open(staff, item)).body.card).map((a) => a.verb)).not.toContain('request.open');
    const tried = await act(staff, item, { verb: 'request.open', data: { id: report.id, authority: 'koeln', within: item.id } });
    expect(tried.status).toBe(403);
    expect(JSON.stringify(tried.body)).not.toContain('Vortrag zum Anliegen');
  });

  it('lets the head open a Vortrag from their list and take note of it in the tab', async () => {
    const created = await app.requests.createReport(
      { aadObjectId: KOELN_IB, tenantId: DEFAULT_TENANT_ID, name: 'Sabine Schmitz (Beispiel)' },
      { authority: 'koeln', subject: 'Vortrag zur Fortbildung (Tab)', summary: 'Kurz zur Fortbildung (Beispiel).', urgency: 'normal' },
    );
    if (!created.ok) throw new Error(`report not created: ${created.code}`);
    const report = created.value.item;
    const reports = (await call('GET', '/api/tab/me', KOELN_HEAD)).body.sections.reports as Array<{ id: string }>;
    expect(reports.map((r) => r.id)).toContain(report.id);
    const opened = await open(KOELN_HEAD, report);
    const note = actionOf(opened.body.card, DECISION_VERBS.kenntnis);
    const noted = await act(KOELN_HEAD, report, { verb: note.verb, data: note.data });
    expect(noted.status).toBe(200);
    expect(cardText(noted.body.card)).toContain('Gespeichert.');
    expect(await stored(report)).toMatchObject({ status: 'zur_kenntnis', decision: { kind: 'kenntnis', by: { aadObjectId: KOELN_HEAD } } });
  });
});
