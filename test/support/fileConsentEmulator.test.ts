import { activityBuilders, fileConsentDecline, personalConversationId, rosterMember, user, DEFAULT_TENANT_ID, type FileUploadInfo, type SentFileConsentCard } from './activities';
import { UPLOAD_FRAGMENT_UNIT, UPLOAD_MAX_REQUEST_BYTES } from './chatFiles';
import { observeInbound, startChannelEmulator, type ChannelEmulator } from './channelEmulator';
import { FILE_CONSENT_CARD, FILE_INFO_CARD } from './teamsRules';

const erika = user({ name: 'Erika Mustermann' });
const jonas = user({ name: 'Jonas Schäfer' });
const BOT = '28:b07c0de0-1a2b-4c3d-8e4f-50617283a4b5';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const erikaChat = personalConversationId(erika.id);
const jonasChat = personalConversationId(jonas.id);

/** Bytes 0, 1, 2, … (mod 251), so a part in the wrong place shows. */
const bytesOf = (length: number): Buffer => Buffer.from(Array.from({ length }, (_, i) => i % 251));

const consentCard = (name = 'Vorlage Sprachkurse.docx', content: Record<string, unknown> = {}) => ({
  contentType: FILE_CONSENT_CARD,
  name,
  content: { description: 'Die Vorlage zum Vortrag (Beispiel)', sizeInBytes: 1_000, acceptContext: { report: 'r-1' }, declineContext: { report: 'r-1' }, ...content },
});

describe('the Teams stand-in: files in the personal chat (bots-filesv4, OneDrive upload sessions)', () => {
  let emulator: ChannelEmulator;
  let teams: ReturnType<typeof activityBuilders>;

  const post = (path: string, body: unknown, method = 'POST') =>
    fetch(`${emulator.serviceUrl}v3/conversations${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const send = (conversationId: string, activity: unknown) => post(`/${encodeURIComponent(conversationId)}/activities`, activity);
  const sendAttachments = (conversationId: string, attachments: unknown[]) => send(conversationId, { type: 'message', attachments });
  const errorsTaken = () => emulator.takeCardErrors().flatMap((e) => e.errors);
  const put = (url: string, bytes: Buffer, range: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'PUT', headers: { 'content-range': range, ...headers }, body: new Uint8Array(bytes) });

  /** The bot asks Erika for consent; Teams shows the card; she accepts: the card and her uploadInfo. */
  async function accepted(name = 'Vorlage Sprachkurse.docx'): Promise<{ card: SentFileConsentCard; info: FileUploadInfo }> {
    expect((await sendAttachments(erikaChat, [consentCard(name)])).status).toBe(201);
    const card = emulator.fileConsentCards(erika.aadObjectId).at(-1)!;
    return { card, info: emulator.prepareUpload(erika.aadObjectId, card) };
  }

  beforeEach(async () => {
    emulator = await startChannelEmulator({ roster: [rosterMember(erika), rosterMember(jonas)] });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    observeInbound(teams.installationUpdate('add', { from: erika }));
    observeInbound(teams.installationUpdate('add', { from: jonas }));
  });
  afterEach(async () => {
    await emulator.close();
  });

  describe('a file the user sends to the bot', () => {
    it('has a pre-authenticated loopback download link with an unguessable token, a GUID and the type from the name', async () => {
      const bytes = bytesOf(5_000);
      const sent = emulator.shareFile(erika, 'Vorlage Sprachkurse.DOCX', bytes);
      expect(sent).toMatchObject({ name: 'Vorlage Sprachkurse.DOCX', fileType: 'docx', uniqueId: expect.stringMatching(GUID) });
      expect(sent.downloadUrl.startsWith(new URL(emulator.serviceUrl).origin + '/personal/')).toBe(true);
      const other = emulator.shareFile(erika.aadObjectId, 'Anlage', bytes, 'pdf');
      expect(other.fileType).toBe('pdf');
      expect(new URL(other.downloadUrl).searchParams.get('tempauth')).not.toBe(new URL(sent.downloadUrl).searchParams.get('tempauth'));
      expect(new URL(sent.downloadUrl).searchParams.get('tempauth')!.length).toBeGreaterThanOrEqual(32);
      expect(() => emulator.shareFile(erika, 'Anlage', bytes)).toThrow(/no extension; pass the fileType/);
      // Teams would deliver it like this: no problem for the inbound file rules.
      observeInbound(teams.fileMessage([sent], { from: erika }));
      expect(errorsTaken()).toEqual([]);

      const response = await fetch(sent.downloadUrl);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(response.headers.get('content-length')).toBe('5000');
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
      expect(emulator.fileDownloads()).toBe(1);
      // File requests are not connector calls.
      expect(emulator.calls).toEqual([]);
    });

    it('answers 401 once the links expired and 404 for an address it never handed out; every GET counts', async () => {
      const sent = emulator.shareFile(erika, 'Vorlage.docx', bytesOf(10));
      expect((await fetch(sent.downloadUrl)).status).toBe(200);
      emulator.expireFileLinks();
      const expired = await fetch(sent.downloadUrl);
      expect(expired.status).toBe(401);
      expect(await expired.json()).toMatchObject({ error: { code: 'unauthenticated' } });
      // A link handed out after the expiry works.
      const later = emulator.shareFile(erika, 'Vorlage 2.docx', bytesOf(10));
      expect((await fetch(later.downloadUrl)).status).toBe(200);
      const forged = new URL(sent.downloadUrl);
      forged.searchParams.set('tempauth', 'guessed-token');
      expect((await fetch(forged)).status).toBe(404);
      expect(emulator.fileDownloads()).toBe(4);
      expect(emulator.fileRequests().map((r) => [r.kind, r.method, r.status])).toEqual([
        ['download', 'GET', 200],
        ['download', 'GET', 401],
        ['download', 'GET', 200],
        ['download', 'GET', 404],
      ]);
    });

    it('fails one download on demand (failNext with operations: fileDownload), and only file requests that name it', async () => {
      const sent = emulator.shareFile(erika, 'Vorlage.docx', bytesOf(10));
      // A fault for all connector operations does not touch the file addresses …
      emulator.failNext(1, { status: 500 });
      expect((await fetch(sent.downloadUrl)).status).toBe(200);
      expect((await sendAttachments(erikaChat, [])).status).toBe(500);
      // … and a fault for downloads does not touch the connector.
      emulator.failNext(1, { status: 503, retryAfterSeconds: 2 }, { operations: ['fileDownload'] });
      expect((await send(erikaChat, { type: 'message', text: 'Hallo' })).status).toBe(201);
      const failed = await fetch(sent.downloadUrl);
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('2');
      expect((await fetch(sent.downloadUrl)).status).toBe(200);
      emulator.failNext(1, { dropConnection: true }, { operations: ['fileDownload'] });
      await expect(fetch(sent.downloadUrl)).rejects.toThrow();
      expect(emulator.fileDownloads()).toBe(4);
    });
  });

  describe('the file consent card', () => {
    it('is taken in the personal chat and recorded with its details, for the chat user; an update replaces it', async () => {
      const sent = await sendAttachments(erikaChat, [consentCard()]);
      expect(sent.status).toBe(201);
      const { id } = (await sent.json()) as { id: string };
      expect(emulator.fileConsentCards(erika.aadObjectId.toUpperCase())).toEqual([
        {
          activityId: id,
          conversationId: erikaChat,
          name: 'Vorlage Sprachkurse.docx',
          sizeInBytes: 1_000,
          description: 'Die Vorlage zum Vortrag (Beispiel)',
          acceptContext: { report: 'r-1' },
          declineContext: { report: 'r-1' },
        },
      ]);
      expect(emulator.fileConsentCards(jonas.aadObjectId)).toEqual([]);
      // A reply without description; an update of the first message with another file.
      expect((await post(`/${encodeURIComponent(erikaChat)}/activities/1714737700000`, { type: 'message', attachments: [consentCard('b.pdf', { description: undefined })] })).status).toBe(201);
      expect((await post(`/${encodeURIComponent(erikaChat)}/activities/${id}`, { type: 'message', attachments: [consentCard('c.pdf', { sizeInBytes: 7 })] }, 'PUT')).status).toBe(200);
      expect(emulator.fileConsentCards(erika.aadObjectId).map((c) => [c.name, c.sizeInBytes, c.description])).toEqual([
        ['b.pdf', 1_000, undefined],
        ['c.pdf', 7, 'Die Vorlage zum Vortrag (Beispiel)'],
      ]);
    });

    it('is taken in a personal chat the bot opens with it (createConversation)', async () => {
      const created = await post('', {
        bot: { id: BOT },
        members: [{ id: jonas.aadObjectId }],
        tenantId: DEFAULT_TENANT_ID,
        channelData: { tenant: { id: DEFAULT_TENANT_ID } },
        isGroup: false,
        activity: { type: 'message', attachments: [consentCard('Vorlage.docx')] },
      });
      expect(created.status).toBe(201);
      const body = (await created.json()) as { id: string; activityId: string };
      expect(emulator.fileConsentCards(jonas.aadObjectId)).toEqual([expect.objectContaining({ activityId: body.activityId, conversationId: body.id, name: 'Vorlage.docx' })]);
    });

    it('is refused (400, a card error) in a group chat and in a channel, in a new channel thread too', async () => {
      const inGroup = teams.message('hallo', { from: erika, scope: 'groupChat' });
      const inChannel = teams.message('hallo', { from: erika, scope: 'channel' });
      observeInbound(inGroup);
      observeInbound(inChannel);
      const group = await sendAttachments(inGroup.conversation.id, [consentCard()]);
      expect(group.status).toBe(400);
      expect(((await group.json()) as { error: { message: string } }).error.message).toMatch(/groupChat conversation: Teams' bot file APIs work in the personal chat only/);
      expect((await sendAttachments(inChannel.conversation.id, [consentCard()])).status).toBe(400);
      const thread = await post('', {
        isGroup: true,
        bot: { id: BOT },
        tenantId: DEFAULT_TENANT_ID,
        channelData: { tenant: { id: DEFAULT_TENANT_ID }, channel: { id: inChannel.channelData.teamsChannelId } },
        activity: { type: 'message', attachments: [consentCard()] },
      });
      expect(thread.status).toBe(400);
      expect(errorsTaken()).toEqual([
        expect.stringMatching(/in a groupChat conversation/),
        expect.stringMatching(/in a channel conversation/),
        expect.stringMatching(/in a channel conversation/),
      ]);
      expect(emulator.fileConsentCards(erika.aadObjectId)).toEqual([]);
      expect(emulator.visibleActivities(inGroup.conversation.id)).toEqual([]);
    });

    it.each([
      ['without sizeInBytes', consentCard('a.docx', { sizeInBytes: undefined }), /content.sizeInBytes, a positive whole number of bytes \(got undefined\)/],
      ['with sizeInBytes 0', consentCard('a.docx', { sizeInBytes: 0 }), /content.sizeInBytes/],
      ['with a fractional size', consentCard('a.docx', { sizeInBytes: 1.5 }), /content.sizeInBytes/],
      ['with the size as text', consentCard('a.docx', { sizeInBytes: '1000' }), /content.sizeInBytes/],
      ['without a file name', consentCard(''), /without the file name/],
      ['without acceptContext', consentCard('a.docx', { acceptContext: undefined }), /needs content.acceptContext/],
      ['with declineContext not an object', consentCard('a.docx', { declineContext: 'nein' }), /needs content.declineContext/],
      ['with a description that is not text', consentCard('a.docx', { description: 42 }), /description is not text/],
      ['without content', { contentType: FILE_CONSENT_CARD, name: 'a.docx' }, /without content/],
    ])('is refused in the personal chat %s', async (_case, attachment, problem) => {
      expect((await sendAttachments(erikaChat, [attachment])).status).toBe(400);
      expect(errorsTaken()).toEqual([expect.stringMatching(problem)]);
      expect(emulator.fileConsentCards(erika.aadObjectId)).toEqual([]);
    });

    it('is refused together with another attachment, and when the manifest does not set supportsFiles', async () => {
      const text = { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Hallo' }] } };
      expect((await sendAttachments(erikaChat, [consentCard(), text])).status).toBe(400);
      expect(errorsTaken()).toEqual([expect.stringMatching(/must be the message's only attachment \(got 2 attachments\)/)]);
      await emulator.close();
      emulator = await startChannelEmulator({ roster: [rosterMember(erika)], supportsFiles: false });
      observeInbound(activityBuilders({ serviceUrl: emulator.serviceUrl }).installationUpdate('add', { from: erika }));
      expect((await sendAttachments(erikaChat, [consentCard()])).status).toBe(400);
      expect(errorsTaken()).toEqual(['a file consent card, but the app manifest does not set supportsFiles: true']);
    });
  });

  describe("the user's answer", () => {
    it('accept: an invoke fileConsent/invoke replying to the card, with its acceptContext and the uploadInfo of a session in her OneDrive', async () => {
      const { card, info } = await accepted();
      expect(info).toEqual({
        name: 'Vorlage Sprachkurse.docx',
        uploadUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/personal\/erika_mustermann_bezreg_example\/_api\/v2\.0\/.*tempauth=/),
        contentUrl: `${new URL(emulator.serviceUrl).origin}/personal/erika_mustermann_bezreg_example/Documents/Microsoft%20Teams%20Chat%20Files/Vorlage%20Sprachkurse.docx`,
        uniqueId: expect.stringMatching(GUID),
        fileType: 'docx',
      });
      const invoke = teams.fileConsentAccept(card, info, { from: erika });
      expect(invoke).toMatchObject({
        type: 'invoke',
        name: 'fileConsent/invoke',
        replyToId: card.activityId,
        conversation: { id: erikaChat, conversationType: 'personal' },
        from: { id: erika.id, aadObjectId: erika.aadObjectId },
        value: { type: 'fileUpload', action: 'accept', context: { report: 'r-1' }, uploadInfo: info },
      });
      observeInbound(invoke);
      expect(errorsTaken()).toEqual([]);
    });

    it('decline: the declineContext and no uploadInfo', () => {
      const card: SentFileConsentCard = { activityId: '1', conversationId: erikaChat, name: 'a.docx', sizeInBytes: 1, acceptContext: { a: 1 }, declineContext: { d: 1 } };
      const invoke = fileConsentDecline(card, { from: erika, serviceUrl: emulator.serviceUrl });
      expect(invoke).toMatchObject({ type: 'invoke', name: 'fileConsent/invoke', replyToId: '1', value: { type: 'fileUpload', action: 'decline', context: { d: 1 } } });
      expect((invoke.value as Record<string, unknown>).uploadInfo).toBeUndefined();
    });

    it('Teams sends no answer for a card it never showed, a deleted card, or with an upload session it did not open', async () => {
      const { card, info } = await accepted();
      observeInbound(teams.fileConsentDecline(card, { from: erika }));
      expect(errorsTaken()).toEqual([]);
      observeInbound(teams.fileConsentAccept({ ...card, activityId: '42' }, info, { from: erika }));
      observeInbound(teams.fileConsentAccept(card, { ...info, uploadUrl: info.uploadUrl.replace(/tempauth=.*/, 'tempauth=x') }, { from: erika }));
      observeInbound(teams.fileConsentAccept({ ...card, acceptContext: { report: 'r-2' } }, info, { from: erika }));
      expect(errorsTaken()).toEqual([
        expect.stringMatching(/for 42, which is no file consent card shown in this chat/),
        expect.stringMatching(/uploadInfo is not an upload session open in the user's OneDrive/),
        expect.stringMatching(/context is not the card's acceptContext/),
      ]);
      expect((await post(`/${encodeURIComponent(erikaChat)}/activities/${card.activityId}`, undefined, 'DELETE')).status).toBe(200);
      observeInbound(teams.fileConsentAccept(card, info, { from: erika }));
      expect(errorsTaken()).toEqual([expect.stringMatching(/no file consent card shown in this chat/)]);
      // prepareUpload only for a card sent to that user.
      expect(() => emulator.prepareUpload(jonas.aadObjectId, card)).toThrow(/sent no file consent card/);
    });

    it("renames like OneDrive when her chat files folder has the name already, or takes the name Teams chose", async () => {
      const first = await accepted('Vorlage.docx');
      const second = emulator.prepareUpload(erika.aadObjectId, first.card);
      const third = emulator.prepareUpload(erika.aadObjectId, first.card);
      expect([first.info.name, second.name, third.name]).toEqual(['Vorlage.docx', 'Vorlage 1.docx', 'Vorlage 2.docx']);
      expect(second.contentUrl).toMatch(/Vorlage%201\.docx$/);
      expect(emulator.prepareUpload(erika.aadObjectId, first.card, { name: 'Vorlage (Kopie).docx' }).name).toBe('Vorlage (Kopie).docx');
      expect(new Set([first.info.uniqueId, second.uniqueId, third.uniqueId]).size).toBe(3);
    });
  });

  describe('the upload session (OneDrive: upload bytes to the upload session)', () => {
    it('takes the whole file in one PUT without Authorization: 201 with the driveItem', async () => {
      const { info } = await accepted();
      const bytes = bytesOf(1_000);
      const done = await put(info.uploadUrl, bytes, 'bytes 0-999/1000');
      expect(done.status).toBe(201);
      expect(await done.json()).toEqual({ id: info.uniqueId, name: info.name, size: 1_000, webUrl: info.contentUrl, file: {} });
      expect(emulator.uploadedFiles(erika.aadObjectId)).toEqual([{ name: info.name, bytes, contentUrl: info.contentUrl, uniqueId: info.uniqueId }]);
      expect(emulator.uploadedFiles(jonas.aadObjectId)).toEqual([]);
      // The session is gone: another PUT, or one to a session that never was, 404.
      expect((await put(info.uploadUrl, bytes, 'bytes 0-999/1000')).status).toBe(404);
      expect((await put(info.uploadUrl.replace(/tempauth=.*/, 'tempauth=nothing'), bytes, 'bytes 0-999/1000')).status).toBe(404);
      // The file's own address needs the user's sign-in.
      expect((await fetch(info.contentUrl)).status).toBe(401);
    });

    it('takes fragments of 320 KiB in order: 202 with nextExpectedRanges, then 201; GET tells the progress', async () => {
      const { info } = await accepted();
      const unit = UPLOAD_FRAGMENT_UNIT;
      const total = 2 * unit + 1_234;
      const bytes = bytesOf(total);
      const first = await put(info.uploadUrl, bytes.subarray(0, unit), `bytes 0-${unit - 1}/${total}`);
      expect(first.status).toBe(202);
      expect(await first.json()).toMatchObject({ nextExpectedRanges: [`${unit}-`] });
      expect(await (await fetch(info.uploadUrl)).json()).toMatchObject({ nextExpectedRanges: [`${unit}-`] });
      expect((await put(info.uploadUrl, bytes.subarray(unit, 2 * unit), `bytes ${unit}-${2 * unit - 1}/${total}`)).status).toBe(202);
      expect(emulator.uploadedFiles(erika.aadObjectId)).toEqual([]);
      const last = await put(info.uploadUrl, bytes.subarray(2 * unit), `bytes ${2 * unit}-${total - 1}/${total}`);
      expect(last.status).toBe(201);
      expect(await last.json()).toMatchObject({ size: total });
      expect(emulator.uploadedFiles(erika.aadObjectId)[0].bytes.equals(bytes)).toBe(true);
    });

    it('refuses wrong fragments and keeps the session where it was: sizes, order, totals, headers', async () => {
      const { info } = await accepted();
      const unit = UPLOAD_FRAGMENT_UNIT;
      const total = 3 * unit;
      const bytes = bytesOf(total);
      const refused = async (status: number, body: Buffer, range: string | undefined, headers: Record<string, string> = {}) => {
        const response = await fetch(info.uploadUrl, { method: 'PUT', headers: { ...(range ? { 'content-range': range } : {}), ...headers }, body: new Uint8Array(body) });
        expect({ range, status: response.status }).toEqual({ range, status });
        return (await response.json()) as { error: { message: string }; nextExpectedRanges?: string[] };
      };
      // Not the last fragment and not a multiple of 320 KiB.
      expect((await refused(400, bytes.subarray(0, 100_000), `bytes 0-99999/${total}`)).error.message).toMatch(/multiple of 320 KiB/);
      // The range does not match what the request carries.
      expect((await refused(400, bytes.subarray(0, unit), `bytes 0-${unit}/${total}`)).error.message).toMatch(/declares 327681 bytes.*carries 327680/);
      // No range, a malformed one, one beyond the file, one with an unknown total.
      await refused(400, bytes.subarray(0, unit), undefined);
      await refused(400, bytes.subarray(0, unit), `bytes=0-${unit - 1}`);
      await refused(400, bytes.subarray(0, unit), `bytes ${total}-${total + unit - 1}/${total}`);
      await refused(400, bytes.subarray(0, unit), `bytes 0-${unit - 1}/*`);
      // With an Authorization header (the upload URL is pre-authenticated; OneDrive may answer 401).
      await refused(401, bytes.subarray(0, unit), `bytes 0-${unit - 1}/${total}`, { authorization: 'Bearer bot-token' });
      // A fragment out of order: 416 with where to go on.
      expect((await refused(416, bytes.subarray(unit, 2 * unit), `bytes ${unit}-${2 * unit - 1}/${total}`)).nextExpectedRanges).toEqual(['0-']);
      expect((await put(info.uploadUrl, bytes.subarray(0, unit), `bytes 0-${unit - 1}/${total}`)).status).toBe(202);
      // A fragment already received: 416; a different total size: 400.
      expect((await refused(416, bytes.subarray(0, unit), `bytes 0-${unit - 1}/${total}`)).nextExpectedRanges).toEqual([`${unit}-`]);
      expect((await refused(400, bytes.subarray(unit, 2 * unit), `bytes ${unit}-${2 * unit - 1}/${total + 1}`)).error.message).toMatch(/total size was 983040, this range declares 983041/);
      // Without Content-Length (a streamed body): 411.
      const streamed = await fetch(info.uploadUrl, {
        method: 'PUT',
        headers: { 'content-range': `bytes ${unit}-${2 * unit - 1}/${total}` },
        body: new Blob([new Uint8Array(bytes.subarray(unit, 2 * unit))]).stream(),
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(411);
      // Nothing of that was kept: the rest in order completes the file with the right bytes.
      expect((await put(info.uploadUrl, bytes.subarray(unit), `bytes ${unit}-${total - 1}/${total}`)).status).toBe(201);
      expect(emulator.uploadedFiles(erika.aadObjectId)[0].bytes.equals(bytes)).toBe(true);
      expect(emulator.fileRequests().filter((r) => r.kind === 'upload').map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 401, 416, 202, 416, 400, 411, 201]);
    });

    it('refuses a request of 60 MiB or more with 413 (OneDrive: less than 60 MiB per request)', async () => {
      const { info } = await accepted('Gross.pdf');
      const total = UPLOAD_MAX_REQUEST_BYTES + UPLOAD_FRAGMENT_UNIT;
      const big = Buffer.alloc(UPLOAD_MAX_REQUEST_BYTES);
      expect((await put(info.uploadUrl, big, `bytes 0-${UPLOAD_MAX_REQUEST_BYTES - 1}/${total}`)).status).toBe(413);
      const below = UPLOAD_MAX_REQUEST_BYTES - UPLOAD_FRAGMENT_UNIT;
      expect((await put(info.uploadUrl, big.subarray(0, below), `bytes 0-${below - 1}/${total}`)).status).toBe(202);
    });

    it('fails one PUT on demand (failNext with operations: fileUpload) and ignores its bytes; DELETE cancels the session', async () => {
      const { info } = await accepted();
      const bytes = bytesOf(100);
      emulator.failNext(1, { status: 503 }, { operations: ['fileUpload'] });
      expect((await put(info.uploadUrl, bytes, 'bytes 0-99/100')).status).toBe(503);
      expect(emulator.uploadedFiles(erika.aadObjectId)).toEqual([]);
      expect((await put(info.uploadUrl, bytes, 'bytes 0-99/100')).status).toBe(201);
      const other = emulator.prepareUpload(erika.aadObjectId, emulator.fileConsentCards(erika.aadObjectId)[0]);
      expect((await fetch(other.uploadUrl, { method: 'DELETE' })).status).toBe(204);
      expect((await put(other.uploadUrl, bytes, 'bytes 0-99/100')).status).toBe(404);
    });
  });

  describe('the file info card after an upload', () => {
    async function uploaded(): Promise<FileUploadInfo> {
      const { info } = await accepted();
      expect((await put(info.uploadUrl, bytesOf(10), 'bytes 0-9/10')).status).toBe(201);
      return info;
    }
    const infoCard = (info: FileUploadInfo, change: { contentUrl?: string; name?: string; uniqueId?: string; fileType?: string } = {}) => ({
      contentType: FILE_INFO_CARD,
      contentUrl: change.contentUrl ?? info.contentUrl,
      name: change.name ?? info.name,
      content: { uniqueId: change.uniqueId ?? info.uniqueId, fileType: change.fileType ?? info.fileType },
    });

    it('is taken in her personal chat with the upload contentUrl, name, uniqueId and fileType', async () => {
      const info = await uploaded();
      expect((await sendAttachments(erikaChat, [infoCard(info)])).status).toBe(201);
      expect(errorsTaken()).toEqual([]);
    });

    it('is refused (400, a card error) with a wrong contentUrl, name, uniqueId or type, before the upload finished, elsewhere', async () => {
      const info = await uploaded();
      const cases: Array<[string, unknown, RegExp]> = [
        [erikaChat, infoCard(info, { contentUrl: info.contentUrl.replace('Vorlage', 'Andere') }), /contentUrl is not a file the bot uploaded/],
        [erikaChat, infoCard(info, { name: 'Andere.docx' }), /named "Andere.docx" for the uploaded file/],
        [erikaChat, infoCard(info, { uniqueId: '00000000-0000-4000-8000-000000000000' }), /content.uniqueId is not the upload's uniqueId/],
        [erikaChat, infoCard(info, { fileType: 'pdf' }), /content.fileType "pdf" is not the upload's "docx"/],
        [jonasChat, infoCard(info), /a file in another user's OneDrive/],
      ];
      for (const [conversation, card, problem] of cases) {
        expect((await sendAttachments(conversation, [card])).status).toBe(400);
        expect(errorsTaken()).toEqual([expect.stringMatching(problem)]);
      }
      const open = emulator.prepareUpload(erika.aadObjectId, emulator.fileConsentCards(erika.aadObjectId)[0]);
      expect((await sendAttachments(erikaChat, [infoCard(open)])).status).toBe(400);
      expect(errorsTaken()).toEqual([expect.stringMatching(/not a file the bot uploaded/)]);
      const inGroup = teams.message('hallo', { from: erika, scope: 'groupChat' });
      observeInbound(inGroup);
      expect((await sendAttachments(inGroup.conversation.id, [infoCard(info)])).status).toBe(400);
      expect(errorsTaken()).toEqual([expect.stringMatching(/file info card in a groupChat conversation/)]);
    });
  });
});
