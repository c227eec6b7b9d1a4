/**
 * The directory editor in the personal tab: `GET /api/tab/directory` (the entries the caller may edit),
 * `GET /api/tab/directory/:authority` (the entry's form and history), `PUT /api/tab/directory/:authority` (save, with
 * `If-Match: <revision>`; 409 when the entry changed meanwhile) and `GET /api/tab/people?q=` (the deputy picker's
 * search). Who may do what is decided by services/directory/entryEditor.ts from the stored directory; the token alone
 * says who asks.
 */
import type { Request, Response, Server } from 'restify';
import type { Bilingual } from '../../services/directory/entryEdit';
import type { DirectoryEntryEditor, EditorResult, EntryView } from '../../services/directory/entryEditor';
import type { GraphPort } from '../../services/graph/graphPort';
import type { Logger } from '../../services/logging';
import type { Lang } from '../texts';
import type { DirectoryAnswerWire, DirectoryEntryWire, DirectoryListWire, PeopleWire } from './directoryWire';
import type { TabRouteKit } from './routeKit';

export interface DirectoryRouteDeps {
  editor: DirectoryEntryEditor;
  /** People search for the deputy picker (Microsoft Graph); `undefined` when Graph is off. */
  searchPeople?: (query: string) => Promise<PeopleWire>;
  logger: Logger;
}

const PEOPLE_QUERY_MAX = 60;

function entryWire(view: EntryView, lang: Lang): DirectoryEntryWire {
  return {
    ...view,
    history: view.history.map((h) => ({ at: h.at, who: h.who[lang], what: h.what[lang], changes: h.changes.map((c) => ({ field: c.field[lang], from: c.from[lang], to: c.to[lang] })) })),
  };
}

function answer(result: EditorResult, lang: Lang): { status: number; body: DirectoryAnswerWire } {
  const text = (b: Bilingual) => b[lang];
  switch (result.status) {
    case 200:
      return { status: 200, body: { entry: entryWire(result.entry, lang), ...(result.message ? { message: text(result.message) } : {}) } };
    case 400:
      return { status: 400, body: { code: 'Invalid', problems: result.problems.map((p) => ({ field: p.field, message: text(p.message) })) } };
    case 409:
      return { status: 409, body: { code: 'Conflict', message: text(result.message), entry: entryWire(result.entry, lang) } };
    default:
      return { status: result.status, body: { code: result.status === 403 ? 'Forbidden' : result.status === 404 ? 'NotFound' : 'PreconditionRequired', message: text(result.message) } };
  }
}

export function registerDirectoryRoutes(server: Server, deps: DirectoryRouteDeps, x: TabRouteKit): void {
  const send = (res: Response, result: EditorResult, lang: Lang) => {
    const { status, body } = answer(result, lang);
    if (body.entry) res.setHeader('ETag', body.entry.revision);
    x.json(res, status, body);
  };

  server.get(
    '/api/tab/directory',
    x.signedIn(async (req, res, identity) => {
      const list: DirectoryListWire = deps.editor.list(identity.aadObjectId);
      x.json(res, 200, list);
    }),
  );

  server.get(
    '/api/tab/directory/:authority',
    x.signedIn(async (req, res, identity) => {
      const result = await deps.editor.view(identity.aadObjectId, String(req.params?.authority ?? ''));
      if (result.status === 403) deps.logger.warn({ event: 'directory.tab_view_refused' }, 'directory entry view refused');
      send(res, result, x.lang(req));
    }),
  );

  server.put(
    '/api/tab/directory/:authority',
    x.reader,
    x.signedInWithBody(async (req, res, identity, input) => {
      const code = String(req.params?.authority ?? '');
      const result = await deps.editor.save(identity.aadObjectId, code, req.header('if-match') || undefined, input);
      // Logged without content: the authority and the outcome only.
      if (result.status === 403) deps.logger.warn({ event: 'directory.tab_edit_refused' }, 'directory edit refused');
      else if (result.status === 409) deps.logger.info({ event: 'directory.tab_edit_conflict', authority: code }, 'directory edit met a newer change');
      else if (result.status === 200) deps.logger.info({ event: 'directory.tab_edit', authority: code }, 'directory entry saved in the tab');
      send(res, result, x.lang(req));
    }),
  );

  server.get(
    '/api/tab/people',
    x.signedIn(async (req, res, identity) => {
      // Only those who edit an entry pick people; everyone else learns nothing about the organisation here.
      if (!deps.editor.list(identity.aadObjectId).entries.length) {
        return x.json(res, 403, { code: 'Forbidden', message: x.lang(req) === 'de' ? 'Die Personensuche gibt es nur beim Bearbeiten eines Verzeichniseintrags.' : 'People search is only for editing a directory entry.' });
      }
      const query = String((req.query as Record<string, unknown> | undefined)?.q ?? new URL(req.url ?? '', 'http://x').searchParams.get('q') ?? '').trim();
      if (query.length < 2 || query.length > PEOPLE_QUERY_MAX) {
        return x.json(res, 400, { code: 'BadRequest', message: x.lang(req) === 'de' ? `Bitte 2 bis ${PEOPLE_QUERY_MAX} Zeichen eingeben.` : `Please enter 2 to ${PEOPLE_QUERY_MAX} characters.` });
      }
      const found: PeopleWire = deps.searchPeople ? await deps.searchPeople(query) : { people: [], available: false };
      x.json(res, 200, found);
    }),
  );
}

/**
 * The deputy picker's search through Microsoft Graph (`User.Read.All`, feature `people`): `available: false` when the
 * permission is missing or Graph does not answer, so the form falls back to name and e-mail. Logged without the query.
 */
export function peopleSearch(graph: Pick<GraphPort, 'searchUsers' | 'features'>, logger: Logger): (query: string) => Promise<PeopleWire> {
  return async (query) => {
    if (!(await graph.features().catch(() => new Set<string>())).has('people')) return { people: [], available: false };
    try {
      const found = await graph.searchUsers(query, 10);
      return { available: true, people: found.filter((u) => u.displayName && (u.mail || u.userPrincipalName)).map((u) => ({ aadObjectId: u.id, name: u.displayName!, email: (u.mail || u.userPrincipalName)! })) };
    } catch (err) {
      logger.warn({ event: 'directory.people_search_failed', code: (err as { code?: string })?.code ?? 'unknown' }, 'people search failed');
      return { people: [], available: false };
    }
  };
}
