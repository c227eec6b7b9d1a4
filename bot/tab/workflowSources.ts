/**
 * The personal tab's sections fed by the workflows: Anliegen and Vorträge from `RequestService`, the
 * Koordinierungskreis from `CircleService`, and the KfI's composer for date polls and meeting announcements. Adapters
 * only: every rule (who sees what, what a valid poll or meeting is) stays in the services, which re-check the viewer
 * from the stored directory.
 */
import { type CircleProfiles, type CircleService, type CreatePollInput, type MeetingInput } from '../../services/circle/circleService';
import { postedMeeting, postedPoll } from '../../services/circle/views';
import type { Outcome, Refusal } from '../../services/workflow/outcome';
import type { ItemDoc, ItemSummary } from '../../services/requests/model';
import { headReachLine } from '../../services/requests/views';
import { circleReachText } from '../../cards/circleViews';
import type { RequestService } from '../../services/requests/requestService';
import type { RequestViews } from '../../services/requests/views';
import type { Logger } from '../../services/logging';
import { tabItems } from './items';
import type { MyData } from '../../services/privacy/myData';
import type { ErasureReport } from '../../services/privacy/erasure';
import { erasureText } from '../handlers/myData';
import type { OutgoingActivity } from '../../services/notifications/model';
import { circleRefusalText } from '../handlers/circle';
import type { CaseSummary, CircleItem, CircleSource, ComposerField, ComposerKind, ComposerProblem, ComposerResult, DownloadsSource, Localized, TabComposer, TabSources, TabViewer } from './sources';
import { localized } from './texts';
import type { ReachSummary } from '../../services/workflow/reachSummary';
import type { PostService } from '../../services/posts/postService';
import { combinedComposer, postsComposer } from './postsTab';

const KIND_LABELS: Record<string, Localized> = { request: localized((t) => t.requests.requestHeading), report: localized((t) => t.tab.kind.report) };

/** A request or report summary as the tab shows it (status code with its German and English label). */
export function caseSummaryOf(item: ItemSummary): CaseSummary {
  return {
    id: item.id,
    kind: item.kind,
    ...(KIND_LABELS[item.kind] ? { kindLabel: KIND_LABELS[item.kind] } : {}),
    authority: item.authority,
    subject: item.subject,
    status: { code: item.status, de: item.statusLabel.de, en: item.statusLabel.en },
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    ...(item.deadline ? { deadline: item.deadline } : {}),
    ...(item.overdue ? { overdue: true } : {}),
    ...(item.recipient === 'kfi' ? { kfi: true } : {}),
  };
}

/** A report's row with the IB's line whether it reached the head (only for `summary` given: the IB side's rows). */
export function withHeadReach(row: CaseSummary, summary: ItemSummary | undefined): CaseSummary {
  const reach = summary?.headReach;
  if (!reach) return row;
  return { ...row, reach: { de: headReachLine('de', reach), en: headReachLine('en', reach), unreachable: reach.reach === 'unreachable' } };
}

/**
 * Downloads: the trail export of `RequestService` as `;`-separated CSV with a byte-order mark (German Excel opens it
 * as columns, umlauts intact) and "Meine Daten" from every workflow as JSON. The service decides who may export, from
 * the directory.
 */
export function downloadsSource(
  requests: RequestService,
  myData: (aadObjectId: string) => Promise<MyData>,
  now: () => Date = () => new Date(),
  eraseMyData?: (aadObjectId: string) => Promise<ErasureReport>,
): DownloadsSource {
  const day = () => now().toISOString().slice(0, 10);
  return {
    mayExportTrail: (viewer) => viewer.roles.commissionerOf.length + viewer.roles.deputyOf.length > 0,
    async trailCsv(viewer) {
      const result = await requests.exportCsv(viewer.aadObjectId, { delimiter: ';', bom: true });
      if (!('csv' in result)) return undefined;
      return { filename: `lotse-verlauf-${result.authorities.join('-')}-${day()}.csv`, contentType: 'text/csv; charset=utf-8', body: result.csv };
    },
    async myData(viewer) {
      const data = await myData(viewer.aadObjectId);
      return { filename: `lotse-meine-daten-${day()}.json`, contentType: 'application/json; charset=utf-8', body: JSON.stringify(data, null, 2) + '\n' };
    },
    ...(eraseMyData ? { eraseMyData: async (viewer: TabViewer) => erasureText(viewer.lang, await eraseMyData(viewer.aadObjectId)) } : {}),
  };
}

const RSVP_STATUS: Record<string, Localized> = {
  accept: localized((t) => t.tab.circle.rsvp.accept),
  decline: localized((t) => t.tab.circle.rsvp.decline),
  delegate: localized((t) => t.tab.circle.rsvp.delegate),
  open: localized((t) => t.tab.circle.rsvp.open),
};
const NEXT_MEETING = localized((t) => t.circle.card.labels.next);
const POLL = localized((t) => t.tab.circle.poll);
const POLL_ANSWERED = localized((t) => t.tab.circle.pollAnswered);
const POLL_UNANSWERED = localized((t) => t.tab.circle.pollUnanswered);

/** The circle overview (next meeting, open polls) as lines of the tab's Koordinierungskreis section. */
export function circleSource(circle: CircleService): CircleSource {
  return {
    async overviewFor(aadObjectId) {
      const overview = await circle.overviewFor(aadObjectId);
      const items: CircleItem[] = [];
      // The KfI's line of whom an announcement reached (plain text here: the tab escapes what it shows).
      const reach = (summary: ReachSummary | undefined, members: Array<{ aadObjectId: string; name: string }>): { reach?: Localized } =>
        overview.isKfi && summary ? { reach: { de: circleReachText(summary, members, 'de', (s) => s), en: circleReachText(summary, members, 'en', (s) => s) } } : {};
      const next = overview.nextMeeting;
      if (next) {
        const m = next.meeting;
        const rsvp = next.mine?.answer ?? 'open';
        items.push({
          id: m.pk,
          kind: { code: 'meeting', ...NEXT_MEETING },
          title: m.title,
          status: { code: `rsvp-${rsvp}`, ...RSVP_STATUS[rsvp] },
          when: m.start,
          ...(m.place || m.onlineUrl ? { detail: m.place ?? m.onlineUrl } : {}),
          ...reach(m.reach, next.members),
        });
      }
      for (const p of overview.openPolls) {
        items.push({
          id: p.poll.pk,
          kind: { code: 'poll', ...POLL },
          title: p.poll.title,
          status: p.mine ? { code: 'answered', ...POLL_ANSWERED } : { code: 'unanswered', ...POLL_UNANSWERED },
          when: p.poll.slots[0]?.start,
          ...(p.poll.place ? { detail: p.poll.place } : {}),
          ...reach(p.poll.reach, p.members),
        });
      }
      return { items };
    },
  };
}

/** The service's own limits (services/circle/circleService.ts MAX_TEXT), so the form says them before sending. */
const MAX = { title: 150, place: 200, url: 500, agenda: 2_000 };
const MAX_SLOTS = 10;
/** Labels the circle's cards give the same fields. */
const LABEL = {
  title: localized((t) => t.circle.fields.title),
  place: localized((t) => t.circle.fields.place),
  agendaText: localized((t) => t.circle.fields.agendaText),
  duration: localized((t) => t.circle.card.labels.duration),
  date: localized((t) => t.circle.card.labels.date),
  startTime: localized((t) => t.circle.card.labels.startTime),
  endTime: localized((t) => t.circle.card.labels.endTime),
  onlineUrl: localized((t) => t.tab.composer.fields.onlineUrl),
  rsvpDeadline: localized((t) => t.tab.composer.fields.rsvpDeadline),
};
const URL_HINT = localized((t) => t.tab.composer.fields.urlHint);
const PLACE_HINT = localized((t) => t.tab.composer.fields.placeHint);

const POLL_FIELDS: ComposerField[] = [
  { name: 'title', label: LABEL.title, type: 'text', required: true, maxLength: MAX.title },
  ...Array.from({ length: MAX_SLOTS }, (_, i): ComposerField => ({
    name: `slot${i + 1}`,
    label: localized((t) => t.tab.composer.fields.slot(i + 1)),
    type: 'datetime-local',
    maxLength: 16,
    ...(i === 0 ? { hint: localized((t) => t.tab.composer.fields.slotHint) } : {}),
  })),
  {
    name: 'duration',
    label: LABEL.duration,
    type: 'select',
    required: true,
    options: [60, 90, 120, 180, 240].map((m) => ({ value: String(m), label: localized((t) => t.tab.composer.fields.hours(m / 60)) })),
  },
  { name: 'place', label: LABEL.place, type: 'text', maxLength: MAX.place },
  { name: 'onlineUrl', label: LABEL.onlineUrl, type: 'text', maxLength: MAX.url, hint: URL_HINT },
];

const MEETING_FIELDS: ComposerField[] = [
  { name: 'title', label: LABEL.title, type: 'text', required: true, maxLength: MAX.title },
  { name: 'date', label: LABEL.date, type: 'date', required: true, maxLength: 10 },
  { name: 'startTime', label: LABEL.startTime, type: 'time', required: true, maxLength: 5 },
  { name: 'endTime', label: LABEL.endTime, type: 'time', required: true, maxLength: 5 },
  { name: 'place', label: LABEL.place, type: 'text', maxLength: MAX.place, hint: PLACE_HINT },
  { name: 'onlineUrl', label: LABEL.onlineUrl, type: 'text', maxLength: MAX.url, hint: URL_HINT },
  { name: 'agendaText', label: LABEL.agendaText, type: 'textarea', maxLength: MAX.agenda },
  { name: 'rsvpDeadline', label: LABEL.rsvpDeadline, type: 'date', required: true, maxLength: 10 },
];

const KINDS: ComposerKind[] = [
  {
    id: 'poll',
    label: POLL,
    description: localized((t) => t.tab.composer.poll.description),
    sendLabel: localized((t) => t.tab.composer.poll.send),
    fields: POLL_FIELDS,
  },
  {
    id: 'meeting',
    label: localized((t) => t.circle.card.labels.newMeeting),
    description: localized((t) => t.tab.composer.meeting.description),
    sendLabel: localized((t) => t.tab.composer.meeting.send),
    fields: MEETING_FIELDS,
  },
];

/** Which composer field a circle refusal is about (the service names the field or rule in the problem). */
const FIELD_OF: Record<string, Record<string, string>> = {
  // `place` and `agendaText` come from the privacy guard.
  poll: { title: 'title', duration: 'duration', slot: 'slot1', slotCount: 'slot1', onlineUrl: 'onlineUrl', place: 'place' },
  meeting: { title: 'title', date: 'date', endBeforeStart: 'endTime', rsvpDeadline: 'rsvpDeadline', placeOrLink: 'place', onlineUrl: 'onlineUrl', place: 'place', agendaText: 'agendaText' },
};

function problemOf(kind: string, refusal: Refusal): ComposerProblem {
  const field = refusal.code === 'invalid' ? FIELD_OF[kind]?.[refusal.problems[0]?.field ?? ''] : undefined;
  return { ...(field ? { field } : {}), message: { de: circleRefusalText('de', refusal), en: circleRefusalText('en', refusal) } };
}

function pollInput(viewer: TabViewer, input: Record<string, string>): CreatePollInput {
  return {
    tenantId: viewer.tenantId,
    title: input.title,
    durationMinutes: Number(input.duration),
    slots: Array.from({ length: MAX_SLOTS }, (_, i) => {
      const [date = '', time = ''] = (input[`slot${i + 1}`] ?? '').split('T');
      return { date, time };
    }),
    place: input.place,
    onlineUrl: input.onlineUrl,
  };
}

function meetingInput(viewer: TabViewer, input: Record<string, string>): MeetingInput {
  return {
    tenantId: viewer.tenantId,
    title: input.title,
    date: input.date,
    startTime: input.startTime,
    endTime: input.endTime,
    place: input.place,
    onlineUrl: input.onlineUrl,
    agendaText: input.agendaText,
    rsvpDeadline: input.rsvpDeadline,
  };
}

const cardOf = (activity: OutgoingActivity): Record<string, unknown> => (activity.attachments?.[0]?.content ?? {}) as Record<string, unknown>;

/**
 * The KfI's composer. `preview` runs the same checks as sending and renders the card the circle posts (the same view
 * and card as the relay posts), storing and sending nothing; `send` creates the poll or announces the meeting, which
 * re-checks the KfI role from the directory; the relay posts it through the outbox.
 */
export function circleComposer(circle: CircleService, profiles: Pick<CircleProfiles, 'refreshIds'>): TabComposer {
  const run = async <V, T>(kind: string, result: Outcome<V>, ok: (value: V) => Promise<T>): Promise<ComposerResult<T>> => {
    if (result.ok) return { ok: true, ...(await ok(result.value)) };
    if (result.code === 'stale') throw new Error('unexpected stale outcome');
    if (result.code === 'forbidden') return { ok: false, forbidden: true, problems: [problemOf(kind, result)] };
    return { ok: false, problems: [problemOf(kind, result)] };
  };
  return {
    kinds: (viewer) => (circle.isKfi(viewer.aadObjectId) ? KINDS : []),
    knows: (kind) => KINDS.some((k) => k.id === kind),
    preview: async (viewer, kind, input) =>
      kind === 'poll'
        ? run(kind, await circle.previewPoll(viewer.aadObjectId, pollInput(viewer, input)), async (view) => ({ card: cardOf(await postedPoll(view, profiles.refreshIds)) }))
        : run(kind, await circle.previewMeeting(viewer.aadObjectId, meetingInput(viewer, input)), async (view) => ({ card: cardOf(await postedMeeting(view, profiles.refreshIds)) })),
    send: async (viewer, kind, input) =>
      kind === 'poll'
        ? run(kind, await circle.createPoll(viewer.aadObjectId, pollInput(viewer, input)), async (view) => ({
            message: localized((t) => t.tab.composer.poll.sent(view.poll.title, view.members.length)),
          }))
        : run(kind, await circle.announceMeeting(viewer.aadObjectId, meetingInput(viewer, input)), async (view) => ({
            message: localized((t) => t.tab.composer.meeting.sent(view.meeting.title, view.members.length)),
          })),
  };
}

/** All workflow sections of the tab. */
export function workflowTabSources(deps: {
  requests: RequestService;
  /** The item cards per viewer; with `logger`, rows of the lists open their item in the tab (absent: they do not). */
  views?: RequestViews;
  logger?: Logger;
  circle: CircleService;
  /** Information posts: their kind joins the composer (the same preview and send). */
  posts?: PostService;
  profiles: Pick<CircleProfiles, 'refreshIds'>;
  now?: () => Date;
  /** "Meine Daten" from every workflow. */
  myData: (aadObjectId: string) => Promise<MyData>;
  /** "Meine Daten löschen". */
  eraseMyData?: (aadObjectId: string) => Promise<ErasureReport>;
}): TabSources {
  const { requests } = deps;
  return {
    downloads: downloadsSource(requests, deps.myData, deps.now, deps.eraseMyData),
    requests: { listForRequester: async (id) => (await requests.listForRequester(id)).map(caseSummaryOf) },
    inbox: { inboxFor: async (id) => (await requests.inboxFor(id)).map(caseSummaryOf) },
    reports: {
      reportsFor: async (id) => {
        // Whether a report reached the head is the IB side's concern: the row shows it to the IB and the deputy only.
        const ibSide = (s: ItemSummary) => requests.rolesFor(id, { kind: s.kind, authority: s.authority } as ItemDoc).commissioner;
        return (await requests.reportsFor(id)).map((s) => withHeadReach(caseSummaryOf(s), ibSide(s) ? s : undefined));
      },
    },
    circle: circleSource(deps.circle),
    composer: deps.posts ? combinedComposer(circleComposer(deps.circle, deps.profiles), postsComposer(deps.posts)) : circleComposer(deps.circle, deps.profiles),
    ...(deps.views && deps.logger ? { items: tabItems({ service: requests, views: deps.views, logger: deps.logger }) } : {}),
  };
}
