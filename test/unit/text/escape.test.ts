import { cardText, csvCell, fenced, isEmailAddress, mailtoLink, messageText, telLink } from '../../../services/text/escape';

/** What a CommonMark renderer shows for a backslash escape: the character itself. */
const shown = (escaped: string) => escaped.replace(/\\([!-/:-@[-`{-~])/g, '$1');

/** Characters that start markup when not escaped, and line starts that make a heading, quote or list. */
function unescapedMarkup(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++; // the next character is escaped
      continue;
    }
    if ('*_`[]<~'.includes(c)) found.push(c);
    if (c === '(' && text[i - 1] === ']') found.push('](');
    if (c === '&' && /^&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i.test(text.slice(i))) found.push('&entity;');
  }
  for (const line of text.split('\n')) {
    if (/^[ \t]*([#>+=-]|\d+[.)])/.test(line)) found.push(`line start: ${line}`);
  }
  return found;
}

const hostile = [
  '[Bitte bestätigen](https://evil.example)',
  '![Bild](https://evil.example/x.png)',
  '**fett** und __auch__ und *kursiv* und _kursiv_',
  '`code` und ```fence```',
  '~~durchgestrichen~~',
  '<at>Sabine Schmitz (Beispiel)</at> <https://evil.example> <b>fett</b>',
  '# Überschrift\n## Zwei\n> Zitat\n* Punkt\n- Punkt\n+ Punkt\n1. Eins\n2) Zwei\n  - eingerückt\n===\n---',
  'Zeile eins\r\n# nach CRLF\r- nach CR',
  '&#91;Link&#93;&#40;https://evil.example&#41; &lt;at&gt;x&lt;/at&gt; &amp;',
  'C:\\Pfad\\[nicht](escaped)',
  'x)[y](https://evil',
];

describe('cardText and messageText (Teams Markdown in cards and messages)', () => {
  it.each([cardText, messageText].map((f) => [f.name, f] as const))('%s leaves no markup in planted text, and the reader sees every character as typed', (_name, escape) => {
    for (const text of hostile) {
      const escaped = escape(text);
      expect(unescapedMarkup(escaped)).toEqual([]);
      expect(shown(escaped)).toBe(text.replace(/\r\n?/g, '\n'));
    }
  });

  it('turns a planted link into visible brackets and parentheses', () => {
    expect(cardText('[Bitte bestätigen](https://evil.example)')).toBe('\\[Bitte bestätigen\\]\\(https://evil.example)');
    expect(messageText('Siehe [hier](https://evil.example).')).toBe('Siehe \\[hier\\]\\(https://evil.example).');
  });

  it('escapes emphasis, code, strikethrough, tags and mentions wherever they stand', () => {
    expect(cardText('**fett** _kursiv_ `code` ~~weg~~')).toBe('\\*\\*fett\\*\\* \\_kursiv\\_ \\`code\\` \\~\\~weg\\~\\~');
    expect(cardText('Hallo <at>Sabine</at>')).toBe('Hallo \\<at>Sabine\\</at>');
  });

  it('escapes headings, quotes and list markers only at the start of a line', () => {
    expect(cardText('# Titel\n> Zitat\n- a\n+ b\n* c\n1. eins\n12) zwölf\n  - eingerückt')).toBe(
      '\\# Titel\n\\> Zitat\n\\- a\n\\+ b\n\\* c\n1\\. eins\n12\\) zwölf\n  \\- eingerückt',
    );
    expect(cardText('Raum #3, 1. Etage, Mo-Fr, 2 > 1, 1+1=2')).toBe('Raum #3, 1. Etage, Mo-Fr, 2 > 1, 1+1=2');
  });

  it('keeps ordinary text as it is', () => {
    for (const text of ['Tina Test (Beispiel)', 'Mo–Fr 9-12 Uhr, Raum 3.14', 'A & B', '2026-11-24', 'sabine.schmitz@bezreg-koeln.example', 'Sag „Hallo“ (bitte)!', 'Kosten: 5 € / 10 %']) {
      expect(cardText(text)).toBe(text);
    }
  });

  it('keeps template syntax as data: "${…}" is not markup and stays literal', () => {
    expect(cardText('${$root.secret}')).toBe('${$root.secret}');
  });

  it('escapes the backslash itself, so an escape in user text cannot unescape the next character', () => {
    expect(cardText('a\\*b*')).toBe('a\\\\\\*b\\*');
    expect(shown(cardText('a\\*b*'))).toBe('a\\*b*');
  });
});

describe('fenced (code blocks in messages)', () => {
  it('keeps a ``` in the content from closing the fence', () => {
    const block = fenced('a,b\n```\n[x](https://evil.example)\n````more');
    const lines = block.split('\n');
    expect(lines[0]).toBe('```');
    expect(lines[lines.length - 1]).toBe('```');
    // Only the two fence lines hold three backticks in a row.
    expect(block.match(/```/g)).toHaveLength(2);
    expect(block.replace(/\u200B/g, '')).toBe('```\na,b\n```\n[x](https://evil.example)\n````more\n```');
  });

  it('wraps CSV with CRLF line ends without an empty line before the closing fence', () => {
    expect(fenced('"a"\r\n"b"\r\n')).toBe('```\n"a"\n"b"\n```');
  });
});

describe('csvCell (CSV export)', () => {
  it.each([
    ['=HYPERLINK("https://evil.example","Klick")', `"'=HYPERLINK(""https://evil.example"",""Klick"")"`],
    ['=1+1', `"'=1+1"`],
    ['+49 211', `"'+49 211"`],
    ['-2', `"'-2"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    [' =1+1', `"' =1+1"`],
    ['   @SUM(A1)', `"'   @SUM(A1)"`],
    ['\t=1+1', `"' =1+1"`],
    ['\u3000=1+1', `"'\u3000=1+1"`],
    ['＝1+1', `"'＝1+1"`],
    ['＋1', `"'＋1"`],
    ['－1', `"'－1"`],
    ['＠SUM(A1)', `"'＠SUM(A1)"`],
    ['Zeile\n=1+1', `"Zeile\n'=1+1"`],
    ['Zeile\r\n @SUM(A1)', `"Zeile\r\n' @SUM(A1)"`],
    ['Zeile\r=1+1', `"Zeile\r'=1+1"`],
  ])('neutralises %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('turns tabs into spaces, so a pasted copy cannot split a cell into one that starts a formula', () => {
    expect(csvCell('harmlos\t=1+1')).toBe('"harmlos =1+1"');
  });

  it('quotes every cell, doubles quotes and leaves ordinary values alone', () => {
    expect(csvCell('Beratung')).toBe('"Beratung"');
    expect(csvCell('Sag "Hallo"')).toBe('"Sag ""Hallo"""');
    expect(csvCell('1-2, a=b, x@y')).toBe('"1-2, a=b, x@y"');
    expect(csvCell('2026-11-24T09:00:00.000Z')).toBe('"2026-11-24T09:00:00.000Z"');
  });
});

describe('mailto: and tel: links', () => {
  it.each(['sabine.schmitz@bezreg-koeln.example', 'kfi_team+info@bra.nrw.de', 'a@b.de', 'x%y@sub.domain-1.example'])('accepts %s', (address) => {
    expect(isEmailAddress(address)).toBe(true);
  });

  it.each([
    'x)[y](https://evil',
    'x)[y](https://evil.example)@bezreg-koeln.nrw.de',
    'a@b',
    'a b@c.de',
    'a..b@c.de',
    '.a@c.de',
    'a.@c.de',
    '<a@b.de>',
    'a@b.de)',
    'a@-b.de',
    'a@b.de\n[x](https://evil.example)',
    `${'a'.repeat(65)}@b.de`,
    '',
  ])('refuses %j', (address) => {
    expect(isEmailAddress(address)).toBe(false);
  });

  it('links a valid address and shows anything else as plain text', () => {
    expect(mailtoLink('sabine.schmitz@bezreg-koeln.example')).toBe('[sabine.schmitz@bezreg-koeln.example](mailto:sabine.schmitz@bezreg-koeln.example)');
    expect(mailtoLink('kfi_team@bra.nrw.de')).toBe('[kfi\\_team@bra.nrw.de](mailto:kfi_team@bra.nrw.de)');
    const planted = mailtoLink('x)[y](https://evil');
    expect(planted).not.toContain('mailto:');
    expect(planted).toBe('x)\\[y\\]\\(https://evil');
    expect(unescapedMarkup(planted)).toEqual([]);
  });

  it('links a plausible phone number by its digits and shows anything else as plain text', () => {
    expect(telLink('+49 221 147-2000')).toBe('[+49 221 147-2000](tel:+492211472000)');
    expect(telLink('(0221) 147 2000')).toBe('[(0221) 147 2000](tel:02211472000)');
    for (const bad of ['123](https://evil.example)', '12', 'ruf an: [0221](https://evil.example)']) {
      const shownText = telLink(bad);
      expect(shownText).not.toContain('tel:');
      expect(unescapedMarkup(shownText)).toEqual([]);
    }
  });
});
