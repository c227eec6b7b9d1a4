import { readFileSync } from 'node:fs';
import { CircleService } from '../../../services/circle/circleService';
import type { CircleDoc, MeetingDoc } from '../../../services/circle/model';
import { parseDirectory } from '../../../services/directory/validate';
import { silentLogger } from '../../../services/logging';
import type { DeliveryDoc, NotificationDoc, OutboxDoc } from '../../../services/notifications/model';
import { Outbox } from '../../../services/notifications/outbox';
import { dataFile } from '../../../services/paths';
import { Scheduler, type JobDoc } from '../../../services/scheduling/scheduler';
import type { Versioned } from '../../../services/storage/documentStore';
import type { PendingCarrier } from '../../../services/workflow/pending';
import { ok } from '../../support/circle';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const parsed = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
if (!parsed.ok) throw new Error('demo directory invalid');
const directory = parsed.directory;
const KFI = '00000000-0000-4000-8000-000600000001';
const NOW = new Date('2026-12-04T10:00:00Z');

/** The service on memory stores, with the relay's kicks recorded (the test hands the notices over itself). */
function setup(english: string) {
  const store = new MemoryDocumentStore<CircleDoc>('circle');
  const outboxStore = new MemoryDocumentStore<OutboxDoc>('outbox');
  const jobs = new MemoryDocumentStore<JobDoc>('jobs');
  const kicked: Array<Versioned<PendingCarrier>> = [];
  const delivered = new Set<string>();
  const service = new CircleService({
    store,
    directory: () => directory,
    outbox: new Outbox(outboxStore),
    scheduler: new Scheduler(jobs),
    relay: { kick: (_source, doc) => void kicked.push(doc), relayed: (key) => delivered.has(key) },
    profiles: { langOf: async (id) => (id === english ? 'en' : 'de'), refreshIds: async () => [] },
    icsUrl: (t) => `https://lotse.example/kalender/${t}`,
    logger: silentLogger,
    now: () => NOW,
  });
  const notification = async (key: string) =>
    (await outboxStore.query<NotificationDoc>({ query: 'SELECT * FROM c WHERE c.kind = "notification" AND c.key = @k', parameters: [{ name: '@k', value: key }] }))[0];
  const deliveryOf = async (key: string) =>
    (await outboxStore.query<DeliveryDoc>({ query: 'SELECT * FROM c WHERE c.kind = "delivery" AND c.notificationKey = @k', parameters: [{ name: '@k', value: key }] }))[0];
  /** Hands every kicked document's notices to the circle's relay source, as the relay does after the write (the next write drops them). */
  const relay = async () => {
    const source = service.relaySource();
    for (const doc of kicked.splice(0)) {
      await source.deliver(doc as Versioned<CircleDoc>, doc.pending ?? []);
      for (const n of doc.pending ?? []) delivered.add(n.key);
    }
  };
  return { service, store, jobs, notification, relay, kicked, deliveryOf };
}

describe('the circle relay source', () => {
  it('announces a meeting with its calendar link and reminders, and tells members of a cancellation each in their language, once', async () => {
    const members = await setup('').service.members();
    expect(members.length).toBeGreaterThan(1);
    const english = members.find((m) => m.aadObjectId !== KFI)!.aadObjectId;
    const { service, store, jobs, notification, relay, kicked, deliveryOf } = setup(english);
    const view = ok(
      await service.announceMeeting(KFI, { tenantId: 't', title: 'Sitzung Februar', date: '2027-02-09', startTime: '10:00', endTime: '12:00', place: 'Arnsberg', rsvpDeadline: '2027-02-02', delivery: 'personal' }),
    );
    const id = view.meeting.pk;
    // The write carried the notices; nothing was sent on the way.
    expect(kicked.map((d) => d.pending?.map((n) => n.key))).toEqual([[`circle:meeting:${id}:announce`, `circle:meeting:${id}:ics`, `circle:meeting:${id}:reminders:r1`]]);
    expect(await notification(`circle:meeting:${id}:announce`)).toBeUndefined();
    await relay();
    expect((await notification(`circle:meeting:${id}:announce`))?.recipients).toHaveLength(members.length);
    expect(await store.read(`ics:${view.meeting.icsToken}`, 'ics')).toMatchObject({ meetingId: id });
    const scheduled = await jobs.query<JobDoc>({ query: 'SELECT * FROM c' });
    expect(scheduled.map((j) => j.kind).sort()).toEqual(['circle.dayBefore', 'circle.rsvpReminder']);

    ok(await service.cancelMeeting(KFI, id));
    expect(((await store.read(id, 'meeting')) as MeetingDoc).pending?.map((n) => n.key).sort()).toEqual(
      [`circle:meeting:${id}:card:r2`, `circle:meeting:${id}:cancelled:r2`, `circle:meeting:${id}:reminders:r2`].sort(),
    );
    await relay();
    const de = await notification(`circle:meeting:${id}:cancelled:r2`);
    const en = await notification(`circle:meeting:${id}:cancelled:r2:en`);
    expect(de?.recipients).toHaveLength(members.length - 1);
    expect(String(de?.activity.text)).toMatch(/^Abgesagt: „Sitzung Februar“/);
    // One recipient: the outbox stores the delivery alone, with the activity.
    expect(en).toBeUndefined();
    const enDelivery = await deliveryOf(`circle:meeting:${id}:cancelled:r2:en`);
    expect(enDelivery).toMatchObject({ target: { aadObjectId: english } });
    expect(String(enDelivery?.activity?.text)).toMatch(/^Cancelled: "Sitzung Februar"/);
    expect(await notification(`circle:meeting:${id}:card:r2`)).toBeDefined();
    const after = await jobs.query<JobDoc>({ query: 'SELECT * FROM c' });
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((j) => j.status === 'cancelled')).toBe(true);

    // Cancelling again changes nothing and owes nothing.
    const again = await service.cancelMeeting(KFI, id);
    expect(again).toMatchObject({ ok: true, changed: false });
    expect(kicked).toEqual([]);
  });

  it('creates the meeting a closed poll owes when the closing process died before creating it', async () => {
    const { service, store, relay } = setup('');
    const poll = ok(await service.createPoll(KFI, { tenantId: 't', title: 'Umfrage', place: 'Arnsberg', durationMinutes: 60, slots: [{ date: '2027-01-12', time: '10:00' }, { date: '2027-01-13', time: '10:00' }], delivery: 'personal' }));
    await relay();
    const meeting = ok(await service.closePoll(KFI, poll.poll.pk, { slotId: 's2', rsvpDeadline: '2027-01-08' }));
    // As if the process had died after the poll's write: the meeting it created is gone, the poll's notice remains.
    await store.delete(meeting.meeting.pk, 'meeting');
    await relay();
    expect(await store.read(meeting.meeting.pk, 'meeting')).toMatchObject({ fromPollId: poll.poll.pk, start: '2027-01-13T09:00:00.000Z' });
  });
});
