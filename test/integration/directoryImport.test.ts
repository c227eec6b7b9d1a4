import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditLog, type AuditEntry } from '../../services/audit/auditLog';
import { DirectoryRepository, type DirectoryDoc } from '../../services/directory/directoryRepository';
import { parseDirectoryFile } from '../../services/directory/validate';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { startEmbeddedCosmos } from '../../services/storage/embeddedCosmos';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'scripts', 'directoryImport.js');
const exportCli = path.join(root, 'dist', 'scripts', 'directoryExport.js');
const demo = JSON.parse(readFileSync(path.join(root, 'data', 'demo-directory.json'), 'utf8'));

describe('npm run directory:import', () => {
  let server: Awaited<ReturnType<typeof startEmbeddedCosmos>>;
  let db: AppDatabase;
  let repo: DirectoryRepository;
  const dir = mkdtempSync(path.join(tmpdir(), 'lotse-import-'));
  const file = (name: string, content: unknown) => {
    const p = path.join(dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
    return p;
  };
  // Asynchronous on purpose: the database server runs in this test process and must keep answering.
  const run = (...args: string[]) => runScript(cli, ...args);
  const runScript = (script: string, ...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [script, ...args], {
        cwd: root,
        env: { PATH: process.env.PATH, COSMOS_ENDPOINT: server.endpoint, COSMOS_CERT_SHA256: server.certificateSha256, COSMOS_DATABASE: 'import-test' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  const snapshot = async () => (await db.store<DirectoryDoc>(CONTAINERS.directory).query<DirectoryDoc & { etag: string }>({ query: 'SELECT * FROM c' })).map((d) => `${d.id}:${d.etag}`).sort();

  beforeAll(async () => {
    server = await startEmbeddedCosmos();
    db = await openDatabase({ endpoint: server.endpoint, certificateSha256: server.certificateSha256, databaseId: 'import-test' });
    repo = new DirectoryRepository(db.store<DirectoryDoc>(CONTAINERS.directory), new AuditLog(db.store<AuditEntry>(CONTAINERS.audit)));
  });
  afterAll(async () => {
    await db.close();
    await server.close();
  });

  it('imports a valid file, and importing it again changes nothing', async () => {
    const good = file('good.json', demo);
    const first = await run(good);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/Verzeichnis importiert: 8 Teil\(e\)/);
    const after1 = await snapshot();
    const second = await run(good);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/unverändert/);
    expect(await snapshot()).toEqual(after1);
    expect((await repo.load())?.authorities.map((a) => a.code)).toEqual(['arnsberg', 'detmold', 'duesseldorf', 'koeln', 'muenster']);
  });

  it('rejects a bad file whole, lists every problem with path and reason, and writes nothing', async () => {
    const before = await snapshot();
    const bad = structuredClone(demo);
    bad.authorities[0].commissioner.email = 'kein-mail';
    bad.authorities[1].commissioner.teams.aadObjectId = 'not-a-guid';
    bad.authorities[2].commissioner.absences = [{ from: '2026-05-10', to: '2026-05-01' }];
    bad.authorities.pop();
    bad.authorities[0].name = 'Bezirksregierung Arnsberg (geändert)';
    const res = await run(file('bad.json', bad));
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/abgelehnt, nichts wurde geschrieben/);
    expect(res.stderr).toMatch(/\/authorities\/0\/commissioner\/email: /);
    expect(res.stderr).toMatch(/\/authorities\/1\/commissioner\/teams\/aadObjectId: /);
    expect(res.stderr).toMatch(/\/authorities\/2\/commissioner\/absences\/0/);
    expect(res.stderr).toMatch(/muenster|five|fünf/i);
    expect(await snapshot()).toEqual(before);
  });

  it('rejects a file that is not JSON, and names a missing file clearly', async () => {
    const res = await run(file('broken.json', '{ "schemaVersion": 1, '));
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/not valid JSON|kein gültiges JSON/i);
    const missing = await run(path.join(dir, 'gibt-es-nicht.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nicht lesbar/);
  });

  describe('merged with edits made in Teams', () => {
    const IB = '00000000-0000-4000-8000-000400000001';
    const now = new Date('2026-11-03T10:00:00Z');
    /** The IB changes their own office hours in Teams (the same repository call as the „Meine Angaben“ card). */
    const editInTeams = (officeHours: string) =>
      repo.updateAuthority('koeln', IB, 'directory.self_service', (a) => ({ ...a, commissioner: { ...a.commissioner!, officeHours } }), now);
    const koeln = async () => (await repo.load())!.authorities.find((a) => a.code === 'koeln')!;
    const withKoeln = (change: (a: (typeof demo.authorities)[number]) => void) => {
      const next = structuredClone(demo);
      change(next.authorities.find((a: { code: string }) => a.code === 'koeln'));
      return next;
    };

    it('keeps a field changed in Teams that the file leaves as last imported, and takes the file’s other changes', async () => {
      expect((await run(file('base.json', demo))).status).toBe(0);
      await editInTeams('Nur Di 10–12 Uhr (in Teams geändert, Beispiel)');
      const res = await run(file('phone.json', withKoeln((a) => (a.commissioner.phone = '0221 555-0199'))));
      expect(res.status).toBe(0);
      expect(res.stdout).toMatch(/Wert aus Teams bleibt.*Bezirksregierung Köln: \/commissioner\/officeHours/);
      const entry = await koeln();
      expect(entry.commissioner!.officeHours).toBe('Nur Di 10–12 Uhr (in Teams geändert, Beispiel)');
      expect(entry.commissioner!.phone).toBe('0221 555-0199');
    });

    it('refuses a file that changes the same field differently: lists the conflict, writes nothing, exit code 3', async () => {
      await editInTeams('Mi 8–10 Uhr (in Teams, Beispiel)');
      const before = await snapshot();
      const conflicting = file('conflict.json', withKoeln((a) => {
        a.commissioner.officeHours = 'Fr 9–11 Uhr (aus der Datei, Beispiel)';
        a.commissioner.phone = '0221 555-0199';
        a.head.phone = '0221 555-0100'; // a change without conflict in the same file: not written either
      }));
      const res = await run(conflicting);
      expect(res.status).toBe(3);
      expect(res.stderr).toMatch(/nichts wurde geschrieben/);
      expect(res.stderr).toMatch(/Bezirksregierung Köln: \/commissioner\/officeHours/);
      expect(res.stderr).toContain('"Mi 8–10 Uhr (in Teams, Beispiel)"');
      expect(res.stderr).toContain('"Fr 9–11 Uhr (aus der Datei, Beispiel)"');
      expect(res.stderr).toMatch(/--prefer-file/);
      // The same in English, line by line, for administrators who do not read German.
      const lines = res.stderr.split('\n');
      expect(lines).toContain('Import stopped, nothing was written: 1 field(s) changed in Teams since the last import, and the file sets them differently.');
      expect(lines).toContain('    in der Datei / in file:   "Fr 9–11 Uhr (aus der Datei, Beispiel)"');
      expect(lines).toContain("Please update the file (npm run directory:export writes the current state) or run with --prefer-file to take the file's values.");
      expect(res.stderr).not.toMatch(/\/commissioner\/phone|\/head\//);
      expect(await snapshot()).toEqual(before);

      const preferred = await run('--prefer-file', conflicting);
      expect(preferred.status).toBe(0);
      expect(preferred.stdout).toMatch(/Wert der Datei übernommen.*\/commissioner\/officeHours/);
      const entry = await koeln();
      expect(entry.commissioner!.officeHours).toBe('Fr 9–11 Uhr (aus der Datei, Beispiel)');
      expect(entry.head.phone).toBe('0221 555-0100');
      // The file is now the last import: importing it again finds no conflict and changes nothing.
      const again = await run(conflicting);
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/unverändert/);
    });

    it('exports the directory in the import format; importing the export changes nothing and finds no conflict', async () => {
      await editInTeams('Do 13–15 Uhr (in Teams, Beispiel)');
      const stored = await repo.load();
      const out = path.join(dir, 'export.json');
      const exported = await runScript(exportCli, out);
      expect(exported.status).toBe(0);
      const parsed = parseDirectoryFile(readFileSync(out, 'utf8'));
      expect(parsed.ok).toBe(true);
      const toStdout = await runScript(exportCli);
      expect(toStdout.status).toBe(0);
      expect(JSON.parse(toStdout.stdout)).toEqual(JSON.parse(readFileSync(out, 'utf8')));

      const res = await run(out);
      expect(res.status).toBe(0);
      expect(res.stderr).toBe('');
      expect(res.stdout).toMatch(/unverändert/);
      expect(await repo.load()).toEqual(stored);
      expect((await koeln()).commissioner!.officeHours).toBe('Do 13–15 Uhr (in Teams, Beispiel)');
    });
  });
});
