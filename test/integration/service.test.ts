import { request } from 'node:http';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import type { UserProfile } from '../../services/users/userProfiles';
import { activityBuilders, DEFAULT_TENANT_ID, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

function cardOf(call: { activity?: { attachments?: Array<{ contentType?: string; content?: unknown }> } }) {
  const attachment = call.activity?.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
  return attachment?.content as { body: Array<{ text?: string }>; actions?: Array<{ type?: string; verb?: string; data?: unknown }> } | undefined;
}

function cardText(card: unknown): string {
  return JSON.stringify(card);
}

describe('the bot service, driven over HTTP the way Teams drives it', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'service-test' });
    app = await startTestApp({}, { database });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  });

  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  beforeEach(() => emulator.reset());

  it('reports itself alive and ready while the database answers', async () => {
    expect(await app.get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await app.get('/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('answers "Hilfe" with the German help card, replying in the conversation at the serviceUrl', async () => {
    const activity = teams.message('Hilfe');
    const res = await app.post(activity);
    expect(res.status).toBe(200);
    const call = await emulator.waitFor((c) => c.operation === 'reply' || c.operation === 'send');
    expect(call.conversationId).toBe(activity.conversation.id);
    const card = cardOf(call);
    expect(card).toBeDefined();
    expect(cardText(card)).toContain('Was der Integrations-Lotse kann');
  });

  it('answers "help" from an English-locale client with the English help card', async () => {
    const jane = user({ name: 'Jane Example', locale: 'en-GB' });
    await app.post(teams.message('help', { from: jane }));
    const call = await emulator.waitFor((c) => c.operation === 'reply' || c.operation === 'send');
    expect(cardText(cardOf(call))).toContain('What Integrations-Lotse can do');
  });

  it('sends the welcome card on personal installation and remembers where to reach the user', async () => {
    const max = user({ name: 'Max Beispiel' });
    const res = await app.post(teams.installationUpdate('add', { from: max }));
    expect(res.status).toBe(200);
    const call = await emulator.waitFor((c) => c.operation === 'reply' || c.operation === 'send');
    const card = cardOf(call);
    expect(cardText(card)).toContain('Willkommen beim Integrations-Lotsen');
    // The main actions send their command as the user's message (imBack); "Was kann ich fragen?" opens the help in place.
    expect(card?.actions?.filter((a) => a.type === 'Action.Execute').map((a) => a.verb)).toEqual(['help.show']);
    expect(card?.actions?.filter((a) => a.type === 'Action.Submit').map((a) => (a.data as { msteams?: { value?: string } })?.msteams?.value)).toEqual(['Anliegen senden', 'Wer ist meine IB?', 'Meine Anliegen']);
    const stored = await database.store<UserProfile>(CONTAINERS.users).read(max.aadObjectId, 'profile');
    expect(stored?.personal).toMatchObject({ conversationType: 'personal', serviceUrl: emulator.serviceUrl, tenantId: DEFAULT_TENANT_ID });
  });

  it('replaces the welcome card with the help card when its button is pressed (Action.Execute)', async () => {
    const res = await app.post(teams.cardAction('help.show', {}));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardText(res.body.value)).toContain('Was der Integrations-Lotse kann');
  });

  it('answers an unknown card verb with a 400 invoke response and a polite message', async () => {
    const res = await app.post(teams.cardAction('request.nuke', { requestId: 'x' }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    expect(res.body.value.message).toMatch(/Karte ist veraltet/);
  });

  it('answers an invoke it does not implement with a 4xx, not an error', async () => {
    const res = await app.post({ ...teams.message('x'), type: 'invoke', name: 'composeExtension/unheardOf', value: {} });
    expect(res.status).toBe(400);
  });

  it('accepts activity types it has no use for without error and without reply', async () => {
    for (const type of ['typing', 'event', 'messageReaction', 'endOfConversation', 'somethingNew']) {
      const res = await app.post({ ...teams.message(''), type, text: undefined });
      expect(res.status).toBeLessThan(300);
    }
    const res = await app.post(teams.conversationUpdate({ membersAdded: [{ id: '29:someone', name: 'X' }] }));
    expect(res.status).toBe(200);
    // A turn's replies are sent before its response; anything proactive has gone out once the outbox is idle.
    await app.delivery.whenIdle();
    expect(emulator.calls.filter((c) => c.operation === 'reply' || c.operation === 'send')).toHaveLength(0);
  });

  it('rejects malformed JSON with 400 and a body that is not an object with 400', async () => {
    expect((await app.post('{"type": "message", ', { raw: true })).status).toBe(400);
    expect((await app.post('[1,2,3]', { raw: true })).status).toBe(400);
    expect((await app.post('', { raw: true })).status).toBe(400);
  });

  it('rejects a body that is not JSON with 415', async () => {
    const res = await app.post('type=message', { raw: true, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
  });

  it('rejects a body above the configured limit with 413 and keeps serving', async () => {
    const big = teams.message('x'.repeat(300 * 1024));
    const res = await app.post(big);
    expect(res.status).toBe(413);
    expect((await app.get('/healthz')).status).toBe(200);
    await app.post(teams.message('Hilfe'));
    await emulator.waitFor((c) => c.operation === 'reply' || c.operation === 'send');
  });

  it('refuses an oversized body sent without Content-Length (chunked) with 413, without buffering the rest', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      // Connection: close after the 413 may cut the upload short; that is the point.
      req.on('error', () => undefined);
      req.on('close', () => reject(new Error('closed without an answer')));
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 8; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
    expect((await app.get('/healthz')).status).toBe(200);
  });

  it("answers restify's own 404 and 405 with a fixed body that echoes neither the path nor the method", async () => {
    const send = (method: string, path: string, accept = 'application/json') =>
      new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = request(`${app.url}${path}`, { method, headers: { accept } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
        });
        req.on('error', reject);
        req.end();
      });
    const cases: Array<[string, string, number, string]> = [
      ['GET', '/api/<script>alert(1)</script>', 404, 'NotFound'],
      ['GET', '/kalender/%', 404, 'NotFound'],
      ['GET', '/api/tab/downloads/%E0%A4%A', 404, 'NotFound'],
      ['GET', '/api/messages', 405, 'MethodNotAllowed'],
      ['PATCH', '/api/tab/me', 405, 'MethodNotAllowed'],
    ];
    for (const [method, path, status, code] of cases) {
      for (const accept of ['application/json', 'text/plain']) {
        const res = await send(method, path, accept);
        expect(res.status).toBe(status);
        expect(res.type).toMatch(/^application\/json/);
        expect(JSON.parse(res.body)).toEqual({ code, message: expect.any(String) });
        expect(res.body).not.toMatch(/script|kalender|downloads|%|GET|PATCH|does not exist/);
      }
    }
  });

  it('refuses a compressed body with 415', async () => {
    const res = await app.post(teams.message('Hilfe'), { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(415);
  });

  it('never writes message text into a log line', async () => {
    const secret = 'Geheimnis-Marker-4711 wohnt in der Musterstraße 12';
    await app.post(teams.message(secret));
    await app.post(teams.cardAction('unknown.verb', { text: secret }));
    // The turns have ended (their log lines are written) and nothing they started is still going out.
    await app.delivery.whenIdle();
    expect(app.logs.raw.join('\n')).not.toContain('Geheimnis-Marker-4711');
  });
});

describe('tenant gate', () => {
  let emulator: ChannelEmulator;
  let app: TestApp;

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    app = await startTestApp({ ALLOWED_TENANT_IDS: DEFAULT_TENANT_ID });
  });
  afterAll(async () => {
    await app.stop();
    await emulator.close();
  });

  it('serves an allowed tenant', async () => {
    await app.post(activityBuilders({ serviceUrl: emulator.serviceUrl }).message('Hilfe'));
    await emulator.waitFor((c) => c.operation === 'reply' || c.operation === 'send');
  });

  it('gives activities from another tenant no reply and logs one line', async () => {
    emulator.reset();
    const before = app.logs.events().filter((e) => e === 'tenant.rejected').length;
    const stranger = user({ name: 'Fremd', tenantId: '11111111-2222-4333-8444-555555555555' });
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl, from: stranger, tenantId: stranger.tenantId });
    const res = await app.post(teams.message('Hilfe'));
    expect(res.status).toBe(200);
    const invoke = await app.post(teams.cardAction('help.show', {}));
    expect(invoke.status).toBe(403);
    await app.delivery.whenIdle();
    expect(emulator.calls).toHaveLength(0);
    expect(app.logs.events().filter((e) => e === 'tenant.rejected').length - before).toBe(2);
  });
});

describe('when the database stops answering', () => {
  it('reports not ready with a code (the database error only in the log), and a turn gets one polite message and one structured log line', async () => {
    const emulator = await startChannelEmulator();
    const database = await openDatabase({ databaseId: 'failing' });
    const app = await startTestApp({}, { database });
    try {
      await database.close();
      const ready = await app.get('/readyz');
      expect(ready).toEqual({ status: 503, body: { status: 'unavailable', code: 'DatabaseUnavailable' } });
      expect(app.logs.lines.filter((l) => l.event === 'readyz.unavailable')).toEqual([expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' })]);

      const activity = activityBuilders({ serviceUrl: emulator.serviceUrl }).message('Hilfe');
      await app.post(activity);
      const call = await emulator.waitFor((c) => c.operation === 'reply' || c.operation === 'send');
      expect(call.activity?.text).toMatch(/^Entschuldigung, da ist bei mir etwas schiefgelaufen/);
      const errors = app.logs.lines.filter((l) => l.event === 'turn.error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ activityId: activity.id, conversationId: activity.conversation.id, code: 'STORAGE_UNAVAILABLE' });
    } finally {
      await app.stop();
      await emulator.close();
    }
  });
});
