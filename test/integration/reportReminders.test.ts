import type { ItemDoc } from '../../services/requests/model';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { activityBuilders, DEFAULT_BOT_APP_ID, personalConversationId, type TeamsUser } from '../support/activities';
import { startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';
import { startTestApp, type TestApp } from '../support/testApp';
import { KOELN_IB, KOELN_HEAD_EN, KOELN_OFFICE } from '../support/demoPeople';

/**
 * The head's reminders of an undecided Vortrag (RdErl. Nr. 4; issue 17: "after a configurable number of working days
 * per urgency; 'eilt' sooner") over HTTP, with the default settings: normal after 5 working days, "eilig" after 2,
 * "sehr eilig" after 1, each at 08:00 Berlin time, again after as many more. The head reads English (en-GB), the
 * office German: each gets the reminder in their language.
 */

type InvokeBody = { statusCode: number; type: string; value: any };

jest.setTimeout(60_000);

/**
 * The app for this describe block (started before its tests, stopped after them) on its own database with `env`, and
 * `people` installed, on a clock that starts on Thursday, 3 December 2026, 10:00 in Köln.
 */
function useReminderApp(databaseId: string, env: Record<string, string>, people: TeamsUser[]) {
  let emulator: ChannelEmulator;
  let database: AppDatabase;
  let app: TestApp;
  let teams: ReturnType<typeof activityBuilders>;
  let now = new Date('2026-12-03T09:00:00Z');

  beforeAll(async () => {
    emulator = await startChannelEmulator();
    database = await openDatabase({ databaseId });
    app = await startTestApp(env, { database, now: () => now });
    teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    for (const p of people) expect((await app.post(teams.installationUpdate('add', { from: p }))).status).toBe(200);
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
    await emulator.close();
  });

  /** The texts the bot sent to `who` in their personal chat. */
  const messagesTo = (who: TeamsUser) => emulator.activitiesTo(personalConversationId(who.id, DEFAULT_BOT_APP_ID)).map((a) => String(a.text ?? ''));
  /** The IB registers a Vortrag with `subject` and `urgency`; returns it as stored. */
  async function register(subject: string, urgency: string): Promise<ItemDoc> {
    const res = await app.post(teams.cardAction('report.submit', { subject, summary: 'Vorschlag (Beispiel).', urgency }, { from: KOELN_IB }));
    const body = res.body as InvokeBody;
    expect(body.statusCode).toBe(200);
    return (await database.store<ItemDoc>(CONTAINERS.items).read('koeln', body.value.refresh.action.data.id as string))!;
  }
  /** Moves the clock to `iso`, runs the jobs due and delivers what they sent. */
  async function at(iso: string): Promise<void> {
    now = new Date(iso);
    await app.jobs.runDue();
    await app.delivery.whenIdle();
  }
  return { get app() { return app; }, messagesTo, register, at };
}

describe('reminders of an undecided Vortrag, one interval per urgency', () => {
  const s = useReminderApp('report-reminders-test', {}, [KOELN_IB, KOELN_HEAD_EN, KOELN_OFFICE]);
  const { register, at } = s;
  const remindersTo = (who: TeamsUser) => s.messagesTo(who).filter((t) => /^(Erinnerung|Reminder): (Der Vortrag|the report)/.test(t));

  it('reminds "sehr eilig" the next working day, "eilig" after 2, normal after 5, at 08:00, in the head\'s English and the office\'s German', async () => {
    await register('Normaler Vortrag (Beispiel)', 'normal');
    await register('Eiliger Vortrag (Beispiel)', 'eilig');
    await register('Sehr eiliger Vortrag (Beispiel)', 'sehr_eilig');
    await s.app.delivery.whenIdle();
    expect(remindersTo(KOELN_HEAD_EN)).toEqual([]);

    // Friday 07:59 in Köln: not yet.
    await at('2026-12-04T06:59:00Z');
    expect(remindersTo(KOELN_HEAD_EN)).toEqual([]);
    expect(remindersTo(KOELN_OFFICE)).toEqual([]);

    // Friday 08:00, one working day: "sehr eilig" only.
    await at('2026-12-04T07:00:00Z');
    expect(remindersTo(KOELN_HEAD_EN)).toEqual(['Reminder: the report "Sehr eiliger Vortrag (Beispiel)" has been waiting 1 working day for your decision.']);
    expect(remindersTo(KOELN_OFFICE)).toEqual(['Erinnerung: Der Vortrag „Sehr eiliger Vortrag (Beispiel)“ wartet seit einem Arbeitstag auf Ihre Entscheidung.']);

    // Monday 08:00 (the weekend does not count), two working days: "eilig" for the first time, "sehr eilig" again.
    await at('2026-12-07T07:00:00Z');
    expect(remindersTo(KOELN_HEAD_EN).slice(1).sort()).toEqual([
      'Reminder: the report "Eiliger Vortrag (Beispiel)" has been waiting 2 working days for your decision.',
      'Reminder: the report "Sehr eiliger Vortrag (Beispiel)" has been waiting 2 working days for your decision.',
    ]);
    expect(remindersTo(KOELN_OFFICE).slice(1).sort()).toEqual([
      'Erinnerung: Der Vortrag „Eiliger Vortrag (Beispiel)“ wartet seit 2 Arbeitstagen auf Ihre Entscheidung.',
      'Erinnerung: Der Vortrag „Sehr eiliger Vortrag (Beispiel)“ wartet seit 2 Arbeitstagen auf Ihre Entscheidung.',
    ]);

    // Wednesday 9 December, four working days: no reminder of the normal one yet.
    await at('2026-12-09T07:00:00Z');
    expect(remindersTo(KOELN_HEAD_EN).filter((t) => t.includes('Normaler'))).toEqual([]);
    expect(remindersTo(KOELN_OFFICE).filter((t) => t.includes('Normaler'))).toEqual([]);

    // Thursday 10 December 08:00, five working days: the normal one.
    await at('2026-12-10T07:00:00Z');
    expect(remindersTo(KOELN_HEAD_EN).filter((t) => t.includes('Normaler'))).toEqual(['Reminder: the report "Normaler Vortrag (Beispiel)" has been waiting 5 working days for your decision.']);
    expect(remindersTo(KOELN_OFFICE).filter((t) => t.includes('Normaler'))).toEqual(['Erinnerung: Der Vortrag „Normaler Vortrag (Beispiel)“ wartet seit 5 Arbeitstagen auf Ihre Entscheidung.']);
    // By then "sehr eilig" reached the default maximum of 3 (after 1, 2 and 3 working days), "eilig" has had 2 (2, 4).
    const to = (who: TeamsUser, subject: string) => remindersTo(who).filter((t) => t.includes(subject)).length;
    expect([to(KOELN_HEAD_EN, 'Sehr eiliger'), to(KOELN_HEAD_EN, 'Eiliger'), to(KOELN_OFFICE, 'Sehr eiliger'), to(KOELN_OFFICE, 'Eiliger')]).toEqual([3, 2, 3, 2]);
    // The IB who registered them gets none of these.
    expect(remindersTo(KOELN_IB)).toEqual([]);
  });
});

describe('reminders of an undecided Vortrag with the intervals configured', () => {
  const s = useReminderApp('report-reminders-configured-test', { REPORT_REMINDER_WORKING_DAYS_URGENT: '3', REPORT_REMINDER_WORKING_DAYS_VERY_URGENT: '2', REPORT_REMINDER_MAX: '1' }, [KOELN_IB, KOELN_OFFICE]);
  const { register, at } = s;
  const remindersTo = (who: TeamsUser) => s.messagesTo(who).filter((t) => t.startsWith('Erinnerung: Der Vortrag'));

  it('takes REPORT_REMINDER_WORKING_DAYS_VERY_URGENT for "sehr eilig" and REPORT_REMINDER_WORKING_DAYS_URGENT for "eilig"', async () => {
    for (const [subject, urgency] of [['Eilig (Beispiel)', 'eilig'], ['Sehr eilig (Beispiel)', 'sehr_eilig']]) await register(subject, urgency);
    await at('2026-12-04T07:00:00Z'); // one working day
    expect(remindersTo(KOELN_OFFICE)).toEqual([]);
    await at('2026-12-07T07:00:00Z'); // two
    expect(remindersTo(KOELN_OFFICE)).toEqual(['Erinnerung: Der Vortrag „Sehr eilig (Beispiel)“ wartet seit 2 Arbeitstagen auf Ihre Entscheidung.']);
    await at('2026-12-08T07:00:00Z'); // three
    expect(remindersTo(KOELN_OFFICE)).toEqual([
      'Erinnerung: Der Vortrag „Sehr eilig (Beispiel)“ wartet seit 2 Arbeitstagen auf Ihre Entscheidung.',
      'Erinnerung: Der Vortrag „Eilig (Beispiel)“ wartet seit 3 Arbeitstagen auf Ihre Entscheidung.',
    ]);
    await at('2026-12-14T07:00:00Z'); // REPORT_REMINDER_MAX=1: no more
    expect(remindersTo(KOELN_OFFICE)).toHaveLength(2);
  });
});
