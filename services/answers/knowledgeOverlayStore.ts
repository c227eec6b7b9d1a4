import { createHash, randomUUID } from 'node:crypto';
import { updateWithRetry } from '../common/etagRetry';
import type { DocumentStore } from '../storage/documentStore';
import type { OverlayContent, OverlayScope, OverlayVersion, PublishedEntry } from './knowledgeOverlay';

/** Versions of an entry replaced longer ago than this are deleted (their publisher's id with them). */
export const KNOWLEDGE_VERSION_RETENTION_DAYS = 730;
/** At most this many versions are kept per entry (the current one always). */
export const MAX_VERSIONS = 50;

/**
 * One taught entry in the `knowledge` container (pk = its scope: an authority code or `all`): every version published,
 * the current one in force. One document, so a publish or a rollback is one conditional write; the versions are its
 * audit trail (who, when, which entry, restored from which version).
 */
export interface OverlayEntryDoc {
  id: string;
  pk: OverlayScope;
  type: 'knowledgeEntry';
  key: string;
  current: number;
  versions: Array<OverlayVersion & { replacedAt?: string }>;
  updatedAt: string;
  /** Moves on with every write: the revision other instances watch. */
  rev: number;
}

/** What a publish or rollback did. */
export type OverlayWrite = { ok: true; entry: PublishedEntry } | { ok: false; code: 'not_found' };

/** The taught entries in the `knowledge` container. */
export class KnowledgeOverlayStore {
  constructor(private readonly store: DocumentStore<OverlayEntryDoc>) {}

  /**
   * A cheap stamp of everything published: changes with every write on any instance (one small query, no documents'
   * text). `LiveAnswers` compares it on its timer and reloads only when it moved.
   */
  async revision(): Promise<string> {
    const rows = await this.store.query<{ id: string; pk: string; rev: number }>({
      query: 'SELECT c.id, c.pk, c.rev FROM c WHERE c.type = @type',
      parameters: [{ name: '@type', value: 'knowledgeEntry' }],
    });
    if (!rows.length) return 'kb:0';
    const stamp = rows.map((r) => `${r.pk}/${r.id}/${r.rev}`).sort().join('|');
    return `kb:${createHash('sha256').update(stamp).digest('hex').slice(0, 16)}`;
  }

  /** Every entry in force (its current version). */
  async published(): Promise<PublishedEntry[]> {
    const docs = await this.list();
    return docs.flatMap((d) => {
      const version = d.versions.find((v) => v.version === d.current);
      return version ? [{ key: d.key, scope: d.pk, version: stripReplaced(version) }] : [];
    });
  }

  /** The entries of some scopes, with all their versions, newest change first. */
  async list(scopes?: readonly OverlayScope[]): Promise<OverlayEntryDoc[]> {
    const docs = scopes
      ? (
          await Promise.all(
            scopes.map((pk) =>
              this.store.query<OverlayEntryDoc>(
                { query: 'SELECT * FROM c WHERE c.pk = @pk AND c.type = @type', parameters: [{ name: '@pk', value: pk }, { name: '@type', value: 'knowledgeEntry' }] },
                { partitionKey: pk },
              ),
            ),
          )
        ).flat()
      : await this.store.query<OverlayEntryDoc>({ query: 'SELECT * FROM c WHERE c.type = @type', parameters: [{ name: '@type', value: 'knowledgeEntry' }] });
    return docs.sort((a, b) => (a.updatedAt === b.updatedAt ? a.key.localeCompare(b.key) : a.updatedAt > b.updatedAt ? -1 : 1));
  }

  async get(scope: OverlayScope, key: string): Promise<OverlayEntryDoc | undefined> {
    return this.store.read(scope, key);
  }

  /** Publishes a new version of an entry (a new entry without `key`, or with a key not yet used). */
  async publish(scope: OverlayScope, key: string | undefined, content: OverlayContent, actor: string, now: Date): Promise<OverlayWrite> {
    const id = key ?? `kb-${randomUUID().slice(0, 8)}`;
    return this.write(scope, id, actor, now, () => ({ content }), true);
  }

  /** Publishes an earlier version again, as a new version (the history stays linear and complete). */
  async rollback(scope: OverlayScope, key: string, version: number, actor: string, now: Date): Promise<OverlayWrite> {
    return this.write(
      scope,
      key,
      actor,
      now,
      (doc) => {
        const earlier = doc?.versions.find((v) => v.version === version);
        if (!earlier || earlier.version === doc?.current) return undefined;
        const { version: _v, publishedBy: _b, publishedAt: _a, rolledBackFrom: _r, replacedAt: _x, ...content } = earlier;
        return { content, rolledBackFrom: version };
      },
      false,
    );
  }

  private async write(
    scope: OverlayScope,
    key: string,
    actor: string,
    now: Date,
    next: (doc: OverlayEntryDoc | undefined) => { content: OverlayContent; rolledBackFrom?: number } | undefined,
    mayCreate: boolean,
  ): Promise<OverlayWrite> {
    let written: PublishedEntry | undefined;
    const at = now.toISOString();
    await updateWithRetry(this.store, scope, key, (doc) => {
      written = undefined;
      if (!doc && !mayCreate) return undefined;
      const change = next(doc);
      if (!change) return undefined;
      const number = (doc?.versions.reduce((m, v) => Math.max(m, v.version), 0) ?? 0) + 1;
      const version: OverlayVersion = { ...change.content, version: number, publishedBy: actor, publishedAt: at, ...(change.rolledBackFrom ? { rolledBackFrom: change.rolledBackFrom } : {}) };
      const previous = (doc?.versions ?? []).map((v) => (v.version === doc?.current && !v.replacedAt ? { ...v, replacedAt: at } : v));
      written = { key, scope, version };
      return {
        id: key,
        pk: scope,
        type: 'knowledgeEntry' as const,
        key,
        current: number,
        versions: [...previous, version].slice(-MAX_VERSIONS),
        updatedAt: at,
        rev: (doc?.rev ?? 0) + 1,
      };
    });
    return written ? { ok: true, entry: written } : { ok: false, code: 'not_found' };
  }

  /** Deletes versions replaced more than the retention period ago (never the current one). Returns how many. */
  async purgeExpired(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - KNOWLEDGE_VERSION_RETENTION_DAYS * 86_400_000).toISOString();
    let removed = 0;
    for (const doc of await this.list()) {
      const keep = doc.versions.filter((v) => v.version === doc.current || !v.replacedAt || v.replacedAt > cutoff);
      if (keep.length === doc.versions.length) continue;
      let dropped = 0;
      await updateWithRetry(this.store, doc.pk, doc.id, (d) => {
        dropped = 0;
        if (!d) return undefined;
        const kept = d.versions.filter((v) => v.version === d.current || !v.replacedAt || v.replacedAt > cutoff);
        if (kept.length === d.versions.length) return undefined;
        dropped = d.versions.length - kept.length;
        // Not a new revision: what is in force did not change.
        return { ...d, versions: kept };
      });
      removed += dropped;
    }
    return removed;
  }
}

function stripReplaced(v: OverlayVersion & { replacedAt?: string }): OverlayVersion {
  const { replacedAt: _r, ...rest } = v;
  return rest;
}
