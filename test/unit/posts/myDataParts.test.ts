import { taughtBy } from '../../../services/answers/knowledgeData';
import type { OverlayEntryDoc } from '../../../services/answers/knowledgeOverlayStore';
import { cadenceTrailBy } from '../../../services/circle/cadenceData';
import type { CadenceDoc } from '../../../services/circle/cadenceService';
import { collectMyData } from '../../../services/privacy/myData';
import { renderMyDataSummary } from '../../../bot/handlers/myData';
import { readVisible } from '../../support/cardReading';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

/** „Meine Daten“ (issue 17): the cadence trail entries and taught answers a person made, and how the chat card names them. */

const KFI = '00000000-0000-4000-8000-000600000001';
const OTHER = '00000000-0000-4000-8000-000600000002';
const IB = '00000000-0000-4000-8000-000400000001';

describe('cadenceTrailBy', () => {
  it("returns the person's own trail entries (field names, no values) and nobody else's; none without a cadence", async () => {
    const store = new MemoryDocumentStore<CadenceDoc>();
    expect(await cadenceTrailBy(store, KFI)).toEqual([]);
    await store.create({
      id: 'cadence',
      pk: 'cadence',
      type: 'cadence',
      trail: [
        { at: '2028-08-01T08:00:00.000Z', by: KFI, action: 'set', fields: ['rule', 'kind'] },
        { at: '2028-08-20T05:00:00.000Z', by: 'system', action: 'prepared', ruleDate: '2028-10-03' },
        { at: '2028-08-22T09:15:00.000Z', by: OTHER, action: 'confirmed', ruleDate: '2028-10-03' },
        { at: '2028-09-01T08:00:00.000Z', by: KFI.toUpperCase(), action: 'switchedOff', fields: [] },
      ],
    } as unknown as CadenceDoc);
    expect(await cadenceTrailBy(store, KFI)).toEqual([
      { at: '2028-08-01T08:00:00.000Z', action: 'set', fields: ['rule', 'kind'] },
      { at: '2028-09-01T08:00:00.000Z', action: 'switchedOff' },
    ]);
    expect(await cadenceTrailBy(store, OTHER)).toEqual([{ at: '2028-08-22T09:15:00.000Z', action: 'confirmed', ruleDate: '2028-10-03' }]);
  });
});

describe('taughtBy', () => {
  const version = (n: number, by: string, at: string, extra: Record<string, unknown> = {}) => ({
    version: n,
    publishedBy: by,
    publishedAt: at,
    intent: 'contact',
    triggers: ['sprechzeiten'],
    answer: { de: `Antwort ${n}`, en: `Answer ${n}` },
    source: { title: 'RdErl.' },
    ...extra,
  });
  it('lists the versions the person published, newest first, which is in force, and when a replaced one is deleted', async () => {
    const store = new MemoryDocumentStore<OverlayEntryDoc>();
    await store.create({
      id: 'sprechzeiten',
      pk: 'koeln',
      type: 'knowledgeEntry',
      key: 'sprechzeiten',
      current: 3,
      versions: [
        version(1, IB, '2026-11-01T08:00:00.000Z', { replacedAt: '2026-11-10T08:00:00.000Z' }),
        version(2, OTHER, '2026-11-10T08:00:00.000Z', { replacedAt: '2026-11-20T08:00:00.000Z' }),
        version(3, IB, '2026-11-20T08:00:00.000Z', { rolledBackFrom: 1 }),
      ],
      updatedAt: '2026-11-20T08:00:00.000Z',
      rev: 3,
    } as unknown as OverlayEntryDoc);
    const mine = await taughtBy(store, IB);
    expect(mine.map((v) => [v.version, v.current, v.rolledBackFrom, v.deleteAfter])).toEqual([
      [3, true, 1, undefined],
      [1, false, undefined, '2028-11-09T08:00:00.000Z'],
    ]);
    expect(mine[0]).toMatchObject({ scope: 'koeln', key: 'sprechzeiten', answer: { de: 'Antwort 3', en: 'Answer 3' }, triggers: ['sprechzeiten'] });
    expect(JSON.stringify(mine)).not.toContain(OTHER);
    expect(await taughtBy(store, KFI)).toEqual([]);
  });
});

describe('„Meine Daten“ with posts, cadence and taught answers', () => {
  const data = () =>
    collectMyData(
      {
        profile: async () => undefined,
        requests: async () => ({ retentionDaysAfterClosing: 365, created: [], actedOn: [], audit: [] }) as never,
        posts: async () => ({
          sent: [],
          acknowledged: [{ postId: 'post-1', title: 'Brandschutzübung', from: 'Sabine Schmitz (Beispiel)', at: '2026-12-01T09:30:00.000Z', deleteAfter: '2027-12-01T09:00:00.000Z' }],
          remindersReceived: [],
        }),
        cadenceTrail: async () => [{ at: '2028-08-01T08:00:00.000Z', action: 'set', fields: ['rule'] }],
        taughtAnswers: async () => [
          { scope: 'koeln', key: 'a', version: 2, publishedAt: '2026-11-20T08:00:00.000Z', current: true, answer: { de: 'x', en: 'y' }, triggers: [] },
          { scope: 'koeln', key: 'a', version: 1, publishedAt: '2026-11-01T08:00:00.000Z', current: false, answer: { de: 'x', en: 'y' }, triggers: [], deleteAfter: '2028-11-19T08:00:00.000Z' },
        ],
        now: () => new Date('2028-09-01T10:00:00.000Z'),
      },
      KFI,
    );
  const text = (lang: 'de' | 'en', d: Awaited<ReturnType<typeof data>>) => readVisible(renderMyDataSummary(lang, d).content).texts.map((t) => t.text).join('\n');

  it('carries each part into the file, and names the ones with entries on the chat card in German and English', async () => {
    const d = await data();
    expect(d.posts?.acknowledged).toHaveLength(1);
    expect(d.cadenceTrail).toHaveLength(1);
    expect(d.taughtAnswers).toHaveLength(2);
    const de = text('de', d);
    for (const line of ['Ihre Kenntnisnahmen', 'Ihre Schritte am Rhythmus des Koordinierungskreises', 'Von Ihnen eingestellte Antworten', '1 davon in Kraft']) expect(de).toContain(line);
    expect(de).not.toContain('Erinnerungen an Sie');
    expect(de).not.toContain('Ihre Informationen an Beschäftigte');
    const en = text('en', d);
    for (const line of ['Your acknowledgements', "Your steps on the circle's rhythm", 'Answers you taught', '1 of them in force']) expect(en).toContain(line);
  });

  it('has empty parts where a source is not set up, and no card lines for them', async () => {
    const d = await collectMyData({ profile: async () => undefined, requests: async () => ({ retentionDaysAfterClosing: 365, created: [], actedOn: [], audit: [] }) as never }, KFI);
    expect(d).toMatchObject({ posts: null, cadenceTrail: [], taughtAnswers: [] });
    expect(text('de', d)).not.toContain('Ihre Kenntnisnahmen');
  });
});
