import * as ACData from 'adaptivecards-templating';
import type { ItemAction, ItemCardData } from '../cards/requestCards';
import itemTemplate from '../cards/templates/item.json';
import { compileTemplate } from '../cards/templateBinder';
import type { Figure } from './figure';

/**
 * The item card as the IB sees an Anliegen in Bearbeitung after a Rückfrage was answered (the card most answers of the
 * `actions` benchmark carry): five actions, two of them with inputs, two messages, four facts. Fictitious text.
 */
function itemData(): ItemCardData & { tagsBelow: boolean } {
  const ref = { id: 'anl-3f6c1a52-7d1e-4b8a-9c2f-5e0d4a7b1c90', authority: 'koeln' };
  const field = (id: string, label: string): ItemAction['fields'][number] => ({ id, kind: 'text', label, required: true, errorMessage: 'Bitte geben Sie einen Text ein.', value: '', error: '' });
  const action = (title: string, verb: string, mode: ItemAction['mode'], fields: ItemAction['fields'] = [], submit = ''): ItemAction => ({ title, verb, mode, style: 'default', fields, submit, data: { ...ref, rev: 4 } });
  return {
    lang: 'de',
    ...ref,
    refreshUserIds: ['00000000-0000-4000-8000-000000000011', '00000000-0000-4000-8000-000400000001'],
    kindLine: 'Anliegen an die IB · Bezirksregierung Köln',
    subject: 'Sprachkurse für neu zugewanderte Beschäftigte',
    tags: [{ text: 'Frist 11.12.2026', color: 'default' }],
    tagsBelow: false,
    statusLine: 'Status: In Bearbeitung',
    nextStep: 'Antworten Sie oder schließen Sie das Anliegen ab.',
    reachText: '',
    reachColor: 'good',
    notice: '',
    noticeStyle: 'default',
    callout: { heading: 'Antwort auf Ihre Rückfrage · Sabine Sachbearbeiterin (Beispiel), heute, 10:12 Uhr', text: 'Es geht um etwa zwölf Kolleginnen und Kollegen ab Februar.' },
    decisionText: '',
    body: 'Wir planen im Dezernat 25 Sprachkurse für neu zugewanderte Kolleginnen und Kollegen. Gibt es Vorgaben oder Ansprechpersonen?',
    facts: [
      { label: 'Von', value: 'Sabine Sachbearbeiterin (Beispiel)' },
      { label: 'Thema', value: 'Beratung' },
      { label: 'Frist', value: 'Fr., 11.12.2026' },
      { label: 'Eingegangen', value: 'Mi., 02.12.2026, 14:05 Uhr' },
    ],
    messagesHeading: 'Verlauf',
    messages: [
      { heading: 'Rückfrage · Erika Mustermann (Beispiel), gestern, 16:40 Uhr', text: 'Für wie viele Beschäftigte und ab wann?' },
      { heading: 'Übernommen · Erika Mustermann (Beispiel), gestern, 16:38 Uhr', text: 'Ich kümmere mich darum.' },
    ],
    lead: [],
    actions: [
      action('Antworten', 'request.answer', 'primary', [field('text', 'Ihre Antwort')], 'Antwort senden'),
      action('Erledigt', 'request.done', 'primary'),
      action('Rückfrage', 'request.ask', 'secondary', [field('text', 'Ihre Rückfrage')], 'Rückfrage senden'),
      action('Weiterleiten', 'request.forward', 'secondary'),
      action('Verlauf', 'request.trail', 'secondary'),
    ],
    labels: { refresh: 'Aktualisieren' },
  };
}

/** Microseconds per call of `render`, after a warm-up, over at least `minMs` of repeated rounds. */
function microsPerCall(render: () => unknown, minMs = 400): number {
  for (let i = 0; i < 300; i++) render();
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 200; i++) render();
    calls += 200;
    elapsed = performance.now() - started;
  } while (elapsed < minMs);
  return (elapsed * 1000) / calls;
}

/**
 * Issue 14: the item card bound by the product's template binder (cards/templateBinder.ts) and by
 * adaptivecards-templating, in this process, one after the other in the same run (the same data, outputs checked equal).
 */
export function benchCardBind(): Figure[] {
  const data = itemData();
  const bind = compileTemplate(itemTemplate, 'item.json');
  const library = new ACData.Template(itemTemplate);
  const viaLibrary = () => library.expand({ $root: data }) as unknown;
  if (JSON.stringify(bind(data)) !== JSON.stringify(viaLibrary())) throw new Error('card_bind: the binder and adaptivecards-templating differ on the item card');
  // Alternating rounds, so that a neighbour busy for a moment weighs on both.
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < 3; round++) {
    ours.push(microsPerCall(() => bind(data)));
    theirs.push(microsPerCall(viaLibrary));
  }
  // The fastest round of each: the least disturbed by other processes.
  const oursUs = Math.min(...ours);
  const theirsUs = Math.min(...theirs);
  return [
    { name: 'actions.card_bind_us', value: oursUs, unit: 'us' },
    { name: 'actions.card_bind_library_us', value: theirsUs, unit: 'us' },
  ];
}
