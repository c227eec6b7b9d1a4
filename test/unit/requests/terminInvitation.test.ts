import { silentLogger } from '../../../services/logging';
import { stamp, transition, type ItemDoc, type ItemRoles, type Party } from '../../../services/requests/model';
import { INVITATION_NOTICE, syncInvitation, type InvitationDeps } from '../../../services/requests/termin';
import type { PendingNotice } from '../../../services/workflow/pending';
import type { WorkflowWriter } from '../../../services/workflow/transaction';
import { demoDirectory } from '../../support/circleOnMemory';
import { FakeGraph } from '../../support/fakeGraph';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

/**
 * The calendar entry of an agreed Vortrag date that is cancelled before Graph's first create was recorded (issue 17):
 * a cancellation never creates an event (that would invite head and IB to a cancelled date); it looks the event up by
 * its transactionId, and a create whose answer comes only after the cancellation hands its event over to be cancelled.
 */
const AT = '2026-12-01T09:00:00.000Z';
const koeln = demoDirectory.authorities.find((a) => a.code === 'koeln')!;
const IB: Party = { aadObjectId: koeln.commissioner!.teams!.aadObjectId!, tenantId: 't', name: 'IB (Beispiel)' };
const HEAD: Party = { aadObjectId: 'head', tenantId: 't', name: 'Leitung (Beispiel)' };
const DECIDER: ItemRoles = { requester: false, commissioner: false, headSide: true, decider: true };
const MAILBOX = 'vortraege@bezreg-koeln.example';

function setUp() {
  const store = new MemoryDocumentStore<ItemDoc>();
  const written: PendingNotice[] = [];
  const writer: WorkflowWriter = { relay: { kick: (_source, doc) => void written.push(...((doc as { pending?: PendingNotice[] }).pending ?? [])), relayed: () => false }, source: 'requests', now: () => Date.parse(AT) };
  const graph = new FakeGraph();
  const deps: InvitationDeps = { store, directory: () => demoDirectory, graph, mailbox: MAILBOX, writer, logger: silentLogger, now: () => new Date(AT), random: () => 0.5 };
  const agreed: ItemDoc = {
    id: 'vtr-1', pk: 'koeln', type: 'item', kind: 'report', authority: 'koeln', rev: 3, status: 'termin_vereinbart', subject: 'Mehrsprachige Bescheide', body: 'B',
    linked: [], createdBy: IB, messages: [], participants: [IB.aadObjectId], cardsTo: ['head'], touchedAt: AT, createdAt: AT, updatedAt: AT,
    termin: { date: '2026-12-08', time: '10:30', by: HEAD, at: AT, side: 'head', proposals: 1, agreed: { by: IB, at: AT }, invitation: { state: 'pending' }, icsToken: 'tok' },
  };
  /** The head cancels the agreed date, as the service writes it (stamped, with the ETag). */
  const cancel = async () => {
    const current = (await store.read('koeln', 'vtr-1'))!;
    const t = transition(current, DECIDER, HEAD, { type: 'cancelMeeting', text: 'Dienstreise' }, AT);
    if (!('next' in t)) throw new Error('not cancelled');
    await store.replace(stamp(current, t.next, HEAD, 'report.cancelMeeting', new Date(AT), 30), current.etag);
  };
  const outcomes = async () => (await store.read('koeln', 'vtr-1'))!.trail!.filter((e) => e.action === 'report.invitation').map((e) => `${e.changes[0]!.path}:${e.changes[0]!.to}`);
  return { store, graph, deps, agreed, cancel, written, outcomes };
}

describe('the calendar entry of a date cancelled before its event was recorded', () => {
  it('makes no event for a date cancelled before Graph made one: nothing found, nothing created, "stopped" in the trail', async () => {
    const { store, graph, deps, agreed, cancel, outcomes } = setUp();
    await store.create(agreed);
    await cancel();
    await syncInvitation(deps, agreed);
    expect(graph.callsTo('upsertMeetingEvent')).toEqual([]);
    expect(graph.callsTo('findMeetingEvent')).toMatchObject([{ transactionId: 'report:vtr-1' }]);
    expect((await store.read('koeln', 'vtr-1'))!.terminCancelled!.invitation).toEqual({ state: 'ics' });
    expect(await outcomes()).toEqual(['/terminCancelled/invitation:stopped']);
  });

  it('cancels the event a create made but never recorded, found by its transactionId', async () => {
    const { store, graph, deps, agreed, cancel, outcomes } = setUp();
    await store.create(agreed);
    const { eventId } = await graph.upsertMeetingEvent(MAILBOX, { transactionId: 'report:vtr-1', subject: 'S', bodyText: 'B', start: '2026-12-08T09:30:00.000Z', end: '2026-12-08T10:30:00.000Z', timeZone: 'Europe/Berlin', attendees: [] });
    await cancel();
    await syncInvitation(deps, agreed);
    expect(graph.callsTo('upsertMeetingEvent')).toHaveLength(1);
    expect(graph.events.get(eventId)!.cancelled).toBe('Dienstreise');
    expect((await store.read('koeln', 'vtr-1'))!.terminCancelled!.invitation).toEqual({ state: 'cancelled', eventId });
    expect(await outcomes()).toEqual(['/terminCancelled/invitation:cancelled']);
  });

  it('looks the event up also when the tries had run out: a create that failed for the bot may still have reached Graph', async () => {
    const { store, graph, deps, agreed, cancel, outcomes } = setUp();
    await store.create({ ...agreed, termin: { ...agreed.termin!, invitation: { state: 'ics', attempts: 5, failed: true } } });
    const { eventId } = await graph.upsertMeetingEvent(MAILBOX, { transactionId: 'report:vtr-1', subject: 'S', bodyText: 'B', start: '2026-12-08T09:30:00.000Z', end: '2026-12-08T10:30:00.000Z', timeZone: 'Europe/Berlin', attendees: [] });
    await cancel();
    expect((await store.read('koeln', 'vtr-1'))!.terminCancelled!.invitation).toEqual({ state: 'pending' });
    await syncInvitation(deps, agreed);
    expect(graph.events.get(eventId)!.cancelled).toBe('Dienstreise');
    expect(await outcomes()).toEqual(['/terminCancelled/invitation:cancelled']);
  });

  it('hands over an event whose create answered only after the cancellation looked for it, and that cancellation then cancels it', async () => {
    const { store, graph, deps, agreed, cancel, written, outcomes } = setUp();
    await store.create(agreed);
    // The agreement's sync calls Graph; Graph takes its time.
    const release = graph.hold('upsertMeetingEvent');
    const creating = syncInvitation(deps, agreed);
    await new Promise<void>((resolve) => {
      const check = () => (graph.callsTo('upsertMeetingEvent').length ? resolve() : setImmediate(check));
      check();
    });
    // Meanwhile the date is cancelled, and the cancellation's sync finds no event yet.
    await cancel();
    await syncInvitation(deps, agreed);
    expect(await outcomes()).toEqual(['/terminCancelled/invitation:stopped']);
    // Graph answers the create: the event goes to the cancelled date's entry, with the notice that cancels it.
    release();
    await creating;
    const handed = (await store.read('koeln', 'vtr-1'))!;
    const [eventId] = [...graph.events.keys()];
    expect(handed.terminCancelled!.invitation).toEqual({ state: 'pending', eventId });
    expect(handed.termin).toBeUndefined();
    expect(written.filter((n) => n.kind === INVITATION_NOTICE)).toHaveLength(1);
    // The relay carries the notice out: the event is cancelled, not left in head's and IB's calendars.
    await syncInvitation(deps, agreed);
    expect(graph.events.get(eventId!)!.cancelled).toBe('Dienstreise');
    expect((await store.read('koeln', 'vtr-1'))!.terminCancelled!.invitation).toEqual({ state: 'cancelled', eventId });
    expect(await outcomes()).toEqual(['/terminCancelled/invitation:stopped', '/terminCancelled/invitation:late', '/terminCancelled/invitation:cancelled']);
  });
});
