import type { MyTaughtAnswer } from '../answers/knowledgeData';
import type { AuditEntry } from '../audit/auditLog';
import type { MyCadenceEntry } from '../circle/cadenceData';
import type { MyPostData } from '../posts/model';
import type { CircleDataAbout } from '../circle/circleService';
import type { MyRequestData } from '../requests/requestService';
import type { UserProfile } from '../users/userProfiles';
import { deleteAfter } from './retention';

/** The person's profile as shown: their settings and how the bot reaches them, no bot or service internals. */
export interface MyProfile {
  tenantId: string;
  homeAuthority?: UserProfile['homeAuthority'];
  homeAuthoritySource?: UserProfile['homeAuthoritySource'];
  locale?: string;
  /** Answers in plain language (Leichte Sprache, plain English), when the person asked for it always. */
  plainLanguage?: boolean;
  /** The last question kept for "einfach erklärt", in the person's words. */
  lastQuestion?: { text: string; at: string };
  /** The personal chat the bot writes to (their own chat and account ids), `null` when none is stored. */
  personalChat: { conversationId: string; userId?: string } | null;
  createdAt: string;
  updatedAt: string;
  /** Set while no personal chat is stored (app uninstalled): when the profile is deleted. */
  deleteAfter?: string;
}

/** A change the person made to the directory (an administrator): where, what, when, which fields; no values. */
export interface MyDirectoryEdit {
  record: string;
  action: string;
  at: string;
  fields: string[];
  deleteAfter: string;
}

/**
 * "Meine Daten" (GDPR Art. 15, DSG NRW): what the Lotse stores about one person, from every workflow, in one
 * document: their profile, the requests and reports they created (their own fields, status and dates), their own
 * messages and decisions on items of others, their poll answers, RSVPs and topics, and the audit entries of their own
 * actions (directory edits included). Never items as they are now for roles the person may no longer hold, and never
 * anyone else's ids. Unanswered questions are stored without any link to the asker and so never appear here.
 */
export interface MyData {
  about: string;
  generatedAt: string;
  profile: MyProfile | null;
  requests: MyRequestData;
  circle: CircleDataAbout | null;
  directoryEdits: MyDirectoryEdit[];
  /** Information posts: sent, acknowledged, reminders received (absent where the posts are not set up). */
  posts?: MyPostData | null;
  /** The entries of the circle's cadence trail the person made. */
  cadenceTrail?: MyCadenceEntry[];
  /** Versions of taught answers the person published. */
  taughtAnswers?: MyTaughtAnswer[];
  /** Files the person sent as a Vortrag's paper that the Lotse still holds (until the head side took them). */
  paperFiles?: MyPaperFile[];
}

/** A paper file the Lotse holds (services/requests/paperFileStore.ts): what it is and until when, never its bytes. */
export interface MyPaperFile {
  name: string;
  fileType: string;
  size: number;
  receivedAt: string;
  deleteAfter: string;
}

export interface MyDataSources {
  profile(aadObjectId: string): Promise<UserProfile | undefined>;
  requests(aadObjectId: string): Promise<MyRequestData>;
  circle?(aadObjectId: string): Promise<CircleDataAbout>;
  /** Audit entries of the person's directory edits. */
  directoryEdits?(aadObjectId: string): Promise<AuditEntry[]>;
  posts?(aadObjectId: string): Promise<MyPostData>;
  cadenceTrail?(aadObjectId: string): Promise<MyCadenceEntry[]>;
  taughtAnswers?(aadObjectId: string): Promise<MyTaughtAnswer[]>;
  paperFiles?(aadObjectId: string): Promise<MyPaperFile[]>;
  /** DIRECTORY_AUDIT_RETENTION_DAYS, for `deleteAfter` of directory edits. */
  directoryAuditDays?: number;
  now?: () => Date;
}

/** The profile without the bot's own ids (bot account, service URL) and storage fields. */
export function profileShown(profile: UserProfile): MyProfile {
  const p = profile.personal;
  return {
    tenantId: profile.tenantId,
    ...(profile.homeAuthority ? { homeAuthority: profile.homeAuthority } : {}),
    ...(profile.homeAuthoritySource ? { homeAuthoritySource: profile.homeAuthoritySource } : {}),
    ...(profile.locale ? { locale: profile.locale } : {}),
    ...(profile.plainLanguage !== undefined ? { plainLanguage: profile.plainLanguage } : {}),
    ...(profile.lastQuestion ? { lastQuestion: { text: profile.lastQuestion.text, at: profile.lastQuestion.at } } : {}),
    personalChat: p ? { conversationId: p.conversationId, ...(p.userId ? { userId: p.userId } : {}) } : null,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
    ...(profile.expiresAt !== undefined ? { deleteAfter: new Date(profile.expiresAt).toISOString() } : {}),
  };
}

/** Collects "Meine Daten" from every source at once. */
export async function collectMyData(sources: MyDataSources, aadObjectId: string): Promise<MyData> {
  const id = aadObjectId.toLowerCase();
  const [profile, requests, circle, edits, posts, cadenceTrail, taughtAnswers, paperFiles] = await Promise.all([
    sources.profile(id),
    sources.requests(id),
    sources.circle?.(id),
    sources.directoryEdits?.(id) ?? Promise.resolve([]),
    sources.posts?.(id),
    sources.cadenceTrail?.(id) ?? Promise.resolve([]),
    sources.taughtAnswers?.(id) ?? Promise.resolve([]),
    sources.paperFiles?.(id) ?? Promise.resolve([]),
  ]);
  const days = sources.directoryAuditDays ?? 730;
  return {
    about: id,
    generatedAt: (sources.now?.() ?? new Date()).toISOString(),
    profile: profile ? profileShown(profile) : null,
    requests,
    circle: circle ?? null,
    directoryEdits: edits.map((e) => ({ record: e.itemId, action: e.action, at: e.at, fields: [...new Set(e.changes.map((c) => c.path))], deleteAfter: deleteAfter(e.at, days) })),
    posts: posts ?? null,
    cadenceTrail,
    taughtAnswers,
    paperFiles,
  };
}

/** How many entries each part holds, for the summary line above the data. */
export function countsOf(data: MyData): { items: number; audit: number; circle: number } {
  const c = data.circle;
  const circle = c
    ? c.pollAnswers.length + c.rsvps.length + c.topics.length + c.pollsCreated.length + c.meetingsCreated.length + c.actionItems.length + c.minutesPosted.length + (c.guest ? 1 : 0)
    : 0;
  return { items: data.requests.created.length + data.requests.actedOn.length, audit: data.requests.audit.length + data.directoryEdits.length, circle };
}
