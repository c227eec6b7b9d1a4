/**
 * The Koordinierungskreis of the IB, run and moderated by the KfI (RdErl. v. 5.12.2023, Nr. 6): date polls,
 * announcements, RSVP, agenda, minutes and action items. A plain service: the bot's handlers and a personal tab call
 * the same methods. Every method re-checks from the stored directory and the actor's AAD object id who may do what;
 * nothing is taken from card data. Messages to others go through the outbox with keys derived from the item and the
 * step, reminders through the Scheduler, so repeats send nothing twice and several processes act once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { detectPersonalData, type PersonalDataKind } from '../answers/privacy';
import type { Directory } from '../directory/model';
import { personByAadObjectId, rolesOf } from '../directory/roles';
import type { Logger } from '../logging';
import type { OutgoingActivity, Recipient } from '../notifications/model';
import { OutboxError, type Outbox } from '../notifications/outbox';
import type { JobDoc, JobHandler, Scheduler } from '../scheduling/scheduler';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { updateWithRetry } from '../storage/documentStore';
import { AlreadyExistsError, ConcurrencyError } from '../storage/errors';
import type { ConversationRef } from '../users/userProfiles';
import { berlinParts, berlinToUtc } from './berlinTime';
import { renderIcs } from './ics';
import {
  POLL_CHOICES,
  type ActionItem,
  type Guest,
  type CircleDoc,
  type CircleMemberView,
  type DeliveryMode,
  type IcsTokenDoc,
  type MeetingDoc,
  type MeetingView,
  type PollAnswerDoc,
  type PollChoice,
  type PollDoc,
  type PollView,
  type RsvpAnswer,
  type RsvpDoc,
  type MeetingFollowUp,
  type SettingsDoc,
  type SlotTally,
  type TopicDoc,
} from './model';

/** Why an action was refused; the bot turns the code into a polite sentence. */
export type CircleErrorCode =
  | 'CIRCLE_FORBIDDEN'
  | 'CIRCLE_NOT_MEMBER'
  | 'CIRCLE_NOT_FOUND'
  | 'CIRCLE_INVALID'
  | 'CIRCLE_PAST'
  | 'CIRCLE_CLOSED'
  | 'CIRCLE_NO_CHANNEL'
  /** The privacy guard found third parties' personal data in the field `detail`; nothing was stored. */
  | 'CIRCLE_PERSONAL_DATA';

export class CircleError extends Error {
  constructor(
    readonly code: CircleErrorCode,
    /** Which field or rule, for the message (never user text). */
    readonly detail = '',
    /** With CIRCLE_PERSONAL_DATA: what the guard found. */
    readonly kinds: PersonalDataKind[] = [],
  ) {
    super(`${code}${detail ? `: ${detail}` : ''}`);
    this.name = 'CircleError';
  }
}

/** The language of a text message to one member. */
export type CircleMessageLang = 'de' | 'en';

/**
 * What the service needs to turn views into messages; the bot implements it with cards. Cards go out in German, the
 * authorities' working language (each member's client refreshes them into their own view and language); text
 * messages to members are written in each member's own language.
 */
export interface CirclePresenter {
  poll(view: PollView): Promise<OutgoingActivity>;
  meeting(view: MeetingView): Promise<OutgoingActivity>;
  /** Each member's language (from their Teams locale); German for anyone not known. */
  languages(aadObjectIds: string[]): Promise<Map<string, CircleMessageLang>>;
  pollReminder(view: PollView, lang: CircleMessageLang): Promise<OutgoingActivity>;
  rsvpReminder(view: MeetingView, lang: CircleMessageLang): Promise<OutgoingActivity>;
  dayBefore(view: MeetingView, lang: CircleMessageLang): Promise<OutgoingActivity>;
  /** A short note that a meeting changed (`changed`), was cancelled, got its agenda or minutes. */
  notice(view: MeetingView, kind: 'changed' | 'cancelled' | 'agenda' | 'minutes', lang: CircleMessageLang): Promise<OutgoingActivity>;
  actionReminder(view: MeetingView, item: ActionItem, lang: CircleMessageLang): Promise<OutgoingActivity>;
}

/** What the circle stores about one person, for "Meine Daten". */
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

export interface CircleServiceDeps {
  store: DocumentStore<CircleDoc>;
  directory: () => Directory;
  outbox: Pick<Outbox, 'enqueue' | 'enqueueUpdate' | 'deleteOwned'>;
  scheduler: Pick<Scheduler, 'schedule' | 'reschedule' | 'cancel'>;
  presenter: CirclePresenter;
  /** The public link of a meeting's calendar file. */
  icsUrl: (token: string) => string;
  logger: Logger;
  now?: () => Date;
  /** How long the settings document is reused in process (default 5 s). */
  settingsCacheMs?: number;
  /** Days after a meeting's end (or a poll's close) before it is deleted with its answers, RSVPs and topics (default 730). */
  retentionDays?: number;
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

export const JOB_KINDS = {
  rsvpReminder: 'circle.rsvpReminder',
  dayBefore: 'circle.dayBefore',
  actionReminder: 'circle.actionReminder',
  purge: 'circle.purge',
  sweep: 'circle.sweep',
} as const;

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** At most this many topics per member and per meeting (proposed, accepted or rejected alike). */
export const TOPIC_LIMITS = { perMember: 5, perMeeting: 40 } as const;
const MAX_TEXT = { title: 150, place: 200, url: 500, agenda: 2_000, topic: 150, description: 500, presenter: 120, minutes: 8_000, delegate: 120 };
const HTTPS_URL = /^https:\/\/[^\s]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const clean = (value: string | undefined, max: number): string | undefined => {
  const v = (value ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();
  if (!v) return undefined;
  if (v.length > max) throw new CircleError('CIRCLE_INVALID', 'tooLong');
  return v;
};
const required = (value: string | undefined, max: number, field: string): string => {
  const v = clean(value, max);
  if (!v) throw new CircleError('CIRCLE_INVALID', field);
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
    if (kinds.length) throw new CircleError('CIRCLE_PERSONAL_DATA', field, kinds);
  }
  return value;
};

/** The Koordinierungskreis service. */
export class CircleService {
  private readonly now: () => Date;
  private settingsCache?: { value: Versioned<SettingsDoc> | undefined; until: number };

  constructor(private readonly deps: CircleServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  // ---------------------------------------------------------------- membership and roles

  /** Everyone in the circle: members listed in the directory (with a Teams identity) and guests the KfI added. */
  async members(): Promise<CircleMemberView[]> {
    const directory = this.deps.directory();
    const settings = await this.settings();
    // Worked out again only when the directory or the settings are new objects (every answer of a busy poll asks).
    const known = this.membersOf;
    if (known && known.directory === directory && known.settings === settings) return [...known.members];
    const members = this.listMembers(directory, settings);
    this.membersOf = { directory, settings, members };
    return [...members];
  }

  private membersOf: { directory: Directory; settings: Versioned<SettingsDoc> | undefined; members: CircleMemberView[] } | undefined;

  private listMembers(directory: Directory, settings: Versioned<SettingsDoc> | undefined): CircleMemberView[] {
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
    for (const g of settings?.guests ?? []) if (!out.has(g.aadObjectId)) out.set(g.aadObjectId, { aadObjectId: g.aadObjectId, name: g.name, role: 'guest' });
    return [...out.values()];
  }

  isKfi(aadObjectId: string): boolean {
    return rolesOf(this.deps.directory(), aadObjectId).kfi;
  }

  private async requireMember(actor: string): Promise<CircleMemberView[]> {
    const members = await this.members();
    if (!members.some((m) => m.aadObjectId === actor.toLowerCase())) throw new CircleError('CIRCLE_NOT_MEMBER');
    return members;
  }

  private requireKfi(actor: string): void {
    if (!this.isKfi(actor)) throw new CircleError('CIRCLE_FORBIDDEN');
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
  async designateChannel(actor: string, channel: ConversationRef): Promise<void> {
    this.requireKfi(actor);
    await this.updateSettings((s) => ({ ...s, channel }));
  }

  /** The KfI adds a guest (stored here; the directory file stays the maintained source of the regular members). */
  async addGuest(actor: string, guest: { aadObjectId: string; name: string }): Promise<void> {
    this.requireKfi(actor);
    const aad = guest.aadObjectId.trim().toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(aad)) throw new CircleError('CIRCLE_INVALID', 'guest');
    const name = required(guest.name, 120, 'guestName');
    await this.updateSettings((s) =>
      s.guests.some((g) => g.aadObjectId === aad) ? undefined : { ...s, guests: [...s.guests, { aadObjectId: aad, name, addedBy: actor, addedAt: this.now().toISOString() }] },
    );
  }

  /** The KfI removes a guest added at run time. */
  async removeGuest(actor: string, aadObjectId: string): Promise<void> {
    this.requireKfi(actor);
    const aad = aadObjectId.toLowerCase();
    await this.updateSettings((s) => (s.guests.some((g) => g.aadObjectId === aad) ? { ...s, guests: s.guests.filter((g) => g.aadObjectId !== aad) } : undefined));
  }

  private async updateSettings(change: (s: SettingsDoc) => SettingsDoc | undefined): Promise<void> {
    this.settingsCache = undefined;
    await updateWithRetry(this.deps.store, 'settings', 'settings', (current) => {
      const base: SettingsDoc = (current as SettingsDoc | undefined) ?? { id: 'settings', pk: 'settings', type: 'settings', guests: [], updatedAt: '' };
      const { etag: _e, ...plain } = base as Versioned<SettingsDoc>;
      const next = change(plain as SettingsDoc);
      return next ? { ...next, updatedAt: this.now().toISOString() } : undefined;
    });
    this.settingsCache = undefined;
  }

  // ---------------------------------------------------------------- polls

  /** The KfI proposes 2–10 dates; the poll card goes to the circle. */
  async createPoll(actor: string, input: CreatePollInput): Promise<PollView> {
    const poll = await this.pollDoc(actor, input);
    const id = poll.pk;
    await this.deps.store.create(poll);
    const view = await this.announcePoll(poll);
    this.deps.logger.info({ event: 'circle.poll_created', pollId: id, slots: poll.slots.length }, 'poll created');
    return view;
  }

  /** The poll `createPoll` would create and post, checked the same way, without storing or sending anything. */
  async previewPoll(actor: string, input: CreatePollInput): Promise<PollView> {
    const poll = await this.pollDoc(actor, input);
    const members = await this.members();
    return this.pollView(poll.pk, undefined, { poll, members, answers: [] });
  }

  private async pollDoc(actor: string, input: CreatePollInput): Promise<PollDoc> {
    this.requireKfi(actor);
    const title = guard(required(input.title, MAX_TEXT.title, 'title'), 'title');
    guard(clean(input.place, MAX_TEXT.place), 'place');
    const duration = Math.round(input.durationMinutes);
    if (!(duration >= 15 && duration <= 12 * 60)) throw new CircleError('CIRCLE_INVALID', 'duration');
    const starts = input.slots.filter((s) => s.date || s.time).map((s) => berlinToUtc(s.date, s.time));
    if (starts.some((s) => !s)) throw new CircleError('CIRCLE_INVALID', 'slot');
    const unique = [...new Set((starts as Date[]).map((s) => s.getTime()))].sort((a, b) => a - b);
    if (unique.length < 2 || unique.length > 10) throw new CircleError('CIRCLE_INVALID', 'slotCount');
    if (unique[0] <= this.now().getTime()) throw new CircleError('CIRCLE_PAST', 'slot');
    const onlineUrl = this.url(input.onlineUrl);
    const id = `p-${randomUUID()}`;
    const poll: PollDoc = {
      id: 'poll',
      pk: id,
      type: 'poll',
      title,
      ...(clean(input.place, MAX_TEXT.place) ? { place: clean(input.place, MAX_TEXT.place) } : {}),
      ...(onlineUrl ? { onlineUrl } : {}),
      slots: unique.map((t, i) => ({ id: `s${i + 1}`, start: new Date(t).toISOString(), end: new Date(t + duration * 60_000).toISOString() })),
      status: 'open',
      tenantId: input.tenantId,
      delivery: await this.deliveryMode(input.delivery),
      createdBy: actor,
      createdAt: this.now().toISOString(),
    };
    return poll;
  }

  /** Posts the poll card to the circle (idempotent: one key per poll). */
  private async announcePoll(poll: PollDoc): Promise<PollView> {
    const view = await this.pollView(poll.pk, undefined);
    await this.deps.outbox.enqueue({ key: `circle:poll:${poll.pk}:announce`, activity: await this.deps.presenter.poll(view), recipients: await this.recipients(poll.delivery, poll.tenantId, view.members) });
    return view;
  }

  private async deliveryMode(requested: DeliveryMode | undefined): Promise<DeliveryMode> {
    const channel = (await this.settings())?.channel;
    if (!requested) return channel ? 'channel' : 'personal';
    if (requested !== 'personal' && !channel) throw new CircleError('CIRCLE_NO_CHANNEL');
    return requested;
  }

  private url(value: string | undefined): string | undefined {
    const v = clean(value, MAX_TEXT.url);
    if (v && !HTTPS_URL.test(v)) throw new CircleError('CIRCLE_INVALID', 'onlineUrl');
    return v;
  }

  /**
   * A text message to members, each in their own language: one notification per language, German under `key` itself
   * and English under `key:en`, so that repeating the call sends nothing twice. Returns how many deliveries were added.
   */
  private async messageMembers(key: string, tenantId: string, aadObjectIds: string[], build: (lang: CircleMessageLang) => Promise<OutgoingActivity>): Promise<number> {
    const languages = await this.deps.presenter.languages(aadObjectIds);
    const groups = new Map<CircleMessageLang, string[]>();
    for (const id of aadObjectIds) {
      const lang = languages.get(id) ?? 'de';
      groups.set(lang, [...(groups.get(lang) ?? []), id]);
    }
    let added = 0;
    for (const lang of ['de', 'en'] as const) {
      const ids = groups.get(lang);
      if (!ids) continue;
      const result = await this.deps.outbox.enqueue({
        key: lang === 'de' ? key : `${key}:${lang}`,
        activity: await build(lang),
        recipients: ids.map((aadObjectId) => ({ user: { aadObjectId, tenantId } })),
      });
      added += result.added;
    }
    return added;
  }

  private async recipients(mode: DeliveryMode, tenantId: string, members: CircleMemberView[]): Promise<Recipient[]> {
    const out: Recipient[] = [];
    const channel = (await this.settings())?.channel;
    if (mode !== 'personal' && channel) out.push({ conversation: channel });
    if (mode !== 'channel' || !channel) for (const m of members) out.push({ user: { aadObjectId: m.aadObjectId, tenantId } });
    return out;
  }

  /** Stores a member's answers (one document per member: parallel answers never collide). */
  async answerPoll(actor: string, pollId: string, choices: Record<string, PollChoice>): Promise<PollView> {
    const me = actor.toLowerCase();
    // The poll and every answer live in the poll's partition: one query reads them all.
    const [members, { poll, answers }] = await Promise.all([this.requireMember(me), this.pollPartition(pollId)]);
    if (poll.status !== 'open') throw new CircleError('CIRCLE_CLOSED');
    const known = new Set(poll.slots.map((s) => s.id));
    const given = Object.entries(choices).filter(([slot, choice]) => known.has(slot) && POLL_CHOICES.includes(choice));
    if (given.length === 0) throw new CircleError('CIRCLE_INVALID', 'choices');
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
    // The tallies as read a moment ago, with this member's answer as just stored.
    return this.pollView(pollId, me, { poll, members, answers: [...answers.filter((a) => a.member !== me), saved] });
  }

  /** The KfI reminds members who have not answered; at most once a day per poll. */
  async remindPoll(actor: string, pollId: string): Promise<{ reminded: number }> {
    this.requireKfi(actor);
    const view = await this.pollView(pollId, actor);
    if (view.poll.status !== 'open') throw new CircleError('CIRCLE_CLOSED');
    if (view.notAnswered.length === 0) return { reminded: 0 };
    const added = await this.messageMembers(`circle:poll:${pollId}:remind:${berlinParts(this.now()).date}`, view.poll.tenantId, view.notAnswered.map((m) => m.aadObjectId), (lang) =>
      this.deps.presenter.pollReminder(view, lang),
    );
    return { reminded: added };
  }

  /** Closes the poll on a slot (the best by default) and turns it into a meeting announced to the circle. */
  async closePoll(actor: string, pollId: string, options: { slotId?: string; rsvpDeadline?: string; agendaText?: string } = {}): Promise<MeetingView> {
    this.requireKfi(actor);
    const view = await this.pollView(pollId, actor);
    const poll = view.poll as Versioned<PollDoc>;
    const meetingId = poll.meetingId ?? `m-${pollId.slice(2)}`;
    if (poll.status === 'cancelled') throw new CircleError('CIRCLE_CLOSED');
    if (poll.status === 'closed' && (await this.deps.store.read(meetingId, 'meeting'))) return this.meetingView(meetingId, actor);
    const slot = poll.slots.find((s) => s.id === (poll.status === 'closed' ? poll.chosenSlotId : options.slotId || view.bestSlotId));
    if (!slot) throw new CircleError('CIRCLE_INVALID', 'slot');
    const start = new Date(slot.start);
    const startParts = berlinParts(start);
    const input: MeetingInput = {
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
    };
    if (poll.status === 'open') {
      // Everything is checked before the poll is marked closed (ETag-guarded: a second close, in any process, finds
      // it closed); a crash after this write is completed by the next close, which creates the meeting.
      this.meetingFields(input);
      const { etag, ...plain } = poll;
      try {
        await this.deps.store.replace({ ...plain, status: 'closed', closedAt: this.now().toISOString(), chosenSlotId: slot.id, meetingId }, etag);
      } catch (err) {
        if (err instanceof ConcurrencyError) return this.closePoll(actor, pollId, options);
        throw err;
      }
    }
    const meeting = await this.announceMeeting(actor, input, { meetingId, fromPollId: pollId });
    const closed = await this.pollView(pollId, undefined);
    await this.deps.outbox
      .enqueueUpdate({ key: `circle:poll:${pollId}:card:closed`, of: `circle:poll:${pollId}:announce`, activity: await this.deps.presenter.poll(closed) })
      .catch((err: unknown) => {
        // A poll whose announcement was never enqueued (a crash right after it was stored) has no cards to update.
        if (!(err instanceof OutboxError && err.code === 'OUTBOX_UNKNOWN_NOTIFICATION')) throw err;
      });
    return meeting;
  }

  // ---------------------------------------------------------------- meetings

  /** Announces a meeting to the circle (channel and/or 1:1), with reminders scheduled. */
  async announceMeeting(actor: string, input: MeetingInput, internal: { meetingId?: string; fromPollId?: string } = {}): Promise<MeetingView> {
    const meeting = await this.meetingDoc(actor, input, internal);
    const id = meeting.pk;
    const existing = (await this.deps.store.read(id, 'meeting')) as MeetingDoc | undefined;
    const stored = (existing ?? (await this.deps.store.create(meeting))) as MeetingDoc;
    if (!existing) await this.deps.store.upsert({ id: 'ics', pk: `ics:${meeting.icsToken}`, type: 'icsToken', meetingId: id } satisfies IcsTokenDoc);
    await this.followUp(stored);
    this.deps.logger.info({ event: 'circle.meeting_announced', meetingId: id }, 'meeting announced');
    return this.meetingView(id, actor);
  }

  /** The meeting `announceMeeting` would store and post, checked the same way, without storing or sending anything. */
  async previewMeeting(actor: string, input: MeetingInput): Promise<MeetingView> {
    const meeting = await this.meetingDoc(actor, input, {});
    return this.meetingView(meeting.pk, undefined, { meeting, docs: [] });
  }

  private async meetingDoc(actor: string, input: MeetingInput, internal: { meetingId?: string; fromPollId?: string }): Promise<MeetingDoc> {
    this.requireKfi(actor);
    const fields = this.meetingFields(input);
    const id = internal.meetingId ?? `m-${randomUUID()}`;
    const at = this.now().toISOString();
    const meeting: MeetingDoc = {
      id: 'meeting',
      pk: id,
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
      createdBy: actor,
      createdAt: at,
      updatedAt: at,
    };
    return meeting;
  }

  private meetingFields(input: Omit<MeetingInput, 'tenantId' | 'delivery'>): Pick<MeetingDoc, 'title' | 'start' | 'end' | 'place' | 'onlineUrl' | 'agendaText' | 'rsvpDeadline'> {
    const title = guard(required(input.title, MAX_TEXT.title, 'title'), 'title');
    const start = berlinToUtc(input.date, input.startTime);
    const end = berlinToUtc(input.date, input.endTime);
    if (!start || !end) throw new CircleError('CIRCLE_INVALID', 'date');
    if (end.getTime() <= start.getTime()) throw new CircleError('CIRCLE_INVALID', 'endBeforeStart');
    if (start.getTime() <= this.now().getTime()) throw new CircleError('CIRCLE_PAST', 'date');
    if (!ISO_DATE.test(input.rsvpDeadline) || input.rsvpDeadline > input.date) throw new CircleError('CIRCLE_INVALID', 'rsvpDeadline');
    if (input.rsvpDeadline < berlinParts(this.now()).date) throw new CircleError('CIRCLE_PAST', 'rsvpDeadline');
    const place = clean(input.place, MAX_TEXT.place);
    const onlineUrl = this.url(input.onlineUrl);
    if (!place && !onlineUrl) throw new CircleError('CIRCLE_INVALID', 'placeOrLink');
    guard(place, 'place');
    const agendaText = guard(clean(input.agendaText, MAX_TEXT.agenda), 'agendaText');
    return { title, start: start.toISOString(), end: end.toISOString(), rsvpDeadline: input.rsvpDeadline, ...(place ? { place } : {}), ...(onlineUrl ? { onlineUrl } : {}), ...(agendaText ? { agendaText } : {}) };
  }

  /** The KfI changes a meeting: posted cards are updated in place, members are told once, reminders move. */
  async updateMeeting(actor: string, meetingId: string, input: Omit<MeetingInput, 'tenantId' | 'delivery'>): Promise<MeetingView> {
    this.requireKfi(actor);
    const fields = this.meetingFields(input);
    const saved = await this.changeMeeting(meetingId, (m) => {
      if (m.status === 'cancelled') throw new CircleError('CIRCLE_CLOSED');
      const before = JSON.stringify([m.title, m.start, m.end, m.place, m.onlineUrl, m.agendaText, m.rsvpDeadline]);
      const next = { ...m, ...fields };
      if (!fields.place) delete next.place;
      if (!fields.onlineUrl) delete next.onlineUrl;
      if (!fields.agendaText) delete next.agendaText;
      return JSON.stringify([next.title, next.start, next.end, next.place, next.onlineUrl, next.agendaText, next.rsvpDeadline]) === before ? undefined : next;
    }, { notice: 'changed', cards: true, reminders: true });
    if (saved.changed) await this.followUp(saved.meeting);
    return this.meetingView(meetingId, actor);
  }

  /** The KfI cancels a meeting: every posted card shows it cancelled, members are told once, reminders stop. */
  async cancelMeeting(actor: string, meetingId: string): Promise<MeetingView> {
    this.requireKfi(actor);
    const saved = await this.changeMeeting(meetingId, (m) => (m.status === 'cancelled' ? undefined : { ...m, status: 'cancelled' }), { notice: 'cancelled', cards: true, reminders: true });
    if (saved.changed) await this.followUp(saved.meeting);
    return this.meetingView(meetingId, actor);
  }

  /** Reads, changes (bumping the revision) and writes a meeting with its ETag, retrying on conflicts. */
  private async changeMeeting(meetingId: string, change: (m: MeetingDoc) => MeetingDoc | undefined, owes: MeetingFollowUp | ((next: MeetingDoc) => MeetingFollowUp)): Promise<{ meeting: MeetingDoc; changed: boolean }> {
    let changed = false;
    const saved = await updateWithRetry(
      this.deps.store,
      meetingId,
      'meeting',
      (current) => {
        if (!current || current.type !== 'meeting') throw new CircleError('CIRCLE_NOT_FOUND');
        const { etag: _e, ...plain } = current as Versioned<MeetingDoc>;
        const next = change(plain as MeetingDoc);
        changed = !!next;
        return next ? { ...next, owes: typeof owes === 'function' ? owes(next) : owes, revision: plain.revision + 1, updatedAt: this.now().toISOString() } : undefined;
      },
      8,
    );
    return { meeting: saved as MeetingDoc, changed };
  }

  /**
   * Sends and schedules what the meeting's latest change owes (see `MeetingDoc.owes`). Idempotent: every outbox key
   * carries the meeting and its revision, and scheduling repeats nothing, so the sweep may run it again.
   */
  private async followUp(meeting: MeetingDoc): Promise<void> {
    const owes: MeetingFollowUp = meeting.revision === 1 ? { reminders: true } : (meeting.owes ?? {});
    const view = await this.meetingView(meeting.pk, undefined);
    if (meeting.revision === 1) {
      await this.deps.outbox.enqueue({ key: `circle:meeting:${meeting.pk}:announce`, activity: await this.deps.presenter.meeting(view), recipients: await this.recipients(meeting.delivery, meeting.tenantId, view.members) });
    }
    if (owes.cards) await this.updateCards(view);
    if (owes.notice) {
      const notice = owes.notice;
      await this.messageMembers(`circle:meeting:${meeting.pk}:${notice}:r${meeting.revision}`, meeting.tenantId, view.members.map((m) => m.aadObjectId), (lang) =>
        this.deps.presenter.notice(view, notice, lang),
      );
    }
    if (owes.reminders && meeting.status === 'cancelled') {
      await this.deps.scheduler.cancel(`circle:meeting:${meeting.pk}:rsvp-reminder`);
      await this.deps.scheduler.cancel(`circle:meeting:${meeting.pk}:day-before`);
      for (const item of meeting.actionItems) await this.deps.scheduler.cancel(`circle:meeting:${meeting.pk}:action:${item.id}`);
    } else if (owes.reminders) {
      await this.scheduleReminders(meeting);
    }
    const item = owes.actionItemId ? meeting.actionItems.find((i) => i.id === owes.actionItemId) : undefined;
    if (item) {
      const due = berlinToUtc(item.due, '09:00')!.getTime() - 2 * DAY;
      await this.deps.scheduler.schedule({ key: `circle:meeting:${meeting.pk}:action:${item.id}`, kind: JOB_KINDS.actionReminder, dueAt: new Date(Math.max(this.now().getTime(), due)), payload: { meetingId: meeting.pk, itemId: item.id } });
    }
  }

  /**
   * Finishes what a process that died mid-way left undone: announcements of polls created, and the follow-ups of
   * meetings changed, in the last 15 minutes (but not in the last 30 s, which the acting process is still doing).
   */
  async sweep(): Promise<number> {
    const now = this.now().getTime();
    const since = new Date(now - 15 * 60_000).toISOString();
    const until = new Date(now - 30_000).toISOString();
    const recent = await this.deps.store.query<MeetingDoc | PollDoc>({
      query:
        "SELECT * FROM c WHERE (c.type = 'meeting' AND c.updatedAt >= @since AND c.updatedAt <= @until) OR (c.type = 'poll' AND c.status = 'open' AND c.createdAt >= @since AND c.createdAt <= @until)",
      parameters: [
        { name: '@since', value: since },
        { name: '@until', value: until },
      ],
    });
    for (const doc of recent) {
      if (doc.type === 'meeting') await this.followUp(doc);
      else await this.announcePoll(doc);
    }
    return recent.length;
  }

  private async updateCards(view: MeetingView): Promise<void> {
    await this.deps.outbox.enqueueUpdate({ key: `circle:meeting:${view.meeting.pk}:card:r${view.meeting.revision}`, of: `circle:meeting:${view.meeting.pk}:announce`, activity: await this.deps.presenter.meeting(view) });
  }

  private async scheduleReminders(meeting: MeetingDoc): Promise<void> {
    const now = this.now().getTime();
    const start = new Date(meeting.start).getTime();
    // Members who have not answered hear at 9:00 on the day before the deadline (or now, if that has passed).
    const deadlineReminder = berlinToUtc(meeting.rsvpDeadline, '09:00')!.getTime() - DAY;
    const base = { meetingId: meeting.pk };
    await this.deps.scheduler.reschedule({ key: `circle:meeting:${meeting.pk}:rsvp-reminder`, kind: JOB_KINDS.rsvpReminder, dueAt: new Date(Math.max(now + HOUR, deadlineReminder)), payload: base });
    await this.deps.scheduler.reschedule({ key: `circle:meeting:${meeting.pk}:day-before`, kind: JOB_KINDS.dayBefore, dueAt: new Date(Math.max(now, start - DAY)), payload: base });
  }

  /** Records a member's RSVP (their own document). */
  async rsvp(actor: string, meetingId: string, answer: RsvpAnswer, delegate?: string): Promise<MeetingView> {
    const me = actor.toLowerCase();
    await this.requireMember(me);
    const meeting = await this.meeting(meetingId);
    if (meeting.status === 'cancelled' || new Date(meeting.end).getTime() < this.now().getTime()) throw new CircleError('CIRCLE_CLOSED');
    const who = answer === 'delegate' ? guard(required(delegate, MAX_TEXT.delegate, 'delegate'), 'delegate') : undefined;
    await updateWithRetry(this.deps.store, meetingId, `rsvp:${me}`, (current) => {
      const c = current as RsvpDoc | undefined;
      if (c && c.answer === answer && c.delegate === who) return undefined;
      return { id: `rsvp:${me}`, pk: meetingId, type: 'rsvp', member: me, answer, ...(who ? { delegate: who } : {}), updatedAt: this.now().toISOString() } satisfies RsvpDoc;
    }, 8);
    return this.meetingView(meetingId, me);
  }

  // ---------------------------------------------------------------- agenda, minutes, action items

  /** A member proposes a topic for the agenda. */
  async proposeTopic(actor: string, meetingId: string, input: TopicInput): Promise<MeetingView> {
    const me = actor.toLowerCase();
    await this.requireMember(me);
    const [meeting, topics] = await Promise.all([
      this.meeting(meetingId),
      this.deps.store.query<TopicDoc>(
        { query: 'SELECT * FROM c WHERE c.pk = @pk AND c.type = @topic', parameters: [{ name: '@pk', value: meetingId }, { name: '@topic', value: 'topic' }] },
        { partitionKey: meetingId },
      ),
    ]);
    if (meeting.status === 'cancelled') throw new CircleError('CIRCLE_CLOSED');
    // Caps keep one member (or a compromised account) from flooding the KfI's agenda and the meeting card.
    if (topics.filter((t) => t.proposedBy === me).length >= TOPIC_LIMITS.perMember) throw new CircleError('CIRCLE_INVALID', 'topicLimit');
    if (topics.length >= TOPIC_LIMITS.perMeeting) throw new CircleError('CIRCLE_INVALID', 'topicsFull');
    guard(input.title, 'topicTitle');
    guard(input.description, 'topicDescription');
    guard(input.presenter, 'topicPresenter');
    const topic: TopicDoc = {
      id: `topic:${randomUUID()}`,
      pk: meetingId,
      type: 'topic',
      title: required(input.title, MAX_TEXT.topic, 'topicTitle'),
      ...(clean(input.description, MAX_TEXT.description) ? { description: clean(input.description, MAX_TEXT.description) } : {}),
      ...(clean(input.presenter, MAX_TEXT.presenter) ? { presenter: clean(input.presenter, MAX_TEXT.presenter) } : {}),
      proposedBy: me,
      status: 'proposed',
      createdAt: this.now().toISOString(),
    };
    await this.deps.store.create(topic);
    return this.meetingView(meetingId, me);
  }

  /** The KfI accepts, rejects or moves up a topic. */
  async decideTopic(actor: string, meetingId: string, topicId: string, decision: 'accept' | 'reject' | 'up'): Promise<MeetingView> {
    this.requireKfi(actor);
    const topic = (await this.deps.store.read(meetingId, topicId)) as Versioned<TopicDoc> | undefined;
    if (!topic || topic.type !== 'topic') throw new CircleError('CIRCLE_NOT_FOUND');
    if (decision !== 'up') {
      const status = decision === 'accept' ? 'accepted' : 'rejected';
      if (topic.status !== status) {
        const { etag, ...plain } = topic;
        await this.deps.store.replace({ ...plain, status }, etag).catch((err: unknown) => {
          if (!(err instanceof ConcurrencyError)) throw err;
        });
      }
    }
    const saved = await this.changeMeeting(meetingId, (m) => {
      const agenda = m.agenda.filter((id) => id !== topicId);
      if (decision === 'accept') agenda.push(topicId);
      if (decision === 'up') {
        const at = m.agenda.indexOf(topicId);
        if (at <= 0) return undefined;
        agenda.splice(at - 1, 0, topicId);
      }
      return JSON.stringify(agenda) === JSON.stringify(m.agenda) ? undefined : { ...m, agenda };
    }, (next) => ({ cards: next.agendaPublished }));
    // Once published, the posted cards follow every change of the agenda.
    if (saved.changed && saved.meeting.agendaPublished) await this.followUp(saved.meeting);
    return this.meetingView(meetingId, actor);
  }

  /** The KfI publishes the agenda: posted cards show it and members are told once. */
  async publishAgenda(actor: string, meetingId: string): Promise<MeetingView> {
    this.requireKfi(actor);
    const saved = await this.changeMeeting(meetingId, (m) => (m.agendaPublished ? undefined : { ...m, agendaPublished: true }), { notice: 'agenda', cards: true });
    if (saved.changed) await this.followUp(saved.meeting);
    return this.meetingView(meetingId, actor);
  }

  /** The KfI posts the minutes (text or a link). */
  async postMinutes(actor: string, meetingId: string, text: string): Promise<MeetingView> {
    this.requireKfi(actor);
    const minutes = guard(required(text, MAX_TEXT.minutes, 'minutes'), 'minutes');
    const saved = await this.changeMeeting(meetingId, (m) =>
      m.minutes?.text === minutes ? undefined : { ...m, minutes: { text: minutes, postedAt: this.now().toISOString(), postedBy: actor } },
      { notice: 'minutes', cards: true },
    );
    if (saved.changed) await this.followUp(saved.meeting);
    return this.meetingView(meetingId, actor);
  }

  /** The KfI records an action item; its owner is reminded two days before it is due. */
  async addActionItem(actor: string, meetingId: string, input: ActionItemInput): Promise<MeetingView> {
    this.requireKfi(actor);
    const members = await this.members();
    const owner = members.find((m) => m.aadObjectId === input.owner.toLowerCase());
    if (!owner) throw new CircleError('CIRCLE_INVALID', 'owner');
    if (!ISO_DATE.test(input.due) || !berlinToUtc(input.due, '09:00')) throw new CircleError('CIRCLE_INVALID', 'due');
    if (input.due < berlinParts(this.now()).date) throw new CircleError('CIRCLE_PAST', 'due');
    const item: ActionItem = { id: randomUUID().slice(0, 8), title: guard(required(input.title, MAX_TEXT.topic, 'actionTitle'), 'actionTitle'), owner: owner.aadObjectId, ownerName: owner.name, due: input.due, createdAt: this.now().toISOString() };
    const saved = await this.changeMeeting(meetingId, (m) => ({ ...m, actionItems: [...m.actionItems, item] }), { cards: true, actionItemId: item.id });
    await this.followUp(saved.meeting);
    return this.meetingView(meetingId, actor);
  }

  // ---------------------------------------------------------------- reading

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

  /** The poll and its answers, in one query of the poll's partition. */
  private async pollPartition(pollId: string): Promise<{ poll: Versioned<PollDoc>; answers: PollAnswerDoc[] }> {
    const docs = pollId
      ? await this.deps.store.query<Versioned<CircleDoc>>({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: pollId }] }, { partitionKey: pollId })
      : [];
    const poll = docs.find((d): d is Versioned<PollDoc> => d.type === 'poll' && d.id === 'poll');
    if (!poll) throw new CircleError('CIRCLE_NOT_FOUND');
    return { poll, answers: docs.filter((d): d is Versioned<PollAnswerDoc> => d.type === 'pollAnswer') };
  }

  private async meeting(meetingId: string): Promise<Versioned<MeetingDoc>> {
    const meeting = meetingId ? ((await this.deps.store.read(meetingId, 'meeting')) as Versioned<MeetingDoc> | undefined) : undefined;
    if (!meeting || meeting.type !== 'meeting') throw new CircleError('CIRCLE_NOT_FOUND');
    return meeting;
  }

  /** A poll as `viewer` sees it (members only; `undefined` for the posted, impersonal card). */
  async pollView(pollId: string, viewer: string | undefined, known: { poll?: PollDoc; members?: CircleMemberView[]; answers?: PollAnswerDoc[] } = {}): Promise<PollView> {
    const [{ poll, answers }, members] = await Promise.all([this.pollState(pollId, known), known.members ?? this.members()]);
    if (viewer && !members.some((m) => m.aadObjectId === viewer.toLowerCase())) throw new CircleError('CIRCLE_NOT_MEMBER');
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
    if (viewer && !members.some((m) => m.aadObjectId === viewer.toLowerCase())) throw new CircleError('CIRCLE_NOT_MEMBER');
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
    const description = [meeting.agendaText, meeting.onlineUrl ? `Online: ${meeting.onlineUrl}` : undefined].filter(Boolean).join('\n\n');
    const body = renderIcs({
      uid: `${meeting.pk}@integrations-lotse`,
      sequence: meeting.revision,
      stamp: new Date(meeting.updatedAt),
      start: new Date(meeting.start),
      end: new Date(meeting.end),
      summary: meeting.title,
      location: meeting.place ?? meeting.onlineUrl,
      ...(description ? { description } : {}),
      ...(meeting.onlineUrl ? { url: meeting.onlineUrl } : {}),
      cancelled: meeting.status === 'cancelled',
    });
    return { body, filename: `koordinierungskreis-${berlinParts(new Date(meeting.start)).date}.ics` };
  }

  // ---------------------------------------------------------------- scheduled steps

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

  /** Handlers for the Scheduler: each re-reads state and sends through the outbox under a key of meeting and step. */
  jobHandlers(): Record<string, JobHandler> {
    const load = async (job: Readonly<JobDoc>): Promise<MeetingView | undefined> => {
      const id = String(job.payload.meetingId ?? '');
      const meeting = (await this.deps.store.read(id, 'meeting')) as MeetingDoc | undefined;
      if (!meeting || meeting.status !== 'scheduled' || new Date(meeting.start).getTime() < this.now().getTime()) return undefined;
      return this.meetingView(id, undefined);
    };
    return {
      [JOB_KINDS.sweep]: async () => {
        await this.sweep();
        return { next: new Date(this.now().getTime() + 60_000) };
      },
      [JOB_KINDS.purge]: async () => {
        await this.purgeExpired();
        return { next: new Date(this.now().getTime() + HOUR) };
      },
      [JOB_KINDS.rsvpReminder]: async (job) => {
        const view = await load(job);
        if (!view || view.notAnswered.length === 0 || view.meeting.rsvpDeadline < berlinParts(this.now()).date) return;
        await this.messageMembers(`circle:meeting:${view.meeting.pk}:rsvp-reminder:${view.meeting.rsvpDeadline}`, view.meeting.tenantId, view.notAnswered.map((m) => m.aadObjectId), (lang) =>
          this.deps.presenter.rsvpReminder(view, lang),
        );
      },
      [JOB_KINDS.dayBefore]: async (job) => {
        const view = await load(job);
        if (!view) return;
        await this.messageMembers(`circle:meeting:${view.meeting.pk}:day-before:${view.meeting.start}`, view.meeting.tenantId, view.members.map((m) => m.aadObjectId), (lang) =>
          this.deps.presenter.dayBefore(view, lang),
        );
      },
      [JOB_KINDS.actionReminder]: async (job) => {
        const id = String(job.payload.meetingId ?? '');
        const meeting = (await this.deps.store.read(id, 'meeting')) as MeetingDoc | undefined;
        const item = meeting?.actionItems.find((i) => i.id === job.payload.itemId);
        if (!meeting || !item || meeting.status === 'cancelled') return;
        const view = await this.meetingView(id, undefined);
        await this.messageMembers(`circle:meeting:${id}:action:${item.id}:remind:${item.due}`, view.meeting.tenantId, [item.owner], (lang) =>
          this.deps.presenter.actionReminder(view, item, lang),
        );
      },
    };
  }

  /** Who is listed for an AAD object id in the directory (name for cards), if anyone. */
  personName(aadObjectId: string): string | undefined {
    return personByAadObjectId(this.deps.directory(), aadObjectId)?.name;
  }
}
