import { user } from './activities';

/**
 * Fictitious people of the demo directory (`data/demo-directory.json`) as Teams users, for the Vortrag suites: Köln,
 * where the office receives reports and may decide, and Detmold for another authority. `_EN` is the same person with
 * Teams in English (en-GB).
 */
const person = (name: string, aad: string, locale = 'de-DE') => user({ name, aadObjectId: aad, locale });
export const KOELN_IB = person('Sabine Schmitz (Beispiel)', '00000000-0000-4000-8000-000400000001');
export const KOELN_IB_EN = person('Sabine Schmitz (Beispiel)', '00000000-0000-4000-8000-000400000001', 'en-GB');
export const KOELN_HEAD = person('Frieda Fiktiv (Beispiel)', '00000000-0000-4000-8000-000400000003');
export const KOELN_HEAD_EN = person('Frieda Fiktiv (Beispiel)', '00000000-0000-4000-8000-000400000003', 'en-GB');
export const KOELN_OFFICE = person('Rita Referentin (Beispiel)', '00000000-0000-4000-8000-000400000004');
export const DETMOLD_IB = person('IB Detmold (Beispiel)', '00000000-0000-4000-8000-000200000001');
export const DETMOLD_HEAD = person('Leitung Detmold (Beispiel)', '00000000-0000-4000-8000-000200000003');
/** Staff of Köln without a role in the directory. */
export const STAFF = user({ name: 'Erika Sachbearbeiterin' });
export const STAFF_EN = user({ name: 'Erika Sachbearbeiterin', aadObjectId: STAFF.aadObjectId, locale: 'en-GB' });
