import { tabRouteKit } from './routeKit';
import type { Next, Request, Response, Server } from 'restify';
import type { Logger } from '../../services/logging';
import { langOf } from '../texts';
import { bodyReader } from '../bodyReader';
import { loadStaticFiles, representation, TAB_CSP } from './staticFiles';
import { SsoError, type SsoIdentity, type SsoTokenValidator } from './ssoToken';
import type { TabService } from './tabService';
import { registerKnowledgeRoutes, type KnowledgeRouteDeps } from './knowledgeRoutes';
import { registerPostsRoutes } from './postsTab';
import type { PostService } from '../../services/posts/postService';
import { registerDirectoryRoutes, type DirectoryRouteDeps } from './directoryRoutes';
import { registerCadenceRoutes } from './cadenceRoutes';
import type { CadenceService } from '../../services/circle/cadenceService';
import { registerRequestFormRoutes, type RequestFormRouteDeps } from './requestFormRoutes';

export interface TabRouteDeps {
  service: TabService;
  /** `undefined` when the tab has no Entra app (AppConfig.tabAppId): the tab API then answers 503 SsoNotConfigured. */
  validator?: SsoTokenValidator;
  /** The bot's app id, for the tab's links to the chat with the bot (the token's audience is the tab's app, TAB_APP_ID). */
  botId?: string;
  logger: Logger;
  /** The built tab (`tab/dist`). */
  staticDir: string;
  /** The knowledge base the IB teach and the figures (bot/tab/knowledgeRoutes.ts, issue 18). */
  knowledge?: KnowledgeRouteDeps;
  /** Information posts (bot/tab/postsTab.ts): the sender's counts and reminders, a recipient's acknowledgement. */
  posts?: PostService;
  /** The directory editor (bot/tab/directoryRoutes.ts): IB and administrators edit entries in the tab. */
  directory?: DirectoryRouteDeps;
  /** The KfI's cadence of the Koordinierungskreis (bot/tab/cadenceRoutes.ts), when the circle runs. */
  cadence?: CadenceService;
  /** "Anliegen senden" as a form in the tab (bot/tab/requestFormRoutes.ts): the chat form's validation and creation. */
  requestForm?: RequestFormRouteDeps;
}

const MAX_BODY = 32 * 1024;

function json(res: Response, status: number, body: unknown): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.status(status);
  res.json(body);
}

/** Registers `GET /tab/*` (the built tab, from an in-memory allow-list) and the tab's API under `/api/tab/`. */
export function registerTabRoutes(server: Server, deps: TabRouteDeps): void {
  const files = loadStaticFiles(deps.staticDir);
  if (!files.size) deps.logger.warn({ event: 'tab.not_built' }, 'tab/dist is missing: run `npm run build` to build the personal tab.');

  const serveFile = (req: Request, res: Response, next: Next) => {
    // Exact lookup of the raw path: "..", "%2e%2e", backslashes and absolute paths simply match nothing.
    const path = (req.url ?? '').split('?')[0];
    const file = files.get(path);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!file) {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.writeHead(404);
      res.end('Not found');
      return next(false);
    }
    // Compressed once at start; brotli or gzip as the request accepts (Content-Encoding, Vary, own ETag).
    const chosen = representation(file, req.header('accept-encoding'));
    // Revalidated on every load (the names carry no content hash), answered 304 while the ETag still matches.
    res.setHeader('Cache-Control', 'no-cache');
    if (file.contentType.startsWith('text/html')) res.setHeader('Content-Security-Policy', TAB_CSP);
    for (const [name, value] of Object.entries(chosen.headers)) res.setHeader(name, value);
    if (req.header('if-none-match') === chosen.etag) {
      res.writeHead(304);
      res.end();
      return next(false);
    }
    res.setHeader('Content-Length', chosen.body.length);
    res.writeHead(200);
    res.end(req.method === 'HEAD' ? undefined : chosen.body);
    return next(false);
  };
  server.get('/tab/*', serveFile);
  server.head('/tab/*', serveFile);

  /** Validates the SSO token; answers 401/503 itself and returns undefined when the request must stop. */
  const authenticate = async (req: Request, res: Response): Promise<SsoIdentity | undefined> => {
    if (!deps.validator) {
      json(res, 503, { code: 'SsoNotConfigured', message: 'Single sign-on is not configured (TAB_APP_ID, docs/deployment.md).' });
      return undefined;
    }
    try {
      return await deps.validator.validate(req.header('authorization'));
    } catch (err) {
      const code = err instanceof SsoError ? err.code : 'error';
      if (code === 'metadata' || !(err instanceof SsoError)) {
        deps.logger.error({ event: 'tab.sso_unavailable', code: (err as Error)?.name }, 'SSO metadata could not be loaded');
        json(res, 503, { code: 'SsoUnavailable', message: 'Sign-in cannot be checked right now. Please try again.' });
        return undefined;
      }
      deps.logger.warn({ event: 'tab.sso_rejected', code }, 'tab request with an invalid token');
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      json(res, 401, { code: 'Unauthorized', reason: code });
      return undefined;
    }
  };

  const body = (req: Request, res: Response): Record<string, unknown> | undefined => {
    const type = (req.getContentType() || '').toLowerCase();
    const raw = (req as Request & { body?: unknown }).body;
    if (type !== 'application/json') {
      json(res, 415, { code: 'UnsupportedMediaType', message: 'Content-Type must be application/json.' });
      return undefined;
    }
    try {
      const parsed: unknown = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw ?? ''));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      /* answered below */
    }
    json(res, 400, { code: 'BadRequest', message: 'The request body must be a JSON object.' });
    return undefined;
  };

  // restify: an async handler takes (req, res) only; its promise ends the chain.
  const handle = (run: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await run(req, res);
    } catch (err) {
      deps.logger.error({ event: 'tab.request_failed', code: (err as Error)?.name ?? 'Error' }, 'tab request failed');
      if (!res.headersSent) json(res, 500, { code: 'InternalError', message: 'The request could not be processed.' });
    }
  };
  const lang = (req: Request) => langOf(req.header('accept-language'));
  const reader = bodyReader(MAX_BODY);
  const kit = tabRouteKit({ authenticate, body, handle, json, reader, lang });

  server.get(
    '/api/tab/me',
    handle(async (req, res) => {
      const identity = await authenticate(req, res);
      if (identity) json(res, 200, { ...(await deps.service.me(identity, lang(req))), ...(deps.botId ? { botId: deps.botId } : {}) });
    }),
  );

  server.get(
    '/api/tab/downloads/:name',
    handle(async (req, res) => {
      const identity = await authenticate(req, res);
      if (!identity) return;
      const file = await deps.service.download(identity, lang(req), String(req.params?.name ?? ''));
      if (file === undefined) return json(res, 404, { code: 'NotFound', message: 'No such download.' });
      if (file === 'forbidden') return json(res, 403, { code: 'Forbidden', message: 'Only the integration commissioner and the deputy may export the history.' });
      const body = Buffer.from(file.body, 'utf8');
      res.setHeader('Content-Type', file.contentType);
      // The name is ours (authority codes and a date), never taken from the request.
      res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
      res.setHeader('Content-Length', body.length);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.writeHead(200);
      res.end(body);
    }),
  );

  if (deps.knowledge) registerKnowledgeRoutes(server, deps.knowledge, kit);

  // "Meine Daten löschen": the tab asks for confirmation first; the token alone says whose data goes.
  server.del(
    '/api/tab/my-data',
    handle(async (req, res) => {
      const identity = await authenticate(req, res);
      if (!identity) return;
      const outcome = await deps.service.eraseMyData(identity, lang(req));
      if (!outcome) return json(res, 404, { code: 'NotFound', message: 'Deleting your data is not offered here.' });
      json(res, 200, outcome);
    }),
  );

  server.put(
    '/api/tab/home',
    reader,
    handle(async (req, res) => {
      const identity = await authenticate(req, res);
      if (!identity) return;
      const input = body(req, res);
      if (!input) return;
      if (!(await deps.service.setHome(identity, input.authority))) {
        json(res, 400, { code: 'BadRequest', message: 'authority must be one of arnsberg, detmold, duesseldorf, koeln, muenster.' });
        return;
      }
      json(res, 200, await deps.service.me(identity, lang(req)));
    }),
  );

  // An Anliegen or Vortrag opened from a list, and its card's actions: the address names the item, the token the viewer.
  const NO_ITEMS = { code: 'NotFound', message: 'Items are not opened in this tab.' };
  server.get(
    '/api/tab/items/:authority/:id',
    handle(async (req, res) => {
      const identity = await authenticate(req, res);
      if (!identity) return;
      const result = await deps.service.openItem(identity, lang(req), String(req.params?.authority ?? ''), String(req.params?.id ?? ''));
      if (!result) return json(res, 404, NO_ITEMS);
      json(res, result.status, result.body);
    }),
  );
  server.post(
    '/api/tab/items/:authority/:id/actions',
    reader,
    handle(async (req, res) => {
      const identity = await authenticate(req, res);
      if (!identity) return;
      const input = body(req, res);
      if (!input) return;
      const result = await deps.service.actOnItem(identity, lang(req), String(req.params?.authority ?? ''), String(req.params?.id ?? ''), input);
      if (!result) return json(res, 404, NO_ITEMS);
      json(res, result.status, result.body);
    }),
  );

  if (deps.cadence) registerCadenceRoutes(server, deps.cadence, kit);
  if (deps.requestForm) registerRequestFormRoutes(server, deps.requestForm, kit);

  if (deps.directory) registerDirectoryRoutes(server, deps.directory, kit);

  if (deps.posts) registerPostsRoutes(server, deps.posts, kit);

  for (const action of ['preview', 'send'] as const) {
    server.post(
      `/api/tab/${action}`,
      reader,
      handle(async (req, res) => {
        const identity = await authenticate(req, res);
        if (!identity) return;
        const input = body(req, res);
        if (!input) return;
        const result = await deps.service[action](identity, lang(req), input.kind, input.input);
        if (!result) json(res, 404, { code: 'NotFound', message: 'There is nothing of this kind to compose for you.' });
        else json(res, result.ok ? 200 : result.forbidden ? 403 : 400, result);
      }),
    );
  }
}
