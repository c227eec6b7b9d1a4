import { receivedFiles, FILE_DOWNLOAD_INFO } from '../../../bot/handlers/types';
import { transition, type ItemDoc, type ItemRoles, type Party } from '../../../services/requests/model';
import { paperChoice, parsePaperChoice, renderPaperFileCard } from '../../../services/requests/paperFile';
import { checkAction } from '../../../services/requests/validation';

const AT = '2026-11-24T09:00:00.000Z';
const IB: Party = { aadObjectId: 'ib', tenantId: 't', name: 'Sabine (Beispiel)' };
const COMMISSIONER: ItemRoles = { requester: false, commissioner: true, headSide: false, decider: false };
const report = { id: 'vtr-1', pk: 'koeln', type: 'item', kind: 'report', authority: 'koeln', rev: 4, status: 'schriftlich', subject: 'Sprachkurse *fett* [x](https://evil.example)', body: 'b', linked: [], createdBy: IB, messages: [], participants: [], cardsTo: [], touchedAt: AT, createdAt: AT, updatedAt: AT } as unknown as ItemDoc;

describe('the paper sent as a file (issue 17)', () => {
  const check = (file: { name?: string; fileType?: string }, text = '') => checkAction({ type: 'handIn', text, file }, '2026-11-24', {});

  it('takes a file without text, keeping its name and type (lower case) only', () => {
    expect(check({ name: '  Vorlage.docx ', fileType: 'DOCX' })).toEqual({ ok: true, value: { type: 'handIn', text: '', file: { name: 'Vorlage.docx', fileType: 'docx' } } });
    const t = transition(report, COMMISSIONER, IB, { type: 'handIn', text: '', file: { name: 'Vorlage.docx', fileType: 'docx' } }, AT) as { next: ItemDoc };
    expect(t.next.status).toBe('vorgelegt');
    expect(t.next.messages).toEqual([{ at: AT, by: IB, kind: 'vorlage', text: '', file: { name: 'Vorlage.docx', fileType: 'docx' } }]);
  });

  it('refuses a missing or too long name, an odd type, and a name with personal data', () => {
    expect(check({ name: '', fileType: 'docx' })).toMatchObject({ ok: false, problems: [{ field: 'fileName', code: 'missing' }] });
    expect(check({ name: `${'a'.repeat(256)}.docx`, fileType: 'docx' })).toMatchObject({ ok: false, problems: [{ field: 'fileName', code: 'too_long' }] });
    expect(check({ name: 'Vorlage.docx', fileType: '../x' })).toMatchObject({ ok: false, problems: [{ field: 'fileName', code: 'unknown_value' }] });
    expect(check({ name: 'Vorlage.docx' })).toMatchObject({ ok: false, problems: [{ field: 'fileName', code: 'unknown_value' }] });
    expect(check({ name: 'Vorlage Tel. 0171 2345678.docx', fileType: 'docx' })).toMatchObject({ ok: false, problems: [{ field: 'fileName' }] });
    // Without a file the text stays required, as before.
    expect(checkAction({ type: 'handIn', text: '' }, '2026-11-24', {})).toMatchObject({ ok: false, problems: [{ field: 'text', code: 'missing' }] });
  });

  it('reads the choice back only in its own form', () => {
    expect(parsePaperChoice(paperChoice(report))).toEqual({ authority: 'koeln', id: 'vtr-1', rev: 4 });
    for (const bad of ['', 'koeln|vtr-1', 'koeln|vtr-1|x', 'KOELN|vtr-1|4', 'koeln|vtr 1|4', 'koeln|vtr-1|4|5', `koeln|${'a'.repeat(101)}|4`]) expect(parsePaperChoice(bad)).toBeUndefined();
  });

  it('takes files from the download info attachments only, never the text mirror or a card', () => {
    const files = receivedFiles([
      { contentType: 'text/html', content: '<p></p>' },
      { contentType: FILE_DOWNLOAD_INFO, name: 'Vorlage.docx', content: { downloadUrl: 'https://contoso-my.sharepoint.com/x', uniqueId: 'u1', fileType: 'docx' } },
      { contentType: 'application/vnd.microsoft.card.adaptive', content: {} },
    ]);
    expect(files).toEqual([{ name: 'Vorlage.docx', fileType: 'docx', uniqueId: 'u1', downloadUrl: 'https://contoso-my.sharepoint.com/x' }]);
    expect(receivedFiles(undefined)).toEqual([]);
    expect(receivedFiles([{ contentType: FILE_DOWNLOAD_INFO }])).toEqual([{ name: '', fileType: '', uniqueId: '', downloadUrl: '' }]);
  });

  it('escapes the subject and the file name on the card, and carries no download address', () => {
    const content = renderPaperFileCard('de', { id: '00000000-0000-4000-8000-00000000f11e', name: 'Vorlage_[klick](https://evil.example).docx' }, [report], 14).content as any;
    const card = JSON.stringify(content);
    expect(card).not.toContain('[x](https://evil.example)');
    expect(content.body[2].facts[0].value).toBe('Vorlage\\_\\[klick\\]\\(https://evil.example).docx');
    // Only the id under which the Lotse holds the file rides back; name and type are read again from there.
    expect(content.actions[0].data).toEqual({ report: 'koeln|vtr-1|4', file: '00000000-0000-4000-8000-00000000f11e' });
    expect(card).not.toContain('sharepoint');
  });
});
