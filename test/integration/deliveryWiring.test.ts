import { activityBuilders, teamChannel, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

describe('proactive delivery wired into the service', () => {
  let emulator: ChannelEmulator;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    app = await startTestApp();
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  });
  afterAll(async () => {
    await app.stop();
    await emulator.close();
  });

  it('remembers a team the app is installed in, sends to it through the outbox, and forgets it on removal', async () => {
    const channel = teamChannel({ teamName: 'Koordinierungskreis (Beispiel)' });
    const kfi = user({ name: 'KfI Beispiel' });
    expect((await app.post(teams.installationUpdate('add', { scope: 'channel', channel, from: kfi }))).status).toBe(200);
    const stored = await app.delivery.registry.forTeam(channel.teamId);
    expect(stored).toBeDefined();

    emulator.reset();
    await app.delivery.outbox.enqueue({
      key: 'test:announcement:1',
      activity: { type: 'message', text: 'Einladung zum Koordinierungskreis (Beispiel)' },
      recipients: [{ conversation: stored!.ref }],
    });
    const call = await emulator.waitFor((c) => c.operation === 'send' && c.activity?.text === 'Einladung zum Koordinierungskreis (Beispiel)', 10_000);
    expect(call.conversationId).toBe(stored!.ref.conversationId);
    let status = await app.delivery.outbox.status('test:announcement:1');
    for (let i = 0; i < 50 && status?.delivered !== 1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await app.delivery.outbox.status('test:announcement:1');
    }
    expect(status).toMatchObject({ total: 1, delivered: 1 });

    expect((await app.post(teams.installationUpdate('remove', { scope: 'channel', channel, from: kfi }))).status).toBe(200);
    expect(await app.delivery.registry.forTeam(channel.teamId)).toBeUndefined();
  });

  it('reaches a user by AAD object id through the personal chat stored at installation', async () => {
    const erika = user({ name: 'Erika Zustellung' });
    await app.post(teams.installationUpdate('add', { from: erika }));
    emulator.reset();
    await app.delivery.outbox.enqueue({
      key: 'test:personal:1',
      activity: { type: 'message', text: 'Ihr Anliegen wurde übernommen (Beispiel).' },
      recipients: [{ user: { aadObjectId: erika.aadObjectId, tenantId: erika.tenantId } }],
    });
    const call = await emulator.waitFor((c) => c.operation === 'send' && /übernommen/.test(c.activity?.text ?? ''), 10_000);
    expect(call.conversationId).toContain(':');
  });
});
