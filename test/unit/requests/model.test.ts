import { escalateToReport, stamp, transition, type ItemAction, type ItemDoc, type ItemRoles, type ItemStatus, type Party } from '../../../services/requests/model';
import { noticesFor, noticesForCreate, noticesForReminder } from '../../../services/requests/notifications';

const AT = '2026-11-24T09:00:00.000Z';
const STAFF: Party = { aadObjectId: 'staff', tenantId: 't', name: 'Erika (Beispiel)' };
const IB: Party = { aadObjectId: 'ib', tenantId: 't', name: 'Sabine (Beispiel)' };
const HEAD: Party = { aadObjectId: 'head', tenantId: 't', name: 'Frieda (Beispiel)' };

const NONE: ItemRoles = { requester: false, commissioner: false, headSide: false, decider: false };
const REQUESTER: ItemRoles = { ...NONE, requester: true };
const COMMISSIONER: ItemRoles = { ...NONE, commissioner: true };
const HEAD_OFFICE: ItemRoles = { ...NONE, headSide: true };
const DECIDER: ItemRoles = { ...NONE, headSide: true, decider: true };

function request(status: ItemStatus, extra: Partial<ItemDoc> = {}): ItemDoc {
  return {
    id: 'anl-1', pk: 'koeln', type: 'item', kind: 'request', authority: 'koeln', rev: 3, status, subject: 'S', body: 'B', category: 'beratung',
    linked: [], createdBy: STAFF, messages: [], participants: ['staff'], cardsTo: ['ib'], touchedAt: AT, createdAt: AT, updatedAt: AT, ...extra,
  };
}
const report = (status: ItemStatus): ItemDoc => ({ ...request(status), id: 'vtr-1', kind: 'report', category: undefined, createdBy: IB, participants: ['ib'], cardsTo: ['head'] });

const next = (t: ReturnType<typeof transition>): ItemDoc => {
  if (!('next' in t)) throw new Error(`no change: ${JSON.stringify(t)}`);
  return t.next;
};

describe('request transitions (allowed)', () => {
  it.each<[ItemStatus, ItemAction, ItemStatus]>([
    ['neu', { type: 'accept' }, 'in_bearbeitung'],
    ['neu', { type: 'ask', text: 'Welches Dezernat?' }, 'rueckfrage'],
    ['in_bearbeitung', { type: 'ask', text: 'Welches Dezernat?' }, 'rueckfrage'],
    ['neu', { type: 'answer', text: 'Hier.' }, 'in_bearbeitung'],
    ['in_bearbeitung', { type: 'answer', text: 'Hier.' }, 'in_bearbeitung'],
    ['rueckfrage', { type: 'answer', text: 'Hier.' }, 'in_bearbeitung'],
    ['eskaliert', { type: 'answer', text: 'Hier.' }, 'eskaliert'],
    ['neu', { type: 'done' }, 'erledigt'],
    ['in_bearbeitung', { type: 'done' }, 'erledigt'],
    ['rueckfrage', { type: 'done' }, 'erledigt'],
    ['eskaliert', { type: 'done' }, 'erledigt'],
  ])('the IB side moves %s with %o to %s', (from, action, to) => {
    const changed = next(transition(request(from), COMMISSIONER, IB, action, AT));
    expect(changed.status).toBe(to);
    expect(changed.handler).toEqual(IB);
    if ('text' in action) expect(changed.messages).toEqual([{ at: AT, by: IB, kind: action.type === 'ask' ? 'rueckfrage' : 'antwort', text: action.text }]);
    else expect(changed.messages).toEqual([]);
  });

  it('keeps the handler who took the request over when the deputy answers', () => {
    const deputy: Party = { aadObjectId: 'deputy', tenantId: 't', name: 'Jan' };
    expect(next(transition(request('in_bearbeitung', { handler: IB }), COMMISSIONER, deputy, { type: 'done' }, AT)).handler).toEqual(IB);
  });

  it('lets the requester reply to an open question, which puts the request back in progress', () => {
    const changed = next(transition(request('rueckfrage'), REQUESTER, STAFF, { type: 'reply', text: 'Dezernat 21.' }, AT));
    expect(changed).toMatchObject({ status: 'in_bearbeitung', messages: [{ at: AT, by: STAFF, kind: 'nachtrag', text: 'Dezernat 21.' }] });
  });

  it('carries an open request into a report once', () => {
    expect(next(escalateToReport(request('in_bearbeitung'), COMMISSIONER, 'vtr-9'))).toMatchObject({ status: 'eskaliert', linked: ['vtr-9'] });
    expect(escalateToReport(request('eskaliert', { linked: ['vtr-9'] }), COMMISSIONER, 'vtr-9')).toEqual({ unchanged: true });
    expect(escalateToReport(request('erledigt'), COMMISSIONER, 'vtr-9')).toEqual({ unchanged: true });
  });
});

describe('request transitions (refused)', () => {
  it.each<[string, ItemRoles, ItemAction]>([
    ['the requester takes it over', REQUESTER, { type: 'accept' }],
    ['the requester closes it', REQUESTER, { type: 'done' }],
    ['the requester asks back', REQUESTER, { type: 'ask', text: 'x' }],
    ['someone without a role answers', NONE, { type: 'answer', text: 'x' }],
    ['the IB replies in the requester\'s place', COMMISSIONER, { type: 'reply', text: 'x' }],
    ['the head decides a request', DECIDER, { type: 'decide', decision: 'kenntnis' }],
  ])('forbids it when %s', (_name, roles, action) => {
    expect(transition(request(action.type === 'reply' ? 'rueckfrage' : 'neu'), roles, IB, action, AT)).toEqual({ refuse: 'forbidden' });
  });

  it.each<[ItemStatus, ItemAction]>([
    ['in_bearbeitung', { type: 'accept' }],
    ['rueckfrage', { type: 'accept' }],
    ['erledigt', { type: 'accept' }],
    ['erledigt', { type: 'ask', text: 'x' }],
    ['erledigt', { type: 'answer', text: 'x' }],
    ['erledigt', { type: 'done' }],
  ])('calls %s with %o out of date (someone acted first)', (status, action) => {
    expect(transition(request(status), COMMISSIONER, IB, action, AT)).toEqual({ stale: true });
  });

  it.each<ItemStatus>(['neu', 'in_bearbeitung', 'erledigt', 'eskaliert'])('calls a reply out of date when the request is %s', (status) => {
    expect(transition(request(status), REQUESTER, STAFF, { type: 'reply', text: 'x' }, AT)).toEqual({ stale: true });
  });

  it('refuses to carry a request into a report for anyone but the IB side, and a report into a report', () => {
    expect(escalateToReport(request('neu'), REQUESTER, 'vtr-9')).toEqual({ refuse: 'forbidden' });
    expect(escalateToReport(report('eingereicht'), COMMISSIONER, 'vtr-9')).toEqual({ refuse: 'forbidden' });
  });
});

describe('report transitions', () => {
  it.each([
    ['termin', 'termin_vorgeschlagen'],
    ['schriftlich', 'schriftlich'],
    ['kenntnis', 'zur_kenntnis'],
    ['ablehnen', 'abgelehnt'],
    ['weisung', 'weisung'],
  ] as const)('the decider decides %s: %s, with who and when', (decision, status) => {
    const action: ItemAction = decision === 'termin' ? { type: 'decide', decision, date: '2026-12-01', time: '10:30' } : { type: 'decide', decision, text: 'Grund' };
    const changed = next(transition(report('eingereicht'), DECIDER, HEAD, action, AT));
    expect(changed.status).toBe(status);
    expect(changed.decision).toEqual(decision === 'termin' ? { kind: decision, by: HEAD, at: AT, date: '2026-12-01', time: '10:30' } : { kind: decision, by: HEAD, at: AT, text: 'Grund' });
  });

  it.each<[string, ItemRoles]>([
    ['the head\'s office where it may not decide', HEAD_OFFICE],
    ['the IB', COMMISSIONER],
    ['someone without a role', NONE],
  ])('forbids a decision by %s', (_name, roles) => {
    expect(transition(report('eingereicht'), roles, HEAD, { type: 'decide', decision: 'kenntnis' }, AT)).toEqual({ refuse: 'forbidden' });
  });

  it('calls a second decision out of date, and forbids request actions on a report', () => {
    expect(transition(report('zur_kenntnis'), DECIDER, HEAD, { type: 'decide', decision: 'ablehnen', text: 'x' }, AT)).toEqual({ stale: true });
    for (const action of [{ type: 'accept' }, { type: 'done' }, { type: 'reply', text: 'x' }] as ItemAction[]) {
      expect(transition(report('eingereicht'), { ...COMMISSIONER, requester: true }, IB, action, AT)).toEqual({ refuse: 'forbidden' });
    }
  });
});

describe('what every change carries', () => {
  it('bumps the revision, appends the trail entry, records the actor and stamps the dates', () => {
    const current = request('neu', { trail: [{ at: 'a', actor: 'staff', action: 'request.create', changes: [] }] });
    const stamped = stamp(current, { ...current, status: 'in_bearbeitung' }, IB, 'request.accept', new Date(AT), 365);
    expect(stamped).toMatchObject({ rev: 4, updatedAt: AT, touchedAt: AT, lastChange: { by: IB, action: 'request.accept', at: AT }, participants: ['staff', 'ib'] });
    expect(stamped.trail?.map((e) => e.action)).toEqual(['request.create', 'request.accept']);
    expect(stamped.trail?.[1]).toEqual({ at: AT, actor: 'ib', action: 'request.accept', changes: [{ path: '/status', from: 'neu', to: 'in_bearbeitung' }] });
    expect(stamped.closedAt).toBeUndefined();
  });

  it('sets the retention when the item closes', () => {
    const current = request('in_bearbeitung');
    const stamped = stamp(current, { ...current, status: 'erledigt' }, IB, 'request.done', new Date(AT), 30);
    expect(stamped).toMatchObject({ closedAt: AT, expiresAt: Date.parse(AT) + 30 * 86_400_000, ttl: (30 + 7) * 86_400 });
  });
});

describe('who is told what', () => {
  it('posts a new request\'s card to its handler and schedules its reminder; a report\'s cards go to the head side', () => {
    expect(noticesForCreate({ ...request('neu'), rev: 1 }).map((n) => [n.key, n.kind, n.to])).toEqual([
      ['item:anl-1:card:ib', 'card.post', ['ib']],
      ['item:anl-1:reminder', 'job.reminder', undefined],
    ]);
    // A report's reminder job reminds the head side until it decides (services/requests/requestService.ts).
    expect(noticesForCreate({ ...report('eingereicht'), rev: 1 }).map((n) => n.key)).toEqual(['item:vtr-1:card:head', 'item:vtr-1:reminder', 'item:vtr-1:head-reach']);
  });

  it('tells the requester about the IB\'s change, the handler about the requester\'s reply, the IB about the decision', () => {
    const accepted = { ...request('in_bearbeitung', { handler: IB }), rev: 4 };
    expect(noticesFor(request('neu'), accepted, 'ib').map((n) => [n.key, n.to, n.data])).toEqual([
      ['item:anl-1:r4:cards', undefined, { actor: 'ib' }],
      ['item:anl-1:r4:requester', ['staff'], { text: 'changed', status: 'in_bearbeitung', previous: 'neu' }],
    ]);
    expect(noticesFor(request('rueckfrage', { handler: IB }), accepted, 'staff').map((n) => [n.key, n.to])).toEqual([
      ['item:anl-1:r4:cards', undefined],
      ['item:anl-1:r4:handler', ['ib']],
    ]);
    const decided = { ...report('weisung'), rev: 4 };
    expect(noticesFor(report('eingereicht'), decided, 'head').map((n) => [n.key, n.to])).toEqual([
      ['item:vtr-1:r4:cards', undefined],
      ['item:vtr-1:r4:commissioner', ['ib']],
    ]);
  });

  it('keys a reminder by the revision it is about, per recipient, with a card for whoever has none', () => {
    expect(noticesForReminder(request('neu'), 'escalate', ['ib', 'deputy']).map((n) => n.key)).toEqual([
      'item:anl-1:r3:escalate:ib',
      'item:anl-1:r3:escalate:deputy',
      'item:anl-1:card:ib',
      'item:anl-1:card:deputy',
    ]);
  });
});
