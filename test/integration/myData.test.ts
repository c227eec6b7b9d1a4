import { AuditLog, type AuditEntry } from '../../services/audit/auditLog';
import type { CircleDoc } from '../../services/circle/model';
import { DirectoryRepository, type DirectoryDoc } from '../../services/directory/directoryRepository';
import type { ItemDoc } from '../../services/requests/model';
import { jobIdOf, type JobDoc } from '../../services/scheduling/scheduler';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { UserProfile } from '../../services/users/userProfiles';
import { activityBuilders, stableGuid, user, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { cardsOf } from '../support/teamsRules';
import { startTestApp, type TestApp } from '../support/testApp';
import { ok } from '../support/circle';

/** Fictitious people of the demo directory, and staff made up here. */
const person = (name: string, aad: string) => user({ name, aadObjectId: aad });
const KOELN_IB = person('Sabine Schmitz (Beispiel)', '00000000-0000-4000-8000-000400000001');
const KOELN_DEPUTY = person('Jan Jedermann (Beispiel)', '00000000-0000-4000-8000-000400000002');
const MUENSTER_IB = person('Tina Test (Beispiel)', '00000000-0000-4000-8000-000500000001');
const ARNSBERG_IB = person('Arnsberg IB (Beispiel)', '00000000-0000-4000-8000-000100000001');
const KFI_LEAD = person('KfI (Beispiel)', '00000000-0000-4000-8000-000600000001');
const ADMIN = user({ name: 'Verzeichnis Pflege' });
const STAFF = user({ name: 'Erika Sachbearbeiterin' });
const OTHER_STAFF = user({ name: 'Otto Kollege' });
const GUEST_STAFF = user({ name: 'Greta Gastmitglied' });
const NEW_KOELN_IB = stableGuid('my-data', 'new-koeln-ib');

const DAY = 86_400_000;
type InvokeBody = { statusCode: number; type: string; value: any };
const json = (v: unknown) => JSON.stringify(v);
const verbsOf = (card: unknown) => [...json(card).matchAll(/"verb":"([^"]+)"/g)].map((m) => m[1]);

describe('"Meine Daten" and "Meine Daten löschen"', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  // Tuesday, 24 November 2026; the retention test moves the clock on.
  let now = new Date('2026-11-24T09:00:00Z');

  const profile = (aad: string) => database.store<UserProfile>(CONTAINERS.users).read(aad, 'profile');
  const circleDocs = (member: string) =>
    database.store<CircleDoc>(CONTAINERS.circle).query<CircleDoc>({
      query: "SELECT * FROM c WHERE ((c.type = 'pollAnswer' OR c.type = 'rsvp') AND c.member = @m) OR (c.type = 'topic' AND c.proposedBy = @m)",
      parameters: [{ name: '@m', value: member }],
    });

  async function say(text: string, from: TeamsUser, scope: 'personal' | 'groupChat' = 'personal'): Promise<ConnectorCall> {
    emulator.reset();
    expect((await app.post(teams.message(text, { from, scope }))).status).toBe(200);
    return emulator.waitFor((c) => c.operation === 'reply' && (c.activity?.recipient as { id?: string } | undefined)?.id === from.id);
  }

  async function invoke(verb: string, data: Record<string, unknown>, from: TeamsUser, scope: 'personal' | 'groupChat' = 'personal'): Promise<InvokeBody> {
    const res = await app.post(teams.cardAction(verb, data, { from, scope }));
    expect(res.status).toBe((res.body as InvokeBody).statusCode);
    return res.body as InvokeBody;
  }

  /**
   * "Meine Daten": the summary card the chat shows (no ids, no JSON) and the full file (the tab's download, built by
   * the same function); `text` is both, for checks that nothing about others is in either.
   */
  async function myData(from: TeamsUser): Promise<{ text: string; data: any; card: string }> {
    const call = await say('Meine Daten', from);
    const cards = cardsOf(call.activity as never);
    expect(cards).toHaveLength(1);
    const card = json(cards[0]);
    expect(card).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    expect(card).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    const data = JSON.parse(JSON.stringify(await app.myData(from.aadObjectId)));
    return { text: `${card}\n${JSON.stringify(data, null, 2)}`, data, card };
  }

  async function submitRequest(from: TeamsUser, authority: string, subject: string, description: string): Promise<ItemDoc> {
    const body = await invoke('request.submit', { authority, category: 'beratung', subject, description }, from);
    expect(body.statusCode).toBe(200);
    const id = body.value.refresh.action.data.id as string;
    return (await database.store<ItemDoc>(CONTAINERS.items).read(authority, id))!;
  }

  const act = async (item: ItemDoc, action: string, from: TeamsUser, text?: string) => {
    const current = (await database.store<ItemDoc>(CONTAINERS.items).read(item.authority, item.id))!;
    const body = await invoke(`request.${action}`, { id: item.id, authority: item.authority, rev: current.rev, ...(text ? { text } : {}) }, from);
    expect(body.statusCode).toBe(200);
  };

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'my-data-test' });
    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [KOELN_IB, KOELN_DEPUTY, MUENSTER_IB, ARNSBERG_IB, KFI_LEAD, ADMIN, STAFF, OTHER_STAFF, GUEST_STAFF]) {
      await app.post(teams.installationUpdate('add', { from: p }));
    }
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  it('shows a replaced IB only their own messages and actions, not the authority’s items, and nobody else’s ids', async () => {
    const item = await submitRequest(STAFF, 'koeln', 'Bescheide in leichter Sprache (Beispiel)', 'Wie erreichen wir Antragstellende besser?');
    await act(item, 'accept', KOELN_IB);
    await act(item, 'answer', KOELN_IB, 'Antwort der IB (Beispiel)');
    const untouched = await submitRequest(OTHER_STAFF, 'koeln', 'Unberührtes Anliegen (Beispiel)', 'Liegt noch bei der IB.');
    // The directory administrator appoints a new IB for Köln.
    const directory = new DirectoryRepository(database.store<DirectoryDoc>(CONTAINERS.directory), new AuditLog(database.store<AuditEntry>(CONTAINERS.audit)));
    await directory.updateAuthority('koeln', ADMIN.aadObjectId, 'directory.edit', (a) => ({
      ...a,
      commissioner: { ...a.commissioner!, id: 'koeln-ib-neu', name: 'Neue IB (Beispiel)', teams: { upn: 'neue.ib@bezreg-koeln.example', aadObjectId: NEW_KOELN_IB } },
    }), now);
    await app.answers.refresh(true);

    const former = await myData(KOELN_IB);
    expect(former.data.requests.created).toEqual([]);
    expect(former.data.requests.actedOn).toEqual([
      { id: item.id, kind: 'request', authority: 'koeln', open: true, messages: [{ at: now.toISOString(), kind: 'antwort', text: 'Antwort der IB (Beispiel)' }] },
    ]);
    expect(former.data.requests.audit.map((e: { action: string }) => e.action)).toEqual(['request.accept', 'request.answer']);
    // Not the item as it is now (subject, description, status, who else is on it), and not the item never touched.
    for (const absent of [item.subject, item.body, untouched.id, untouched.subject, STAFF.aadObjectId, STAFF.id, OTHER_STAFF.aadObjectId, KOELN_DEPUTY.aadObjectId, NEW_KOELN_IB]) {
      expect(former.text).not.toContain(absent);
    }

    const requester = await myData(STAFF);
    // The chat shows the kinds with counts and German dates; the subject and texts only in the file.
    expect(requester.card).toContain('Ihre Anliegen und Vorträge');
    expect(requester.card).toContain('1 insgesamt, davon 1 offen');
    expect(requester.card).toContain('Zuletzt am 24.11.2026');
    expect(requester.card).not.toContain(item.subject);
    expect(requester.card).toContain('privacy.erase.ask');
    expect(requester.data.about).toBe(STAFF.aadObjectId);
    expect(requester.data.requests.created).toEqual([
      expect.objectContaining({ id: item.id, subject: item.subject, text: item.body, status: 'in_bearbeitung', open: true, messages: [] }),
    ]);
    expect(requester.data.profile.personalChat.userId).toBe(STAFF.id);
    // cardsTo, participants, handler, owes and card references of the item name others: none of it is shown.
    for (const absent of [KOELN_IB.aadObjectId, KOELN_IB.id, KOELN_DEPUTY.aadObjectId, NEW_KOELN_IB, '"owes"', '"cardsTo"', '"participants"', '"requesterCard"', '"botId"']) {
      expect(requester.text).not.toContain(absent);
    }

    // The administrator's own directory edit: where, what, when, which fields; not the people in it.
    const admin = await myData(ADMIN);
    expect(admin.data.directoryEdits).toEqual([
      expect.objectContaining({ record: 'directory:authority-koeln', action: 'directory.edit', fields: expect.arrayContaining(['/commissioner/teams/aadObjectId']) }),
    ]);
    for (const absent of [KOELN_IB.aadObjectId, NEW_KOELN_IB, 'Sabine Schmitz', 'Neue IB']) expect(admin.text).not.toContain(absent);
  });

  describe('deleting', () => {
    let pollId: string;
    let meetingId: string;
    let openItem: ItemDoc;

    beforeAll(async () => {
      ok(await app.circle.addGuest(KFI_LEAD.aadObjectId, { aadObjectId: GUEST_STAFF.aadObjectId, name: GUEST_STAFF.name }));
      const poll = ok(await app.circle.createPoll(KFI_LEAD.aadObjectId, {
        tenantId: GUEST_STAFF.tenantId, title: 'Sitzung Januar', durationMinutes: 120, place: 'Arnsberg (Beispiel)', delivery: 'personal',
        slots: [{ date: '2027-01-12', time: '10:00' }, { date: '2027-01-13', time: '14:00' }],
      }));
      pollId = poll.poll.pk;
      ok(await app.circle.answerPoll(GUEST_STAFF.aadObjectId, pollId, { s1: 'yes' }));
      ok(await app.circle.answerPoll(ARNSBERG_IB.aadObjectId, pollId, { s1: 'yes', s2: 'no' }));
      const meeting = ok(await app.circle.announceMeeting(KFI_LEAD.aadObjectId, {
        tenantId: GUEST_STAFF.tenantId, title: 'Sitzung Februar', date: '2027-02-09', startTime: '10:00', endTime: '12:00', place: 'Arnsberg (Beispiel)', rsvpDeadline: '2027-02-02', delivery: 'personal',
      }));
      meetingId = meeting.meeting.pk;
      ok(await app.circle.rsvp(GUEST_STAFF.aadObjectId, meetingId, 'accept'));
      ok(await app.circle.proposeTopic(GUEST_STAFF.aadObjectId, meetingId, { title: 'Mein Thema (Beispiel)' }));
      ok(await app.circle.rsvp(ARNSBERG_IB.aadObjectId, meetingId, 'decline'));
      // One request closed (its retention runs from now), one still open.
      const closed = await submitRequest(GUEST_STAFF, 'muenster', 'Abgeschlossen (Beispiel)', 'Erledigt.');
      await act(closed, 'done', MUENSTER_IB);
      openItem = await submitRequest(GUEST_STAFF, 'muenster', 'Noch offen (Beispiel)', 'Wartet.');
    });

    it('asks first: "Meine Daten löschen" only shows the confirmation card, and "Abbrechen" deletes nothing', async () => {
      const question = await say('Meine Daten löschen', GUEST_STAFF);
      const card = question.activity?.attachments?.[0]?.content;
      expect(verbsOf(card)).toEqual(['privacy.erase.confirm', 'privacy.erase.cancel']);
      expect(json(card)).toContain('Endgültig löschen');
      expect(json(card)).toContain('Abbrechen');
      expect(await profile(GUEST_STAFF.aadObjectId)).toBeDefined();
      expect(await circleDocs(GUEST_STAFF.aadObjectId)).toHaveLength(3);

      const cancelled = await invoke('privacy.erase.cancel', {}, GUEST_STAFF);
      expect(json(cancelled.value)).toContain('Nichts gelöscht');
      expect(verbsOf(cancelled.value)).toEqual([]);
      expect(await profile(GUEST_STAFF.aadObjectId)).toBeDefined();
      expect(await circleDocs(GUEST_STAFF.aadObjectId)).toHaveLength(3);
    });

    it('refuses in a group chat: no card, no deletion', async () => {
      const reply = await say('Meine Daten löschen', GUEST_STAFF, 'groupChat');
      expect(reply.activity?.text).toMatch(/nur im persönlichen Chat/);
      expect(reply.activity?.attachments ?? []).toEqual([]);
      expect((await invoke('privacy.erase.confirm', {}, GUEST_STAFF, 'groupChat')).statusCode).toBe(403);
      expect(await profile(GUEST_STAFF.aadObjectId)).toBeDefined();
      expect(await circleDocs(GUEST_STAFF.aadObjectId)).toHaveLength(3);
    });

    it('deletes the caller’s profile, answers, RSVPs and topics, keeps their requests and says until when; the poll still tallies', async () => {
      // Card data naming someone else changes nothing: the caller is who Teams says clicked.
      const done = await invoke('privacy.erase.confirm', { aadObjectId: ARNSBERG_IB.aadObjectId }, GUEST_STAFF);
      expect(done.statusCode).toBe(200);
      const text = json(done.value);
      expect(text).toContain('Gelöscht: Ihr Profil');
      expect(text).toContain('1 Antwort auf Terminumfragen, 1 Rückmeldung zu Sitzungen, 1 vorgeschlagenes Thema');
      expect(text).toContain('2 Anliegen und Vorträge von Ihnen: 1 noch offen, gelöscht 365 Tage nach dem Abschluss; die übrigen gelöscht bis spätestens 24.11.2027.');
      expect(text).toContain('Ihr Eintrag als Gast des Koordinierungskreises');
      expect(verbsOf(done.value)).toEqual([]);

      expect(await profile(GUEST_STAFF.aadObjectId)).toBeUndefined();
      expect(await circleDocs(GUEST_STAFF.aadObjectId)).toEqual([]);
      expect(await database.store<ItemDoc>(CONTAINERS.items).read('muenster', openItem.id)).toBeDefined();
      // Everyone else's data is untouched.
      expect(await profile(ARNSBERG_IB.aadObjectId)).toBeDefined();
      expect(await circleDocs(ARNSBERG_IB.aadObjectId)).toHaveLength(2);

      // Running workflows go on: the tally counts the answers there are, the RSVP counts too, and the member may answer again.
      const poll = await app.circle.pollView(pollId, undefined);
      expect(poll.tallies.s1).toEqual({ yes: 1, maybe: 0, no: 0 });
      expect(poll.answeredCount).toBe(1);
      const meeting = await app.circle.meetingView(meetingId, undefined);
      expect(meeting.counts).toMatchObject({ accept: 0, decline: 1 });
      expect(meeting.proposed).toEqual([]);

      // Idempotent: a second confirmation deletes nothing and reports the same records kept.
      const again = await invoke('privacy.erase.confirm', {}, GUEST_STAFF);
      expect(json(again.value)).toContain('Es war nichts (mehr) zu löschen.');
      expect(json(again.value)).toContain('2 Anliegen und Vorträge von Ihnen');

      ok(await app.circle.answerPoll(GUEST_STAFF.aadObjectId, pollId, { s2: 'maybe' }));
      expect((await app.circle.pollView(pollId, undefined)).answeredCount).toBe(2);
    });
  });

  it('deletes a profile USER_IDLE_RETENTION_DAYS after the app was uninstalled, and keeps installed users’ (hourly purge)', async () => {
    const leaver = user({ name: 'Lena Weggang' });
    const stayer = user({ name: 'Bleibt Installiert' });
    for (const p of [leaver, stayer]) await app.post(teams.installationUpdate('add', { from: p }));
    await app.post(teams.installationUpdate('remove', { from: leaver }));
    expect((await profile(leaver.aadObjectId))?.expiresAt).toBe(now.getTime() + 365 * DAY);
    expect((await profile(stayer.aadObjectId))?.expiresAt).toBeUndefined();

    const purgeJob = () => database.store<JobDoc>(CONTAINERS.jobs).read(jobIdOf('privacy:purge'), jobIdOf('privacy:purge'));
    const runPurgeAt = async (at: Date) => {
      now = at;
      await app.jobs.runDue();
      // The purge ran at this moment: it is due again an hour later.
      expect((await purgeJob())?.dueAt).toBe(at.getTime() + 60 * 60_000);
    };
    const uninstalledAt = now.getTime();
    await runPurgeAt(new Date(uninstalledAt + 364 * DAY));
    expect(await profile(leaver.aadObjectId)).toBeDefined();
    await runPurgeAt(new Date(uninstalledAt + 366 * DAY));
    expect(await profile(leaver.aadObjectId)).toBeUndefined();
    expect(await profile(stayer.aadObjectId)).toBeDefined();
  });
});
