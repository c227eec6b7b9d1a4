import { loadDefaultEngine, type AnswerEngine } from '../../../services/answers/engine';
import { detectForeign } from '../../../services/answers/language';
import { tokenize } from '../../../services/text/normalize';

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

describe('other languages: Turkish case endings, and the language of the answer', () => {
  const answer = (text: string, locale?: string) => engine.answer({ text, locale, now: new Date('2025-03-03T09:00:00Z') });

  it.each([
    ["Senden'de entegrasyon görevlisi kim?", 'muenster', '05558044'],
    ["Lage'den yazıyorum, IB kim?", 'detmold', '05766040'],
    ['Wenden için entegrasyon sorumlusu kim?', 'arnsberg', '05966028'],
    ['Я из Lage. Кто Integrationsbeauftragte?', 'detmold', '05766040'],
    ['Pracuję w urzędzie gminy Senden – kto jest IB?', 'muenster', '05558044'],
  ])('a Turkish case ending, "için", Russian "из" or Polish "gminy"/"miasta" marks a place that is also a word: %s', (text, authority, ags) => {
    expect(ask(text)).toEqual({ intent: 'contact.commissioner', authority, ags });
  });

  it.each([
    ['Pracuję w Hamm – kto jest IB?', 'de-DE', 'Ich antworte auf Deutsch.'],
    ['Kto jest IB dla Hamm?', 'en-GB', 'I am answering in English.'],
    ['Hamm için IB kim?', undefined, 'Ich antworte auf Deutsch.'],
    ['Хто IB для Hamm?', 'en-US', 'I am answering in English.'],
    ['Кто IB для Hamm?', 'de-DE', 'Ich antworte auf Deutsch.'],
    ['من هو IB في Hamm؟', 'de-DE', 'Ich antworte auf Deutsch.'],
  ])('answers "%s" (Teams %s) in the user\'s language and says so first', (text, locale, note) => {
    const a = answer(text, locale);
    expect(a.intent).toBe('contact.commissioner');
    expect(a.authority).toBe('arnsberg');
    expect(a.language).toBe(note.startsWith('I ') ? 'en' : 'de');
    expect(a.text.split('\n\n')[0]).toBe(note);
    expect(a.text.length).toBeGreaterThan(note.length + 20);
  });

  it('adds no language line to German, English or mixed questions', () => {
    for (const [text, locale] of [
      ['Wer ist die IB für Hamm?', 'de-DE'],
      ['Who is the IB for Hamm?', 'en-US'],
      ['Who is the Integrationsbeauftragte for Hamm?', 'de-DE'],
      ['Wer ist der Contact Person für Integration in Hamm?', 'en-US'],
      ['Wer fördert KIM in Hamm?', 'de-DE'],
    ] as const) {
      const a = answer(text, locale);
      expect(a.text).not.toMatch(/Ich antworte auf Deutsch|I am answering in English/);
    }
  });
});

describe('detectForeign', () => {
  const detect = (text: string) => detectForeign(text, tokenize(text).keys);

  it.each([
    ['Pracuję w Kempen. Kto jest Integrationsbeauftragte w Bezirksregierung?', 'pl'],
    ['Rheine için IB kim?', 'tr'],
    ['Хто відповідає за інтеграцію у Borken?', 'uk'],
    ['Кто отвечает за интеграцию в Bünde?', 'ru'],
    ['من هو المسؤول عن الاندماج في Werne؟', 'ar'],
  ])('%s → %s', (text, lang) => {
    expect(detect(text)).toBe(lang);
  });

  it.each([
    'Wer fördert KIM in Hamm?',
    'Können Sie mir sagen, wer die IB für Lage ist?',
    'Who is the Integrationsbeauftragte for Verl?',
    'Was ist die Aufgabe der IB bei einer Maßnahme für Menschen aus der Ukraine (Україна)?',
  ])('%s is German or English', (text) => {
    expect(detect(text)).toBeNull();
  });
});
