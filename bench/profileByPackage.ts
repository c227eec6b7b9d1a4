/**
 * Self time by package, per action, from the V8 CPU profiles a benchmark run wrote with `BENCH_CPU_PROF=<dir>`
 * (issue 14: where the product's CPU per action goes, next to the stock bot's, category by category).
 *
 *   BENCH_CPU_PROF=/tmp/prof npm run bench -- actions
 *   node dist/bench/profileByPackage.js /tmp/prof [--top N] [--functions]
 *
 * Reads each `window-<label>-<pid>.json` (`bench/profileWindow.ts`) and that process's `*.cpuprofile`, counts only
 * the samples inside the measured window and divides by the actions served in it. A sample's time goes to the package
 * of the function on top of the stack; a native or built-in function without a script (JSON.parse, a socket write)
 * goes to the nearest caller that has one, so `JSON.parse` called by @azure/cosmos counts as @azure/cosmos.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProfileWindow } from './profileWindow';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/** `node_modules/@azure/cosmos/dist/…` → `@azure/cosmos`; `node:_http_client` → `node:http`; our files by folder. */
export function packageOf(url: string): string | undefined {
  if (!url) return undefined;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) {
    const mod = url.slice('node:'.length);
    if (/^(_http_|http$|https$|internal\/http)/.test(mod)) return 'node:http';
    if (/^(tls$|_tls_|internal\/tls)/.test(mod)) return 'node:tls';
    if (/^(net$|internal\/net|internal\/stream_base_commons|internal\/dns|dns$)/.test(mod)) return 'node:net';
    if (/^(stream$|internal\/streams)/.test(mod)) return 'node:streams';
    if (/^(internal\/process\/task_queues|internal\/async_hooks|async_hooks$|internal\/async_local_storage)/.test(mod)) return 'node:async';
    if (/^(timers$|internal\/timers)/.test(mod)) return 'node:timers';
    if (/^(events$|internal\/event_target)/.test(mod)) return 'node:events';
    if (/^(zlib$|internal\/zlib)/.test(mod)) return 'node:zlib';
    if (/^(crypto$|internal\/crypto)/.test(mod)) return 'node:crypto';
    if (/^(internal\/url|url$|internal\/idna)/.test(mod)) return 'node:url';
    return 'node:other';
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0 && !url.includes('/node_modules/')) {
    const parts = url.slice(dist + '/dist/'.length).split('/');
    // services/<area>, bot/<area> (a file directly in bot/ counts as bot), cards, bench …
    return parts.length > 2 ? `ours:${parts[0]}/${parts[1]}` : `ours:${parts[0]}`;
  }
  return 'other';
}

/** The coarse categories the issue asks for. */
export function categoryOf(pkg: string): string {
  if (pkg === '(garbage collector)') return 'GC';
  if (pkg === '(program)') return 'V8/native (program)';
  if (/^(botbuilder|botframework-)/.test(pkg)) return 'botbuilder*';
  if (pkg === '@azure/cosmos') return '@azure/cosmos';
  if (/^(@azure\/(core-|abort-controller|logger)|@typespec\/)/.test(pkg)) return '@azure/core-* (HTTP pipeline)';
  if (pkg === 'node:http') return 'node:http';
  if (pkg === 'node:tls' || pkg === 'node:net') return 'node:tls/net (sockets)';
  if (pkg.startsWith('node:')) return 'node:other (streams, promises, timers, …)';
  if (/^(restify|find-my-way|formidable|csv|qs|send|spdy|mime|negotiator|assert-plus|safe-json-stringify)$/.test(pkg)) return 'restify';
  if (/^(adaptivecards-templating|adaptive-expressions|antlr4ts|lodash)$/.test(pkg)) return 'adaptivecards-templating';
  if (/^(pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|atomic-sleep|on-exit-leak-free)$/.test(pkg)) return 'pino (logging)';
  if (/^@opentelemetry\//.test(pkg)) return '@opentelemetry';
  if (pkg === 'zod') return 'zod';
  if (pkg.startsWith('ours:')) return `ours: ${pkg.slice(5).split('/')[0]}`;
  return 'other packages';
}

export interface Breakdown {
  window: ProfileWindow;
  /** ms per action (busy time only: idle excluded) by package, and by category. */
  byPackage: Map<string, number>;
  byCategory: Map<string, number>;
  byFunction: Map<string, number>;
  busyMsPerAction: number;
  idleMsPerAction: number;
}

export function breakdown(profile: CpuProfile, window: ProfileWindow): Breakdown {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownerCache = new Map<number, { pkg: string; fn: string }>();
  const owner = (id: number): { pkg: string; fn: string } => {
    const cached = ownerCache.get(id);
    if (cached) return cached;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let result: { pkg: string; fn: string };
    if (SPECIAL.has(name)) result = { pkg: name, fn: name };
    else {
      const pkg = packageOf(node.callFrame.url);
      const p = parent.get(id);
      if (pkg) result = { pkg, fn: `${name || '(anonymous)'} ${path.basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}` };
      else if (p !== undefined && !SPECIAL.has(byId.get(p)!.callFrame.functionName)) {
        const up = owner(p);
        result = { pkg: up.pkg, fn: `${name || '(native)'} ← ${up.fn}` };
      } else result = { pkg: 'other', fn: name || '(native)' };
    }
    ownerCache.set(id, result);
    return result;
  };
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idleUs = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    // A sample stands for the time until the next one.
    const weight = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    if (t < window.fromUs || t >= window.toUs || weight <= 0) continue;
    const { pkg, fn } = owner(profile.samples[i]);
    if (pkg === '(idle)') {
      idleUs += weight;
      continue;
    }
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + weight);
    byFunction.set(`${pkg}  ${fn}`, (byFunction.get(`${pkg}  ${fn}`) ?? 0) + weight);
  }
  const n = Math.max(1, window.actions);
  const perAction = (m: Map<string, number>) => new Map([...m].map(([k, us]) => [k, us / 1000 / n]));
  const pkgMs = perAction(byPackage);
  const byCategory = new Map<string, number>();
  for (const [pkg, ms] of pkgMs) byCategory.set(categoryOf(pkg), (byCategory.get(categoryOf(pkg)) ?? 0) + ms);
  const busy = [...pkgMs.values()].reduce((a, b) => a + b, 0);
  return { window, byPackage: pkgMs, byCategory, byFunction: perAction(byFunction), busyMsPerAction: busy, idleMsPerAction: idleUs / 1000 / n };
}

function sortedDesc(m: Map<string, number>): Array<[string, number]> {
  return [...m].sort((a, b) => b[1] - a[1]);
}

function loadAll(dir: string): Breakdown[] {
  const files = readdirSync(dir);
  const out: Breakdown[] = [];
  for (const f of files.filter((x) => /^window-.*\.json$/.test(x)).sort()) {
    const window = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ProfileWindow;
    const prof = files.find((x) => x.endsWith('.cpuprofile') && x.split('.').includes(String(window.pid)));
    if (!prof) {
      process.stderr.write(`${f}: no profile of process ${window.pid} in ${dir} (did it stop by SIGTERM?)\n`);
      continue;
    }
    out.push(breakdown(JSON.parse(readFileSync(path.join(dir, prof), 'utf8')) as CpuProfile, window));
  }
  return out;
}

function main(argv: string[]): void {
  const dir = argv.find((a) => !a.startsWith('--'));
  if (!dir) {
    process.stderr.write('usage: node dist/bench/profileByPackage.js <BENCH_CPU_PROF dir> [--top N] [--functions]\n');
    process.exit(2);
  }
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 25;
  const all = loadAll(dir);
  const fmt = (ms: number | undefined) => (ms ?? 0).toFixed(3).padStart(8);
  for (const b of all) {
    const w = b.window;
    process.stdout.write(
      `\n== ${w.label} (pid ${w.pid}): ${w.actions} actions in ${((w.toUs - w.fromUs) / 1e6).toFixed(1)} s; busy ${b.busyMsPerAction.toFixed(3)} ms per action (idle ${b.idleMsPerAction.toFixed(3)})\n`,
    );
    process.stdout.write('  by category (ms per action, % of busy):\n');
    for (const [k, ms] of sortedDesc(b.byCategory)) process.stdout.write(`  ${fmt(ms)}  ${((100 * ms) / b.busyMsPerAction).toFixed(1).padStart(5)} %  ${k}\n`);
    process.stdout.write(`  top ${top} packages:\n`);
    for (const [k, ms] of sortedDesc(b.byPackage).slice(0, top)) process.stdout.write(`  ${fmt(ms)}  ${((100 * ms) / b.busyMsPerAction).toFixed(1).padStart(5)} %  ${k}\n`);
    if (argv.includes('--functions')) {
      process.stdout.write(`  top ${top} functions:\n`);
      for (const [k, ms] of sortedDesc(b.byFunction).slice(0, top)) process.stdout.write(`  ${fmt(ms)}  ${k}\n`);
    }
  }
  // Product against stock, per benchmark: the difference category by category.
  for (const product of all.filter((b) => b.window.label.endsWith('.product'))) {
    const name = product.window.label.slice(0, -'.product'.length);
    const stock = all.find((b) => b.window.label === `${name}.stock`);
    if (!stock) continue;
    process.stdout.write(`\n== ${name}: product − stock, ms per action (busy ${product.busyMsPerAction.toFixed(3)} vs ${stock.busyMsPerAction.toFixed(3)})\n`);
    const keys = new Set([...product.byCategory.keys(), ...stock.byCategory.keys()]);
    const rows = [...keys].map((k) => [k, product.byCategory.get(k) ?? 0, stock.byCategory.get(k) ?? 0] as const).sort((a, b) => b[1] - b[2] - (a[1] - a[2]));
    process.stdout.write(`  ${'product'.padStart(8)}  ${'stock'.padStart(8)}  ${'diff'.padStart(8)}  category\n`);
    for (const [k, p, s] of rows) process.stdout.write(`  ${fmt(p)}  ${fmt(s)}  ${fmt(p - s)}  ${k}\n`);
  }
}

if (require.main === module) main(process.argv.slice(2));
