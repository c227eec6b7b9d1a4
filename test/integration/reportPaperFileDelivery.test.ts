import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, personalConversationId, type SentFileConsentCard, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';
import { KOELN_HEAD, KOELN_HEAD_EN, KOELN_IB, KOELN_IB_EN, KOELN_OFFICE, STAFF } from '../support/demoPeople';

type InvokeBody = { statusCode: number; type: string; value: any };
const json = (v: unknown) => JSON.stringify(v);
const MB = 1024 * 1024;

/**
 * Issue 17, "Schriftlich vorlegen" to its end: the file the IB sends in the personal chat reaches the head and the
 * office through Teams' file consent flow (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4).
 * The emulator serves the short-lived download link and the OneDrive upload session, and refuses consent and file
 * info cards Teams would refuse.
 */
describe('the paper as a file, from the IB to head and office (issue 17)', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  const now = new Date('2026-12-01T09:00:00Z');
  const read = async (id: string) => (await database.store<ItemDoc>(CONTAINERS.items).read('koeln', id))!;
  const heldFiles = () => database.store<any>(CONTAINERS.files).query<any>({ query: 'SELECT * FROM c' });
  /** Bytes that differ per file, so a mix-up shows. */
  const bytesOf = (size: number, seed: number) => {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) % 256;
    return bytes;
  };

  async function invoke(verb: string, data: Record<string, unknown>, from: TeamsUser): Promise<InvokeBody> {
    const res = await app.post(teams.cardAction(verb, data, { from }));
    expect(res.status).toBe((res.body as InvokeBody).statusCode);
    return res.body as InvokeBody;
  }
  /** Sends the file in the personal chat; returns the bot's answer (the card, or a text). */
  async function send(from: TeamsUser, name: string, bytes: Buffer) {
    const activity = teams.fileMessage([emulator.shareFile(from, name, bytes)], { from });
    expect((await app.post(activity)).status).toBeLessThan(300);
    return (await emulator.waitFor((c) => c.operation === 'reply' && c.activity?.replyToId === activity.id)).activity!;
  }
  /** The answers the bot gave in the chat to a file consent invoke. */
  async function answer(activity: ReturnType<typeof teams.fileConsentAccept>, replies: number) {
    const res = await app.post(activity);
    expect(res.status).toBe(200);
    return (await emulator.waitForCalls((c) => c.operation === 'reply' && c.activity?.replyToId === activity.id, replies)).map((c) => c.activity!);
  }
  const cardOf = (activity: { attachments?: Array<{ content?: any }> }) => activity.attachments?.[0]?.content;
  /** The button's data as Teams sends it: with several Vorträge waiting, the chosen one (input `report`) merged in. */
  const handInData = (card: any) => {
    const data = card.actions.find((a: any) => a.verb === 'report.handInFile').data;
    const choice = card.body.find((b: any) => b.type === 'Input.ChoiceSet');
    return choice ? { report: choice.value, ...data } : data;
  };
  /** A Vortrag the head asked to have in writing. */
  async function waitingForPaper(subject: string, ib: TeamsUser = KOELN_IB, head: TeamsUser = KOELN_HEAD): Promise<ItemDoc> {
    const body = await invoke('report.submit', { subject, summary: 'Vorschlag (Beispiel).', urgency: 'normal' }, ib);
    expect(body.statusCode).toBe(200);
    const report = await read(body.value.refresh.action.data.id as string);
    expect((await invoke('report.inWriting', { id: report.id, authority: 'koeln', rev: report.rev, note: 'Bitte schriftlich (Beispiel).' }, head)).statusCode).toBe(200);
    await app.delivery.relay.whenIdle();
    return read(report.id);
  }
  /** Hands the file in on the card; waits until the consent cards are out. */
  async function handIn(ib: TeamsUser, name: string, bytes: Buffer): Promise<{ report: ItemDoc; file: string }> {
    const card = cardOf(await send(ib, name, bytes));
    const data = handInData(card);
    const done = await invoke('report.handInFile', data, ib);
    expect(done.statusCode).toBe(200);
    await app.delivery.relay.whenIdle();
    await app.delivery.whenIdle();
    const id = String(data.report).split('|')[1];
    return { report: await read(id), file: String(data.file) };
  }
  const consentFor = (person: TeamsUser, file: string): SentFileConsentCard | undefined =>
    emulator.fileConsentCards(person.aadObjectId).find((c) => (c.acceptContext as { file?: string }).file === file);
  /** Every Vortrag of Köln still waiting for a paper is taken out of the way, so each test starts clean. */
  async function noneWaiting(): Promise<void> {
    const all = await database.store<ItemDoc>(CONTAINERS.items).query({ query: 'SELECT * FROM c WHERE c.pk = "koeln" AND c.status = "schriftlich"' });
    for (const r of all) expect((await invoke('report.handIn', { id: r.id, authority: 'koeln', rev: r.rev, paper: 'Erledigt (Beispiel).' }, KOELN_IB)).statusCode).toBe(200);
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'report-paper-file-delivery-test' });
    app = await startTestApp({ PAPER_FILE_MAX_MB: '5', PAPER_FILE_RETENTION_DAYS: '14' }, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [STAFF, KOELN_IB, KOELN_HEAD, KOELN_OFFICE]) await app.post(teams.installationUpdate('add', { from: p }));
  });
  afterEach(() => noneWaiting());
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  it('head and office each get the file on a consent card; accepted, it lands in their OneDrive; once both answered the Lotse deletes it', async () => {
    await waitingForPaper('Sprachmittlung im Ausländeramt (Beispiel)');
    const bytes = bytesOf(200_000, 1);
    const { report, file } = await handIn(KOELN_IB, 'Vorlage Sprachmittlung.pdf', bytes);
    expect(report.status).toBe('vorgelegt');
    // The item keeps name, type, size and the id under which the file is held; never an address.
    expect(report.messages.at(-1)!.file).toEqual({ name: 'Vorlage Sprachmittlung.pdf', fileType: 'pdf', id: file, size: bytes.length });
    expect(json(report)).not.toContain('token');
    expect((await heldFiles()).filter((d) => d.pk === file)).toHaveLength(2);

    const headCard = consentFor(KOELN_HEAD, file)!;
    const officeCard = consentFor(KOELN_OFFICE, file)!;
    expect(headCard).toMatchObject({ name: 'Vorlage Sprachmittlung.pdf', sizeInBytes: bytes.length });
    expect(headCard.description).toContain('Schriftliche Vorlage zum Vortrag „Sprachmittlung im Ausländeramt (Beispiel)“');
    expect(officeCard).toBeDefined();
    // The IB who handed it in gets none.
    expect(consentFor(KOELN_IB, file)).toBeUndefined();

    const [shown] = await answer(teams.fileConsentAccept(headCard, emulator.prepareUpload(KOELN_HEAD.aadObjectId, headCard), { from: KOELN_HEAD }), 1);
    const uploaded = emulator.uploadedFiles(KOELN_HEAD.aadObjectId).find((u) => u.name.startsWith('Vorlage Sprachmittlung'))!;
    expect(uploaded.bytes.equals(bytes)).toBe(true);
    expect(shown.text).toContain('liegt jetzt in Ihrem OneDrive');
    expect(shown.attachments?.[0]).toMatchObject({ contentType: 'application/vnd.microsoft.teams.card.file.info', contentUrl: uploaded.contentUrl, content: { uniqueId: uploaded.uniqueId } });
    // The office has not answered yet: the file is still held for them.
    expect((await heldFiles()).filter((d) => d.pk === file)).toHaveLength(2);

    const [declined] = await answer(teams.fileConsentDecline(officeCard, { from: KOELN_OFFICE }), 1);
    expect(declined.text).toContain('abgelehnt');
    expect(emulator.uploadedFiles(KOELN_OFFICE.aadObjectId)).toEqual([]);
    expect((await heldFiles()).filter((d) => d.pk === file)).toEqual([]);
    // The IB sees in the Vortrag's trail what came of the file, for whom.
    const trail = teams.cardAction('request.trail', { id: report.id, authority: 'koeln' }, { from: KOELN_IB });
    expect((await app.post(trail)).status).toBe(200);
    const lines = (await emulator.waitFor((c) => c.operation === 'reply' && c.activity?.replyToId === trail.id)).activity!.text!;
    expect(lines).toContain('Frieda Fiktiv (Beispiel): Datei der schriftlichen Vorlage: in OneDrive übernommen');
    expect(lines).toMatch(/: Datei der schriftlichen Vorlage: abgelehnt/);
    expect(emulator.takeCardErrors()).toEqual([]);
  });

  it('in English for people who use Teams in English, in several fragments for a larger file', async () => {
    // The head asked for it in English: the consent card and the answers are English (the language used on the item).
    await waitingForPaper('Multilingual notices (example)', KOELN_IB_EN, KOELN_HEAD_EN);
    const bytes = bytesOf(4 * MB + 17, 2);
    const card = cardOf(await send(KOELN_IB_EN, 'Submission.docx', bytes));
    expect(json(card)).toContain('Hand it in as the written submission on');
    expect(json(card)).toContain('for at most 14 days');
    const data = handInData(card);
    expect((await invoke('report.handInFile', data, KOELN_IB_EN)).statusCode).toBe(200);
    await app.delivery.relay.whenIdle();
    await app.delivery.whenIdle();
    const headCard = consentFor(KOELN_HEAD, String(data.file))!;
    expect(headCard.description).toContain('Written submission on the report "Multilingual notices (example)"');
    const [shown] = await answer(teams.fileConsentAccept(headCard, emulator.prepareUpload(KOELN_HEAD.aadObjectId, headCard), { from: KOELN_HEAD_EN }), 1);
    expect(shown.text).toContain('is now in your OneDrive');
    const uploaded = emulator.uploadedFiles(KOELN_HEAD.aadObjectId).find((u) => u.name.startsWith('Submission'))!;
    expect(uploaded.bytes.equals(bytes)).toBe(true);
    // 4 MB in fragments of 10 × 320 KiB: two PUTs, the first answered 202 (more expected), the last 201.
    const puts = emulator.fileRequests().filter((r) => r.kind === 'upload' && r.bodyBytes > 0).slice(-2);
    expect(puts.map((r) => [r.status, r.contentRange])).toEqual([
      [202, `bytes 0-3276799/${bytes.length}`],
      [201, `bytes 3276800-${bytes.length - 1}/${bytes.length}`],
    ]);
  });

  it('an upload that fails is offered again; the second answer delivers it', async () => {
    await waitingForPaper('Wiederholte Übertragung (Beispiel)');
    const bytes = bytesOf(50_000, 3);
    const { file } = await handIn(KOELN_IB, 'Vorlage Wiederholung.pdf', bytes);
    const first = consentFor(KOELN_HEAD, file)!;
    emulator.failNext(1, { status: 503 }, { operations: ['fileUpload'] });
    const replies = await answer(teams.fileConsentAccept(first, emulator.prepareUpload(KOELN_HEAD.aadObjectId, first), { from: KOELN_HEAD }), 2);
    expect(replies[0].text).toContain('konnte nicht in Ihr OneDrive übertragen werden');
    expect(replies[1].attachments?.[0]?.contentType).toBe('application/vnd.microsoft.teams.card.file.consent');
    const again = emulator.fileConsentCards(KOELN_HEAD.aadObjectId).filter((c) => (c.acceptContext as { file?: string }).file === file).at(-1)!;
    expect(again.activityId).not.toBe(first.activityId);
    await answer(teams.fileConsentAccept(again, emulator.prepareUpload(KOELN_HEAD.aadObjectId, again), { from: KOELN_HEAD }), 1);
    expect(emulator.uploadedFiles(KOELN_HEAD.aadObjectId).find((u) => u.name.startsWith('Vorlage Wiederholung'))!.bytes.equals(bytes)).toBe(true);
  });

  it('refuses politely, storing nothing: an expired link, a file too large, a program instead of a document', async () => {
    await waitingForPaper('Abgelehnte Dateien (Beispiel)');
    const before = (await heldFiles()).length;
    const downloadsBefore = emulator.fileRequests().filter((r) => r.kind === 'download').length;
    // Teams' link lasts minutes: expired before the bot fetched it.
    const shared = emulator.shareFile(KOELN_IB, 'Vorlage.pdf', bytesOf(100, 4));
    emulator.expireFileLinks();
    const activity = teams.fileMessage([shared], { from: KOELN_IB });
    await app.post(activity);
    const expired = (await emulator.waitFor((c) => c.operation === 'reply' && c.activity?.replyToId === activity.id)).activity!;
    expect(expired.text).toContain('nur wenige Minuten');
    expect((await send(KOELN_IB, 'Vorlage groß.pdf', bytesOf(5 * MB + 1, 5))).text).toContain('größer als 5 MB');
    const program = await send(KOELN_IB, 'setup.exe', bytesOf(100, 6));
    expect(program.text).toContain('Dokumente an: PDF, Word');
    expect((await heldFiles()).length).toBe(before);
    // The program was not even fetched.
    expect(emulator.fileRequests().filter((r) => r.kind === 'download').length).toBe(downloadsBefore + 2);
  });

  it('„Meine Daten“ lists a file the Lotse holds; „Meine Daten löschen“ deletes one no Vortrag took, not a handed-in paper', async () => {
    await waitingForPaper('Meine Daten mit Datei (Beispiel)');
    await waitingForPaper('Noch eine Vorlage offen (Beispiel)');
    const firstCardContent = cardOf(await send(KOELN_IB, 'Vorlage eingereicht.pdf', bytesOf(300, 8)));
    const firstCard = handInData(firstCardContent);
    const secondChoice = firstCardContent.body.find((b: any) => b.type === 'Input.ChoiceSet').choices.find((c: any) => c.value !== firstCard.report).value;
    expect((await invoke('report.handInFile', firstCard, KOELN_IB)).statusCode).toBe(200);
    await app.delivery.relay.whenIdle();
    const handedIn = String(firstCard.file);
    const loose = handInData(cardOf(await send(KOELN_IB, 'Vorlage lose.pdf', bytesOf(400, 9)))).file as string;
    // The card of the file handed in, clicked again for the other Vortrag still waiting: one file, one Vortrag.
    const other = await invoke('report.handInFile', { ...firstCard, report: secondChoice }, KOELN_IB);
    expect(other.statusCode).toBe(409);
    expect(json(other.value)).toContain('schon als Vorlage zu einem anderen Vortrag eingereicht');
    const mine = await app.myData(KOELN_IB.aadObjectId);
    expect(mine.paperFiles).toEqual(
      expect.arrayContaining([
        { name: 'Vorlage eingereicht.pdf', fileType: 'pdf', size: 300, receivedAt: now.toISOString(), deleteAfter: '2026-12-15T09:00:00.000Z' },
        { name: 'Vorlage lose.pdf', fileType: 'pdf', size: 400, receivedAt: now.toISOString(), deleteAfter: '2026-12-15T09:00:00.000Z' },
      ]),
    );
    expect((await invoke('privacy.erase.confirm', {}, KOELN_IB)).statusCode).toBe(200);
    const held = new Set((await heldFiles()).map((d) => d.pk));
    expect(held.has(loose)).toBe(false);
    expect(held.has(handedIn)).toBe(true);
    // Reinstalled for the tests that follow (the erasure dropped the profile with its chat reference).
    await app.post(teams.installationUpdate('add', { from: KOELN_IB }));
  });

  it('refuses the card and the consent to anyone else: a file of someone else, a file gone, a consent answer by staff or by the IB', async () => {
    await waitingForPaper('Fremde Datei (Beispiel)');
    const card = cardOf(await send(KOELN_IB, 'Vorlage fremd.pdf', bytesOf(1000, 7)));
    const data = handInData(card);
    // Only who sent the file hands it in (the office is not the IB side; staff neither).
    expect((await invoke('report.handInFile', data, KOELN_OFFICE)).statusCode).toBe(403);
    const gone = await invoke('report.handInFile', { ...data, file: '00000000-0000-4000-8000-00000000dead' }, KOELN_IB);
    expect(gone.statusCode).toBe(404);
    expect(json(gone.value)).toContain('liegt dem Lotsen nicht mehr vor');
    expect((await invoke('report.handInFile', { ...data, file: '../../etc' }, KOELN_IB)).statusCode).toBe(404);
    expect((await invoke('report.handInFile', data, KOELN_IB)).statusCode).toBe(200);
    await app.delivery.relay.whenIdle();
    await app.delivery.whenIdle();
    const headCard = consentFor(KOELN_HEAD, String(data.file))!;
    // Teams sends a consent answer only for a card in the person's own chat; the bot checks anyway, from stored data:
    // an answer carrying the head's card context from someone outside the head side changes nothing.
    for (const someone of [STAFF, KOELN_IB]) {
      const forged = teams.fileConsentDecline(headCard, { from: someone, conversationId: personalConversationId(someone.id) });
      const [text] = await answer(forged, 1);
      expect(text.text).toContain('für die Behördenleitung und ihr Büro bestimmt');
    }
    // The emulator recorded both as answers Teams would never send (no such card in that chat): taken here on purpose.
    const errors = emulator.takeCardErrors();
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(json(e.errors)).toContain('no file consent card shown in this chat');
    expect((await heldFiles()).filter((d) => d.pk === data.file)).toHaveLength(2);
    expect(emulator.uploadedFiles(STAFF.aadObjectId)).toEqual([]);
  });
});
