import { PatternError, PhraseCompiler } from '../../../services/answers/phrases';
import { tokenize } from '../../../services/text/normalize';

function matcherFor(concepts: Record<string, string[]>) {
  const c = new PhraseCompiler();
  const ids: Record<string, number> = {};
  for (const [name, patterns] of Object.entries(concepts)) ids[name] = c.addConcept(name, patterns);
  const m = c.build();
  return (text: string) => {
    const r = m.match(tokenize(text));
    return Object.keys(ids).filter((n) => r.has(ids[n]));
  };
}

describe('trigger patterns', () => {
  it('match words after folding case, umlauts and ß', () => {
    const found = matcherFor({ responsible: ['zuständig*'], street: ['straße'] });
    expect(found('ZUSTAENDIGKEIT')).toEqual(['responsible']);
    expect(found('zustandig')).toEqual(['responsible']);
    expect(found('Strasse')).toEqual(['street']);
  });

  it('match prefixes, suffixes and parts of words', () => {
    const found = matcherFor({ pre: ['vertret*'], suf: ['*beauftragte'], part: ['*integration*'] });
    expect(found('Vertretung')).toEqual(['pre']);
    expect(found('Gleichstellungsbeauftragte')).toEqual(['suf']);
    expect(found('Landesintegrationsrat')).toEqual(['part']);
  });

  it('match phrases in order, with alternatives, single wildcards and gaps', () => {
    const found = matcherFor({ who: ['wer vertritt'], alt: ['was mach*|was|what tut|does'], any: ['was muss * können'], gap: ['wann ... treffen'] });
    expect(found('Wer vertritt sie?')).toEqual(['who']);
    expect(found('vertritt wer')).toEqual([]);
    expect(found('Was muss man können?')).toEqual(['any']);
    expect(found('Wann ist das nächste Treffen?')).toEqual(['gap']);
    expect(found('Wann ist das allernächste große Treffen?')).toEqual([]);
  });

  it('compose concepts from earlier concepts', () => {
    const found = matcherFor({ ib: ['ib', 'integrationsbeauftragt*'], mine: ['meine @ib'] });
    expect(found('Wer ist meine Integrationsbeauftragte?')).toEqual(['ib', 'mine']);
  });

  it('reject bad syntax with the offending phrase', () => {
    const c = new PhraseCompiler();
    expect(() => c.addConcept('x', ['@unknown'])).toThrow(PatternError);
    expect(() => c.addConcept('y', ['... wer'])).toThrow(/start and end/);
    expect(() => c.addConcept('z', ['a|@b'])).toThrow(/cannot be an alternative/);
    expect(() => c.addConcept('self', ['@self'])).toThrow(/unknown concept/);
  });
});
