/**
 * Child-process entry of the load generator (see `load.ts`): receives one `run` request over IPC, drives the load
 * with node:http keep-alive connections, replies with the measurements and exits.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { vuGuid, type LoadOptions, type LoadResult, type LoadWorkerReply, type LoadWorkerRequest } from './load';

const TOKEN = /\{\{(seq|vu|vuGuid|now|alt:[^{}]+)\}\}/g;

/** A token of the template; `string[]` stands for `{{alt:…}}` with its choices. */
type Token = 'seq' | 'vu' | 'vuGuid' | 'now' | string[];

/** The serialized template cut at its tokens, so each request is one string join instead of a JSON.stringify. */
interface CompiledTemplate {
  literals: string[];
  tokens: Token[];
}

function compileTemplate(template: unknown): CompiledTemplate {
  const json = JSON.stringify(template);
  const literals: string[] = [];
  const tokens: Token[] = [];
  let last = 0;
  for (const match of json.matchAll(TOKEN)) {
    literals.push(json.slice(last, match.index));
    tokens.push(match[1].startsWith('alt:') ? match[1].slice(4).split('|') : (match[1] as Token));
    last = (match.index ?? 0) + match[0].length;
  }
  literals.push(json.slice(last));
  return { literals, tokens };
}

/** How many requests each virtual user has sent, for `{{alt:…}}`. */
const sentByVu: number[] = [];

function render(template: CompiledTemplate, seq: number, vu: number): string {
  const n = sentByVu[vu] ?? 0;
  sentByVu[vu] = n + 1;
  let body = template.literals[0];
  for (let i = 0; i < template.tokens.length; i++) {
    const token = template.tokens[i];
    const value = Array.isArray(token)
      ? token[n % token.length]
      : token === 'seq' ? String(seq) : token === 'vu' ? String(vu) : token === 'vuGuid' ? vuGuid(vu) : new Date().toISOString();
    body += value + template.literals[i + 1];
  }
  return body;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

interface Outcome {
  status: number;
  error?: string;
}

async function run(options: LoadOptions): Promise<LoadResult> {
  const connections = options.connections ?? 32;
  const warmupMs = options.warmupMs ?? 2_000;
  const durationMs = options.durationMs ?? 10_000;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const template = compileTemplate(options.template);
  const extraHeaders = options.headers ?? {};

  function send(body: string): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extraHeaders },
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.once('error', (error) => resolve({ status: 0, error: error.message }));
        },
      );
      req.once('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.once('error', (error) => resolve({ status: 0, error: error.message }));
      req.end(body);
    });
  }

  let seq = 0;
  let warmupRequests = 0;
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const errorSamples: string[] = [];
  let errors = 0;
  let non2xx = 0;

  const warmupEnd = performance.now() + warmupMs;
  async function warmUp(vu: number): Promise<void> {
    while (performance.now() < warmupEnd) {
      await send(render(template, ++seq, vu));
      warmupRequests += 1;
    }
  }
  await Promise.all(Array.from({ length: connections }, (_, vu) => warmUp(vu)));

  process.send?.({ type: 'measureStart' } satisfies LoadWorkerReply);
  const cpuAtStart = process.cpuUsage();
  const measureStart = performance.now();
  const measureEnd = measureStart + durationMs;
  let started = 0;
  const hasBudget = (): boolean =>
    options.requests !== undefined ? started < options.requests : performance.now() < measureEnd;

  async function measure(vu: number): Promise<void> {
    while (hasBudget()) {
      started += 1;
      const body = render(template, ++seq, vu);
      const begin = performance.now();
      const outcome = await send(body);
      latencies.push(performance.now() - begin);
      const key = outcome.error ? 'error' : String(outcome.status);
      statusCounts[key] = (statusCounts[key] ?? 0) + 1;
      if (outcome.error) {
        errors += 1;
        if (errorSamples.length < 5) errorSamples.push(outcome.error);
      } else if (outcome.status < 200 || outcome.status >= 300) {
        non2xx += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: connections }, (_, vu) => measure(vu)));
  const elapsedMs = performance.now() - measureStart;
  const cpu = process.cpuUsage(cpuAtStart);
  process.send?.({ type: 'measureEnd' } satisfies LoadWorkerReply);
  agent.destroy();

  const sorted = Float64Array.from(latencies).sort();
  const ok = latencies.length - errors - non2xx;
  return {
    requests: latencies.length,
    elapsedMs,
    throughputPerS: elapsedMs > 0 ? (ok * 1000) / elapsedMs : 0,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : 0,
    non2xx,
    errors,
    statusCounts,
    errorSamples,
    warmupRequests,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.once('message', (request: LoadWorkerRequest) => {
  run(request.options).then(
    (result) => process.send?.({ type: 'result', result } satisfies LoadWorkerReply),
    (error: unknown) => process.send?.({ type: 'error', message: String(error) } satisfies LoadWorkerReply),
  );
});
process.once('disconnect', () => process.exit(0));
