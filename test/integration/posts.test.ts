import type { PostDoc } from '../../services/posts/model';
import { CONTAINERS } from '../../services/storage/containers';
import { DEFAULT_TENANT_ID, stableGuid, user } from '../support/activities';
import { KFI_LEAD, KOELN_IB, eventually } from '../support/circle';
import { APP_ID, cardOf, chatOf, textOf, usePostsSuite } from '../support/postsSuite';

/**
 * Information posts (issue 17, RdErl. Nr. 5 b/c, Nr. 6) over HTTP: the IB writes in the personal tab's composer, the
 * bot delivers the card through the outbox to the strict Teams stand-in, recipients acknowledge on the card, the IB sees
 * the counts and who has not acknowledged, and reminds. Names of staff come from Entra (the Graph stand-in, User.Read.All).
 */

// Tuesday, 1 December 2026, 10:00 in Berlin.
const NOW = new Date('2026-12-01T09:00:00Z');

jest.setTimeout(90_000);

const staff = (name: string) => user({ name, aadObjectId: stableGuid('posts', name) });
const ANNA = staff('Anna Beispiel');
const BERT = staff('Bert Beispiel');
const CARLA = staff('Carla Beispiel');
const DORA = staff('Dora Beispiel'); // staff of Münster

describe('information posts with Kenntnisnahme', () => {
  const suite = usePostsSuite({ databaseId: 'posts-test', now: () => NOW, graph: { clientId: APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: ['User.Read.All', 'GroupMember.Read.All'] } });
  const { call, post, act, postsIn, remindersIn } = suite;
  const stored = (id: string) => suite.database.store<PostDoc>(CONTAINERS.posts).read(id, 'post') as Promise<PostDoc | undefined>;
  const input = (over: Record<string, string> = {}) => ({ title: 'Interkulturelle Woche 2027', text: 'Liebe Kolleginnen und Kollegen,\n\ndie Interkulturelle Woche beginnt am 20. September. Beiträge bitte bis Ende Juni.', audience: 'authority:koeln', ack: 'yes', ...over });
  /** Sends a post as `sender` through the tab; returns the stored post once its cards are delivered. */
  const send = (sender: string, over: Record<string, string> = {}) => suite.sendPost(sender, input(over));

  beforeAll(async () => {
    // Staff of Köln (Carla uses Teams in English) and one of Münster, with the app; their Bezirksregierung chosen in the tab.
    for (const [person, home, locale] of [[ANNA, 'koeln', 'de-DE'], [BERT, 'koeln', 'de-DE'], [CARLA, 'koeln', 'en-US'], [DORA, 'muenster', 'de-DE']] as const) {
      suite.graph.addUser({ id: person.aadObjectId, upn: `${person.aadObjectId}@bezreg.example`, displayName: person.name });
      expect((await post(suite.teams.installationUpdate('add', { from: person }))).status).toBe(200);
      expect((await post(suite.teams.message(locale === 'de-DE' ? 'Hilfe' : 'help', { from: person, locale }))).status).toBe(200);
      expect((await call('PUT', '/api/tab/home', person.aadObjectId, { authority: home })).status).toBe(200);
    }
    for (const person of [KOELN_IB, KFI_LEAD]) expect((await post(suite.teams.installationUpdate('add', { from: person }))).status).toBe(200);
    await suite.app.delivery.whenIdle();
  });

  it('offers the IB the post in the composer and previews the card the staff get, storing nothing', async () => {
    const me = await call('GET', '/api/tab/me', KOELN_IB.aadObjectId);
    const kind = me.body.sections.composer.kinds.find((k: { id: string }) => k.id === 'post');
    expect(kind.label.de).toBe('Information an Beschäftigte');
    expect(kind.fields.find((f: { name: string }) => f.name === 'audience').options.map((o: { value: string }) => o.value)).toEqual(['authority:koeln', 'group']);
    const preview = await call('POST', '/api/tab/preview', KOELN_IB.aadObjectId, { kind: 'post', input: input() });
    expect(preview.status).toBe(200);
    const text = textOf(preview.body.card);
    expect(text).toContain('Information der Integrationsbeauftragten, Bezirksregierung Köln');
    expect(text).toContain('Interkulturelle Woche 2027');
    expect(text).toContain('Bitte nehmen Sie diese Information zur Kenntnis.');
    expect(await suite.database.store<PostDoc>(CONTAINERS.posts).query({ query: "SELECT * FROM c WHERE c.type = 'post'" })).toEqual([]);
  });

  it('posts to the 3 staff of Köln; 2 acknowledge; the IB sees 2 of 3 and the third by name, reminds, and the third gets one reminder', async () => {
    const doc = await send(KOELN_IB.aadObjectId);
    expect(doc.recipients.sort()).toEqual([ANNA, BERT, CARLA].map((p) => p.aadObjectId).sort());
    // One card each, in the recipient's language around the IB's own words; nobody in Münster.
    for (const p of [ANNA, BERT, CARLA]) expect(postsIn(p)).toHaveLength(1);
    expect(postsIn(DORA)).toEqual([]);
    const german = textOf(cardOf(postsIn(ANNA)[0]!));
    expect(german).toContain('Information der Integrationsbeauftragten, Bezirksregierung Köln');
    const english = textOf(cardOf(postsIn(CARLA)[0]!));
    expect(english).toContain('Information from the integration commissioner, Bezirksregierung Köln');
    expect(english).toContain('die Interkulturelle Woche beginnt am 20. September.');
    expect(english).toContain('Please acknowledge this information.');

    for (const p of [ANNA, BERT]) {
      const res = await act('post.ack', { postId: doc.pk }, p);
      expect(res.body.statusCode).toBe(200);
      expect(textOf(res.body.value)).toContain('Zur Kenntnis genommen am Di., 01.12.2026, 10:00 Uhr.');
    }
    // Twice is no second acknowledgement.
    expect((await act('post.ack', { postId: doc.pk }, ANNA)).body.statusCode).toBe(200);

    const status = await act('post.status', { postId: doc.pk }, KOELN_IB);
    expect(status.body.statusCode).toBe(200);
    const shown = textOf(status.body.value);
    expect(shown).toContain('Zugestellt an 3 von 3');
    expect(shown).toContain('Zur Kenntnis genommen: 2 von 3');
    expect(shown).toContain('Noch nicht zur Kenntnis genommen: Carla Beispiel');

    const tab = await call('GET', '/api/tab/posts', KOELN_IB.aadObjectId);
    expect(tab.body.sent[0]).toMatchObject({ id: doc.pk, reach: 'Zugestellt an 3 von 3', acknowledged: 'Zur Kenntnis genommen: 2 von 3', notAcknowledged: ['Carla Beispiel'], canRemind: true });

    const reminded = await act('post.remind', { postId: doc.pk }, KOELN_IB);
    expect(reminded.body.statusCode).toBe(200);
    expect(textOf(reminded.body.value)).toContain('Erinnerung an eine Person verschickt.');
    await eventually(() => remindersIn(CARLA).length === 1);
    await suite.app.delivery.whenIdle();
    expect(remindersIn(CARLA).map((a) => a.text)).toEqual(['Reminder: please acknowledge the information "Interkulturelle Woche 2027" from Sabine Schmitz (Beispiel). You find it further up in this chat.']);
    expect([...remindersIn(ANNA), ...remindersIn(BERT)]).toEqual([]);
    expect((await stored(doc.pk))?.reminders).toHaveLength(1);
  });

  it('shows an English-speaking IB the counts in English in the tab', async () => {
    const [doc] = (await call('GET', '/api/tab/posts', KOELN_IB.aadObjectId, undefined, 'en-US')).body.sent;
    expect(doc).toMatchObject({ reach: 'Delivered to 3 of 3', acknowledged: 'Acknowledged: 2 of 3', notAcknowledged: ['Carla Beispiel'] });
  });

  it('lets the third acknowledge in English and then shows the IB that everyone has', async () => {
    const [sent] = (await call('GET', '/api/tab/posts', KOELN_IB.aadObjectId)).body.sent;
    const res = await act('post.ack', { postId: sent.id }, CARLA, 'en-US');
    expect(textOf(res.body.value)).toContain('Acknowledged on Tue 1 Dec 2026, 10:00.');
    const status = textOf((await act('post.status', { postId: sent.id }, KOELN_IB)).body.value);
    expect(status).toContain('Zur Kenntnis genommen: 3 von 3');
    expect(status).toContain('Alle haben die Information zur Kenntnis genommen.');
    const reminder = await act('post.remind', { postId: sent.id }, KOELN_IB);
    expect(reminder.body.statusCode).toBe(400);
    expect(reminder.body.value.message).toBe('Alle haben die Information zur Kenntnis genommen: niemand zu erinnern.');
  });

  it('refuses the status and the names to anyone but the sender, also a recipient, in chat and tab', async () => {
    const [sent] = (await call('GET', '/api/tab/posts', KOELN_IB.aadObjectId)).body.sent;
    for (const who of [ANNA, DORA, KFI_LEAD]) {
      const res = await act('post.status', { postId: sent.id }, who);
      expect(res.body.statusCode).toBe(403);
      expect(res.body.value.message).toBe('Nur wer die Information verschickt hat, sieht den Stand und wer sie noch nicht zur Kenntnis genommen hat.');
      expect(JSON.stringify(res.body)).not.toContain('Carla');
    }
    const tab = await call('GET', '/api/tab/posts', ANNA.aadObjectId);
    expect(tab.body.sent).toEqual([]);
    expect(tab.body.received).toEqual([expect.objectContaining({ id: sent.id, ackRequested: true, acknowledgedAt: expect.any(String) })]);
    expect(JSON.stringify(tab.body)).not.toContain('Carla');
    const remind = await call('POST', `/api/tab/posts/${sent.id}/remind`, ANNA.aadObjectId, {});
    expect(remind.status).toBe(403);
    // Someone the post did not go to cannot acknowledge it.
    expect((await act('post.ack', { postId: sent.id }, DORA)).body.statusCode).toBe(403);
  });

  it('refuses a post by staff who are not IB, with a clear message, and stores nothing', async () => {
    const before = (await suite.database.store<PostDoc>(CONTAINERS.posts).query({ query: "SELECT * FROM c WHERE c.type = 'post'" })).length;
    const me = await call('GET', '/api/tab/me', ANNA.aadObjectId);
    expect(me.body.sections.composer).toBeUndefined();
    for (const action of ['preview', 'send']) {
      const res = await call('POST', `/api/tab/${action}`, ANNA.aadObjectId, { kind: 'post', input: input() });
      expect(res.status).toBe(403);
    }
    const refused = await suite.app.posts.send(ANNA.aadObjectId, { tenantId: DEFAULT_TENANT_ID, title: 'x', text: 'y', audience: 'authority:koeln', ack: false });
    expect(refused).toMatchObject({ ok: false, code: 'forbidden', reason: 'notIb' });
    // The message the tab shows: in German, and for an English-speaking member of staff (Carla) in English.
    const german = await call('POST', '/api/tab/send', ANNA.aadObjectId, { kind: 'post', input: input() });
    expect(german.status).toBe(403);
    expect(german.body.problems[0].message.de).toBe('Informationen an die Beschäftigten verschicken nur die Integrationsbeauftragten (an ihre eigene Bezirksregierung) und das KfI (an alle IB). Es wurde nichts verschickt.');
    const english = await call('POST', '/api/tab/send', CARLA.aadObjectId, { kind: 'post', input: input() }, 'en-US');
    expect(english.status).toBe(403);
    expect(english.body.problems[0].message.en).toBe('Only integration commissioners (to their own authority) and the KfI (to all IB) send information to staff. Nothing was sent.');
    expect((await suite.database.store<PostDoc>(CONTAINERS.posts).query({ query: "SELECT * FROM c WHERE c.type = 'post'" })).length).toBe(before);
  });

  it('refuses an IB posting to another authority', async () => {
    const res = await call('POST', '/api/tab/send', KOELN_IB.aadObjectId, { kind: 'post', input: input({ audience: 'authority:muenster' }) });
    expect(res.status).toBe(400);
    expect(res.body.problems[0].field).toBe('audience');
    const refused = await suite.app.posts.send(KOELN_IB.aadObjectId, { tenantId: DEFAULT_TENANT_ID, title: 'x', text: 'y', audience: 'authority:muenster', ack: false });
    expect(refused).toMatchObject({ ok: false, code: 'forbidden', reason: 'otherAuthority' });
    expect(postsIn(DORA)).toEqual([]);
  });

  it.each([
    ['an empty text', { text: '' }, 'text', 'Bitte „Text“ ausfüllen.'],
    ['a text over 4000 characters', { text: 'a'.repeat(4001) }, 'text', 'Höchstens 4000 Zeichen.'],
    ['a subject over 150 characters', { title: 'B'.repeat(151) }, 'title', 'Höchstens 150 Zeichen.'],
    ['a third party’s health data', { text: 'Herr Max Mustermann ist an Diabetes erkrankt und fehlt.' }, 'text', 'Der Text enthält'],
  ])('answers %s with 400 at its field, in preview and send, storing nothing', async (_name, over, field, message) => {
    const before = (await suite.database.store<PostDoc>(CONTAINERS.posts).query({ query: "SELECT * FROM c WHERE c.type = 'post'" })).length;
    for (const action of ['preview', 'send']) {
      const res = await call('POST', `/api/tab/${action}`, KOELN_IB.aadObjectId, { kind: 'post', input: input(over) });
      expect(res.status).toBe(400);
      expect(res.body.problems[0].field).toBe(field);
      expect(res.body.problems[0].message.de).toContain(message);
    }
    expect((await suite.database.store<PostDoc>(CONTAINERS.posts).query({ query: "SELECT * FROM c WHERE c.type = 'post'" })).length).toBe(before);
  });

  it('refuses the service itself an empty or oversized text, naming the field', async () => {
    const base = { tenantId: DEFAULT_TENANT_ID, title: 'Titel', audience: 'authority:koeln', ack: true };
    expect(await suite.app.posts.send(KOELN_IB.aadObjectId, { ...base, text: '  ' })).toMatchObject({ ok: false, code: 'invalid', problems: [{ field: 'text', code: 'missing' }] });
    expect(await suite.app.posts.send(KOELN_IB.aadObjectId, { ...base, text: 'x'.repeat(4001) })).toMatchObject({ ok: false, code: 'invalid', problems: [{ field: 'text', code: 'too_long' }] });
  });

  it('lets the KfI post to all IB and deputies, each in their language', async () => {
    const kind = (await call('GET', '/api/tab/me', KFI_LEAD.aadObjectId)).body.sections.composer.kinds.find((k: { id: string }) => k.id === 'post');
    expect(kind.label.de).toBe('Information an alle IB');
    const doc = await send(KFI_LEAD.aadObjectId, { audience: 'allIb', title: 'Förderaufruf 2027', ack: 'no' });
    expect(doc.recipients).toContain(KOELN_IB.aadObjectId);
    expect(doc.recipients).not.toContain(KFI_LEAD.aadObjectId);
    expect(doc.recipients.length).toBeGreaterThanOrEqual(5);
    const card = postsIn(KOELN_IB).find((a) => a.summary === 'Information: Förderaufruf 2027');
    const text = textOf(cardOf(card!));
    expect(text).toContain('Information des Kompetenzzentrums für Integration');
    expect(text).not.toContain('Bitte nehmen Sie');
    // Without a request to acknowledge, there is nothing to acknowledge or remind.
    const ack = await act('post.ack', { postId: doc.pk }, KOELN_IB);
    expect(ack.body.statusCode).toBe(400);
    expect(ack.body.value.message).toBe('Für diese Information wurde nicht um Kenntnisnahme gebeten.');
    // An IB may not post to all IB.
    expect(await suite.app.posts.send(KOELN_IB.aadObjectId, { tenantId: DEFAULT_TENANT_ID, title: 'x', text: 'y', audience: 'allIb', ack: false })).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('posts to the members of an Entra group, read through Graph', async () => {
    const groupId = stableGuid('posts', 'group');
    suite.graph.addGroup(groupId, [ANNA.aadObjectId, DORA.aadObjectId]);
    const doc = await send(KOELN_IB.aadObjectId, { audience: 'group', groupId, title: 'Netzwerktreffen' });
    expect(doc.recipients.sort()).toEqual([ANNA.aadObjectId, DORA.aadObjectId].sort());
    expect(doc.audience).toEqual({ kind: 'group', groupId });
    const unknown = await call('POST', '/api/tab/send', KOELN_IB.aadObjectId, { kind: 'post', input: input({ audience: 'group', groupId: stableGuid('posts', 'no-such-group') }) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.problems[0]).toMatchObject({ field: 'groupId', message: { de: 'Diese Entra-Gruppe gibt es nicht, oder der Lotse darf sie nicht lesen.' } });
  });
});
