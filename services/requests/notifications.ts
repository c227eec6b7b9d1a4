/**
 * Who is told what when an Anliegen or a Vortrag changes. `noticesFor`/`noticesForCreate` decide it from the stored
 * item alone (pure functions the service puts into the item's write, see services/workflow/pending.ts); the relay
 * source's `deliver` carries the notices out afterwards, off the request path: each card rendered in its holder's
 * view and language from the latest item, each message in its recipient's language, into the outbox (idempotent per
 * notice key), and the reminder job into the scheduler.
 */
import type { GraphPort } from '../graph/graphPort';
import type { Logger } from '../logging';
import { OutboxError, type Outbox } from '../notifications/outbox';
import type { OutgoingActivity } from '../notifications/model';
import type { Scheduler } from '../scheduling/scheduler';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { messageText } from '../text/escape';
import type { PendingNotice } from '../workflow/pending';
import type { RelaySource } from '../workflow/relay';
import type { Lang } from '../workflow/texts';
import { AUTHORITY_NAMES } from '../directory/model';
import { berlinDate, formatBerlinDate } from '../common/berlinTime';
import { DEADLINE_JOB_KIND, deadlineJobDueAt, deadlineJobKey } from './deadline';
import { STATUS_LABELS, type HeadUnreachableReason, type ItemDoc, type ItemRoles, type ItemStatus, type OverdueReason, type PaperFile } from './model';
import { agreedDate, INVITATION_JOB_KIND, INVITATION_NOTICE, INVITATION_RETRY_NOTICE, invitationJobKey, invitationKey, syncInvitation, type InvitationDeps } from './termin';
import { REQUEST_TEXTS } from './texts';
import type { RequestViews } from './views';

/** The notice kinds of Anliegen and Vortrag. */
export const NOTICE_KINDS = {
  /** The item's card to a person who has none yet (key `item:<id>:card:<aad>`, the key later updates refer to). */
  cardPost: 'card.post',
  /** Every posted card of the item (and the requester's own), except the actor's, shows the latest state. */
  cardsUpdate: 'cards.update',
  /** A text message to one person (status changed, reply arrived). */
  message: 'message',
  /** The request's reminder job (one per request; it moves itself on). */
  reminder: 'job.reminder',
  /** A report by e-mail to its head, who cannot be reached in Teams (`data.to`; see headReach.ts). */
  headMail: 'mail.head',
  /** A request's deadline job (one per request with a Frist; see deadline.ts). */
  deadline: 'job.deadline',
  /** A proposed Vortrag date: the job that reminds the side who has to answer it, once (key per proposal). */
  terminReminder: 'job.terminReminder',
  /** The paper as a file: Teams' file consent card to one person of the head side (`data.file`; see paperFileStore.ts). */
  fileOffer: 'file.offer',
  /** A Vortrag's check that its head's reach is recorded, also when the process that sent the card died (headReach.ts). */
  headReachCheck: 'job.headReach',
} as const;

/** The job that records the head's reach when no listener did (services/requests/headReach.ts `headReachCheck`). */
export const HEAD_REACH_JOB_KIND = 'requests.headReach';
/** One check job per Vortrag. */
export const headReachJobKey = (itemId: string) => `item:${itemId}:head-reach`;
/** The job's first look after the registration: well after the listener's second, soon enough to tell the IB. */
export const HEAD_REACH_FIRST_CHECK_MS = 15_000;

/** The file consent card's content type (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4). */
export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';

/** What a file consent card carries back when it is accepted or declined: which file, for which Vortrag. */
export interface FileOfferContext {
  file: string;
  authority: string;
  item: string;
}

/** The job that reminds the side who has to answer a proposed date (services/requests/requestService.ts `terminReminderDue`). */
export const TERMIN_REMINDER_JOB_KIND = 'requests.terminRemind';
/** One reminder job per proposal: the revision that made it. */
export const terminReminderKey = (item: Pick<ItemDoc, 'id' | 'rev'>) => `item:${item.id}:termin-remind:r${item.rev}`;

/** What a card's banner says (activity.summary), in the recipient's language. */
type Summary = 'new' | 'report' | 'remind' | 'escalate' | 'decide' | 'overdue';
/** Which message text a `message` notice carries. */
type MessageText = 'meetingProposed' | 'meetingCounter' | 'meetingAgreed' | 'meetingMoved' | 'meetingCancelled' | 'meetingRemind' | 'changed' | 'changedReport' | 'replied' | 'remind' | 'escalate' | 'headUnreachable' | 'handedIn' | 'decide' | 'deadlineSoon' | 'deadlineToday' | 'overdue';

/** The key of the item's card in one person's chat. */
export const cardKey = (itemId: string, aadObjectId: string) => `item:${itemId}:card:${aadObjectId}`;

/**
 * The reminder job's key: one per request; one per round of a report's decision (the report as registered, then each
 * paper handed in), since a finished job keeps its key.
 */
export const reminderKey = (item: Pick<ItemDoc, 'id' | 'kind' | 'status' | 'rev'>) => `item:${item.id}:reminder${item.kind === 'report' && item.status === 'vorgelegt' ? `:r${item.rev}` : ''}`;

/** A new item's cards (to the handler, or the head side) and its reminder job (the handler's, or the head's). */
export function noticesForCreate(item: ItemDoc): PendingNotice[] {
  const summary: Summary = item.kind === 'request' ? 'new' : 'report';
  return [
    ...item.cardsTo.map((id) => ({ key: cardKey(item.id, id), kind: NOTICE_KINDS.cardPost, to: [id], data: { summary }, rev: item.rev })),
    { key: reminderKey(item), kind: NOTICE_KINDS.reminder, rev: item.rev },
    // The requester's Frist has its own job: reminders before and on the day, then "überfällig" (deadline.ts).
    ...(item.kind === 'request' && item.deadline ? [{ key: deadlineJobKey(item.id), kind: NOTICE_KINDS.deadline, rev: item.rev }] : []),
    // A Vortrag: whether its head was reached is recorded even if the process that sent the card dies (headReach.ts).
    ...(item.kind === 'report' ? [{ key: headReachJobKey(item.id), kind: NOTICE_KINDS.headReachCheck, rev: item.rev }] : []),
  ];
}

/**
 * The Frist's reminders to the handler (no change of the item): one message per recipient, keyed once per item and
 * step, so a repeated job run or a second process sends nothing twice.
 */
export function noticesForDeadline(item: ItemDoc, step: 'soon' | 'today', recipients: string[]): PendingNotice[] {
  const text: MessageText = step === 'soon' ? 'deadlineSoon' : 'deadlineToday';
  return recipients.map((id) => ({ key: `item:${item.id}:deadline:${step}:${id}`, kind: NOTICE_KINDS.message, to: [id], data: { text, status: item.status }, rev: item.rev }));
}

/**
 * A request past its Frist, written once with these notices (`item.overdue` says to whom and why): each recipient gets
 * the message with the reason and the item's card; every card shows "überfällig". Keys once per item: the item
 * keeps its revision (people's cards stay valid), so the card updates carry their own key suffix.
 */
export function noticesForOverdue(item: ItemDoc, recipients: string[]): PendingNotice[] {
  const reason: OverdueReason = item.overdue?.reason ?? 'handler';
  return [
    ...recipients.map((id) => ({ key: `item:${item.id}:overdue:${id}`, kind: NOTICE_KINDS.message, to: [id], data: { text: 'overdue', reason, status: item.status }, rev: item.rev })),
    ...recipients.map((id) => ({ key: cardKey(item.id, id), kind: NOTICE_KINDS.cardPost, to: [id], data: { summary: 'overdue' }, rev: item.rev })),
    { key: `item:${item.id}:overdue:cards`, kind: NOTICE_KINDS.cardsUpdate, data: { actor: 'system', keySuffix: 'overdue' }, rev: item.rev },
  ];
}

/**
 * What a change by `actorId` owes: the other cards updated, and a message to whom it concerns (the requester about
 * the status of their request, the handler when the requester replied, the IB when the head decided their report).
 */
export function noticesFor(previous: ItemDoc, next: ItemDoc, actorId: string): PendingNotice[] {
  const key = `item:${next.id}:r${next.rev}`;
  const notices: PendingNotice[] = [{ key: `${key}:cards`, kind: NOTICE_KINDS.cardsUpdate, data: { actor: actorId }, rev: next.rev }];
  const message = (suffix: string, to: string, text: MessageText): PendingNotice => ({
    key: `${key}:${suffix}`,
    kind: NOTICE_KINDS.message,
    to: [to],
    data: { text, status: next.status, previous: previous.status },
    rev: next.rev,
  });
  const creator = next.createdBy.aadObjectId;
  if (next.kind === 'request') {
    if (creator !== actorId) notices.push(message('requester', creator, 'changed'));
    else if (next.handler && next.handler.aadObjectId !== actorId) notices.push(message('handler', next.handler.aadObjectId, 'replied'));
  } else {
    notices.push(...terminNotices(previous, next, actorId, key));
    if (creator !== actorId && !TERMIN_MESSAGE[next.status]) notices.push(message('commissioner', creator, 'changedReport'));
    if (next.status === 'vorgelegt' && previous.status !== 'vorgelegt') {
      // The paper the head asked for: the head side is told and decides again, with reminders as for a new report.
      for (const id of next.cardsTo.filter((c) => c !== actorId)) notices.push(message(`handed-in:${id}`, id, 'handedIn'));
      // Handed in as a file the Lotse holds: each of the head side is offered it on a file consent card.
      const file = next.messages[next.messages.length - 1]?.file;
      if (file?.id) for (const id of next.cardsTo.filter((c) => c !== actorId)) notices.push({ key: `${key}:file:${id}`, kind: NOTICE_KINDS.fileOffer, to: [id], data: { file: file.id }, rev: next.rev });
      notices.push({ key: reminderKey(next), kind: NOTICE_KINDS.reminder, rev: next.rev });
    }
  }
  return notices;
}

/** The Termin's messages, by the state a step leads to: the date goes with each (the card may show a newer one). */
const TERMIN_MESSAGE: Partial<Record<ItemStatus, MessageText>> = { termin_vorgeschlagen: 'meetingProposed', termin_gegenvorschlag: 'meetingCounter', termin_vereinbart: 'meetingAgreed', termin_offen: 'meetingCancelled' };

/**
 * What a step of the Termin owes besides the card updates: the side whose turn it is gets the proposed date (the IB
 * a proposal of the head side, the head side the IB's); on agreement both sides are told, and the invitation for
 * head and IB is made (one notice; see termin.ts).
 */
function terminNotices(previous: ItemDoc, next: ItemDoc, actorId: string, key: string): PendingNotice[] {
  const cancelled = next.status === 'termin_offen' && previous.status !== 'termin_offen' ? next.terminCancelled : undefined;
  // A move: the first proposal after an agreed date says which date it would replace.
  const moved = previous.status === 'termin_vereinbart' && next.termin?.moving;
  const text: MessageText | undefined = moved ? 'meetingMoved' : TERMIN_MESSAGE[next.status];
  const termin = cancelled ?? next.termin;
  if (!text || !termin || (next.status === previous.status && next.termin === previous.termin)) return [];
  const withdrawn = cancelled?.withdrawn;
  const data = {
    text, status: next.status, previous: previous.status, date: termin.date, time: termin.time,
    ...(moved ? { fromDate: moved.date, fromTime: moved.time } : {}),
    // Cancelled while a move was negotiated: the message says that the proposed new date is withdrawn too.
    ...(withdrawn ? { withdrawnDate: withdrawn.date, withdrawnTime: withdrawn.time } : {}),
    // An agreement names its round, so that its message is not sent once that date was cancelled (see `deliver`).
    ...(next.status === 'termin_vereinbart' ? { round: next.termin?.round ?? 1 } : {}),
  };
  const creator = next.createdBy.aadObjectId;
  const to =
    next.status === 'termin_vorgeschlagen' ? [creator]
    : next.status === 'termin_gegenvorschlag' ? next.cardsTo
    : [creator, ...next.cardsTo];
  const notices: PendingNotice[] = [...new Set(to)].filter((id) => id !== actorId).map((id) => ({ key: `${key}:termin:${id}`, kind: NOTICE_KINDS.message, to: [id], data, rev: next.rev }));
  if (next.status === 'termin_vereinbart' || cancelled?.invitation.state === 'pending') notices.unshift({ key: `${invitationKey(next.id)}:r${next.rev}`, kind: INVITATION_NOTICE, rev: next.rev });
  // A proposal waits for the other side: one reminder after some working days if it is still unanswered then.
  if (next.status === 'termin_vorgeschlagen' || next.status === 'termin_gegenvorschlag') notices.push({ key: terminReminderKey(next), kind: NOTICE_KINDS.terminReminder, rev: next.rev });
  return notices;
}

/**
 * A reminder step (no change of the item): the message to each recipient and a card for whoever has none yet (the
 * deputy on escalation). Keys carry the item's revision, so a repeated job run sends nothing twice.
 */
export function noticesForReminder(item: ItemDoc, step: 'remind' | 'escalate' | 'decide', recipients: string[], round?: { count: number; days: number }): PendingNotice[] {
  // A report's reminders to the head repeat: each one has its own key (`decide1`, `decide2`, …).
  const name = step === 'decide' ? `decide${round?.count ?? 1}` : step;
  return [
    ...recipients.map((id) => ({ key: `item:${item.id}:r${item.rev}:${name}:${id}`, kind: NOTICE_KINDS.message, to: [id], data: { text: step, status: item.status, days: round?.days ?? 0 }, rev: item.rev })),
    ...recipients.map((id) => ({ key: cardKey(item.id, id), kind: NOTICE_KINDS.cardPost, to: [id], data: { summary: step }, rev: item.rev })),
  ];
}

/** The language someone last used on this item (German for people who have not acted on it yet). */
export function langOn(item: ItemDoc, aadObjectId: string): Lang {
  return langUsedOn(item, aadObjectId) ?? 'de';
}

/** The language someone last used on this item, if they acted on it. */
function langUsedOn(item: ItemDoc, aadObjectId: string): Lang | undefined {
  const people = [item.createdBy, item.handler, item.decision?.by, item.lastChange?.by, ...item.messages.map((m) => m.by)];
  return people.find((p) => p?.aadObjectId === aadObjectId && p.lang)?.lang;
}

export interface RequestNotifierDeps {
  store: DocumentStore<ItemDoc>;
  outbox: Pick<Outbox, 'enqueue' | 'enqueueUpdate'>;
  /** `reschedule` moves an invitation's retry job (without it a failed Graph call is not tried again). */
  scheduler: Pick<Scheduler, 'schedule'> & Partial<Pick<Scheduler, 'reschedule'>>;
  views: RequestViews;
  rolesFor: (aadObjectId: string, item: ItemDoc) => ItemRoles;
  /** When the request's reminder job first runs. */
  reminderDueAt: (item: ItemDoc) => Date;
  reminderJobKind: string;
  /** When the reminder about a proposed Vortrag date is due (REPORT_TERMIN_REMINDER_WORKING_DAYS after the proposal). */
  terminReminderDueAt?: (item: ItemDoc) => Date;
  logger: Logger;
  /**
   * The e-mail fallback for a head who cannot be reached in Teams: Graph's `sendMail` from the configured mailbox, and
   * the link to the item in the personal tab. Without it a `mail.head` notice is logged and dropped.
   */
  mail?: { graph: Pick<GraphPort, 'sendMail'>; from: string; itemLink: (item: ItemDoc) => string | undefined };
  /**
   * The invitation of an agreed Vortrag date (termin.ts): the directory, and Graph with the meeting mailbox when
   * configured (without them the .ics link). Without this, an agreement's invitation notice is dropped.
   */
  invitation?: Omit<InvitationDeps, 'store' | 'logger'>;
  /** The address of an agreed date's .ics (`/kalender/<token>`), for the messages. */
  icsUrl?: (token: string) => string;
  /**
   * A person's language from their Teams client when they last wrote to the bot: for a text message to someone who has
   * not acted on the item yet (a head reminded of a report). Without it, or unknown: German.
   */
  langOf?: (aadObjectId: string) => Promise<Lang>;
}

/** A file consent card: the file's name and size, a description, and the context Teams hands back on either answer. */
export function fileOfferActivity(file: Pick<Required<PaperFile>, 'name' | 'size'>, description: string, summary: string, context: FileOfferContext): OutgoingActivity {
  return {
    type: 'message',
    summary,
    attachments: [{ contentType: FILE_CONSENT_CARD, name: file.name, content: { description, sizeInBytes: file.size, acceptContext: context, declineContext: context } }],
  };
}

/** A subject in a plain-text field (the consent card's description is not markdown): one line, at most 200 characters. */
function plainSubject(subject: string): string {
  const line = subject.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

const cardActivity = (content: Record<string, unknown>, summary: string): OutgoingActivity => ({
  type: 'message',
  summary,
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content }],
});

/** Carries out the notices of Anliegen and Vortrag; `source` is what the relay registers. */
export class RequestNotifier {
  constructor(private readonly deps: RequestNotifierDeps) {}

  /** The relay source of the `items` container. */
  source(name = 'requests'): RelaySource<ItemDoc> {
    return { name, store: this.deps.store, deliver: (doc, notices) => this.deliver(doc, notices) };
  }

  /**
   * Enqueues what `notices` owe, rendered from `doc` (the item as written with them, or newer). Card posts first, so
   * that an update in the same batch finds the card; card updates coalesced into one per holder, keyed by the latest
   * revision.
   */
  async deliver(doc: Versioned<ItemDoc> | ItemDoc, notices: PendingNotice[]): Promise<void> {
    let item = doc;
    // An agreed Vortrag date: first the invitation (Teams meeting or .ics), so that the cards and messages below carry
    // it; then every holder's card is updated, the actor's too (their own answer said "being created").
    const invitation = notices.some((n) => n.kind === INVITATION_NOTICE);
    if (invitation && this.deps.invitation) {
      await syncInvitation(this.invitationDeps(), item);
      item = (await this.deps.store.read(item.authority, item.id)) ?? item;
    }
    const tenantId = item.createdBy.tenantId;
    const posts = notices.filter((n) => n.kind === NOTICE_KINDS.cardPost);
    await Promise.all(
      posts.flatMap((n) =>
        (n.to ?? []).map(async (id) => {
          const lang = langOn(item, id);
          const summary = this.summary(lang, String(n.data?.summary ?? 'new'), item);
          await this.deps.outbox.enqueue({
            key: n.key,
            activity: cardActivity(await this.deps.views.item(lang, item, this.deps.rolesFor(id, item)), summary),
            recipients: [{ user: { aadObjectId: id, tenantId } }],
          });
        }),
      ),
    );
    const work: Promise<unknown>[] = [];
    const updates = notices.filter((n) => n.kind === NOTICE_KINDS.cardsUpdate);
    // The overdue mark and a calendar entry made by the retry job change no revision: their card updates need a key of
    // their own (the latest state covers the rest).
    const marked = updates.find((u) => typeof u.data?.keySuffix === 'string' && u.data.keySuffix);
    const suffix = marked ? `:${String(marked.data!.keySuffix)}` : '';
    if (updates.length) work.push(this.updateCards(item, [...updates.map((u) => String(u.data?.actor ?? '')), ...(invitation ? ['system'] : [])], suffix));
    // Messages are enqueued one after the other, oldest change first: the outbox stamps each enqueue later than the one
    // before, and the dispatcher sends the messages to one chat in that order (a „Rückfrage“ before the „Erledigt“).
    const messages: Array<() => Promise<void>> = [];
    for (const n of notices.filter((m) => m.kind === NOTICE_KINDS.message)) {
      // An agreement relayed after its date was cancelled or moved (say, a process died before relaying it): its message
      // would announce a date that no longer holds, after the cancellation. The message of what happened since stands.
      if (n.data?.text === 'meetingAgreed' && !stillAgreed(item, n.data)) {
        this.deps.logger.info({ event: 'requests.agreed_message_superseded', itemId: item.id }, 'the agreed date changed before its message went out: not sent');
        continue;
      }
      for (const id of n.to ?? []) {
        messages.push(async () => {
          // The language used on the item; else the person's own (a head has not acted on a report that waits for them).
          const lang = langUsedOn(item, id) ?? (await this.deps.langOf?.(id).catch(() => undefined)) ?? 'de';
          const text = this.messageText(lang, String(n.data?.text), item, String(n.data?.status ?? item.status), n.data);
          const party = [item.createdBy, item.handler].find((p) => p?.aadObjectId === id);
          await this.deps.outbox.enqueue({ key: n.key, activity: { type: 'message', text, textFormat: 'markdown' }, recipients: [{ user: { aadObjectId: id, tenantId: party?.tenantId ?? tenantId } }] });
        });
      }
    }
    if (messages.length) {
      work.push(
        (async () => {
          for (const enqueue of messages) await enqueue();
        })(),
      );
    }
    for (const n of notices.filter((m) => m.kind === NOTICE_KINDS.fileOffer)) {
      const file = item.messages.find((m) => m.file?.id && m.file.id === n.data?.file)?.file;
      if (!file?.id) continue;
      for (const id of n.to ?? []) work.push(this.offerFile(item, file as Required<PaperFile>, id, n.key));
    }
    for (const reminder of notices.filter((n) => n.kind === NOTICE_KINDS.reminder)) {
      work.push(this.deps.scheduler.schedule({ key: reminder.key, kind: this.deps.reminderJobKind, dueAt: this.deps.reminderDueAt(item), payload: { id: item.id, authority: item.authority } }));
    }
    for (const job of notices.filter((n) => n.kind === NOTICE_KINDS.terminReminder)) {
      if (!this.deps.terminReminderDueAt) continue;
      work.push(this.deps.scheduler.schedule({ key: job.key, kind: TERMIN_REMINDER_JOB_KIND, dueAt: this.deps.terminReminderDueAt(item), payload: { id: item.id, authority: item.authority, rev: job.rev } }));
    }
    // A Graph call of the invitation failed: its retry job, moved to the time the failure's write chose.
    for (const job of notices.filter((n) => n.kind === INVITATION_RETRY_NOTICE)) {
      const at = new Date(String(job.data?.at ?? ''));
      if (Number.isNaN(at.getTime()) || !this.deps.scheduler.reschedule) continue;
      work.push(this.deps.scheduler.reschedule({ key: invitationJobKey(item.id), kind: INVITATION_JOB_KIND, dueAt: at, payload: { id: item.id, authority: item.authority } }));
    }
    for (const job of notices.filter((n) => n.kind === NOTICE_KINDS.headReachCheck)) {
      const dueAt = new Date(Date.parse(item.createdAt) + HEAD_REACH_FIRST_CHECK_MS);
      work.push(this.deps.scheduler.schedule({ key: job.key, kind: HEAD_REACH_JOB_KIND, dueAt, payload: { id: item.id, authority: item.authority } }));
    }
    for (const job of notices.filter((n) => n.kind === NOTICE_KINDS.deadline)) {
      if (!item.deadline) continue;
      const dueAt = deadlineJobDueAt(item.deadline, berlinDate(new Date(item.createdAt)));
      work.push(this.deps.scheduler.schedule({ key: job.key, kind: DEADLINE_JOB_KIND, dueAt, payload: { id: item.id, authority: item.authority } }));
    }
    await Promise.all(work);
    // The e-mail last: Graph cannot tell a repeated sendMail from a new one, so it goes once the rest is handed over.
    for (const n of notices.filter((m) => m.kind === NOTICE_KINDS.headMail)) await this.mailHead(item, String(n.data?.to ?? ''));
  }

  /**
   * The paper as a file to one person of the head side: Teams' file consent card in their personal chat (Teams sends
   * files to people only there, and only once they allowed it). Accepting uploads it (bot/handlers/paperFiles.ts).
   */
  async offerFile(item: ItemDoc, file: Required<PaperFile>, to: string, key: string): Promise<void> {
    const lang = langUsedOn(item, to) ?? (await this.deps.langOf?.(to).catch(() => undefined)) ?? 'de';
    const t = REQUEST_TEXTS[lang].paperFile;
    const context: FileOfferContext = { file: file.id, authority: item.authority, item: item.id };
    await this.deps.outbox.enqueue({
      key,
      activity: fileOfferActivity(file, t.offer(plainSubject(item.subject)), t.offerSummary, context),
      recipients: [{ user: { aadObjectId: to, tenantId: item.createdBy.tenantId } }],
    });
  }

  private invitationDeps() {
    return { ...this.deps.invitation!, store: this.deps.store, logger: this.deps.logger };
  }

  /** The retry job of an invitation: the Graph step again (see termin.ts); the cards follow from its write. */
  async retryInvitation(ref: { id?: unknown; authority?: unknown }): Promise<void> {
    if (!this.deps.invitation || typeof ref.id !== 'string' || typeof ref.authority !== 'string') return;
    await syncInvitation(this.invitationDeps(), { id: ref.id, authority: ref.authority as ItemDoc['authority'] }, { fromJob: true });
  }

  /**
   * The report by e-mail to its head: German (the authorities' working language), the subject and a link to the item
   * in the tab, nothing else about anybody (the subject passed the privacy guard when it was stored).
   */
  private async mailHead(item: ItemDoc, to: string): Promise<void> {
    const mail = this.deps.mail;
    if (!mail || !to) {
      this.deps.logger.warn({ event: 'requests.head_mail_off', itemId: item.id }, 'e-mail fallback for an unreachable head is not configured (any more): not sent');
      return;
    }
    const t = REQUEST_TEXTS.de.headReach;
    await mail.graph.sendMail(mail.from, { to: [to], subject: t.mailSubject(item.subject), bodyText: t.mailBody(AUTHORITY_NAMES[item.authority], item.subject, mail.itemLink(item) ?? '') });
    this.deps.logger.info({ event: 'requests.head_mail', itemId: item.id }, 'report sent by e-mail to the head');
  }

  /**
   * Updates every posted card of the item (each in its holder's view) and the requester's own card. A holder who made
   * every one of the changes is left out: their invoke response has replaced their card already, and Teams refreshes
   * any other copy when it is shown.
   */
  private async updateCards(item: ItemDoc, actors: string[], suffix = ''): Promise<void> {
    const needs = (id: string) => actors.some((actor) => actor !== id);
    const summary = item.subject;
    const updates = item.cardsTo.filter(needs).map(async (id) => {
      try {
        const content = await this.deps.views.item(langOn(item, id), item, this.deps.rolesFor(id, item));
        await this.deps.outbox.enqueueUpdate({ key: `${cardKey(item.id, id)}:r${item.rev}${suffix}`, of: cardKey(item.id, id), activity: cardActivity(content, summary) });
      } catch (err) {
        // Only people the card was posted to have one to update.
        if (!(err instanceof OutboxError && err.code === 'OUTBOX_UNKNOWN_NOTIFICATION')) throw err;
      }
    });
    const card = item.requesterCard;
    const requester = item.createdBy.aadObjectId;
    if (card && needs(requester)) {
      const content = await this.deps.views.item(item.createdBy.lang ?? 'de', item, this.deps.rolesFor(requester, item));
      updates.push(
        this.deps.outbox
          .enqueue({
            key: `item:${item.id}:requester-card:r${item.rev}${suffix}`,
            activity: cardActivity(content, summary),
            recipients: [{ conversation: { conversationId: card.conversationId, serviceUrl: card.serviceUrl, tenantId: card.tenantId, botId: card.botId, conversationType: 'personal' }, replaceActivityId: card.activityId }],
          })
          .then(() => undefined),
      );
    }
    await Promise.all(updates);
  }

  private summary(lang: Lang, kind: string, item: ItemDoc): string {
    const t = REQUEST_TEXTS[lang];
    switch (kind as Summary) {
      case 'report':
        return t.noticeReport(item.subject);
      case 'remind':
        return t.remind(item.subject);
      case 'escalate':
        return t.escalate(item.subject);
      case 'decide':
        return t.noticeReport(item.subject);
      case 'overdue':
        return t.noticeOverdue(item.subject);
      default:
        return item.recipient === 'kfi' ? t.noticeNewKfi(item.subject) : t.noticeNew(item.subject);
    }
  }

  /** A message's text; the subject is escaped for Markdown (it is user text). */
  private messageText(lang: Lang, kind: string, item: ItemDoc, status: string, data: PendingNotice['data'] = {}): string {
    const t = REQUEST_TEXTS[lang];
    const subject = messageText(item.subject);
    const label = STATUS_LABELS[status as ItemStatus]?.[lang] ?? status;
    switch (kind as MessageText) {
      case 'headUnreachable':
        return headUnreachableText(lang, subject, String(data?.reason ?? 'failed') as HeadUnreachableReason, String(data?.fallback ?? 'none'), messageText(String(data?.where ?? '')));
      case 'changedReport':
        return t.changedReport(subject, label);
      case 'meetingMoved':
      case 'meetingCancelled':
      case 'meetingRemind': {
        const when = t.termin.when(formatBerlinDate(String(data?.date ?? ''), lang), String(data?.time ?? ''));
        if (kind === 'meetingRemind') return t.meetingRemind(subject, when, Number(data?.days ?? 0));
        if (kind === 'meetingCancelled') {
          const withdrawn = data?.withdrawnDate ? t.termin.when(formatBerlinDate(String(data.withdrawnDate), lang), String(data?.withdrawnTime ?? '')) : '';
          // Whoever imported the .ics of the date gets its cancellation with the message (same UID, higher SEQUENCE);
          // a Teams meeting Graph cancelled reaches them from Exchange.
          const c = item.terminCancelled;
          const ics = c?.icsToken && c.invitation.state !== 'cancelled' && this.deps.icsUrl ? ` [${t.termin.icsCancel}](${this.deps.icsUrl(c.icsToken)})` : '';
          return `${t.meetingCancelled(subject, when, c?.reason ? messageText(c.reason) : '', withdrawn)}${ics}`;
        }
        return t.meetingMoved(subject, t.termin.when(formatBerlinDate(String(data?.fromDate ?? ''), lang), String(data?.fromTime ?? '')), when);
      }
      case 'meetingProposed':
      case 'meetingCounter':
      case 'meetingAgreed': {
        const when = t.termin.when(formatBerlinDate(String(data?.date ?? ''), lang), String(data?.time ?? ''));
        if (kind !== 'meetingAgreed') return t[kind as 'meetingProposed' | 'meetingCounter'](subject, when);
        const termin = item.termin;
        const link = termin?.invitation?.joinUrl
          ? `${t.termin.invitationTeams} [${t.termin.joinTeams}](${termin.invitation.joinUrl})`
          : termin?.icsToken && this.deps.icsUrl ? `[${t.termin.ics}](${this.deps.icsUrl(termin.icsToken)})` : '';
        return `${t.meetingAgreed(subject, when)}${link ? ` ${link}` : ''}`;
      }
      case 'replied':
        return t.replied(subject);
      case 'remind':
        return t.remind(subject);
      case 'escalate':
        return t.escalate(subject);
      case 'handedIn':
        return t.handedIn(subject);
      case 'decide':
        return t.reportRemind(subject, Number(data?.days ?? 0));
      case 'deadlineSoon':
        return t.deadline.soon(subject, formatBerlinDate(item.deadline ?? '', lang));
      case 'deadlineToday':
        return t.deadline.today(subject);
      case 'overdue': {
        const reason = String(data?.reason ?? 'handler') as OverdueReason;
        return t.deadline.overdue(subject, formatBerlinDate(item.deadline ?? '', lang), t.deadline.reasons[reason] ?? t.deadline.reasons.handler);
      }
      default:
        return t.changed(subject, label);
    }
  }
}

/** Whether the date an agreement's message names (`data`: date, time, round) is still the agreed one in force. */
function stillAgreed(item: ItemDoc, data: NonNullable<PendingNotice['data']>): boolean {
  const d = agreedDate(item.termin);
  return !!d && d.date === data.date && d.time === data.time && (data.round === undefined || (item.termin?.round ?? 1) === data.round);
}

/** What the IB is told at once when their report did not reach the head (`subject` and `where` escaped by the caller). */
export function headUnreachableText(lang: Lang, subject: string, reason: HeadUnreachableReason, fallback: string, where: string): string {
  const t = REQUEST_TEXTS[lang].headReach;
  const then = fallback === 'office' ? t.viaOffice(where) : fallback === 'mail' ? t.viaMail(where) : t.noFallback;
  return t.message(subject, t.reasons[reason] ?? t.reasons.failed, then);
}
