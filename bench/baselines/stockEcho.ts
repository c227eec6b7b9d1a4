/**
 * Baseline: what a stock botbuilder bot costs per turn. Modelled on Microsoft's echo and state-management samples:
 * restify, CloudAdapter with `ConfigurationBotFrameworkAuthentication` and no app id (auth off), an ActivityHandler
 * that answers `Echo: <text>`, conversation and user state in MemoryStorage read and saved every turn, and the reply
 * sent through the default connector client to the activity's serviceUrl.
 * Run `node dist/bench/baselines/stockEcho.js [port]`; prints `READY <port>`.
 */
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  MemoryStorage,
  MessageFactory,
  UserState,
  type StatePropertyAccessor,
  type TurnContext,
} from 'botbuilder';
import { portFromArgs } from '../childProcess';

interface ConversationData {
  turnCount: number;
  lastMessageAt?: string;
}

interface UserProfile {
  name?: string;
}

class EchoBot extends ActivityHandler {
  private readonly conversationData: StatePropertyAccessor<ConversationData>;
  private readonly userProfile: StatePropertyAccessor<UserProfile>;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
  ) {
    super();
    this.conversationData = conversationState.createProperty<ConversationData>('conversationData');
    this.userProfile = userState.createProperty<UserProfile>('userProfile');

    this.onMessage(async (context, next) => {
      const data = await this.conversationData.get(context, { turnCount: 0 });
      const profile = await this.userProfile.get(context, {});
      data.turnCount += 1;
      data.lastMessageAt = context.activity.timestamp ? String(context.activity.timestamp) : undefined;
      profile.name ??= context.activity.from.name;
      const replyText = `Echo: ${context.activity.text}`;
      await context.sendActivity(MessageFactory.text(replyText, replyText));
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== context.activity.recipient.id) await context.sendActivity('Hello and welcome!');
      }
      await next();
    });
  }

  /** Saves state after every turn, as the state-management sample does. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
    await this.userState.saveChanges(context, false);
  }
}

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
adapter.onTurnError = async (context, error) => {
  console.error(`[onTurnError] ${String(error)}`);
  await context.sendActivity('The bot encountered an error or bug.');
};

const storage = new MemoryStorage();
const bot = new EchoBot(new ConversationState(storage), new UserState(storage));

const server = restify.createServer();
server.use(restify.plugins.bodyParser());
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});

server.listen(portFromArgs(), '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
});

// A baseline holds nothing worth draining; exit at once so keep-alive sockets cannot delay the next run.
process.once('SIGTERM', () => process.exit(0));
