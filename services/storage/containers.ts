/**
 * The containers of the Integrations-Lotse database. All use the partition key path `/pk`; each
 * feature chooses the `pk` value so that its hot queries stay inside one partition.
 */
export const CONTAINERS = {
  /** Authorities, people, roles; pk = authority code, or 'kfi' / 'meta'. */
  directory: 'directory',
  /** User profiles (home authority, locale) and personal conversation references; pk = AAD object id. */
  users: 'users',
  /** Conversation references of teams and group chats; pk = conversation key. */
  conversations: 'conversations',
  /** Anliegen (requests) and Vorträge (reports); pk = authority code. */
  items: 'items',
  /** Koordinierungskreis meetings, polls, agenda, minutes; pk = meeting id. */
  circle: 'circle',
  /** Notification outbox; pk = notification id. */
  outbox: 'outbox',
  /** Audit entries; pk = the audited item's id. */
  audit: 'audit',
  /** Unanswered questions kept (redacted) for the IB; pk = authority code. */
  questions: 'questions',
  /** Scheduled jobs (reminders, escalations, purges); pk = job id. */
  jobs: 'jobs',
} as const;

export type ContainerName = (typeof CONTAINERS)[keyof typeof CONTAINERS];
export const CONTAINER_NAMES = Object.values(CONTAINERS) as ContainerName[];
