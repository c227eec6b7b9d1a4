import type { OutboxDoc } from '../../services/notifications/model';
import type { PostDoc, PostsDoc } from '../../services/posts/model';
import { CONTAINERS } from '../../services/storage/containers';
import { DEFAULT_TENANT_ID, stableGuid, user, type TeamsUser } from '../support/activities';
import type { ConnectorCall } from '../support/channelEmulator';
import { KOELN_IB, eventually } from '../support/circle';
import { APP_ID, textOf, usePostsSuite } from '../support/postsSuite';
import { cardsOf } from '../support/teamsRules';

/**
 * "Meine Daten löschen" and information posts (issue 17): a recipient who deletes their data takes their
 * acknowledgements (Kenntnisnahmen) and their place among the post's recipients with them, reminders included. The
 * sender's counts stay right (an acknowledgement given before is still counted, without a name), the person is no
 * longer listed as "noch nicht zur Kenntnis genommen" and is not reminded again; "Meine Daten" before and after
 * shows it. In German and in English, over HTTP against the strict Teams stand-in.
 */

// Tuesday, 1 December 2026, 10:00 in Berlin.
const NOW = new Date('2026-12-01T09:00:00Z');

jest.setTimeout(90_000);

const staff = (name: string) => user({ name, aadObjectId: stableGuid('posts-erasure', name) });
const ANNA = staff('Anna Löschbeispiel'); // German, acknowledges, then deletes her data
const BERT = staff('Bert Bleibtbeispiel'); // German, neither acknowledges nor deletes
const CARLA = staff('Carla Erasesample'); // English, acknowledges
const EMIL = staff('Emil Erasesample'); // English, does not acknowledge, then deletes his data

describe('"Meine Daten löschen" takes a recipient’s acknowledgements and reminders of information posts with it', () => {
  let post: PostDoc;
  const suite = usePostsSuite({ databaseId: 'posts-erasure-test', now: () => NOW, graph: { clientId: APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: ['User.Read.All', 'GroupMember.Read.All'] } });
  const { call, post: send, act, remindersIn } = suite;
  /** Everything stored about the post (its partition) and its notifications, as one text. */
  const storedAboutPost = async () => {
    const posts = await suite.database.store<PostsDoc>(CONTAINERS.posts).query({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: post.pk }] });
    const outbox = await suite.database.store<OutboxDoc>(CONTAINERS.outbox).query({
      query: 'SELECT * FROM c WHERE STARTSWITH(c.key, @p) OR STARTSWITH(c.notificationKey, @p)',
      parameters: [{ name: '@p', value: `post:${post.pk}:` }],
    });
    expect(outbox.length).toBeGreaterThan(0);
    return JSON.stringify([posts, outbox]);
  };
  /** "Meine Daten" in the chat (the summary card) and the full file (the tab's download, built by the same function). */
  async function myData(from: TeamsUser, locale: string): Promise<{ card: string; data: any }> {
    suite.emulator.reset();
    expect((await send(suite.teams.message(/^en/.test(locale) ? 'my data' : 'Meine Daten', { from, locale }))).status).toBe(200);
    const reply: ConnectorCall = await suite.emulator.waitFor((c) => c.operation === 'reply' && (c.activity?.recipient as { id?: string } | undefined)?.id === from.id);
    return { card: textOf(cardsOf(reply.activity as never)[0]), data: JSON.parse(JSON.stringify(await suite.app.myData(from.aadObjectId))) };
  }
  async function erase(from: TeamsUser, locale: string): Promise<string> {
    const res = await act('privacy.erase.confirm', {}, from, locale);
    expect(res.body.statusCode).toBe(200);
    return textOf(res.body.value);
  }

  beforeAll(async () => {
    for (const [person, locale] of [[ANNA, 'de-DE'], [BERT, 'de-DE'], [CARLA, 'en-US'], [EMIL, 'en-US']] as const) {
      suite.graph.addUser({ id: person.aadObjectId, upn: `${person.aadObjectId}@bezreg.example`, displayName: person.name });
      expect((await send(suite.teams.installationUpdate('add', { from: person }))).status).toBe(200);
      expect((await send(suite.teams.message(locale === 'de-DE' ? 'Hilfe' : 'help', { from: person, locale }))).status).toBe(200);
      expect((await call('PUT', '/api/tab/home', person.aadObjectId, { authority: 'koeln' })).status).toBe(200);
    }
    expect((await send(suite.teams.installationUpdate('add', { from: KOELN_IB }))).status).toBe(200);
    await suite.app.delivery.whenIdle();

    // The IB of Köln posts to the staff and asks for acknowledgement; Anna and Carla acknowledge; one reminder goes out.
    const res = await call('POST', '/api/tab/send', KOELN_IB.aadObjectId, { kind: 'post', input: { title: 'Interkulturelle Woche 2027', text: 'Beiträge bitte bis Ende Juni.', audience: 'authority:koeln', ack: 'yes' } });
    expect(res.status).toBe(200);
    [post] = await suite.database.store<PostDoc>(CONTAINERS.posts).query<PostDoc>({ query: "SELECT * FROM c WHERE c.type = 'post'" });
    expect([...post!.recipients].sort()).toEqual([ANNA, BERT, CARLA, EMIL].map((p) => p.aadObjectId).sort());
    await eventually(async () => {
      const [de, en] = await Promise.all([suite.app.delivery.reports.report(`post:${post.pk}:announce`), suite.app.delivery.reports.report(`post:${post.pk}:announce:en`)]);
      return de.delivered + en.delivered === 4;
    });
    expect((await act('post.ack', { postId: post.pk }, ANNA)).body.statusCode).toBe(200);
    expect((await act('post.ack', { postId: post.pk }, CARLA, 'en-US')).body.statusCode).toBe(200);
    expect((await act('post.remind', { postId: post.pk }, KOELN_IB)).body.statusCode).toBe(200);
    await eventually(() => remindersIn(BERT).length === 1 && remindersIn(EMIL).length === 1);
    await suite.app.delivery.whenIdle();
  });

  it('shows the acknowledgement and the reminder in "Meine Daten" before, in German and English', async () => {
    const anna = await myData(ANNA, 'de-DE');
    expect(anna.data.posts.acknowledged).toEqual([expect.objectContaining({ postId: post.pk, title: 'Interkulturelle Woche 2027', at: NOW.toISOString() })]);
    expect(anna.card).toContain('Ihre Kenntnisnahmen');
    const emil = await myData(EMIL, 'en-US');
    expect(emil.data.posts.remindersReceived).toEqual([expect.objectContaining({ postId: post.pk, at: NOW.toISOString() })]);
    expect(emil.card).toContain('Reminders you received');
    expect(await storedAboutPost()).toContain(ANNA.aadObjectId);
  });

  it('deletes Anna’s acknowledgement (German): nothing stored links her to the post, the IB still counts it without her name', async () => {
    const text = await erase(ANNA, 'de-DE');
    expect(text).toContain('1 Kenntnisnahme einer Information');
    expect(text).toContain('Ihr Name bei 1 erhaltenen Information samt den Erinnerungen daran');
    expect(await storedAboutPost()).not.toContain(ANNA.aadObjectId);
    const after = await myData(ANNA, 'de-DE');
    expect(after.data.posts).toEqual({ sent: [], acknowledged: [], remindersReceived: [] });
    expect(after.card).not.toContain('Ihre Kenntnisnahmen');

    const status = textOf((await act('post.status', { postId: post.pk }, KOELN_IB)).body.value);
    expect(status).toContain('Zugestellt an 4 von 4');
    expect(status).toContain('Zur Kenntnis genommen: 2 von 4');
    expect(status).toContain('Noch nicht zur Kenntnis genommen: Bert Bleibtbeispiel, Emil Erasesample');
    expect(status).not.toContain('Anna');
    // Her old card's button: she is no longer among the recipients.
    expect((await act('post.ack', { postId: post.pk }, ANNA)).body.statusCode).toBe(403);
  });

  it('takes Emil, who had not acknowledged (English), out of the list and the reminders; the IB’s counts stay consistent', async () => {
    const text = await erase(EMIL, 'en-US');
    expect(text).toContain('your name on 1 information post you received, with the reminders about it');
    expect(text).not.toContain('acknowledgement');
    expect(await storedAboutPost()).not.toContain(EMIL.aadObjectId);
    const after = await myData(EMIL, 'en-US');
    expect(after.data.posts).toEqual({ sent: [], acknowledged: [], remindersReceived: [] });
    expect(after.card).not.toContain('Reminders you received');

    const tab = (await call('GET', '/api/tab/posts', KOELN_IB.aadObjectId, undefined, 'en-US')).body.sent[0];
    expect(tab).toMatchObject({ id: post.pk, reach: 'Delivered to 3 of 3', acknowledged: 'Acknowledged: 2 of 3', notAcknowledged: ['Bert Bleibtbeispiel'] });

    // The next reminder reaches Bert only.
    const before = { bert: remindersIn(BERT).length, emil: remindersIn(EMIL).length, anna: remindersIn(ANNA).length };
    const reminded = await act('post.remind', { postId: post.pk }, KOELN_IB);
    expect(textOf(reminded.body.value)).toContain('Erinnerung an eine Person verschickt.');
    await eventually(() => remindersIn(BERT).length === before.bert + 1);
    await suite.app.delivery.whenIdle();
    expect({ emil: remindersIn(EMIL).length, anna: remindersIn(ANNA).length }).toEqual({ emil: before.emil, anna: before.anna });
    expect(await storedAboutPost()).not.toContain(EMIL.aadObjectId);
  });

  it('deletes nothing more a second time, and keeps the post the IB sent as the authority’s record, saying until when', async () => {
    // (Her profile is there again since she wrote "Meine Daten": that is all there is to delete.)
    const again = await erase(ANNA, 'de-DE');
    expect(again).toContain('Gelöscht: Ihr Profil (Bezirksregierung, Sprache, wie der Lotse Sie im Chat erreicht).');
    expect(again).not.toContain('Information');
    const ib = await erase(KOELN_IB, 'de-DE');
    expect(ib).toContain('1 Information an Beschäftigte, die Sie gesendet haben: gelöscht bis spätestens 01.12.2027.');
    const kept = await suite.database.store<PostDoc>(CONTAINERS.posts).read(post.pk, 'post');
    expect(kept).toMatchObject({ sender: KOELN_IB.aadObjectId, erasedAcks: 1 });
    expect([...kept!.recipients].sort()).toEqual([BERT, CARLA].map((p) => p.aadObjectId).sort());
  });
});
