import {
  aggregateFigures,
  FiguresReader,
  isoWeekOf,
  protect,
  protectBreakdown,
  protectShare,
  QuestionCounter,
  type WeekCountsDoc,
} from '../../../services/answers/figures';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

/** Tuesday, 24 November 2026 (ISO week 48). */
const NOW = new Date('2026-11-24T09:00:00Z');

describe('k-anonymity of the figures', () => {
  it.each([
    [0, { n: 0 }],
    [1, { lt: 5 }],
    [4, { lt: 5 }],
    [5, { n: 5 }],
    [120, { n: 120 }],
  ])('shows %i questions as %j', (n, cell) => {
    expect(protect(n)).toEqual(cell);
  });

  it('withholds a second group when only one of a breakdown is small (the total would give it away)', () => {
    expect(protectBreakdown([12, 3, 7, 9])).toEqual([{ n: 12 }, { lt: 5 }, { lt: 5 }, { n: 9 }]);
    expect(protectBreakdown([12, 3, 2])).toEqual([{ n: 12 }, { lt: 5 }, { lt: 5 }]);
    expect(protectBreakdown([12, 6])).toEqual([{ n: 12 }, { n: 6 }]);
  });

  it('shows an answered share only when neither part is a group of 1 to 4', () => {
    expect(protectShare(10, 10)).toEqual({ percent: 100 });
    expect(protectShare(6, 12)).toEqual({ percent: 50 });
    expect(protectShare(8, 10)).toEqual({ lt: 5 });
    expect(protectShare(3, 4)).toEqual({ lt: 5 });
  });
});

describe('weekly question counts', () => {
  it('names ISO weeks in Berlin time (a Sunday night in UTC is already Monday in Berlin)', () => {
    expect(isoWeekOf(NOW)).toEqual({ week: '2026-W48', monday: '2026-11-23' });
    expect(isoWeekOf(new Date('2026-11-29T23:30:00Z'))).toEqual({ week: '2026-W49', monday: '2026-11-30' });
    expect(isoWeekOf(new Date('2027-01-01T12:00:00Z'))).toEqual({ week: '2026-W53', monday: '2026-12-28' });
  });

  it('counts in memory, stores the sums on flush with no text and no user, and aggregates them per authority', async () => {
    const store = new MemoryDocumentStore<WeekCountsDoc>();
    const counter = new QuestionCounter(store);
    for (let i = 0; i < 7; i++) counter.count('duesseldorf', 'contact.commissioner', true, NOW);
    for (let i = 0; i < 5; i++) counter.count('duesseldorf', 'out_of_scope', false, NOW);
    for (let i = 0; i < 2; i++) counter.count('koeln', 'info.tasks', true, NOW);
    await counter.flush();
    // A second instance's counts add to the same week.
    const other = new QuestionCounter(store);
    for (let i = 0; i < 3; i++) other.count('duesseldorf', 'contact.commissioner', true, NOW);
    await other.stop();
    const stored = await store.read('duesseldorf', '2026-W48');
    expect(stored?.counts).toEqual({ 'contact.commissioner': { asked: 10, answered: 10 }, out_of_scope: { asked: 5, answered: 0 } });
    expect(Object.keys(stored ?? {})).not.toEqual(expect.arrayContaining(['text', 'aadObjectId']));

    const reader = new FiguresReader(store);
    const ib = await reader.figures(['duesseldorf'], NOW);
    expect(ib.weeks[0]).toEqual({
      week: '2026-W48',
      monday: '2026-11-23',
      asked: { n: 15 },
      answeredShare: { percent: 67 },
      byIntent: [{ intent: 'contact.commissioner', asked: { n: 10 } }, { intent: 'out_of_scope', asked: { n: 5 } }],
    });
    expect(ib.topUnanswered).toEqual([{ intent: 'out_of_scope', unanswered: { n: 5 } }]);
    const kfi = await reader.figures(['duesseldorf', 'koeln'], NOW);
    expect(kfi.weeks[0].byAuthority).toEqual([{ authority: 'duesseldorf', asked: { lt: 5 } }, { authority: 'koeln', asked: { lt: 5 } }]);
    expect(kfi.weeks[0].asked).toEqual({ n: 17 });
    expect(kfi.weeks).toHaveLength(8);
  });

  it('shows a small group as "< 5" and nothing of an authority the viewer may not see', () => {
    const doc: WeekCountsDoc = { id: '2026-W48', pk: 'koeln', type: 'weekCounts', week: '2026-W48', monday: '2026-11-23', counts: { help: { asked: 2, answered: 2 } }, expiresAt: '', ttl: 1 };
    const view = aggregateFigures([doc], ['koeln'], NOW);
    expect(view.weeks[0]).toMatchObject({ asked: { lt: 5 }, answeredShare: { lt: 5 }, byIntent: [{ intent: 'help', asked: { lt: 5 } }] });
    expect(aggregateFigures([doc], ['muenster'], NOW).weeks[0]).toMatchObject({ asked: { n: 0 }, byIntent: [] });
  });

  it('deletes weeks past retention', async () => {
    const store = new MemoryDocumentStore<WeekCountsDoc>();
    const counter = new QuestionCounter(store);
    counter.count(null, 'help', true, NOW);
    await counter.flush();
    const reader = new FiguresReader(store);
    expect(await reader.purgeExpired(new Date(NOW.getTime() + 700 * 86_400_000))).toBe(0);
    expect(await reader.purgeExpired(new Date(NOW.getTime() + 740 * 86_400_000))).toBe(1);
  });
});
