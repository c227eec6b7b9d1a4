/**
 * The KfI's cadence in the personal tab: `GET /api/tab/cadence` (the form with the stored settings, the next dates,
 * the prepared draft), `PUT /api/tab/cadence` (set, change or switch off), `POST /api/tab/cadence/confirm`
 * (`{ruleDate}`: send the draft) and `POST /api/tab/cadence/discard` (`{ruleDate}`: do not send it). Every request is checked by the service from the stored directory (403 for anyone
 * but the KfI); the token alone says who asks.
 */
import type { Request, Response, Server } from 'restify';
import { cadenceRuleText, draftDateLabels, lapsedDay, renderCadenceDraftCard } from '../../cards/cadenceCard';
import { CADENCE_LIMITS } from '../../services/circle/cadence';
import type { CadenceService, CadenceView } from '../../services/circle/cadenceService';
import { CADENCE_TEXTS } from '../../services/circle/cadenceTexts';
import { formatBerlin, formatBerlinDay } from '../../services/common/berlinTime';
import type { Outcome, Problem } from '../../services/workflow/outcome';
import type { Lang } from '../texts';
import type { CadenceFieldWire, CadenceLocalized, CadenceRefusalWire, CadenceWire } from './cadenceWire';
import type { TabRouteKit } from './routeKit';

type T = (typeof CADENCE_TEXTS)['de'];
const both = (pick: (t: T) => string): CadenceLocalized => ({ de: pick(CADENCE_TEXTS.de), en: pick(CADENCE_TEXTS.en as T) });

/** Card actions that only work in a chat (Action.Execute) are left out of the card the tab shows. */
const withoutActions = (card: Record<string, unknown>): Record<string, unknown> => {
  const { actions: _a, ...rest } = card;
  return rest;
};

const DEFAULTS = { active: 'on', kind: 'poll', unit: 'month', interval: '3', weekday: '2', week: '2', from: '', time: '10:00', duration: '120', leadWeeks: '6', alternatives: '2', title: 'Koordinierungskreis der Integrationsbeauftragten', place: '', onlineUrl: '' };

function fieldsOf(view: CadenceView): CadenceFieldWire[] {
  const c = view.cadence;
  const v: Record<string, string> = c
    ? {
        active: c.active ? 'on' : 'off',
        kind: c.kind,
        unit: c.rule.unit,
        interval: String(c.rule.interval),
        weekday: String(c.rule.weekday),
        week: String(c.rule.week ?? 1),
        from: c.rule.from,
        time: c.rule.time,
        duration: String(c.durationMinutes),
        leadWeeks: String(c.leadWeeks),
        alternatives: String(c.alternatives || 2),
        title: c.title,
        place: c.place ?? '',
        onlineUrl: c.onlineUrl ?? '',
      }
    : DEFAULTS;
  const label = (name: keyof T['fields']) => both((t) => t.fields[name]);
  const f = (name: keyof T['fields'], type: CadenceFieldWire['type'], extra: Partial<CadenceFieldWire> = {}): CadenceFieldWire => ({ name, label: label(name), type, value: v[name] ?? '', ...extra });
  return [
    f('active', 'select', { required: true, options: [{ value: 'on', label: both((t) => t.options.on) }, { value: 'off', label: both((t) => t.options.off) }] }),
    f('kind', 'select', { required: true, options: [{ value: 'poll', label: both((t) => t.kind.poll) }, { value: 'meeting', label: both((t) => t.kind.meeting) }] }),
    f('interval', 'number', { required: true, min: 1, max: CADENCE_LIMITS.interval.week, hint: both((t) => t.hintInterval) }),
    f('unit', 'select', { required: true, options: [{ value: 'week', label: both((t) => t.options.week) }, { value: 'month', label: both((t) => t.options.month) }] }),
    f('week', 'select', {
      options: [...[1, 2, 3, 4].map((n) => ({ value: String(n), label: both((t) => t.options.weeks[n - 1]) })), { value: '-1', label: both((t) => t.options.last) }],
      showWhen: { field: 'unit', value: 'month' },
    }),
    f('weekday', 'select', { required: true, options: [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: both((t) => t.options.weekdays[n - 1]) })) }),
    f('from', 'date', { required: true, hint: both((t) => t.hintFrom) }),
    f('time', 'time', { required: true }),
    f('duration', 'select', { required: true, options: [60, 90, 120, 180, 240].map((m) => ({ value: String(m), label: both((t) => t.options.hours(m / 60)) })) }),
    f('leadWeeks', 'number', { required: true, min: CADENCE_LIMITS.leadWeeks.min, max: CADENCE_LIMITS.leadWeeks.max, hint: both((t) => t.hintLead) }),
    f('alternatives', 'number', { min: CADENCE_LIMITS.alternatives.min, max: CADENCE_LIMITS.alternatives.max, showWhen: { field: 'kind', value: 'poll' } }),
    f('title', 'text', { required: true, maxLength: 150 }),
    f('place', 'text', { maxLength: 200 }),
    f('onlineUrl', 'text', { maxLength: 500 }),
  ];
}

/** The view as the tab shows it, both languages. */
export function cadenceWire(view: CadenceView, message?: CadenceLocalized): CadenceWire {
  const c = view.cadence;
  const inLang = (lang: Lang): string => (!c ? CADENCE_TEXTS[lang].none : !c.active ? CADENCE_TEXTS[lang].off : cadenceRuleText(c, lang));
  const draft = view.draft;
  const statusText = draft && c ? { de: renderStatus(view, 'de'), en: renderStatus(view, 'en') } : undefined;
  return {
    heading: both((t) => t.heading),
    summary: { de: inLang('de'), en: inLang('en') },
    active: !!c?.active,
    fields: fieldsOf(view),
    saveLabel: both((t) => t.save),
    upcomingHeading: both((t) => t.upcoming),
    upcoming: view.upcoming.map((o) => {
      const label = (lang: Lang) => `${formatBerlin(new Date(o.start), lang)}${o.holiday ? ` – ${CADENCE_TEXTS[lang].holidayMoved(o.holiday)}` : ''}`;
      return { ruleDate: o.ruleDate, label: { de: label('de'), en: label('en') }, prepareOn: { de: CADENCE_TEXTS.de.prepareOn(formatBerlinDay(new Date(o.prepareAt), 'de')), en: CADENCE_TEXTS.en.prepareOn(formatBerlinDay(new Date(o.prepareAt), 'en')) } };
    }),
    ...(draft && c && draft.status !== 'superseded'
      ? {
          draft: {
            ruleDate: draft.ruleDate,
            status: draft.status,
            marker: both((t) => (draft.status === 'confirmed' ? t.markerConfirmed : draft.status === 'discarded' ? t.markerSuperseded : draft.status === 'lapsed' ? t.markerLapsed : t.marker)),
            ...(statusText?.de ? { statusText } : {}),
            confirmLabel: both((t) => t.confirm),
            discardLabel: both((t) => t.discard),
            card: { de: withoutActions(renderCadenceDraftCard(view, 'de').content), en: withoutActions(renderCadenceDraftCard(view, 'en').content) },
          },
        }
      : {}),
    ...(message ? { message } : {}),
  };
}

function renderStatus(view: CadenceView, lang: Lang): string {
  const d = view.draft!;
  if (d.status === 'discarded') return CADENCE_TEXTS[lang].discardedBy(view.discardedByName ?? 'KfI', formatBerlinDay(new Date(d.discardedAt ?? 0), lang));
  if (d.status === 'lapsed') return CADENCE_TEXTS[lang].lapsed(lapsedDay(view.cadence!, d, lang));
  if (d.status !== 'confirmed') return '';
  return CADENCE_TEXTS[lang].confirmedBy(view.confirmedByName ?? 'KfI', formatBerlinDay(new Date(d.confirmedAt ?? 0), lang));
}

/** A problem's sentence at its field. */
function problemWire(p: Problem): { field: string; message: CadenceLocalized } {
  const text = (lang: Lang) => {
    const t = CADENCE_TEXTS[lang].problems as Record<string, string>;
    return p.code === 'personal_data' ? t.personalData : (t[p.field] ?? CADENCE_TEXTS[lang].invalidIntro);
  };
  return { field: p.field, message: { de: text('de'), en: text('en') } };
}

/** An outcome as status and body. */
export function cadenceResponse(result: Outcome<CadenceView>, message?: CadenceLocalized): { status: number; body: CadenceWire | CadenceRefusalWire } {
  if (result.ok) return { status: 200, body: cadenceWire(result.value, result.changed ? message : undefined) };
  if (result.code === 'stale') {
    const v = result.current;
    if (v.draft?.status === 'lapsed' && v.cadence) {
      const day = v.draft.date;
      const lapsed = (lang: Lang) => CADENCE_TEXTS[lang].alreadyLapsed(lapsedDay(v.cadence!, { date: day }, lang));
      return { status: 409, body: cadenceWire(v, { de: lapsed('de'), en: lapsed('en') }) };
    }
    const discarded = v.draft?.status === 'discarded';
    const name = (discarded ? v.discardedByName : v.confirmedByName) ?? 'KfI';
    const at = new Date((discarded ? v.draft?.discardedAt : v.draft?.confirmedAt) ?? 0);
    const text = (lang: Lang) => (discarded ? CADENCE_TEXTS[lang].alreadyDiscarded : CADENCE_TEXTS[lang].alreadyConfirmed)(name, formatBerlin(at, lang));
    return { status: 409, body: cadenceWire(v, { de: text('de'), en: text('en') }) };
  }
  if (result.code === 'forbidden') {
    const text = both((t) => t.kfiOnly);
    return { status: 403, body: { ok: false, forbidden: true, message: text, problems: [{ message: text }] } };
  }
  if (result.code === 'invalid') return { status: 400, body: { ok: false, message: both((t) => t.invalidIntro), problems: result.problems.map(problemWire) } };
  const text = both((t) => t.notFound);
  return { status: 404, body: { ok: false, message: text, problems: [{ message: text }] } };
}

/** Registers the three cadence routes. */
export function registerCadenceRoutes(server: Server, cadence: CadenceService, x: TabRouteKit): void {
  server.get(
    '/api/tab/cadence',
    x.signedIn(async (req, res, identity) => {
      const r = cadenceResponse(await cadence.view(identity.aadObjectId));
      x.json(res, r.status, r.body);
    }),
  );
  server.put(
    '/api/tab/cadence',
    x.reader,
    x.signedInWithBody(async (req, res, identity, input) => {
      const result = await cadence.set(identity.aadObjectId, identity.tenantId, input);
      const off = result.ok && !result.value.cadence?.active;
      const r = cadenceResponse(result, both((t) => (off ? t.savedOff : t.saved)));
      x.json(res, r.status, r.body);
    }),
  );
  server.post(
    '/api/tab/cadence/confirm',
    x.reader,
    x.signedInWithBody(async (req, res, identity, input) => {
      const ruleDate = typeof input.ruleDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(input.ruleDate) ? input.ruleDate : '';
      const result = await cadence.confirm(identity.aadObjectId, ruleDate);
      const meeting = result.ok && result.value.cadence?.kind === 'meeting';
      const r = cadenceResponse(result, both((t) => (meeting ? t.sentMeeting : t.sentPoll)));
      x.json(res, r.status, r.body);
    }),
  );
  server.post(
    '/api/tab/cadence/discard',
    x.reader,
    x.signedInWithBody(async (req, res, identity, input) => {
      const ruleDate = typeof input.ruleDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(input.ruleDate) ? input.ruleDate : '';
      const r = cadenceResponse(await cadence.discard(identity.aadObjectId, ruleDate), both((t) => t.discarded));
      x.json(res, r.status, r.body);
    }),
  );
}

export { draftDateLabels };
