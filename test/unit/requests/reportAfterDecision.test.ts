import { stamp, transition, type ItemDoc, type ItemRoles, type ItemStatus, type Party } from '../../../services/requests/model';
import { noticesFor } from '../../../services/requests/notifications';
import { checkAction } from '../../../services/requests/validation';
import { documentLink } from '../../../services/requests/views';

const AT = '2026-11-24T09:00:00.000Z';
const IB: Party = { aadObjectId: 'ib', tenantId: 't', name: 'Sabine (Beispiel)' };
const OFFICE: Party = { aadObjectId: 'office', tenantId: 't', name: 'Rita (Beispiel)' };
const HEAD: Party = { aadObjectId: 'head', tenantId: 't', name: 'Frieda (Beispiel)' };
const NONE: ItemRoles = { requester: false, commissioner: false, headSide: false, decider: false };
const COMMISSIONER: ItemRoles = { ...NONE, commissioner: true };
const OFFICE_DECIDER: ItemRoles = { ...NONE, headSide: true, decider: true };

const report = (status: ItemStatus, extra: Partial<ItemDoc> = {}): ItemDoc => ({
  id: 'vtr-1', pk: 'koeln', type: 'item', kind: 'report', authority: 'koeln', rev: 2, status, subject: 'S', body: 'B', linked: [], createdBy: IB,
  messages: [], participants: ['ib'], cardsTo: ['head', 'office'], touchedAt: AT, createdAt: AT, updatedAt: AT,
  decision: { kind: status === 'schriftlich' ? 'schriftlich' : 'weisung', by: HEAD, at: AT, text: 'Bitte mit Dezernat 21 abstimmen (Beispiel).' },
  ...extra,
});

describe('the Vortrag after the head\'s decision (RdErl. Nr. 4)', () => {
  it('lets the IB side acknowledge a Weisung; the instruction stays on the item', () => {
    const t = transition(report('weisung'), COMMISSIONER, IB, { type: 'acknowledge' }, AT);
    expect(t).toMatchObject({ next: { status: 'weisung_bestaetigt', acknowledged: { by: IB, at: AT }, decision: { kind: 'weisung', text: 'Bitte mit Dezernat 21 abstimmen (Beispiel).' } } });
  });

  it('refuses the office (even where it may decide) acknowledging for the IB, and anyone without a role', () => {
    expect(transition(report('weisung'), OFFICE_DECIDER, OFFICE, { type: 'acknowledge' }, AT)).toEqual({ refuse: 'forbidden' });
    expect(transition(report('weisung'), NONE, OFFICE, { type: 'acknowledge' }, AT)).toEqual({ refuse: 'forbidden' });
    expect(transition(report('schriftlich'), OFFICE_DECIDER, OFFICE, { type: 'handIn', text: 'x' }, AT)).toEqual({ refuse: 'forbidden' });
  });

  it('changes nothing when there is no Weisung or no paper asked for', () => {
    expect(transition(report('weisung_bestaetigt'), COMMISSIONER, IB, { type: 'acknowledge' }, AT)).toEqual({ stale: true });
    expect(transition(report('schriftlich'), COMMISSIONER, IB, { type: 'acknowledge' }, AT)).toEqual({ stale: true });
    expect(transition(report('weisung'), COMMISSIONER, IB, { type: 'handIn', text: 'x' }, AT)).toEqual({ stale: true });
  });

  it('takes the paper with its link and puts the report back to the head, who decides again', () => {
    const handed = transition(report('schriftlich'), COMMISSIONER, IB, { type: 'handIn', text: 'Vorlage (Beispiel)', link: 'https://contoso.sharepoint.com/a.docx' }, AT);
    expect(handed).toMatchObject({ next: { status: 'vorgelegt', messages: [{ kind: 'vorlage', by: IB, text: 'Vorlage (Beispiel)', link: 'https://contoso.sharepoint.com/a.docx' }] } });
    const paper = (handed as { next: ItemDoc }).next;
    expect(transition(paper, OFFICE_DECIDER, HEAD, { type: 'decide', decision: 'kenntnis' }, AT)).toMatchObject({ next: { status: 'zur_kenntnis' } });
    // The head side is told, and the reminder job of this round is scheduled.
    const notices = noticesFor(report('schriftlich'), { ...paper, rev: 3 }, 'ib').map((n) => n.key);
    expect(notices).toEqual(expect.arrayContaining(['item:vtr-1:r3:handed-in:head', 'item:vtr-1:r3:handed-in:office', 'item:vtr-1:reminder:r3']));
  });

  it('writes a Weisung\'s text into the trail with the decision', () => {
    const current = report('eingereicht', { decision: undefined, rev: 1 });
    const decided = (transition(current, OFFICE_DECIDER, HEAD, { type: 'decide', decision: 'weisung', text: 'Umsetzen (Beispiel).' }, AT) as { next: ItemDoc }).next;
    const entry = stamp(current, decided, HEAD, 'report.decide', new Date(AT), 365).trail!.at(-1)!;
    expect(entry.changes).toEqual([{ path: '/status', from: 'eingereicht', to: 'weisung' }, { path: '/decision/text', from: null, to: 'Umsetzen (Beispiel).' }]);
  });

  it('checks the paper: required text, length, privacy, and an https link only', () => {
    const privacy = {};
    const check = (text: string, link?: string) => checkAction({ type: 'handIn', text, link }, '2026-11-24', privacy);
    expect(check('Vorlage', 'https://contoso-my.sharepoint.com/personal/x/a.docx')).toMatchObject({ ok: true });
    expect(check('')).toMatchObject({ ok: false, problems: [{ field: 'text', code: 'missing' }] });
    expect(check('x'.repeat(4001))).toMatchObject({ ok: false, problems: [{ field: 'text', code: 'too_long' }] });
    for (const bad of ['http://contoso.sharepoint.com/a', 'javascript:alert(1)', 'https://user:pw@contoso.sharepoint.com/', 'https://[::1]/a', 'kein link']) {
      expect(check('Vorlage', bad)).toMatchObject({ ok: false, problems: [{ field: 'link', code: 'bad_url' }] });
    }
    expect(check('Frau Ayşe Yılmaz, geb. 01.02.1980, Az. 21-123/45')).toMatchObject({ ok: false, problems: [{ field: 'text', code: 'personal_data' }] });
  });

  it('shows a link by its host, with nothing in the address able to end the Markdown link', () => {
    expect(documentLink('https://contoso.sharepoint.com/a(1)[2].docx')).toBe('[contoso.sharepoint.com](https://contoso.sharepoint.com/a%281%29%5B2%5D.docx)');
  });
});
