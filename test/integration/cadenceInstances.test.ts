import { addDays, occurrences } from '../../services/circle/cadence';
import { CADENCE_NOTICES, parseCadence, type CadenceDoc } from '../../services/circle/cadenceService';
import type { CircleDoc, PollDoc } from '../../services/circle/model';
import { berlinParts } from '../../services/common/berlinTime';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../services/storage/embeddedCosmos';
import { activityBuilders, DEFAULT_TENANT_ID, personalConversationId, user, type TeamsUser } from '../support/activities';
import { startBotProcess, type BotProcess } from '../support/botProcess';
import { observeInbound, startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { KFI_LEAD, acceptedPosts, eventually } from '../support/circle';
import { circleMembers } from '../support/crashHarness';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/roundRobinProxy';

/**
 * The Koordinierungskreis cadence (issue 17) across real bot processes on one database: two instances behind a
 * round-robin proxy prepare the draft once and confirm it once; a process killed with SIGKILL while the draft goes out,
 * and one killed right after a confirmation, leave exactly one draft and one announcement behind.
 *
 * Real processes run on the machine's clock (there is no test hook to move it), so the rule is placed relative to it:
 * every 26 weeks on a Tuesday from ten days ahead, prepared four weeks before. Its next date is 10 to 16 days ahead,
 * already inside the lead time, and the one after it is half a year away: exactly one draft is due, whatever the date.
 */
const FELIX = user({ name: 'Felix Format (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000600000002' });
const KFI = [KFI_LEAD, FELIX];
const TITLE = 'Koordinierungskreis Rhythmus (Beispiel)';

/** The cadence document as the tab's PUT stores it, with the job notice a process left pending (its relay never ran). */
function cadenceDoc(): { doc: CadenceDoc; ruleDate: string } {
  const today = berlinParts(new Date()).date;
  const parsed = parseCadence({
    active: 'on', kind: 'poll', unit: 'week', interval: '26', weekday: '2', from: addDays(today, 10), time: '10:00',
    duration: '120', leadWeeks: '4', alternatives: '2', title: TITLE, place: 'Arnsberg, Raum 36 (Beispiel)',
  });
  if (!('settings' in parsed)) throw new Error(`bad test rule: ${JSON.stringify(parsed.problems)}`);
  const at = new Date(Date.now() - 60_000);
  const doc: CadenceDoc = {
    id: 'cadence', pk: 'cadence', type: 'cadence', tenantId: DEFAULT_TENANT_ID, revision: 1, prepared: [], seq: 0,
    trail: [{ at: at.toISOString(), by: KFI_LEAD.aadObjectId, action: 'set', fields: ['rule'] }],
    createdAt: at.toISOString(), updatedAt: at.toISOString(), ...parsed.settings,
    pending: [{ key: 'circle:cadence:r1:job', kind: CADENCE_NOTICES.job, rev: 1 }], pendingSince: at.getTime(),
  };
  return { doc, ruleDate: occurrences(parsed.settings.rule, addDays(today, 1), 1)[0].ruleDate };
}

/** One embedded database (in this process, never killed), the channel emulator and the bots' environment. */
async function startWorld(databaseId: string) {
  const db: EmbeddedCosmos & { certificateSha256: string } = await startEmbeddedCosmos();
  const database: AppDatabase = await openDatabase({ databaseId, endpoint: db.endpoint, certificateSha256: db.certificateSha256 });
  const emulator = await startChannelEmulator();
  const env = {
    COSMOS_ENDPOINT: db.endpoint, COSMOS_CERT_SHA256: db.certificateSha256, COSMOS_DATABASE: databaseId, SEED_DEMO_DIRECTORY: 'true',
    OUTBOX_LEASE_MS: '3000', RELAY_SWEEP_SECONDS: '1', RELAY_GRACE_SECONDS: '1',
  };
  const circle = () => database.store<CircleDoc>(CONTAINERS.circle);
  const outbox = () => database.store<{ id: string; pk: string; kind: string }>(CONTAINERS.outbox);
  const count = async (store: ReturnType<typeof outbox> | ReturnType<typeof circle>, query: string) => (await store.query<number>({ query }))[0] ?? 0;
  const cadence = async () => (await circle().read('cadence', 'cadence')) as CadenceDoc | undefined;
  const polls = () => circle().query<PollDoc>({ query: 'SELECT * FROM c WHERE c.type = "poll"' });
  const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
  const content = (c: ConnectorCall) => JSON.stringify(c.activity ?? (c.body as { activity?: unknown })?.activity ?? null);
  /** The cards a person's chat accepted whose content includes `needle`. */
  const cardsTo = (p: TeamsUser, needle: string) => (acceptedPosts(emulator).get(personalConversationId(p.id)) ?? []).filter((c) => content(c).includes(needle));
  /** The draft card as the person now sees it in their chat (updates applied). */
  const visibleDraft = (p: TeamsUser) => emulator.visibleActivities(personalConversationId(p.id)).map((a) => JSON.stringify(a)).filter((a) => a.includes('Rhythmus des Koordinierungskreises'));
  return {
    db, database, emulator, env, teams, cadence, polls, cardsTo, visibleDraft,
    /** The database's idle signal: no open delivery, no notice riding in a circle document, twice in a row. */
    async idle(): Promise<void> {
      let calm = 0;
      await eventually(async () => {
        const open = await count(outbox(), 'SELECT VALUE COUNT(1) FROM c WHERE c.kind = "delivery" AND c.open = true');
        const pending = await count(circle(), 'SELECT VALUE COUNT(1) FROM c WHERE IS_DEFINED(c.pending) AND ARRAY_LENGTH(c.pending) > 0');
        calm = open === 0 && pending === 0 ? calm + 1 : 0;
        return calm >= 2;
      }, 60_000, 100);
    },
    async post(url: string, activity: unknown): Promise<{ status: number; body: any }> {
      observeInbound(activity);
      const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close(bots: BotProcess[]): Promise<void> {
      for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
      await Promise.all(bots.map((b) => b.exited));
      await emulator.close();
      await database.close();
      await db.close();
    },
  };
}
type World = Awaited<ReturnType<typeof startWorld>>;

const DRAFT = '"verb":"circle.cadence.confirm"';
const POLL = '"verb":"circle.poll.answer"';

/** Every member has the app, as in a tenant (the KfI members among them). */
async function installAll(world: World, url: string): Promise<TeamsUser[]> {
  const members = circleMembers();
  for (const k of KFI) expect(members.map((m) => m.aadObjectId)).toContain(k.aadObjectId);
  for (const m of members) expect((await world.post(url, world.teams.installationUpdate('add', { from: m }))).status).toBe(200);
  return members;
}

/** Freezes the channel: every call hangs three seconds and then fails, so what is being sent is in flight at a kill. */
function freeze(emulator: ChannelEmulator): void {
  emulator.failNext(Infinity, { status: 503 });
  emulator.setLatency((call) => (call.failure === 'injected' ? 3_000 : 0));
}
function thaw(emulator: ChannelEmulator): void {
  emulator.clearFaults();
  emulator.setLatency(0);
}

describe('the cadence on two bot processes behind a round-robin proxy, one database', () => {
  let world: World;
  let bots: BotProcess[] = [];
  let proxy: RoundRobinProxy;

  beforeAll(async () => {
    world = await startWorld('cadence-instances');
    // One after the other: both seed the same demo directory, the second finds it there.
    bots.push(await startBotProcess(world.env));
    bots.push(await startBotProcess(world.env));
    proxy = await startRoundRobinProxy(bots.map((b) => b.url));
  }, 90_000);
  afterAll(async () => {
    await proxy?.close();
    await world?.close(bots);
    bots = [];
  });

  it('prepares the draft once (two relays, two job runners) and confirms it once when both KfI members click at the same moment', async () => {
    const members = await installAll(world, proxy.url);
    const { doc, ruleDate } = cadenceDoc();
    await world.database.store<CircleDoc>(CONTAINERS.circle).create(doc);

    // Both processes' sweeps find the job notice; both job runners may run it.
    await eventually(() => KFI.every((k) => world.cardsTo(k, DRAFT).length > 0), 60_000, 100);
    await world.idle();
    const prepared = (await world.cadence())!;
    expect(prepared.draft).toMatchObject({ ruleDate, status: 'prepared', seq: 1 });
    expect(prepared.trail.filter((e) => e.action === 'prepared')).toHaveLength(1);
    expect(prepared.prepared).toEqual([ruleDate]);
    for (const k of KFI) expect({ who: k.name, drafts: world.cardsTo(k, DRAFT).length }).toEqual({ who: k.name, drafts: 1 });
    expect(await world.polls()).toHaveLength(0);

    // Both KfI members confirm at once, each request to another process: one sends, the other is told it is done.
    const clicks = await Promise.all(KFI.map((k) => world.post(proxy.url, world.teams.cardAction('circle.cadence.confirm', { ruleDate }, { from: k }))));
    expect(clicks.map((c) => c.body.statusCode)).toEqual([200, 200]);
    const texts = clicks.map((c) => JSON.stringify(c.body.value));
    expect(texts.filter((t) => t.includes('Die Terminumfrage ist bestätigt und geht an den Koordinierungskreis.'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('Bereits erledigt:'))).toHaveLength(1);

    await world.idle();
    const polls = await world.polls();
    expect(polls).toHaveLength(1);
    expect(polls[0]).toMatchObject({ title: TITLE, status: 'open' });
    const confirmed = (await world.cadence())!;
    expect(confirmed.draft).toMatchObject({ status: 'confirmed', itemId: polls[0].pk });
    expect(confirmed.trail.filter((e) => e.action === 'confirmed')).toHaveLength(1);
    for (const m of members) expect({ who: m.name, polls: world.cardsTo(m, POLL).length }).toEqual({ who: m.name, polls: 1 });
    // Both KfI members' draft cards now say who confirmed it, without a button.
    const by = KFI.find((k) => confirmed.draft!.confirmedBy === k.aadObjectId)!;
    for (const k of KFI) {
      expect(world.visibleDraft(k)).toHaveLength(1);
      expect(world.visibleDraft(k)[0]).toContain(`Bestätigt und gesendet von ${by.name} am`);
      expect(world.visibleDraft(k)[0]).not.toContain('Action.Execute');
    }
    expect(world.emulator.duplicateDeliveries()).toEqual([]);
  }, 120_000);
});

describe('the cadence across bot processes killed with SIGKILL (one database)', () => {
  let world: World;
  const bots: BotProcess[] = [];

  beforeAll(async () => {
    world = await startWorld('cadence-crash');
  });
  afterAll(async () => {
    await world?.close(bots);
  });

  it('leaves exactly one draft when killed while the draft goes out, and exactly one announcement when killed right after the confirmation', async () => {
    const first = await startBotProcess(world.env);
    bots.push(first);
    const members = await installAll(world, first.url);
    const { doc, ruleDate } = cadenceDoc();

    // Killed while the draft is being prepared and sent: the draft is written, its cards are in flight.
    freeze(world.emulator);
    await world.database.store<CircleDoc>(CONTAINERS.circle).create(doc);
    await eventually(async () => (await world.cadence())?.draft?.status === 'prepared', 30_000, 20);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(KFI.every((k) => world.cardsTo(k, DRAFT).length === 0)).toBe(true);

    thaw(world.emulator);
    const second = await startBotProcess(world.env);
    bots.push(second);
    await eventually(() => KFI.every((k) => world.cardsTo(k, DRAFT).length > 0), 60_000, 100);
    await world.idle();
    const prepared = (await world.cadence())!;
    expect(prepared.draft).toMatchObject({ ruleDate, status: 'prepared', seq: 1 });
    expect(prepared.trail.filter((e) => e.action === 'prepared')).toHaveLength(1);
    for (const k of KFI) expect({ who: k.name, drafts: world.cardsTo(k, DRAFT).length }).toEqual({ who: k.name, drafts: 1 });

    // Killed right after a confirmation: the poll is decided, its announcement in flight.
    freeze(world.emulator);
    const click = await world.post(second.url, world.teams.cardAction('circle.cadence.confirm', { ruleDate }, { from: KFI_LEAD }));
    expect(click.body.statusCode).toBe(200);
    expect(JSON.stringify(click.body.value)).toContain('Die Terminumfrage ist bestätigt und geht an den Koordinierungskreis.');
    second.child.kill('SIGKILL');
    await second.exited;
    expect(members.every((m) => world.cardsTo(m, POLL).length === 0)).toBe(true);

    thaw(world.emulator);
    const third = await startBotProcess(world.env);
    bots.push(third);
    await eventually(() => members.every((m) => world.cardsTo(m, POLL).length > 0), 60_000, 100);
    await world.idle();
    const polls = await world.polls();
    expect(polls).toHaveLength(1);
    expect((await world.cadence())!.trail.filter((e) => e.action === 'confirmed')).toEqual([expect.objectContaining({ by: KFI_LEAD.aadObjectId, ruleDate })]);
    for (const m of members) expect({ who: m.name, polls: world.cardsTo(m, POLL).length }).toEqual({ who: m.name, polls: 1 });

    // Felix's old card, clicked on the new process: already done, nothing sent twice.
    const late = await world.post(third.url, world.teams.cardAction('circle.cadence.confirm', { ruleDate }, { from: FELIX }));
    expect(late.body.statusCode).toBe(200);
    expect(JSON.stringify(late.body.value)).toContain('Bereits erledigt: Karla Koordinata (Beispiel) hat diesen Entwurf am');
    await world.idle();
    expect(await world.polls()).toHaveLength(1);
    for (const m of members) expect(world.cardsTo(m, POLL)).toHaveLength(1);
    for (const k of KFI) expect(world.visibleDraft(k)[0]).toContain('Bestätigt und gesendet von Karla Koordinata (Beispiel) am');
    expect(world.emulator.duplicateDeliveries()).toEqual([]);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 180_000);

  it('creates and announces the poll once when a process died between the confirmation\'s write and the poll (the notice left in the document)', async () => {
    // What a process leaves when it dies right after the confirming write: the draft confirmed, the poll to create and
    // the card updates still pending in the cadence document, no poll yet. The next start's sweep carries them out.
    const stored = (await world.cadence())!;
    const { etag: _etag, ...rest } = stored as CadenceDoc & { etag?: string };
    const ruleDate = stored.draft!.ruleDate;
    const [poll] = await world.polls();
    const orphanPoll: PollDoc = { ...poll, pk: `p-cadence-orphan-${ruleDate}`, title: 'Nach dem Absturz (Beispiel)' };
    for (const key of ['etag', '_etag', '_rid', '_self', '_attachments', '_ts', 'pending', 'pendingSince'] as const) delete (orphanPoll as unknown as Record<string, unknown>)[key];
    const at = Date.now() - 60_000;
    const seq = stored.draft!.seq + 1;
    await world.database.store<CircleDoc>(CONTAINERS.circle).upsert({
      ...rest,
      seq,
      draft: { ...stored.draft!, seq, status: 'confirmed', confirmedBy: FELIX.aadObjectId, confirmedAt: new Date(at).toISOString(), itemId: orphanPoll.pk },
      pending: [{ key: `circle:cadence:${ruleDate}:${seq}:publish`, kind: CADENCE_NOTICES.publish, data: { doc: JSON.stringify(orphanPoll) }, rev: stored.revision }],
      pendingSince: at,
    } as CadenceDoc);
    const members = circleMembers();
    const fourth = await startBotProcess(world.env);
    bots.push(fourth);
    await eventually(() => members.every((m) => world.cardsTo(m, 'Nach dem Absturz (Beispiel)').length > 0), 60_000, 100);
    await world.idle();
    expect((await world.polls()).filter((p) => p.pk === orphanPoll.pk)).toHaveLength(1);
    for (const m of members) expect(world.cardsTo(m, 'Nach dem Absturz (Beispiel)')).toHaveLength(1);
    expect(world.emulator.duplicateDeliveries()).toEqual([]);
    fourth.child.kill('SIGTERM');
    expect(await fourth.exited).toBe(0);
  }, 120_000);
});
