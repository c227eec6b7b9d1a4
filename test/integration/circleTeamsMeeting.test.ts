import { loadConfig } from '../../bot/config';
import { createGraphPort } from '../../bot/graph';
import { renderMeetingCard } from '../../cards/circleViews';
import type { MeetingDoc } from '../../services/circle/model';
import { teamsJobKey } from '../../services/circle/teamsMeeting';
import { silentLogger } from '../../services/logging';
import { jobIdOf } from '../../services/scheduling/scheduler';
import type { Versioned } from '../../services/storage/documentStore';
import { ok } from '../support/circle';
import { circleOnMemory } from '../support/circleOnMemory';
import { startGraphStandIn, stableGuid, type GraphStandIn } from '../support/graphStandIn';

/**
 * The circle's Teams meeting with the real Graph adapter (bot/graph) against the Graph stand-in on loopback HTTPS: the
 * event in the KfI mailbox is created once, moved and cancelled as Graph documents it, and a mailbox Graph does not know
 * ends on the KfI's card as "konnte nicht angelegt werden".
 */
const KFI = '00000000-0000-4000-8000-000600000001';
const MAILBOX = 'kfi-koordinierungskreis@bezreg-arnsberg.example';
const NOW = new Date('2026-12-04T10:00:00Z');
const MEETING = { tenantId: 't', title: 'Sitzung Februar', date: '2027-02-09', startTime: '10:00', endTime: '12:00', place: 'Arnsberg, Raum 214', rsvpDeadline: '2027-02-02', delivery: 'personal' as const };

jest.setTimeout(60_000);

describe('the circle meeting as a Teams meeting, through the Graph adapter', () => {
  let stand: GraphStandIn;

  beforeAll(async () => {
    stand = await startGraphStandIn({ permissions: ['Calendars.ReadWrite'] });
    stand.addUser({ id: stableGuid('kfi-mailbox'), upn: MAILBOX });
  });
  afterAll(async () => stand.close());

  function setup(mailbox: string) {
    const config = loadConfig({ ...stand.env(), GRAPH_MEETING_MAILBOX: mailbox }).graph;
    if (!config) throw new Error('GRAPH_ENABLED did not turn Graph on');
    return circleOnMemory({ graph: createGraphPort(config, { logger: silentLogger }), meetingMailbox: config.meetingMailbox!, now: () => NOW });
  }

  it('creates the event with its Teams meeting once, moves it and cancels it with the reason', async () => {
    const s = setup(MAILBOX);
    const id = ok(await s.service.announceMeeting(KFI, MEETING)).meeting.pk;
    await s.relay();
    const mine = () => stand.events.filter((e) => e.transactionId === `circle:${id}`);
    expect(mine()).toHaveLength(1);
    const [event] = mine();
    expect(event).toMatchObject({ mailbox: MAILBOX, subject: 'Koordinierungskreis: Sitzung Februar', location: 'Arnsberg, Raum 214', isOnlineMeeting: true, attendees: [], cancelled: false });
    expect(event.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    expect((await s.stored(id)).teamsMeeting).toMatchObject({ state: 'created', eventId: event.id, joinUrl: event.joinUrl });
    expect(await s.announcement(id)).toContain(event.joinUrl!);
    const ics = (await s.service.icsFor((await s.stored(id)).icsToken))!.body.replace(/\r\n /g, '');
    expect(ics).toContain(`X-MICROSOFT-SKYPETEAMSMEETINGURL:${event.joinUrl}`);

    // The same notices relayed again (a sweep after a crash): the transactionId finds the event, nothing new is made.
    const again = (await s.stored(id)) as Versioned<MeetingDoc>;
    await s.service.relaySource().deliver(again, [{ key: `circle:meeting:${id}:teams:r1`, kind: 'meeting.teams', rev: 1 }]);
    expect(mine()).toHaveLength(1);

    ok(await s.service.updateMeeting(KFI, id, { ...MEETING, startTime: '13:00', endTime: '15:00' }));
    await s.relay();
    expect(event.updates).toBe(1);
    expect(event.start?.dateTime).toMatch(/^2027-02-09T1[23]:00/);

    ok(await s.service.cancelMeeting(KFI, id, 'Der Saal ist gesperrt.'));
    await s.relay();
    expect(event).toMatchObject({ cancelled: true, cancelComment: 'Der Saal ist gesperrt.' });
    expect((await s.stored(id)).teamsMeeting).toMatchObject({ state: 'cancelled' });
  });

  it('announces without a Teams link and tells the KfI when Graph does not know the mailbox', async () => {
    const s = setup('unbekannt@bezreg-arnsberg.example');
    const id = ok(await s.service.announceMeeting(KFI, { ...MEETING, onlineUrl: 'https://meet.example/kreis' })).meeting.pk;
    await s.relay();
    expect(stand.events.filter((e) => e.transactionId === `circle:${id}`)).toEqual([]);
    expect(await s.announcement(id)).toContain('https://meet.example/kreis');
    // A refusal, not a hiccup: no retry job, the KfI's card says so.
    expect(await s.jobs.read(jobIdOf(teamsJobKey(id)), jobIdOf(teamsJobKey(id)))).toBeUndefined();
    expect((await s.stored(id)).teamsMeeting).toEqual({ state: 'failed', failed: 'create' });
    const card = JSON.stringify(renderMeetingCard(ok(await s.service.showMeeting(KFI, id)), 'de').content);
    expect(card).toContain('Teams-Besprechung konnte nicht angelegt werden.');
    expect(card).not.toContain('ErrorInvalidUser');
  });
});
