/**
 * Who holds which role, decided from the stored directory and the caller's AAD object id, never from card data.
 * Every workflow (Anliegen, Vortrag, Koordinierungskreis, the tab) asks here before it lets someone act.
 */
import type { GroupSnapshot } from './groupRoles';
import { currentAbsence, type Authority, type AuthorityCode, type Directory, type Person } from './model';

/** The roles one person holds. Lists are empty when the person holds no such role. */
export interface Roles {
  aadObjectId: string;
  /** Authorities whose IB this person is. */
  commissionerOf: AuthorityCode[];
  /** Authorities whose IB deputy this person is. */
  deputyOf: AuthorityCode[];
  /** Authorities this person heads (Behördenleitung). */
  headOf: AuthorityCode[];
  /** Authorities in whose head's office this person works (listed in `headOffice.staff`, or in the office's group). */
  headOfficeOf: AuthorityCode[];
  /** Staff of the Kompetenzzentrum für Integration (RdErl. Nr. 6): a KfI contact, or in the KfI group. */
  kfi: boolean;
  /** Member of the Koordinierungskreis (IB, deputies, KfI, guests listed in the directory, or in the circle's group). */
  circleMember: boolean;
}

const same = (a: string | undefined, b: string) => !!a && a.toLowerCase() === b;

/** The directory person with this AAD object id, if any. */
export function personByAadObjectId(directory: Directory, aadObjectId: string): Person | undefined {
  const id = aadObjectId.toLowerCase();
  for (const a of directory.authorities) {
    for (const p of [a.commissioner, a.deputy, a.head, ...(a.headOffice.staff ?? [])]) {
      if (p && same(p.teams?.aadObjectId, id)) return p;
    }
  }
  return [...directory.kfi.contacts, ...directory.circle.guests].find((p) => same(p.teams?.aadObjectId, id));
}

/**
 * Every role the person with `aadObjectId` holds in `directory`, and, given the Entra groups' members (`groups`, see
 * groupRoles.ts), the roles their group memberships give them.
 */
export function rolesOf(directory: Directory, aadObjectId: string, groups?: GroupSnapshot): Roles {
  const id = aadObjectId.toLowerCase();
  const roles: Roles = { aadObjectId: id, commissionerOf: [], deputyOf: [], headOf: [], headOfficeOf: [], kfi: false, circleMember: false };
  for (const a of directory.authorities) {
    if (same(a.commissioner?.teams?.aadObjectId, id)) roles.commissionerOf.push(a.code);
    if (same(a.deputy?.teams?.aadObjectId, id)) roles.deputyOf.push(a.code);
    if (same(a.head.teams?.aadObjectId, id)) roles.headOf.push(a.code);
    if ((a.headOffice.staff ?? []).some((p) => same(p.teams?.aadObjectId, id)) || same(a.headOffice.teams?.aadObjectId, id) || groups?.headOffice[a.code]?.has(id)) {
      roles.headOfficeOf.push(a.code);
    }
  }
  roles.kfi = directory.kfi.contacts.some((p) => same(p.teams?.aadObjectId, id)) || !!groups?.kfi.has(id);
  const person = personByAadObjectId(directory, id);
  roles.circleMember = (!!person && directory.circle.members.some((m) => m.personId === person.id)) || !!groups?.circleMembers.has(id);
  return roles;
}

/** Whether the person works on the IB side of an authority (the IB or the deputy). */
export function isCommissionerSide(roles: Roles, code: AuthorityCode): boolean {
  return roles.commissionerOf.includes(code) || roles.deputyOf.includes(code);
}

/** Whether the person sits on the head's side of an authority (the head, or staff of the head's office). */
export function isHeadSide(roles: Roles, authority: Authority): boolean {
  return roles.headOf.includes(authority.code) || (authority.headOffice.receivesReports !== false && roles.headOfficeOf.includes(authority.code));
}

/** Whether the person may decide on a report of this authority (the head, or the office where `mayDecide`). */
export function mayDecideReports(roles: Roles, authority: Authority): boolean {
  return roles.headOf.includes(authority.code) || (authority.headOffice.mayDecide === true && roles.headOfficeOf.includes(authority.code));
}

/** Who handles requests to an authority's IB today: the IB, or the deputy while the IB is absent or the post vacant. */
export function activeHandler(authority: Authority, today: string): { person: Person; asDeputy: boolean } | undefined {
  const ib = authority.commissioner;
  if (ib && !currentAbsence(ib, today)) return { person: ib, asDeputy: false };
  if (authority.deputy) return { person: authority.deputy, asDeputy: true };
  return ib ? { person: ib, asDeputy: false } : undefined;
}

/**
 * The Teams AAD object ids of the people who receive an authority's reports: the head and, if configured, the office
 * (its listed staff and the members of its group).
 */
export function reportRecipients(authority: Authority, groups?: GroupSnapshot): string[] {
  const ids = [authority.head.teams?.aadObjectId];
  if (authority.headOffice.receivesReports !== false) {
    ids.push(...(authority.headOffice.staff ?? []).map((p) => p.teams?.aadObjectId), ...(groups?.headOffice[authority.code] ?? []));
  }
  return [...new Set(ids.filter((x): x is string => !!x).map((x) => x.toLowerCase()))];
}
