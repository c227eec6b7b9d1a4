import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/** One file of the built tab, held in memory and served only by its exact URL path. */
export interface StaticFile {
  contentType: string;
  body: Buffer;
  etag: string;
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
 * Requests are answered only by exact lookup in this map, so no request path ever reaches the file system.
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
      files.set(urlPath, { contentType, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
    }
  };
  walk(dir);
  const index = files.get(`${prefix}/index.html`);
  if (index) files.set(`${prefix}/`, index);
  return files;
}
