import type { MeetingDoc } from '../../services/circle/model';
import { personalConversationId } from '../support/activities';
import { CADENCE_START, KFI_CIRCLE, quarterlyRule, useCadenceSuite } from '../support/cadenceSuite';
import { KFI_LEAD, KOELN_IB } from '../support/circle';

/**
 * The cadence's second kind, "meeting" (CADENCE_KINDS; issue 17): the rule prepares a meeting invitation, not a date
 * poll; once a KfI member confirms it, the meeting is announced to the whole circle with its RSVP, as if made by hand.
 */

const QUARTERLY_MEETING = quarterlyRule('meeting');

jest.setTimeout(60_000);

describe('the cadence of kind "meeting": prepared, confirmed, announced', () => {
  let now = CADENCE_START; // Wednesday, 20 January 2027, 10:00 in Berlin.
  const suite = useCadenceSuite('cadence-meeting-test', () => now);
  const { post, tab, cadence, polls, posted, idle } = suite;
  const meetings = () => suite.store.query<MeetingDoc>({ query: 'SELECT * FROM c WHERE c.type = "meeting"' });

  it('refuses a meeting cadence without place or online link, at the field, storing nothing', async () => {
    const res = await tab('PUT', '/api/tab/cadence', KFI_LEAD.aadObjectId, { ...QUARTERLY_MEETING, place: '' });
    expect(res.status).toBe(400);
    expect(res.body.problems.map((p: { field: string }) => p.field)).toContain('place');
    expect(await cadence()).toBeUndefined();
  });

  it('prepares a meeting invitation (one date, no alternatives), and announces the meeting to the circle when a KfI member confirms', async () => {
    const set = await tab('PUT', '/api/tab/cadence', KFI_LEAD.aadObjectId, QUARTERLY_MEETING);
    expect(set.status).toBe(200);
    await idle();
    expect((await cadence())!.draft).toBeUndefined();

    // The lead time: a draft with the one date, a card to each KfI member in their language; nothing to the circle.
    now = new Date('2027-03-02T08:00:00Z');
    await idle();
    expect((await cadence())!.draft).toMatchObject({ ruleDate: '2027-04-13', date: '2027-04-13', dates: ['2027-04-13'], status: 'prepared' });
    const drafts = posted();
    expect(drafts).toHaveLength(2);
    const german = drafts.find((c) => c.includes('Vorbereitet nach Rhythmus — bitte prüfen und senden'))!;
    expect(german).toContain('Sitzungseinladung');
    expect(german).toContain('Di., 13.04.2027, 10:00–12:00 Uhr');
    expect(german).not.toContain('20.04.2027');
    const english = drafts.find((c) => c.includes('Prepared by cadence — please check and send'))!;
    expect(english).toContain('meeting invitation');
    expect(english).toContain('Tue 13 Apr 2027, 10:00–12:00');
    expect(await meetings()).toHaveLength(0);

    // Someone outside the KfI cannot confirm it.
    expect((await post(suite.teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-04-13' }, { from: KOELN_IB }))).body.statusCode).toBe(403);
    expect(await meetings()).toHaveLength(0);

    // Felix confirms in English: the meeting is created and announced to every member, with the RSVP.
    suite.emulator.reset();
    const confirmed = await post(suite.teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-04-13' }, { from: KFI_CIRCLE, locale: 'en-GB' }));
    expect(confirmed.body.statusCode).toBe(200);
    expect(JSON.stringify(confirmed.body.value)).toContain('The invitation is confirmed and goes to the coordination circle.');
    const [meeting] = await meetings();
    expect(meeting).toMatchObject({
      title: 'Koordinierungskreis Q2 (Beispiel)',
      start: '2027-04-13T08:00:00.000Z',
      end: '2027-04-13T10:00:00.000Z',
      place: 'Arnsberg, Raum 36 (Beispiel)',
      rsvpDeadline: '2027-04-06',
      status: 'scheduled',
    });
    expect(await polls()).toHaveLength(0);
    await idle();
    const members = await suite.app.circle.members();
    const announcements = posted().filter((c) => c.includes('"verb":"circle.meeting.rsvp"'));
    expect(announcements).toHaveLength(members.length);
    // Felix reads it in English, Karla in German.
    const announcedTo = (who: typeof KFI_LEAD) => suite.emulator.visibleActivities(personalConversationId(who.id)).map((a) => JSON.stringify(a)).filter((a) => a.includes('"verb":"circle.meeting.rsvp"'));
    expect(announcedTo(KFI_CIRCLE)).toHaveLength(1);
    expect(announcedTo(KFI_CIRCLE)[0]).toContain('Tue 13 Apr 2027');
    expect(announcedTo(KFI_LEAD)).toHaveLength(1);
    expect(announcedTo(KFI_LEAD)[0]).toContain('13.04.2027');
    expect((await cadence())!.trail.filter((e) => e.action === 'confirmed')).toEqual([expect.objectContaining({ by: KFI_CIRCLE.aadObjectId, ruleDate: '2027-04-13' })]);

    // A second confirmation (Karla's old card): already done, nothing announced again.
    const before = posted().length;
    const late = await post(suite.teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-04-13' }, { from: KFI_LEAD }));
    expect(late.body.statusCode).toBe(200);
    expect(JSON.stringify(late.body.value)).toContain('Bereits erledigt: Felix Format (Beispiel) hat diesen Entwurf am Di., 02.03.2027, 09:00 Uhr bestätigt und gesendet.');
    await idle();
    expect(posted()).toHaveLength(before);
    expect(await meetings()).toHaveLength(1);
  });
});
