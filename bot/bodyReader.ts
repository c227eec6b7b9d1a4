import type { Next, Request, Response } from 'restify';

/**
 * Reads a request body into `req.body` (a Buffer) with a hard size limit, in place of restify's bodyReader plugin
 * (which builds a deprecated `new Buffer(0)` on every request and inflates gzip bodies we never expect).
 *
 * - A `Content-Length` above the limit is refused with 413 before anything is read.
 * - A body that turns out larger while streaming is refused with 413 the moment it crosses the limit; the connection
 *   is closed afterwards, so the rest of it is never buffered.
 * - A compressed body (`Content-Encoding` other than identity) gets 415: Teams and the Bot Connector send plain JSON.
 */
export function bodyReader(maxBytes: number) {
  const refuse = (res: Response, status: 413 | 415, code: string, message: string) => {
    res.header('Connection', 'close');
    res.status(status);
    res.json({ code, message });
  };
  const tooLarge = (res: Response) => refuse(res, 413, 'PayloadTooLarge', `The request body exceeds ${maxBytes} bytes.`);

  return function readBody(req: Request, res: Response, next: Next): void {
    const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== '') {
      refuse(res, 415, 'UnsupportedMediaType', 'Compressed request bodies are not accepted.');
      req.resume();
      return next(false);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      tooLarge(res);
      req.resume();
      return next(false);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      req.removeListener('data', onData);
      if (ok) {
        (req as Request & { body?: unknown }).body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
        next();
      } else {
        next(false);
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        tooLarge(res);
        // Keep draining without buffering until the answer is out; `Connection: close` ends the socket then.
        req.on('data', () => undefined);
        finish(false);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish(true));
    req.once('error', () => finish(false));
    req.once('aborted', () => finish(false));
  };
}
