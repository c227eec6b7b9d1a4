/**
 * "Meine Daten" of the circle's cadence (issue 17): the entries of the cadence's trail a person made (setting,
 * changing, switching off the rhythm, confirming a prepared date), read from the stored cadence document. The trail
 * keeps field names, never values, and the latest entries only (the document keeps its last 50).
 */
import type { DocumentStore } from '../storage/documentStore';
import type { CadenceDoc, CadenceTrailEntry } from './cadenceService';

/** One trail entry of the person's own. */
export interface MyCadenceEntry {
  at: string;
  action: CadenceTrailEntry['action'];
  fields?: string[];
  ruleDate?: string;
}

/** The cadence trail entries `aadObjectId` made; none when there is no cadence. */
export async function cadenceTrailBy(store: Pick<DocumentStore<CadenceDoc>, 'read'>, aadObjectId: string): Promise<MyCadenceEntry[]> {
  const me = aadObjectId.toLowerCase();
  const doc = (await store.read('cadence', 'cadence')) as CadenceDoc | undefined;
  return (doc?.trail ?? [])
    .filter((e) => e.by.toLowerCase() === me)
    .map((e) => ({ at: e.at, action: e.action, ...(e.fields?.length ? { fields: [...e.fields] } : {}), ...(e.ruleDate ? { ruleDate: e.ruleDate } : {}) }));
}
