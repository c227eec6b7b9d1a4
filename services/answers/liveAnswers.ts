import type { Directory } from '../directory/model';
import type { Logger } from '../logging';
import type { AnswerEngine } from './engine';
import { compileOverlay, withOverlay, type CompiledOverlay, type PublishedEntry } from './knowledgeOverlay';

/** Where the current directory comes from (the Cosmos-backed DirectoryRepository in production). */
export interface DirectorySource {
  load(): Promise<Directory | undefined>;
  /** A cheap version stamp; a changed value means `load()` returns something new. */
  revision(): Promise<string | undefined>;
}

/** Where the taught entries come from (the Cosmos-backed KnowledgeOverlayStore in production). */
export interface OverlaySource {
  published(): Promise<PublishedEntry[]>;
  /** A cheap version stamp of everything published; a changed value means `published()` returns something new. */
  revision(): Promise<string>;
}

/**
 * Keeps an answer engine over the stored directory. Questions are answered from memory (no database
 * read per question); the directory is re-read when its revision changes, checked on a timer and right
 * after a change made through this process.
 */
export class LiveAnswers {
  private base: AnswerEngine;
  private current: AnswerEngine;
  private revision: string | undefined;
  private overlay: CompiledOverlay | undefined;
  private timer: NodeJS.Timeout | undefined;

  /**
   * With `overlays`, the entries the IB taught (services/answers/knowledgeOverlay.ts) are merged into the engine on
   * every refresh whose overlay revision moved: on every instance within one refresh interval of a publish.
   */
  constructor(
    base: AnswerEngine,
    private readonly source: DirectorySource,
    private readonly logger: Logger,
    private readonly overlays?: OverlaySource,
  ) {
    this.base = base;
    this.current = base;
  }

  get engine(): AnswerEngine {
    return this.current;
  }

  /** Reloads the directory and the taught entries if they changed (or always, with `force`). Returns whether either did. */
  async refresh(force = false): Promise<boolean> {
    const [directoryChanged, overlayChanged] = await Promise.all([this.refreshDirectory(force), this.refreshOverlay(force)]);
    if (directoryChanged || overlayChanged) this.current = withOverlay(this.base, this.overlay);
    return directoryChanged || overlayChanged;
  }

  private async refreshDirectory(force: boolean): Promise<boolean> {
    const revision = await this.source.revision();
    if (!force && revision !== undefined && revision === this.revision) return false;
    const directory = await this.source.load();
    if (!directory) return false;
    this.base = this.base.withDirectory(directory);
    this.revision = revision;
    return true;
  }

  private async refreshOverlay(force: boolean): Promise<boolean> {
    if (!this.overlays) return false;
    const revision = await this.overlays.revision();
    if (!force && revision === this.overlay?.revision) return false;
    this.overlay = compileOverlay(await this.overlays.published(), revision);
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
