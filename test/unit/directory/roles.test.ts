import { readFileSync } from 'node:fs';
import { parseDirectory } from '../../../services/directory/validate';
import { activeHandler, isCommissionerSide, isHeadSide, mayDecideReports, reportRecipients, rolesOf } from '../../../services/directory/roles';
import { dataFile } from '../../../services/paths';
import type { Directory } from '../../../services/directory/model';

function demo(): Directory {
  const result = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.directory;
}

describe('roles from the directory', () => {
  const directory = demo();
  const koeln = directory.authorities.find((a) => a.code === 'koeln')!;
  const detmold = directory.authorities.find((a) => a.code === 'detmold')!;

  it('finds the IB, deputy, head, head office and KfI by AAD object id, case-insensitively', () => {
    expect(rolesOf(directory, koeln.commissioner!.teams!.aadObjectId.toUpperCase()).commissionerOf).toEqual(['koeln']);
    expect(rolesOf(directory, koeln.deputy!.teams!.aadObjectId).deputyOf).toEqual(['koeln']);
    expect(rolesOf(directory, koeln.head.teams!.aadObjectId).headOf).toEqual(['koeln']);
    expect(rolesOf(directory, koeln.headOffice.staff![0].teams!.aadObjectId).headOfficeOf).toEqual(['koeln']);
    const kfi = rolesOf(directory, directory.kfi.contacts[0].teams!.aadObjectId);
    expect(kfi.kfi && kfi.circleMember).toBe(true);
    const nobody = rolesOf(directory, '11111111-2222-4333-8444-555555555555');
    expect(nobody).toMatchObject({ commissionerOf: [], deputyOf: [], headOf: [], headOfficeOf: [], kfi: false, circleMember: false });
  });

  it('lets the head decide everywhere, the office only where mayDecide is set', () => {
    const koelnOffice = rolesOf(directory, koeln.headOffice.staff![0].teams!.aadObjectId);
    const detmoldOffice = rolesOf(directory, detmold.headOffice.staff![0].teams!.aadObjectId);
    expect(mayDecideReports(koelnOffice, koeln)).toBe(true);
    expect(mayDecideReports(detmoldOffice, detmold)).toBe(false);
    expect(isHeadSide(detmoldOffice, detmold)).toBe(true);
    expect(isHeadSide(detmoldOffice, koeln)).toBe(false);
    expect(isCommissionerSide(rolesOf(directory, koeln.deputy!.teams!.aadObjectId), 'koeln')).toBe(true);
    expect(reportRecipients(koeln)).toEqual([koeln.head.teams!.aadObjectId, koeln.headOffice.staff![0].teams!.aadObjectId]);
  });

  it('hands requests to the deputy while the IB is absent', () => {
    const absent = structuredClone(koeln);
    absent.commissioner!.absences = [{ from: '2026-12-01', to: '2026-12-04' }];
    expect(activeHandler(absent, '2026-12-02')).toMatchObject({ asDeputy: true, person: { id: koeln.deputy!.id } });
    expect(activeHandler(absent, '2026-12-05')).toMatchObject({ asDeputy: false, person: { id: koeln.commissioner!.id } });
  });
});
