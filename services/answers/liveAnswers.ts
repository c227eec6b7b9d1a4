import type { Directory } from '../directory/model';
import type { Logger } from '../logging';
import type { AnswerEngine } from './engine';

/** Where the current directory comes from (the Cosmos-backed DirectoryRepository in production). */
export interface DirectorySource {
  load(): Promise<Directory | undefined>;
  /** A cheap version stamp; a changed value means `load()` returns something new. */
  revision(): Promise<string | undefined>;
}

/**
 * Keeps an answer engine over the stored directory. Questions are answered from memory (no database
 * read per question); the directory is re-read when its revision changes, checked on a timer and right
 * after a change made through this process.
 */
export class LiveAnswers {
  private current: AnswerEngine;
  private revision: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    base: AnswerEngine,
    private readonly source: DirectorySource,
    private readonly logger: Logger,
  ) {
    this.current = base;
  }

  get engine(): AnswerEngine {
    return this.current;
  }

  /** Reloads the directory if it changed (or always, with `force`). Returns whether it did. */
  async refresh(force = false): Promise<boolean> {
    const revision = await this.source.revision();
    if (!force && revision !== undefined && revision === this.revision) return false;
    const directory = await this.source.load();
    if (!directory) return false;
    this.current = this.current.withDirectory(directory);
    this.revision = revision;
    return true;
  }

  /** Checks for directory changes every `intervalMs` until `stop()`. Failures are logged and retried. */
  startAutoRefresh(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) =>
        this.logger.warn({ event: 'directory.refresh_failed', code: (err as { code?: string })?.code ?? (err as Error)?.name }, 'directory refresh failed'),
      );
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
