import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { answersFeature } from '../../bot/handlers/answers';
import { directoryFeature } from '../../bot/handlers/directory';
import { chooseAuthorityCard } from '../../cards/chooseAuthorityCard';
import { contactCard } from '../../cards/contactCard';
import { directoryEditCard } from '../../cards/directoryEditCard';
import { checkCard, expectValidCard } from '../support/cardChecks';

const TEMPLATES = path.resolve(__dirname, '../../cards/templates');
const CARDS = path.resolve(__dirname, '../../cards');

/** The verbs the features behind these cards handle. */
const handled = new Set(
  [
    ...(answersFeature({ live: {} as never, unanswered: {} as never, profiles: {} as never, logger: {} as never } as never).verbs ?? []),
    ...(directoryFeature({ live: {} as never, directory: {} as never, admins: [], logger: {} as never } as never).verbs ?? []),
    { verb: 'request.start' },
  ].map((v) => v.verb),
);

describe.each(['de', 'en'] as const)('the contact, authority-choice and directory-edit cards in %s', (lang) => {
  const cards = {
    contact: contactCard({
      lang,
      heading: 'Ihre IB bei der Bezirksregierung Münster',
      intro: 'Für Marl ist die Bezirksregierung Münster zuständig.',
      notice: 'Abwesend bis 12.12.2026; es vertritt Jan Jedermann (Beispiel).',
      people: [
        {
          role: '',
          name: 'Tina Test (Beispiel)',
          title: 'Integrationsbeauftragte',
          facts: [
            { label: 'E-Mail', value: '[tina.test@example.org](mailto:tina.test@example.org)' },
            { label: 'Telefon', value: '[0251 411-0](tel:+492514110)' },
          ],
          actions: [
            { title: 'Chat starten', url: 'https://teams.microsoft.com/l/chat/0/0?users=tina.test@example.org', mode: 'primary' },
            { title: 'E-Mail schreiben', url: 'mailto:tina.test@example.org', mode: 'secondary' },
            { title: 'Anrufen', url: 'tel:+492514110', mode: 'secondary' },
          ],
        },
      ],
      source: 'Quelle: RdErl. v. 5.12.2023, Nr. 5 b',
      requestLabel: 'Anliegen senden',
      authority: 'muenster',
    }).content,
    chooseAuthority: chooseAuthorityCard({
      lang,
      heading: 'Für welche Bezirksregierung arbeiten Sie?',
      intro: 'Ich merke es mir für Ihre nächsten Fragen.',
      label: 'Bezirksregierung',
      errorMessage: 'Bitte wählen Sie eine Bezirksregierung.',
      choices: [
        { title: 'Bezirksregierung Arnsberg', value: 'arnsberg' },
        { title: 'Bezirksregierung Köln', value: 'koeln' },
      ],
      submitLabel: 'Speichern',
      question: 'Wer ist meine IB?',
    }).content,
    directoryEdit: directoryEditCard({
      lang,
      heading: 'Meine Angaben',
      intro: 'Ihr Eintrag im Verzeichnis.',
      status: 'Gespeichert.',
      statusStyle: 'good',
      confirmedText: 'Angaben zuletzt bestätigt am 10.03.2026; eine Bestätigung steht aus.',
      officeHours: 'Mo–Do 9–12 Uhr',
      absencesText: '14.12.–18.12.2026',
      deputy: { name: 'Jan Jedermann (Beispiel)', title: 'Dezernat 36', email: 'jan.jedermann@example.org', phone: '0221 147-0' },
      authority: 'koeln',
      labels: {
        officeHours: 'Sprechzeiten', absences: 'Abwesenheiten', absenceFrom: 'Abwesend ab', absenceTo: 'Abwesend bis', absenceNote: 'Hinweis',
        clearAbsences: 'Abwesenheiten löschen', clearAbsencesLabel: 'Alle Abwesenheiten entfernen', deputy: 'Vertretung', deputyPick: 'Vertretung suchen', deputyName: 'Name',
        deputyTitle: 'Funktion', deputyEmail: 'E-Mail', deputyPhone: 'Telefon', save: 'Speichern', confirm: 'Angaben sind aktuell',
      },
    }).content,
  };

  it.each(Object.entries(cards))('%s renders from fixture data as a valid Adaptive Card 1.5, labelled, nothing unbound', (_name, content) => {
    expectValidCard(content, lang);
  });

  it.each(Object.entries(cards))('%s only offers verbs a feature handles', (_name, content) => {
    const verbs = checkCard(content).executeVerbs;
    for (const verb of verbs) expect(handled.has(verb)).toBe(true);
  });

  it('offers at least one action on each form', () => {
    expect(checkCard(cards.chooseAuthority).executeVerbs.length).toBeGreaterThan(0);
    expect(checkCard(cards.directoryEdit).executeVerbs.length).toBeGreaterThan(0);
  });
});

describe('every card template', () => {
  const templates = readdirSync(TEMPLATES).filter((f) => f.endsWith('.json'));
  // Each template has a typed render function in cards/, and that function is rendered from fixture data in a unit test.
  const sources = readdirSync(CARDS)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ module: f.replace(/\.ts$/, ''), text: readFileSync(path.join(CARDS, f), 'utf8') }));
  // The modules that build views on a card: chat handlers, the tab's routes (the knowledge base's preview), and the
  // workflows' own view builders in services/ (e.g. the paper-file question of services/requests/paperFile.ts).
  const handlers = ['../../bot/handlers', '../../bot/tab', '../../services'].flatMap((dir) =>
    (readdirSync(path.resolve(__dirname, dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ module: f, text: readFileSync(path.resolve(__dirname, dir, f), 'utf8') })),
  );
  const exportsOf = (text: string) => [...text.matchAll(/export (?:const|function) (\w+)/g)].map((m) => m[1]);
  // Every unit test file (test/unit and below): a card's own test may sit beside its workflow's tests.
  const unitTests = (readdirSync(__dirname, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => readFileSync(path.join(__dirname, f), 'utf8'))
    // The card fixtures, which the reading and Teams-rule tests (cards/cardReading.test.ts) render one by one.
    .concat(readFileSync(path.resolve(__dirname, '../fixtures/cards.ts'), 'utf8'))
    .join('\n');

  it('is bound by a render function that a unit test calls with fixture data', () => {
    expect(templates.length).toBeGreaterThan(0);
    for (const file of templates) {
      const source = sources.find((s) => s.text.includes(`./templates/${file}'`));
      expect({ file, bound: !!source }).toEqual({ file, bound: true });
      // The binding module's exports, and those of the view modules built on it (circleViews on circleCards).
      const users = [...sources, ...handlers].filter((s) => s.text.includes(`from './${source!.module}'`) || s.text.includes(`from '../../cards/${source!.module}'`));
      const exported = [source!, ...users].flatMap((s) => exportsOf(s.text));
      expect(exported.length).toBeGreaterThan(0);
      expect({ file, tested: exported.some((name) => unitTests.includes(`${name}(`)) }).toEqual({ file, tested: true });
    }
  });
});
