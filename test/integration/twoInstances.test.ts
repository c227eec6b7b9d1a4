import { activityBuilders, personalConversationId, type TeamsUser } from '../support/activities';
import { startBotProcess, type BotProcess } from '../support/botProcess';
import { observeInbound, startChannelEmulator, type ChannelEmulator, type ConnectorCall } from '../support/channelEmulator';
import { KFI_LEAD, KOELN_HEAD, KOELN_IB, acceptedPosts, eventually } from '../support/circle';
import { circleMembers } from '../support/crashHarness';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/roundRobinProxy';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../services/storage/embeddedCosmos';
import { user } from '../support/activities';

/**
 * Several instances, one database (issue 16): two real bot processes on one embedded database, behind a round-robin
 * proxy that sends each request to the other process. An Anliegen, a Vortrag and a date poll go through them; every
 * notification arrives exactly once (two dispatchers, two job runners, two relays) and the stored states are right.
 * Waits are on explicit signals: what the channel emulator accepted and what the database stores.
 */
describe('two instances behind a round-robin proxy, one database', () => {
  let db: EmbeddedCosmos & { certificateSha256: string };
  let database: AppDatabase;
  let emulator: ChannelEmulator;
  let bots: BotProcess[] = [];
  let proxy: RoundRobinProxy;
  let teams: ReturnType<typeof activityBuilders>;
  const STAFF = user({ name: 'Erika Sachbearbeiterin (Beispiel)' });
  const members = circleMembers();
  const conversationOf = (p: TeamsUser) => personalConversationId(p.id);

  beforeAll(async () => {
    db = await startEmbeddedCosmos();
    const databaseId = 'two-instances';
    database = await openDatabase({ databaseId, endpoint: db.endpoint, certificateSha256: db.certificateSha256 });
    emulator = await startChannelEmulator();
    const env = { COSMOS_ENDPOINT: db.endpoint, COSMOS_CERT_SHA256: db.certificateSha256, COSMOS_DATABASE: databaseId, SEED_DEMO_DIRECTORY: 'true' };
    // One after the other: both seed the same demo directory, the second finds it there.
    bots.push(await startBotProcess(env));
    bots.push(await startBotProcess(env));
    proxy = await startRoundRobinProxy(bots.map((b) => b.url));
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    // Everyone has the app (the outbox knows where each personal chat is).
    for (const p of [STAFF, KOELN_IB, KOELN_HEAD, KFI_LEAD, ...members]) expect((await post(teams.installationUpdate('add', { from: p }))).status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await proxy?.close();
    for (const b of bots) {
      if (b.child.exitCode === null) b.child.kill('SIGTERM');
      await b.exited;
    }
    bots = [];
    await emulator?.close();
    await database?.close();
    await db?.close();
  });

  async function post(activity: unknown): Promise<{ status: number; body: any }> {
    observeInbound(activity);
    const res = await fetch(`${proxy.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  const invoke = async (verb: string, data: Record<string, unknown>, from: TeamsUser) => (await post(teams.cardAction(verb, data, { from }))).body as { statusCode: number; value: any };

  const items = () => database.store<any>(CONTAINERS.items);
  const circle = () => database.store<any>(CONTAINERS.circle);
  const outbox = () => database.store<any>(CONTAINERS.outbox);
  const count = async (store: ReturnType<typeof items>, query: string) => (await store.query<number>({ query }))[0] ?? 0;

  /** The database's idle signal: no open delivery, no notice still riding in a document, twice in a row. */
  async function idle(): Promise<void> {
    let calm = 0;
    await eventually(async () => {
      const open = await count(outbox(), 'SELECT VALUE COUNT(1) FROM c WHERE c.kind = "delivery" AND c.open = true');
      const pending = (await count(items(), 'SELECT VALUE COUNT(1) FROM c WHERE IS_DEFINED(c.pending) AND ARRAY_LENGTH(c.pending) > 0')) + (await count(circle(), 'SELECT VALUE COUNT(1) FROM c WHERE IS_DEFINED(c.pending) AND ARRAY_LENGTH(c.pending) > 0'));
      calm = open === 0 && pending === 0 ? calm + 1 : 0;
      return calm >= 2;
    }, 60_000, 100);
  }

  const content = (c: ConnectorCall) => JSON.stringify([c.activity?.text ?? null, (c.activity?.attachments ?? []).map((a) => a.content ?? null)]);
  const postsTo = (p: TeamsUser) => acceptedPosts(emulator).get(conversationOf(p)) ?? [];
  const containing = (p: TeamsUser, needle: string) => postsTo(p).filter((c) => content(c).includes(needle));

  /** No conversation received the same message twice. */
  function noDuplicates(): void {
    const repeated: string[] = [];
    for (const [conversation, calls] of acceptedPosts(emulator)) {
      const seen = new Set<string>();
      for (const c of calls) {
        const key = content(c);
        if (seen.has(key)) repeated.push(`${conversation}: ${key.slice(0, 120)}`);
        seen.add(key);
      }
    }
    expect(repeated).toEqual([]);
  }

  it('sends consecutive requests to alternate instances', () => {
    expect(proxy.forwarded.every((n) => n > 0)).toBe(true);
  });

  it("answers a person's next question with the Bezirksregierung they chose a moment ago through the other instance", async () => {
    const asker = user({ name: 'Paula Wechsel (Beispiel)' });
    const question = 'Wer ist mein Integrationsbeauftragter?';
    const repliesTo = () => emulator.calls.filter((c) => c.operation === 'reply' && c.conversationId === conversationOf(asker) && c.status < 300);
    // Instance i: no home authority yet, so the bot asks for it (and has read the profile).
    const start = repliesTo().length;
    expect((await post(teams.message(question, { from: asker }))).status).toBe(200);
    await eventually(() => repliesTo().length > start);
    expect(content(repliesTo().at(-1)!)).toContain('profile.setAuthority');
    // Instance i + 1: the person chooses Münster.
    expect((await invoke('profile.setAuthority', { authority: 'muenster' }, asker)).statusCode).toBe(200);
    // Instance i again: the same question is answered for Münster, not with the choice again.
    const before = repliesTo().length;
    expect((await post(teams.message(question, { from: asker }))).status).toBe(200);
    await eventually(() => repliesTo().length > before);
    const answer = content(repliesTo().at(-1)!);
    expect(answer).toContain('Ihre IB bei der Bezirksregierung Münster');
    expect(answer).not.toContain('profile.setAuthority');
  }, 60_000);

  it('walks an Anliegen (submit, the IB accepts, done): the IB gets the card once, the requester each message once', async () => {
    const subject = 'Zwei Instanzen Anliegen (Beispiel)';
    const submitted = await invoke('request.submit', { authority: 'koeln', category: 'beratung', subject, description: 'Beschreibung (Beispiel)' }, STAFF);
    expect(submitted.statusCode).toBe(200);
    const id = submitted.value.refresh.action.data.id as string;
    await eventually(() => containing(KOELN_IB, id).length > 0);
    const accepted = await invoke('request.accept', { id, authority: 'koeln', rev: 1 }, KOELN_IB);
    expect(accepted.statusCode).toBe(200);
    const rev = (await items().read('koeln', id))!.rev;
    // The next click lands on the other instance.
    const done = await invoke('request.done', { id, authority: 'koeln', rev }, KOELN_IB);
    expect(done.statusCode).toBe(200);
    await idle();
    const item = (await items().read('koeln', id))!;
    expect({ status: item.status, handler: item.handler?.aadObjectId }).toEqual({ status: 'erledigt', handler: KOELN_IB.aadObjectId });
    expect(containing(KOELN_IB, id).filter((c) => (c.activity?.attachments ?? []).length > 0)).toHaveLength(1);
    const toRequester = containing(STAFF, subject).filter((c) => !(c.activity?.attachments ?? []).length);
    expect(toRequester.filter((c) => /In Bearbeitung/.test(c.activity?.text ?? ''))).toHaveLength(1);
    expect(toRequester.filter((c) => /Erledigt/.test(c.activity?.text ?? ''))).toHaveLength(1);
    noDuplicates();
  }, 90_000);

  it('walks a Vortrag (the IB submits, the head decides): the head gets the card once, the decision is stored once', async () => {
    const subject = 'Zwei Instanzen Vortrag (Beispiel)';
    const submitted = await invoke('report.submit', { authority: 'koeln', subject, summary: 'Vorschlag (Beispiel).', urgency: 'normal' }, KOELN_IB);
    expect(submitted.statusCode).toBe(200);
    const id = submitted.value.refresh.action.data.id as string;
    await eventually(() => containing(KOELN_HEAD, id).length > 0);
    const rev = (await items().read('koeln', id))!.rev;
    const decided = await invoke('report.noted', { id, authority: 'koeln', rev }, KOELN_HEAD);
    expect(decided.statusCode).toBe(200);
    await idle();
    const report = (await items().read('koeln', id))!;
    expect(report.decision).toMatchObject({ kind: 'kenntnis', by: { aadObjectId: KOELN_HEAD.aadObjectId } });
    expect((report.trail ?? []).filter((e: { action: string }) => e.action === 'report.decide')).toHaveLength(1);
    expect(containing(KOELN_HEAD, id).filter((c) => (c.activity?.attachments ?? []).length > 0)).toHaveLength(1);
    noDuplicates();
  }, 90_000);

  it('walks a date poll (the KfI starts it, members vote, the KfI closes it): each member gets the poll and the meeting once', async () => {
    const title = 'Zwei Instanzen Umfrage (Beispiel)';
    const created = await invoke('circle.poll.create', { title, place: 'Arnsberg (Beispiel)', duration: '120', slot1Date: '2030-04-09', slot1Time: '10:00', slot2Date: '2030-05-14', slot2Time: '14:00' }, KFI_LEAD);
    expect(created.statusCode).toBe(200);
    const [poll] = await circle().query<any>({ query: 'SELECT * FROM c WHERE c.type = "poll" AND c.title = @t', parameters: [{ name: '@t', value: title }] });
    expect(poll).toBeDefined();
    const others = members.filter((m) => m.aadObjectId !== KFI_LEAD.aadObjectId);
    expect(others.length).toBeGreaterThan(1);
    await eventually(() => others.every((m) => containing(m, title).length > 0));
    for (const [i, m] of others.entries()) {
      const answer = await invoke('circle.poll.answer', { pollId: poll.pk, slot_s1: i % 2 ? 'yes' : 'no', slot_s2: 'yes' }, m);
      expect(answer.statusCode).toBe(200);
    }
    const closed = await invoke('circle.poll.close', { pollId: poll.pk, rsvpDeadline: '2030-05-01' }, KFI_LEAD);
    expect(closed.statusCode).toBe(200);
    await idle();
    const [stored] = await circle().query<any>({ query: 'SELECT * FROM c WHERE c.type = "poll" AND c.pk = @pk', parameters: [{ name: '@pk', value: poll.pk }] });
    expect(stored.status).not.toBe('open');
    const meetings = await circle().query<any>({ query: 'SELECT * FROM c WHERE c.type = "meeting"' });
    expect(meetings).toHaveLength(1);
    for (const m of others) {
      // The poll once, the meeting's announcement once (both name the title).
      const cards = containing(m, title).filter((c) => (c.activity?.attachments ?? []).length > 0);
      expect({ who: m.name, cards: cards.length }).toEqual({ who: m.name, cards: 2 });
    }
    noDuplicates();
  }, 120_000);
});
