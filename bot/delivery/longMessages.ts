import { fenced } from '../../services/text/escape';

/**
 * Teams refuses a bot message over 100 KB (counted in UTF-16, so about 50,000 characters with the activity around it)
 * and Microsoft recommends staying under 80 KB
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages). Long lists
 * and exports are therefore split into several messages of whole lines, each well under that, never cut off.
 */
export const MAX_MESSAGE_CHARS = 30_000;

export interface SplitOptions {
  /** Put each part's lines in a code fence (exports). */
  fence?: boolean;
  /** A line repeated at the top of every part (the CSV header), so each part stands on its own. */
  header?: string;
  /** The label of part `n` of `total` after the first, e.g. `(Teil 2 von 3)`. */
  partLabel: (n: number, total: number) => string;
  maxChars?: number;
}

/**
 * Splits `lines` below `heading` into message texts of at most `maxChars` each: whole lines only (a line longer than
 * that is cut at the limit, the only case where text is shortened), the heading on the first part and a part label on
 * every later one.
 */
export function splitIntoMessages(heading: string, lines: readonly string[], options: SplitOptions): string[] {
  const max = options.maxChars ?? MAX_MESSAGE_CHARS;
  const header = options.header;
  // Room for the heading or part label, the fence and the header line.
  const budget = Math.max(1_000, max - Math.max(heading.length, 200) - (header?.length ?? 0) - 20);
  const groups: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const raw of lines) {
    const line = raw.length > budget ? raw.slice(0, budget) : raw;
    if (current.length > 0 && size + line.length + 1 > budget) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(line);
    size += line.length + 1;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  return groups.map((group, i) => {
    const body = [...(header !== undefined ? [header] : []), ...group].join('\n');
    const shown = options.fence ? fenced(body) : body;
    const top = i === 0 ? heading : options.partLabel(i + 1, groups.length);
    return `${top}\n\n${shown}`;
  });
}
