import { sanitizeText, skeleton, tokenize } from '../../../services/text/normalize';

describe('folding words to one spelling', () => {
  it.each([
    ['Köln', 'Koeln', 'Koln', 'KÖLN'],
    ['Düsseldorf', 'Duesseldorf', 'Dusseldorf', 'duesseldorf'],
    ['Möhnesee', 'Moehnesee', 'Mohnesee', 'MOEHNESEE'],
    ['Schloß', 'Schloss', 'Schlos', 'schloß'],
    ['Euskirchen', 'Eusskirchen', 'EUSKIRCHEN', 'euskirchen'],
  ])('%s, %s, %s and %s meet', (...forms) => {
    expect(new Set(forms.map(skeleton)).size).toBe(1);
  });

  it('keeps names apart that differ by more than an umlaut', () => {
    expect(skeleton('Neuenkirchen')).not.toBe(skeleton('Neunkirchen'));
    expect(skeleton('Herne')).not.toBe(skeleton('Herrn'));
  });

  it('splits words at hyphens, slashes and punctuation and keeps § as a word', () => {
    expect(tokenize('Kamp-Lintfort/Moers, § 6').keys).toEqual(['kamp', 'lintfort', 'mors', '§', '6']);
    expect(tokenize('Marl').caps).toEqual([true]);
    expect(tokenize('marl').hasUpper).toBe(false);
  });

  it('strips accents of other Latin scripts and keeps other scripts as words', () => {
    expect(tokenize('Café Petrović Łódź').keys).toEqual(['cafe', 'petrovic', 'lodz']);
    expect(tokenize('Привет мир').keys).toHaveLength(2);
  });
});

describe('sanitising untrusted text', () => {
  it('removes control and invisible characters and collapses white space', () => {
    expect(sanitizeText('a\u0000b\u200bc\n\n d\u00ad', 100)).toBe('a bc d');
  });

  it('cuts to the limit without splitting a surrogate pair', () => {
    expect(sanitizeText('x'.repeat(50), 10)).toHaveLength(10);
    expect(sanitizeText('abcdefghi😀', 10)).toBe('abcdefghi');
  });
});
