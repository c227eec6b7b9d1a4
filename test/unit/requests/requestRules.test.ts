import { isOpen, STATUS_LABELS, summaryOf, type ItemDoc } from '../../../services/requests/model';
import { cleanText, csvCell } from '../../../services/requests/requestService';

describe('request rules without a database', () => {
  it('quotes CSV cells and neutralises what a spreadsheet would run as a formula', () => {
    expect(csvCell('Beratung')).toBe('"Beratung"');
    expect(csvCell('Sag "Hallo"')).toBe('"Sag ""Hallo"""');
    for (const risky of ['=1+1', '+49 211', '-2', '@SUM(A1)']) expect(csvCell(risky)).toBe(`"'${risky}"`);
  });

  it('trims typed text, turns control characters into spaces, and keeps paragraphs only where text may have them', () => {
    expect(cleanText('  Betreff\u0007 mit\tTab  ')).toBe('Betreff mit Tab');
    expect(cleanText('Zeile 1\r\nZeile 2\n\n\n\nZeile 3', true)).toBe('Zeile 1\nZeile 2\n\nZeile 3');
    expect(cleanText(undefined)).toBe('');
  });

  it('counts requests as open until done, and reports until decided', () => {
    expect(['neu', 'in_bearbeitung', 'rueckfrage', 'eskaliert', 'erledigt'].map((status) => isOpen({ kind: 'request', status } as ItemDoc))).toEqual([true, true, true, true, false]);
    expect(isOpen({ kind: 'report', status: 'eingereicht' })).toBe(true);
    // A Weisung waits for the IB's acknowledgement, a written submission for the paper; both stay open until then.
    expect(['termin_vereinbart', 'zur_kenntnis', 'abgelehnt', 'weisung_bestaetigt'].map((status) => isOpen({ kind: 'report', status } as ItemDoc))).toEqual([false, false, false, false]);
    // A proposed date waits for the other side's answer (Termin): open until agreed.
    expect(['termin_vorgeschlagen', 'termin_gegenvorschlag'].map((status) => isOpen({ kind: 'report', status } as ItemDoc))).toEqual([true, true]);
    expect(['weisung', 'schriftlich', 'vorgelegt'].map((status) => isOpen({ kind: 'report', status } as ItemDoc))).toEqual([true, true, true]);
  });

  it('summarises an item for lists and the tab with German and English status labels', () => {
    const item = { id: 'anl-1', kind: 'request', authority: 'koeln', subject: 'S', status: 'rueckfrage', createdAt: 'a', updatedAt: 'b', deadline: '2026-12-01' } as ItemDoc;
    expect(summaryOf(item)).toEqual({ id: 'anl-1', kind: 'request', authority: 'koeln', subject: 'S', status: 'rueckfrage', statusLabel: STATUS_LABELS.rueckfrage, createdAt: 'a', updatedAt: 'b', deadline: '2026-12-01' });
    expect(STATUS_LABELS.rueckfrage).toEqual({ de: 'Rückfrage', en: 'Question back' });
  });
});
