/**
 * Retention of what has no record of its own to expire with: user profiles, the directory's audit entries, team and
 * group-chat references, and notifications that belong to no request or circle record. Requests and reports
 * (`RequestService.purgeExpired`), the Koordinierungskreis (`CircleService.purgeExpired`), unanswered questions and
 * finished jobs have their own purges. The embedded Cosmos server enforces no TTL, so these run as a scheduled job
 * (`privacy.purge`, hourly) over `expiresAt`/date queries, like the others.
 */
import type { AuditLog } from '../audit/auditLog';
import type { ConversationRegistry } from '../notifications/conversationRegistry';
import type { Outbox } from '../notifications/outbox';
import type { UserProfileRepository } from '../users/userProfiles';

export const PRIVACY_JOB_KINDS = { purge: 'privacy.purge' } as const;

/** Audit entries of the directory are written one per change under `directory:<part>`. */
export const DIRECTORY_AUDIT_PREFIX = 'directory:';

/** Notification keys that belong to a record and are deleted with it (`Outbox.deleteOwned`). */
export const OWNED_NOTIFICATION_PREFIXES = ['item:', 'circle:'] as const;

/** Days each kind is kept (configuration: USER_IDLE_RETENTION_DAYS, DIRECTORY_AUDIT_RETENTION_DAYS, …). */
export interface RetentionSettings {
  /** A profile without a personal chat (app uninstalled), counted from its last change. */
  userIdleDays: number;
  /** An entry of the directory's audit trail, counted from the change. */
  directoryAuditDays: number;
  /** A team or group-chat reference Teams reported gone (403/404), counted from that report. */
  conversationDays: number;
  /** A notification that belongs to no record, counted from its enqueueing. */
  outboxDays: number;
}

export interface RetentionDeps {
  profiles: Pick<UserProfileRepository, 'purgeExpired'>;
  audit: Pick<AuditLog, 'purgeBefore'>;
  conversations: Pick<ConversationRegistry, 'purgeUnreachable'>;
  outbox: Pick<Outbox, 'purgeUnowned'>;
  settings: RetentionSettings;
}

export interface PurgeCounts {
  users: number;
  directoryAudit: number;
  conversations: number;
  outbox: number;
}

const DAY_MS = 86_400_000;

/**
 * Deletes what is past its retention at `nowMs`. Each kind is purged even if another fails; the first failure is
 * rethrown afterwards, so the job runs again.
 */
export async function purgeExpiredData(deps: RetentionDeps, nowMs: number): Promise<PurgeCounts> {
  const days = (n: number) => nowMs - n * DAY_MS;
  const { settings } = deps;
  const results = await Promise.allSettled([
    deps.profiles.purgeExpired(nowMs),
    deps.audit.purgeBefore(DIRECTORY_AUDIT_PREFIX, new Date(days(settings.directoryAuditDays))),
    deps.conversations.purgeUnreachable(days(settings.conversationDays)),
    deps.outbox.purgeUnowned(days(settings.outboxDays), OWNED_NOTIFICATION_PREFIXES),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [users, directoryAudit, conversations, outbox] = results.map((r) => (r as PromiseFulfilledResult<number>).value);
  return { users, directoryAudit, conversations, outbox };
}

/** The moment a record written or closed at `at` is deleted, `days` later, as an ISO timestamp. */
export function deleteAfter(at: string | number, days: number): string {
  return new Date(new Date(at).getTime() + days * DAY_MS).toISOString();
}
