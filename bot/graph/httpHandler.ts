import https from 'node:https';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { countThrottled } from '../../services/telemetry/telemetry';

/**
 * The last middleware of the Graph client's chain: sends the request with Node's `https` and this port's agent.
 *
 * Why not the client's own `HTTPMessageHandler`: it calls the global `fetch`, which in Node 20 is undici and cannot
 * take an `https.Agent`. In test mode the agent pins the Graph stand-in's certificate (see `pinnedTls.ts`); TLS checks
 * must not be switched off globally, so the pin has to travel with this client's requests. The same handler runs in
 * production with an ordinary keep-alive agent (full certificate validation), so the path the tests exercise is the
 * path production takes. Everything above it (authentication, retry on 429/503/504, telemetry) is Microsoft's.
 */
export class NodeHttpsHandler implements Middleware {
  constructor(
    private readonly agent: https.Agent,
    private readonly timeoutMs = 30_000,
  ) {}

  async execute(context: Context): Promise<void> {
    const request = context.request;
    const options = context.options ?? {};
    const url = typeof request === 'string' ? request : request.url;
    const method = (options.method ?? (typeof request === 'string' ? 'GET' : request.method) ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    if (typeof request !== 'string') request.headers.forEach((v, k) => (headers[k] = v));
    copyHeaders(options.headers, headers);
    let body = await bodyBytes(options.body);
    if (body === undefined && typeof request !== 'string' && !['GET', 'HEAD'].includes(method)) {
      const b = Buffer.from(await request.arrayBuffer());
      body = b.length ? b : undefined;
    }
    if (body !== undefined) headers['content-length'] = String(body.length);
    context.response = await send(url, method, headers, body, this.agent, this.timeoutMs);
    // Every 429 Graph answers, also those the client's retry handler then waits out.
    if (context.response.status === 429) countThrottled('graph');
  }
}

function copyHeaders(source: unknown, into: Record<string, string>): void {
  if (!source) return;
  if (typeof (source as Headers).forEach === 'function' && typeof (source as Headers).get === 'function') {
    (source as Headers).forEach((v, k) => (into[k.toLowerCase()] = v));
    return;
  }
  if (Array.isArray(source)) {
    for (const [k, v] of source as Array<[string, string]>) into[k.toLowerCase()] = v;
    return;
  }
  for (const [k, v] of Object.entries(source as Record<string, unknown>)) if (v !== undefined && v !== null) into[k.toLowerCase()] = String(v);
}

async function bodyBytes(body: unknown): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof (body as Blob).arrayBuffer === 'function') return Buffer.from(await (body as Blob).arrayBuffer());
  throw new TypeError('unsupported request body type for the Graph client');
}

function send(url: string, method: string, headers: Record<string, string>, body: Buffer | undefined, agent: https.Agent, timeoutMs: number): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const req = https.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const responseHeaders = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) v.forEach((x) => responseHeaders.append(k, x));
          else if (v !== undefined) responseHeaders.set(k, v);
        }
        const status = res.statusCode ?? 0;
        const data = Buffer.concat(chunks);
        const noBody = status === 204 || status === 304 || data.length === 0 || method === 'HEAD';
        resolve(new Response(noBody ? null : data, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('Graph request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}
