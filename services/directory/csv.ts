/**
 * Parses CSV text as RFC 4180 describes it: comma-separated fields, optional double quotes around a field,
 * `""` for a quote inside a quoted field, commas and line breaks allowed inside quotes, CRLF or LF line
 * ends. A byte-order mark at the start is ignored, and so is a final line break. Throws on a stray quote.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let row: string[] = [];
  // Fields are sliced out of the text rather than built character by character: the municipality list
  // is parsed at every start of `npm run ask`, and the garbage of 66,000 concatenations shows there.
  while (i < n) {
    let field: string;
    if (text[i] === '"') {
      let j = i + 1;
      let parts = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new Error('CSV: unterminated quoted field');
        if (text[q + 1] === '"') {
          parts += text.slice(j, q + 1);
          j = q + 2;
          continue;
        }
        field = parts + text.slice(j, q);
        i = q + 1;
        break;
      }
      if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        throw new Error(`CSV: unexpected character after closing quote at offset ${i}`);
      }
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 44 || c === 10 || c === 13) break;
        if (c === 34) throw new Error(`CSV: quote inside an unquoted field at offset ${j}`);
        j++;
      }
      field = text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (i >= n) break;
    const c = text[i];
    if (c === ',') {
      i++;
      // A comma at the very end still opens an (empty) last field.
      if (i >= n) row.push('');
      continue;
    }
    rows.push(row);
    row = [];
    i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

/** Parses CSV with a header row into objects keyed by the header's column names. */
export function parseCsvRecords(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows
    .filter((r) => !(r.length === 1 && r[0] === ''))
    .map((r, idx) => {
      if (r.length !== header.length) {
        throw new Error(`CSV: row ${idx + 2} has ${r.length} fields, the header has ${header.length}`);
      }
      const rec: Record<string, string> = {};
      header.forEach((h, j) => (rec[h] = r[j]));
      return rec;
    });
}
