import { loadConfig, type GraphConfig } from '../../bot/config';
import { createGraphPort } from '../../bot/graph';
import { GraphError, type GraphPort } from '../../services/graph/graphPort';
import { silentLogger } from '../../services/logging';
import { startGraphStandIn, stableGuid, type GraphStandIn } from '../support/graphStandIn';

/** The real Graph adapter (Microsoft's Graph client, @azure/identity) against the Graph stand-in over loopback HTTPS. */

const ALL = ['TeamsAppInstallation.ReadWriteSelfForUser.All', 'AppCatalog.Read.All', 'User.Read.All', 'GroupMember.Read.All', 'Calendars.ReadWrite', 'Mail.Send'];

let graph: GraphStandIn;

function configFor(stand: GraphStandIn, extra: Record<string, string> = {}): GraphConfig {
  const config = loadConfig({ ...stand.env(), ...extra }).graph;
  if (!config) throw new Error('GRAPH_ENABLED did not turn Graph on');
  return config;
}

function portFor(stand: GraphStandIn, options: { maxRetries?: number; extra?: Record<string, string> } = {}): GraphPort {
  return createGraphPort(configFor(stand, options.extra), { logger: silentLogger, teamsAppId: stand.catalogApp.externalId, maxRetries: options.maxRetries });
}

async function rejection(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(GraphError);
    return err as GraphError;
  }
  throw new Error('expected the call to reject');
}

const erika = { id: stableGuid('erika'), upn: 'erika.muster@bezreg-arnsberg.example', mail: 'e.muster@bezreg-arnsberg.example', displayName: 'Erika Muster' };
const max = { id: stableGuid('max'), upn: 'max.beispiel@bezreg-arnsberg.example', mail: 'max.beispiel@bezreg-arnsberg.example', displayName: 'Max Beispiel' };
const kfi = { id: stableGuid('kfi-mailbox'), upn: 'kfi@bezreg-arnsberg.example', mail: 'kfi@bezreg-arnsberg.example', displayName: 'KfI' };

beforeEach(async () => {
  graph = await startGraphStandIn({ permissions: ALL });
  for (const u of [erika, max, kfi]) graph.addUser(u);
});

afterEach(async () => {
  await graph.close();
});

describe('token and features', () => {
  it('reads the features from the roles of its token, over the pinned certificate', async () => {
    graph.revoke('Mail.Send', 'Calendars.ReadWrite');
    const port = portFor(graph);
    expect([...(await port.features())].sort()).toEqual(['groups', 'install', 'people']);
    expect(graph.calls.filter((c) => c.path.endsWith('/oauth2/v2.0/token'))).toEqual([expect.objectContaining({ status: 200 })]);
  });

  it('asks for the token once while it is valid', async () => {
    const port = portFor(graph);
    await port.features();
    await port.features();
    await port.resolveUsers([erika.upn]);
    expect(graph.tokensIssued).toBe(1);
  });

  it('refuses to talk to a server with another certificate', async () => {
    const config = { ...configFor(graph), testCertificateSha256: 'AA:'.repeat(31) + 'AA' };
    const port = createGraphPort(config, { logger: silentLogger });
    const err = await rejection(port.features());
    expect(err.code).not.toBe('permission_missing');
    expect(graph.tokensIssued).toBe(0);
  });

  it('rejects with the OAuth error code when the secret is wrong', async () => {
    const port = portFor(graph, { extra: { MicrosoftAppPassword: 'wrong' } });
    const err = await rejection(port.features());
    expect(err.code).toBe('invalid_client');
    expect(err.kind).toBe('permanent');
  });
});

describe('permissions', () => {
  it('refuses a method whose feature is not granted before calling Graph', async () => {
    graph.revoke('User.Read.All');
    const port = portFor(graph);
    const err = await rejection(port.resolveUsers([erika.upn]));
    expect(err).toMatchObject({ code: 'permission_missing', kind: 'forbidden' });
    expect(graph.calls.filter((c) => c.path.startsWith('/v1.0'))).toEqual([]);
  });

  it("maps Graph's 403 to kind forbidden with Graph's code when a permission is revoked after the token was issued", async () => {
    const port = portFor(graph);
    await port.features();
    graph.revoke('GroupMember.Read.All');
    graph.addGroup(stableGuid('kfi-group'), [erika.id]);
    const err = await rejection(port.groupMembers(stableGuid('kfi-group')));
    expect(err).toMatchObject({ code: 'Authorization_RequestDenied', kind: 'forbidden', status: 403 });
  });
});

describe('installation', () => {
  it('looks the catalog id up once by the manifest id, installs, and reports 409 as alreadyInstalled', async () => {
    const installs: string[] = [];
    graph.onInstall((userId) => void installs.push(userId));
    const port = portFor(graph);
    expect(await port.installState(erika.id)).toBe('notInstalled');
    expect(await port.installApp(erika.id)).toBe('installed');
    expect(await port.installState(erika.id)).toBe('installed');
    expect(await port.installApp(erika.id)).toBe('alreadyInstalled');
    expect(installs).toEqual([erika.id]);
    expect(graph.calls.filter((c) => c.path === '/v1.0/appCatalogs/teamsApps')).toHaveLength(1);
  });

  it('uses the configured catalog id without asking the catalog', async () => {
    graph.revoke('AppCatalog.Read.All');
    const port = portFor(graph, { extra: { GRAPH_TEAMS_CATALOG_APP_ID: graph.catalogApp.id } });
    expect(await port.installApp(max.id)).toBe('installed');
    expect(graph.installedFor(max.id)).toEqual([graph.catalogApp.id]);
  });

  it('answers notFound for a person the directory does not know', async () => {
    const port = portFor(graph);
    const err = await rejection(port.installApp(stableGuid('nobody')));
    expect(err).toMatchObject({ kind: 'notFound', code: 'Request_ResourceNotFound' });
  });

  it('waits out a 429 with Retry-After and then succeeds', async () => {
    const port = portFor(graph);
    await port.installState(erika.id); // catalog lookup done
    graph.throttle({ next: 2, match: '/teamwork/installedApps', retryAfterSeconds: 0 });
    expect(await port.installApp(erika.id)).toBe('installed');
    const posts = graph.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/teamwork/installedApps'));
    expect(posts.map((c) => c.status)).toEqual([429, 429, 201]);
  });

  it('rejects with kind throttled and the Retry-After when throttling outlasts its retries', async () => {
    const port = portFor(graph, { maxRetries: 1 });
    await port.installState(erika.id);
    graph.throttle({ next: 5, match: '/teamwork/installedApps', retryAfterSeconds: 0 });
    const err = await rejection(port.installApp(erika.id));
    expect(err).toMatchObject({ kind: 'throttled', code: 'TooManyRequests', status: 429, retryAfterMs: 0 });
    expect(graph.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/teamwork/installedApps'))).toHaveLength(2);
  });

  it('does not wait itself for a Retry-After longer than its bound', async () => {
    const port = createGraphPort(configFor(graph), { logger: silentLogger, teamsAppId: graph.catalogApp.externalId, maxRetryAfterMs: 5_000 });
    await port.installState(erika.id);
    graph.throttle({ next: 1, match: '/teamwork/installedApps', retryAfterSeconds: 120 });
    const err = await rejection(port.installApp(erika.id));
    expect(err).toMatchObject({ kind: 'throttled', retryAfterMs: 120_000 });
  });

  it('asks about many people in $batch requests of 20 and retries the throttled steps', async () => {
    const people = Array.from({ length: 30 }, (_, i) => ({ id: stableGuid(`p${i}`), upn: `p${i}@bezreg.example` }));
    people.forEach((p) => graph.addUser(p));
    people.filter((_, i) => i % 2 === 0).forEach((p) => graph.setInstalled(p.id, true));
    const port = portFor(graph);
    await port.installState(erika.id);
    graph.throttle({ next: 3, match: '/teamwork/installedApps', retryAfterSeconds: 0 });
    const states = await Promise.all(people.map((p) => port.installState(p.id)));
    expect(states).toEqual(people.map((_, i) => (i % 2 === 0 ? 'installed' : 'notInstalled')));
    const batches = graph.calls.filter((c) => c.path === '/v1.0/$batch');
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(graph.calls.filter((c) => c.inBatch && c.status === 429)).toHaveLength(3);
  });
});

describe('people', () => {
  it('resolves 45 names in three $batch requests, by UPN or by mail, null for the unknown', async () => {
    const people = Array.from({ length: 43 }, (_, i) => ({ id: stableGuid(`u${i}`), upn: `u${i}@bezreg.example`, mail: `vorname.u${i}@bezreg.example` }));
    people.forEach((p) => graph.addUser(p));
    const identifiers = [...people.map((p, i) => (i % 3 === 0 ? p.mail : ` ${p.upn.toUpperCase()} `)), 'niemand@bezreg.example', 'Weg@bezreg.example'];
    const port = portFor(graph);
    const result = await port.resolveUsers(identifiers);
    expect(result.size).toBe(45);
    people.forEach((p, i) => expect(result.get(i % 3 === 0 ? p.mail : p.upn)).toMatchObject({ id: p.id, userPrincipalName: p.upn }));
    expect(result.get('niemand@bezreg.example')).toBeNull();
    expect(result.get('weg@bezreg.example')).toBeNull();
    // 45 by id/UPN in 20+20+5; then the 17 not found by UPN (15 mail addresses, 2 unknown) by mail in one batch.
    expect(graph.calls.filter((c) => c.path === '/v1.0/$batch')).toHaveLength(4);
  });
});

describe('groups', () => {
  it('reads all transitive members over several pages', async () => {
    const members = Array.from({ length: 2_100 }, (_, i) => ({ id: stableGuid(`g${i}`), upn: `g${i}@bezreg.example` }));
    members.forEach((m) => graph.addUser(m));
    const inner = stableGuid('inner');
    graph.addGroup(inner, members.slice(1_000).map((m) => m.id));
    graph.addGroup(stableGuid('circle'), members.slice(0, 1_200).map((m) => m.id), [inner]);
    const port = portFor(graph);
    const read = await port.groupMembers(stableGuid('circle'));
    expect(read.map((u) => u.id).sort()).toEqual(members.map((m) => m.id).sort());
    expect(graph.calls.filter((c) => c.path.includes('/transitiveMembers/')).length).toBe(3);
  });

  it('answers notFound for an unknown group', async () => {
    const err = await rejection(portFor(graph).groupMembers(stableGuid('no-group')));
    expect(err).toMatchObject({ kind: 'notFound', code: 'Request_ResourceNotFound' });
  });
});

describe('meetings and mail', () => {
  const input = {
    transactionId: 'circle:m-1',
    subject: 'Arbeitskreis Integration',
    bodyText: 'Tagesordnung:\n1. <Bericht>',
    start: '2031-03-04T09:00:00Z',
    end: '2031-03-04T10:30:00Z',
    timeZone: 'Europe/Berlin',
    location: 'Raum 101',
    attendees: [erika.mail, max.mail],
  };

  it('creates the Teams meeting once per transactionId, moves and cancels it', async () => {
    const port = portFor(graph);
    // Looked up before any create (a cancellation does that): none, and the look-up makes none.
    await expect(port.findMeetingEvent(kfi.upn, 'circle:m-1')).resolves.toBeUndefined();
    expect(graph.events).toHaveLength(0);
    const first = await port.upsertMeetingEvent(kfi.upn, input);
    expect(first.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\//);
    await expect(port.findMeetingEvent(kfi.upn, 'circle:m-1')).resolves.toBe(first.eventId);
    const repeated = await port.upsertMeetingEvent(kfi.upn, input);
    expect(repeated).toEqual(first);
    expect(graph.events).toHaveLength(1);
    expect(graph.events[0]).toMatchObject({ start: { dateTime: '2031-03-04T10:00:00', timeZone: 'Europe/Berlin' }, attendees: [erika.mail, max.mail], isOnlineMeeting: true });
    expect(graph.events[0]?.bodyContent).toContain('&lt;Bericht&gt;');
    const moved = await port.upsertMeetingEvent(kfi.upn, { ...input, start: '2031-03-05T09:00:00Z', end: '2031-03-05T10:00:00Z' }, first.eventId);
    expect(moved).toEqual(first);
    expect(graph.events[0]).toMatchObject({ start: { dateTime: '2031-03-05T10:00:00' }, updates: 1 });
    await port.cancelMeetingEvent(kfi.upn, first.eventId, 'Abgesagt: Krankheit');
    expect(graph.events[0]).toMatchObject({ cancelled: true, cancelComment: 'Abgesagt: Krankheit' });
    await expect(port.findMeetingEvent(kfi.upn, 'circle:m-1')).resolves.toBeUndefined();
    await expect(port.cancelMeetingEvent(kfi.upn, first.eventId, 'noch einmal')).resolves.toBeUndefined();
  });

  it('sends mail from the mailbox', async () => {
    const port = portFor(graph);
    await port.sendMail(kfi.upn, { to: [erika.mail], subject: 'Vortrag nicht zustellbar', bodyText: 'Bitte …' });
    expect(graph.sentMail).toEqual([{ from: kfi.upn, to: [erika.mail], subject: 'Vortrag nicht zustellbar', bodyContent: 'Bitte …', contentType: 'Text', saveToSentItems: true }]);
  });

  it('answers notFound for a mailbox that does not exist', async () => {
    const err = await rejection(portFor(graph).sendMail('weg@bezreg.example', { to: [erika.mail], subject: 's', bodyText: 'b' }));
    expect(err).toMatchObject({ kind: 'notFound', code: 'ErrorInvalidUser' });
  });
});
