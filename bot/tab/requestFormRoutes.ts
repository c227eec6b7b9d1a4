/**
 * "Anliegen senden" in the personal tab: the chat's two-step Anliegen form (first the kind, then what that kind needs)
 * as a form of the tab, sent through `RequestService.createRequest`, so the same validation (required fields, lengths,
 * dates, the privacy guard on every free text) and the same creation (the IB's or the KfI's card, the reminder job)
 * apply as in the chat.
 *
 * - `GET /api/tab/requests/form`: the form's texts and choices, in both languages (the chat's wording, from
 *   services/requests/texts), with the limits.
 * - `POST /api/tab/requests`: `{ authority, category, subject, description, deadline?, department?, measure?,
 *   plannedDate? }`. 201 `{ item, message }`; 400 `{ code: 'Invalid', message, problems: [{ field, message }] }` with
 *   one sentence per field (nothing stored); 400 `BadRequest` for a body that is not the form's; 401 without a valid
 *   token.
 *
 * Who sends comes from the SSO token only; the authority chooses the recipient and grants nothing.
 */
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import { AUTHORITY_CODES, AUTHORITY_NAMES } from '../../services/directory/model';
import type { Logger } from '../../services/logging';
import { CATEGORY_LABELS, KFI_CHOICE, LIMITS, REQUEST_CATEGORIES } from '../../services/requests/model';
import type { RequestService } from '../../services/requests/requestService';
import { REQUEST_TEXTS } from '../../services/requests/texts';
import type { Problem } from '../../services/workflow/outcome';
import { personalDataKinds } from '../privacyTexts';
import { langOf, type Lang } from '../texts';
import type { Localized } from './wire';
import type { RequestFormProblem, RequestFormWire } from './requestFormWire';
import type { TabRouteKit } from './routeKit';

export interface RequestFormRouteDeps {
  service: RequestService;
  logger: Logger;
}

const FIELDS = ['authority', 'category', 'subject', 'description', 'deadline', 'department', 'measure', 'plannedDate'] as const;
type Field = (typeof FIELDS)[number];

/** The form's body: strings only, each at most 20,000 characters (the service names the real limits per field). */
const bodySchema = z.object(Object.fromEntries(FIELDS.map((f) => [f, z.string().max(20_000).optional()])) as Record<Field, z.ZodOptional<z.ZodString>>).strict();

const both = (pick: (lang: Lang) => string): Localized => ({ de: pick('de'), en: pick('en') });

/** The form as the tab draws it: every text in both languages, the chat form's wording. */
export function requestFormWire(): RequestFormWire {
  const l = (pick: (t: (typeof REQUEST_TEXTS)[Lang]) => string) => both((lang) => pick(REQUEST_TEXTS[lang]));
  return {
    heading: l((t) => t.formHeading),
    kindIntro: l((t) => t.kindIntro),
    formIntro: l((t) => t.formIntro),
    privacy: l((t) => t.privacy),
    kindQuestion: l((t) => t.labels.kindQuestion),
    kindMissing: l((t) => t.labels.missing.category),
    next: l((t) => t.labels.next),
    submit: l((t) => t.labels.submit),
    checkFields: l((t) => t.checkFields),
    measureHeading: l((t) => t.labels.measureHeading),
    measureHint: l((t) => t.labels.measureHint),
    categories: REQUEST_CATEGORIES.map((c) => ({ value: c, label: both((lang) => CATEGORY_LABELS[c][lang]) })),
    recipients: [
      ...AUTHORITY_CODES.map((c) => ({ value: c as string, label: l((t) => t.recipients.commissioner(AUTHORITY_NAMES[c])) })),
      { value: KFI_CHOICE, label: l((t) => t.recipients.kfi) },
    ],
    labels: Object.fromEntries(
      (['authority', 'subject', 'description', 'deadline', 'department', 'measure', 'plannedDate'] as const).map((f) => [f, l((t) => t.labels[f])]),
    ) as RequestFormWire['labels'],
    limits: { subject: LIMITS.subject, description: LIMITS.description, department: LIMITS.department, measure: LIMITS.measure },
  };
}

/** One sentence per problem, at its field, in both languages: the chat form's sentences (services/requests/views.ts). */
export function problemSentences(problems: readonly Problem[]): RequestFormProblem[] {
  const sentence = (lang: Lang, p: Problem): string => {
    const t = REQUEST_TEXTS[lang];
    const missing = t.labels.missing as Partial<Record<string, string>>;
    const limit = (LIMITS as Partial<Record<string, number>>)[p.field] ?? LIMITS.text;
    if (p.code === 'missing') return missing[p.field] ?? t.fieldProblems.missing;
    if (p.code === 'too_long') return t.fieldProblems.too_long(limit);
    if (p.code === 'personal_data') return t.fieldProblems.personal_data(personalDataKinds(lang, p.kinds ?? []));
    return t.fieldProblems[p.code];
  };
  return problems.map((p) => ({ field: p.field, message: both((lang) => sentence(lang, p)) }));
}

/** The chat's confirmation; to the KfI its own where the texts have one (`sentKfi`), else the IB's. */
function sentText(t: (typeof REQUEST_TEXTS)[Lang], kfi: boolean): string {
  return kfi && 'sentKfi' in t && typeof t.sentKfi === 'string' ? t.sentKfi : t.sent;
}

export function registerRequestFormRoutes(server: Server, deps: RequestFormRouteDeps, helpers: TabRouteKit): void {
  const { authenticate, body, handle, json, reader } = helpers;
  const wire = requestFormWire();

  server.get(
    '/api/tab/requests/form',
    handle(async (req, res) => {
      if (await authenticate(req, res)) json(res, 200, { form: wire });
    }),
  );

  server.post(
    '/api/tab/requests',
    reader,
    handle(async (req, res) => {
      const identity = await authenticate(req, res);
      if (!identity) return;
      const input = body(req, res);
      if (!input) return;
      const parsed = bodySchema.safeParse(input);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'body'))].slice(0, 10);
        return json(res, 400, { code: 'BadRequest', message: `Not the Anliegen form: ${fields.join(', ')}.` });
      }
      const v = parsed.data;
      const lang = langOf(req.header('accept-language'));
      const party = { aadObjectId: identity.aadObjectId, tenantId: identity.tenantId, name: (identity.name ?? '').slice(0, 200), lang };
      const result = await deps.service.createRequest(party, {
        authority: v.authority ?? '', category: v.category ?? '', subject: v.subject ?? '', description: v.description ?? '',
        deadline: v.deadline || undefined, department: v.department, measure: v.measure, plannedDate: v.plannedDate || undefined,
      });
      if (result.ok) {
        const item = result.value.item;
        deps.logger.info({ event: 'tab.request_created', itemId: item.id }, 'Anliegen sent from the tab');
        return json(res, 201, { item: { authority: item.authority, id: item.id, kind: item.kind }, message: both((l) => sentText(REQUEST_TEXTS[l], item.recipient === 'kfi')) });
      }
      if (result.code === 'invalid') {
        // Field names and codes only: never the text, which may hold what the privacy guard found.
        deps.logger.info({ event: 'tab.request_invalid', fields: result.problems.map((p) => `${p.field}:${p.code}`) }, 'Anliegen form refused in the tab');
        return json(res, 400, { code: 'Invalid', message: both((l) => REQUEST_TEXTS[l].checkFields), problems: problemSentences(result.problems) });
      }
      // createRequest refuses nothing else today; should it, the tab says that it did not work.
      deps.logger.warn({ event: 'tab.request_refused', code: result.code }, 'Anliegen refused in the tab');
      json(res, result.code === 'forbidden' ? 403 : 409, { code: result.code });
    }),
  );
}
