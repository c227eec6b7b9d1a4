/**
 * "Meine Daten löschen" (GDPR Art. 17): deletes what is the person's own and not a record the authority must keep —
 * their profile (with the personal chat reference the bot reaches them by), their poll answers, RSVPs and proposed
 * topics, their acknowledgements of information posts and every link from a post they received to them (reminders
 * included) — and says which records are kept and until when: requests and reports (until `REQUEST_RETENTION_DAYS`
 * after closing), the circle's meetings and polls with the person's entries in them, the information posts they sent,
 * and the directory's audit trail.
 * Idempotent: a second run deletes nothing and reports the same records kept.
 */
import type { CircleErasure } from '../circle/circleService';
import type { PostErasure } from '../posts/model';
import type { MyData } from './myData';

export interface ErasureDeps {
  /** "Meine Daten" before deleting: what is kept, and until when, comes from it. */
  myData(aadObjectId: string): Promise<MyData>;
  deleteProfile(aadObjectId: string): Promise<boolean>;
  eraseCircle?(aadObjectId: string): Promise<CircleErasure>;
  /** The person's acknowledgements of information posts, and their place among the recipients of posts. */
  erasePosts?(aadObjectId: string): Promise<PostErasure>;
  /** Files the person sent as a Vortrag's paper that no Vortrag took (a handed-in paper belongs to its Vortrag). */
  eraseFiles?(aadObjectId: string): Promise<number>;
}

/** Records of one kind that are kept: how many, how many still open, and the last moment one of them is deleted. */
export interface KeptRecords {
  count: number;
  /** Open requests and reports: kept until closed, then `retentionDaysAfterClosing`. */
  open: number;
  /** The latest `deleteAfter` of those already counting down. */
  until?: string;
}

export interface ErasureReport {
  deleted: { profile: boolean; posts?: PostErasure } & CircleErasure;
  kept: {
    /** Requests and reports the person created. */
    created: KeptRecords;
    /** Requests and reports of others with the person's messages, decisions or actions. */
    actedOn: KeptRecords;
    retentionDaysAfterClosing: number;
    /** Meetings and polls of the circle the person created, owns an action item in or posted the minutes of. */
    circle: KeptRecords;
    /** The person's entry as a guest of the circle (the KfI manages it). */
    guest: boolean;
    directoryEdits: KeptRecords;
    /** Information posts the person sent (the authority's record until `POST_RETENTION_DAYS` after sending). */
    postsSent?: KeptRecords;
  };
}

function kept(records: Array<{ open?: boolean; deleteAfter?: string }>, key: (r: { open?: boolean; deleteAfter?: string }) => string = () => ''): KeptRecords {
  const distinct = new Map<string, { open?: boolean; deleteAfter?: string }>();
  records.forEach((r, i) => distinct.set(key(r) || String(i), r));
  const all = [...distinct.values()];
  const until = all.map((r) => r.deleteAfter).filter((d): d is string => !!d).sort().pop();
  return { count: all.length, open: all.filter((r) => r.open).length, ...(until ? { until } : {}) };
}

/** Deletes the person's own data and reports what is kept; `aadObjectId` comes from the authenticated caller only. */
export async function eraseMyData(deps: ErasureDeps, aadObjectId: string): Promise<ErasureReport> {
  const id = aadObjectId.toLowerCase();
  const data = await deps.myData(id);
  const circle = (await deps.eraseCircle?.(id)) ?? { pollAnswers: 0, rsvps: 0, topics: 0 };
  const posts = await deps.erasePosts?.(id);
  await deps.eraseFiles?.(id);
  // The profile goes last: until then the person can still be told if something fails half-way.
  const profile = await deps.deleteProfile(id);
  const c = data.circle;
  const circleRecords = c
    ? [
        ...c.pollsCreated.map((p) => ({ id: p.pollId, deleteAfter: p.deleteAfter })),
        ...c.meetingsCreated.map((m) => ({ id: m.meetingId, deleteAfter: m.deleteAfter })),
        ...c.actionItems.map((a) => ({ id: a.meetingId, deleteAfter: a.deleteAfter })),
        ...c.minutesPosted.map((m) => ({ id: m.meetingId, deleteAfter: m.deleteAfter })),
      ]
    : [];
  return {
    deleted: { profile, ...circle, ...(posts ? { posts } : {}) },
    kept: {
      created: kept(data.requests.created),
      actedOn: kept(data.requests.actedOn),
      retentionDaysAfterClosing: data.requests.retentionDaysAfterClosing,
      circle: kept(circleRecords, (r) => (r as { id: string }).id),
      guest: !!c?.guest,
      directoryEdits: kept(data.directoryEdits),
      ...(data.posts?.sent.length ? { postsSent: kept(data.posts.sent) } : {}),
    },
  };
}
