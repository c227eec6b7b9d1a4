/**
 * Who is told what about a post. The service writes the notices in the same document write as the change (the
 * transactional outbox, services/workflow/pending.ts); this relay source carries them out afterwards, off the request
 * path: the post card to every recipient (one notification per language: German under `post:<id>:announce`, English
 * under `…:announce:en`; the dispatcher fans them out within Teams' rate limits), the sender's status card, reminders
 * to those who have not acknowledged, the weekly reminder job, the confirmation card of a prepared appointment post,
 * and its copy to the ministry by e-mail. Every key starts with `post:<id>:`, so the post's notifications are deleted
 * with it when its retention ends.
 */
import { renderPostCard, renderPostConfirmCard, renderPostStatusCard } from '../../cards/postCards';
import { AUTHORITY_NAMES } from '../directory/model';
import { GraphError, type GraphPort } from '../graph/graphPort';
import type { Logger } from '../logging';
import type { OutgoingActivity, Recipient } from '../notifications/model';
import { OutboxError, type Outbox } from '../notifications/outbox';
import type { DeliveryReport } from '../notifications/reach';
import type { Scheduler } from '../scheduling/scheduler';
import { updateWithRetry } from '../common/etagRetry';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { messageText } from '../text/escape';
import type { PendingNotice } from '../workflow/pending';
import type { RelaySource } from '../workflow/relay';
import { LANGS, type Lang } from '../workflow/texts';
import { postKey, REMIND_LIMITS, type PostDoc, type PostsDoc, type PostStatus } from './model';
import { POST_TEXTS } from './texts';

/** The relay source name of the posts' documents. */
export const POSTS_SOURCE = 'posts';

export const POST_NOTICE_KINDS = {
  /** The post card to every recipient. */
  announce: 'post.announce',
  /** The sender's status card in their chat. */
  sender: 'post.sender',
  /** A reminder to those listed in `to`. */
  remind: 'post.remind',
  /** The weekly reminder job starts. */
  weekly: 'job.weekly',
  /** The prepared appointment post to the person who confirms it (`to`). */
  confirm: 'post.confirm',
  /** The appointment's copy to the ministry contact by e-mail. */
  mail: 'post.mail',
} as const;

export const POST_JOB_KINDS = {
  /** A weekly reminder of one post (payload `postId`). */
  weekly: 'posts.weekly',
  /** The retention purge of expired posts. */
  purge: 'posts.purge',
  /** Looks for a new IB appointment in the directory (Nr. 3). */
  appointments: 'posts.appointments',
} as const;

const DAY = 86_400_000;

/** A sent post owes its cards to the recipients and the status card to its sender. */
export function noticesForSend(post: PostDoc): PendingNotice[] {
  return [
    { key: postKey(post.pk, 'announce'), kind: POST_NOTICE_KINDS.announce, rev: 1 },
    { key: postKey(post.pk, 'sender'), kind: POST_NOTICE_KINDS.sender, to: [post.sender], rev: 1 },
    ...(post.ministryCopy?.state === 'pending' ? [{ key: postKey(post.pk, 'mail'), kind: POST_NOTICE_KINDS.mail, rev: 1 }] : []),
  ];
}

/** Reminder number `n` (1-based) to `to`. */
export function noticesForRemind(post: PostDoc, n: number, to: string[]): PendingNotice[] {
  return to.length ? [{ key: postKey(post.pk, `remind:${n}`), kind: POST_NOTICE_KINDS.remind, to, rev: n + 1 }] : [];
}

/** Weekly reminders start. */
export function noticesForWeekly(post: PostDoc): PendingNotice[] {
  return [{ key: postKey(post.pk, 'weekly'), kind: POST_NOTICE_KINDS.weekly, rev: 1 }];
}

/** A prepared appointment post goes to the person who confirms it. */
export function noticesForDraft(post: PostDoc): PendingNotice[] {
  return [{ key: postKey(post.pk, 'confirm'), kind: POST_NOTICE_KINDS.confirm, to: [post.sender], rev: 1 }];
}

export interface PostNotifierDeps {
  store: DocumentStore<PostsDoc>;
  outbox: Pick<Outbox, 'enqueue' | 'enqueueUpdate'>;
  scheduler: Pick<Scheduler, 'reschedule'>;
  /** Each person's language (their Teams locale, German when unknown). */
  langOf: (aadObjectId: string) => Promise<Lang>;
  /** The sender's status (for their card). */
  status: (post: PostDoc) => Promise<PostStatus>;
  graph?: GraphPort;
  /** The mailbox Graph sends from (GRAPH_MAIL_FROM). */
  mailFrom?: string;
  logger: Logger;
  now: () => Date;
}

const langKey = (key: string, lang: Lang) => (lang === 'de' ? key : `${key}:${lang}`);

/** One notification per language of the people in `to`, each built in its language; repeating sends nothing twice. */
export async function enqueueByLang(deps: Pick<PostNotifierDeps, 'outbox' | 'langOf'>, key: string, tenantId: string, to: string[], build: (lang: Lang) => OutgoingActivity): Promise<number> {
  const langs = await Promise.all(to.map((id) => deps.langOf(id).catch((): Lang => 'de')));
  let added = 0;
  for (const lang of LANGS) {
    const recipients: Recipient[] = to.filter((_, i) => langs[i] === lang).map((aadObjectId) => ({ user: { aadObjectId, tenantId } }));
    if (recipients.length) added += (await deps.outbox.enqueue({ key: langKey(key, lang), activity: build(lang), recipients })).added;
  }
  return added;
}

/** The post card as it goes to a recipient in `lang` (and as the composer previews it). */
export function postActivity(post: PostDoc, lang: Lang): OutgoingActivity {
  return { type: 'message', summary: POST_TEXTS[lang].card.summary(post.title), attachments: [renderPostCard(post, lang)] };
}

/** The reminder text in `lang` (the title and the sender's name escaped for Teams Markdown). */
export function reminderActivity(post: PostDoc, lang: Lang): OutgoingActivity {
  return { type: 'message', text: POST_TEXTS[lang].reminder(messageText(post.title), messageText(post.senderName)), textFormat: 'markdown' };
}

async function deliver(deps: PostNotifierDeps, post: Versioned<PostDoc>, notices: PendingNotice[]): Promise<void> {
  for (const n of notices) {
    switch (n.kind) {
      case POST_NOTICE_KINDS.announce:
        await enqueueByLang(deps, n.key, post.tenantId, post.recipients, (lang) => postActivity(post, lang));
        break;
      case POST_NOTICE_KINDS.sender: {
        const status = await deps.status(post);
        await enqueueByLang(deps, n.key, post.tenantId, n.to ?? [], (lang) => senderActivity(status, lang));
        break;
      }
      case POST_NOTICE_KINDS.remind:
        await enqueueByLang(deps, n.key, post.tenantId, n.to ?? [], (lang) => reminderActivity(post, lang));
        break;
      case POST_NOTICE_KINDS.weekly:
        await deps.scheduler.reschedule({ key: postKey(post.pk, 'weekly'), kind: POST_JOB_KINDS.weekly, dueAt: new Date(deps.now().getTime() + REMIND_LIMITS.everyDays * DAY), payload: { postId: post.pk } });
        break;
      case POST_NOTICE_KINDS.confirm:
        await enqueueByLang(deps, n.key, post.tenantId, n.to ?? [], (lang) => ({ type: 'message', summary: POST_TEXTS[lang].card.summary(post.title), attachments: [renderPostConfirmCard(post, lang)] }));
        break;
      case POST_NOTICE_KINDS.mail: {
        const state = await mailMinistry(deps, post);
        await recordMail(deps, post, notices.slice(0, notices.indexOf(n) + 1), state);
        // The sender's card says what became of the copy without a click on „Aktualisieren“.
        const current = (await deps.store.read(post.pk, 'post')) as PostDoc | undefined;
        if (current?.type === 'post') await refreshSenderCard(deps, current, `mail-${state}`);
        break;
      }
      default:
        deps.logger.warn({ event: 'posts.notice_ignored', kind: n.kind }, 'unknown notice kind on a post');
    }
  }
}

/**
 * The appointment's copy to the ministry (Nr. 3: "Das für Integration zuständige Ministerium wird über die Bestellung
 * informiert"), in German. A refusal of Graph (permission, mailbox) is logged and not tried again; a throttled or
 * transient failure throws, so the notice stays pending and the sweep tries again.
 */
async function mailMinistry(deps: PostNotifierDeps, post: PostDoc): Promise<'sent' | 'failed' | 'off'> {
  const to = post.ministryCopy?.to;
  if (!to || !deps.graph || !deps.mailFrom) {
    deps.logger.warn({ event: 'posts.ministry_mail_off', postId: post.pk }, 'no mail configured for the ministry copy');
    return 'off';
  }
  const t = POST_TEXTS.de;
  const authority = post.from.role === 'ib' ? post.from.authority : 'arnsberg';
  try {
    await deps.graph.sendMail(deps.mailFrom, { to: [to], subject: t.appointment.mailSubject(AUTHORITY_NAMES[authority]), bodyText: `${post.title}\n\n${post.text}` });
    deps.logger.info({ event: 'posts.ministry_mailed', postId: post.pk }, 'appointment copy mailed to the ministry contact');
    return 'sent';
  } catch (err) {
    if (err instanceof GraphError && (err.kind === 'throttled' || err.kind === 'transient')) throw err;
    deps.logger.warn({ event: 'posts.ministry_mail_failed', postId: post.pk, code: err instanceof GraphError ? err.code : 'unknown' }, 'the ministry copy could not be mailed');
    return 'failed';
  }
}

/**
 * Records what became of the ministry copy on the post (it stayed `pending` before), in the write that also takes
 * the notices carried out so far in this batch (the mail among them) out of `pending`: a sweep in another process then
 * finds no mail notice left and mails nothing twice.
 */
async function recordMail(deps: Pick<PostNotifierDeps, 'store'>, post: PostDoc, done: PendingNotice[], state: 'sent' | 'failed' | 'off'): Promise<void> {
  const keys = new Set(done.map((n) => n.key));
  await updateWithRetry(deps.store as DocumentStore<PostDoc>, post.pk, 'post', (current) => {
    if (!current || current.type !== 'post' || !current.ministryCopy) return undefined;
    const { etag: _etag, pending, pendingSince, ...plain } = current;
    const left = (pending ?? []).filter((n) => !keys.has(n.key));
    return { ...plain, ministryCopy: { ...plain.ministryCopy!, state }, ...(left.length ? { pending: left, ...(pendingSince !== undefined ? { pendingSince } : {}) } : {}) } as PostDoc;
  });
}

/** The sender's status card as a message. */
function senderActivity(status: PostStatus, lang: Lang): OutgoingActivity {
  return { type: 'message', summary: POST_TEXTS[lang].sender.heading(status.post.title), attachments: [renderPostStatusCard(status, lang, REMIND_LIMITS.manual)] };
}

/**
 * Updates the sender's status card in their chat in place with the status as it is now (`tag` makes the update's key:
 * one update per state, repeated calls send nothing twice). Nothing when the card was never posted.
 */
export async function refreshSenderCard(deps: Pick<PostNotifierDeps, 'outbox' | 'langOf' | 'status'>, post: PostDoc, tag: string): Promise<void> {
  const lang = await deps.langOf(post.sender).catch((): Lang => 'de');
  const key = langKey(postKey(post.pk, 'sender'), lang);
  const status = await deps.status(post);
  await deps.outbox.enqueueUpdate({ key: `${key}:${tag}`, of: key, activity: senderActivity(status, lang) }).catch((err: unknown) => {
    if (!(err instanceof OutboxError && err.code === 'OUTBOX_UNKNOWN_NOTIFICATION')) throw err;
  });
}

/** An announcement's key: `post:<id>:announce`, its English one `…:announce:en`. */
const ANNOUNCE = /^post:(post-[0-9a-f-]+):announce(?::[a-z]{2})?$/;
/** The notifications the reach listener is registered for: announcements (no report is read for any other post notification). */
export const POST_REACH_KEYS = ANNOUNCE;

/**
 * The listener for `DeliveryReports.onSettled(POST_REACH_KEYS, …)`: once a post's cards have all settled (delivered,
 * or not reachable), the sender's status card is updated in place to the final count, so "Zugestellt an 0 von 5; 5
 * unterwegs" does not stand until they click „Aktualisieren“. Best effort (in-process, like every reach listener);
 * the card's button and the tab always read the current status.
 */
export function postReachListener(deps: Pick<PostNotifierDeps, 'store' | 'outbox' | 'langOf' | 'status' | 'logger'>): (report: DeliveryReport) => Promise<void> {
  return async (report) => {
    const pk = ANNOUNCE.exec(report.key)?.[1];
    if (!pk) return;
    const post = (await deps.store.read(pk, 'post')) as PostDoc | undefined;
    if (post?.type !== 'post' || post.status !== 'sent') return;
    const status = await deps.status(post);
    if (status.pending > 0) return;
    await refreshSenderCard(deps, post, `reach-d${status.delivered}u${status.unreachable}`);
  };
}

/** The relay source of posts. */
export function postsRelaySource(deps: PostNotifierDeps): RelaySource<PostsDoc> {
  return {
    name: POSTS_SOURCE,
    store: deps.store,
    async deliver(doc, notices) {
      if (doc.type === 'post') await deliver(deps, doc as Versioned<PostDoc>, notices);
      else deps.logger.warn({ event: 'posts.notice_ignored', type: doc.type }, 'pending notices on a document without notices');
    },
  };
}
