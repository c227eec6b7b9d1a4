import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../bot/config';
import { createGraphPort } from '../../bot/graph';
import { AuditLog, type AuditEntry } from '../../services/audit/auditLog';
import { DirectoryRepository, type DirectoryDoc } from '../../services/directory/directoryRepository';
import { GroupRoles, roleGroupIds } from '../../services/directory/groupRoles';
import type { Directory } from '../../services/directory/model';
import { teamsIdentitiesOf } from '../../services/directory/resolveIdentities';
import { rolesOf } from '../../services/directory/roles';
import { silentLogger } from '../../services/logging';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { startEmbeddedCosmos } from '../../services/storage/embeddedCosmos';
import type { ItemDoc } from '../../services/requests/model';
import { FakeClock } from '../support/fakeClock';
import { startGraphStandIn, stableGuid, type GraphStandIn } from '../support/graphStandIn';
import { startTestApp } from '../support/testApp';

/**
 * People by name and roles from groups with the real Graph adapter against the Graph stand-in (loopback HTTPS):
 * `npm run directory:import` as a process, and group membership read through Graph with the cache lifetime.
 */

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'scripts', 'directoryImport.js');
const demo = JSON.parse(readFileSync(path.join(root, 'data', 'demo-directory.json'), 'utf8'));

/** The demo directory as an administrator writes it: people by UPN, no object ids. */
function byNameOnly(): typeof demo {
  const file = structuredClone(demo);
  for (const { teams } of teamsIdentitiesOf(file)) delete teams.aadObjectId;
  return file;
}

describe('directory import with Microsoft Graph', () => {
  let cosmos: Awaited<ReturnType<typeof startEmbeddedCosmos>>;
  let graph: GraphStandIn;
  let db: AppDatabase;
  let repo: DirectoryRepository;
  const dir = mkdtempSync(path.join(tmpdir(), 'lotse-graph-import-'));
  const file = (name: string, content: unknown) => {
    const p = path.join(dir, name);
    writeFileSync(p, JSON.stringify(content, null, 1));
    return p;
  };
  // Asynchronous: the database and Graph stand-ins run in this test process and must keep answering.
  const run = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, ...args], {
        cwd: root,
        env: { PATH: process.env.PATH, COSMOS_ENDPOINT: cosmos.endpoint, COSMOS_CERT_SHA256: cosmos.certificateSha256, COSMOS_DATABASE: 'graph-import-test', ...graph.env() },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  beforeAll(async () => {
    cosmos = await startEmbeddedCosmos();
    graph = await startGraphStandIn({ permissions: ['User.Read.All', 'GroupMember.Read.All'] });
    // The tenant knows every demo person under the demo's object id.
    for (const { teams } of teamsIdentitiesOf(demo)) graph.addUser({ id: teams.aadObjectId!, upn: teams.upn });
    db = await openDatabase({ endpoint: cosmos.endpoint, certificateSha256: cosmos.certificateSha256, databaseId: 'graph-import-test' });
    repo = new DirectoryRepository(db.store<DirectoryDoc>(CONTAINERS.directory), new AuditLog(db.store<AuditEntry>(CONTAINERS.audit)));
  });
  afterAll(async () => {
    await db.close();
    await graph.close();
    await cosmos.close();
  });

  it('refuses a file with one unknown UPN whole, with a line naming it, and writes nothing', async () => {
    const bad = byNameOnly();
    bad.authorities[3].headOffice.staff[0].teams.upn = 'unbekannt@bezreg-koeln.example';
    const res = await run(file('unknown.json', bad));
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/abgelehnt, nichts wurde geschrieben/);
    const lines = res.stderr.split('\n').filter((l) => l.startsWith('  '));
    expect(lines).toEqual([
      '  /authorities/3/headOffice/staff/0/teams/upn: „unbekannt@bezreg-koeln.example“ ist in Microsoft Entra ID nicht bekannt / "unbekannt@bezreg-koeln.example" was not found in Microsoft Entra ID',
    ]);
    expect(await repo.load()).toBeUndefined();
  });

  it('imports a file naming people by UPN with every object id filled in', async () => {
    const res = await run(file('names.json', byNameOnly()));
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/Name\(n\) über Microsoft Graph aufgelöst/);
    const stored = await repo.load();
    expect(teamsIdentitiesOf(stored!)).toEqual(teamsIdentitiesOf(demo));
    // The names went to Graph in batches.
    expect(graph.calls.some((c) => c.path.endsWith('/$batch'))).toBe(true);
  });
});

describe('roles from Entra groups through Graph', () => {
  let graph: GraphStandIn;
  const directory = demo as Directory;
  const officeGroup = stableGuid('koeln-office-group');
  const alice = { id: stableGuid('alice'), upn: 'alice@bezreg-koeln.example', displayName: 'Alice Vorzimmer' };
  const bob = { id: stableGuid('bob'), upn: 'bob@bezreg-koeln.example', displayName: 'Bob Vorzimmer' };

  beforeAll(async () => {
    // User.Read.All as well: Graph names the members (with GroupMember.Read.All alone it gives their ids only, below).
    graph = await startGraphStandIn({ permissions: ['GroupMember.Read.All', 'User.Read.All'] });
    graph.addUser(alice);
    graph.addUser(bob);
  });
  afterAll(async () => {
    await graph.close();
  });

  it('a membership change takes effect within the cache lifetime (GRAPH_GROUP_CACHE_SECONDS), without a restart', async () => {
    const config = loadConfig({ ...graph.env(), GRAPH_GROUP_HEAD_OFFICE_KOELN: officeGroup, GRAPH_GROUP_CACHE_SECONDS: '60' }).graph!;
    const nested = stableGuid('koeln-office-nested');
    graph.addGroup(nested, [bob.id]);
    graph.addGroup(officeGroup, [alice.id]);
    const clock = new FakeClock();
    const roles = new GroupRoles({
      graph: createGraphPort(config, { logger: silentLogger }),
      groupIds: () => roleGroupIds(config.groups, directory),
      cacheMs: config.groupCacheMs,
      now: () => clock.now(),
      logger: silentLogger,
    });
    await roles.refreshIfStale();
    expect(rolesOf(directory, alice.id, roles.snapshot()).headOfficeOf).toEqual(['koeln']);
    expect(rolesOf(directory, bob.id, roles.snapshot()).headOfficeOf).toEqual([]);

    // Bob joins through a nested group (transitive membership), Alice leaves.
    graph.setGroupMembers(officeGroup, [], [nested]);
    await clock.advance(59_000);
    await roles.refreshIfStale();
    expect(rolesOf(directory, alice.id, roles.snapshot()).headOfficeOf).toEqual(['koeln']);

    await clock.advance(1_000);
    await roles.refreshIfStale();
    expect(rolesOf(directory, alice.id, roles.snapshot()).headOfficeOf).toEqual([]);
    expect(rolesOf(directory, bob.id, roles.snapshot()).headOfficeOf).toEqual(['koeln']);
    expect(roles.snapshot().names.get(bob.id)).toBe('Bob Vorzimmer');
  });

  it('with GroupMember.Read.All alone the roles hold but the names are unknown (Graph gives ids only), and the administrator is told once which permission is missing', async () => {
    // https://learn.microsoft.com/graph/permissions-overview#limited-information-returned-for-inaccessible-member-objects
    graph.revoke('User.Read.All');
    try {
      const group = stableGuid('koeln-office-limited');
      graph.addGroup(group, [alice.id, bob.id]);
      const config = loadConfig({ ...graph.env(), GRAPH_GROUP_HEAD_OFFICE_KOELN: group, GRAPH_GROUP_CACHE_SECONDS: '60' }).graph!;
      const warnings: Array<Record<string, unknown>> = [];
      const logger = { ...silentLogger, warn: (obj: Record<string, unknown>) => void warnings.push(obj) };
      const clock = new FakeClock();
      const roles = new GroupRoles({ graph: createGraphPort(config, { logger: silentLogger }), groupIds: () => roleGroupIds(config.groups, directory), cacheMs: config.groupCacheMs, now: () => clock.now(), logger });
      await roles.refreshIfStale();
      expect(rolesOf(directory, alice.id, roles.snapshot()).headOfficeOf).toEqual(['koeln']);
      expect(rolesOf(directory, bob.id, roles.snapshot()).headOfficeOf).toEqual(['koeln']);
      expect(roles.snapshot().names.size).toBe(0);
      expect(warnings).toEqual([{ event: 'graph.members_limited', groupId: group, limited: 2, missing: 'User.Read.All' }]);
      await clock.advance(60_000);
      await roles.refreshIfStale();
      expect(graph.calls.filter((c) => c.path.includes(`/groups/${group}/`)).map((c) => c.status)).toEqual([200, 200]);
      expect(warnings).toHaveLength(1);
    } finally {
      graph.grant('User.Read.All');
    }
  });
});

describe('the running app with role groups', () => {
  it('reads the groups at start with GroupMember.Read.All alone: a circle group member is in the circle (without a name), a head office group member receives the Vortrag', async () => {
    const graph = await startGraphStandIn({ permissions: ['GroupMember.Read.All'] });
    const circleGroup = stableGuid('circle-group');
    const officeGroup = stableGuid('koeln-office-group');
    const carla = { id: stableGuid('carla'), upn: 'carla@bezreg-koeln.example', displayName: 'Carla Kreis' };
    const dora = { id: stableGuid('dora'), upn: 'dora@bezreg-koeln.example', displayName: 'Dora Vorzimmer' };
    graph.addUser(carla);
    graph.addUser(dora);
    graph.addGroup(circleGroup, [carla.id]);
    graph.addGroup(officeGroup, [dora.id]);
    const app = await startTestApp({ ...graph.env(), GRAPH_GROUP_CIRCLE_MEMBERS: circleGroup, GRAPH_GROUP_HEAD_OFFICE_KOELN: officeGroup });
    try {
      // GroupMember.Read.All alone: Graph gives Carla's id only; her name is unknown, never shown as the id
      // (the cards say "eine Person ohne bekannten Namen"; fixture circle.poll.kfi.unnamedMember).
      expect((await app.circle.members()).find((m) => m.aadObjectId === carla.id)).toEqual({ aadObjectId: carla.id, name: '', role: 'guest' });
      const report = { kind: 'report', authority: 'koeln', createdBy: { aadObjectId: '00000000-0000-4000-8000-000400000001' } } as ItemDoc;
      expect(app.requests.audienceOf(report)).toContain(dora.id);
      expect(app.requests.rolesFor(dora.id, report)).toMatchObject({ headSide: true });
      expect(app.requests.rolesFor(carla.id, report)).toMatchObject({ headSide: false });
      expect(graph.calls.filter((c) => c.path.includes('/transitiveMembers')).map((c) => c.status)).toEqual([200, 200]);
    } finally {
      await app.stop();
      await graph.close();
    }
  });
});
