/** The intents of the answer engine, exactly as contracts.md §2 defines them. */
export const INTENTS = [
  'contact.commissioner',
  'contact.deputy',
  'contact.kfi',
  'contact.ki',
  'info.tasks',
  'info.legal_basis',
  'info.requirements',
  'info.appointment',
  'info.organisation',
  'info.circle',
  'info.effective_date',
  'request.create',
  'report.create',
  'circle.next_meeting',
  'privacy.warning',
  'help',
  'out_of_scope',
] as const;

/** What the asker wants (contracts.md §2). */
export type Intent = (typeof INTENTS)[number];

/** Whether a value is one of {@link INTENTS}. */
export function isIntent(value: unknown): value is Intent {
  return typeof value === 'string' && (INTENTS as readonly string[]).includes(value);
}
