import { isRight, parseCases, score, type ScoredAnswer } from '../../../bench/answersEval';

const marl: ScoredAnswer = { intent: 'contact.commissioner', authority: 'muenster', place: { ags: '05562024' } };

describe('answers evaluation: scoring', () => {
  it('needs intent, authority and place to match when all are expected', () => {
    const want = { intent: 'contact.commissioner', authority: 'muenster', place: '05562024' };
    expect(isRight(want, marl)).toBe(true);
    expect(isRight(want, { ...marl, intent: 'contact.ki' })).toBe(false);
    expect(isRight(want, { ...marl, authority: 'arnsberg' })).toBe(false);
    expect(isRight(want, { ...marl, place: { ags: '05562020' } })).toBe(false);
    expect(isRight(want, { ...marl, place: null })).toBe(false);
    expect(isRight(want, undefined)).toBe(false);
  });

  it('treats null as "names none" and undefined as "not checked", like score.mjs ("none" too)', () => {
    const tasks: ScoredAnswer = { intent: 'info.tasks', authority: null, place: null };
    expect(isRight({ intent: 'info.tasks', authority: null, place: null }, tasks)).toBe(true);
    expect(isRight({ intent: 'info.tasks', authority: null, place: null }, { ...tasks, authority: 'koeln' })).toBe(false);
    expect(isRight({ intent: 'info.tasks', authority: null, place: null }, { ...tasks, place: { ags: '05315000' } })).toBe(false);
    expect(isRight({ intent: 'info.tasks', authority: 'none' }, tasks)).toBe(true);
    expect(isRight({ intent: 'info.tasks', authority: 'none' }, { ...tasks, authority: 'koeln' })).toBe(false);
    expect(isRight({ intent: 'info.tasks' }, { ...tasks, authority: 'koeln', place: { ags: '05315000' } })).toBe(true);
  });

  it('counts both keys of a kreisfreie Stadt as the same place, but not a Kreis and its town', () => {
    const essen = { intent: 'contact.commissioner', authority: 'duesseldorf', place: '05113000' };
    expect(isRight(essen, { intent: 'contact.commissioner', authority: 'duesseldorf', place: { ags: '05113' } })).toBe(true);
    const kleve = { intent: 'contact.commissioner', authority: 'duesseldorf', place: '05154036' };
    expect(isRight(kleve, { intent: 'contact.commissioner', authority: 'duesseldorf', place: { ags: '05154' } })).toBe(false);
  });

  it('reads both file formats and scores per pattern', () => {
    const cases = parseCases([
      JSON.stringify({ id: 'u1', text: 'Werne: IB?', intent: 'contact.commissioner', authority: 'arnsberg', place: '05978040', pattern: 'homonym_place' }),
      '',
      JSON.stringify({ id: 'u2', text: 'Was macht die IB?', homeAuthority: 'koeln', intent: 'info.tasks', authority: null, place: null, pattern: 'tasks_not_contact' }),
      JSON.stringify({ id: 'p1', text: 'Seit wann gilt der Runderlass?', expect: { intent: 'info.effective_date' }, tag: 'plain' }),
    ].join('\n'));
    expect(cases.map((c) => [c.id, c.pattern])).toEqual([['u1', 'homonym_place'], ['u2', 'tasks_not_contact'], ['p1', 'plain']]);
    expect(cases[1].homeAuthority).toBe('koeln');
    expect(cases[2].expect).toEqual({ intent: 'info.effective_date', authority: undefined, place: undefined });
    const answers = new Map<string, ScoredAnswer>([
      ['u1', { intent: 'contact.commissioner', authority: 'arnsberg', place: { ags: '05978040' } }],
      ['u2', { intent: 'contact.commissioner', authority: 'koeln', place: null }],
      ['p1', { intent: 'info.effective_date', authority: null, place: null }],
    ]);
    const s = score(cases, answers);
    expect(s).toMatchObject({ cases: 3, right: 2 });
    expect(s.accuracy).toBeCloseTo(2 / 3);
    expect(s.byPattern.get('tasks_not_contact')).toEqual({ cases: 1, right: 0, accuracy: 0 });
    expect(s.byPattern.get('homonym_place')).toEqual({ cases: 1, right: 1, accuracy: 1 });
    expect(s.misses.map((m) => m.case.id)).toEqual(['u2']);
    expect(score([], new Map()).accuracy).toBe(0);
  });

  it('rejects an unseen-set line without authority or place, so a forgotten label is not scored as null', () => {
    expect(() => parseCases(JSON.stringify({ id: 'x', text: 'Hilfe', intent: 'help', pattern: 'typos_and_plain' }))).toThrow(/line 1/);
    expect(() => parseCases('{not json')).toThrow(/line 1: not JSON/);
  });
});
