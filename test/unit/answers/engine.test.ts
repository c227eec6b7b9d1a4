import { loadDefaultEngine, type AnswerEngine, type AnswerRequest } from '../../../services/answers/engine';
import type { Intent } from '../../../services/answers/intents';
import type { AuthorityCode } from '../../../services/directory/model';

let engine: AnswerEngine;
beforeAll(() => {
  engine = loadDefaultEngine();
});

const NOW = new Date('2025-03-03T10:00:00Z');
const ask = (text: string, extra: Partial<AnswerRequest> = {}) => engine.answer({ text, now: NOW, ...extra });

type Case = [text: string, authority: AuthorityCode | null];

describe('naming the IB responsible for a place (contact.commissioner)', () => {
  it.each<Case>([
    ['Wer ist mein Ansprechpartner für Integration in Gelsenkirchen?', 'muenster'],
    ['An wen wende ich mich bei Integrationsfragen in Bochum?', 'arnsberg'],
    ['integrationsbeauftragte für bottrop', 'muenster'],
    ['Welche Bezirksregierung ist für Essen zuständig?', 'duesseldorf'],
    ['Zu welcher Bezirksregierung gehört Hamm?', 'arnsberg'],
    ['Ich arbeite in der Stadtverwaltung Langenfeld, wer ist unsere IB bei der Bezirksregierung?', 'duesseldorf'],
    ['Wer ist für Halle zuständig, wenn es um Integration geht?', 'detmold'],
    ['Who is responsible for integration in Cologne?', 'koeln'],
    ['integration commissioner for muenster please', 'muenster'],
    ['Who handles integration for the city of Dortmund?', 'arnsberg'],
    ['Zuständige Integrationsbeauftragte für Porta Westfalica?', 'detmold'],
    ['Integrationsbeauftragte zustaendig fuer Duesseldorf', 'duesseldorf'],
    ['Ich bin Integrationsbeauftragte der Stadt Marl. Wer ist meine Ansprechperson bei der Bezirksregierung?', 'muenster'],
    ['Wer ist für Kreis Unna zuständig?', 'arnsberg'],
    ['Zuständigkeit Integration Oberbergischer Kreis', 'koeln'],
    ['Who is the integration commissioner responsible for Reckinghausen?', 'muenster'],
    ['ansprechperson integration für much?', 'koeln'],
    ['Hallo, ich bin neu bei der Stadt Dorsten und suche die Integrationsbeauftragte der Bezirksregierung.', 'muenster'],
    ['Wir planen in Gladbeck ein Integrationsprojekt. Wen können wir bei der Bezirksregierung ansprechen?', 'muenster'],
    ['Ist die Bezirksregierung Köln für Marl zuständig?', 'muenster'],
    ['I work for the city of Bonn. Who is our integration commissioner at the district government?', 'koeln'],
    ['Kannst du mir die Integrationsbeauftragte für Hagen nennen?', 'arnsberg'],
    ['Wer betreut Integration für Oer-Erkenschwick?', 'muenster'],
    ['Integrationsbeauftragte Hochsauerlandkreis', 'arnsberg'],
    ['Wer ist für OWL zuständig?', 'detmold'],
  ])('"%s" → %s', (text, authority) => {
    const a = ask(text);
    expect(a.intent).toBe('contact.commissioner');
    expect(a.authority).toBe(authority);
  });

  it('names the IB from the directory with the place, its Kreis and the citation for municipalities', () => {
    const a = ask('Wer ist für Marl zuständig?');
    expect(a.place).toEqual({ ags: '05562024', name: 'Marl' });
    expect(a.text).toMatch(/^Für Marl \(Kreis Recklinghausen\) ist die Bezirksregierung Münster zuständig\./);
    expect(a.text).toContain('Tina Test (Beispiel)');
    expect(a.citation).toBe('RdErl. v. 5.12.2023, Nr. 5 d');
    expect(a.contact?.commissioner?.id).toBe('muenster-ib');
    expect(a.contact?.primary).toBe('commissioner');
  });

  it('answers in English when asked in English', () => {
    const a = ask('Who is the integration commissioner responsible for Marl?');
    expect(a.language).toBe('en');
    expect(a.text).toMatch(/^Marl \(Kreis Recklinghausen\) is served by the Bezirksregierung Münster/);
  });
});

describe('naming the IB of an authority named in the question', () => {
  it.each<Case>([
    ['Wer ist die Integrationsbeauftragte der Bezirksregierung Köln?', 'koeln'],
    ['Wie erreiche ich die IB der BR Arnsberg?', 'arnsberg'],
    ['IB Regierungsbezirk Münster', 'muenster'],
    ['Kontaktdaten der Integrationsbeauftragten bei der Regierung in Detmold', 'detmold'],
    ['Wer ist die Integrationsbeauftragte der Kölner Bezirksregierung?', 'koeln'],
    ['Who is the integration officer at the district government of Dusseldorf?', 'duesseldorf'],
    ['Mit wem spreche ich bei der BR Düsseldorf über Integration?', 'duesseldorf'],
    ['Gibt es bei der Bezirksregierung Detmold eine Integrationsbeauftragte?', 'detmold'],
    ['Telefonnummer IB Arnsberg', 'arnsberg'],
  ])('"%s" → %s', (text, authority) => {
    const a = ask(text);
    expect(a.intent).toBe('contact.commissioner');
    expect(a.authority).toBe(authority);
  });

  it('cites Nr. 5 b when the question is about an authority rather than a municipality', () => {
    expect(ask('Wer ist die Integrationsbeauftragte der Bezirksregierung Köln?').citation).toBe('RdErl. v. 5.12.2023, Nr. 5 b');
  });
});

describe('"my IB": the asker\'s own authority', () => {
  it('uses the known home authority', () => {
    const a = ask('Wer ist meine Integrationsbeauftragte?', { homeAuthority: 'detmold' });
    expect(a.intent).toBe('contact.commissioner');
    expect(a.authority).toBe('detmold');
    expect(a.needsHomeAuthority).toBe(false);
  });

  it.each(['Wer ist meine Integrationsbeauftragte?', 'Who is my integration commissioner?', 'Wer ist die IB?', 'Wer ist bei uns Integrationsbeauftragte?'])(
    'asks back instead of guessing when the home authority is unknown: "%s"',
    (text) => {
      const a = ask(text);
      expect(a.intent).toBe('contact.commissioner');
      expect(a.authority).toBeNull();
      expect(a.needsHomeAuthority).toBe(true);
      expect(a.text).toMatch(/Arnsberg, Detmold, Düsseldorf, Köln (oder|or) Münster/);
    },
  );

  it('takes the authority the asker says they work for', () => {
    expect(ask('Ich arbeite bei der Bezirksregierung Köln. Wer ist unsere Integrationsbeauftragte?').authority).toBe('koeln');
    expect(ask('Ich arbeite im Dezernat 25 der BR Detmold – wer ist unsere Integrationsbeauftragte?').authority).toBe('detmold');
  });

  it('prefers a named place over the home authority', () => {
    expect(ask('Wer ist die IB für Marl?', { homeAuthority: 'koeln' }).authority).toBe('muenster');
  });
});

describe('the Ruhr split and other traps of the map', () => {
  it.each<Case>([
    ['Gelsenkirchen', 'muenster'],
    ['Bottrop', 'muenster'],
    ['Kreis Recklinghausen', 'muenster'],
    ['Bochum', 'arnsberg'],
    ['Dortmund', 'arnsberg'],
    ['Hagen', 'arnsberg'],
    ['Hamm', 'arnsberg'],
    ['Herne', 'arnsberg'],
    ['Ennepe-Ruhr-Kreis', 'arnsberg'],
    ['Kreis Unna', 'arnsberg'],
    ['Essen', 'duesseldorf'],
    ['Duisburg', 'duesseldorf'],
    ['Mülheim an der Ruhr', 'duesseldorf'],
    ['Oberhausen', 'duesseldorf'],
  ])('%s belongs to %s', (place, authority) => {
    expect(ask(`Wer ist für ${place} zuständig?`).authority).toBe(authority);
  });

  it('explains the split instead of guessing for "the Ruhr area"', () => {
    const a = ask('Wer ist die Integrationsbeauftragte im Ruhrgebiet?');
    expect(a.intent).toBe('contact.commissioner');
    expect(a.authority).toBeNull();
    expect(a.text).toMatch(/drei Bezirksregierungen/);
  });

  it.each<Case>([
    ['Wattenscheid', 'arnsberg'],
    ['Rheydt', 'duesseldorf'],
    ['Bad Godesberg', 'koeln'],
    ['Duisburg-Rheinhausen', 'duesseldorf'],
    ['köln-porz', 'koeln'],
    ['Hamm-Heessen', 'arnsberg'],
  ])('places the district %s', (place, authority) => {
    const a = ask(`Wer ist für ${place} zuständig?`);
    expect(a.intent).toBe('contact.commissioner');
    expect(a.authority).toBe(authority);
  });

  it('says that Wattenscheid is part of Bochum', () => {
    const a = ask('Integrationsbeauftragte Wattenscheid');
    expect(a.place).toEqual({ ags: '05911000', name: 'Bochum' });
    expect(a.text).toMatch(/^Wattenscheid gehört zu Bochum\./);
  });
});

describe('places outside NRW', () => {
  it.each([
    'Wer ist die Integrationsbeauftragte für die Stadt Osnabrück?',
    'Integrationsbeauftragte Mainz',
    'Wer ist zuständig für Lüneburg?',
    'Who is the integration commissioner for Berlin?',
    'Ansprechperson Integration Hamburg',
    'Wer ist die Integrationsbeauftragte in Bayern?',
  ])('are politely out of scope: "%s"', (text) => {
    const a = ask(text);
    expect(a.intent).toBe('out_of_scope');
    expect(a.authority).toBeNull();
    expect(a.outside).not.toBeNull();
    expect(a.text).toMatch(/nicht in Nordrhein-Westfalen|not in North Rhine-Westphalia/);
  });
});

describe('who stands in (contact.deputy)', () => {
  it.each<[string, AuthorityCode | null, AuthorityCode | undefined]>([
    ['Wer vertritt die IB in Köln?', 'koeln', undefined],
    ['Die Integrationsbeauftragte in Münster ist im Urlaub – wer ist die Vertretung?', 'muenster', undefined],
    ['Stellvertretung der Integrationsbeauftragten Detmold', 'detmold', undefined],
    ['Who is the deputy integration commissioner in Arnsberg?', 'arnsberg', undefined],
    ['Meine IB ist krank, an wen kann ich mich wenden?', 'duesseldorf', 'duesseldorf'],
    ['Who stands in for the integration officer of Düsseldorf?', 'duesseldorf', undefined],
    ['Unsere IB ist diese Woche nicht erreichbar. Wer springt ein?', 'muenster', 'muenster'],
    ['Wer vertritt die IB?', null, undefined],
  ])('"%s" → %s', (text, authority, home) => {
    const a = ask(text, { homeAuthority: home });
    expect(a.intent).toBe('contact.deputy');
    expect(a.authority).toBe(authority);
  });

  it('names the deputy from the directory', () => {
    const a = ask('Wer vertritt die Integrationsbeauftragte der Bezirksregierung Köln?');
    expect(a.text).toContain('Jan Jedermann (Beispiel)');
    expect(a.contact?.deputy?.id).toBe('koeln-ib-deputy');
  });
});

describe('absences', () => {
  const july = new Date('2025-07-10T08:00:00Z');

  it('points to the deputy while the IB is away, with the day the IB is back', () => {
    const a = engine.answer({ text: 'Wer ist die IB der Bezirksregierung Köln?', now: july });
    expect(a.intent).toBe('contact.commissioner');
    expect(a.contact?.absence).toEqual(expect.objectContaining({ to: '2025-07-25' }));
    expect(a.contact?.primary).toBe('deputy');
    expect(a.text).toContain('bis 25.07.2025 abwesend');
    expect(a.text).toContain('Jan Jedermann (Beispiel)');
  });

  it('routes a request to the deputy when the commissioner is absent', () => {
    const a = engine.answer({ text: 'Ich möchte ein Anliegen an die Integrationsbeauftragte richten.', homeAuthority: 'koeln', now: july });
    expect(a.intent).toBe('request.create');
    expect(a.authority).toBe('koeln');
    expect(a.contact?.primary).toBe('deputy');
    expect(a.text).toContain('Jan Jedermann (Beispiel)');
  });

  it('does not mention an absence outside its dates', () => {
    const a = ask('Wer ist die IB der Bezirksregierung Köln?');
    expect(a.contact?.absence).toBeNull();
    expect(a.text).not.toContain('abwesend');
  });
});

describe('never inventing a contact', () => {
  it('says so when the directory lists no IB for the authority', () => {
    const d = structuredClone(engine.directory);
    d.authorities.find((x) => x.code === 'muenster')!.commissioner = null;
    d.authorities.find((x) => x.code === 'muenster')!.deputy = null;
    const a = engine.withDirectory(d).answer({ text: 'Wer ist für Marl zuständig?', now: NOW });
    expect(a.intent).toBe('contact.commissioner');
    expect(a.authority).toBe('muenster');
    expect(a.text).toMatch(/keine Integrationsbeauftragte eingetragen/);
    expect(a.text).not.toContain('Tina Test');
  });
});

describe('the Kompetenzzentrum für Integration (contact.kfi)', () => {
  it.each([
    'Wer berät die Integrationsbeauftragten der Bezirksregierungen?',
    'Wer moderiert den Koordinierungskreis?',
    'Wie erreiche ich das Kompetenzzentrum für Integration?',
    'Kontakt KfI',
    'Wo kann sich eine Integrationsbeauftragte beraten lassen?',
    'Wer ist für die Förderung der Kommunalen Integrationszentren zuständig?',
    'Wer fördert Migrantenorganisationen?',
    'Wo beantrage ich Fördermittel für das Kommunale Integrationsmanagement?',
    'Who organises the coordination circle?',
    'Who advises the integration commissioners?',
    'Wer lädt zum Koordinierungskreis ein?',
    'Dezernat 36 Arnsberg Kontakt',
  ])('"%s" → the KfI at Arnsberg', (text) => {
    const a = ask(text);
    expect(a.intent).toBe('contact.kfi');
    expect(a.authority).toBe('arnsberg');
    expect(a.kfi?.orgUnit).toBe('Dezernat 36');
    expect(a.citation).toBe('RdErl. v. 5.12.2023, Nr. 6');
  });
});

describe('the Kommunales Integrationszentrum (contact.ki)', () => {
  it.each<[string, AuthorityCode, string]>([
    ['Welches Kommunale Integrationszentrum ist für Wenden zuständig?', 'arnsberg', 'Kreis Olpe'],
    ['Welches KI ist für Marl zuständig?', 'muenster', 'Kreis Recklinghausen'],
    ['Gibt es ein Kommunales Integrationszentrum in Bonn?', 'koeln', 'Stadt Bonn'],
    ['KI Kreis Unna', 'arnsberg', 'Kreis Unna'],
    ['Which municipal integration centre serves Hamm?', 'arnsberg', 'Stadt Hamm'],
    ['Gibt es in Herne ein KI?', 'arnsberg', 'Stadt Herne'],
    ['Kommunales Integrationszentrum Rhein-Sieg-Kreis', 'koeln', 'Rhein-Sieg-Kreis'],
    ['municipal integration centre Essen', 'duesseldorf', 'Stadt Essen'],
    ['welches ki ist für moers zuständig', 'duesseldorf', 'Kreis Wesel'],
  ])('"%s" → %s, KI of %s', (text, authority, traeger) => {
    const a = ask(text);
    expect(a.intent).toBe('contact.ki');
    expect(a.authority).toBe(authority);
    expect(a.ki?.traeger).toBe(traeger);
  });

  it('gives the city of Aachen its own KI and the StädteRegion its own', () => {
    expect(ask('Kommunales Integrationszentrum für Aachen').ki?.traeger).toBe('Stadt Aachen');
    expect(ask('Kommunales Integrationszentrum für die StädteRegion Aachen').ki?.traeger).toBe('StädteRegion Aachen');
    expect(ask('Welches KI ist für Stolberg zuständig?').ki?.traeger).toBe('StädteRegion Aachen');
  });

  it('asks "Stadt oder Kreis?" for a town named like its Kreis, and names the KI of the Kreis', () => {
    const a = ask('Wo ist das KI für Kleve?');
    expect(a.ki).toEqual({ traeger: 'Kreis Kleve', traegerAgs: '05154', cityOrKreis: true });
    expect(a.text).toMatch(/Stadt Kleve oder den Kreis Kleve/);
    expect(ask('Welches KI ist für den Kreis Kleve zuständig?').ki?.cityOrKreis).toBe(false);
  });

  it('asks for the place when none is named', () => {
    const a = ask('Was macht ein Kommunales Integrationszentrum?');
    expect(a.intent).toBe('contact.ki');
    expect(a.place).toBeNull();
  });
});

describe('vocabulary traps', () => {
  it.each([
    'Darf ich KI für Übersetzungen nutzen?',
    'Kann mir die KI einen Bescheid schreiben?',
    'Was ist künstliche Intelligenz?',
    'Can I use ChatGPT for my work?',
    'Welche KI-Tools darf ich nutzen?',
    'Ist der Einsatz von KI in der Verwaltung erlaubt?',
  ])('treats artificial intelligence as out of scope: "%s"', (text) => {
    const a = ask(text);
    expect(a.intent).toBe('out_of_scope');
    expect(a.source).toBe('oos.ai');
  });

  it.each([
    ['Wer ist der ISB der Bezirksregierung Köln?', 'oos.isb'],
    ['Wer ist der Informationssicherheitsbeauftragte der Bezirksregierung Arnsberg?', 'oos.isb'],
    ['Wer ist die Inklusionsbeauftragte in Münster?', 'oos.inclusion'],
    ['Wer ist die Schwerbehindertenvertretung der Bezirksregierung Detmold?', 'oos.inclusion'],
    ['Wer ist der Datenschutzbeauftragte?', 'oos.other_role'],
    ['Wer ist die Gleichstellungsbeauftragte der BR Münster?', 'oos.other_role'],
  ])('does not confuse other officers with the IB: "%s"', (text, source) => {
    const a = ask(text);
    expect(a.intent).toBe('out_of_scope');
    expect(a.source).toBe(source);
  });

  it.each([
    'Mein Kollege braucht eine Verlängerung seines Aufenthaltstitels, wer hilft?',
    'Wo beantrage ich eine Einbürgerung?',
    'Ein Geflüchteter aus Syrien braucht eine Duldung – wer ist zuständig?',
    'Wie lange dauert eine Einbürgerung in Köln?',
  ])('sends individual residence-law cases to the Ausländerbehörde, never to the IB: "%s"', (text) => {
    const a = ask(text);
    expect(a.intent).toBe('out_of_scope');
    expect(a.text).toMatch(/Ausländerbehörde/);
    expect(a.contact).toBeNull();
  });

  it.each([
    'Wie ist das Wetter in Düsseldorf?',
    'Wie wird das Wetter morgen in Köln?',
    'Was gibt es heute in der Kantine?',
    'Wie viele Einwohner hat Bochum?',
    'Wer ist für Baugenehmigungen in Marl zuständig?',
    'Wann fährt der nächste Zug nach Köln?',
    'Wie beantrage ich Urlaub?',
    'Erzähl mir einen Witz',
    'asdfghjkl',
  ])('keeps everyday questions out of scope: "%s"', (text) => {
    expect(ask(text).intent).toBe('out_of_scope');
  });
});

describe('informational answers, each with its citation', () => {
  it.each<[string, Intent, string]>([
    ['Was sind die Aufgaben einer Integrationsbeauftragten?', 'info.tasks', 'Nr. 5'],
    ['Was macht die IB eigentlich?', 'info.tasks', 'Nr. 5'],
    ['What does an integration commissioner do?', 'info.tasks', 'Nr. 5'],
    ['Muss ich die Integrationsbeauftragte beteiligen, wenn wir eine Maßnahme für Geflüchtete planen?', 'info.tasks', 'Nr. 5'],
    ['Wann sollte ich die IB einbinden?', 'info.tasks', 'Nr. 5'],
    ['Ist die IB auch Ansprechperson für kommunale Integrationsbeauftragte?', 'info.tasks', 'Nr. 5'],
    ['Wofür ist die Integrationsbeauftragte zuständig?', 'info.tasks', 'Nr. 5'],
    ['Welches Gesetz regelt die Integrationsbeauftragten?', 'info.legal_basis', '§ 6 Abs. 5 TIntG'],
    ['What is the legal basis for integration commissioners?', 'info.legal_basis', 'Nr. 1'],
    ['Warum gibt es Integrationsbeauftragte bei den Bezirksregierungen?', 'info.legal_basis', 'Nr. 1'],
    ['Was regelt der Runderlass vom 5.12.2023?', 'info.legal_basis', 'Nr. 1'],
    ['Welche Qualifikationen braucht eine Integrationsbeauftragte?', 'info.requirements', 'Nr. 2'],
    ['Was muss man als IB können?', 'info.requirements', 'Nr. 2'],
    ['What skills does an integration commissioner need?', 'info.requirements', 'Nr. 2'],
    ['Brauche ich interkulturelle Kompetenz, um IB zu werden?', 'info.requirements', 'Nr. 2'],
    ['Wer bestellt die Integrationsbeauftragte?', 'info.appointment', 'Nr. 3'],
    ['How is the integration commissioner appointed?', 'info.appointment', 'Nr. 3'],
    ['Wird das Ministerium über die Bestellung informiert?', 'info.appointment', 'Nr. 3'],
    ['Wie erfahren die Beschäftigten, wer Integrationsbeauftragte ist?', 'info.appointment', 'Nr. 3'],
    ['Ist die Integrationsbeauftragte weisungsgebunden?', 'info.organisation', 'Nr. 4'],
    ['Wo ist die IB organisatorisch angebunden?', 'info.organisation', 'Nr. 4'],
    ['Hat die IB ein direktes Vortragsrecht bei der Regierungspräsidentin?', 'info.organisation', 'Nr. 4'],
    ['Bekommt die Integrationsbeauftragte personelle Unterstützung?', 'info.organisation', 'Nr. 4'],
    ['Darf sich die IB von Kolleginnen beraten lassen?', 'info.organisation', 'Nr. 4'],
    ['Can the integration commissioner report directly to the head of the authority?', 'info.organisation', 'Nr. 4'],
    ['Was ist der Koordinierungskreis?', 'info.circle', 'Nr. 6'],
    ['Wozu dient der Koordinierungskreis?', 'info.circle', 'Nr. 6'],
    ['What is the coordination circle?', 'info.circle', 'Nr. 6'],
    ['Wann ist der Erlass in Kraft getreten?', 'info.effective_date', 'Nr. 7'],
    ['Ab wann gilt der Runderlass?', 'info.effective_date', 'Nr. 7'],
    ['When did the decree come into force?', 'info.effective_date', 'Nr. 7'],
  ])('"%s" → %s (%s)', (text, intent, cite) => {
    const a = ask(text);
    expect(a.intent).toBe(intent);
    expect(a.citation).toContain(cite);
    expect(a.authority).toBeNull();
    expect(a.text.length).toBeGreaterThan(80);
  });

  it('paraphrases the decree: the direct right to report and being bound by instructions (Nr. 4)', () => {
    const a = ask('Ist die Integrationsbeauftragte weisungsgebunden?');
    expect(a.text).toMatch(/unmittelbares Vortragsrecht/);
    expect(a.text).toMatch(/Weisungen der Hausleitung sind sie gebunden/);
  });

  it('names an authority in an informational answer only if the question did', () => {
    expect(ask('Was macht die IB in Köln?').authority).toBe('koeln');
  });
});

describe('workflows', () => {
  it.each([
    'Ich möchte ein Anliegen an die Integrationsbeauftragte richten.',
    'Ich möchte der IB eine Nachricht schicken.',
    'Wir möchten die Integrationsbeauftragte an unserem Projekt beteiligen.',
    'I would like to send a request to my integration commissioner.',
    'Kann ich über den Bot eine Anfrage an die IB stellen?',
    'Bitte leite mein Anliegen an die IB weiter.',
    'Can you forward my question to the integration commissioner?',
  ])('starts a request to the IB: "%s"', (text) => {
    expect(ask(text, { homeAuthority: 'arnsberg' })).toEqual(expect.objectContaining({ intent: 'request.create', authority: 'arnsberg' }));
  });

  it('asks where a request should go when the authority is unknown', () => {
    const a = ask('Ich möchte ein Anliegen an die Integrationsbeauftragte richten.');
    expect(a).toEqual(expect.objectContaining({ intent: 'request.create', authority: null, needsHomeAuthority: true }));
  });

  it.each([
    'Ich möchte einen Vortrag bei der Behördenleitung anmelden.',
    'Ich möchte einen Vortrag bei der Regierungspräsidentin anmelden.',
    'Als IB möchte ich der Behördenleitung vortragen.',
    'Vortrag bei der Hausleitung anmelden',
    'I want to register a report to the head of the authority.',
    'Wie melde ich als IB einen Vortrag bei der Hausleitung an?',
  ])('registers a report to the head: "%s"', (text) => {
    const a = ask(text, { homeAuthority: 'detmold' });
    expect(a.intent).toBe('report.create');
    expect(a.authority).toBe('detmold');
    expect(a.citation).toBe('RdErl. v. 5.12.2023, Nr. 4');
  });

  it.each([
    'Wann ist das nächste Treffen des Koordinierungskreises?',
    'Wann trifft sich der Koordinierungskreis das nächste Mal?',
    'Nächster Termin Koordinierungskreis?',
    'When is the next coordination circle meeting?',
    'Wann ist das nächste Treffen der Integrationsbeauftragten?',
    'Wann tagt der Koordinierungskreis?',
  ])('finds the next circle meeting: "%s"', (text) => {
    expect(ask(text).intent).toBe('circle.next_meeting');
  });
});

describe('help', () => {
  it.each(['Hallo', 'Hilfe!', 'help', 'What can you do?', 'Was kannst du?', 'Wie funktioniert der Bot?', 'Was kann ich dich fragen?', 'Guten Morgen!'])(
    'explains what the bot can do: "%s"',
    (text) => {
      const a = ask(text);
      expect(a.intent).toBe('help');
      expect(a.authority).toBeNull();
    },
  );

  it('thanks back', () => {
    expect(ask('Danke, das hilft mir weiter!')).toEqual(expect.objectContaining({ intent: 'help', source: 'thanks' }));
  });
});

describe('bad input', () => {
  it.each<[string, string]>([
    ['empty', ''],
    ['blank', '   \n\t '],
    ['punctuation only', '?!?'],
    ['control characters only', '\u0000\u0001\u0007\u001b'],
  ])('answers an %s message with help', (_name, text) => {
    const a = ask(text);
    expect(a.intent).toBe('help');
    expect(a.text.length).toBeGreaterThan(10);
  });

  it('answers a 10,000+ character message politely without analysing it as a question', () => {
    const a = ask('Wer ist für Marl zuständig? '.repeat(500));
    expect(a.intent).toBe('out_of_scope');
    expect(a.text).toMatch(/sehr lang/);
  });

  it('still warns about personal data pasted in a long text', () => {
    const a = ask('Text '.repeat(1500) + ' Herr Yilmaz, geb. 03.04.1985');
    expect(a.intent).toBe('privacy.warning');
  });

  it('ignores control and invisible characters inside a question', () => {
    const a = ask('Wer\u0000 ist für M\u200barl\u0007 zuständig?\u001b[0m');
    expect(a.intent).toBe('contact.commissioner');
    expect(a.authority).toBe('muenster');
  });

  it('never throws, whatever it is given', () => {
    const inputs: unknown[] = [null, undefined, 42, {}, [], '\ud800', '😀😀😀', 'مرحبا من مارل', 'Привет', '\u202eKöln', 'x'.repeat(1_000_000)];
    for (const text of inputs) {
      expect(() => engine.answer({ text: text as string, homeAuthority: 'nowhere' as AuthorityCode })).not.toThrow();
    }
  });

  it('ignores an unknown home authority', () => {
    const a = ask('Wer ist meine Integrationsbeauftragte?', { homeAuthority: 'bayern' as AuthorityCode });
    expect(a.authority).toBeNull();
    expect(a.needsHomeAuthority).toBe(true);
  });
});

describe('determinism', () => {
  it('gives the same answer to the same question', () => {
    const q = 'Who is the integration commissioner responsible for Nordkircen?';
    expect(ask(q)).toEqual(ask(q));
  });

  it('explains its reading for maintainers of the knowledge file', () => {
    const e = engine.explain('Welches KI ist für Marl zuständig?');
    expect(e.intent).toBe('contact.ki');
    expect(e.places[0].readings[0]).toBe('municipality:Marl');
    expect(e.concepts).toContain('ki_centre_cue');
    expect(e.scores.map((x) => x.entry)).toContain('contact.ki');
  });
});

describe('robustness to how staff phrase things', () => {
  it.each<[string, Intent, AuthorityCode | null]>([
    ['Intergrationsbeauftragte für Olpe', 'contact.commissioner', 'arnsberg'],
    ['Wer ist Integartionsbeauftragte in Minden?', 'contact.commissioner', 'detmold'],
    ['Integrationsbeauftrage Bezirksregierung Detmold', 'contact.commissioner', 'detmold'],
    ['Wer ist der Ausländerbeauftragte der Bezirksregierung Köln?', 'contact.commissioner', 'koeln'],
    ['Wer ist IB bei der Bez.-Reg. Münster?', 'contact.commissioner', 'muenster'],
    ['Kontaktdaten IB BezReg Düsseldorf', 'contact.commissioner', 'duesseldorf'],
    ['Bei welcher Bezirksregierung liegt Velbert?', 'contact.commissioner', 'duesseldorf'],
    ['Gehört Bergheim zum Regierungsbezirk Köln?', 'contact.commissioner', 'koeln'],
    ["I'm from the city of Hamm, who do I talk to about integration?", 'contact.commissioner', 'arnsberg'],
    ['Wer ist the integration commissioner für Bonn?', 'contact.commissioner', 'koeln'],
    ['Ist die Stelle der Integrationsbeauftragten in Detmold gerade besetzt?', 'contact.commissioner', 'detmold'],
    ['Who covers for the integration commissioner in Detmold while she is on holiday?', 'contact.deputy', 'detmold'],
    ['Ich brauche Landesmittel für unser Kommunales Integrationsmanagement, wer bewilligt das?', 'contact.kfi', 'arnsberg'],
    ['Welches KI ist für mich zuständig? Ich wohne in Siegen.', 'contact.ki', 'arnsberg'],
    ['Kann KI Bescheide übersetzen?', 'out_of_scope', null],
    ['Wem ist die IB unterstellt?', 'info.organisation', null],
    ['An wen berichtet die Integrationsbeauftragte?', 'info.organisation', null],
    ['Hat jede Bezirksregierung eine Integrationsbeauftragte?', 'info.legal_basis', null],
    ['Where can I find the decree on integration commissioners?', 'info.legal_basis', null],
    ['Steht die IB im Organigramm?', 'info.appointment', null],
    ['Koordinierungskreis Termine 2025', 'circle.next_meeting', 'arnsberg'],
    ['Bitte die IB bei unserem Projekt zur Fachkräftegewinnung beteiligen', 'request.create', null],
    ['Guten Tag, ich bin Sachbearbeiterin im Dezernat 21 und plane eine Veranstaltung für Geflüchtete. Muss ich dafür die Integrationsbeauftragte beteiligen?', 'info.tasks', null],
  ])('"%s" → %s (%s)', (text, intent, authority) => {
    const a = ask(text);
    expect(a.intent).toBe(intent);
    expect(a.authority).toBe(authority);
  });

  it.each<[string, Intent, AuthorityCode | null]>([
    ['Hello! Who can I contact in Gütersloh about integration matters?', 'contact.commissioner', 'detmold'],
    ['We are the municipality of Nettetal – who is our contact at the district government?', 'contact.commissioner', 'duesseldorf'],
    ['Does the district government of Arnsberg have an integration commissioner?', 'contact.commissioner', 'arnsberg'],
    ['Who replaces the integration commissioner of Münster when she is away?', 'contact.deputy', 'muenster'],
    ['Where can integration commissioners get advice?', 'contact.kfi', 'arnsberg'],
    ['Where is the KI for Paderborn?', 'contact.ki', 'detmold'],
    ['What is the IB responsible for?', 'info.tasks', null],
    ['Is the IB independent from the head of the authority?', 'info.organisation', null],
    ["I'd like to register a report to the Regierungspräsidentin", 'report.create', null],
    ['Who is the integration commissioner for Frankfurt?', 'out_of_scope', null],
    ['Who is the integration commissioner for the city of Tuttlingen?', 'out_of_scope', null],
    ['Can AI write my reports?', 'out_of_scope', null],
    ['IB', 'contact.commissioner', null],
    ['Runderlass', 'info.legal_basis', null],
    ['Wetter', 'out_of_scope', null],
    ['Essen', 'contact.commissioner', 'duesseldorf'],
  ])('understands the English or terse "%s" → %s (%s)', (text, intent, authority) => {
    const a = ask(text);
    expect(a.intent).toBe(intent);
    expect(a.authority).toBe(authority);
  });

  it('explains the Ruhr split even when the asker\'s home authority is known', () => {
    const a = ask('Wer ist für das Ruhrgebiet zuständig?', { homeAuthority: 'muenster' });
    expect(a.authority).toBeNull();
    expect(a.text).toMatch(/drei Bezirksregierungen/);
  });
});

describe('a bare role word means the IB unless another officer is named', () => {
  it.each<Case>([
    ['Who is the commissioner for Marl?', 'muenster'],
    ['Wer ist die Beauftragte für Bottrop?', 'muenster'],
    ["Who's the commissioner in Cologne?", 'koeln'],
  ])('%s → %s', (text, authority) => {
    const a = ask(text);
    expect(a.intent).toBe('contact.commissioner');
    expect(a.authority).toBe(authority);
  });

  it.each(['Who is my commissioner?', 'Wer ist mein Beauftragter?'])('"%s" names the asker\'s own IB', (text) => {
    expect(ask(text, { homeAuthority: 'detmold' })).toMatchObject({ intent: 'contact.commissioner', authority: 'detmold' });
  });

  it.each(['Who is the data protection commissioner?', 'Wer ist der Beauftragte für Datenschutz in Köln?', 'Wer ist die Gleichstellungsbeauftragte?'])(
    '"%s" is another officer, not the IB',
    (text) => {
      expect(ask(text).intent).toBe('out_of_scope');
    },
  );
});
