/**
 * The knowledge base and the figures in the personal tab (issue 18):
 * - `GET /api/tab/knowledge`: the viewer's scopes, their unanswered questions (intent and keywords), their entries with
 *   every version;
 * - `POST /api/tab/knowledge/preview` (the form): the answer as the Lotse gives it, on its card; nothing stored;
 * - `POST /api/tab/knowledge/publish` (the form): a new version; `POST /api/tab/knowledge/rollback` `{scope, key, version}`;
 * - `GET /api/tab/figures`: weekly counts with k-anonymity.
 * Every request is checked by the service from the stored directory (403 with a sentence for anyone else); the token
 * alone says who asks, the form never says who may.
 */
import type { Request, Response, Server } from 'restify';
import { knowledgeAnswerCard } from '../../cards/knowledgeAnswerCard';
import type { CountScope, FiguresReader, FiguresView } from '../../services/answers/figures';
import { OVERLAY_INTENTS, OVERLAY_LIMITS, OVERLAY_SOURCES, type OverlayProblem, type OverlayScope } from '../../services/answers/knowledgeOverlay';
import type { KnowledgeOverlayService, KnowledgeResult, OverlayPreview } from '../../services/answers/knowledgeOverlayService';
import { teachingScopes } from '../../services/answers/knowledgeOverlayService';
import type { OverlayEntryDoc } from '../../services/answers/knowledgeOverlayStore';
import { isIntent, type Intent } from '../../services/answers/intents';
import { AUTHORITY_NAMES, type Directory } from '../../services/directory/model';
import type { GroupSnapshot } from '../../services/directory/groupRoles';
import { personByAadObjectId, rolesOf } from '../../services/directory/roles';
import { cardText } from '../../services/text/escape';
import { personalDataKinds } from '../privacyTexts';
import { langOf, type Lang } from '../texts';
import { KNOWLEDGE_TEXTS, type KnowledgeTexts } from './knowledgeTexts';
import type { KnowledgeEntryWire, KnowledgeLocalized, KnowledgeOption, KnowledgeProblemWire, KnowledgeWire, FiguresWire } from './knowledgeWire';
import type { TabRouteKit } from './routeKit';

export interface KnowledgeRouteDeps {
  service: KnowledgeOverlayService;
  figures: FiguresReader;
  /** Stores this instance's counts first, so the viewer sees the questions asked here up to now. */
  flushCounts?: () => Promise<void>;
  directory: () => Directory;
  groups?: () => GroupSnapshot;
  /** The decree's full text, linked under the preview like under every answer. */
  decreeUrl: () => string;
  now?: () => Date;
}

const both = (pick: (t: KnowledgeTexts) => string): KnowledgeLocalized => ({ de: pick(KNOWLEDGE_TEXTS.de), en: pick(KNOWLEDGE_TEXTS.en) });

function scopeName(scope: OverlayScope | CountScope, t: KnowledgeTexts): string {
  return scope === 'all' ? t.scopeAll : scope === 'unassigned' ? t.scopeUnassigned : AUTHORITY_NAMES[scope];
}

function sourceLabel(source: string, t: KnowledgeTexts): string {
  const [kind, rest] = source.split(':');
  if (kind === 'rderl') return t.sources.rderl(rest.replace(/^(\d)([a-d])$/, '$1 $2'));
  return t.sources[rest as Exclude<keyof KnowledgeTexts['sources'], 'rderl'>] ?? source;
}

const intentLabel = (intent: string): KnowledgeLocalized => (isIntent(intent) ? both((t) => t.intents[intent]) : { de: intent, en: intent });

/** A problem worded in both languages, at its field. */
function problemWire(p: OverlayProblem): KnowledgeProblemWire {
  const say = (t: KnowledgeTexts, lang: Lang): string => {
    switch (p.code) {
      case 'missing':
        return t.problems.missing;
      case 'too_long':
        return p.field === 'triggers' ? `${t.problems.too_long(OVERLAY_LIMITS.trigger)} (${p.line ?? ''})` : t.problems.too_long(OVERLAY_LIMITS.answer);
      case 'too_many':
        return t.problems.too_many(OVERLAY_LIMITS.triggers);
      case 'unknown_value':
        return t.problems.unknown_value;
      case 'bad_pattern':
        return t.problems.bad_pattern(p.line ?? 1);
      case 'personal_data':
        return t.problems.personal_data(personalDataKinds(lang, p.kinds ?? []));
    }
  };
  return { field: p.field, ...(p.line ? { line: p.line } : {}), message: { de: say(KNOWLEDGE_TEXTS.de, 'de'), en: say(KNOWLEDGE_TEXTS.en, 'en') } };
}

/** The answer card of a preview, in one language (the tab shows the viewer's). */
export function renderKnowledgePreview(preview: OverlayPreview, lang: Lang, decreeUrl: string): Record<string, unknown> {
  const t = KNOWLEDGE_TEXTS[lang];
  const a = preview.answer[lang];
  return knowledgeAnswerCard({
    lang,
    heading: t.previewHeading,
    scope: preview.scope === 'all' ? t.previewScopeAll : t.previewScope(AUTHORITY_NAMES[preview.scope]),
    // Taught text is user text: escaped, one block per paragraph.
    paragraphs: a.text.split(/\n{2,}/).map((p) => cardText(p.trim())).filter(Boolean),
    source: `${t.source}: ${a.citation} · [${t.decree}](${decreeUrl})`,
  }).content;
}

/** Maps a refusal to its status and body (one place). */
function refusal(result: Exclude<KnowledgeResult<unknown>, { ok: true }>): { status: number; body: unknown } {
  if (result.code === 'forbidden') return { status: 403, body: { ok: false, code: 'Forbidden', message: both((t) => t.forbidden[result.reason]) } };
  if (result.code === 'not_found') return { status: 404, body: { ok: false, code: 'NotFound', message: both((t) => t.notFound) } };
  return { status: 400, body: { ok: false, code: 'Invalid', problems: result.problems.map(problemWire) } };
}

function entryWire(doc: OverlayEntryDoc, directory: Directory): KnowledgeEntryWire {
  const current = doc.versions.find((v) => v.version === doc.current) ?? doc.versions[doc.versions.length - 1];
  const who = (id: string): KnowledgeLocalized => {
    const person = personByAadObjectId(directory, id);
    return person ? { de: person.name, en: person.name } : both((t) => t.formerMember);
  };
  return {
    scope: doc.pk,
    scopeLabel: both((t) => scopeName(doc.pk, t)),
    key: doc.key,
    current: doc.current,
    intent: current.intent,
    intentLabel: intentLabel(current.intent),
    ...(current.corrects ? { corrects: current.corrects } : {}),
    triggers: current.triggers,
    answerDe: current.answer.de,
    answerEn: current.answer.en,
    source: current.source,
    sourceLabel: both((t) => sourceLabel(current.source, t)),
    versions: [...doc.versions]
      .sort((a, b) => b.version - a.version)
      .map((v) => ({ version: v.version, publishedAt: v.publishedAt, publishedBy: who(v.publishedBy), ...(v.rolledBackFrom ? { rolledBackFrom: v.rolledBackFrom } : {}), answerDe: v.answer.de })),
  };
}

function knowledgeWire(view: { scopes: OverlayScope[]; unanswered: Array<{ authority: Exclude<OverlayScope, 'all'>; questions: Array<{ askedAt: string; intent: Intent; keywords: string[]; language: 'de' | 'en' }> }>; entries: OverlayEntryDoc[] }, directory: Directory): KnowledgeWire {
  const option = (value: string, label: KnowledgeLocalized): KnowledgeOption => ({ value, label });
  return {
    scopes: view.scopes.map((s) => option(s, both((t) => scopeName(s, t)))),
    intents: OVERLAY_INTENTS.map((i) => option(i, intentLabel(i))),
    sources: OVERLAY_SOURCES.map((s) => option(s, both((t) => sourceLabel(s, t)))),
    limits: { ...OVERLAY_LIMITS },
    unanswered: view.unanswered.map((u) => ({
      authority: u.authority,
      authorityName: AUTHORITY_NAMES[u.authority],
      // Intent and keywords only: the question's text was never stored (services/answers/unansweredQuestions.ts).
      questions: u.questions.map((q) => ({ askedAt: q.askedAt, intent: q.intent, intentLabel: intentLabel(q.intent), keywords: q.keywords, language: q.language })),
    })),
    entries: view.entries.map((e) => entryWire(e, directory)),
  };
}

function figuresWire(view: FiguresView): FiguresWire {
  return {
    scopes: view.scopes.map((s) => ({ value: s, label: both((t) => scopeName(s, t)) })),
    weeks: view.weeks.map(({ byAuthority, ...w }) => ({
      ...w,
      byIntent: w.byIntent.map((b) => ({ ...b, label: intentLabel(b.intent) })),
      ...(byAuthority ? { byAuthority: byAuthority.map((b) => ({ ...b, label: both((t) => scopeName(b.authority, t)) })) } : {}),
    })),
    topUnanswered: view.topUnanswered.map((u) => ({ ...u, label: intentLabel(u.intent) })),
  };
}

/** Registers the knowledge base's and the figures' routes. */
export function registerKnowledgeRoutes(server: Server, deps: KnowledgeRouteDeps, x: TabRouteKit): void {
  const lang = (req: Request) => langOf(req.header('accept-language'));
  const send = (res: Response, r: { status: number; body: unknown }) => x.json(res, r.status, r.body);

  server.get(
    '/api/tab/knowledge',
    x.signedIn(async (req, res, identity) => {
      const result = await deps.service.overview(identity.aadObjectId);
      send(res, result.ok ? { status: 200, body: knowledgeWire(result.value, deps.directory()) } : refusal(result));
    }),
  );

  server.post(
    '/api/tab/knowledge/preview',
    x.reader,
    x.signedInWithBody(async (req, res, identity, input) => {
      const result = await deps.service.preview(identity.aadObjectId, input);
      if (!result.ok) return send(res, refusal(result));
      send(res, { status: 200, body: { ok: true, card: renderKnowledgePreview(result.value, lang(req), deps.decreeUrl()) } });
    }),
  );

  server.post(
    '/api/tab/knowledge/publish',
    x.reader,
    x.signedInWithBody(async (req, res, identity, input) => {
      const result = await deps.service.publish(identity.aadObjectId, input);
      if (!result.ok) return send(res, refusal(result));
      const v = result.value.version;
      send(res, { status: 200, body: { ok: true, key: result.value.key, scope: result.value.scope, version: v.version, message: both((t) => t.published(v.version)) } });
    }),
  );

  server.post(
    '/api/tab/knowledge/rollback',
    x.reader,
    x.signedInWithBody(async (req, res, identity, input) => {
      const result = await deps.service.rollback(identity.aadObjectId, input);
      if (!result.ok) return send(res, refusal(result));
      const v = result.value.version;
      send(res, { status: 200, body: { ok: true, key: result.value.key, scope: result.value.scope, version: v.version, message: both((t) => t.rolledBack(v.rolledBackFrom ?? 0, v.version)) } });
    }),
  );

  server.get(
    '/api/tab/figures',
    x.signedIn(async (req, res, identity) => {
      // Who sees which authority, from the stored directory: the IB side their own, the KfI all (and the unassigned).
      const scopes = teachingScopes(rolesOf(deps.directory(), identity.aadObjectId, deps.groups?.()));
      if (!scopes.length) return send(res, { status: 403, body: { ok: false, code: 'Forbidden', message: both((t) => t.forbidden.figures) } });
      const countScopes: CountScope[] = scopes.includes('all') ? [...scopes.filter((s): s is Exclude<OverlayScope, 'all'> => s !== 'all'), 'unassigned'] : (scopes as CountScope[]);
      await deps.flushCounts?.();
      const view = await deps.figures.figures(countScopes, deps.now?.() ?? new Date());
      send(res, { status: 200, body: figuresWire(view) });
    }),
  );
}
