/**
 * The Koordinierungskreis of the IB, run and moderated by the KfI (RdErl. v. 5.12.2023, Nr. 6): date polls,
 * announcements, RSVP, agenda, minutes and action items. A plain service: the bot's handlers and a personal tab call
 * the same methods. Every method re-checks from the stored directory and the actor's AAD object id who may do what;
 * nothing is taken from card data. Every action returns an `Outcome` (services/workflow/outcome.ts): the view after
 * the change, or a refusal; nothing is thrown for a refusal.
 *
 * A change of a poll or meeting and what it owes the circle (posted cards, notices, reminders) are one document write:
 * the notices ride in the document (`notifications.ts` decides them) and the relay carries them out afterwards, off
 * the request path. A process that dies after the write leaves them in the document, where the relay's sweep finds
 * them: one recovery path, and it is the normal one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { detectPersonalData, type PersonalDataKind } from '../answers/privacy';
import { berlinParts, berlinToUtc } from '../common/berlinTime';
import { updateWithRetry } from '../common/etagRetry';
import type { Directory } from '../directory/model';
import type { GraphPort } from '../graph/graphPort';
import type { GroupSnapshot } from '../directory/groupRoles';
import { personByAadObjectId, rolesOf } from '../directory/roles';
import type { Logger } from '../logging';
import type { Recipient } from '../notifications/model';
import type { Outbox } from '../notifications/outbox';
import type { JobHandler, Scheduler } from '../scheduling/scheduler';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { AlreadyExistsError, ConcurrencyError } from '../storage/errors';
import type { ConversationRef } from '../users/userProfiles';
import { outcome, type Outcome, type ProblemCode, type Refusal } from '../workflow/outcome';
import type { Relay } from '../workflow/relay';
import type { Lang } from '../workflow/texts';
import { createWithNotices, transact, type WorkflowWriter } from '../workflow/transaction';
import { renderIcs } from './ics';
import { CIRCLE_MESSAGES } from './texts';
import { circleJobHandlers } from './jobs';
import { CadenceService, type CadenceDoc } from './cadenceService';
import {
  POLL_CHOICES,
  TOPIC_LIMITS,
  isMeetingOpen,
  meetingTransitions,
  pollTransitions,
  type ActionItem,
  type Change,
  type Guest,
  type CircleDoc,
  type CircleMemberView,
  type DeliveryMode,
  type IcsTokenDoc,
  type MeetingDetails,
  type MeetingDoc,
  type MeetingView,
  type PollAnswerDoc,
  type PollChoice,
  type PollDoc,
  type PollView,
  type RsvpAnswer,
  type RsvpDoc,
  type SettingsDoc,
  type SlotTally,
  type TopicDoc,
} from './model';
import { CIRCLE_SOURCE, circleRelaySource, noticesForMeeting, noticesForMeetingCreate, noticesForPollClose, noticesForPollCreate, noticesForPollRemind } from './notifications';
import type { RelaySource } from '../workflow/relay';
import { syncTeamsMeeting, syncTeamsMeetingNow, type TeamsMeetingDeps } from './teamsMeeting';
import type { RefreshIds } from './views';

export { JOB_KINDS } from './jobs';
export { TOPIC_LIMITS } from './model';

/** What "Meine Daten" shows of the circle about one person. */
export interface CircleDataAbout {
  pollAnswers: PollAnswerDoc[];
  rsvps: RsvpDoc[];
  topics: TopicDoc[];
  /** Kept records (the circle's own) carry `deleteAfter`: when the retention purge deletes them. */
  pollsCreated: Array<{ pollId: string; title: string; createdAt: string; deleteAfter: string }>;
  meetingsCreated: Array<{ meetingId: string; title: string; start: string; createdAt: string; deleteAfter: string }>;
  actionItems: Array<ActionItem & { meetingId: string; meetingTitle: string; deleteAfter: string }>;
  minutesPosted: Array<{ meetingId: string; title: string; postedAt: string; deleteAfter: string }>;
  /** The person's guest entry (without who added them). */
  guest?: Omit<Guest, 'addedBy'>;
}

/** What "Meine Daten löschen" removed from the circle. */
export interface CircleErasure {
  pollAnswers: number;
  rsvps: number;
  topics: number;
}

/** What the circle needs to know of people besides the directory: from their stored profiles (in-process cache). */
export interface CircleProfiles {
  /** A member's language (their Teams locale); German for anyone not known. */
  langOf(aadObjectId: string): Promise<Lang>;
  /** Teams user ids (29:…) whose clients refresh a posted card into their own view. */
  refreshIds: RefreshIds;
}

export interface CircleServiceDeps {
  store: DocumentStore<CircleDoc>;
  directory: () => Directory;
  /** The members of the Entra groups of the KfI and the circle, when Graph reads them (services/directory/groupRoles.ts). */
  groups?: () => GroupSnapshot;
  outbox: Pick<Outbox, 'enqueue' | 'enqueueUpdate' | 'deleteOwned'>;
  scheduler: Pick<Scheduler, 'schedule' | 'reschedule' | 'cancel'>;
  /** The transactional outbox's relay (the circle registers its source with `relaySource()`). */
  relay: Pick<Relay, 'kick' | 'relayed'>;
  profiles: CircleProfiles;
  /** The public link of a meeting's calendar file. */
  icsUrl: (token: string) => string;
  logger: Logger;
  now?: () => Date;
  /** How long the settings document is reused in process (default 5 s). */
  settingsCacheMs?: number;
  /** How long one read of a poll's partition serves the answers that follow in this process (default 1 s; see POLL_READ_REUSE_MS). */
  pollReadReuseMs?: number;
  /** Milliseconds on a monotonic clock, for that reuse (default `performance.now`; tests pass theirs). */
  elapsedMs?: () => number;
  /** Days after a meeting's end (or a poll's close) before it is deleted with its answers, RSVPs and topics (default 730). */
  retentionDays?: number;
  /** Microsoft Graph, when configured: with its `meetings` feature and a mailbox, each meeting gets a Teams meeting. */
  graph?: GraphPort;
  /** The KfI mailbox the Teams meetings are events in (`GRAPH_MEETING_MAILBOX`). */
  meetingMailbox?: string;
}

export interface SlotInput {
  date: string;
  time: string;
}

export interface CreatePollInput {
  tenantId: string;
  title: string;
  /** 2–10 start times (Berlin), each lasting `durationMinutes`. */
  slots: SlotInput[];
  durationMinutes: number;
  place?: string;
  onlineUrl?: string;
  delivery?: DeliveryMode;
}

export interface MeetingInput {
  tenantId: string;
  title: string;
  date: string;
  startTime: string;
  endTime: string;
  place?: string;
  onlineUrl?: string;
  agendaText?: string;
  rsvpDeadline: string;
  delivery?: DeliveryMode;
}

export interface TopicInput {
  title: string;
  description?: string;
  presenter?: string;
}

export interface ActionItemInput {
  title: string;
  owner: string;
  due: string;
}

/** What a member sees at a glance (the "Koordinierungskreis" card, a tab's start page). */
export interface CircleOverview {
  isMember: boolean;
  isKfi: boolean;
  nextMeeting?: MeetingView;
  openPolls: PollView[];
  channelDesignated: boolean;
}

/** Why the forbidden refusals of the circle differ: the KfI's tools, or the members' actions. */
export const FORBIDDEN_REASONS = { kfi: 'kfi', member: 'member' } as const;

/**
 * A refusal found deep in a check (a field, a role); `run` turns it into the action's outcome. Internal to the
 * service: callers only ever see outcomes.
 */
class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.code);
  }
}
const refused = (code: 'forbidden' | 'not_found' | 'closed' | 'unavailable', reason?: string) => new Refused(outcome.refuse(code, reason));
/** An input problem; `field` names the rule the texts explain (e.g. `slotCount`, `endBeforeStart`). */
const problem = (field: string, code: ProblemCode = 'missing', kinds?: PersonalDataKind[]) => new Refused(outcome.invalid([{ field, code, ...(kinds ? { kinds } : {}) }]));

const DAY = 86_400_000;
const MAX_TEXT = { title: 150, place: 200, url: 500, agenda: 2_000, topic: 150, description: 500, presenter: 120, minutes: 8_000, delegate: 120, cancelReason: 500 };
const HTTPS_URL = /^https:\/\/[^\s]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const clean = (value: string | undefined, max: number): string | undefined => {
  const v = (value ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();
  if (!v) return undefined;
  if (v.length > max) throw problem('tooLong', 'too_long');
  return v;
};
const required = (value: string | undefined, max: number, field: string): string => {
  const v = clean(value, max);
  if (!v) throw problem(field);
  return v;
};

// Meeting logistics (venues, dial-in numbers, contact addresses) are not about people; everything about a person is.
const CONTACT_KINDS: ReadonlySet<PersonalDataKind> = new Set(['address', 'phone', 'email']);

/**
 * The privacy guard on text the circle shows to its members: a named person with origin, religion, health or
 * sexual orientation, a birth date or year, a case number (Art. 9 GDPR) is refused, naming the field; nothing is stored.
 */
const guard = <T extends string | undefined>(value: T, field: string): T => {
  if (value) {
    const kinds = detectPersonalData(value).filter((k) => !CONTACT_KINDS.has(k));
    if (kinds.length) throw problem(field, 'personal_data', kinds);
  }
  return value;
};

/** What an action did: its value, and whether it changed anything. */
interface Done<T> {
  value: T;
  changed: boolean;
}
const done = <T>(value: T, changed = true): Done<T> => ({ value, changed });

/** A transition's result as a step of `transact`, with the notices it owes. */
function stepOf<D>(change: Change<D>, notices: (next: D) => import('../workflow/pending').PendingNotice[]) {
  if ('refuse' in change) return { refuse: change.refuse };
  if ('unchanged' in change) return { unchanged: true as const };
  return { next: change.next, notices: notices(change.next) };
}

/**
 * How long one read of a poll's partition serves the answers that follow in this process: a busy poll (the circle's
 * members answering at once) is read once in this time instead of once per answer. Each answer still writes the
 * member's own document and shows it; others' answers given meanwhile in another instance show up to this much later in
 * the tallies, and a poll another instance closed in this time may still take an answer (as one that raced the close
 * always could). The poll's own writes in this process (close, remind) forget it at once.
 */
const POLL_READ_REUSE_MS = 1_000;
/** Polls whose partition read is kept, at most. */
const POLL_READS_KEPT = 50;

/** The Koordinierungskreis service. */
export class CircleService {
  private readonly now: () => Date;
  /** Recent reads of polls' partitions for answers (see POLL_READ_REUSE_MS), by poll id; `at` on a monotonic clock. */
  private readonly recentPolls = new Map<string, { at: number; read: Promise<{ poll: Versioned<PollDoc>; answers: PollAnswerDoc[] }> }>();
  private settingsCache: { value: Versioned<SettingsDoc> | undefined; until: number } | undefined;
  private readonly writer: WorkflowWriter;
  /** The KfI's cadence: drafts prepared ahead of each date, sent when a KfI member confirms (cadenceService.ts). */
  readonly cadence: CadenceService;

  constructor(private readonly deps: CircleServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.writer = { relay: deps.relay, source: CIRCLE_SOURCE, now: () => this.now().getTime() };
    this.cadence = new CadenceService({
      store: deps.store,
      circle: this,
      outbox: deps.outbox,
      scheduler: deps.scheduler,
      langOf: (id) => deps.profiles.langOf(id),
      writer: this.writer,
      logger: deps.logger,
      now: this.now,
    });
  }

  /** Runs an action; a refusal found on the way becomes its outcome. */
  private async run<T>(action: () => Promise<Done<T>>): Promise<Outcome<T>> {
    try {
      const { value, changed } = await action();
      return outcome.done(value, changed);
    } catch (err) {
      if (err instanceof Refused) return err.refusal;
      throw err;
    }
  }

  /** What the Teams meeting's sync needs, when Graph and a mailbox are configured. */
  private teamsDeps(): TeamsMeetingDeps | undefined {
    const { graph, meetingMailbox } = this.deps;
    if (!graph || !meetingMailbox) return undefined;
    return { graph, mailbox: meetingMailbox, store: this.deps.store, writer: this.writer, cardNotices: noticesForMeeting, logger: this.deps.logger, now: this.now };
  }

  /**
   * Whether a new meeting gets a Teams meeting: Graph and a mailbox configured and the `meetings` permission granted.
   * When Graph cannot say (no token now), the meeting is stored as pending and the sync tries, and says if it gave up.
   */
  private async teamsMeetingOn(): Promise<boolean> {
    const { graph, meetingMailbox } = this.deps;
    if (!graph || !meetingMailbox) return false;
    try {
      return (await graph.features()).has('meetings');
    } catch {
      return true;
    }
  }

  /** The relay source that carries out the circle's pending notices (registered once by the app). */
  relaySource(): RelaySource<CircleDoc> {
    const teams = this.teamsDeps();
    return circleRelaySource({
      ...(teams ? { syncTeamsMeeting: (id: string, announcing: boolean) => syncTeamsMeetingNow({ ...teams, scheduler: this.deps.scheduler }, id, announcing) } : {}),
      store: this.deps.store,
      outbox: this.deps.outbox,
      scheduler: this.deps.scheduler,
      langOf: (id) => this.deps.profiles.langOf(id),
      refreshIds: this.deps.profiles.refreshIds,
      pollView: (id) => this.pollView(id, undefined),
      meetingView: (id) => this.meetingView(id, undefined),
      recipients: (mode, tenantId, members) => this.recipients(mode, tenantId, members),
      writer: this.writer,
      logger: this.deps.logger,
      now: this.now,
      cadence: (doc, notices) => this.cadence.deliver(doc as Versioned<CadenceDoc>, notices),
    });
  }

  // ---------------------------------------------------------------- membership and roles

  /** Everyone in the circle: members listed in the directory (with a Teams identity) and guests the KfI added. */
  async members(): Promise<CircleMemberView[]> {
    const directory = this.deps.directory();
    const settings = await this.settings();
    const groups = this.deps.groups?.();
    // Worked out again only when the directory, the settings or the groups are new objects (every answer of a busy poll asks).
    const known = this.membersOf;
    if (known && known.directory === directory && known.settings === settings && known.groups === groups) return [...known.members];
    const members = this.listMembers(directory, settings, groups);
    this.membersOf = { directory, settings, groups, members };
    return [...members];
  }

  private membersOf: { directory: Directory; settings: Versioned<SettingsDoc> | undefined; groups: GroupSnapshot | undefined; members: CircleMemberView[] } | undefined;

  private listMembers(directory: Directory, settings: Versioned<SettingsDoc> | undefined, groups: GroupSnapshot | undefined): CircleMemberView[] {
    const out = new Map<string, CircleMemberView>();
    for (const m of directory.circle.members) {
      const person =
        directory.authorities.flatMap((a) => [a.commissioner, a.deputy]).find((p) => p?.id === m.personId) ??
        [...directory.kfi.contacts, ...directory.circle.guests].find((p) => p.id === m.personId);
      const aad = person?.teams?.aadObjectId.toLowerCase();
      if (person && aad) out.set(aad, { aadObjectId: aad, name: person.name, role: m.role });
    }
    for (const p of directory.kfi.contacts) {
      const aad = p.teams?.aadObjectId.toLowerCase();
      if (aad && !out.has(aad)) out.set(aad, { aadObjectId: aad, name: p.name, role: 'kfi' });
    }
    // Members of the KfI's and the circle's Entra groups, named as the directory lists them, else as Entra does; ''
    // when Entra gives no name either (Graph lists group members with their ids only to an app without User.Read.All):
    // the cards then say "a person whose name is unknown", never the id.
    for (const [ids, role] of [[groups?.kfi, 'kfi'], [groups?.circleMembers, undefined]] as const) {
      for (const aad of ids ?? []) {
        if (out.has(aad)) continue;
        const roles = rolesOf(directory, aad);
        const name = personByAadObjectId(directory, aad)?.name ?? groups?.names.get(aad) ?? '';
        out.set(aad, { aadObjectId: aad, name, role: role ?? (roles.commissionerOf.length ? 'commissioner' : roles.deputyOf.length ? 'deputy' : roles.kfi ? 'kfi' : 'guest') });
      }
    }
    for (const g of settings?.guests ?? []) if (!out.has(g.aadObjectId)) out.set(g.aadObjectId, { aadObjectId: g.aadObjectId, name: g.name, role: 'guest' });
    return [...out.values()];
  }

  isKfi(aadObjectId: string): boolean {
    return rolesOf(this.deps.directory(), aadObjectId, this.deps.groups?.()).kfi;
  }

  private requireMember = async (actor: string): Promise<CircleMemberView[]> => {
    const members = await this.members();
    if (!members.some((m) => m.aadObjectId === actor.toLowerCase())) throw refused('forbidden', FORBIDDEN_REASONS.member);
    return members;
  };

  private requireKfi(actor: string): void {
    if (!this.isKfi(actor)) throw refused('forbidden', FORBIDDEN_REASONS.kfi);
  }

  /**
   * The circle's settings (guests, channel). Kept for `settingsCacheMs` in process, like the directory itself
   * (LiveAnswers refreshes it every minute): a busy poll then costs no settings read per answer. Writes in this process
   * clear it at once; those of another process are seen within that time.
   */
  async settings(): Promise<Versioned<SettingsDoc> | undefined> {
    const now = Date.now();
    if (this.settingsCache && this.settingsCache.until > now) return this.settingsCache.value;
    const value = (await this.deps.store.read('settings', 'settings')) as Versioned<SettingsDoc> | undefined;
    this.settingsCache = { value, until: now + (this.deps.settingsCacheMs ?? 5_000) };
    return value;
  }

  /**
   * Everything the circle stores about one person ("Meine Daten"): their poll answers and RSVPs, the topics they
   * proposed, the polls and meetings they created, the action items they own, the minutes they posted, and their
   * entry as a run-time guest. Meetings and polls are few (retention two years), so they are filtered here.
   */
  async dataAbout(aadObjectId: string): Promise<CircleDataAbout> {
    const me = aadObjectId.toLowerCase();
    const docs = await this.deps.store.query<Versioned<CircleDoc>>({
      query:
        "SELECT * FROM c WHERE ((c.type = 'pollAnswer' OR c.type = 'rsvp') AND c.member = @me) OR (c.type = 'topic' AND c.proposedBy = @me) OR c.type = 'meeting' OR c.type = 'poll'",
      parameters: [{ name: '@me', value: me }],
    });
    const strip = <T extends object>(doc: T): T => {
      const { etag: _e, ...rest } = doc as T & { etag?: string };
      return rest as T;
    };
    const isMe = (id: string | undefined) => !!id && id.toLowerCase() === me;
    const meetings = docs.filter((d): d is Versioned<MeetingDoc> => d.type === 'meeting');
    const polls = docs.filter((d): d is Versioned<PollDoc> => d.type === 'poll');
    const found = (await this.settings())?.guests.find((g) => isMe(g.aadObjectId));
    // Who added the guest is the KfI's data, not theirs.
    const guest = found ? { aadObjectId: found.aadObjectId, name: found.name, addedAt: found.addedAt } : undefined;
    const keep = (at: string) => new Date(new Date(at).getTime() + (this.deps.retentionDays ?? 730) * DAY).toISOString();
    const meetingKept = (m: MeetingDoc) => keep(m.end);
    return {
      pollAnswers: docs.filter((d): d is Versioned<PollAnswerDoc> => d.type === 'pollAnswer' && isMe(d.member)).map(strip),
      rsvps: docs.filter((d): d is Versioned<RsvpDoc> => d.type === 'rsvp' && isMe(d.member)).map(strip),
      topics: docs.filter((d): d is Versioned<TopicDoc> => d.type === 'topic' && isMe(d.proposedBy)).map(strip),
      // The same moments as purgeExpired: a poll from its closing (an open one from its creation), a meeting from its end.
      pollsCreated: polls.filter((p) => isMe(p.createdBy)).map((p) => ({ pollId: p.pk, title: p.title, createdAt: p.createdAt, deleteAfter: keep(p.status === 'open' ? p.createdAt : (p.closedAt ?? p.createdAt)) })),
      meetingsCreated: meetings.filter((m) => isMe(m.createdBy)).map((m) => ({ meetingId: m.pk, title: m.title, start: m.start, createdAt: m.createdAt, deleteAfter: meetingKept(m) })),
      actionItems: meetings.flatMap((m) => m.actionItems.filter((a) => isMe(a.owner)).map((a) => ({ meetingId: m.pk, meetingTitle: m.title, ...a, deleteAfter: meetingKept(m) }))),
      minutesPosted: meetings.filter((m) => isMe(m.minutes?.postedBy)).map((m) => ({ meetingId: m.pk, title: m.title, postedAt: m.minutes!.postedAt, deleteAfter: meetingKept(m) })),
      ...(guest ? { guest } : {}),
    };
  }

  /**
   * "Meine Daten löschen" (GDPR Art. 17): deletes the person's own poll answers, RSVPs and proposed topics. Idempotent.
   * Running workflows stay whole: tallies, counts and agendas are worked out from the documents present at each read,
   * a member may answer again, and a deleted topic drops out of the agenda. What the circle keeps as its record
   * (meetings and polls, action items, minutes, guest entries) stays until its own retention ends.
   */
  async eraseAbout(aadObjectId: string): Promise<CircleErasure> {
    const me = aadObjectId.toLowerCase();
    const docs = await this.deps.store.query<{ pk: string; id: string; type: CircleDoc['type'] }>({
      query: "SELECT c.pk, c.id, c.type FROM c WHERE ((c.type = 'pollAnswer' OR c.type = 'rsvp') AND c.member = @me) OR (c.type = 'topic' AND c.proposedBy = @me)",
      parameters: [{ name: '@me', value: me }],
    });
    const counts: CircleErasure = { pollAnswers: 0, rsvps: 0, topics: 0 };
    const field = { pollAnswer: 'pollAnswers', rsvp: 'rsvps', topic: 'topics' } as const;
    for (const d of docs) {
      if (await this.deps.store.delete(d.pk, d.id)) counts[field[d.type as keyof typeof field]] += 1;
    }
    if (docs.length) this.deps.logger.info({ event: 'circle.erased', count: docs.length }, 'a member\'s own circle entries deleted');
    return counts;
  }

  /** The KfI designates the team channel announcements are posted to. */
  async designateChannel(actor: string, channel: ConversationRef): Promise<Outcome<true>> {
    return this.run(async () => {
      this.requireKfi(actor);
      return done(true as const, await this.updateSettings((s) => ({ ...s, channel })));
    });
  }

  /** The KfI adds a guest (stored here; the directory file stays the maintained source of the regular members). */
  async addGuest(actor: string, guest: { aadObjectId: string; name: string }): Promise<Outcome<true>> {
    return this.run(async () => {
      this.requireKfi(actor);
      const aad = guest.aadObjectId.trim().toLowerCase();
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(aad)) throw problem('guest', 'unknown_value');
      const name = required(guest.name, 120, 'guestName');
      const changed = await this.updateSettings((s) =>
        s.guests.some((g) => g.aadObjectId === aad) ? undefined : { ...s, guests: [...s.guests, { aadObjectId: aad, name, addedBy: actor, addedAt: this.now().toISOString() }] },
      );
      return done(true as const, changed);
    });
  }

  /** The KfI removes a guest added at run time. */
  async removeGuest(actor: string, aadObjectId: string): Promise<Outcome<true>> {
    return this.run(async () => {
      this.requireKfi(actor);
      const aad = aadObjectId.toLowerCase();
      const changed = await this.updateSettings((s) => (s.guests.some((g) => g.aadObjectId === aad) ? { ...s, guests: s.guests.filter((g) => g.aadObjectId !== aad) } : undefined));
      return done(true as const, changed);
    });
  }

  private async updateSettings(change: (s: SettingsDoc) => SettingsDoc | undefined): Promise<boolean> {
    this.settingsCache = undefined;
    let changed = false;
    await updateWithRetry(this.deps.store, 'settings', 'settings', (current) => {
      const base: SettingsDoc = (current as SettingsDoc | undefined) ?? { id: 'settings', pk: 'settings', type: 'settings', guests: [], updatedAt: '' };
      const { etag: _e, ...plain } = base as Versioned<SettingsDoc>;
      const next = change(plain as SettingsDoc);
      changed = !!next;
      return next ? { ...next, updatedAt: this.now().toISOString() } : undefined;
    });
    this.settingsCache = undefined;
    return changed;
  }

  // ---------------------------------------------------------------- polls

  /** The KfI proposes 2–10 dates; the poll and its announcement are one write (the relay posts the card). */
  async createPoll(actor: string, input: CreatePollInput): Promise<Outcome<PollView>> {
    return this.run(async () => {
      const poll = await this.pollDoc(actor, input);
      const saved = await createWithNotices(this.deps.store, poll, noticesForPollCreate(poll), this.writer);
      this.deps.logger.info({ event: 'circle.poll_created', pollId: poll.pk, slots: poll.slots.length }, 'poll created');
      return done(await this.pollView(poll.pk, undefined, { poll: saved as PollDoc, answers: [] }));
    });
  }

  /** The poll `createPoll` would create and post, checked the same way, without storing or sending anything. */
  async previewPoll(actor: string, input: CreatePollInput): Promise<Outcome<PollView>> {
    return this.run(async () => {
      const poll = await this.pollDoc(actor, input);
      return done(await this.pollView(poll.pk, undefined, { poll, answers: [] }), false);
    });
  }

  /** The poll `createPoll` would create, under `pollId`, checked the same way; nothing is stored (the cadence's draft). */
  async draftPoll(actor: string, input: CreatePollInput, pollId: string): Promise<Outcome<PollDoc>> {
    return this.run(async () => done({ ...(await this.pollDoc(actor, input)), pk: pollId }, false));
  }

  /** The meeting `announceMeeting` would create, under `meetingId`, checked the same way; nothing is stored. */
  async draftMeeting(actor: string, input: MeetingInput, meetingId: string): Promise<Outcome<MeetingDoc>> {
    return this.run(async () => done(await this.meetingDoc(actor, input, { meetingId }), false));
  }

  /** Creates and announces a poll or meeting checked by `draftPoll`/`draftMeeting`; idempotent by its id. */
  async publishDrafted(doc: PollDoc | MeetingDoc): Promise<void> {
    if (doc.type === 'meeting') return this.createMeeting(doc);
    try {
      await createWithNotices(this.deps.store, doc, noticesForPollCreate(doc), this.writer);
      this.deps.logger.info({ event: 'circle.poll_created', pollId: doc.pk, slots: doc.slots.length }, 'poll created');
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }

  private async pollDoc(actor: string, input: CreatePollInput): Promise<PollDoc> {
    this.requireKfi(actor);
    const title = guard(required(input.title, MAX_TEXT.title, 'title'), 'title');
    guard(clean(input.place, MAX_TEXT.place), 'place');
    const duration = Math.round(input.durationMinutes);
    if (!(duration >= 15 && duration <= 12 * 60)) throw problem('duration', 'unknown_value');
    const starts = input.slots.filter((s) => s.date || s.time).map((s) => berlinToUtc(s.date, s.time));
    if (starts.some((s) => !s)) throw problem('slot', 'bad_date');
    const unique = [...new Set((starts as Date[]).map((s) => s.getTime()))].sort((a, b) => a - b);
    if (unique.length < 2 || unique.length > 10) throw problem('slotCount', 'too_many');
    if (unique[0] <= this.now().getTime()) throw problem('slot', 'past_date');
    const onlineUrl = this.url(input.onlineUrl);
    const place = clean(input.place, MAX_TEXT.place);
    return {
      id: 'poll',
      pk: `p-${randomUUID()}`,
      type: 'poll',
      title,
      ...(place ? { place } : {}),
      ...(onlineUrl ? { onlineUrl } : {}),
      slots: unique.map((t, i) => ({ id: `s${i + 1}`, start: new Date(t).toISOString(), end: new Date(t + duration * 60_000).toISOString() })),
      status: 'open',
      tenantId: input.tenantId,
      delivery: await this.deliveryMode(input.delivery),
      createdBy: actor,
      createdAt: this.now().toISOString(),
    };
  }

  private async deliveryMode(requested: DeliveryMode | undefined): Promise<DeliveryMode> {
    const channel = (await this.settings())?.channel;
    if (!requested) return channel ? 'channel' : 'personal';
    // Asking for the channel before one is designated is an input problem: the form offers "personal" instead.
    if (requested !== 'personal' && !channel) throw problem('noChannel', 'unknown_value');
    return requested;
  }

  private url(value: string | undefined): string | undefined {
    const v = clean(value, MAX_TEXT.url);
    if (v && !HTTPS_URL.test(v)) throw problem('onlineUrl', 'bad_url');
    return v;
  }

  /** Where an announcement goes: the designated channel and/or each member's personal chat. */
  private async recipients(mode: DeliveryMode, tenantId: string, members: CircleMemberView[]): Promise<Recipient[]> {
    const out: Recipient[] = [];
    const channel = (await this.settings())?.channel;
    if (mode !== 'personal' && channel) out.push({ conversation: channel });
    if (mode !== 'channel' || !channel) for (const m of members) out.push({ user: { aadObjectId: m.aadObjectId, tenantId } });
    return out;
  }

  /**
   * Stores a member's answers (one document per member: parallel answers never collide). On the request path: one
   * query of the poll's partition (or the one this process made within the last second, with the answers it stored
   * since: see POLL_READ_REUSE_MS) and one write; nothing else (the tally is worked out from what was read).
   */
  async answerPoll(actor: string, pollId: string, choices: Record<string, PollChoice>): Promise<Outcome<PollView>> {
    return this.run(async () => {
      const me = actor.toLowerCase();
      // The poll and every answer live in the poll's partition: one query reads them all.
      const [members, { poll, answers }] = await Promise.all([this.requireMember(me), this.recentPollPartition(pollId)]);
      if (poll.status !== 'open') throw refused('closed');
      const known = new Set(poll.slots.map((s) => s.id));
      const given = Object.entries(choices).filter(([slot, choice]) => known.has(slot) && POLL_CHOICES.includes(choice));
      if (given.length === 0) throw problem('choices');
      const at = this.now().toISOString();
      // Only the member writes their own answer document, and each slot is set by an atomic server-side patch (no
      // read-modify-write, so nothing to lose and no ETag needed): one round trip instead of read + replace. The first
      // answer creates the document; a create racing another click of the same member falls back to the patch.
      const ops = [...given.map(([slot, choice]) => ({ op: 'set' as const, path: `/choices/${slot}`, value: choice })), { op: 'set' as const, path: '/updatedAt', value: at }];
      let saved: PollAnswerDoc | undefined;
      for (let attempt = 0; !saved; attempt++) {
        const exists = attempt > 0 || answers.some((a) => a.member === me);
        if (exists) {
          try {
            saved = (await this.deps.store.patch(pollId, `answer:${me}`, ops)) as unknown as PollAnswerDoc;
            break;
          } catch (err) {
            if (!(err instanceof ConcurrencyError) || attempt >= 2) throw err;
          }
        }
        try {
          saved = (await this.deps.store.create({ id: `answer:${me}`, pk: pollId, type: 'pollAnswer', member: me, choices: Object.fromEntries(given), updatedAt: at } satisfies PollAnswerDoc)) as unknown as PollAnswerDoc;
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
        }
      }
      this.noteAnswer(pollId, saved);
      // The tallies as read a moment ago, with this member's answer as just stored.
      return done(await this.pollView(pollId, me, { poll, members, answers: [...answers.filter((a) => a.member !== me), saved] }));
    });
  }

  /** The KfI reminds members who have not answered; at most once a day per poll (the reminder rides in the poll's write). */
  async remindPoll(actor: string, pollId: string): Promise<Outcome<{ view: PollView; reminded: number }>> {
    return this.run(async () => {
      this.requireKfi(actor);
      const date = berlinParts(this.now()).date;
      let reminded = 0;
      const result = await transact(this.polls(), pollId, 'poll', async (current) => {
        reminded = 0;
        if (current.type !== 'poll') return { refuse: outcome.refuse('not_found') };
        const view = await this.pollView(pollId, actor, { poll: current });
        const to = view.notAnswered.map((m) => m.aadObjectId);
        if (!to.length && current.status === 'open') return { unchanged: true };
        const step = stepOf(pollTransitions.remind(current, date), (next) => noticesForPollRemind(next, date, to));
        if ('next' in step) reminded = to.length;
        return step;
      }, this.writer);
      this.recentPolls.delete(pollId);
      const doc = this.settled(result);
      return done({ view: await this.pollView(pollId, actor, { poll: doc }), reminded }, reminded > 0);
    });
  }

  /** Closes the poll on a slot (the best by default); the meeting it turns into is announced to the circle. */
  async closePoll(actor: string, pollId: string, options: { slotId?: string; rsvpDeadline?: string; agendaText?: string } = {}): Promise<Outcome<MeetingView>> {
    return this.run(async () => {
      this.requireKfi(actor);
      const view = await this.pollView(pollId, actor);
      const poll = view.poll;
      if (poll.status === 'cancelled') throw refused('closed');
      if (poll.status === 'closed') return done(await this.meetingOfClosedPoll(poll as Versioned<PollDoc>, actor), false);
      const slot = poll.slots.find((s) => s.id === (options.slotId || view.bestSlotId));
      if (!slot) throw problem('slot', 'unknown_value');
      const meetingId = `m-${pollId.slice(2)}`;
      const start = new Date(slot.start);
      const startParts = berlinParts(start);
      // Everything is checked (and the meeting built) before the poll is marked closed; the closing write carries the
      // meeting, so a process that dies right after it leaves the meeting to the relay.
      const meeting = await this.meetingDoc(
        actor,
        {
          tenantId: poll.tenantId,
          title: poll.title,
          date: startParts.date,
          startTime: startParts.time,
          endTime: berlinParts(new Date(slot.end)).time,
          place: poll.place,
          onlineUrl: poll.onlineUrl,
          agendaText: options.agendaText,
          rsvpDeadline: options.rsvpDeadline || berlinParts(new Date(Math.max(this.now().getTime(), start.getTime() - 3 * DAY))).date,
          delivery: poll.delivery,
        },
        { meetingId, fromPollId: pollId },
      );
      const at = this.now().toISOString();
      const result = await transact(this.polls(), pollId, 'poll', (current) => stepOf(pollTransitions.close(current, slot.id, meetingId, at), (next) => noticesForPollClose(next, meeting)), this.writer);
      this.recentPolls.delete(pollId);
      if (result.kind === 'refused' && result.refusal.code === 'closed') {
        // Closed meanwhile (another click, another process): show the meeting it turned into.
        const now = (await this.deps.store.read(pollId, 'poll')) as Versioned<PollDoc> | undefined;
        if (now?.status === 'closed') return done(await this.meetingOfClosedPoll(now, actor), false);
      }
      this.settled(result);
      await this.createMeeting(meeting);
      return done(await this.meetingView(meetingId, actor, { meeting, docs: [] }));
    });
  }

  /** The meeting a closed poll turned into; created here from the poll's pending notice if the relay has not yet. */
  private async meetingOfClosedPoll(poll: Versioned<PollDoc>, actor: string): Promise<MeetingView> {
    const id = poll.meetingId ?? `m-${poll.pk.slice(2)}`;
    const existing = (await this.deps.store.read(id, 'meeting')) as MeetingDoc | undefined;
    if (existing) return this.meetingView(id, actor, { meeting: existing });
    const pending = poll.pending?.find((n) => n.data?.meeting);
    if (!pending) throw refused('not_found');
    const meeting = JSON.parse(String(pending.data!.meeting)) as MeetingDoc;
    await this.createMeeting(meeting);
    return this.meetingView(id, actor, { meeting, docs: [] });
  }

  /** Creates a meeting with what its creation owes (announcement, calendar link, reminders); idempotent by its id. */
  private async createMeeting(meeting: MeetingDoc): Promise<void> {
    try {
      await createWithNotices(this.deps.store, meeting, noticesForMeetingCreate(meeting), this.writer);
      this.deps.logger.info({ event: 'circle.meeting_announced', meetingId: meeting.pk }, 'meeting announced');
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }

  // ---------------------------------------------------------------- meetings

  /** Announces a meeting to the circle (channel and/or 1:1); the meeting and what it owes are one write. */
  async announceMeeting(actor: string, input: MeetingInput): Promise<Outcome<MeetingView>> {
    return this.run(async () => {
      const meeting = await this.meetingDoc(actor, input, {});
      await this.createMeeting(meeting);
      return done(await this.meetingView(meeting.pk, actor, { meeting, docs: [] }));
    });
  }

  /** The meeting `announceMeeting` would store and post, checked the same way, without storing or sending anything. */
  async previewMeeting(actor: string, input: MeetingInput): Promise<Outcome<MeetingView>> {
    return this.run(async () => {
      const meeting = await this.meetingDoc(actor, input, {});
      return done(await this.meetingView(meeting.pk, undefined, { meeting, docs: [] }), false);
    });
  }

  private async meetingDoc(actor: string, input: MeetingInput, internal: { meetingId?: string; fromPollId?: string }): Promise<MeetingDoc> {
    this.requireKfi(actor);
    const teams = await this.teamsMeetingOn();
    const fields = this.meetingFields(input, teams);
    const at = this.now().toISOString();
    return {
      id: 'meeting',
      pk: internal.meetingId ?? `m-${randomUUID()}`,
      type: 'meeting',
      ...fields,
      status: 'scheduled',
      icsToken: randomBytes(16).toString('base64url'),
      revision: 1,
      tenantId: input.tenantId,
      delivery: await this.deliveryMode(input.delivery),
      agenda: [],
      agendaPublished: false,
      actionItems: [],
      ...(internal.fromPollId ? { fromPollId: internal.fromPollId } : {}),
      // The relay creates the event (teamsMeeting.ts): nothing waits for Graph on the request path.
      ...(teams ? { teamsMeeting: { state: 'pending' as const } } : {}),
      createdBy: actor,
      createdAt: at,
      updatedAt: at,
    };
  }

  /** The checked details; `teams`: the meeting has (or gets) a Teams meeting, which is place enough. */
  private meetingFields(input: Omit<MeetingInput, 'tenantId' | 'delivery'>, teams: boolean): MeetingDetails {
    const title = guard(required(input.title, MAX_TEXT.title, 'title'), 'title');
    const start = berlinToUtc(input.date, input.startTime);
    const end = berlinToUtc(input.date, input.endTime);
    if (!start || !end) throw problem('date', 'bad_date');
    if (end.getTime() <= start.getTime()) throw problem('endBeforeStart', 'bad_time');
    if (start.getTime() <= this.now().getTime()) throw problem('date', 'past_date');
    if (!ISO_DATE.test(input.rsvpDeadline) || input.rsvpDeadline > input.date) throw problem('rsvpDeadline', 'bad_date');
    if (input.rsvpDeadline < berlinParts(this.now()).date) throw problem('rsvpDeadline', 'past_date');
    const place = clean(input.place, MAX_TEXT.place);
    const onlineUrl = this.url(input.onlineUrl);
    if (!place && !onlineUrl && !teams) throw problem('placeOrLink');
    guard(place, 'place');
    const agendaText = guard(clean(input.agendaText, MAX_TEXT.agenda), 'agendaText');
    return { title, start: start.toISOString(), end: end.toISOString(), rsvpDeadline: input.rsvpDeadline, ...(place ? { place } : {}), ...(onlineUrl ? { onlineUrl } : {}), ...(agendaText ? { agendaText } : {}) };
  }

  /** The KfI changes a meeting: posted cards are updated in place, members are told once, reminders move. */
  async updateMeeting(actor: string, meetingId: string, input: Omit<MeetingInput, 'tenantId' | 'delivery'>): Promise<Outcome<MeetingView>> {
    return this.kfiChange(actor, meetingId, (m, at) => meetingTransitions.update(m, this.meetingFields(input, !!m.teamsMeeting && m.teamsMeeting.state !== 'failed'), at));
  }

  /**
   * The KfI cancels a meeting for a reason: every posted card shows it cancelled with the reason, members are told once
   * (with the reason), reminders stop. The reason is one short line every member reads: required, and refused by the
   * privacy guard like every other text the circle shows (nothing is stored then).
   */
  async cancelMeeting(actor: string, meetingId: string, reason: string): Promise<Outcome<MeetingView>> {
    return this.kfiChange(actor, meetingId, (m, at) => {
      // A second click (or a second KfI) after the cancellation: nothing to check, nothing changes.
      if (m.status === 'cancelled') return { unchanged: true };
      const oneLine = (reason ?? '').replace(/\s+/g, ' ');
      return meetingTransitions.cancel(m, guard(required(oneLine, MAX_TEXT.cancelReason, 'cancelReason'), 'cancelReason'), at);
    });
  }

  /** The KfI publishes the agenda: posted cards show it and members are told once. */
  async publishAgenda(actor: string, meetingId: string): Promise<Outcome<MeetingView>> {
    return this.kfiChange(actor, meetingId, (m, at) => meetingTransitions.publishAgenda(m, at));
  }

  /** The KfI posts the minutes (text or a link). */
  async postMinutes(actor: string, meetingId: string, text: string): Promise<Outcome<MeetingView>> {
    return this.kfiChange(actor, meetingId, (m, at) => meetingTransitions.postMinutes(m, guard(required(text, MAX_TEXT.minutes, 'minutes'), 'minutes'), actor, at));
  }

  /** The KfI records an action item; its owner is reminded two days before it is due. */
  async addActionItem(actor: string, meetingId: string, input: ActionItemInput): Promise<Outcome<MeetingView>> {
    if (!this.isKfi(actor)) return outcome.refuse('forbidden', FORBIDDEN_REASONS.kfi);
    const members = await this.members();
    const owner = members.find((m) => m.aadObjectId === input.owner.toLowerCase());
    const id = randomUUID().slice(0, 8);
    return this.kfiChange(actor, meetingId, (m, at) => {
      if (!owner) throw problem('owner', 'unknown_value');
      if (!ISO_DATE.test(input.due) || !berlinToUtc(input.due, '09:00')) throw problem('due', 'bad_date');
      if (input.due < berlinParts(this.now()).date) throw problem('due', 'past_date');
      const item: ActionItem = { id, title: guard(required(input.title, MAX_TEXT.topic, 'actionTitle'), 'actionTitle'), owner: owner.aadObjectId, ownerName: owner.name, due: input.due, createdAt: at };
      return meetingTransitions.addActionItem(m, item, at);
    });
  }

  /** The KfI accepts, rejects or moves up a topic. */
  async decideTopic(actor: string, meetingId: string, topicId: string, decision: 'accept' | 'reject' | 'up'): Promise<Outcome<MeetingView>> {
    if (!this.isKfi(actor)) return outcome.refuse('forbidden', FORBIDDEN_REASONS.kfi);
    const topic = (await this.deps.store.read(meetingId, topicId)) as Versioned<TopicDoc> | undefined;
    if (!topic || topic.type !== 'topic') return outcome.refuse('not_found');
    if (decision !== 'up') {
      const status = decision === 'accept' ? 'accepted' : 'rejected';
      if (topic.status !== status) {
        const { etag, ...plain } = topic;
        await this.deps.store.replace({ ...plain, status }, etag).catch((err: unknown) => {
          if (!(err instanceof ConcurrencyError)) throw err;
        });
      }
    }
    return this.kfiChange(actor, meetingId, (m, at) => meetingTransitions.decideTopic(m, topicId, decision, at));
  }

  /**
   * A change of a meeting by the KfI: one read and one conditional write of the meeting, carrying what the change owes
   * (notifications.ts decides it from the two revisions), then the KfI's view.
   */
  private kfiChange(actor: string, meetingId: string, transition: (m: MeetingDoc, at: string) => Change<MeetingDoc>): Promise<Outcome<MeetingView>> {
    return this.run(async () => {
      this.requireKfi(actor);
      const at = this.now().toISOString();
      const result = await transact(
        this.meetings(),
        meetingId,
        'meeting',
        (current) => (current.type !== 'meeting' ? { refuse: outcome.refuse('not_found') } : stepOf(transition(current, at), (next) => noticesForMeeting(current, next))),
        this.writer,
        8,
      );
      const meeting = this.settled(result);
      return done(await this.meetingView(meetingId, actor, { meeting }), result.kind === 'written');
    });
  }

  /** The document after `transact`, or the refusal it met (thrown to `run`). */
  private settled<D>(result: import('../workflow/transaction').Transacted<D>): Versioned<D> {
    switch (result.kind) {
      case 'missing':
        throw refused('not_found');
      case 'refused':
        throw new Refused(result.refusal);
      case 'written':
        return result.doc;
      default:
        return result.current;
    }
  }

  private polls(): DocumentStore<PollDoc> {
    return this.deps.store as unknown as DocumentStore<PollDoc>;
  }

  private meetings(): DocumentStore<MeetingDoc> {
    return this.deps.store as unknown as DocumentStore<MeetingDoc>;
  }

  /**
   * The meeting with its RSVPs and topics, in one query of the meeting's partition (a member's action on the request
   * path: this read and one write of their own document, nothing else).
   */
  private async meetingPartition(meetingId: string): Promise<{ meeting: Versioned<MeetingDoc>; docs: Array<RsvpDoc | TopicDoc> }> {
    const docs = meetingId
      ? await this.deps.store.query<Versioned<CircleDoc>>({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: meetingId }] }, { partitionKey: meetingId })
      : [];
    const meeting = docs.find((d): d is Versioned<MeetingDoc> => d.type === 'meeting' && d.id === 'meeting');
    if (!meeting) throw refused('not_found');
    return { meeting, docs: docs.filter((d): d is Versioned<RsvpDoc | TopicDoc> => d.type === 'rsvp' || d.type === 'topic') };
  }

  /** Records a member's RSVP (their own document: only they write it, so no ETag is needed). */
  async rsvp(actor: string, meetingId: string, answer: RsvpAnswer, delegate?: string): Promise<Outcome<MeetingView>> {
    return this.run(async () => {
      const me = actor.toLowerCase();
      const [, { meeting, docs }] = await Promise.all([this.requireMember(me), this.meetingPartition(meetingId)]);
      if (!isMeetingOpen(meeting, this.now().getTime())) throw refused('closed');
      const who = answer === 'delegate' ? guard(required(delegate, MAX_TEXT.delegate, 'delegate'), 'delegate') : undefined;
      const mine = docs.find((d): d is RsvpDoc => d.type === 'rsvp' && d.member === me);
      let saved: RsvpDoc | undefined = mine;
      if (!mine || mine.answer !== answer || mine.delegate !== who) {
        saved = { id: `rsvp:${me}`, pk: meetingId, type: 'rsvp', member: me, answer, ...(who ? { delegate: who } : {}), updatedAt: this.now().toISOString() };
        await this.deps.store.upsert(saved);
      }
      return done(await this.meetingView(meetingId, me, { meeting, docs: [...docs.filter((d) => d.id !== `rsvp:${me}`), saved!] }), saved !== mine);
    });
  }

  // ---------------------------------------------------------------- agenda

  /** A member proposes a topic for the agenda (one query of the meeting's partition, one write). */
  async proposeTopic(actor: string, meetingId: string, input: TopicInput): Promise<Outcome<MeetingView>> {
    return this.run(async () => {
      const me = actor.toLowerCase();
      const [, { meeting, docs }] = await Promise.all([this.requireMember(me), this.meetingPartition(meetingId)]);
      const topics = docs.filter((d): d is TopicDoc => d.type === 'topic');
      if (meeting.status === 'cancelled') throw refused('closed');
      // Caps keep one member (or a compromised account) from flooding the KfI's agenda and the meeting card.
      if (topics.filter((t) => t.proposedBy === me).length >= TOPIC_LIMITS.perMember) throw problem('topicLimit', 'too_many');
      if (topics.length >= TOPIC_LIMITS.perMeeting) throw problem('topicsFull', 'too_many');
      guard(input.title, 'topicTitle');
      guard(input.description, 'topicDescription');
      guard(input.presenter, 'topicPresenter');
      const description = clean(input.description, MAX_TEXT.description);
      const presenter = clean(input.presenter, MAX_TEXT.presenter);
      const topic: TopicDoc = {
        id: `topic:${randomUUID()}`,
        pk: meetingId,
        type: 'topic',
        title: required(input.title, MAX_TEXT.topic, 'topicTitle'),
        ...(description ? { description } : {}),
        ...(presenter ? { presenter } : {}),
        proposedBy: me,
        status: 'proposed',
        createdAt: this.now().toISOString(),
      };
      await this.deps.store.create(topic);
      return done(await this.meetingView(meetingId, me, { meeting, docs: [...docs, topic] }));
    });
  }

  // ---------------------------------------------------------------- reading

  /** A poll as the member `viewer` sees it, or the refusal (not a member, no such poll). */
  showPoll(viewer: string, pollId: string): Promise<Outcome<PollView>> {
    return this.run(async () => done(await this.pollView(pollId, viewer), false));
  }

  /** A meeting as the member `viewer` sees it, or the refusal. */
  showMeeting(viewer: string, meetingId: string): Promise<Outcome<MeetingView>> {
    return this.run(async () => done(await this.meetingView(meetingId, viewer), false));
  }

  /** The KfI's form data for changing a meeting (the stored meeting), or the refusal. */
  meetingForEdit(actor: string, meetingId: string): Promise<Outcome<MeetingDoc>> {
    return this.run(async () => {
      this.requireKfi(actor);
      return done(await this.meeting(meetingId), false);
    });
  }

  /** The poll and its answers: what the caller already has, else one query of the poll's partition. */
  private async pollState(pollId: string, known: { poll?: PollDoc; answers?: PollAnswerDoc[] }): Promise<{ poll: PollDoc; answers: PollAnswerDoc[] }> {
    if (!known.poll) return this.pollPartition(pollId);
    const answers =
      known.answers ??
      (await this.deps.store.query<PollAnswerDoc>(
        { query: 'SELECT * FROM c WHERE c.pk = @pk AND c.type = @type', parameters: [{ name: '@pk', value: pollId }, { name: '@type', value: 'pollAnswer' }] },
        { partitionKey: pollId },
      ));
    return { poll: known.poll, answers };
  }

  /** The poll and its answers for an answer: a read of the last second in this process, else one query (shared). */
  private recentPollPartition(pollId: string): Promise<{ poll: Versioned<PollDoc>; answers: PollAnswerDoc[] }> {
    const now = (this.deps.elapsedMs ?? performance.now.bind(performance))();
    const kept = this.recentPolls.get(pollId);
    if (kept && now - kept.at < (this.deps.pollReadReuseMs ?? POLL_READ_REUSE_MS)) return kept.read;
    const read = this.pollPartition(pollId);
    const entry = { at: now, read };
    this.recentPolls.delete(pollId);
    if (this.recentPolls.size >= POLL_READS_KEPT) this.recentPolls.delete(this.recentPolls.keys().next().value as string);
    this.recentPolls.set(pollId, entry);
    // A failed read (or an unknown poll) is not kept.
    read.catch(() => {
      if (this.recentPolls.get(pollId) === entry) this.recentPolls.delete(pollId);
    });
    return read;
  }

  /** A member's answer as just stored, into the kept read of its poll (the next answers' tallies count it). */
  private noteAnswer(pollId: string, saved: PollAnswerDoc): void {
    const kept = this.recentPolls.get(pollId);
    if (!kept) return;
    const next = kept.read.then(({ poll, answers }) => ({ poll, answers: [...answers.filter((a) => a.member !== saved.member), saved] }));
    // A read that fails is dropped by its own handler above; this chained one must not become an unhandled rejection.
    next.catch(() => undefined);
    kept.read = next;
  }

  /** The poll and its answers, in one query of the poll's partition. */
  private async pollPartition(pollId: string): Promise<{ poll: Versioned<PollDoc>; answers: PollAnswerDoc[] }> {
    const docs = pollId
      ? await this.deps.store.query<Versioned<CircleDoc>>({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: pollId }] }, { partitionKey: pollId })
      : [];
    const poll = docs.find((d): d is Versioned<PollDoc> => d.type === 'poll' && d.id === 'poll');
    if (!poll) throw refused('not_found');
    return { poll, answers: docs.filter((d): d is Versioned<PollAnswerDoc> => d.type === 'pollAnswer') };
  }

  private async meeting(meetingId: string): Promise<Versioned<MeetingDoc>> {
    const meeting = meetingId ? ((await this.deps.store.read(meetingId, 'meeting')) as Versioned<MeetingDoc> | undefined) : undefined;
    if (!meeting || meeting.type !== 'meeting') throw refused('not_found');
    return meeting;
  }

  /** A poll as `viewer` sees it (members only; `undefined` for the posted, impersonal card). */
  async pollView(pollId: string, viewer: string | undefined, known: { poll?: PollDoc; members?: CircleMemberView[]; answers?: PollAnswerDoc[] } = {}): Promise<PollView> {
    const [{ poll, answers }, members] = await Promise.all([this.pollState(pollId, known), known.members ?? this.members()]);
    if (viewer && !members.some((m) => m.aadObjectId === viewer.toLowerCase())) throw refused('forbidden', FORBIDDEN_REASONS.member);
    const tallies: Record<string, SlotTally> = Object.fromEntries(poll.slots.map((s) => [s.id, { yes: 0, maybe: 0, no: 0 }]));
    // Only current members count: a member who left the circle (or a guest removed) no longer decides the date.
    const memberIds = new Set(members.map((m) => m.aadObjectId));
    const counted = answers.filter((a) => memberIds.has(a.member));
    for (const a of counted) for (const [slot, choice] of Object.entries(a.choices)) if (tallies[slot] && POLL_CHOICES.includes(choice)) tallies[slot][choice] += 1;
    const best = [...poll.slots].sort((a, b) => tallies[b.id].yes - tallies[a.id].yes || tallies[b.id].maybe - tallies[a.id].maybe || a.start.localeCompare(b.start))[0];
    const answered = new Set(answers.map((a) => a.member));
    const mine = viewer ? answers.find((a) => a.member === viewer.toLowerCase())?.choices : undefined;
    return {
      poll,
      tallies,
      bestSlotId: best.id,
      members,
      notAnswered: members.filter((m) => !answered.has(m.aadObjectId)),
      answeredCount: counted.length,
      ...(mine ? { mine } : {}),
      viewerIsKfi: !!viewer && this.isKfi(viewer),
    };
  }

  /** A meeting as `viewer` sees it (`undefined` for the posted, impersonal card). */
  async meetingView(meetingId: string, viewer: string | undefined, known: { meeting?: MeetingDoc; docs?: Array<RsvpDoc | TopicDoc> } = {}): Promise<MeetingView> {
    const [meeting, docs, members] = await Promise.all([
      known.meeting ?? this.meeting(meetingId),
      known.docs ?? this.deps.store.query<RsvpDoc | TopicDoc>({ query: 'SELECT * FROM c WHERE c.pk = @pk AND (c.type = @rsvp OR c.type = @topic)', parameters: [{ name: '@pk', value: meetingId }, { name: '@rsvp', value: 'rsvp' }, { name: '@topic', value: 'topic' }] }, { partitionKey: meetingId }),
      this.members(),
    ]);
    if (viewer && !members.some((m) => m.aadObjectId === viewer.toLowerCase())) throw refused('forbidden', FORBIDDEN_REASONS.member);
    const memberIds = new Set(members.map((m) => m.aadObjectId));
    const rsvps = docs.filter((d): d is RsvpDoc => d.type === 'rsvp' && memberIds.has(d.member));
    const topics = docs.filter((d): d is TopicDoc => d.type === 'topic');
    const counts = { accept: 0, decline: 0, delegate: 0, open: 0 };
    for (const r of rsvps) counts[r.answer] += 1;
    counts.open = members.length - rsvps.length;
    const answered = new Set(rsvps.map((r) => r.member));
    const mine = viewer ? rsvps.find((r) => r.member === viewer.toLowerCase()) : undefined;
    const byId = new Map(topics.map((t) => [t.id, t]));
    return {
      meeting,
      counts,
      ...(mine ? { mine: { answer: mine.answer, ...(mine.delegate ? { delegate: mine.delegate } : {}) } } : {}),
      agenda: meeting.agenda.map((id) => byId.get(id)).filter((t): t is TopicDoc => !!t),
      proposed: topics.filter((t) => t.status === 'proposed').sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
      members,
      notAnswered: members.filter((m) => !answered.has(m.aadObjectId)),
      icsUrl: this.deps.icsUrl(meeting.icsToken),
      ended: new Date(meeting.end).getTime() < this.now().getTime(),
      viewerIsKfi: !!viewer && this.isKfi(viewer),
    };
  }

  /** The next scheduled meeting (not yet ended), if any. */
  async nextMeeting(): Promise<MeetingDoc | undefined> {
    const [next] = await this.deps.store.query<MeetingDoc>(
      { query: 'SELECT * FROM c WHERE c.type = @type AND c.status = @status AND c["end"] >= @now ORDER BY c.start', parameters: [{ name: '@type', value: 'meeting' }, { name: '@status', value: 'scheduled' }, { name: '@now', value: this.now().toISOString() }] },
      { maxItems: 1 },
    );
    return next;
  }

  /** What the person sees first: the next meeting, open polls, their own answers. */
  async overviewFor(aadObjectId: string): Promise<CircleOverview> {
    const me = aadObjectId.toLowerCase();
    const [members, settings] = await Promise.all([this.members(), this.settings()]);
    const isKfi = this.isKfi(me);
    const isMember = members.some((m) => m.aadObjectId === me);
    if (!isMember) return { isMember, isKfi, openPolls: [], channelDesignated: !!settings?.channel };
    // Independent reads in parallel: this is on the first view of a personal tab.
    const [next, polls] = await Promise.all([
      this.nextMeeting(),
      this.deps.store.query<PollDoc>(
        { query: 'SELECT * FROM c WHERE c.type = @type AND c.status = @status ORDER BY c.createdAt', parameters: [{ name: '@type', value: 'poll' }, { name: '@status', value: 'open' }] },
        { maxItems: 5 },
      ),
    ]);
    const [nextView, openPolls] = await Promise.all([next ? this.meetingView(next.pk, me) : undefined, Promise.all(polls.map((p) => this.pollView(p.pk, me, { poll: p, members })))]);
    return {
      isMember,
      isKfi,
      ...(nextView ? { nextMeeting: nextView } : {}),
      openPolls,
      channelDesignated: !!settings?.channel,
    };
  }

  /** The calendar file for a token; `undefined` for an unknown token. */
  async icsFor(token: string): Promise<{ body: string; filename: string } | undefined> {
    if (!/^[A-Za-z0-9_-]{22}$/.test(token)) return undefined;
    const ref = (await this.deps.store.read(`ics:${token}`, 'ics')) as IcsTokenDoc | undefined;
    if (!ref || ref.type !== 'icsToken') return undefined;
    const meeting = (await this.deps.store.read(ref.meetingId, 'meeting')) as MeetingDoc | undefined;
    if (!meeting || meeting.icsToken !== token) return undefined;
    // One file for everyone, in the authorities' working language; a cancelled meeting says why first (plain text: the
    // .ics format escapes it, no Markdown).
    const cancelled = meeting.status === 'cancelled' && meeting.cancelReason ? CIRCLE_MESSAGES.de.card.cancelledBecause(meeting.cancelReason) : undefined;
    // A Teams meeting made through Graph is the meeting's link (the KfI's free-text link only without one). Outlook shows
    // LOCATION and DESCRIPTION, not URL: the join link goes in the description, as Outlook's own invitations have it,
    // and in X-MICROSOFT-SKYPETEAMSMEETINGURL, the property those invitations carry for it.
    const teamsUrl = meeting.teamsMeeting?.joinUrl;
    const online = teamsUrl ? CIRCLE_MESSAGES.de.teams.icsJoin(teamsUrl) : meeting.onlineUrl ? `Online: ${meeting.onlineUrl}` : undefined;
    const description = [cancelled, meeting.agendaText, online].filter(Boolean).join('\n\n');
    const url = teamsUrl ?? meeting.onlineUrl;
    const body = renderIcs({
      uid: `${meeting.pk}@integrations-lotse`,
      sequence: meeting.revision,
      stamp: new Date(meeting.updatedAt),
      start: new Date(meeting.start),
      end: new Date(meeting.end),
      summary: meeting.title,
      location: meeting.place ?? (teamsUrl ? CIRCLE_MESSAGES.de.teams.icsLocation : meeting.onlineUrl),
      ...(description ? { description } : {}),
      ...(url ? { url } : {}),
      ...(teamsUrl ? { teamsUrl } : {}),
      cancelled: meeting.status === 'cancelled',
    });
    return { body, filename: `koordinierungskreis-${berlinParts(new Date(meeting.start)).date}.ics` };
  }

  // ---------------------------------------------------------------- retention

  /**
   * Deletes meetings that ended, and polls that closed (or were left open), more than `retentionDays` ago,
   * each with every document of its partition (answers, RSVPs, topics) and its calendar token. The embedded server
   * has no TTL, so this is the retention everywhere. Returns how many meetings and polls were deleted.
   */
  async purgeExpired(): Promise<number> {
    const cutoff = new Date(this.now().getTime() - (this.deps.retentionDays ?? 730) * DAY).toISOString();
    const expired = await this.deps.store.query<MeetingDoc | PollDoc>({
      query:
        "SELECT * FROM c WHERE (c.type = 'meeting' AND c['end'] < @cutoff) OR (c.type = 'poll' AND c.status != 'open' AND c.closedAt < @cutoff) OR (c.type = 'poll' AND c.status = 'open' AND c.createdAt < @cutoff)",
      parameters: [{ name: '@cutoff', value: cutoff }],
    });
    for (const doc of expired) {
      const rest = await this.deps.store.query<CircleDoc>({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: doc.pk }] }, { partitionKey: doc.pk });
      // The item's own document goes last, so an interrupted purge is found again and finished.
      for (const d of rest.filter((x) => x.id !== doc.id)) await this.deps.store.delete(d.pk, d.id);
      if (doc.type === 'meeting') await this.deps.store.delete(`ics:${doc.icsToken}`, 'ics');
      // What it sent (announcements, cards, reminders) carries its content: that goes with it.
      await this.deps.outbox.deleteOwned(`circle:${doc.type}:${doc.pk}:`);
      await this.deps.store.delete(doc.pk, doc.id);
    }
    if (expired.length) this.deps.logger.info({ event: 'circle.purged', count: expired.length }, 'expired circle items deleted');
    return expired.length;
  }

  /** Handlers for the Scheduler (jobs.ts): reminders and the retention purge. */
  jobHandlers(): Record<string, JobHandler> {
    const teams = this.teamsDeps();
    return circleJobHandlers({
      ...(teams ? { syncTeamsMeeting: async (id: string) => {
        const result = await syncTeamsMeeting(teams, id);
        return result.kind === 'retry' ? result.at : undefined;
      } } : {}),
      outbox: this.deps.outbox,
      langOf: (id) => this.deps.profiles.langOf(id),
      readMeeting: async (id) => {
        const m = (await this.deps.store.read(id, 'meeting')) as MeetingDoc | undefined;
        return m?.type === 'meeting' ? m : undefined;
      },
      meetingView: (id) => this.meetingView(id, undefined),
      purgeExpired: () => this.purgeExpired(),
      now: this.now,
    }, this.cadence.jobHandlers());
  }

  /** Who is listed for an AAD object id in the directory (name for cards), if anyone. */
  personName(aadObjectId: string): string | undefined {
    return personByAadObjectId(this.deps.directory(), aadObjectId)?.name;
  }
}
