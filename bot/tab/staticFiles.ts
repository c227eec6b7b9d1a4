import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/** A content coding the tab's files are also held in (RFC 9110 §8.4.1). */
export type ContentCoding = 'br' | 'gzip';

/** One file of the built tab, held in memory and served only by its exact URL path. */
export interface StaticFile {
  contentType: string;
  body: Buffer;
  etag: string;
  /**
   * The body compressed once when the files are loaded, for text types above {@link MIN_COMPRESS_BYTES} and only
   * where compression makes it smaller; empty for images. Served when the request's Accept-Encoding allows.
   */
  encoded: Partial<Record<ContentCoding, Buffer>>;
}

/** What to send for one request: the body in the chosen coding, its own ETag, and the headers that say so. */
export interface Representation {
  body: Buffer;
  etag: string;
  /** Content-Type, ETag, Vary and, when compressed, Content-Encoding. */
  headers: Record<string, string>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Below this size the compressed form is not worth a second representation. */
export const MIN_COMPRESS_BYTES = 1024;
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg\+xml)/;

/**
 * Brotli at quality 6 and gzip at level 6: about 40 ms at start for the 270 KB script bundle on this hardware, and
 * within 10 % of the smallest output (brotli's quality 11 takes a second per start for 8 % less).
 */
function precompress(contentType: string, body: Buffer): StaticFile['encoded'] {
  if (!COMPRESSIBLE.test(contentType) || body.length < MIN_COMPRESS_BYTES) return {};
  const encoded: StaticFile['encoded'] = {};
  const br = brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } });
  if (br.length < body.length) encoded.br = br;
  const gzip = gzipSync(body, { level: 6 });
  if (gzip.length < body.length) encoded.gzip = gzip;
  return encoded;
}

/** The codings `accept-encoding` allows, best first (by q-value; brotli before gzip on a tie). */
export function acceptedCodings(acceptEncoding: string | undefined): ContentCoding[] {
  const q = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const weight = (coding: ContentCoding) => q.get(coding) ?? q.get('*') ?? 0;
  return (['br', 'gzip'] as const).filter((c) => weight(c) > 0).sort((a, b) => weight(b) - weight(a));
}

/**
 * The representation of `file` for a request with this Accept-Encoding. Every representation has its own ETag (a
 * strong validator names exact bytes), and a file that exists in more than one carries `Vary: Accept-Encoding`, so
 * a shared cache never hands a brotli body to a client that cannot read it.
 */
export function representation(file: StaticFile, acceptEncoding: string | undefined): Representation {
  const coding = acceptedCodings(acceptEncoding).find((c) => file.encoded[c]);
  const body = coding ? file.encoded[coding]! : file.body;
  const etag = coding ? `${file.etag.slice(0, -1)}-${coding}"` : file.etag;
  const headers: Record<string, string> = { 'Content-Type': file.contentType, ETag: etag };
  if (Object.keys(file.encoded).length) headers.Vary = 'Accept-Encoding';
  if (coding) headers['Content-Encoding'] = coding;
  return { body, etag, headers };
}

/** Where Teams (web, desktop, mobile) and the Microsoft 365 hosts frame personal tabs. */
export const FRAME_ANCESTORS = [
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://teams.cloud.microsoft',
  'https://*.cloud.microsoft',
  'https://*.office.com',
  'https://*.office365.com',
  'https://*.microsoft365.com',
  'https://*.skype.com',
  'https://teams.microsoft.us',
  'https://*.teams.microsoft.us',
];

/**
 * The tab's Content-Security-Policy: only its own scripts and styles, API calls to its own origin (plus the CDN that
 * teams-js asks for the list of valid host origins), framing only by the Microsoft 365 hosts.
 */
export const TAB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' https://res.cdn.office.net",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
  `frame-ancestors ${FRAME_ANCESTORS.join(' ')}`,
].join('; ');

/**
 * Reads every file under `dir` into an allow-list keyed by URL path (`/tab/app.js`); `/tab/` maps to index.html.
 * Requests are answered only by exact lookup in this map, so no request path ever reaches the file system. Text files
 * are compressed here, once (see {@link representation}).
 */
export function loadStaticFiles(dir: string, prefix = '/tab'): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dir)) return files;
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const full = join(current, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      const contentType = TYPES[extname(name).toLowerCase()];
      if (!contentType || name.endsWith('.map')) continue;
      const body = readFileSync(full);
      const urlPath = `${prefix}/${relative(dir, full).split(sep).join('/')}`;
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      files.set(urlPath, { contentType, body, etag, encoded: precompress(contentType, body) });
    }
  };
  walk(dir);
  const index = files.get(`${prefix}/index.html`);
  if (index) files.set(`${prefix}/`, index);
  return files;
}
