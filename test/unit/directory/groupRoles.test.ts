import { readFileSync } from 'node:fs';
import { GroupRoles, isDirectoryAdmin, roleGroupIds, type RoleGroupIds } from '../../../services/directory/groupRoles';
import type { Directory } from '../../../services/directory/model';
import { isHeadSide, reportRecipients, rolesOf } from '../../../services/directory/roles';
import { parseDirectory } from '../../../services/directory/validate';
import { GraphError } from '../../../services/graph/graphPort';
import type { Logger } from '../../../services/logging';
import { dataFile } from '../../../services/paths';
import { FakeClock } from '../../support/fakeClock';
import { FakeGraph } from '../../support/fakeGraph';

function demo(): Directory {
  const result = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.directory;
}

const KFI_GROUP = 'aaaaaaaa-0000-4000-8000-00000000000a';
const KOELN_OFFICE_GROUP = 'bbbbbbbb-0000-4000-8000-00000000000b';
const CIRCLE_GROUP = 'cccccccc-0000-4000-8000-00000000000c';
const ADMINS_GROUP = 'dddddddd-0000-4000-8000-00000000000d';
const ANNA = 'a0000000-0000-4000-8000-0000000000a1';
const BERND = 'b0000000-0000-4000-8000-0000000000b1';

function recordingLogger(): Logger & { warnings: Array<Record<string, unknown>> } {
  const warnings: Array<Record<string, unknown>> = [];
  const logger = { warnings, info: () => undefined, debug: () => undefined, error: () => undefined, warn: (o: Record<string, unknown>) => void warnings.push(o), child: () => logger };
  return logger;
}

describe('roles from Entra groups', () => {
  const directory = demo();
  const koeln = directory.authorities.find((a) => a.code === 'koeln')!;
  const CACHE_MS = 300_000;
  const ids: RoleGroupIds = { kfi: KFI_GROUP, circleMembers: CIRCLE_GROUP, directoryAdmins: ADMINS_GROUP, headOffice: { koeln: KOELN_OFFICE_GROUP } };

  function setup() {
    // The four role groups exist, empty until a test puts members in.
    const graph = new FakeGraph({ features: ['groups'] });
    for (const id of [KFI_GROUP, KOELN_OFFICE_GROUP, CIRCLE_GROUP, ADMINS_GROUP]) graph.setGroup(id, []);
    const clock = new FakeClock();
    const logger = recordingLogger();
    const roles = new GroupRoles({ graph, groupIds: () => ids, cacheMs: CACHE_MS, now: () => clock.now(), logger });
    return { graph, clock, logger, roles };
  }

  it('gives a group member the role: KfI, head office staff of that authority, circle member, directory admin', async () => {
    const { graph, roles } = setup();
    graph.setGroup(KFI_GROUP, [{ id: ANNA.toUpperCase(), displayName: 'Anna Gruppe' }]);
    graph.setGroup(KOELN_OFFICE_GROUP, [{ id: BERND }]);
    graph.setGroup(CIRCLE_GROUP, [{ id: BERND }]);
    graph.setGroup(ADMINS_GROUP, [{ id: ANNA }]);
    await roles.refreshIfStale();
    const groups = roles.snapshot();

    expect(rolesOf(directory, ANNA, groups)).toMatchObject({ kfi: true, headOfficeOf: [], circleMember: false });
    const bernd = rolesOf(directory, BERND, groups);
    expect(bernd).toMatchObject({ kfi: false, headOfficeOf: ['koeln'], circleMember: true });
    expect(isHeadSide(bernd, koeln)).toBe(true);
    expect(isDirectoryAdmin(ANNA, [], groups)).toBe(true);
    expect(isDirectoryAdmin(BERND, [], groups)).toBe(false);
    expect(groups.names.get(ANNA)).toBe('Anna Gruppe');
    // Reports reach the office's group members by object id, after the head and the listed staff.
    expect(reportRecipients(koeln, groups)).toEqual([koeln.head.teams!.aadObjectId, koeln.headOffice.staff![0]!.teams!.aadObjectId, BERND]);
    // Without the snapshot, roles are what the directory says, as before.
    expect(rolesOf(directory, BERND)).toMatchObject({ headOfficeOf: [], circleMember: false });
  });

  it('does not hand reports to the office group where the office does not receive them', async () => {
    const { graph, roles } = setup();
    graph.setGroup(KOELN_OFFICE_GROUP, [{ id: BERND }]);
    await roles.refreshIfStale();
    const quiet = { ...koeln, headOffice: { ...koeln.headOffice, receivesReports: false } };
    expect(reportRecipients(quiet, roles.snapshot())).toEqual([koeln.head.teams!.aadObjectId]);
    expect(isHeadSide(rolesOf(directory, BERND, roles.snapshot()), quiet)).toBe(false);
  });

  it('shows a membership change once the cache lifetime has passed, and not before', async () => {
    const { graph, clock, roles } = setup();
    graph.setGroup(KFI_GROUP, [{ id: ANNA }]);
    await roles.refreshIfStale();
    expect(roles.snapshot().kfi.has(ANNA)).toBe(true);
    const loads = graph.callsTo('groupMembers').length;

    // Anna leaves the group, Bernd joins it.
    graph.setGroup(KFI_GROUP, [{ id: BERND }]);
    await clock.advance(CACHE_MS - 1);
    await roles.refreshIfStale();
    expect(graph.callsTo('groupMembers')).toHaveLength(loads);
    expect(rolesOf(directory, ANNA, roles.snapshot()).kfi).toBe(true);
    expect(rolesOf(directory, BERND, roles.snapshot()).kfi).toBe(false);

    await clock.advance(1);
    // The snapshot never waits: the reload it starts shows on completion.
    const before = roles.snapshot();
    expect(before.kfi.has(ANNA)).toBe(true);
    await roles.refreshIfStale();
    expect(graph.callsTo('groupMembers').length).toBeGreaterThan(loads);
    const after = roles.snapshot();
    expect(after).not.toBe(before);
    expect(rolesOf(directory, ANNA, after).kfi).toBe(false);
    expect(rolesOf(directory, BERND, after).kfi).toBe(true);
  });

  it('keeps the same snapshot object while nothing changes', async () => {
    const { graph, clock, roles } = setup();
    graph.setGroup(CIRCLE_GROUP, [{ id: ANNA }]);
    await roles.refreshIfStale();
    const first = roles.snapshot();
    await clock.advance(CACHE_MS);
    await roles.refreshIfStale();
    expect(roles.snapshot()).toBe(first);
  });

  it('keeps the last good members when Graph fails, and warns once with the code only', async () => {
    const { graph, clock, logger, roles } = setup();
    graph.setGroup(KFI_GROUP, [{ id: ANNA, displayName: 'Anna Gruppe' }]);
    await roles.refreshIfStale();
    graph.failEvery('groupMembers', new GraphError('Authorization_RequestDenied', 'forbidden', 403));
    await clock.advance(CACHE_MS);
    await roles.refreshIfStale();
    expect(roles.snapshot().kfi.has(ANNA)).toBe(true);
    const kfiWarnings = logger.warnings.filter((w) => w.groupId === KFI_GROUP);
    expect(kfiWarnings).toEqual([{ event: 'graph.group_failed', groupId: KFI_GROUP, code: 'Authorization_RequestDenied', kept: 1 }]);
    await clock.advance(CACHE_MS);
    await roles.refreshIfStale();
    expect(logger.warnings.filter((w) => w.groupId === KFI_GROUP)).toHaveLength(1);
    // Recovered: the next read after the retry delay counts again.
    graph.failEvery('groupMembers', undefined);
    graph.setGroup(KFI_GROUP, []);
    await clock.advance(CACHE_MS);
    await roles.refreshIfStale();
    expect(roles.snapshot().kfi.has(ANNA)).toBe(false);
  });

  it('takes group ids from the directory file where the configuration has none; the configuration wins', () => {
    const withGroups: Directory = {
      ...directory,
      adminsGroup: ADMINS_GROUP,
      kfi: { ...directory.kfi, group: KFI_GROUP.toUpperCase() },
      circle: { ...directory.circle, membersGroup: CIRCLE_GROUP },
      authorities: directory.authorities.map((a) => (a.code === 'koeln' ? { ...a, headOffice: { ...a.headOffice, group: KOELN_OFFICE_GROUP } } : a)),
    };
    const configuredKfi = 'eeeeeeee-0000-4000-8000-00000000000e';
    expect(roleGroupIds({ kfi: configuredKfi, headOffice: {} }, withGroups)).toEqual({
      kfi: configuredKfi,
      directoryAdmins: ADMINS_GROUP,
      circleMembers: CIRCLE_GROUP,
      headOffice: { koeln: KOELN_OFFICE_GROUP },
    });
    expect(roleGroupIds(undefined, directory)).toEqual({ kfi: undefined, directoryAdmins: undefined, circleMembers: undefined, headOffice: {} });
  });
});
