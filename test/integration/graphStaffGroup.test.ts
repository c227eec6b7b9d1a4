import { loadConfig } from '../../bot/config';
import { createGraphPort } from '../../bot/graph';
import type { GraphPort } from '../../services/graph/graphPort';
import { silentLogger } from '../../services/logging';
import { startGraphStandIn, stableGuid, type GraphStandIn } from '../support/graphStandIn';

/**
 * The staff group read for information posts (issue 17) by the real Graph adapter against the Graph stand-in:
 * `GET /groups/{id}/transitiveMembers/microsoft.graph.user?$select=id,displayName,department`, every page through
 * `@odata.nextLink` (Graph's pages hold at most 999), a 429 waited out (Retry-After), `department` only with
 * User.Read.All, and with GroupMember.Read.All alone each member's id only (marked `limited`).
 */

jest.setTimeout(60_000);

let graph: GraphStandIn;
const GROUP = stableGuid('staff-group');
const people = Array.from({ length: 1203 }, (_, i) => ({ id: stableGuid(`staff-${i}`), upn: `staff${i}@bezreg-koeln.example`, displayName: `Person ${i}`, department: `Abteilung ${i % 7}` }));

function portFor(stand: GraphStandIn): GraphPort {
  const config = loadConfig({ ...stand.env() }).graph;
  if (!config) throw new Error('GRAPH_ENABLED did not turn Graph on');
  return createGraphPort(config, { logger: silentLogger, teamsAppId: stand.catalogApp.externalId });
}

beforeEach(async () => {
  graph = await startGraphStandIn({ permissions: ['GroupMember.Read.All', 'User.Read.All'] });
  for (const p of people) graph.addUser(p);
  graph.addGroup(GROUP, people.map((p) => p.id));
});
afterEach(async () => {
  await graph.close();
});

it('reads all 1203 members with their departments over two pages, selecting id, displayName and department', async () => {
  const members = await portFor(graph).groupMembers(GROUP, { department: true });
  expect(members).toHaveLength(1203);
  expect(members.find((m) => m.id === people[8]!.id)).toEqual({ id: people[8]!.id, displayName: 'Person 8', department: 'Abteilung 1' });
  const reads = graph.calls.filter((c) => c.path.includes('/transitiveMembers'));
  expect(reads.map((c) => c.status)).toEqual([200, 200]);
  expect(decodeURIComponent(reads[0]!.query)).toContain('$select=id,displayName,department');
  expect(decodeURIComponent(reads[1]!.query)).toContain('$skiptoken=');
});

it('waits out a 429 (Retry-After) and then reads every page', async () => {
  graph.throttle({ next: 1, match: '/transitiveMembers', retryAfterSeconds: 1 });
  const members = await portFor(graph).groupMembers(GROUP, { department: true });
  expect(members).toHaveLength(1203);
  const reads = graph.calls.filter((c) => c.path.includes('/transitiveMembers'));
  expect(reads.map((c) => c.status)).toEqual([429, 200, 200]);
});

it('gives every member with its id only to an app with GroupMember.Read.All alone (limited information: names and departments null), never a refusal', async () => {
  // https://learn.microsoft.com/graph/permissions-overview#limited-information-returned-for-inaccessible-member-objects
  graph.revoke('User.Read.All');
  const members = await portFor(graph).groupMembers(GROUP, { department: true });
  expect(members).toHaveLength(1203);
  expect(members.find((m) => m.id === people[8]!.id)).toEqual({ id: people[8]!.id, limited: true });
  expect(members.filter((m) => m.department || m.displayName || !m.limited)).toEqual([]);
});

it('gives names but no departments with User.ReadBasic.All (the basic profile), and those members are not marked limited', async () => {
  graph.revoke('User.Read.All');
  graph.grant('User.ReadBasic.All');
  const members = await portFor(graph).groupMembers(GROUP, { department: true });
  expect(members).toHaveLength(1203);
  expect(members.find((m) => m.id === people[8]!.id)).toEqual({ id: people[8]!.id, displayName: 'Person 8' });
  expect(members.filter((m) => m.department || m.limited)).toEqual([]);
});
