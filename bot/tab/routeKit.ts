import type { Request, Response, Server } from 'restify';
import type { Lang } from '../texts';
import type { SsoIdentity } from './ssoToken';

/**
 * What tabRoutes.ts lends the feature routes (knowledge, cadence, posts, directory, the Anliegen form): the token check,
 * the JSON body, the error catch, the JSON answer, the body reader and the viewer's language — and the two shapes
 * every route starts with, so a feature's route is its own work only.
 */
export interface TabRouteKit {
  /** Checks the SSO token; answers 401/503 itself and returns undefined when the request must stop. */
  authenticate(req: Request, res: Response): Promise<SsoIdentity | undefined>;
  /** The JSON object body; answers 415/400 itself and returns undefined when the request must stop. */
  body(req: Request, res: Response): Record<string, unknown> | undefined;
  /** restify's async handler with the error catch (500 without details). */
  handle(run: (req: Request, res: Response) => Promise<void>): (req: Request, res: Response) => Promise<void>;
  json(res: Response, status: number, body: unknown): void;
  reader: Parameters<Server['post']>[1];
  lang(req: Request): Lang;
  /** A handler that runs only for a valid token. */
  signedIn(run: (req: Request, res: Response, identity: SsoIdentity) => Promise<void>): (req: Request, res: Response) => Promise<void>;
  /** A handler that runs only for a valid token and a JSON object body. */
  signedInWithBody(
    run: (req: Request, res: Response, identity: SsoIdentity, input: Record<string, unknown>) => Promise<void>,
  ): (req: Request, res: Response) => Promise<void>;
}

/** Builds the kit from the three checks tabRoutes.ts owns. */
export function tabRouteKit(parts: Omit<TabRouteKit, 'signedIn' | 'signedInWithBody'>): TabRouteKit {
  const { authenticate, body, handle } = parts;
  return {
    ...parts,
    signedIn: (run) =>
      handle(async (req, res) => {
        const identity = await authenticate(req, res);
        if (identity) await run(req, res, identity);
      }),
    signedInWithBody: (run) =>
      handle(async (req, res) => {
        const identity = await authenticate(req, res);
        if (!identity) return;
        const input = body(req, res);
        if (input) await run(req, res, identity, input);
      }),
  };
}
