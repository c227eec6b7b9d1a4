/**
 * An Anliegen or Vortrag opened in the personal tab: the same card the bot sends this viewer in the chat, and its
 * actions carried out by the same verb table as the chat's invokes (bot/handlers/requests.ts `requestItemVerbs`), so
 * `RequestService` re-checks who may act from stored data and `respond` maps the outcome as in the chat. The tab
 * posts `{ verb, data, inputs }`; the item comes from the address only, and card data naming another item is refused.
 */
import type { AdaptiveCardInvokeResponse } from 'botbuilder';
import { z } from 'zod';
import { isAuthorityCode } from '../../services/directory/model';
import type { Logger } from '../../services/logging';
import { REQUEST_VERBS } from '../../services/requests/model';
import type { RequestService } from '../../services/requests/requestService';
import type { RequestViews } from '../../services/requests/views';
import { requestItemVerbs, type ItemVerb } from '../handlers/requests';
import type { Caller } from '../handlers/types';
import type { TabViewer } from './sources';

/** What `GET /api/tab/items/…` and `POST …/actions` answer: the item's card (with its address), or a refusal. */
export type TabItemResult =
  | { status: 200; body: { item: { authority: string; id: string; kind?: string }; card: Record<string, unknown> } }
  | { status: 400 | 403 | 404 | 409 | 412 | 500; body: { code: string; message: string } };

export interface TabItemsSource {
  open(viewer: TabViewer, name: string, authority: string, id: string): Promise<TabItemResult>;
  act(viewer: TabViewer, name: string, authority: string, id: string, payload: unknown): Promise<TabItemResult>;
}

/**
 * Actions that only work in the chat with the Lotse, left out of the card in the tab:
 * - „Vortrag daraus machen“ replaces the card with the Vortrag form, whose sending creates a new item and posts its
 *   card in the chat; the form belongs to the chat (it is also where the IB's other Vortrag forms are).
 * - „Verlauf“ answers with a chat message listing the changes; the tab's Downloads section has the history as CSV.
 */
export const CHAT_ONLY_VERBS: ReadonlySet<string> = new Set([REQUEST_VERBS.reportStart, REQUEST_VERBS.trail, REQUEST_VERBS.start, REQUEST_VERBS.submit, REQUEST_VERBS.reportSubmit]);

const isObject = (n: unknown): n is Record<string, unknown> => !!n && typeof n === 'object' && !Array.isArray(n);
const chatOnly = (n: unknown) => isObject(n) && n.type === 'Action.Execute' && CHAT_ONLY_VERBS.has(String(n.verb));
const emptyActionSet = (n: unknown) => isObject(n) && n.type === 'ActionSet' && !(Array.isArray(n.actions) && n.actions.length);

/** The card as the tab shows it: without the chat-only actions and without the chat's automatic refresh. */
export function cardForTab(card: Record<string, unknown>): Record<string, unknown> {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.filter((n) => !chatOnly(n)).map(strip).filter((n) => !emptyActionSet(n));
    if (isObject(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strip(v)]));
    return node;
  };
  const { refresh: _refresh, ...rest } = card;
  return strip(rest) as Record<string, unknown>;
}

/** The body of `POST /api/tab/items/:authority/:id/actions`: what the card's `Action.Execute` carried. */
const payloadSchema = z
  .object({
    verb: z.string().min(1).max(100),
    data: z.record(z.string(), z.unknown()).optional(),
    inputs: z.record(z.string(), z.string().max(20_000)).optional(),
  })
  .strict();

const issuesText = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

export function tabItems(deps: { service: RequestService; views: RequestViews; logger: Logger }): TabItemsSource {
  const shared = requestItemVerbs(deps);
  const table = new Map<string, ItemVerb>(shared.verbs.map((v) => [v.verb, v]));
  const callerOf = (viewer: TabViewer): Caller => ({ aadObjectId: viewer.aadObjectId, tenantId: viewer.tenantId, lang: viewer.lang, locale: viewer.lang === 'de' ? 'de-DE' : 'en-US' });
  const bad = (message: string, code = 'BadRequest'): TabItemResult => ({ status: 400, body: { code, message } });
  /** An invoke response as the tab's answer. */
  const answer = (response: AdaptiveCardInvokeResponse, item: { authority: string; id: string; kind?: string }): TabItemResult => {
    const value = response.value as unknown as Record<string, unknown>;
    if (response.type === 'application/vnd.microsoft.card.adaptive') return { status: 200, body: { item, card: cardForTab(value) } };
    const status = ([400, 403, 404, 409, 412] as const).find((s) => s === response.statusCode) ?? 500;
    return { status, body: { code: String(value?.code ?? 'Error'), message: String(value?.message ?? '') } };
  };
  /** The address names an item only when both parts have the shape of one (anything else is not found, looked up nowhere). */
  const address = (viewer: TabViewer, authority: string, id: string): TabItemResult | undefined =>
    isAuthorityCode(authority) && /^[A-Za-z0-9_-]{1,100}$/.test(id) ? undefined : answer(shared.refused(viewer.lang, { ok: false, code: 'not_found' }), { authority, id });

  return {
    async open(viewer, _name, authority, id) {
      return address(viewer, authority, id) ?? answer(await shared.view(callerOf(viewer), { authority: authority as never, id }), { authority, id });
    },

    async act(viewer, name, authority, id, payload) {
      const wrong = address(viewer, authority, id);
      if (wrong) return wrong;
      const parsed = payloadSchema.safeParse(payload);
      if (!parsed.success) return bad(issuesText(parsed.error));
      const { verb } = parsed.data;
      // Inputs win over data, as Teams merges them into the invoke's `action.data`.
      const data: Record<string, unknown> = { ...parsed.data.data, ...parsed.data.inputs };
      if (data.authority !== undefined && data.authority !== authority) return bad('data.authority names another Bezirksregierung than the address.', 'ItemMismatch');
      const caller = callerOf(viewer);
      if (verb === REQUEST_VERBS.open) {
        // „Vortrag öffnen“ / „Anliegen öffnen“ on this item's card: the linked item opens in the tab, if the viewer may see it.
        if (data.within !== id) return bad('data.within must name the item in the address.', 'ItemMismatch');
        const linked = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).safeParse(data.id);
        if (!linked.success) return bad(`id: ${linked.error.issues[0]?.message ?? 'invalid'}`);
        deps.logger.info({ event: 'tab.item_open_linked' }, 'linked item opened in the tab');
        const shown = answer(await shared.view(caller, { authority: authority as never, id: linked.data }), { authority, id: linked.data });
        // The tab names the item it now shows by its kind (Anliegen or Vortrag): read only once the viewer may see it.
        if (shown.status === 200) {
          const kind = (await deps.service.repo.get(authority as never, linked.data))?.kind;
          if (kind) shown.body.item.kind = kind;
        }
        return shown;
      }
      const handler = table.get(verb);
      if (!handler) {
        return CHAT_ONLY_VERBS.has(verb) ? bad(`The action ${verb} works in the chat with the Lotse only.`, 'ChatOnly') : bad(`Unknown action ${verb.slice(0, 100)}.`, 'UnknownVerb');
      }
      if (data.id !== undefined && data.id !== id) return bad('data.id names another item than the address.', 'ItemMismatch');
      const checked = handler.schema.safeParse({ ...data, id, authority });
      if (!checked.success) return bad(issuesText(checked.error));
      const party = { aadObjectId: viewer.aadObjectId, tenantId: viewer.tenantId, name: name.slice(0, 200), lang: viewer.lang };
      const result = answer(await handler.run(party, caller, checked.data), { authority, id });
      deps.logger.info({ event: 'tab.item_action', verb, status: result.status }, 'item action in the tab');
      return result;
    },
  };
}
