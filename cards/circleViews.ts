/**
 * Koordinierungskreis cards from the service's views (`PollView`, `MeetingView`, `CircleOverview`): the bot and a
 * personal tab's preview render the same input the same way. German first; English for English-locale viewers.
 */
import { berlinParts, formatBerlin, formatBerlinDate, formatBerlinRange } from '../services/common/berlinTime';
import type { CircleOverview } from '../services/circle/circleService';
import { DELIVERY_MODES, POLL_CHOICES, type MeetingDoc, type MeetingView, type PollChoice, type PollView, type RsvpAnswer } from '../services/circle/model';
import { cardText } from '../services/text/escape';
import type { CardAttachment } from './defineCard';
import { circleMeetingCard, circleMeetingFormCard, circleOverviewCard, circlePollCard, circlePollFormCard } from './circleCards';

export type CircleLang = 'de' | 'en';

export const CIRCLE_TEXTS = {
  de: {
    pollHeading: (t: string) => `Terminumfrage: ${t}`,
    pollIntro: 'Bitte geben Sie für jeden Termin an, ob er Ihnen passt. Sie können Ihre Antwort jederzeit ändern.',
    pollClosedIntro: 'Die Umfrage ist abgeschlossen.',
    chosen: (when: string) => `Gewählt: ${when}`,
    tally: (y: number, m: number, n: number) => `Ja ${y} · Vielleicht ${m} · Nein ${n}`,
    mine: (c: string) => `Ihre Antwort: ${c}`,
    choice: { yes: 'Ja', maybe: 'Vielleicht', no: 'Nein' } as Record<PollChoice, string>,
    slotInput: (when: string) => `Ihre Antwort für ${when}`,
    answered: (a: number, t: number) => `${a} von ${t} Mitgliedern haben geantwortet.`,
    notAnswered: (names: string) => (names ? `Noch keine Antwort: ${names}` : 'Alle Mitglieder haben geantwortet.'),
    best: ' (bester Termin)',
    meetingHeading: (t: string) => `Koordinierungskreis: ${t}`,
    cancelled: 'Diese Sitzung ist abgesagt.',
    facts: { when: 'Wann', where: 'Wo', online: 'Online', deadline: 'Rückmeldung bis' },
    agendaPending: 'Die Tagesordnung folgt. Themen können Sie unten vorschlagen.',
    counts: (c: MeetingView['counts']) => `Zusagen ${c.accept} · Absagen ${c.decline} · Vertretungen ${c.delegate} · offen ${c.open}`,
    rsvp: { accept: 'Zusage', decline: 'Absage', delegate: 'Vertretung' } as Record<RsvpAnswer, string>,
    mineRsvp: (a: string, d?: string) => `Ihre Rückmeldung: ${a}${d ? ` (es kommt: ${d})` : ''}`,
    action: (title: string, owner: string, due: string) => `• ${title} – ${owner}, bis ${due}`,
    topic: (i: number, title: string, presenter?: string, description?: string) => `${i}. ${title}${presenter ? ` (${presenter})` : ''}${description ? ` – ${description}` : ''}`,
    proposedTopic: (title: string, presenter?: string) => `Vorschlag: ${title}${presenter ? ` (${presenter})` : ''}`,
    overviewHeading: 'Koordinierungskreis der Integrationsbeauftragten',
    overviewIntro: 'Das Kompetenzzentrum für Integration (KfI) der Bezirksregierung Arnsberg leitet und moderiert den Koordinierungskreis: Erfahrungs- und Informationsaustausch, Wissenstransfer und Abstimmung zu Querschnittsfragen (RdErl. v. 5.12.2023, Nr. 6).',
    noMeeting: (contact: string) => `Zurzeit ist keine Sitzung angesetzt. Ansprechpartner: ${contact}.`,
    nextMeeting: (title: string, when: string, mine: string) => `${title}: ${when}${mine ? ` – ${mine}` : ''}`,
    pollLine: (title: string, answered: boolean) => `${title} – ${answered ? 'Sie haben geantwortet' : 'Ihre Antwort fehlt noch'}`,
    notMember: (contact: string) => `Den Koordinierungskreis sehen seine Mitglieder: die Integrationsbeauftragten, ihre Vertretungen, das KfI und Gäste. Fragen dazu beantwortet das KfI: ${contact}.`,
    noChannel: 'Ankündigungen gehen als Einzelnachricht an jedes Mitglied. Für einen Teams-Kanal schreiben Sie dort „Koordinierungskreis hier posten“.',
    channelSet: 'Ankündigungen werden im festgelegten Teams-Kanal gepostet.',
    pollFormHeading: 'Neue Terminumfrage',
    pollFormIntro: 'Schlagen Sie 2 bis 10 Termine vor (Uhrzeit Europe/Berlin). Die Mitglieder antworten mit Ja, Vielleicht oder Nein.',
    meetingFormHeading: (edit: boolean) => (edit ? 'Sitzung ändern' : 'Sitzung ankündigen'),
    meetingFormIntro: (edit: boolean) =>
      edit ? 'Alle geposteten Karten werden aktualisiert, und jedes Mitglied erhält einmal einen Hinweis auf die Änderung.' : 'Die Einladung geht an alle Mitglieder des Koordinierungskreises (Uhrzeit Europe/Berlin).',
    slotDate: (i: number) => `Termin ${i}: Datum`,
    slotTime: (i: number) => `Termin ${i}: Beginn`,
    delivery: { channel: 'Im Teams-Kanal', personal: 'Einzeln an jedes Mitglied', both: 'Kanal und einzeln' },
    labels: {
      refresh: 'Aktualisieren', yes: 'Ja', maybe: 'Vielleicht', no: 'Nein', submit: 'Antwort speichern', remind: 'Fehlende erinnern', close: 'Umfrage abschließen',
      closeSlot: 'Termin für die Sitzung', rsvpDeadline: 'Rückmeldung bis (optional)', kfiHeading: 'Für das KfI', showMeeting: 'Sitzung anzeigen',
      agenda: 'Tagesordnung', rsvp: 'Ihre Rückmeldung', accept: 'Zusage', decline: 'Absage', delegate: 'Vertretung', delegateName: 'Bei Vertretung: Wer nimmt teil?',
      minutes: 'Protokoll', actionItems: 'Aufgaben', acceptTopic: 'Aufnehmen', rejectTopic: 'Ablehnen', upTopic: 'Nach oben', sendRsvp: 'Rückmeldung senden',
      calendar: 'In den Kalender (.ics)', join: 'Online teilnehmen', propose: 'Thema vorschlagen', topicTitle: 'Thema', topicTitleMissing: 'Bitte geben Sie ein Thema an.',
      topicDescription: 'Kurze Beschreibung', topicPresenter: 'Wer stellt es vor?', proposeSend: 'Vorschlag senden', manage: 'Sitzung verwalten',
      minutesInput: 'Protokoll (Text oder Link)', actionTitle: 'Neue Aufgabe', actionOwner: 'Verantwortlich', actionDue: 'Fällig am', saveMinutes: 'Protokoll veröffentlichen',
      addAction: 'Aufgabe hinzufügen', publishAgenda: 'Tagesordnung veröffentlichen', edit: 'Ändern', cancel: 'Sitzung absagen',
      next: 'Nächste Sitzung', polls: 'Offene Terminumfragen', openPoll: 'Öffnen', newPoll: 'Terminumfrage anlegen', newMeeting: 'Sitzung ankündigen',
      title: 'Titel', titleMissing: 'Bitte geben Sie einen Titel an.', place: 'Ort (Raum, Adresse)', onlineUrl: 'Online-Link (https://…)', duration: 'Dauer',
      delivery: 'Wohin?', date: 'Datum', dateMissing: 'Bitte wählen Sie ein Datum.', startTime: 'Beginn', endTime: 'Ende', timeMissing: 'Bitte geben Sie eine Uhrzeit an.',
      agendaText: 'Tagesordnung (optional)', addGuest: 'Gast hinzufügen', guestPerson: 'Person (Suche im Verzeichnis Ihrer Organisation)',
      guestName: 'Name, wie er im Kreis angezeigt wird', guestMissing: 'Bitte wählen Sie eine Person und geben Sie den Namen an.', addGuestSend: 'Als Gast aufnehmen',
    },
    guests: (names: string) => (names ? `Gäste: ${names}` : 'Noch keine zusätzlichen Gäste.'),
  },
  en: {
    pollHeading: (t: string) => `Date poll: ${t}`,
    pollIntro: 'Please say for each date whether it suits you. You can change your answer at any time.',
    pollClosedIntro: 'The poll is closed.',
    chosen: (when: string) => `Chosen: ${when}`,
    tally: (y: number, m: number, n: number) => `Yes ${y} · Maybe ${m} · No ${n}`,
    mine: (c: string) => `Your answer: ${c}`,
    choice: { yes: 'Yes', maybe: 'Maybe', no: 'No' } as Record<PollChoice, string>,
    slotInput: (when: string) => `Your answer for ${when}`,
    answered: (a: number, t: number) => `${a} of ${t} members have answered.`,
    notAnswered: (names: string) => (names ? `No answer yet: ${names}` : 'Every member has answered.'),
    best: ' (best date)',
    meetingHeading: (t: string) => `Coordination circle: ${t}`,
    cancelled: 'This meeting is cancelled.',
    facts: { when: 'When', where: 'Where', online: 'Online', deadline: 'Please reply by' },
    agendaPending: 'The agenda will follow. You can propose topics below.',
    counts: (c: MeetingView['counts']) => `Attending ${c.accept} · Not attending ${c.decline} · Represented ${c.delegate} · no reply ${c.open}`,
    rsvp: { accept: 'Attending', decline: 'Not attending', delegate: 'Sending someone' } as Record<RsvpAnswer, string>,
    mineRsvp: (a: string, d?: string) => `Your reply: ${a}${d ? ` (attending: ${d})` : ''}`,
    action: (title: string, owner: string, due: string) => `• ${title} – ${owner}, due ${due}`,
    topic: (i: number, title: string, presenter?: string, description?: string) => `${i}. ${title}${presenter ? ` (${presenter})` : ''}${description ? ` – ${description}` : ''}`,
    proposedTopic: (title: string, presenter?: string) => `Proposed: ${title}${presenter ? ` (${presenter})` : ''}`,
    overviewHeading: 'Coordination circle of the integration commissioners',
    overviewIntro: 'The Kompetenzzentrum für Integration (KfI) at Bezirksregierung Arnsberg runs and moderates the coordination circle: exchange of experience and information, knowledge transfer and alignment on cross-cutting questions (decree Nr. 6).',
    noMeeting: (contact: string) => `No meeting is scheduled at the moment. Contact: ${contact}.`,
    nextMeeting: (title: string, when: string, mine: string) => `${title}: ${when}${mine ? ` – ${mine}` : ''}`,
    pollLine: (title: string, answered: boolean) => `${title} – ${answered ? 'you have answered' : 'your answer is missing'}`,
    notMember: (contact: string) => `The coordination circle is visible to its members: the integration commissioners, their deputies, the KfI and guests. The KfI answers questions about it: ${contact}.`,
    noChannel: 'Announcements go to each member as a personal message. For a Teams channel, write "Koordinierungskreis hier posten" there.',
    channelSet: 'Announcements are posted in the designated Teams channel.',
    pollFormHeading: 'New date poll',
    pollFormIntro: 'Propose 2 to 10 dates (Europe/Berlin time). Members answer yes, maybe or no.',
    meetingFormHeading: (edit: boolean) => (edit ? 'Change the meeting' : 'Announce a meeting'),
    meetingFormIntro: (edit: boolean) =>
      edit ? 'Every posted card is updated, and each member is told about the change once.' : 'The invitation goes to every member of the coordination circle (Europe/Berlin time).',
    slotDate: (i: number) => `Date ${i}: day`,
    slotTime: (i: number) => `Date ${i}: start`,
    delivery: { channel: 'In the Teams channel', personal: 'To each member personally', both: 'Channel and personally' },
    labels: {
      refresh: 'Refresh', yes: 'Yes', maybe: 'Maybe', no: 'No', submit: 'Save answer', remind: 'Remind those missing', close: 'Close the poll',
      closeSlot: 'Date for the meeting', rsvpDeadline: 'Reply by (optional)', kfiHeading: 'For the KfI', showMeeting: 'Show meeting',
      agenda: 'Agenda', rsvp: 'Your reply', accept: 'Attending', decline: 'Not attending', delegate: 'Sending someone', delegateName: 'If sending someone: who attends?',
      minutes: 'Minutes', actionItems: 'Action items', acceptTopic: 'Accept', rejectTopic: 'Reject', upTopic: 'Move up', sendRsvp: 'Send reply',
      calendar: 'Add to calendar (.ics)', join: 'Join online', propose: 'Propose a topic', topicTitle: 'Topic', topicTitleMissing: 'Please enter a topic.',
      topicDescription: 'Short description', topicPresenter: 'Who presents it?', proposeSend: 'Send proposal', manage: 'Manage meeting',
      minutesInput: 'Minutes (text or link)', actionTitle: 'New action item', actionOwner: 'Owner', actionDue: 'Due on', saveMinutes: 'Publish minutes',
      addAction: 'Add action item', publishAgenda: 'Publish agenda', edit: 'Change', cancel: 'Cancel meeting',
      next: 'Next meeting', polls: 'Open date polls', openPoll: 'Open', newPoll: 'New date poll', newMeeting: 'Announce a meeting',
      title: 'Title', titleMissing: 'Please enter a title.', place: 'Place (room, address)', onlineUrl: 'Online link (https://…)', duration: 'Duration',
      delivery: 'Where to?', date: 'Date', dateMissing: 'Please choose a date.', startTime: 'Start', endTime: 'End', timeMissing: 'Please enter a time.',
      agendaText: 'Agenda (optional)', addGuest: 'Add a guest', guestPerson: 'Person (search your organisation’s directory)',
      guestName: 'Name as shown in the circle', guestMissing: 'Please choose a person and enter the name.', addGuestSend: 'Add as guest',
    },
    guests: (names: string) => (names ? `Guests: ${names}` : 'No additional guests yet.'),
  },
} as const;

export interface CardStatus {
  status?: string;
  statusStyle?: 'default' | 'good' | 'attention';
  /** Teams user ids (29:…) that refresh automatically into their own view; at most 60 are used. */
  refreshUserIds?: string[];
  /** What the viewer typed, to refill the meeting card's inputs after a refused action (only the actor sees it). */
  inputs?: Partial<Record<'topicTitle' | 'topicDescription' | 'topicPresenter' | 'minutes' | 'actionTitle' | 'delegate', string>>;
}

/** Member names for a card line, each escaped (display names are user text). */
const namesText = (people: Array<{ name: string }>) => people.map((p) => cardText(p.name)).join(', ');
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
  const where = [view.poll.place ? cardText(view.poll.place) : '', view.poll.onlineUrl ? `${t.facts.online}: ${cardText(view.poll.onlineUrl)}` : ''].filter(Boolean).join(' · ');
  return circlePollCard({
    lang,
    pollId: view.poll.pk,
    heading: t.pollHeading(cardText(view.poll.title)),
    intro: open ? t.pollIntro : chosen ? `${t.pollClosedIntro} ${t.chosen(slotLabel(chosen))}` : t.pollClosedIntro,
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
    notAnsweredText: t.notAnswered(namesText(view.notAnswered)),
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
  const facts = [
    { title: t.facts.when, value: formatBerlinRange(new Date(m.start), new Date(m.end), lang) },
    ...(m.place ? [{ title: t.facts.where, value: cardText(m.place) }] : []),
    ...(m.onlineUrl ? [{ title: t.facts.online, value: cardText(m.onlineUrl) }] : []),
    { title: t.facts.deadline, value: formatBerlinDate(m.rsvpDeadline, lang) },
  ];
  const topics = m.agendaPublished || view.viewerIsKfi ? view.agenda.map((x, i) => t.topic(i + 1, cardText(x.title), optionalText(x.presenter), optionalText(x.description))) : [];
  const agendaText = [m.agendaText ? cardText(m.agendaText) : '', ...topics].filter(Boolean).join('\n\n') || t.agendaPending;
  const ended = view.ended;
  return circleMeetingCard({
    lang,
    meetingId: m.pk,
    heading: t.meetingHeading(cardText(m.title)),
    status: cancelled ? t.cancelled : opts.status ?? '',
    statusStyle: cancelled ? 'attention' : opts.statusStyle ?? 'default',
    facts,
    agendaText,
    countsText: t.counts(view.counts),
    mineText: view.mine ? t.mineRsvp(t.rsvp[view.mine.answer], optionalText(view.mine.delegate)) : '',
    canRsvp: !cancelled && !ended,
    rsvpValue: view.mine?.answer ?? '',
    delegateValue: opts.inputs?.delegate ?? view.mine?.delegate ?? '',
    topicValues: { title: opts.inputs?.topicTitle ?? '', description: opts.inputs?.topicDescription ?? '', presenter: opts.inputs?.topicPresenter ?? '' },
    actionTitleValue: opts.inputs?.actionTitle ?? '',
    canPropose: !cancelled && !ended,
    icsUrl: cancelled ? '' : view.icsUrl,
    onlineUrl: cancelled ? '' : m.onlineUrl ?? '',
    minutesText: cardText(m.minutes?.text ?? ''),
    minutesValue: view.viewerIsKfi ? opts.inputs?.minutes ?? m.minutes?.text ?? '' : '',
    actionItemsText: m.actionItems.map((a) => t.action(cardText(a.title), cardText(a.ownerName), formatBerlinDate(a.due, lang))).join('\n'),
    kfi: view.viewerIsKfi && !cancelled,
    notAnsweredText: t.notAnswered(namesText(view.notAnswered)),
    proposed: view.viewerIsKfi ? view.proposed.map((x) => ({ id: x.id, text: t.proposedTopic(cardText(x.title), optionalText(x.presenter)) })) : [],
    ordered: view.viewerIsKfi ? view.agenda.map((x, i) => ({ id: x.id, text: t.topic(i + 1, cardText(x.title), optionalText(x.presenter)) })) : [],
    ownerChoices: view.viewerIsKfi ? view.members.map((x) => ({ title: x.name, value: x.aadObjectId })) : [],
    refreshUserIds: (opts.refreshUserIds ?? []).slice(0, 60),
    labels: { ...t.labels },
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
    guestsText: t.guests(guestNames.map(cardText).join(', ')),
    labels: { ...t.labels },
  });
}

const deliveryChoices = (lang: CircleLang, channel: boolean) =>
  channel ? DELIVERY_MODES.map((v) => ({ title: CIRCLE_TEXTS[lang].delivery[v], value: v })) : [];

/** The KfI's form for a new poll; `values` refills it after a refused attempt. */
export function renderPollForm(lang: CircleLang, opts: { channel: boolean; status?: string; values?: Record<string, string> }): CardAttachment {
  const t = CIRCLE_TEXTS[lang];
  const v = opts.values ?? {};
  return circlePollFormCard({
    lang,
    heading: t.pollFormHeading,
    intro: t.pollFormIntro,
    status: opts.status ?? '',
    values: { title: v.title ?? '', place: v.place ?? '', onlineUrl: v.onlineUrl ?? '', duration: v.duration ?? '120', delivery: v.delivery ?? (opts.channel ? 'channel' : 'personal') },
    slots: Array.from({ length: 10 }, (_, i) => ({
      dateId: `slot${i + 1}Date`,
      timeId: `slot${i + 1}Time`,
      dateLabel: t.slotDate(i + 1),
      timeLabel: t.slotTime(i + 1),
      date: v[`slot${i + 1}Date`] ?? '',
      time: v[`slot${i + 1}Time`] ?? '',
    })),
    deliveryChoices: deliveryChoices(lang, opts.channel),
    labels: { ...t.labels },
  });
}

/** The KfI's form to announce a meeting, or to change `meeting`. */
export function renderMeetingForm(lang: CircleLang, opts: { channel: boolean; meeting?: MeetingDoc; status?: string; values?: Record<string, string> }): CardAttachment {
  const t = CIRCLE_TEXTS[lang];
  const m = opts.meeting;
  const v = opts.values ?? {};
  const start = m ? berlinParts(new Date(m.start)) : undefined;
  const pick = (key: string, fallback: string) => v[key] ?? fallback;
  return circleMeetingFormCard({
    lang,
    heading: t.meetingFormHeading(!!m),
    intro: t.meetingFormIntro(!!m),
    status: opts.status ?? '',
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
    labels: { ...t.labels },
  });
}

/** One line for reminders and notices: "Koordinierungskreis am Di., 15.12.2026, 10:00 Uhr". */
export function meetingWhen(meeting: MeetingDoc, lang: CircleLang): string {
  return formatBerlin(new Date(meeting.start), lang);
}
