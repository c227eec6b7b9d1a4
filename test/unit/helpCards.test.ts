import { readFileSync } from 'node:fs';
import { answersFeature } from '../../bot/handlers/answers';
import { circleFeature } from '../../bot/handlers/circle';
import { directoryFeature } from '../../bot/handlers/directory';
import { helpFeature, renderHelp, renderWelcome } from '../../bot/handlers/help';
import { myDataFeature } from '../../bot/handlers/myData';
import { requestsFeature } from '../../bot/handlers/requests';
import type { Feature } from '../../bot/handlers/types';
import { HELP_AUDIENCES } from '../../cards/helpCard';
import type { Directory } from '../../services/directory/model';
import { parseDirectory } from '../../services/directory/validate';
import { dataFile } from '../../services/paths';
import { checkCard, expectValidCard } from '../support/cardChecks';

function demo(): Directory {
  const result = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.directory;
}

const directory = demo();
const koeln = directory.authorities.find((a) => a.code === 'koeln')!;
const IB = koeln.commissioner!.teams!.aadObjectId;
const HEAD = koeln.head.teams!.aadObjectId;
const KFI = directory.kfi.contacts[0].teams!.aadObjectId;
const STAFF = '00000000-0000-4000-8000-0000000000ee';

/** Every feature with help entries, as bot/app.ts lists them (only `help` is read). */
const features: Feature[] = [
  answersFeature({ live: {}, unanswered: {}, profiles: {}, logger: {} } as never),
  directoryFeature({ live: {}, directory: {}, admins: [], logger: {} } as never),
  requestsFeature({ live: {}, service: {}, views: {}, notifier: {}, logger: {} } as never),
  circleFeature({ service: { jobHandlers: () => ({}) }, live: {}, profiles: {}, logger: {} } as never),
  myDataFeature({ erase: {}, purge: {}, logger: {} } as never),
];
const sections = () => ({ de: features.flatMap((f) => f.help?.de ?? []), en: features.flatMap((f) => f.help?.en ?? []) });

type Body = { type: string; text?: string; items?: Body[] };
/** The help card a person gets for "Hilfe" in the personal chat (or a channel), via the feature. */
async function helpFor(aadObjectId: string, lang: 'de' | 'en' = 'de', conversationType = 'personal') {
  const help = helpFeature(sections, () => directory);
  let sent: { attachments: Array<{ content: Record<string, unknown> }> } | undefined;
  const context = { activity: { conversation: { conversationType } }, sendActivity: async (a: never) => void (sent = a) };
  await help.commands![0].run(context as never, { aadObjectId, tenantId: 't', lang, locale: lang });
  const content = sent!.attachments[0].content;
  const headings = ((content.body as Body[]).filter((b) => b.type === 'Container').map((c) => c.items![0].text));
  return { content, headings };
}

describe('help shows the sections of the viewer’s roles, from the directory', () => {
  it('shows staff only what everyone can do: no IB, head or KfI commands', async () => {
    const { headings, content } = await helpFor(STAFF);
    expect(headings).toEqual(['Wen spreche ich an?', 'Fragen zum Runderlass', 'Meine Bezirksregierung', 'Einfach erklärt', 'Anliegen an die oder den IB', 'Ihre Daten']);
    expect(JSON.stringify(content)).not.toMatch(/Terminumfrage|Offene Vorgänge|Meine Angaben|Unbeantwortete/);
  });

  it('shows the IB their sections as well, and the KfI the circle', async () => {
    expect((await helpFor(IB)).headings).toEqual([
      'Wen spreche ich an?', 'Fragen zum Runderlass', 'Meine Bezirksregierung', 'Einfach erklärt', 'Unbeantwortete Fragen (für IB)', 'Meine Angaben (für IB)',
      'Anliegen an die oder den IB', 'Für IB: Vorgänge und Vortrag', 'Koordinierungskreis', 'Ihre Daten',
    ]);
    expect((await helpFor(KFI)).headings).toContain('Koordinierungskreis');
    expect((await helpFor(KFI)).headings).not.toContain('Für IB: Vorgänge und Vortrag');
    expect((await helpFor(HEAD)).headings).not.toContain('Für IB: Vorgänge und Vortrag');
  });

  it('shows the head and the head\'s office what they receive, where to decide and that the office may decide for the head', async () => {
    const office = koeln.headOffice.staff?.[0]?.teams?.aadObjectId;
    const viewers = office ? [HEAD, office] : [HEAD];
    for (const viewer of viewers) {
      const { headings, content } = await helpFor(viewer);
      expect(headings).toContain('Für die Behördenleitung: Vorträge entscheiden');
      expect(headings).not.toContain('Für IB: Vorgänge und Vortrag');
      expect(JSON.stringify(content)).toMatch(/Ihr Büro sieht dieselbe Karte und entscheidet in Vertretung/);
    }
    expect((await helpFor(HEAD, 'en')).headings).toContain('For the head of the authority: deciding on reports');
    for (const other of [STAFF, IB, KFI]) expect((await helpFor(other)).headings).not.toContain('Für die Behördenleitung: Vorträge entscheiden');
  });

  it('names only known audiences in every feature’s help', () => {
    for (const s of [...sections().de, ...sections().en]) for (const a of s.audience ?? []) expect(HELP_AUDIENCES).toContain(a);
    // Both languages mark the same sections.
    expect(sections().de.map((s) => s.audience ?? [])).toEqual(sections().en.map((s) => s.audience ?? []));
  });

  it('offers the three main actions as buttons in the personal chat (one visible, two in the menu), none in a channel', async () => {
    const personal = (await helpFor(STAFF)).content as { actions: Array<Record<string, any>> };
    expect(personal.actions.map((a) => [a.title, a.mode, a.data.msteams])).toEqual([
      ['Anliegen senden', 'primary', { type: 'imBack', value: 'Anliegen senden' }],
      ['Wer ist meine IB?', 'secondary', { type: 'imBack', value: 'Wer ist meine IB?' }],
      ['Meine Anliegen', 'secondary', { type: 'imBack', value: 'Meine Anliegen' }],
    ]);
    expect(((await helpFor(STAFF, 'de', 'channel')).content as { actions: unknown[] }).actions).toEqual([]);
  });
});

describe.each(['de', 'en'] as const)('welcome and help cards in %s', (lang) => {
  it('render as valid cards with nothing unbound', () => {
    expectValidCard(renderWelcome(lang).content, lang);
    expectValidCard(renderHelp(lang, sections()[lang]).content, lang);
  });

  it('welcome: the example questions are tappable and the main actions are buttons, one visible beside the menu', () => {
    const content = renderWelcome(lang).content as { body: Array<Record<string, any>>; actions: Array<Record<string, any>> };
    const examples = content.body.filter((b) => b.selectAction);
    expect(examples.length).toBe(3);
    for (const e of examples) expect(e.selectAction.data.msteams).toEqual({ type: 'imBack', value: e.items[0].text });
    expect(content.actions.filter((a) => (a.mode ?? 'primary') === 'primary')).toHaveLength(1);
    expect(checkCard(content).executeVerbs).toEqual(['help.show']);
  });
});
