import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../bot/config';
import { createGraphPort } from '../bot/graph';
import { AuditLog, type AuditEntry } from '../services/audit/auditLog';
import { DirectoryRepository, type DirectoryDoc } from '../services/directory/directoryRepository';
import { resolveDirectoryIdentities } from '../services/directory/resolveIdentities';
import { parseDirectoryFile } from '../services/directory/validate';
import type { GraphPort } from '../services/graph/graphPort';
import { silentLogger } from '../services/logging';
import { CONTAINERS } from '../services/storage/containers';
import { openDatabase } from '../services/storage/database';

const USAGE = 'Aufruf / usage: npm run directory:import -- [--dry-run] DATEI.json';

/**
 * `npm run directory:import -- FILE`: validates a directory file against the published schema, resolves the people it
 * names by UPN or e-mail only to Entra object ids through Microsoft Graph (GRAPH_ENABLED, permission User.Read.All),
 * and imports it into the configured Cosmos DB account. A bad file, or one with a name Graph does not know, is rejected
 * whole, with every problem (path and reason), and nothing is written. Importing the same file twice changes nothing.
 * Exit codes: 0 imported or unchanged, 1 invalid file or unknown names, 2 usage, Graph or database error.
 */
async function main(argv: string[]): Promise<number> {
  const dryRun = argv.includes('--dry-run');
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
    const written = await repo.importDirectory(result.directory, 'import');
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
