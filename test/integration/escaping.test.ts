import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AuditLog, type AuditEntry } from '../../services/audit/auditLog';
import { DirectoryRepository, type DirectoryDoc } from '../../services/directory/directoryRepository';
import { parseDirectory } from '../../services/directory/validate';
import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { cardText, messageText } from '../../services/text/escape';
import { activityBuilders, personalConversationId, user, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';

/** Fictitious people of the demo directory, and staff. */
const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001' });
const STAFF = user({ name: 'Erika Sachbearbeiterin' });
// A display name is user text too; this one would be a formula in a spreadsheet that skips leading spaces.
const SPACED = user({ name: ' =1+1' });

/** What the deputy's e-mail in the stored directory was changed to (an import or an older build let it through). */
const PLANTED_EMAIL = 'x)[y](https://evil';
const PLANTED_LINK = '[Bitte bestätigen](https://evil.example)';

type InvokeBody = { statusCode: number; type: string; value: any };
const json = (v: unknown) => JSON.stringify(v);

/** Every text Teams renders as Markdown in a card: TextBlock texts and FactSet titles and values. */
function displayTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const child of node) displayTexts(child, out);
  } else if (node && typeof node === 'object') {
    const element = node as Record<string, unknown>;
    if (element.type === 'TextBlock' && typeof element.text === 'string') out.push(element.text);
    if (element.type === 'FactSet' && Array.isArray(element.facts)) {
      for (const fact of element.facts as Array<{ title?: string; value?: string }>) out.push(fact.title ?? '', fact.value ?? '');
    }
    for (const value of Object.values(element)) if (value && typeof value === 'object') displayTexts(value, out);
  }
  return out;
}

/** Destinations of the Markdown links a CommonMark renderer would make of `text` (`[label](destination)`, escapes respected). */
function linkDestinations(text: string): string[] {
  const found: string[] = [];
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === '[') open.push(i);
    if (text[i] === ']' && open.length && text[i + 1] === '(') {
      open.pop();
      const end = text.indexOf(')', i + 2);
      if (end !== -1) found.push(text.slice(i + 2, end));
    }
  }
  return found;
}

/** Markup characters a renderer would act on (not backslash-escaped). */
function unescaped(text: string, chars = '*_`<~'): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (chars.includes(text[i])) found.push(text[i]);
  }
  return found;
}

describe('user text reaches others as text (issue 13, point 6)', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  const now = new Date('2026-11-24T09:00:00Z');

  const read = async (id: string) => (await database.store<ItemDoc>(CONTAINERS.items).read('koeln', id))!;

  async function invoke(verb: string, data: Record<string, unknown>, from: TeamsUser): Promise<InvokeBody> {
    const res = await app.post(teams.cardAction(verb, data, { from }));
    expect(res.status).toBe((res.body as InvokeBody).statusCode);
    return res.body as InvokeBody;
  }

  async function say(text: string, from: TeamsUser): Promise<ConnectorCall> {
    emulator.reset();
    expect((await app.post(teams.message(text, { from }))).status).toBe(200);
    return emulator.waitFor((c) => c.operation === 'reply' && (c.activity?.recipient as { id?: string } | undefined)?.id === from.id);
  }

  async function submitRequest(fields: Record<string, unknown>, from = STAFF): Promise<ItemDoc> {
    const body = await invoke('request.submit', { authority: 'koeln', category: 'beratung', subject: 'Ein Betreff', description: 'Eine Beschreibung.', ...fields }, from);
    expect(body.statusCode).toBe(200);
    return read(body.value.refresh.action.data.id as string);
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'escaping-test' });
    // The stored directory holds a deputy address no form accepts today.
    const parsed = parseDirectory(readFileSync(path.join(__dirname, '..', '..', 'data', 'demo-directory.json'), 'utf8'));
    if (!parsed.ok) throw new Error('demo directory invalid');
    const koeln = parsed.directory.authorities.find((a) => a.code === 'koeln')!;
    expect(koeln.deputy).toBeTruthy();
    koeln.deputy!.email = PLANTED_EMAIL;
    const repo = new DirectoryRepository(database.store<DirectoryDoc>(CONTAINERS.directory), new AuditLog(database.store<AuditEntry>(CONTAINERS.audit)));
    await repo.importDirectory(parsed.directory, 'test', now);

    app = await startTestApp({}, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of [STAFF, SPACED, KOELN_IB]) await app.post(teams.installationUpdate('add', { from: p }));
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  it('delivers a planted Markdown link in an Anliegen to the IB as plain text: visible brackets, no link', async () => {
    const description = `**Dringend** <at>${KOELN_IB.name}</at>\n# Bitte ${PLANTED_LINK} klicken\n1. sofort`;
    const item = await submitRequest({ subject: PLANTED_LINK, description });
    const card = await emulator.waitFor(
      (c) => c.operation === 'send' && c.conversationId === personalConversationId(KOELN_IB.id) && json(c.activity).includes(item.id),
    );
    const content = card.activity?.attachments?.[0]?.content;
    const texts = displayTexts(content);
    expect(texts).toContain(cardText(PLANTED_LINK));
    expect(texts).toContain(cardText(description));
    expect(json(content)).not.toContain(`"${PLANTED_LINK}"`);
    for (const text of texts) {
      expect(linkDestinations(text)).toEqual([]);
      expect(unescaped(text)).toEqual([]);
      // A heading or list item needs a space after its marker (CommonMark), unlike the fact "24.11.2026, 10:00".
      expect(text.split('\n').filter((line) => /^\s*(#{1,6}|\d{1,9}[.)])(\s|$)/.test(line))).toEqual([]);
    }

    // The requester's message about the change carries the subject escaped for Teams Markdown.
    expect((await invoke('request.accept', { id: item.id, authority: 'koeln', rev: item.rev }, KOELN_IB)).statusCode).toBe(200);
    const told = await emulator.waitFor((c) => c.operation === 'send' && c.conversationId === personalConversationId(STAFF.id) && /In Bearbeitung/.test(c.activity?.text ?? ''));
    expect(told.activity?.textFormat).toBe('markdown');
    expect(told.activity?.text).toContain(`„${messageText(PLANTED_LINK)}“`);
    expect(linkDestinations(told.activity?.text ?? '')).toEqual([]);
  });

  it('keeps what the person typed in a refused form as typed: prefills are not escaped', async () => {
    const body = await invoke('request.submit', { authority: 'koeln', category: '', subject: PLANTED_LINK, description: '**so**' }, STAFF);
    expect(body.statusCode).toBe(200);
    // The missing kind is named at its field.
    expect(json(body.value)).toMatch(/Bitte wählen Sie, worum es geht\./);
    const inputs = json(body.value);
    expect(inputs).toContain(`"id":"subject"`);
    expect(body.value.body.find((e: { id?: string }) => e.id === 'subject').value).toBe(PLANTED_LINK);
    expect(body.value.body.find((e: { id?: string }) => e.id === 'description').value).toBe('**so**');
  });

  it('renders a subject "${$root.secret}" literally: user text is card data, never template', async () => {
    const item = await submitRequest({ subject: '${$root.authority} ${$root.id}' });
    const view = await invoke('request.open', { id: item.id, authority: 'koeln' }, STAFF);
    expect(displayTexts(view.value)).toContain('${$root.authority} ${$root.id}');
  });

  it('exports formula-like subjects and names as text: leading apostrophe, also after spaces and for the full-width ＝', async () => {
    await submitRequest({ subject: '=HYPERLINK("https://evil.example","Klick")' });
    await submitRequest({ subject: '＝1+1' });
    await submitRequest({ subject: 'Zaun ``` im Betreff' }, SPACED);
    const exported = (await say('Export', KOELN_IB)).activity?.text ?? '';
    expect(exported).toContain(`"'=HYPERLINK(""https://evil.example"",""Klick"")"`);
    expect(exported).toContain(`"'＝1+1"`);
    expect(exported).toContain(`"' =1+1"`);
    expect(exported).not.toMatch(/(^|[,"])(\s*)[=＝][^,]*1\+1/m);
    // The CSV sits in one fence: the only runs of three backticks are the fence's own two lines.
    expect(exported.match(/```/g)).toHaveLength(2);
    expect(exported.trimEnd().endsWith('```')).toBe(true);

    // "Meine Daten" shows a summary card without subjects; the file keeps the subject as it was typed.
    const mine = JSON.stringify((await say('Meine Daten', SPACED)).activity?.attachments ?? []);
    expect(mine).not.toContain('Zaun');
    expect(JSON.stringify(await app.myData(SPACED.aadObjectId))).toContain('Zaun ``` im Betreff');
  });

  it('refuses a deputy e-mail that could end a link, and changes nothing', async () => {
    const before = await database.store(CONTAINERS.directory).read('directory', 'authority-koeln');
    const res = await invoke('directory.update', { deputyName: 'Jan Jedermann (Beispiel)', deputyEmail: 'x)[y](https://evil.example)@bezreg-koeln.example' }, KOELN_IB);
    expect(json(res.value)).toContain('Die E-Mail-Adresse der Vertretung ist ungültig.');
    const after = await database.store(CONTAINERS.directory).read('directory', 'authority-koeln');
    expect(after?.etag).toBe(before?.etag);
  });

  it(`shows a stored directory e-mail "${PLANTED_EMAIL}" as text, not as a mailto: link`, async () => {
    const answer = await say('Wer vertritt die IB in Köln?', STAFF);
    const content = answer.activity?.attachments?.[0]?.content;
    const texts = displayTexts(content);
    expect(texts.join('\n')).toContain('Jan Jedermann (Beispiel)');
    expect(texts).toContain(cardText(PLANTED_EMAIL));
    const links = texts.flatMap(linkDestinations);
    expect(links.length).toBeGreaterThan(0); // the decree link under every answer
    expect(links.filter((l) => /evil|^mailto:x/.test(l))).toEqual([]);
    expect(json(content)).not.toContain('mailto:x)');
  });
});
