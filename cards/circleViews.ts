/**
 * Koordinierungskreis cards from the service's views (`PollView`, `MeetingView`, `CircleOverview`): the bot and a
 * personal tab's preview render the same input the same way. German first; English for English-locale viewers.
 */
import { berlinParts, formatBerlin, formatBerlinDate, formatBerlinRange } from '../services/common/berlinTime';
import type { CircleOverview } from '../services/circle/circleService';
import { DELIVERY_MODES, POLL_CHOICES, type MeetingDoc, type MeetingView, type PollView } from '../services/circle/model';
import { de } from '../services/circle/texts/de';
import { en } from '../services/circle/texts/en';
import { cardText } from '../services/text/escape';
import { reachLine, type ReachSummary } from '../services/workflow/reachSummary';
import type { CardAttachment } from './defineCard';
import { circleMeetingCard, circleMeetingFormCard, circleOverviewCard, circlePollCard, circlePollFormCard } from './circleCards';

export type CircleLang = 'de' | 'en';

/** The cards' words, from the circle's text resources (services/circle/texts/{de,en}.ts). */
export const CIRCLE_TEXTS = { de: de.card, en: en.card };

export interface CardStatus {
  status?: string;
  statusStyle?: 'default' | 'good' | 'attention';
  /** Teams user ids (29:…) that refresh automatically into their own view; at most 60 are used. */
  refreshUserIds?: string[];
  /** What the viewer typed, to refill the meeting card's inputs after a refused action (only the actor sees it). */
  inputs?: Partial<Record<'topicTitle' | 'topicDescription' | 'topicPresenter' | 'minutes' | 'actionTitle' | 'delegate' | 'cancelReason', string>>;
}

/** The words of the KfI's reach line, from the circle's text resources. */
export const CIRCLE_REACH_TEXTS = { de: de.reach, en: en.reach };

/**
 * The KfI's line of whom an announcement reached ('' before any report, and for everybody else). Names come from the
 * circle's members as the directory has them; an id no longer among them shows as a person without a directory entry.
 */
export function circleReachText(reach: ReachSummary | undefined, members: Array<{ aadObjectId: string; name: string }>, lang: CircleLang, escape: (s: string) => string = cardText): string {
  if (!reach) return '';
  const names = new Map(members.map((m) => [m.aadObjectId.toLowerCase(), m.name]));
  return reachLine(reach, CIRCLE_REACH_TEXTS[lang], (id) => {
    const name = names.get(id.toLowerCase());
    return name ? escape(name) : undefined;
  });
}

/** Member names for a card line, each escaped (display names are user text); a member without a known name as such. */
const namesText = (people: Array<{ name: string }>, lang: CircleLang) => people.map((p) => memberName(p.name, lang)).join(', ');
/** A member's name escaped, or "a person whose name is unknown" (neither the directory nor Entra ID names them). */
const memberName = (name: string, lang: CircleLang) => (name ? cardText(name) : CIRCLE_TEXTS[lang].unnamedMember);
const optionalText = (value: string | undefined) => (value ? cardText(value) : undefined);

/**
 * The poll card for `view` (a member's own view when `view.mine`/`viewerIsKfi` are set). Titles, places, names,
 * agenda, topics and minutes are user text: escaped here with `cardText` for display, never in form prefills.
 */
export function renderPollCard(view: PollView, lang: CircleLang, opts: CardStatus = {}): CardAttachment {
  const t = CIRCLE_TEXTS[lang];
  const open = view.poll.status === 'open';
  const labels = new Map(view.poll.slots.map((s) => [s.id, formatBerlinRange(new Date(s.start), new Date(s.end), lang)]));
  const slotLabel = (s: { id: string }) => labels.get(s.id) ?? '';
  const chosen = view.poll.slots.find((s) => s.id === view.poll.chosenSlotId);
  // The place as text; the online link is not shown here (members join from the meeting card), never as a raw URL.
  const online = view.poll.onlineUrl ? (view.poll.place ? t.onlineAlso : t.onlineOnly) : '';
  const where = [view.poll.place ? cardText(view.poll.place) : '', online].filter(Boolean).join(' · ');
  const unanswered = open && Object.keys(view.mine ?? {}).length === 0;
  return circlePollCard({
    lang,
    pollId: view.poll.pk,
    heading: t.pollHeading(cardText(view.poll.title)),
    intro: open ? t.pollIntro : chosen ? `${t.pollClosedIntro} ${t.chosen(slotLabel(chosen))}` : t.pollClosedIntro,
    introColor: unanswered ? 'Accent' : 'Default',
    introWeight: unanswered ? 'Bolder' : 'Default',
    where,
    status: opts.status ?? '',
    statusStyle: opts.statusStyle ?? 'default',
    open,
    slots: view.poll.slots.map((s) => {
      const tally = view.tallies[s.id];
      const mine = view.mine?.[s.id];
      return {
        id: s.id,
        label: slotLabel(s) + (open && s.id === view.bestSlotId && tally.yes > 0 ? t.best : ''),
        tally: t.tally(tally.yes, tally.maybe, tally.no),
        mine: mine ? t.mine(t.choice[mine]) : '',
        inputId: `slot_${s.id}`,
        inputLabel: t.slotInput(slotLabel(s)),
        value: mine ?? '',
      };
    }),
    answeredText: t.answered(view.answeredCount, view.members.length),
    kfi: view.viewerIsKfi,
    notAnsweredText: t.notAnswered(namesText(view.notAnswered, lang)),
    reachText: view.viewerIsKfi ? circleReachText(view.poll.reach, view.members, lang) : '',
    closeChoices: view.poll.slots.map((s) => ({ title: slotLabel(s), value: s.id })),
    answerChoices: POLL_CHOICES.map((value) => ({ title: t.labels[value], value })),
    bestSlotId: view.bestSlotId,
    meetingId: view.poll.meetingId ?? '',
    refreshUserIds: (opts.refreshUserIds ?? []).slice(0, 60),
    labels: { ...t.labels },
  });
}

/** The meeting card for `view`. */
export function renderMeetingCard(view: MeetingView, lang: CircleLang, opts: CardStatus = {}): CardAttachment {
  const t = CIRCLE_TEXTS[lang];
  const m = view.meeting;
  const cancelled = m.status === 'cancelled';
  const ended = view.ended;
  const canRsvp = !cancelled && !ended;
  const deadline = formatBerlinDate(m.rsvpDeadline, lang);
  const mineText = view.mine ? t.mineRsvp(t.rsvp[view.mine.answer], optionalText(view.mine.delegate)) : '';
  // Facts are TextRuns (plain text, no Markdown): user text goes in as typed. The online link is link text.
  const facts = [
    { title: t.facts.when, value: formatBerlinRange(new Date(m.start), new Date(m.end), lang) },
    ...(m.place ? [{ title: t.facts.where, value: m.place }] : []),
    ...(canRsvp && view.mine ? [{ title: t.facts.deadline, value: deadline }] : []),
  ];
  const topics = m.agendaPublished || view.viewerIsKfi ? view.agenda.map((x, i) => t.topic(i + 1, cardText(x.title), optionalText(x.presenter), optionalText(x.description))) : [];
  const agendaText = [m.agendaText ? cardText(m.agendaText) : '', topics.join('\n')].filter(Boolean).join('\n\n') || t.agendaPending;
  // The Teams meeting made through Graph is the link, when there is one; else the KfI's own online link.
  const teamsUrl = m.teamsMeeting?.joinUrl;
  const teamsFailed = m.teamsMeeting?.state === 'failed' ? m.teamsMeeting.failed : undefined;
  const minutes = m.minutes?.text.trim() ?? '';
  const minutesIsLink = /^https:\/\/\S+$/.test(minutes);
  return circleMeetingCard({
    lang,
    meetingId: m.pk,
    heading: t.meetingHeading(cardText(m.title)),
    // A cancelled meeting says why on top ("Abgesagt: <Grund>"): the KfI's reason is user text, escaped.
    status: cancelled ? (m.cancelReason ? t.cancelledBecause(cardText(m.cancelReason)) : t.cancelled) : opts.status ?? '',
    statusStyle: cancelled ? 'attention' : opts.statusStyle ?? 'default',
    todoText: cancelled ? '' : ended ? t.ended : mineText || t.todoRsvp(deadline),
    facts,
    agendaText,
    countsText: t.counts(view.counts),
    canRsvp,
    delegateValue: opts.inputs?.delegate ?? view.mine?.delegate ?? '',
    topicValues: { title: opts.inputs?.topicTitle ?? '', description: opts.inputs?.topicDescription ?? '', presenter: opts.inputs?.topicPresenter ?? '' },
    actionTitleValue: opts.inputs?.actionTitle ?? '',
    cancelReasonValue: view.viewerIsKfi ? opts.inputs?.cancelReason ?? '' : '',
    canPropose: !cancelled && !ended,
    icsUrl: cancelled ? '' : view.icsUrl,
    onlineUrl: cancelled ? '' : teamsUrl ?? m.onlineUrl ?? '',
    // Only the KfI reads that Graph gave up (what to do instead; the codes are in the log).
    teamsNote: view.viewerIsKfi && teamsFailed ? t.teamsFailed[teamsFailed] : '',
    minutesText: minutesIsLink ? '' : cardText(minutes),
    minutesUrl: minutesIsLink ? minutes : '',
    minutesValue: view.viewerIsKfi ? opts.inputs?.minutes ?? m.minutes?.text ?? '' : '',
    minutesMode: ended ? 'primary' : 'secondary',
    actionItemsText: m.actionItems.map((a) => t.action(cardText(a.title), memberName(a.ownerName, lang), formatBerlinDate(a.due, lang))).join('\n'),
    kfi: view.viewerIsKfi && !cancelled,
    agendaPublished: m.agendaPublished,
    notAnsweredText: t.notAnswered(namesText(view.notAnswered, lang)),
    reachText: view.viewerIsKfi ? circleReachText(m.reach, view.members, lang) : '',
    proposed: view.viewerIsKfi ? view.proposed.map((x) => ({ id: x.id, text: t.proposedTopic(cardText(x.title), optionalText(x.presenter)) })) : [],
    ordered: view.viewerIsKfi ? view.agenda.map((x, i) => ({ id: x.id, text: t.topic(i + 1, cardText(x.title), optionalText(x.presenter)), canUp: i > 0 })) : [],
    ownerChoices: view.viewerIsKfi ? view.members.map((x) => ({ title: x.name || CIRCLE_TEXTS[lang].unnamedMember, value: x.aadObjectId })) : [],
    refreshUserIds: (opts.refreshUserIds ?? []).slice(0, 60),
    labels: { ...t.labels, join: teamsUrl ? t.labels.joinTeams : t.labels.join, onlineFact: t.facts.online, cancelConfirm: t.cancelConfirm },
  });
}

/** The overview ("Koordinierungskreis", "Nächste Sitzung"). `kfiContact` names the KfI for people outside the circle. */
export function renderOverviewCard(overview: CircleOverview, lang: CircleLang, kfiContact: string, guestNames: string[] = []): CardAttachment {
  const t = CIRCLE_TEXTS[lang];
  const next = overview.nextMeeting;
  const mine = next?.mine ? t.mineRsvp(t.rsvp[next.mine.answer], optionalText(next.mine.delegate)) : '';
  return circleOverviewCard({
    lang,
    heading: t.overviewHeading,
    intro: overview.isMember ? t.overviewIntro : t.notMember(cardText(kfiContact)),
    nextText: next ? t.nextMeeting(cardText(next.meeting.title), formatBerlinRange(new Date(next.meeting.start), new Date(next.meeting.end), lang), mine) : t.noMeeting(cardText(kfiContact)),
    nextMeetingId: next?.meeting.pk ?? '',
    polls: overview.openPolls.map((p) => ({ id: p.poll.pk, text: t.pollLine(cardText(p.poll.title), !!p.mine) })),
    hint: overview.isKfi ? (overview.channelDesignated ? t.channelSet : t.noChannel) : '',
    kfi: overview.isKfi,
    kfiMode: next ? 'secondary' : 'primary',
    guestsText: t.guests(guestNames.map(cardText).join(', ')),
    labels: { ...t.labels },
  });
}

const deliveryChoices = (lang: CircleLang, channel: boolean) =>
  channel ? DELIVERY_MODES.map((v) => ({ title: CIRCLE_TEXTS[lang].delivery[v], value: v })) : [];

/** Where a refusal's problem (its `field`) is shown on the KfI's forms; problems of other fields go on top. */
const POLL_FORM_FIELDS: Record<string, string> = { title: 'title', place: 'place', onlineUrl: 'onlineUrl', duration: 'duration', slot: 'slots', slotCount: 'slots', noChannel: 'delivery' };
const MEETING_FORM_FIELDS: Record<string, string> = {
  title: 'title', date: 'date', endBeforeStart: 'endTime', place: 'place', placeOrLink: 'place', onlineUrl: 'onlineUrl', agendaText: 'agendaText', rsvpDeadline: 'rsvpDeadline', noChannel: 'delivery',
};

/**
 * The sentence at each field (`errors`: problem field → sentence) and what goes on top: "please check the marked
 * fields" when every problem has its field, else the refusal's sentence.
 */
function formErrors(lang: CircleLang, fields: Record<string, string>, keys: readonly string[], status: string, errors: Record<string, string>) {
  const at: Record<string, string> = Object.fromEntries(keys.map((k) => [k, '']));
  let unplaced = false;
  for (const [field, sentence] of Object.entries(errors)) {
    const key = fields[field];
    if (key) at[key] = at[key] ? `${at[key]} ${sentence}` : sentence;
    else unplaced = true;
  }
  const placed = Object.values(at).some(Boolean);
  return { errors: at, status: placed && !unplaced ? CIRCLE_TEXTS[lang].labels.formErrors : status };
}

export interface FormOptions {
  channel: boolean;
  /** The refusal's sentence (shown on top unless every problem is shown at its field). */
  status?: string;
  /** What was typed, to refill the form after a refused attempt. */
  values?: Record<string, string>;
  /** The refusal's problems: problem field (`title`, `slot`, `rsvpDeadline`, …) → sentence. */
  errors?: Record<string, string>;
}

const SLOTS = 10;
const FIRST_SLOTS = 3;

/** The KfI's form for a new poll: three date slots, seven more behind "Weitere Termine"; `values` refills it after a refused attempt. */
export function renderPollForm(lang: CircleLang, opts: FormOptions): CardAttachment {
  const t = CIRCLE_TEXTS[lang];
  const v = opts.values ?? {};
  const slots = Array.from({ length: SLOTS }, (_, i) => ({
    dateId: `slot${i + 1}Date`,
    timeId: `slot${i + 1}Time`,
    dateLabel: t.slotDate(i + 1),
    timeLabel: t.slotTime(i + 1),
    date: v[`slot${i + 1}Date`] ?? '',
    time: v[`slot${i + 1}Time`] ?? '',
    // Two dates are the least a poll needs: the client asks for them before sending.
    required: i < 2,
  }));
  const more = slots.slice(FIRST_SLOTS);
  const shown = formErrors(lang, POLL_FORM_FIELDS, ['title', 'place', 'onlineUrl', 'duration', 'slots', 'delivery'], opts.status ?? '', opts.errors ?? {});
  return circlePollFormCard({
    lang,
    heading: t.pollFormHeading,
    intro: t.pollFormIntro,
    status: shown.status,
    errors: shown.errors,
    values: { title: v.title ?? '', place: v.place ?? '', onlineUrl: v.onlineUrl ?? '', duration: v.duration ?? '120', delivery: v.delivery ?? (opts.channel ? 'channel' : 'personal') },
    durationChoices: Object.entries(t.durations).map(([value, title]) => ({ title, value })),
    firstSlots: slots.slice(0, FIRST_SLOTS),
    moreSlots: more,
    showMore: more.some((x) => x.date || x.time),
    deliveryChoices: deliveryChoices(lang, opts.channel),
    labels: { ...t.labels },
  });
}

/** The KfI's form to announce a meeting, or to change `meeting`. */
export function renderMeetingForm(lang: CircleLang, opts: FormOptions & { meeting?: MeetingDoc }): CardAttachment {
  const t = CIRCLE_TEXTS[lang];
  const m = opts.meeting;
  const v = opts.values ?? {};
  const start = m ? berlinParts(new Date(m.start)) : undefined;
  const pick = (key: string, fallback: string) => v[key] ?? fallback;
  const shown = formErrors(lang, MEETING_FORM_FIELDS, ['title', 'date', 'endTime', 'place', 'onlineUrl', 'agendaText', 'rsvpDeadline', 'delivery'], opts.status ?? '', opts.errors ?? {});
  return circleMeetingFormCard({
    lang,
    heading: t.meetingFormHeading(!!m),
    intro: t.meetingFormIntro(!!m),
    status: shown.status,
    errors: shown.errors,
    meetingId: m?.pk ?? '',
    values: {
      title: pick('title', m?.title ?? ''),
      date: pick('date', start?.date ?? ''),
      startTime: pick('startTime', start?.time ?? ''),
      endTime: pick('endTime', m ? berlinParts(new Date(m.end)).time : ''),
      place: pick('place', m?.place ?? ''),
      onlineUrl: pick('onlineUrl', m?.onlineUrl ?? ''),
      agendaText: pick('agendaText', m?.agendaText ?? ''),
      rsvpDeadline: pick('rsvpDeadline', m?.rsvpDeadline ?? ''),
      delivery: pick('delivery', opts.channel ? 'channel' : 'personal'),
    },
    deliveryChoices: m ? [] : deliveryChoices(lang, opts.channel),
    submitLabel: m ? t.labels.saveChanges : t.labels.announce,
    labels: { ...t.labels },
  });
}

/** One line for reminders and notices: "Koordinierungskreis am Di., 15.12.2026, 10:00 Uhr". */
export function meetingWhen(meeting: MeetingDoc, lang: CircleLang): string {
  return formatBerlin(new Date(meeting.start), lang);
}
