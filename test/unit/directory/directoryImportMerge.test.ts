import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AuditLog, type AuditEntry } from '../../../services/audit/auditLog';
import { DirectoryRepository, type DirectoryDoc } from '../../../services/directory/directoryRepository';
import type { Authority, Directory } from '../../../services/directory/model';
import { parseDirectory } from '../../../services/directory/validate';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const demoText = readFileSync(path.join(__dirname, '..', '..', '..', 'data', 'demo-directory.json'), 'utf8');
const demo = (): Directory => {
  const parsed = parseDirectory(demoText);
  if (!parsed.ok) throw new Error('demo directory invalid');
  return parsed.directory;
};
const koelnOf = (d: Directory) => d.authorities.find((a) => a.code === 'koeln')!;
const IMPORTED_AT = new Date('2026-10-01T08:00:00Z');
const EDITED_AT = new Date('2026-10-02T09:00:00Z');
const REIMPORTED_AT = new Date('2026-10-03T10:00:00Z');

describe('DirectoryRepository.importDirectory merged with edits made in Teams', () => {
  let store: MemoryDocumentStore<DirectoryDoc>;
  let repo: DirectoryRepository;
  const etags = async () => (await store.query<DirectoryDoc & { etag: string }>({ query: 'SELECT * FROM c' })).map((d) => `${d.id}:${d.etag}`).sort();
  const editInTeams = (change: (a: Authority) => void) =>
    repo.updateAuthority('koeln', 'ib', 'directory.self_service', (a) => {
      change(a);
      return a;
    }, EDITED_AT);

  beforeEach(async () => {
    store = new MemoryDocumentStore<DirectoryDoc>();
    repo = new DirectoryRepository(store, new AuditLog(new MemoryDocumentStore<AuditEntry>()));
    await repo.importDirectory(demo(), 'import', IMPORTED_AT);
  });

  it('writes nothing at all when one field conflicts, not even the parts without conflict', async () => {
    await editInTeams((a) => (a.commissioner!.officeHours = 'in Teams'));
    const before = await etags();
    const file = demo();
    koelnOf(file).commissioner!.officeHours = 'aus der Datei';
    file.authorities[0].head.phone = '02931 1';
    const outcome = await repo.importDirectory(file, 'import', REIMPORTED_AT);
    expect(outcome.conflicts).toEqual([{ part: 'authority-koeln', path: '/commissioner/officeHours', teams: 'in Teams', file: 'aus der Datei' }]);
    expect(outcome.written).toEqual([]);
    expect(await etags()).toEqual(before);
  });

  it('with the file preferred, takes its value and moves the revision on for other processes', async () => {
    await editInTeams((a) => (a.commissioner!.officeHours = 'in Teams'));
    const revision = await repo.revision();
    const file = demo();
    koelnOf(file).commissioner!.officeHours = 'aus der Datei';
    const outcome = await repo.importDirectory(file, 'import', REIMPORTED_AT, { preferFile: true });
    expect(outcome.written).toEqual(['authority-koeln', 'meta']);
    expect(koelnOf((await repo.load())!).commissioner!.officeHours).toBe('aus der Datei');
    expect(await repo.revision()).toBe(REIMPORTED_AT.toISOString());
    expect(await repo.revision()).not.toBe(revision);
  });

  it('an edit in Teams survives the record of the last import: the next import still sees it as one', async () => {
    await editInTeams((a) => (a.commissioner!.officeHours = 'in Teams'));
    await editInTeams((a) => (a.commissioner!.phone = '0221 9'));
    const outcome = await repo.importDirectory(demo(), 'import', REIMPORTED_AT);
    expect(outcome.conflicts).toEqual([]);
    expect(outcome.keptFromTeams.map((k) => k.path)).toEqual(['/commissioner/phone', '/commissioner/officeHours']);
    const koeln = koelnOf((await repo.load())!);
    expect([koeln.commissioner!.officeHours, koeln.commissioner!.phone]).toEqual(['in Teams', '0221 9']);
  });

  it('refuses, writing nothing, when the file and the Teams edits together are not a valid directory', async () => {
    // In Teams the deputy's address is set to one the file then gives the IB: each side valid, together a clash.
    const ibEmail = koelnOf(demo()).commissioner!.email;
    await editInTeams((a) => (a.deputy!.email = 'neue.vertretung@bezreg-koeln.example'));
    const before = await etags();
    const file = demo();
    koelnOf(file).commissioner!.email = 'neue.vertretung@bezreg-koeln.example';
    expect(parseDirectory(JSON.stringify(file)).ok).toBe(true);
    const outcome = await repo.importDirectory(file, 'import', REIMPORTED_AT);
    expect(ibEmail).not.toBe('neue.vertretung@bezreg-koeln.example');
    expect(outcome.problems.length).toBeGreaterThan(0);
    expect(outcome.written).toEqual([]);
    expect(await etags()).toEqual(before);
  });
});
