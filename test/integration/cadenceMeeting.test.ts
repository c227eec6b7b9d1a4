import type { CadenceDoc } from '../../services/circle/cadenceService';
import type { CircleDoc, MeetingDoc } from '../../services/circle/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { DocumentStore } from '../../services/storage/documentStore';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { KFI_LEAD, KOELN_IB } from '../support/circle';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/**
 * The cadence's second kind, "meeting" (CADENCE_KINDS; issue 17): the rule prepares a meeting invitation, not a date
 * poll; once a KfI member confirms it, the meeting is announced to the whole circle with its RSVP, as if made by hand.
 */

/** The second KfI member of the demo directory; uses Teams in English. */
const KFI_CIRCLE = user({ name: 'Felix Format (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000600000002', locale: 'en-GB' });

// Wednesday, 20 January 2027, 10:00 in Berlin.
const START = new Date('2027-01-20T09:00:00Z');
/** Quarterly on the second Tuesday, 10:00 for two hours, a meeting invitation six weeks ahead. */
const QUARTERLY_MEETING = { active: 'on', kind: 'meeting', unit: 'month', interval: '3', weekday: '2', week: '2', from: '2027-01-01', time: '10:00', duration: '120', leadWeeks: '6', alternatives: '2', title: 'Koordinierungskreis Q2 (Beispiel)', place: 'Arnsberg, Raum 36 (Beispiel)', onlineUrl: '' };

jest.setTimeout(60_000);

describe('the cadence of kind "meeting": prepared, confirmed, announced', () => {
  let issuer: TokenIssuer;
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  let store: DocumentStore<CircleDoc>;
  let now = START;

  const bearer = () => ({ headers: { authorization: `Bearer ${issuer.sign({ serviceurl: emulator.serviceUrl })}` } });
  const post = (activity: unknown) => app.post(activity, bearer());
  async function tab(method: string, path: string, oid: string, body?: unknown, lang = 'de-DE') {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${issuer.signEntra({ oid, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE })}`, 'accept-language': lang, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }
  const cadence = async () => (await store.read('cadence', 'cadence')) as CadenceDoc | undefined;
  const meetings = () => store.query<MeetingDoc>({ query: 'SELECT * FROM c WHERE c.type = "meeting"' });
  const polls = () => store.query<CircleDoc>({ query: 'SELECT * FROM c WHERE c.type = "poll"' });
  /** Every circle activity the channel accepted, as JSON text (draft cards, announcements). */
  const posted = () =>
    emulator.calls
      .filter((c) => (c.operation === 'send' || c.operation === 'createConversation') && c.status < 300)
      .map((c) => JSON.stringify(c.activity ?? (c.body as { activity?: unknown })?.activity ?? null))
      .filter((text) => text.includes('"verb":"circle.'));
  const idle = async () => {
    await app.delivery.whenIdle();
    await app.jobs.runDue();
    await app.delivery.whenIdle();
  };

  beforeAll(async () => {
    issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID });
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'cadence-meeting-test' });
    app = await startTabApp(issuer, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    store = database.store<CircleDoc>(CONTAINERS.circle);
    for (const m of await app.circle.members()) expect((await post(teams.installationUpdate('add', { from: user({ name: m.name, aadObjectId: m.aadObjectId }) }))).status).toBe(200);
    expect((await post(teams.message('Hilfe', { from: KFI_LEAD }))).status).toBe(200);
    expect((await post(teams.message('Help', { from: KFI_CIRCLE, locale: 'en-GB' }))).status).toBe(200);
    await idle();
    emulator.reset();
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
    await issuer.close();
  });

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
    expect((await post(teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-04-13' }, { from: KOELN_IB }))).body.statusCode).toBe(403);
    expect(await meetings()).toHaveLength(0);

    // Felix confirms in English: the meeting is created and announced to every member, with the RSVP.
    emulator.reset();
    const confirmed = await post(teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-04-13' }, { from: KFI_CIRCLE, locale: 'en-GB' }));
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
    const members = await app.circle.members();
    const announcements = posted().filter((c) => c.includes('"verb":"circle.meeting.rsvp"'));
    expect(announcements).toHaveLength(members.length);
    // Felix reads it in English, Karla in German.
    const announcedTo = (who: typeof KFI_LEAD) => emulator.visibleActivities(personalConversationId(who.id)).map((a) => JSON.stringify(a)).filter((a) => a.includes('"verb":"circle.meeting.rsvp"'));
    expect(announcedTo(KFI_CIRCLE)).toHaveLength(1);
    expect(announcedTo(KFI_CIRCLE)[0]).toContain('Tue 13 Apr 2027');
    expect(announcedTo(KFI_LEAD)).toHaveLength(1);
    expect(announcedTo(KFI_LEAD)[0]).toContain('13.04.2027');
    expect((await cadence())!.trail.filter((e) => e.action === 'confirmed')).toEqual([expect.objectContaining({ by: KFI_CIRCLE.aadObjectId, ruleDate: '2027-04-13' })]);

    // A second confirmation (Karla's old card): already done, nothing announced again.
    const before = posted().length;
    const late = await post(teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-04-13' }, { from: KFI_LEAD }));
    expect(late.body.statusCode).toBe(200);
    expect(JSON.stringify(late.body.value)).toContain('Bereits erledigt: Felix Format (Beispiel) hat diesen Entwurf am Di., 02.03.2027, 09:00 Uhr bestätigt und gesendet.');
    await idle();
    expect(posted()).toHaveLength(before);
    expect(await meetings()).toHaveLength(1);
  });
});
