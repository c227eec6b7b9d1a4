/**
 * Baseline: what a stock Universal Actions bot with its state in Cosmos DB costs per card action. Modelled on
 * Microsoft's Teams samples for `Action.Execute` (a `TeamsActivityHandler` answering `adaptiveCard/action` with a
 * refreshed card) and on `CosmosDbPartitionedStorage` (state read when the turn starts, written back when it ends):
 * restify with its body parser, CloudAdapter with auth off, one read and one upsert of the user's state document
 * through `@azure/cosmos`, and a small card expanded with `adaptivecards-templating`. No permission checks, audit,
 * outbox or reminders: the floor the product's actions stand on.
 *
 * Needs `COSMOS_ENDPOINT` and `COSMOS_CERT_SHA256` of an embedded server (`npm run db`).
 * Run `node dist/bench/baselines/stockCardAction.js [port]`; prints `READY <port>`.
 */
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { CosmosClient, type Container } from '@azure/cosmos';
import * as ACData from 'adaptivecards-templating';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  TeamsActivityHandler,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type TurnContext,
} from 'botbuilder';
import { pinnedAgent } from '../../services/storage/embeddedCosmos';
import { portFromArgs } from '../childProcess';

interface UserStateDoc {
  id: string;
  answers: Record<string, string>;
  count: number;
}

const card = new ACData.Template({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: '${title}', weight: 'Bolder', wrap: true },
    { type: 'FactSet', facts: [{ $data: '${answers}', title: '${key}', value: '${value}' }] },
    { type: 'TextBlock', text: 'Answered ${count} times', isSubtle: true },
  ],
  refresh: { action: { type: 'Action.Execute', verb: 'refresh', data: {} }, userIds: ['${userId}'] },
  actions: [{ type: 'Action.Execute', title: 'Save', verb: 'save' }],
});

class StockActionBot extends TeamsActivityHandler {
  constructor(private readonly state: Container) {
    super();
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, invoke: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const id = context.activity.from.aadObjectId ?? context.activity.from.id;
    // Load (as CosmosDbPartitionedStorage.read does): a miss is a fresh state.
    const { resource } = await this.state.item(id, id).read<UserStateDoc>();
    const doc: UserStateDoc = resource ? { id, answers: resource.answers, count: resource.count } : { id, answers: {}, count: 0 };
    for (const [key, value] of Object.entries((invoke.action.data ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'string') doc.answers[key] = value.slice(0, 200);
    }
    doc.count++;
    // Save (as CosmosDbPartitionedStorage.write does).
    await this.state.items.upsert(doc);
    const answers = Object.entries(doc.answers).map(([key, value]) => ({ key, value }));
    return {
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: card.expand({ $root: { title: invoke.action.verb, answers, count: doc.count, userId: id } }),
    };
  }
}

async function main(): Promise<void> {
  const endpoint = process.env.COSMOS_ENDPOINT;
  const fingerprint = process.env.COSMOS_CERT_SHA256;
  if (!endpoint || !fingerprint) throw new Error('COSMOS_ENDPOINT and COSMOS_CERT_SHA256 of an embedded server are required');
  const client = new CosmosClient({
    endpoint,
    key: 'embedded-cosmos-accepts-any-key',
    agent: pinnedAgent(fingerprint) as unknown as https.Agent,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const { database } = await client.databases.createIfNotExists({ id: 'stock-baseline' });
  const { container } = await database.containers.createIfNotExists({ id: 'state', partitionKey: { paths: ['/id'] } });

  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  adapter.onTurnError = async (_context, error) => {
    console.error(`[onTurnError] ${String(error)}`);
  };
  const bot = new StockActionBot(container);

  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  server.listen(portFromArgs(), '127.0.0.1', () => {
    process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
  });
}

// A baseline holds nothing worth draining; exit at once so keep-alive sockets cannot delay the next run.
process.once('SIGTERM', () => process.exit(0));

main().catch((err: unknown) => {
  console.error(`stock card-action baseline failed: ${(err as Error).message}`);
  process.exit(1);
});
