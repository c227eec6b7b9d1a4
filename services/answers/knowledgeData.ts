/**
 * "Meine Daten" of taught answers (issue 17): the versions of taught knowledge entries a person published (each
 * version keeps its publisher's AAD object id), with what they wrote and when, and when a replaced version is deleted
 * ({@link KNOWLEDGE_VERSION_RETENTION_DAYS} after it was replaced; the version in force stays while it is in force).
 */
import type { DocumentStore } from '../storage/documentStore';
import type { Localized } from './knowledge';
import type { OverlayScope } from './knowledgeOverlay';
import { KNOWLEDGE_VERSION_RETENTION_DAYS, type OverlayEntryDoc } from './knowledgeOverlayStore';

/** One version the person published. */
export interface MyTaughtAnswer {
  scope: OverlayScope;
  key: string;
  version: number;
  publishedAt: string;
  /** Whether this version is the one in force now. */
  current: boolean;
  /** Set when the version restored an earlier one. */
  rolledBackFrom?: number;
  answer: Localized;
  triggers: string[];
  /** When the version is deleted (replaced versions only). */
  deleteAfter?: string;
}

const DAY = 86_400_000;

/** The taught versions `aadObjectId` published, newest first. */
export async function taughtBy(store: Pick<DocumentStore<OverlayEntryDoc>, 'query'>, aadObjectId: string): Promise<MyTaughtAnswer[]> {
  const me = aadObjectId.toLowerCase();
  const docs = await store.query<OverlayEntryDoc>({ query: 'SELECT * FROM c WHERE c.type = @type', parameters: [{ name: '@type', value: 'knowledgeEntry' }] });
  const out: MyTaughtAnswer[] = [];
  for (const d of docs) {
    for (const v of d.versions) {
      if (v.publishedBy.toLowerCase() !== me) continue;
      out.push({
        scope: d.pk,
        key: d.key,
        version: v.version,
        publishedAt: v.publishedAt,
        current: v.version === d.current,
        ...(v.rolledBackFrom !== undefined ? { rolledBackFrom: v.rolledBackFrom } : {}),
        answer: { de: v.answer.de, en: v.answer.en },
        triggers: [...v.triggers],
        ...(v.replacedAt && v.version !== d.current ? { deleteAfter: new Date(Date.parse(v.replacedAt) + KNOWLEDGE_VERSION_RETENTION_DAYS * DAY).toISOString() } : {}),
      });
    }
  }
  return out.sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : 0));
}
