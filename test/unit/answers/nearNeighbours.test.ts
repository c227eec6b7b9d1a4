import { loadDefaultEngine, type AnswerEngine } from '../../../services/answers/engine';

// Intents that lie close together (issue 18): legal basis vs appointment, KfI vs IB, organisation vs tasks.
let engine: AnswerEngine;
beforeAll(() => {
  engine = loadDefaultEngine();
});

const ask = (text: string, homeAuthority: 'detmold' | null = null) => {
  const a = engine.answer({ text, homeAuthority, now: new Date('2025-03-03T09:00:00Z') });
  return { intent: a.intent, authority: a.authority };
};

describe('near neighbours', () => {
  it.each([
    ['Auf welchem Erlass beruht die Funktion der IB?', 'info.legal_basis', null],
    ['Ich bin IB und brauche fachlichen Rat – an wen wende ich mich?', 'contact.kfi', 'arnsberg'],
    ['Wem ist die Integrationsbeauftragte organisatorisch zugeordnet?', 'info.organisation', null],
    ['Darf die IB Fachleute aus anderen Dezernaten hinzuziehen?', 'info.organisation', null],
    ['Ab welchem Datum ist der Erlass zu den Integrationsbeauftragten wirksam?', 'info.effective_date', null],
    ['Was macht der Koordinierungskreis der IB?', 'info.circle', null],
    ['Welche Fragen kann ich dir stellen?', 'help', null],
  ])('"%s" → %s', (text, intent, authority) => {
    expect(ask(text)).toEqual({ intent, authority });
  });

  it('an IB who wants to report to the head registers a Vortrag', () => {
    expect(ask('Ich bin Integrationsbeauftragte und möchte der Behördenleitung vortragen.', 'detmold')).toEqual({ intent: 'report.create', authority: 'detmold' });
  });

  it('keeps the neighbours apart the other way round', () => {
    expect(ask('Was macht die Integrationsbeauftragte?').intent).toBe('info.tasks');
    expect(ask('Wie wird eine Integrationsbeauftragte bestellt?').intent).toBe('info.appointment');
    expect(ask('Wer ist meine Integrationsbeauftragte?', 'detmold')).toEqual({ intent: 'contact.commissioner', authority: 'detmold' });
    expect(ask('Darf die IB direkt bei der Regierungspräsidentin vortragen?').intent).toBe('info.organisation');
  });
});

describe('near neighbours: more phrasings', () => {
  it.each([
    ['Wohin kann sich die Integrationsbeauftragte selbst wenden, wenn sie fachliche Beratung sucht?', 'contact.kfi', 'arnsberg'],
    ['Wer koordiniert die IB der fünf Bezirksregierungen?', 'contact.kfi', 'arnsberg'],
    ['Braucht man als IB Vorkenntnisse im Ausländerrecht?', 'info.requirements', null],
    ['Welche Sprachkenntnisse muss eine IB haben?', 'info.requirements', null],
    ['darf die ib direckt zur regierungspräsidentin', 'info.organisation', null],
    ['Wo findet man den Runderlass über die IB?', 'info.legal_basis', null],
  ])('"%s" → %s', (text, intent, authority) => {
    expect(ask(text)).toEqual({ intent, authority });
  });
});
