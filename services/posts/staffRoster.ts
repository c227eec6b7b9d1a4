/**
 * The staff of an authority as Entra ID knows them (issue 17, the audience of information posts): the transitive
 * members of one configured Entra group per authority (GRAPH_GROUP_STAFF_<AUTHORITY>), each with their Entra
 * `department`, read through Microsoft Graph (`GET /groups/{id}/transitiveMembers/microsoft.graph.user
 * ?$select=id,displayName,department`, every page; GroupMember.Read.All, and User.Read.All for the departments).
 *
 * The composer shows the departments from a copy at most `cacheMs` old; sending (and the preview's count) reads the
 * group afresh, so a department that disappeared since the composer was opened is refused, never silently empty.
 * Nothing of it is stored: ids and departments live in memory for the cache lifetime and in the sent post's
 * recipient list only.
 */
import type { AuthorityCode } from '../directory/model';
import type { GraphPort } from '../graph/graphPort';
import type { Logger } from '../logging';

/** One member of staff. */
export interface StaffMember {
  /** Entra object id, lower case. */
  id: string;
  name?: string;
  department?: string;
  /** Graph gave only the id (the app may not read users: User.Read.All missing); name and department unknown. */
  limited?: true;
}

/** A department found among an authority's staff, with how many members it has. */
export interface DepartmentCount {
  name: string;
  count: number;
}

export interface StaffRosterDeps {
  graph: Pick<GraphPort, 'groupMembers'>;
  /** The staff group of each authority (object ids); an authority without one has no roster. */
  groups: Readonly<Partial<Record<AuthorityCode, string>>>;
  /** How long the composer's copy is reused (GRAPH_GROUP_CACHE_SECONDS). */
  cacheMs: number;
  now: () => number;
  logger: Logger;
}

/** Germans sort „Ämter“ under A and ignore case: the composer's order. */
const COLLATOR = new Intl.Collator('de', { sensitivity: 'base', numeric: true });

/** The departments among `members`: distinct (exact spelling, trimmed), sorted in German collation, with counts. */
export function departmentsOf(members: readonly StaffMember[]): DepartmentCount[] {
  const counts = new Map<string, number>();
  for (const m of members) if (m.department) counts.set(m.department, (counts.get(m.department) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => COLLATOR.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The staff of each authority with a configured staff group, through Graph. */
export class StaffRoster {
  private readonly cache = new Map<AuthorityCode, { members: StaffMember[]; at: number }>();
  private readonly inFlight = new Map<AuthorityCode, Promise<StaffMember[]>>();
  /** Authorities whose staff Graph listed with ids only, already logged (graph.members_limited). */
  private readonly limitedTold = new Set<AuthorityCode>();

  constructor(private readonly deps: StaffRosterDeps) {}

  /** Whether the authority's staff come from Entra (a staff group is configured). */
  configured(code: AuthorityCode): boolean {
    return !!this.deps.groups[code];
  }

  /**
   * The authority's staff: the cached copy while it is younger than the cache lifetime, else (and with `fresh`) read
   * from Graph now. Rejects with Graph's error (a `GraphError`) when the group cannot be read.
   */
  async members(code: AuthorityCode, options: { fresh?: boolean } = {}): Promise<StaffMember[]> {
    const groupId = this.deps.groups[code];
    if (!groupId) return [];
    const cached = this.cache.get(code);
    if (!options.fresh && cached && this.deps.now() - cached.at < this.deps.cacheMs) return cached.members;
    const running = this.inFlight.get(code);
    if (running && !options.fresh) return running;
    const load = this.deps.graph
      .groupMembers(groupId, { department: true })
      .then((users) => {
        const members: StaffMember[] = users.map((u) => ({
          id: u.id,
          ...(u.displayName ? { name: u.displayName } : {}),
          ...(u.department ? { department: u.department } : {}),
          ...(u.limited ? { limited: true as const } : {}),
        }));
        this.cache.set(code, { members, at: this.deps.now() });
        const limited = members.filter((m) => m.limited).length;
        this.deps.logger.info({ event: 'posts.staff_loaded', authority: code, members: members.length, withDepartment: members.filter((m) => m.department).length, limited }, 'staff group read');
        // Told once while it lasts (each authority), not at every read.
        if (!limited) this.limitedTold.delete(code);
        else if (!this.limitedTold.has(code)) {
          this.limitedTold.add(code);
          this.deps.logger.warn(
            { event: 'graph.members_limited', authority: code, limited, missing: 'User.Read.All' },
            'Graph listed staff group members without names or departments: the app lacks User.Read.All',
          );
        }
        return members;
      })
      .finally(() => {
        if (this.inFlight.get(code) === load) this.inFlight.delete(code);
      });
    this.inFlight.set(code, load);
    return load;
  }
}
