import type { AuditEntry } from '../../services/audit/auditLog';
import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, user, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { countingDatabase, type StoreCall } from '../support/countingDatabase';
import { startTestApp, type TestApp } from '../support/testApp';

/** Fictitious people of the demo directory. */
const person = (name: string, aad: string, locale = 'de-DE') => user({ name, aadObjectId: aad, locale });
const KOELN_IB = person('Sabine Schmitz (Beispiel)', '00000000-0000-4000-8000-000400000001');
const KOELN_DEPUTY = person('Jan Jedermann (Beispiel)', '00000000-0000-4000-8000-000400000002');
const KOELN_HEAD = person('Frieda Fiktiv (Beispiel)', '00000000-0000-4000-8000-000400000003');
const KOELN_OFFICE = person('Rita Referentin (Beispiel)', '00000000-0000-4000-8000-000400000004');
const MUENSTER_IB = person('Tina Test (Beispiel)', '00000000-0000-4000-8000-000500000001');
const DETMOLD_IB = person('Moritz Muster (Beispiel)', '00000000-0000-4000-8000-000200000001');
const DETMOLD_OFFICE = person('Bernd Büro (Beispiel)', '00000000-0000-4000-8000-000200000004');
const STAFF = user({ name: 'Erika Sachbearbeiterin' });
const OTHER_STAFF = user({ name: 'Otto Kollege' });

type InvokeBody = { statusCode: number; type: string; value: any };
const json = (v: unknown) => JSON.stringify(v);
const cardIdOf = (call: ConnectorCall) => (call.activity?.attachments?.[0]?.content as { refresh: { action: { data: { id: string } } } }).refresh.action.data.id;
const verbsOf = (card: unknown) => [...json(card).matchAll(/"verb":"([^"]+)"/g)].map((m) => m[1]);

describe('Anliegen and Vortrag in Teams', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  // Tuesday, 24 November 2026, 10:00 in Köln; tests move the clock forward.
  let now = new Date('2026-11-24T09:00:00Z');

  const items = () => database.store<ItemDoc>(CONTAINERS.items);
  const read = async (id: string, pk = 'koeln') => (await items().read(pk, id))!;
  // The trail lives in the item, written with the change itself; nothing of it goes to the audit container.
  const trailOf = async (id: string, pk = 'koeln') => {
    const archived = await database.store<AuditEntry>(CONTAINERS.audit).query({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: id }] });
    expect(archived).toEqual([]);
    return (await items().read(pk, id))?.trail ?? [];
  };

  async function invoke(verb: string, data: Record<string, unknown>, from: TeamsUser, extra: { replyToId?: string; id?: string; trigger?: 'manual' | 'automatic' } = {}): Promise<InvokeBody> {
    const res = await app.post(teams.cardAction(verb, data, { from, ...extra }));
    // The HTTP status of an Action.Execute invoke mirrors the invoke response's statusCode.
    expect(res.status).toBe((res.body as InvokeBody).statusCode);
    return res.body as InvokeBody;
  }

  async function say(text: string, from: TeamsUser): Promise<ConnectorCall> {
    emulator.reset();
    expect((await app.post(teams.message(text, { from }))).status).toBe(200);
    // The answer in the chat is a reply; proactive sends of the outbox are other operations.
    return emulator.waitFor((c) => c.operation === 'reply' && c.activity?.recipient !== undefined && (c.activity.recipient as { id?: string }).id === from.id);
  }

  const form = { authority: 'koeln', category: 'beratung', subject: 'Mehrsprachige Bescheide (Beispiel)', description: 'Wie formulieren wir Bescheide verständlich?' };

  async function submitRequest(from = STAFF, fields: Record<string, unknown> = {}, replyToId?: string): Promise<ItemDoc> {
    const body = await invoke('request.submit', { ...form, ...fields }, from, replyToId ? { replyToId } : {});
    expect(body.statusCode).toBe(200);
    const id = body.value.refresh.action.data.id as string;
    // The item's cards and reminder job ride in its write; wait until the relay has handed them over.
    await app.delivery.relay.whenIdle();
    return read(id, String(fields.authority ?? 'koeln'));
  }

  /** One typed verb per action: `request.accept`, `request.ask`, `request.answer`, `request.done`. */
  const act = (item: ItemDoc, action: string, from: TeamsUser, text?: string, extra: { id?: string } = {}) =>
    invoke(`request.${action}`, { id: item.id, authority: item.authority, rev: item.rev, ...(text !== undefined ? { text } : {}) }, from, extra);

  async function registerReport(from = KOELN_IB, fields: Record<string, unknown> = {}, replyToId?: string): Promise<ItemDoc> {
    const body = await invoke('report.submit', { subject: 'Interkulturelle Öffnung im Haus (Beispiel)', summary: 'Vorschlag für eine Fortbildungsreihe.', urgency: 'normal', ...fields }, from, replyToId ? { replyToId } : {});
    expect(body.statusCode).toBe(200);
    return read(body.value.refresh.action.data.id as string, String(fields.authority ?? 'koeln'));
  }

  async function delivered(key: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const status = await app.delivery.outbox.status(key);
      if (status && status.delivered === status.total) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`not delivered: ${key}`);
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'requests-test' });
    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    // Everyone has talked to the bot once, so the outbox knows the tenant's connector endpoint.
    for (const p of [STAFF, OTHER_STAFF, KOELN_IB, KOELN_DEPUTY, KOELN_HEAD, KOELN_OFFICE, MUENSTER_IB, DETMOLD_IB, DETMOLD_OFFICE]) {
      await app.post(teams.installationUpdate('add', { from: p }));
    }
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  describe('Anliegen', () => {
    it('opens the form for "Anliegen", for the answer engine\'s request intent, and for "Anliegen senden" on a contact card: first the kind, then what that kind needs', async () => {
      const typed = await say('Anliegen', STAFF);
      const kind = typed.activity?.attachments?.[0]?.content;
      expect(verbsOf(kind)).toEqual(['request.start']);
      expect(json(kind)).toContain('"id":"category"');
      expect(json(kind)).not.toContain('"id":"subject"');

      const beratung = await invoke('request.start', { authority: '', category: 'beratung' }, STAFF);
      expect(verbsOf(beratung.value)).toEqual(['request.submit']);
      expect(json(beratung.value)).toContain('personenbezogenen Daten Dritter');
      expect(json(beratung.value)).toContain('"id":"subject"');
      expect(json(beratung.value)).not.toContain('"id":"department"');
      // Beteiligung asks for the department, the measure and its planned date, each required with its own sentence.
      const beteiligung = await invoke('request.start', { authority: '', category: 'beteiligung' }, STAFF);
      expect(verbsOf(beteiligung.value)).toEqual(['request.submit']);
      expect(json(beteiligung.value)).toContain('"id":"department","label":"Dezernat","isRequired":true,"errorMessage":"Bitte nennen Sie das Dezernat."');
      expect(json(beteiligung.value)).toContain('"id":"plannedDate"');

      // Authority still unknown (no roster e-mail): the form itself asks, instead of a separate choice card first.
      const unknown = await say('Ich möchte ein Anliegen an die IB senden', STAFF);
      expect(verbsOf(unknown.activity?.attachments?.[0]?.content)).toEqual(['request.start']);
      expect(json((await invoke('request.start', { authority: '', category: 'information' }, STAFF)).value)).toContain('"id":"authority"');

      await invoke('profile.setAuthority', { authority: 'koeln' }, STAFF);
      const asked = await say('Ich möchte ein Anliegen an die IB senden', STAFF);
      expect(json(asked.activity)).toContain('"authority":"koeln"');
      expect(json((await invoke('request.start', { authority: 'koeln', category: 'information' }, STAFF)).value)).toContain('"value":"koeln"');

      const button = await invoke('request.start', { authority: 'muenster' }, STAFF);
      expect(button.statusCode).toBe(200);
      expect(verbsOf(button.value)).toEqual(['request.start']);
      expect(json(button.value)).toContain('"authority":"muenster"');
      const form = await invoke('request.start', { authority: 'muenster', category: 'sonstiges' }, STAFF);
      expect(json(form.value)).toContain('"id":"authority"');
      expect(json(form.value)).toContain('"value":"muenster"');
    });

    it('routes a new request to the Köln IB, who gets a card with their own buttons; the requester sees theirs', async () => {
      emulator.reset();
      const item = await submitRequest();
      expect(item).toMatchObject({ status: 'neu', authority: 'koeln', rev: 1, createdBy: { aadObjectId: STAFF.aadObjectId } });
      await delivered(`item:${item.id}:card:${KOELN_IB.aadObjectId}`);
      const posted = await emulator.waitFor((c) => json(c.activity).includes(item.id));
      expect(verbsOf(posted.activity?.attachments?.[0]?.content)).toEqual(expect.arrayContaining(['request.refresh', 'request.accept', 'request.ask', 'request.answer', 'request.done', 'report.start']));

      const mine = await invoke('request.refresh', { id: item.id, authority: 'koeln' }, STAFF, { trigger: 'automatic' });
      expect(verbsOf(mine.value)).toEqual(['request.refresh', 'request.trail']);
      const ib = await invoke('request.refresh', { id: item.id, authority: 'koeln' }, KOELN_IB, { trigger: 'automatic' });
      expect(verbsOf(ib.value)).toContain('request.accept');
      // Universal Actions refreshes automatically only for users listed by their Teams id (MRI), never by Entra id.
      expect(ib.value.refresh.userIds).toEqual(expect.arrayContaining([KOELN_IB.id, KOELN_DEPUTY.id, STAFF.id]));
      expect(ib.value.refresh.userIds.every((id: string) => id.startsWith('29:'))).toBe(true);
    });

    it('updates the IB\'s own Vortrag card (the form answered in place) when the head decides', async () => {
      const formMessage = await say('Vortrag', KOELN_IB);
      const report = await registerReport(KOELN_IB, { subject: 'Eigene Karte (Beispiel)' }, formMessage.createdActivityId);
      expect(report.requesterCard?.activityId).toBe(formMessage.createdActivityId);
      expect((await invoke('report.noted', { id: report.id, authority: 'koeln', rev: report.rev }, KOELN_HEAD)).statusCode).toBe(200);
      await app.delivery.relay.whenIdle();
      await delivered(`item:${report.id}:requester-card:r2`);
    });

    it('walks through Übernehmen, Rückfrage, the requester\'s answer, Antworten and Erledigt, telling the requester each step', async () => {
      const formMessage = await say('Anliegen', STAFF);
      let item = await submitRequest(STAFF, {}, formMessage.createdActivityId);
      expect(item.requesterCard?.activityId).toBe(formMessage.createdActivityId);
      expect(json((await act(item, 'accept', KOELN_IB)).value)).toContain('Status: In Bearbeitung');
      item = await read(item.id);
      expect(item).toMatchObject({ status: 'in_bearbeitung', handler: { aadObjectId: KOELN_IB.aadObjectId } });
      await delivered(`item:${item.id}:r2:requester`);
      await delivered(`item:${item.id}:requester-card:r2`);

      await act(item, 'ask', KOELN_IB, 'Um welches Dezernat geht es?');
      item = await read(item.id);
      expect(item.status).toBe('rueckfrage');
      const requesterView = await invoke('request.refresh', { id: item.id, authority: 'koeln' }, STAFF, { trigger: 'automatic' });
      expect(verbsOf(requesterView.value)).toContain('request.reply');
      expect(json(requesterView.value)).toContain('Um welches Dezernat geht es?');

      await invoke('request.reply', { id: item.id, authority: 'koeln', rev: item.rev, text: 'Dezernat 21 (Beispiel).' }, STAFF);
      item = await read(item.id);
      expect(item.status).toBe('in_bearbeitung');
      await delivered(`item:${item.id}:r${item.rev}:handler`);

      await act(item, 'answer', KOELN_IB, 'Ich schicke Ihnen unsere Formulierungshilfe.');
      item = await read(item.id);
      await act(item, 'done', KOELN_IB);
      item = await read(item.id);
      expect(item).toMatchObject({ status: 'erledigt', rev: 6 });
      expect(item.messages.map((m) => m.kind)).toEqual(['rueckfrage', 'nachtrag', 'antwort']);
      expect(item.expiresAt).toBe(now.getTime() + 365 * 86_400_000);
      expect(item.ttl).toBe((365 + 7) * 86_400);
      await delivered(`item:${item.id}:r6:requester`);
      await delivered(`item:${item.id}:requester-card:r6`);
      const seen = emulator.visibleActivities(formMessage.conversationId!).find((a) => a.id === formMessage.createdActivityId);
      expect(json(seen)).toContain('Status: Erledigt');
      expect((await trailOf(item.id)).map((e) => e.action).sort()).toEqual(
        ['request.accept', 'request.answer', 'request.ask', 'request.create', 'request.done', 'request.reply'].sort(),
      );

      const list = await say('Meine Anliegen', STAFF);
      expect(json(list.activity)).toContain('Erledigt');
      expect(json(list.activity)).toContain('"verb":"request.open"');
    });

    it('still answers cards posted before the typed verbs ("request.act" with the action in its data), and offers only typed verbs', async () => {
      const item = await submitRequest();
      const body = await invoke('request.act', { id: item.id, authority: 'koeln', rev: 1, action: 'accept' }, KOELN_IB);
      expect(json(body.value)).toContain('Status: In Bearbeitung');
      expect(verbsOf(body.value)).not.toContain('request.act');
      expect(await read(item.id)).toMatchObject({ rev: 2, status: 'in_bearbeitung', handler: { aadObjectId: KOELN_IB.aadObjectId } });
    });

    it('routes a request to the deputy when the commissioner is absent', async () => {
      const setAbsence = await invoke('directory.update', { absenceFrom: '2026-11-24', absenceTo: '2026-11-27', absenceNote: 'Fortbildung (Beispiel)' }, KOELN_IB);
      expect(setAbsence.statusCode).toBe(200);
      try {
        const item = await submitRequest(OTHER_STAFF);
        await delivered(`item:${item.id}:card:${KOELN_DEPUTY.aadObjectId}`);
        expect(await app.delivery.outbox.status(`item:${item.id}:card:${KOELN_IB.aadObjectId}`)).toBeUndefined();
        // The deputy may act on it.
        expect((await act(item, 'accept', KOELN_DEPUTY)).statusCode).toBe(200);
        expect((await read(item.id)).handler?.aadObjectId).toBe(KOELN_DEPUTY.aadObjectId);
      } finally {
        await invoke('directory.update', { clearAbsences: 'true' }, KOELN_IB);
      }
    });

    it.each([
      ['an empty subject', { subject: '   ' }, /"Bitte geben Sie einen Betreff ein\."/],
      ['an oversized description', { description: 'x'.repeat(4001) }, /"Bitte kürzen Sie auf höchstens 4000 Zeichen\."/],
      ['a deadline in the past', { deadline: '2026-11-20' }, /"Das Datum liegt in der Vergangenheit: bitte wählen Sie ein Datum ab heute\."/],
      ['an impossible deadline', { deadline: '2026-02-30' }, /"Bitte wählen Sie ein gültiges Datum\."/],
      ['an unknown category', { category: 'beschwerde' }, /"Bitte wählen Sie eine der angebotenen Möglichkeiten\."/],
      ['an unknown authority', { authority: 'berlin' }, /"Bitte wählen Sie eine der angebotenen Möglichkeiten\."/],
      ['"Beteiligung" without department, measure and date', { category: 'beteiligung' }, /"Bitte nennen Sie das Dezernat\.".*"Bitte nennen Sie die Maßnahme\.".*"Bitte wählen Sie den geplanten Termin\."/],
    ])('refuses %s politely, with the problem at its field, keeps what was typed, and stores nothing', async (_name, fields, message) => {
      const before = (await items().query({ query: 'SELECT * FROM c' })).length;
      const body = await invoke('request.submit', { ...form, subject: 'Behalten (Beispiel)', ...fields }, STAFF);
      expect(body.statusCode).toBe(200);
      // The sentence is a text block right under its input (color Attention), the line on top says to look there.
      expect(json(body.value)).toMatch(message);
      expect(json(body.value)).toMatch(new RegExp(`"text":${message.source.split('.*')[0]},"wrap":true,"color":"Attention"`));
      expect(json(body.value)).toContain('Nichts wurde gesendet: bitte prüfen Sie die markierten Felder.');
      expect(verbsOf(body.value)).toEqual(['request.submit']);
      if (!('subject' in fields)) expect(json(body.value)).toContain('Behalten (Beispiel)');
      expect((await items().query({ query: 'SELECT * FROM c' })).length).toBe(before);
    });

    it('answers in English for an English client', async () => {
      const body = await invoke('request.submit', { ...form, subject: '' }, user({ name: 'Emma English', locale: 'en-GB' }));
      expect(json(body.value)).toContain('Please enter a subject.');
      expect(json(body.value)).toContain('Nothing was sent: please check the marked fields.');
    });

    it('tells an English-speaking requester about changes in English', async () => {
      const emma = user({ name: 'Emma Requester', locale: 'en-GB' });
      await app.post(teams.installationUpdate('add', { from: emma }));
      const item = await submitRequest(emma, { subject: 'Plain language (example)' });
      await act(item, 'accept', KOELN_IB);
      await delivered(`item:${item.id}:r2:requester`);
      const sent = await emulator.waitFor((c) => c.operation === 'send' && (c.activity?.text ?? '').includes('Plain language (example)'));
      expect(sent.activity?.text).toBe('Your request "Plain language (example)": In progress.');
    });

    it('rejects card data far beyond any field limit with a 400 and stores nothing', async () => {
      const before = (await items().query({ query: 'SELECT * FROM c' })).length;
      const body = await invoke('request.submit', { ...form, description: 'x'.repeat(20_001) }, STAFF);
      expect(body.statusCode).toBe(400);
      expect((await items().query({ query: 'SELECT * FROM c' })).length).toBe(before);
    });

    it('refuses empty replies and answers without changing the item', async () => {
      const item = await submitRequest();
      const body = await act(item, 'answer', KOELN_IB, '  ');
      expect(json(body.value)).toContain('Text fehlt');
      expect(await read(item.id)).toMatchObject({ rev: 1, status: 'neu', messages: [] });
    });
  });

  describe('forbidden actions change nothing and are logged', () => {
    it.each([
      ['the requester takes over their own request', STAFF, 'koeln', 403],
      ['another authority\'s IB takes it over', MUENSTER_IB, 'koeln', 403],
      ['a colleague who did not send it', OTHER_STAFF, 'koeln', 403],
      ['the right IB with the item moved to another authority in the payload', KOELN_IB, 'muenster', 404],
    ])('refuses when %s', async (_name, who, authority, status) => {
      const item = await submitRequest();
      const logged = app.logs.lines.filter((l) => l.event === 'requests.refused').length;
      const body = await invoke('request.accept', { id: item.id, authority, rev: item.rev }, who);
      expect(body.statusCode).toBe(status);
      expect(await read(item.id)).toMatchObject({ rev: 1, status: 'neu' });
      expect(app.logs.lines.filter((l) => l.event === 'requests.refused').length).toBe(logged + 1);
      expect(app.logs.raw.join('\n')).not.toContain(form.subject);
    });

    it('refuses a forged reply by someone other than the requester, and a reply when no question is open', async () => {
      const item = await submitRequest();
      await act(item, 'ask', KOELN_IB, 'Rückfrage (Beispiel)');
      const asked = await read(item.id);
      expect((await invoke('request.reply', { id: item.id, authority: 'koeln', rev: asked.rev, text: 'Gefälscht' }, OTHER_STAFF)).statusCode).toBe(403);
      expect((await invoke('request.reply', { id: item.id, authority: 'koeln', rev: asked.rev, text: 'Gefälscht' }, KOELN_IB)).statusCode).toBe(403);
      expect((await read(item.id)).messages).toHaveLength(1);
    });

    it('brings the IB\'s Vortrag form back with the problem at its field and what was typed, storing nothing', async () => {
      const before = (await items().query({ query: 'SELECT * FROM c' })).length;
      const body = await invoke('report.submit', { authority: 'koeln', subject: 'Behalten (Beispiel)', summary: ' ', urgency: 'eilig', proposedDates: 'x'.repeat(301) }, KOELN_IB);
      expect(body.statusCode).toBe(200);
      expect(verbsOf(body.value)).toEqual(['report.submit']);
      expect(json(body.value)).toContain('"text":"Bitte fassen Sie Ihren Vortrag zusammen.","wrap":true,"color":"Attention"');
      expect(json(body.value)).toContain('"text":"Bitte kürzen Sie auf höchstens 300 Zeichen.","wrap":true,"color":"Attention"');
      expect(json(body.value)).toContain('Nichts wurde gesendet: bitte prüfen Sie die markierten Felder.');
      expect(json(body.value)).toContain('Behalten (Beispiel)');
      expect(json(body.value)).toContain('"value":"eilig"');
      expect((await items().query({ query: 'SELECT * FROM c' })).length).toBe(before);
    });

    it('refuses a report to anyone who is not the IB or deputy, and a report carrying another authority\'s request', async () => {
      expect((await invoke('report.submit', { subject: 'X', summary: 'Y' }, STAFF)).statusCode).toBe(403);
      expect((await invoke('report.submit', { authority: 'koeln', subject: 'X', summary: 'Y' }, MUENSTER_IB)).statusCode).toBe(403);
      const koeln = await submitRequest();
      expect((await invoke('report.submit', { authority: 'muenster', subject: 'X', summary: 'Y', linkedRequestId: koeln.id }, MUENSTER_IB)).statusCode).toBe(404);
      expect((await say('Vortrag', STAFF)).activity?.text).toMatch(/Integrationsbeauftragten und ihre Vertretungen/);
      expect((await invoke('report.start', { requestId: koeln.id, authority: 'koeln' }, STAFF)).statusCode).toBe(403);
      expect((await invoke('report.start', { requestId: koeln.id, authority: 'koeln' }, MUENSTER_IB)).statusCode).toBe(403);
    });

    it('shows a report only to the IB, the deputy, the head and the head\'s office (need to know)', async () => {
      const report = await registerReport();
      const ref = { id: report.id, authority: 'koeln' };
      for (const p of [KOELN_IB, KOELN_DEPUTY, KOELN_HEAD, KOELN_OFFICE]) expect((await invoke('request.refresh', ref, p, { trigger: 'automatic' })).statusCode).toBe(200);
      for (const p of [STAFF, MUENSTER_IB, DETMOLD_OFFICE]) expect((await invoke('request.refresh', ref, p, { trigger: 'automatic' })).statusCode).toBe(403);
      for (const p of [STAFF, MUENSTER_IB]) expect((await invoke('request.trail', ref, p)).statusCode).toBe(403);
      expect(json((await say('Vorträge', KOELN_OFFICE)).activity)).toContain(report.id);
      expect(json((await say('Vorträge', MUENSTER_IB)).activity)).not.toContain(report.id);
    });

    it('lets the office decide only where the directory allows it (Köln yes, Detmold no), and the IB never', async () => {
      const detmold = await registerReport(DETMOLD_IB, { authority: 'detmold' });
      const decide = (r: ItemDoc, who: TeamsUser) => invoke('report.noted', { id: r.id, authority: r.authority, rev: r.rev }, who);
      expect((await decide(detmold, DETMOLD_OFFICE)).statusCode).toBe(403);
      expect((await decide(detmold, DETMOLD_IB)).statusCode).toBe(403);
      expect((await read(detmold.id, 'detmold')).status).toBe('eingereicht');
      const koeln = await registerReport();
      expect((await decide(koeln, KOELN_OFFICE)).statusCode).toBe(200);
      expect((await read(koeln.id)).decision).toMatchObject({ kind: 'kenntnis', by: { aadObjectId: KOELN_OFFICE.aadObjectId } });
    });
  });

  describe('races and repeats, 50 rounds each, on an app and a database of their own', () => {
    // Every round notifies the same few people; against Teams' rate limits those messages queue for a while. In an app
    // of their own they hold up no other test's deliveries, and nothing here waits for them.
    const ROUNDS = 50;
    let raceEmulator: ChannelEmulator;
    let raceDatabase: AppDatabase;
    /** The race app's database: counts the 412s and 409s the database answered. */
    let counting: ReturnType<typeof countingDatabase>;
    /** Sees every write the race apps make, when a test listens. */
    let listen: ((call: StoreCall) => void) | undefined;
    let raceApp: TestApp;
    let raceTeams: ReturnType<typeof activityBuilders>;
    const party = (p: TeamsUser) => ({ aadObjectId: p.aadObjectId, tenantId: p.tenantId, name: p.name });
    const stored = async (id: string) => (await raceDatabase.store<ItemDoc>(CONTAINERS.items).read('koeln', id))!;
    const conflicts = (container: string) => counting.contention.byContainer[container]?.preconditionFailed ?? 0;

    async function raceInvoke(verb: string, data: Record<string, unknown>, from: TeamsUser): Promise<InvokeBody> {
      const res = await raceApp.post(raceTeams.cardAction(verb, data, { from }));
      expect(res.status).toBe((res.body as InvokeBody).statusCode);
      return res.body as InvokeBody;
    }

    async function createdRequest(subject: string): Promise<ItemDoc> {
      const outcome = await raceApp.requests.createRequest(party(STAFF), { ...form, subject });
      if (!outcome.ok) throw new Error(`request not created: ${outcome.code}`);
      // Its reminder job is scheduled by the relay, after the write.
      await raceApp.delivery.relay.whenIdle();
      return outcome.value.item;
    }

    beforeAll(async () => {
      raceEmulator = await startChannelEmulator();
      raceDatabase = await openDatabase({ databaseId: 'requests-races' });
      counting = countingDatabase(raceDatabase, { onCall: (call) => listen?.(call) });
      raceApp = await startTestApp({}, { database: counting.database, now: () => now });
      raceTeams = activityBuilders({ serviceUrl: raceEmulator.serviceUrl });
    });
    afterAll(async () => {
      await raceApp.stop();
      await raceDatabase.close();
      await raceEmulator.close();
    });

    it('stores exactly one decision when the head and the office decide at the same moment; the other sees who decided', async () => {
      counting.reset();
      for (let round = 0; round < ROUNDS; round++) {
        const created = await raceApp.requests.createReport(party(KOELN_IB), { subject: `Vortrag ${round} (Beispiel)`, summary: 'Vorschlag (Beispiel).', urgency: 'normal' });
        if (!created.ok) throw new Error(`report not created: ${created.code}`);
        const data = { id: created.value.item.id, authority: 'koeln', rev: created.value.item.rev };
        const [head, office] = await Promise.all([
          raceInvoke('report.proposeMeeting', { ...data, date: '2026-12-01', time: '10:30' }, KOELN_HEAD),
          raceInvoke('report.decline', { ...data, text: 'Nicht jetzt (Beispiel).' }, KOELN_OFFICE),
        ]);
        expect([head.statusCode, office.statusCode]).toEqual([200, 200]);
        const report = await stored(created.value.item.id);
        expect(report.rev).toBe(2);
        expect((report.trail ?? []).filter((e) => e.action === 'report.decide')).toHaveLength(1);
        const loser = report.decision!.by.aadObjectId === KOELN_HEAD.aadObjectId ? office : head;
        expect(json(loser.value)).toContain(`${report.decision!.by.name} hat am`);
      }
      // The two decisions really collided: a write was refused for its stale ETag (412) and decided again.
      expect(conflicts(CONTAINERS.items)).toBeGreaterThan(0);
    });

    it('changes nothing twice on a double click or when Teams delivers the same invoke twice', async () => {
      counting.reset();
      let item: ItemDoc | undefined;
      for (let round = 0; round < ROUNDS; round++) {
        item = await createdRequest(`Doppelklick ${round} (Beispiel)`);
        const activity = raceTeams.cardAction('request.answer', { id: item.id, authority: 'koeln', rev: 1, text: 'Einmal (Beispiel).' }, { from: KOELN_IB });
        const [first, second] = await Promise.all([raceApp.post(activity), raceApp.post(activity)]);
        expect([first.status, second.status]).toEqual([200, 200]);
        const answered = await stored(item.id);
        expect(answered.rev).toBe(2);
        expect(answered.messages).toHaveLength(1);
        expect((answered.trail ?? []).filter((e) => e.action === 'request.answer')).toHaveLength(1);
      }
      expect(conflicts(CONTAINERS.items)).toBeGreaterThan(0);
      // A third click on the same card changes nothing and says so.
      const again = await raceInvoke('request.answer', { id: item!.id, authority: 'koeln', rev: 1, text: 'Einmal (Beispiel).' }, KOELN_IB);
      expect(json(again.value)).toContain('Nichts geändert');
      expect((await stored(item!.id)).rev).toBe(2);
    });

    it('fires each reminder once while two bot processes run the due jobs at the same moment', async () => {
      now = new Date('2026-12-01T09:00:00Z');
      const second = await startTestApp({}, { database: counting.database, now: () => now });
      // Reminders enqueued, per notification key: a job run twice would write its reminder twice (the second a 409).
      const reminderWrites = new Map<string, number>();
      listen = ({ container, op, args }) => {
        const doc = args[0] as { kind?: string; notificationKey?: string };
        if (container === CONTAINERS.outbox && op === 'create' && doc.kind === 'delivery' && doc.notificationKey?.includes(':remind:')) {
          reminderWrites.set(doc.notificationKey, (reminderWrites.get(doc.notificationKey) ?? 0) + 1);
        }
      };
      try {
        const items: ItemDoc[] = [];
        for (let round = 0; round < ROUNDS; round++) items.push(await createdRequest(`Zwei Prozesse ${round} (Beispiel)`));
        now = new Date('2026-12-04T08:00:00Z'); // three working days later: every reminder is due
        counting.reset();
        await Promise.all([raceApp.jobs.runDue(), second.jobs.runDue()]);
        const keys = items.map((item) => `item:${item.id}:r1:remind:${KOELN_IB.aadObjectId}`);
        expect([...reminderWrites.keys()].sort()).toEqual([...keys].sort());
        expect([...reminderWrites.values()].every((writes) => writes === 1)).toBe(true);
        for (const key of keys) expect((await raceApp.delivery.outbox.status(key))?.total).toBe(1);
        // The two runners really competed for the same jobs: claims were refused for a stale ETag (412).
        expect(conflicts(CONTAINERS.jobs)).toBeGreaterThan(0);
      } finally {
        listen = undefined;
        await second.stop();
        now = new Date('2026-11-24T09:00:00Z');
      }
    });
  });

  describe('Vortrag', () => {
    it('turns a request into a linked report, which the head decides; the IB is told and every card updates', async () => {
      const request = await submitRequest();
      const start = await invoke('report.start', { requestId: request.id, authority: 'koeln' }, KOELN_IB);
      expect(json(start.value)).toContain(`"linkedRequestId":"${request.id}"`);
      expect(json(start.value)).toContain(form.subject);

      const report = await registerReport(KOELN_IB, { linkedRequestId: request.id, subject: form.subject });
      expect(report.linked).toEqual([request.id]);
      expect(await read(request.id)).toMatchObject({ status: 'eskaliert', linked: [report.id] });
      await delivered(`item:${report.id}:card:${KOELN_HEAD.aadObjectId}`);
      await delivered(`item:${report.id}:card:${KOELN_OFFICE.aadObjectId}`);

      const headView = await invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_HEAD, { trigger: 'automatic' });
      const DECISIONS = ['report.proposeMeeting', 'report.inWriting', 'report.noted', 'report.decline', 'report.instruct'];
      // Every decision is offered (two as buttons, the rest in the overflow menu: test/unit/requests/itemCard.test.ts).
      expect(verbsOf(headView.value).filter((v) => DECISIONS.includes(v)).sort()).toEqual([...DECISIONS].sort());
      const ibView = await invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_IB, { trigger: 'automatic' });
      expect(verbsOf(ibView.value).filter((v) => v.startsWith('report.'))).toEqual([]);

      expect(json((await invoke('report.proposeMeeting', { id: report.id, authority: 'koeln', rev: 1, date: '2026-12-01' }, KOELN_HEAD)).value)).toContain('Uhrzeit fehlt');
      expect(json((await invoke('report.decline', { id: report.id, authority: 'koeln', rev: 1 }, KOELN_HEAD)).value)).toContain('Text fehlt');
      // Cards posted before the typed verbs name the decision in their data: an unknown one is refused.
      expect(json((await invoke('report.decide', { id: report.id, authority: 'koeln', rev: 1, decision: 'vertagen' }, KOELN_HEAD)).value)).toContain('Entscheidung ist keine');
      expect((await read(report.id)).rev).toBe(1);

      const decided = await invoke('report.instruct', { id: report.id, authority: 'koeln', rev: 1, text: 'Bitte mit Dezernat 21 abstimmen (Beispiel).' }, KOELN_HEAD);
      expect(json(decided.value)).toContain('Weisung erteilt');
      await delivered(`item:${report.id}:r2:commissioner`);
      await delivered(`item:${report.id}:card:${KOELN_OFFICE.aadObjectId}:r2`);
    });
    it('takes each action\'s text from its own input, opens a linked report as a new message, and still reads `text` from older cards', async () => {
      const request = await submitRequest();
      await act(request, 'accept', KOELN_IB);
      let item = await read(request.id);
      await invoke('request.ask', { id: item.id, authority: 'koeln', rev: item.rev, question: 'Welches Dezernat (Beispiel)?' }, KOELN_IB);
      item = await read(request.id);
      expect(item.messages.at(-1)).toMatchObject({ kind: 'rueckfrage', text: 'Welches Dezernat (Beispiel)?' });
      await invoke('request.reply', { id: item.id, authority: 'koeln', rev: item.rev, reply: 'Dezernat 21 (Beispiel).' }, STAFF);
      item = await read(request.id);
      expect(item.messages.at(-1)).toMatchObject({ kind: 'nachtrag', text: 'Dezernat 21 (Beispiel).' });
      await invoke('request.answer', { id: item.id, authority: 'koeln', rev: item.rev, text: 'Antwort aus einer älteren Karte (Beispiel).' }, KOELN_IB);
      expect((await read(request.id)).messages.at(-1)).toMatchObject({ kind: 'antwort', text: 'Antwort aus einer älteren Karte (Beispiel).' });

      const report = await registerReport(KOELN_IB, { linkedRequestId: request.id, subject: 'Vortrag zum Anliegen (Beispiel)' });
      const refused = await invoke('report.decline', { id: report.id, authority: 'koeln', rev: report.rev, reason: '' }, KOELN_HEAD);
      expect(json(refused.value)).toContain('Text fehlt');
      const declined = await invoke('report.decline', { id: report.id, authority: 'koeln', rev: report.rev, reason: 'Bereits geklärt (Beispiel).' }, KOELN_HEAD);
      expect(json(declined.value)).toContain('Status: Abgelehnt');
      expect(await read(report.id)).toMatchObject({ status: 'abgelehnt', decision: { kind: 'ablehnen', text: 'Bereits geklärt (Beispiel).' } });

      // The IB's request card names the report by its subject and opens it as a new message; the card clicked stays the request's.
      const ibCard = await invoke('request.refresh', { id: request.id, authority: 'koeln' }, KOELN_IB, { trigger: 'automatic' });
      expect(json(ibCard.value)).toContain('Vortrag zum Anliegen (Beispiel)');
      expect(json(ibCard.value)).not.toContain(`"value":"${report.id}"`);
      emulator.reset();
      const opened = await invoke('request.open', { id: report.id, authority: 'koeln', within: request.id }, KOELN_IB);
      expect(opened.value.refresh.action.data.id).toBe(request.id);
      const sent = await emulator.waitFor((c) => c.operation === 'reply' && json(c.activity).includes('Status: Abgelehnt'));
      expect(cardIdOf(sent)).toBe(report.id);
      // The requester never gets to the report through their request.
      expect((await invoke('request.open', { id: report.id, authority: 'koeln', within: request.id }, STAFF)).statusCode).not.toBe(200);
    });
  });

  describe('audit, export and "Meine Daten"', () => {
    it('shows the trail on request, exports the authority\'s trail as CSV for the IB only, and neutralises spreadsheet formulas', async () => {
      const item = await submitRequest(STAFF, { subject: '=HYPERLINK("http://example.invalid")' });
      await act(item, 'accept', KOELN_IB);
      emulator.reset();
      const trail = await invoke('request.trail', { id: item.id, authority: 'koeln' }, STAFF);
      expect(trail.statusCode).toBe(200);
      const sent = await emulator.waitFor((c) => c.operation === 'reply' && /Verlauf/.test(c.activity?.text ?? ''));
      // German date and time with "Uhr": "- 04.12.2026, 10:30 Uhr: …".
      expect(sent.activity?.text).toMatch(/- \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr: Erika Sachbearbeiterin: angelegt → Neu/);
      expect(sent.activity?.text).toMatch(/Sabine Schmitz \(Beispiel\): übernommen → In Bearbeitung/);

      const exported = await say('Export', KOELN_IB);
      expect(exported.activity?.text).toContain(item.id);
      expect(exported.activity?.text).toContain(`"'=HYPERLINK(""http://example.invalid"")"`);
      expect(exported.activity?.text).not.toContain('muenster');
      expect((await say('Export', STAFF)).activity?.text).toMatch(/Integrationsbeauftragten und ihre Vertretungen/);
    });

    it('lists the IB\'s open items and refuses the inbox to others', async () => {
      const item = await submitRequest();
      expect(json((await say('Offene Vorgänge', KOELN_DEPUTY)).activity)).toContain(item.id);
      expect(json((await say('Offene Vorgänge', MUENSTER_IB)).activity)).not.toContain(item.id);
      expect((await say('Offene Vorgänge', STAFF)).activity?.text).toMatch(/Integrationsbeauftragten, ihre Vertretungen und das KfI/);
    });

    it('shows a user what is stored about them ("Meine Daten")', async () => {
      const me = user({ name: 'Dora Datenschutz' });
      await submitRequest(me, { subject: 'Meine Frage (Beispiel)' });
      const mine = await say('Meine Daten', me);
      // A summary card by kind (no JSON, no ids); the full file is the tab's download, built by app.myData.
      const card = JSON.stringify(mine.activity?.attachments?.[0]?.content);
      expect(card).toContain('Ihre Anliegen und Vorträge');
      expect(card).toContain('1 insgesamt, davon 1 offen');
      expect(card).not.toContain(me.aadObjectId);
      const file = JSON.stringify(await app.myData(me.aadObjectId), null, 2);
      expect(file).toContain('Meine Frage (Beispiel)');
      expect(file).toContain(me.aadObjectId);
      expect(file).not.toContain(form.subject);
      // Every workflow's part: the profile (how the bot reaches them), requests and the circle.
      expect(file).toContain('"profile": {');
      expect(file).toContain('"circle": {');
    });
  });

  describe('reminders and retention (scheduled in the database)', () => {
    it('reminds the IB after N working days, then the deputy after M, skipping the weekend and Christmas, each once', async () => {
      now = new Date('2026-12-22T09:00:00Z'); // Tuesday
      try {
        const item = await submitRequest();
        const remindKey = `item:${item.id}:r1:remind:${KOELN_IB.aadObjectId}`;
        const escalateKey = `item:${item.id}:r1:escalate:${KOELN_DEPUTY.aadObjectId}`;
        now = new Date('2026-12-27T12:00:00Z'); // Sunday: only 2 working days (23rd, 24th) have passed
        await app.jobs.runDue();
        expect(await app.delivery.outbox.status(remindKey)).toBeUndefined();
        now = new Date('2026-12-28T08:00:00Z'); // Monday: the third working day
        await app.jobs.runDue();
        await app.jobs.runDue();
        expect((await app.delivery.outbox.status(remindKey))?.total).toBe(1);
        expect(await app.delivery.outbox.status(escalateKey)).toBeUndefined();
        now = new Date('2026-12-30T08:00:00Z'); // Wednesday: the fifth working day
        await app.jobs.runDue();
        await delivered(escalateKey);
        await delivered(`item:${item.id}:card:${KOELN_DEPUTY.aadObjectId}`);
        expect((await read(item.id)).escalatedAt).toBeDefined();
      } finally {
        now = new Date('2026-11-24T09:00:00Z');
      }
    });

    it('sends no reminder for a request touched in the meantime, and none while a question to the requester is open', async () => {
      now = new Date('2026-12-01T09:00:00Z');
      try {
        const touched = await submitRequest();
        const waiting = await submitRequest();
        now = new Date('2026-12-02T09:00:00Z');
        await act(touched, 'accept', KOELN_IB);
        await act(waiting, 'ask', KOELN_IB, 'Rückfrage (Beispiel)');
        now = new Date('2026-12-04T08:00:00Z'); // 3 working days after creation, 2 after the touch
        await app.jobs.runDue();
        expect(await app.delivery.outbox.status(`item:${touched.id}:r1:remind:${KOELN_IB.aadObjectId}`)).toBeUndefined();
        expect(await app.delivery.outbox.status(`item:${touched.id}:r2:remind:${KOELN_IB.aadObjectId}`)).toBeUndefined();
        now = new Date('2026-12-07T08:00:00Z'); // 3 working days after the touch
        await app.jobs.runDue();
        expect((await app.delivery.outbox.status(`item:${touched.id}:r2:remind:${KOELN_IB.aadObjectId}`))?.total).toBe(1);
        now = new Date('2026-12-15T08:00:00Z');
        await app.jobs.runDue();
        expect(await app.delivery.outbox.status(`item:${waiting.id}:r2:remind:${KOELN_IB.aadObjectId}`)).toBeUndefined();
      } finally {
        now = new Date('2026-11-24T09:00:00Z');
      }
    });

    it('deletes closed items, their trail and what they sent after the retention period, and keeps open ones', async () => {
      const sentFor = async (id: string) =>
        (
          await database.store<{ id: string; pk: string }>(CONTAINERS.outbox).query<number>({
            query: 'SELECT VALUE COUNT(1) FROM c WHERE STARTSWITH(c.notificationKey, @p) OR STARTSWITH(c.key, @p)',
            parameters: [{ name: '@p', value: `item:${id}:` }],
          })
        )[0];
      const closed = await submitRequest();
      await act(closed, 'done', KOELN_IB);
      const open = await submitRequest();
      expect(await sentFor(closed.id)).toBeGreaterThanOrEqual(2); // the IB's card, the message to the requester
      expect(await sentFor(open.id)).toBeGreaterThanOrEqual(1);
      now = new Date(now.getTime() + 366 * 86_400_000);
      try {
        await app.scheduler.reschedule({ key: 'requests:purge', kind: 'requests.purge', dueAt: now });
        await app.jobs.runDue();
        expect(await items().read('koeln', closed.id)).toBeUndefined();
        expect(await trailOf(closed.id)).toEqual([]);
        expect(await sentFor(closed.id)).toBe(0);
        expect(await items().read('koeln', open.id)).toBeDefined();
        expect(await sentFor(open.id)).toBeGreaterThanOrEqual(1);
      } finally {
        now = new Date('2026-11-24T09:00:00Z');
      }
    });
  });

  it('lists the new commands on the help card, in German and English, each to the roles that can use them', async () => {
    const de = json((await say('Hilfe', STAFF)).activity);
    for (const c of ['Anliegen', 'Meine Anliegen']) expect(de).toContain(`„${c}“`);
    // The IB's commands are the IB's: staff do not see them.
    for (const c of ['Offene Vorgänge', 'Vortrag']) expect(de).not.toContain(`„${c}“`);
    const ib = json((await say('Hilfe', KOELN_IB)).activity);
    for (const c of ['Anliegen', 'Offene Vorgänge', 'Vortrag']) expect(ib).toContain(`„${c}“`);
    const en = json((await say('help', user({ name: 'Emma English', locale: 'en-GB' }))).activity);
    for (const c of ['request', 'my requests']) expect(en).toContain(`\\"${c}\\"`);
    expect(en).not.toContain('\\"open items\\"');
  });
});
