/**
 * People by name: a directory file may name a person's Teams identity by UPN or e-mail only (`teams: { upn }`).
 * Before the file is stored, every such name is resolved through Microsoft Graph to an Entra object id — all of them,
 * or the file is refused whole with one line per name that could not be resolved (issue 15, item 3).
 *
 * Where Graph with the `people` feature is at hand, the names that come with an id are looked up too, and an id that
 * is not the one Graph gives for the name is refused: a file copied from another tenant, or a typo in a GUID, would
 * otherwise send a Vortrag to someone else. Without Graph, a file whose identities all have ids (the demo directory)
 * is taken as it is.
 */
import { GraphError, type GraphPort } from '../graph/graphPort';
import type { ValidationProblem } from '../validation/problems';
import type { Directory, DirectoryFile, NamedTeamsIdentity } from './model';
import { validateDirectory } from './validate';

/** One refused name: its JSON Pointer and the reason, German first, then English. */
export interface IdentityProblem extends ValidationProblem {
  /** Why, so the caller can pick an exit code: a name Graph does not know, or Graph not usable at all. */
  code: 'notFound' | 'idMismatch' | 'noGraph' | 'graphFailed' | 'invalid';
}

/** Outcome of {@link resolveDirectoryIdentities}. */
export type IdentityResolution =
  | {
      ok: true;
      directory: Directory;
      /** How many identities got their object id from Graph. */
      resolved: number;
      /** Whether the ids the file gave were checked against Graph (false without Graph or without its `people` feature). */
      verified: boolean;
    }
  | { ok: false; problems: IdentityProblem[] };

/** Every Teams identity of a directory file with its JSON Pointer, in file order. */
export function teamsIdentitiesOf(file: DirectoryFile): Array<{ path: string; teams: NamedTeamsIdentity }> {
  const out: Array<{ path: string; teams: NamedTeamsIdentity }> = [];
  const push = (path: string, teams: NamedTeamsIdentity | undefined) => teams && out.push({ path: `${path}/teams`, teams });
  file.authorities.forEach((a, i) => {
    if (a.commissioner) push(`/authorities/${i}/commissioner`, a.commissioner.teams);
    if (a.deputy) push(`/authorities/${i}/deputy`, a.deputy.teams);
    push(`/authorities/${i}/head`, a.head.teams);
    push(`/authorities/${i}/headOffice`, a.headOffice.teams);
    (a.headOffice.staff ?? []).forEach((p, j) => push(`/authorities/${i}/headOffice/staff/${j}`, p.teams));
  });
  file.kfi.contacts.forEach((p, i) => push(`/kfi/contacts/${i}`, p.teams));
  file.circle.guests.forEach((p, i) => push(`/circle/guests/${i}`, p.teams));
  return out;
}

const key = (name: string) => name.trim().toLowerCase();

/**
 * Resolves the names of a validated directory file to object ids through `graph` (batched by the port), and returns
 * the directory with every id filled in, validated again as a whole (two names of one person show up as a duplicate
 * id). Never half a result: any name not found, any id that contradicts its name, or Graph missing while ids are
 * missing refuses the whole file with one problem per name. Never throws.
 */
export async function resolveDirectoryIdentities(file: DirectoryFile, graph: Pick<GraphPort, 'features' | 'resolveUsers'> | undefined): Promise<IdentityResolution> {
  const identities = teamsIdentitiesOf(file);
  const missing = identities.filter((x) => !x.teams.aadObjectId);
  const refuseMissing = (code: IdentityProblem['code'], de: string, en: string): IdentityResolution => ({
    ok: false,
    problems: missing.map((x) => ({ path: `${x.path}/upn`, code, reason: `„${x.teams.upn}“ hat keine aadObjectId, ${de} / has no aadObjectId, ${en}` })),
  });

  let canResolve = false;
  let featureFailure: string | undefined;
  if (graph) {
    try {
      canResolve = (await graph.features()).has('people');
    } catch (err) {
      featureFailure = codeOf(err);
    }
  }
  if (!canResolve) {
    if (missing.length === 0) return finish(file, 0, false);
    if (!graph) return refuseMissing('noGraph', 'und Microsoft Graph ist nicht konfiguriert (GRAPH_ENABLED=true)', 'and Microsoft Graph is not configured (GRAPH_ENABLED=true)');
    if (featureFailure) return refuseMissing('graphFailed', `und Microsoft Graph ist nicht erreichbar (${featureFailure})`, `and Microsoft Graph cannot be reached (${featureFailure})`);
    return refuseMissing('noGraph', 'und der App fehlt die Graph-Berechtigung User.Read.All', 'and the app lacks the Graph permission User.Read.All');
  }

  let found: Map<string, { id: string } | null>;
  try {
    found = await graph!.resolveUsers([...new Set(identities.map((x) => key(x.teams.upn)))]);
  } catch (err) {
    const code = codeOf(err);
    return {
      ok: false,
      problems: [{ path: '', code: 'graphFailed', reason: `Microsoft Graph konnte die Namen nicht auflösen (${code}); nichts wurde importiert / Microsoft Graph could not resolve the names (${code}); nothing was imported` }],
    };
  }

  const problems: IdentityProblem[] = [];
  const resolved = structuredClone(file);
  const targets = teamsIdentitiesOf(resolved);
  let filled = 0;
  identities.forEach((x, i) => {
    const user = found.get(key(x.teams.upn));
    const upnPath = `${x.path}/upn`;
    if (!user) {
      problems.push({ path: upnPath, code: 'notFound', reason: `„${x.teams.upn}“ ist in Microsoft Entra ID nicht bekannt / "${x.teams.upn}" was not found in Microsoft Entra ID` });
      return;
    }
    const id = user.id.toLowerCase();
    const given = x.teams.aadObjectId?.toLowerCase();
    if (given && given !== id) {
      problems.push({
        path: `${x.path}/aadObjectId`,
        code: 'idMismatch',
        reason: `„${given}“ ist nicht die Objekt-ID von „${x.teams.upn}“ (laut Graph ${id}) / "${given}" is not the object id of "${x.teams.upn}" (Graph says ${id})`,
      });
      return;
    }
    if (!given) filled++;
    (targets[i] as { teams: NamedTeamsIdentity }).teams.aadObjectId = id;
  });
  if (problems.length > 0) return { ok: false, problems };
  return finish(resolved, filled, true);
}

function finish(file: DirectoryFile, resolved: number, verified: boolean): IdentityResolution {
  const checked = validateDirectory(file);
  if (!checked.ok) return { ok: false, problems: checked.problems.map((p) => ({ ...p, code: 'invalid' })) };
  return { ok: true, directory: checked.directory, resolved, verified };
}

function codeOf(err: unknown): string {
  return err instanceof GraphError ? err.code : ((err as { code?: string })?.code ?? (err as Error)?.name ?? 'unknown');
}
