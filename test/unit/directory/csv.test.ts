import { parseCsv, parseCsvRecords } from '../../../services/directory/csv';

describe('the CSV parser', () => {
  it('keeps commas and quotes inside quoted fields', () => {
    expect(parseCsv('a,"Marl, Stadt","say ""hi"""\n')).toEqual([['a', 'Marl, Stadt', 'say "hi"']]);
  });

  it('accepts CRLF and LF line ends, a byte-order mark and a missing final line break', () => {
    expect(parseCsv('\ufeffa,b\r\nc,d\ne,f')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ]);
  });

  it('keeps line breaks inside quoted fields and empty fields at the end', () => {
    expect(parseCsv('"line\none",,\n')).toEqual([['line\none', '', '']]);
  });

  it('rejects a stray quote instead of guessing', () => {
    expect(() => parseCsv('a"b,c\n')).toThrow(/quote/);
    expect(() => parseCsv('"open,c\n')).toThrow(/unterminated/);
  });

  it('turns rows into records by header and rejects rows of the wrong width', () => {
    expect(parseCsvRecords('ags,name\n05562024,Marl\n')).toEqual([{ ags: '05562024', name: 'Marl' }]);
    expect(() => parseCsvRecords('ags,name\n05562024\n')).toThrow(/row 2/);
  });
});
