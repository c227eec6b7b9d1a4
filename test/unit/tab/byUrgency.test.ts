import { byUrgency } from '../../../bot/tab/tabService';

const item = (id: string, updatedAt: string, deadline?: string) => ({ id, updatedAt, ...(deadline ? { deadline } : {}) });

describe("the order of the tab's work lists (inbox, reports)", () => {
  it('puts the earliest deadline first, an overdue one before a coming one, and items without a deadline last', () => {
    const list = [
      item('no-deadline-old', '2026-11-01T08:00:00Z'),
      item('due-later', '2026-11-20T08:00:00Z', '2026-12-20'),
      item('overdue', '2026-11-02T08:00:00Z', '2026-11-28'),
      item('no-deadline-new', '2026-11-30T08:00:00Z'),
      item('due-soon', '2026-11-03T08:00:00Z', '2026-12-03'),
    ];
    expect(byUrgency(list).map((x) => x.id)).toEqual(['overdue', 'due-soon', 'due-later', 'no-deadline-new', 'no-deadline-old']);
  });

  it('orders items with the same deadline by their last change, the most recent first, and leaves the input as it was', () => {
    const list = [item('a', '2026-11-01T08:00:00Z', '2026-12-03'), item('b', '2026-11-05T08:00:00Z', '2026-12-03')];
    expect(byUrgency(list).map((x) => x.id)).toEqual(['b', 'a']);
    expect(list.map((x) => x.id)).toEqual(['a', 'b']);
  });
});
