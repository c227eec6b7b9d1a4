import {
  actsAs,
  REPORT_STATUSES,
  REPORT_TRANSITIONS,
  REQUEST_VERBS,
  stamp,
  transition,
  type ItemAction,
  type ItemDoc,
  type ItemRoles,
  type ItemStatus,
  type Party,
  type ReportDecision,
} from '../../../services/requests/model';
import { noticesFor } from '../../../services/requests/notifications';
import { INVITATION_NOTICE, invitationEventInput, inviteesOf, meetingTimes } from '../../../services/requests/termin';
import { checkAction } from '../../../services/requests/validation';
import { demoDirectory } from '../../support/circleOnMemory';

const AT = '2026-12-01T09:00:00.000Z';
const IB: Party = { aadObjectId: 'ib', tenantId: 't', name: 'Sabine (Beispiel)' };
const HEAD: Party = { aadObjectId: 'head', tenantId: 't', name: 'Frieda (Beispiel)' };
const OFFICE: Party = { aadObjectId: 'office', tenantId: 't', name: 'Rita (Beispiel)' };

const NONE: ItemRoles = { requester: false, commissioner: false, headSide: false, decider: false };
const ROLES: Record<string, ItemRoles> = {
  ib: { ...NONE, commissioner: true },
  decider: { ...NONE, headSide: true, decider: true },
  office: { ...NONE, headSide: true },
  none: NONE,
};

const report = (status: ItemStatus, extra: Partial<ItemDoc> = {}): ItemDoc => ({
  id: 'vtr-1', pk: 'koeln', type: 'item', kind: 'report', authority: 'koeln', rev: 3, status, subject: 'Mehrsprachige Bescheide', body: 'B',
  linked: [], createdBy: IB, messages: [], participants: ['ib'], cardsTo: ['head', 'office'], touchedAt: AT, createdAt: AT, updatedAt: AT, ...extra,
});
const next = (t: ReturnType<typeof transition>): ItemDoc => {
  if (!('next' in t)) throw new Error(`no change: ${JSON.stringify(t)}`);
  return t.next;
};

/** An action for each verb of the Vortrag's table (with valid input). */
function actionFor(verb: string): ItemAction {
  const decisions: Record<string, ReportDecision> = {
    [REQUEST_VERBS.proposeMeeting]: 'termin', [REQUEST_VERBS.inWriting]: 'schriftlich', [REQUEST_VERBS.noted]: 'kenntnis', [REQUEST_VERBS.decline]: 'ablehnen', [REQUEST_VERBS.instruct]: 'weisung',
  };
  if (decisions[verb]) return { type: 'decide', decision: decisions[verb]!, date: '2026-12-08', time: '10:30', text: 'Grund' };
  if (verb === REQUEST_VERBS.acknowledge) return { type: 'acknowledge' };
  if (verb === REQUEST_VERBS.handIn) return { type: 'handIn', text: 'Vorlage' };
  if (verb === REQUEST_VERBS.acceptMeeting) return { type: 'acceptMeeting' };
  if (verb === REQUEST_VERBS.counterMeeting) return { type: 'counterMeeting', date: '2026-12-09', time: '14:00' };
  throw new Error(`no action for ${verb}`);
}

/** A report in `status` as it would be stored: a proposed date where the state has one. */
const stored = (status: ItemStatus): ItemDoc =>
  report(status, status.startsWith('termin_') ? { termin: { date: '2026-12-08', time: '10:30', by: HEAD, at: AT, side: status === 'termin_gegenvorschlag' ? 'ib' : 'head', proposals: 1 } } : {});

describe('the Vortrag follows its transition table', () => {
  const verbs = [...new Set(REPORT_TRANSITIONS.filter((r) => !r.from.includes(null)).map((r) => r.verb))];
  const cases = REPORT_STATUSES.flatMap((status) => verbs.flatMap((verb) => Object.keys(ROLES).map((role) => [status, verb, role] as const)));
  it(`decides each of the ${cases.length} (state, verb, role) cases as the table says`, () => {
    expect(cases.length).toBeGreaterThan(100);
    for (const [status, verb, role] of cases) {
      const roles = ROLES[role]!;
      const result = transition(stored(status), roles, role === 'ib' ? IB : HEAD, actionFor(verb), AT);
      const row = REPORT_TRANSITIONS.find((r) => r.verb === verb && r.from.includes(status));
      const anywhere = REPORT_TRANSITIONS.some((r) => r.verb === verb && actsAs(r.who, roles));
      const expected = !anywhere ? { refuse: 'forbidden' } : !row ? { stale: true } : !actsAs(row.who, roles) ? { refuse: 'forbidden' } : { status: row.to };
      const got = 'next' in result ? { status: result.next.status } : result;
      expect({ status, verb, role, got }).toEqual({ status, verb, role, got: expected });
    }
  });
});

describe('Termin: propose, counter-propose, accept', () => {
  it('walks the head\'s proposal, the IB\'s counter-proposal and the head\'s acceptance, recording each date and side', () => {
    const proposed = next(transition(report('eingereicht'), ROLES.decider!, HEAD, { type: 'decide', decision: 'termin', date: '2026-12-08', time: '10:30' }, AT));
    expect(proposed).toMatchObject({ status: 'termin_vorgeschlagen', termin: { date: '2026-12-08', time: '10:30', by: HEAD, side: 'head', proposals: 1 } });
    const countered = next(transition(proposed, ROLES.ib!, IB, { type: 'counterMeeting', date: '2026-12-09', time: '14:00' }, AT));
    expect(countered).toMatchObject({ status: 'termin_gegenvorschlag', termin: { date: '2026-12-09', time: '14:00', by: IB, side: 'ib', proposals: 2 } });
    const again = next(transition(countered, ROLES.decider!, OFFICE, { type: 'counterMeeting', date: '2026-12-10', time: '09:00' }, AT));
    expect(again).toMatchObject({ status: 'termin_vorgeschlagen', termin: { date: '2026-12-10', side: 'head', proposals: 3 } });
    const agreed = next(transition(again, ROLES.ib!, IB, { type: 'acceptMeeting' }, AT));
    expect(agreed).toMatchObject({ status: 'termin_vereinbart', termin: { date: '2026-12-10', time: '09:00', agreed: { by: IB, at: AT }, invitation: { state: 'pending' } } });
    // The head's first proposal stays the decision on record.
    expect(agreed.decision).toMatchObject({ kind: 'termin', date: '2026-12-08', time: '10:30' });
  });

  it('lets only the side whose turn it is answer: the office never for the IB, the IB never for the head side', () => {
    expect(transition(stored('termin_vorgeschlagen'), ROLES.decider!, OFFICE, { type: 'acceptMeeting' }, AT)).toEqual({ refuse: 'forbidden' });
    expect(transition(stored('termin_vorgeschlagen'), ROLES.office!, OFFICE, { type: 'acceptMeeting' }, AT)).toEqual({ refuse: 'forbidden' });
    expect(transition(stored('termin_gegenvorschlag'), ROLES.ib!, IB, { type: 'acceptMeeting' }, AT)).toEqual({ refuse: 'forbidden' });
    expect(transition(stored('termin_gegenvorschlag'), ROLES.office!, OFFICE, { type: 'counterMeeting', date: '2026-12-09', time: '10:00' }, AT)).toEqual({ refuse: 'forbidden' });
    // An agreed date is agreed: accepting it again is a card out of date.
    expect(transition(stored('termin_vereinbart'), ROLES.ib!, IB, { type: 'acceptMeeting' }, AT)).toEqual({ stale: true });
  });

  it('reads a report decided before the negotiation existed (date only in the decision)', () => {
    const old = report('termin_vorgeschlagen', { decision: { kind: 'termin', by: HEAD, at: AT, date: '2026-12-08', time: '10:30' } });
    expect(next(transition(old, ROLES.ib!, IB, { type: 'acceptMeeting' }, AT)).termin).toMatchObject({ date: '2026-12-08', time: '10:30', agreed: { by: IB } });
  });

  it('puts each proposed date and the agreement into the trail, and closes the report when agreed', () => {
    const now = new Date(AT);
    const countered = stamp(stored('termin_vorgeschlagen'), next(transition(stored('termin_vorgeschlagen'), ROLES.ib!, IB, { type: 'counterMeeting', date: '2026-12-09', time: '14:00' }, AT)), IB, REQUEST_VERBS.counterMeeting, now, 30);
    expect(countered.trail!.at(-1)!.changes).toEqual([
      { path: '/status', from: 'termin_vorgeschlagen', to: 'termin_gegenvorschlag' },
      { path: '/termin', from: '2026-12-08T10:30', to: '2026-12-09T14:00' },
    ]);
    expect(countered.closedAt).toBeUndefined();
    const agreed = stamp(countered, next(transition(countered, ROLES.decider!, HEAD, { type: 'acceptMeeting' }, AT)), HEAD, REQUEST_VERBS.acceptMeeting, now, 30);
    expect(agreed.trail!.at(-1)!.changes).toContainEqual({ path: '/termin/agreed', from: null, to: '2026-12-09T14:00' });
    expect(agreed.closedAt).toBe(AT);
  });
});

describe('Termin: who is told what', () => {
  it('tells the head side of a counter-proposal, both sides of the agreement, and makes the invitation once', () => {
    const proposed = stored('termin_vorgeschlagen');
    const countered = { ...next(transition(proposed, ROLES.ib!, IB, { type: 'counterMeeting', date: '2026-12-09', time: '14:00' }, AT)), rev: 4 };
    const toCounter = noticesFor(proposed, countered, 'ib').filter((n) => n.kind === 'message');
    expect(toCounter.map((n) => n.to)).toEqual([['head'], ['office']]);
    expect(toCounter[0]!.data).toMatchObject({ text: 'meetingCounter', date: '2026-12-09', time: '14:00' });
    const agreed = { ...next(transition(countered, ROLES.decider!, HEAD, { type: 'acceptMeeting' }, AT)), rev: 5 };
    const notices = noticesFor(countered, agreed, 'head');
    expect(notices.filter((n) => n.kind === INVITATION_NOTICE)).toEqual([{ key: 'item:vtr-1:invitation', kind: INVITATION_NOTICE, rev: 5 }]);
    expect(notices.filter((n) => n.kind === 'message').map((n) => [n.to, n.data?.text])).toEqual([[['ib'], 'meetingAgreed'], [['office'], 'meetingAgreed']]);
  });
});

describe('Termin: the date typed', () => {
  const check = (date: string, time: string) => checkAction({ type: 'counterMeeting', date, time }, '2026-12-01', {}, '10:00');
  it('takes a date from today on and a time that has not passed', () => {
    expect(check('2026-12-08', '10:30')).toEqual({ ok: true, value: { type: 'counterMeeting', date: '2026-12-08', time: '10:30' } });
    expect(check('2026-12-01', '10:30').ok).toBe(true);
  });
  it.each([
    ['a past day', '2026-11-30', '10:30', { field: 'date', code: 'past_date' }],
    ['a time already over today', '2026-12-01', '09:30', { field: 'time', code: 'past_date' }],
    ['no date', '', '10:30', { field: 'date', code: 'missing' }],
    ['a day that does not exist', '2026-02-30', '10:30', { field: 'date', code: 'bad_date' }],
    ['a time that is none', '2026-12-08', '25:00', { field: 'time', code: 'bad_time' }],
  ])('refuses %s at its field', (_name, date, time, problem) => {
    expect(check(date, time)).toEqual({ ok: false, problems: [problem] });
  });
  it('refuses the head\'s first proposal in the past the same way', () => {
    expect(checkAction({ type: 'decide', decision: 'termin', date: '2026-11-30', time: '10:30' }, '2026-12-01', {}, '10:00')).toEqual({ ok: false, problems: [{ field: 'date', code: 'past_date' }] });
  });
});

describe('Termin: the invitation', () => {
  it('invites the head and the IB who registered the report, from the stored directory, 60 minutes in Berlin time', () => {
    const directory = demoDirectory;
    const koeln = directory.authorities.find((a) => a.code === 'koeln')!;
    const ib = { ...IB, aadObjectId: koeln.commissioner!.teams!.aadObjectId! };
    const item = report('termin_vereinbart', { createdBy: ib, termin: { date: '2026-12-08', time: '10:30', by: HEAD, at: AT, side: 'head', proposals: 1, agreed: { by: ib, at: AT } } });
    const invitees = inviteesOf(directory, item);
    expect(invitees).toEqual([koeln.head.email.toLowerCase(), koeln.commissioner!.email.toLowerCase()]);
    expect(invitationEventInput(item, invitees)).toMatchObject({ transactionId: 'report:vtr-1', start: '2026-12-08T09:30:00.000Z', end: '2026-12-08T10:30:00.000Z', timeZone: 'Europe/Berlin', attendees: invitees });
    expect(meetingTimes({ date: '2026-07-01', time: '10:30' })!.start.toISOString()).toBe('2026-07-01T08:30:00.000Z');
  });
});
