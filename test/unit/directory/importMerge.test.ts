import { mergeImported, sameValue } from '../../../services/directory/importMerge';

/** An authority-like part: the commissioner's fields, a deputy that may be null, an array field. */
const base = {
  name: 'Bezirksregierung Köln',
  commissioner: { name: 'Erika Beispiel', officeHours: 'Mo–Do 9–15 Uhr', phone: '0221 1', absences: [] as unknown[], lastVerified: '2026-01-10' },
  deputy: null as null | Record<string, unknown>,
  emailDomains: ['bezreg-koeln.nrw.de'],
};
type Part = typeof base;
const edit = (change: (p: Part) => void): Part => {
  const p = structuredClone(base);
  change(p);
  return p;
};

describe('mergeImported: a file merged with the edits made in Teams since the last import', () => {
  const cases: Array<{ name: string; teams: (p: Part) => void; file: (p: Part) => void; expect: (p: Part) => void; conflicts: string[]; kept?: string[] }> = [
    { name: 'nothing changed anywhere: the value stays', teams: () => {}, file: () => {}, expect: () => {}, conflicts: [] },
    {
      name: 'a field changed only in the file takes the file value',
      teams: () => {},
      file: (p) => (p.commissioner.officeHours = 'Di 10–12 Uhr'),
      expect: (p) => (p.commissioner.officeHours = 'Di 10–12 Uhr'),
      conflicts: [],
    },
    {
      name: 'a field changed only in Teams keeps the Teams value',
      teams: (p) => (p.commissioner.officeHours = 'nach Vereinbarung'),
      file: () => {},
      expect: (p) => (p.commissioner.officeHours = 'nach Vereinbarung'),
      conflicts: [],
      kept: ['/commissioner/officeHours'],
    },
    {
      name: 'a field changed in Teams and equal in the file is no conflict',
      teams: (p) => (p.commissioner.officeHours = 'nach Vereinbarung'),
      file: (p) => (p.commissioner.officeHours = 'nach Vereinbarung'),
      expect: (p) => (p.commissioner.officeHours = 'nach Vereinbarung'),
      conflicts: [],
    },
    {
      name: 'a field changed in Teams and differently in the file is a conflict, the Teams value stays',
      teams: (p) => (p.commissioner.officeHours = 'nach Vereinbarung'),
      file: (p) => (p.commissioner.officeHours = 'Di 10–12 Uhr'),
      expect: (p) => (p.commissioner.officeHours = 'nach Vereinbarung'),
      conflicts: ['/commissioner/officeHours'],
    },
    {
      name: 'different fields of the same person changed on each side merge without conflict',
      teams: (p) => (p.commissioner.officeHours = 'nach Vereinbarung'),
      file: (p) => (p.commissioner.phone = '0221 2'),
      expect: (p) => {
        p.commissioner.officeHours = 'nach Vereinbarung';
        p.commissioner.phone = '0221 2';
      },
      conflicts: [],
      kept: ['/commissioner/officeHours'],
    },
    {
      name: 'a field removed in Teams and changed in the file is a conflict',
      teams: (p) => delete (p.commissioner as Partial<Part['commissioner']>).phone,
      file: (p) => (p.commissioner.phone = '0221 2'),
      expect: (p) => delete (p.commissioner as Partial<Part['commissioner']>).phone,
      conflicts: ['/commissioner/phone'],
    },
    {
      name: 'an array is one field: absences added in Teams and others in the file conflict',
      teams: (p) => (p.commissioner.absences = [{ from: '2026-03-01', to: '2026-03-05' }]),
      file: (p) => (p.commissioner.absences = [{ from: '2026-04-01', to: '2026-04-02' }]),
      expect: (p) => (p.commissioner.absences = [{ from: '2026-03-01', to: '2026-03-05' }]),
      conflicts: ['/commissioner/absences'],
    },
    {
      name: 'a deputy entered in Teams while the file enters another is one conflict on the deputy',
      teams: (p) => (p.deputy = { name: 'A', email: 'a@bezreg-koeln.nrw.de' }),
      file: (p) => (p.deputy = { name: 'B', email: 'b@bezreg-koeln.nrw.de' }),
      expect: (p) => (p.deputy = { name: 'A', email: 'a@bezreg-koeln.nrw.de' }),
      conflicts: ['/deputy'],
      // (the deputy was null when last imported: the new person is one field, not a mix of two people)
    },
    {
      name: 'the later "last checked" date wins without a conflict',
      teams: (p) => (p.commissioner.lastVerified = '2026-06-01'),
      file: (p) => (p.commissioner.lastVerified = '2026-05-01'),
      expect: (p) => (p.commissioner.lastVerified = '2026-06-01'),
      conflicts: [],
    },
  ];

  it.each(cases)('$name', ({ teams, file, expect: expected, conflicts, kept }) => {
    const result = mergeImported(base, edit(teams), edit(file));
    expect(result.value).toEqual(edit(expected));
    expect(result.conflicts.map((c) => c.path)).toEqual(conflicts);
    expect(result.keptFromTeams).toEqual(kept ?? []);
  });

  it('names both values of a conflict, and takes the file value when the file is preferred', () => {
    const teams = edit((p) => (p.commissioner.officeHours = 'nach Vereinbarung'));
    const file = edit((p) => (p.commissioner.officeHours = 'Di 10–12 Uhr'));
    const result = mergeImported(base, teams, file, { preferFile: true });
    expect(result.conflicts).toEqual([{ path: '/commissioner/officeHours', teams: 'nach Vereinbarung', file: 'Di 10–12 Uhr' }]);
    expect(result.value.commissioner.officeHours).toBe('Di 10–12 Uhr');
  });

  it('without a record of the last import, the file wins everywhere (as imports did before)', () => {
    const teams = edit((p) => (p.commissioner.officeHours = 'nach Vereinbarung'));
    const file = edit((p) => (p.commissioner.officeHours = 'Di 10–12 Uhr'));
    const result = mergeImported(undefined, teams, file);
    expect(result.value).toEqual(file);
    expect(result.conflicts).toEqual([]);
  });

  it('compares values regardless of key order', () => {
    expect(sameValue({ a: 1, b: [{ x: 1, y: 2 }] }, { b: [{ y: 2, x: 1 }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameValue({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });
});
