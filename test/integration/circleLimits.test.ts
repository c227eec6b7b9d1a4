import { TOPIC_LIMITS } from '../../services/circle/circleService';
import type { CircleDoc, TopicDoc } from '../../services/circle/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { DEFAULT_TENANT_ID } from '../support/activities';
import { KFI_LEAD, KOELN_IB, guest, ok } from '../support/circle';
import { startTestApp, type TestApp } from '../support/testApp';

// Tuesday, 1 December 2026, 10:00 in Berlin.
const now = new Date('2026-12-01T09:00:00Z');

describe('the circle counts only current members and caps topics', () => {
  let database: AppDatabase;
  let app: TestApp;

  beforeAll(async () => {
    database = await openDatabase({ databaseId: 'circle-limits-test' });
    app = await startTestApp({}, { database, now: () => now });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
  });

  it('leaves the answers of a guest who was removed out of the tally and the answered count', async () => {
    const gone = guest(1);
    ok(await app.circle.addGuest(KFI_LEAD.aadObjectId, { aadObjectId: gone.aadObjectId, name: gone.name }));
    const poll = ok(await app.circle.createPoll(KFI_LEAD.aadObjectId, {
      tenantId: DEFAULT_TENANT_ID,
      title: 'Sitzung März (Beispiel)',
      durationMinutes: 120,
      slots: [{ date: '2027-03-02', time: '10:00' }, { date: '2027-03-03', time: '10:00' }],
    }));
    const pollId = poll.poll.pk;
    ok(await app.circle.answerPoll(KOELN_IB.aadObjectId, pollId, { s1: 'yes', s2: 'no' }));
    ok(await app.circle.answerPoll(gone.aadObjectId, pollId, { s1: 'no', s2: 'yes' }));
    const before = await app.circle.pollView(pollId, KFI_LEAD.aadObjectId);
    expect(before.tallies).toEqual({ s1: { yes: 1, maybe: 0, no: 1 }, s2: { yes: 1, maybe: 0, no: 1 } });
    expect(before.answeredCount).toBe(2);

    ok(await app.circle.removeGuest(KFI_LEAD.aadObjectId, gone.aadObjectId));
    const after = await app.circle.pollView(pollId, KFI_LEAD.aadObjectId);
    expect(after.tallies).toEqual({ s1: { yes: 1, maybe: 0, no: 0 }, s2: { yes: 0, maybe: 0, no: 1 } });
    expect(after.answeredCount).toBe(1);
    expect(after.bestSlotId).toBe('s1');
  });

  it(`refuses a member's topic beyond ${TOPIC_LIMITS.perMember} per meeting and keeps the ones stored`, async () => {
    const meeting = ok(await app.circle.announceMeeting(KFI_LEAD.aadObjectId, {
      tenantId: DEFAULT_TENANT_ID,
      title: 'Sitzung April (Beispiel)',
      date: '2027-04-13',
      startTime: '10:00',
      endTime: '12:00',
      place: 'Arnsberg, Raum 1 (Beispiel)',
      rsvpDeadline: '2027-04-06',
    }));
    const meetingId = meeting.meeting.pk;
    for (let i = 1; i <= TOPIC_LIMITS.perMember; i++) ok(await app.circle.proposeTopic(KOELN_IB.aadObjectId, meetingId, { title: `Thema ${i}` }));
    const refused = await app.circle.proposeTopic(KOELN_IB.aadObjectId, meetingId, { title: 'Ein Thema zu viel' });
    expect(refused).toEqual({ ok: false, code: 'invalid', problems: [{ field: 'topicLimit', code: 'too_many' }] });
    const topics = await database
      .store<CircleDoc>(CONTAINERS.circle)
      .query<TopicDoc>({ query: 'SELECT * FROM c WHERE c.pk = @pk AND c.type = "topic"', parameters: [{ name: '@pk', value: meetingId }] });
    expect(topics.map((t) => t.title).sort()).toEqual(Array.from({ length: TOPIC_LIMITS.perMember }, (_, i) => `Thema ${i + 1}`).sort());
    // Another member may still propose.
    expect((await app.circle.proposeTopic(KFI_LEAD.aadObjectId, meetingId, { title: 'Bericht des KfI' })).ok).toBe(true);
  });
});
