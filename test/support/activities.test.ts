import type { AddressInfo } from 'node:net';
import restify from 'restify';
import {
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  TeamsActivityHandler,
  type TeamsChannelAccount,
  type TeamInfo,
  TurnContext,
  teamsGetChannelId,
  teamsGetTeamInfo,
  teamsGetTenant,
} from 'botbuilder';
import {
  activityBuilders,
  botMember,
  cardAction,
  conversationUpdate,
  installationUpdate,
  localTimestamp,
  memberAccount,
  message,
  personalConversationId,
  rosterMember,
  teamChannel,
  user,
} from './activities';
import { observeInbound, startChannelEmulator, type ChannelEmulator } from './channelEmulator';

/** What the real SDK made of each activity: the proof that the shapes are Teams' shapes. */
interface Seen {
  handler: string;
  text?: string;
  detail?: unknown;
}

class RecordingTeamsBot extends TeamsActivityHandler {
  readonly seen: Seen[] = [];

  constructor() {
    super();
    this.onMessage(async (context, next) => {
      this.seen.push({
        handler: 'message',
        text: TurnContext.removeRecipientMention(context.activity as Activity)?.trim(),
        detail: {
          scope: context.activity.conversation.conversationType,
          tenant: teamsGetTenant(context.activity)?.id,
          channel: teamsGetChannelId(context.activity),
          team: teamsGetTeamInfo(context.activity)?.name,
          locale: context.activity.locale,
        },
      });
      await context.sendActivity('ok');
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      this.seen.push({ handler: 'installationAdd', detail: context.activity.conversation.conversationType });
      await next();
    });
    this.onTeamsMembersAddedEvent(async (members: TeamsChannelAccount[], team: TeamInfo, _context, next) => {
      this.seen.push({ handler: 'teamMembersAdded', detail: { members: members.map((m) => m.name), team: team?.name } });
      await next();
    });
    this.onReactionsAdded(async (context, next) => {
      const types = (context.activity.reactionsAdded ?? []).map((reaction) => reaction.type);
      this.seen.push({ handler: 'reactionsAdded', detail: { types, to: context.activity.replyToId } });
      await next();
    });
  }

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    this.seen.push({ handler: 'adaptiveCardInvoke', detail: { verb: invokeValue.action.verb, data: invokeValue.action.data, replyToId: context.activity.replyToId } });
    // Teams shows a plain string value as a toast; the SDK's type says object, the wire says either.
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Erledigt' as unknown as Record<string, unknown> };
  }
}

describe('activity builders, as the real Teams handler sees them', () => {
  let emulator: ChannelEmulator;
  let bot: RecordingTeamsBot;
  let server: restify.Server;
  let url: string;
  const anna = user({ name: 'Anna Öztürk', locale: 'tr-TR' });

  async function post(activity: unknown): Promise<{ status: number; body: string }> {
    observeInbound(activity);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    return { status: response.status, body: await response.text() };
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
    bot = new RecordingTeamsBot();
    server = restify.createServer();
    server.use(restify.plugins.bodyParser());
    server.post('/api/messages', async (req, res) => {
      await adapter.process(req, res, (context) => bot.run(context));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await emulator.close();
  });
  beforeEach(() => {
    bot.seen.length = 0;
    emulator.reset();
  });

  it('delivers a personal message whose reply goes to the same 1:1 chat', async () => {
    const activity = message('hilfe', { from: anna, serviceUrl: emulator.serviceUrl });

    expect((await post(activity)).status).toBe(200);
    expect(bot.seen).toEqual([
      { handler: 'message', text: 'hilfe', detail: { scope: 'personal', tenant: anna.tenantId, channel: null, team: undefined, locale: 'tr-TR' } },
    ]);
    const reply = await emulator.waitFor((call) => call.operation === 'reply');
    expect(reply.conversationId).toBe(personalConversationId(anna.id));
    expect(reply.activityId).toBe(activity.id);
  });

  it('delivers a channel message with the bot mention the SDK strips, and the team and channel', async () => {
    const channel = teamChannel({ teamName: 'Dezernat 36', channelName: 'Anfragen' });
    const activity = message('wer ist zuständig?', { scope: 'channel', channel, from: anna, serviceUrl: emulator.serviceUrl });

    expect(activity.text).toBe('<at>Integrations-Lotse</at> wer ist zuständig?');
    expect(activity.conversation.id).toBe(`${channel.channelId};messageid=${activity.id}`);
    await post(activity);
    expect(bot.seen[0]).toMatchObject({
      text: 'wer ist zuständig?',
      detail: { scope: 'channel', channel: channel.channelId, team: 'Dezernat 36' },
    });
  });

  it('delivers a card click as adaptiveCard/action with verb and data, answered in the HTTP body', async () => {
    const response = await post(
      cardAction('request.accept', { requestId: 'r-17' }, { from: anna, replyToId: '1714737731123', serviceUrl: emulator.serviceUrl }),
    );

    expect(bot.seen).toEqual([
      { handler: 'adaptiveCardInvoke', detail: { verb: 'request.accept', data: { requestId: 'r-17' }, replyToId: '1714737731123' } },
    ]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ statusCode: 200, value: 'Erledigt' });
  });

  it('delivers installation, team membership and reaction events to their Teams handlers', async () => {
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl, from: anna });
    // The SDK looks every added member up in the team roster and fails the turn if the connector does not know them.
    emulator.setRoster([rosterMember(anna)], teamChannel().teamId);

    const statuses = [
      (await post(installationUpdate('add', { serviceUrl: emulator.serviceUrl }))).status,
      (await post(conversationUpdate({ membersAdded: [memberAccount(anna), botMember()] }, { scope: 'channel', serviceUrl: emulator.serviceUrl }))).status,
      (await post(teams.messageReaction({ added: ['like'] }, { replyToId: '1714737731123' }))).status,
    ];

    expect(statuses).toEqual([200, 200, 200]);

    expect(bot.seen).toEqual([
      { handler: 'installationAdd', detail: 'personal' },
      { handler: 'teamMembersAdded', detail: { members: ['Anna Öztürk', 'Integrations-Lotse'], team: 'Integration Dezernat 36' } },
      { handler: 'reactionsAdded', detail: { types: ['like'], to: '1714737731123' } },
    ]);
  });

  it('gives personas stable ids and Teams-shaped accounts', () => {
    const again = user({ name: 'Anna Öztürk', locale: 'tr-TR' });
    expect(again).toEqual(anna);
    expect(anna.id).toMatch(/^29:1[\w-]+$/);
    expect(anna.aadObjectId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(anna.email).toBe('anna.oeztuerk@bezreg.example');
    const activity = message('x', { from: anna, botAppId: 'app-1' });
    expect(activity.recipient.id).toBe('28:app-1');
    expect(activity.entities).toEqual([{ type: 'clientInfo', locale: 'tr-TR', country: 'DE', platform: 'Web', timezone: 'Europe/Berlin' }]);
  });

  it('writes localTimestamp with the offset of the user’s time zone, summer and winter', () => {
    expect(localTimestamp(new Date('2024-07-01T10:00:00.250Z'), 'Europe/Berlin')).toBe('2024-07-01T12:00:00.250+02:00');
    expect(localTimestamp(new Date('2024-01-15T23:30:00.000Z'), 'Europe/Berlin')).toBe('2024-01-16T00:30:00.000+01:00');
  });
});
