import { loadDefaultEngine, type AnswerEngine } from '../../../services/answers/engine';

// Short questions in other languages that name a place and ask for the IB (issue 18).
let engine: AnswerEngine;
beforeAll(() => {
  engine = loadDefaultEngine();
});

const ask = (text: string) => {
  const a = engine.answer({ text, now: new Date('2025-03-03T09:00:00Z') });
  return { intent: a.intent, authority: a.authority, ags: a.place?.ags ?? null };
};

describe('other languages', () => {
  it.each([
    ["Hamm'da çalışıyorum. Integrationsbeauftragte kim?", 'arnsberg', '05915000'],
    ['Gelsenkirchen için entegrasyon sorumlusu (IB) kim?', 'muenster', '05513000'],
    ["Duisburg belediyesinde çalışıyorum, Bezirksregierung'da entegrasyon görevlisi kim?", 'duesseldorf', '05112000'],
    ['Rheine için IB kim?', 'muenster', '05566076'],
  ])('Turkish "kim" is "wer", not KIM: %s', (text, authority, ags) => {
    expect(ask(text)).toEqual({ intent: 'contact.commissioner', authority, ags });
  });

  it('keeps KIM, written as the acronym, as Kommunales Integrationsmanagement (the KfI)', () => {
    expect(ask('Wer fördert KIM in Hamm?')).toMatchObject({ intent: 'contact.kfi', authority: 'arnsberg' });
  });

  it.each([
    ['من هو مسؤول الاندماج في Löhne؟ (Integrationsbeauftragte)', 'detmold', '05758024'],
    ['Kto jest IB dla Lage?', 'detmold', '05766040'],
    ['Я работаю в Senden. Кто Integrationsbeauftragte?', 'muenster', '05558044'],
  ])('"in"/"for" in Arabic, Polish, Russian cue a place that is also a word: %s', (text, authority, ags) => {
    expect(ask(text)).toEqual({ intent: 'contact.commissioner', authority, ags });
  });
});
