import { loadDefaultEngine, type AnswerEngine } from '../../../services/answers/engine';

// Questions about what the IB does, or whether to involve them, are info.tasks; telling the IB something is
// the start of an Anliegen (issue 18).
let engine: AnswerEngine;
beforeAll(() => {
  engine = loadDefaultEngine();
});

const ask = (text: string, homeAuthority: 'koeln' | null = null) => {
  const a = engine.answer({ text, homeAuthority, now: new Date('2025-03-03T09:00:00Z') });
  return { intent: a.intent, authority: a.authority };
};

describe('tasks, not contacts', () => {
  it.each([
    'Wir überarbeiten unser Beschwerdeverfahren – ist das ein Fall für die IB?',
    'Ist es ein Fall für die Integrationsbeauftragte, wenn wir unser Beschwerdemanagement neu aufstellen?',
    'Wir planen eine Fortbildung zu interkultureller Kompetenz. Ist das ein Thema für die IB?',
    'Ist die Integrationsbeauftragte einzubinden, wenn wir eine Förderrichtlinie für Sprachkurse entwerfen?',
    'Ist eine Beteiligung der IB nötig, wenn wir Leichte-Sprache-Bescheide einführen?',
    'Wir ändern die Öffnungszeiten unserer Servicestelle für Einbürgerung. IB beteiligen – ja oder nein?',
    'In welchen Fällen ist die IB zu beteiligen?',
    'Muss die IB bei einer neuen Dienstvereinbarung zu mehrsprachigen Formularen mitreden?',
    'Gehört es zu den Aufgaben der IB, Kommunen zu beraten?',
    'Vernetzt die IB sich mit Migrantenorganisationen?',
    'Was genau macht die IB im Haus?',
    'Ist die Integrationsbeauftragte auch für die kommunalen Integrationsbeauftragten Ansprechpartnerin?',
    'Wir planen einen Gebetsraum für muslimische Beschäftigte – müssen wir die IB beteiligen?',
    'Berät die IB auch Beschäftigte der Bezirksregierung?',
    'Organisiert die IB Informationsangebote für die Beschäftigten?',
    'Wie unterstützt die Integrationsbeauftragte Beschäftigte mit Einwanderungsgeschichte?',
  ])('"%s" → info.tasks', (text) => {
    expect(ask(text)).toEqual({ intent: 'info.tasks', authority: null });
  });

  it.each([
    'Ich würde der IB gern etwas aus meinem Referat berichten.',
    'Ich würde der Integrationsbeauftragten gern etwas aus unserem Dezernat mitteilen.',
    'Ich möchte der IB ein Problem aus unserer Abteilung schildern.',
    'Ich möchte die Integrationsbeauftragte auf etwas in unserem Dezernat hinweisen.',
    'Ich möchte die IB um Unterstützung bei einem Projekt bitten.',
    'Ich möchte unserer Integrationsbeauftragten eine Idee vorschlagen.',
  ])('"%s" → request.create to the own IB', (text) => {
    expect(ask(text, 'koeln')).toEqual({ intent: 'request.create', authority: 'koeln' });
  });

  it('keeps the neighbours: the IB reporting to the head, and who advises the IB', () => {
    expect(ask('Als IB möchte ich der Behördenleitung über die interkulturelle Öffnung berichten – wie melde ich das an?', 'koeln').intent).toBe('report.create');
    expect(ask('Darf die IB direkt bei der Regierungspräsidentin vortragen?').intent).toBe('info.organisation');
    expect(ask('Wer berät die Integrationsbeauftragten?')).toEqual({ intent: 'contact.kfi', authority: 'arnsberg' });
    expect(ask('Wer unterstützt die IB?').intent).toBe('info.organisation');
    expect(ask('Wir möchten die IB an unserem Projekt beteiligen.', 'koeln')).toEqual({ intent: 'request.create', authority: 'koeln' });
  });
});

describe('tasks, not contacts: more phrasings', () => {
  it.each([
    'Wobei unterstützt mich die Integrationsbeauftragte?',
    'Welche Themen bearbeitet die IB eigentlich?',
    'Wie geht die Integrationsbeauftragte mit Beschwerden über Diskriminierung um?',
    'Muss die IB bei der neuen Hausordnung gefragt werden?',
    'Darf ich die IB zu einem Gespräch über unser Leitbild hinzuziehen?',
    'Hat die Integrationsbeauftragte bei Stellenbesetzungen ein Mitspracherecht?',
    'Sollen wir die IB zum Auftakt unseres Projekts einladen?',
    'Ist die IB für Vernetzung mit Migrantenvereinen zuständig?',
    'Wir erstellen ein neues Fortbildungsprogramm – ist die IB da die richtige Ansprechpartnerin?',
    'Welche Themenfelder hat die Integrationsbeauftragte?',
    'Kann die IB unser Referat bei mehrsprachigen Bescheiden unterstützen?',
  ])('"%s" → info.tasks', (text) => {
    expect(ask(text)).toEqual({ intent: 'info.tasks', authority: null });
  });

  it.each([
    'Ich hätte eine Anregung für unsere Integrationsbeauftragte.',
    'Wie kann ich der Integrationsbeauftragten etwas melden?',
    'Ich habe da ein Anliegen aus dem Dezernat für die IB.',
    'Ich will der IB eine Rückmeldung zu ihrem Newsletter geben.',
    'Wie bekomme ich einen Termin bei meiner IB?',
  ])('"%s" → request.create to the own IB', (text) => {
    expect(ask(text, 'koeln')).toEqual({ intent: 'request.create', authority: 'koeln' });
  });

  it('keeps contact questions contact questions', () => {
    expect(ask('Ist die IB für Marl zuständig?').intent).toBe('contact.commissioner');
    expect(ask('Wer ist die IB, die für Vernetzung zuständig ist?', 'koeln')).toEqual({ intent: 'contact.commissioner', authority: 'koeln' });
    expect(ask('Wie erreiche ich meine IB?', 'koeln')).toEqual({ intent: 'contact.commissioner', authority: 'koeln' });
    expect(ask('Wer kann die IB beraten?')).toEqual({ intent: 'contact.kfi', authority: 'arnsberg' });
  });
});
