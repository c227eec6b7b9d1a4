import { readFileSync } from 'node:fs';
import { CircleService } from '../../../services/circle/circleService';
import type { CircleDoc, MeetingDoc } from '../../../services/circle/model';
import { parseDirectory } from '../../../services/directory/validate';
import { silentLogger } from '../../../services/logging';
import type { DeliveryDoc, NotificationDoc, OutboxDoc } from '../../../services/notifications/model';
import { notificationIdOf } from '../../../services/notifications/keys';
import { Outbox } from '../../../services/notifications/outbox';
import { dataFile } from '../../../services/paths';
import { Scheduler, type JobDoc } from '../../../services/scheduling/scheduler';
import type { Versioned } from '../../../services/storage/documentStore';
import type { PendingCarrier } from '../../../services/workflow/pending';
import { meetingNoticeText } from '../../../services/circle/notifications';
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
  const deliveriesOf = (key: string) =>
    outboxStore.query<DeliveryDoc>({ query: 'SELECT * FROM c WHERE c.kind = "delivery" AND c.notificationKey = @k', parameters: [{ name: '@k', value: key }] });
  const deliveryOf = async (key: string) => (await deliveriesOf(key))[0];
  const outboxSize = async () => (await outboxStore.query<OutboxDoc>({ query: 'SELECT * FROM c' })).length;
  /** Hands every kicked document's notices to the circle's relay source, as the relay does after the write (the next write drops them). */
  const relay = async () => {
    const source = service.relaySource();
    for (const doc of kicked.splice(0)) {
      await source.deliver(doc as Versioned<CircleDoc>, doc.pending ?? []);
      for (const n of doc.pending ?? []) delivered.add(n.key);
    }
  };
  /** Hands the same notices to the relay source again, as a second relay (or another process) would. */
  const relayAgain = async (doc: Versioned<PendingCarrier>) => service.relaySource().deliver(doc as Versioned<CircleDoc>, doc.pending ?? []);
  return { service, store, jobs, notification, relay, relayAgain, kicked, deliveryOf, deliveriesOf, outboxSize };
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
    // The card goes to each member in their language: German under the key, the one English member under `:en`.
    expect((await notification(`circle:meeting:${id}:announce`))?.recipients).toHaveLength(members.length - 1);
    expect(await deliveryOf(`circle:meeting:${id}:announce:en`)).toMatchObject({ target: { aadObjectId: english }, activity: { summary: 'Coordination circle: Sitzung Februar' } });
    expect(await store.read(`ics:${view.meeting.icsToken}`, 'ics')).toMatchObject({ meetingId: id });
    const scheduled = await jobs.query<JobDoc>({ query: 'SELECT * FROM c' });
    expect(scheduled.map((j) => j.kind).sort()).toEqual(['circle.dayBefore', 'circle.rsvpReminder']);

    // Without a reason, or with one naming a person's health, nothing is stored and nobody is told.
    expect(await service.cancelMeeting(KFI, id, '  ')).toEqual({ ok: false, code: 'invalid', problems: [{ field: 'cancelReason', code: 'missing' }] });
    expect(await service.cancelMeeting(KFI, id, 'Frau Schmitz ist an Krebs erkrankt.')).toEqual({
      ok: false, code: 'invalid', problems: [{ field: 'cancelReason', code: 'personal_data', kinds: ['health'] }],
    });
    expect(kicked).toEqual([]);
    expect(await store.read(id, 'meeting')).toMatchObject({ status: 'scheduled', revision: 1 });
    expect(JSON.stringify(await store.read(id, 'meeting'))).not.toContain('Krebs');

    ok(await service.cancelMeeting(KFI, id, 'Raum *B 12* ist\nwegen eines Wasserschadens gesperrt.'));
    expect(await store.read(id, 'meeting')).toMatchObject({ status: 'cancelled', cancelReason: 'Raum *B 12* ist wegen eines Wasserschadens gesperrt.' });
    expect(((await store.read(id, 'meeting')) as MeetingDoc).pending?.map((n) => n.key).sort()).toEqual(
      [`circle:meeting:${id}:card:r2`, `circle:meeting:${id}:cancelled:r2`, `circle:meeting:${id}:reminders:r2`].sort(),
    );
    await relay();
    const de = await notification(`circle:meeting:${id}:cancelled:r2`);
    const en = await notification(`circle:meeting:${id}:cancelled:r2:en`);
    expect(de?.recipients).toHaveLength(members.length - 1);
    expect(String(de?.activity.text)).toMatch(/^Abgesagt: „Sitzung Februar“/);
    // The reason goes with it, escaped: members read it as typed, never as formatting.
    expect(String(de?.activity.text)).toMatch(/ Grund: Raum \\\*B 12\\\* ist wegen eines Wasserschadens gesperrt\.$/);
    // One recipient: the outbox stores the delivery alone, with the activity.
    expect(en).toBeUndefined();
    const enDelivery = await deliveryOf(`circle:meeting:${id}:cancelled:r2:en`);
    expect(enDelivery).toMatchObject({ target: { aadObjectId: english } });
    expect(String(enDelivery?.activity?.text)).toMatch(/^Cancelled: "Sitzung Februar" on .* will not take place\. Reason: Raum \\\*B 12\\\* ist wegen eines Wasserschadens gesperrt\.$/);
    expect(await notification(`circle:meeting:${id}:card:r2`)).toBeDefined();
    expect(await deliveryOf(`circle:meeting:${id}:card:r2:en`)).toMatchObject({ operation: 'update', target: { aadObjectId: english } });
    const after = await jobs.query<JobDoc>({ query: 'SELECT * FROM c' });
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((j) => j.status === 'cancelled')).toBe(true);

    // Cancelling again changes nothing and owes nothing.
    const again = await service.cancelMeeting(KFI, id, 'Ein anderer Grund');
    expect(again).toMatchObject({ ok: true, changed: false });
    expect(kicked).toEqual([]);
    expect(await store.read(id, 'meeting')).toMatchObject({ cancelReason: 'Raum *B 12* ist wegen eines Wasserschadens gesperrt.' });
  });

  it('posts the poll card to each member in their language and updates both languages\' cards when the poll closes, once', async () => {
    const members = await setup('').service.members();
    const english = members.find((m) => m.aadObjectId !== KFI)!.aadObjectId;
    const { service, relay, relayAgain, kicked, notification, deliveriesOf, outboxSize } = setup(english);
    const slots = [{ date: '2027-01-12', time: '10:00' }, { date: '2027-01-13', time: '10:00' }];
    const id = ok(await service.createPoll(KFI, { tenantId: 't', title: 'Umfrage Januar', place: 'Arnsberg', durationMinutes: 60, slots, delivery: 'personal' })).poll.pk;
    const [created] = kicked;
    await relay();

    // German members: the German card under the announcement key (the key cards of older builds carry).
    const de = await notification(`circle:poll:${id}:announce`);
    expect(de?.recipients).toHaveLength(members.length - 1);
    expect(de?.recipients.map((r) => r.target)).not.toContainEqual(expect.objectContaining({ aadObjectId: english }));
    expect(de?.activity.summary).toBe('Terminumfrage: Umfrage Januar');
    expect(JSON.stringify(de?.activity.attachments)).toContain('Bitte geben Sie für jeden Termin an');
    // The member who uses Teams in English: the English card and summary under `:en`.
    const [en, ...more] = await deliveriesOf(`circle:poll:${id}:announce:en`);
    expect(more).toEqual([]);
    expect(en).toMatchObject({ operation: 'send', target: { aadObjectId: english }, activity: { summary: 'Date poll: Umfrage Januar' } });
    expect(JSON.stringify(en.activity.attachments)).toContain('Please say for each date whether it suits you.');
    expect(JSON.stringify(en.activity.attachments)).not.toContain('Bitte geben Sie');
    const announced = await outboxSize();
    await relayAgain(created);
    expect(await outboxSize()).toBe(announced);

    ok(await service.closePoll(KFI, id, { slotId: 's2', rsvpDeadline: '2027-01-08' }));
    const closing = kicked.find((d) => d.pk === id)!;
    await relay();
    // Each language's posted cards are updated in their language, each update replacing its own announcement's cards.
    const updates = await deliveriesOf(`circle:poll:${id}:card:closed`);
    expect(updates).toHaveLength(members.length - 1);
    expect(new Set(updates.map((d) => d.replaces?.notificationId))).toEqual(new Set([notificationIdOf(`circle:poll:${id}:announce`)]));
    expect(JSON.stringify(updates[0].activity.attachments)).toContain('Die Umfrage ist abgeschlossen.');
    const enUpdates = await deliveriesOf(`circle:poll:${id}:card:closed:en`);
    expect(enUpdates).toEqual([
      expect.objectContaining({ operation: 'update', target: en.target, replaces: { notificationId: notificationIdOf(`circle:poll:${id}:announce:en`), deliveryId: en.deliveryId } }),
    ]);
    expect(enUpdates[0].activity.summary).toBe('Date poll: Umfrage Januar');
    expect(JSON.stringify(enUpdates[0].activity.attachments)).toContain('The poll is closed.');
    const closed = await outboxSize();
    await relayAgain(closing);
    expect(await outboxSize()).toBe(closed);
  });

  it('posts the German card to the designated channel, and the English one only to English members reached personally', async () => {
    const members = await setup('').service.members();
    const english = members.find((m) => m.aadObjectId !== KFI)!.aadObjectId;
    const { service, relay, notification, deliveriesOf } = setup(english);
    const channel = { conversationId: '19:kreis@thread.tacv2', serviceUrl: 'https://smba.example/', tenantId: 't', botId: '28:bot', conversationType: 'channel' as const };
    ok(await service.designateChannel(KFI, channel));
    const input = { tenantId: 't', place: 'Arnsberg', durationMinutes: 60, slots: [{ date: '2027-01-12', time: '10:00' }, { date: '2027-01-13', time: '10:00' }] };
    const inChannel = ok(await service.createPoll(KFI, { ...input, title: 'Nur im Kanal', delivery: 'channel' })).poll.pk;
    const both = ok(await service.createPoll(KFI, { ...input, title: 'Kanal und Chats', delivery: 'both' })).poll.pk;
    await relay();

    const channelOnly = await deliveriesOf(`circle:poll:${inChannel}:announce`);
    expect(channelOnly).toEqual([expect.objectContaining({ target: { kind: 'conversation', ref: channel }, activity: expect.objectContaining({ summary: 'Terminumfrage: Nur im Kanal' }) })]);
    expect(await deliveriesOf(`circle:poll:${inChannel}:announce:en`)).toEqual([]);

    const de = await notification(`circle:poll:${both}:announce`);
    expect(de?.recipients).toHaveLength(members.length);
    expect(de?.recipients.map((r) => r.target)).toContainEqual({ kind: 'conversation', ref: channel });
    expect(de?.activity.summary).toBe('Terminumfrage: Kanal und Chats');
    expect(await deliveriesOf(`circle:poll:${both}:announce:en`)).toEqual([
      expect.objectContaining({ target: expect.objectContaining({ aadObjectId: english }), activity: expect.objectContaining({ summary: 'Date poll: Kanal und Chats' }) }),
    ]);
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

describe('the cancellation message', () => {
  const cancelled: MeetingDoc = {
    id: 'meeting', pk: 'm-1', type: 'meeting', title: 'Sitzung _Februar_', start: '2027-02-09T09:00:00.000Z', end: '2027-02-09T11:00:00.000Z', place: 'Arnsberg',
    rsvpDeadline: '2027-02-02', status: 'cancelled', cancelReason: '<at>Alle</at> Der Saal ist gesperrt.', icsToken: 'AAAAAAAAAAAAAAAAAAAAAA', revision: 2, tenantId: 't',
    delivery: 'personal', agenda: [], agendaPublished: false, actionItems: [], createdBy: 'kfi', createdAt: '2026-12-01T09:00:00.000Z', updatedAt: '2026-12-01T09:00:00.000Z',
  };

  it.each([
    ['de', 'Abgesagt: „Sitzung \\_Februar\\_“ am Di., 09.02.2027, 10:00 Uhr findet nicht statt. Grund: \\<at>Alle\\</at> Der Saal ist gesperrt.'],
    ['en', 'Cancelled: "Sitzung \\_Februar\\_" on Tue 9 Feb 2027, 10:00 will not take place. Reason: \\<at>Alle\\</at> Der Saal ist gesperrt.'],
  ] as const)('gives the reason in the member’s language (%s), escaped for Teams Markdown', (lang, text) => {
    expect(meetingNoticeText(cancelled, 'cancelled', lang)).toEqual({ type: 'message', text, textFormat: 'markdown' });
  });

  it('says the meeting is cancelled without a reason for one cancelled by an older build', () => {
    const { cancelReason: _none, ...old } = cancelled;
    expect(meetingNoticeText(old, 'cancelled', 'de').text).toBe('Abgesagt: „Sitzung \\_Februar\\_“ am Di., 09.02.2027, 10:00 Uhr findet nicht statt.');
  });
});
