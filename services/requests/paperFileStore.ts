/**
 * The paper of a Vortrag as a file, on its way from the IB to the head side (issue 17, "Schriftlich vorlegen").
 *
 * Teams gives the bot a file sent in the personal chat as a pre-authorised download address that is valid for a few
 * minutes only (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4, "Receive files in
 * personal chat"), and lets the bot send a file to a person only after that person accepted it on a file consent
 * card, days later perhaps ("Send files to personal chat"). Between the two the bot has to hold the bytes: here, in
 * the `files` container, one partition per file (a head document and chunks below Cosmos DB's 2 MB item limit).
 *
 * What is kept, and how long (data protection: "keep only what a workflow needs"): the bytes, name, type, size and a
 * SHA-256 of the file, the sender's object id, and for each person of the head side whether they took or declined
 * it. Deleted once everyone it was offered to took or declined it; a file never handed in one day after it arrived;
 * in any case PAPER_FILE_RETENTION_DAYS after it arrived (purge job; Cosmos `ttl` a day later as a backstop). The
 * download and upload addresses are never stored or logged: they are pre-authorised.
 */
import { createHash, randomUUID } from 'node:crypto';
import { updateWithRetry } from '../common/etagRetry';
import type { DocumentStore, StoredFields, Versioned } from '../storage/documentStore';

/** Raw bytes per chunk document: 1 MiB becomes about 1.4 MB of base64, below the 2 MB item limit. */
export const CHUNK_BYTES = 1024 * 1024;
/**
 * Bytes per PUT of an upload: OneDrive's upload sessions take fragments that are a multiple of 320 KiB (the last one
 * excepted), at most 60 MiB each (https://learn.microsoft.com/graph/api/driveitem-createuploadsession, "Upload bytes
 * to the upload session"). Ten times 320 KiB keeps each request short.
 */
export const UPLOAD_FRAGMENT_BYTES = 10 * 320 * 1024;
/** A file sent but never handed in (the IB did not confirm on the card) is deleted after this long. */
export const UNCLAIMED_FILE_MS = 24 * 60 * 60 * 1000;
/** The file types taken as a paper: documents, no programs, no archives (the head opens them without a second thought). */
export const PAPER_FILE_TYPES: readonly string[] = ['pdf', 'docx', 'doc', 'odt', 'rtf', 'txt', 'xlsx', 'xls', 'ods', 'pptx', 'ppt', 'odp'];

export type FileOutcome = 'delivered' | 'declined';

export interface PaperFileHead extends StoredFields {
  type: 'paperFile';
  /** Who sent it (the IB side): only they can hand it in. */
  owner: string;
  tenantId: string;
  name: string;
  fileType: string;
  size: number;
  sha256: string;
  chunks: number;
  /** The Vorträge that waited for this person's paper when the file arrived (the purge checks whether one took it). */
  candidates: Array<{ authority: string; id: string }>;
  createdAt: string;
  /** Per person of the head side: took it (uploaded to their OneDrive) or declined it. */
  outcomes: Record<string, { state: FileOutcome; at: string }>;
  /** Cosmos DB's own expiry, a day after the purge's: a backstop only. */
  ttl: number;
}

interface ChunkDoc extends StoredFields {
  type: 'paperFileChunk';
  data: string;
  ttl: number;
}

type FileDoc = PaperFileHead | ChunkDoc;
const HEAD_ID = 'file';
const chunkId = (i: number) => `chunk-${i}`;

/** A file id as it appears in card data and the item: a UUID, nothing a person typed. */
export function isPaperFileId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
}

export class PaperFileStore {
  constructor(
    private readonly store: DocumentStore<FileDoc>,
    private readonly options: { retentionDays: number },
  ) {}

  private ttlSeconds(): number {
    return (this.options.retentionDays + 1) * 24 * 60 * 60;
  }

  /** Keeps a file that arrived; its id goes on the card the IB confirms. */
  async keep(input: { owner: string; tenantId: string; name: string; fileType: string; bytes: Buffer; candidates: Array<{ authority: string; id: string }> }, now: Date): Promise<PaperFileHead> {
    const id = randomUUID();
    const ttl = this.ttlSeconds();
    const chunks = Math.max(1, Math.ceil(input.bytes.length / CHUNK_BYTES));
    // The chunks first: a head document always has all its chunks (a crash in between leaves chunks no head names,
    // which Cosmos DB's ttl removes).
    for (let i = 0; i < chunks; i++) {
      await this.store.create({ id: chunkId(i), pk: id, type: 'paperFileChunk', data: input.bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES).toString('base64'), ttl });
    }
    return this.store.create({
      id: HEAD_ID, pk: id, type: 'paperFile', owner: input.owner, tenantId: input.tenantId, name: input.name, fileType: input.fileType,
      size: input.bytes.length, sha256: sha256(input.bytes), chunks, candidates: input.candidates, createdAt: now.toISOString(), outcomes: {}, ttl,
    }) as Promise<Versioned<PaperFileHead>>;
  }

  async head(id: string): Promise<Versioned<PaperFileHead> | undefined> {
    if (!isPaperFileId(id)) return undefined;
    const doc = await this.store.read(id, HEAD_ID);
    return doc?.type === 'paperFile' ? (doc as Versioned<PaperFileHead>) : undefined;
  }

  /** The bytes, checked against the digest taken when the file arrived; undefined when a chunk is gone or altered. */
  async bytes(head: PaperFileHead): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    for (let i = 0; i < head.chunks; i++) {
      const chunk = await this.store.read(head.pk, chunkId(i));
      if (chunk?.type !== 'paperFileChunk') return undefined;
      parts.push(Buffer.from(chunk.data, 'base64'));
    }
    const bytes = Buffer.concat(parts);
    return bytes.length === head.size && sha256(bytes) === head.sha256 ? bytes : undefined;
  }

  /**
   * Notes that `aadObjectId` took or declined the file; when everyone in `offeredTo` has, the file is deleted.
   * Returns the head as stored (undefined when the file is gone).
   */
  async record(id: string, aadObjectId: string, state: FileOutcome, offeredTo: readonly string[], now: Date): Promise<PaperFileHead | undefined> {
    const head = (await updateWithRetry(this.store, id, HEAD_ID, (current) => {
      if (current?.type !== 'paperFile' || current.outcomes[aadObjectId]?.state === state) return undefined;
      return { ...current, outcomes: { ...current.outcomes, [aadObjectId]: { state, at: now.toISOString() } } };
    })) as Versioned<PaperFileHead> | undefined;
    if (head && offeredTo.length && offeredTo.every((p) => head.outcomes[p])) await this.remove(head);
    return head;
  }

  /** Deletes the file: the head first (so no one is offered a file whose chunks are going), then its chunks. */
  async remove(head: Pick<PaperFileHead, 'pk' | 'chunks'>): Promise<void> {
    await this.store.delete(head.pk, HEAD_ID);
    for (let i = 0; i < head.chunks; i++) await this.store.delete(head.pk, chunkId(i));
  }

  /**
   * The retention purge: every file past PAPER_FILE_RETENTION_DAYS, and a file older than a day that no Vortrag took
   * (`handedIn` looks at the file's candidates). Returns how many files were deleted.
   */
  async purge(now: Date, handedIn: (head: PaperFileHead) => Promise<boolean>): Promise<number> {
    const heads = await this.store.query<Versioned<PaperFileHead>>({ query: 'SELECT * FROM c WHERE c.type = "paperFile"' });
    let deleted = 0;
    for (const head of heads) {
      const age = now.getTime() - Date.parse(head.createdAt);
      const expired = age >= this.options.retentionDays * 24 * 60 * 60 * 1000;
      if (expired || (age >= UNCLAIMED_FILE_MS && !(await handedIn(head)))) {
        await this.remove(head);
        deleted++;
      }
    }
    return deleted;
  }

  /** "Meine Daten": the files this person sent that the Lotse still holds, with the day each goes at the latest. */
  async dataAbout(owner: string): Promise<Array<{ name: string; fileType: string; size: number; receivedAt: string; deleteAfter: string }>> {
    const heads = await this.store.query<Versioned<PaperFileHead>>({ query: 'SELECT * FROM c WHERE c.type = "paperFile" AND c.owner = @owner', parameters: [{ name: '@owner', value: owner }] });
    const days = this.options.retentionDays * 24 * 60 * 60 * 1000;
    return heads
      .map((h) => ({ name: h.name, fileType: h.fileType, size: h.size, receivedAt: h.createdAt, deleteAfter: new Date(Date.parse(h.createdAt) + days).toISOString() }))
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  /** "Meine Daten löschen": the files this person sent that no Vortrag took (a handed-in paper belongs to the Vortrag). */
  async eraseUnclaimed(owner: string, handedIn: (head: PaperFileHead) => Promise<boolean>): Promise<number> {
    const heads = await this.store.query<Versioned<PaperFileHead>>({ query: 'SELECT * FROM c WHERE c.type = "paperFile" AND c.owner = @owner', parameters: [{ name: '@owner', value: owner }] });
    let deleted = 0;
    for (const head of heads) {
      if (await handedIn(head)) continue;
      await this.remove(head);
      deleted++;
    }
    return deleted;
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The hosts Teams' file addresses may point to (TEAMS_FILE_HOSTS): `*.sharepoint.com` style suffixes or exact host
 * names. A pre-authorised address from an activity is fetched only there, over https (plain http only to a loopback
 * host, for the local emulator): the activity is authenticated, but the address is still data from outside.
 */
export function fileAddressAllowed(address: string, hosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return false;
  if (url.username || url.password) return false;
  return hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) && host.length > h.length - 1 : host === h));
}

export type DownloadResult = { ok: true; bytes: Buffer } | { ok: false; reason: 'not_allowed' | 'expired' | 'too_large' | 'failed' };

/**
 * Fetches a file Teams announced, at once (the address lasts minutes), stopping as soon as it is larger than
 * `maxBytes`. Redirects are followed only to allowed hosts, at most three.
 */
export async function downloadTeamsFile(address: string, options: { hosts: readonly string[]; maxBytes: number; timeoutMs?: number; fetch?: typeof fetch }): Promise<DownloadResult> {
  const doFetch = options.fetch ?? fetch;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  let url = address;
  for (let hop = 0; hop < 4; hop++) {
    if (!fileAddressAllowed(url, options.hosts)) return { ok: false, reason: 'not_allowed' };
    let res: Response;
    try {
      res = await doFetch(url, { redirect: 'manual', signal });
    } catch {
      return { ok: false, reason: 'failed' };
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      url = new URL(res.headers.get('location')!, url).toString();
      await res.body?.cancel().catch(() => undefined);
      continue;
    }
    if (res.status === 401 || res.status === 403 || res.status === 404 || res.status === 410) {
      await res.body?.cancel().catch(() => undefined);
      return { ok: false, reason: 'expired' };
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      return { ok: false, reason: 'failed' };
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      await res.body.cancel().catch(() => undefined);
      return { ok: false, reason: 'too_large' };
    }
    const parts: Buffer[] = [];
    let total = 0;
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > options.maxBytes) {
          await reader.cancel().catch(() => undefined);
          return { ok: false, reason: 'too_large' };
        }
        parts.push(Buffer.from(value));
      }
    } catch {
      return { ok: false, reason: 'failed' };
    }
    return { ok: true, bytes: Buffer.concat(parts) };
  }
  return { ok: false, reason: 'failed' };
}

/**
 * Uploads the bytes into the upload session Teams opened when the person accepted the file (`uploadInfo.uploadUrl`):
 * PUT fragments in order with `Content-Range`, no Authorization header (the address is pre-authorised; OneDrive asks
 * not to send one). True when the session reported the file complete (200/201).
 */
export async function uploadToSession(uploadUrl: string, bytes: Buffer, options: { hosts: readonly string[]; timeoutMs?: number; fetch?: typeof fetch }): Promise<boolean> {
  if (!fileAddressAllowed(uploadUrl, options.hosts) || bytes.length === 0) return false;
  const doFetch = options.fetch ?? fetch;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 60_000);
  for (let start = 0; start < bytes.length; start += UPLOAD_FRAGMENT_BYTES) {
    const end = Math.min(start + UPLOAD_FRAGMENT_BYTES, bytes.length);
    let res: Response;
    try {
      res = await doFetch(uploadUrl, {
        method: 'PUT',
        redirect: 'error',
        signal,
        // Content-Length follows from the body; Content-Range says where the fragment goes.
        headers: { 'Content-Range': `bytes ${start}-${end - 1}/${bytes.length}` },
        body: Uint8Array.from(bytes.subarray(start, end)),
      });
    } catch {
      return false;
    }
    await res.arrayBuffer().catch(() => undefined);
    const last = end === bytes.length;
    if (last) return res.status === 200 || res.status === 201;
    if (res.status !== 202) return false;
  }
  return false;
}
