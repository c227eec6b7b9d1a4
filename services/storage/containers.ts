/**
 * The containers of the Integrations-Lotse database. All use the partition key path `/pk`; each
 * feature chooses the `pk` value so that its hot queries stay inside one partition. Each comment says what the
 * container holds and how long (the purge that enforces it: the embedded server has no TTL).
 */
export const CONTAINERS = {
  /** Authorities, people, roles; pk = authority code, or 'kfi' / 'meta'. Kept until the next import replaces it. */
  directory: 'directory',
  /**
   * User profiles (home authority, locale) and personal conversation references; pk = AAD object id. Kept while the
   * bot has a personal chat; without one, USER_IDLE_RETENTION_DAYS after the last change (privacy purge), or until
   * "Meine Daten löschen".
   */
  users: 'users',
  /**
   * Conversation references of teams and group chats, and each tenant's connector endpoint; pk = conversation key.
   * Removed on uninstall; CONVERSATION_RETENTION_DAYS after Teams reported the bot gone (privacy purge).
   */
  conversations: 'conversations',
  /** Anliegen (requests) and Vorträge (reports); pk = authority code. REQUEST_RETENTION_DAYS after closing. */
  items: 'items',
  /**
   * Koordinierungskreis meetings, polls, answers, RSVPs, topics, minutes; pk = meeting id. CIRCLE_RETENTION_DAYS
   * after a meeting's end or a poll's closing; a person's answers, RSVPs and topics also on "Meine Daten löschen".
   */
  circle: 'circle',
  /**
   * Notification outbox; pk = notification id. Deleted with the request or circle record it belongs to; a notification
   * of no record OUTBOX_RETENTION_DAYS after it was enqueued (privacy purge).
   */
  outbox: 'outbox',
  /**
   * Audit entries; pk = the audited item's id. Request trails go with their item; directory changes
   * DIRECTORY_AUDIT_RETENTION_DAYS after the change (privacy purge).
   */
  audit: 'audit',
  /** Unanswered questions kept (redacted) for the IB; pk = authority code. 90 days. */
  questions: 'questions',
  /** Scheduled jobs (reminders, escalations, purges); pk = job id. Finished jobs 30 days (job runner purge). */
  jobs: 'jobs',
  /**
   * Information posts of the IB and the KfI and their recipients' acknowledgements; pk = post id. POST_RETENTION_DAYS
   * after the post was sent (posts purge, with its notifications; Cosmos `ttl` 30 days later as a backstop).
   */
  posts: 'posts',
  /**
   * Answer entries the IB and the KfI taught (issue 18), each with every version published (who, when); pk = scope
   * (authority code or `all`). The current version while in force; a replaced version KNOWLEDGE_VERSION_RETENTION_DAYS
   * (730) after it was replaced (purge in bot/app.ts). No text of any question.
   */
  knowledge: 'knowledge',
  /**
   * Weekly question counts per intent (asked, answered); pk = authority code or `unassigned`. Counts only: no text, no
   * user. FIGURES_RETENTION_DAYS (730) after the week (purge; Cosmos `ttl` as a backstop).
   */
  figures: 'figures',
  /**
   * The paper of a Vortrag sent as a file, held until the head side took it (issue 17); pk = file id (a head document
   * and its chunks). Deleted once everyone offered it accepted or declined it, a file never handed in after a day, in
   * any case PAPER_FILE_RETENTION_DAYS after it arrived (purge job; Cosmos `ttl` a day later as a backstop).
   */
  files: 'files',
} as const;

export type ContainerName = (typeof CONTAINERS)[keyof typeof CONTAINERS];
export const CONTAINER_NAMES = Object.values(CONTAINERS) as ContainerName[];

/**
 * How every container is declared (here, in database.ts at start, and in infra/cosmos.bicep): partition key path `/pk`,
 * and default TTL -1, which turns Cosmos DB's per-document `ttl` on without expiring anything by itself (a document
 * without `ttl` is kept; the purge jobs delete by `expiresAt` too, since the embedded server has no TTL).
 */
export const CONTAINER_SCHEMA = { partitionKeyPath: '/pk', defaultTtl: -1 } as const;
