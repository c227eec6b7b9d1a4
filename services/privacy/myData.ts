import type { AuditEntry } from '../audit/auditLog';
import type { CircleDataAbout } from '../circle/circleService';
import type { ItemDoc } from '../requests/model';
import type { UserProfile } from '../users/userProfiles';

/**
 * "Meine Daten" (GDPR Art. 15, DSG NRW): everything the Lotse stores about one person, from every workflow, in one
 * document. Unanswered questions are stored without any link to the asker and so never appear here.
 */
export interface MyData {
  about: string;
  generatedAt: string;
  /** Home authority, language and how the bot reaches the person in Teams; `null` if nothing is stored. */
  profile: Omit<UserProfile, 'pk' | 'id' | 'type'> | null;
  requests: { items: ItemDoc[]; audit: AuditEntry[] };
  circle: CircleDataAbout | null;
}

export interface MyDataSources {
  profile(aadObjectId: string): Promise<UserProfile | undefined>;
  requests(aadObjectId: string): Promise<{ items: ItemDoc[]; audit: AuditEntry[] }>;
  circle?(aadObjectId: string): Promise<CircleDataAbout>;
  now?: () => Date;
}

/** Collects "Meine Daten" from every source at once. */
export async function collectMyData(sources: MyDataSources, aadObjectId: string): Promise<MyData> {
  const id = aadObjectId.toLowerCase();
  const [profile, requests, circle] = await Promise.all([sources.profile(id), sources.requests(id), sources.circle?.(id)]);
  let shown: MyData['profile'] = null;
  if (profile) {
    const { pk: _pk, id: _id, type: _type, etag: _etag, ...rest } = profile as UserProfile & { etag?: string };
    shown = rest;
  }
  return { about: id, generatedAt: (sources.now?.() ?? new Date()).toISOString(), profile: shown, requests, circle: circle ?? null };
}

/** How many entries each part holds, for the summary line above the data. */
export function countsOf(data: MyData): { items: number; audit: number; circle: number } {
  const c = data.circle;
  const circle = c
    ? c.pollAnswers.length + c.rsvps.length + c.topics.length + c.pollsCreated.length + c.meetingsCreated.length + c.actionItems.length + c.minutesPosted.length + (c.guest ? 1 : 0)
    : 0;
  return { items: data.requests.items.length, audit: data.requests.audit.length, circle };
}
