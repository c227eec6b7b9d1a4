import { REQUEST_TEXTS } from '../../../services/requests/texts';

/** The reminders' working days read as a sentence: one working day is singular (a "sehr eilig" report, a setting of 1). */
describe('reminder texts', () => {
  it('says "einem Arbeitstag" / "1 working day" for one day and the plural for more', () => {
    expect(REQUEST_TEXTS.de.reportRemind('V (Beispiel)', 1)).toBe('Erinnerung: Der Vortrag „V (Beispiel)“ wartet seit einem Arbeitstag auf Ihre Entscheidung.');
    expect(REQUEST_TEXTS.de.reportRemind('V (Beispiel)', 3)).toBe('Erinnerung: Der Vortrag „V (Beispiel)“ wartet seit 3 Arbeitstagen auf Ihre Entscheidung.');
    expect(REQUEST_TEXTS.en.reportRemind('V (Beispiel)', 1)).toBe('Reminder: the report "V (Beispiel)" has been waiting 1 working day for your decision.');
    expect(REQUEST_TEXTS.en.reportRemind('V (Beispiel)', 3)).toBe('Reminder: the report "V (Beispiel)" has been waiting 3 working days for your decision.');
    expect(REQUEST_TEXTS.de.meetingRemind('V (Beispiel)', '14.12.2026, 10:30 Uhr', 1)).toContain('wartet seit einem Arbeitstag auf Ihre Antwort.');
    expect(REQUEST_TEXTS.en.meetingRemind('V (Beispiel)', '14 Dec 2026, 10:30', 1)).toContain('has been waiting 1 working day for your answer.');
    expect(REQUEST_TEXTS.en.meetingRemind('V (Beispiel)', '14 Dec 2026, 10:30', 2)).toContain('has been waiting 2 working days for your answer.');
  });
});
