import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHUNK_BYTES, downloadTeamsFile, fileAddressAllowed, PaperFileStore, UNCLAIMED_FILE_MS, UPLOAD_FRAGMENT_BYTES, uploadToSession } from '../../../services/requests/paperFileStore';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const HOSTS = ['*.sharepoint.com', '127.0.0.1'];
const NOW = new Date('2026-12-01T09:00:00Z');

/** A loopback server whose answer each test chooses. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(parts)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
/** Closes the server now: keep-alive connections of fetch would otherwise hold `close` for seconds. */
/** Answers with status, headers and body (writeHead's return value is not relied on: a test setup may wrap it). */
function reply(res: ServerResponse, status: number, headers: Record<string, string> = {}, body?: Buffer | string): void {
  res.writeHead(status, headers);
  res.end(body);
}
const close = (server: Server) =>
  new Promise((r) => {
    server.close(r);
    server.closeAllConnections();
  });

describe('where Teams file addresses may point (TEAMS_FILE_HOSTS)', () => {
  it('takes https on a listed host or suffix, plain http only on loopback, nothing with credentials', () => {
    expect(fileAddressAllowed('https://contoso-my.sharepoint.com/personal/x/download.aspx?tempauth=1', HOSTS)).toBe(true);
    expect(fileAddressAllowed('https://sharepoint.com.evil.example/x', HOSTS)).toBe(false);
    expect(fileAddressAllowed('https://evilsharepoint.com/x', HOSTS)).toBe(false);
    expect(fileAddressAllowed('http://contoso-my.sharepoint.com/x', HOSTS)).toBe(false);
    expect(fileAddressAllowed('http://127.0.0.1:3978/files/1', HOSTS)).toBe(true);
    expect(fileAddressAllowed('https://user:pw@contoso-my.sharepoint.com/x', HOSTS)).toBe(false);
    expect(fileAddressAllowed('file:///etc/passwd', HOSTS)).toBe(false);
    expect(fileAddressAllowed('not a url', HOSTS)).toBe(false);
  });
});

describe('fetching the file Teams announced', () => {
  it('returns the bytes; an expired or unknown link, a larger file, a redirect elsewhere are told apart', async () => {
    const big = Buffer.alloc(3000, 1);
    const { url, server } = await serve((req, res) => {
      if (req.url === '/ok') return reply(res, 200, { 'Content-Type': 'application/octet-stream' }, Buffer.from('Vorlage'));
      if (req.url === '/expired') return reply(res, 401, {});
      if (req.url === '/declared-big') return reply(res, 200, { 'Content-Length': String(big.length) }, big);
      if (req.url === '/streamed-big') {
        res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
        res.write(big.subarray(0, 1500));
        return res.end(big.subarray(1500));
      }
      if (req.url === '/away') return reply(res, 302, { Location: 'https://elsewhere.example/file' });
      if (req.url === '/hop') return reply(res, 302, { Location: '/ok' });
      reply(res, 500, {});
    });
    try {
      const get = (path: string) => downloadTeamsFile(`${url}${path}`, { hosts: HOSTS, maxBytes: 2000 });
      expect(await get('/ok')).toEqual({ ok: true, bytes: Buffer.from('Vorlage') });
      expect(await get('/hop')).toEqual({ ok: true, bytes: Buffer.from('Vorlage') });
      expect(await get('/expired')).toEqual({ ok: false, reason: 'expired' });
      expect(await get('/declared-big')).toEqual({ ok: false, reason: 'too_large' });
      expect(await get('/streamed-big')).toEqual({ ok: false, reason: 'too_large' });
      expect(await get('/away')).toEqual({ ok: false, reason: 'not_allowed' });
      expect(await get('/broken')).toEqual({ ok: false, reason: 'failed' });
      expect(await downloadTeamsFile('https://evil.example/x', { hosts: HOSTS, maxBytes: 2000 })).toEqual({ ok: false, reason: 'not_allowed' });
    } finally {
      await close(server);
    }
  });
});

describe('uploading into the session Teams opened', () => {
  it('sends fragments of 10 × 320 KiB in order with Content-Range and no Authorization header', async () => {
    const seen: Array<{ range: string | undefined; length: number; auth: string | undefined }> = [];
    const bytes = Buffer.alloc(UPLOAD_FRAGMENT_BYTES * 2 + 1234, 7);
    let received = 0;
    const { url, server } = await serve((req, res, body) => {
      seen.push({ range: req.headers['content-range'], length: body.length, auth: req.headers.authorization });
      received += body.length;
      if (received < bytes.length) return reply(res, 202, { 'Content-Type': 'application/json' }, JSON.stringify({ nextExpectedRanges: [`${received}-`] }));
      reply(res, 201, { 'Content-Type': 'application/json' }, JSON.stringify({ id: 'item', size: received }));
    });
    try {
      expect(await uploadToSession(`${url}/upload/1`, bytes, { hosts: HOSTS })).toBe(true);
      expect(seen).toEqual([
        { range: `bytes 0-${UPLOAD_FRAGMENT_BYTES - 1}/${bytes.length}`, length: UPLOAD_FRAGMENT_BYTES, auth: undefined },
        { range: `bytes ${UPLOAD_FRAGMENT_BYTES}-${2 * UPLOAD_FRAGMENT_BYTES - 1}/${bytes.length}`, length: UPLOAD_FRAGMENT_BYTES, auth: undefined },
        { range: `bytes ${2 * UPLOAD_FRAGMENT_BYTES}-${bytes.length - 1}/${bytes.length}`, length: 1234, auth: undefined },
      ]);
      expect(UPLOAD_FRAGMENT_BYTES % (320 * 1024)).toBe(0);
    } finally {
      await close(server);
    }
  });

  it('reports failure when the session refuses a fragment, and never uploads to a host not listed', async () => {
    const { url, server } = await serve((_req, res) => reply(res, 416, {}));
    try {
      expect(await uploadToSession(`${url}/upload/1`, Buffer.from('x'), { hosts: HOSTS })).toBe(false);
      expect(await uploadToSession('https://evil.example/upload', Buffer.from('x'), { hosts: HOSTS })).toBe(false);
    } finally {
      await close(server);
    }
  });
});

describe('holding the file until the head side took it', () => {
  const input = (bytes: Buffer, owner = 'ib-1') => ({ owner, tenantId: 't', name: 'Vorlage.pdf', fileType: 'pdf', bytes, candidates: [{ authority: 'koeln', id: 'vtr-1' }] });

  it('keeps a large file in chunks below the item limit and gives the same bytes back', async () => {
    const store = new MemoryDocumentStore<any>('files');
    const files = new PaperFileStore(store, { retentionDays: 14 });
    const bytes = Buffer.alloc(CHUNK_BYTES * 2 + 10);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 251;
    const head = await files.keep(input(bytes), NOW);
    expect(head.chunks).toBe(3);
    const docs = await store.query<any>({ query: 'SELECT * FROM c' });
    expect(docs).toHaveLength(4);
    for (const d of docs) expect(JSON.stringify(d).length).toBeLessThan(2 * 1024 * 1024);
    expect((await files.bytes((await files.head(head.pk))!))!.equals(bytes)).toBe(true);
  });

  it('refuses altered bytes (the digest taken on arrival)', async () => {
    const store = new MemoryDocumentStore<any>('files');
    const files = new PaperFileStore(store, { retentionDays: 14 });
    const head = await files.keep(input(Buffer.from('Vorlage')), NOW);
    const chunk = (await store.read(head.pk, 'chunk-0'))!;
    await store.replace({ ...chunk, data: Buffer.from('Vorlagf').toString('base64') }, chunk.etag);
    expect(await files.bytes(head)).toBeUndefined();
  });

  it('deletes the file once everyone offered it took or declined it, not before', async () => {
    const store = new MemoryDocumentStore<any>('files');
    const files = new PaperFileStore(store, { retentionDays: 14 });
    const head = await files.keep(input(Buffer.from('Vorlage')), NOW);
    await files.record(head.pk, 'head-1', 'delivered', ['head-1', 'office-1'], NOW);
    expect((await files.head(head.pk))?.outcomes['head-1']?.state).toBe('delivered');
    await files.record(head.pk, 'office-1', 'declined', ['head-1', 'office-1'], NOW);
    expect(await files.head(head.pk)).toBeUndefined();
    expect(await store.query({ query: 'SELECT * FROM c' })).toEqual([]);
  });

  it('purges a file nobody handed in after a day, any file after the retention days', async () => {
    const store = new MemoryDocumentStore<any>('files');
    const files = new PaperFileStore(store, { retentionDays: 14 });
    const unclaimed = await files.keep(input(Buffer.from('a')), NOW);
    const handedIn = await files.keep(input(Buffer.from('b')), NOW);
    const isHandedIn = async (h: { pk: string }) => h.pk === handedIn.pk;
    expect(await files.purge(new Date(NOW.getTime() + UNCLAIMED_FILE_MS - 1), isHandedIn)).toBe(0);
    expect(await files.purge(new Date(NOW.getTime() + UNCLAIMED_FILE_MS), isHandedIn)).toBe(1);
    expect(await files.head(unclaimed.pk)).toBeUndefined();
    expect(await files.head(handedIn.pk)).toBeDefined();
    expect(await files.purge(new Date(NOW.getTime() + 14 * 86_400_000), isHandedIn)).toBe(1);
    expect(await store.query({ query: 'SELECT * FROM c' })).toEqual([]);
  });

  it('„Meine Daten löschen“ removes the files the person sent that no Vortrag took, only theirs', async () => {
    const store = new MemoryDocumentStore<any>('files');
    const files = new PaperFileStore(store, { retentionDays: 14 });
    const mine = await files.keep(input(Buffer.from('a')), NOW);
    const taken = await files.keep(input(Buffer.from('b')), NOW);
    const other = await files.keep(input(Buffer.from('c'), 'ib-2'), NOW);
    expect(await files.eraseUnclaimed('ib-1', async (h) => h.pk === taken.pk)).toBe(1);
    expect(await files.head(mine.pk)).toBeUndefined();
    expect(await files.head(taken.pk)).toBeDefined();
    expect(await files.head(other.pk)).toBeDefined();
  });
});
