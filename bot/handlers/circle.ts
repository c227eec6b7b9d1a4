import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { CardAttachment } from '../../cards/defineCard';
import {
  CIRCLE_TEXTS,
  meetingWhen,
  renderMeetingCard,
  renderMeetingForm,
  renderOverviewCard,
  renderPollCard,
  renderPollForm,
  type CardStatus,
  type CircleLang,
} from '../../cards/circleViews';
import type { LiveAnswers } from '../../services/answers/liveAnswers';
import { formatBerlinDate } from '../../services/circle/berlinTime';
import { CircleError, TOPIC_LIMITS, type CirclePresenter, type CircleService } from '../../services/circle/circleService';
import { DELIVERY_MODES, POLL_CHOICES, RSVP_ANSWERS, type MeetingView, type PollChoice } from '../../services/circle/model';
import type { Logger } from '../../services/logging';
import type { OutgoingActivity } from '../../services/notifications/model';
import { messageText } from '../../services/text/escape';
import type { UserProfileRepository } from '../../services/users/userProfiles';
import { PERSONAL_DATA_ADVICE, personalDataReason } from '../privacyTexts';
import { conversationRefOf } from '../teamsBot';
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

const M = {
  de: {
    kfiOnly: 'Das kann nur das Kompetenzzentrum für Integration (KfI), das den Koordinierungskreis leitet.',
    notMember: 'Diese Aktion ist den Mitgliedern des Koordinierungskreises vorbehalten.',
    notFound: 'Diese Umfrage oder Sitzung gibt es nicht (mehr).',
    closed: 'Das ist nicht mehr möglich: Die Umfrage ist abgeschlossen oder die Sitzung abgesagt bzw. vorbei.',
    past: 'Der Termin liegt in der Vergangenheit. Bitte wählen Sie ein Datum in der Zukunft.',
    noChannel: 'Es ist noch kein Teams-Kanal festgelegt. Schreiben Sie im gewünschten Kanal „Koordinierungskreis hier posten“ oder wählen Sie „Einzeln an jedes Mitglied“.',
    invalid: {
      title: 'Bitte geben Sie einen Titel an.', duration: 'Bitte wählen Sie eine Dauer.', slot: 'Ein Termin ist unvollständig: Bitte Datum und Uhrzeit angeben.',
      slotCount: 'Bitte schlagen Sie 2 bis 10 verschiedene Termine vor.', onlineUrl: 'Der Online-Link muss mit https:// beginnen.',
      date: 'Bitte geben Sie Datum, Beginn und Ende an.', endBeforeStart: 'Das Ende muss nach dem Beginn liegen.',
      rsvpDeadline: 'Die Rückmeldefrist muss ein Datum vor oder am Sitzungstag sein.', placeOrLink: 'Bitte geben Sie einen Ort oder einen Online-Link an.',
      choices: 'Bitte wählen Sie mindestens für einen Termin Ja, Vielleicht oder Nein.', delegate: 'Bitte nennen Sie bei „Vertretung“, wer teilnimmt.',
      topicTitle: 'Bitte geben Sie ein Thema an.', minutes: 'Bitte geben Sie das Protokoll oder einen Link ein.', actionTitle: 'Bitte beschreiben Sie die Aufgabe.',
      owner: 'Bitte wählen Sie eine verantwortliche Person aus dem Kreis.', due: 'Bitte geben Sie ein Fälligkeitsdatum an.', tooLong: 'Ein Text ist zu lang.',
      guest: 'Die Kennung des Gastes ist ungültig.', guestName: 'Bitte geben Sie den Namen des Gastes an.',
      topicLimit: `Sie haben für diese Sitzung schon ${TOPIC_LIMITS.perMember} Themen vorgeschlagen. Weitere Themen besprechen Sie bitte direkt mit dem KfI.`,
      topicsFull: `Für diese Sitzung liegen schon ${TOPIC_LIMITS.perMeeting} Themen vor. Bitte wenden Sie sich direkt an das KfI.`,
    } as Record<string, string>,
    invalidDefault: 'Die Angaben sind unvollständig. Bitte prüfen Sie das Formular.',
    answerSaved: 'Danke, Ihre Antwort ist gespeichert.',
    reminded: (n: number) => (n > 0 ? `Erinnerung an ${n} Mitglieder gesendet.` : 'Niemand zu erinnern: Heute wurde schon erinnert, oder alle haben geantwortet.'),
    pollCreated: 'Die Terminumfrage ist angelegt und geht an den Koordinierungskreis.',
    meetingAnnounced: 'Die Sitzung ist angekündigt. Alle Mitglieder erhalten die Einladung; Erinnerungen sind geplant.',
    meetingChanged: 'Die Änderung ist gespeichert. Alle Karten werden aktualisiert, die Mitglieder einmal benachrichtigt.',
    rsvpSaved: 'Danke, Ihre Rückmeldung ist gespeichert.',
    topicProposed: 'Danke, Ihr Themenvorschlag ist beim KfI.',
    saved: 'Gespeichert.',
    cancelled: 'Die Sitzung ist abgesagt. Alle Mitglieder werden einmal benachrichtigt.',
    channelSet: 'Dieser Kanal ist jetzt der Kanal des Koordinierungskreises: Umfragen und Einladungen werden hier gepostet.',
    channelOnly: 'Bitte schreiben Sie „Koordinierungskreis hier posten“ in dem Teams-Kanal, in dem der Kreis seine Einladungen erhalten soll.',
    pollReminder: (t: string) => `Erinnerung: Bitte beantworten Sie die Terminumfrage „${t}“ des Koordinierungskreises.`,
    rsvpReminder: (t: string, when: string, d: string) => `Erinnerung: Bitte melden Sie sich bis ${d} für „${t}“ am ${when} zurück (Zusage, Absage oder Vertretung).`,
    dayBefore: (t: string, when: string) => `Morgen: „${t}“ des Koordinierungskreises, ${when}.`,
    notice: {
      changed: (t: string, when: string) => `Geändert: „${t}“ findet jetzt am ${when} statt bzw. hat neue Angaben. Die Karte zeigt den aktuellen Stand.`,
      cancelled: (t: string, when: string) => `Abgesagt: „${t}“ am ${when} findet nicht statt.`,
      agenda: (t: string) => `Die Tagesordnung für „${t}“ ist veröffentlicht.`,
      minutes: (t: string) => `Das Protokoll zu „${t}“ ist veröffentlicht.`,
    },
    actionReminder: (title: string, due: string, t: string) => `Erinnerung: Ihre Aufgabe „${title}“ aus „${t}“ ist am ${due} fällig.`,
    nextMeeting: (t: string, when: string, where: string) => `Die nächste Sitzung des Koordinierungskreises: „${t}“, ${when}${where ? `, ${where}` : ''}.`,
    noMeeting: (contact: string) => `Zurzeit ist keine Sitzung des Koordinierungskreises angesetzt. Ansprechpartner ist das ${contact}.`,
  },
  en: {
    kfiOnly: 'Only the Kompetenzzentrum für Integration (KfI), which runs the coordination circle, can do this.',
    notMember: 'This is for members of the coordination circle.',
    notFound: 'This poll or meeting does not exist (any more).',
    closed: 'This is no longer possible: the poll is closed, or the meeting was cancelled or is over.',
    past: 'That date is in the past. Please choose a date in the future.',
    noChannel: 'No Teams channel has been designated yet. Write "Koordinierungskreis hier posten" in the channel, or choose "To each member personally".',
    invalid: {
      title: 'Please enter a title.', duration: 'Please choose a duration.', slot: 'A date is incomplete: please give day and time.',
      slotCount: 'Please propose 2 to 10 different dates.', onlineUrl: 'The online link must start with https://.',
      date: 'Please give the date, start and end.', endBeforeStart: 'The end must be after the start.',
      rsvpDeadline: 'The reply deadline must be on or before the day of the meeting.', placeOrLink: 'Please give a place or an online link.',
      choices: 'Please answer yes, maybe or no for at least one date.', delegate: 'Please name who attends instead.',
      topicTitle: 'Please enter a topic.', minutes: 'Please enter the minutes or a link.', actionTitle: 'Please describe the action item.',
      owner: 'Please choose an owner from the circle.', due: 'Please give a due date.', tooLong: 'A text is too long.',
      guest: "The guest's id is not valid.", guestName: "Please give the guest's name.",
      topicLimit: `You have already proposed ${TOPIC_LIMITS.perMember} topics for this meeting. Please discuss further topics with the KfI directly.`,
      topicsFull: `This meeting already has ${TOPIC_LIMITS.perMeeting} topics. Please contact the KfI directly.`,
    } as Record<string, string>,
    invalidDefault: 'Some details are missing. Please check the form.',
    answerSaved: 'Thank you, your answer is saved.',
    reminded: (n: number) => (n > 0 ? `Reminder sent to ${n} members.` : 'Nobody to remind: a reminder went out today already, or everyone has answered.'),
    pollCreated: 'The date poll is created and goes to the coordination circle.',
    meetingAnnounced: 'The meeting is announced. Every member receives the invitation; reminders are scheduled.',
    meetingChanged: 'The change is saved. Every card is updated, members are told once.',
    rsvpSaved: 'Thank you, your reply is saved.',
    topicProposed: 'Thank you, your topic proposal is with the KfI.',
    saved: 'Saved.',
    cancelled: 'The meeting is cancelled. Every member is told once.',
    channelSet: "This channel is now the coordination circle's channel: polls and invitations are posted here.",
    channelOnly: 'Please write "Koordinierungskreis hier posten" in the Teams channel where the circle should receive its invitations.',
    pollReminder: (t: string) => `Reminder: please answer the coordination circle's date poll "${t}".`,
    rsvpReminder: (t: string, when: string, d: string) => `Reminder: please reply by ${d} for "${t}" on ${when}.`,
    dayBefore: (t: string, when: string) => `Tomorrow: "${t}" of the coordination circle, ${when}.`,
    notice: {
      changed: (t: string, when: string) => `Changed: "${t}" now takes place on ${when} or has new details. The card shows the current state.`,
      cancelled: (t: string, when: string) => `Cancelled: "${t}" on ${when} will not take place.`,
      agenda: (t: string) => `The agenda for "${t}" is published.`,
      minutes: (t: string) => `The minutes of "${t}" are published.`,
    },
    actionReminder: (title: string, due: string, t: string) => `Reminder: your action item "${title}" from "${t}" is due on ${due}.`,
    nextMeeting: (t: string, when: string, where: string) => `The next meeting of the coordination circle: "${t}", ${when}${where ? `, ${where}` : ''}.`,
    noMeeting: (contact: string) => `No meeting of the coordination circle is scheduled at the moment. Please contact the ${contact}.`,
  },
} as const;

const id = z.string().min(1).max(80).regex(/^[A-Za-z0-9:_-]+$/);
const text = (max: number) => z.string().max(max).optional();
const pollRef = z.object({ pollId: id }).passthrough();
const meetingRef = z.object({ meetingId: id }).passthrough();
const formSchema = z.record(z.string(), z.unknown());

const card = (attachment: CardAttachment) => MessageFactory.attachment(CardFactory.adaptiveCard(attachment.content));
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The fields the privacy guard may refuse (the service names the field in `detail`), as the cards label them. */
const GUARDED_FIELDS: Record<CircleLang, Record<string, string>> = {
  de: {
    title: 'Titel', place: 'Ort', agendaText: 'Tagesordnung', topicTitle: 'Thema', topicDescription: 'Kurze Beschreibung', topicPresenter: 'Wer stellt es vor?',
    minutes: 'Protokoll', actionTitle: 'Neue Aufgabe', delegate: 'Vertretung',
  },
  en: {
    title: 'Title', place: 'Place', agendaText: 'Agenda', topicTitle: 'Topic', topicDescription: 'Short description', topicPresenter: 'Who presents it?',
    minutes: 'Minutes', actionTitle: 'New action item', delegate: 'Sending someone',
  },
};

/** The polite sentence for a refusal of the circle service (the chat and the personal tab's composer say the same). */
export function circleErrorText(l: CircleLang, err: CircleError): string {
  const t = M[l];
  switch (err.code) {
    case 'CIRCLE_FORBIDDEN':
      return t.kfiOnly;
    case 'CIRCLE_NOT_MEMBER':
      return t.notMember;
    case 'CIRCLE_NOT_FOUND':
      return t.notFound;
    case 'CIRCLE_CLOSED':
      return t.closed;
    case 'CIRCLE_PAST':
      return t.past;
    case 'CIRCLE_NO_CHANNEL':
      return t.noChannel;
    case 'CIRCLE_PERSONAL_DATA': {
      const field = GUARDED_FIELDS[l][err.detail] ?? err.detail;
      const reason = personalDataReason(l, err.kinds);
      return `${l === 'de' ? `Das Feld „${field}“` : `The field "${field}"`} ${reason}. ${PERSONAL_DATA_ADVICE[l]}`;
    }
    default:
      return t.invalid[err.detail] ?? t.invalidDefault;
  }
}

/**
 * How the circle's messages look in Teams (the service's presenter port). Cards are one activity for all recipients:
 * German, the authorities' working language; each member's client then refreshes the card into their own view and
 * language. Text messages go to each member in the language of their Teams client, as last seen by the bot.
 */
export function circlePresenter(profiles: UserProfileRepository): CirclePresenter {
  const refreshIds = refreshIdsFrom(profiles, 0);
  // Titles, places and action items are user text: escaped for Teams Markdown before they go into a message.
  const message = (textValue: string): OutgoingActivity => ({ type: 'message', text: textValue, textFormat: 'markdown' });
  const attachmentActivity = (a: CardAttachment, summary: string): OutgoingActivity => ({ type: 'message', summary, attachments: [a] });
  return {
    poll: async (view) => attachmentActivity(renderPollCard(view, 'de', { refreshUserIds: await refreshIds(view.members) }), CIRCLE_TEXTS.de.pollHeading(view.poll.title)),
    meeting: async (view) => attachmentActivity(renderMeetingCard(view, 'de', { refreshUserIds: await refreshIds(view.members) }), CIRCLE_TEXTS.de.meetingHeading(view.meeting.title)),
    languages: async (ids) => {
      const found = await Promise.all(ids.map(async (id) => [id, langOf((await profiles.get(id).catch(() => undefined))?.locale)] as const));
      return new Map(found);
    },
    pollReminder: async (view, l) => message(M[l].pollReminder(messageText(view.poll.title))),
    rsvpReminder: async (view, l) => message(M[l].rsvpReminder(messageText(view.meeting.title), meetingWhen(view.meeting, l), formatBerlinDate(view.meeting.rsvpDeadline, l))),
    dayBefore: async (view, l) => message(M[l].dayBefore(messageText(view.meeting.title), meetingWhen(view.meeting, l))),
    notice: async (view, kind, l) => message(M[l].notice[kind](messageText(view.meeting.title), meetingWhen(view.meeting, l))),
    actionReminder: async (view, item, l) => message(M[l].actionReminder(messageText(item.title), formatBerlinDate(item.due, l), messageText(view.meeting.title))),
  };
}

/** The Koordinierungskreis in Teams: commands, card verbs, the next-meeting answer and the reminder jobs. */
export function circleFeature(deps: CircleFeatureDeps): Feature {
  const { service } = deps;
  const lang = (caller: Caller): CircleLang => caller.lang;
  const kfiContact = (l: Lang) => {
    const kfi = deps.live.engine.directory.kfi;
    return `${kfi.name}, ${kfi.email}${kfi.phone ? `, ${l === 'de' ? 'Tel.' : 'phone'} ${kfi.phone}` : ''}`;
  };

  const refreshIds = refreshIdsFrom(deps.profiles);

  const errorText = circleErrorText;

  /**
   * Runs an action; refusals become a 403/404 (logged, ids and codes only) or the card again with the reason, so
   * that a forged or stale payload changes nothing.
   */
  const guarded = async (
    context: TurnContext,
    caller: Caller,
    verb: string,
    action: () => Promise<Record<string, unknown>>,
    onRefusal?: (message: string) => Promise<Record<string, unknown>>,
  ) => {
    try {
      return invokeResponse.card(await action());
    } catch (err) {
      if (!(err instanceof CircleError)) throw err;
      const textValue = errorText(lang(caller), err);
      if (err.code === 'CIRCLE_FORBIDDEN' || err.code === 'CIRCLE_NOT_MEMBER') {
        deps.logger.warn({ event: 'circle.refused', verb, code: err.code, activityId: context.activity.id }, 'circle action refused');
        return invokeResponse.error(403, 'Forbidden', textValue);
      }
      if (err.code === 'CIRCLE_NOT_FOUND') return invokeResponse.error(404, 'NotFound', textValue);
      if (onRefusal) return invokeResponse.card(await onRefusal(textValue));
      return invokeResponse.error(400, 'BadRequest', textValue);
    }
  };

  const pollCard = async (caller: Caller, pollId: string, status?: string, statusStyle: 'good' | 'attention' = 'good') => {
    const view = await service.pollView(pollId, caller.aadObjectId);
    return renderPollCard(view, lang(caller), { status, statusStyle, refreshUserIds: await refreshIds(view.members) }).content;
  };
  /** `inputs` refills what the caller typed after a refused action. */
  const meetingCard = async (caller: Caller, view: MeetingView | string, status?: string, statusStyle: 'good' | 'attention' = 'good', inputs?: CardStatus['inputs']) => {
    const v = typeof view === 'string' ? await service.meetingView(view, caller.aadObjectId) : view;
    return renderMeetingCard(v, lang(caller), { status, statusStyle, refreshUserIds: await refreshIds(v.members), inputs }).content;
  };
  const channelKnown = async () => !!(await service.settings())?.channel;

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

  const verbs: CardVerb<any>[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any -- each verb carries its own schema
    {
      verb: 'circle.guest.add',
      schema: z.object({ guestId: z.string().max(80), guestName: text(500) }).passthrough(),
      run: (context, caller, data: { guestId: string; guestName?: string }) =>
        guarded(
          context,
          caller,
          'circle.guest.add',
          async () => {
            await service.addGuest(caller.aadObjectId, { aadObjectId: data.guestId, name: data.guestName ?? '' });
            return (await overviewCard(caller, M[lang(caller)].saved)).content;
          },
          async (msg) => (await overviewCard(caller, msg)).content,
        ),
    },
    {
      verb: 'circle.poll.new',
      schema: formSchema,
      run: (context, caller) =>
        guarded(context, caller, 'circle.poll.new', async () => {
          if (!service.isKfi(caller.aadObjectId)) throw new CircleError('CIRCLE_FORBIDDEN');
          return renderPollForm(lang(caller), { channel: await channelKnown() }).content;
        }),
    },
    {
      verb: 'circle.poll.create',
      schema: formSchema,
      run: async (context, caller, data: Record<string, unknown>) => {
        const values = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, str(v)]));
        return guarded(
          context,
          caller,
          'circle.poll.create',
          async () => {
            const view = await service.createPoll(caller.aadObjectId, {
              tenantId: caller.tenantId,
              title: values.title,
              place: values.place,
              onlineUrl: values.onlineUrl,
              durationMinutes: Number(values.duration || 120),
              slots: Array.from({ length: 10 }, (_, i) => ({ date: values[`slot${i + 1}Date`] ?? '', time: values[`slot${i + 1}Time`] ?? '' })),
              delivery: DELIVERY_MODES.find((d) => d === values.delivery),
            });
            return renderPollCard(view, lang(caller), { status: M[lang(caller)].pollCreated, statusStyle: 'good', refreshUserIds: await refreshIds(view.members) }).content;
          },
          async (msg) => renderPollForm(lang(caller), { channel: await channelKnown(), status: msg, values }).content,
        );
      },
    },
    {
      verb: 'circle.poll.answer',
      schema: pollRef,
      run: async (context, caller, data: { pollId: string } & Record<string, unknown>) => {
        const choices: Record<string, PollChoice> = {};
        for (const [key, value] of Object.entries(data)) {
          if (key.startsWith('slot_') && POLL_CHOICES.includes(value as PollChoice)) choices[key.slice(5)] = value as PollChoice;
        }
        return guarded(
          context,
          caller,
          'circle.poll.answer',
          async () => {
            const view = await service.answerPoll(caller.aadObjectId, data.pollId, choices);
            return renderPollCard(view, lang(caller), { status: M[lang(caller)].answerSaved, statusStyle: 'good', refreshUserIds: await refreshIds(view.members) }).content;
          },
          (msg) => pollCard(caller, data.pollId, msg, 'attention'),
        );
      },
    },
    ...(['circle.poll.refresh', 'circle.poll.show'] as const).map(
      (verb): CardVerb<{ pollId: string }> => ({
        verb,
        schema: pollRef,
        run: (context, caller, data) => guarded(context, caller, verb, () => pollCard(caller, data.pollId)),
      }),
    ),
    {
      verb: 'circle.poll.remind',
      schema: pollRef,
      run: (context, caller, data: { pollId: string }) =>
        guarded(
          context,
          caller,
          'circle.poll.remind',
          async () => pollCard(caller, data.pollId, M[lang(caller)].reminded((await service.remindPoll(caller.aadObjectId, data.pollId)).reminded)),
          (msg) => pollCard(caller, data.pollId, msg, 'attention'),
        ),
    },
    {
      verb: 'circle.poll.close',
      schema: z.object({ pollId: id, slotId: text(20), rsvpDeadline: text(10) }).passthrough(),
      run: (context, caller, data: { pollId: string; slotId?: string; rsvpDeadline?: string }) =>
        guarded(
          context,
          caller,
          'circle.poll.close',
          async () => meetingCard(caller, await service.closePoll(caller.aadObjectId, data.pollId, { slotId: data.slotId || undefined, rsvpDeadline: data.rsvpDeadline || undefined }), M[lang(caller)].meetingAnnounced),
          (msg) => pollCard(caller, data.pollId, msg, 'attention'),
        ),
    },
    {
      verb: 'circle.meeting.new',
      schema: formSchema,
      run: (context, caller) =>
        guarded(context, caller, 'circle.meeting.new', async () => {
          if (!service.isKfi(caller.aadObjectId)) throw new CircleError('CIRCLE_FORBIDDEN');
          return renderMeetingForm(lang(caller), { channel: await channelKnown() }).content;
        }),
    },
    {
      verb: 'circle.meeting.edit',
      schema: meetingRef,
      run: (context, caller, data: { meetingId: string }) =>
        guarded(context, caller, 'circle.meeting.edit', async () => {
          if (!service.isKfi(caller.aadObjectId)) throw new CircleError('CIRCLE_FORBIDDEN');
          const view = await service.meetingView(data.meetingId, caller.aadObjectId);
          return renderMeetingForm(lang(caller), { channel: await channelKnown(), meeting: view.meeting }).content;
        }),
    },
    {
      verb: 'circle.meeting.save',
      schema: z.object({ meetingId: z.union([z.literal(''), id]).optional() }).passthrough(),
      run: async (context, caller, data: Record<string, unknown>) => {
        const values = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, str(v)]));
        const input = {
          title: values.title,
          date: values.date,
          startTime: values.startTime,
          endTime: values.endTime,
          place: values.place,
          onlineUrl: values.onlineUrl,
          agendaText: values.agendaText,
          rsvpDeadline: values.rsvpDeadline,
        };
        const existing = values.meetingId || '';
        return guarded(
          context,
          caller,
          'circle.meeting.save',
          async () =>
            existing
              ? meetingCard(caller, await service.updateMeeting(caller.aadObjectId, existing, input), M[lang(caller)].meetingChanged)
              : meetingCard(
                  caller,
                  await service.announceMeeting(caller.aadObjectId, { ...input, tenantId: caller.tenantId, delivery: DELIVERY_MODES.find((d) => d === values.delivery) }),
                  M[lang(caller)].meetingAnnounced,
                ),
          async (msg) =>
            renderMeetingForm(lang(caller), {
              channel: await channelKnown(),
              status: msg,
              values,
              ...(existing ? { meeting: (await service.meetingView(existing, undefined)).meeting } : {}),
            }).content,
        );
      },
    },
    ...(['circle.meeting.refresh', 'circle.meeting.show'] as const).map(
      (verb): CardVerb<{ meetingId: string }> => ({
        verb,
        schema: meetingRef,
        run: (context, caller, data) => guarded(context, caller, verb, () => meetingCard(caller, data.meetingId)),
      }),
    ),
    {
      verb: 'circle.meeting.cancel',
      schema: meetingRef,
      run: (context, caller, data: { meetingId: string }) =>
        guarded(context, caller, 'circle.meeting.cancel', async () => meetingCard(caller, await service.cancelMeeting(caller.aadObjectId, data.meetingId), M[lang(caller)].cancelled)),
    },
    {
      verb: 'circle.meeting.rsvp',
      schema: z.object({ meetingId: id, rsvp: z.enum(RSVP_ANSWERS), delegate: text(500) }).passthrough(),
      run: (context, caller, data: { meetingId: string; rsvp: 'accept' | 'decline' | 'delegate'; delegate?: string }) =>
        guarded(
          context,
          caller,
          'circle.meeting.rsvp',
          async () => meetingCard(caller, await service.rsvp(caller.aadObjectId, data.meetingId, data.rsvp, data.delegate), M[lang(caller)].rsvpSaved),
          (msg) => meetingCard(caller, data.meetingId, msg, 'attention', { delegate: data.delegate }),
        ),
    },
    {
      verb: 'circle.topic.propose',
      schema: z.object({ meetingId: id, topicTitle: text(1000), topicDescription: text(2000), topicPresenter: text(500) }).passthrough(),
      run: (context, caller, data: { meetingId: string; topicTitle?: string; topicDescription?: string; topicPresenter?: string }) =>
        guarded(
          context,
          caller,
          'circle.topic.propose',
          async () =>
            meetingCard(caller, await service.proposeTopic(caller.aadObjectId, data.meetingId, { title: data.topicTitle ?? '', description: data.topicDescription, presenter: data.topicPresenter }), M[lang(caller)].topicProposed),
          (msg) => meetingCard(caller, data.meetingId, msg, 'attention', { topicTitle: data.topicTitle, topicDescription: data.topicDescription, topicPresenter: data.topicPresenter }),
        ),
    },
    {
      verb: 'circle.topic.decide',
      schema: z.object({ meetingId: id, topicId: z.string().regex(/^topic:[0-9a-f-]{36}$/), decision: z.enum(['accept', 'reject', 'up']) }).passthrough(),
      run: (context, caller, data: { meetingId: string; topicId: string; decision: 'accept' | 'reject' | 'up' }) =>
        guarded(context, caller, 'circle.topic.decide', async () => meetingCard(caller, await service.decideTopic(caller.aadObjectId, data.meetingId, data.topicId, data.decision), M[lang(caller)].saved)),
    },
    {
      verb: 'circle.agenda.publish',
      schema: meetingRef,
      run: (context, caller, data: { meetingId: string }) =>
        guarded(context, caller, 'circle.agenda.publish', async () => meetingCard(caller, await service.publishAgenda(caller.aadObjectId, data.meetingId), M[lang(caller)].saved)),
    },
    {
      verb: 'circle.minutes.post',
      schema: z.object({ meetingId: id, minutes: text(10_000) }).passthrough(),
      run: (context, caller, data: { meetingId: string; minutes?: string }) =>
        guarded(
          context,
          caller,
          'circle.minutes.post',
          async () => meetingCard(caller, await service.postMinutes(caller.aadObjectId, data.meetingId, data.minutes ?? ''), M[lang(caller)].saved),
          (msg) => meetingCard(caller, data.meetingId, msg, 'attention', { minutes: data.minutes }),
        ),
    },
    {
      verb: 'circle.action.add',
      schema: z.object({ meetingId: id, actionTitle: text(1000), actionOwner: text(80), actionDue: text(10) }).passthrough(),
      run: (context, caller, data: { meetingId: string; actionTitle?: string; actionOwner?: string; actionDue?: string }) =>
        guarded(
          context,
          caller,
          'circle.action.add',
          async () =>
            meetingCard(caller, await service.addActionItem(caller.aadObjectId, data.meetingId, { title: data.actionTitle ?? '', owner: data.actionOwner ?? '', due: data.actionDue ?? '' }), M[lang(caller)].saved),
          (msg) => meetingCard(caller, data.meetingId, msg, 'attention', { actionTitle: data.actionTitle }),
        ),
    },
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
          await context.sendActivity(card(renderMeetingCard(await service.meetingView(next.pk, caller.aadObjectId), l, { refreshUserIds: await refreshIds(members) })));
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
        },
      ],
      en: [
        {
          heading: 'Coordination circle',
          description: 'Next meeting, open date polls, your reply (attending, not attending, sending someone), topic proposals, calendar file. The KfI creates polls and announces meetings.',
          examples: '"Koordinierungskreis" · "next meeting" · "Terminumfrage" (KfI) · "announce meeting" (KfI) · "Koordinierungskreis hier posten" (KfI, in the channel)',
        },
      ],
    },
  };
}
