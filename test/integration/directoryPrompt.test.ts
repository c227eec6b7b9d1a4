import { CONFIRM_PROMPT_JOB, ConfirmPrompts, DIRECTORY_SOURCE } from '../../services/directory/confirmPrompts';
import type { DirectoryDoc } from '../../services/directory/directoryRepository';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, user } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { acceptedPosts } from '../support/circle';
import { startTestApp, type TestApp } from '../support/testApp';

/** The demo directory (fictitious): every entry was last confirmed on 2025-01-10. */
const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001', email: 'sabine.schmitz@bezreg-koeln.example' });
const MUENSTER_IB = user({ name: 'Tina Test (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000500000001', email: 'tina.test@bezreg-muenster.example', locale: 'en-US' });
const DAY = 86_400_000;
/** Tuesday, 24 November 2026, 10:00 in Berlin: more than six months after 10 January 2025. */
const START = new Date('2026-11-24T09:00:00Z').getTime();

describe('the daily confirmation prompt to the IB (issue 17, RdErl. Nr. 3)', () => {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let second: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  /** Before the entries fall due (the job's first run at start finds nothing to do); the tests move on to START. */
  let now = Date.parse('2025-03-02T09:00:00Z');
  const clock = () => new Date(now);

  /** Prompt cards each IB received since `afterSeq` (by the authority on the card's buttons). */
  const prompts = (afterSeq: number) => {
    const out: Array<{ authority: string; text: string }> = [];
    for (const calls of acceptedPosts(emulator, afterSeq).values()) {
      for (const c of calls) {
        const text = JSON.stringify(c.body);
        if (!text.includes('directory.correct')) continue;
        out.push({ authority: /"authority":"([a-z]+)"/.exec(text)![1], text });
      }
    }
    return out;
  };
  /** Runs the daily job now, on both instances at once, and waits until everything it caused was sent. */
  async function runDaily(): Promise<number> {
    const seq = emulator.calls.at(-1)?.seq ?? 0;
    await app.scheduler.reschedule({ key: CONFIRM_PROMPT_JOB.key, kind: CONFIRM_PROMPT_JOB.kind, dueAt: clock() });
    await Promise.all([app.jobs.runDue(), second.jobs.runDue()]);
    await Promise.all([app.delivery.whenIdle(), second.delivery.whenIdle()]);
    return seq;
  }

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId: 'directory-prompt-test' });
    app = await startTestApp({}, { database, now: clock });
    second = await startTestApp({}, { database, now: clock });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    // Two IBs have the app (Teams opens a personal chat only with them); Münster's uses Teams in English.
    for (const ib of [KOELN_IB, MUENSTER_IB]) expect((await app.post(teams.installationUpdate('add', { from: ib }))).status).toBe(200);
    await Promise.all([app.delivery.whenIdle(), second.delivery.whenIdle()]);
    now = START;
  });
  afterAll(async () => {
    await second?.stop();
    await app?.stop();
    await database?.close();
    await emulator?.close();
  });

  it('sends each IB whose entry is older than six months one card to confirm or correct it, in their language, once across two instances', async () => {
    const seq = await runDaily();
    const sent = prompts(0).filter((p) => p.authority === 'koeln' || p.authority === 'muenster');
    expect(sent.map((p) => p.authority).sort()).toEqual(['koeln', 'muenster']);
    const koeln = sent.find((p) => p.authority === 'koeln')!.text;
    expect(koeln).toContain('Sind Ihre Angaben im Verzeichnis noch aktuell?');
    expect(koeln).toContain('Angaben zuletzt bestätigt am 10.01.2025; eine Bestätigung steht aus.');
    expect(koeln).toContain('"verb":"directory.confirm"');
    expect(sent.find((p) => p.authority === 'muenster')!.text).toContain('Are your directory details still current?');
    // Running again the same day (both instances) sends nothing more.
    const again = await runDaily();
    expect(again).toBeGreaterThan(seq);
    expect(prompts(again)).toHaveLength(0);
    const doc = await database.store<DirectoryDoc>(CONTAINERS.directory).read('directory', 'authority-koeln');
    expect(doc?.confirmPrompt).toMatchObject({ lastVerified: '2025-01-10', rounds: 1, lastSentOn: '2026-11-24' });
    expect(doc?.pending ?? []).toEqual([]);
  });

  it('asks once more after 14 days if unanswered, and then no more', async () => {
    now = START + 13 * DAY;
    let seq = await runDaily();
    expect(prompts(seq)).toHaveLength(0);
    now = START + 14 * DAY;
    seq = await runDaily();
    const reminder = prompts(seq).filter((p) => p.authority === 'koeln');
    expect(reminder).toHaveLength(1);
    expect(reminder[0].text).toContain('Erinnerung: Sind Ihre Angaben im Verzeichnis noch aktuell?');
    now = START + 40 * DAY;
    seq = await runDaily();
    expect(prompts(seq)).toHaveLength(0);
  });

  it('opens the entry for correction from the card, and a confirmation there ends the prompts until the next period', async () => {
    const correct = await app.post(teams.cardAction('directory.correct', { authority: 'koeln' }, { from: KOELN_IB }));
    expect(correct.status).toBe(200);
    expect(JSON.stringify(correct.body.value)).toContain('"verb":"directory.update"');
    const refused = await app.post(teams.cardAction('directory.correct', { authority: 'koeln' }, { from: user({ name: 'Mallory' }) }));
    expect(refused.status).toBe(403);

    now = Date.parse('2027-02-03T09:00:00Z');
    expect((await app.post(teams.cardAction('directory.confirm', { authority: 'koeln' }, { from: KOELN_IB }))).status).toBe(200);
    now = Date.parse('2027-03-05T09:00:00Z');
    let seq = await runDaily();
    expect(prompts(seq).filter((p) => p.authority === 'koeln')).toHaveLength(0);
    // Six months after the confirmation (3 February 2027), the next period begins with a new first prompt.
    now = Date.parse('2027-08-04T09:00:00Z');
    seq = await runDaily();
    const next = prompts(seq).filter((p) => p.authority === 'koeln');
    expect(next).toHaveLength(1);
    expect(next[0].text).not.toContain('Erinnerung');
  });

  it('keeps a prompt written by a process that died before relaying it, and the sweep sends it once', async () => {
    // A writer whose relay never runs: the process "dies" right after the one write.
    const dead = new ConfirmPrompts({
      store: database.store<DirectoryDoc>(CONTAINERS.directory),
      writer: { relay: { kick: () => undefined, relayed: () => false }, source: DIRECTORY_SOURCE, now: () => now },
      render: () => ({ text: 'unused' }),
      outbox: { enqueue: async () => undefined },
      recipient: async () => ({ lang: 'de', tenantId: undefined }),
      logger: { info: () => undefined, warn: () => undefined } as never,
      now: clock,
    });
    now = Date.parse('2027-08-20T09:00:00Z');
    expect((await dead.run()).prompted).toBeGreaterThan(0);
    const pending = await database.store<DirectoryDoc>(CONTAINERS.directory).read('directory', 'authority-koeln');
    expect(pending?.pending?.map((n) => n.key)).toEqual(['directory:authority-koeln:confirm:2027-02-03:2']);
    const seq = emulator.calls.at(-1)?.seq ?? 0;
    await app.delivery.relay.sweep(0);
    await app.delivery.whenIdle();
    const sent = prompts(seq).filter((p) => p.authority === 'koeln');
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toContain('Erinnerung');
    await second.delivery.relay.sweep(0);
    await second.delivery.whenIdle();
    expect(prompts(seq).filter((p) => p.authority === 'koeln')).toHaveLength(1);
  });
});
