import { renderMeetingCard } from '../../../cards/circleViews';
import { JOB_KINDS } from '../../../services/circle/circleService';
import type { MeetingDoc } from '../../../services/circle/model';
import { eventFingerprint, meetingEventInput, planTeamsSync, retryAt, TEAMS_RETRY, teamsJobKey } from '../../../services/circle/teamsMeeting';
import { GraphError } from '../../../services/graph/graphPort';
import type { Logger } from '../../../services/logging';
import { jobIdOf } from '../../../services/scheduling/scheduler';
import type { Versioned } from '../../../services/storage/documentStore';
import { ok } from '../../support/circle';
import { circleOnMemory } from '../../support/circleOnMemory';
import { FakeGraph } from '../../support/fakeGraph';

const KFI = '00000000-0000-4000-8000-000600000001';
const MAILBOX = 'kfi-koordinierungskreis@bezreg.example';
const START = new Date('2026-12-04T10:00:00Z');

/** A logger that keeps what was logged (to see that codes go there, and only there). */
function recordingLogger(): Logger & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = (obj: Record<string, unknown>) => void lines.push(obj);
  const logger = { lines, info: log, warn: log, error: log, debug: log, child: () => logger };
  return logger;
}

/** A meeting call as the circle made it, in short: what, where, which event, which meeting, when it starts. */
type MeetingCall = { op: 'create' | 'update'; mailbox: string; eventId?: string; transactionId: string; start: string } | { op: 'cancel'; mailbox: string; eventId: string; comment: string };

function meetingCalls(graph: FakeGraph): MeetingCall[] {
  return graph.calls.flatMap((c): MeetingCall[] => {
    if (c.method === 'upsertMeetingEvent') return [{ op: c.eventId ? 'update' : 'create', mailbox: c.mailbox, ...(c.eventId ? { eventId: c.eventId } : {}), transactionId: c.input.transactionId, start: c.input.start }];
    if (c.method === 'cancelMeetingEvent') return [{ op: 'cancel', mailbox: c.mailbox, eventId: c.eventId, comment: c.comment }];
    return [];
  });
}

function setup(options: { graph?: FakeGraph; mailbox?: string } = {}) {
  const graph = options.graph ?? new FakeGraph({ features: ['meetings'] });
  const logger = recordingLogger();
  const clock = { now: START };
  const circle = circleOnMemory({ graph, logger, now: () => clock.now, ...(options.mailbox === '' ? {} : { meetingMailbox: options.mailbox ?? MAILBOX }) });
  const { service, jobs } = circle;
  const job = async (id: string) => jobs.read(jobIdOf(teamsJobKey(id)), jobIdOf(teamsJobKey(id)));
  /** Runs the meeting's retry job as the scheduler would, at the time it is due. */
  const runJob = async (id: string) => {
    const due = await job(id);
    if (!due) throw new Error('no retry job');
    clock.now = new Date(due.dueAt);
    return service.jobHandlers()[JOB_KINDS.teamsMeeting](due);
  };
  return { ...circle, graph, calls: () => meetingCalls(graph), logger, clock, job, runJob };
}

const MEETING = { tenantId: 't', title: 'Sitzung Februar', date: '2027-02-09', startTime: '10:00', endTime: '12:00', place: 'Arnsberg, Raum 214', rsvpDeadline: '2027-02-02', delivery: 'personal' as const };
const cardOf = async (s: ReturnType<typeof setup>, viewer: string, id: string) => JSON.stringify(renderMeetingCard(ok(await s.service.showMeeting(viewer, id)), 'de').content);

describe('the circle meeting as a Teams meeting (Graph)', () => {
  it('creates the event in the KfI mailbox when the meeting is announced, and the announcement carries its join link (card and calendar file)', async () => {
    const s = setup();
    const id = ok(await s.service.announceMeeting(KFI, MEETING)).meeting.pk;
    // The request path only stores the meeting as pending, with the notice that creates the event: no Graph call yet.
    expect(s.graph.calls).toEqual([]);
    expect(await s.stored(id)).toMatchObject({ teamsMeeting: { state: 'pending' } });
    expect((await s.stored(id)).pending?.map((n) => n.key)).toContain(`circle:meeting:${id}:teams:r1`);

    await s.relay();
    expect(s.calls()).toEqual([{ op: 'create', mailbox: MAILBOX, transactionId: `circle:${id}`, start: '2027-02-09T09:00:00.000Z' }]);
    const [[eventId, event]] = [...s.graph.events];
    expect(event.input).toMatchObject({ subject: 'Koordinierungskreis: Sitzung Februar', start: '2027-02-09T09:00:00.000Z', end: '2027-02-09T11:00:00.000Z', timeZone: 'Europe/Berlin', location: 'Arnsberg, Raum 214', attendees: [] });
    const meeting = await s.stored(id);
    expect(meeting.teamsMeeting).toEqual({ state: 'created', eventId, joinUrl: event.joinUrl, synced: eventFingerprint(meetingEventInput(meeting)) });
    // The card posted with the announcement already has the link: no second card went out for it.
    const announced = await s.announcement(id);
    expect(announced).toContain(event.joinUrl);
    expect(announced).toContain('An Teams-Besprechung teilnehmen');
    expect(await s.notification(`circle:meeting:${id}:card:r2`)).toBeUndefined();

    const ics = (await s.service.icsFor(meeting.icsToken))!.body.replace(/\r\n /g, '');
    expect(ics).toContain(`URL:${event.joinUrl}`);
    expect(ics).toContain(`X-MICROSOFT-SKYPETEAMSMEETINGURL:${event.joinUrl}`);
    expect(ics).toContain(`DESCRIPTION:An Teams-Besprechung teilnehmen: ${event.joinUrl}`);
    expect(ics).toContain('LOCATION:Arnsberg\\, Raum 214');
    expect(ics).toContain(`SEQUENCE:${meeting.revision}`);
  });

  it('moves the event when the KfI changes date or place, leaves it alone for other changes, and cancels it with the reason', async () => {
    const s = setup();
    const id = ok(await s.service.announceMeeting(KFI, MEETING)).meeting.pk;
    await s.relay();
    const [[eventId]] = [...s.graph.events];
    s.graph.calls.length = 0;

    ok(await s.service.updateMeeting(KFI, id, { ...MEETING, startTime: '13:00', endTime: '15:00', place: 'Düsseldorf' }));
    await s.relay();
    expect(s.calls()).toEqual([{ op: 'update', mailbox: MAILBOX, eventId, transactionId: `circle:${id}`, start: '2027-02-09T12:00:00.000Z' }]);
    expect(s.graph.events.get(eventId)?.input).toMatchObject({ location: 'Düsseldorf', end: '2027-02-09T14:00:00.000Z' });
    expect(s.graph.events.size).toBe(1);

    // Publishing the agenda is nothing the event shows: no Graph call.
    ok(await s.service.publishAgenda(KFI, id));
    await s.relay();
    expect(s.calls()).toHaveLength(1);

    ok(await s.service.cancelMeeting(KFI, id, 'Der Saal ist gesperrt.'));
    await s.relay();
    expect(s.calls().at(-1)).toEqual({ op: 'cancel', mailbox: MAILBOX, eventId, comment: 'Der Saal ist gesperrt.' });
    expect(s.graph.events.get(eventId)?.cancelled).toBe('Der Saal ist gesperrt.');
    expect((await s.stored(id)).teamsMeeting).toMatchObject({ state: 'cancelled', eventId });
    // Relayed again (another process, a sweep): nothing more is asked of Graph.
    const calls = s.calls().length;
    const doc = (await s.store.read(id, 'meeting')) as Versioned<MeetingDoc>;
    expect(doc.pending?.map((n) => n.kind)).toContain('meeting.teams');
    await s.service.relaySource().deliver(doc, doc.pending ?? []);
    expect(s.calls()).toHaveLength(calls);
  });

  it('creates the event once when the process dies after Graph made it and before the link was stored', async () => {
    const s = setup();
    const id = ok(await s.service.announceMeeting(KFI, MEETING)).meeting.pk;
    const written = s.kicked[0];
    // The write of the join link fails as if the process had died right after Graph answered.
    const replace = jest.spyOn(s.store, 'replace').mockRejectedValueOnce(new Error('process died'));
    await expect(s.relay()).rejects.toThrow('process died');
    replace.mockRestore();
    expect(s.graph.events.size).toBe(1);
    expect((await s.stored(id)).teamsMeeting).toEqual({ state: 'pending' });
    expect(await s.notification(`circle:meeting:${id}:announce`)).toBeUndefined();

    // The sweep finds the notices still pending and relays them again: the create with the same transactionId finds
    // the event made before.
    s.kicked.push({ ...written, ...(await s.stored(id)) });
    await s.relay();
    expect(s.calls().flatMap((c) => (c.op === 'create' ? [c.transactionId] : []))).toEqual([`circle:${id}`, `circle:${id}`]);
    expect(s.graph.events.size).toBe(1);
    const [[eventId, event]] = [...s.graph.events];
    expect((await s.stored(id)).teamsMeeting).toMatchObject({ state: 'created', eventId, joinUrl: event.joinUrl });
    expect(await s.announcement(id)).toContain(event.joinUrl);
  });

  it('announces without a Teams link when Graph fails, tries again after Retry-After or with back-off, and gives up saying so on the KfI\'s card only', async () => {
    const s = setup();
    s.graph.failNext('upsertMeetingEvent', new GraphError('TooManyRequests', 'throttled', 429, 120_000));
    const id = ok(await s.service.announceMeeting(KFI, { ...MEETING, onlineUrl: 'https://meet.example/kreis' })).meeting.pk;
    await s.relay();
    // The invitation went out at once with the KfI's own link; the event is tried again after Graph's Retry-After.
    const announced = await s.announcement(id);
    expect(announced).toContain('https://meet.example/kreis');
    expect(announced).not.toContain('An Teams-Besprechung teilnehmen');
    expect(await s.job(id)).toMatchObject({ kind: JOB_KINDS.teamsMeeting, dueAt: START.getTime() + 120_000, payload: { meetingId: id } });
    expect((await s.stored(id)).teamsMeeting).toEqual({ state: 'pending', attempts: 1 });

    // Graph keeps failing: each try waits longer, up to the last one.
    expect(TEAMS_RETRY.attempts).toBeGreaterThan(3);
    const waits: number[] = [];
    for (let attempt = 2; attempt < TEAMS_RETRY.attempts; attempt++) {
      s.graph.failNext('upsertMeetingEvent', new GraphError('ServiceUnavailable', 'transient', 503));
      const ran = s.clock.now.getTime();
      const next = await s.runJob(id);
      expect(next).toEqual({ next: expect.any(Date) });
      waits.push((next as { next: Date }).next.getTime() - ran);
      expect((await s.stored(id)).teamsMeeting).toEqual({ state: 'pending', attempts: attempt });
      // Jobs return their next time; the scheduler moves them (here: by hand).
      await s.jobs.patch(jobIdOf(teamsJobKey(id)), jobIdOf(teamsJobKey(id)), [{ op: 'set', path: '/dueAt', value: (next as { next: Date }).next.getTime() }]);
    }
    expect(waits).toHaveLength(TEAMS_RETRY.attempts - 2);
    expect(waits[waits.length - 1]).toBeGreaterThan(waits[0]);
    expect(s.graph.events.size).toBe(0);

    s.graph.failNext('upsertMeetingEvent', new GraphError('ServiceUnavailable', 'transient', 503));
    expect(await s.runJob(id)).toBeUndefined();
    const meeting = await s.stored(id);
    expect(meeting.teamsMeeting).toEqual({ state: 'failed', failed: 'create' });
    // The KfI's card says so (and what to do), in words; the members' cards do not; the codes are in the log only.
    expect(await cardOf(s, KFI, id)).toContain('Teams-Besprechung konnte nicht angelegt werden.');
    const member = (await s.service.members()).find((m) => m.aadObjectId !== KFI)!.aadObjectId;
    expect(await cardOf(s, member, id)).not.toContain('Teams-Besprechung');
    expect(await cardOf(s, KFI, id)).not.toMatch(/ServiceUnavailable|503/);
    expect(s.logger.lines).toContainEqual(expect.objectContaining({ event: 'circle.teams_failed', meetingId: id, code: 'ServiceUnavailable', attempts: TEAMS_RETRY.attempts }));
    // Giving up is a change the KfI sees: the posted cards are updated.
    expect(meeting.pending?.map((n) => n.key)).toContain(`circle:meeting:${id}:card:r${meeting.revision}`);
  });

  it('gives up at once when Graph refuses for good (permission, mailbox outside the access policy)', async () => {
    const s = setup();
    s.graph.failNext('upsertMeetingEvent', new GraphError('ErrorAccessDenied', 'forbidden', 403));
    const id = ok(await s.service.announceMeeting(KFI, MEETING)).meeting.pk;
    await s.relay();
    expect(s.calls()).toHaveLength(1);
    expect(await s.job(id)).toBeUndefined();
    expect((await s.stored(id)).teamsMeeting).toEqual({ state: 'failed', failed: 'create' });
    expect(await s.notification(`circle:meeting:${id}:announce`)).toBeDefined();
    expect(await cardOf(s, KFI, id)).toContain('Teams-Besprechung konnte nicht angelegt werden.');
  });

  it('turns the meeting a poll closed on into a Teams meeting too', async () => {
    const s = setup();
    const slots = [{ date: '2027-01-12', time: '10:00' }, { date: '2027-01-13', time: '10:00' }];
    // Neither place nor link: the Teams meeting is where the circle meets.
    const poll = ok(await s.service.createPoll(KFI, { tenantId: 't', title: 'Umfrage Januar', durationMinutes: 60, slots, delivery: 'personal' })).poll.pk;
    await s.relay();
    const id = ok(await s.service.closePoll(KFI, poll, { slotId: 's2', rsvpDeadline: '2027-01-08' })).meeting.pk;
    await s.relay();
    expect(s.calls()).toEqual([{ op: 'create', mailbox: MAILBOX, transactionId: `circle:${id}`, start: '2027-01-13T09:00:00.000Z' }]);
    const [[, event]] = [...s.graph.events];
    expect(await s.announcement(id)).toContain(event.joinUrl);
    const ics = (await s.service.icsFor((await s.stored(id)).icsToken))!.body;
    expect(ics).toContain('LOCATION:Microsoft Teams-Besprechung');
  });

  it('stays as today without the meetings permission or without a mailbox: the free-text link, and a place or link required', async () => {
    for (const s of [setup({ graph: new FakeGraph({ features: ['install'] }) }), setup({ mailbox: '' })]) {
      expect(await s.service.announceMeeting(KFI, { ...MEETING, place: '' })).toMatchObject({ ok: false, problems: [{ field: 'placeOrLink' }] });
      const id = ok(await s.service.announceMeeting(KFI, { ...MEETING, onlineUrl: 'https://meet.example/kreis' })).meeting.pk;
      await s.relay();
      expect((await s.stored(id)).teamsMeeting).toBeUndefined();
      expect(s.graph.calls).toEqual([]);
      const card = await s.announcement(id);
      expect(card).toContain('https://meet.example/kreis');
      expect(card).toContain('Online teilnehmen');
    }
  });

  it('plans the Graph call from the stored meeting alone', () => {
    const base = { pk: 'm-1', title: 'T', start: '2027-02-09T09:00:00.000Z', end: '2027-02-09T11:00:00.000Z', status: 'scheduled', revision: 1 } as MeetingDoc;
    expect(planTeamsSync(base)).toEqual({ kind: 'none' });
    expect(planTeamsSync({ ...base, teamsMeeting: { state: 'pending' } })).toMatchObject({ kind: 'create', patchAfter: false });
    // Changed since the announcement: the repeated create returns the event as first made, so the PATCH follows.
    expect(planTeamsSync({ ...base, revision: 3, teamsMeeting: { state: 'pending' } })).toMatchObject({ kind: 'create', patchAfter: true });
    const synced = eventFingerprint(meetingEventInput(base));
    expect(planTeamsSync({ ...base, teamsMeeting: { state: 'created', eventId: 'e', synced } })).toEqual({ kind: 'none' });
    expect(planTeamsSync({ ...base, title: 'Neu', teamsMeeting: { state: 'created', eventId: 'e', synced } })).toMatchObject({ kind: 'update', eventId: 'e' });
    expect(planTeamsSync({ ...base, teamsMeeting: { state: 'failed', failed: 'update', eventId: 'e', synced } })).toEqual({ kind: 'settle' });
    expect(planTeamsSync({ ...base, status: 'cancelled', cancelReason: 'R', teamsMeeting: { state: 'pending' } })).toMatchObject({ kind: 'cancel', comment: 'R' });
    expect(planTeamsSync({ ...base, status: 'cancelled', teamsMeeting: { state: 'cancelled', eventId: 'e' } })).toEqual({ kind: 'none' });
  });

  it('waits Retry-After when throttled, backs off otherwise, and does not retry a refusal', () => {
    const now = START.getTime();
    expect(retryAt(new GraphError('TooManyRequests', 'throttled', 429, 7_000), 1, now)).toEqual(new Date(now + 7_000));
    expect(retryAt(new GraphError('x', 'transient', 503), 1, now, () => 0)).toEqual(new Date(now + TEAMS_RETRY.backoff.baseDelayMs / 2));
    expect(retryAt(new GraphError('x', 'transient', 503), TEAMS_RETRY.attempts, now)).toBeUndefined();
    for (const kind of ['forbidden', 'notFound', 'permanent', 'conflict'] as const) expect(retryAt(new GraphError('x', kind), 1, now)).toBeUndefined();
  });
});
