import type { CircleDoc, MeetingDoc, PollAnswerDoc, PollDoc } from '../../services/circle/model';
import { noticesForMeeting, noticesForPollCreate } from '../../services/circle/notifications';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { DocumentStore } from '../../services/storage/documentStore';
import { activityBuilders, DEFAULT_TENANT_ID, user, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { countingDatabase } from '../support/countingDatabase';
import { KFI_LEAD, KOELN_HEAD, KOELN_IB, acceptedPosts, acceptedUpdates, eventually, guest, lastSeq, notDirectoryPrompt, ok } from '../support/circle';
import { startTestApp, type TestApp } from '../support/testApp';

// Tuesday, 1 December 2026, 10:00 in Berlin.
const START = new Date('2026-12-01T09:00:00Z');
const cardText = (body: any) => JSON.stringify(body?.value ?? null);

jest.setTimeout(60_000);

describe('the Koordinierungskreis in Teams', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  /** The app's view of the database: counts the conflicts the database answered. */
  let counting: ReturnType<typeof countingDatabase>;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  let store: DocumentStore<CircleDoc>;
  let now = START;

  const invoke = (verb: string, data: Record<string, unknown>, from: TeamsUser) => app.post(teams.cardAction(verb, data, { from }));
  /** Waits until the outbox has nothing left to deliver, so that one step's messages do not show up in the next. */
  const settle = () =>
    eventually(async () => (await database.store<any>(CONTAINERS.outbox).query<number>({ query: 'SELECT VALUE COUNT(1) FROM c WHERE c.kind = "delivery" AND c.open = true' }))[0] === 0, 60_000, 200);
  const polls = () => store.query<PollDoc>({ query: 'SELECT * FROM c WHERE c.type = "poll" ORDER BY c.createdAt' });
  const slotForm = (slots: Array<[string, string]>) => Object.fromEntries(slots.flatMap(([d, t], i) => [[`slot${i + 1}Date`, d], [`slot${i + 1}Time`, t]]));

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'circle-test' });
    counting = countingDatabase(database);
    app = await startTestApp({}, { database: counting.database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    store = database.store<CircleDoc>(CONTAINERS.circle);
    // The KfI talks to the bot first, so the tenant's connector endpoint is known for 1:1 chats.
    expect((await app.post(teams.message('Hilfe', { from: KFI_LEAD }))).status).toBe(200);
  });
  afterEach(() => {
    now = START;
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  it('lets only the KfI open a date poll, and refuses a forged create from anyone else without storing anything', async () => {
    const res = await invoke('circle.poll.create', { title: 'Gefälscht', duration: '120', ...slotForm([['2027-01-12', '10:00'], ['2027-01-13', '10:00']]) }, KOELN_IB);
    expect(res.body.statusCode).toBe(403);
    expect(cardText(res.body)).toMatch(/nur das Kompetenzzentrum/);
    expect(await polls()).toHaveLength(0);
    expect(app.logs.events()).toContain('circle.refused');
    expect(app.logs.raw.join('\n')).not.toContain('Gefälscht');

    emulator.reset();
    await app.post(teams.message('Terminumfrage', { from: KOELN_IB }));
    expect((await emulator.waitFor((c) => c.operation === 'reply')).activity?.text).toMatch(/nur das Kompetenzzentrum/);
  });

  it('lets the KfI add a guest chosen with Teams’ people picker, and refuses everyone else', async () => {
    emulator.reset();
    await app.post(teams.message('Koordinierungskreis', { from: KFI_LEAD }));
    const overview = JSON.stringify((await emulator.waitFor((c) => c.operation === 'reply')).activity);
    // The picker searches the organisation's directory in the Teams client; its value is the person's Entra object id.
    expect(overview).toContain('"choices.data":{"type":"Data.Query","dataset":"graph.microsoft.com/users"}');
    const picked = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const forged = await invoke('circle.guest.add', { guestId: picked, guestName: 'Gast (Beispiel)' }, KOELN_IB);
    expect(forged.body.statusCode).toBe(403);
    expect((await app.circle.settings())?.guests.some((g) => g.aadObjectId === picked) ?? false).toBe(false);
    const bad = await invoke('circle.guest.add', { guestId: 'not-an-id', guestName: 'Gast (Beispiel)' }, KFI_LEAD);
    expect(cardText(bad.body)).toContain('Die Kennung des Gastes ist ungültig.');
    const added = await invoke('circle.guest.add', { guestId: picked.toUpperCase(), guestName: 'Gast (Beispiel)' }, KFI_LEAD);
    expect(added.body.statusCode).toBe(200);
    expect((await app.circle.settings())?.guests.filter((g) => g.aadObjectId === picked)).toHaveLength(1);
    ok(await app.circle.removeGuest(KFI_LEAD.aadObjectId, picked));
  });

  it('refuses poll dates in the past politely and keeps what the KfI typed', async () => {
    const res = await invoke('circle.poll.create', { title: 'Frühjahrssitzung', duration: '120', ...slotForm([['2026-11-30', '10:00'], ['2027-01-13', '10:00']]) }, KFI_LEAD);
    expect(res.body.statusCode).toBe(200);
    expect(cardText(res.body)).toMatch(/in der Vergangenheit/);
    expect(cardText(res.body)).toContain('Frühjahrssitzung');
    expect(await polls()).toHaveLength(0);
  });

  it('runs a poll to a meeting: 50 members answering in parallel, each with a double click, lose no answer and store one each; a changed answer stays one answer', async () => {
    // Grow the circle to 50: the demo directory's members with a Teams identity plus guests the KfI adds.
    const fromDirectory = (await app.circle.members()).length;
    for (let i = 1; i <= 50 - fromDirectory; i++) ok(await app.circle.addGuest(KFI_LEAD.aadObjectId, { aadObjectId: guest(i).aadObjectId, name: guest(i).name }));
    const members = await app.circle.members();
    expect(members).toHaveLength(50);
    // Every member has the app (as after Graph's proactive installation): Teams opens a chat only with them.
    for (const m of members) expect((await app.post(teams.installationUpdate('add', { from: user({ name: m.name, aadObjectId: m.aadObjectId }) }))).status).toBe(200);
    await settle();

    emulator.reset();
    const created = await invoke('circle.poll.create', { title: 'Sitzung Januar', place: 'Arnsberg, Raum 1 (Beispiel)', duration: '120', ...slotForm([['2027-01-12', '10:00'], ['2027-01-13', '14:00'], ['2027-01-14', '09:30']]) }, KFI_LEAD);
    expect(created.body.statusCode).toBe(200);
    const card = cardText(created.body);
    expect(card).toContain('Di., 12.01.2027, 10:00–12:00 Uhr');
    expect(card).toContain('"verb":"circle.poll.answer"');
    const [poll] = await polls();
    // The poll reaches every member once (1:1: no circle channel is designated).
    await eventually(() => acceptedPosts(emulator).size === 50);
    expect([...acceptedPosts(emulator).values()].every((calls) => calls.length === 1)).toBe(true);

    const choice = (i: number) => (i % 3 === 0 ? 'yes' : i % 3 === 1 ? 'maybe' : 'no');
    // Every member clicks twice at once: 50 races, each of two first answers creating the member's answer document.
    counting.reset();
    const answers = await Promise.all(
      members.flatMap((m, i) => {
        const answer = () => invoke('circle.poll.answer', { pollId: poll.pk, slot_s1: choice(i), slot_s2: 'yes' }, { ...KOELN_IB, aadObjectId: m.aadObjectId, name: m.name, id: `29:m${i}` });
        return [answer(), answer()];
      }),
    );
    expect(answers.map((a) => a.body.statusCode)).toEqual(members.flatMap(() => [200, 200]));
    // The races were real: creates collided (409) and fell back to the patch.
    expect(counting.contention.byContainer[CONTAINERS.circle]?.alreadyExists ?? 0).toBeGreaterThan(0);
    const stored = await store.query<PollAnswerDoc>({ query: 'SELECT * FROM c WHERE c.pk = @pk AND c.type = "pollAnswer"', parameters: [{ name: '@pk', value: poll.pk }] });
    expect(stored).toHaveLength(50);
    expect(new Set(stored.map((a) => a.member)).size).toBe(50);
    const view = await app.circle.pollView(poll.pk, KFI_LEAD.aadObjectId);
    expect(view.tallies.s1).toEqual({ yes: 17, maybe: 17, no: 16 });
    expect(view.tallies.s2).toEqual({ yes: 50, maybe: 0, no: 0 });
    expect(view.notAnswered).toEqual([]);

    const changed = await invoke('circle.poll.answer', { pollId: poll.pk, slot_s2: 'no' }, KOELN_IB);
    expect(cardText(changed.body)).toContain('Ihre Antwort: Nein');
    const mine = await store.query<PollAnswerDoc>({ query: 'SELECT * FROM c WHERE c.pk = @pk AND c.member = @m', parameters: [{ name: '@pk', value: poll.pk }, { name: '@m', value: KOELN_IB.aadObjectId }] });
    expect(mine).toHaveLength(1);
    expect((await app.circle.pollView(poll.pk, undefined)).tallies.s2).toEqual({ yes: 49, maybe: 0, no: 1 });

    // A non-member's answer is refused and stores nothing.
    const outsider = await invoke('circle.poll.answer', { pollId: poll.pk, slot_s1: 'yes' }, KOELN_HEAD);
    expect(outsider.body.statusCode).toBe(403);
    expect((await app.circle.pollView(poll.pk, undefined)).answeredCount).toBe(50);

    // Closing picks the best slot (s2) and turns it into a meeting; only the KfI may close.
    expect((await invoke('circle.poll.close', { pollId: poll.pk }, KOELN_IB)).body.statusCode).toBe(403);
    const late = await invoke('circle.poll.close', { pollId: poll.pk, rsvpDeadline: '2027-02-01' }, KFI_LEAD);
    expect(cardText(late.body)).toMatch(/Rückmeldefrist/);
    expect(((await store.read(poll.pk, 'poll')) as PollDoc).status).toBe('open');
    const closed = await invoke('circle.poll.close', { pollId: poll.pk, rsvpDeadline: '2027-01-08' }, KFI_LEAD);
    // On failure, show the service's warning and error lines (codes only) with the status: this once failed in CI with a 500.
    const problems = closed.body.statusCode === 200 ? [] : app.logs.raw.filter((l) => /"level":(40|50)/.test(l)).slice(-5);
    expect({ status: closed.body.statusCode, problems }).toEqual({ status: 200, problems: [] });
    expect(cardText(closed.body)).toContain('Mi., 13.01.2027, 14:00–16:00 Uhr');
    const meeting = (await store.read(`m-${poll.pk.slice(2)}`, 'meeting')) as MeetingDoc;
    expect(meeting).toMatchObject({ status: 'scheduled', start: '2027-01-13T13:00:00.000Z', rsvpDeadline: '2027-01-08', fromPollId: poll.pk });

    // "Meine Daten": the member's own answer, and what the KfI created, nobody else's.
    const ib = await app.circle.dataAbout(KOELN_IB.aadObjectId);
    expect(ib.pollAnswers.filter((a) => a.pk === poll.pk)).toEqual([expect.objectContaining({ member: KOELN_IB.aadObjectId.toLowerCase(), choices: expect.objectContaining({ s2: 'no' }) })]);
    expect(ib.pollsCreated).toEqual([]);
    const kfi = await app.circle.dataAbout(KFI_LEAD.aadObjectId);
    expect(kfi.pollsCreated.map((p) => p.pollId)).toContain(poll.pk);
    expect(kfi.meetingsCreated.map((m) => m.meetingId)).toContain(meeting.pk);
    expect(JSON.stringify(kfi)).not.toContain(KOELN_IB.aadObjectId.toLowerCase());
  }, 60_000);

  describe('a meeting', () => {
    let meetingId: string;

    beforeAll(async () => {
      const res = await invoke(
        'circle.meeting.save',
        { meetingId: '', title: 'Sitzung Februar', date: '2027-02-09', startTime: '10:00', endTime: '12:30', onlineUrl: 'https://teams.example/meet/1', agendaText: 'Bericht aus den Bezirken; Austausch', rsvpDeadline: '2027-02-02' },
        KFI_LEAD,
      );
      expect(res.body.statusCode).toBe(200);
      const [m] = await store.query<MeetingDoc>({ query: 'SELECT * FROM c WHERE c.type = "meeting" AND c.title = "Sitzung Februar"' });
      meetingId = m.pk;
    });

    it('refuses a meeting in the past or without place and link, politely, storing nothing', async () => {
      const past = await invoke('circle.meeting.save', { meetingId: '', title: 'Alt', date: '2026-11-20', startTime: '10:00', endTime: '11:00', place: 'Arnsberg', rsvpDeadline: '2026-11-19' }, KFI_LEAD);
      expect(cardText(past.body)).toMatch(/in der Vergangenheit/);
      const nowhere = await invoke('circle.meeting.save', { meetingId: '', title: 'Nirgends', date: '2027-03-01', startTime: '10:00', endTime: '11:00', rsvpDeadline: '2027-02-20' }, KFI_LEAD);
      expect(cardText(nowhere.body)).toMatch(/Ort oder einen Online-Link/);
      const stored = await store.query<MeetingDoc>({ query: 'SELECT * FROM c WHERE c.type = "meeting" AND (c.title = "Alt" OR c.title = "Nirgends")' });
      expect(stored).toHaveLength(0);
    });

    it('takes RSVPs: counts for everyone, each member sees their own answer, Vertretung needs a name', async () => {
      const missing = await invoke('circle.meeting.rsvp', { meetingId, rsvp: 'delegate', delegate: '' }, KOELN_IB);
      expect(cardText(missing.body)).toMatch(/wer teilnimmt/);
      const delegated = await invoke('circle.meeting.rsvp', { meetingId, rsvp: 'delegate', delegate: 'Max Vertreter (Beispiel)' }, KOELN_IB);
      expect(cardText(delegated.body)).toContain('Ihre Rückmeldung: Vertretung (es kommt: Max Vertreter (Beispiel))');
      const accepted = await invoke('circle.meeting.rsvp', { meetingId, rsvp: 'accept' }, KFI_LEAD);
      expect(cardText(accepted.body)).toContain('Zusagen 1 · Absagen 0 · Vertretungen 1 · offen 48');
      expect(cardText(accepted.body)).toContain('Ihre Rückmeldung: Zusage');
    });

    it('serves the meeting as an .ics file under its unguessable link, 404 for any other token', async () => {
      // The link's token is registered by the relay after the meeting's write (its `meetingIcs` notice).
      await app.delivery.whenIdle();
      const meeting = (await store.read(meetingId, 'meeting')) as MeetingDoc;
      expect(meeting.icsToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const res = await fetch(`${app.url}/kalender/${meeting.icsToken}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
      const body = await res.text();
      expect(body).toContain('DTSTART;TZID=Europe/Berlin:20270209T100000\r\n');
      expect(body).toContain('SUMMARY:Sitzung Februar\r\n');
      expect(body).toContain('DESCRIPTION:Bericht aus den Bezirken\\; Austausch');
      expect((await fetch(`${app.url}/kalender/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
      expect((await fetch(`${app.url}/kalender/..%2F..%2Fetc`)).status).toBe(404);
    });

    it('collects topics from members; the KfI accepts, orders and publishes the agenda, and posted cards follow', async () => {
      await invoke('circle.topic.propose', { meetingId, topicTitle: 'Interkulturelle Öffnung', topicDescription: 'Stand in den Dezernaten', topicPresenter: 'Sabine Schmitz' }, KOELN_IB);
      await invoke('circle.topic.propose', { meetingId, topicTitle: 'Förderprogramme 2027' }, KOELN_IB);
      const forged = await invoke('circle.topic.accept', { meetingId, topicId: 'topic:00000000-0000-4000-8000-000000000000' }, KOELN_IB);
      expect(forged.body.statusCode).toBe(403);
      const kfiView = await app.circle.meetingView(meetingId, KFI_LEAD.aadObjectId);
      expect(kfiView.proposed.map((t) => t.title)).toEqual(['Interkulturelle Öffnung', 'Förderprogramme 2027']);
      for (const t of kfiView.proposed) await invoke('circle.topic.accept', { meetingId, topicId: t.id }, KFI_LEAD);
      await invoke('circle.topic.up', { meetingId, topicId: kfiView.proposed[1].id }, KFI_LEAD);
      await settle();
      const mark = lastSeq(emulator);
      const published = await invoke('circle.agenda.publish', { meetingId }, KFI_LEAD);
      expect(cardText(published.body)).toMatch(/1\. Förderprogramme 2027.*2\. Interkulturelle Öffnung/);
      await eventually(() => acceptedUpdates(emulator, mark) === 50 && acceptedPosts(emulator, mark).size === 50);
    });

    it('a change updates every posted card and tells each member once; a repeated save sends nothing more', async () => {
      await settle();
      const mark = lastSeq(emulator);
      const form = { meetingId, title: 'Sitzung Februar', date: '2027-02-10', startTime: '10:00', endTime: '12:30', onlineUrl: 'https://teams.example/meet/1', agendaText: 'Bericht aus den Bezirken; Austausch', rsvpDeadline: '2027-02-02' };
      expect((await invoke('circle.meeting.save', form, KFI_LEAD)).body.statusCode).toBe(200);
      await eventually(() => acceptedUpdates(emulator, mark) === 50 && acceptedPosts(emulator, mark).size === 50);
      await invoke('circle.meeting.save', form, KFI_LEAD);
      // The invoke has answered (whatever it enqueued is in the outbox); once the outbox is idle, it has all gone out.
      await app.delivery.whenIdle();
      expect([...acceptedPosts(emulator, mark).values()].every((calls) => calls.length === 1)).toBe(true);
      expect(JSON.stringify(emulator.calls.find((c) => c.seq > mark && c.operation === 'send')?.activity)).toMatch(/Geändert/);
    });

    it('reminds members without an answer before the deadline and everyone the day before, once, from the jobs container, each in their language', async () => {
      // One member's Teams client is set to English; the bot learns it from their message.
      await app.post(teams.message('help', { from: guest(1), locale: 'en-US' }));
      await settle();
      const mark = lastSeq(emulator);
      now = new Date('2027-02-01T08:30:00Z'); // 09:30 in Berlin on the day before the deadline
      await app.jobs.runDue();
      await eventually(() => acceptedPosts(emulator, mark, notDirectoryPrompt).size === 48);
      await app.jobs.runDue();
      now = new Date('2027-02-09T09:30:00Z');
      await app.jobs.runDue();
      await eventually(() => [...acceptedPosts(emulator, mark, notDirectoryPrompt).values()].reduce((n, c) => n + c.length, 0) === 48 + 50);
      await app.jobs.runDue();
      // The job runner has finished the due jobs (and enqueued what they send); the outbox has sent it all.
      await app.delivery.whenIdle();
      const posted = [...acceptedPosts(emulator, mark, notDirectoryPrompt).values()].flat();
      expect(posted).toHaveLength(98);
      const texts = posted.map((c) => String(c.activity?.text ?? (c.body as { activity?: { text?: string } } | undefined)?.activity?.text ?? ''));
      expect(texts.filter((t) => t.startsWith('Erinnerung: Bitte melden Sie sich bis 02.02.2027'))).toHaveLength(47);
      expect(texts.filter((t) => t.startsWith('Reminder: please reply by 2 Feb 2027 for "Sitzung Februar"'))).toHaveLength(1);
      expect(texts.filter((t) => t.startsWith('Morgen: „Sitzung Februar“'))).toHaveLength(49);
      expect(texts.filter((t) => t.startsWith('Tomorrow: "Sitzung Februar" of the coordination circle, Wed 10 Feb 2027, 10:00'))).toHaveLength(1);
      now = START;
    });

    it('takes minutes and action items; the owner is reminded before the due date, once', async () => {
      const bad = await invoke('circle.action.add', { meetingId, actionTitle: 'Bericht', actionOwner: KOELN_HEAD.aadObjectId, actionDue: '2027-03-01' }, KFI_LEAD);
      expect(cardText(bad.body)).toMatch(/verantwortliche Person aus dem Kreis/);
      const minutes = await invoke('circle.minutes.post', { meetingId, minutes: 'https://intranet.example/protokoll-februar' }, KFI_LEAD);
      expect(cardText(minutes.body)).toContain('https://intranet.example/protokoll-februar');
      expect((await invoke('circle.minutes.post', { meetingId, minutes: 'gefälscht' }, KOELN_IB)).body.statusCode).toBe(403);
      const added = await invoke('circle.action.add', { meetingId, actionTitle: 'Bericht zur IKÖ', actionOwner: KOELN_IB.aadObjectId, actionDue: '2027-03-01' }, KFI_LEAD);
      expect(cardText(added.body)).toContain('Bericht zur IKÖ – Sabine Schmitz (Beispiel), bis 01.03.2027');
      await settle();
      const mark = lastSeq(emulator);
      now = new Date('2027-02-27T09:00:00Z');
      await app.jobs.runDue();
      await eventually(() => [...acceptedPosts(emulator, mark).values()].some((calls) => calls.some((c) => JSON.stringify(c.body).includes('Ihre Aufgabe'))));
      await app.jobs.runDue();
      // The job runner has finished the due jobs (and enqueued what they send); the outbox has sent it all.
      await app.delivery.whenIdle();
      const reminders = emulator.calls.filter((c) => c.seq > mark && JSON.stringify(c.body ?? '').includes('Ihre Aufgabe'));
      expect(reminders).toHaveLength(1);
      now = START;
    });

    it('answers "Wann ist die nächste Sitzung des Koordinierungskreises?" with the stored meeting', async () => {
      await settle();
      const mark = lastSeq(emulator);
      await app.post(teams.message('Wann ist die nächste Sitzung des Koordinierungskreises?', { from: KOELN_HEAD }));
      const reply = await emulator.waitFor((c) => c.seq > mark && c.operation === 'reply');
      expect(reply.activity?.text).toMatch(/Sitzung Januar|Sitzung Februar/);
    });

    it('cancelling updates every posted card, notifies members once, and the calendar file says CANCELLED', async () => {
      await settle();
      const mark = lastSeq(emulator);
      const reason = 'Der Sitzungssaal ist gesperrt.';
      expect((await invoke('circle.meeting.cancel', { meetingId, cancelReason: reason }, KOELN_IB)).body.statusCode).toBe(403);
      const res = await invoke('circle.meeting.cancel', { meetingId, cancelReason: reason }, KFI_LEAD);
      expect(cardText(res.body)).toContain(`Abgesagt: ${reason}`);
      await eventually(() => acceptedPosts(emulator, mark).size === 50 && acceptedUpdates(emulator, mark) === 50);
      await invoke('circle.meeting.cancel', { meetingId, cancelReason: reason }, KFI_LEAD);
      await app.delivery.whenIdle();
      expect([...acceptedPosts(emulator, mark).values()].every((calls) => calls.length === 1)).toBe(true);
      const meeting = (await store.read(meetingId, 'meeting')) as MeetingDoc;
      const ics = await (await fetch(`${app.url}/kalender/${meeting.icsToken}`)).text();
      expect(ics).toContain('STATUS:CANCELLED');
      // Calendars show why (the .ics escapes the text; its lines are folded at 75 octets).
      expect(ics.replace(/\r\n /g, '')).toContain(`DESCRIPTION:Abgesagt: ${reason}`);
    });
  });

  it('posts to the team channel the KfI designates; nobody else may designate it', async () => {
    const ib = await app.post(teams.message('<at>Integrations-Lotse</at> Koordinierungskreis hier posten', { from: KOELN_IB, scope: 'channel' }));
    expect(ib.status).toBe(200);
    expect((await app.circle.settings())?.channel).toBeUndefined();
    await app.post(teams.message('<at>Integrations-Lotse</at> Koordinierungskreis hier posten', { from: KFI_LEAD, scope: 'channel' }));
    await eventually(async () => !!(await app.circle.settings())?.channel);
    const channel = (await app.circle.settings())!.channel!;
    expect(channel.conversationType).toBe('channel');

    const mark = lastSeq(emulator);
    const res = await invoke('circle.poll.create', { title: 'Sitzung April', place: 'Arnsberg', duration: '90', delivery: 'channel', ...slotForm([['2027-04-06', '10:00'], ['2027-04-07', '10:00']]) }, KFI_LEAD);
    expect(res.body.statusCode).toBe(200);
    await eventually(() => acceptedPosts(emulator, mark).size === 1);
    expect([...acceptedPosts(emulator, mark).keys()][0]).toBe(channel.conversationId);
  });

  it('shows members the overview and people outside the circle the KfI as contact', async () => {
    emulator.reset();
    await app.post(teams.message('Koordinierungskreis', { from: KOELN_IB }));
    const mine = await emulator.waitFor((c) => c.operation === 'reply');
    expect(JSON.stringify(mine.activity?.attachments)).toContain('Nächste Sitzung');
    emulator.reset();
    await app.post(teams.message('Nächste Sitzung', { from: KOELN_HEAD }));
    const other = await emulator.waitFor((c) => c.operation === 'reply');
    expect(JSON.stringify(other.activity?.attachments)).toContain('kfi@bezreg-arnsberg.example');
  });
  it('finishes what a process that died between storing and sending left undone, and sends it once', async () => {
    await settle();
    const members = (await app.circle.members()).length;
    // The state a process leaves when it dies right after the write: a stored poll whose announcement is still
    // pending in it, and a meeting change whose notice and card updates are still pending in the meeting.
    const pollId = `p-crash-${Date.now()}`;
    const written = new Date(now.getTime() - 60_000).toISOString();
    const lost: PollDoc = {
      id: 'poll', pk: pollId, type: 'poll', title: 'Nach dem Absturz', status: 'open', tenantId: DEFAULT_TENANT_ID, delivery: 'personal',
      slots: [{ id: 's1', start: '2027-05-04T08:00:00.000Z', end: '2027-05-04T10:00:00.000Z' }, { id: 's2', start: '2027-05-05T08:00:00.000Z', end: '2027-05-05T10:00:00.000Z' }],
      createdBy: KFI_LEAD.aadObjectId, createdAt: written,
    };
    await store.create({ ...lost, pending: noticesForPollCreate(lost), pendingSince: Date.parse(written) });
    const [meeting] = await store.query<MeetingDoc & { etag: string }>({ query: "SELECT * FROM c WHERE c.type = 'meeting' AND c.status = 'scheduled'" });
    const { etag, ...plain } = meeting;
    const changed: MeetingDoc = { ...plain, title: 'Geänderter Titel', revision: plain.revision + 1, updatedAt: written };
    await store.replace({ ...changed, pending: noticesForMeeting(plain, changed), pendingSince: Date.parse(written) }, etag);

    // The relay's sweep (at start-up and every RELAY_SWEEP_SECONDS) finds the pending notices and carries them out.
    const sweep = async () => {
      await app.delivery.relay.sweep();
      await settle();
    };
    await sweep();
    // The poll card goes to each member in their language: German under its key, English (guest 1) under `:en`.
    const announced = async () =>
      Promise.all([app.delivery.outbox.status(`circle:poll:${pollId}:announce`), app.delivery.outbox.status(`circle:poll:${pollId}:announce:en`)]);
    const [announcedDe, announcedEn] = await announced();
    expect([announcedDe?.total, announcedEn?.total]).toEqual([members - 1, 1]);
    // The notice is a text message: German under its key, English (a member who uses Teams in English) under `:en`.
    const notice = await app.delivery.outbox.status(`circle:meeting:${meeting.pk}:changed:r${changed.revision}`);
    const noticeEn = await app.delivery.outbox.status(`circle:meeting:${meeting.pk}:changed:r${changed.revision}:en`);
    expect((notice?.total ?? 0) + (noticeEn?.total ?? 0)).toBe(members);
    const mark = lastSeq(emulator);
    await sweep(); // a second sweep (or another process) finds everything sent: nothing more goes out
    expect(acceptedPosts(emulator, mark).size).toBe(0);
    expect((await announced()).map((s) => s?.total)).toEqual([members - 1, 1]);
  });

  it('deletes meetings and polls with their answers once the retention period (CIRCLE_RETENTION_DAYS, 730) has passed', async () => {
    await settle();
    const count = async (type: string) => (await store.query<number>({ query: 'SELECT VALUE COUNT(1) FROM c WHERE c.type = @t', parameters: [{ name: '@t', value: type }] }))[0];
    expect(await count('meeting')).toBeGreaterThan(0);
    expect(await count('pollAnswer')).toBeGreaterThan(0);
    const outbox = database.store<{ id: string; pk: string }>(CONTAINERS.outbox);
    const sent = async () =>
      (await outbox.query<number>({ query: "SELECT VALUE COUNT(1) FROM c WHERE STARTSWITH(c.notificationKey, 'circle:') OR STARTSWITH(c.key, 'circle:')" }))[0];
    expect(await sent()).toBeGreaterThan(0);
    // A year on, nothing is due yet: the meetings ended less than 730 days ago.
    now = new Date(START.getTime() + 365 * 86_400_000);
    await app.jobs.runDue();
    expect(await count('meeting')).toBeGreaterThan(0);

    now = new Date(START.getTime() + 2 * 365 * 86_400_000 + 200 * 86_400_000);
    await app.jobs.runDue();
    for (const type of ['meeting', 'poll', 'pollAnswer', 'rsvp', 'topic', 'icsToken']) expect(await count(type)).toBe(0);
    // The announcements, cards and reminders carried their content: they are gone with them.
    expect(await sent()).toBe(0);
    expect(await app.circle.settings()).toBeDefined(); // guests and the channel stay
    expect(app.logs.events()).toContain('circle.purged');
  });
});
