import { personalDataKinds } from '../../../bot/privacyTexts';
import { problemsText } from '../../../bot/workflows/respond';
import { summaryOf, type ItemDoc, type Party } from '../../../services/requests/model';
import { REQUEST_TEXTS } from '../../../services/requests/texts';
import { RequestViews, type FormRefusal } from '../../../services/requests/views';
import type { Problem } from '../../../services/workflow/outcome';
import { checkCard, expectValidCard } from '../../support/cardChecks';
import { cardProblems } from '../../support/teamsRules';

/** The Anliegen and Vortrag forms and the lists, as the views render them from fictitious data. */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking card JSON

const views = new RequestViews({ refreshIds: async () => [], audienceOf: () => [] });

/** Every element of the card body, in document order (inside containers too). */
function elements(card: Json): Json[] {
  const out: Json[] = [];
  const visit = (items: Json[]) => {
    for (const e of items) {
      out.push(e);
      if (Array.isArray(e.items)) visit(e.items);
    }
  };
  visit(card.body as Json[]);
  return out;
}
const inputs = (card: Json) => elements(card).filter((e) => String(e.type).startsWith('Input.'));
const inputIds = (card: Json) => inputs(card).map((e) => e.id as string);
const input = (card: Json, id: string) => inputs(card).find((e) => e.id === id)!;
/** The sentence shown right under an input ('' for none). */
function errorAt(card: Json, id: string): string {
  const all = elements(card);
  const next = all[all.findIndex((e) => e.id === id) + 1];
  return next?.type === 'TextBlock' && next.color === 'Attention' ? (next.text as string) : '';
}
const texts = (card: Json) => elements(card).filter((e) => e.type === 'TextBlock').map((e) => e.text as string);
const verbs = (card: Json) => checkCard(card).executeVerbs;

const refusal = (lang: 'de' | 'en', problems: Problem[]): FormRefusal => ({
  text: problemsText(lang, problems, REQUEST_TEXTS[lang].fieldNames),
  problems,
  personalData: (kinds) => personalDataKinds(lang, kinds),
});

describe.each(['de', 'en'] as const)('the Anliegen form in %s', (lang) => {
  const t = REQUEST_TEXTS[lang];

  it('first asks only for the kind, as radio buttons, and "Weiter" carries the authority to the form', () => {
    const card = views.requestForm(lang, { authority: 'koeln' });
    expect(inputIds(card)).toEqual(['category']);
    expect(input(card, 'category')).toMatchObject({ style: 'expanded', isRequired: true, errorMessage: t.labels.missing.category });
    expect(verbs(card)).toEqual(['request.start']);
    expect((card.actions as Json[])[0].data).toEqual({ authority: 'koeln' });
    expectValidCard(card, lang);
    expect(cardProblems([card])).toEqual([]);
  });

  it('asks for department, measure and planned date only for Beteiligung, each required with its own sentence', () => {
    const beratung = views.requestForm(lang, { authority: 'koeln', category: 'beratung' });
    expect(inputIds(beratung)).toEqual(['authority', 'category', 'subject', 'description', 'deadline']);
    expect(verbs(beratung)).toEqual(['request.submit']);
    const beteiligung = views.requestForm(lang, { authority: 'koeln', category: 'beteiligung' });
    expect(inputIds(beteiligung)).toEqual(['authority', 'category', 'subject', 'description', 'deadline', 'department', 'measure', 'plannedDate']);
    for (const id of ['authority', 'category', 'subject', 'description', 'department', 'measure', 'plannedDate'] as const) {
      expect(input(beteiligung, id)).toMatchObject({ isRequired: true, errorMessage: t.labels.missing[id] });
      expect(t.labels.missing[id]).toMatch(/^[A-Z].*\.$/);
    }
    // Optional fields say so and are not marked required ("(optional) *").
    expect(input(beteiligung, 'deadline').isRequired).toBeUndefined();
    for (const card of [beratung, beteiligung]) {
      for (const i of inputs(card)) expect(i.isRequired === true && /optional/i.test(i.label)).toBe(false);
      expectValidCard(card, lang);
      expect(cardProblems([card])).toEqual([]);
    }
  });

  it('shows each refused field\'s problem under it in one sentence, keeps what was typed, and says on top to look there', () => {
    const typed = { authority: 'koeln', category: 'beteiligung', subject: 'Förderaufruf', description: '', department: 'Dezernat 36', measure: '', plannedDate: '2026-11-30' };
    const card = views.requestForm(lang, typed, refusal(lang, [{ field: 'description', code: 'missing' }, { field: 'measure', code: 'missing' }, { field: 'plannedDate', code: 'past_date' }]));
    expect(errorAt(card, 'description')).toBe(t.labels.missing.description);
    expect(errorAt(card, 'measure')).toBe(t.labels.missing.measure);
    expect(errorAt(card, 'plannedDate')).toBe(t.fieldProblems.past_date);
    expect(errorAt(card, 'subject')).toBe('');
    expect(errorAt(card, 'department')).toBe('');
    expect(input(card, 'subject').value).toBe('Förderaufruf');
    expect(input(card, 'department').value).toBe('Dezernat 36');
    expect(input(card, 'plannedDate').value).toBe('2026-11-30');
    expect(texts(card)).toContain(t.checkFields);
    expectValidCard(card, lang);
  });

  it('names what the privacy guard found at the field and keeps the whole advice on top', () => {
    const problems: Problem[] = [{ field: 'description', code: 'personal_data', kinds: ['health'] }];
    const card = views.requestForm(lang, { authority: 'koeln', category: 'beratung', subject: 'S', description: 'D' }, refusal(lang, problems));
    expect(errorAt(card, 'description')).toBe(t.fieldProblems.personal_data(personalDataKinds(lang, ['health'])));
    expect(texts(card)).toContain(problemsText(lang, problems, t.fieldNames));
  });

  it('stays the form when the kind itself is refused, asking for it at its field', () => {
    const card = views.requestForm(lang, { authority: 'koeln', category: 'beschwerde', subject: 'Behalten' }, refusal(lang, [{ field: 'category', code: 'unknown_value' }]));
    expect(verbs(card)).toEqual(['request.submit']);
    expect(errorAt(card, 'category')).toBe(t.fieldProblems.unknown_value);
    expect(input(card, 'subject').value).toBe('Behalten');
  });

  it('puts a problem without a field on the form on top, in full', () => {
    const problems: Problem[] = [{ field: 'text', code: 'missing' }];
    const card = views.requestForm(lang, { authority: 'koeln', category: 'beratung' }, refusal(lang, problems));
    expect(texts(card)).toContain(problemsText(lang, problems, t.fieldNames));
    expect(texts(card)).not.toContain(t.checkFields);
  });
});

describe.each(['de', 'en'] as const)('the Vortrag form in %s', (lang) => {
  const t = REQUEST_TEXTS[lang];

  it('marks subject and summary required with their sentences and shows a refused field\'s problem under it', () => {
    const empty = views.reportForm(lang, 'koeln', undefined, {});
    expect(input(empty, 'subject')).toMatchObject({ isRequired: true, errorMessage: t.reportLabels.missing.subject });
    expect(input(empty, 'summary')).toMatchObject({ isRequired: true, errorMessage: t.reportLabels.missing.summary });
    for (const i of inputs(empty)) expect(i.isRequired === true && /optional/i.test(i.label)).toBe(false);
    expect((empty.actions as Json[])[0].style).toBe('positive');

    const card = views.reportForm(lang, 'koeln', undefined, { subject: 'S', summary: '', urgency: 'eilig', proposedDates: 'x'.repeat(301) }, refusal(lang, [{ field: 'summary', code: 'missing' }, { field: 'proposedDates', code: 'too_long' }]));
    expect(errorAt(card, 'summary')).toBe(t.reportLabels.missing.summary);
    expect(errorAt(card, 'proposedDates')).toBe(t.fieldProblems.too_long(300));
    expect(errorAt(card, 'subject')).toBe('');
    expect(input(card, 'urgency').value).toBe('eilig');
    expect(texts(card)).toContain(t.checkFields);
    expectValidCard(card, lang);
    expect(cardProblems([card])).toEqual([]);
  });
});

describe('dates in the lists and the trail', () => {
  const STAFF: Party = { aadObjectId: '00000000-0000-4000-8000-000000000011', tenantId: 't', name: 'Sabine Sachbearbeiterin (Beispiel)' };
  const item: ItemDoc = {
    id: 'anl-1', pk: 'koeln', type: 'item', kind: 'request', authority: 'koeln', rev: 1, status: 'neu', subject: 'S', body: 'B', category: 'beratung', deadline: '2026-12-18',
    linked: [], createdBy: STAFF, messages: [], participants: [], touchedAt: '2026-12-04T09:30:00.000Z', cardsTo: [],
    createdAt: '2026-12-04T09:30:00.000Z', updatedAt: '2026-12-04T09:30:00.000Z',
  };
  const subtitle = (lang: 'de' | 'en') => {
    const card = views.list(lang, 'h', 'i', [summaryOf(item)]) as Json;
    return elements(card).flatMap((e) => e.columns ?? []).flatMap((c: Json) => c.items).find((e: Json) => e.isSubtle).text as string;
  };

  it('writes the list subtitles\' dates in the viewer\'s language', () => {
    expect(subtitle('de')).toBe('Neu · Bezirksregierung Köln · 04.12.2026 · Frist 18.12.2026');
    expect(subtitle('en')).toBe('New · Bezirksregierung Köln · 4 Dec 2026 · due 18 Dec 2026');
  });

  it('writes the trail\'s times with "Uhr" in German (Berlin time)', () => {
    expect(views.moment('de', '2026-12-04T09:30:00.000Z')).toBe('04.12.2026, 10:30 Uhr');
    expect(views.moment('en', '2026-12-04T09:30:00.000Z')).toBe('4 Dec 2026, 10:30');
  });
});
