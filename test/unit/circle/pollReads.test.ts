import type { PollAnswerDoc } from '../../../services/circle/model';
import { ok } from '../../support/circle';
import { circleOnMemory } from '../../support/circleOnMemory';

/**
 * A busy poll (the circle's members answering at once, issue 14): one read of the poll's partition serves the answers
 * that follow in this process for a second; each answer still writes the member's own document and shows it, and the
 * poll's own writes in this process are seen at once.
 */

const KFI = '00000000-0000-4000-8000-000600000001';
const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const DETMOLD_IB = '00000000-0000-4000-8000-000200000001';
const DUS_IB = '00000000-0000-4000-8000-000100000001';
const NOW = new Date('2026-12-04T10:00:00Z');
const POLL = { tenantId: 't', title: 'Sitzung Frühjahr (Beispiel)', slots: [{ date: '2027-03-02', time: '10:00' }, { date: '2027-03-09', time: '10:00' }], durationMinutes: 120, place: 'Arnsberg' };

function setup() {
  let elapsed = 0;
  const s = circleOnMemory({ now: () => NOW, elapsedMs: () => elapsed });
  let queries = 0;
  const query = s.store.query.bind(s.store);
  s.store.query = (async (...args: Parameters<typeof query>) => {
    queries++;
    return query(...args);
  }) as typeof s.store.query;
  return { ...s, queries: () => queries, pass: (ms: number) => (elapsed += ms) };
}

describe("a poll's answers in one process", () => {
  it('read the partition once a second: the answers in between count each other, and the own answer shows at once', async () => {
    const s = setup();
    const pollId = ok(await s.service.createPoll(KFI, POLL)).poll.pk;
    const [first, second] = (await s.service.pollView(pollId, KFI)).poll.slots;
    const before = s.queries();
    const a = ok(await s.service.answerPoll(KOELN_IB, pollId, { [first!.id]: 'yes', [second!.id]: 'no' }));
    expect(a.mine).toEqual({ [first!.id]: 'yes', [second!.id]: 'no' });
    const b = ok(await s.service.answerPoll(DETMOLD_IB, pollId, { [first!.id]: 'yes' }));
    // The second answer's tallies count the first (kept from the read), and its own.
    expect(b.tallies[first!.id]).toEqual({ yes: 2, maybe: 0, no: 0 });
    expect(b.answeredCount).toBe(2);
    // The first member changes their mind: a patch of their own document, shown at once.
    const again = ok(await s.service.answerPoll(KOELN_IB, pollId, { [first!.id]: 'no' }));
    expect(again.mine).toEqual({ [first!.id]: 'no', [second!.id]: 'no' });
    expect(again.tallies[first!.id]).toEqual({ yes: 1, maybe: 0, no: 1 });
    expect(s.queries() - before).toBe(1);

    // Another instance's answer (written straight to the store) shows once the second has passed.
    const other: PollAnswerDoc = { id: `answer:${DUS_IB}`, pk: pollId, type: 'pollAnswer', member: DUS_IB, choices: { [first!.id]: 'maybe' }, updatedAt: NOW.toISOString() };
    await s.store.create(other);
    expect(ok(await s.service.answerPoll(DETMOLD_IB, pollId, { [second!.id]: 'yes' })).tallies[first!.id]).toEqual({ yes: 1, maybe: 0, no: 1 });
    s.pass(1_000);
    const later = ok(await s.service.answerPoll(DETMOLD_IB, pollId, { [second!.id]: 'maybe' }));
    expect(later.tallies[first!.id]).toEqual({ yes: 1, maybe: 1, no: 1 });
    expect(later.answeredCount).toBe(3);
    expect(s.queries() - before).toBe(2);
  });

  it('sees its own close at once: the next answer is refused, with nothing stored', async () => {
    const s = setup();
    const pollId = ok(await s.service.createPoll(KFI, POLL)).poll.pk;
    const [first] = (await s.service.pollView(pollId, KFI)).poll.slots;
    ok(await s.service.answerPoll(KOELN_IB, pollId, { [first!.id]: 'yes' }));
    ok(await s.service.closePoll(KFI, pollId, { rsvpDeadline: '2027-03-01' }));
    const late = await s.service.answerPoll(DETMOLD_IB, pollId, { [first!.id]: 'yes' });
    expect(late).toMatchObject({ ok: false, code: 'closed' });
    expect(await s.store.read(pollId, `answer:${DETMOLD_IB}`)).toBeUndefined();
  });

  it('keeps no read of a poll that does not exist', async () => {
    const s = setup();
    const before = s.queries();
    await expect(s.service.answerPoll(KOELN_IB, 'p-00000000-0000-4000-8000-000000000000', { s1: 'yes' })).resolves.toMatchObject({ ok: false, code: 'not_found' });
    await expect(s.service.answerPoll(KOELN_IB, 'p-00000000-0000-4000-8000-000000000000', { s1: 'yes' })).resolves.toMatchObject({ ok: false, code: 'not_found' });
    expect(s.queries() - before).toBe(2);
  });
});
