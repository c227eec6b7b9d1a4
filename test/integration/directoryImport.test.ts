import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditLog, type AuditEntry } from '../../services/audit/auditLog';
import { DirectoryRepository, type DirectoryDoc } from '../../services/directory/directoryRepository';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { startEmbeddedCosmos } from '../../services/storage/embeddedCosmos';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'scripts', 'directoryImport.js');
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
  const run = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, ...args], {
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
});
