import { readFileSync } from 'node:fs';
import { parseDirectory } from '../../../services/directory/validate';
import { silentLogger } from '../../../services/logging';
import type { NotificationRequest } from '../../../services/notifications/model';
import type { DeliveryReport, DeliveryReports, RecipientReach } from '../../../services/notifications/reach';
import { dataFile } from '../../../services/paths';
import { headReachCheck, headReachListener, type HeadReachDeps } from '../../../services/requests/headReach';
import type { JobDoc } from '../../../services/scheduling/scheduler';
import { summaryOf, type ItemDoc, type ItemRoles, type Party } from '../../../services/requests/model';
import { caseSummaryOf, withHeadReach } from '../../../bot/tab/workflowSources';
import { cardKey, NOTICE_KINDS, RequestNotifier } from '../../../services/requests/notifications';
import { RequestViews } from '../../../services/requests/views';
import type { Versioned } from '../../../services/storage/documentStore';
import { FakeGraph } from '../../support/fakeGraph';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

const parsed = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
if (!parsed.ok) throw new Error('demo directory invalid');
const demo = parsed.directory;
/** The demo directory, Köln's office not receiving reports (so the e-mail is the fallback). */
const withoutOffice = { ...demo, authorities: demo.authorities.map((a) => (a.code === 'koeln' ? { ...a, headOffice: { ...a.headOffice, receivesReports: false } } : a)) };

const HEAD = '00000000-0000-4000-8000-000400000003';
const OFFICE = '00000000-0000-4000-8000-000400000004';
const IB: Party = { aadObjectId: '00000000-0000-4000-8000-000400000001', tenantId: 't', name: 'Sabine Schmitz (Beispiel)', lang: 'de' };
const ID = 'vtr-8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const NOW = new Date('2026-12-04T10:00:00Z');

const report = (over: Partial<ItemDoc> = {}): ItemDoc => ({
  id: ID, pk: 'koeln', type: 'item', kind: 'report', authority: 'koeln', rev: 1, status: 'eingereicht', subject: 'Förderaufruf Integration 2027', body: 'Kurz: Bitte um Unterstützung.',
  urgency: 'eilig', linked: [], createdBy: IB, messages: [], participants: [IB.aadObjectId], touchedAt: NOW.toISOString(), cardsTo: [HEAD, OFFICE],
  trail: [{ at: NOW.toISOString(), actor: IB.aadObjectId, action: 'report.create', changes: [{ path: '/status', from: null, to: 'eingereicht' }] }],
  createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), ...over,
});

const reportOf = (key: string, recipients: RecipientReach[]): DeliveryReport => ({
  key,
  total: recipients.length,
  delivered: recipients.filter((r) => r.reach === 'delivered' || r.reach === 'installedThenDelivered').length,
  installed: recipients.filter((r) => r.reach === 'installedThenDelivered').length,
  pending: recipients.filter((r) => r.reach === 'pending').length,
  unreachable: recipients.filter((r) => r.reach === 'unreachable'),
  recipients,
});
const headUnreachable = reportOf(cardKey(ID, HEAD), [{ aadObjectId: HEAD, reach: 'unreachable', reason: 'notInstalled' }]);

async function setup(options: { item?: ItemDoc; directory?: typeof demo; officeReach?: RecipientReach['reach']; mail?: boolean; headReport?: DeliveryReport; now?: Date } = {}) {
  const store = new MemoryDocumentStore<ItemDoc>('items');
  await store.create(options.item ?? report());
  const table = new Map<string, DeliveryReport>();
  table.set(cardKey(ID, OFFICE), reportOf(cardKey(ID, OFFICE), [{ aadObjectId: OFFICE, reach: options.officeReach ?? 'delivered' }]));
  if (options.headReport) table.set(cardKey(ID, HEAD), options.headReport);
  const read: string[] = [];
  const reports: DeliveryReports = { report: async (key) => (read.push(key), table.get(key) ?? reportOf(key, [])), onSettled: () => undefined };
  const kicked: Array<Versioned<ItemDoc>> = [];
  const now = options.now ?? NOW;
  const deps: HeadReachDeps = {
    store,
    directory: () => options.directory ?? demo,
    reports,
    mailAvailable: async () => options.mail ?? false,
    writer: { relay: { kick: (_s, doc) => void kicked.push(doc as unknown as Versioned<ItemDoc>), relayed: () => false }, source: 'requests', now: () => now.getTime() },
    logger: silentLogger,
    now: () => now,
  };
  const listener = headReachListener(deps);
  const check = headReachCheck(deps);
  const item = async () => (await store.read('koeln', ID))!;
  return { store, listener, check, item, kicked, read };
}

/** The relay source with a recording outbox and a fake Graph, to carry out the notices the listener wrote. */
function notifier(mail = true) {
  const enqueued: NotificationRequest[] = [];
  const graph = new FakeGraph({ features: ['mail'] });
  const roles = (r: Partial<ItemRoles>): ItemRoles => ({ requester: false, commissioner: false, headSide: false, decider: false, ...r });
  const n = new RequestNotifier({
    store: new MemoryDocumentStore<ItemDoc>('items'),
    outbox: { enqueue: async (r) => (enqueued.push(r), { notificationId: r.key, added: 1, total: 1 }), enqueueUpdate: async () => ({ notificationId: '', added: 0, total: 0 }) },
    scheduler: { schedule: async () => ({}) as never },
    views: new RequestViews({ refreshIds: async () => [], audienceOf: () => [] }),
    rolesFor: (id) => roles({ commissioner: id === IB.aadObjectId }),
    reminderDueAt: () => NOW,
    reminderJobKind: 'requests.remind',
    logger: silentLogger,
    ...(mail ? { mail: { graph, from: 'lotse@bezreg-arnsberg.example', itemLink: (item: ItemDoc) => `https://teams.microsoft.com/l/entity/app/mein-lotse?item=${item.id}` } } : {}),
  });
  return { n, enqueued, sent: graph.sentMail };
}

describe('a Vortrag whose head cannot be reached in Teams', () => {
  it('tells the IB at once that it went to the office, and records it in the trail', async () => {
    const { listener, item } = await setup();
    await listener(headUnreachable);
    const stored = await item();
    expect(stored.headReach).toEqual({ reach: 'unreachable', reason: 'notInstalled', fallback: 'office', at: NOW.toISOString() });
    expect(stored.rev).toBe(1);
    expect(stored.trail?.at(-1)).toMatchObject({ actor: 'system', action: 'report.headUnreachable', changes: expect.arrayContaining([{ path: '/headReach/fallback', from: null, to: 'office' }]) });
    expect(stored.pending).toEqual([expect.objectContaining({ kind: NOTICE_KINDS.message, to: [IB.aadObjectId] })]);

    const { n, enqueued, sent } = notifier();
    await n.deliver(stored, stored.pending ?? []);
    expect(enqueued).toHaveLength(1);
    expect(enqueued[0]!.recipients).toEqual([{ user: { aadObjectId: IB.aadObjectId, tenantId: 't' } }]);
    expect(enqueued[0]!.activity.text).toBe(
      'Die Behördenleitung ist in Teams nicht erreichbar (App nicht installiert). Ihr Vortrag „Förderaufruf Integration 2027“: Der Vortrag ging an das Büro: Büro der Regierungspräsidentin (Beispiel).',
    );
    expect(sent).toEqual([]);
  });

  it('tells an IB who uses Teams in English in English', async () => {
    const { listener, item } = await setup({ item: report({ createdBy: { ...IB, lang: 'en' } }) });
    await listener(headUnreachable);
    const stored = await item();
    const { n, enqueued } = notifier();
    await n.deliver(stored, stored.pending ?? []);
    expect(enqueued[0]!.activity.text).toBe('The head of the authority cannot be reached in Teams (app not installed). Your report "Förderaufruf Integration 2027": The report went to the office: Büro der Regierungspräsidentin (Beispiel).');
  });

  it('sends it by e-mail to the head when the office does not receive reports and Graph may send mail: the subject and a link, nothing else', async () => {
    const { listener, item } = await setup({ item: report({ cardsTo: [HEAD] }), directory: withoutOffice, mail: true });
    await listener(headUnreachable);
    const stored = await item();
    expect(stored.headReach).toMatchObject({ reach: 'unreachable', fallback: 'mail' });
    expect(stored.pending?.map((p) => p.kind).sort()).toEqual([NOTICE_KINDS.headMail, NOTICE_KINDS.message].sort());

    const { n, enqueued, sent } = notifier();
    await n.deliver(stored, stored.pending ?? []);
    expect(enqueued[0]!.activity.text).toContain('Der Vortrag ging per E-Mail an frieda.fiktiv@bezreg-koeln.example.');
    expect(sent).toHaveLength(1);
    const mail = sent[0]!;
    expect(mail.from).toBe('lotse@bezreg-arnsberg.example');
    expect(mail.mail.to).toEqual(['frieda.fiktiv@bezreg-koeln.example']);
    expect(mail.mail.subject).toBe('Vortrag der oder des Integrationsbeauftragten: Förderaufruf Integration 2027');
    expect(mail.mail.bodyText).toContain(`https://teams.microsoft.com/l/entity/app/mein-lotse?item=${ID}`);
    // No personal data besides the subject: not the IB's name, not the summary.
    expect(mail.mail.bodyText).not.toContain('Sabine');
    expect(mail.mail.bodyText).not.toContain('Unterstützung');
  });

  it('falls back to e-mail when the office was not reached either', async () => {
    const { listener, item } = await setup({ officeReach: 'unreachable', mail: true });
    await listener(headUnreachable);
    expect((await item()).headReach?.fallback).toBe('mail');
  });

  it('asks the IB to inform the head another way when neither the office nor e-mail is available', async () => {
    const { listener, item } = await setup({ item: report({ cardsTo: [HEAD] }), directory: withoutOffice, mail: false });
    await listener(headUnreachable);
    const stored = await item();
    expect(stored.headReach?.fallback).toBe('none');
    const { n, enqueued, sent } = notifier();
    await n.deliver(stored, stored.pending ?? []);
    expect(enqueued[0]!.activity.text).toContain('Bitte informieren Sie die Behördenleitung auf anderem Weg.');
    expect(sent).toEqual([]);
  });

  it('records a head who was reached, without telling anybody', async () => {
    const { listener, item } = await setup();
    await listener(reportOf(cardKey(ID, HEAD), [{ aadObjectId: HEAD, reach: 'installedThenDelivered' }]));
    const stored = await item();
    expect(stored.headReach).toEqual({ reach: 'installedThenDelivered', at: NOW.toISOString() });
    expect(stored.pending ?? []).toEqual([]);
  });

  it('writes nothing for a delivery still on the way, for a settled report recorded already, and for cards of other people', async () => {
    const { listener, item, kicked } = await setup();
    await listener(reportOf(cardKey(ID, HEAD), [{ aadObjectId: HEAD, reach: 'pending' }]));
    await listener(reportOf(cardKey(ID, OFFICE), [{ aadObjectId: OFFICE, reach: 'unreachable', reason: 'blocked' }]));
    expect((await item()).headReach).toBeUndefined();
    await listener(headUnreachable);
    const first = await item();
    await listener(headUnreachable);
    expect((await item()).etag).toBe(first.etag);
    expect(kicked).toHaveLength(1);
  });
});

/** The check job of the Vortrag as the relay scheduled it (payload: its id and authority). */
const checkJob = (payload: JobDoc['payload'] = { id: ID, authority: 'koeln' }): JobDoc => ({
  id: 'j-check', pk: 'j-check', type: 'job', key: `item:${ID}:head-reach`, kind: 'requests.headReach', payload, dueAt: NOW.getTime(), status: 'running', open: true, attempts: 1, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(),
});

describe("the check job, for a process that died before its listener recorded the head's reach", () => {
  it('records an unreachable head with what it owes, as the listener would have', async () => {
    const { check, item } = await setup({ headReport: headUnreachable });
    await expect(check(checkJob())).resolves.toBeUndefined();
    const stored = await item();
    expect(stored.headReach).toEqual({ reach: 'unreachable', reason: 'notInstalled', fallback: 'office', at: NOW.toISOString() });
    expect(stored.trail?.at(-1)).toMatchObject({ actor: 'system', action: 'report.headUnreachable' });
    expect(stored.pending).toEqual([expect.objectContaining({ kind: NOTICE_KINDS.message, to: [IB.aadObjectId] })]);
  });

  it('records a head who was reached', async () => {
    const { check, item } = await setup({ headReport: reportOf(cardKey(ID, HEAD), [{ aadObjectId: HEAD, reach: 'delivered' }]) });
    await check(checkJob());
    expect((await item()).headReach).toEqual({ reach: 'delivered', at: NOW.toISOString() });
  });

  it('looks again later while the card is on its way: 15 s at first, a quarter of the age later, at most every 15 minutes', async () => {
    const pending = reportOf(cardKey(ID, HEAD), [{ aadObjectId: HEAD, reach: 'pending' }]);
    const at = (ms: number) => new Date(NOW.getTime() + ms);
    for (const [age, wait] of [[15_000, 15_000], [4 * 60_000, 60_000], [6 * 3_600_000, 15 * 60_000]] as const) {
      const { check, item } = await setup({ headReport: pending, now: at(age) });
      await expect(check(checkJob())).resolves.toEqual({ next: at(age + wait) });
      expect((await item()).headReach).toBeUndefined();
    }
    // Not even enqueued yet (the relay had not handed the card over): the same.
    const { check } = await setup({ now: at(15_000) });
    await expect(check(checkJob())).resolves.toEqual({ next: at(30_000) });
  });

  it('gives up after three days with the card still on its way, writing nothing', async () => {
    const { check, item, kicked } = await setup({ headReport: reportOf(cardKey(ID, HEAD), [{ aadObjectId: HEAD, reach: 'pending' }]), now: new Date(NOW.getTime() + 3 * 86_400_000 + 1) });
    await expect(check(checkJob())).resolves.toBeUndefined();
    expect((await item()).headReach).toBeUndefined();
    expect(kicked).toEqual([]);
  });

  it('ends without a report query when the listener recorded it already, and writes nothing twice', async () => {
    const { listener, check, item, read, kicked } = await setup({ headReport: headUnreachable });
    await listener(headUnreachable);
    const first = await item();
    read.length = 0;
    await expect(check(checkJob())).resolves.toBeUndefined();
    expect(read).toEqual([]);
    expect((await item()).etag).toBe(first.etag);
    expect(kicked).toHaveLength(1);
  });

  describe('a head the directory gives no Teams account', () => {
    const noAccount = (directory: typeof demo) => ({ ...directory, authorities: directory.authorities.map((a) => (a.code === 'koeln' ? { ...a, head: { ...a.head, teams: undefined } } : a)) });

    it.each([
      ['de', 'Die Behördenleitung ist in Teams nicht erreichbar (im Verzeichnis ohne Teams-Konto). Ihr Vortrag „Förderaufruf Integration 2027“: Der Vortrag ging an das Büro: Büro der Regierungspräsidentin (Beispiel).'],
      ['en', 'The head of the authority cannot be reached in Teams (no Teams account in the directory). Your report "Förderaufruf Integration 2027": The report went to the office: Büro der Regierungspräsidentin (Beispiel).'],
    ] as const)('is recorded as not reachable once the office has its card, and the IB told where it went (%s)', async (lang, told) => {
      const { check, item } = await setup({ item: report({ cardsTo: [OFFICE], createdBy: { ...IB, lang } }), directory: noAccount(demo) });
      await expect(check(checkJob())).resolves.toBeUndefined();
      const stored = await item();
      expect(stored.headReach).toEqual({ reach: 'unreachable', reason: 'noTeamsIdentity', fallback: 'office', at: NOW.toISOString() });
      const { n, enqueued } = notifier();
      await n.deliver(stored, stored.pending ?? []);
      expect(enqueued.map((e) => e.activity.text)).toEqual([told]);
      const line = JSON.stringify(await new RequestViews({ refreshIds: async () => [], audienceOf: () => [] }).item(lang, stored, { requester: false, commissioner: true, headSide: false, decider: false }));
      expect(line).toContain(lang === 'de' ? 'Leitung nicht erreichbar: im Verzeichnis ohne Teams-Konto; ging an das Büro der Behördenleitung' : "Head not reachable: no Teams account in the directory; went to the head's office");
    });

    it("waits while the office's card is on its way, then asks the IB to inform the head when nobody could be reached", async () => {
      const pending = await setup({ item: report({ cardsTo: [OFFICE] }), directory: noAccount(demo), officeReach: 'pending' });
      await expect(pending.check(checkJob())).resolves.toEqual({ next: new Date(NOW.getTime() + 15_000) });
      expect((await pending.item()).headReach).toBeUndefined();
      const nobody = await setup({ item: report({ cardsTo: [] }), directory: noAccount(withoutOffice) });
      await nobody.check(checkJob());
      expect((await nobody.item()).headReach).toMatchObject({ reach: 'unreachable', reason: 'noTeamsIdentity', fallback: 'none' });
    });
  });

  it('ends for a missing or foreign item, a bad payload, and a head with no card of the report', async () => {
    const { check, read } = await setup({ item: report({ cardsTo: [OFFICE] }), headReport: headUnreachable });
    await expect(check(checkJob())).resolves.toBeUndefined();
    await expect(check(checkJob({ id: 'vtr-missing', authority: 'koeln' }))).resolves.toBeUndefined();
    await expect(check(checkJob({ id: 7 }))).resolves.toBeUndefined();
    const anliegen = await setup({ item: report({ kind: 'request' }), headReport: headUnreachable });
    await expect(anliegen.check(checkJob())).resolves.toBeUndefined();
    expect((await anliegen.item()).headReach).toBeUndefined();
    expect(read).toEqual([]);
  });
});

describe("the IB's item card and tab row", () => {
  const views = new RequestViews({ refreshIds: async () => [], audienceOf: () => [] });
  const roles = (r: Partial<ItemRoles>): ItemRoles => ({ requester: false, commissioner: false, headSide: false, decider: false, ...r });
  const unreachable = report({ headReach: { reach: 'unreachable', reason: 'blocked', fallback: 'office', at: NOW.toISOString() } });

  it.each([
    ['de', 'Leitung nicht erreichbar: hat den Bot blockiert; ging an das Büro der Behördenleitung', 'Leitung erreicht'],
    ['en', "Head not reachable: blocked the bot; went to the head's office", 'Head reached'],
  ] as const)('say whether the report reached the head (%s), to the IB side only', async (lang, line, reached) => {
    expect(JSON.stringify(await views.item(lang, unreachable, roles({ commissioner: true })))).toContain(line);
    expect(JSON.stringify(await views.item(lang, unreachable, roles({ headSide: true })))).not.toContain(line);
    expect(JSON.stringify(await views.item(lang, report({ headReach: { reach: 'delivered', at: NOW.toISOString() } }), roles({ commissioner: true })))).toContain(reached);
  });

  it('shows nothing while the delivery is on its way', async () => {
    const text = JSON.stringify(await views.item('de', report(), roles({ commissioner: true })));
    expect(text).not.toContain('Leitung erreicht');
    expect(text).not.toContain('nicht erreichbar');
  });

  it("puts the line on the IB's Vortrag row in the tab", () => {
    const summary = summaryOf(unreachable);
    const row = withHeadReach(caseSummaryOf(summary), summary);
    expect(row.reach).toEqual({ de: 'Leitung nicht erreichbar: hat den Bot blockiert; ging an das Büro der Behördenleitung', en: "Head not reachable: blocked the bot; went to the head's office", unreachable: true });
    expect(withHeadReach(caseSummaryOf(summary), undefined).reach).toBeUndefined();
  });
});
