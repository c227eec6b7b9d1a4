import { activityBuilders, personalConversationId, rosterMember, user, DEFAULT_TENANT_ID } from './activities';
import { observeInbound, startChannelEmulator, type ChannelEmulator } from './channelEmulator';
import { cardProblems, MAX_MESSAGE_BYTES, messageBytes } from './teamsRules';

const erika = user({ name: 'Erika Mustermann' });
const jonas = user({ name: 'Jonas Schäfer' });
const BOT = '28:b07c0de0-1a2b-4c3d-8e4f-50617283a4b5';

describe('the Teams stand-in refuses what Teams refuses', () => {
  let emulator: ChannelEmulator;
  let teams: ReturnType<typeof activityBuilders>;

  beforeEach(async () => {
    emulator = await startChannelEmulator({ installations: 'perUser', roster: [rosterMember(erika), rosterMember(jonas)] });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  });
  afterEach(async () => {
    emulator.takeCardErrors();
    await emulator.close();
  });

  const call = (path: string, body: unknown, method = 'POST') =>
    fetch(`${emulator.serviceUrl}v3/conversations${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const openChat = (memberId: string) =>
    call('', { bot: { id: BOT }, members: [{ id: memberId }], tenantId: DEFAULT_TENANT_ID, channelData: { tenant: { id: DEFAULT_TENANT_ID } }, isGroup: false });
  const send = (conversationId: string, activity: unknown) => call(`/${encodeURIComponent(conversationId)}/activities`, activity);

  it('takes a file sent to the bot only in the personal chat, with the download info Teams gives, and only with supportsFiles', async () => {
    const sent = { name: 'Vorlage.docx', fileType: 'docx', uniqueId: '1b2c3d4e-0000-4000-8000-000000000001', downloadUrl: `${emulator.serviceUrl}files/1` };
    observeInbound(teams.fileMessage([sent], { from: erika }));
    expect(emulator.takeCardErrors()).toEqual([]);
    observeInbound(teams.fileMessage([sent], { from: erika, scope: 'groupChat' }));
    observeInbound(teams.fileMessage([{ ...sent, downloadUrl: '' }], { from: erika }));
    const errors = emulator.takeCardErrors().flatMap((e) => e.errors);
    expect(errors).toEqual([expect.stringMatching(/in a groupChat conversation: Teams delivers files to bots in the personal chat only/), 'a file attachment without content.downloadUrl']);
    const noFiles = await startChannelEmulator({ supportsFiles: false });
    try {
      observeInbound(activityBuilders({ serviceUrl: noFiles.serviceUrl }).fileMessage([sent], { from: erika }));
      expect(noFiles.takeCardErrors().flatMap((e) => e.errors)).toEqual(['a file sent to the bot, but the app manifest does not set supportsFiles: true']);
    } finally {
      await noFiles.close();
    }
  });

  it('opens a personal chat only with a user who installed the app (403 before, 201 after), by 29: id or Entra id', async () => {
    const before = await openChat(erika.aadObjectId);
    expect(before.status).toBe(403);
    observeInbound(teams.installationUpdate('add', { from: erika }));
    const byAad = await openChat(erika.aadObjectId);
    expect(byAad.status).toBe(201);
    expect(((await byAad.json()) as { id: string }).id).toBe(personalConversationId(erika.id));
    expect((await openChat(erika.id)).status).toBe(201);
    // Jonas never installed it.
    expect((await openChat(jonas.id)).status).toBe(403);
  });

  it('lets the bot reach members of a team it was added to, and nobody else', async () => {
    observeInbound(teams.conversationUpdate({ membersAdded: [{ id: BOT, name: 'Integrations-Lotse' }] }, { scope: 'channel', from: erika }));
    expect((await openChat(jonas.aadObjectId)).status).toBe(201);
    expect((await openChat('29:someone-else')).status).toBe(403);
  });

  it('refuses a chat after the user uninstalled the app (403 on the old conversation too)', async () => {
    observeInbound(teams.message('Hallo', { from: erika }));
    const chat = personalConversationId(erika.id);
    expect((await send(chat, { type: 'message', text: 'Antwort' })).status).toBe(201);
    observeInbound(teams.installationUpdate('remove', { from: erika }));
    expect((await send(chat, { type: 'message', text: 'Noch eine' })).status).toBe(403);
    expect((await openChat(erika.aadObjectId)).status).toBe(403);
  });

  it('answers 404 for a conversation Teams never delivered or created', async () => {
    const res = await send('a:1unknown-conversation', { type: 'message', text: 'Hallo' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'ConversationNotFound' } });
  });

  it('answers 404 to an update or delete of an activity the bot did not send in that conversation', async () => {
    observeInbound(teams.message('Hallo', { from: erika }));
    observeInbound(teams.message('Hallo', { from: jonas }));
    const mine = personalConversationId(erika.id);
    const other = personalConversationId(jonas.id);
    const sent = (await (await send(mine, { type: 'message', text: 'Karte' })).json()) as { id: string };
    expect((await call(`/${encodeURIComponent(other)}/activities/${sent.id}`, { type: 'message', text: 'x' }, 'PUT')).status).toBe(404);
    expect((await call(`/${encodeURIComponent(other)}/activities/${sent.id}`, undefined, 'DELETE')).status).toBe(404);
    expect((await call(`/${encodeURIComponent(mine)}/activities/${sent.id}`, { type: 'message', text: 'Karte v2' }, 'PUT')).status).toBe(200);
  });

  it('refuses a message over 100 KB (UTF-16) with 413 MessageSizeTooBig and keeps smaller ones', async () => {
    observeInbound(teams.message('Hallo', { from: erika }));
    const chat = personalConversationId(erika.id);
    const big = { type: 'message', text: 'ä'.repeat(MAX_MESSAGE_BYTES / 2) };
    expect(messageBytes(big)).toBeGreaterThan(MAX_MESSAGE_BYTES);
    const res = await send(chat, big);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'MessageSizeTooBig' } });
    expect((await send(chat, { type: 'message', text: 'ä'.repeat(30_000) })).status).toBe(201);
  });

  it('records a card Teams could not render, and refresh.userIds that are not user MRIs', async () => {
    observeInbound(teams.message('Hallo', { from: erika }));
    const chat = personalConversationId(erika.id);
    const card = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'TextBlok', text: 'Tippfehler im Typ' }],
      refresh: { action: { type: 'Action.Execute', verb: 'x' }, userIds: ['00000000-0000-4000-8000-000400000001'] },
    };
    expect((await send(chat, { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] })).status).toBe(201);
    const [error] = emulator.takeCardErrors();
    expect(error.errors.join('\n')).toMatch(/TextBlok/);
    expect(error.errors.join('\n')).toMatch(/refresh\.userIds must be user MRIs/);
    expect(emulator.cardErrors).toEqual([]);
  });
});

describe('card rules on their own', () => {
  it('accepts six actions, as Teams shows, and refuses seven', () => {
    const actions = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'Action.Execute', title: `A${i}`, verb: 'v' }));
    expect(cardProblems([{ type: 'AdaptiveCard', version: '1.5', body: [], actions: actions(6) }])).toEqual([]);
    expect(cardProblems([{ type: 'AdaptiveCard', version: '1.5', body: [], actions: actions(7) }]).join()).toMatch(/Maximum number of actions/);
  });

  it('accepts MRIs in refresh.userIds, at most 60', () => {
    const refresh = (ids: string[]) => ({ type: 'AdaptiveCard', version: '1.5', body: [], refresh: { action: { type: 'Action.Execute', verb: 'r' }, userIds: ids } });
    expect(cardProblems([refresh(['29:abc'])])).toEqual([]);
    expect(cardProblems([refresh(Array.from({ length: 61 }, (_, i) => `29:${i}`))]).join()).toMatch(/at most 60/);
  });
});
