import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../bot/config';
import { createGraphPort } from '../bot/graph';
import { AuditLog, type AuditEntry } from '../services/audit/auditLog';
import { DirectoryRepository, type DirectoryDoc, type ImportConflict } from '../services/directory/directoryRepository';
import { AUTHORITY_NAMES, isAuthorityCode } from '../services/directory/model';
import { resolveDirectoryIdentities } from '../services/directory/resolveIdentities';
import { parseDirectoryFile } from '../services/directory/validate';
import type { GraphPort } from '../services/graph/graphPort';
import { silentLogger } from '../services/logging';
import { CONTAINERS } from '../services/storage/containers';
import { openDatabase } from '../services/storage/database';

const USAGE = 'Aufruf / usage: npm run directory:import -- [--dry-run] [--prefer-file] DATEI.json';

/** "Bezirksregierung Köln" for `authority-koeln`; the KfI, the circle and the file's header by their part name. */
function partLabel(part: string): string {
  const code = part.replace(/^authority-/, '');
  if (isAuthorityCode(code)) return AUTHORITY_NAMES[code];
  return { kfi: 'Kompetenzzentrum für Integration (kfi)', circle: 'Koordinierungskreis (circle)', meta: 'Dateikopf / file header (meta)' }[part] ?? part;
}

/** A value for the administrator's terminal: JSON, shortened. */
function shown(value: unknown): string {
  if (value === undefined) return '(nicht gesetzt / absent)';
  const json = JSON.stringify(value);
  return json.length > 160 ? `${json.slice(0, 157)}...` : json;
}

function reportConflicts(conflicts: ImportConflict[]): void {
  process.stderr.write(
    `Import abgebrochen, nichts wurde geschrieben: ${conflicts.length} Feld(er) wurden seit dem letzten Import in Teams geändert, und die Datei setzt sie anders.\n` +
      `Import stopped, nothing was written: ${conflicts.length} field(s) changed in Teams since the last import, and the file sets them differently.\n`,
  );
  for (const c of conflicts) {
    process.stderr.write(`  ${partLabel(c.part)}: ${c.path}\n    in Teams:                 ${shown(c.teams)}\n    in der Datei / in file:   ${shown(c.file)}\n`);
  }
  process.stderr.write(
    'Bitte die Datei anpassen (z. B. mit npm run directory:export den aktuellen Stand holen) oder mit --prefer-file die Werte der Datei übernehmen.\n' +
      "Please update the file (npm run directory:export writes the current state) or run with --prefer-file to take the file's values.\n",
  );
}

/**
 * `npm run directory:import -- FILE`: validates a directory file against the published schema, resolves the people it
 * names by UPN or e-mail only to Entra object ids through Microsoft Graph (GRAPH_ENABLED, permission User.Read.All),
 * and imports it into the configured Cosmos DB account. A bad file, or one with a name Graph does not know, is rejected
 * whole, with every problem (path and reason), and nothing is written. Importing the same file twice changes nothing.
 * Edits made in Teams since the last import are merged (services/directory/importMerge.ts): a field changed in Teams
 * and set differently in the file is a conflict; the import lists them all and writes nothing, unless `--prefer-file`.
 * Exit codes: 0 imported or unchanged, 1 invalid file or unknown names, 2 usage, Graph or database error,
 * 3 conflicts with edits made in Teams.
 */
async function main(argv: string[]): Promise<number> {
  const dryRun = argv.includes('--dry-run');
  const preferFile = argv.includes('--prefer-file');
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--dry-run' && a !== '--prefer-file');
  if (unknown.length > 0) {
    process.stderr.write(`Unbekannte Option / unknown option: ${unknown.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  const files = argv.filter((a) => !a.startsWith('--'));
  if (files.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(files[0], 'utf8');
  } catch (err) {
    process.stderr.write(`Datei nicht lesbar / cannot read file: ${files[0]} (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`);
    return 2;
  }
  const parsed = parseDirectoryFile(text);
  if (!parsed.ok) {
    process.stderr.write(`Verzeichnisdatei abgelehnt, nichts wurde geschrieben (${parsed.problems.length} Problem(e)):\n`);
    for (const p of parsed.problems) process.stderr.write(`  ${p.path || '/'}: ${p.reason}\n`);
    return 1;
  }
  const config = loadConfig();
  // Names (UPN or e-mail) become object ids through Graph; the demo directory has ids and needs no Graph.
  const graph: GraphPort | undefined = config.graph ? createGraphPort(config.graph, { logger: silentLogger }) : undefined;
  const result = await resolveDirectoryIdentities(parsed.file, graph);
  if (!result.ok) {
    process.stderr.write(
      `Verzeichnisdatei abgelehnt, nichts wurde geschrieben (${result.problems.length} Problem(e)) / directory file refused, nothing was written:\n`,
    );
    for (const p of result.problems) process.stderr.write(`  ${p.path || '/'}: ${p.reason}\n`);
    return result.problems.some((p) => p.code === 'graphFailed') ? 2 : 1;
  }
  if (result.resolved > 0) process.stdout.write(`${result.resolved} Name(n) über Microsoft Graph aufgelöst / name(s) resolved through Microsoft Graph.\n`);
  if (dryRun || !config.cosmos.endpoint) {
    process.stdout.write(
      dryRun
        ? 'Verzeichnisdatei gültig (Probelauf, nichts importiert).\n'
        : 'Verzeichnisdatei gültig. Kein COSMOS_ENDPOINT konfiguriert: es gibt keine dauerhafte Datenbank, in die importiert werden könnte; nichts importiert.\n',
    );
    return 0;
  }
  const database = await openDatabase({ ...config.cosmos });
  try {
    const repo = new DirectoryRepository(database.store<DirectoryDoc>(CONTAINERS.directory), new AuditLog(database.store<AuditEntry>(CONTAINERS.audit)));
    const outcome = await repo.importDirectory(result.directory, 'import', new Date(), { preferFile });
    if (outcome.conflicts.length > 0 && !preferFile) {
      reportConflicts(outcome.conflicts);
      return 3;
    }
    if (outcome.problems.length > 0) {
      process.stderr.write(
        `Import abgebrochen, nichts wurde geschrieben: Datei und Änderungen aus Teams ergeben zusammen kein gültiges Verzeichnis (${outcome.problems.length} Problem(e)) / the file merged with the edits made in Teams is not a valid directory:\n`,
      );
      for (const p of outcome.problems) process.stderr.write(`  ${p.path || '/'}: ${p.reason}\n`);
      return 1;
    }
    for (const c of outcome.conflicts) {
      process.stdout.write(`Wert der Datei übernommen (--prefer-file) / file's value taken: ${partLabel(c.part)}: ${c.path}\n`);
    }
    for (const k of outcome.keptFromTeams) {
      process.stdout.write(`In Teams geändert, in der Datei nicht: Wert aus Teams bleibt / kept from Teams: ${partLabel(k.part)}: ${k.path}\n`);
    }
    const { written } = outcome;
    process.stdout.write(
      written.length === 0
        ? 'Verzeichnis unverändert: nichts geschrieben.\n'
        : `Verzeichnis importiert: ${written.length} Teil(e) geschrieben (${written.join(', ')}).\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof ConfigError ? `Configuration error: ${err.message}` : `Import fehlgeschlagen / import failed: ${(err as Error).message}`;
    process.stderr.write(`${message}\n`);
    process.exit(2);
  },
);
