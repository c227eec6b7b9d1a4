import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import WebSocket from 'ws';
import { z } from 'zod';
import { startApp, type RunningApp } from '../bot/app';
import { loadConfig } from '../bot/config';
import { createLogger } from '../bot/logger';
import { texts } from '../bot/texts';
import { installedPlaygroundVersion, PINNED_PLAYGROUND_VERSION, startPlayground, type RunningPlayground } from './playgroundRunner';

/** The steps, in order: installation, the typed command, the card button. */
export type CheckStepId = 'welcome' | 'help' | 'button';

/** One thing a user would do in the Playground, and whether they saw what they should. */
export interface CheckStep {
  id: CheckStepId;
  name: string;
  ok: boolean;
  ms: number;
  /** What was seen (card title, invoke response type) or why the step failed. */
  detail: string;
}

/** The single JSON line `playgroundCheck` prints on stdout. */
export interface CheckResult {
  check: 'playground';
  ok: boolean;
  durationMs: number;
  /** Installed version; the local API calls were written against `pinnedVersion`. */
  playgroundVersion: string;
  pinnedVersion: string;
  steps: CheckStep[];
  /** Set when the run failed outside a step (start-up, time budget). */
  error?: string;
}

const HTTP_TIMEOUT_MS = 10_000;
const REPLY_TIMEOUT_MS = 10_000;

// The Playground's local API is internal to its UI: these schemas pin what this check relies on.
const playgroundConfigSchema = z.object({
  config: z.object({
    bot: z.object({ id: z.string() }),
    currentUser: z.object({ id: z.string() }),
    personalChat: z.object({ id: z.string() }),
  }),
});
const attachmentSchema = z.object({ contentType: z.string(), content: z.unknown() });
const streamFrameSchema = z.object({
  action: z.string(),
  actionConversationId: z.string().optional(),
  message: z
    .object({
      messageId: z.string(),
      from: z.object({ id: z.string() }),
      text: z.string().optional(),
      attachments: z.array(attachmentSchema).optional(),
    })
    .optional(),
});
const invokeResponseSchema = z.object({ type: z.string(), value: z.unknown() });
const adaptiveCardSchema = z.object({
  type: z.literal('AdaptiveCard'),
  lang: z.string().optional(),
  body: z.array(z.object({ type: z.string(), text: z.string().optional() })).default([]),
  actions: z.array(z.object({ type: z.string(), verb: z.string().optional() })).default([]),
});

type BotMessage = NonNullable<z.infer<typeof streamFrameSchema>['message']>;
type AdaptiveCard = z.infer<typeof adaptiveCardSchema>;

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
const WELCOME_TITLES: readonly string[] = [texts.de.welcome.title, texts.en.welcome.title];
const HELP_TITLES: readonly string[] = [texts.de.help.title, texts.en.help.title];

function cardFrom(value: unknown): AdaptiveCard | undefined {
  const parsed = adaptiveCardSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function cardOf(message: BotMessage): AdaptiveCard | undefined {
  const attachment = message.attachments?.find((a) => a.contentType === ADAPTIVE_CARD);
  return attachment ? cardFrom(attachment.content) : undefined;
}

function titleOf(card: AdaptiveCard): string {
  return card.body.find((element) => element.type === 'TextBlock')?.text ?? '';
}

function isWelcomeCard(card: AdaptiveCard | undefined): card is AdaptiveCard {
  return !!card && WELCOME_TITLES.includes(titleOf(card)) && card.actions.some((a) => a.type === 'Action.Execute' && a.verb === 'help.show');
}

function isHelpCard(card: AdaptiveCard | undefined): card is AdaptiveCard {
  return !!card && HELP_TITLES.includes(titleOf(card));
}

function summary(message: BotMessage): string {
  const card = cardOf(message);
  return card ? `card "${titleOf(card)}"` : `text "${(message.text ?? '').slice(0, 60)}"`;
}

/** Bot messages pushed on the Playground's conversation stream, for one conversation, in arrival order. */
class BotMessageStream {
  private readonly received: BotMessage[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly socket: WebSocket) {}

  static async open(baseUrl: string, conversationId: string, botId: string): Promise<BotMessageStream> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`);
    const stream = new BotMessageStream(socket);
    socket.on('message', (data: WebSocket.RawData) => {
      let frame: z.infer<typeof streamFrameSchema>;
      try {
        frame = streamFrameSchema.parse(JSON.parse(data.toString()));
      } catch {
        return; // Other frame kinds (log entries, typing) are not what this check looks at.
      }
      const message = frame.message;
      if (frame.action !== 'createMessage' || !message || message.from.id !== botId) return;
      if (frame.actionConversationId && frame.actionConversationId !== conversationId) return;
      stream.received.push(message);
      stream.waiters.forEach((wake) => wake());
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return stream;
  }

  /** The first message not yet taken that matches; rejects naming what did arrive. */
  async take(matches: (message: BotMessage) => boolean, timeoutMs: number): Promise<BotMessage> {
    const deadline = Date.now() + timeoutMs;
    const seenAtStart = this.received.length;
    for (;;) {
      const index = this.received.findIndex(matches);
      if (index >= 0) return this.received.splice(index, 1)[0] as BotMessage;
      const left = deadline - Date.now();
      if (left <= 0) {
        const arrived = this.received.slice(seenAtStart).map(summary);
        throw new Error(`no matching bot message within ${timeoutMs} ms; arrived instead: ${arrived.length ? arrived.join(', ') : 'nothing'}`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  close(): void {
    this.socket.terminate();
  }
}

async function requestJson(url: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

async function readPlaygroundConfig(baseUrl: string): Promise<z.infer<typeof playgroundConfigSchema>['config']> {
  const deadline = Date.now() + HTTP_TIMEOUT_MS;
  for (;;) {
    try {
      return playgroundConfigSchema.parse(await requestJson(`${baseUrl}/_internal/v1/config`)).config;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Drives the Playground like a user: install, type "Hilfe", press the welcome card's button. */
async function runSteps(playground: RunningPlayground, steps: CheckStep[]): Promise<void> {
  const step = async (id: CheckStepId, name: string, run: () => Promise<string>): Promise<void> => {
    const started = Date.now();
    let ok = true;
    let detail: string;
    try {
      detail = await run();
    } catch (err) {
      ok = false;
      detail = (err as Error).message;
    }
    steps.push({ id, name, ok, ms: Date.now() - started, detail });
  };

  const base = playground.url;
  const config = await readPlaygroundConfig(base);
  const conversationId = config.personalChat.id;
  const userId = config.currentUser.id;
  const stream = await BotMessageStream.open(base, conversationId, config.bot.id);
  try {
    let welcome: BotMessage | undefined;
    await step('welcome', 'installation shows the welcome card', async () => {
      await requestJson(`${base}/_debug/conversation/${encodeURIComponent(conversationId)}/installation`, {});
      welcome = await stream.take((m) => isWelcomeCard(cardOf(m)), REPLY_TIMEOUT_MS);
      const card = cardOf(welcome) as AdaptiveCard;
      return `card "${titleOf(card)}" (lang ${card.lang ?? '?'}) with Action.Execute help.show`;
    });

    await step('help', '"Hilfe" shows the help card', async () => {
      await requestJson(`${base}/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
        from: { id: userId },
        text: 'Hilfe',
        textFormat: 'plain',
      });
      const reply = await stream.take((m) => isHelpCard(cardOf(m)), REPLY_TIMEOUT_MS);
      return summary(reply);
    });

    await step('button', 'the welcome card\'s button (Action.Execute help.show) turns it into the help card', async () => {
      if (!welcome) throw new Error('skipped: no welcome card arrived, so there is no button to press.');
      const response = invokeResponseSchema.parse(
        await requestJson(`${base}/_conversation/v1/invoke`, {
          name: 'adaptiveCard/action',
          value: { action: { type: 'Action.Execute', verb: 'help.show', data: {} }, trigger: 'manual' },
          from: { id: userId },
          conversation: { id: conversationId },
          replyToId: welcome.messageId,
        }),
      );
      const card = cardFrom(response.value);
      if (response.type !== ADAPTIVE_CARD || !isHelpCard(card)) {
        throw new Error(`expected an updated help card, got type ${response.type}: ${JSON.stringify(response.value).slice(0, 300)}`);
      }
      return `invoke response ${response.type}, card "${titleOf(card)}"`;
    });
  } finally {
    stream.close();
  }
}

/**
 * `node dist/scripts/playgroundCheck.js`: starts the bot (configured from the environment, like `npm start`) and the
 * Agents Playground, drives the Playground's local API, and prints one JSON line (`CheckResult`). Exit code 0 when
 * every step passed. Meant to run inside a loopback-only network namespace (see test/e2e/playground.test.ts).
 *
 * Options: `--timeout-ms <n>` overall budget (default 40000); `--exit-on-stdin-end` stops when stdin closes, so a
 * dying test runner takes this process (and through it the Playground) along.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const { values } = parseArgs({ options: { 'timeout-ms': { type: 'string' }, 'exit-on-stdin-end': { type: 'boolean' } } });
  const budgetMs = Number(values['timeout-ms']) || 40_000;
  let playgroundVersion = 'not installed';
  try {
    playgroundVersion = installedPlaygroundVersion();
  } catch {
    // Reported through the start-up error below.
  }
  const steps: CheckStep[] = [];
  let error: string | undefined;
  let app: RunningApp | undefined;
  let playground: RunningPlayground | undefined;
  let workDir: string | undefined;

  const emit = (): never => {
    const result: CheckResult = {
      check: 'playground',
      ok: !error && steps.length > 0 && steps.every((s) => s.ok),
      durationMs: Date.now() - started,
      playgroundVersion,
      pinnedVersion: PINNED_PLAYGROUND_VERSION,
      steps,
      ...(error ? { error } : {}),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(result.ok ? 0 : 1);
  };
  let finishing = false;
  const finish = async (reason?: string): Promise<void> => {
    error ??= reason;
    if (finishing) return;
    finishing = true;
    // If shutting down hangs, the result still gets out (and exiting ends the Playground through its IPC channel).
    setTimeout(emit, 5000).unref();
    await playground?.stop(1000).catch(() => undefined);
    await app?.stop().catch(() => undefined);
    if (workDir) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    emit();
  };

  setTimeout(() => void finish(`time budget of ${budgetMs} ms exceeded`), budgetMs).unref();
  process.once('SIGTERM', () => void finish('stopped by SIGTERM'));
  process.once('SIGINT', () => void finish('stopped by SIGINT'));
  if (values['exit-on-stdin-end']) {
    process.stdin.on('end', () => void finish('stdin closed: the test runner went away')).resume();
  }

  try {
    const config = loadConfig(process.env);
    // stdout carries only the result line; the bot's log goes to stderr.
    const logger = createLogger(config, pino.destination({ fd: 2, sync: true }));
    workDir = await mkdtemp(path.join(os.tmpdir(), 'lotse-playground-check-'));
    app = await startApp(config, { logger });
    playground = await startPlayground({
      botEndpoint: `${app.url}/api/messages`,
      port: 0,
      workDir,
      logFile: path.join(workDir, 'playground.log'),
      env: process.env,
    });
    void playground.exited.then((how) => {
      if (!finishing) void finish(`the Playground exited unexpectedly (${how})`);
    });
    await runSteps(playground, steps);
  } catch (err) {
    error ??= `${(err as Error).name}: ${(err as Error).message}`;
  }
  await finish();
}

void main();
