/**
 * The Koordinierungskreis' cadence (issue 17): the KfI sets a rule (cadence.ts), and ahead of every date a job prepares
 * the date poll or the meeting invitation as a draft. The draft goes to the KfI only (a card in each KfI member's chat,
 * and the tab); nothing reaches the members until a KfI member confirms it.
 *
 * One document, `cadence` in the `circle` container (pk `cadence`): the settings, the current draft, which rule dates
 * have been prepared, and the trail of who changed what (field names, never values). Every change is the one shape of
 * the workflows: one read, a decision, one conditional write carrying what the change owes in `pending` (the draft
 * card, the job's new time, the poll or meeting to create); the relay carries it out. Two job runners preparing at
 * once, or two KfI members confirming at once, meet at the ETag: one write wins, the other finds the date prepared
 * (or the draft confirmed) and changes nothing.
 */
import { cadenceDraftActivity } from '../../cards/cadenceCard';
import { detectPersonalData, type PersonalDataKind } from '../answers/privacy';
import { berlinParts, berlinToUtc } from '../common/berlinTime';
import type { Logger } from '../logging';
import type { OutgoingActivity } from '../notifications/model';
import type { JobHandler, JobOutcome, Scheduler } from '../scheduling/scheduler';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { OutboxError } from '../notifications/outbox';
import { AlreadyExistsError } from '../storage/errors';
import { outcome, type Outcome, type Problem } from '../workflow/outcome';
import type { PendingCarrier, PendingNotice } from '../workflow/pending';
import type { Lang } from '../workflow/texts';
import { createWithNotices, transact, type Step, type WorkflowWriter } from '../workflow/transaction';
import {
  CADENCE_KINDS,
  CADENCE_LIMITS,
  addDays,
  alternativeDates,
  occurrences,
  parseRule,
  prepareAt,
  startOf,
  type CadenceKind,
  type CadenceRule,
  type CadenceRuleInput,
  type Occurrence,
} from './cadence';
import type { CircleDoc, CircleMemberView, MeetingDoc, PollDoc } from './model';

/** The job that prepares drafts (one for all processes). */
export const CADENCE_JOB = { key: 'circle:cadence', kind: 'circle.cadence' } as const;

/** The notice kinds of the cadence document. */
export const CADENCE_NOTICES = {
  /** The job runs now (a new or changed cadence) and sets its own next time. */
  job: 'cadence.job',
  /** The draft card to every KfI member (`to`), each in their language. */
  draft: 'cadence.draft',
  /** The confirmed poll or meeting (`data.doc`, the document as JSON) is created and announced. */
  publish: 'cadence.publish',
  /**
   * Every KfI member's draft card (`data.ruleDate`, `data.seq`) is updated in place to the draft's new state: confirmed
   * by whom and when, discarded, superseded, or lapsed (its date came and nobody confirmed it); no button left.
   */
  update: 'cadence.update',
} as const;

/** The prepared date poll or invitation of one occurrence, waiting for the KfI. */
export interface CadenceDraft {
  /** Serial number of drafts (ids of what is created from them). */
  seq: number;
  /** The rule's date (the occurrence's identity). */
  ruleDate: string;
  /** The date it takes place (moved past a holiday), and the holiday's name when it moved. */
  date: string;
  holiday?: string;
  /** Berlin dates of the poll's slots (the first is `date`); a meeting has `date` only. */
  dates: string[];
  preparedAt: string;
  /**
   * `discarded`: a KfI member decided it is not sent (that date stays prepared, it is not prepared again). `lapsed`:
   * its date began (the rule's time on `date`) and no KfI member had confirmed it; nothing was sent.
   */
  status: 'prepared' | 'confirmed' | 'discarded' | 'superseded' | 'lapsed';
  confirmedBy?: string;
  confirmedAt?: string;
  discardedBy?: string;
  discardedAt?: string;
  /** When the job (or a click after its date began) found it lapsed. */
  lapsedAt?: string;
  /** The poll or meeting created on confirmation. */
  itemId?: string;
}

/** What the KfI set. */
export interface CadenceSettings {
  active: boolean;
  kind: CadenceKind;
  rule: CadenceRule;
  leadWeeks: number;
  /** Date polls: how many further dates besides the occurrence (the same weekday of the following weeks). */
  alternatives: number;
  durationMinutes: number;
  title: string;
  place?: string;
  onlineUrl?: string;
}

/** One entry of the trail: who did what, when; changed field names only. */
export interface CadenceTrailEntry {
  at: string;
  /** AAD object id of the KfI member, or `system` (the job). */
  by: string;
  action: 'set' | 'switchedOff' | 'prepared' | 'confirmed' | 'discarded' | 'lapsed';
  fields?: string[];
  ruleDate?: string;
}

/** The circle's cadence; id and pk `cadence`. */
export interface CadenceDoc extends PendingCarrier, CadenceSettings {
  id: 'cadence';
  pk: 'cadence';
  type: 'cadence';
  /** The tenant the KfI set it in (whom the poll or invitation goes to). */
  tenantId: string;
  revision: number;
  draft?: CadenceDraft;
  /**
   * The draft the current one replaced (confirmed, discarded or lapsed): its cards stay updatable, and a click on one
   * of them is told what became of it ("Bereits erledigt …") instead of "gibt es nicht (mehr)".
   */
  previousDraft?: CadenceDraft;
  /** Rule dates whose draft has been prepared (the latest 24). */
  prepared: string[];
  seq: number;
  trail: CadenceTrailEntry[];
  createdAt: string;
  updatedAt: string;
}

/** What the KfI sees of the cadence. */
export interface CadenceView {
  cadence?: CadenceSettings;
  /** The next dates with when each draft is prepared (ISO instants). */
  upcoming: Array<Occurrence & { start: string; prepareAt: string }>;
  draft?: CadenceDraft;
  /** The name of who confirmed the draft, when known. */
  confirmedByName?: string;
  /** The name of who discarded the draft, when known. */
  discardedByName?: string;
}

/** The parts of the circle the cadence needs (CircleService implements them). */
export interface CadenceCircle {
  isKfi(aadObjectId: string): boolean;
  members(): Promise<CircleMemberView[]>;
  personName(aadObjectId: string): string | undefined;
  /** The poll `createPoll` would create, with this id, checked the same way (the KfI role included). */
  draftPoll(actor: string, input: import('./circleService').CreatePollInput, pollId: string): Promise<Outcome<PollDoc>>;
  /** The meeting `announceMeeting` would create, with this id, checked the same way. */
  draftMeeting(actor: string, input: import('./circleService').MeetingInput, meetingId: string): Promise<Outcome<MeetingDoc>>;
  /** Creates and announces a checked poll or meeting; idempotent by its id. */
  publishDrafted(doc: PollDoc | MeetingDoc): Promise<void>;
}

export interface CadenceServiceDeps {
  store: DocumentStore<CircleDoc>;
  circle: CadenceCircle;
  outbox: {
    enqueue(request: { key: string; activity: OutgoingActivity; recipients: Array<{ user: { aadObjectId: string; tenantId: string } }> }): Promise<{ added: number }>;
    /** Replaces every card an earlier notification (`of`) posted. */
    enqueueUpdate(request: { key: string; of: string; activity: OutgoingActivity }): Promise<unknown>;
    /** Deletes the notifications whose key starts with the prefix (an earlier draft's cards). */
    deleteOwned(prefix: string): Promise<number>;
  };
  scheduler: Pick<Scheduler, 'reschedule'>;
  langOf: (aadObjectId: string) => Promise<Lang>;
  writer: WorkflowWriter;
  logger: Logger;
  now: () => Date;
}

/** A notification key in a language: German under the key itself, English under `key:en`. */
const langKey = (k: string, lang: Lang) => (lang === 'de' ? k : `${k}:en`);

/** Why a cadence refusal is forbidden (the texts differ from the circle's). */
export const CADENCE_FORBIDDEN = 'cadence';

const MAX = { title: 150, place: 200, url: 500 };
const PREPARED_KEPT = 24;
const TRAIL_KEPT = 50;
const HTTPS_URL = /^https:\/\/[^\s]+$/;
// Meeting logistics (venues, dial-in numbers, contact addresses) are not about people; everything about a person is.
const CONTACT_KINDS: ReadonlySet<PersonalDataKind> = new Set(['address', 'phone', 'email']);
const SETTINGS_FIELDS = ['active', 'kind', 'rule', 'leadWeeks', 'alternatives', 'durationMinutes', 'title', 'place', 'onlineUrl'] as const;

const key = (step: string) => `circle:cadence:${step}`;
/** The notification key of a draft's cards (German; English under `:en`). */
const draftKey = (draft: Pick<CadenceDraft, 'ruleDate' | 'seq'>) => key(`${draft.ruleDate}:${draft.seq}:draft`);
/** The notice that updates a draft's cards to its new state (`what`: `confirmed`, `superseded`). */
const cardUpdate = (draft: Pick<CadenceDraft, 'ruleDate' | 'seq'>, what: string, rev: number): PendingNotice => ({
  key: key(`${draft.ruleDate}:${draft.seq}:${what}`),
  kind: CADENCE_NOTICES.update,
  data: { ruleDate: draft.ruleDate, seq: draft.seq },
  rev,
});
const str = (v: unknown): string => (typeof v === 'string' ? v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() : typeof v === 'number' ? String(v) : '');
const int = (v: unknown): number | undefined => (/^\d{1,4}$/.test(str(v)) ? Number(str(v)) : undefined);
const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** The raw input of the tab's cadence form. */
export interface CadenceInput extends CadenceRuleInput {
  active?: unknown;
  kind?: unknown;
  leadWeeks?: unknown;
  alternatives?: unknown;
  duration?: unknown;
  title?: unknown;
  place?: unknown;
  onlineUrl?: unknown;
}

/** Settings from form input, or every problem at its field; free text passes the privacy guard. */
export function parseCadence(input: CadenceInput): { settings: CadenceSettings } | { problems: Problem[] } {
  const rule = parseRule(input);
  const problems: Problem[] = 'problems' in rule ? [...rule.problems] : [];
  const active = str(input.active) || 'on';
  if (active !== 'on' && active !== 'off') problems.push({ field: 'active', code: 'unknown_value' });
  const kind = CADENCE_KINDS.find((k) => k === str(input.kind));
  if (!kind) problems.push({ field: 'kind', code: str(input.kind) ? 'unknown_value' : 'missing' });
  const lead = int(input.leadWeeks);
  if (lead === undefined || lead < CADENCE_LIMITS.leadWeeks.min || lead > CADENCE_LIMITS.leadWeeks.max) problems.push({ field: 'leadWeeks', code: 'unknown_value' });
  const alternatives = kind === 'meeting' ? 0 : (int(input.alternatives) ?? 2);
  if (kind !== 'meeting' && (alternatives < CADENCE_LIMITS.alternatives.min || alternatives > CADENCE_LIMITS.alternatives.max)) problems.push({ field: 'alternatives', code: 'unknown_value' });
  const duration = int(input.duration);
  const startMin = 'rule' in rule ? minutes(rule.rule.time) : 0;
  if (duration === undefined || duration < CADENCE_LIMITS.durationMinutes.min || duration > CADENCE_LIMITS.durationMinutes.max || startMin + duration > 24 * 60 - 1) {
    problems.push({ field: 'duration', code: 'unknown_value' });
  }
  const text = (field: 'title' | 'place' | 'onlineUrl', max: number, required: boolean): string | undefined => {
    const v = str(input[field]);
    if (!v) {
      if (required) problems.push({ field, code: 'missing' });
      return undefined;
    }
    if (v.length > max) problems.push({ field, code: 'too_long' });
    const kinds = field === 'onlineUrl' ? [] : detectPersonalData(v).filter((k) => !CONTACT_KINDS.has(k));
    if (kinds.length) problems.push({ field, code: 'personal_data', kinds });
    return v;
  };
  const title = text('title', MAX.title, true);
  const place = text('place', MAX.place, false);
  const onlineUrl = text('onlineUrl', MAX.url, false);
  if (onlineUrl && !HTTPS_URL.test(onlineUrl)) problems.push({ field: 'onlineUrl', code: 'bad_url' });
  if (kind === 'meeting' && !place && !onlineUrl) problems.push({ field: 'place', code: 'missing' });
  if (problems.length || !('rule' in rule)) return { problems };
  return {
    settings: {
      active: active === 'on',
      kind: kind!,
      rule: rule.rule,
      leadWeeks: lead!,
      alternatives,
      durationMinutes: duration!,
      title: title!,
      ...(place ? { place } : {}),
      ...(onlineUrl ? { onlineUrl } : {}),
    },
  };
}

/** The next occurrence not yet prepared whose date is after `today` (Berlin). */
export function nextToPrepare(doc: Pick<CadenceDoc, 'rule' | 'prepared'>, today: string): Occurrence | undefined {
  const prepared = new Set(doc.prepared);
  return occurrences(doc.rule, addDays(today, 1), 60).find((o) => !prepared.has(o.ruleDate));
}

/** When a prepared draft lapses unless confirmed: its date begins (the rule's time on the draft's date, Berlin). */
export function lapseAt(doc: Pick<CadenceDoc, 'rule'>, draft: Pick<CadenceDraft, 'date'>): Date {
  return startOf(doc.rule, draft);
}

/**
 * The draft still waiting for the KfI whose date has not begun: it is not replaced by the next date's draft (a lead
 * time longer than the gap between dates would otherwise overwrite it before anyone confirmed it).
 */
export function waitingDraft(doc: Pick<CadenceDoc, 'draft' | 'rule'>, now: Date): CadenceDraft | undefined {
  return doc.draft?.status === 'prepared' && now.getTime() < lapseAt(doc, doc.draft).getTime() ? doc.draft : undefined;
}

/** The KfI's cadence: settings, the preparing job, the drafts and their confirmation. */
export class CadenceService {
  constructor(private readonly deps: CadenceServiceDeps) {}

  private today(): string {
    return berlinParts(this.deps.now()).date;
  }

  private async read(): Promise<Versioned<CadenceDoc> | undefined> {
    const doc = (await this.deps.store.read('cadence', 'cadence')) as Versioned<CadenceDoc> | undefined;
    return doc?.type === 'cadence' ? doc : undefined;
  }

  /** What the KfI sees; anyone else is refused. */
  async view(actor: string): Promise<Outcome<CadenceView>> {
    if (!this.deps.circle.isKfi(actor)) return outcome.refuse('forbidden', CADENCE_FORBIDDEN);
    return outcome.done(this.viewOf(await this.read()), false);
  }

  /** The view of a stored cadence: the next four dates with their preparation moments (`draft`: another than the current). */
  viewOf(doc: CadenceDoc | undefined, draft: CadenceDraft | undefined = doc?.draft): CadenceView {
    if (!doc) return { upcoming: [] };
    const settings = Object.fromEntries(SETTINGS_FIELDS.filter((k) => doc[k] !== undefined).map((k) => [k, doc[k]])) as unknown as CadenceSettings;
    const upcoming = doc.active
      ? occurrences(doc.rule, addDays(this.today(), 1), 4).map((o) => ({ ...o, start: startOf(doc.rule, o).toISOString(), prepareAt: prepareAt(o, doc.leadWeeks).toISOString() }))
      : [];
    const nameOf = (id: string | undefined) => (id ? this.deps.circle.personName(id) : undefined);
    const confirmedByName = nameOf(draft?.confirmedBy);
    const discardedByName = nameOf(draft?.discardedBy);
    return {
      cadence: settings,
      upcoming,
      ...(draft ? { draft } : {}),
      ...(confirmedByName ? { confirmedByName } : {}),
      ...(discardedByName ? { discardedByName } : {}),
    };
  }

  /**
   * The KfI sets, changes or switches off the cadence (one write, audited in the document's trail). The job runs at
   * once afterwards and finds the next date to prepare; a draft not yet confirmed whose date the new rule no longer
   * has is superseded (it can be prepared again).
   */
  async set(actor: string, tenantId: string, input: CadenceInput): Promise<Outcome<CadenceView>> {
    if (!this.deps.circle.isKfi(actor)) return outcome.refuse('forbidden', CADENCE_FORBIDDEN);
    const parsed = parseCadence(input);
    if ('problems' in parsed) return outcome.invalid(parsed.problems);
    const s = parsed.settings;
    const at = this.deps.now().toISOString();
    const apply = (current: CadenceDoc | undefined): CadenceDoc | undefined => {
      const changed = SETTINGS_FIELDS.filter((k) => JSON.stringify(current?.[k]) !== JSON.stringify(s[k]));
      if (current && !changed.length) return undefined;
      const base: CadenceDoc = current ?? { id: 'cadence', pk: 'cadence', type: 'cadence', tenantId, revision: 0, prepared: [], seq: 0, trail: [], createdAt: at, updatedAt: at, ...s };
      const next: CadenceDoc = { ...base, ...s, tenantId, revision: base.revision + 1, updatedAt: at };
      for (const k of ['place', 'onlineUrl'] as const) if (!s[k]) delete next[k];
      const draft = base.draft;
      if (draft?.status === 'prepared') {
        const still = s.active && occurrences(s.rule, draft.date, 1)[0]?.ruleDate === draft.ruleDate;
        if (!still) {
          next.draft = { ...draft, status: 'superseded' };
          next.prepared = base.prepared.filter((d) => d !== draft.ruleDate);
        }
      }
      next.trail = [...base.trail, { at, by: actor, action: s.active ? 'set' : 'switchedOff', fields: changed } as CadenceTrailEntry].slice(-TRAIL_KEPT);
      return next;
    };
    // A draft the change superseded: the KfI members' cards say so and lose their button.
    const notices = (doc: CadenceDoc, before?: CadenceDoc): PendingNotice[] => [
      { key: key(`r${doc.revision}:job`), kind: CADENCE_NOTICES.job, rev: doc.revision },
      ...(before?.draft?.status === 'prepared' && doc.draft?.status === 'superseded' ? [cardUpdate(doc.draft, 'superseded', doc.revision)] : []),
    ];
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.read();
      if (!current) {
        const doc = apply(undefined)!;
        try {
          const saved = await createWithNotices(this.deps.store, doc, notices(doc), this.deps.writer);
          this.deps.logger.info({ event: 'circle.cadence_set', active: doc.active }, 'cadence set');
          return outcome.done(this.viewOf(saved as CadenceDoc));
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
          continue;
        }
      }
      const result = await transact(this.deps.store, 'cadence', 'cadence', (c) => {
        const next = apply(c as CadenceDoc);
        return next ? { next, notices: notices(next, c as CadenceDoc) } : { unchanged: true };
      }, this.deps.writer);
      if (result.kind === 'written') {
        this.deps.logger.info({ event: 'circle.cadence_set', active: (result.doc as CadenceDoc).active }, 'cadence changed');
        return outcome.done(this.viewOf(result.doc as CadenceDoc));
      }
      if (result.kind === 'unchanged') return outcome.done(this.viewOf(result.current as CadenceDoc), false);
      if (result.kind === 'refused') return result.refusal;
    }
    throw new Error('cadence could not be stored');
  }

  /**
   * The job: prepares the draft of the next date once its lead time has come, and says when to run next. Re-reads
   * everything; runs twice (two processes, a crash) prepare once, because the write checks the rule date is not yet
   * prepared under the ETag it read.
   */
  async prepareDue(): Promise<JobOutcome> {
    let doc = await this.read();
    // A draft nobody confirmed before its date began lapses: every KfI member's card says so, without buttons.
    if (doc?.draft?.status === 'prepared' && !waitingDraft(doc, this.deps.now())) {
      await this.lapse(doc.draft);
      doc = await this.read();
    }
    if (!doc?.active) return undefined;
    const occ = nextToPrepare(doc, this.today());
    if (!occ) return undefined;
    const due = prepareAt(occ, doc.leadWeeks);
    if (due.getTime() > this.deps.now().getTime()) return this.nextRun(doc, due);
    // The next draft waits for the current one: its confirmation runs this job again; unconfirmed, it lapses when its date begins.
    const waiting = waitingDraft(doc, this.deps.now());
    if (waiting) return { next: lapseAt(doc, waiting) };
    const kfi = (await this.deps.circle.members()).filter((m) => m.role === 'kfi' || this.deps.circle.isKfi(m.aadObjectId)).map((m) => m.aadObjectId);
    const result = await transact(this.deps.store, 'cadence', 'cadence', (current): Step<CircleDoc> => {
      const c = current as CadenceDoc;
      if (!c.active || c.prepared.includes(occ.ruleDate) || c.revision !== doc.revision || waitingDraft(c, this.deps.now()) || c.draft?.status === 'prepared') return { unchanged: true };
      const at = this.deps.now().toISOString();
      const seq = c.seq + 1;
      const draft: CadenceDraft = {
        seq,
        ruleDate: occ.ruleDate,
        date: occ.date,
        ...(occ.holiday ? { holiday: occ.holiday } : {}),
        dates: c.kind === 'poll' ? [occ.date, ...alternativeDates(occ, c.alternatives)] : [occ.date],
        preparedAt: at,
        status: 'prepared',
      };
      const next: CadenceDoc = {
        ...c,
        seq,
        draft,
        ...(c.draft && c.draft.status !== 'superseded' ? { previousDraft: c.draft } : {}),
        prepared: [...c.prepared, occ.ruleDate].slice(-PREPARED_KEPT),
        trail: [...c.trail, { at, by: 'system', action: 'prepared', ruleDate: occ.ruleDate } as CadenceTrailEntry].slice(-TRAIL_KEPT),
        updatedAt: at,
      };
      return { next, notices: [{ key: draftKey(draft), kind: CADENCE_NOTICES.draft, to: kfi, rev: c.revision }] };
    }, this.deps.writer);
    if (result.kind === 'written') this.deps.logger.info({ event: 'circle.cadence_prepared', ruleDate: occ.ruleDate }, 'cadence draft prepared');
    // Whatever happened (written here, or by another runner), the next date decides the next run.
    const after = await this.read();
    const following = after?.active ? nextToPrepare(after, this.today()) : undefined;
    return after ? this.nextRun(after, following ? prepareAt(following, after.leadWeeks) : undefined) : undefined;
  }

  /** The job's next run: the next preparation, or earlier the moment a draft still waiting for the KfI lapses. */
  private nextRun(doc: CadenceDoc, preparation: Date | undefined): JobOutcome {
    const waiting = waitingDraft(doc, this.deps.now());
    const lapse = waiting ? lapseAt(doc, waiting) : undefined;
    const next = [preparation, lapse].filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime())[0];
    return next ? { next } : undefined;
  }

  /**
   * The draft `draft` lapses (its date began, nobody confirmed it): marked `lapsed` with a trail entry, and every KfI
   * member's card is updated in place to say so, in one write. Only while it is still that prepared draft: a
   * confirmation or a second runner that got there first wins, and this changes nothing.
   */
  private async lapse(draft: CadenceDraft): Promise<void> {
    const at = this.deps.now().toISOString();
    const result = await transact(this.deps.store, 'cadence', 'cadence', (current): Step<CircleDoc> => {
      const c = current as CadenceDoc;
      if (c.draft?.seq !== draft.seq || c.draft.status !== 'prepared' || waitingDraft(c, this.deps.now())) return { unchanged: true };
      const next: CadenceDoc = {
        ...c,
        draft: { ...c.draft, status: 'lapsed', lapsedAt: at },
        trail: [...c.trail, { at, by: 'system', action: 'lapsed', ruleDate: draft.ruleDate } as CadenceTrailEntry].slice(-TRAIL_KEPT),
        updatedAt: at,
      };
      return { next, notices: [cardUpdate(draft, 'lapsed', c.revision)] };
    }, this.deps.writer);
    if (result.kind === 'written') this.deps.logger.info({ event: 'circle.cadence_lapsed', ruleDate: draft.ruleDate }, 'cadence draft lapsed unconfirmed');
  }

  /**
   * The draft a click on a card of `ruleDate` speaks of, as it stands now: the current draft, or the one it replaced;
   * a prepared draft whose date has begun lapses first (the job may not have run yet).
   */
  private async decided(ruleDate: string): Promise<{ doc?: Versioned<CadenceDoc>; draft?: CadenceDraft }> {
    let doc = await this.read();
    if (doc?.draft?.ruleDate === ruleDate && doc.draft.status === 'prepared' && !waitingDraft(doc, this.deps.now())) {
      await this.lapse(doc.draft);
      doc = await this.read();
    }
    if (!doc) return {};
    const draft = doc.draft?.ruleDate === ruleDate ? doc.draft : doc.previousDraft?.ruleDate === ruleDate ? doc.previousDraft : undefined;
    return { doc, draft };
  }

  /** The poll or meeting the draft becomes, with the circle's own checks (the KfI role, dates in the future). */
  private async drafted(actor: string, doc: CadenceDoc, draft: CadenceDraft): Promise<Outcome<PollDoc> | Outcome<MeetingDoc>> {
    const { time } = doc.rule;
    if (doc.kind === 'poll') {
      return this.deps.circle.draftPoll(
        actor,
        { tenantId: doc.tenantId, title: doc.title, slots: draft.dates.map((date) => ({ date, time })), durationMinutes: doc.durationMinutes, place: doc.place, onlineUrl: doc.onlineUrl },
        `p-cadence-${draft.ruleDate}-${draft.seq}`,
      );
    }
    const deadline = addDays(draft.date, -7);
    return this.deps.circle.draftMeeting(
      actor,
      {
        tenantId: doc.tenantId,
        title: doc.title,
        date: draft.date,
        startTime: time,
        endTime: hhmm(minutes(time) + doc.durationMinutes),
        place: doc.place,
        onlineUrl: doc.onlineUrl,
        rsvpDeadline: deadline > this.today() ? deadline : this.today(),
      },
      `m-cadence-${draft.ruleDate}-${draft.seq}`,
    );
  }

  /**
   * A KfI member confirms the draft of `ruleDate`: the draft is marked confirmed and the poll or meeting created in one
   * write (it rides as a notice), then created at once; it goes to the circle through the relay. A second click or a
   * second KfI member gets `stale` with the current state ("already done by …").
   */
  async confirm(actor: string, ruleDate: string): Promise<Outcome<CadenceView>> {
    const open = await this.openDraft(actor, ruleDate);
    if ('ok' in open) return open;
    const { doc, draft } = open;
    const item = await this.drafted(actor, doc, draft);
    if (!item.ok) return item.code === 'stale' ? outcome.refuse('not_found') : item;
    const created = item.value as PollDoc | MeetingDoc;
    const at = this.deps.now().toISOString();
    const result = await transact(this.deps.store, 'cadence', 'cadence', (current): Step<CircleDoc> => {
      const c = current as CadenceDoc;
      if (!this.stillOpen(c, draft)) return { stale: true };
      const next: CadenceDoc = {
        ...c,
        draft: { ...c.draft, status: 'confirmed', confirmedBy: actor, confirmedAt: at, itemId: created.pk },
        trail: [...c.trail, { at, by: actor, action: 'confirmed', ruleDate } as CadenceTrailEntry].slice(-TRAIL_KEPT),
        updatedAt: at,
      };
      return {
        next,
        notices: [
          { key: key(`${ruleDate}:${draft.seq}:publish`), kind: CADENCE_NOTICES.publish, data: { doc: JSON.stringify(created) }, rev: c.revision },
          cardUpdate(draft, 'confirmed', c.revision),
          // The next date's draft may have been waiting for this one.
          { key: key(`${ruleDate}:${draft.seq}:job`), kind: CADENCE_NOTICES.job, rev: c.revision },
        ],
      };
    }, this.deps.writer);
    if (result.kind === 'stale') return this.staleAfter(ruleDate);
    if (result.kind !== 'written') return outcome.refuse('not_found');
    await this.deps.circle.publishDrafted(created);
    this.deps.logger.info({ event: 'circle.cadence_confirmed', ruleDate, kind: created.type }, 'cadence draft confirmed');
    return outcome.done(this.viewOf(result.doc as CadenceDoc));
  }

  /**
   * A KfI member discards the draft of `ruleDate`: nothing goes to the circle, that date is not prepared again, every
   * KfI member's card says who discarded it, and the next date's draft may follow (the job runs). A second click, or a
   * click on a draft already confirmed, gets `stale` with the current state.
   */
  async discard(actor: string, ruleDate: string): Promise<Outcome<CadenceView>> {
    const open = await this.openDraft(actor, ruleDate);
    if ('ok' in open) return open;
    const { draft } = open;
    const at = this.deps.now().toISOString();
    const result = await transact(this.deps.store, 'cadence', 'cadence', (current): Step<CircleDoc> => {
      const c = current as CadenceDoc;
      if (!this.stillOpen(c, draft)) return { stale: true };
      const next: CadenceDoc = {
        ...c,
        draft: { ...c.draft, status: 'discarded', discardedBy: actor, discardedAt: at },
        trail: [...c.trail, { at, by: actor, action: 'discarded', ruleDate } as CadenceTrailEntry].slice(-TRAIL_KEPT),
        updatedAt: at,
      };
      return { next, notices: [cardUpdate(draft, 'discarded', c.revision), { key: key(`${ruleDate}:${draft.seq}:job`), kind: CADENCE_NOTICES.job, rev: c.revision }] };
    }, this.deps.writer);
    if (result.kind === 'stale') return this.staleAfter(ruleDate);
    if (result.kind !== 'written') return outcome.refuse('not_found');
    this.deps.logger.info({ event: 'circle.cadence_discarded', ruleDate }, 'cadence draft discarded');
    return outcome.done(this.viewOf(result.doc as CadenceDoc));
  }

  /**
   * The draft of `ruleDate` a KfI member may still confirm or discard; otherwise the answer for them: refused (not KfI,
   * no such draft, or one replaced by a rule change) or stale (already confirmed, discarded or lapsed).
   */
  private async openDraft(actor: string, ruleDate: string): Promise<Outcome<CadenceView> | { doc: Versioned<CadenceDoc>; draft: CadenceDraft }> {
    if (!this.deps.circle.isKfi(actor)) return outcome.refuse('forbidden', CADENCE_FORBIDDEN);
    const { doc, draft } = await this.decided(ruleDate);
    if (!doc || !draft || draft.status === 'superseded') return outcome.refuse('not_found');
    if (draft.status !== 'prepared') return outcome.stale(this.viewOf(doc, draft));
    return { doc, draft };
  }

  /** Whether the stored document still has this very draft waiting (same date and sequence, prepared, not lapsed). */
  private stillOpen(c: CadenceDoc, draft: CadenceDraft): c is CadenceDoc & { draft: CadenceDraft } {
    return c.draft?.ruleDate === draft.ruleDate && c.draft.seq === draft.seq && c.draft.status === 'prepared' && !!waitingDraft(c, this.deps.now());
  }

  /** A click that lost (another KfI member was first, or the date began meanwhile): what became of the draft. */
  private async staleAfter(ruleDate: string): Promise<Outcome<CadenceView>> {
    const { doc, draft } = await this.decided(ruleDate);
    return doc && draft && draft.status !== 'prepared' && draft.status !== 'superseded' ? outcome.stale(this.viewOf(doc, draft)) : outcome.refuse('not_found');
  }

  /** Carries out the cadence document's notices (the circle's relay source hands them over). */
  async deliver(doc: Versioned<CadenceDoc>, notices: PendingNotice[]): Promise<void> {
    for (const n of notices) {
      if (n.kind === CADENCE_NOTICES.job) {
        await this.deps.scheduler.reschedule({ key: CADENCE_JOB.key, kind: CADENCE_JOB.kind, dueAt: this.deps.now() });
      } else if (n.kind === CADENCE_NOTICES.draft) {
        // One card per language, each KfI member by their own (German under the key, English under `key:en`).
        const to = n.to ?? [];
        const langs = await Promise.all(to.map((id) => this.deps.langOf(id).catch((): Lang => 'de')));
        for (const lang of ['de', 'en'] as const) {
          const recipients = to.filter((_, i) => langs[i] === lang).map((aadObjectId) => ({ user: { aadObjectId, tenantId: doc.tenantId } }));
          if (recipients.length) await this.deps.outbox.enqueue({ key: langKey(n.key, lang), activity: cadenceDraftActivity(this.viewOf(doc), lang), recipients });
        }
        // Retention: the cadence document stays while the cadence is set, so its outbox cards would too (keys
        // `circle:…` belong to a record); an earlier draft's cards go when the next draft is prepared.
        // The draft it replaced keeps its cards one draft longer: their update (confirmed, discarded, lapsed) may still
        // be on its way, and a click on one is answered with what became of it.
        for (const ruleDate of doc.prepared) if (ruleDate !== doc.draft?.ruleDate && ruleDate !== doc.previousDraft?.ruleDate) await this.deps.outbox.deleteOwned(key(`${ruleDate}:`));
      } else if (n.kind === CADENCE_NOTICES.update) {
        // Rendered from the stored document: only while it still holds that draft, as the current or the replaced one
        // (a later draft's preparation deleted the cards of those before).
        const draft = [doc.draft, doc.previousDraft].find((d) => d && d.ruleDate === n.data?.ruleDate && d.seq === n.data?.seq);
        if (!draft) continue;
        for (const lang of ['de', 'en'] as const) {
          await this.deps.outbox.enqueueUpdate({ key: langKey(n.key, lang), of: langKey(draftKey(draft), lang), activity: cadenceDraftActivity(this.viewOf(doc, draft), lang) }).catch((err: unknown) => {
            // No KfI member of this language got the card: nothing to update.
            if (!(err instanceof OutboxError && err.code === 'OUTBOX_UNKNOWN_NOTIFICATION')) throw err;
          });
        }
      } else if (n.kind === CADENCE_NOTICES.publish) {
        await this.deps.circle.publishDrafted(JSON.parse(String(n.data?.doc ?? '{}')) as PollDoc | MeetingDoc);
      }
    }
  }

  /** The job handler for the Scheduler. */
  jobHandlers(): Record<string, JobHandler> {
    return { [CADENCE_JOB.kind]: () => this.prepareDue() };
  }
}
