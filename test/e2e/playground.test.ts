import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CheckResult, CheckStep, CheckStepId } from '../../scripts/playgroundCheck';

/*
 * Runs the bot and the Microsoft 365 Agents Playground together, the way a developer uses them, inside a
 * network namespace that has nothing but loopback: the Playground reaches for the cloud metadata address and
 * DNS otherwise. The jest process stays outside; the check inside prints one JSON line that this file reads.
 */

const ROOT = path.resolve(__dirname, '../..');
const CHECK_SCRIPT = 'dist/scripts/playgroundCheck.js';
const BUILD_INFO = path.join(ROOT, 'dist/.tsbuildinfo');
const BUILT_FROM = ['bot', 'cards', 'services', 'scripts', 'bench', 'data'];
const CHECK_BUDGET_MS = 30_000;
const KILL_AFTER_MS = CHECK_BUDGET_MS + 10_000;

/** Newest modification time of anything tsconfig.build.json compiles. */
function newestSourceMtime(): number {
  let newest = Math.max(...['tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(path.join(ROOT, f)).mtimeMs));
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  BUILT_FROM.forEach((dir) => walk(path.join(ROOT, dir)));
  return newest;
}

function distIsCurrent(): boolean {
  return existsSync(path.join(ROOT, CHECK_SCRIPT)) && existsSync(BUILD_INFO) && statSync(BUILD_INFO).mtimeMs >= newestSourceMtime();
}

/**
 * `npm run build`, only when a source is newer than the last build (jest's globalSetup has usually built already;
 * this keeps the file correct on its own). Type errors elsewhere do not stop the check: tsc still emits, and the
 * check fails by itself if the bot cannot start.
 */
async function buildIfStale(): Promise<void> {
  if (distIsCurrent()) return;
  const tsc = require.resolve('typescript/bin/tsc');
  const output = await new Promise<string | undefined>((resolve) => {
    execFile(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve(err ? `${stdout}${stderr}`.trim() || err.message : undefined),
    );
  });
  if (!existsSync(path.join(ROOT, CHECK_SCRIPT))) {
    throw new Error(`tsc -p tsconfig.build.json did not produce ${CHECK_SCRIPT}:\n${output ?? ''}`);
  }
  if (output) console.warn(`tsc -p tsconfig.build.json reported errors; running the Playground check on what it emitted:\n${output.slice(0, 2000)}`);
}

interface CheckRun {
  result?: CheckResult;
  exit: string;
  stdout: string;
  stderr: string;
}

let running: ChildProcess | undefined;

/** Starts playgroundCheck in a fresh network + PID namespace and collects its result line. */
function runCheck(): Promise<CheckRun> {
  // Root needs no user namespace; elsewhere, mapping the caller to root in one gives the rights for `ip link`.
  const asUser = process.getuid?.() === 0 ? [] : ['--map-root-user'];
  // A PID namespace with --kill-child: when unshare dies, or the check (its PID 1) exits, the kernel kills every
  // process inside, the Playground included. "$0" is this Node binary, so the namespace needs no PATH lookup.
  const inside = `ip link set lo up && exec "$0" ${CHECK_SCRIPT} --exit-on-stdin-end --timeout-ms ${CHECK_BUDGET_MS}`;
  const child = spawn('unshare', [...asUser, '--net', '--pid', '--kill-child', 'sh', '-c', inside, process.execPath], {
    cwd: ROOT,
    // Only what the check needs: a developer's COSMOS_ENDPOINT or MicrosoftAppId must not leak into the run.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0', LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '1000' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running = child;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-8000)));
  const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  return new Promise((resolve) => {
    const done = (exit: string) => {
      clearTimeout(killer);
      running = undefined;
      const line = stdout.split('\n').reverse().find((l) => l.startsWith('{"check":"playground"'));
      resolve({ result: line ? (JSON.parse(line) as CheckResult) : undefined, exit, stdout, stderr });
    };
    child.once('error', (err) => done(`unshare could not be started: ${err.message}`));
    child.once('close', (code, signal) => done(signal ? `killed by ${signal}` : `exit code ${code}`));
  });
}

function explain(run: CheckRun): string {
  const lines = [`Playground check ${run.exit}.`];
  if (run.result && run.result.playgroundVersion !== run.result.pinnedVersion) {
    lines.push(`Agents Playground ${run.result.playgroundVersion} is installed; the check was written against ${run.result.pinnedVersion}.`);
  }
  if (run.result?.error) lines.push(`Error: ${run.result.error}`);
  for (const step of run.result?.steps ?? []) lines.push(`${step.ok ? '✓' : '✗'} ${step.name} (${step.ms} ms): ${step.detail}`);
  if (!run.result) lines.push('No result line on stdout.', `stdout:\n${run.stdout.slice(-2000)}`);
  lines.push(`stderr (last lines):\n${run.stderr.split('\n').slice(-25).join('\n')}`);
  return lines.join('\n');
}

const describeOnLinux = process.platform === 'linux' ? describe : describe.skip;

describeOnLinux('the bot in the Microsoft 365 Agents Playground (loopback-only network)', () => {
  let run: CheckRun;

  beforeAll(async () => {
    await buildIfStale();
    run = await runCheck();
  }, 150_000);

  afterAll(() => {
    running?.kill('SIGKILL');
  });

  function expectStep(id: CheckStepId): CheckStep {
    const step = run.result?.steps.find((s) => s.id === id);
    if (!step) throw new Error(`Not reached: ${run.result?.error ?? run.exit} (details in "starts the bot and the Playground …").`);
    if (!step.ok) throw new Error(`✗ ${step.name} (${step.ms} ms): ${step.detail}`);
    return step;
  }

  it('starts the bot and the Playground, walks through every step, and stops them', () => {
    // No duration is asserted: the budget is only the deadline after which the check gives up. How long the run took
    // is in its result line (`durationMs`, and per step), printed by `npm run playground:check`.
    if (!run.result?.ok) throw new Error(explain(run));
    expect(run.exit).toBe('exit code 0');
  });

  it('greets a user who installs the app with the welcome card and its help button', () => {
    expect(expectStep('welcome').detail).toContain('Action.Execute help.show');
  });

  it('answers "Hilfe" with the help card', () => {
    expect(expectStep('help').detail).toMatch(/^card "/);
  });

  it('replaces the welcome card with the help card when its button is pressed', () => {
    expect(expectStep('button').detail).toContain('application/vnd.microsoft.card.adaptive');
  });
});
