/** Moved to services/common/berlinTime; this path stays only until its last importers (circle service and handler) switch. */
export { berlinParts, berlinToUtc, formatBerlinDate } from '../common/berlinTime';
