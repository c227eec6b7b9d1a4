/**
 * The cadence's texts (services/circle/cadenceService.ts, the KfI's draft card, the tab's cadence section), German first;
 * `en` is typed as the German one, so a missing key fails the type check.
 */
import type { Lang, Texts } from '../workflow/texts';

const WEEKDAYS_DE = ['Sonntag', 'Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag'];
const WEEKDAYS_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ORD_DE: Record<string, string> = { '1': 'ersten', '2': 'zweiten', '3': 'dritten', '4': 'vierten', '-1': 'letzten' };
/** The NRW public holidays (services/calendar/workingDays.ts names them in German) in English. */
const HOLIDAYS_EN: Record<string, string> = {
  Neujahr: 'New Year’s Day', Karfreitag: 'Good Friday', Ostermontag: 'Easter Monday', 'Tag der Arbeit': 'Labour Day', 'Christi Himmelfahrt': 'Ascension Day',
  Pfingstmontag: 'Whit Monday', Fronleichnam: 'Corpus Christi', 'Tag der Deutschen Einheit': 'German Unity Day', Allerheiligen: 'All Saints’ Day',
  '1. Weihnachtstag': 'Christmas Day', '2. Weihnachtstag': 'Boxing Day',
};
const ORD_EN: Record<string, string> = { '1': 'first', '2': 'second', '3': 'third', '4': 'fourth', '-1': 'last' };

const de = {
  heading: 'Rhythmus des Koordinierungskreises',
  marker: 'Vorbereitet nach Rhythmus — bitte prüfen und senden',
  kind: { poll: 'Terminumfrage', meeting: 'Sitzungseinladung' },
  /** "vierteljährlich am zweiten Dienstag, 10:00 Uhr" */
  rule: (unit: string, interval: number, weekday: number, week: number | undefined, time: string) => {
    const day = WEEKDAYS_DE[weekday];
    const every =
      unit === 'week'
        ? interval === 1 ? 'wöchentlich' : `alle ${interval} Wochen`
        : interval === 1 ? 'monatlich' : interval === 3 ? 'vierteljährlich' : interval === 6 ? 'halbjährlich' : interval === 12 ? 'jährlich' : `alle ${interval} Monate`;
    const on = unit === 'week' ? `am ${day}` : `am ${ORD_DE[String(week ?? 1)]} ${day} im Monat`;
    return `${every[0].toUpperCase()}${every.slice(1)} ${on}, ${time} Uhr`;
  },
  lead: (weeks: number) => `Der Entwurf wird ${weeks === 1 ? 'eine Woche' : `${weeks} Wochen`} vorher vorbereitet; an die Mitglieder geht erst etwas, wenn das KfI ihn bestätigt.`,
  off: 'Der Rhythmus ist ausgeschaltet: Es werden keine Entwürfe vorbereitet.',
  none: 'Es ist noch kein Rhythmus festgelegt.',
  holidayMoved: (holiday: string) => `verschoben wegen Feiertag: ${holiday}`,
  prepareOn: (date: string) => `Entwurf am ${date}`,
  draftIntro: (kind: string, when: string) => `Das KfI hat einen Rhythmus festgelegt. Für den nächsten Termin (${when}) ist eine ${kind} vorbereitet. Sie geht erst an den Koordinierungskreis, wenn Sie sie bestätigen.`,
  markerConfirmed: 'Nach Rhythmus vorbereitet',
  markerSuperseded: 'Nach Rhythmus vorbereitet — nicht gesendet',
  introConfirmed: (kind: string, when: string) => `Die ${kind} für den nächsten Termin (${when}) ist an den Koordinierungskreis gegangen.`,
  introSuperseded: (kind: string, when: string) => `Die vorbereitete ${kind} (${when}) wird nicht gesendet.`,
  markerLapsed: 'Nach Rhythmus vorbereitet — nicht bestätigt',
  introLapsed: (kind: string, when: string) => `Die vorbereitete ${kind} (${when}) wurde nicht bestätigt und nicht gesendet.`,
  lapsed: (day: string) => `Nicht bestätigt – der Termin am ${day} ist verstrichen. An den Koordinierungskreis ging nichts.`,
  alreadyLapsed: (day: string) => `Bereits erledigt: Der Termin am ${day} ist verstrichen, ohne dass jemand den Entwurf bestätigt hat. Es wurde nichts gesendet.`,
  slotsLabel: 'Vorgeschlagene Termine',
  dateLabel: 'Termin',
  titleLabel: 'Titel',
  placeLabel: 'Ort',
  confirm: 'Prüfen und senden',
  discard: 'Verwerfen',
  discarded: 'Der Entwurf ist verworfen; an den Koordinierungskreis geht nichts.',
  discardedBy: (name: string, at: string) => `Verworfen von ${name} am ${at}. An den Koordinierungskreis ging nichts.`,
  alreadyDiscarded: (name: string, at: string) => `Bereits erledigt: ${name} hat diesen Entwurf am ${at} verworfen. Es wurde nichts gesendet.`,
  changeHint: 'Ändern oder ausschalten: im Tab „Mein Lotse“, Abschnitt „Rhythmus des Koordinierungskreises“.',
  confirmedBy: (name: string, at: string) => `Bestätigt und gesendet von ${name} am ${at}.`,
  superseded: 'Dieser Entwurf ist durch eine Änderung des Rhythmus überholt.',
  sentPoll: 'Die Terminumfrage ist bestätigt und geht an den Koordinierungskreis.',
  sentMeeting: 'Die Einladung ist bestätigt und geht an den Koordinierungskreis.',
  saved: 'Der Rhythmus ist gespeichert.',
  savedOff: 'Der Rhythmus ist ausgeschaltet.',
  kfiOnly: 'Den Rhythmus des Koordinierungskreises legt nur das Kompetenzzentrum für Integration (KfI) fest.',
  notFound: 'Diesen Entwurf gibt es nicht (mehr). Der aktuelle Stand steht im Tab „Mein Lotse“.',
  alreadyConfirmed: (name: string, at: string) => `Bereits erledigt: ${name} hat diesen Entwurf am ${at} bestätigt und gesendet. Es wurde nichts erneut gesendet.`,
  invalidIntro: 'Bitte prüfen Sie die markierten Angaben.',
  problems: {
    unit: 'Bitte wählen Sie Wochen oder Monate.',
    interval: 'Bitte geben Sie eine ganze Zahl an: 1 bis 26 Wochen oder 1 bis 12 Monate.',
    weekday: 'Bitte wählen Sie einen Wochentag von Montag bis Freitag.',
    week: 'Bitte wählen Sie die Woche im Monat: erste bis vierte oder letzte.',
    from: 'Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).',
    time: 'Bitte geben Sie die Uhrzeit an (z. B. 10:00).',
    kind: 'Bitte wählen Sie Terminumfrage oder Sitzungseinladung.',
    title: 'Bitte geben Sie einen Titel an (höchstens 150 Zeichen).',
    duration: 'Bitte wählen Sie eine Dauer; die Sitzung muss am selben Tag enden.',
    leadWeeks: 'Bitte geben Sie die Vorlaufzeit in Wochen an: 1 bis 26.',
    alternatives: 'Bitte geben Sie 1 bis 4 Ausweichtermine an.',
    place: 'Bitte geben Sie einen Ort oder einen Online-Link an (höchstens 200 Zeichen).',
    onlineUrl: 'Der Online-Link muss mit https:// beginnen (höchstens 500 Zeichen).',
    active: 'Bitte wählen Sie „an“ oder „aus“.',
    personalData: 'Das Feld enthält Angaben zu Personen (z. B. Name mit Geburtsdatum oder Herkunft). Bitte entfernen Sie sie; es wurde nichts gespeichert.',
  },
  fields: {
    active: 'Rhythmus', kind: 'Was vorbereitet wird', unit: 'Einheit', interval: 'Alle … (Anzahl)', weekday: 'Wochentag', week: 'Woche im Monat',
    from: 'Ab', time: 'Beginn', duration: 'Dauer', leadWeeks: 'Vorlaufzeit (Wochen)', alternatives: 'Ausweichtermine', title: 'Titel', place: 'Ort', onlineUrl: 'Online-Link',
  },
  options: {
    on: 'an', off: 'aus', week: 'Wochen', month: 'Monate', last: 'letzte',
    weekdays: ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag'],
    weeks: ['erste', 'zweite', 'dritte', 'vierte'],
    hours: (h: number) => `${String(h).replace('.', ',')} Stunden`,
  },
  upcoming: 'Die nächsten Termine',
  save: 'Rhythmus speichern',
  hintLead: 'Wie viele Wochen vor dem Termin der Entwurf vorbereitet wird.',
  hintFrom: 'Ab diesem Tag zählt der Rhythmus (z. B. der 1. Januar für Januar, April, Juli, Oktober).',
  hintInterval: 'Vierteljährlich: 3 Monate.',
};

const en: Texts<typeof de> = {
  heading: 'Cadence of the coordination circle',
  marker: 'Prepared by cadence — please check and send',
  kind: { poll: 'date poll', meeting: 'meeting invitation' },
  rule: (unit: string, interval: number, weekday: number, week: number | undefined, time: string) => {
    const day = WEEKDAYS_EN[weekday];
    const every =
      unit === 'week'
        ? interval === 1 ? 'weekly' : `every ${interval} weeks`
        : interval === 1 ? 'monthly' : interval === 3 ? 'quarterly' : interval === 6 ? 'every six months' : interval === 12 ? 'yearly' : `every ${interval} months`;
    const on = unit === 'week' ? `on ${day}` : `on the ${ORD_EN[String(week ?? 1)]} ${day} of the month`;
    return `${every[0].toUpperCase()}${every.slice(1)} ${on}, ${time}`;
  },
  lead: (weeks: number) => `The draft is prepared ${weeks === 1 ? 'one week' : `${weeks} weeks`} ahead; nothing goes to the members until the KfI confirms it.`,
  off: 'The cadence is switched off: no drafts are prepared.',
  none: 'No cadence has been set yet.',
  holidayMoved: (holiday: string) => `moved for a public holiday: ${HOLIDAYS_EN[holiday] ?? holiday}`,
  prepareOn: (date: string) => `draft on ${date}`,
  draftIntro: (kind: string, when: string) => `The KfI has set a cadence. A ${kind} for the next date (${when}) has been prepared. It goes to the coordination circle only when you confirm it.`,
  markerConfirmed: 'Prepared by cadence',
  markerSuperseded: 'Prepared by cadence — not sent',
  introConfirmed: (kind: string, when: string) => `The ${kind} for the next date (${when}) has gone to the coordination circle.`,
  introSuperseded: (kind: string, when: string) => `The prepared ${kind} (${when}) will not be sent.`,
  markerLapsed: 'Prepared by cadence — not confirmed',
  introLapsed: (kind: string, when: string) => `The prepared ${kind} (${when}) was not confirmed and has not been sent.`,
  lapsed: (day: string) => `Not confirmed – the date on ${day} has passed. Nothing went to the coordination circle.`,
  alreadyLapsed: (day: string) => `Already done: the date on ${day} passed without anyone confirming the draft. Nothing was sent.`,
  slotsLabel: 'Proposed dates',
  dateLabel: 'Date',
  titleLabel: 'Title',
  placeLabel: 'Place',
  confirm: 'Check and send',
  discard: 'Discard',
  discarded: 'The draft has been discarded; nothing goes to the coordination circle.',
  discardedBy: (name: string, at: string) => `Discarded by ${name} on ${at}. Nothing went to the coordination circle.`,
  alreadyDiscarded: (name: string, at: string) => `Already done: ${name} discarded this draft on ${at}. Nothing was sent.`,
  changeHint: 'To change or switch it off: the "Mein Lotse" tab, section "Cadence of the coordination circle".',
  confirmedBy: (name: string, at: string) => `Confirmed and sent by ${name} on ${at}.`,
  superseded: 'This draft has been superseded by a change of the cadence.',
  sentPoll: 'The date poll is confirmed and goes to the coordination circle.',
  sentMeeting: 'The invitation is confirmed and goes to the coordination circle.',
  saved: 'The cadence has been saved.',
  savedOff: 'The cadence is switched off.',
  kfiOnly: 'Only the Kompetenzzentrum für Integration (KfI) sets the cadence of the coordination circle.',
  notFound: 'This draft no longer exists. The "Mein Lotse" tab shows the current state.',
  alreadyConfirmed: (name: string, at: string) => `Already done: ${name} confirmed and sent this draft on ${at}. Nothing was sent again.`,
  invalidIntro: 'Please check the marked fields.',
  problems: {
    unit: 'Please choose weeks or months.',
    interval: 'Please enter a whole number: 1 to 26 weeks or 1 to 12 months.',
    weekday: 'Please choose a weekday from Monday to Friday.',
    week: 'Please choose the week of the month: first to fourth, or last.',
    from: 'Please enter a valid date.',
    time: 'Please enter the time (e.g. 10:00).',
    kind: 'Please choose date poll or meeting invitation.',
    title: 'Please enter a title (at most 150 characters).',
    duration: 'Please choose a duration; the meeting must end on the same day.',
    leadWeeks: 'Please enter the lead time in weeks: 1 to 26.',
    alternatives: 'Please enter 1 to 4 alternative dates.',
    place: 'Please enter a place or an online link (at most 200 characters).',
    onlineUrl: 'The online link must start with https:// (at most 500 characters).',
    active: 'Please choose "on" or "off".',
    personalData: 'The field contains details about people (e.g. a name with a date of birth or origin). Please remove them; nothing was saved.',
  },
  fields: {
    active: 'Cadence', kind: 'What is prepared', unit: 'Unit', interval: 'Every … (number)', weekday: 'Weekday', week: 'Week of the month',
    from: 'From', time: 'Start', duration: 'Duration', leadWeeks: 'Lead time (weeks)', alternatives: 'Alternative dates', title: 'Title', place: 'Place', onlineUrl: 'Online link',
  },
  options: {
    on: 'on', off: 'off', week: 'weeks', month: 'months', last: 'last',
    weekdays: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'],
    weeks: ['first', 'second', 'third', 'fourth'],
    hours: (h: number) => `${h} hours`,
  },
  upcoming: 'The next dates',
  save: 'Save cadence',
  hintLead: 'How many weeks before the date the draft is prepared.',
  hintFrom: 'The cadence counts from this day (e.g. 1 January for January, April, July, October).',
  hintInterval: 'Quarterly: 3 months.',
};

export const CADENCE_TEXTS = { de, en } as const;
export const cadenceTexts = (lang: Lang) => CADENCE_TEXTS[lang];
