import type { ValidateFunction } from 'ajv';
import directorySchema from './directory.schema.json';
import { AUTHORITY_CODES, AUTHORITY_SEATS, type AuthorityCode, type Directory, type DirectoryFile } from './model';
import { ajvProblems, compileSchema, pointer, type ValidationProblem } from '../validation/problems';

/** Outcome of {@link validateDirectory}. */
export type DirectoryValidation =
  | { ok: true; directory: Directory }
  | { ok: false; problems: ValidationProblem[] };

/** Outcome of {@link validateDirectoryFile}: a file whose Teams identities may still lack object ids. */
export type DirectoryFileValidation =
  | { ok: true; file: DirectoryFile }
  | { ok: false; problems: ValidationProblem[] };

/** The published JSON Schema of the directory file. */
export const DIRECTORY_SCHEMA: object = directorySchema;

let compiled: ValidateFunction | undefined;

/**
 * The schema validator, compiled on first use and then kept (it is immutable). Loading and compiling ajv
 * takes a few hundred milliseconds, which the `npm run ask` start-up budget (contracts.md §2) cannot spare,
 * so it is not done at import time.
 */
function checkSchema(json: unknown): { valid: boolean; errors: ValidateFunction['errors'] } {
  if (!compiled) compiled = compileSchema(directorySchema, true);
  const valid = compiled(json);
  return { valid, errors: compiled.errors };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

interface PersonRef {
  id: string;
  path: string;
  kind: 'commissioner' | 'deputy' | 'head' | 'kfi' | 'guest' | 'office';
  value: Obj;
}

/**
 * Validates a parsed directory file. Returns the typed directory, or every problem found: all schema
 * violations (ajv with `allErrors`) plus the rules a schema cannot express: each of the five authorities
 * exactly once, unique person ids, Teams ids and e-mail domains, absences that end after they start,
 * deputies who are not the IB, staff addresses in their authority's mail domain, and circle members that
 * exist in the role they are listed with. Never throws.
 */
export function validateDirectory(json: unknown): DirectoryValidation {
  const problems = problemsOf(json, true);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, directory: json as unknown as Directory };
}

/**
 * Like {@link validateDirectory}, but a Teams identity may name a person by UPN or e-mail only (`teams: { upn }`),
 * as an administrator writes the file: `resolveDirectoryIdentities` fills the object ids in before it is stored.
 */
export function validateDirectoryFile(json: unknown): DirectoryFileValidation {
  const problems = problemsOf(json, false);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, file: json as unknown as DirectoryFile };
}

/**
 * Parses and validates the text of a directory file; a syntax error is reported as a problem at the
 * root, with the position the JSON parser gives.
 */
export function parseDirectory(text: string): DirectoryValidation {
  const json = parseJson(text);
  return 'problem' in json ? { ok: false, problems: [json.problem] } : validateDirectory(json.value);
}

/** {@link parseDirectory} for a file whose people may be named by UPN only (see {@link validateDirectoryFile}). */
export function parseDirectoryFile(text: string): DirectoryFileValidation {
  const json = parseJson(text);
  return 'problem' in json ? { ok: false, problems: [json.problem] } : validateDirectoryFile(json.value);
}

function parseJson(text: string): { value: unknown } | { problem: ValidationProblem } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { problem: { path: '', reason: `is not valid JSON: ${(err as Error).message}` } };
  }
}

function problemsOf(json: unknown, requireIds: boolean): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const schema = checkSchema(json);
  if (!schema.valid) problems.push(...ajvProblems(schema.errors));
  if (isObj(json)) problems.push(...semanticProblems(json, requireIds));
  return problems;
}

function semanticProblems(root: Obj, requireIds: boolean): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const add = (path: string, reason: string): void => {
    problems.push({ path, reason });
  };

  // Each authority exactly once.
  const firstByCode = new Map<string, number>();
  const authorities = arr(root.authorities);
  authorities.forEach((a, i) => {
    if (!isObj(a)) return;
    const code = str(a.code);
    if (code === undefined) return;
    const first = firstByCode.get(code);
    if (first !== undefined) add(`/authorities/${i}/code`, `duplicates /authorities/${first} ("${code}"): each authority must appear exactly once`);
    else firstByCode.set(code, i);
    const name = str(a.name);
    if (name !== undefined && (AUTHORITY_CODES as readonly string[]).includes(code)) {
      const seat = AUTHORITY_SEATS[code as AuthorityCode];
      if (!name.includes(seat)) add(`/authorities/${i}/name`, `must name the seat "${seat}" of authority "${code}"`);
    }
  });
  if (Array.isArray(root.authorities)) {
    for (const code of AUTHORITY_CODES) {
      if (!firstByCode.has(code)) add('/authorities', `has no entry for "${code}": all five Bezirksregierungen are required`);
    }
  }

  // Collect every person with the role they hold.
  const people: PersonRef[] = [];
  authorities.forEach((a, i) => {
    if (!isObj(a)) return;
    if (isObj(a.commissioner)) people.push({ id: str(a.commissioner.id) ?? '', path: `/authorities/${i}/commissioner`, kind: 'commissioner', value: a.commissioner });
    if (isObj(a.deputy)) people.push({ id: str(a.deputy.id) ?? '', path: `/authorities/${i}/deputy`, kind: 'deputy', value: a.deputy });
    if (isObj(a.head)) people.push({ id: str(a.head.id) ?? '', path: `/authorities/${i}/head`, kind: 'head', value: a.head });
    const office = isObj(a.headOffice) ? a.headOffice : undefined;
    arr(office?.staff).forEach((p, j) => {
      if (isObj(p)) people.push({ id: str(p.id) ?? '', path: `/authorities/${i}/headOffice/staff/${j}`, kind: 'office', value: p });
    });
  });
  const kfi = isObj(root.kfi) ? root.kfi : undefined;
  arr(kfi?.contacts).forEach((p, i) => {
    if (isObj(p)) people.push({ id: str(p.id) ?? '', path: `/kfi/contacts/${i}`, kind: 'kfi', value: p });
  });
  const circle = isObj(root.circle) ? root.circle : undefined;
  arr(circle?.guests).forEach((p, i) => {
    if (isObj(p)) people.push({ id: str(p.id) ?? '', path: `/circle/guests/${i}`, kind: 'guest', value: p });
  });

  uniqueAcross(people, (p) => p.id || undefined, (p) => pointer(p.path, 'id'), 'person id', add);
  uniqueAcross(
    people,
    (p) => (isObj(p.value.teams) ? str(p.value.teams.aadObjectId)?.toLowerCase() : undefined),
    (p) => `${p.path}/teams/aadObjectId`,
    'Teams aadObjectId',
    add,
  );
  uniqueAcross(
    people,
    (p) => (isObj(p.value.teams) ? str(p.value.teams.upn)?.toLowerCase() : undefined),
    (p) => `${p.path}/teams/upn`,
    'Teams upn',
    add,
  );

  for (const p of people) {
    // The schema checks the form too; this names the rule in words a maintainer recognises.
    const teams = isObj(p.value.teams) ? p.value.teams : undefined;
    const aad = str(teams?.aadObjectId);
    if (aad !== undefined && !GUID.test(aad)) add(`${p.path}/teams/aadObjectId`, 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)');
  }
  if (requireIds) {
    // A stored directory starts chats by object id; a file naming people by UPN goes through `npm run directory:import`.
    const offices = authorities.map((a, i) => ({ path: `/authorities/${i}/headOffice`, value: isObj(a) && isObj(a.headOffice) ? a.headOffice : {} }));
    for (const p of [...people, ...offices]) {
      if (isObj(p.value.teams) && str(p.value.teams.aadObjectId) === undefined) {
        add(`${p.path}/teams/aadObjectId`, 'is required here: names (UPNs) are resolved to object ids by `npm run directory:import` with Microsoft Graph');
      }
    }
  }

  // Per authority: absences, deputy distinct from the IB, staff addresses in the authority's domains.
  const allDomains = new Map<string, string>();
  authorities.forEach((a, i) => {
    if (!isObj(a)) return;
    const domains = arr(a.emailDomains).map((d) => (typeof d === 'string' ? d.toLowerCase() : ''));
    domains.forEach((d, j) => {
      if (!d) return;
      const other = allDomains.get(d);
      if (other !== undefined) add(`/authorities/${i}/emailDomains/${j}`, `"${d}" is already listed at ${other}: a domain must identify one authority`);
      else allDomains.set(d, `/authorities/${i}/emailDomains/${j}`);
    });
    const inDomains = (email: string): boolean => {
      const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
      return domains.some((d) => d && (domain === d || domain.endsWith('.' + d)));
    };
    const ib = isObj(a.commissioner) ? a.commissioner : undefined;
    const deputy = isObj(a.deputy) ? a.deputy : undefined;
    arr(ib?.absences).forEach((ab, j) => {
      if (!isObj(ab)) return;
      const from = str(ab.from);
      const to = str(ab.to);
      if (from && to && from > to) add(`/authorities/${i}/commissioner/absences/${j}`, `ends (${to}) before it starts (${from})`);
    });
    if (ib && deputy) {
      if (str(ib.id) && str(ib.id) === str(deputy.id)) add(`/authorities/${i}/deputy/id`, 'must be a different person than the commissioner');
      else if (str(ib.email) && str(ib.email)?.toLowerCase() === str(deputy.email)?.toLowerCase()) add(`/authorities/${i}/deputy/email`, 'is the commissioner\'s address: the deputy must be a different person');
    }
    for (const [role, person] of [['commissioner', ib], ['deputy', deputy]] as const) {
      const email = str(person?.email);
      if (email && email.includes('@') && domains.some(Boolean) && !inDomains(email)) {
        add(`/authorities/${i}/${role}/email`, `"${email}" is not in this authority's emailDomains (${domains.filter(Boolean).join(', ')})`);
      }
    }
  });

  // Circle members must exist, in the role they are listed with, and only once.
  const byId = new Map<string, PersonRef>();
  for (const p of people) if (p.id && !byId.has(p.id)) byId.set(p.id, p);
  const memberSeen = new Map<string, number>();
  arr(circle?.members).forEach((m, i) => {
    if (!isObj(m)) return;
    const id = str(m.personId);
    const role = str(m.role);
    if (!id) return;
    const path = `/circle/members/${i}/personId`;
    const first = memberSeen.get(id);
    if (first !== undefined) add(path, `"${id}" is already a member (/circle/members/${first})`);
    else memberSeen.set(id, i);
    const p = byId.get(id);
    if (!p) add(path, `"${id}" is not a person in this directory`);
    else if (role && p.kind !== role) add(`/circle/members/${i}/role`, `is "${role}" but "${id}" is listed as ${p.kind} at ${p.path}`);
  });

  return problems;
}

function uniqueAcross(
  people: PersonRef[],
  keyOf: (p: PersonRef) => string | undefined,
  pathOf: (p: PersonRef) => string,
  what: string,
  add: (path: string, reason: string) => void,
): void {
  const first = new Map<string, PersonRef>();
  for (const p of people) {
    const key = keyOf(p);
    if (!key) continue;
    const seen = first.get(key);
    if (seen) add(pathOf(p), `${what} "${key}" is already used at ${seen.path}`);
    else first.set(key, p);
  }
}
