/**
 * Freshness of a directory entry (RdErl. v. 5.12.2023, Nr. 3: the IB's reachability must be known, so it must be
 * current). An entry's `lastVerified` is its "zuletzt bestätigt am": set by the import (the file's date), by an edit in
 * Teams, and by the IB's confirmation. After `months` without one, a confirmation is pending: answers say so and the IB
 * is asked to confirm or correct the entry.
 */

/** Months after which an unconfirmed entry counts as pending, unless configured (DIRECTORY_CONFIRM_MONTHS). */
export const DEFAULT_CONFIRM_MONTHS = 6;

/** The ISO day `months` calendar months after `day`; the 31st becomes the month's last day (2026-08-31 + 6 = 2027-02-28). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The day from which an entry last confirmed on `lastVerified` needs a new confirmation. */
export function confirmationDueOn(lastVerified: string, months: number = DEFAULT_CONFIRM_MONTHS): string {
  return addMonths(lastVerified, months);
}

/** Whether an entry last confirmed on `lastVerified` awaits a confirmation on `today` (both ISO days, Berlin). */
export function confirmationPending(lastVerified: string, today: string, months: number = DEFAULT_CONFIRM_MONTHS): boolean {
  return !/^\d{4}-\d{2}-\d{2}$/.test(lastVerified) || confirmationDueOn(lastVerified, months) <= today;
}
