import { AUTHORITY_CODES, AUTHORITY_NAMES, AUTHORITY_SEATS, type Directory } from './model';

/**
 * The five authorities with no people, for a deployment whose directory was not imported yet: the bot
 * can still say which Bezirksregierung is responsible for a place, and says that the names are missing
 * instead of inventing any.
 */
export function skeletonDirectory(now: Date = new Date()): Directory {
  const today = now.toISOString().slice(0, 10);
  return {
    schemaVersion: 1,
    directoryVersion: 'none',
    updatedAt: now.toISOString(),
    authorities: AUTHORITY_CODES.map((code) => ({
      code,
      name: AUTHORITY_NAMES[code],
      address: { street: '', postalCode: '', city: AUTHORITY_SEATS[code] },
      emailDomains: [],
      commissioner: null,
      deputy: null,
      head: { id: `${code}-head`, name: `Behördenleitung der ${AUTHORITY_NAMES[code]}`, title: 'Regierungspräsidentin / Regierungspräsident', orgUnit: '', email: '', lastVerified: today },
      headOffice: { name: `Büro der Behördenleitung, ${AUTHORITY_NAMES[code]}`, email: '', functionalMailbox: true },
    })),
    kfi: {
      name: 'Kompetenzzentrum für Integration',
      authority: 'arnsberg',
      orgUnit: 'Dezernat 36',
      address: { street: '', postalCode: '', city: 'Arnsberg' },
      email: '',
      contacts: [],
    },
    circle: { members: [], guests: [] },
  };
}
