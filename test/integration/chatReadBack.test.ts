import type { DeliveryDoc, OutboxDoc } from '../../services/notifications/model';
import { CONTAINERS } from '../../services/storage/containers';
import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, user, type TeamsUser } from '../support/activities';
import type { ConnectorCall } from '../support/channelEmulator';
import { settledReport, useGraphBotSuite } from '../support/graphBotSuite';
import type { TestApp } from '../support/testApp';

/**
 * Issue 14, the window Teams leaves open: a message Teams posted whose answer never reached the bot (the connection
 * reset after Teams acted, as when the process dies during the call) is sent again only if it is not in the person's
 * chat. With Graph's `chats` feature (Chat.Read.All) the bot reads its own personal chat with the person back through
 * Graph before the uncertain resend (services/notifications/chatReadBack.ts). Over HTTP: the bot with its real Graph
 * adapter against the Graph stand-in, whose chats show what the strict Teams stand-in holds.
 */

const APP_ID = DEFAULT_BOT_APP_ID;
const INSTALL = 'TeamsAppInstallation.ReadWriteSelfForUser.All';
const CHATS = 'Chat.Read.All';

jest.setTimeout(60_000);

describe('an uncertain resend looks in the person\'s chat first', () => {
  const suite = useGraphBotSuite({
    databaseId: 'chat-read-back',
    host: 'bot',
    graph: { clientId: APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: [INSTALL, CHATS] },
    prepareGraph: (graph, emulator) => graph.linkChats((aadObjectId) => emulator.personalMessagesOf(aadObjectId)),
    env: (graph) => ({ GRAPH_TEAMS_CATALOG_APP_ID: graph!.catalogApp.id }),
  });
  let sequence = 0;
  const people = [user({ name: 'Rita Rückleser (Beispiel)' }), user({ name: 'Karl Kartenleser (Beispiel)' }), user({ name: 'Olaf Ohnerecht (Beispiel)' }), user({ name: 'Nina Nichtda (Beispiel)' }), user({ name: 'Gerd Graphlos (Beispiel)' })];
  const [rita, karl, olaf, nina, gerd] = people;
  const chatOf = (person: TeamsUser) => personalConversationId(person.id, APP_ID);

  const settled = (key: string) => settledReport(suite.app, key, 30_000);

  const deliveryOf = async (key: string): Promise<DeliveryDoc> =>
    (await suite.database.store<OutboxDoc>(CONTAINERS.outbox).query<DeliveryDoc>({ query: 'SELECT * FROM c WHERE c.kind = "delivery" AND c.notificationKey = @k', parameters: [{ name: '@k', value: key }] }))[0];
  const postsTo = (person: TeamsUser): ConnectorCall[] => suite.emulator.calls.filter((c) => c.operation === 'send' && c.conversationId === chatOf(person) && c.status >= 200 && c.status < 300);
  const chatReads = () => suite.graph.calls.filter((c) => /\/chats\/[^/]+\/messages$/.test(c.path));

  /** Sends `activity` to `person`; Teams posts the first attempt, then the connection breaks before its answer (or, with `posted: false`, before Teams acted). */
  async function sendWithLostAnswer(person: TeamsUser, activity: Parameters<TestApp['delivery']['outbox']['enqueue']>[0]['activity'], posted = true) {
    sequence += 1;
    const key = `test:read-back:${sequence}`;
    suite.emulator.failNext(1, { dropConnection: true, afterPerforming: posted }, { conversationId: chatOf(person), operations: ['send'] });
    await suite.app.delivery.outbox.enqueue({ key, activity, recipients: [{ user: { aadObjectId: person.aadObjectId, tenantId: DEFAULT_TENANT_ID } }] });
    const report = await settled(key);
    return { key, report, delivery: await deliveryOf(key), posts: postsTo(person) };
  }

  beforeAll(async () => {
    for (const person of people) {
      suite.graph.addUser({ id: person.aadObjectId, upn: person.userPrincipalName });
      suite.graph.setInstalled(person.aadObjectId, true);
      const res = await suite.post(suite.teams.installationUpdate('add', { from: person }));
      expect(res.status).toBe(200);
    }
  });

  it('finds a text message (markdown, shown as HTML through Graph) in the chat and records it with its id instead of posting it twice', async () => {
    const reads = chatReads().length;
    const text = 'Ihr Anliegen **„Raumfrage (Beispiel)“** ist _in Bearbeitung_.\nDetails: [Erlass](https://example.org/erlass)';
    const { report, delivery, posts } = await sendWithLostAnswer(rita, { text, textFormat: 'markdown' });
    expect(posts).toHaveLength(1);
    expect(report).toMatchObject({ total: 1, delivered: 1 });
    expect(delivery).toMatchObject({ status: 'sent', activityId: posts[0].createdActivityId, uncertainResends: 0 });
    expect(chatReads().length - reads).toBe(1);
    expect(suite.emulator.visibleActivities(chatOf(rita)).filter((a) => a.text === text)).toHaveLength(1);
  });

  it('finds a card by its content', async () => {
    const card = { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body: [{ type: 'TextBlock', text: 'Neue Rückfrage (Beispiel)', wrap: true }] };
    const { delivery, posts } = await sendWithLostAnswer(karl, { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }], summary: 'Neue Rückfrage' });
    expect(posts).toHaveLength(1);
    expect(delivery).toMatchObject({ status: 'sent', activityId: posts[0].createdActivityId, uncertainResends: 0 });
  });

  it('sends again when the first attempt never reached Teams (nothing in the chat): one message in the end', async () => {
    const { delivery, posts } = await sendWithLostAnswer(nina, { text: 'Erinnerung: Ihr Vortrag wartet (Beispiel).' }, false);
    expect(posts).toHaveLength(1);
    expect(delivery).toMatchObject({ status: 'sent', activityId: posts[0].createdActivityId, uncertainResends: 1 });
  });

  it('does not take an earlier message of other content for the lost one', async () => {
    // An older message in the chat, posted normally, and then the lost one: only the lost one's content counts.
    await suite.app.delivery.outbox.enqueue({ key: 'test:read-back:earlier', activity: { text: 'Vorherige Nachricht (Beispiel)' }, recipients: [{ user: { aadObjectId: nina.aadObjectId, tenantId: DEFAULT_TENANT_ID } }] });
    await settled('test:read-back:earlier');
    const before = postsTo(nina).length;
    const { delivery, posts } = await sendWithLostAnswer(nina, { text: 'Neue Nachricht (Beispiel)' });
    expect(posts.length - before).toBe(1);
    expect(delivery).toMatchObject({ status: 'sent', activityId: posts[posts.length - 1].createdActivityId, uncertainResends: 0 });
  });

  it('tells the same status twice apart: a message the first delivery recorded is not taken for the second', async () => {
    const text = 'Ihr Anliegen ist wieder in Bearbeitung (Beispiel).';
    await suite.app.delivery.outbox.enqueue({ key: 'test:read-back:status-r2', activity: { text }, recipients: [{ user: { aadObjectId: karl.aadObjectId, tenantId: DEFAULT_TENANT_ID } }] });
    await settled('test:read-back:status-r2');
    const first = await deliveryOf('test:read-back:status-r2');
    // The second one's first attempt never reached Teams: only the first message is in the chat, and it is the first's.
    const lost = await sendWithLostAnswer(karl, { text }, false);
    expect(lost.delivery).toMatchObject({ status: 'sent', uncertainResends: 1 });
    expect(lost.delivery.activityId).not.toBe(first.activityId);
    // Its answer lost after Teams posted it: the read-back finds the new message, not the first one.
    const found = await sendWithLostAnswer(karl, { text });
    expect(found.delivery).toMatchObject({ status: 'sent', uncertainResends: 0 });
    expect(found.delivery.activityId).toBe(found.posts[found.posts.length - 1].createdActivityId);
    expect(suite.emulator.visibleActivities(chatOf(karl)).filter((a) => a.text === text)).toHaveLength(3);
  });

  it('without Chat.Read.All sends it again, counted as an uncertain resend: the chat read is refused, nothing waits on it', async () => {
    // Revoked after the bot's token was issued: the bot learns of it from Graph's 403 (its token still names the role).
    suite.graph.revoke(CHATS);
    try {
      const reads = chatReads().length;
      const { delivery, posts } = await sendWithLostAnswer(olaf, { text: 'Ihr Anliegen ist erledigt (Beispiel).' });
      expect(posts).toHaveLength(2);
      expect(delivery).toMatchObject({ status: 'sent', activityId: posts[1].createdActivityId, uncertainResends: 1 });
      expect(chatReads().slice(reads).map((c) => c.status)).toEqual([403]);
    } finally {
      suite.graph.grant(CHATS);
    }
  });

  it('when Graph cannot find the chat (the app was removed from Graph\'s view), sends it again rather than losing it', async () => {
    suite.graph.setInstalled(gerd.aadObjectId, false);
    const { delivery, posts } = await sendWithLostAnswer(gerd, { text: 'Ihre Rückfrage wurde beantwortet (Beispiel).' });
    expect(posts).toHaveLength(2);
    expect(delivery).toMatchObject({ status: 'sent', uncertainResends: 1 });
  });
});
