import { requestsFeature } from '../../../bot/handlers/requests';
import type { ItemDoc, ItemRoles, Party } from '../../../services/requests/model';
import { ITEM_INPUTS, RequestViews } from '../../../services/requests/views';
import { checkCard } from '../../support/cardChecks';
import { cardProblems, TEAMS_HOST_CONFIG } from '../../support/teamsRules';

/** The item card of Anliegen and Vortrag as each viewer sees it, rendered by the product's view from fictitious items. */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking card JSON

const party = (n: number, name: string): Party => ({ aadObjectId: `00000000-0000-4000-8000-0000000000${n}`, tenantId: '00000000-0000-4000-8000-00000000a000', name });
const STAFF = party(11, 'Sabine Sachbearbeiterin (Beispiel)');
const IB = party(12, 'Erika Mustermann (Beispiel)');
const HEAD = party(13, 'Petra Platzhalter (Beispiel)');
const REQUEST_ID = 'anl-3f6c1a52-7d1e-4b8a-9c2f-5e0d4a7b1c90';
const REPORT_ID = 'vtr-8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const request = (over: Partial<ItemDoc> = {}): ItemDoc => ({
  id: REQUEST_ID, pk: 'koeln', type: 'item', kind: 'request', authority: 'koeln', rev: 3, status: 'neu',
  subject: 'Sprachkurse für neu zugewanderte Beschäftigte', body: 'Gibt es Vorgaben oder Ansprechpersonen?', category: 'beratung', deadline: '2026-12-18',
  linked: [], createdBy: STAFF, messages: [], participants: [STAFF.aadObjectId], touchedAt: '2026-12-01T08:15:00.000Z', cardsTo: [],
  createdAt: '2026-12-01T08:15:00.000Z', updatedAt: '2026-12-01T08:15:00.000Z', ...over,
});
const report = (over: Partial<ItemDoc> = {}): ItemDoc =>
  request({ id: REPORT_ID, kind: 'report', status: 'eingereicht', rev: 2, subject: 'Förderaufruf Integration 2027', category: undefined, deadline: undefined, urgency: 'eilig', createdBy: IB, linked: [REQUEST_ID], ...over });
const QUESTION = { at: '2026-12-02T10:05:00.000Z', by: IB, kind: 'rueckfrage' as const, text: 'Für wie viele Beschäftigte sind die Kurse geplant?' };
const REPLY = { at: '2026-12-02T14:40:00.000Z', by: STAFF, kind: 'nachtrag' as const, text: 'Für etwa zwölf Beschäftigte.' };

const roles = (r: Partial<ItemRoles>): ItemRoles => ({ requester: false, commissioner: false, headSide: false, decider: false, ...r });
const AS = { requester: roles({ requester: true }), ib: roles({ commissioner: true }), head: roles({ headSide: true, decider: true }), office: roles({ headSide: true }) };

const views = new RequestViews({
  refreshIds: async (ids) => ids.map((id) => `29:${id}`),
  audienceOf: () => [IB.aadObjectId, STAFF.aadObjectId],
  linkedOf: async (item) => item.linked.map((id) => (id === REPORT_ID ? { id, kind: 'report' as const, subject: 'Förderaufruf Integration 2027' } : { id, kind: 'request' as const, subject: 'Sprachkurse für neu zugewanderte Beschäftigte' })),
});

function walk(node: unknown, visit: (o: Json) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as Json);
    Object.values(node).forEach((v) => walk(v, visit));
  }
}
/** The card's action sets, in order: the buttons a viewer sees, with their mode. */
const actionSets = (card: Json): Json[][] => (card.body as Json[]).filter((b) => b.type === 'ActionSet').map((b) => b.actions);
const actionsOf = (card: Json): Json[] => actionSets(card).flat();
const visible = (card: Json) => actionsOf(card).filter((a) => a.mode !== 'secondary').map((a) => a.title);
const overflow = (card: Json) => actionsOf(card).filter((a) => a.mode === 'secondary').map((a) => a.title);
const byTitle = (card: Json, title: string) => actionsOf(card).find((a) => a.title === title)!;
/** The text a viewer reads (not input values, ids of data or verbs). */
const displayText = (card: Json): string => {
  const out: string[] = [];
  walk(card.body, (o) => {
    if (typeof o.text === 'string') out.push(o.text);
    if (typeof o.title === 'string') out.push(o.title);
    if (typeof o.label === 'string') out.push(o.label);
    if (typeof o.value === 'string' && o.type === undefined) out.push(o.value);
  });
  return out.join('\n');
};
const statusBox = (card: Json) => (card.body as Json[]).find((b) => b.type === 'Container' && b.style === 'emphasis')!.items.map((i: Json) => i.text);

/** An input area's inputs: each field is a container holding its input and the sentence the server may put under it. */
const inputsOf = (card: Json): Json[] => (card.body as Json[]).flatMap((b) => (b.type === 'Container' ? (b.items as Json[]) : [b])).filter((i) => String(i.type).startsWith('Input.'));

describe.each(['de', 'en'] as const)('the item card in %s', (lang) => {
  const handled = new Set((requestsFeature({ live: {} as never, service: {} as never, views: {} as never, notifier: {} as never, logger: {} as never } as never).verbs ?? []).map((v) => v.verb));
  const cases: Array<[string, ItemDoc, ItemRoles]> = [
    ['ib/neu', request(), AS.ib],
    ['ib/in_bearbeitung', request({ status: 'in_bearbeitung', handler: IB, messages: [QUESTION, REPLY] }), AS.ib],
    ['ib/eskaliert', request({ status: 'eskaliert', handler: IB, linked: [REPORT_ID] }), AS.ib],
    ['requester/rueckfrage', request({ status: 'rueckfrage', handler: IB, messages: [QUESTION] }), AS.requester],
    ['requester/neu', request(), AS.requester],
    ['requester/erledigt', request({ status: 'erledigt', handler: IB, messages: [QUESTION, REPLY] }), AS.requester],
    ['head/eingereicht', report(), AS.head],
    ['office/eingereicht', report(), AS.office],
    ['ib/report', report(), AS.ib],
    ['ib/termin', report({ status: 'termin_vorgeschlagen', decision: { kind: 'termin', by: HEAD, at: '2026-12-03T16:20:00.000Z', date: '2026-12-08', time: '10:30' } }), AS.ib],
  ];

  it.each(cases)('%s is a valid Adaptive Card 1.5 that Teams accepts, with only verbs the bot handles', async (_name, item, r) => {
    const card = await views.item(lang, item, r);
    // Judged with Teams' host config (six actions per set, the overflow menu's included), as the channel emulator does.
    const problems = checkCard(card, TEAMS_HOST_CONFIG);
    expect(problems).toMatchObject({ parseErrors: [], unboundExpressions: [], inputsWithoutLabel: [] });
    expect(card).toMatchObject({ version: '1.5', lang });
    expect(cardProblems([card])).toEqual([]);
    for (const verb of problems.executeVerbs) expect(handled.has(verb)).toBe(true);
    expect((card.refresh as Json).action.verb).toBe('request.refresh');
  });

  it.each(cases)('%s shows at most two buttons, the rest in the overflow menu, and no ids, ISO dates or time zones', async (_name, item, r) => {
    const card = await views.item(lang, item, r);
    expect(visible(card).length).toBeLessThanOrEqual(2);
    const text = displayText(card);
    expect(text).not.toMatch(/anl-|vtr-|\d{4}-\d{2}-\d{2}|Europe\/|T\d{2}:\d{2}/);
    expect(text).toContain(item.subject);
  });

  it('gives every action that needs input its own input area with only its fields, required ones marked with a sentence', async () => {
    const cards = [await views.item(lang, request({ status: 'in_bearbeitung', handler: IB }), AS.ib), await views.item(lang, report(), AS.head), await views.item(lang, request({ status: 'rueckfrage', messages: [QUESTION] }), AS.requester)];
    const forms = cards.flatMap(actionsOf).filter((a) => a.type === 'Action.ShowCard');
    expect(forms.length).toBe(2 + 4 + 1);
    for (const form of forms) {
      const [send] = form.card.actions as Json[];
      expect(send.type).toBe('Action.Execute');
      expect(send.associatedInputs).toBe('auto');
      // The inputs are exactly those the verb's handler reads.
      expect(inputsOf(form.card).map((i) => i.id)).toEqual(ITEM_INPUTS[send.verb as keyof typeof ITEM_INPUTS]);
      for (const input of inputsOf(form.card)) {
        if (input.isRequired) expect(input.errorMessage).toMatch(/^\S.+\.$/);
      }
    }
    // Declining is destructive and cannot be sent without a reason.
    const decline = forms.find((f) => f.card.actions[0].verb === 'report.decline')!;
    expect(decline.style).toBe('destructive');
    expect(inputsOf(decline.card)).toEqual([expect.objectContaining({ id: 'reason', isRequired: true })]);
    // No input outside an action's own area: text typed for one action cannot be sent or lost by another.
    for (const card of cards) expect((card.body as Json[]).filter((b) => String(b.type).startsWith('Input.'))).toEqual([]);
  });

  it('lets the IB take over a new request with one button and keeps the rest in the overflow menu', async () => {
    const card = await views.item(lang, request(), AS.ib);
    const t = lang === 'de' ? ['Übernehmen', 'Antworten', 'Nachfragen', 'Als erledigt markieren', 'Vortrag daraus machen', 'Verlauf'] : ['Take over', 'Answer', 'Ask a question', 'Mark as done', 'Make it a report', 'History'];
    expect(visible(card)).toEqual([t[0]]);
    expect(byTitle(card, t[0]).style).toBe('positive');
    expect(overflow(card)).toEqual(t.slice(1));
    const working = await views.item(lang, request({ status: 'in_bearbeitung', handler: IB }), AS.ib);
    expect(visible(working)).toEqual([t[1], t[2]]);
    expect(overflow(working)).toEqual(t.slice(3));
  });

  it('offers the head the two common decisions as buttons and the others, declining last, in the overflow menu', async () => {
    const card = await views.item(lang, report(), AS.head);
    expect(visible(card)).toEqual(lang === 'de' ? ['Zur Kenntnis nehmen', 'Termin vorschlagen'] : ['Take note', 'Propose a meeting']);
    expect(overflow(card)).toEqual(lang === 'de' ? ['Schriftliche Vorlage anfordern', 'Weisung erteilen', 'Ablehnen', 'Verlauf'] : ['Request it in writing', 'Give an instruction', 'Decline', 'History']);
    // The two labels and "…" do not fit side by side on a phone (328 px), in German nor in English ("Take note",
    // "Propose a meeting" were cut): the first decision gets a row of its own.
    expect(actionSets(card).map((set) => set.length)).toEqual([1, 5]);
    expect(statusBox(card)[1]).toBe(lang === 'de' ? 'Sie sind dran: bitte entscheiden Sie über den Vortrag.' : 'Your turn: please decide on the report.');
    // The office sees the report and who decides, without the head's buttons.
    const office = await views.item(lang, report(), AS.office);
    expect(actionsOf(office).map((a) => a.verb)).toEqual(['request.trail']);
  });

  it('tells the IB what is left after they answered, and after the requester replied', async () => {
    const ANSWER = { at: '2026-12-03T09:00:00.000Z', by: IB, kind: 'antwort' as const, text: 'Ja, dafür gibt es Vorgaben.' };
    const answered = await views.item(lang, request({ status: 'in_bearbeitung', handler: IB, messages: [ANSWER] }), AS.ib);
    expect(statusBox(answered)[1]).toBe(lang === 'de' ? 'Sie haben geantwortet. Wenn nichts mehr offen ist, markieren Sie das Anliegen als erledigt.' : 'You have answered. If nothing is left open, mark the request as done.');
    const working = await views.item(lang, request({ status: 'in_bearbeitung', handler: IB }), AS.ib);
    expect(statusBox(working)[1]).toBe(lang === 'de' ? 'Sie sind dran: bitte antworten Sie oder stellen Sie eine Rückfrage.' : 'Your turn: please answer or ask a question back.');
    const replied = await views.item(lang, request({ status: 'in_bearbeitung', handler: IB, messages: [QUESTION, REPLY] }), AS.ib);
    expect(statusBox(replied)[1]).toBe(lang === 'de' ? 'Sie sind dran: die anfragende Person hat Ihre Rückfrage beantwortet.' : 'Your turn: the requester has answered your question.');
  });

  it("puts the requester's pending Rückfrage under the status, with what they have to do", async () => {
    const card = await views.item(lang, request({ status: 'rueckfrage', handler: IB, messages: [QUESTION] }), AS.requester);
    const body = card.body as Json[];
    expect(statusBox(card)).toEqual([lang === 'de' ? 'Status: Rückfrage' : 'Status: Question back', lang === 'de' ? 'Sie sind dran: bitte beantworten Sie die Rückfrage.' : 'Your turn: please answer the question.']);
    const statusAt = body.findIndex((b) => b.style === 'emphasis');
    const callout = body[statusAt + 1];
    expect(callout.style).toBe('accent');
    expect(callout.items.map((i: Json) => i.text)).toEqual([lang === 'de' ? 'Rückfrage von Erika Mustermann (Beispiel), 02.12.2026, 11:05 Uhr' : 'Question from Erika Mustermann (Beispiel), 2 Dec 2026, 11:05', QUESTION.text]);
    // Shown once: not again, small and grey, at the end.
    expect(JSON.stringify(body.slice(statusAt + 2))).not.toContain(QUESTION.text);
    expect(visible(card)).toEqual([lang === 'de' ? 'Rückfrage beantworten' : 'Answer the question']);
    expect(byTitle(card, lang === 'de' ? 'Rückfrage beantworten' : 'Answer the question').style).toBe('positive');
  });

  it('shows the deadline and urgency beside the title in the viewer\'s date format', async () => {
    const tags = (card: Json) => (card.body as Json[])[1].columns[1].items.map((i: Json) => i.text);
    expect(tags(await views.item(lang, request(), AS.ib))).toEqual([lang === 'de' ? 'Frist 18.12.2026' : 'Due 18 Dec 2026']);
    expect(tags(await views.item(lang, report(), AS.head))).toEqual([lang === 'de' ? 'Eilig' : 'Urgent']);
    expect((await views.item(lang, request(), AS.ib)).body).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ColumnSet' })]));
  });

  it('names a linked item by its subject and lets the IB side open it, without replacing the card clicked', async () => {
    const card = await views.item(lang, request({ status: 'eskaliert', handler: IB, linked: [REPORT_ID] }), AS.ib);
    expect(displayText(card)).toContain('Förderaufruf Integration 2027');
    const open = byTitle(card, lang === 'de' ? 'Vortrag öffnen' : 'Open the report');
    expect(open).toMatchObject({ verb: 'request.open', mode: 'secondary', data: { id: REPORT_ID, authority: 'koeln', within: REQUEST_ID } });
    // The report cannot be opened by the head side through its linked request, nor seen by the requester.
    expect(actionsOf(await views.item(lang, report(), AS.head)).some((a) => a.verb === 'request.open')).toBe(false);
    expect(displayText(await views.item(lang, request({ status: 'eskaliert', linked: [REPORT_ID] }), AS.requester))).not.toContain('Förderaufruf');
  });

  it('brings what a refused action typed back into that action\'s own input only', async () => {
    const card = await views.item(lang, report(), AS.head, 'Bitte prüfen.', 'attention', { reason: 'Schon erledigt (Beispiel).' });
    const values: Record<string, unknown> = {};
    walk(card, (o) => {
      if (typeof o.type === 'string' && o.type.startsWith('Input.')) values[o.id] = o.value;
    });
    expect(values).toEqual({ date: '', time: '', note: '', instruction: '', reason: 'Schon erledigt (Beispiel).' });
  });
});
