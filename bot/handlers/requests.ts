/**
 * Anliegen (staff → their IB, RdErl. Nr. 5) and Vortrag (IB → the authority head, Nr. 4) in Teams: the commands and
 * one small function per card verb. Each calls `RequestService` and maps its outcome with the one `respond`
 * (bot/workflows/respond.ts); what the cards show is in services/requests/views.ts, who is told what in
 * services/requests/notifications.ts, every word in services/requests/texts.
 */
import { CardFactory, MessageFactory, type AdaptiveCardInvokeResponse, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { LiveAnswers } from '../../services/answers/liveAnswers';
import { AUTHORITY_CODES, AUTHORITY_NAMES, isAuthorityCode, type AuthorityCode } from '../../services/directory/model';
import { isCommissionerSide, rolesOf } from '../../services/directory/roles';
import type { Logger } from '../../services/logging';
import { requestJobs } from '../../services/requests/jobs';
import type { HeadReachDeps } from '../../services/requests/headReach';
import { DECISION_VERBS, KFI_CHOICE, LEGACY_ACT_VERB, LEGACY_DECIDE_VERB, REPORT_DECISIONS, REQUEST_VERBS, STATUS_LABELS, type ItemDoc, type Party, type ReportDecision } from '../../services/requests/model';
import type { RequestNotifier } from '../../services/requests/notifications';
import { JOB_KINDS, type ItemView, type RequestAction, type RequestService } from '../../services/requests/requestService';
import { HAND_IN_FILE_VERB, parsePaperChoice, renderPaperFileCard } from '../../services/requests/paperFile';
import { REQUEST_TEXTS } from '../../services/requests/texts';
import type { FormRefusal, RequestViews, TypedValues } from '../../services/requests/views';
import { formatBerlinDate } from '../../services/common/berlinTime';
import { messageText } from '../../services/text/escape';
import type { Refusal } from '../../services/workflow/outcome';
import type { UserProfile } from '../../services/users/userProfiles';
import { splitIntoMessages } from '../delivery/longMessages';
import { personalDataKinds } from '../privacyTexts';
import { PROFILE_KEY } from '../teamsBot';
import { texts as botTexts, type Lang } from '../texts';
import { refusalResponse, respond, type Rendering } from '../workflows/respond';
import { paperFileHandlers, type PaperFileSettings } from './paperFiles';
import { invokeResponse, type Caller, type CardVerb, type Feature, type ReceivedFile } from './types';

export interface RequestsFeatureDeps {
  live: LiveAnswers;
  service: RequestService;
  views: RequestViews;
  /** Carries out notices; the reminder job hands its own over with it; the invitation's retry job runs Graph again. */
  notifier: Pick<RequestNotifier, 'deliver'> & Partial<Pick<RequestNotifier, 'retryInvitation'>>;
  logger: Logger;
  /** The paper as a file: where it is held, and the limits (bot/handlers/paperFiles.ts). Without it files are refused. */
  paperFiles?: PaperFileSettings;
  /** What the Vortrag's head-reach check job needs (services/requests/headReach.ts). */
  headReach: HeadReachDeps;
}

const COMMANDS = {
  form: new Set(['anliegen', 'neues anliegen', 'anliegen senden', 'anliegen stellen', 'request', 'new request', 'send a request']),
  mine: new Set(['meine anliegen', 'my requests']),
  inbox: new Set(['offene vorgänge', 'offene vorgaenge', 'posteingang', 'inbox', 'open items']),
  report: new Set(['vortrag', 'neuer vortrag', 'vortrag anmelden', 'report', 'new report']),
  reports: new Set(['vorträge', 'vortraege', 'meine vorträge', 'reports', 'my reports']),
  export: new Set(['export', 'vorgänge exportieren', 'vorgaenge exportieren', 'export vorgänge', 'export items']),
};

// Card data is untrusted: lengths are capped generously here, the service checks the real limits politely.
const str = z.string().max(20_000).optional();
const ref = { id: z.string().min(1).max(100), authority: z.enum(AUTHORITY_CODES) };
const rev = z.coerce.number().int().min(0).max(1_000_000);
const schemas = {
  /** The Anliegen form: first the kind (`category` absent), then the form for the kind chosen. */
  start: z.object({ authority: z.string().max(20).optional(), category: z.string().max(40).optional() }).passthrough(),
  submit: z.object({ authority: str, category: str, subject: str, description: str, deadline: str, department: str, measure: str, plannedDate: str }).passthrough(),
  /** Übernehmen, Erledigt. */
  step: z.object({ ...ref, rev }).passthrough(),
  /**
   * Rückfrage (`question`), Antworten (`answer`), the requester's reply (`reply`): each action has its own input
   * (services/requests/views.ts ITEM_INPUTS); `text` is what cards posted before that send.
   */
  text: z.object({ ...ref, rev, question: str, answer: str, reply: str, text: str }).passthrough(),
  /** One of the head's decisions: a meeting's `date` and `time`, a `note`, an `instruction` or a `reason` (older cards: `text`). */
  decision: z.object({ ...ref, rev, date: str, time: str, note: str, instruction: str, reason: str, text: str }).passthrough(),
  /** Termin: another date proposed by the side whose turn it is (`date`, `time`). */
  counterMeeting: z.object({ ...ref, rev, date: str, time: str }).passthrough(),
  /** Termin: an agreed date cancelled, with an optional short reason (`cancelReason`). */
  cancelMeeting: z.object({ ...ref, rev, cancelReason: str }).passthrough(),
  /** The IB hands in the paper the head asked for: its text (`paper`) and an optional https link (`link`). */
  handIn: z.object({ ...ref, rev, paper: str, link: str, text: str }).passthrough(),
  legacyDecide: z.object({ ...ref, rev, decision: z.string().max(40), date: str, time: str, text: str }).passthrough(),
  ref: z.object(ref).passthrough(),
  /** "Vortrag öffnen" on an item card: the linked item, and the item whose card the click came from (`within`). */
  open: z.object({ ...ref, within: z.string().min(1).max(100).optional() }).passthrough(),
  reportStart: z.object({ requestId: z.string().max(100).optional(), authority: z.string().max(20).optional() }).passthrough(),
  reportSubmit: z.object({ authority: str, subject: str, summary: str, urgency: str, proposedDates: str, linkedRequestId: z.string().max(100).optional() }).passthrough(),
  legacyAct: z.object({ ...ref, rev, action: z.enum(['accept', 'ask', 'answer', 'done']), text: str }).passthrough(),
  /** A file sent in the personal chat handed in as a Vortrag's paper: the Vortrag (`authority|id|rev`), the file's name and type. */
  handInFile: z.object({ report: z.string().max(200), file: z.string().max(100) }).passthrough(),
};
type Ref = z.infer<typeof schemas.ref>;
type TextData = z.infer<typeof schemas.text>;

/**
 * One card verb on an existing item, independent of where the click came from: the chat's invoke (below) and the
 * personal tab's action route (bot/tab/items.ts) run the same table, so both call `RequestService` the same way and
 * map its outcome with the same `respond`.
 */
export interface ItemVerb<T = any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- each verb carries its own schema
  verb: string;
  schema: z.ZodType<T>;
  /** `party` is who acts (from the validated activity or SSO token, never from card data). */
  run(party: Party, caller: Caller, data: T): Promise<AdaptiveCardInvokeResponse>;
}

/** The item verbs (Übernehmen, Rückfrage, Antworten, Erledigt, Antwort des Anfragenden, the head's decisions, Aktualisieren) and the item's card as a response. */
export function requestItemVerbs(deps: Pick<RequestsFeatureDeps, 'service' | 'views'>): {
  verbs: ItemVerb[];
  /** The item's card for the caller, or the refusal (not found, forbidden) in their language. */
  view(caller: Caller, ref: Ref): Promise<AdaptiveCardInvokeResponse>;
  refused(lang: Lang, refusal: Refusal): AdaptiveCardInvokeResponse;
  /** How an item shows in the caller's invoke response; a caller creating an item sets its own `invalid` (the form again). */
  rendering(caller: Caller, saved: string): Rendering<ItemView>;
} {
  const { service, views } = deps;
  const texts = (lang: Lang) => REQUEST_TEXTS[lang];

  /** The requests' own wording for refusals (the shared one for the rest). */
  const refusalText = (lang: Lang) => (r: Exclude<Refusal, { code: 'invalid' }>) =>
    r.code === 'forbidden' ? (r.reason === 'ibSideOnly' ? texts(lang).ibSideOnly : texts(lang).forbidden) : r.code === 'not_found' ? texts(lang).notFound : undefined;
  const refused = (lang: Lang, r: Refusal) => refusalResponse(lang, r as Exclude<Refusal, { code: 'invalid' }>, refusalText(lang)(r as Exclude<Refusal, { code: 'invalid' }>));

  /**
   * How an item shows in the caller's invoke response. Invalid input brings the caller's own card back with the
   * problems and what they typed (one more read: nothing was written).
   */
  const itemRendering = (caller: Caller, saved: string, again?: { ref: Ref; typed: TypedValues }): Rendering<ItemView> => ({
    card: (v, notice, style) => views.item(caller.lang, v.item, v.roles, notice, style),
    saved,
    stale: (v) => views.staleNotice(caller.lang, v.item),
    refusalText: refusalText(caller.lang),
    fieldNames: texts(caller.lang).fieldNames,
    ...(again
      ? {
          invalid: async (problems, text) => {
            const view = await service.view(caller.aadObjectId, again.ref);
            if (!('item' in view)) return refused(caller.lang, view);
            return invokeResponse.card(await views.item(caller.lang, view.item, view.roles, text, 'attention', again.typed, problems));
          },
        }
      : {}),
  });

  /** One action on an item at the revision the card showed; `typed` goes back into its inputs if it is refused. */
  const act = async (party: Party, caller: Caller, data: Ref & { rev: number }, action: RequestAction, typed: TypedValues = {}) => {
    const result = await service.act(party, data, data.rev, action);
    return respond(result, caller.lang, itemRendering(caller, texts(caller.lang).saved, { ref: data, typed }));
  };
  const TEXT_INPUT = { ask: 'question', answer: 'answer', reply: 'reply' } as const;
  const withText = (type: 'ask' | 'answer' | 'reply') => (party: Party, caller: Caller, data: TextData) => {
    const text = data[TEXT_INPUT[type]] ?? data.text ?? '';
    return act(party, caller, data, { type, text }, { [TEXT_INPUT[type]]: text });
  };
  /** The input that carries each decision's text (none for "Zur Kenntnis nehmen", the date and time for a meeting). */
  const DECISION_TEXT: Record<ReportDecision, 'note' | 'instruction' | 'reason' | undefined> = { termin: undefined, kenntnis: undefined, schriftlich: 'note', weisung: 'instruction', ablehnen: 'reason' };

  const view = async (caller: Caller, data: Ref) => {
    const found = await service.view(caller.aadObjectId, data);
    if (!('item' in found)) return refused(caller.lang, found);
    return invokeResponse.card(await views.item(caller.lang, found.item, found.roles));
  };

  const verbs: ItemVerb[] = [
    { verb: REQUEST_VERBS.accept, schema: schemas.step, run: (party, caller, data: z.infer<typeof schemas.step>) => act(party, caller, data, { type: 'accept' }) },
    { verb: REQUEST_VERBS.ask, schema: schemas.text, run: withText('ask') },
    { verb: REQUEST_VERBS.answer, schema: schemas.text, run: withText('answer') },
    { verb: REQUEST_VERBS.done, schema: schemas.step, run: (party, caller, data: z.infer<typeof schemas.step>) => act(party, caller, data, { type: 'done' }) },
    { verb: REQUEST_VERBS.reply, schema: schemas.text, run: withText('reply') },
    ...REPORT_DECISIONS.map((decision: ReportDecision): ItemVerb<z.infer<typeof schemas.decision>> => ({
      verb: DECISION_VERBS[decision],
      schema: schemas.decision,
      run: (party, caller, data) => {
        const field = DECISION_TEXT[decision];
        const text = (field ? data[field] : undefined) ?? data.text;
        const typed: TypedValues = { date: data.date, time: data.time, ...(field ? { [field]: text } : {}) };
        return act(party, caller, data, { type: 'decide', decision, date: data.date, time: data.time, text }, typed);
      },
    })),
    // The IB's answers to the head's decision: the Weisung acknowledged, the paper handed in.
    { verb: REQUEST_VERBS.acknowledge, schema: schemas.step, run: (party, caller, data: z.infer<typeof schemas.step>) => act(party, caller, data, { type: 'acknowledge' }) },
    {
      verb: REQUEST_VERBS.handIn,
      schema: schemas.handIn,
      run: (party, caller, data: z.infer<typeof schemas.handIn>) => {
        const text = data.paper ?? data.text ?? '';
        return act(party, caller, data, { type: 'handIn', text, link: data.link }, { paper: text, link: data.link });
      },
    },
    // Termin: the side whose turn it is accepts the proposed date or proposes another (RdErl. Nr. 4).
    { verb: REQUEST_VERBS.acceptMeeting, schema: schemas.step, run: (party, caller, data: z.infer<typeof schemas.step>) => act(party, caller, data, { type: 'acceptMeeting' }) },
    {
      verb: REQUEST_VERBS.counterMeeting,
      schema: schemas.counterMeeting,
      run: (party, caller, data: z.infer<typeof schemas.counterMeeting>) => act(party, caller, data, { type: 'counterMeeting', date: data.date, time: data.time }, { date: data.date, time: data.time }),
    },
    // An agreed date: either side moves it (a new date, the negotiation opens again) or cancels it (optional reason).
    {
      verb: REQUEST_VERBS.moveMeeting,
      schema: schemas.counterMeeting,
      run: (party, caller, data: z.infer<typeof schemas.counterMeeting>) => act(party, caller, data, { type: 'moveMeeting', date: data.date, time: data.time }, { date: data.date, time: data.time }),
    },
    {
      verb: REQUEST_VERBS.cancelMeeting,
      schema: schemas.cancelMeeting,
      run: (party, caller, data: z.infer<typeof schemas.cancelMeeting>) => act(party, caller, data, { type: 'cancelMeeting', text: data.cancelReason }, { cancelReason: data.cancelReason }),
    },
    // Cards posted before the typed verbs: the same handlers.
    {
      verb: LEGACY_ACT_VERB,
      schema: schemas.legacyAct,
      run: (party, caller, data: z.infer<typeof schemas.legacyAct>) =>
        act(party, caller, data, data.action === 'ask' || data.action === 'answer' ? { type: data.action, text: data.text ?? '' } : { type: data.action }, { [data.action === 'ask' ? 'question' : 'answer']: data.text }),
    },
    {
      verb: LEGACY_DECIDE_VERB,
      schema: schemas.legacyDecide,
      run: (party, caller, data: z.infer<typeof schemas.legacyDecide>) => act(party, caller, data, { type: 'decide', decision: data.decision, date: data.date, time: data.time, text: data.text }),
    },
    { verb: REQUEST_VERBS.refresh, schema: schemas.ref, run: (_party, caller, data: Ref) => view(caller, data) },
  ];
  return { verbs, view, refused, rendering: (caller, saved) => itemRendering(caller, saved) };
}

export function requestsFeature(deps: RequestsFeatureDeps): Feature {
  const { service, views } = deps;
  const directory = () => deps.live.engine.directory;
  const texts = (lang: Lang) => REQUEST_TEXTS[lang];
  const item = requestItemVerbs(deps);
  const refused = item.refused;
  const viewResponse = item.view;
  /** A refused form's problems, each shown at its field (bot/privacyTexts words what the privacy guard found). */
  const formRefusal = (lang: Lang, problems: FormRefusal['problems'], text: string): FormRefusal => ({ text, problems, personalData: (kinds) => personalDataKinds(lang, kinds) });

  const partyOf = (context: TurnContext, caller: Caller): Party => ({
    aadObjectId: caller.aadObjectId,
    tenantId: caller.tenantId,
    name: (context.activity.from?.name ?? '').slice(0, 200),
    lang: caller.lang,
  });

  const itemRendering = item.rendering;
  /** The card the form was answered on, in the personal chat: the item's own card for its author, updated with each step. */
  const postedCard = (context: TurnContext, caller: Caller) => {
    const a = context.activity;
    return a.replyToId && a.conversation?.conversationType === 'personal'
      ? { conversationId: a.conversation.id, serviceUrl: a.serviceUrl, tenantId: caller.tenantId, botId: a.recipient.id, activityId: a.replyToId }
      : undefined;
  };
  const paperFiles = deps.paperFiles ? paperFileHandlers({ settings: deps.paperFiles, service, logger: deps.logger }) : undefined;

  const homeAuthority = (context: TurnContext) => (context.turnState.get(PROFILE_KEY) as UserProfile | undefined)?.homeAuthority;
  const sendCard = (context: TurnContext, content: Record<string, unknown>) => context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(content)));
  const sendForm = (context: TurnContext, caller: Caller, authority?: AuthorityCode) =>
    sendCard(context, views.requestForm(caller.lang, { authority: authority ?? homeAuthority(context) ?? '' }));
  const ownAuthority = (caller: Caller): AuthorityCode | undefined => {
    const roles = rolesOf(directory(), caller.aadObjectId);
    return roles.commissionerOf[0] ?? roles.deputyOf[0];
  };
  const markdown = (text: string) => {
    const activity = MessageFactory.text(text);
    activity.textFormat = 'markdown';
    return activity;
  };

  const verbs: CardVerb<any>[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any -- each verb carries its own schema
    {
      verb: REQUEST_VERBS.start,
      schema: schemas.start,
      // The authority in card data only preselects the form's choice; it grants nothing.
      run: async (context, caller, data: z.infer<typeof schemas.start>) =>
        invokeResponse.card(views.requestForm(caller.lang, { authority: isAuthorityCode(data.authority) || data.authority === KFI_CHOICE ? data.authority : homeAuthority(context) ?? '', category: data.category })),
    },
    {
      verb: REQUEST_VERBS.submit,
      schema: schemas.submit,
      run: async (context, caller, data: z.infer<typeof schemas.submit>) => {
        const card = postedCard(context, caller);
        const values = {
          authority: data.authority ?? '', category: data.category ?? '', subject: data.subject ?? '', description: data.description ?? '',
          deadline: data.deadline, department: data.department, measure: data.measure, plannedDate: data.plannedDate,
        };
        const result = await service.createRequest(partyOf(context, caller), values, card);
        return respond(result, caller.lang, {
          ...itemRendering(caller, values.authority === KFI_CHOICE ? texts(caller.lang).sentKfi : texts(caller.lang).sent),
          invalid: async (problems, text) => {
            deps.logger.info({ event: 'requests.invalid', fields: problems.map((p) => `${p.field}:${p.code}`) }, 'request form rejected');
            const keep = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, (v ?? '').slice(0, 4000)]));
            return invokeResponse.card(views.requestForm(caller.lang, keep, formRefusal(caller.lang, problems, text)));
          },
        });
      },
    },
    // A file sent in the personal chat, handed in as the paper of the Vortrag chosen on the card (issue 17). The
    // service checks again from stored data that the caller is on its IB side and that it waits for the paper.
    {
      verb: HAND_IN_FILE_VERB,
      schema: schemas.handInFile,
      run: async (context, caller, data: z.infer<typeof schemas.handInFile>) => {
        const chosen = parsePaperChoice(data.report);
        if (!chosen || !paperFiles) return invokeResponse.error(400, 'BadRequest', botTexts[caller.lang].invalidCardAction);
        // Name, type and size from the file as held, never from the card.
        const held = await paperFiles.held(caller, data.file);
        if ('status' in held) {
          deps.logger.warn({ event: 'requests.refused', code: held.status === 404 ? 'file_gone' : 'file_not_own', action: HAND_IN_FILE_VERB, itemId: chosen.id }, 'request action refused');
          return invokeResponse.error(held.status, held.status === 404 ? 'NotFound' : 'Forbidden', held.text);
        }
        const { head } = held;
        if (await paperFiles.handedInElsewhere(head, chosen.id)) {
          deps.logger.warn({ event: 'requests.refused', code: 'file_used', action: HAND_IN_FILE_VERB, itemId: chosen.id }, 'request action refused');
          return invokeResponse.error(409, 'Conflict', texts(caller.lang).paperFile.usedElsewhere);
        }
        const file = { name: head.name, fileType: head.fileType, id: head.pk, size: head.size };
        const result = await service.act(partyOf(context, caller), chosen, chosen.rev, { type: 'handIn', text: '', file });
        // A name the privacy guard refused: the file is not kept either (the IB renames it and sends it again).
        if (!result.ok && result.code === 'invalid') await deps.paperFiles?.store.remove(head);
        return respond(result, caller.lang, itemRendering(caller, texts(caller.lang).saved));
      },
    },
    // The item verbs, shared with the personal tab: who acts comes from the activity.
    ...item.verbs.map((v): CardVerb<unknown> => ({ verb: v.verb, schema: v.schema, run: (context, caller, data) => v.run(partyOf(context, caller), caller, data) })),
    {
      verb: REQUEST_VERBS.reportStart,
      schema: schemas.reportStart,
      run: async (_context, caller, data: z.infer<typeof schemas.reportStart>) => {
        const roles = rolesOf(directory(), caller.aadObjectId);
        const code = isAuthorityCode(data.authority) && isCommissionerSide(roles, data.authority) ? data.authority : ownAuthority(caller);
        const forbidden = () => {
          deps.logger.warn({ event: 'requests.refused', code: 'forbidden', action: 'report.start', itemId: data.requestId, actor: caller.aadObjectId }, 'request action refused');
          return refused(caller.lang, { ok: false, code: 'forbidden' });
        };
        if (!code) return forbidden();
        let linked: ItemDoc | undefined;
        if (data.requestId) {
          const view = await service.view(caller.aadObjectId, { id: data.requestId, authority: code });
          if (!('item' in view) || !view.roles.commissioner) return forbidden();
          linked = view.item;
        }
        return invokeResponse.card(views.reportForm(caller.lang, code, linked, {}));
      },
    },
    {
      verb: REQUEST_VERBS.reportSubmit,
      schema: schemas.reportSubmit,
      run: async (context, caller, data: z.infer<typeof schemas.reportSubmit>) => {
        const input = { authority: data.authority, subject: data.subject ?? '', summary: data.summary ?? '', urgency: data.urgency, proposedDates: data.proposedDates, linkedRequestId: data.linkedRequestId || undefined };
        const result = await service.createReport(partyOf(context, caller), input, postedCard(context, caller));
        return respond(result, caller.lang, {
          ...itemRendering(caller, texts(caller.lang).reportSent),
          invalid: async (problems, text) => {
            const code = isAuthorityCode(data.authority) ? data.authority : ownAuthority(caller) ?? '';
            const linked = input.linkedRequestId && isAuthorityCode(code) ? await service.repo.get(code, input.linkedRequestId) : undefined;
            const keep = { subject: input.subject.slice(0, 4000), summary: input.summary.slice(0, 4000), urgency: data.urgency ?? 'normal', proposedDates: (data.proposedDates ?? '').slice(0, 4000) };
            return invokeResponse.card(views.reportForm(caller.lang, code, linked, keep, formRefusal(caller.lang, problems, text)));
          },
        });
      },
    },
    {
      verb: REQUEST_VERBS.open,
      schema: schemas.open,
      run: async (context, caller, data: z.infer<typeof schemas.open>) => {
        if (!data.within) return viewResponse(caller, data);
        // From an item card ("Vortrag öffnen"): the linked item comes as a new message, and the card clicked stays
        // what it was (replacing it would make its automatic refresh show the other item from then on).
        const linked = await service.view(caller.aadObjectId, data);
        if (!('item' in linked)) return refused(caller.lang, linked);
        await sendCard(context, await views.item(caller.lang, linked.item, linked.roles));
        return viewResponse(caller, { id: data.within, authority: data.authority });
      },
    },
    {
      verb: REQUEST_VERBS.trail,
      schema: schemas.ref,
      run: async (context, caller, data: Ref) => {
        const t = texts(caller.lang);
        const result = await service.trail(caller.aadObjectId, data);
        if (!('entries' in result)) return refused(caller.lang, result);
        const names = service.namesOf([result.view.item]);
        const lines = result.entries.map((e) => {
          const change = e.changes.find((c) => c.path === '/status');
          const status = change && typeof change.to === 'string' && change.to in STATUS_LABELS ? ` → ${STATUS_LABELS[change.to as keyof typeof STATUS_LABELS][caller.lang]}` : '';
          // A Weisung's text is part of the record (RdErl. Nr. 4): shown with the decision it came with.
          const instruction = e.changes.find((c) => c.path === '/decision/text' && typeof c.to === 'string');
          const said = instruction ? (caller.lang === 'de' ? `: „${messageText(String(instruction.to))}“` : `: "${messageText(String(instruction.to))}"`) : '';
          // Termin: each proposed date and the agreed one stay on record ("2026-12-08T10:30" → "08.12.2026, 10:30 Uhr").
          const date = e.changes.find((c) => ['/termin', '/termin/agreed', '/termin/cancelled', '/termin/remindedAt'].includes(c.path) && typeof c.to === 'string');
          const [day, time] = date ? String(date.to).split('T') : [];
          const when = day && time ? `: ${t.termin.when(formatBerlinDate(day, caller.lang), time)}` : '';
          // What came of the calendar entry (Teams meeting made, moved, cancelled; the .ics; a retry).
          const entry = e.changes.find((c) => c.path.endsWith('/invitation') && typeof c.to === 'string');
          const paper = e.changes.find((c) => c.path === '/messages/file' && typeof c.to === 'string');
          const outcome = entry ? `: ${t.termin.outcomes[String(entry.to)] ?? String(entry.to)}` : paper ? `: ${t.paperFile.outcomes[String(paper.to)] ?? String(paper.to)}` : '';
          return `- ${views.moment(caller.lang, e.at)}: ${messageText(names.get(e.actor) ?? '–')}: ${t.actions[e.action] ?? e.action}${status}${said}${when}${outcome}`;
        });
        await context.sendActivity(markdown([t.trailHeading(messageText(result.view.item.subject)), ...lines].join('\n')));
        return invokeResponse.card(await views.item(caller.lang, result.view.item, result.view.roles));
      },
    },
  ];

  /**
   * A file sent to the bot in the personal chat: only the IB side's paper for a Vortrag waiting for it (status
   * `schriftlich`) is taken, after the card asks which one. Anything else is refused politely, nothing stored; the log
   * names no file and no person's data.
   */
  const files = async (context: TurnContext, caller: Caller, received: ReceivedFile[]): Promise<void> => {
    const t = texts(caller.lang).paperFile;
    const refuse = async (code: string, text: string) => {
      deps.logger.info({ event: 'requests.file_refused', code, activityId: context.activity.id }, 'file not taken');
      await context.sendActivity(text);
    };
    if (received.length !== 1) return refuse('several', t.oneAtATime);
    const { ibSide, items } = await service.papersAwaitedFrom(caller.aadObjectId);
    if (!ibSide) return refuse('not_ib_side', t.notIbSide);
    if (!items.length) return refuse('none_waiting', t.noneWaiting);
    if (!paperFiles || !deps.paperFiles) return refuse('files_off', t.failed);
    const taken = await paperFiles.take(caller, received[0], items);
    if ('refused' in taken) return refuse(taken.code, taken.refused);
    await sendCard(context, renderPaperFileCard(caller.lang, { id: taken.head.pk, name: taken.head.name }, items, deps.paperFiles.retentionDays).content);
  };

  /** The hourly purge of requests also deletes the paper files past their time (paperFileStore.ts). */
  function withFilePurge(jobs: ReturnType<typeof requestJobs>): ReturnType<typeof requestJobs> {
    const settings = deps.paperFiles;
    if (!settings || !paperFiles) return jobs;
    const purge = jobs[JOB_KINDS.purge];
    return {
      ...jobs,
      [JOB_KINDS.purge]: async (job) => {
        const outcome = await purge(job);
        const deleted = await settings.store.purge(settings.now(), paperFiles.handedIn);
        if (deleted) deps.logger.info({ event: 'requests.files_purged', count: deleted }, 'paper files past their time deleted');
        return outcome;
      },
    };
  }

  return {
    name: 'requests',
    files,
    ...(paperFiles ? { fileConsent: paperFiles.consent } : {}),
    // Requests and reports are confidential: listed, created and acted on only in the personal chat (RdErl. Nr. 4, DSG NRW).
    personalOnly: true,
    commands: [
      { id: 'requests.form', matches: (t) => COMMANDS.form.has(t), run: (context, caller) => sendForm(context, caller).then(() => undefined) },
      {
        id: 'requests.mine',
        matches: (t) => COMMANDS.mine.has(t),
        run: async (context, caller) => {
          const t = texts(caller.lang);
          const items = await service.listForRequester(caller.aadObjectId);
          await sendCard(context, views.list(caller.lang, t.listMine, t.listIntroMine(items.length), items));
        },
      },
      {
        id: 'requests.inbox',
        matches: (t) => COMMANDS.inbox.has(t),
        run: async (context, caller) => {
          const t = texts(caller.lang);
          const own = ownAuthority(caller);
          // The KfI's members work the requests to the KfI like an IB their inbox (RdErl. Nr. 6).
          const kfi = service.isKfi(caller.aadObjectId);
          if (!own && !kfi) {
            await context.sendActivity(t.inboxForbidden);
            return;
          }
          const items = await service.inboxFor(caller.aadObjectId);
          await sendCard(context, views.list(caller.lang, t.listInbox, own ? t.listIntroInbox(items.length, AUTHORITY_NAMES[own]) : t.listIntroInboxKfi(items.length), items));
        },
      },
      {
        id: 'reports.form',
        matches: (t) => COMMANDS.report.has(t),
        run: async (context, caller) => {
          const own = ownAuthority(caller);
          if (!own) {
            await context.sendActivity(texts(caller.lang).notIb);
            return;
          }
          await sendCard(context, views.reportForm(caller.lang, own, undefined, {}));
        },
      },
      {
        id: 'reports.list',
        matches: (t) => COMMANDS.reports.has(t),
        run: async (context, caller) => {
          const t = texts(caller.lang);
          const items = await service.reportsFor(caller.aadObjectId);
          await sendCard(context, views.list(caller.lang, t.listReports, t.listIntroReports(items.length), items));
        },
      },
      {
        id: 'requests.export',
        matches: (t) => COMMANDS.export.has(t),
        run: async (context, caller) => {
          const t = texts(caller.lang);
          const result = await service.exportCsv(caller.aadObjectId);
          if (!('csv' in result)) {
            await context.sendActivity(t.exportForbidden);
            return;
          }
          if (result.rows === 0) {
            await context.sendActivity(t.exportNone);
            return;
          }
          // Whole rows in messages Teams accepts (100 KB each at most), each part with the header row: nothing is cut off.
          const [header, ...rows] = result.csv.replace(/\r\n$/, '').split('\r\n');
          const heading = t.exportHeading(result.authorities.map((a) => AUTHORITY_NAMES[a]).join(', '), result.rows);
          for (const text of splitIntoMessages(heading, rows, { fence: true, header, partLabel: t.part })) await context.sendActivity(markdown(text));
        },
      },
    ],
    verbs,
    intents: {
      'request.create': async (context, caller, answer) => {
        await sendForm(context, caller, answer.authority ?? homeAuthority(context));
        return true;
      },
      'report.create': async (context, caller) => {
        const own = ownAuthority(caller);
        if (!own) return false;
        await sendCard(context, views.reportForm(caller.lang, own, undefined, {}));
        return true;
      },
    },
    jobs: withFilePurge(requestJobs(service, deps.notifier, deps.headReach)),
    help: { de: [...REQUEST_TEXTS.de.help], en: [...REQUEST_TEXTS.en.help] },
  };
}
