import type { PostDoc } from '../../services/posts/model';
import { CONTAINERS } from '../../services/storage/containers';
import { personalConversationId, stableGuid, user, type TeamsUser } from '../support/activities';
import { KOELN_IB } from '../support/circle';
import { APP_ID, textOf, usePostsSuite } from '../support/postsSuite';

/**
 * Weekly reminders of an information post (post.remindWeekly, job posts.weekly; issue 17) over HTTP with an injected
 * clock: every 7 days to those who have not acknowledged yet, each in their language, until everyone has, at most 4.
 */

// Tuesday, 1 December 2026, 10:00 in Berlin.
const START = new Date('2026-12-01T09:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

jest.setTimeout(90_000);

const staff = (name: string) => user({ name, aadObjectId: stableGuid('posts-weekly', name) });
const ANNA = staff('Anna Beispiel');
const BERT = staff('Bert Beispiel');
const CARLA = staff('Carla Beispiel'); // uses Teams in English

describe('weekly reminders of an information post', () => {
  let now = START;
  const suite = usePostsSuite({ databaseId: 'posts-weekly-test', now: () => now });
  const { call, post, act } = suite;
  const remindersIn = (person: TeamsUser) =>
    suite.emulator.activitiesTo(personalConversationId(person.id, APP_ID)).map((a) => String(a.text ?? '')).filter((t) => /^(Erinnerung|Reminder): /.test(t));
  async function at(ms: number): Promise<void> {
    now = new Date(ms);
    await suite.app.jobs.runDue();
    await suite.app.delivery.whenIdle();
  }

  beforeAll(async () => {
    for (const [person, locale] of [[ANNA, 'de-DE'], [BERT, 'de-DE'], [CARLA, 'en-GB']] as const) {
      expect((await post(suite.teams.installationUpdate('add', { from: person }))).status).toBe(200);
      expect((await post(suite.teams.message(locale === 'de-DE' ? 'Hilfe' : 'help', { from: person, locale }))).status).toBe(200);
      expect((await call('PUT', '/api/tab/home', person.aadObjectId, { authority: 'koeln' })).status).toBe(200);
    }
    expect((await post(suite.teams.installationUpdate('add', { from: KOELN_IB }))).status).toBe(200);
    await suite.app.delivery.whenIdle();
  });

  it('reminds those who have not acknowledged every 7 days, in their language, at most 4 times; nobody else, and never twice in a week', async () => {
    const input = { title: 'Interkulturelle Woche 2027', text: 'Beiträge bitte bis Ende Juni (Beispiel).', audience: 'authority:koeln', ack: 'yes' };
    expect((await call('POST', '/api/tab/send', KOELN_IB.aadObjectId, { kind: 'post', input })).status).toBe(200);
    await suite.app.delivery.whenIdle();
    const [doc] = await suite.database.store<PostDoc>(CONTAINERS.posts).query<PostDoc>({ query: "SELECT * FROM c WHERE c.type = 'post'" });
    const postId = doc!.pk;
    expect([...doc!.recipients].sort()).toEqual([ANNA, BERT, CARLA].map((p) => p.aadObjectId).sort());
    expect((await act('post.ack', { postId }, ANNA)).body.statusCode).toBe(200);

    // Only the sender may start them; a recipient is refused and nothing is scheduled.
    expect((await act('post.remindWeekly', { postId }, BERT)).body.statusCode).toBe(403);
    const started = await act('post.remindWeekly', { postId }, KOELN_IB);
    expect(started.body.statusCode).toBe(200);
    expect(textOf(started.body.value)).toContain('Wöchentliche Erinnerungen eingerichtet.');
    expect(textOf(started.body.value)).toContain('Erinnert wöchentlich, bis alle die Information zur Kenntnis genommen haben.');
    // A second click starts nothing more.
    expect((await act('post.remindWeekly', { postId }, KOELN_IB)).body.statusCode).toBe(200);

    const GERMAN = 'Erinnerung: Bitte nehmen Sie die Information „Interkulturelle Woche 2027“ von Sabine Schmitz (Beispiel) zur Kenntnis. Sie finden sie weiter oben in diesem Chat.';
    const ENGLISH = 'Reminder: please acknowledge the information "Interkulturelle Woche 2027" from Sabine Schmitz (Beispiel). You find it further up in this chat.';

    // A minute short of a week: nothing yet.
    await at(START.getTime() + 7 * DAY - 60_000);
    expect([...remindersIn(ANNA), ...remindersIn(BERT), ...remindersIn(CARLA)]).toEqual([]);

    // Seven days: Bert in German, Carla in English; Anna acknowledged and gets none.
    await at(START.getTime() + 7 * DAY);
    expect(remindersIn(BERT)).toEqual([GERMAN]);
    expect(remindersIn(CARLA)).toEqual([ENGLISH]);
    expect(remindersIn(ANNA)).toEqual([]);
    // Running the jobs again the same day sends nothing more.
    await at(START.getTime() + 7 * DAY + 60 * 60_000);
    expect(remindersIn(BERT)).toHaveLength(1);
    expect(remindersIn(CARLA)).toHaveLength(1);

    // Bert acknowledges; the following weeks remind Carla only.
    expect((await act('post.ack', { postId }, BERT)).body.statusCode).toBe(200);
    for (const week of [2, 3, 4]) await at(START.getTime() + week * 7 * DAY);
    expect(remindersIn(BERT)).toEqual([GERMAN]);
    expect(remindersIn(CARLA)).toEqual([ENGLISH, ENGLISH, ENGLISH, ENGLISH]);

    // Four is the most: weeks 5 and 6 send nothing.
    for (const week of [5, 6]) await at(START.getTime() + week * 7 * DAY);
    expect(remindersIn(CARLA)).toHaveLength(4);
    const stored = (await suite.database.store<PostDoc>(CONTAINERS.posts).read(postId, 'post')) as PostDoc;
    expect(stored.reminders.filter((r) => r.scheduled).map((r) => [r.at, r.to])).toEqual([
      [new Date(START.getTime() + 7 * DAY).toISOString(), 2],
      [new Date(START.getTime() + 14 * DAY).toISOString(), 1],
      [new Date(START.getTime() + 21 * DAY).toISOString(), 1],
      [new Date(START.getTime() + 28 * DAY).toISOString(), 1],
    ]);
    // The sender sees the count.
    const status = await act('post.status', { postId }, KOELN_IB);
    expect(textOf(status.body.value)).toContain('4 Erinnerungen verschickt.');
  });

  it('ends the weekly reminders once everyone has acknowledged', async () => {
    now = START;
    const input = { title: 'Zweite Information (Beispiel)', text: 'Kurz (Beispiel).', audience: 'authority:koeln', ack: 'yes' };
    expect((await call('POST', '/api/tab/send', KOELN_IB.aadObjectId, { kind: 'post', input })).status).toBe(200);
    await suite.app.delivery.whenIdle();
    const posts = await suite.database.store<PostDoc>(CONTAINERS.posts).query<PostDoc>({ query: "SELECT * FROM c WHERE c.type = 'post' AND c.title = @t", parameters: [{ name: '@t', value: input.title }] });
    const postId = posts[0]!.pk;
    expect((await act('post.remindWeekly', { postId }, KOELN_IB)).body.statusCode).toBe(200);
    for (const p of [ANNA, BERT, CARLA]) expect((await act('post.ack', { postId }, p)).body.statusCode).toBe(200);
    const before = [ANNA, BERT, CARLA].map((p) => remindersIn(p).filter((t) => t.includes('Zweite Information')).length);
    await at(START.getTime() + 7 * DAY);
    await at(START.getTime() + 14 * DAY);
    expect([ANNA, BERT, CARLA].map((p) => remindersIn(p).filter((t) => t.includes('Zweite Information')).length)).toEqual(before);
    expect(((await suite.database.store<PostDoc>(CONTAINERS.posts).read(postId, 'post')) as PostDoc).reminders).toEqual([]);
  });
});
