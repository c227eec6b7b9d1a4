/**
 * Information posts in the personal tab: the composer kind `post` (the IB to the staff of their authority, the KfI to
 * all IB), previewed with the card the recipients get (the tab's one preview mechanism, `/api/tab/preview`), and the
 * posts section (`GET /api/tab/posts`: what the viewer sent, with counts and, for them only, who has not acknowledged;
 * what they received), with `POST /api/tab/posts/:id/remind` and `POST /api/tab/posts/:id/ack`. Adapters only: the
 * service re-checks the viewer from the stored directory and post; the token alone says who asks.
 */
import type { Request, Response, Server } from 'restify';
import { audienceLine, postHeading, reachLine } from '../../cards/postCards';
import { AUTHORITY_NAMES, isAuthorityCode } from '../../services/directory/model';
import { POST_LIMITS, REMIND_LIMITS, type PostStatus, type PostView } from '../../services/posts/model';
import { postActivity } from '../../services/posts/notifications';
import { POST_REFUSALS, type AuthorityAudience, type PostInput, type PostService } from '../../services/posts/postService';
import { POST_TEXTS } from '../../services/posts/texts';
import type { Outcome, Refusal } from '../../services/workflow/outcome';
import { postRefusalText } from '../handlers/posts';
import { langOf, type Lang } from '../texts';
import type { ComposerField, ComposerKind, ComposerProblem, ComposerResult, Localized, TabComposer, TabViewer } from './sources';
import type { PostsWire, ReceivedPostWire, SentPostWire } from './postsWire';
import type { TabRouteKit } from './routeKit';

type PT = (typeof POST_TEXTS)['de'];
const both = (pick: (t: PT) => string): Localized => ({ de: pick(POST_TEXTS.de), en: pick(POST_TEXTS.en as PT) });

/** The composer's kind id of a post. */
export const POST_KIND = 'post';

/** Which composer field a refusal of the service is about. */
const FIELD_OF: Record<string, string> = {
  title: 'title',
  text: 'text',
  audience: 'audience',
  groupId: 'groupId',
  groupUnavailable: 'audience',
  groupUnknown: 'groupId',
  noRecipients: 'audience',
  tooManyRecipients: 'audience',
  departments: 'departments',
  departmentsTooMany: 'departments',
  departmentUnknown: 'departments',
  departmentsUnavailable: 'audience',
  departmentsNeedPermission: 'audience',
};

function problemOf(refusal: Refusal): ComposerProblem {
  const field = refusal.code === 'invalid' ? FIELD_OF[refusal.problems[0]?.field ?? ''] : undefined;
  return { ...(field ? { field } : {}), message: { de: postRefusalText('de', refusal), en: postRefusalText('en', refusal) } };
}

function audienceLabel(value: string): Localized {
  if (value.startsWith('authority:') || value.startsWith('departments:')) {
    const code = value.slice(value.indexOf(':') + 1);
    const name = isAuthorityCode(code) ? AUTHORITY_NAMES[code] : code;
    return value.startsWith('departments:') ? both((t) => t.composer.audience.departments(name)) : both((t) => t.composer.audience.authority(name));
  }
  return both((t) => (value === 'allIb' ? t.composer.audience.allIb : t.composer.audience.group));
}

/**
 * The audience field's hint: for each of the sender's authorities, what "all staff" means (the Entra staff group with
 * its size, or the staff the bot knows) and, where departments cannot be chosen, why.
 */
function audienceHint(own: AuthorityAudience[]): Localized | undefined {
  if (!own.length) return undefined;
  const line = (t: PT) =>
    own
      .map((a) => {
        const name = AUTHORITY_NAMES[a.authority];
        const staff = a.source === 'known' ? t.composer.staffKnown(name) : a.staff !== undefined ? t.composer.staffEntra(name, a.staff) : t.composer.staffEntraUnread(name);
        return [staff, a.noDepartments ? t.composer.noDepartments[a.noDepartments] : '', a.namesUnreadable ? t.composer.namesUnreadable : ''].filter(Boolean).join(' ');
      })
      .join(' ');
  return both(line);
}

/** The post kind as the viewer may compose it (their audiences as the select's options). */
function kindFor(allowed: string[], own: AuthorityAudience[]): ComposerKind {
  // Departments of one authority are offered (an IB of one authority, as the decree has it; the first with departments).
  const withDepartments = own.find((a) => a.departments.length > 0);
  const audiences = allowed.flatMap((value) => (withDepartments && value === `authority:${withDepartments.authority}` ? [value, `departments:${withDepartments.authority}`] : [value]));
  const hint = audienceHint(own);
  const fields: ComposerField[] = [
    { name: 'title', label: both((t) => t.composer.fields.title), type: 'text', required: true, maxLength: POST_LIMITS.title },
    { name: 'text', label: both((t) => t.composer.fields.text), type: 'textarea', required: true, maxLength: POST_LIMITS.text, hint: both((t) => t.composer.fields.textHint) },
    { name: 'audience', label: both((t) => t.composer.fields.audience), type: 'select', required: true, options: audiences.map((value) => ({ value, label: audienceLabel(value) })), ...(hint ? { hint } : {}) },
    ...(withDepartments
      ? [
          {
            name: 'departments',
            label: both((t) => t.composer.fields.departments),
            type: 'checkboxes' as const,
            // Entra allows 64 characters per department; one per line.
            maxLength: POST_LIMITS.departments * (POST_LIMITS.department + 1),
            hint: both((t) => t.composer.fields.departmentsHint),
            visibleWhen: { field: 'audience', startsWith: 'departments:' },
            options: withDepartments.departments.map((d) => ({ value: d.name, label: { de: `${d.name} (${d.count})`, en: `${d.name} (${d.count})` } })),
          },
        ]
      : []),
    ...(audiences.includes('group')
      ? [{ name: 'groupId', label: both((t) => t.composer.fields.groupId), type: 'text' as const, maxLength: 36, hint: both((t) => t.composer.fields.groupHint), visibleWhen: { field: 'audience', startsWith: 'group' } }]
      : []),
    {
      name: 'ack',
      label: both((t) => t.composer.fields.ack),
      type: 'select',
      required: true,
      options: [
        { value: 'yes', label: both((t) => t.composer.ack.yes) },
        { value: 'no', label: both((t) => t.composer.ack.no) },
      ],
    },
  ];
  const ib = audiences.some((a) => a.startsWith('authority:'));
  return {
    id: POST_KIND,
    label: both((t) => (ib ? t.composer.label : t.composer.labelKfi)),
    description: both((t) => t.composer.description),
    sendLabel: both((t) => t.composer.send),
    fields,
  };
}

const inputOf = (viewer: TabViewer, input: Record<string, string>): PostInput => ({
  tenantId: viewer.tenantId,
  title: input.title ?? '',
  text: input.text ?? '',
  audience: input.audience ?? '',
  ...(input.groupId ? { groupId: input.groupId } : {}),
  ...(input.departments ? { departments: input.departments } : {}),
  ack: input.ack === 'yes',
});

/** The post kind of the tab's composer. */
export function postsComposer(posts: PostService): TabComposer {
  const run = async <V, T>(result: Outcome<V>, ok: (value: V) => T): Promise<ComposerResult<T>> => {
    if (result.ok) return { ok: true, ...ok(result.value) };
    if (result.code === 'stale') throw new Error('unexpected stale outcome');
    return { ok: false, ...(result.code === 'forbidden' ? { forbidden: true } : {}), problems: [problemOf(result)] };
  };
  return {
    kinds: async (viewer) => {
      const audiences = posts.audiencesOf(viewer.aadObjectId);
      return audiences.length ? [kindFor(audiences, await posts.authorityAudiences(viewer.aadObjectId))] : [];
    },
    knows: (kind) => kind === POST_KIND,
    // Not offered means neither IB nor KfI: the posts' own refusal says who may send.
    notOffered: (kind) => (kind === POST_KIND ? problemOf({ ok: false, code: 'forbidden', reason: POST_REFUSALS.notIb }).message : undefined),
    preview: async (viewer, _kind, input) =>
      run(await posts.preview(viewer.aadObjectId, inputOf(viewer, input)), ({ reach, ...post }) => ({
        card: (postActivity(post, viewer.lang).attachments?.[0]?.content ?? {}) as Record<string, unknown>,
        note: both((t) => t.composer.reach(reach)),
      })),
    send: async (viewer, _kind, input) => run(await posts.send(viewer.aadObjectId, inputOf(viewer, input)), (post) => ({ message: both((t) => t.sender.sent(post.title, post.recipients.length)) })),
  };
}

/** Several composers as one (the circle's kinds and the posts'): each kind goes to the composer that knows it. */
export function combinedComposer(...composers: TabComposer[]): TabComposer {
  const owner = (kind: string) => composers.find((c) => c.knows?.(kind) ?? false) ?? composers[0]!;
  return {
    kinds: async (viewer) => (await Promise.all(composers.map((c) => c.kinds(viewer)))).flat(),
    knows: (kind) => composers.some((c) => c.knows?.(kind) ?? false),
    notOffered: (kind) => owner(kind).notOffered?.(kind),
    preview: (viewer, kind, input) => owner(kind).preview(viewer, kind, input),
    send: (viewer, kind, input) => owner(kind).send(viewer, kind, input),
  };
}

/** What the sender sees of one post in the tab. */
export function sentWire(status: PostStatus, lang: Lang): SentPostWire {
  const t = POST_TEXTS[lang].sender;
  const { post } = status;
  const open = post.ackRequested && status.notAcknowledged.length > 0;
  return {
    id: post.pk,
    title: post.title,
    sentAt: post.sentAt ?? post.createdAt,
    audience: audienceLine(post, lang, (text) => text),
    reach: reachLine(status, lang),
    acknowledged: post.ackRequested ? t.acknowledged(status.acknowledged, status.total) : t.noAckRequested,
    notAcknowledged: post.ackRequested ? status.notAcknowledged.map((p) => p.name ?? t.unknownName) : [],
    reminders: [post.reminders.length ? t.reminders(post.reminders.length) : '', post.weekly && open ? t.weekly : ''].filter(Boolean).join(' '),
    canRemind: open && post.reminders.filter((r) => !r.scheduled).length < REMIND_LIMITS.manual,
    canRemindWeekly: open && !post.weekly,
  };
}

function receivedWire(view: PostView, lang: Lang): ReceivedPostWire {
  const { post } = view;
  return {
    id: post.pk,
    title: post.title,
    heading: postHeading(post, lang),
    from: post.senderName,
    sentAt: post.sentAt ?? post.createdAt,
    ackRequested: post.ackRequested,
    ...(view.acknowledgedAt ? { acknowledgedAt: view.acknowledgedAt } : {}),
  };
}

const STATUS: Record<string, number> = { forbidden: 403, not_found: 404, closed: 409, unavailable: 400, invalid: 400 };

/** Registers `GET /api/tab/posts`, `POST /api/tab/posts/:id/remind` (`{weekly?: true}`) and `POST /api/tab/posts/:id/ack`. */
export function registerPostsRoutes(server: Server, posts: PostService, x: TabRouteKit): void {
  const lang = (req: Request): Lang => langOf(req.header('accept-language'));
  const refusal = (res: Response, l: Lang, r: Refusal) => x.json(res, STATUS[r.code] ?? 400, { code: r.code === 'invalid' ? 'BadRequest' : r.code, message: postRefusalText(l, r) });
  server.get(
    '/api/tab/posts',
    x.signedIn(async (req, res, identity) => {
      const l = lang(req);
      const { sent, received } = await posts.listFor(identity.aadObjectId);
      const t = POST_TEXTS[l];
      const body: PostsWire = {
        sent: sent.map((s) => sentWire(s, l)),
        received: received.map((r) => receivedWire(r, l)),
        labels: {
          sentHeading: l === 'de' ? 'Ihre Informationen' : 'Your information posts',
          receivedHeading: l === 'de' ? 'Informationen an Sie' : 'Information sent to you',
          remind: t.sender.remind,
          remindWeekly: t.sender.remindWeekly,
          acknowledge: t.card.ackButton,
          acknowledged: l === 'de' ? 'Zur Kenntnis genommen' : 'Acknowledged',
          notYet: l === 'de' ? 'Noch nicht zur Kenntnis genommen' : 'Not acknowledged yet',
          none: l === 'de' ? 'Noch keine Informationen.' : 'No information posts yet.',
        },
      };
      x.json(res, 200, body);
    }),
  );
  server.post(
    '/api/tab/posts/:id/remind',
    x.reader,
    x.signedInWithBody(async (req, res, identity, input) => {
      const l = lang(req);
      const id = String(req.params?.id ?? '');
      const result = input.weekly === true ? await posts.remindWeekly(identity.aadObjectId, id) : await posts.remind(identity.aadObjectId, id);
      if (result.ok) return x.json(res, 200, sentWire(result.value, l));
      if (result.code === 'stale') return x.json(res, 409, { code: 'stale', message: '' });
      refusal(res, l, result);
    }),
  );
  server.post(
    '/api/tab/posts/:id/ack',
    x.reader,
    x.signedIn(async (req, res, identity) => {
      const l = lang(req);
      const result = await posts.acknowledge(identity.aadObjectId, String(req.params?.id ?? ''));
      if (result.ok) return x.json(res, 200, receivedWire(result.value, l));
      if (result.code === 'stale') return x.json(res, 409, { code: 'stale', message: '' });
      refusal(res, l, result);
    }),
  );
}
