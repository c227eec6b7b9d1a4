import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/*
 * The benchmark runner's promise that no product, database or load generator outlives it. A fixture process plays
 * `npm run bench`: it registers a long-running child through bench/childProcess (the built copy in dist/, which jest's
 * global setup compiles), prints the child's pid, and then fails or is interrupted. The child inherits the fixture's
 * stderr, a pipe to this test, so the pipe closes only once both have exited: that close is the signal awaited here.
 */
const REGISTRY = path.resolve(__dirname, '../../../dist/bench/childProcess.js');
const FIXTURE = `
const { endChildrenOnExit, spawnChild } = require(${JSON.stringify(REGISTRY)});
endChildrenOnExit(1000);
const child = spawnChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'ignore', 'inherit'] });
process.stdout.write(child.pid + '\\n');
if (process.argv[1] === 'throw') setImmediate(() => { throw new Error('the benchmark failed'); });
else setInterval(() => {}, 1000);
`;

const started: number[] = [];

afterEach(() => {
  // Only if a test failed: do not leave its child behind.
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

async function runFixture(how: 'throw' | 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; stderr: string }> {
  const fixture = spawn(process.execPath, ['-e', FIXTURE, how], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  fixture.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) => fixture.once('close', (code) => resolve(code)));
  const pid = Number(await new Promise<string>((resolve) => createInterface({ input: fixture.stdout }).once('line', resolve)));
  expect(pid).toBeGreaterThan(0);
  started.push(pid);
  if (how !== 'throw') fixture.kill(how);
  return { code: await closed, stderr };
}

describe('the benchmark runner ends the processes it started', () => {
  it('when a benchmark throws', async () => {
    const run = await runFixture('throw');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the benchmark failed');
  });

  it('when it is interrupted with Ctrl-C (SIGINT)', async () => {
    const run = await runFixture('SIGINT');
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('SIGINT: stopping 1 child process(es)');
  });

  it('when it is stopped with SIGTERM', async () => {
    const run = await runFixture('SIGTERM');
    expect(run.code).toBe(143);
    expect(run.stderr).toContain('SIGTERM: stopping 1 child process(es)');
  });
});
