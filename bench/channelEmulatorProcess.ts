/**
 * The channel emulator in its own process, for benchmarks where the bot's replies should not share a core with the
 * measuring process. As a CLI (`node dist/bench/channelEmulatorProcess.js`) it prints `READY <port>`; started with
 * {@link startChannelEmulatorProcess} it also answers counter queries over IPC.
 */
import { startChannelEmulator, type CallCounters } from '../test/support/channelEmulator';
import { forkChild } from './childProcess';

/** A channel emulator running in a child process. */
export interface ChannelEmulatorProcess {
  serviceUrl: string;
  pid: number;
  /** Accepted/rejected calls so far, across all conversations. */
  counters(): Promise<CallCounters>;
  stop(): Promise<void>;
}

type ParentMessage = { type: 'counters' };
type ChildMessage = { type: 'ready'; serviceUrl: string } | { type: 'counters'; counters: CallCounters };

/** Forks this file as a child process and resolves once its emulator listens. */
export function startChannelEmulatorProcess(options: { rateLimits?: boolean } = {}): Promise<ChannelEmulatorProcess> {
  const child = forkChild(__filename, options.rateLimits ? ['--rate-limits'] : [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise<ChannelEmulatorProcess>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`channel emulator process exited (${code}) before it was ready`)));
    child.once('message', (message: ChildMessage) => {
      if (message.type !== 'ready') return;
      child.removeAllListeners('exit');
      resolve({
        serviceUrl: message.serviceUrl,
        pid: child.pid!,
        counters: () =>
          new Promise<CallCounters>((answer) => {
            const onMessage = (reply: ChildMessage): void => {
              if (reply.type !== 'counters') return;
              child.off('message', onMessage);
              answer(reply.counters);
            };
            child.on('message', onMessage);
            child.send({ type: 'counters' } satisfies ParentMessage);
          }),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

async function main(): Promise<void> {
  // Recording every call would make the emulator's memory grow with the run; the benchmark only needs counters.
  // `--rate-limits`: Teams' limits per conversation and tenant, as the `actions` benchmark's deliveries meet them.
  const rateLimits = process.argv.includes('--rate-limits');
  const emulator = await startChannelEmulator({ installations: 'tenantWide', record: false, unknownMembers: 'synthesize', ...(rateLimits ? { rateLimits: true } : {}) });
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'counters') process.send?.({ type: 'counters', counters: emulator.counters() } satisfies ChildMessage);
  });
  process.once('SIGTERM', () => {
    void emulator.close().then(() => process.exit(0));
  });
  // Announced once the handlers are in place, so a stop sent right after is a clean close.
  process.stdout.write(`READY ${new URL(emulator.serviceUrl).port}\n`);
  process.send?.({ type: 'ready', serviceUrl: emulator.serviceUrl } satisfies ChildMessage);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
