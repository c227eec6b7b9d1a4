/**
 * What each role sees of Anliegen and Vortrag: the item card per viewer (their own buttons only), the forms and the
 * lists, in the viewer's language. Used for the invoke response on the request path and by the relay for everyone
 * else's cards (see `notifications.ts`).
 */
import { itemCard, itemListCard, reportFormCard, requestFormCard, type ItemAction, type ItemCardData, type ItemField, type ReportFormField, type RequestFormField } from '../../cards/requestCards';
import { berlinParts, formatBerlinDate, formatBerlinDay } from '../common/berlinTime';
import { AUTHORITY_CODES, AUTHORITY_NAMES } from '../directory/model';
import { buttonRowFits } from '../text/buttonWidth';
import { cardText } from '../text/escape';
import type { Problem } from '../workflow/outcome';
import type { Lang } from '../workflow/texts';
import { awaitsDecision, CATEGORY_LABELS, currentTermin, DECISION_VERBS, isOpen, isOverdue, KFI_CHOICE, type HeadReach, LIMITS, REQUEST_CATEGORIES, REQUEST_VERBS, STATUS_LABELS, URGENCIES, URGENCY_LABELS, type ItemDoc, type ItemMessage, type ItemRoles, type ItemSummary, type Termin } from './model';
import { REQUEST_TEXTS } from './texts';

export type NoticeStyle = 'default' | 'good' | 'attention' | 'warning';

/**
 * Whether a report reached the head, as the IB's card and the tab show it: "Leitung erreicht", or "Leitung nicht
 * erreichbar: App nicht installiert; ging an das Büro der Behördenleitung". '' while the delivery is on its way.
 */
export function headReachLine(lang: Lang, reach: HeadReach | undefined): string {
  if (!reach) return '';
  const t = REQUEST_TEXTS[lang].headReach;
  if (reach.reach !== 'unreachable') return t.reached;
  const then = reach.fallback === 'office' ? t.viaOfficeShort : reach.fallback === 'mail' ? t.viaMailShort : t.noFallbackShort;
  return t.line(t.reasons[reach.reason ?? 'failed'] ?? t.reasons.failed, then);
}

/**
 * A stored document link (checked https on input) as a Markdown link labelled with its host: the reader sees where
 * it leads. Brackets and parentheses are percent-encoded so that nothing in the address ends the link early; an
 * address that does not parse any more is shown as text.
 */
export function documentLink(link: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return cardText(link);
  }
  if (url.protocol !== 'https:' || !/^[a-z0-9.-]+$/.test(url.hostname)) return cardText(link);
  const href = url.href.replace(/[()[\]<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${url.hostname}](${href})`;
}

const formatIsoDay = (day: string, lang: Lang = 'de'): string => formatBerlinDate(day, lang);

export interface RequestViewDeps {
  /** Teams user ids (MRIs) for a card's automatic refresh (see bot/handlers/refreshIds.ts). */
  refreshIds: (aadObjectIds: string[]) => Promise<string[]>;
  /** Everyone who may see the item (the card's refresh list). */
  audienceOf: (item: ItemDoc) => string[];
  /** The address of an agreed Vortrag date's .ics (`/kalender/<token>`); without it the card offers none. */
  icsUrl?: (token: string) => string;
  /** The items an item is linked to, to show them by subject (read only when there are any; without it, none are shown). */
  linkedOf?: (item: ItemDoc) => Promise<Array<Pick<ItemDoc, 'id' | 'kind' | 'subject'>>>;
  /** Today's Berlin date (the service's clock): a request past its Frist shows "überfällig" from the day after it. */
  today?: () => string;
}

/** What a refused action brings back into the inputs of its own input area, by input id. */
export type TypedValues = Partial<Record<string, string>>;

type Texts = (typeof REQUEST_TEXTS)[Lang];
type InputId = keyof Texts['inputs'];

/**
 * The input ids of each verb's input area. The handlers (bot/handlers/requests.ts) read exactly these, and still accept
 * `text` from cards posted before each action had its own inputs.
 */
export const ITEM_INPUTS = {
  [REQUEST_VERBS.ask]: ['question'],
  [REQUEST_VERBS.answer]: ['answer'],
  [REQUEST_VERBS.reply]: ['reply'],
  [DECISION_VERBS.termin]: ['date', 'time'],
  [DECISION_VERBS.schriftlich]: ['note'],
  [DECISION_VERBS.weisung]: ['instruction'],
  [DECISION_VERBS.ablehnen]: ['reason'],
  [REQUEST_VERBS.handIn]: ['paper', 'link'],
  [REQUEST_VERBS.counterMeeting]: ['date', 'time'],
  [REQUEST_VERBS.moveMeeting]: ['date', 'time'],
  [REQUEST_VERBS.cancelMeeting]: ['cancelReason'],
} as const satisfies Partial<Record<string, readonly InputId[]>>;

const REQUIRED: ReadonlySet<InputId> = new Set(['question', 'answer', 'reply', 'date', 'time', 'instruction', 'reason', 'paper']);
const KIND: Partial<Record<InputId, ItemField['kind']>> = { date: 'date', time: 'time' };

/**
 * The sentence at an action's input when a refused action brings the card back ('' for none): a date in the past,
 * a time already over today, a missing or malformed value.
 */
function fieldError(t: Texts, id: InputId, problems: readonly Problem[]): string {
  const p = problems.find((x) => x.field === id || (x.field === 'text' && !['date', 'time', 'link'].includes(id)));
  if (!p) return '';
  if (p.code === 'past_date' && id === 'time') return t.termin.pastTime;
  if (p.code === 'too_long') return t.fieldProblems.too_long(id === 'cancelReason' ? LIMITS.cancelReason : LIMITS.text);
  if (p.code === 'personal_data') return '';
  const sentence = t.fieldProblems[p.code];
  return typeof sentence === 'string' ? sentence : '';
}

/**
 * Whether a row of buttons fits on a 328 px phone (services/text/buttonWidth.ts, Selawik's widths, the same estimate
 * the reading checks use). The IB's two buttons and "…" are the tightest row: "Antworten" and "Nachfragen" (a
 * "Rückfrage stellen" was cut there).
 */
const rowFits = (buttons: readonly ItemAction[], overflow: boolean): boolean => buttonRowFits(buttons.map((b) => b.title), overflow);

/** A refused form: the refusal's whole text (shown on top when a problem has no field on the form) and its problems. */
export interface FormRefusal {
  text: string;
  problems: Problem[];
  /** "Gesundheit, Herkunft" for what the privacy guard found, in the viewer's language (the bot's wording). */
  personalData: (kinds: NonNullable<Problem['kinds']>) => string;
}

const REQUEST_FORM_FIELDS = ['authority', 'category', 'subject', 'description', 'deadline', 'department', 'measure', 'plannedDate'] as const satisfies readonly RequestFormField[];
const REPORT_FORM_FIELDS = ['subject', 'summary', 'urgency', 'proposedDates'] as const satisfies readonly ReportFormField[];
const FIELD_LIMITS: Partial<Record<string, number>> = { ...LIMITS, summary: LIMITS.description };

/**
 * Each problem as one sentence at its field, and the line on top: "please check the marked fields" when every problem
 * is at a field (the privacy guard's advice kept with it), else the refusal's whole text.
 */
function formProblems<F extends string>(t: Texts, fields: readonly F[], refused: FormRefusal | undefined): { errors: Record<F, string>; status: string } {
  const errors = Object.fromEntries(fields.map((f) => [f, ''])) as Record<F, string>;
  if (!refused) return { errors, status: '' };
  const p = t.fieldProblems;
  const missing = { ...t.labels.missing, ...t.reportLabels.missing } as Partial<Record<string, string>>;
  let unplaced = false;
  for (const problem of refused.problems) {
    const field = problem.field as F;
    if (!fields.includes(field)) {
      unplaced = true;
      continue;
    }
    const sentence =
      problem.code === 'missing' ? missing[field] ?? p.missing
      : problem.code === 'too_long' ? p.too_long(FIELD_LIMITS[field] ?? LIMITS.text)
      : problem.code === 'personal_data' ? p.personal_data(refused.personalData(problem.kinds ?? []))
      : p[problem.code];
    errors[field] = errors[field] ? `${errors[field]} ${sentence}` : sentence;
  }
  const privacy = refused.problems.some((x) => x.code === 'personal_data');
  return { errors, status: unplaced || privacy ? refused.text : t.checkFields };
}

export class RequestViews {
  constructor(private readonly deps: RequestViewDeps) {}

  /**
   * The item's card for one viewer: the subject as the title with urgency and deadline beside it, the status and what
   * this viewer has to do next, the message they have to respond to, then the details; their own actions only, at most
   * two of them as buttons and the rest in the overflow menu, each action that needs input with its own input area.
   */
  async item(lang: Lang, item: ItemDoc, roles: ItemRoles, notice = '', noticeStyle: NoticeStyle = 'default', typed: TypedValues = {}, problems: readonly Problem[] = []): Promise<Record<string, unknown>> {
    const t = REQUEST_TEXTS[lang];
    const at = (iso: string) => {
      const p = berlinParts(new Date(iso));
      return t.at(formatBerlinDate(p.date, lang), p.time);
    };
    const nameOf = (p: { name: string }) => cardText(p.name) || '–';
    const r = { id: item.id, authority: item.authority, rev: item.rev };
    const ref = { id: item.id, authority: item.authority };

    /** An action; `inputs` opens its own input area with those fields (the verb's, see ITEM_INPUTS). */
    const action = (title: string, verb: string, data: ItemAction['data'], o: { mode?: ItemAction['mode']; style?: ItemAction['style']; submit?: string } = {}): ItemAction => {
      const ids: readonly InputId[] = (ITEM_INPUTS as Partial<Record<string, readonly InputId[]>>)[verb] ?? [];
      return {
        title,
        verb,
        data,
        mode: o.mode ?? 'secondary',
        style: o.style ?? 'default',
        submit: o.submit ?? '',
        fields: ids.map((id) => ({
          id,
          kind: KIND[id] ?? 'text',
          label: t.inputs[id].label,
          required: REQUIRED.has(id),
          errorMessage: t.inputs[id].error,
          value: (typed[id] ?? '').slice(0, 2000),
          error: fieldError(t, id, problems),
        })),
      };
    };

    const facts: { label: string; value: string }[] = [{ label: t.facts.authority, value: AUTHORITY_NAMES[item.authority] }];
    const tags: ItemCardData['tags'] = [];
    const actions: ItemAction[] = [];
    let nextStep = '';
    // The IB side sees whether their report reached the head (the head side does not need to be told).
    const reachText = item.kind === 'report' && roles.commissioner ? headReachLine(lang, item.headReach) : '';
    let callout = { heading: '', text: '' };
    let shownInCallout: ItemMessage | undefined;
    /** The proposed date is in the callout (the viewer's turn to answer it): the decision box would only repeat it. */
    let terminInCallout = false;
    const lastMessage = item.messages.at(-1);
    // The linked items, by subject: only the IB side may open them (a requester never sees the report; the head side
    // sees the request's subject it was given, but not the request itself).
    const linked = item.linked.length && (roles.commissioner || roles.headSide) && this.deps.linkedOf ? await this.deps.linkedOf(item) : [];

    if (item.kind === 'request') {
      // The Frist beside the title; past it, "Überfällig" in words (not by colour alone).
      if (item.deadline) tags.push({ text: (isOverdue(item, this.deps.today?.()) ? t.tags.overdue : t.tags.deadline)(formatIsoDay(item.deadline, lang)), color: 'attention' });
      facts.push({ label: t.facts.category, value: item.category ? CATEGORY_LABELS[item.category][lang] : '–' }, { label: t.facts.from, value: nameOf(item.createdBy) });
      if (item.handler) facts.push({ label: t.facts.handler, value: nameOf(item.handler) });
      if (item.measure) {
        facts.push(
          { label: t.facts.department, value: cardText(item.measure.department) },
          { label: t.facts.measure, value: cardText(item.measure.name) },
          { label: t.facts.plannedDate, value: formatIsoDay(item.measure.plannedDate, lang) },
        );
      }
      const open = isOpen(item);
      if (roles.commissioner && open) {
        const replied = item.status === 'in_bearbeitung' && lastMessage?.kind === 'nachtrag';
        const answered = item.status === 'in_bearbeitung' && lastMessage?.kind === 'antwort';
        nextStep =
          item.status === 'neu' ? t.next.ibNew
          : item.status === 'rueckfrage' ? t.next.ibWaiting
          : item.status === 'eskaliert' ? t.next.ibEscalated
          : replied ? t.next.ibReplied
          : answered ? t.next.ibAnswered
          : t.next.ibWorking;
        if (replied && lastMessage) {
          callout = { heading: t.callout.nachtrag(nameOf(lastMessage.by), at(lastMessage.at)), text: cardText(lastMessage.text) };
          shownInCallout = lastMessage;
        }
        // A new request first needs someone to take it over: that is the one button. Once taken, the IB's work is
        // answering or asking back, so those two are the buttons; closing, the report and the trail are rarer and wait in
        // the overflow menu. Asking or answering a new request directly also takes it over, so they stay reachable there.
        const isNew = item.status === 'neu';
        if (isNew) actions.push(action(t.buttons.accept, REQUEST_VERBS.accept, r, { mode: 'primary', style: 'positive' }));
        actions.push(
          action(t.buttons.answer, REQUEST_VERBS.answer, r, { mode: isNew ? 'secondary' : 'primary', submit: t.submit.answer, style: 'positive' }),
          action(t.buttons.ask, REQUEST_VERBS.ask, r, { mode: isNew ? 'secondary' : 'primary', submit: t.submit.ask }),
          action(t.buttons.done, REQUEST_VERBS.done, r),
        );
        // A request to the KfI is no matter for a Vortrag to the Arnsberg head.
        if (item.linked.length === 0 && !item.recipient) actions.push(action(t.buttons.toReport, REQUEST_VERBS.reportStart, { requestId: item.id, authority: item.authority }));
      } else if (roles.requester && open) {
        const rueckfrage = item.status === 'rueckfrage' ? [...item.messages].reverse().find((m) => m.kind === 'rueckfrage') : undefined;
        nextStep = rueckfrage ? t.next.requesterAnswer : item.status === 'eskaliert' ? t.next.requesterEscalated : item.recipient === 'kfi' ? t.next.requesterWaitingKfi : t.next.requesterWaiting;
        if (rueckfrage) {
          // The question that waits for them, prominently under the status, not at the end of the conversation.
          callout = { heading: t.callout.rueckfrage(nameOf(rueckfrage.by), at(rueckfrage.at)), text: cardText(rueckfrage.text) };
          shownInCallout = rueckfrage;
          actions.push(action(t.buttons.reply, REQUEST_VERBS.reply, r, { mode: 'primary', style: 'positive', submit: t.submit.reply }));
        }
      } else if (!open) {
        nextStep = t.next.closed;
      }
      for (const l of linked) facts.push({ label: l.kind === 'report' ? t.facts.linkedReport : t.facts.linkedRequest, value: cardText(l.subject) });
      if (roles.commissioner) for (const l of linked) actions.push(action(l.kind === 'report' ? t.buttons.openReport : t.buttons.openRequest, REQUEST_VERBS.open, { id: l.id, authority: item.authority, within: item.id }));
    } else {
      const urgency = item.urgency ?? 'normal';
      if (urgency !== 'normal') tags.push({ text: t.tags[urgency], color: 'attention' });
      facts.push({ label: t.facts.from, value: nameOf(item.createdBy) });
      if (item.proposedDates) facts.push({ label: t.facts.proposedDates, value: cardText(item.proposedDates) });
      for (const l of linked) facts.push({ label: l.kind === 'report' ? t.facts.linkedReport : t.facts.linkedRequest, value: cardText(l.subject) });
      const deciding = awaitsDecision(item);
      const again = item.status === 'vorgelegt';
      if (deciding) nextStep = roles.decider ? (again ? t.next.headDecideAgain : t.next.headDecide) : roles.commissioner ? (again ? t.next.ibPaperWaiting : t.next.ibReportWaiting) : t.next.headSideWaiting;
      else if (item.status === 'termin_vorgeschlagen') nextStep = roles.commissioner ? t.next.ibMeeting : t.next.headSideWaitingMeeting;
      else if (item.status === 'termin_gegenvorschlag') nextStep = roles.decider ? t.next.headCounter : roles.commissioner ? t.next.ibWaitingMeeting : t.next.headSideWaitingCounter;
      else if (item.status === 'termin_vereinbart') nextStep = roles.decider || roles.commissioner ? t.next.meetingAgreedMovable : t.next.meetingAgreed;
      else if (item.status === 'termin_offen') nextStep = roles.decider ? t.next.headOpen : roles.commissioner ? t.next.ibOpen : t.next.headSideOpen;
      else if (item.status === 'schriftlich') nextStep = roles.commissioner ? t.next.ibInWriting : t.next.headSideWaitingPaper;
      else if (item.status === 'weisung') nextStep = roles.commissioner ? t.next.ibInstruction : t.next.headSideWaitingAck;
      else if (item.status === 'weisung_bestaetigt') nextStep = t.next.acknowledged;
      else nextStep = t.next.closed;
      // The IB's answers to the head's decision (RdErl. Nr. 4): the paper asked for, the Weisung acknowledged.
      if (roles.commissioner && item.status === 'schriftlich') actions.push(action(t.buttons.handIn, REQUEST_VERBS.handIn, r, { mode: 'primary', style: 'positive', submit: t.submit.handIn }));
      if (roles.commissioner && item.status === 'weisung') actions.push(action(t.buttons.acknowledge, REQUEST_VERBS.acknowledge, r, { mode: 'primary', style: 'positive' }));
      // Termin: the side whose turn it is (the IB after the head side's proposal, the head side after the IB's)
      // accepts the date or proposes another; the proposal waiting for them is on top.
      const termin = currentTermin(item);
      const terminTurn = (roles.commissioner && item.status === 'termin_vorgeschlagen') || (roles.decider && item.status === 'termin_gegenvorschlag');
      if (terminTurn && termin) {
        // The head's note of the first proposal goes with it ("Bitte die Unterlagen mitbringen"); the box below then stays away.
        // (Not with a move: the note went with the first proposal, before the date was agreed.)
        const note = item.decision?.kind === 'termin' && item.decision.text && !termin.moving ? `\n\n${cardText(item.decision.text)}` : '';
        // A move: the agreed date holds until this one is accepted, so it is named with it.
        const invitation = termin.moving ? this.invitationText(lang, termin.invitation, termin.icsToken, t.termin.ics) : '';
        const inForce = termin.moving ? `\n\n${t.termin.inForce(t.termin.when(formatIsoDay(termin.moving.date, lang), termin.moving.time))}${invitation ? `\n\n${invitation}` : ''}` : '';
        callout = { heading: t.termin.callout(nameOf(termin.by), at(termin.at)), text: `${t.termin.proposed(t.termin.when(formatIsoDay(termin.date, lang), termin.time))}${inForce}${note}` };
        terminInCallout = true;
        actions.push(
          action(t.buttons.acceptMeeting, REQUEST_VERBS.acceptMeeting, r, { mode: 'primary', style: 'positive' }),
          action(t.buttons.counterMeeting, REQUEST_VERBS.counterMeeting, r, { mode: 'primary', submit: t.submit.counterMeeting }),
        );
      }
      // An agreed date: either side may move it (the negotiation opens again) or cancel it, with an optional reason.
      if ((roles.decider || roles.commissioner) && item.status === 'termin_vereinbart') {
        actions.push(
          action(t.buttons.moveMeeting, REQUEST_VERBS.moveMeeting, r, { mode: 'primary', submit: t.submit.moveMeeting }),
          // Rarer, and two such labels do not fit side by side on a phone: in the overflow menu.
          action(t.buttons.cancelMeeting, REQUEST_VERBS.cancelMeeting, r, { style: 'destructive', submit: t.submit.cancelMeeting }),
        );
      }
      // A move under way: the agreed date still holds, so either side may still cancel it (the proposal goes with it).
      if ((roles.decider || roles.commissioner) && termin?.moving && (item.status === 'termin_vorgeschlagen' || item.status === 'termin_gegenvorschlag')) {
        actions.push(action(t.buttons.cancelMeeting, REQUEST_VERBS.cancelMeeting, r, { style: 'destructive', submit: t.submit.cancelMeeting }));
      }
      // A cancelled date: the head side proposes a new one; the IB may too.
      if (item.status === 'termin_offen') {
        if (roles.decider) actions.push(action(t.buttons.termin, DECISION_VERBS.termin, r, { mode: 'primary', submit: t.submit.termin }));
        else if (roles.commissioner) actions.push(action(t.buttons.termin, REQUEST_VERBS.counterMeeting, r, { mode: 'primary', submit: t.submit.counterMeeting }));
      }
      if (roles.decider && deciding) {
        // Most reports are taken note of or get a meeting: those two are the buttons. Asking for a written submission,
        // an instruction and declining are rarer and wait in the overflow menu; declining asks for its reason.
        actions.push(
          action(t.buttons.kenntnis, DECISION_VERBS.kenntnis, r, { mode: 'primary', style: 'positive' }),
          action(t.buttons.termin, DECISION_VERBS.termin, r, { mode: 'primary', submit: t.submit.termin }),
          action(t.buttons.schriftlich, DECISION_VERBS.schriftlich, r, { submit: t.submit.schriftlich }),
          action(t.buttons.weisung, DECISION_VERBS.weisung, r, { submit: t.submit.weisung }),
          action(t.buttons.ablehnen, DECISION_VERBS.ablehnen, r, { style: 'destructive', submit: t.submit.ablehnen }),
        );
      }
      if (roles.commissioner) for (const l of linked) actions.push(action(l.kind === 'report' ? t.buttons.openReport : t.buttons.openRequest, REQUEST_VERBS.open, { id: l.id, authority: item.authority, within: item.id }));
    }
    facts.push({ label: t.facts.created, value: at(item.createdAt) });
    actions.push(action(t.buttons.trail, REQUEST_VERBS.trail, ref));
    // A card whose only actions are rare ones shows them as buttons: an overflow menu with nothing beside it hides them.
    if (!actions.some((a) => a.mode === 'primary') && actions.length <= 2) for (const a of actions) a.mode = 'primary';

    // Two long German labels and the overflow button do not fit side by side on a phone, where Teams would cut them
    // ("Term…"): then the first button, if it needs no input, gets a row of its own.
    const lead = !rowFits(actions.filter((a) => a.mode === 'primary'), actions.some((a) => a.mode === 'secondary')) && actions[0]?.mode === 'primary' && actions[0].fields.length === 0 ? actions.splice(0, 1) : [];

    let decisionText = '';
    if (item.decision) {
      const d = item.decision;
      const what = d.kind === 'termin' ? t.decision.termin(formatIsoDay(d.date ?? '', lang), d.time ?? '') : t.decision[d.kind];
      decisionText = `${what}${d.text ? ` ${cardText(d.text)}` : ''}\n\n${t.decidedBy(nameOf(d.by), at(d.at))}`;
      const termin = d.kind === 'termin' ? currentTermin(item) : undefined;
      if (termin) decisionText = terminInCallout ? '' : this.terminText(lang, termin, termin.moving ? undefined : d.text, at);
      else if (item.terminCancelled && item.status === 'termin_offen') decisionText = this.cancelledText(lang, item.terminCancelled, at);
      // The instruction stays on the card after the IB acknowledged it, with who did and when.
      if (item.acknowledged && d.kind === 'weisung') decisionText += `\n\n${t.acknowledgedBy(nameOf(item.acknowledged.by), at(item.acknowledged.at))}`;
    }
    return itemCard({
      lang,
      id: item.id,
      authority: item.authority,
      refreshUserIds: await this.deps.refreshIds(this.deps.audienceOf(item)),
      kindLine: item.recipient === 'kfi' ? t.kindLine.requestKfi : t.kindLine[item.kind](AUTHORITY_NAMES[item.authority]),
      subject: cardText(item.subject),
      tags,
      statusLine: t.status(STATUS_LABELS[item.status][lang]),
      nextStep,
      reachText,
      reachColor: item.headReach?.reach === 'unreachable' ? 'attention' : 'good',
      notice,
      noticeStyle,
      callout,
      decisionText,
      body: cardText(item.body),
      facts,
      messagesHeading: t.messagesHeading,
      messages: item.messages
        .filter((m) => m !== shownInCallout)
        .map((m) => ({ heading: `${t.messageHeading[m.kind]} · ${t.by(nameOf(m.by), at(m.at))}`, text: [m.text ? cardText(m.text) : '', m.link ? `${t.documentLink}: ${documentLink(m.link)}` : '', m.file ? t.paperFile.line(cardText(m.file.name), Boolean(m.file.id)) : ''].filter(Boolean).join('\n\n') })),
      lead,
      actions,
      labels: { refresh: t.refresh },
    }).content;
  }

  /**
   * A Vortrag's date as its card shows it: the proposal on the table and who made it, or the agreed date, who accepted
   * it and the invitation (the Teams meeting's join link, else the .ics link); the head's note with the first proposal.
   */
  private terminText(lang: Lang, termin: Termin, note: string | undefined, at: (iso: string) => string): string {
    const t = REQUEST_TEXTS[lang];
    const when = t.termin.when(formatIsoDay(termin.date, lang), termin.time);
    const noteText = note ? `\n\n${cardText(note)}` : '';
    if (!termin.agreed) {
      const proposal = `${t.termin.proposed(when)}${noteText}\n\n${t.termin.proposedBy(cardText(termin.by.name) || '–', at(termin.at))}`;
      if (!termin.moving) return proposal;
      // A move under way: the agreed date and its invitation hold until the new one is accepted.
      const invitation = this.invitationText(lang, termin.invitation, termin.icsToken, t.termin.ics);
      return `${proposal}\n\n${t.termin.inForce(t.termin.when(formatIsoDay(termin.moving.date, lang), termin.moving.time))}${invitation ? `\n\n${invitation}` : ''}`;
    }
    const invitation = this.invitationText(lang, termin.invitation, termin.icsToken, t.termin.ics);
    return `${t.termin.agreed(when)}${noteText}\n\n${t.termin.agreedBy(cardText(termin.agreed.by.name) || '–', at(termin.agreed.at))}${invitation ? `\n\n${invitation}` : ''}`;
  }

  /**
   * The calendar entry's line: the Teams meeting's join link, or the .ics link (`icsLabel`: the invitation's or the
   * cancellation's), with a word on a Graph call still to be made, retried or given up.
   */
  private invitationText(lang: Lang, inv: Termin['invitation'], icsToken: string | undefined, icsLabel: string): string {
    const t = REQUEST_TEXTS[lang].termin;
    const ics = icsToken && this.deps.icsUrl ? `[${icsLabel}](${this.deps.icsUrl(icsToken)})` : '';
    if (inv?.state === 'created') return inv.joinUrl ? `${t.invitationTeams} [${t.joinTeams}](${inv.joinUrl})` : t.invitationTeams;
    if (inv?.state === 'cancelled') return t.invitationCancelled;
    if (inv?.state === 'pending') return icsLabel === t.icsCancel ? t.invitationCancelPending : t.invitationPending;
    const word = inv?.retry ? t.invitationRetry : inv?.failed ? t.invitationFailed : '';
    return [word, ics].filter(Boolean).join(' ');
  }

  /** A cancelled date as the card shows it while no new one is proposed: the date, who cancelled it when, why, the calendar's cancellation. */
  private cancelledText(lang: Lang, c: NonNullable<ItemDoc['terminCancelled']>, at: (iso: string) => string): string {
    const t = REQUEST_TEXTS[lang].termin;
    const reason = c.reason ? `\n\n${t.reason(cardText(c.reason))}` : '';
    const withdrawn = c.withdrawn ? `\n\n${t.withdrawn(t.when(formatIsoDay(c.withdrawn.date, lang), c.withdrawn.time))}` : '';
    const invitation = this.invitationText(lang, c.invitation, c.icsToken, t.icsCancel);
    return `${t.cancelled(t.when(formatIsoDay(c.date, lang), c.time))}${reason}${withdrawn}\n\n${t.cancelledBy(cardText(c.by.name) || '–', at(c.at))}${invitation ? `\n\n${invitation}` : ''}`;
  }

  /** The notice on the current card when the caller's card was out of date: who acted when, and the status now. */
  staleNotice(lang: Lang, item: ItemDoc): string {
    const last = item.lastChange;
    const p = last ? berlinParts(new Date(last.at)) : undefined;
    const t = REQUEST_TEXTS[lang];
    const name = cardText(last?.by.name ?? '') || '–';
    const when = p ? t.at(formatBerlinDate(p.date, lang), p.time) : '';
    // The date was cancelled since the card was shown: whatever it offered (accepting a move, say) went with it.
    if (item.status === 'termin_offen' && last?.action === REQUEST_VERBS.cancelMeeting) return t.staleCancelled(name, when);
    return t.stale(name, when, STATUS_LABELS[item.status][lang]);
  }

  /**
   * The form for a new Anliegen. Without a valid kind (`values.category`) it is the first step, which asks only for
   * the kind; with one it is the form for that kind (the Beteiligung fields only for Beteiligung). A refused submission
   * (`refused`) brings it back with what was typed, each problem at its field and a line on top.
   */
  requestForm(lang: Lang, values: Partial<Record<string, string>>, refused?: FormRefusal): Record<string, unknown> {
    const t = REQUEST_TEXTS[lang];
    const v = (k: RequestFormField) => values[k] ?? '';
    const category = (REQUEST_CATEGORIES as readonly string[]).includes(v('category')) ? v('category') : '';
    const shown = formProblems(t, REQUEST_FORM_FIELDS, refused);
    return requestFormCard({
      lang,
      // A refused form stays the form (an unknown kind is then asked for at its field), with everything typed.
      step: category || refused ? 'form' : 'kind',
      beteiligung: category === 'beteiligung',
      heading: t.formHeading,
      intro: category || refused ? t.formIntro : t.kindIntro,
      privacy: t.privacy,
      status: shown.status,
      // The recipient: an authority's IB, or the KfI (RdErl. Nr. 6), for staff of any authority and for IB alike.
      authorities: [...AUTHORITY_CODES.map((c) => ({ title: t.recipients.commissioner(AUTHORITY_NAMES[c]), value: c as string })), { title: t.recipients.kfi, value: KFI_CHOICE }],
      categories: REQUEST_CATEGORIES.map((c) => ({ title: CATEGORY_LABELS[c][lang], value: c })),
      values: Object.fromEntries(REQUEST_FORM_FIELDS.map((k) => [k, k === 'category' ? category : v(k)])) as Record<RequestFormField, string>,
      errors: shown.errors,
      labels: { ...t.labels },
    }).content;
  }

  /** The IB's form for a Vortrag, optionally carrying a request; a refused submission as with `requestForm`. */
  reportForm(lang: Lang, authority: string, linked: ItemDoc | undefined, values: Partial<Record<string, string>>, refused?: FormRefusal): Record<string, unknown> {
    const t = REQUEST_TEXTS[lang];
    const shown = formProblems(t, REPORT_FORM_FIELDS, refused);
    return reportFormCard({
      lang,
      heading: t.reportHeading,
      intro: t.reportIntro,
      status: shown.status,
      linkedText: linked ? t.linked(cardText(linked.subject)) : '',
      authority,
      linkedRequestId: linked?.id ?? '',
      urgencies: URGENCIES.map((u) => ({ title: URGENCY_LABELS[u][lang], value: u })),
      values: { subject: values.subject ?? linked?.subject ?? '', summary: values.summary ?? '', urgency: values.urgency ?? 'normal', proposedDates: values.proposedDates ?? '' },
      errors: shown.errors,
      labels: { ...t.reportLabels },
    }).content;
  }

  /** "04.12.2026, 10:30 Uhr" (German) or "4 Dec 2026, 10:30" (English), Berlin time: the times of the trail. */
  moment(lang: Lang, iso: string): string {
    const p = berlinParts(new Date(iso));
    return REQUEST_TEXTS[lang].at(formatBerlinDate(p.date, lang), p.time);
  }

  /** "Meine Anliegen", "Offene Vorgänge", "Vorträge". */
  list(lang: Lang, heading: string, intro: string, items: ItemSummary[]): Record<string, unknown> {
    const t = REQUEST_TEXTS[lang];
    return itemListCard({
      lang,
      heading,
      intro,
      openLabel: t.open,
      items: items.slice(0, 50).map((s) => ({
        title: cardText(s.subject),
        subtitle: t.subtitle(s.overdue ? `${s.statusLabel[lang]} · ${t.overdueLabel}` : s.statusLabel[lang], s.recipient === 'kfi' ? 'KfI' : AUTHORITY_NAMES[s.authority], formatBerlinDay(new Date(s.createdAt), lang), s.deadline ? formatIsoDay(s.deadline, lang) : ''),
        id: s.id,
        authority: s.authority,
        openLabel: t.open,
      })),
    }).content;
  }
}
