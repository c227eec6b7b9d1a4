import { GraphError, type GraphErrorKind } from '../../services/graph/graphPort';

/**
 * Everything that fails in a Graph call becomes a {@link GraphError}: the code is Graph's error code (`error.code` of the
 * body, https://learn.microsoft.com/graph/errors), Entra's OAuth error (`invalid_client`, …) or a network error code;
 * never message text. The kind follows the HTTP status.
 */

/** `Retry-After` in milliseconds: seconds or an HTTP date (https://learn.microsoft.com/graph/throttling). */
export function retryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function kindOfStatus(status: number, hasRetryAfter: boolean): GraphErrorKind {
  if (status === 429) return 'throttled';
  if (status === 503 && hasRetryAfter) return 'throttled';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 404) return 'notFound';
  if (status === 409) return 'conflict';
  if (status >= 500 || status <= 0 || status === 408) return 'transient';
  return 'permanent';
}

/** A Graph answer (status, error body, headers) as a GraphError. */
export function fromResponse(status: number, body: unknown, headers: { get(name: string): string | null } | Record<string, string> | undefined): GraphError {
  const header = (name: string): string | undefined => {
    if (!headers) return undefined;
    if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
    const entry = Object.entries(headers as Record<string, string>).find(([k]) => k.toLowerCase() === name.toLowerCase());
    return entry?.[1];
  };
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  const after = retryAfterMs(header('retry-after'));
  return new GraphError(typeof code === 'string' && code ? code : `http_${status}`, kindOfStatus(status, after !== undefined), status, after);
}

/** Any thrown value from the Graph client, `@azure/identity` or the network, as a GraphError. */
export function toGraphError(err: unknown): GraphError {
  if (err instanceof GraphError) return err;
  const e = err as {
    statusCode?: number;
    code?: string | null;
    headers?: { get(name: string): string | null };
    name?: string;
    errorResponse?: { error?: string };
  };
  // The Graph client's GraphError: statusCode (-1 when no answer), code from the error body, the answer's headers.
  if (typeof e?.statusCode === 'number' && e.errorResponse === undefined) {
    const status = e.statusCode;
    if (status <= 0) return new GraphError(networkCode(err), 'transient');
    const after = retryAfterMs(e.headers?.get?.('retry-after'));
    const code = typeof e.code === 'string' && e.code && e.code !== 'Error' ? e.code : `http_${status}`;
    return new GraphError(code, kindOfStatus(status, after !== undefined), status, after);
  }
  // @azure/identity: AuthenticationError (Entra answered with an OAuth error) or CredentialUnavailableError.
  if (e?.name === 'AuthenticationError') {
    const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
    const code = e.errorResponse?.error || 'token_unavailable';
    return new GraphError(code, status >= 500 || status === 0 ? 'transient' : 'permanent', status || undefined);
  }
  if (e?.name === 'CredentialUnavailableError') return new GraphError('credential_unavailable', 'permanent');
  // MSAL's server errors reach us wrapped (AuthenticationRequiredError) with only a message; the OAuth error code
  // (RFC 6749 §5.2, as Entra answers it) is the one thing taken from it, matched against the closed list of codes.
  if (e?.name === 'AuthenticationRequiredError') {
    const oauth = OAUTH_ERRORS.exec(String((err as Error).message ?? ''))?.[1];
    if (!oauth) return new GraphError('token_unavailable', 'transient');
    return new GraphError(oauth, oauth === 'temporarily_unavailable' || oauth === 'server_error' ? 'transient' : 'permanent');
  }
  return new GraphError(networkCode(err), 'transient');
}

const OAUTH_ERRORS = /\b(invalid_request|invalid_client|invalid_grant|unauthorized_client|unsupported_grant_type|invalid_scope|temporarily_unavailable|server_error)\b/;

function networkCode(err: unknown): string {
  const code = (err as { code?: unknown; cause?: { code?: unknown } })?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'network_error';
}
