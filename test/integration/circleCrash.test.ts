import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DeliveryDoc, OutboxDoc } from '../../services/notifications/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { startEmbeddedCosmos } from '../../services/storage/embeddedCosmos';
import { activityBuilders, user, type TeamsUser } from '../support/activities';
import { observeInbound, startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startBotProcess, type BotProcess } from '../support/botProcess';
import type { CircleDoc, PollDoc } from '../../services/circle/model';
import { noticesForPollCreate } from '../../services/circle/notifications';
import { DEFAULT_TENANT_ID } from '../support/activities';
import { KFI_LEAD, acceptedPosts, eventually } from '../support/circle';

/** Starts the service as `npm start` would, on the database that lives in this test process. */
const startBot = (env: Record<string, string>) => startBotProcess(env);

/** The Koordinierungskreis of the demo directory: its members with a Teams identity. */
function circleMembers(): TeamsUser[] {
  type Person = { id: string; name: string; teams?: { aadObjectId: string } };
  const directory = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'data', 'demo-directory.json'), 'utf8')) as {
    authorities: Array<Record<'commissioner' | 'deputy', Person>>;
    kfi: { contacts: Person[] };
    circle: { members: Array<{ personId: string }> };
  };
  const people = [...directory.authorities.flatMap((a) => [a.commissioner, a.deputy]), ...directory.kfi.contacts];
  return directory.circle.members
    .map((m) => people.find((p) => p.id === m.personId))
    .filter((p): p is Person & { teams: { aadObjectId: string } } => p?.teams !== undefined)
    .map((p) => user({ name: p.name, aadObjectId: p.teams.aadObjectId }));
}

describe('announcing a meeting across a crashed bot process (real processes, one database)', () => {
  let db: Awaited<ReturnType<typeof startEmbeddedCosmos>>;
  let database: AppDatabase;
  let emulator: ChannelEmulator;
  const bots: BotProcess[] = [];

  beforeAll(async () => {
    // The database runs in this process, which is never killed: its data survives the bots.
    db = await startEmbeddedCosmos();
    database = await openDatabase({ endpoint: db.endpoint, certificateSha256: db.certificateSha256, databaseId: 'circle-crash' });
    emulator = await startChannelEmulator();
  });
  afterAll(async () => {
    for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
    await Promise.all(bots.map((b) => b.exited));
    await emulator.close();
    await database.close();
    await db.close();
  });

  it('reaches every member exactly once when the process is killed with SIGKILL in the middle of the fan-out, and the restarted process hands over what a dead one left pending in a poll', async () => {
    const env = {
      COSMOS_ENDPOINT: db.endpoint,
      COSMOS_CERT_SHA256: db.certificateSha256,
      COSMOS_DATABASE: 'circle-crash',
      SEED_DEMO_DIRECTORY: 'true',
      OUTBOX_LEASE_MS: '3000',
    };
    const first = await startBot(env);
    bots.push(first);
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    const post = (url: string, body: unknown) => {
      observeInbound(body);
      return fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    };
    // Every member has the app, as in a tenant: Teams lets the bot reach only them.
    const members = circleMembers();
    expect(members).toHaveLength(12);
    for (const member of members) expect((await post(first.url, teams.installationUpdate('add', { from: member }))).status).toBe(200);
    expect((await post(first.url, teams.message('Hilfe', { from: KFI_LEAD }))).status).toBe(200);

    // Teams takes three messages a second here (429 beyond), so that the kill lands in the middle of the fan-out.
    emulator.enableRateLimits({ global: [{ max: 3, windowMs: 1_000 }] });
    const announced = await post(
      first.url,
      teams.cardAction(
        'circle.meeting.save',
        { meetingId: '', title: 'Sitzung März', date: '2030-03-12', startTime: '10:00', endTime: '12:00', place: 'Arnsberg (Beispiel)', rsvpDeadline: '2030-03-05' },
        { from: KFI_LEAD },
      ),
    );
    expect(announced.status).toBe(200);
    expect(JSON.stringify(await announced.json())).toContain('Die Sitzung ist angekündigt');

    const outbox = database.store<OutboxDoc>(CONTAINERS.outbox);
    const deliveries = () =>
      outbox.query<DeliveryDoc>({ query: 'SELECT * FROM c WHERE c.kind = "delivery" AND STARTSWITH(c.notificationKey, @p)', parameters: [{ name: '@p', value: 'circle:meeting:' }] });
    const posted = () => [...acceptedPosts(emulator).values()].reduce((n, calls) => n + calls.length, 0);
    await eventually(() => posted() >= 3, 30_000, 20);

    // Freeze the channel (calls hang, then fail) and kill once every accepted post is recorded as sent: the crash hits
    // claims and calls in flight, not the one gap no protocol closes (accepted by Teams, not yet recorded).
    emulator.failNext(Infinity, { status: 503 });
    emulator.setLatency((call) => (call.failure === 'injected' ? 3_000 : 0));
    await eventually(async () => (await deliveries()).filter((d) => d.status === 'sent').length === posted(), 20_000, 100);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = posted();
    const all = await deliveries();
    expect(all.length).toBe(12);
    expect(atKill).toBeLessThan(12);

    // What a process leaves when it dies right after a write and before its relay ran: a poll whose announcement is
    // still pending in the document. The restarted process's relay sweeps at start-up and hands it over.
    const written = new Date(Date.now() - 60_000).toISOString();
    const orphan: PollDoc = {
      id: 'poll', pk: `p-orphan-${Date.now()}`, type: 'poll', title: 'Nach dem Absturz (Beispiel)', status: 'open', tenantId: DEFAULT_TENANT_ID, delivery: 'personal',
      slots: [{ id: 's1', start: '2030-04-02T08:00:00.000Z', end: '2030-04-02T10:00:00.000Z' }, { id: 's2', start: '2030-04-03T08:00:00.000Z', end: '2030-04-03T10:00:00.000Z' }],
      createdBy: KFI_LEAD.aadObjectId, createdAt: written,
    };
    await database.store<CircleDoc>(CONTAINERS.circle).create({ ...orphan, pending: noticesForPollCreate(orphan), pendingSince: Date.parse(written) });

    emulator.clearFaults();
    emulator.disableRateLimits();
    emulator.setLatency(0);
    const second = await startBot(env);
    bots.push(second);
    await eventually(async () => (await deliveries()).every((d) => d.status === 'sent'), 60_000, 200);

    const isOrphan = (c: { body: unknown }) => JSON.stringify(c.body ?? '').includes('Nach dem Absturz (Beispiel)');
    const pollDeliveries = () =>
      outbox.query<DeliveryDoc>({ query: 'SELECT * FROM c WHERE c.kind = "delivery" AND c.notificationKey = @k', parameters: [{ name: '@k', value: `circle:poll:${orphan.pk}:announce` }] });
    await eventually(async () => {
      const d = await pollDeliveries();
      return d.length === 12 && d.every((x) => x.status === 'sent');
    }, 60_000, 200);
    const perMember = acceptedPosts(emulator);
    expect(perMember.size).toBe(12);
    // The meeting: once per member; the orphaned poll: once per member too.
    expect([...perMember.values()].every((calls) => calls.filter((c) => !isOrphan(c)).length === 1)).toBe(true);
    expect([...perMember.values()].every((calls) => calls.filter(isOrphan).length === 1)).toBe(true);
    expect(emulator.duplicateDeliveries()).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});
