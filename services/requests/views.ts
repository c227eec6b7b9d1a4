/**
 * What each role sees of Anliegen and Vortrag: the item card per viewer (their own buttons only), the forms and the
 * lists, in the viewer's language. Used for the invoke response on the request path and by the relay for everyone
 * else's cards (see `notifications.ts`).
 */
import { itemCard, itemListCard, reportFormCard, requestFormCard, type ItemAction } from '../../cards/requestCards';
import { formatBerlinDate, formatBerlinDateTime, formatBerlinDay } from '../common/berlinTime';
import { AUTHORITY_CODES, AUTHORITY_NAMES } from '../directory/model';
import { cardText } from '../text/escape';
import type { Lang } from '../workflow/texts';
import { CATEGORY_LABELS, DECISION_VERBS, isOpen, REPORT_DECISIONS, REQUEST_CATEGORIES, REQUEST_VERBS, STATUS_LABELS, URGENCIES, URGENCY_LABELS, type ItemDoc, type ItemRoles, type ItemSummary } from './model';
import { REQUEST_TEXTS } from './texts';

export type NoticeStyle = 'default' | 'good' | 'attention' | 'warning';

/** "24.11.2026, 10:00" in Berlin time. */
export const formatMoment = (iso: string): string => formatBerlinDateTime(new Date(iso));
const formatDay = (iso: string): string => formatBerlinDay(new Date(iso), 'de');
const formatIsoDay = (day: string): string => formatBerlinDate(day, 'de');

export interface RequestViewDeps {
  /** Teams user ids (MRIs) for a card's automatic refresh (see bot/handlers/refreshIds.ts). */
  refreshIds: (aadObjectIds: string[]) => Promise<string[]>;
  /** Everyone who may see the item (the card's refresh list). */
  audienceOf: (item: ItemDoc) => string[];
}

/** Typed values a refused action brings back into the card's inputs. */
export interface TypedValues {
  text?: string;
  date?: string;
  time?: string;
}

export class RequestViews {
  constructor(private readonly deps: RequestViewDeps) {}

  /** The item's card for one viewer: what they may do on it, and nothing else. */
  async item(lang: Lang, item: ItemDoc, roles: ItemRoles, notice = '', noticeStyle: NoticeStyle = 'default', typed: TypedValues = {}): Promise<Record<string, unknown>> {
    const t = REQUEST_TEXTS[lang];
    const r = { id: item.id, authority: item.authority, rev: item.rev };
    const facts: { label: string; value: string }[] = [{ label: t.facts.authority, value: AUTHORITY_NAMES[item.authority] }];
    const actions: ItemAction[] = [];
    let showText = false;
    let showDecision = false;
    let textLabel: string = t.textLabel.ib;
    if (item.kind === 'request') {
      facts.push({ label: t.facts.category, value: item.category ? CATEGORY_LABELS[item.category][lang] : '' }, { label: t.facts.from, value: cardText(item.createdBy.name) || '–' });
      if (item.handler) facts.push({ label: t.facts.handler, value: cardText(item.handler.name) || '–' });
      if (item.deadline) facts.push({ label: t.facts.deadline, value: formatIsoDay(item.deadline) });
      if (item.measure) {
        facts.push(
          { label: t.facts.department, value: cardText(item.measure.department) },
          { label: t.facts.measure, value: cardText(item.measure.name) },
          { label: t.facts.plannedDate, value: formatIsoDay(item.measure.plannedDate) },
        );
      }
      if (roles.commissioner && isOpen(item)) {
        showText = true;
        if (item.status === 'neu') actions.push({ title: t.buttons.accept, verb: REQUEST_VERBS.accept, inputs: 'none', data: r });
        actions.push(
          { title: t.buttons.ask, verb: REQUEST_VERBS.ask, inputs: 'auto', data: r },
          { title: t.buttons.answer, verb: REQUEST_VERBS.answer, inputs: 'auto', data: r },
          { title: t.buttons.done, verb: REQUEST_VERBS.done, inputs: 'none', data: r },
        );
        if (item.linked.length === 0) actions.push({ title: t.buttons.toReport, verb: REQUEST_VERBS.reportStart, inputs: 'none', data: { requestId: item.id, authority: item.authority } });
      } else if (roles.requester && item.status === 'rueckfrage') {
        showText = true;
        textLabel = t.textLabel.requester;
        actions.push({ title: t.buttons.reply, verb: REQUEST_VERBS.reply, inputs: 'auto', data: r });
      }
    } else {
      facts.push({ label: t.facts.from, value: cardText(item.createdBy.name) || '–' }, { label: t.facts.urgency, value: URGENCY_LABELS[item.urgency ?? 'normal'][lang] });
      if (item.proposedDates) facts.push({ label: t.facts.proposedDates, value: cardText(item.proposedDates) });
      if (roles.decider && isOpen(item)) {
        showText = true;
        showDecision = true;
        textLabel = t.textLabel.head;
        for (const d of REPORT_DECISIONS) {
          actions.push({ title: t.buttons[d], verb: DECISION_VERBS[d], inputs: d === 'termin' || d === 'ablehnen' || d === 'weisung' ? 'auto' : 'none', data: r });
        }
      }
    }
    facts.push({ label: t.facts.created, value: formatMoment(item.createdAt) });
    if (item.linked.length) facts.push({ label: t.facts.linked, value: item.linked.join(', ') });
    actions.push({ title: t.buttons.trail, verb: REQUEST_VERBS.trail, inputs: 'none', data: { id: item.id, authority: item.authority } });
    let decisionText = '';
    if (item.decision) {
      const d = item.decision;
      const what = d.kind === 'termin' ? t.decision.termin(formatIsoDay(d.date ?? ''), d.time ?? '') : t.decision[d.kind];
      decisionText = `${what}${d.text ? ` ${cardText(d.text)}` : ''}\n\n${t.decidedBy(cardText(d.by.name) || '–', formatMoment(d.at))}`;
    }
    return itemCard({
      lang,
      id: item.id,
      authority: item.authority,
      refreshUserIds: await this.deps.refreshIds(this.deps.audienceOf(item)),
      heading: item.kind === 'request' ? t.requestHeading : t.reportCardHeading,
      subject: cardText(item.subject),
      statusLine: t.status(STATUS_LABELS[item.status][lang]),
      notice,
      noticeStyle,
      facts,
      body: cardText(item.body),
      messages: item.messages.map((m) => ({ heading: `${t.messageHeading[m.kind]} · ${t.by(cardText(m.by.name) || '–', formatMoment(m.at))}`, text: cardText(m.text) })),
      decisionText,
      showText,
      showDecision,
      values: { text: (typed.text ?? '').slice(0, 2000), date: typed.date ?? '', time: typed.time ?? '' },
      actions,
      labels: { refresh: t.refresh, text: textLabel, date: t.dateLabel, time: t.timeLabel },
    }).content;
  }

  /** The notice on the current card when the caller's card was out of date: who acted when, and the status now. */
  staleNotice(lang: Lang, item: ItemDoc): string {
    const last = item.lastChange;
    return REQUEST_TEXTS[lang].stale(cardText(last?.by.name ?? '') || '–', last ? formatMoment(last.at) : '', STATUS_LABELS[item.status][lang]);
  }

  /** The form for a new Anliegen, with what was typed and why it was not accepted (`status`). */
  requestForm(lang: Lang, values: Partial<Record<string, string>>, status = ''): Record<string, unknown> {
    const t = REQUEST_TEXTS[lang];
    return requestFormCard({
      lang,
      heading: t.formHeading,
      intro: t.formIntro,
      privacy: t.privacy,
      status,
      authorities: AUTHORITY_CODES.map((c) => ({ title: AUTHORITY_NAMES[c], value: c })),
      categories: REQUEST_CATEGORIES.map((c) => ({ title: CATEGORY_LABELS[c][lang], value: c })),
      values: {
        authority: values.authority ?? '', category: values.category ?? '', subject: values.subject ?? '', description: values.description ?? '',
        deadline: values.deadline ?? '', department: values.department ?? '', measure: values.measure ?? '', plannedDate: values.plannedDate ?? '',
      },
      labels: { ...t.labels },
    }).content;
  }

  /** The IB's form for a Vortrag, optionally carrying a request. */
  reportForm(lang: Lang, authority: string, linked: ItemDoc | undefined, values: Partial<Record<string, string>>, status = ''): Record<string, unknown> {
    const t = REQUEST_TEXTS[lang];
    return reportFormCard({
      lang,
      heading: t.reportHeading,
      intro: t.reportIntro,
      status,
      linkedText: linked ? t.linked(cardText(linked.subject)) : '',
      authority,
      linkedRequestId: linked?.id ?? '',
      urgencies: URGENCIES.map((u) => ({ title: URGENCY_LABELS[u][lang], value: u })),
      values: { subject: values.subject ?? linked?.subject ?? '', summary: values.summary ?? '', urgency: values.urgency ?? 'normal', proposedDates: values.proposedDates ?? '' },
      labels: { ...t.reportLabels },
    }).content;
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
        subtitle: t.subtitle(s.statusLabel[lang], AUTHORITY_NAMES[s.authority], formatDay(s.createdAt), s.deadline ? formatIsoDay(s.deadline) : ''),
        id: s.id,
        authority: s.authority,
        openLabel: t.open,
      })),
    }).content;
  }
}
