import type { AuditEntry, AuditLog } from '../audit/auditLog';
import { diff } from '../audit/auditLog';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { ConcurrencyError } from '../storage/errors';
import type { PendingCarrier } from '../workflow/pending';
import type { ValidationProblem } from '../validation/problems';
import { mergeImported, sameValue, type MergeConflict } from './importMerge';
import type { Authority, AuthorityCode, Circle, CompetenceCentre, Directory } from './model';
import { AUTHORITY_CODES } from './model';
import { validateDirectory } from './validate';

const PK = 'directory';

type Part =
  | { id: `authority-${AuthorityCode}`; kind: 'authority'; data: Authority }
  | { id: 'kfi'; kind: 'kfi'; data: CompetenceCentre }
  | { id: 'circle'; kind: 'circle'; data: Circle }
  | { id: 'meta'; kind: 'meta'; data: Pick<Directory, 'schemaVersion' | 'directoryVersion' | 'updatedAt' | 'demo'> };

/**
 * One stored part of the directory. All parts share one partition, so the whole directory is one query. `imported`
 * is the part as the last import's file had it: what the next import compares with, to tell edits made in Teams
 * since then from the file's changes (absent in parts stored before the record was kept).
 */
export type DirectoryDoc = Part & {
  pk: typeof PK;
  type: 'directory';
  imported?: Part['data'];
  /** The confirmation prompt's state (confirmPrompts.ts), beside the content: imports and exports never see it. */
  confirmPrompt?: { lastVerified: string; rounds: number; lastSentOn: string };
} & Pick<PendingCarrier, 'pending' | 'pendingSince'>;

/** A field changed in Teams since the last import that the file changes to something else. */
export interface ImportConflict extends MergeConflict {
  /** The stored part: `authority-koeln`, `kfi`, `circle` or `meta`. */
  part: string;
}

/** Outcome of {@link DirectoryRepository.importDirectory}. */
export interface ImportOutcome {
  /** Ids of the parts whose content was written (empty when nothing changed or nothing was written). */
  written: string[];
  /** Conflicts; unless the file was preferred, nothing at all was written. */
  conflicts: ImportConflict[];
  /** Fields changed in Teams that the file leaves as last imported: they keep the Teams value. */
  keptFromTeams: Array<{ part: string; path: string }>;
  /** Problems of the merged directory (file and Teams edits together); when present, nothing was written. */
  problems: ValidationProblem[];
}

/** How often an import is planned again when an edit in Teams lands between its read and its write. */
const IMPORT_ATTEMPTS = 3;

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
   * Imports a validated directory file, merged with the edits made in Teams since the last import (see
   * importMerge.ts). A field changed on both sides is a conflict: with any conflict nothing is written unless
   * `preferFile`, which takes the file's values for them. The merged directory is validated again; if it is not
   * valid, nothing is written. Parts whose content and import record are unchanged are not written, so importing the
   * same file twice changes nothing (no write, no audit entry).
   */
  async importDirectory(directory: Directory, actor: string, now: Date = new Date(), options: { preferFile?: boolean } = {}): Promise<ImportOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.importOnce(directory, actor, now, options);
      } catch (err) {
        // An edit in Teams between this import's read and its write: plan again from the new state.
        if (!(err instanceof ConcurrencyError) || attempt >= IMPORT_ATTEMPTS) throw err;
      }
    }
  }

  private async importOnce(directory: Directory, actor: string, now: Date, options: { preferFile?: boolean }): Promise<ImportOutcome> {
    const conflicts: ImportConflict[] = [];
    const keptFromTeams: ImportOutcome['keptFromTeams'] = [];
    const planned: Array<{ part: Part; current?: Versioned<DirectoryDoc>; next: Part['data'] }> = [];
    for (const part of partsOf(directory)) {
      const current = await this.store.read(PK, part.id);
      let next: Part['data'] = part.data;
      if (current) {
        const strip = (d: Part['data'] | undefined): Part['data'] | undefined => (d && part.kind === 'meta' ? ({ ...d, updatedAt: undefined } as unknown as Part['data']) : d);
        const merged = mergeImported<Part['data']>(strip(current.imported), strip(current.data)!, strip(part.data)!, options);
        conflicts.push(...merged.conflicts.map((c) => ({ part: part.id, ...c })));
        keptFromTeams.push(...merged.keptFromTeams.map((path) => ({ part: part.id, path })));
        next = merged.value;
      }
      planned.push({ part, current, next });
    }
    if (conflicts.length > 0 && !options.preferFile) return { written: [], conflicts, keptFromTeams, problems: [] };
    // `updatedAt` is the revision other processes watch: the later of the stored and the file's, moved on when content changes.
    const meta = planned.find((p) => p.part.kind === 'meta')!;
    const contentChanged = planned.some((p) => p.part.kind !== 'meta' && !sameValue(p.current?.data, p.next));
    if (meta.current?.kind === 'meta') {
      const stored = meta.current.data.updatedAt;
      const latest = Date.parse(stored) >= Date.parse(directory.updatedAt) ? stored : directory.updatedAt;
      const metaChanged = !sameValue({ ...meta.current.data, updatedAt: undefined }, meta.next);
      meta.next = { ...(meta.next as Directory), updatedAt: (contentChanged || metaChanged) && latest === stored ? now.toISOString() : latest };
    }
    // The caller validated the file; what the merge kept from Teams joins it here, so the whole is checked again.
    if (keptFromTeams.length > 0) {
      const check = validateDirectory(this.assemble(planned.map((p) => ({ ...p.part, data: p.next }) as Part)));
      if (!check.ok) return { written: [], conflicts, keptFromTeams, problems: check.problems };
    }
    const written: string[] = [];
    for (const { part, current, next } of planned) {
      const changed = !current || !sameValue(current.data, next);
      if (!changed && sameValue(current.imported, part.data)) continue;
      // Fields beside the content (the confirmation prompt's state and its pending notices) stay as they are.
      const { etag: _etag, data: _data, imported: _imported, ...kept } = current ?? ({} as Partial<Versioned<DirectoryDoc>>);
      const doc = { ...kept, id: part.id, kind: part.kind, data: next, imported: part.data, pk: PK, type: 'directory' } as DirectoryDoc;
      if (current) await this.store.replace(doc, current.etag);
      else await this.store.create(doc);
      if (!changed) continue; // only the import record moved on
      await this.audit.record(`directory:${part.id}`, actor, current ? 'directory.import.update' : 'directory.import.create', diff(current?.data, next), now);
      written.push(part.id);
    }
    return { written, conflicts, keptFromTeams, problems: [] };
  }

  private assemble(parts: Part[]): Directory {
    const byKind = (k: Part['kind']) => parts.filter((p) => p.kind === k).map((p) => p.data);
    const [meta] = byKind('meta') as Array<Omit<Directory, 'authorities' | 'kfi' | 'circle'>>;
    return { ...meta, authorities: byKind('authority') as Authority[], kfi: byKind('kfi')[0] as CompetenceCentre, circle: byKind('circle')[0] as Circle };
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
    options: { expectedRevision?: (current: Authority) => boolean } = {},
  ): Promise<{ authority: Authority; changed: boolean }> {
    const id = `authority-${code}` as const;
    const current = await this.store.read(PK, id);
    if (!current || current.kind !== 'authority') throw new Error(`no directory entry for ${code}`);
    // The editor's If-Match: the entry it showed is no longer the stored one.
    if (options.expectedRevision && !options.expectedRevision(current.data)) throw new ConcurrencyError('directory', id);
    const next = change(structuredClone(current.data));
    const changes = next ? diff(current.data, next) : [];
    if (!next || changes.length === 0) return { authority: current.data, changed: false };
    // The import record and the confirmation prompt's state stay: an edit in Teams is what the next import must
    // recognise as one.
    const { etag: _etag, data: _data, ...rest } = current;
    await this.store.replace({ ...rest, id, pk: PK, type: 'directory', kind: 'authority', data: next } as DirectoryDoc, current.etag);
    await this.audit.record(`directory:${id}`, actor, action, changes, now);
    await this.touch(now);
    return { authority: next, changed: true };
  }

  /** Bumps `updatedAt` so other processes notice the change on their next refresh. */
  private async touch(now: Date): Promise<void> {
    // One patch, no read: the meta part exists whenever an authority part does (both come from an import).
    await this.store.patch(PK, 'meta', [{ op: 'set', path: '/data/updatedAt', value: now.toISOString() }]);
  }

  /** The change history of one authority's entry (imports, chat and tab edits, confirmations), oldest first. */
  history(code: AuthorityCode): Promise<AuditEntry[]> {
    return this.audit.trail(`directory:authority-${code}`);
  }

  /** `updatedAt` of the stored directory: a cheap check whether a cached copy is stale. */
  async revision(): Promise<string | undefined> {
    const meta = await this.store.read(PK, 'meta');
    return meta?.kind === 'meta' ? meta.data.updatedAt : undefined;
  }
}
