import { readFileSync } from 'node:fs';
import { GraphError, type GraphFeature, type GraphUser } from '../../../services/graph/graphPort';
import type { DirectoryFile } from '../../../services/directory/model';
import { resolveDirectoryIdentities, teamsIdentitiesOf } from '../../../services/directory/resolveIdentities';
import { parseDirectory, validateDirectory, validateDirectoryFile } from '../../../services/directory/validate';
import { dataFile } from '../../../services/paths';
import { FakeGraph } from '../../support/fakeGraph';

const demoJson = () => JSON.parse(readFileSync(dataFile('demo-directory.json'), 'utf8'));

/** A directory file as an administrator writes it: every Teams identity by UPN only. */
function namedOnly(): DirectoryFile {
  const json = demoJson();
  const checked = validateDirectoryFile(json);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  for (const { teams } of teamsIdentitiesOf(checked.file)) delete teams.aadObjectId;
  return checked.file;
}

/** The demo's people as Graph knows them, under their demo object ids. */
function demoUsers(): GraphUser[] {
  const demo = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
  if (!demo.ok) throw new Error('demo directory invalid');
  return teamsIdentitiesOf(demo.directory).map(({ teams }) => ({ id: teams.aadObjectId!, userPrincipalName: teams.upn }));
}

/** A tenant with the demo's people; `resolveUsers` calls are recorded. */
function demoTenant(features: GraphFeature[] = ['people']): FakeGraph {
  const graph = new FakeGraph({ features });
  for (const u of demoUsers()) graph.addUser(u);
  return graph;
}

/** What `resolveUsers` was asked, call by call. */
const asked = (graph: FakeGraph) => graph.callsTo('resolveUsers').map((c) => c.identifiers);

describe('people by name on directory import', () => {
  it('accepts a file naming people by UPN only, which the strict validation (what is stored) does not', () => {
    const file = namedOnly();
    expect(validateDirectoryFile(file).ok).toBe(true);
    const strict = validateDirectory(file);
    expect(strict.ok).toBe(false);
    if (!strict.ok) expect(strict.problems.map((p) => p.path)).toContain('/authorities/0/commissioner/teams/aadObjectId');
  });

  it('fills in every object id when all names are found', async () => {
    const graph = demoTenant();
    const result = await resolveDirectoryIdentities(namedOnly(), graph);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const expected = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
    if (!expected.ok) throw new Error('demo directory invalid');
    expect(result.directory).toEqual(expected.directory);
    expect(result.resolved).toBe(teamsIdentitiesOf(expected.directory).length);
    expect(result.verified).toBe(true);
    // One call with every name once: the port batches it.
    expect(asked(graph)).toHaveLength(1);
    expect(new Set(asked(graph)[0]).size).toBe(asked(graph)[0]!.length);
  });

  it('refuses the whole file when one name is unknown, naming its path in German and English', async () => {
    const file = namedOnly();
    file.authorities[3]!.head.teams!.upn = 'niemand@bezreg-koeln.example';
    const result = await resolveDirectoryIdentities(file, demoTenant());
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          path: '/authorities/3/head/teams/upn',
          code: 'notFound',
          reason: '„niemand@bezreg-koeln.example“ ist in Microsoft Entra ID nicht bekannt / "niemand@bezreg-koeln.example" was not found in Microsoft Entra ID',
        },
      ],
    });
  });

  it('refuses an object id that is not the one Graph gives for the name', async () => {
    const json = demoJson();
    json.kfi.contacts[0].teams.aadObjectId = '99999999-0000-4000-8000-000000000000';
    const checked = validateDirectoryFile(json);
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    const result = await resolveDirectoryIdentities(checked.file, demoTenant());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ path: '/kfi/contacts/0/teams/aadObjectId', code: 'idMismatch' });
    expect(result.problems[0]!.reason).toMatch(/^„99999999-0000-4000-8000-000000000000“ ist nicht die Objekt-ID .* \/ "99999999-.*" is not the object id/);
  });

  it('takes the demo directory (ids present) as it is without Graph, and refuses names without Graph', async () => {
    const demo = validateDirectoryFile(demoJson());
    if (!demo.ok) throw new Error('demo directory invalid');
    const offline = await resolveDirectoryIdentities(demo.file, undefined);
    expect(offline).toMatchObject({ ok: true, resolved: 0, verified: false });

    const file = namedOnly();
    const count = teamsIdentitiesOf(file).length;
    const noGraph = await resolveDirectoryIdentities(file, undefined);
    expect(noGraph.ok).toBe(false);
    if (!noGraph.ok) {
      expect(noGraph.problems).toHaveLength(count);
      expect(noGraph.problems[0]).toMatchObject({ path: '/authorities/0/commissioner/teams/upn', code: 'noGraph' });
      expect(noGraph.problems[0]!.reason).toMatch(/keine aadObjectId.*GRAPH_ENABLED.* \/ has no aadObjectId/);
    }
    const noPermission = await resolveDirectoryIdentities(file, demoTenant(['groups']));
    expect(noPermission.ok).toBe(false);
    if (!noPermission.ok) expect(noPermission.problems[0]!.reason).toMatch(/User\.Read\.All/);
  });

  it('refuses the file whole when Graph fails, with its error code', async () => {
    const graph = demoTenant();
    graph.failEvery('resolveUsers', new GraphError('TooManyRequests', 'throttled', 429, 5000));
    const result = await resolveDirectoryIdentities(namedOnly(), graph);
    expect(result).toMatchObject({ ok: false, problems: [{ path: '', code: 'graphFailed' }] });
    if (!result.ok) expect(result.problems[0]!.reason).toMatch(/TooManyRequests.*nichts wurde importiert/);
  });

  it('refuses two names that turn out to be one person', async () => {
    const file = namedOnly();
    const graph = demoTenant();
    // The deputy's address is an alias of the IB's account.
    const ib = demoUsers().find((u) => u.userPrincipalName!.toLowerCase() === file.authorities[0]!.commissioner!.teams!.upn.toLowerCase())!;
    graph.addUser(ib, file.authorities[0]!.deputy!.teams!.upn);
    const result = await resolveDirectoryIdentities(file, graph);
    expect(result).toMatchObject({ ok: false, problems: [{ path: '/authorities/0/deputy/teams/aadObjectId', code: 'invalid' }] });
  });
});
