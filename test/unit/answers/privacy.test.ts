import { detectPersonalData, redactPersonalData, type PersonalDataKind } from '../../../services/answers/privacy';
import { loadDefaultEngine } from '../../../services/answers/engine';

describe('the privacy guard', () => {
  it.each<[string, PersonalDataKind[]]>([
    ['Herr Yilmaz, geb. 03.04.1985, hat eine Frage', ['birthDate']],
    ['Frau K. (geboren am 3. April 1985) wohnt bei uns', ['birthDate']],
    ['Die Klientin * 12.3.79 braucht Hilfe', ['birthDate']],
    ['Herr Demir, 01.01.1970, fragt nach', ['birthDate']],
    ['date of birth 1990-05-17, Mr Smith', ['birthDate']],
    ['Es geht um Az. 12-34/2024', ['fileNumber']],
    ['AZ 123/45 ist noch offen', ['fileNumber']],
    ['Aktenzeichen: 34.2-5/2024', ['fileNumber']],
    ['Geschäftszeichen 51.2 - 1234', ['fileNumber']],
    ['case number 2024/778', ['fileNumber']],
    ['Er wohnt in der Musterstraße 12', ['address']],
    ['Hauptstr. 5a, 45768 Marl', ['address']],
    ['Lindenallee 7 in Herne', ['address']],
    ['Am Schillerplatz 3 ist das Büro', ['address']],
    ['Bitte unter 0171 2345678 zurückrufen', ['phone']],
    ['Kontakt: +49 201 1234567', ['phone']],
    ['Tel. 0209/123456', ['phone']],
    ['(0211) 12 34 56', ['phone']],
    ['Seine Mail ist ahmet.k@gmail.com', ['email']],
    ['IBAN DE89 3704 0044 0532 0130 00', ['iban']],
    ['Herr Ahmad K., geb. 12.03.1990, Az. 4711 hat Ärger', ['birthDate', 'fileNumber']],
  ])('finds personal data in "%s"', (text, kinds) => {
    expect(detectPersonalData(text)).toEqual(kinds);
  });

  it.each([
    'Wer ist für Marl zuständig?',
    'Der Runderlass vom 05.12.2023 gilt seit Dezember.',
    'Das Teilhabe- und Integrationsgesetz vom 25.11.2021',
    'Treffen am 12.03.2025 um 10 Uhr',
    '§ 6 Abs. 5 TIntG',
    'Die AGS von Marl ist 05562024',
    'Dezernat 36 in Arnsberg',
    'Wir haben 2024 drei Maßnahmen geplant',
    'Raum 1.234, Etage 3',
    'Nr. 5 d des Erlasses',
    'Meine Kollegin Frau Mustermann ist im Urlaub',
  ])('does not flag ordinary questions: "%s"', (text) => {
    expect(detectPersonalData(text)).toEqual([]);
  });

  it('does not treat the staff addresses of the authorities as third-party data', () => {
    expect(detectPersonalData('Ist tina.test@bezreg-muenster.example richtig?', { ownEmailDomains: ['bezreg-muenster.example'] })).toEqual([]);
    expect(detectPersonalData('Ist tina.test@bezreg-muenster.example richtig?')).toEqual(['email']);
  });

  it('redacts what it finds for logs', () => {
    expect(redactPersonalData('Herr X, geb. 03.04.1985, Tel. 0171 2345678, wohnt Musterstraße 12.')).toBe('Herr X, geb. […], […], wohnt […].');
  });
});

describe('the privacy warning', () => {
  const engine = loadDefaultEngine();

  it('warns, says the text is not stored, and still names the authority of a clear place', () => {
    const a = engine.answer({ text: 'Frau Yilmaz, geb. 03.04.1985, wohnt in Marl – wer ist zuständig?' });
    expect(a.intent).toBe('privacy.warning');
    expect(a.authority).toBe('muenster');
    expect(a.personalData).toEqual(['birthDate']);
    expect(a.text).toMatch(/speichere diesen Text nicht/);
    expect(a.text).toMatch(/Bezirksregierung Münster/);
  });

  it('names no authority when no place is clear', () => {
    const a = engine.answer({ text: 'Es geht um Az. 12-34/2024, wer ist zuständig?' });
    expect(a.intent).toBe('privacy.warning');
    expect(a.authority).toBeNull();
  });

  it('warns in English when asked in English', () => {
    const a = engine.answer({ text: 'Please call Mr Smith on +49 201 1234567 about his case' });
    expect(a.intent).toBe('privacy.warning');
    expect(a.language).toBe('en');
    expect(a.text).toMatch(/do not store/);
  });
});
