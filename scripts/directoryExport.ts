import { writeFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../bot/config';
import { AuditLog, type AuditEntry } from '../services/audit/auditLog';
import { DirectoryRepository, type DirectoryDoc } from '../services/directory/directoryRepository';
import { validateDirectory } from '../services/directory/validate';
import { CONTAINERS } from '../services/storage/containers';
import { openDatabase } from '../services/storage/database';

const USAGE = 'Aufruf / usage: npm run --silent directory:export -- [DATEI.json]   (ohne Datei / without a file: stdout)';

/**
 * `npm run directory:export -- [FILE]`: writes the directory as stored now, edits made in Teams included, in the
 * import format (directory.schema.json), to FILE or to stdout. Importing the export changes no entry and finds no
 * conflict, so an administrator can export, edit the file and import it again.
 * Exit codes: 0 written, 1 the stored directory is not valid against the schema (written anyway, problems listed),
 * 2 usage, no database or nothing imported yet, database error.
 */
async function main(argv: string[]): Promise<number> {
  const files = argv.filter((a) => !a.startsWith('--'));
  if (files.length > 1 || argv.some((a) => a.startsWith('--'))) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  if (!config.cosmos.endpoint) {
    process.stderr.write('Kein COSMOS_ENDPOINT konfiguriert: es gibt kein gespeichertes Verzeichnis / no COSMOS_ENDPOINT configured: there is no stored directory.\n');
    return 2;
  }
  const database = await openDatabase({ ...config.cosmos });
  try {
    const repo = new DirectoryRepository(database.store<DirectoryDoc>(CONTAINERS.directory), new AuditLog(database.store<AuditEntry>(CONTAINERS.audit)));
    const directory = await repo.load();
    if (!directory) {
      process.stderr.write('Noch kein Verzeichnis importiert / no directory imported yet (npm run directory:import).\n');
      return 2;
    }
    const text = `${JSON.stringify(directory, null, 2)}\n`;
    if (files.length === 1) writeFileSync(files[0], text, 'utf8');
    else process.stdout.write(text);
    const check = validateDirectory(directory);
    if (!check.ok) {
      process.stderr.write(`Das gespeicherte Verzeichnis ist nicht gültig (${check.problems.length} Problem(e)) / the stored directory is not valid:\n`);
      for (const p of check.problems) process.stderr.write(`  ${p.path || '/'}: ${p.reason}\n`);
      return 1;
    }
    if (files.length === 1) process.stderr.write(`Verzeichnis exportiert nach / directory exported to ${files[0]}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof ConfigError ? `Configuration error: ${err.message}` : `Export fehlgeschlagen / export failed: ${(err as Error).message}`;
    process.stderr.write(`${message}\n`);
    process.exit(2);
  },
);
