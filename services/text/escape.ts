/**
 * User text made inert for the format it lands in. Text one person writes and another reads (subjects, descriptions,
 * messages, decisions, display names, directory fields, circle titles and minutes) goes through exactly one of these
 * functions where it enters a view, and only there: card data builders and message texts, never the stored value,
 * never an `Input.Text` prefill (an input shows its value as typed, not as markdown), never our own static texts.
 *
 * Markdown: Teams renders a subset of Markdown in Adaptive Card `TextBlock.text`, `Fact.title` and `Fact.value`
 * (bold, italic, lists, links) and in bot messages with `textFormat: 'markdown'` (also headings, quotes, code,
 * strikethrough) — Microsoft Learn, "Text formatting in cards",
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format. We escape with
 * CommonMark backslash escapes (the renderers behind both are CommonMark parsers), and only the characters that can
 * start markup, so ordinary text ("Tina Test (Beispiel)", "Mo–Fr 9-12 Uhr") stays as it is.
 */

/**
 * What can start markup: emphasis and code (`*`, `_`, backtick, `~` for strikethrough), links and images (`[`, `]`,
 * and a `(` right after `]`, which older card renderers take as a link without looking at the backslash before `]`),
 * HTML-ish tags and autolinks (`<`, which also covers Teams' `<at>` mentions), the backslash itself, character
 * references (`&#91;`, `&lt;`), and at the start of a line headings, quotes, list items and setext underlines
 * (`#`, `>`, `-`, `+`, `=`, `1.`, `1)`).
 */
const MARKDOWN = /(^[ \t]*)(?:([#>+=-])|(\d{1,9})([.)]))|[\\`*_[\]<~]|(?<=\])\(|&(?=(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});)/gim;
/** The same without the line-start rules: for a link label inside our own markup, never at a line start. */
const MARKDOWN_INLINE = /[\\`*_[\]<~]|(?<=\])\(|&(?=(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});)/gi;

function escapeMarkdown(value: string): string {
  // One line-break form: Teams also takes a lone CR as a break in lists, where it would hide a line start.
  return value.replace(/\r\n?/g, '\n').replace(MARKDOWN, (match: string, lead?: string, mark?: string, digits?: string, dot?: string) => {
    if (lead === undefined) return `\\${match}`;
    return mark ? `${lead}\\${mark}` : `${lead}${digits}\\${dot}`;
  });
}

/** A link label inside our own markup (a validated address or number: one line, never at a line start). */
function escapeInline(value: string): string {
  return value.replace(MARKDOWN_INLINE, (match) => `\\${match}`);
}

/** User text for an Adaptive Card `TextBlock.text` or `Fact.value`: shown as typed, never as a link or formatting. */
export function cardText(value: string): string {
  return escapeMarkdown(value);
}

/** User text inside a Teams message sent with `textFormat: 'markdown'` (or without a format: Teams' default). */
export function messageText(value: string): string {
  return escapeMarkdown(value);
}

/**
 * A fenced code block around `content` (the CSV export, "Meine Daten" as JSON). Backslashes mean nothing inside a
 * fence, so no run of three backticks may remain in the content: a zero-width space goes after every second one of a
 * run, and no line inside can close the fence early (nor can a renderer that closes on any three backticks).
 */
export function fenced(content: string): string {
  const inner = content.replace(/\r\n?/g, '\n').replace(/``(?=`)/g, '``\u200B');
  return `\`\`\`\n${inner}${inner.endsWith('\n') ? '' : '\n'}\`\`\``;
}

/** Starts of a line that a spreadsheet reads as a formula; spaces before it do not stop every spreadsheet. */
const FORMULA_START = /^([^\S\r\n]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/gm;

/**
 * One CSV cell (RFC 4180), neutralised against formula injection: a leading apostrophe wherever a line of the cell
 * starts with `=`, `+`, `-`, `@` (also after spaces or tabs, also the full-width `＝＋－＠`), and tabs turned into
 * spaces, so that pasting the chat's copy into a spreadsheet cannot split a cell into one that starts a formula.
 */
export function csvCell(value: string): string {
  const safe = value.replace(/\t/g, ' ').replace(FORMULA_START, "'$1");
  return `"${safe.replace(/"/g, '""')}"`;
}

/**
 * A plain e-mail address as the directory holds it: letters, digits and `._%+-` before the `@`, a host name of
 * letters, digits and hyphens. Deliberately narrower than RFC 5321: nothing in it can end a Markdown link.
 */
const EMAIL = /^[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Whether `value` is an e-mail address we put into a `mailto:` link (and accept in the directory). */
export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value) && !value.includes('..') && !value.startsWith('.') && !value.includes('.@');
}

/** A `mailto:` link for a valid address; anything else is shown as plain text, never as a link. */
export function mailtoLink(address: string): string {
  const trimmed = address.trim();
  if (!isEmailAddress(trimmed)) return cardText(address);
  return `[${escapeInline(trimmed)}](mailto:${trimmed})`;
}

/** A phone number as people write it: digits, spaces, `+`, `/`, `-`, `.` and parentheses. */
const PHONE = /^\+?[\d\s()/.-]{3,40}$/;

/** The `tel:` URL of a plausible phone number, or `undefined` for anything else (never a link made of its digits). */
export function telUrl(phone: string): string | undefined {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/[^\d+]/g, '');
  return PHONE.test(trimmed) && /^\+?\d{3,20}$/.test(digits) ? `tel:${digits}` : undefined;
}

/** A `tel:` link for a plausible phone number; anything else is shown as plain text, never as a link. */
export function telLink(phone: string): string {
  const url = telUrl(phone);
  return url ? `[${escapeInline(phone.trim())}](${url})` : cardText(phone);
}
