/**
 * The KfI's card for a draft the cadence prepared (services/circle/cadenceService.ts): marked "Vorbereitet nach
 * Rhythmus — bitte prüfen und senden", the dates (holidays named), title and place, and one button that confirms it.
 * Title and place are the KfI's text: escaped with `cardText`.
 */
import type { CadenceDoc, CadenceDraft, CadenceView } from '../services/circle/cadenceService';
import { startOf } from '../services/circle/cadence';
import { CADENCE_TEXTS } from '../services/circle/cadenceTexts';
import { formatBerlin, formatBerlinDay, formatBerlinRange } from '../services/common/berlinTime';
import type { OutgoingActivity } from '../services/notifications/model';
import { cardText } from '../services/text/escape';
import type { Lang } from '../services/workflow/texts';
import template from './templates/cadenceDraft.json';
import { defineCard, type CardAttachment } from './defineCard';

export interface CadenceDraftCardData {
  lang: string;
  heading: string;
  marker: string;
  markerStyle: 'attention' | 'emphasis';
  status: string;
  statusStyle: 'default' | 'good' | 'attention';
  intro: string;
  title: string;
  place: string;
  labels: { title: string; place: string };
  datesHeading: string;
  dates: Array<{ label: string }>;
  ruleText: string;
  changeHint: string;
  open: boolean;
  confirmLabel: string;
  discardLabel: string;
  ruleDate: string;
}

const render = defineCard<CadenceDraftCardData>(template);

type Settings = NonNullable<CadenceView['cadence']>;

/** "Di., 13.04.2027, 10:00–12:00 Uhr" for each date of the draft, with the holiday it was moved for. */
export function draftDateLabels(settings: Settings, draft: CadenceDraft, lang: Lang): string[] {
  const t = CADENCE_TEXTS[lang];
  return draft.dates.map((date, i) => {
    const start = startOf(settings.rule, { date });
    const label = formatBerlinRange(start, new Date(start.getTime() + settings.durationMinutes * 60_000), lang);
    return i === 0 && draft.holiday ? `${label} – ${t.holidayMoved(draft.holiday)}` : label;
  });
}

/** The rule in words with its lead time: "Vierteljährlich am zweiten Dienstag im Monat, 10:00 Uhr. Der Entwurf …". */
export function cadenceRuleText(settings: Settings, lang: Lang): string {
  const t = CADENCE_TEXTS[lang];
  const r = settings.rule;
  return `${t.rule(r.unit, r.interval, r.weekday, r.week, r.time)}. ${t.lead(settings.leadWeeks)}`;
}

/** The day of a draft's date as the lapse texts name it ("13.04.2027", English "13 Apr 2027"). */
export function lapsedDay(s: Settings, draft: Pick<CadenceDraft, 'date'>, lang: Lang): string {
  return formatBerlinDay(startOf(s.rule, draft), lang);
}

/** The line on top: "bitte prüfen und senden" while open, else what became of the draft. */
function markerOf(draft: CadenceDraft, lang: Lang): string {
  const t = CADENCE_TEXTS[lang];
  return draft.status === 'confirmed' ? t.markerConfirmed : draft.status === 'prepared' ? t.marker : draft.status === 'lapsed' ? t.markerLapsed : t.markerSuperseded;
}

/** The draft card for a KfI member (`status`: a line on top after an action, e.g. "already done by …"). */
export function renderCadenceDraftCard(view: CadenceView, lang: Lang, opts: { status?: string; statusStyle?: 'default' | 'good' | 'attention' } = {}): CardAttachment {
  const t = CADENCE_TEXTS[lang];
  const s = view.cadence!;
  const draft = view.draft!;
  const dates = draftDateLabels(s, draft, lang);
  const open = draft.status === 'prepared';
  const kind = t.kind[s.kind];
  const done =
    draft.status === 'confirmed' && draft.confirmedAt
      ? t.confirmedBy(cardText(view.confirmedByName ?? 'KfI'), formatBerlin(new Date(draft.confirmedAt), lang))
      : draft.status === 'discarded' && draft.discardedAt
        ? t.discardedBy(cardText(view.discardedByName ?? 'KfI'), formatBerlin(new Date(draft.discardedAt), lang))
        : draft.status === 'superseded'
          ? t.superseded
          : draft.status === 'lapsed'
            ? t.lapsed(lapsedDay(s, draft, lang))
            : '';
  const when = dates[0].split(' – ')[0];
  return render({
    lang,
    heading: t.heading,
    marker: markerOf(draft, lang),
    markerStyle: open ? 'attention' : 'emphasis',
    status: opts.status ?? done,
    statusStyle: opts.statusStyle ?? (draft.status === 'confirmed' ? 'good' : 'default'),
    intro: draft.status === 'confirmed' ? t.introConfirmed(kind, when) : draft.status === 'prepared' ? t.draftIntro(kind, when) : draft.status === 'lapsed' ? t.introLapsed(kind, when) : t.introSuperseded(kind, when),
    title: cardText(s.title),
    place: s.place ? cardText(s.place) : '',
    labels: { title: t.titleLabel, place: t.placeLabel },
    datesHeading: s.kind === 'poll' ? t.slotsLabel : t.dateLabel,
    dates: dates.map((label) => ({ label })),
    ruleText: cadenceRuleText(s, lang),
    changeHint: t.changeHint,
    open,
    confirmLabel: t.confirm,
    discardLabel: t.discard,
    ruleDate: draft.ruleDate,
  });
}

/** The draft card as sent to a KfI member, with the summary Teams shows in the notification. */
export function cadenceDraftActivity(view: CadenceView, lang: Lang): OutgoingActivity {
  return { type: 'message', summary: view.draft ? markerOf(view.draft, lang) : CADENCE_TEXTS[lang].marker, attachments: [renderCadenceDraftCard(view, lang)] };
}

export type { CadenceDoc };
