import { readFileSync } from 'node:fs';
import { ConfirmPrompts, DIRECTORY_SOURCE, promptRound } from '../../../services/directory/confirmPrompts';
import type { DirectoryDoc } from '../../../services/directory/directoryRepository';
import type { Authority } from '../../../services/directory/model';
import { dataFile } from '../../../services/paths';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const demo = JSON.parse(readFileSync(dataFile('demo-directory.json'), 'utf8')) as { authorities: Authority[] };
const koeln = demo.authorities.find((a) => a.code === 'koeln')!;
const withVerified = (day: string): Authority => ({ ...koeln, commissioner: { ...koeln.commissioner!, lastVerified: day } });

describe('when the IB is asked to confirm their entry', () => {
  it.each([
    ['not yet six months after the last confirmation', '2026-05-01', undefined, '2026-10-31', undefined],
    ['on the day six months are over', '2026-05-01', undefined, '2026-11-01', 1],
    ['a first prompt already sent 13 days ago', '2026-05-01', { lastVerified: '2026-05-01', rounds: 1, lastSentOn: '2026-11-01' }, '2026-11-14', undefined],
    ['a first prompt sent 14 days ago, unanswered', '2026-05-01', { lastVerified: '2026-05-01', rounds: 1, lastSentOn: '2026-11-01' }, '2026-11-15', 2],
    ['both prompts sent, still unanswered', '2026-05-01', { lastVerified: '2026-05-01', rounds: 2, lastSentOn: '2026-11-15' }, '2027-03-01', undefined],
    ['confirmed since the prompts (a new period, not yet due)', '2026-11-20', { lastVerified: '2026-05-01', rounds: 2, lastSentOn: '2026-11-15' }, '2026-12-01', undefined],
    ['confirmed since the prompts, and the new period is over', '2026-11-20', { lastVerified: '2026-05-01', rounds: 2, lastSentOn: '2026-11-15' }, '2027-05-20', 1],
  ])('%s', (_name, verified, state, today, round) => {
    expect(promptRound(withVerified(verified), state, today, 6)).toBe(round);
  });

  it('asks nobody for a vacant post or an IB without a Teams account', () => {
    expect(promptRound({ ...koeln, commissioner: null }, undefined, '2030-01-01')).toBeUndefined();
    const { teams: _t, ...noTeams } = koeln.commissioner!;
    expect(promptRound({ ...koeln, commissioner: noTeams }, undefined, '2030-01-01')).toBeUndefined();
  });

  it('writes one prompt per entry when two instances run the job at the same moment (50 rounds, contention counted)', async () => {
    let contended = 0;
    for (let round = 0; round < 50; round++) {
      const store = new MemoryDocumentStore<DirectoryDoc>();
      await store.create({ id: 'authority-koeln', pk: 'directory', type: 'directory', kind: 'authority', data: withVerified('2025-01-10') } as DirectoryDoc);
      const original = store.replace.bind(store);
      // Both read before either writes: the second write meets the first one's ETag.
      let reads = 0;
      const bothRead = new Promise<void>((resolve) => {
        const read = store.read.bind(store);
        store.read = async (pk, id) => {
          const doc = await read(pk, id);
          if (id !== 'authority-koeln') return doc;
          if (++reads === 2) resolve();
          else if (reads < 2) await bothRead;
          return doc;
        };
      });
      store.replace = async (doc, etag) => {
        try {
          return await original(doc, etag);
        } catch (err) {
          contended++;
          throw err;
        }
      };
      const kicked: string[] = [];
      const instance = () =>
        new ConfirmPrompts({
          store,
          writer: { relay: { kick: (_s, doc) => kicked.push(...(doc.pending ?? []).map((n) => n.key)), relayed: () => false }, source: DIRECTORY_SOURCE, now: () => 0 },
          render: () => ({ text: '' }),
          outbox: { enqueue: async () => undefined },
          recipient: async () => ({ lang: 'de', tenantId: 't' }),
          logger: { info: () => undefined, warn: () => undefined } as never,
          now: () => new Date('2026-11-24T09:00:00Z'),
        });
      const [a, b] = await Promise.all([instance().run(), instance().run()]);
      expect(a.prompted + b.prompted).toBe(1);
      expect(kicked).toEqual(['directory:authority-koeln:confirm:2025-01-10:1']);
      const stored = await store.read('directory', 'authority-koeln');
      expect(stored?.confirmPrompt).toEqual({ lastVerified: '2025-01-10', rounds: 1, lastSentOn: '2026-11-24' });
    }
    expect(contended).toBeGreaterThanOrEqual(50);
  });
});
