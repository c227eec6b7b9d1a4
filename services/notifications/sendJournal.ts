import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { digestKey } from '../common/ids';
import type { Clock } from '../common/clock';

/** The delivery fields a journal entry is tied to. */
export interface JournalledDelivery {
  pk: string;
  id: string;
  /** Guards against a later delivery under the same key (a record deleted and made again). */
  createdAtMs: number;
}

/** A send Teams accepted, as the journal remembers it. */
export interface JournalEntry {
  activityId: string;
  /** Epoch ms when the channel's answer came. */
  at: number;
}

/**
 * Closes most of the window between Teams accepting a message and the outbox recording it (issue 14). Right after the
 * channel answers, the dispatcher appends the delivery and the message id Teams gave it to this journal, synchronously,
 * before it writes `sent` to the database. A process killed in between leaves the line behind; the next process on the
 * same machine reads it at start, and when it claims that delivery (still `sending` in the outbox) it records it as
 * sent with that message id instead of sending it again.
 *
 * The dispatcher's port; {@link FileSendJournal} is the implementation, {@link NO_JOURNAL} the one that remembers nothing.
 */
export interface SendJournal {
  /** Teams accepted this delivery's message (or update) as `activityId`. Synchronous: on disk (page cache) on return. */
  accepted(delivery: JournalledDelivery, activityId: string): void;
  /** The outbox has this delivery's outcome now (or another process took it over): its entry may go. */
  recorded(delivery: JournalledDelivery): void;
  /** An accepted send of this delivery that the outbox may not know of. */
  find(delivery: JournalledDelivery): JournalEntry | undefined;
  close(): void;
}

export const NO_JOURNAL: SendJournal = {
  accepted: () => undefined,
  recorded: () => undefined,
  find: () => undefined,
  close: () => undefined,
};

export interface FileSendJournalOptions {
  clock: Clock;
  /** Entries older than this are dropped when the file is compacted (their delivery is then sent again, as without a journal). */
  keepMs?: number;
  /** Compact once this many lines were appended since the last compaction. */
  compactAfterLines?: number;
}

const DEFAULT_KEEP_MS = 7 * 24 * 3_600_000;
const DEFAULT_COMPACT_AFTER_LINES = 20_000;

/** One line of the file: an accepted send (`a`, `t`, `c`) or the mark that it was recorded (`d`). */
interface Line {
  /** Digest of the delivery's partition key and id: no notification key (which may name a person) on disk. */
  k: string;
  c?: number;
  a?: string;
  t?: number;
  d?: 1;
}

function keyOf(delivery: JournalledDelivery): string {
  return digestKey(`${delivery.pk}\u0000${delivery.id}`);
}

function parse(line: string): Line | undefined {
  try {
    const value = JSON.parse(line) as Line;
    if (typeof value?.k !== 'string') return undefined;
    if (value.d === 1) return value;
    if (typeof value.a === 'string' && typeof value.t === 'number' && typeof value.c === 'number') return value;
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * The send journal as an append-only JSON-lines file on the instance's local disk. Each accepted send is one
 * `writeSync` of one line, each recorded outcome another: both survive a killed process (the kernel keeps the page
 * cache), not a machine that loses power before the cache reaches the disk. Lines that do not parse (a write cut
 * short) are skipped. The file is rewritten with only the entries still open at start and every
 * `compactAfterLines` appended lines (a new file renamed over the old one, so a kill during compaction leaves either).
 *
 * One file per database (the name carries a digest of the database endpoint and id), so two test databases or two
 * deployments on one machine never read each other's entries. Another instance has its own disk and file: a delivery
 * it takes over after the lease is sent again as before.
 */
export class FileSendJournal implements SendJournal {
  private readonly open = new Map<string, Line>();
  private fd: number | undefined;
  private appended = 0;
  private readonly keepMs: number;
  private readonly compactAfterLines: number;

  private constructor(
    readonly file: string,
    private readonly options: FileSendJournalOptions,
  ) {
    this.keepMs = options.keepMs ?? DEFAULT_KEEP_MS;
    this.compactAfterLines = options.compactAfterLines ?? DEFAULT_COMPACT_AFTER_LINES;
  }

  /** The file's name in `directory` for one database. */
  static fileFor(directory: string, database: { endpoint: string; databaseId: string }): string {
    return path.join(directory, `send-journal-${digestKey(`${database.endpoint}\u0000${database.databaseId}`).slice(0, 16)}.jsonl`);
  }

  /**
   * Opens (creating the directory and file) and reads the journal, keeps what is still open and recent, and compacts
   * the file to that. Journal files of other databases in the directory untouched for longer than `keepMs` are deleted.
   */
  static open(file: string, options: FileSendJournalOptions): FileSendJournal {
    const journal = new FileSendJournal(file, options);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    journal.load();
    journal.compact();
    journal.removeStaleSiblings();
    return journal;
  }

  /** Entries still open (accepted, outcome not known to be recorded). */
  get size(): number {
    return this.open.size;
  }

  accepted(delivery: JournalledDelivery, activityId: string): void {
    const line: Line = { k: keyOf(delivery), c: delivery.createdAtMs, a: activityId, t: this.options.clock.now() };
    this.open.set(line.k, line);
    this.append(line);
  }

  recorded(delivery: JournalledDelivery): void {
    const k = keyOf(delivery);
    if (!this.open.delete(k)) return;
    this.append({ k, d: 1 });
  }

  find(delivery: JournalledDelivery): JournalEntry | undefined {
    const line = this.open.get(keyOf(delivery));
    if (!line || line.c !== delivery.createdAtMs) return undefined;
    return { activityId: line.a as string, at: line.t as number };
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private append(line: Line): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    this.appended += 1;
    if (this.appended >= this.compactAfterLines) this.compact();
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const raw of text.split('\n')) {
      const line = raw.trim() ? parse(raw) : undefined;
      if (!line) continue;
      if (line.d === 1) this.open.delete(line.k);
      else this.open.set(line.k, line);
    }
  }

  /** Rewrites the file with the open entries younger than `keepMs`, and appends to the new file from then on. */
  private compact(): void {
    const cutoff = this.options.clock.now() - this.keepMs;
    for (const [k, line] of this.open) if ((line.t as number) < cutoff) this.open.delete(k);
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, [...this.open.values()].map((line) => `${JSON.stringify(line)}\n`).join(''), { mode: 0o600 });
    renameSync(temporary, this.file);
    this.close();
    this.fd = openSync(this.file, 'a', 0o600);
    this.appended = 0;
  }

  private removeStaleSiblings(): void {
    const directory = path.dirname(this.file);
    // File ages are the file system's (wall-clock) times, not the dispatcher's clock.
    const cutoff = Date.now() - this.keepMs;
    for (const name of readdirSync(directory)) {
      const sibling = path.join(directory, name);
      if (sibling === this.file || !/^send-journal-[A-Za-z0-9_-]+\.jsonl(\.\d+\.tmp)?$/.test(name)) continue;
      try {
        if (statSync(sibling).mtimeMs < cutoff) unlinkSync(sibling);
      } catch {
        // Removed meanwhile by another process: nothing to do.
      }
    }
  }
}
