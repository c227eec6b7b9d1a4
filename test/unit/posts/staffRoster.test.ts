import { GraphError, type GraphUser } from '../../../services/graph/graphPort';
import { silentLogger } from '../../../services/logging';
import { departmentsOf, StaffRoster } from '../../../services/posts/staffRoster';

/** The staff of an authority from its Entra staff group: departments in German order, the composer's copy and fresh reads. */
describe('departmentsOf', () => {
  it('lists each department once, in German collation (Ä with A, case ignored, numbers by value), with counts', () => {
    const members = [
      { id: '1', department: 'Zentrale Dienste' },
      { id: '2', department: 'Ärztliche Prüfstelle' },
      { id: '3', department: 'Abteilung 10' },
      { id: '4', department: 'Abteilung 2' },
      { id: '5', department: 'Abteilung 2' },
      { id: '6', department: 'amt für Statistik' },
      { id: '7' },
    ];
    expect(departmentsOf(members)).toEqual([
      { name: 'Abteilung 2', count: 2 },
      { name: 'Abteilung 10', count: 1 },
      { name: 'amt für Statistik', count: 1 },
      { name: 'Ärztliche Prüfstelle', count: 1 },
      { name: 'Zentrale Dienste', count: 1 },
    ]);
  });

  it('is empty when nobody has a department', () => {
    expect(departmentsOf([{ id: '1' }, { id: '2' }])).toEqual([]);
  });
});

describe('StaffRoster', () => {
  const GROUP = '11111111-2222-4333-8444-555555555555';
  function roster(answers: Array<GraphUser[] | GraphError>) {
    let now = 0;
    const calls: Array<{ groupId: string; options?: { department?: boolean } }> = [];
    const graph = {
      groupMembers: async (groupId: string, options?: { department?: boolean }) => {
        calls.push({ groupId, ...(options ? { options } : {}) });
        const next = answers.shift();
        if (!next) throw new Error('unexpected call');
        if (next instanceof GraphError) throw next;
        return next;
      },
    };
    const r = new StaffRoster({ graph, groups: { koeln: GROUP }, cacheMs: 300_000, now: () => now, logger: silentLogger });
    return { r, calls, advance: (ms: number) => (now += ms) };
  }

  it('reads the staff group with departments, reuses the copy within the cache lifetime, and reads again after it', async () => {
    const { r, calls, advance } = roster([[{ id: 'a', displayName: 'Anna', department: 'Abteilung 2' }], [{ id: 'a', department: 'Abteilung 5' }]]);
    expect(r.configured('koeln')).toBe(true);
    expect(r.configured('muenster')).toBe(false);
    expect(await r.members('koeln')).toEqual([{ id: 'a', name: 'Anna', department: 'Abteilung 2' }]);
    expect(await r.members('koeln')).toEqual([{ id: 'a', name: 'Anna', department: 'Abteilung 2' }]);
    expect(calls).toEqual([{ groupId: GROUP, options: { department: true } }]);
    advance(300_000);
    expect(await r.members('koeln')).toEqual([{ id: 'a', department: 'Abteilung 5' }]);
    expect(calls).toHaveLength(2);
  });

  it('keeps that Graph listed a member with the id only (limited: no User.Read.All), and tells the administrator once while it lasts', async () => {
    const warnings: Array<Record<string, unknown>> = [];
    const answers: GraphUser[][] = [
      [{ id: 'a', limited: true }, { id: 'b', displayName: 'Bert', department: 'Abteilung 2' }],
      [{ id: 'a', limited: true }],
      [{ id: 'a', displayName: 'Anna' }],
      [{ id: 'a', limited: true }],
    ];
    const graph = { groupMembers: async () => answers.shift() ?? [] };
    const r = new StaffRoster({ graph, groups: { koeln: GROUP }, cacheMs: 300_000, now: () => 0, logger: { ...silentLogger, warn: (obj) => void warnings.push(obj) } });
    expect(await r.members('koeln', { fresh: true })).toEqual([{ id: 'a', limited: true }, { id: 'b', name: 'Bert', department: 'Abteilung 2' }]);
    await r.members('koeln', { fresh: true });
    expect(warnings).toEqual([{ event: 'graph.members_limited', authority: 'koeln', limited: 1, missing: 'User.Read.All' }]);
    await r.members('koeln', { fresh: true });
    await r.members('koeln', { fresh: true });
    expect(warnings).toHaveLength(2);
  });

  it('reads afresh when asked to, whatever the copy', async () => {
    const { r, calls } = roster([[{ id: 'a', department: 'X' }], [{ id: 'a', department: 'Y' }]]);
    await r.members('koeln');
    expect(await r.members('koeln', { fresh: true })).toEqual([{ id: 'a', department: 'Y' }]);
    expect(calls).toHaveLength(2);
  });

  it("asks Graph once for concurrent readers, and not at all for an authority without a staff group", async () => {
    const { r, calls } = roster([[{ id: 'a' }]]);
    const [one, two, none] = await Promise.all([r.members('koeln'), r.members('koeln'), r.members('muenster')]);
    expect(one).toEqual([{ id: 'a' }]);
    expect(two).toBe(one);
    expect(none).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it("passes Graph's error on and keeps no copy of a failed read", async () => {
    const { r, calls } = roster([new GraphError('TooManyRequests', 'throttled', 429, 60_000), [{ id: 'a' }]]);
    await expect(r.members('koeln')).rejects.toMatchObject({ kind: 'throttled' });
    expect(await r.members('koeln')).toEqual([{ id: 'a' }]);
    expect(calls).toHaveLength(2);
  });
});
