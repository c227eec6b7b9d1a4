import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { CardAttachment } from '../../cards/defineCard';
import { meetingWhen, renderMeetingCard, renderMeetingForm, renderOverviewCard, renderPollCard, renderPollForm, type CardStatus, type CircleLang } from '../../cards/circleViews';
import type { LiveAnswers } from '../../services/answers/liveAnswers';
import { FORBIDDEN_REASONS, type CircleProfiles, type CircleService } from '../../services/circle/circleService';
import { CIRCLE_VERBS, DELIVERY_MODES, POLL_CHOICES, RSVP_ANSWERS, type MeetingView, type PollChoice, type PollView } from '../../services/circle/model';
import { CIRCLE_MESSAGES } from '../../services/circle/texts';
import type { Logger } from '../../services/logging';
import { messageText } from '../../services/text/escape';
import type { UserProfileRepository } from '../../services/users/userProfiles';
import type { Outcome, Problem, Refusal } from '../../services/workflow/outcome';
import { PERSONAL_DATA_ADVICE, personalDataReason } from '../privacyTexts';
import { conversationRefOf } from '../teamsBot';
import { respond, type Rendering } from '../workflows/respond';
import { refreshIdsFrom } from './refreshIds';
import { langOf, type Lang } from '../texts';
import { invokeResponse, type CardVerb, type Caller, type Feature } from './types';

export interface CircleFeatureDeps {
  service: CircleService;
  live: LiveAnswers;
  profiles: UserProfileRepository;
  logger: Logger;
}

const OVERVIEW_WORDS = new Set(['koordinierungskreis', 'nächste sitzung', 'naechste sitzung', 'coordination circle', 'next meeting']);
const POLL_WORDS = new Set(['terminumfrage', 'neue terminumfrage', 'date poll', 'new date poll']);
const ANNOUNCE_WORDS = new Set(['sitzung ankündigen', 'sitzung ankuendigen', 'announce meeting', 'announce a meeting']);
const CHANNEL_WORDS = new Set(['koordinierungskreis hier posten', 'post the circle here', 'post circle here']);

const M = CIRCLE_MESSAGES;

const id = z.string().min(1).max(80).regex(/^[A-Za-z0-9:_-]+$/);
const text = (max: number) => z.string().max(max).optional();
const pollRef = z.object({ pollId: id }).passthrough();
const meetingRef = z.object({ meetingId: id }).passthrough();
const formSchema = z.record(z.string(), z.unknown());

/** One zod schema per verb. */
const SCHEMAS = {
  guestAdd: z.object({ guestId: z.string().max(80), guestName: text(500) }).passthrough(),
  form: formSchema,
  pollRef,
  meetingRef,
  pollClose: z.object({ pollId: id, slotId: text(20), rsvpDeadline: text(10) }).passthrough(),
  meetingSave: z.object({ meetingId: z.union([z.literal(''), id]).optional() }).passthrough(),
  rsvp: z.object({ meetingId: id, rsvp: z.enum(RSVP_ANSWERS), delegate: text(500) }).passthrough(),
  topicPropose: z.object({ meetingId: id, topicTitle: text(1000), topicDescription: text(2000), topicPresenter: text(500) }).passthrough(),
  topicAccept: z.object({ meetingId: id, topicId: z.string().regex(/^topic:[0-9a-f-]{36}$/) }).passthrough(),
  topicReject: z.object({ meetingId: id, topicId: z.string().regex(/^topic:[0-9a-f-]{36}$/) }).passthrough(),
  topicUp: z.object({ meetingId: id, topicId: z.string().regex(/^topic:[0-9a-f-]{36}$/) }).passthrough(),
  minutes: z.object({ meetingId: id, minutes: text(10_000) }).passthrough(),
  /** The reason is checked by the service (required, length, privacy guard); here only its type and a sane size. */
  meetingCancel: z.object({ meetingId: id, cancelReason: text(2000) }).passthrough(),
  actionAdd: z.object({ meetingId: id, actionTitle: text(1000), actionOwner: text(80), actionDue: text(10) }).passthrough(),
};

const card = (attachment: CardAttachment) => MessageFactory.attachment(CardFactory.adaptiveCard(attachment.content));
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** What the circle learns of people from their stored profiles (languages, Teams ids for card refresh). */
export function circleProfiles(profiles: Pick<UserProfileRepository, 'get'>): CircleProfiles {
  return {
    langOf: async (aadObjectId) => langOf((await profiles.get(aadObjectId).catch(() => undefined))?.locale),
    refreshIds: refreshIdsFrom(profiles, 0),
  };
}

/** The polite sentence for input problems of the circle (the chat and the personal tab's composer say the same). */
export function circleProblemText(l: CircleLang, problems: Problem[]): string {
  const t = M[l];
  const p = problems[0];
  if (!p) return t.invalidDefault;
  if (p.code === 'personal_data') {
    const field = (t.fields as Record<string, string>)[p.field] ?? p.field;
    return `${t.fieldRefused(field, personalDataReason(l, p.kinds ?? []))} ${PERSONAL_DATA_ADVICE[l]}`;
  }
  if (p.code === 'past_date') return t.past;
  if (p.field === 'noChannel') return t.noChannel;
  return (t.invalid as Record<string, string>)[p.field] ?? t.invalidDefault;
}

/** Each input problem's sentence by its field, for the KfI's forms to show at the field. */
export function fieldErrors(l: CircleLang, problems: Problem[]): Record<string, string> {
  return Object.fromEntries(problems.map((p) => [p.field, circleProblemText(l, [p])]));
}

/** The circle's own wording for a refusal. */
export function circleRefusalText(l: CircleLang, refusal: Refusal): string {
  const t = M[l];
  switch (refusal.code) {
    case 'forbidden':
      return refusal.reason === FORBIDDEN_REASONS.member ? t.notMember : t.kfiOnly;
    case 'not_found':
      return t.notFound;
    case 'closed':
      return t.closed;
    case 'unavailable':
      return t.noChannel;
    case 'invalid':
      return circleProblemText(l, refusal.problems);
  }
}

/** The Koordinierungskreis in Teams: commands, one small handler per card verb, the next-meeting answer and the jobs. */
export function circleFeature(deps: CircleFeatureDeps): Feature {
  const { service } = deps;
  const lang = (caller: Caller): CircleLang => caller.lang;
  const kfiContact = (l: Lang) => {
    const kfi = deps.live.engine.directory.kfi;
    return `${kfi.name}, ${kfi.email}${kfi.phone ? `, ${l === 'de' ? 'Tel.' : 'phone'} ${kfi.phone}` : ''}`;
  };
  const refreshIds = refreshIdsFrom(deps.profiles);
  const channelKnown = async () => !!(await service.settings())?.channel;

  /**
   * The one mapping (bot/workflows/respond.ts) with the circle's rendering: the card after the action with `saved` on
   * top, refusals in the circle's words (forbidden ones logged, ids and codes only), and input problems as the card or
   * form again with what the caller typed.
   */
  const answer = async <T>(
    context: TurnContext,
    caller: Caller,
    verb: string,
    result: Outcome<T>,
    show: (value: T, status: string, style: 'good' | 'attention' | 'default') => Promise<Record<string, unknown>>,
    saved: string,
    again?: (message: string, problems: Problem[]) => Promise<Record<string, unknown>>,
  ) => {
    const l = lang(caller);
    if (!result.ok && result.code === 'forbidden') deps.logger.warn({ event: 'circle.refused', verb, code: result.reason ?? 'forbidden', activityId: context.activity.id }, 'circle action refused');
    const rendering: Rendering<T> = {
      // The circle confirms every action, also one that changed nothing (the same answer twice).
      card: (value, notice, style) => show(value, notice || saved, notice ? (style === 'warning' ? 'attention' : style) : saved ? 'good' : 'default'),
      saved,
      stale: () => '',
      refusalText: (r) => circleRefusalText(l, r),
      // Input problems in the circle's words: the card or form again with what was typed, else an error.
      invalid: async (problems: Problem[]) => {
        const message = circleProblemText(l, problems);
        return again ? invokeResponse.card(await again(message, problems)) : invokeResponse.error(400, 'BadRequest', message);
      },
    };
    return respond(result, l, rendering);
  };

  const pollCard = async (caller: Caller, view: PollView, status?: string, statusStyle: 'good' | 'attention' | 'default' = 'good') =>
    renderPollCard(view, lang(caller), { status, statusStyle, refreshUserIds: await refreshIds(view.members) }).content;
  /** `inputs` refills what the caller typed after a refused action. */
  const meetingCard = async (caller: Caller, view: MeetingView, status?: string, statusStyle: 'good' | 'attention' | 'default' = 'good', inputs?: CardStatus['inputs']) =>
    renderMeetingCard(view, lang(caller), { status, statusStyle, refreshUserIds: await refreshIds(view.members), inputs }).content;
  /** The caller's current poll/meeting card with a message (after a refused input). */
  const pollAgain = (caller: Caller, pollId: string) => async (msg: string) => {
    const o = await service.showPoll(caller.aadObjectId, pollId);
    return o.ok ? pollCard(caller, o.value, msg, 'attention') : { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: msg, wrap: true }] };
  };
  const meetingAgain = (caller: Caller, meetingId: string, inputs?: CardStatus['inputs']) => async (msg: string) => {
    const o = await service.showMeeting(caller.aadObjectId, meetingId);
    return o.ok ? meetingCard(caller, o.value, msg, 'attention', inputs) : { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: msg, wrap: true }] };
  };

  const overviewCard = async (caller: Caller, status?: string) => {
    const o = await service.overviewFor(caller.aadObjectId);
    const guests = o.isKfi ? ((await service.settings())?.guests ?? []).map((g) => g.name) : [];
    const rendered = renderOverviewCard(o, lang(caller), kfiContact(caller.lang), guests);
    if (status) (rendered.content.body as unknown[]).splice(2, 0, { type: 'TextBlock', text: status, wrap: true, weight: 'Bolder' });
    return rendered;
  };
  const overview = async (context: TurnContext, caller: Caller) => {
    await context.sendActivity(card(await overviewCard(caller)));
  };
  /** The KfI's forms: anyone else is refused as for any KfI action. */
  const kfiForm = async (context: TurnContext, caller: Caller, verb: string, form: () => Promise<CardAttachment>) =>
    answer(context, caller, verb, service.isKfi(caller.aadObjectId) ? { ok: true as const, value: true, changed: false } : { ok: false as const, code: 'forbidden' as const, reason: FORBIDDEN_REASONS.kfi }, async () => (await form()).content, '');
  const values = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, str(v)]));
  const V = CIRCLE_VERBS;

  /** One small handler per verb. */
  const handlers = {
    guestAdd: async (context: TurnContext, caller: Caller, data: z.infer<typeof SCHEMAS.guestAdd>) =>
      answer(context, caller, V.guestAdd, await service.addGuest(caller.aadObjectId, { aadObjectId: data.guestId, name: data.guestName ?? '' }), async (_v, status) => (await overviewCard(caller, status)).content, M[lang(caller)].saved, async (msg) => (await overviewCard(caller, msg)).content),
    pollNew: (context: TurnContext, caller: Caller) => kfiForm(context, caller, V.pollNew, async () => renderPollForm(lang(caller), { channel: await channelKnown() })),
    pollCreate: async (context: TurnContext, caller: Caller, data: Record<string, unknown>) => {
      const v = values(data);
      const result = await service.createPoll(caller.aadObjectId, {
        tenantId: caller.tenantId,
        title: v.title,
        place: v.place,
        onlineUrl: v.onlineUrl,
        durationMinutes: Number(v.duration || 120),
        slots: Array.from({ length: 10 }, (_, i) => ({ date: v[`slot${i + 1}Date`] ?? '', time: v[`slot${i + 1}Time`] ?? '' })),
        delivery: DELIVERY_MODES.find((d) => d === v.delivery),
      });
      return answer(context, caller, V.pollCreate, result, (view, s, st) => pollCard(caller, view, s, st), M[lang(caller)].pollCreated, async (msg, problems) =>
        renderPollForm(lang(caller), { channel: await channelKnown(), status: msg, values: v, errors: fieldErrors(lang(caller), problems) }).content);
    },
    pollAnswer: async (context: TurnContext, caller: Caller, data: z.infer<typeof pollRef>) => {
      const choices: Record<string, PollChoice> = {};
      for (const [key, value] of Object.entries(data)) if (key.startsWith('slot_') && POLL_CHOICES.includes(value as PollChoice)) choices[key.slice(5)] = value as PollChoice;
      const result = await service.answerPoll(caller.aadObjectId, data.pollId, choices);
      return answer(context, caller, V.pollAnswer, result, (view, s, st) => pollCard(caller, view, s, st), M[lang(caller)].answerSaved, pollAgain(caller, data.pollId));
    },
    pollShow: async (context: TurnContext, caller: Caller, data: z.infer<typeof pollRef>) =>
      answer(context, caller, V.pollShow, await service.showPoll(caller.aadObjectId, data.pollId), (view) => pollCard(caller, view), ''),
    pollRemind: async (context: TurnContext, caller: Caller, data: z.infer<typeof pollRef>) => {
      const result = await service.remindPoll(caller.aadObjectId, data.pollId);
      const reminded = result.ok ? result.value.reminded : 0;
      return answer(context, caller, V.pollRemind, result, (v) => pollCard(caller, v.view, M[lang(caller)].reminded(reminded)), M[lang(caller)].reminded(reminded), pollAgain(caller, data.pollId));
    },
    pollClose: async (context: TurnContext, caller: Caller, data: z.infer<typeof SCHEMAS.pollClose>) => {
      const result = await service.closePoll(caller.aadObjectId, data.pollId, { slotId: data.slotId || undefined, rsvpDeadline: data.rsvpDeadline || undefined });
      return answer(context, caller, V.pollClose, result, (view, s, st) => meetingCard(caller, view, s, st), M[lang(caller)].meetingAnnounced, pollAgain(caller, data.pollId));
    },
    meetingNew: (context: TurnContext, caller: Caller) => kfiForm(context, caller, V.meetingNew, async () => renderMeetingForm(lang(caller), { channel: await channelKnown() })),
    meetingEdit: async (context: TurnContext, caller: Caller, data: z.infer<typeof meetingRef>) =>
      answer(context, caller, V.meetingEdit, await service.meetingForEdit(caller.aadObjectId, data.meetingId), async (meeting) => renderMeetingForm(lang(caller), { channel: await channelKnown(), meeting }).content, ''),
    meetingSave: async (context: TurnContext, caller: Caller, data: Record<string, unknown>) => {
      const v = values(data);
      const input = { title: v.title, date: v.date, startTime: v.startTime, endTime: v.endTime, place: v.place, onlineUrl: v.onlineUrl, agendaText: v.agendaText, rsvpDeadline: v.rsvpDeadline };
      const existing = v.meetingId || '';
      const result = existing
        ? await service.updateMeeting(caller.aadObjectId, existing, input)
        : await service.announceMeeting(caller.aadObjectId, { ...input, tenantId: caller.tenantId, delivery: DELIVERY_MODES.find((d) => d === v.delivery) });
      const again = async (msg: string, problems: Problem[]) => {
        const stored = existing ? await service.meetingForEdit(caller.aadObjectId, existing) : undefined;
        return renderMeetingForm(lang(caller), { channel: await channelKnown(), status: msg, values: v, errors: fieldErrors(lang(caller), problems), ...(stored?.ok ? { meeting: stored.value } : {}) }).content;
      };
      return answer(context, caller, V.meetingSave, result, (view, s, st) => meetingCard(caller, view, s, st), existing ? M[lang(caller)].meetingChanged : M[lang(caller)].meetingAnnounced, again);
    },
    meetingShow: async (context: TurnContext, caller: Caller, data: z.infer<typeof meetingRef>) =>
      answer(context, caller, V.meetingShow, await service.showMeeting(caller.aadObjectId, data.meetingId), (view) => meetingCard(caller, view), ''),
    meetingCancel: async (context: TurnContext, caller: Caller, data: z.infer<typeof SCHEMAS.meetingCancel>) =>
      answer(context, caller, V.meetingCancel, await service.cancelMeeting(caller.aadObjectId, data.meetingId, data.cancelReason ?? ''), (view, s, st) => meetingCard(caller, view, s, st), M[lang(caller)].cancelled, meetingAgain(caller, data.meetingId, { cancelReason: data.cancelReason })),
    meetingRsvp: async (context: TurnContext, caller: Caller, data: z.infer<typeof SCHEMAS.rsvp>) =>
      answer(context, caller, V.meetingRsvp, await service.rsvp(caller.aadObjectId, data.meetingId, data.rsvp, data.delegate), (view, s, st) => meetingCard(caller, view, s, st), M[lang(caller)].rsvpSaved, meetingAgain(caller, data.meetingId, { delegate: data.delegate })),
    topicPropose: async (context: TurnContext, caller: Caller, data: z.infer<typeof SCHEMAS.topicPropose>) => {
      const result = await service.proposeTopic(caller.aadObjectId, data.meetingId, { title: data.topicTitle ?? '', description: data.topicDescription, presenter: data.topicPresenter });
      return answer(context, caller, V.topicPropose, result, (view, s, st) => meetingCard(caller, view, s, st), M[lang(caller)].topicProposed, meetingAgain(caller, data.meetingId, { topicTitle: data.topicTitle, topicDescription: data.topicDescription, topicPresenter: data.topicPresenter }));
    },
    topicAccept: async (context: TurnContext, caller: Caller, data: z.infer<typeof SCHEMAS.topicAccept>) =>
      answer(context, caller, V.topicAccept, await service.decideTopic(caller.aadObjectId, data.meetingId, data.topicId, 'accept'), (view, s, st) => meetingCard(caller, view, s, st), M[lang(caller)].saved),
    topicReject: async (context: TurnContext, caller: Caller, data: z.infer<typeof SCHEMAS.topicReject>) =>
      answer(context, caller, V.topicReject, await service.decideTopic(caller.aadObjectId, data.meetingId, data.topicId, 'reject'), (view, s, st) => meetingCard(caller, view, s, st), M[lang(caller)].saved),
    topicUp: async (context: TurnContext, caller: Caller, data: z.infer<typeof SCHEMAS.topicUp>) =>
      answer(context, caller, V.topicUp, await service.decideTopic(caller.aadObjectId, data.meetingId, data.topicId, 'up'), (view, s, st) => meetingCard(caller, view, s, st), M[lang(caller)].saved),
    agendaPublish: async (context: TurnContext, caller: Caller, data: z.infer<typeof meetingRef>) =>
      answer(context, caller, V.agendaPublish, await service.publishAgenda(caller.aadObjectId, data.meetingId), (view, s, st) => meetingCard(caller, view, s, st), M[lang(caller)].saved),
    minutesPost: async (context: TurnContext, caller: Caller, data: z.infer<typeof SCHEMAS.minutes>) =>
      answer(context, caller, V.minutesPost, await service.postMinutes(caller.aadObjectId, data.meetingId, data.minutes ?? ''), (view, s, st) => meetingCard(caller, view, s, st), M[lang(caller)].saved, meetingAgain(caller, data.meetingId, { minutes: data.minutes })),
    actionAdd: async (context: TurnContext, caller: Caller, data: z.infer<typeof SCHEMAS.actionAdd>) => {
      const result = await service.addActionItem(caller.aadObjectId, data.meetingId, { title: data.actionTitle ?? '', owner: data.actionOwner ?? '', due: data.actionDue ?? '' });
      return answer(context, caller, V.actionAdd, result, (view, s, st) => meetingCard(caller, view, s, st), M[lang(caller)].saved, meetingAgain(caller, data.meetingId, { actionTitle: data.actionTitle }));
    },
  };

  const verb = <T>(name: string, schema: z.ZodType<T>, run: (context: TurnContext, caller: Caller, data: T) => Promise<import('botbuilder').AdaptiveCardInvokeResponse>): CardVerb<T> => ({ verb: name, schema, run });
  const verbs: CardVerb<any>[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any -- each verb carries its own schema
    verb(V.guestAdd, SCHEMAS.guestAdd, handlers.guestAdd),
    verb(V.pollNew, SCHEMAS.form, handlers.pollNew),
    verb(V.pollCreate, SCHEMAS.form, handlers.pollCreate),
    verb(V.pollAnswer, SCHEMAS.pollRef, handlers.pollAnswer),
    verb(V.pollRefresh, SCHEMAS.pollRef, handlers.pollShow),
    verb(V.pollShow, SCHEMAS.pollRef, handlers.pollShow),
    verb(V.pollRemind, SCHEMAS.pollRef, handlers.pollRemind),
    verb(V.pollClose, SCHEMAS.pollClose, handlers.pollClose),
    verb(V.meetingNew, SCHEMAS.form, handlers.meetingNew),
    verb(V.meetingEdit, SCHEMAS.meetingRef, handlers.meetingEdit),
    verb(V.meetingSave, SCHEMAS.meetingSave, handlers.meetingSave),
    verb(V.meetingRefresh, SCHEMAS.meetingRef, handlers.meetingShow),
    verb(V.meetingShow, SCHEMAS.meetingRef, handlers.meetingShow),
    verb(V.meetingCancel, SCHEMAS.meetingCancel, handlers.meetingCancel),
    verb(V.meetingRsvp, SCHEMAS.rsvp, handlers.meetingRsvp),
    verb(V.topicPropose, SCHEMAS.topicPropose, handlers.topicPropose),
    verb(V.topicAccept, SCHEMAS.topicAccept, handlers.topicAccept),
    verb(V.topicReject, SCHEMAS.topicReject, handlers.topicReject),
    verb(V.topicUp, SCHEMAS.topicUp, handlers.topicUp),
    verb(V.agendaPublish, SCHEMAS.meetingRef, handlers.agendaPublish),
    verb(V.minutesPost, SCHEMAS.minutes, handlers.minutesPost),
    verb(V.actionAdd, SCHEMAS.actionAdd, handlers.actionAdd),
  ];

  const kfiCommand = (render: (caller: Caller) => Promise<CardAttachment>) => async (context: TurnContext, caller: Caller) => {
    if (!service.isKfi(caller.aadObjectId)) {
      await context.sendActivity(M[caller.lang].kfiOnly);
      return;
    }
    await context.sendActivity(card(await render(caller)));
  };

  return {
    name: 'circle',
    commands: [
      // The overview shows the person's own answers and RSVPs: personal chat only.
      { id: 'circle.overview', personalOnly: true, matches: (t) => OVERVIEW_WORDS.has(t), run: overview },
      { id: 'circle.poll', matches: (t) => POLL_WORDS.has(t), run: kfiCommand(async (caller) => renderPollForm(caller.lang, { channel: await channelKnown() })) },
      { id: 'circle.announce', matches: (t) => ANNOUNCE_WORDS.has(t), run: kfiCommand(async (caller) => renderMeetingForm(caller.lang, { channel: await channelKnown() })) },
      {
        id: 'circle.channel',
        matches: (t) => CHANNEL_WORDS.has(t),
        run: async (context, caller) => {
          const t = M[caller.lang];
          if (!service.isKfi(caller.aadObjectId)) {
            deps.logger.warn({ event: 'circle.refused', verb: 'circle.channel', code: 'CIRCLE_FORBIDDEN', activityId: context.activity.id }, 'circle action refused');
            await context.sendActivity(t.kfiOnly);
            return;
          }
          if (context.activity.conversation.conversationType !== 'channel') {
            await context.sendActivity(t.channelOnly);
            return;
          }
          const ref = conversationRefOf(context);
          const at = ref.conversationId.indexOf(';messageid=');
          await service.designateChannel(caller.aadObjectId, { ...ref, conversationId: at === -1 ? ref.conversationId : ref.conversationId.slice(0, at), userId: undefined });
          await context.sendActivity(t.channelSet);
        },
      },
    ],
    verbs,
    intents: {
      'circle.next_meeting': async (context, caller) => {
        const l = caller.lang;
        const next = await service.nextMeeting();
        if (!next) {
          await context.sendActivity(M[l].noMeeting(messageText(kfiContact(l))));
          return true;
        }
        const members = await service.members();
        if (members.some((m) => m.aadObjectId === caller.aadObjectId)) {
          const shown = await service.showMeeting(caller.aadObjectId, next.pk);
          if (shown.ok) await context.sendActivity(card(renderMeetingCard(shown.value, l, { refreshUserIds: await refreshIds(members) })));
        } else {
          await context.sendActivity(M[l].nextMeeting(messageText(next.title), meetingWhen(next, l), messageText(next.place ?? '')));
        }
        return true;
      },
    },
    jobs: service.jobHandlers(),
    help: {
      de: [
        {
          heading: 'Koordinierungskreis',
          description: 'Nächste Sitzung, offene Terminumfragen, Rückmeldung (Zusage, Absage, Vertretung), Themen vorschlagen, Kalenderdatei. Das KfI legt Umfragen an und kündigt Sitzungen an.',
          examples: '„Koordinierungskreis“ · „Nächste Sitzung“ · „Terminumfrage“ (KfI) · „Sitzung ankündigen“ (KfI) · „Koordinierungskreis hier posten“ (KfI, im Kanal)',
          audience: ['circle', 'kfi'],
        },
      ],
      en: [
        {
          heading: 'Coordination circle',
          description: 'Next meeting, open date polls, your reply (attending, not attending, sending someone), topic proposals, calendar file. The KfI creates polls and announces meetings.',
          examples: '"Koordinierungskreis" · "next meeting" · "Terminumfrage" (KfI) · "announce meeting" (KfI) · "Koordinierungskreis hier posten" (KfI, in the channel)',
          audience: ['circle', 'kfi'],
        },
      ],
    },
  };
}
