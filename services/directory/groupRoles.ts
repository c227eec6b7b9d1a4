/**
 * Roles from Entra security groups (issue 15, item 4): the KfI, the directory administrators, each head's office and
 * the circle members may be groups whose (transitive) members are read through Microsoft Graph.
 *
 * Role checks are synchronous and run on every turn, so they never wait for Graph: {@link GroupRoles} keeps the last
 * loaded member sets as one immutable {@link GroupSnapshot}, which `rolesOf`, `reportRecipients`, the circle's member
 * list and the directory administrators take as an extra argument. Each group's members are cached for `cacheMs`
 * (GRAPH_GROUP_CACHE_SECONDS, default 300 s) and reloaded in the background once that has passed; a failed read keeps
 * the last good members and logs a warning with Graph's error code. Without Graph (or without any group id) there is
 * no GroupRoles at all, and roles come from the directory file alone, as before.
 *
 * Group ids come from the configuration (GRAPH_GROUP_*) or the directory file (`adminsGroup`, `kfi.group`,
 * `circle.membersGroup`, `headOffice.group`). Per role, the configuration wins: a configured id replaces the file's.
 */
import type { GraphPort } from '../graph/graphPort';
import type { Logger } from '../logging';
import { AUTHORITY_CODES, type AuthorityCode, type Directory } from './model';

/** The Entra group (object id) behind each role that can come from a group. */
export interface RoleGroupIds {
  readonly kfi?: string;
  readonly directoryAdmins?: string;
  readonly circleMembers?: string;
  readonly headOffice: Readonly<Partial<Record<AuthorityCode, string>>>;
}

/** The members (lower-case object ids) of each role's group, as last loaded. Empty sets where no group is set or loaded. */
export interface GroupSnapshot {
  readonly kfi: ReadonlySet<string>;
  readonly directoryAdmins: ReadonlySet<string>;
  readonly circleMembers: ReadonlySet<string>;
  readonly headOffice: Readonly<Partial<Record<AuthorityCode, ReadonlySet<string>>>>;
  /** Display names Graph gave, for members the directory does not list (the circle's member list shows them). */
  readonly names: ReadonlyMap<string, string>;
}

/** A snapshot with no members: what roles look like before the first load. */
export const EMPTY_GROUPS: GroupSnapshot = Object.freeze({
  kfi: new Set<string>(),
  directoryAdmins: new Set<string>(),
  circleMembers: new Set<string>(),
  headOffice: Object.freeze({}),
  names: new Map<string, string>(),
});

/** The group ids in force: the configured ones, and the directory file's for every role the configuration leaves open. */
export function roleGroupIds(configured: RoleGroupIds | undefined, directory: Directory | undefined): RoleGroupIds {
  const lower = (id: string | undefined) => id?.toLowerCase() || undefined;
  const headOffice: Partial<Record<AuthorityCode, string>> = {};
  for (const code of AUTHORITY_CODES) {
    const id = lower(configured?.headOffice[code]) ?? lower(directory?.authorities.find((a) => a.code === code)?.headOffice.group);
    if (id) headOffice[code] = id;
  }
  return {
    kfi: lower(configured?.kfi) ?? lower(directory?.kfi.group),
    directoryAdmins: lower(configured?.directoryAdmins) ?? lower(directory?.adminsGroup),
    circleMembers: lower(configured?.circleMembers) ?? lower(directory?.circle.membersGroup),
    headOffice,
  };
}

/** Whether any role has a group. */
export function hasRoleGroups(ids: RoleGroupIds): boolean {
  return !!(ids.kfi || ids.directoryAdmins || ids.circleMembers || Object.values(ids.headOffice).some(Boolean));
}

/** Whether the person is a directory administrator: listed in ADMIN_AAD_OBJECT_IDS, or a member of the administrators' group. */
export function isDirectoryAdmin(aadObjectId: string, configured: readonly string[], groups?: GroupSnapshot): boolean {
  const id = aadObjectId.toLowerCase();
  return configured.some((a) => a.toLowerCase() === id) || !!groups?.directoryAdmins.has(id);
}

export interface GroupRolesDeps {
  graph: Pick<GraphPort, 'groupMembers'>;
  /** The group ids in force now (they change with the directory): usually `roleGroupIds(config, directory())`. */
  groupIds: () => RoleGroupIds;
  /** How long a group's members are used before they are read again. */
  cacheMs: number;
  /** Epoch milliseconds (injected in tests). */
  now: () => number;
  logger: Logger;
}

interface CachedGroup {
  /** Object id → display name (or UPN; empty when Graph gave neither). */
  members: ReadonlyMap<string, string>;
  loadedAt: number;
  /** Not before this moment is a failed group read again (so a missing permission is not asked every turn). */
  retryAt?: number;
  /** Graph's code of the last failure, logged once per change. */
  failure?: string;
  /** How many members Graph listed with their id only (no User.Read.All), when any. */
  limited?: number;
}

/** After a failed read, wait this long (or the cache lifetime, if shorter) before the next attempt. */
const RETRY_MS = 60_000;

/** The member sets of the role groups, loaded through Graph and refreshed in the background (see the module comment). */
export class GroupRoles {
  private readonly cache = new Map<string, CachedGroup>();
  private built: { key: string; snapshot: GroupSnapshot } | undefined;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: GroupRolesDeps) {}

  /**
   * The member sets as last loaded; never waits. When a group's members are older than the cache lifetime (or a
   * group is new), a reload starts in the background and a later snapshot shows its result. The same object is
   * returned until something changes, so callers may cache what they derive from it by identity.
   */
  snapshot(): GroupSnapshot {
    const ids = this.deps.groupIds();
    const key = keyOf(ids);
    if (!this.built || this.built.key !== key) this.built = { key, snapshot: this.build(ids) };
    if (this.due(ids).length > 0) void this.refreshIfStale();
    return this.built.snapshot;
  }

  /**
   * Reloads every group whose members are older than the cache lifetime, or were never loaded; the others are left
   * as they are. Resolves when done; never rejects (a failure keeps the last good members and is logged).
   */
  refreshIfStale(): Promise<void> {
    this.inFlight ??= this.load().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Checks every `intervalMs` whether a group is due (see {@link refreshIfStale}) until {@link stop}. */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => void this.refreshIfStale(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private due(ids: RoleGroupIds): string[] {
    const now = this.deps.now();
    return groupsOf(ids).filter((id) => {
      const c = this.cache.get(id);
      if (!c) return true;
      if (c.retryAt !== undefined) return now >= c.retryAt;
      return now - c.loadedAt >= this.deps.cacheMs;
    });
  }

  private async load(): Promise<void> {
    const ids = this.deps.groupIds();
    const due = this.due(ids);
    if (due.length === 0) return;
    let changed = false;
    await Promise.all(
      due.map(async (groupId) => {
        const before = this.cache.get(groupId);
        try {
          const users = await this.deps.graph.groupMembers(groupId);
          const members = new Map(users.map((u) => [u.id.toLowerCase(), u.displayName || u.userPrincipalName || '']));
          // Graph lists members with their ids only to an app without User.Read.All: the roles hold, the names are
          // unknown (cards then say so); the administrator is told once per group which permission is missing.
          const limited = users.filter((u) => u.limited).length;
          if (limited && !before?.limited) {
            this.deps.logger.warn(
              { event: 'graph.members_limited', groupId, limited, missing: 'User.Read.All' },
              'Graph listed role group members without names: the app lacks User.Read.All',
            );
          }
          if (!before || !sameMembers(before.members, members)) changed = true;
          if (before?.failure) this.deps.logger.info({ event: 'graph.group_recovered', groupId }, 'group members read again');
          this.cache.set(groupId, { members, loadedAt: this.deps.now(), ...(limited ? { limited } : {}) });
        } catch (err) {
          const code = (err as { code?: string })?.code ?? (err as Error)?.name ?? 'unknown';
          if (before?.failure !== code) {
            this.deps.logger.warn(
              { event: 'graph.group_failed', groupId, code, kept: before?.members.size ?? 0 },
              'reading a role group failed: the last members read stay in force',
            );
          }
          const now = this.deps.now();
          this.cache.set(groupId, { members: before?.members ?? new Map(), loadedAt: before?.loadedAt ?? now, retryAt: now + Math.min(RETRY_MS, this.deps.cacheMs), failure: code });
          if (!before) changed = true;
        }
      }),
    );
    const current = this.deps.groupIds();
    if (changed || !this.built || this.built.key !== keyOf(current)) this.built = { key: keyOf(current), snapshot: this.build(current) };
  }

  private build(ids: RoleGroupIds): GroupSnapshot {
    const names = new Map<string, string>();
    const setOf = (groupId: string | undefined): ReadonlySet<string> => {
      const members = groupId ? this.cache.get(groupId)?.members : undefined;
      if (!members) return new Set();
      for (const [id, name] of members) if (name && !names.has(id)) names.set(id, name);
      return new Set(members.keys());
    };
    const headOffice: Partial<Record<AuthorityCode, ReadonlySet<string>>> = {};
    for (const code of AUTHORITY_CODES) if (ids.headOffice[code]) headOffice[code] = setOf(ids.headOffice[code]);
    return Object.freeze({
      kfi: setOf(ids.kfi),
      directoryAdmins: setOf(ids.directoryAdmins),
      circleMembers: setOf(ids.circleMembers),
      headOffice: Object.freeze(headOffice),
      names,
    });
  }
}

function groupsOf(ids: RoleGroupIds): string[] {
  return [...new Set([ids.kfi, ids.directoryAdmins, ids.circleMembers, ...AUTHORITY_CODES.map((c) => ids.headOffice[c])].filter((x): x is string => !!x))];
}

function keyOf(ids: RoleGroupIds): string {
  return [ids.kfi, ids.directoryAdmins, ids.circleMembers, ...AUTHORITY_CODES.map((c) => ids.headOffice[c])].map((x) => x ?? '').join('|');
}

function sameMembers(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, name] of a) if (b.get(id) !== name) return false;
  return true;
}
