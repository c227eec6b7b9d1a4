import { circleReachText, renderMeetingCard, renderPollCard } from '../../../cards/circleViews';
import type { CircleDoc, MeetingView, PollDoc, PollView } from '../../../services/circle/model';
import { NOTICE_KINDS } from '../../../services/circle/notifications';
import { circleReachListener } from '../../../services/circle/reach';
import { silentLogger } from '../../../services/logging';
import type { DeliveryReport, DeliveryReports, RecipientReach } from '../../../services/notifications/reach';
import type { Versioned } from '../../../services/storage/documentStore';
import type { PendingCarrier } from '../../../services/workflow/pending';
import { summarize, type ReachSummary } from '../../../services/workflow/reachSummary';
import { cardText } from '../../../services/text/escape';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const member = (i: number) => ({ aadObjectId: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`, name: `Person ${i} (Beispiel)`, role: 'commissioner' as const });
const members = Array.from({ length: 12 }, (_, i) => member(i + 1));
const KFI = { aadObjectId: '00000000-0000-4000-8000-000600000001', name: 'Karla Koordinata (Beispiel)', role: 'kfi' as const };

/** A report as the outbox gives it: `delivered` of the recipients reached, the listed ones not, `pending` on the way. */
function reportOf(key: string, recipients: RecipientReach[]): DeliveryReport {
  const count = (r: RecipientReach['reach']) => recipients.filter((x) => x.reach === r).length;
  return {
    key,
    total: recipients.length,
    delivered: count('delivered') + count('installedThenDelivered'),
    installed: count('installedThenDelivered'),
    pending: count('pending'),
    unreachable: recipients.filter((x) => x.reach === 'unreachable'),
    recipients,
  };
}

/** A fake DeliveryReports answering from a table of reports by key (keys never enqueued have no recipients). */
function fakeReports(table: Map<string, DeliveryReport>): DeliveryReports {
  return { report: async (key) => table.get(key) ?? reportOf(key, []), onSettled: () => undefined };
}

const summary = (over: Partial<ReachSummary> = {}): ReachSummary => ({ total: 12, delivered: 11, installed: 0, pending: 0, unreachable: [{ aadObjectId: members[2]!.aadObjectId, reason: 'notInstalled' }], ...over });

const pollView = (kfi: boolean, reach?: ReachSummary): PollView => ({
  poll: {
    id: 'poll', pk: 'p-1', type: 'poll', title: 'Sitzung Januar', status: 'open', tenantId: 't', delivery: 'personal', createdBy: KFI.aadObjectId, createdAt: '2026-12-01T09:00:00Z',
    slots: [{ id: 's1', start: '2027-01-12T09:00:00Z', end: '2027-01-12T11:00:00Z' }, { id: 's2', start: '2027-01-13T13:00:00Z', end: '2027-01-13T15:00:00Z' }],
    ...(reach ? { reach } : {}),
  },
  tallies: { s1: { yes: 0, maybe: 0, no: 0 }, s2: { yes: 0, maybe: 0, no: 0 } },
  bestSlotId: 's1',
  members: [...members, KFI],
  notAnswered: [],
  answeredCount: 0,
  viewerIsKfi: kfi,
});

const texts = (content: unknown): string => JSON.stringify(content);

describe('the reach line', () => {
  it('names who was not reached and why, German and English', () => {
    const s = summary();
    expect(circleReachText(s, members, 'de')).toBe('Zugestellt an 11 von 12; nicht erreichbar: Person 3 (Beispiel) (App nicht installiert)');
    expect(circleReachText(s, members, 'en')).toBe('Delivered to 11 of 12; not reachable: Person 3 (Beispiel) (app not installed)');
  });

  it('names at most three people, counts the rest, and says how many are still on the way', () => {
    const reasons = ['notInstalled', 'removedByUser', 'blocked', 'installFailed', 'failed'] as const;
    const s = summary({ delivered: 5, pending: 2, unreachable: reasons.map((reason, i) => ({ aadObjectId: members[i]!.aadObjectId, reason })) });
    expect(circleReachText(s, members, 'de')).toBe(
      'Zugestellt an 5 von 12; nicht erreichbar: Person 1 (Beispiel) (App nicht installiert), Person 2 (Beispiel) (hat die App entfernt), Person 3 (Beispiel) (hat den Bot blockiert) und 2 weitere; 2 unterwegs',
    );
    expect(circleReachText(s, members, 'en')).toBe(
      'Delivered to 5 of 12; not reachable: Person 1 (Beispiel) (app not installed), Person 2 (Beispiel) (removed the app), Person 3 (Beispiel) (blocked the bot) and 2 more; 2 on the way',
    );
  });

  it('shows an id the directory does not know as a person without a directory entry, and a channel as the channel', () => {
    const s = summary({ total: 2, delivered: 0, unreachable: [{ aadObjectId: 'ffffffff-0000-4000-8000-000000000000', reason: 'installFailed' }, { reason: 'failed' }] });
    expect(circleReachText(s, members, 'de')).toBe('Zugestellt an 0 von 2; nicht erreichbar: eine Person ohne Verzeichniseintrag (Installation fehlgeschlagen), der Kanal des Koordinierungskreises (Zustellung fehlgeschlagen)');
  });

  it('escapes names for the card (display names are user text) and leaves them as they are for the tab', () => {
    const s = summary({ total: 1, delivered: 0, unreachable: [{ aadObjectId: 'x', reason: 'blocked' }] });
    expect(cardText('*Fett*')).not.toBe('*Fett*');
    expect(circleReachText(s, [{ aadObjectId: 'x', name: '*Fett*' }], 'de')).toContain(`${cardText('*Fett*')} (hat den Bot blockiert)`);
    expect(circleReachText(s, [{ aadObjectId: 'x', name: '*Fett*' }], 'de', (n) => n)).toContain('*Fett* (hat den Bot blockiert)');
  });

  it('sums up every language of an announcement', () => {
    const de = reportOf('circle:poll:p:announce', [{ aadObjectId: 'A', reach: 'delivered' }, { aadObjectId: 'b', reach: 'unreachable', reason: 'blocked' }]);
    const en = reportOf('circle:poll:p:announce:en', [{ aadObjectId: 'c', reach: 'installedThenDelivered' }, { aadObjectId: 'd', reach: 'pending' }]);
    expect(summarize([de, en])).toEqual({ total: 4, delivered: 2, installed: 1, pending: 1, unreachable: [{ aadObjectId: 'b', reason: 'blocked' }] });
  });
});

describe("the KfI's poll and meeting cards", () => {
  it.each([
    ['de', 'Zugestellt an 11 von 12; nicht erreichbar: Person 3 (Beispiel) (App nicht installiert)'],
    ['en', 'Delivered to 11 of 12; not reachable: Person 3 (Beispiel) (app not installed)'],
  ] as const)('show the reach line to the KfI (%s), and to nobody else', (lang, line) => {
    expect(texts(renderPollCard(pollView(true, summary()), lang).content)).toContain(line);
    expect(texts(renderPollCard(pollView(false, summary()), lang).content)).not.toContain(line);
    const meeting = (kfi: boolean): MeetingView => ({
      meeting: {
        id: 'meeting', pk: 'm-1', type: 'meeting', title: 'Sitzung Januar', start: '2027-01-13T13:00:00Z', end: '2027-01-13T15:00:00Z', place: 'Arnsberg', rsvpDeadline: '2027-01-08', status: 'scheduled',
        icsToken: 'AAAAAAAAAAAAAAAAAAAAAA', revision: 1, tenantId: 't', delivery: 'personal', agenda: [], agendaPublished: false, actionItems: [], createdBy: KFI.aadObjectId, createdAt: '', updatedAt: '', reach: summary(),
      },
      counts: { accept: 0, decline: 0, delegate: 0, open: 12 },
      agenda: [],
      proposed: [],
      members: [...members, KFI],
      notAnswered: [],
      icsUrl: 'https://lotse.example/kalender/AAAAAAAAAAAAAAAAAAAAAA',
      ended: false,
      viewerIsKfi: kfi,
    });
    expect(texts(renderMeetingCard(meeting(true), lang).content)).toContain(line);
    expect(texts(renderMeetingCard(meeting(false), lang).content)).not.toContain(line);
  });

  it('show no reach line before any report', () => {
    expect(texts(renderPollCard(pollView(true), 'de').content)).not.toContain('Zugestellt');
  });
});

describe('storing the reach of an announcement', () => {
  const POLL: PollDoc = { ...pollView(false).poll };
  async function setup() {
    const store = new MemoryDocumentStore<CircleDoc>('circle');
    await store.create(POLL);
    const kicked: Array<Versioned<PendingCarrier>> = [];
    const table = new Map<string, DeliveryReport>();
    const listener = circleReachListener({
      store,
      reports: fakeReports(table),
      writer: { relay: { kick: (_s, doc) => void kicked.push(doc), relayed: () => false }, source: 'circle', now: () => 0 },
      logger: silentLogger,
    });
    const poll = async () => (await store.read('p-1', 'poll')) as Versioned<PollDoc>;
    return { store, kicked, table, listener, poll };
  }
  const recipients = (unreachable: number, pending = 0): RecipientReach[] =>
    members.map((m, i) => ({ aadObjectId: m.aadObjectId, reach: i < unreachable ? 'unreachable' : i < unreachable + pending ? 'pending' : 'delivered', ...(i < unreachable ? { reason: 'notInstalled' as const } : {}) }));

  it('stores the summed-up report of both languages on the poll and updates the posted cards once it has settled', async () => {
    const { table, listener, poll, kicked } = await setup();
    const en = reportOf('circle:poll:p-1:announce:en', [{ aadObjectId: KFI.aadObjectId, reach: 'delivered' }]);
    table.set(en.key, en);
    await listener(reportOf('circle:poll:p-1:announce', recipients(1)));
    const stored = await poll();
    expect(stored.reach).toEqual({ total: 13, delivered: 12, installed: 0, pending: 0, unreachable: [{ aadObjectId: members[0]!.aadObjectId, reason: 'notInstalled' }] });
    expect(stored.pending).toEqual([expect.objectContaining({ kind: NOTICE_KINDS.pollCards, key: expect.stringMatching(/^circle:poll:p-1:card:reach-/) })]);
    expect(kicked).toHaveLength(1);
  });

  it('stores a report still on the way without updating every posted card', async () => {
    const { listener, poll } = await setup();
    await listener(reportOf('circle:poll:p-1:announce', recipients(0, 4)));
    const stored = await poll();
    expect(stored.reach).toMatchObject({ delivered: 8, pending: 4 });
    expect(stored.pending ?? []).toEqual([]);
  });

  it('writes nothing when the report did not change', async () => {
    const { listener, poll, kicked } = await setup();
    await listener(reportOf('circle:poll:p-1:announce', recipients(2)));
    const first = await poll();
    await listener(reportOf('circle:poll:p-1:announce', recipients(2)));
    const second = await poll();
    expect(second.etag).toBe(first.etag);
    expect(kicked).toHaveLength(1);
  });

  it('ignores reports of other circle notifications (card updates, reminders)', async () => {
    const { listener, poll, kicked } = await setup();
    await listener(reportOf('circle:poll:p-1:card:reach-d1p0u0', recipients(1)));
    await listener(reportOf('circle:poll:p-1:remind:2026-12-04', recipients(1)));
    expect((await poll()).reach).toBeUndefined();
    expect(kicked).toHaveLength(0);
  });
});
