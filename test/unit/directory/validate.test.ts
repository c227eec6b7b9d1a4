import { readFileSync } from 'node:fs';
import { parseDirectory, validateDirectory } from '../../../services/directory/validate';
import { berlinDate } from '../../../services/common/berlinTime';
import { authorityForEmail, currentAbsence, type Directory } from '../../../services/directory/model';
import { dataFile } from '../../../services/paths';

const demoText = readFileSync(dataFile('demo-directory.json'), 'utf8');
const demo = (): Directory => JSON.parse(demoText) as Directory;

describe('the demo directory', () => {
  it('is valid', () => {
    const result = validateDirectory(demo());
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('holds only visibly fictitious people with example addresses', () => {
    const d = demo();
    const people = [
      ...d.authorities.flatMap((a) => [a.commissioner!, a.deputy!, a.head]),
      ...d.kfi.contacts,
      ...d.circle.guests,
    ];
    expect(people.length).toBeGreaterThanOrEqual(18);
    for (const p of people) {
      expect(p.name).toMatch(/ \(Beispiel\)$/);
      expect(p.email).toMatch(/\.example$/);
    }
    for (const a of d.authorities) expect(a.headOffice.email).toMatch(/\.example$/);
  });

  it('covers all five authorities, each with IB, deputy, head and head office, and the KfI', () => {
    const d = demo();
    expect(d.authorities.map((a) => a.code).sort()).toEqual(['arnsberg', 'detmold', 'duesseldorf', 'koeln', 'muenster']);
    expect(d.kfi.authority).toBe('arnsberg');
    expect(d.kfi.orgUnit).toBe('Dezernat 36');
    expect(d.circle.members.filter((m) => m.role === 'commissioner')).toHaveLength(5);
  });
});

describe('rejecting a bad directory file', () => {
  it('lists every problem with its path and reason, schema and cross-checks alike', () => {
    const d = demo() as unknown as Record<string, any>;
    d.updatedAt = 'yesterday';
    d.extra = true;
    d.authorities[1].code = 'arnsberg'; // duplicate, so detmold is missing
    d.authorities[2].commissioner.email = 'not-an-address';
    d.authorities[2].commissioner.teams.aadObjectId = '1234';
    delete d.authorities[3].head.name;
    d.authorities[3].commissioner.absences = [{ from: '2025-05-10', to: '2025-05-01' }];
    d.authorities[4].deputy.id = d.authorities[4].commissioner.id;
    d.authorities[0].deputy.email = 'someone@elsewhere.example';
    d.circle.members.push({ personId: 'nobody', role: 'guest' });
    d.kfi.authority = 'koeln';

    const result = validateDirectory(d);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const has = (path: string, reason: RegExp) =>
      expect(result.problems).toContainEqual({ path, reason: expect.stringMatching(reason) });
    has('/updatedAt', /date-time/);
    has('/extra', /not a known property/);
    has('/authorities/1/code', /duplicates \/authorities\/0/);
    has('/authorities', /no entry for "detmold"/);
    has('/authorities/2/commissioner/email', /email/);
    has('/authorities/2/commissioner/teams/aadObjectId', /GUID/);
    has('/authorities/3/head/name', /required/);
    has('/authorities/3/commissioner/absences/0', /ends \(2025-05-01\) before it starts/);
    has('/authorities/4/deputy/id', /different person/);
    has('/authorities/0/deputy/email', /not in this authority's emailDomains/);
    has('/circle/members/13/personId', /not a person/);
    has('/kfi/authority', /arnsberg/);
    for (const p of result.problems) {
      expect(typeof p.path).toBe('string');
      expect(p.reason.length).toBeGreaterThan(5);
    }
  });

  it('reports duplicate person ids and Teams ids across the file', () => {
    const d = demo();
    d.kfi.contacts[0].id = 'koeln-ib';
    d.kfi.contacts[1].teams!.aadObjectId = d.authorities[0].commissioner!.teams!.aadObjectId;
    const result = validateDirectory(d);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual({ path: '/kfi/contacts/0/id', reason: expect.stringMatching(/already used at \/authorities\/3\/commissioner/) });
    expect(result.problems).toContainEqual({ path: '/kfi/contacts/1/teams/aadObjectId', reason: expect.stringMatching(/already used/) });
  });

  it('accepts a vacant post (commissioner and deputy null)', () => {
    const d = demo();
    d.authorities[2].commissioner = null;
    d.authorities[2].deputy = null;
    d.circle.members = d.circle.members.filter((m) => !m.personId.startsWith('duesseldorf'));
    expect(validateDirectory(d).ok).toBe(true);
  });

  it('reports a syntax error at the root and never throws', () => {
    expect(parseDirectory('{ "schemaVersion": 1,')).toEqual({ ok: false, problems: [{ path: '', reason: expect.stringMatching(/not valid JSON/) }] });
    for (const junk of [null, 42, 'text', [], {}]) {
      const r = validateDirectory(junk);
      expect(r.ok).toBe(false);
    }
  });
});

describe('directory helpers', () => {
  it('infers the home authority from a staff mail domain, sub-domains included', () => {
    const d = demo();
    expect(authorityForEmail(d, 'x.y@bezreg-koeln.example')).toBe('koeln');
    expect(authorityForEmail(d, 'x.y@dez36.bezreg-arnsberg.example')).toBe('arnsberg');
    expect(authorityForEmail(d, 'x.y@gmail.com')).toBeUndefined();
  });

  it('finds the absence covering a day, both ends inclusive', () => {
    const ib = demo().authorities[3].commissioner!;
    expect(currentAbsence(ib, '2025-07-07')).toBeDefined();
    expect(currentAbsence(ib, '2025-07-25')).toBeDefined();
    expect(currentAbsence(ib, '2025-07-26')).toBeUndefined();
  });

  it('takes the calendar day in Berlin, across midnight and summer time', () => {
    expect(berlinDate(new Date('2025-03-30T22:30:00Z'))).toBe('2025-03-31');
    expect(berlinDate(new Date('2025-01-31T23:30:00Z'))).toBe('2025-02-01');
    expect(berlinDate(new Date('2025-10-26T22:30:00Z'))).toBe('2025-10-26');
  });
});
