import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileSendJournal, type JournalledDelivery } from '../../../services/notifications/sendJournal';
import { FakeClock } from '../../support/fakeClock';

const DAY = 24 * 3_600_000;

function delivery(n: number, createdAtMs = 1_700_000_000_000 + n): JournalledDelivery {
  return { pk: `n-item:anl-${n}:r2:status:user:3f2a9c1e-0000-4000-a000-00000000000${n}`, id: `d-recipient-${n}`, createdAtMs };
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}

describe('the send journal (issue 14: a send Teams accepted, kept on local disk until the outbox records it)', () => {
  let dir: string;
  let file: string;
  let clock: FakeClock;
  const open: FileSendJournal[] = [];

  /** Opens the journal as a (re)started process would. */
  function reopen(options: { keepMs?: number; compactAfterLines?: number } = {}): FileSendJournal {
    const journal = FileSendJournal.open(file, { clock, ...options });
    open.push(journal);
    return journal;
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'send-journal-test-'));
    file = FileSendJournal.fileFor(dir, { endpoint: 'https://127.0.0.1:8081/', databaseId: 'lotse' });
    clock = new FakeClock();
  });

  afterEach(() => {
    for (const j of open.splice(0)) j.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('remembers an accepted send across a restart until its outcome is recorded', () => {
    const first = reopen();
    first.accepted(delivery(1), 'msg-1');
    first.accepted(delivery(2), 'msg-2');
    first.recorded(delivery(2));
    // The process is killed here: nothing closed, nothing flushed beyond the write calls themselves.
    const second = reopen();
    expect(second.find(delivery(1))).toEqual({ activityId: 'msg-1', at: clock.now() });
    expect(second.find(delivery(2))).toBeUndefined();
    expect(second.size).toBe(1);
    second.recorded(delivery(1));
    expect(reopen().find(delivery(1))).toBeUndefined();
  });

  it('finds an entry only for the same delivery: another creation time under the same key is a different delivery', () => {
    const first = reopen();
    first.accepted(delivery(1), 'msg-1');
    const second = reopen();
    expect(second.find(delivery(1, 42))).toBeUndefined();
    expect(second.find({ ...delivery(1), id: 'd-someone-else' })).toBeUndefined();
  });

  it('writes no notification key, delivery id or person id to disk, only digests and message ids', () => {
    const journal = reopen();
    journal.accepted(delivery(1), 'msg-1');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('msg-1');
    expect(text).not.toContain('anl-1');
    expect(text).not.toContain('3f2a9c1e');
    expect(text).not.toContain('d-recipient-1');
  });

  it('compacts to the open entries at start and after many appended lines', () => {
    const first = reopen({ compactAfterLines: 10 });
    for (let i = 1; i <= 7; i++) {
      first.accepted(delivery(i), `msg-${i}`);
      if (i !== 4) first.recorded(delivery(i));
    }
    // 14 lines appended: compacted once after the tenth, so the file holds the open entry and what followed.
    expect(lines(file).length).toBeLessThan(14);
    expect(lines(file).length).toBeGreaterThan(0);
    const second = reopen({ compactAfterLines: 10 });
    expect(lines(file)).toHaveLength(1);
    expect(second.find(delivery(4))?.activityId).toBe('msg-4');
    for (const i of [1, 2, 3, 5, 6, 7]) expect(second.find(delivery(i))).toBeUndefined();
  });

  it('tolerates a last line cut short and lines that are not entries, and keeps appending readable lines', () => {
    const first = reopen();
    first.accepted(delivery(1), 'msg-1');
    first.accepted(delivery(2), 'msg-2');
    first.close();
    // A write cut short (a machine crash mid-write) and stray content.
    appendFileSync(file, 'not json\n{"k":42}\n{"k":"abc","a":"msg-3","t":17');
    const second = reopen();
    expect(second.find(delivery(1))?.activityId).toBe('msg-1');
    expect(second.find(delivery(2))?.activityId).toBe('msg-2');
    second.accepted(delivery(3), 'msg-3');
    const third = reopen();
    expect(third.find(delivery(3))?.activityId).toBe('msg-3');
    expect(lines(file).every((l) => JSON.parse(l))).toBe(true);
  });

  it('drops entries older than its keeping time when it compacts (such a delivery is sent again, as without a journal)', async () => {
    const first = reopen({ keepMs: 7 * DAY });
    first.accepted(delivery(1), 'msg-1');
    await clock.advance(7 * DAY + 1);
    first.accepted(delivery(2), 'msg-2');
    const second = reopen({ keepMs: 7 * DAY });
    expect(second.find(delivery(1))).toBeUndefined();
    expect(second.find(delivery(2))?.activityId).toBe('msg-2');
  });

  it('uses one file per database, and deletes other databases’ journals left untouched for longer than its keeping time', () => {
    const other = FileSendJournal.fileFor(dir, { endpoint: 'https://127.0.0.1:8081/', databaseId: 'another' });
    const stale = FileSendJournal.fileFor(dir, { endpoint: 'https://127.0.0.1:9999/', databaseId: 'lotse' });
    expect(new Set([file, other, stale]).size).toBe(3);
    expect(FileSendJournal.fileFor(dir, { endpoint: 'https://127.0.0.1:8081/', databaseId: 'lotse' })).toBe(file);
    writeFileSync(other, '');
    writeFileSync(stale, '');
    const unrelated = path.join(dir, 'notes.txt');
    writeFileSync(unrelated, 'kept');
    // File ages are the file system's: eight days before the file system's now.
    const old = (Date.now() - 8 * DAY) / 1000;
    utimesSync(stale, old, old);
    utimesSync(unrelated, old, old);
    reopen({ keepMs: 7 * DAY });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(other)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
  });
});
