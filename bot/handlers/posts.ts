/**
 * Information posts in Teams (RdErl. v. 5.12.2023, Nr. 3, 5 b/c, 6): one small handler per card verb. Recipients
 * acknowledge a post on its card; the sender opens the status (counts, who has not acknowledged) and reminds. Posts are
 * written in the personal tab's composer (bot/tab/workflowSources.ts). Who may act is decided by the service from the
 * stored post and directory; card data only names the post.
 */
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { renderPostCard, renderPostConfirmCard, renderPostStatusCard } from '../../cards/postCards';
import type { Logger } from '../../services/logging';
import { POST_VERBS, REMIND_LIMITS, type PostStatus } from '../../services/posts/model';
import type { PostService } from '../../services/posts/postService';
import { POST_JOB_KINDS } from '../../services/posts/notifications';
import { POST_TEXTS } from '../../services/posts/texts';
import type { Outcome, Problem, Refusal } from '../../services/workflow/outcome';
import { personalDataReason, PERSONAL_DATA_ADVICE } from '../privacyTexts';
import { respond, type Rendering } from '../workflows/respond';
import type { Lang } from '../texts';
import type { CardVerb, Caller, Feature } from './types';

export interface PostsFeatureDeps {
  service: PostService;
  logger: Logger;
}

const postRef = z.object({ postId: z.string().min(6).max(80).regex(/^post-[0-9a-f-]{36}$/) }).passthrough();

/** A refusal in the posts' own words (the chat and the tab say the same). */
export function postRefusalText(lang: Lang, refusal: Refusal): string {
  const t = POST_TEXTS[lang];
  if (refusal.code === 'invalid') return postProblemText(lang, refusal.problems);
  const reason = (refusal.reason ?? '') as keyof typeof t.refusals;
  return t.refusals[reason] ?? (refusal.code === 'not_found' ? t.refusals.notFound : t.refusals.notIb);
}

/** The sentence for an input problem, naming the field (the composer shows it at that field). */
export function postProblemText(lang: Lang, problems: Problem[]): string {
  const t = POST_TEXTS[lang].problems;
  const p = problems[0];
  if (!p) return t.text;
  if (p.code === 'personal_data') {
    const field = (POST_TEXTS[lang].fieldNames as Record<string, string>)[p.field] ?? p.field;
    return `${t.personalData(field, personalDataReason(lang, p.kinds ?? []))} ${PERSONAL_DATA_ADVICE[lang]}`;
  }
  if (p.field === 'title') return p.code === 'too_long' ? t.titleTooLong : t.title;
  if (p.field === 'text') return p.code === 'too_long' ? t.textTooLong : t.text;
  const own = (t as unknown as Record<string, unknown>)[p.field];
  return typeof own === 'string' ? own : t.audience;
}

/** The posts' verbs and jobs. */
export function postsFeature(deps: PostsFeatureDeps): Feature {
  const { service } = deps;
  const answer = async <T>(context: TurnContext, caller: Caller, verb: string, result: Outcome<T>, card: (value: T, notice: string, style: string) => Record<string, unknown>, saved: string) => {
    if (!result.ok && result.code === 'forbidden') deps.logger.warn({ event: 'posts.refused', verb, code: result.reason ?? 'forbidden', activityId: context.activity.id }, 'post action refused');
    const rendering: Rendering<T> = {
      card: async (value, notice, style) => card(value, notice, style),
      saved,
      stale: () => '',
      refusalText: (r) => postRefusalText(caller.lang, r),
    };
    return respond(result, caller.lang, rendering);
  };
  const statusCard = (lang: Lang) => (status: PostStatus, notice: string, style: string) => renderPostStatusCard(status, lang, REMIND_LIMITS.manual, notice, style).content;

  const verbs: CardVerb<z.infer<typeof postRef>>[] = [
    {
      verb: POST_VERBS.ack,
      schema: postRef,
      run: async (context, caller, data) =>
        answer(context, caller, POST_VERBS.ack, await service.acknowledge(caller.aadObjectId, data.postId), (v) => renderPostCard(v.post, caller.lang, v.acknowledgedAt).content, ''),
    },
    {
      verb: POST_VERBS.status,
      schema: postRef,
      run: async (context, caller, data) => answer(context, caller, POST_VERBS.status, await service.status(caller.aadObjectId, data.postId), statusCard(caller.lang), ''),
    },
    {
      verb: POST_VERBS.remind,
      schema: postRef,
      run: async (context, caller, data) => {
        const result = await service.remind(caller.aadObjectId, data.postId);
        const reminded = result.ok ? (result.value.post.reminders.at(-1)?.to ?? 0) : 0;
        return answer(context, caller, POST_VERBS.remind, result, statusCard(caller.lang), POST_TEXTS[caller.lang].sender.reminded(reminded));
      },
    },
    {
      verb: POST_VERBS.remindWeekly,
      schema: postRef,
      run: async (context, caller, data) =>
        answer(context, caller, POST_VERBS.remindWeekly, await service.remindWeekly(caller.aadObjectId, data.postId), statusCard(caller.lang), POST_TEXTS[caller.lang].sender.weeklyStarted),
    },
    {
      verb: POST_VERBS.confirm,
      schema: postRef,
      run: async (context, caller, data) =>
        answer(context, caller, POST_VERBS.confirm, await service.confirm(caller.aadObjectId, data.postId, caller.tenantId), (post, notice, style) => renderPostConfirmCard(post, caller.lang, notice, style).content, POST_TEXTS[caller.lang].appointment.confirmed),
    },
  ];
  return {
    name: 'posts',
    // Posts go to personal chats; the status names people: nothing of it in a group chat or channel.
    personalOnly: true,
    verbs,
    jobs: { ...service.jobHandlers(), [POST_JOB_KINDS.appointments]: async () => ({ next: await service.checkAppointments() }) },
    help: {
      de: [
        {
          heading: 'Informationen an Beschäftigte (für IB und KfI)',
          description:
            'Im Tab unter „Verfassen“ eine Information an die Beschäftigten Ihrer Bezirksregierung oder an ausgewählte Abteilungen senden (das KfI an alle IB), auf Wunsch mit der Bitte um Kenntnisnahme. Nur Sie sehen, wer sie zur Kenntnis genommen hat, und können die anderen erinnern.',
          examples: 'Tab „Integrations-Lotse“ › „Verfassen“ › „Information an Beschäftigte“ (KfI: „Information an alle IB“)',
          audience: ['commissioner', 'kfi'],
        },
      ],
      en: [
        {
          heading: 'Information for staff (for commissioners and the KfI)',
          description:
            'In the tab, under "Compose", send information to the staff of your authority or to chosen departments (the KfI to all commissioners), if you like with a request to acknowledge it. Only you see who has acknowledged it, and you can remind the others.',
          examples: 'Tab "Integrations-Lotse" › "Compose" › "Information to staff" (KfI: "Information to all IB")',
          audience: ['commissioner', 'kfi'],
        },
      ],
    },
  };
}
