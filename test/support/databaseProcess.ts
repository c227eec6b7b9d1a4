import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(__dirname, '..', '..');

/** The embedded database in its own process (`npm run db`), as Azure Cosmos DB is to the bot: shared, killable. */
export interface DatabaseProcess {
  child: ChildProcess;
  /** COSMOS_ENDPOINT and COSMOS_CERT_SHA256 for a bot process. */
  env: Record<string, string>;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts `node dist/scripts/embeddedDb.js` and resolves with its environment line; kills it if it does not print one in time. */
export function startDatabaseProcess(timeoutMs = 20_000): Promise<DatabaseProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'embeddedDb.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`database did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`database exited early with ${code}`));
    });
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const env = Object.fromEntries(line.trim().split(/\s+/).map((kv) => kv.split('=', 2) as [string, string]));
      resolve({
        child,
        env,
        exited,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}
