import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FileUploadInfo, SentFile } from './activities';
import type { UploadedFileRef } from './teamsRules';

/**
 * The users' OneDrive as Teams' bot file APIs use it, served by the channel emulator on its own loopback port (see
 * `channelEmulator.ts`: `shareFile`, `prepareUpload`, `expireFileLinks`). Two kinds of pre-authenticated address:
 *
 * - a **download link** for a file the user sent to the bot ("the file is first uploaded to the user's OneDrive …
 *   The user can issue an HTTP GET directly from this URL"):
 *   https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4 ("Receive files in personal chat").
 *   Such links are "only valid for a short period of time (a few minutes) and don't require an Authorization header to
 *   download": https://learn.microsoft.com/graph/api/driveitem-get-content (Response). The stand-in has no clock: a test
 *   ends their life with `expireFileLinks()`, after which they answer 401 (what SharePoint answers to an expired
 *   `tempauth`); an address it never handed out answers 404.
 * - an **upload session** for a file the user accepted on a consent card ("the OneDrive for Business placeholder URL
 *   that the bot can then issue a PUT to"), with OneDrive's rules for uploading bytes to it:
 *   https://learn.microsoft.com/onedrive/developer/rest-api/api/driveitem_createuploadsession ("Upload bytes to the
 *   upload session", "Remarks", "Completing a file", "Best practices"). Each rule is named where it is enforced.
 *
 * Paths look like SharePoint's (`/personal/<user>/…`), so they never collide with the Bot Connector's `/v3/…`.
 * Requests here are not connector calls: they are not in `emulator.calls`, not rate-limited, and take only the
 * injected faults that name `fileDownload` or `fileUpload` in their scope.
 */

/** 320 KiB: every fragment but the last must be a multiple of it. */
export const UPLOAD_FRAGMENT_UNIT = 320 * 1024;
/** "the maximum bytes in any given request is less than 60 MiB". */
export const UPLOAD_MAX_REQUEST_BYTES = 60 * 1024 * 1024;
/** The folder Teams puts chat files into in the user's OneDrive. */
export const CHAT_FILES_FOLDER = 'Microsoft Teams Chat Files';

/** A file a bot uploaded through the consent flow. */
export interface UploadedFile {
  name: string;
  bytes: Buffer;
  contentUrl: string;
  uniqueId: string;
}

/** One request to the file addresses, for assertions and failure messages. */
export interface FileRequest {
  kind: 'download' | 'upload' | 'other';
  method: string;
  path: string;
  status: number;
  /** Whether the request carried an `Authorization` header. */
  authorization: boolean;
  contentRange?: string;
  /** Bytes in the request body. */
  bodyBytes: number;
}

/** A made-up failure for a file request (from the emulator's `failNext`). */
export type FileFault = { status: number; retryAfterSeconds?: number; code?: string; message?: string } | { dropConnection: true; afterPerforming?: boolean };

interface SharedFile {
  owner: string;
  name: string;
  bytes: Buffer;
  expired: boolean;
}

interface UploadSession {
  owner: string;
  name: string;
  uniqueId: string;
  fileType: string;
  contentUrl: string;
  total?: number;
  next: number;
  parts: Buffer[];
}

interface Answer {
  status: number;
  body?: unknown;
  bytes?: Buffer;
  headers?: Record<string, string>;
}

/** `docx` from `Vorlage.docx`; undefined without an extension. */
export function fileTypeOf(name: string): string | undefined {
  const match = /\.([^./\\]+)$/.exec(name);
  return match ? match[1].toLowerCase() : undefined;
}

function oneDriveError(status: number, code: string, message: string): Answer {
  return { status, body: { error: { code, message } } };
}

/** See the module documentation; owned by one channel emulator. */
export class ChatFiles {
  private readonly shared = new Map<string, SharedFile>();
  private readonly sessions = new Map<string, UploadSession>();
  /** Finished uploads by uniqueId, in order of completion. */
  private readonly done = new Map<string, UploadedFileRef & { bytes: Buffer }>();
  private readonly requests: FileRequest[] = [];
  private downloadCount = 0;

  /**
   * @param origin the emulator's origin (`http://127.0.0.1:<port>`), once it listens
   * @param takeFault the next injected fault for a file operation, if any
   */
  constructor(
    private readonly origin: () => string,
    private readonly takeFault: (operation: 'fileDownload' | 'fileUpload') => FileFault | undefined,
  ) {}

  /** Whether a request path is one of the file addresses. */
  static handles(pathname: string): boolean {
    return pathname.startsWith('/personal/');
  }

  /** A file the user put into the chat with the bot: stored in their OneDrive, with a pre-authenticated download link. */
  share(owner: { aadObjectId: string; slug: string }, name: string, bytes: Buffer, fileType?: string): SentFile {
    const type = fileType ?? fileTypeOf(name);
    if (!type) throw new Error(`shareFile: "${name}" has no extension; pass the fileType`);
    const uniqueId = randomUUID();
    const token = randomBytes(24).toString('base64url');
    this.shared.set(token, { owner: owner.aadObjectId.toLowerCase(), name, bytes: Buffer.from(bytes), expired: false });
    const downloadUrl = `${this.origin()}/personal/${owner.slug}/_layouts/15/download.aspx?UniqueId=${uniqueId}&tempauth=${token}`;
    return { name, fileType: type, uniqueId, downloadUrl };
  }

  /** Every download link handed out so far answers 401 from now on. */
  expireLinks(): void {
    for (const file of this.shared.values()) file.expired = true;
  }

  /** GET requests to download links so far, whatever they were answered. */
  get downloads(): number {
    return this.downloadCount;
  }

  /**
   * Opens an upload session in the user's chat files folder and returns what Teams puts into `uploadInfo`. A name the
   * folder already holds (a finished upload or an open session) is renamed as OneDrive's conflict behaviour `rename`
   * does ("Vorlage.docx" → "Vorlage 1.docx"), unless `exactName`.
   */
  prepareUpload(owner: { aadObjectId: string; slug: string }, wanted: string, exactName = false): FileUploadInfo {
    const key = owner.aadObjectId.toLowerCase();
    const taken = new Set([...this.done.values(), ...this.sessions.values()].filter((f) => f.owner === key).map((f) => f.name.toLowerCase()));
    let name = wanted;
    const dot = wanted.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [wanted.slice(0, dot), wanted.slice(dot)] : [wanted, ''];
    for (let n = 1; !exactName && taken.has(name.toLowerCase()); n += 1) name = `${stem} ${n}${ext}`;
    const type = fileTypeOf(name) ?? '';
    const uniqueId = randomUUID();
    const token = randomBytes(24).toString('base64url');
    const contentUrl = `${this.origin()}/personal/${owner.slug}/Documents/${encodeURIComponent(CHAT_FILES_FOLDER)}/${encodeURIComponent(name)}`;
    this.sessions.set(token, { owner: key, name, uniqueId, fileType: type, contentUrl, next: 0, parts: [] });
    const uploadUrl = `${this.origin()}/personal/${owner.slug}/_api/v2.0/drive/root/uploadSession?guid=${randomUUID()}&overwrite=False&rename=True&tempauth=${token}`;
    return { name, uploadUrl, contentUrl, uniqueId, fileType: type };
  }

  /** Whether `uploadUrl` is an upload session still open (not finished, not cancelled) in that user's OneDrive. */
  isOpenSession(uploadUrl: string, owner: string): boolean {
    const token = tokenOf(uploadUrl);
    const session = token ? this.sessions.get(token) : undefined;
    return !!session && session.owner === owner.toLowerCase();
  }

  /** Files the bot finished uploading to this user's OneDrive, oldest first. */
  uploaded(owner: string): UploadedFile[] {
    const key = owner.toLowerCase();
    return [...this.done.values()].filter((f) => f.owner === key).map((f) => ({ name: f.name, bytes: f.bytes, contentUrl: f.contentUrl, uniqueId: f.uniqueId }));
  }

  /** The finished upload at this address, if any. */
  findUpload(contentUrl: string): UploadedFileRef | undefined {
    const file = [...this.done.values()].reverse().find((f) => f.contentUrl === contentUrl);
    return file && { owner: file.owner, name: file.name, contentUrl: file.contentUrl, uniqueId: file.uniqueId, fileType: file.fileType };
  }

  /** Requests to the file addresses so far, oldest first. */
  get calls(): readonly FileRequest[] {
    return this.requests;
  }

  /** Answers one request to a file address. */
  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readRaw(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const kind = url.pathname.endsWith('/_layouts/15/download.aspx') ? 'download' : url.pathname.endsWith('/uploadSession') ? 'upload' : 'other';
    const record: FileRequest = {
      kind,
      method,
      path: url.pathname,
      status: 0,
      authorization: req.headers.authorization !== undefined,
      bodyBytes: body.length,
      ...(typeof req.headers['content-range'] === 'string' ? { contentRange: req.headers['content-range'] } : {}),
    };
    this.requests.push(record);
    if (kind === 'download' && method === 'GET') this.downloadCount += 1;

    let answer: Answer;
    let drop = false;
    const fault = kind === 'download' && method === 'GET' ? this.takeFault('fileDownload') : kind === 'upload' && method === 'PUT' ? this.takeFault('fileUpload') : undefined;
    if (fault && 'dropConnection' in fault) {
      // A connection cut mid-request: OneDrive ignores "all bytes in that request" (Resuming an in-progress upload).
      if (fault.afterPerforming) this.answer(kind, method, url, req, body);
      drop = true;
      answer = { status: 0 };
    } else if (fault) {
      answer = oneDriveError(fault.status, fault.code ?? (fault.status === 429 ? 'activityLimitReached' : 'serviceNotAvailable'), fault.message ?? `Emulated ${fault.status}`);
      if (fault.retryAfterSeconds !== undefined) answer.headers = { 'retry-after': String(fault.retryAfterSeconds) };
    } else {
      answer = this.answer(kind, method, url, req, body);
    }
    record.status = answer.status;
    if (drop) {
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { ...answer.headers };
    if (answer.bytes) {
      headers['content-type'] = 'application/octet-stream';
      headers['content-length'] = String(answer.bytes.length);
      res.writeHead(answer.status, headers);
      res.end(answer.bytes);
    } else if (answer.body !== undefined) {
      const payload = JSON.stringify(answer.body);
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = String(Buffer.byteLength(payload));
      res.writeHead(answer.status, headers);
      res.end(payload);
    } else {
      res.writeHead(answer.status, headers);
      res.end();
    }
  }

  private answer(kind: FileRequest['kind'], method: string, url: URL, req: IncomingMessage, body: Buffer): Answer {
    if (kind === 'download') return method === 'GET' ? this.download(url) : oneDriveError(405, 'invalidRequest', 'Method not allowed.');
    if (kind === 'upload') return this.upload(method, url, req, body);
    // The file's own address (contentUrl) needs the user's sign-in; the bot has none.
    if ([...this.done.values()].some((f) => new URL(f.contentUrl).pathname === url.pathname)) return oneDriveError(401, 'unauthenticated', 'Sign-in required.');
    return oneDriveError(404, 'itemNotFound', 'The resource could not be found.');
  }

  private download(url: URL): Answer {
    const token = url.searchParams.get('tempauth') ?? '';
    const file = this.shared.get(token);
    if (!file) return oneDriveError(404, 'itemNotFound', 'The resource could not be found.');
    if (file.expired) return oneDriveError(401, 'unauthenticated', 'The download link has expired.');
    return { status: 200, bytes: file.bytes };
  }

  /**
   * Uploading bytes to an upload session, as
   * https://learn.microsoft.com/onedrive/developer/rest-api/api/driveitem_createuploadsession describes it. Where the
   * page says only "will fail" or "will result in an error", the stand-in picks the status and says so.
   */
  private upload(method: string, url: URL, req: IncomingMessage, body: Buffer): Answer {
    const token = url.searchParams.get('tempauth') ?? '';
    const session = this.sessions.get(token);
    // "Handle 404 Not Found errors … This indicates the upload session no longer exists" (Best practices): an unknown
    // session, a finished one (the upload completed with the last byte range) or a cancelled one.
    if (!session) return oneDriveError(404, 'itemNotFound', 'The upload session was not found.');
    const progress = (): Answer['body'] => ({ expirationDateTime: new Date(Date.now() + 24 * 3600_000).toISOString(), nextExpectedRanges: [`${session.next}-`] });
    // "Query the status of the upload by sending a GET request to the uploadUrl" (Resuming an in-progress upload).
    if (method === 'GET') return { status: 200, body: progress() };
    // "To cancel an upload session send a DELETE request to the upload URL" → 204.
    if (method === 'DELETE') {
      this.sessions.delete(token);
      return { status: 204 };
    }
    if (method !== 'PUT') return oneDriveError(405, 'invalidRequest', 'Method not allowed.');
    // "Including the Authorization header when issuing the PUT call may result in a HTTP 401 Unauthorized response …
    // It should not be included when issuing the PUT" (Remarks): the stand-in always answers 401.
    if (req.headers.authorization !== undefined) return oneDriveError(401, 'unauthenticated', 'Do not send an Authorization header to an upload URL.');
    // "The Content-Length header specifies the size of the current request": without it, HTTP's 411.
    const lengthHeader = req.headers['content-length'];
    if (lengthHeader === undefined) return oneDriveError(411, 'invalidRequest', 'Content-Length is required.');
    // "The Content-Range header indicates the range of bytes in the overall file that this request represents" and
    // "The total length of the file is known before you can upload the first fragment": `bytes a-b/total`, a ≤ b < total.
    // A header that cannot be such a range: 400 (the page names no status; OneDrive's `invalidRequest`).
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
    if (!range) return oneDriveError(400, 'invalidRequest', `Content-Range must be "bytes first-last/total", got ${JSON.stringify(req.headers['content-range'] ?? null)}.`);
    const [first, last, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (last < first || last >= total) return oneDriveError(400, 'invalidRequest', `Content-Range bytes ${first}-${last}/${total} is not a range of the file.`);
    const declared = last - first + 1;
    // The range's size is the request's size ("Content-Length: 26, Content-Range: bytes 0-25/128"): else 400.
    if (Number(lengthHeader) !== body.length || declared !== body.length) {
      return oneDriveError(400, 'invalidRequest', `Content-Range declares ${declared} bytes, Content-Length ${String(lengthHeader)}, the request carries ${body.length}.`);
    }
    // "the maximum bytes in any given request is less than 60 MiB": a larger request, HTTP's 413 (the page names no status).
    if (body.length >= UPLOAD_MAX_REQUEST_BYTES) return oneDriveError(413, 'invalidRequest', `A request to an upload session must carry less than 60 MiB, this one ${body.length} bytes.`);
    // "Your app must ensure the total file size specified in the Content-Range header is the same for all requests. If a
    // byte range declares a different file size, the request will fail": 400 (the page names no status).
    if (session.total !== undefined && total !== session.total) return oneDriveError(400, 'invalidRequest', `The file's total size was ${session.total}, this range declares ${total}.`);
    // "The fragments of the file must be uploaded sequentially in order. Uploading fragments out of order will result in
    // an error", and "when the client sent a fragment the server had already received, the server will respond with
    // HTTP 416 Requested Range Not Satisfiable" (Remarks): the stand-in answers 416 to both, with nextExpectedRanges.
    if (first !== session.next) {
      return { status: 416, body: { error: { code: 'invalidRange', message: `Expected the fragment starting at byte ${session.next}, got ${first}.` }, ...(progress() as object) } };
    }
    // "If your app splits a file into multiple byte ranges, the size of each byte range MUST be a multiple of 320 KiB
    // (327,680 bytes)": OneDrive may only fail when committing; the stand-in refuses the fragment at once with 400, so
    // the test fails where the mistake is. The last fragment may be shorter.
    const isLast = last + 1 === total;
    if (!isLast && body.length % UPLOAD_FRAGMENT_UNIT !== 0) {
      return oneDriveError(400, 'invalidRequest', `A fragment that is not the last must be a multiple of 320 KiB (327,680 bytes), this one is ${body.length} bytes.`);
    }
    session.total = total;
    session.parts.push(body);
    session.next = last + 1;
    // "When the request is complete, the server will respond with 202 Accepted if there are more byte ranges".
    if (!isLast) return { status: 202, body: progress() };
    // "the upload is automatically completed when the final byte range of the file is PUT … the server will respond to
    // the final request with an HTTP 201 Created or HTTP 200 OK. The response body will also include the default
    // property set for the driveItem" (Completing a file). The drive item id is the uniqueId (bots-filesv4: "uniqueId:
    // OneDrive or SharePoint drive item ID").
    this.sessions.delete(token);
    const bytes = Buffer.concat(session.parts);
    this.done.set(session.uniqueId, { owner: session.owner, name: session.name, contentUrl: session.contentUrl, uniqueId: session.uniqueId, fileType: session.fileType, bytes });
    return { status: 201, body: { id: session.uniqueId, name: session.name, size: bytes.length, webUrl: session.contentUrl, file: {} } };
  }
}

function tokenOf(address: string): string | undefined {
  try {
    return new URL(address).searchParams.get('tempauth') ?? undefined;
  } catch {
    return undefined;
  }
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
