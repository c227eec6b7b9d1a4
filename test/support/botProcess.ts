import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
// Built by jest's globalSetup (tsc -p tsconfig.build.json) before the suites run.
const ENTRY = path.join(ROOT, 'dist', 'bot', 'index.js');

/** A bot started as `npm start` starts it, with its parsed log lines. */
export interface BotProcess {
  child: ChildProcess;
  /** The service's origin, e.g. `http://127.0.0.1:PORT`. */
  url: string;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Environment for a child bot process: nothing inherited that could point it elsewhere. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'info', ...extra };
}

/** Starts `node dist/bot/index.js` and resolves once it logs `server.listening`; kills it if it does not in time. */
export async function startBotProcess(extra: Record<string, string> = {}, timeoutMs = 30_000): Promise<BotProcess> {
  const child = spawn(process.execPath, [ENTRY], { cwd: ROOT, env: childEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      // Otherwise the child outlives the test run.
      child.kill('SIGKILL');
      reject(new Error(`bot did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          lines.push(parsed);
          if (parsed.event === 'server.listening') {
            clearTimeout(timer);
            resolve(String(parsed.url));
          }
        } catch {
          lines.push({ unparsed: line });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bot exited early with ${code}: ${stderr.slice(0, 500)}`));
    });
  });
  return { child, url, lines, exited };
}
