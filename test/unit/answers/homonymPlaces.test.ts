import { loadDefaultEngine, type AnswerEngine } from '../../../services/answers/engine';

// Place names that are ordinary words (issue 18): decided from context, asked back only when really ambiguous.
let engine: AnswerEngine;
beforeAll(() => {
  engine = loadDefaultEngine();
});

const ask = (text: string, homeAuthority: 'koeln' | null = null) => {
  const a = engine.answer({ text, homeAuthority, now: new Date('2025-03-03T09:00:00Z') });
  return { intent: a.intent, authority: a.authority, ags: a.place?.ags ?? null };
};

describe('homonym places', () => {
  it.each([
    ['Lage: IB?', 'detmold', '05766040'],
    ['Much: welche Bezirksregierung?', 'koeln', '05382036'],
    ['Senden: wer ist unsere Integrationsbeauftragte?', 'muenster', '05558044'],
    ['Wenden: Ansprechpartnerin Integration gesucht', 'arnsberg', '05966028'],
    ['Recke: wer ist die IB?', 'muenster', '05566072'],
  ])('a name before a colon is the place: %s', (text, authority, ags) => {
    expect(ask(text)).toEqual({ intent: 'contact.commissioner', authority, ags });
  });

  it.each([
    ['Heiden ist unsere Gemeinde. Wer ist bei der Bezirksregierung für Integration da?', 'muenster', '05554028'],
    ['Senden bei Münster: wer ist die IB?', 'muenster', '05558044'],
    ['Alpen am Niederrhein, welche Integrationsbeauftragte?', 'duesseldorf', '05170004'],
    ['Rees, Kreis Kleve: wer ist IB?', 'duesseldorf', '05154044'],
  ])('a name at the start of a sentence, followed by what follows a place, is the place: %s', (text, authority, ags) => {
    expect(ask(text)).toEqual({ intent: 'contact.commissioner', authority, ags });
  });

  it.each([
    ['Much im Rhein-Sieg-Kreis – welche Integrationsbeauftragte ist da zuständig?', 'koeln', '05382036'],
    ['Lage in Lippe, wer ist da Integrationsbeauftragte?', 'detmold', '05766040'],
    ['Kamen liegt im Kreis Unna – wer ist die Integrationsbeauftragte?', 'arnsberg', '05978020'],
  ])('a Gemeinde named with its Kreis is the place, not the Kreis: %s', (text, authority, ags) => {
    expect(ask(text)).toEqual({ intent: 'contact.commissioner', authority, ags });
  });

  it('keeps the verb at the start of a sentence ("Wenden Sie sich …", "Senden Sie …") and the Kreis alone', () => {
    expect(ask('Wenden Sie sich an wen, wenn ich meine IB suche?', 'koeln')).toEqual({ intent: 'contact.commissioner', authority: 'koeln', ags: null });
    expect(ask('Senden Sie mir bitte die Kontaktdaten meiner IB.', 'koeln')).toEqual({ intent: 'contact.commissioner', authority: 'koeln', ags: null });
    expect(ask('Welches KI ist für den Kreis Soest zuständig?')).toMatchObject({ intent: 'contact.ki', ags: '05974' });
  });

  it('does not read an ordinary noun two letters away from a place as that place when nothing cues a place', () => {
    expect(ask('Wir stellen das Bewerbungsverfahren auf anonymisierte Bewerbungen um. Ist das ein Fall für die IB?')).toEqual({ intent: 'info.tasks', authority: null, ags: null });
    // A long name after a cue or in keyword style still survives two typos.
    expect(ask('Wer ist die IB für Mönchenglattbach?')).toMatchObject({ authority: 'duesseldorf', ags: '05116000' });
  });
});

describe('homonym places: more contexts', () => {
  it.each([
    ["Wir sind die Gemeindeverwaltung Schlangen – wer ist unsere IB?", 'detmold', '05766064'],
    ['Kreisverwaltung Borken, Frage: wer ist die IB?', 'muenster', '05554012'],
  ])('an administration named before it cues the place: %s', (text, authority, ags) => {
    expect(ask(text)).toEqual({ intent: 'contact.commissioner', authority, ags });
  });

  it.each([
    ['Gehört Enger zur Bezirksregierung Detmold?', 'detmold', '05758008'],
    ['Liegt Senden im Kreis Coesfeld? Und wer ist dort IB?', 'muenster', '05558044'],
  ])('the subject of "gehört … zu" / "liegt … in" is the place: %s', (text, authority, ags) => {
    expect(ask(text)).toEqual({ intent: 'contact.commissioner', authority, ags });
  });

  it.each([
    ['Halle Westfalen – wer ist die IB?', 'detmold', '05754012'],
    ['Sundern Sauerland: Integrationsbeauftragte?', 'arnsberg', '05958044'],
  ])('a name followed by the qualifier of its official name is the place: %s', (text, authority, ags) => {
    expect(ask(text)).toEqual({ intent: 'contact.commissioner', authority, ags });
  });

  it('a town named like its Kreis after "zu" stands for the Kreis; the Gemeinde beside it is the place', () => {
    expect(ask('Haltern am See gehört zu Recklinghausen – welche IB?')).toEqual({ intent: 'contact.commissioner', authority: 'muenster', ags: '05562016' });
    expect(ask('Wer ist die IB für Recklinghausen?')).toMatchObject({ authority: 'muenster', ags: '05562032' });
  });

  it('keeps the verb after "zu" in lower case: "zu essen", "zu senden" are no places', () => {
    expect(ask('Gibt es in der Kantine heute etwas zu essen?')).toEqual({ intent: 'out_of_scope', authority: null, ags: null });
    expect(ask('Ich habe der IB noch Unterlagen zu senden.', 'koeln')).toMatchObject({ ags: null });
    expect(ask('Wer ist die IB in Senden?')).toMatchObject({ authority: 'muenster', ags: '05558044' });
  });

  it('keeps the noun after an article even before a qualifier word: "das Wetter Ruhrgebiet"', () => {
    expect(ask('Wie wird das Wetter Ruhrgebiet morgen?')).toMatchObject({ intent: 'out_of_scope', ags: null });
  });
});
