/**
 * Information posts (RdErl. v. 5.12.2023, Nr. 5 b/c and Nr. 6): an IB informs the staff of their own authority, the
 * KfI informs all IB, optionally asking them to acknowledge ("bitte zur Kenntnis nehmen"). Every action re-checks from
 * the stored directory (and Entra groups) and the stored post who may act; nothing is taken from card data. Every
 * action returns an `Outcome`; a refusal is never thrown to the caller.
 *
 * A post and the notices it owes (the cards to its recipients, the sender's card, reminders) are one document write;
 * the relay carries them out afterwards through the outbox, whose dispatcher keeps to Teams' rate limits. An
 * acknowledgement is a document of its own in the post's partition, so many recipients acknowledging at once never
 * contend for the post.
 */
import { createHash, randomUUID } from 'node:crypto';
import { detectPersonalData, directoryPrivacyOptions, type PersonalDataKind } from '../answers/privacy';
import { isDirectoryAdmin, type GroupSnapshot } from '../directory/groupRoles';
import type { AuthorityCode, Directory } from '../directory/model';
import { isAuthorityCode } from '../directory/model';
import { personByAadObjectId, rolesOf } from '../directory/roles';
import { GraphError, type GraphPort } from '../graph/graphPort';
import type { Logger } from '../logging';
import type { DeliveryReports } from '../notifications/reach';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { AlreadyExistsError } from '../storage/errors';
import type { UserProfile } from '../users/userProfiles';
import { outcome, type Outcome, type ProblemCode, type Refusal } from '../workflow/outcome';
import type { Relay, RelaySource } from '../workflow/relay';
import { summarize } from '../workflow/reachSummary';
import type { Lang } from '../workflow/texts';
import { formatBerlinDate } from '../common/berlinTime';
import { AUTHORITY_NAMES } from '../directory/model';
import { POST_TEXTS } from './texts';
import { createWithNotices, transact, type WorkflowWriter } from '../workflow/transaction';
import type { JobHandler } from '../scheduling/scheduler';
import type { Outbox } from '../notifications/outbox';
import type { Scheduler } from '../scheduling/scheduler';
import { updateWithRetry } from '../common/etagRetry';
import { ackId, POST_LIMITS, postKey, REMIND_LIMITS, type AckDoc, type Audience, type KnownIbDoc, type MyPostData, type PostDoc, type PostErasure, type PostsDoc, type PostStatus, type PostView } from './model';
import { departmentsOf, type DepartmentCount, type StaffMember, type StaffRoster } from './staffRoster';
import { noticesForDraft, noticesForRemind, noticesForSend, noticesForWeekly, POST_JOB_KINDS, POSTS_SOURCE, postReachListener, postsRelaySource } from './notifications';

/** Why a post action was refused (the bot and the tab say it in the caller's words, see texts `refusals`). */
export const POST_REFUSALS = {
  notIb: 'notIb',
  otherAuthority: 'otherAuthority',
  notSender: 'notSender',
  notRecipient: 'notRecipient',
  noAck: 'noAck',
  remindLimit: 'remindLimit',
  nobodyToRemind: 'nobodyToRemind',
  notConfirmer: 'notConfirmer',
  alreadySent: 'alreadySent',
  notFound: 'notFound',
  staffUnavailable: 'staffUnavailable',
  /** Graph refuses to list the staff group (the app lacks GroupMember.Read.All, or it was withdrawn). */
  staffForbidden: 'staffForbidden',
  /** The same when a new IB confirms the announcement of their appointment (nothing to the ministry either). */
  staffForbiddenAppointment: 'staffForbiddenAppointment',
} as const;

/**
 * What the sender types (the tab's composer): the audience as offered (`authority:<code>`, `departments:<code>`,
 * `group`, `allIb`); for `departments:<code>`, the chosen departments one per line.
 */
export interface PostInput {
  tenantId: string;
  title: string;
  text: string;
  audience: string;
  groupId?: string;
  departments?: string;
  ack: boolean;
}

/** How the composer offers one of the sender's authorities: where its staff come from, and its departments. */
export interface AuthorityAudience {
  authority: AuthorityCode;
  /** `entra`: the members of its staff group; `known`: the staff the bot knows (no staff group configured). */
  source: 'entra' | 'known';
  /** How many people "the whole authority" reaches now (Entra only; the bot's count is known at sending). */
  staff?: number;
  /** The departments found among the staff (distinct, German collation); empty when Entra gives none. */
  departments: DepartmentCount[];
  /**
   * Why departments are not offered: no staff group, no department data, the group could not be read, or Graph may not
   * read the departments (the app lacks User.Read.All: Graph then gives every member's department as null).
   */
  noDepartments?: 'notConfigured' | 'noData' | 'unavailable' | 'needsPermission' | 'needsGroupPermission';
  /** Graph listed the staff with their ids only (no User.Read.All): the composer says names cannot be shown either. */
  namesUnreadable?: true;
}

export interface PostServiceDeps {
  store: DocumentStore<PostsDoc>;
  /** The stored user profiles: staff of an authority are those whose Bezirksregierung is known. */
  users: Pick<DocumentStore<UserProfile>, 'query'>;
  directory: () => Directory;
  groups?: () => GroupSnapshot;
  graph?: GraphPort;
  relay: Pick<Relay, 'kick' | 'relayed'>;
  outbox: Pick<Outbox, 'enqueue' | 'enqueueUpdate' | 'deleteOwned' | 'forgetRecipient'>;
  scheduler: Pick<Scheduler, 'reschedule' | 'cancel'>;
  reports: Pick<DeliveryReports, 'report'>;
  langOf: (aadObjectId: string) => Promise<Lang>;
  logger: Logger;
  now?: () => Date;
  /** Days a post is kept after it was sent (POST_RETENTION_DAYS, default 365). */
  retentionDays?: number;
  /** The mailbox Graph sends from (the ministry copy of an appointment post). */
  mailFrom?: string;
  /** The ministry contact a new IB's appointment post is copied to (POST_MINISTRY_CONTACT). */
  ministryContact?: string;
  /** Directory administrators (ADMIN_AAD_OBJECT_IDS): they may confirm an appointment post too. */
  admins?: readonly string[];
  /** The tenant of a person (their stored profile, else the bot's tenant), for an appointment post made by a job. */
  tenantOf?: (aadObjectId: string) => Promise<string | undefined>;
  /** The staff of each authority from its Entra staff group (GRAPH_GROUP_STAFF_<AUTHORITY>); without it, the staff the bot knows. */
  staff?: StaffRoster;
}

const DAY = 86_400_000;
/** Cosmos DB's `ttl` (seconds) for a document the purge deletes at `expiresAt`: 30 days later, as a backstop. */
const ttlFor = (expiresAt: number, nowMs: number) => Math.max(1, Math.round((expiresAt + 30 * DAY - nowMs) / 1000));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Contact data in a post (an organiser's phone, a functional mailbox) is about the authority's work, not a person's.
const CONTACT_KINDS: ReadonlySet<PersonalDataKind> = new Set(['address', 'phone', 'email']);

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.code);
  }
}
const refused = (code: 'forbidden' | 'not_found' | 'closed' | 'unavailable', reason: string) => new Refused(outcome.refuse(code, reason));
const problem = (field: string, code: ProblemCode, kinds?: PersonalDataKind[]) => new Refused(outcome.invalid([{ field, code, ...(kinds ? { kinds } : {}) }]));

const clean = (value: string | undefined) => (value ?? '').replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();

/** The posts service. */
export class PostService {
  private readonly now: () => Date;
  private readonly writer: WorkflowWriter;

  constructor(private readonly deps: PostServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.writer = { relay: deps.relay, source: POSTS_SOURCE, now: () => this.now().getTime() };
  }

  private async run<T>(action: () => Promise<{ value: T; changed: boolean }>): Promise<Outcome<T>> {
    try {
      const { value, changed } = await action();
      return outcome.done(value, changed);
    } catch (err) {
      if (err instanceof Refused) return err.refusal;
      throw err;
    }
  }

  /** The relay source that carries out the posts' notices (registered once by the app). */
  relaySource(): RelaySource<PostsDoc> {
    return postsRelaySource({
      store: this.deps.store,
      outbox: this.deps.outbox,
      scheduler: this.deps.scheduler,
      langOf: this.deps.langOf,
      status: (post) => this.statusOf(post),
      ...(this.deps.graph ? { graph: this.deps.graph } : {}),
      ...(this.deps.mailFrom ? { mailFrom: this.deps.mailFrom } : {}),
      logger: this.deps.logger,
      now: this.now,
    });
  }

  /** The listener that updates the sender's status card once a post's cards have settled (registered once by the app). */
  reachListener(): ReturnType<typeof postReachListener> {
    return postReachListener({ store: this.deps.store, outbox: this.deps.outbox, langOf: this.deps.langOf, status: (post) => this.statusOf(post), logger: this.deps.logger });
  }

  /**
   * The audiences `actor` may post to, as the composer offers them: `authority:<code>` for each authority whose IB or
   * deputy they are, `allIb` for the KfI, and `group` (an Entra group) for both when Graph can read groups.
   */
  audiencesOf(actor: string): string[] {
    const roles = rolesOf(this.deps.directory(), actor, this.deps.groups?.());
    const own = [...new Set([...roles.commissionerOf, ...roles.deputyOf])];
    const out = own.map((code) => `authority:${code}`);
    if (roles.kfi) out.push('allIb');
    if (out.length && this.deps.graph) out.push('group');
    return out;
  }

  /**
   * The sender's own authorities as the composer offers them: whether "the whole authority" means the Entra staff
   * group or the staff the bot knows, and the departments to choose from (from the roster's copy, which may be up to
   * the cache lifetime old; sending reads afresh).
   */
  async authorityAudiences(actor: string): Promise<AuthorityAudience[]> {
    const own = this.audiencesOf(actor)
      .filter((a) => a.startsWith('authority:'))
      .map((a) => a.slice('authority:'.length))
      .filter(isAuthorityCode);
    return Promise.all(
      own.map(async (authority): Promise<AuthorityAudience> => {
        const staff = this.deps.staff;
        if (!staff?.configured(authority)) return { authority, source: 'known', departments: [], noDepartments: 'notConfigured' };
        try {
          const members = await staff.members(authority);
          const departments = departmentsOf(members);
          const why = departments.length ? {} : { noDepartments: (await this.departmentsUnreadable(members)) ? ('needsPermission' as const) : ('noData' as const) };
          return { authority, source: 'entra', staff: members.length, departments, ...why, ...(members.some((m) => m.limited) ? { namesUnreadable: true as const } : {}) };
        } catch (err) {
          this.deps.logger.warn({ event: 'posts.staff_unavailable', authority, code: err instanceof GraphError ? err.code : 'unknown' }, 'staff group could not be read');
          // Graph refusing (the permission missing) is for IT to fix, not a moment to wait out.
          const why = err instanceof GraphError && err.kind === 'forbidden' ? ('needsGroupPermission' as const) : ('unavailable' as const);
          return { authority, source: 'entra', departments: [], noDepartments: why };
        }
      }),
    );
  }

  /** Whether `actor` may post at all (an IB or deputy, or the KfI). */
  mayPost(actor: string): boolean {
    return this.audiencesOf(actor).length > 0;
  }

  /**
   * The post `send` would store and deliver, checked the same way, storing nothing; `reach`: how many people it would
   * reach now (the recipients resolved as `send` resolves them; 0 where it would reach nobody, which `send` refuses).
   */
  async preview(actor: string, input: PostInput): Promise<Outcome<PostDoc & { reach: number }>> {
    return this.run(async () => {
      const post = this.draft(actor, input);
      let reach = 0;
      try {
        reach = (await this.recipientIds(post.audience, post.sender)).size;
      } catch (err) {
        if (!(err instanceof Refused && err.refusal.code === 'invalid' && err.refusal.problems[0]?.field === 'noRecipients')) throw err;
      }
      return { value: { ...post, reach }, changed: false };
    });
  }

  /** Sends a post: checks, resolves the recipients, and stores it with the notices that deliver it. */
  async send(actor: string, input: PostInput): Promise<Outcome<PostDoc>> {
    return this.run(async () => {
      const post = this.draft(actor, input);
      const { ids, names } = await this.resolve(post.audience, actor);
      const sent: PostDoc = { ...post, recipients: ids, names, status: 'sent', sentAt: post.createdAt };
      const saved = await createWithNotices(this.deps.store, sent, noticesForSend(sent), this.writer);
      this.deps.logger.info({ event: 'posts.sent', postId: sent.pk, audience: sent.audience.kind, recipients: ids.length, ack: sent.ackRequested }, 'post sent');
      return { value: saved as PostDoc, changed: true };
    });
  }

  private draft(actor: string, input: PostInput): PostDoc {
    const me = actor.toLowerCase();
    const allowed = this.audiencesOf(me);
    if (!allowed.length) throw refused('forbidden', POST_REFUSALS.notIb);
    const audience = this.audience(input, allowed);
    const title = clean(input.title);
    const text = clean(input.text);
    if (!title) throw problem('title', 'missing');
    if (title.length > POST_LIMITS.title) throw problem('title', 'too_long');
    if (!text) throw problem('text', 'missing');
    if (text.length > POST_LIMITS.text) throw problem('text', 'too_long');
    this.guard('title', title);
    this.guard('text', text);
    const directory = this.deps.directory();
    const roles = rolesOf(directory, me, this.deps.groups?.());
    const ownAuthority = audience.kind === 'authority' || audience.kind === 'departments' ? audience.authority : [...roles.commissionerOf, ...roles.deputyOf][0];
    const from: PostDoc['from'] = audience.kind === 'allIb' || !ownAuthority ? { role: 'kfi' } : { role: 'ib', authority: ownAuthority };
    const now = this.now();
    return {
      id: 'post',
      pk: `post-${randomUUID()}`,
      type: 'post',
      kind: 'info',
      status: 'draft',
      title,
      text,
      ackRequested: input.ack,
      from,
      audience,
      sender: me,
      senderName: personByAadObjectId(directory, me)?.name ?? '',
      tenantId: input.tenantId,
      recipients: [],
      names: {},
      reminders: [],
      createdAt: now.toISOString(),
      expiresAt: now.getTime() + (this.deps.retentionDays ?? 365) * DAY,
      ttl: ttlFor(now.getTime() + (this.deps.retentionDays ?? 365) * DAY, now.getTime()),
    };
  }

  /** The audience asked for, if the actor may post to it (an authority not their own is refused as such). */
  private audience(input: PostInput, allowed: string[]): Audience {
    const value = (input.audience ?? '').trim();
    if (value.startsWith('authority:')) {
      const code = value.slice('authority:'.length);
      if (!isAuthorityCode(code)) throw problem('audience', 'unknown_value');
      if (!allowed.includes(value)) throw refused('forbidden', POST_REFUSALS.otherAuthority);
      return { kind: 'authority', authority: code, source: this.deps.staff?.configured(code) ? 'entra' : 'known' };
    }
    if (value.startsWith('departments:')) {
      // Who may: the IB or deputy of that authority, from the stored directory; which departments exist: Entra, read
      // afresh when the recipients are resolved. Nothing of the form is trusted.
      const code = value.slice('departments:'.length);
      if (!isAuthorityCode(code)) throw problem('audience', 'unknown_value');
      if (!allowed.includes(`authority:${code}`)) throw refused('forbidden', allowed.some((a) => a.startsWith('authority:')) ? POST_REFUSALS.otherAuthority : POST_REFUSALS.notIb);
      if (!this.deps.staff?.configured(code)) throw problem('departmentsUnavailable', 'unknown_value');
      const departments = [...new Set((input.departments ?? '').split('\n').map((d) => clean(d)).filter(Boolean))];
      if (!departments.length) throw problem('departments', 'missing');
      if (departments.length > POST_LIMITS.departments) throw problem('departmentsTooMany', 'too_many');
      if (departments.some((d) => d.length > POST_LIMITS.department)) throw problem('departmentUnknown', 'unknown_value');
      return { kind: 'departments', authority: code, departments };
    }
    if (value === 'allIb') {
      if (!allowed.includes(value)) throw refused('forbidden', POST_REFUSALS.notIb);
      return { kind: 'allIb' };
    }
    if (value === 'group') {
      if (!this.deps.graph) throw problem('groupUnavailable', 'unknown_value');
      const groupId = (input.groupId ?? '').trim().toLowerCase();
      if (!GUID.test(groupId)) throw problem('groupId', groupId ? 'unknown_value' : 'missing');
      return { kind: 'group', groupId };
    }
    throw problem('audience', 'unknown_value');
  }

  /** The privacy guard on text every recipient reads: a third party's special-category data is refused at its field. */
  private guard(field: string, value: string): void {
    const kinds = detectPersonalData(value, directoryPrivacyOptions(this.deps.directory())).filter((k) => !CONTACT_KINDS.has(k));
    if (kinds.length) throw problem(field, 'personal_data', kinds);
  }

  /**
   * Whom an audience means now, without the sender: the staff the bot knows of the authority (profiles with that
   * Bezirksregierung, chosen or derived from their e-mail address); the members of an Entra group (Graph); every IB and deputy.
   * Names come from the directory, Entra's group listing, or Graph's user lookup where it may read users.
   */
  private async resolve(audience: Audience, sender: string): Promise<{ ids: string[]; names: Record<string, string> }> {
    const names = new Map<string, string>();
    const ids = await this.recipientIds(audience, sender, names);
    await this.lookUpNames([...ids].filter((id) => !names.has(id)), names);
    return { ids: [...ids], names: Object.fromEntries(names) };
  }

  /** The recipients' ids (and into `names`, the names the directory or Entra's listing gave), checked against the limits. */
  private async recipientIds(audience: Audience, sender: string, names = new Map<string, string>()): Promise<Set<string>> {
    const directory = this.deps.directory();
    const ids = new Set<string>();
    const add = (id: string | undefined, name?: string) => {
      const key = id?.toLowerCase();
      if (!key || key === sender) return;
      ids.add(key);
      if (name && !names.has(key)) names.set(key, name);
    };
    if (audience.kind === 'allIb') {
      for (const a of directory.authorities) for (const p of [a.commissioner, a.deputy]) add(p?.teams?.aadObjectId, p?.name);
    } else if (audience.kind === 'departments' || (audience.kind === 'authority' && audience.source !== 'known' && !!this.deps.staff?.configured(audience.authority))) {
      const members = await this.staffOf(audience.authority);
      if (audience.kind === 'departments') {
        const present = new Set(members.map((m) => m.department).filter(Boolean));
        // Graph may not read departments now (User.Read.All missing or withdrawn): say so, not "unknown department".
        if (present.size === 0 && (await this.departmentsUnreadable(members))) throw problem('departmentsNeedPermission', 'unknown_value');
        // A department of another authority, one typed into the form, or one gone from Entra since the composer opened.
        if (audience.departments.some((d) => !present.has(d))) throw problem('departmentUnknown', 'unknown_value');
        const chosen = new Set(audience.departments);
        for (const m of members) if (m.department && chosen.has(m.department)) add(m.id, personByAadObjectId(directory, m.id)?.name ?? m.name);
      } else for (const m of members) add(m.id, personByAadObjectId(directory, m.id)?.name ?? m.name);
    } else if (audience.kind === 'authority') {
      const staff = await this.deps.users.query<{ pk: string }>({
        query: "SELECT c.pk FROM c WHERE c.type = 'userProfile' AND c.homeAuthority = @a",
        parameters: [{ name: '@a', value: audience.authority }],
      });
      for (const s of staff) add(s.pk, personByAadObjectId(directory, s.pk)?.name);
    } else {
      const graph = this.deps.graph;
      if (!graph || !(await graph.features().catch(() => new Set<string>())).has('groups')) throw problem('groupUnavailable', 'unknown_value');
      try {
        for (const m of await graph.groupMembers(audience.groupId)) add(m.id, personByAadObjectId(directory, m.id)?.name ?? m.displayName);
      } catch (err) {
        if (err instanceof GraphError && (err.kind === 'notFound' || err.kind === 'forbidden' || err.kind === 'permanent')) throw problem('groupUnknown', 'unknown_value');
        throw err;
      }
    }
    if (ids.size === 0) throw problem('noRecipients', 'missing');
    if (ids.size > POST_LIMITS.recipients) throw problem('tooManyRecipients', 'too_many');
    return ids;
  }

  /**
   * Whether the staff's departments cannot be read for want of a permission rather than being empty in Entra: Graph
   * listed members with their id only, or the app's token lacks User.Read.All (the feature `people`), which
   * `department` needs (https://learn.microsoft.com/graph/permissions-overview#limited-information-returned-for-inaccessible-member-objects).
   */
  private async departmentsUnreadable(members: readonly StaffMember[]): Promise<boolean> {
    if (members.some((m) => m.limited)) return true;
    const graph = this.deps.graph;
    if (!graph || members.length === 0) return false;
    return !(await graph.features().catch(() => new Set<string>())).has('people');
  }

  /** The authority's Entra staff, read afresh; a group Graph cannot read now refuses the post (nothing is stored). */
  private async staffOf(authority: AuthorityCode): Promise<StaffMember[]> {
    try {
      return await this.deps.staff!.members(authority, { fresh: true });
    } catch (err) {
      this.deps.logger.warn({ event: 'posts.staff_unavailable', authority, code: err instanceof GraphError ? err.code : 'unknown' }, 'staff group could not be read');
      // A refusal will not pass by itself: say which permission is missing rather than "try again in a few minutes".
      throw refused('unavailable', err instanceof GraphError && err.kind === 'forbidden' ? POST_REFUSALS.staffForbidden : POST_REFUSALS.staffUnavailable);
    }
  }

  /** Names of staff the directory does not list, through Graph where it may read users; best effort. */
  private async lookUpNames(ids: string[], names: Map<string, string>): Promise<void> {
    const graph = this.deps.graph;
    if (!graph || !ids.length) return;
    try {
      if (!(await graph.features()).has('people')) return;
      for (const [id, user] of await graph.resolveUsers(ids)) if (user?.displayName) names.set(id, user.displayName);
    } catch (err) {
      this.deps.logger.warn({ event: 'posts.names_unavailable', code: err instanceof GraphError ? err.code : 'unknown' }, 'recipient names could not be read');
    }
  }

  private async load(postId: string): Promise<Versioned<PostDoc>> {
    const post = postId.startsWith('post-') ? ((await this.deps.store.read(postId, 'post')) as Versioned<PostDoc> | undefined) : undefined;
    if (!post) throw refused('not_found', POST_REFUSALS.notFound);
    return post;
  }

  private async acks(postId: string): Promise<Map<string, string>> {
    const acks = await this.deps.store.query<{ member: string; at: string }>({
      query: "SELECT c.member, c.at FROM c WHERE c.pk = @pk AND c.type = 'postAck'",
      parameters: [{ name: '@pk', value: postId }],
    });
    return new Map(acks.map((a) => [a.member, a.at]));
  }

  /** A recipient acknowledges the post; again is no change. */
  async acknowledge(actor: string, postId: string): Promise<Outcome<PostView>> {
    return this.run(async () => {
      const me = actor.toLowerCase();
      const post = await this.load(postId);
      if (!post.recipients.includes(me)) throw refused('forbidden', POST_REFUSALS.notRecipient);
      if (!post.ackRequested) throw refused('closed', POST_REFUSALS.noAck);
      const at = this.now().toISOString();
      try {
        await this.deps.store.create({ id: ackId(me), pk: post.pk, type: 'postAck', member: me, at, expiresAt: post.expiresAt, ttl: ttlFor(post.expiresAt, this.now().getTime()) } satisfies AckDoc);
        this.deps.logger.info({ event: 'posts.acknowledged', postId: post.pk }, 'post acknowledged');
        return { value: { post, acknowledgedAt: at }, changed: true };
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        const earlier = (await this.deps.store.read(post.pk, ackId(me))) as AckDoc | undefined;
        return { value: { post, acknowledgedAt: earlier?.at ?? at }, changed: false };
      }
    });
  }

  /** The post as a recipient (or its sender) sees it. */
  async viewFor(actor: string, postId: string): Promise<Outcome<PostView>> {
    return this.run(async () => {
      const me = actor.toLowerCase();
      const post = await this.load(postId);
      if (!post.recipients.includes(me) && post.sender !== me) throw refused('forbidden', POST_REFUSALS.notRecipient);
      const ack = (await this.deps.store.read(post.pk, ackId(me))) as AckDoc | undefined;
      return { value: { post, ...(ack ? { acknowledgedAt: ack.at } : {}) }, changed: false };
    });
  }

  /** Delivery and acknowledgement counts, and who has not acknowledged: for the sender only. */
  async status(actor: string, postId: string): Promise<Outcome<PostStatus>> {
    return this.run(async () => {
      const post = await this.load(postId);
      if (post.sender !== actor.toLowerCase()) throw refused('forbidden', POST_REFUSALS.notSender);
      return { value: await this.statusOf(post), changed: false };
    });
  }

  /** The status of a post (no check: callers have checked who asks). */
  async statusOf(post: PostDoc): Promise<PostStatus> {
    const key = postKey(post.pk, 'announce');
    const [reach, acks] = await Promise.all([Promise.all([this.deps.reports.report(key), this.deps.reports.report(`${key}:en`)]).then(summarize), this.acks(post.pk)]);
    const notAcknowledged = post.recipients.filter((id) => !acks.has(id)).map((id) => ({ id, ...(post.names[id] ? { name: post.names[id] } : {}) }));
    // Those who acknowledged and deleted their data since: reached and acknowledged, counted without a name.
    const erased = post.erasedAcks ?? 0;
    return {
      post,
      total: post.recipients.length + erased,
      delivered: reach.delivered + erased,
      pending: Math.max(reach.pending, post.recipients.length - reach.total),
      unreachable: reach.unreachable.length,
      acknowledged: post.recipients.length - notAcknowledged.length + erased,
      notAcknowledged,
    };
  }

  /** The sender reminds those who have not acknowledged (at most {@link REMIND_LIMITS.manual} times by hand). */
  async remind(actor: string, postId: string): Promise<Outcome<PostStatus>> {
    return this.run(async () => {
      const post = await this.load(postId);
      this.requireSender(actor, post);
      const open = (await this.statusOf(post)).notAcknowledged.map((p) => p.id);
      if (!open.length) throw refused('closed', POST_REFUSALS.nobodyToRemind);
      const result = await transact<PostDoc>(
        this.deps.store as DocumentStore<PostDoc>,
        post.pk,
        'post',
        (current) => {
          if (current.reminders.filter((r) => !r.scheduled).length >= REMIND_LIMITS.manual) return { refuse: outcome.refuse('closed', POST_REFUSALS.remindLimit) };
          const n = current.reminders.length + 1;
          const next: PostDoc = { ...current, reminders: [...current.reminders, { at: this.now().toISOString(), to: open.length, scheduled: false }] };
          return { next, notices: noticesForRemind(next, n, open) };
        },
        this.writer,
      );
      return this.afterWrite(result);
    });
  }

  /** The sender has those who have not acknowledged reminded every week, until all have (at most four times). */
  async remindWeekly(actor: string, postId: string): Promise<Outcome<PostStatus>> {
    return this.run(async () => {
      const post = await this.load(postId);
      this.requireSender(actor, post);
      const result = await transact<PostDoc>(
        this.deps.store as DocumentStore<PostDoc>,
        post.pk,
        'post',
        (current) => (current.weekly ? { unchanged: true } : { next: { ...current, weekly: { since: this.now().toISOString() } }, notices: noticesForWeekly(current) }),
        this.writer,
      );
      return this.afterWrite(result);
    });
  }

  private requireSender(actor: string, post: PostDoc): void {
    if (post.sender !== actor.toLowerCase()) throw refused('forbidden', POST_REFUSALS.notSender);
    if (!post.ackRequested) throw refused('closed', POST_REFUSALS.noAck);
  }

  private async afterWrite(result: Awaited<ReturnType<typeof transact<PostDoc>>>): Promise<{ value: PostStatus; changed: boolean }> {
    if (result.kind === 'missing') throw refused('not_found', POST_REFUSALS.notFound);
    if (result.kind === 'refused') throw new Refused(result.refusal);
    const doc = result.kind === 'written' ? result.doc : result.current;
    return { value: await this.statusOf(doc), changed: result.kind === 'written' };
  }

  /** A weekly reminder (job): to those who have not acknowledged; ends when all have, or after four. */
  async runWeekly(postId: string): Promise<Date | undefined> {
    const post = (await this.deps.store.read(postId, 'post')) as Versioned<PostDoc> | undefined;
    if (!post?.weekly) return undefined;
    const open = (await this.statusOf(post)).notAcknowledged.map((p) => p.id);
    if (!open.length || post.reminders.filter((r) => r.scheduled).length >= REMIND_LIMITS.scheduled) return undefined;
    await transact<PostDoc>(
      this.deps.store as DocumentStore<PostDoc>,
      post.pk,
      'post',
      (current) => {
        const n = current.reminders.length + 1;
        const next: PostDoc = { ...current, reminders: [...current.reminders, { at: this.now().toISOString(), to: open.length, scheduled: true }] };
        return { next, notices: noticesForRemind(next, n, open) };
      },
      this.writer,
    );
    const scheduled = post.reminders.filter((r) => r.scheduled).length + 1;
    return scheduled < REMIND_LIMITS.scheduled ? new Date(this.now().getTime() + REMIND_LIMITS.everyDays * DAY) : undefined;
  }

  /** Posts `actor` sent (newest first) with their status, and posts sent to them with whether they acknowledged. */
  async listFor(actor: string): Promise<{ sent: PostStatus[]; received: PostView[] }> {
    const me = actor.toLowerCase();
    const posts = await this.deps.store.query<Versioned<PostDoc>>({
      query: "SELECT * FROM c WHERE c.type = 'post' AND c.status = 'sent' AND (c.sender = @me OR ARRAY_CONTAINS(c.recipients, @me))",
      parameters: [{ name: '@me', value: me }],
    });
    posts.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    const sent = await Promise.all(posts.filter((p) => p.sender === me).slice(0, 20).map((p) => this.statusOf(p)));
    const received = await Promise.all(
      posts
        .filter((p) => p.recipients.includes(me))
        .slice(0, 20)
        .map(async (post) => {
          const ack = (await this.deps.store.read(post.pk, ackId(me))) as AckDoc | undefined;
          return { post, ...(ack ? { acknowledgedAt: ack.at } : {}) };
        }),
    );
    return { sent, received };
  }

  /** "Meine Daten": what the posts store about `actor` (see {@link MyPostData}); never other people's ids. */
  async dataAbout(actor: string): Promise<MyPostData> {
    const me = actor.toLowerCase();
    const posts = await this.deps.store.query<PostDoc>({
      query: "SELECT * FROM c WHERE c.type = 'post' AND (c.sender = @me OR ARRAY_CONTAINS(c.recipients, @me))",
      parameters: [{ name: '@me', value: me }],
    });
    posts.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    const until = (post: PostDoc) => new Date(post.expiresAt).toISOString();
    const data: MyPostData = { sent: [], acknowledged: [], remindersReceived: [] };
    for (const post of posts) {
      if (post.sender === me) {
        data.sent.push({
          postId: post.pk,
          kind: post.kind,
          status: post.status,
          title: post.title,
          text: post.text,
          audience: post.audience,
          createdAt: post.createdAt,
          ...(post.sentAt ? { sentAt: post.sentAt } : {}),
          recipients: post.recipients.length,
          reminders: post.reminders.length,
          deleteAfter: until(post),
        });
      }
      if (!post.recipients.includes(me)) continue;
      const ack = (await this.deps.store.read(post.pk, ackId(me))) as AckDoc | undefined;
      if (ack) data.acknowledged.push({ postId: post.pk, title: post.title, from: post.senderName, at: ack.at, deleteAfter: until(post) });
      for (const r of post.reminders) if (!ack || ack.at > r.at) data.remindersReceived.push({ postId: post.pk, title: post.title, from: post.senderName, at: r.at, deleteAfter: until(post) });
    }
    return data;
  }

  /**
   * "Meine Daten löschen" (GDPR Art. 17) for posts: the person's acknowledgements are deleted, and they are taken out
   * of every post they received (its recipients, the names, notices still pending, and their deliveries and reminders
   * in the outbox), so nothing stored links them to a post and nobody reminds them again. The sender's counts stay
   * right: an acknowledgement given before is still counted, anonymously (`erasedAcks`); someone who had not
   * acknowledged is no longer counted. Posts the person sent are the authority's record and kept until their
   * retention ends. Safe to repeat after a crash at any point: the outbox goes first, the post's write counts the
   * acknowledgement exactly once (only while the person is still among its recipients), the acknowledgement last.
   */
  async eraseAbout(actor: string): Promise<PostErasure> {
    const me = actor.toLowerCase();
    const [received, acked] = await Promise.all([
      this.deps.store.query<{ pk: string }>({
        query: "SELECT c.pk FROM c WHERE c.type = 'post' AND ARRAY_CONTAINS(c.recipients, @me)",
        parameters: [{ name: '@me', value: me }],
      }),
      this.deps.store.query<{ pk: string }>({
        query: "SELECT c.pk FROM c WHERE c.type = 'postAck' AND c.member = @me",
        parameters: [{ name: '@me', value: me }],
      }),
    ]);
    const result: PostErasure = { acknowledgements: 0, received: 0 };
    for (const pk of new Set([...received, ...acked].map((d) => d.pk))) {
      const ack = (await this.deps.store.read(pk, ackId(me))) as AckDoc | undefined;
      await this.deps.outbox.forgetRecipient(`post:${pk}:`, me);
      let removed = false;
      await updateWithRetry(this.deps.store as DocumentStore<PostDoc>, pk, 'post', (current) => {
        removed = false;
        if (!current || current.type !== 'post' || !current.recipients.includes(me)) return undefined;
        removed = true;
        const { etag: _etag, ...plain } = current;
        const names = { ...plain.names };
        delete names[me];
        // A reminder not yet relayed goes to the others only.
        const pending = plain.pending?.map((n) => (n.to ? { ...n, to: n.to.filter((id) => id !== me) } : n)).filter((n) => !n.to || n.to.length > 0);
        return {
          ...plain,
          recipients: plain.recipients.filter((id) => id !== me),
          names,
          ...(ack ? { erasedAcks: (plain.erasedAcks ?? 0) + 1 } : {}),
          ...(pending ? { pending } : {}),
        } as PostDoc;
      });
      if (removed) result.received += 1;
      if (ack && (await this.deps.store.delete(pk, ack.id))) result.acknowledgements += 1;
    }
    if (result.received || result.acknowledgements) this.deps.logger.info({ event: 'posts.erased', posts: result.received, acknowledgements: result.acknowledgements }, "a recipient's acknowledgements and links deleted");
    return result;
  }

  /** Deletes posts whose retention ended, with their acknowledgements and notifications (the post document last). */
  async purgeExpired(): Promise<number> {
    const expired = await this.deps.store.query<{ pk: string }>({
      query: "SELECT c.pk FROM c WHERE c.type = 'post' AND c.expiresAt <= @now",
      parameters: [{ name: '@now', value: this.now().getTime() }],
    });
    for (const { pk } of expired) {
      const docs = await this.deps.store.query<{ id: string }>({ query: 'SELECT c.id FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: pk }] });
      for (const d of docs) if (d.id !== 'post') await this.deps.store.delete(pk, d.id);
      await this.deps.outbox.deleteOwned(`post:${pk}:`);
      await this.deps.scheduler.cancel(postKey(pk, 'weekly'));
      await this.deps.store.delete(pk, 'post');
    }
    if (expired.length) this.deps.logger.info({ event: 'posts.purged', count: expired.length }, 'expired posts deleted');
    return expired.length;
  }

  /**
   * Nr. 3: a new IB is made known to the staff of their authority, and the ministry is informed. When the directory
   * names a different IB for an authority than the posts last saw, the announcement is prepared as a draft (the
   * directory's name, Anbindung and Erreichbarkeit) and sent to the new IB to confirm. The first look at an authority
   * only remembers its IB. Idempotent: the draft's id is derived from authority, person and appointment date.
   * Returns when to look again.
   */
  async checkAppointments(): Promise<Date> {
    const directory = this.deps.directory();
    const store = this.deps.store as DocumentStore<KnownIbDoc | PostDoc>;
    for (const authority of directory.authorities) {
      const ib = authority.commissioner;
      const aad = ib?.teams?.aadObjectId.toLowerCase() ?? '';
      const known = (await store.read('appointments', `ib:${authority.code}`)) as Versioned<KnownIbDoc> | undefined;
      if (known && known.aadObjectId === aad) continue;
      if (known && ib && aad) {
        const post = { ...this.appointmentDraft(authority.code, ib, aad), tenantId: (await this.deps.tenantOf?.(aad).catch(() => undefined)) ?? '' };
        try {
          await createWithNotices(store as DocumentStore<PostDoc>, post, noticesForDraft(post), this.writer);
          this.deps.logger.info({ event: 'posts.appointment_prepared', postId: post.pk, authority: authority.code }, 'appointment post prepared for confirmation');
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
        }
      }
      await store.upsert({ id: `ib:${authority.code}`, pk: 'appointments', type: 'knownIb', authority: authority.code, aadObjectId: aad, appointedOn: ib?.appointedOn ?? '', updatedAt: this.now().toISOString() });
    }
    return new Date(this.now().getTime() + 3_600_000);
  }

  private appointmentDraft(code: AuthorityCode, ib: NonNullable<Directory['authorities'][number]['commissioner']>, aad: string): PostDoc {
    const t = POST_TEXTS.de.appointment;
    const digest = createHash('sha256').update(`appointment:${code}:${aad}:${ib.appointedOn}`).digest('hex');
    const id = `post-${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
    const now = this.now();
    const ministry = this.deps.ministryContact;
    return {
      id: 'post',
      pk: id,
      type: 'post',
      kind: 'appointment',
      status: 'draft',
      // The directory's entry, in the authorities' working language (the frame around it is in each reader's).
      title: t.title(ib.name),
      text: t.text({ name: ib.name, authority: AUTHORITY_NAMES[code], appointedOn: formatBerlinDate(ib.appointedOn, 'de'), orgUnit: ib.orgUnit, email: ib.email, ...(ib.phone ? { phone: ib.phone } : {}), ...(ib.officeHours ? { officeHours: ib.officeHours } : {}) }),
      ackRequested: false,
      from: { role: 'ib', authority: code },
      audience: { kind: 'authority', authority: code },
      sender: aad,
      senderName: ib.name,
      tenantId: '',
      recipients: [],
      names: {},
      reminders: [],
      ...(ministry ? { ministryCopy: { to: ministry, state: this.deps.mailFrom && this.deps.graph ? 'pending' : 'off' } } : {}),
      createdAt: now.toISOString(),
      expiresAt: now.getTime() + (this.deps.retentionDays ?? 365) * DAY,
      ttl: ttlFor(now.getTime() + (this.deps.retentionDays ?? 365) * DAY, now.getTime()),
    } as PostDoc;
  }

  /** The new IB (or a directory administrator) sends the prepared appointment post. */
  async confirm(actor: string, postId: string, tenantId?: string): Promise<Outcome<PostDoc>> {
    return this.run(async () => {
      const me = actor.toLowerCase();
      const post = await this.load(postId);
      if (post.kind !== 'appointment') throw refused('not_found', POST_REFUSALS.notFound);
      if (post.sender !== me && !isDirectoryAdmin(me, this.deps.admins ?? [], this.deps.groups?.())) throw refused('forbidden', POST_REFUSALS.notConfirmer);
      if (post.status === 'sent') return { value: post, changed: false };
      // Resolved before anything is written: a refusal leaves the draft as it was, and nothing goes out (no mail either).
      const { ids, names } = await this.resolve(post.audience, post.sender).catch((err: unknown) => {
        if (err instanceof Refused && err.refusal.code === 'unavailable' && err.refusal.reason === POST_REFUSALS.staffForbidden) throw refused('unavailable', POST_REFUSALS.staffForbiddenAppointment);
        throw err;
      });
      const result = await transact<PostDoc>(
        this.deps.store as DocumentStore<PostDoc>,
        post.pk,
        'post',
        (current) => {
          if (current.status === 'sent') return { unchanged: true };
          const sentAt = this.now().toISOString();
          const next: PostDoc = { ...current, status: 'sent', sentAt, recipients: ids, names, tenantId: current.tenantId || (tenantId ?? '') };
          return { next, notices: noticesForSend(next) };
        },
        this.writer,
      );
      if (result.kind === 'missing') throw refused('not_found', POST_REFUSALS.notFound);
      if (result.kind === 'refused') throw new Refused(result.refusal);
      const doc = result.kind === 'written' ? result.doc : result.current;
      if (result.kind === 'written') this.deps.logger.info({ event: 'posts.appointment_sent', postId: doc.pk, recipients: ids.length }, 'appointment post sent');
      return { value: doc, changed: result.kind === 'written' };
    });
  }

  /** Handlers of the posts' jobs. */
  jobHandlers(): Record<string, JobHandler> {
    return {
      [POST_JOB_KINDS.weekly]: async (job) => {
        const next = await this.runWeekly(String(job.payload.postId ?? ''));
        return next ? { next } : undefined;
      },
      [POST_JOB_KINDS.purge]: async () => {
        await this.purgeExpired();
        return { next: new Date(this.now().getTime() + 3_600_000) };
      },
    };
  }
}
