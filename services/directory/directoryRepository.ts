import type { AuditLog } from '../audit/auditLog';
import { diff } from '../audit/auditLog';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import type { Authority, AuthorityCode, Circle, CompetenceCentre, Directory } from './model';
import { AUTHORITY_CODES } from './model';

const PK = 'directory';

type Part =
  | { id: `authority-${AuthorityCode}`; kind: 'authority'; data: Authority }
  | { id: 'kfi'; kind: 'kfi'; data: CompetenceCentre }
  | { id: 'circle'; kind: 'circle'; data: Circle }
  | { id: 'meta'; kind: 'meta'; data: Pick<Directory, 'schemaVersion' | 'directoryVersion' | 'updatedAt' | 'demo'> };

/** One stored part of the directory. All parts share one partition, so the whole directory is one query. */
export type DirectoryDoc = Part & { pk: typeof PK; type: 'directory' };

function partsOf(directory: Directory): Part[] {
  const { authorities, kfi, circle, ...meta } = directory;
  return [
    ...authorities.map((a) => ({ id: `authority-${a.code}` as const, kind: 'authority' as const, data: a })),
    { id: 'kfi', kind: 'kfi', data: kfi },
    { id: 'circle', kind: 'circle', data: circle },
    { id: 'meta', kind: 'meta', data: meta },
  ];
}

/** The directory in Cosmos DB: import, load, and audited changes of single authorities. */
export class DirectoryRepository {
  constructor(
    private readonly store: DocumentStore<DirectoryDoc>,
    private readonly audit: AuditLog,
  ) {}

  /** The stored directory, or `undefined` when none was imported yet. */
  async load(): Promise<Directory | undefined> {
    const docs = await this.store.query<Versioned<DirectoryDoc>>(
      { query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: PK }] },
      { partitionKey: PK },
    );
    const byId = new Map(docs.map((d) => [d.id, d]));
    const meta = byId.get('meta');
    const kfi = byId.get('kfi');
    const circle = byId.get('circle');
    if (!meta || !kfi || !circle) return undefined;
    const authorities = AUTHORITY_CODES.map((c) => byId.get(`authority-${c}`)?.data as Authority | undefined);
    if (authorities.some((a) => !a)) return undefined;
    return {
      ...(meta.data as DirectoryDoc['data'] & Directory),
      authorities: authorities as Authority[],
      kfi: kfi.data as CompetenceCentre,
      circle: circle.data as Circle,
    };
  }

  /**
   * Writes a validated directory. Parts whose content is unchanged are not written, so importing the
   * same file twice changes nothing (no write, no audit entry). Returns the ids of the parts written.
   */
  async importDirectory(directory: Directory, actor: string, now: Date = new Date()): Promise<string[]> {
    const written: string[] = [];
    for (const part of partsOf(directory)) {
      const current = await this.store.read(PK, part.id);
      const changes = diff(current?.data, part.data);
      if (current && changes.length === 0) continue;
      const doc = { ...part, pk: PK, type: 'directory' } as DirectoryDoc;
      if (current) await this.store.replace(doc, current.etag);
      else await this.store.create(doc);
      await this.audit.record(`directory:${part.id}`, actor, current ? 'directory.import.update' : 'directory.import.create', changes, now);
      written.push(part.id);
    }
    return written;
  }

  /**
   * Changes one authority's entry with an ETag check, records who changed what, and returns the new
   * entry. `change` may return `undefined` to leave it alone. A concurrent change surfaces as
   * `ConcurrencyError` so the caller can show the current state instead of overwriting it.
   */
  async updateAuthority(
    code: AuthorityCode,
    actor: string,
    action: string,
    change: (current: Authority) => Authority | undefined,
    now: Date = new Date(),
  ): Promise<{ authority: Authority; changed: boolean }> {
    const id = `authority-${code}` as const;
    const current = await this.store.read(PK, id);
    if (!current || current.kind !== 'authority') throw new Error(`no directory entry for ${code}`);
    const next = change(structuredClone(current.data));
    const changes = next ? diff(current.data, next) : [];
    if (!next || changes.length === 0) return { authority: current.data, changed: false };
    await this.store.replace({ id, pk: PK, type: 'directory', kind: 'authority', data: next }, current.etag);
    await this.audit.record(`directory:${id}`, actor, action, changes, now);
    await this.touch(now);
    return { authority: next, changed: true };
  }

  /** Bumps `updatedAt` so other processes notice the change on their next refresh. */
  private async touch(now: Date): Promise<void> {
    // One patch, no read: the meta part exists whenever an authority part does (both come from an import).
    await this.store.patch(PK, 'meta', [{ op: 'set', path: '/data/updatedAt', value: now.toISOString() }]);
  }

  /** `updatedAt` of the stored directory: a cheap check whether a cached copy is stale. */
  async revision(): Promise<string | undefined> {
    const meta = await this.store.read(PK, 'meta');
    return meta?.kind === 'meta' ? meta.data.updatedAt : undefined;
  }
}
