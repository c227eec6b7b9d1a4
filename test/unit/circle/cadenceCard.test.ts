import { renderCadenceDraftCard } from '../../../cards/cadenceCard';
import type { CadenceDraft, CadenceView } from '../../../services/circle/cadenceService';

const settings: NonNullable<CadenceView['cadence']> = {
  active: true, kind: 'poll', rule: { unit: 'month', interval: 3, weekday: 2, week: 2, from: '2027-01-01', time: '10:00' }, leadWeeks: 6, alternatives: 1, durationMinutes: 90,
  title: 'Sitzung *Q2* <b>(Beispiel)</b>',
};
const draft: CadenceDraft = { seq: 1, ruleDate: '2027-04-13', date: '2027-04-13', dates: ['2027-04-13', '2027-04-20'], preparedAt: '2027-03-02T08:00:00.000Z', status: 'prepared' };

describe('the KfI’s cadence draft card', () => {
  it('is marked, lists the dates in German, escapes the KfI’s title and offers the confirming button and „Verwerfen“', () => {
    const card = renderCadenceDraftCard({ cadence: settings, upcoming: [], draft }, 'de').content as any;
    const text = JSON.stringify(card);
    expect(text).toContain('Vorbereitet nach Rhythmus — bitte prüfen und senden');
    expect(text).toContain('Di., 13.04.2027, 10:00–11:30 Uhr');
    expect(text).toContain('Di., 20.04.2027, 10:00–11:30 Uhr');
    expect(text).not.toContain('*Q2*');
    expect(card.actions).toEqual([
      expect.objectContaining({ type: 'Action.Execute', verb: 'circle.cadence.confirm', data: { ruleDate: '2027-04-13' }, title: 'Prüfen und senden', style: 'positive' }),
      expect.objectContaining({ type: 'Action.Execute', verb: 'circle.cadence.discard', data: { ruleDate: '2027-04-13' }, title: 'Verwerfen' }),
    ]);
  });

  it('shows who confirmed it, in English, without the button', () => {
    const card = renderCadenceDraftCard({ cadence: settings, upcoming: [], draft: { ...draft, status: 'confirmed', confirmedBy: 'x', confirmedAt: '2027-03-02T10:15:00.000Z' }, confirmedByName: 'Felix Format (Beispiel)' }, 'en').content as any;
    expect(JSON.stringify(card)).toContain('Confirmed and sent by Felix Format (Beispiel) on Tue 2 Mar 2027, 11:15.');
    expect(card.actions ?? []).toEqual([]);
  });

  it('shows who discarded it and that nothing was sent, without buttons', () => {
    const card = renderCadenceDraftCard({ cadence: settings, upcoming: [], draft: { ...draft, status: 'discarded', discardedBy: 'x', discardedAt: '2027-03-02T10:15:00.000Z' }, discardedByName: 'Karla Koordinata (Beispiel)' }, 'de').content as any;
    const text = JSON.stringify(card);
    expect(text).toContain('Verworfen von Karla Koordinata (Beispiel) am Di., 02.03.2027, 11:15 Uhr. An den Koordinierungskreis ging nichts.');
    expect(text).toContain('Nach Rhythmus vorbereitet — nicht gesendet');
    expect(card.actions ?? []).toEqual([]);
  });
});
