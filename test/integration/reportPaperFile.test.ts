import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, type SentFile, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';
import { KOELN_IB, KOELN_IB_EN, KOELN_HEAD, KOELN_HEAD_EN, KOELN_OFFICE, STAFF, STAFF_EN } from '../support/demoPeople';

type InvokeBody = { statusCode: number; type: string; value: any };
const json = (v: unknown) => JSON.stringify(v);

describe('Schriftlich vorlegen with a file sent in the personal chat (issue 17)', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  const now = new Date('2026-12-01T09:00:00Z');
  const read = async (id: string) => (await database.store<ItemDoc>(CONTAINERS.items).read('koeln', id))!;
  /** A file the sender put into the personal chat: in their OneDrive, with a pre-authorised download link the emulator serves. */
  const file = (name: string, fileType = 'docx', owner: TeamsUser = KOELN_IB): SentFile =>
    emulator.shareFile(owner, name, Buffer.from(`Inhalt von ${name} (Beispiel)`), fileType);
  /** The secret part of a file's download link. */
  const tokenOf = (sent: SentFile) => new URL(sent.downloadUrl).searchParams.get('tempauth')!;

  async function invoke(verb: string, data: Record<string, unknown>, from: TeamsUser): Promise<InvokeBody> {
    const res = await app.post(teams.cardAction(verb, data, { from }));
    expect(res.status).toBe((res.body as InvokeBody).statusCode);
    return res.body as InvokeBody;
  }
  /** What the bot answered in the personal chat to a file sent by `from`. */
  async function send(files: SentFile[], from: TeamsUser) {
    const activity = teams.fileMessage(files, { from });
    expect((await app.post(activity)).status).toBeLessThan(300);
    return (await emulator.waitFor((c) => c.operation === 'reply' && c.activity?.replyToId === activity.id)).activity!;
  }
  const cardOf = (activity: { attachments?: Array<{ content?: any }> }) => activity.attachments?.[0]?.content;
  const executeOf = (card: any) => card.actions.find((a: any) => a.verb === 'report.handInFile');
  /** A Vortrag the head asked to have in writing. */
  async function waitingForPaper(subject: string): Promise<ItemDoc> {
    const body = await invoke('report.submit', { subject, summary: 'Vorschlag (Beispiel).', urgency: 'normal' }, KOELN_IB);
    expect(body.statusCode).toBe(200);
    const report = await read(body.value.refresh.action.data.id as string);
    expect((await invoke('report.inWriting', { id: report.id, authority: 'koeln', rev: report.rev, note: 'Bitte zwei Seiten (Beispiel).' }, KOELN_HEAD)).statusCode).toBe(200);
    await app.delivery.relay.whenIdle();
    const waiting = await read(report.id);
    expect(waiting.status).toBe('schriftlich');
    return waiting;
  }
  /** Takes every Vortrag of Köln still waiting for a paper out of the way (the head takes note), so each test starts clean. */
  async function noneWaiting(): Promise<void> {
    const all = await database.store<ItemDoc>(CONTAINERS.items).query({ query: 'SELECT * FROM c WHERE c.pk = "koeln" AND c.status = "schriftlich"' });
    for (const r of all) {
      const done = await invoke('report.handIn', { id: r.id, authority: 'koeln', rev: r.rev, paper: 'Erledigt (Beispiel).' }, KOELN_IB);
      expect(done.statusCode).toBe(200);
    }
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'report-paper-file-test' });
    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [STAFF, KOELN_IB, KOELN_HEAD, KOELN_OFFICE]) await app.post(teams.installationUpdate('add', { from: p }));
  });
  afterEach(() => noneWaiting());
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  it('asks the IB „Als Vorlage zu … einreichen?“, records name and type only, tells head and office, who decide again', async () => {
    const report = await waitingForPaper('Mehrsprachige Bescheide (Beispiel)');
    const sent = file('Vorlage Mehrsprachige Bescheide.docx');
    const card = cardOf(await send([sent], KOELN_IB));
    expect(json(card)).toContain('Als Vorlage zu „Mehrsprachige Bescheide (Beispiel)“ einreichen?');
    expect(json(card)).toContain('Vorlage Mehrsprachige Bescheide.docx');
    // The download address is not on the card (nor anywhere the bot keeps).
    expect(json(card)).not.toContain(tokenOf(sent));
    const confirm = executeOf(card);
    expect(confirm.title).toBe('Als Vorlage einreichen');
    // The office (which decides in Köln) and staff cannot hand it in for the IB; nothing changes.
    expect((await invoke('report.handInFile', confirm.data, KOELN_OFFICE)).statusCode).toBe(403);
    expect((await invoke('report.handInFile', confirm.data, STAFF)).statusCode).toBe(403);
    expect(await read(report.id)).toMatchObject({ status: 'schriftlich', rev: report.rev });
    const done = await invoke('report.handInFile', confirm.data, KOELN_IB);
    expect(done.statusCode).toBe(200);
    await app.delivery.relay.whenIdle();
    const stored = await read(report.id);
    expect(stored).toMatchObject({ status: 'vorgelegt', messages: [{ kind: 'vorlage', text: '', file: { name: 'Vorlage Mehrsprachige Bescheide.docx', fileType: 'docx', id: confirm.data.file } }] });
    expect(json(stored)).not.toContain(tokenOf(sent));
    expect(json(stored)).not.toContain(sent.uniqueId);
    // "Meine Daten" of the IB names the file among their own messages.
    const mine = await app.requests.myData(KOELN_IB.aadObjectId);
    expect(mine.created.find((c) => c.id === report.id)?.messages).toEqual([{ at: now.toISOString(), kind: 'vorlage', text: '', file: 'Vorlage Mehrsprachige Bescheide.docx' }]);
    for (const who of [KOELN_HEAD, KOELN_OFFICE]) expect(await app.delivery.outbox.status(`item:${report.id}:r${stored.rev}:handed-in:${who.aadObjectId}`)).toBeDefined();
    const head = await invoke('request.refresh', { id: report.id, authority: 'koeln' }, KOELN_HEAD);
    expect(json(head.value)).toContain('Datei: Vorlage Mehrsprachige Bescheide.docx (in Teams an Behördenleitung und Büro gesandt)');
    expect(json(head.value)).toContain('report.noted');
    // The IB's confirmation card clicked again: the Vortrag moved on, nothing handed in twice.
    const again = await invoke('report.handInFile', confirm.data, KOELN_IB);
    expect(again.statusCode).toBe(200);
    expect((await read(report.id)).messages.filter((m) => m.kind === 'vorlage')).toHaveLength(1);
  });

  it('refuses politely: a file from staff, from the IB with no Vortrag waiting, two files at once; a forged choice; a file name with personal data', async () => {
    expect((await send([file('Antrag.pdf', 'pdf', STAFF)], STAFF)).text).toBe(
      'Dateien nimmt der Lotse nur als schriftliche Vorlage zu einem Vortrag an, und nur von der oder dem Integrationsbeauftragten oder der Vertretung. Es wurde nichts gespeichert.',
    );
    expect((await send([file('Vorlage.docx')], KOELN_IB)).text).toBe('Kein Vortrag wartet gerade auf eine schriftliche Vorlage von Ihnen. Die Datei wurde nicht übernommen; es wurde nichts gespeichert.');
    const report = await waitingForPaper('Sprachkurse (Beispiel)');
    expect((await send([file('Teil 1.docx'), file('Teil 2.docx')], KOELN_IB)).text).toBe('Bitte senden Sie eine Datei je Nachricht. Es wurde nichts gespeichert.');
    const forged = await invoke('report.handInFile', { report: 'koeln|vtr-x|1 OR 1=1', name: 'a.docx', fileType: 'docx' }, KOELN_IB);
    expect(forged.statusCode).toBe(400);
    expect(json(forged.value)).toContain('Diese Aktion konnte nicht ausgeführt werden');
    const clean = executeOf(cardOf(await send([file('Vorlage.docx')], KOELN_IB)));
    const unknown = await invoke('report.handInFile', { ...clean.data, report: 'koeln|vtr-00000000-0000-4000-8000-000000000000|1' }, KOELN_IB);
    expect(unknown.statusCode).toBe(404);
    const confirm = executeOf(cardOf(await send([file('Vorlage Tel. 0171 2345678.docx')], KOELN_IB)));
    const guarded = await invoke('report.handInFile', confirm.data, KOELN_IB);
    expect(guarded.statusCode).toBe(400);
    // The file with personal data in its name is not kept either: the IB renames it and sends it again.
    expect(await database.store<any>(CONTAINERS.files).read(String(confirm.data.file), 'file')).toBeUndefined();
    expect(await read(report.id)).toMatchObject({ status: 'schriftlich', rev: report.rev });
  });

  it('in English: several Vorträge waiting, the IB chooses one; refusals in English', async () => {
    expect((await send([file('Application.pdf', 'pdf', STAFF_EN)], STAFF_EN)).text).toBe(
      'The Lotse takes files only as the written submission on a report, and only from the integration commissioner or the deputy. Nothing was stored.',
    );
    expect((await send([file('Paper.docx')], KOELN_IB_EN)).text).toBe('No report is waiting for a written submission from you right now. The file was not taken; nothing was stored.');
    const first = await waitingForPaper('Dolmetscherpool (Beispiel)');
    const second = await waitingForPaper('Willkommenstage (Beispiel)');
    expect((await send([file('a.docx'), file('b.docx')], KOELN_IB_EN)).text).toBe('Please send one file per message. Nothing was stored.');
    const card = cardOf(await send([file('Welcome days.pdf', 'pdf')], KOELN_IB_EN));
    expect(json(card)).toContain('Several reports are waiting for your written submission. Which one is this file for?');
    const choice = card.body.find((b: any) => b.type === 'Input.ChoiceSet');
    expect(choice.choices.map((c: any) => c.title)).toEqual(['Dolmetscherpool (Beispiel)', 'Willkommenstage (Beispiel)']);
    const confirm = executeOf(card);
    expect(confirm.title).toBe('Hand in as submission');
    // Teams merges the chosen value (input id `report`) into the action's data.
    const done = await invoke('report.handInFile', { ...confirm.data, report: choice.choices[1].value }, KOELN_IB_EN);
    expect(done.statusCode).toBe(200);
    expect((await read(second.id)).messages).toEqual([expect.objectContaining({ kind: 'vorlage', file: expect.objectContaining({ name: 'Welcome days.pdf', fileType: 'pdf' }) })]);
    expect((await read(first.id)).status).toBe('schriftlich');
    const head = await invoke('request.refresh', { id: second.id, authority: 'koeln' }, KOELN_HEAD_EN);
    expect(json(head.value)).toContain('File: Welcome days.pdf (sent in Teams to the head and the office)');
  });
});
