import { Writable } from 'node:stream';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import { startApp, type RunningApp } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { createLogger } from '../../bot/logger';
import type { AppDatabase } from '../../services/storage/database';
import type { TabSources } from '../../bot/tab/sources';
import { observeInbound } from './channelEmulator';
import { checkInvokeResponse } from './teamsRules';

/** Log lines the app wrote, parsed, for assertions (e.g. "no message text in any log line"). */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      this.raw.push(line);
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ unparsed: line });
      }
    }
    done();
  }
  events(): string[] {
    return this.lines.map((l) => String(l.event ?? ''));
  }
}

export interface TestApp extends RunningApp {
  logs: LogCapture;
  /** POSTs an activity (or any body) to /api/messages and returns status and parsed body. */
  post(body: unknown, init?: { headers?: Record<string, string>; raw?: boolean }): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any }>;
}

/**
 * Starts the real service in this process on a free loopback port: restify, CloudAdapter, the bot,
 * and the real Cosmos SDK on an embedded server (its own, or a shared `database`).
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { database?: AppDatabase; credentialsFactory?: ServiceClientCredentialsFactory; now?: () => Date; tabSources?: TabSources } = {},
): Promise<TestApp> {
  // Teams' file addresses point at the channel emulator on loopback in tests (production: *.sharepoint.com).
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '2000', TEAMS_FILE_HOSTS: '*.sharepoint.com,127.0.0.1', ...env });
  const logs = new LogCapture();
  const logger = createLogger(config, logs);
  const app = await startApp(config, {
    logger,
    database: options.database,
    credentialsFactory: options.credentialsFactory,
    now: options.now,
    tabSources: options.tabSources,
  });
  const post: TestApp['post'] = async (body, init = {}) => {
    // Teams knows what it delivers: the emulator learns conversations and installations from it.
    if (!init.raw) observeInbound(body);
    const res = await fetch(`${app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...init.headers },
      body: init.raw ? (body as string) : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    // A card in an invoke response is rendered by Teams like any other: the same checks apply.
    checkInvokeResponse(parsed);
    return { status: res.status, body: parsed };
  };
  const get: TestApp['get'] = async (path) => {
    const res = await fetch(`${app.url}${path}`);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return Object.assign(Object.create(null), app, { logs, post, get, stop: () => app.stop() }) as TestApp;
}
