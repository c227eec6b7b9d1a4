import { GERMAN_TERMS_KEPT, GERMAN_UI_WORDS, germanWords, readCard, readVisible, withoutLinkTargets, type ReadingRule } from '../../support/cardReading';

/** A small card with one TextBlock. */
const textCard = (text: string) => ({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text, wrap: true }] });
const found = (card: Record<string, unknown>, lang: 'de' | 'en' = 'de', rule?: ReadingRule) =>
  readCard(card, lang)
    .filter((f) => !rule || f.rule === rule)
    .map((f) => `${f.rule}:${f.found}`);
const button = (title: string, extra: Record<string, unknown> = {}) => ({ type: 'Action.Execute', title, verb: 'x', ...extra });

describe('visible text', () => {
  it('is read from text, facts, inputs, choices and actions, also inside columns, tables and Action.ShowCard cards', () => {
    const card = {
      type: 'AdaptiveCard',
      body: [
        { type: 'ColumnSet', columns: [{ type: 'Column', items: [{ type: 'TextBlock', text: 'in einer Spalte' }] }] },
        { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'ein Lauf' }, 'ein Text'] },
        { type: 'FactSet', facts: [{ title: 'Titel', value: 'Wert' }] },
        { type: 'Input.Text', id: 'a', label: 'Beschriftung', placeholder: 'Platzhalter', errorMessage: 'Fehlertext', value: '2025-01-10' },
        { type: 'Input.ChoiceSet', id: 'b', label: 'Auswahl', choices: [{ title: 'Wahl', value: 'v-1' }] },
        { type: 'Input.Toggle', id: 'c', title: 'Schalter' },
        { type: 'Table', rows: [{ type: 'TableRow', cells: [{ type: 'TableCell', items: [{ type: 'TextBlock', text: 'in einer Zelle' }] }] }] },
        { type: 'Container', items: [{ type: 'ActionSet', actions: [button('im Container')] }] },
      ],
      actions: [{ type: 'Action.ShowCard', title: 'Aufklappen', card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'aufgeklappt' }], actions: [button('Senden')] } }],
      refresh: { action: { type: 'Action.Execute', title: 'unsichtbar', verb: 'r' } },
    };
    const { texts, rows } = readVisible(card);
    expect(texts.map((t) => t.text)).toEqual([
      'in einer Spalte', 'ein Lauf', 'ein Text', 'Titel', 'Wert', 'Beschriftung', 'Platzhalter', 'Fehlertext', 'Wahl', 'Auswahl',
      'Schalter', 'in einer Zelle', 'im Container', 'Aufklappen', 'aufgeklappt', 'Senden',
    ]);
    expect(rows.map((r) => r.path)).toEqual(['body[7].items[0].actions', 'actions[0].card.actions', 'actions']);
    // Input values (an Input.Date's value is ISO by definition) and the refresh action are not visible text.
    expect(found(card)).toEqual([]);
  });

  it('reads a Markdown link as its text, not its address', () => {
    expect(withoutLinkTargets('Siehe [Erlass](https://recht.nrw.example/erlass?x=1) und [Mail](mailto:a@b.example)')).toBe('Siehe Erlass und Mail');
  });
});

describe('the internal-id rule', () => {
  it.each([
    ['Verknüpft mit anl-b832f1e4-1c2d-4e5f-8a9b-0c1d2e3f4a5b', 'anl-b832f1e4-1c2d-4e5f-8a9b-0c1d2e3f4a5b'],
    ['Verknüpft mit anl-b832f1e4-…', 'anl-b832f1e4-…'],
    ['Vortrag vtr-8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', 'vtr-8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'],
    ['Umfrage p-5b2f9c1e-3a4d-4e6f-8a9b-0c1d2e3f4a5b', 'p-5b2f9c1e-3a4d-4e6f-8a9b-0c1d2e3f4a5b'],
    ['Von 00000000-0000-4000-8000-000100000001', '00000000-0000-4000-8000-000100000001'],
    ['Nutzer 29:1AbCdEfGhIjK', '29:1AbCdEfGhIjK'],
    ['Bot 28:4a5b6c7d-0000', '28:4a5b6c7d-0000'],
    ['Kanal 19:abc123@thread.tacv2', '19:abc123@thread.tacv2'],
    ['Thema topic:2', 'topic:2'],
  ])('finds the id in "%s"', (text, id) => {
    expect(found(textCard(text), 'de', 'internalId')).toEqual([`internalId:${id}`]);
  });

  it('does not take times, dates, phone numbers or words for ids', () => {
    expect(found(textCard('Am 04.12.2026, 10:30 Uhr bis 12:00 Uhr; Telefon 02931 555-0101; vor- und nachmittags; Dezernat 36'), 'de', 'internalId')).toEqual([]);
  });
});

describe('the ISO date and time-zone rules', () => {
  it.each([
    ['Frist: 2025-01-10', 'isoDate:2025-01-10'],
    ['Beginn 2025-01-10T09:00', 'isoDate:2025-01-10T09:00'],
    ['Beginn 2025-01-10T09:00:00.000Z', 'isoDate:2025-01-10T09:00:00.000Z'],
    ['Uhrzeit Europe/Berlin', 'timeZone:Europe/Berlin'],
    ['10:00 UTC', 'timeZone:UTC'],
  ])('finds "%s"', (text, finding) => {
    expect(found(textCard(text))).toEqual([finding]);
  });

  it('accepts German dates and times, MEZ and MESZ', () => {
    expect(found(textCard('Am Dienstag, 12.01.2027, 10:00–12:00 Uhr (MEZ); Frist 08.01.2027; Sommer: MESZ'))).toEqual([]);
  });
});

describe('the raw-URL rule', () => {
  it('finds a bare address in text and in a fact', () => {
    expect(found(textCard('Online: https://teams.example/l/meetup-join/19%3ameeting'), 'de', 'rawUrl')).toEqual(['rawUrl:https://teams.example/l/meetup-join/19%3ameeting']);
    expect(found({ type: 'AdaptiveCard', body: [{ type: 'FactSet', facts: [{ title: 'Online', value: 'www.example.org/x' }] }] }, 'de', 'rawUrl')).toEqual(['rawUrl:www.example.org/x']);
  });

  it('accepts a format hint without an address', () => {
    expect(found({ type: 'AdaptiveCard', body: [{ type: 'Input.Text', id: 'u', label: 'Online-Link (https://…)' }] })).toEqual([]);
  });

  it('accepts links with text and e-mail addresses', () => {
    expect(found(textCard('[Online teilnehmen](https://teams.example/x) · erika@bezreg.example · [0251 411-0](tel:+492514110)'))).toEqual([]);
  });
});

describe('the English-word rule', () => {
  it.each([
    ['Status: Open', 'englishWord:Open'],
    ['Meeting am 12.01.2027', 'englishWord:Meeting'],
    ['Bitte Submit drücken', 'englishWord:Submit'],
    ['Please answer the poll', 'englishWord:Please'],
  ])('finds an English word in the German "%s"', (text, first) => {
    expect(found(textCard(text))[0]).toBe(first);
  });

  it('finds English button titles in a German view', () => {
    const card = { type: 'AdaptiveCard', body: [], actions: [button('Save'), button('Cancel', { mode: 'secondary' })] };
    expect(found(card)).toEqual(['englishWord:Save', 'englishWord:Cancel']);
  });

  it('does not flag German words that look English, nor English words in an English view', () => {
    const german = 'Status: in Bearbeitung. Details im Chat oder online; Link zum Team. Was will die IB also? Es hat fast geklappt. Not, Rat und Art.';
    expect(found(textCard(german))).toEqual([]);
    expect(found(textCard('Status: Open. Please answer the poll.'), 'en')).toEqual([]);
  });

  it('matches whole words only', () => {
    expect(found(textCard('Tonnen, Datei, Sendung, Editor-Modus, Antwortende, Teams-Meeting'))).toEqual([]);
  });
});

describe('the German-word rule', () => {
  it.each([
    ['Status: Erledigt', 'germanWord:Erledigt'],
    ['Your Anliegen was sent', 'germanWord:Anliegen'],
    ['Open the Vortrag', 'germanWord:Vortrag'],
    ['Deadline: 18 Dec 2026, 10:00 Uhr', 'germanWord:Uhr'],
    ['Please check the fields und send again', 'germanWord:und'],
  ])('finds a German word in the English "%s"', (text, first) => {
    expect(found(textCard(text), 'en')[0]).toBe(first);
  });

  it('finds German button titles in an English view', () => {
    const card = { type: 'AdaptiveCard', body: [], actions: [button('Senden'), button('Abbrechen', { mode: 'secondary' })] };
    expect(found(card, 'en')).toEqual(['germanWord:Senden', 'germanWord:Abbrechen']);
  });

  it('keeps the terms the English texts keep on purpose, each with its reason', () => {
    const text = 'The Kompetenzzentrum für Integration of the Bezirksregierung Arnsberg runs the Koordinierungskreis; Department (Dezernat).';
    expect(found(textCard(text), 'en')).toEqual([]);
    for (const reason of Object.values(GERMAN_TERMS_KEPT)) expect(reason.length).toBeGreaterThan(10);
    // A kept term is no German UI word, and a UI word is no kept term.
    expect(GERMAN_UI_WORDS.filter((w) => w in GERMAN_TERMS_KEPT)).toEqual([]);
  });

  it('leaves out what a person typed, wherever it stands, and a typed single word only when it is the whole text', () => {
    const typed = ['Sprachkurse für neu zugewanderte Beschäftigte', 'Behördenleitung'];
    expect(germanWords('About the request "Sprachkurse für neu zugewanderte Beschäftigte"', typed)).toEqual([]);
    expect(germanWords('Behördenleitung', typed)).toEqual([]);
    // The product's own "Behördenleitung" inside an English sentence is still found.
    expect(germanWords('Sent to the Behördenleitung', typed)).toEqual(['Behördenleitung']);
  });

  it('does not read German views for German words, nor English words inside German compounds', () => {
    expect(found(textCard('Bitte senden Sie das Anliegen'), 'de', 'germanWord')).toEqual([]);
    expect(found(textCard('Undo, order, diesel, sender, Sieve, amber, ein-step'), 'en')).toEqual([]);
  });
});

describe('the button rules at 328 px', () => {
  it('allow two primary buttons in a row and any number in the overflow menu', () => {
    const card = { type: 'AdaptiveCard', body: [], actions: [button('Annehmen'), button('Nachfragen'), button('Verlauf', { mode: 'secondary' }), button('Weiterleiten', { mode: 'secondary' })] };
    expect(found(card)).toEqual([]);
  });

  it('find a third primary button in the card, in an ActionSet and in a ShowCard card', () => {
    const three = [button('Eins'), button('Zwei'), button('Drei')];
    expect(found({ type: 'AdaptiveCard', actions: three }, 'de', 'tooManyActions')).toEqual(['tooManyActions:3 buttons: Eins | Zwei | Drei']);
    expect(readCard({ type: 'AdaptiveCard', body: [{ type: 'ActionSet', actions: three }] }, 'de').map((f) => f.path)).toEqual(['body[0].actions']);
    const nested = { type: 'AdaptiveCard', actions: [{ type: 'Action.ShowCard', title: 'Antworten', card: { type: 'AdaptiveCard', actions: three } }] };
    expect(readCard(nested, 'de').map((f) => `${f.rule}@${f.path}`)).toEqual(['tooManyActions@actions[0].card.actions']);
  });

  it('find titles that would be cut, counting the "…" menu', () => {
    const more = button('Verlauf', { mode: 'secondary' });
    // 74 + 80 px of labels beside "…": 260 px, fits.
    expect(found({ type: 'AdaptiveCard', actions: [button('Antworten'), button('Nachfragen'), more] })).toEqual([]);
    // 74 + 117 px beside "…": 297 px, cut (the gallery measured it cut at 328 px).
    expect(found({ type: 'AdaptiveCard', actions: [button('Antworten'), button('Rückfrage stellen'), more] }, 'de', 'actionTooLong')).toEqual([
      'actionTooLong:Antworten | Rückfrage stellen (297 > 296 px beside "…")',
    ]);
    // 144 + 130 px beside "…": cut.
    expect(found({ type: 'AdaptiveCard', actions: [button('Zur Kenntnis nehmen'), button('Termin vorschlagen'), more] }, 'de', 'actionTooLong')).toEqual([
      'actionTooLong:Zur Kenntnis nehmen | Termin vorschlagen (380 > 296 px beside "…")',
    ]);
    // The same two without the menu: 334 px, still cut; one of them alone fits.
    expect(found({ type: 'AdaptiveCard', actions: [button('Zur Kenntnis nehmen'), button('Termin vorschlagen')] }, 'de', 'actionTooLong')).toHaveLength(1);
    expect(found({ type: 'AdaptiveCard', actions: [button('Schriftliche Vorlage anfordern')] })).toEqual([]);
    expect(found({ type: 'AdaptiveCard', actions: [button('Termin vorschlagen und schriftliche Vorlage anfordern')] }, 'de', 'actionTooLong')).toHaveLength(1);
  });
});
