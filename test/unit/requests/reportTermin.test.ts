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
  type ReportStatus,
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
  if (verb === REQUEST_VERBS.moveMeeting) return { type: 'moveMeeting', date: '2026-12-10', time: '09:00' };
  if (verb === REQUEST_VERBS.cancelMeeting) return { type: 'cancelMeeting', text: 'Dienstreise' };
  throw new Error(`no action for ${verb}`);
}

/** A report in `status` as it would be stored: a proposed date where the state has one. */
const stored = (status: ItemStatus): ItemDoc =>
  status === 'termin_offen' ? report(status, { terminCancelled: { date: '2026-12-08', time: '10:30', proposals: 1, round: 1, by: HEAD, at: AT, invitation: { state: 'ics' } } })
  : report(status, status.startsWith('termin_') ? { termin: { date: '2026-12-08', time: '10:30', by: HEAD, at: AT, side: status === 'termin_gegenvorschlag' ? 'ib' : 'head', proposals: 1, ...(status === 'termin_vereinbart' ? { agreed: { by: IB, at: AT } } : {}) } } : {});

/** A report whose agreed date (08.12.2026, 10:30) is being moved: the new date proposed by the head side or the IB. */
const movingStored = (status: 'termin_vorgeschlagen' | 'termin_gegenvorschlag'): ItemDoc =>
  report(status, {
    termin: {
      date: '2026-12-10', time: '09:00', by: status === 'termin_vorgeschlagen' ? HEAD : IB, at: AT, side: status === 'termin_vorgeschlagen' ? 'head' : 'ib', proposals: 2,
      moving: { date: '2026-12-08', time: '10:30', proposals: 1, agreed: { by: IB, at: AT } }, invitation: { state: 'created', eventId: 'ev-1', joinUrl: 'https://teams.example/j' }, icsToken: 'tok',
    },
  });

describe('the Vortrag follows its transition table', () => {
  const verbs = [...new Set(REPORT_TRANSITIONS.filter((r) => !r.from.includes(null)).map((r) => r.verb))];
  // Each state as stored, and the two proposal states once more while a move of the agreed date is negotiated.
  const items: [string, ItemDoc][] = [...REPORT_STATUSES.map((s): [string, ItemDoc] => [s, stored(s)]), ['termin_vorgeschlagen (moving)', movingStored('termin_vorgeschlagen')], ['termin_gegenvorschlag (moving)', movingStored('termin_gegenvorschlag')]];
  const cases = items.flatMap(([name, item]) => verbs.flatMap((verb) => Object.keys(ROLES).map((role) => [name, item, verb, role] as const)));
  it(`decides each of the ${cases.length} (state, verb, role) cases as the table says`, () => {
    expect(cases.length).toBeGreaterThan(100);
    for (const [status, item, verb, role] of cases) {
      const roles = ROLES[role]!;
      const result = transition(item, roles, role === 'ib' ? IB : HEAD, actionFor(verb), AT);
      // Where both sides may take a step (moving, cancelling), the caller's side picks the row; a row for a move under
      // way applies only to a report with one.
      const rows = REPORT_TRANSITIONS.filter((r) => r.verb === verb && r.from.includes(item.status as ReportStatus) && (r.when !== 'moving' || !!item.termin?.moving));
      const row = rows.find((r) => actsAs(r.who, roles)) ?? rows[0];
      const anywhere = REPORT_TRANSITIONS.some((r) => r.verb === verb && actsAs(r.who, roles));
      const expected = !anywhere ? { refuse: 'forbidden' } : !row ? { stale: true } : !actsAs(row.who, roles) ? { refuse: 'forbidden' } : { status: row.to };
      const got = 'next' in result ? { status: result.next.status } : result;
      expect({ status, verb, role, got }).toEqual({ status, verb, role, got: expected });
    }
  });

  it('lets either side cancel while a move is negotiated, and only then from a proposal', () => {
    const cancelFrom = (item: ItemDoc) => REPORT_TRANSITIONS.filter((r) => r.verb === REQUEST_VERBS.cancelMeeting && r.from.includes(item.status as ReportStatus) && (r.when !== 'moving' || !!item.termin?.moving));
    expect(cancelFrom(movingStored('termin_vorgeschlagen')).map((r) => r.who).sort()).toEqual(['decider', 'ibSide']);
    expect(cancelFrom(movingStored('termin_gegenvorschlag')).map((r) => r.who).sort()).toEqual(['decider', 'ibSide']);
    expect(cancelFrom(stored('termin_vorgeschlagen'))).toEqual([]);
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
    expect(notices.filter((n) => n.kind === INVITATION_NOTICE)).toEqual([{ key: 'item:vtr-1:invitation:r5', kind: INVITATION_NOTICE, rev: 5 }]);
    expect(notices.filter((n) => n.kind === 'message').map((n) => [n.to, n.data?.text])).toEqual([[['ib'], 'meetingAgreed'], [['office'], 'meetingAgreed']]);
  });
});

describe('Termin: moving and cancelling an agreed date', () => {
  const agreed = (): ItemDoc => ({ ...stored('termin_vereinbart'), termin: { date: '2026-12-08', time: '10:30', by: HEAD, at: AT, side: 'head', proposals: 1, agreed: { by: IB, at: AT }, invitation: { state: 'created', eventId: 'ev-1', joinUrl: 'https://teams.example/j' }, icsToken: 'tok' } });

  it('moves: the agreed date stays in force until the new one is accepted, and the same event is then updated', () => {
    const now = new Date(AT);
    const moved = stamp(agreed(), next(transition(agreed(), ROLES.decider!, OFFICE, { type: 'moveMeeting', date: '2026-12-10', time: '09:00' }, AT)), OFFICE, REQUEST_VERBS.moveMeeting, now, 30);
    expect(moved).toMatchObject({ status: 'termin_vorgeschlagen', termin: { date: '2026-12-10', side: 'head', proposals: 2, moving: { date: '2026-12-08', time: '10:30', proposals: 1 }, invitation: { state: 'created', eventId: 'ev-1' }, icsToken: 'tok' } });
    // Open again: no retention runs while the new date is negotiated.
    expect(moved.closedAt).toBeUndefined();
    expect(moved.expiresAt).toBeUndefined();
    expect(moved.trail!.at(-1)!.changes).toContainEqual({ path: '/termin', from: '2026-12-08T10:30', to: '2026-12-10T09:00' });
    // The IB answers with another date: the agreed one still holds.
    const countered = next(transition(moved, ROLES.ib!, IB, { type: 'counterMeeting', date: '2026-12-11', time: '11:00' }, AT));
    expect(countered.termin).toMatchObject({ date: '2026-12-11', moving: { date: '2026-12-08' }, invitation: { eventId: 'ev-1' } });
    const accepted = next(transition(countered, ROLES.decider!, HEAD, { type: 'acceptMeeting' }, AT));
    expect(accepted).toMatchObject({ status: 'termin_vereinbart', termin: { date: '2026-12-11', proposals: 3, agreed: { by: HEAD }, invitation: { state: 'pending', eventId: 'ev-1' }, icsToken: 'tok' } });
    expect(accepted.termin!.moving).toBeUndefined();
    // The IB moving it: the head side answers.
    expect(next(transition(agreed(), ROLES.ib!, IB, { type: 'moveMeeting', date: '2026-12-10', time: '09:00' }, AT))).toMatchObject({ status: 'termin_gegenvorschlag', termin: { side: 'ib' } });
  });

  it('cancels: the report waits for a new date, the event is to be cancelled, the next date is a new calendar entry', () => {
    const cancelled = next(transition(agreed(), ROLES.ib!, IB, { type: 'cancelMeeting', text: 'Dienstreise' }, AT));
    expect(cancelled).toMatchObject({ status: 'termin_offen', terminCancelled: { date: '2026-12-08', time: '10:30', round: 1, reason: 'Dienstreise', by: IB, invitation: { state: 'pending', eventId: 'ev-1' }, icsToken: 'tok' } });
    expect(cancelled.termin).toBeUndefined();
    // Both sides are told; the invitation notice cancels the event.
    const notices = noticesFor(agreed(), { ...cancelled, rev: 4 }, 'ib');
    expect(notices.filter((n) => n.kind === 'message').map((n) => [n.to, n.data?.text])).toEqual([[['head'], 'meetingCancelled'], [['office'], 'meetingCancelled']]);
    expect(notices.some((n) => n.kind === INVITATION_NOTICE)).toBe(true);
    // The head side proposes a new date: round 2, a new event (transactionId report:<id>:2).
    const again = next(transition(cancelled, ROLES.decider!, HEAD, { type: 'decide', decision: 'termin', date: '2026-12-15', time: '10:00' }, AT));
    expect(again).toMatchObject({ status: 'termin_vorgeschlagen', termin: { date: '2026-12-15', proposals: 1, round: 2 } });
    const agreedAgain = next(transition(again, ROLES.ib!, IB, { type: 'acceptMeeting' }, AT));
    expect(invitationEventInput(agreedAgain, [])).toMatchObject({ transactionId: 'report:vtr-1:2' });
    // The IB may propose too, after a cancellation.
    expect(next(transition(cancelled, ROLES.ib!, IB, { type: 'counterMeeting', date: '2026-12-15', time: '10:00' }, AT))).toMatchObject({ status: 'termin_gegenvorschlag', termin: { round: 2 } });
  });

  it('refuses the office that may not decide and anybody else; a report with no agreed date changes nothing (card out of date)', () => {
    expect(transition(agreed(), ROLES.office!, OFFICE, { type: 'cancelMeeting' }, AT)).toEqual({ refuse: 'forbidden' });
    expect(transition(agreed(), ROLES.none!, OFFICE, { type: 'moveMeeting', date: '2026-12-10', time: '09:00' }, AT)).toEqual({ refuse: 'forbidden' });
    expect(transition(stored('termin_vorgeschlagen'), ROLES.decider!, HEAD, { type: 'moveMeeting', date: '2026-12-10', time: '09:00' }, AT)).toEqual({ stale: true });
    expect(transition(stored('eingereicht'), ROLES.ib!, IB, { type: 'cancelMeeting' }, AT)).toEqual({ stale: true });
  });

  it('cancels while a move is negotiated (either side, whoever proposed the move): the agreed date is cancelled, the proposal withdrawn with it', () => {
    const now = new Date(AT);
    for (const [status, roles, caller] of [
      ['termin_vorgeschlagen', ROLES.decider!, OFFICE], ['termin_vorgeschlagen', ROLES.ib!, IB], ['termin_gegenvorschlag', ROLES.decider!, HEAD], ['termin_gegenvorschlag', ROLES.ib!, IB],
    ] as const) {
      const moving = { ...movingStored(status), rev: 5 };
      const cancelled = next(transition(moving, roles, caller, { type: 'cancelMeeting', text: 'Dienstreise' }, AT));
      // The date cancelled is the agreed one (its calendar entry: the same event, the .ics's sequence), not the proposal.
      expect(cancelled).toMatchObject({
        status: 'termin_offen',
        terminCancelled: { date: '2026-12-08', time: '10:30', proposals: 1, round: 1, by: caller, reason: 'Dienstreise', invitation: { state: 'pending', eventId: 'ev-1' }, icsToken: 'tok', withdrawn: { date: '2026-12-10', time: '09:00', side: moving.termin!.side } },
      });
      expect(cancelled.termin).toBeUndefined();
      const stamped = { ...stamp(moving, cancelled, caller, REQUEST_VERBS.cancelMeeting, now, 30), rev: 6 };
      expect(stamped.trail!.at(-1)!.changes).toEqual([
        { path: '/status', from: status, to: 'termin_offen' },
        { path: '/termin/cancelled', from: null, to: '2026-12-08T10:30' },
        { path: '/termin/withdrawn', from: '2026-12-10T09:00', to: null },
      ]);
      // Both sides told (the actor's own side but the actor too), with the agreed date and the withdrawn one; the event is cancelled.
      const notices = noticesFor(moving, stamped, caller.aadObjectId);
      const messages = notices.filter((n) => n.kind === 'message');
      expect(messages.map((n) => n.to![0]).sort()).toEqual(['head', 'ib', 'office'].filter((id) => id !== caller.aadObjectId));
      expect(messages[0]!.data).toMatchObject({ text: 'meetingCancelled', date: '2026-12-08', time: '10:30', withdrawnDate: '2026-12-10', withdrawnTime: '09:00' });
      expect(notices.some((n) => n.kind === INVITATION_NOTICE)).toBe(true);
      // No reminder about the withdrawn proposal is scheduled any more.
      expect(notices.some((n) => n.kind === 'job.terminReminder')).toBe(false);
      // The old card of the move proposal: accepting it is a card out of date now.
      expect(transition(stamped, ROLES.ib!, IB, { type: 'acceptMeeting' }, AT)).toEqual({ stale: true });
      expect(transition(stamped, ROLES.decider!, HEAD, { type: 'acceptMeeting' }, AT)).toEqual({ stale: true });
    }
  });

  it('refuses a cancellation while a move is negotiated to the office that may not decide and to anybody else', () => {
    expect(transition(movingStored('termin_vorgeschlagen'), ROLES.office!, OFFICE, { type: 'cancelMeeting' }, AT)).toEqual({ refuse: 'forbidden' });
    expect(transition(movingStored('termin_gegenvorschlag'), ROLES.none!, OFFICE, { type: 'cancelMeeting' }, AT)).toEqual({ refuse: 'forbidden' });
    // A first proposal (no date agreed before): nothing to cancel, a card out of date.
    expect(transition(stored('termin_gegenvorschlag'), ROLES.decider!, HEAD, { type: 'cancelMeeting' }, AT)).toEqual({ stale: true });
  });

  it('checks the reason of a cancellation: optional, at most 300 characters, no personal data of others', () => {
    expect(checkAction({ type: 'cancelMeeting', text: '  ' }, '2026-12-01', {})).toEqual({ ok: true, value: { type: 'cancelMeeting' } });
    expect(checkAction({ type: 'cancelMeeting', text: 'x'.repeat(301) }, '2026-12-01', {})).toEqual({ ok: false, problems: [{ field: 'text', code: 'too_long' }] });
    const guarded = checkAction({ type: 'cancelMeeting', text: 'Frau Müller ist an Krebs erkrankt' }, '2026-12-01', {});
    expect(guarded.ok).toBe(false);
    expect(checkAction({ type: 'moveMeeting', date: '2026-11-30', time: '10:00' }, '2026-12-01', {}, '10:00')).toEqual({ ok: false, problems: [{ field: 'date', code: 'past_date' }] });
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
