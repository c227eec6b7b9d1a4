/**
 * The cards of information posts: the post as its recipients see it (with "Zur Kenntnis genommen" where the sender
 * asked for it), the sender's status card, and the confirmation card of a prepared appointment post (Nr. 3). The
 * post's title and text are the author's words, shown as typed (escaped) in every language; the frame around them is in
 * the viewer's language.
 */
import { formatBerlin, formatBerlinDate } from '../services/common/berlinTime';
import { AUTHORITY_NAMES } from '../services/directory/model';
import type { PostDoc, PostRecipient, PostStatus } from '../services/posts/model';
import { POST_TEXTS } from '../services/posts/texts';
import { cardText } from '../services/text/escape';
import type { Lang } from '../services/workflow/texts';
import { defineCard, type CardAttachment } from './defineCard';
import postTemplate from './templates/post.json';
import statusTemplate from './templates/postStatus.json';
import confirmTemplate from './templates/postConfirm.json';

interface PostCardData {
  lang: string;
  postId: string;
  heading: string;
  title: string;
  paragraphs: string[];
  from: string;
  prompt: string;
  acknowledged: string;
  ackButton: string;
}

interface StatusCardData {
  lang: string;
  postId: string;
  notice: string;
  noticeStyle: string;
  heading: string;
  audience: string;
  reach: string;
  acknowledged: string;
  notYet: string;
  reminders: string;
  /** An appointment post's copy to the ministry and what became of it ('' for none). */
  ministry: string;
  canRemind: boolean;
  canRemindWeekly: boolean;
  remindButton: string;
  remindWeeklyButton: string;
  refreshButton: string;
}

interface ConfirmCardData {
  lang: string;
  postId: string;
  notice: string;
  noticeStyle: string;
  prompt: string;
  ministry: string;
  title: string;
  paragraphs: string[];
  canConfirm: boolean;
  confirmButton: string;
}

const postCard = defineCard<PostCardData>(postTemplate);
const statusCard = defineCard<StatusCardData>(statusTemplate);
const confirmCard = defineCard<ConfirmCardData>(confirmTemplate);

/** At most this many names of those who have not acknowledged on the sender's card; the rest are counted. */
export const NOT_YET_NAMES = 10;

/** The post's paragraphs as typed (blank lines separate them), each escaped. */
export function paragraphsOf(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map(cardText);
}

/** The heading above the post, in the viewer's language. */
export function postHeading(post: PostDoc, lang: Lang): string {
  const t = POST_TEXTS[lang].card;
  if (post.from.role === 'kfi') return t.headingKfi;
  const name = AUTHORITY_NAMES[post.from.authority];
  return post.kind === 'appointment' ? t.headingAppointment(name) : t.headingIb(name);
}

/** The post as a recipient sees it; `acknowledgedAt` when they have acknowledged it. */
export function renderPostCard(post: PostDoc, lang: Lang, acknowledgedAt?: string): CardAttachment {
  const t = POST_TEXTS[lang].card;
  const asked = post.ackRequested;
  return postCard({
    lang,
    postId: post.pk,
    heading: postHeading(post, lang),
    title: cardText(post.title),
    paragraphs: paragraphsOf(post.text),
    from: t.from(cardText(post.senderName), formatBerlinDate((post.sentAt ?? post.createdAt).slice(0, 10), lang)),
    prompt: asked && !acknowledgedAt ? t.ackPrompt : '',
    acknowledged: asked && acknowledgedAt ? t.acknowledged(formatBerlin(new Date(acknowledgedAt), lang)) : '',
    ackButton: asked && !acknowledgedAt ? t.ackButton : '',
  });
}

/** "Anna Beispiel, Bert Beispiel und 3 weitere" (names escaped; unknown ones as such). */
export function namesLine(people: PostRecipient[], lang: Lang, max = NOT_YET_NAMES): string {
  const t = POST_TEXTS[lang].sender;
  const shown = people.slice(0, max).map((p) => (p.name ? cardText(p.name) : t.unknownName));
  const rest = people.length - shown.length;
  return shown.join(', ') + (rest > 0 ? ` ${t.more(rest)}` : '');
}

/** The audience line of the sender's card (`escape`: how Entra's department names are made safe; the tab escapes itself). */
export function audienceLine(post: PostDoc, lang: Lang, escape: (text: string) => string = cardText): string {
  const t = POST_TEXTS[lang].sender.audience;
  const a = post.audience;
  if (a.kind === 'departments') return t.departments(a.departments.map((d) => (lang === 'de' ? `„${escape(d)}“` : `"${escape(d)}"`)).join(', '), AUTHORITY_NAMES[a.authority]);
  return a.kind === 'authority' ? t.authority(AUTHORITY_NAMES[a.authority]) : a.kind === 'group' ? t.group : t.allIb;
}

/** "Zugestellt an 11 von 12; 1 unterwegs" for the sender. */
export function reachLine(status: PostStatus, lang: Lang): string {
  const t = POST_TEXTS[lang].sender;
  return [t.delivered(status.delivered, status.total), ...(status.unreachable ? [t.unreachable(status.unreachable)] : []), ...(status.pending ? [t.pending(status.pending)] : [])].join('; ');
}

/** What the sender sees of their post (and only they: the names of those who have not acknowledged). */
export function renderPostStatusCard(status: PostStatus, lang: Lang, remindLimit: number, notice = '', noticeStyle = 'default'): CardAttachment {
  const t = POST_TEXTS[lang].sender;
  const { post } = status;
  const asked = post.ackRequested;
  const open = asked && status.notAcknowledged.length > 0;
  const manual = post.reminders.filter((r) => !r.scheduled).length;
  return statusCard({
    lang,
    postId: post.pk,
    notice,
    noticeStyle,
    heading: t.heading(cardText(post.title)),
    audience: audienceLine(post, lang),
    reach: reachLine(status, lang),
    acknowledged: asked ? t.acknowledged(status.acknowledged, status.total) : t.noAckRequested,
    notYet: !asked ? '' : open ? t.notYet(namesLine(status.notAcknowledged, lang)) : t.allAcknowledged,
    reminders: [post.reminders.length ? t.reminders(post.reminders.length) : '', post.weekly && open ? t.weekly : ''].filter(Boolean).join(' '),
    ministry: post.ministryCopy && post.ministryCopy.state !== 'off' ? t.ministry[post.ministryCopy.state](cardText(post.ministryCopy.to)) : '',
    canRemind: open && manual < remindLimit,
    canRemindWeekly: open && !post.weekly,
    remindButton: t.remind,
    remindWeeklyButton: t.remindWeekly,
    refreshButton: t.refresh,
  });
}

/** The prepared appointment post for the new IB (or an administrator) to confirm. */
export function renderPostConfirmCard(post: PostDoc, lang: Lang, notice = '', noticeStyle = 'default'): CardAttachment {
  const t = POST_TEXTS[lang].appointment;
  return confirmCard({
    lang,
    postId: post.pk,
    notice,
    noticeStyle,
    prompt: t.confirmPrompt,
    ministry: post.ministryCopy && post.ministryCopy.state !== 'off' ? t.ministryCopy(cardText(post.ministryCopy.to)) : '',
    title: cardText(post.title),
    paragraphs: paragraphsOf(post.text),
    canConfirm: post.status === 'draft',
    confirmButton: t.confirm,
  });
}
