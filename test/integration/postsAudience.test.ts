import { postRefusalText } from '../../bot/handlers/posts';
import type { PostDoc } from '../../services/posts/model';
import { DEFAULT_TENANT_ID, stableGuid, user, type TeamsUser } from '../support/activities';
import { KOELN_IB, eventually } from '../support/circle';
import { APP_ID, cardOf, chatOf, textOf, usePostsSuite } from '../support/postsSuite';

/**
 * The audience of information posts (issue 17) over HTTP: "the whole authority" is the Entra staff group of the
 * authority (GRAPH_GROUP_STAFF_<AUTHORITY>, read through the Graph stand-in), "chosen departments" are the members whose
 * Entra department is chosen; the composer offers the departments and shows the reach before sending; the server
 * re-checks every choice against Entra, never the form. Without a staff group: the staff the bot knows, and the
 * composer says so.
 */

// Tuesday, 1 December 2026, 10:00 in Berlin; moved on by the test where a cached copy must age.
let clock = new Date('2026-12-01T09:00:00Z').getTime();

jest.setTimeout(120_000);

const staff = (name: string) => user({ name, aadObjectId: stableGuid('posts-audience', name) });
const ANNA = staff('Anna Abteilung');
const BERT = staff('Bert Abteilung');
const CARLA = staff('Carla Abteilung');
const EMIL = staff('Emil Abteilung');
const FRIDA = staff('Frida Abteilung'); // no department in Entra
const DORA = staff('Dora Abteilung'); // staff of Münster
const MUENSTER_IB = user({ name: 'IB Münster (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000500000001' });
const DUESSELDORF_IB = user({ name: 'IB Düsseldorf (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000300000001' });
const KOELN_STAFF = stableGuid('posts-audience', 'staff-koeln');
const MUENSTER_STAFF = stableGuid('posts-audience', 'staff-muenster');
const DEPARTMENT: Record<string, string | undefined> = {
  [ANNA.aadObjectId]: 'Abteilung 2',
  [BERT.aadObjectId]: 'Abteilung 2',
  [CARLA.aadObjectId]: 'Zentrale Dienste',
  [EMIL.aadObjectId]: 'Ärztliche Prüfstelle',
  [FRIDA.aadObjectId]: undefined,
  [DORA.aadObjectId]: 'Dezernat 48',
};

describe('information posts: the whole authority through Entra, and chosen departments', () => {
  const suite = usePostsSuite({
    databaseId: 'posts-audience-test',
    now: () => new Date(clock),
    graph: { clientId: APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: ['User.Read.All', 'GroupMember.Read.All'] },
    prepareGraph: (graph) => {
      for (const person of [ANNA, BERT, CARLA, EMIL, FRIDA, DORA]) {
        const department = DEPARTMENT[person.aadObjectId];
        graph.addUser({ id: person.aadObjectId, upn: `${person.aadObjectId}@bezreg.example`, displayName: person.name, ...(department ? { department } : {}) });
      }
      // Köln's staff group nests a sub-group (transitive members count).
      const nested = stableGuid('posts-audience', 'staff-koeln-zd');
      graph.addGroup(nested, [CARLA.aadObjectId]);
      graph.addGroup(KOELN_STAFF, [ANNA.aadObjectId, BERT.aadObjectId, EMIL.aadObjectId, FRIDA.aadObjectId], [nested]);
      graph.addGroup(MUENSTER_STAFF, [DORA.aadObjectId]);
    },
    env: { GRAPH_GROUP_STAFF_KOELN: KOELN_STAFF, GRAPH_GROUP_STAFF_MUENSTER: MUENSTER_STAFF, GRAPH_GROUP_CACHE_SECONDS: '300' },
  });
  const { token, call, post, allPosts, postsIn } = suite;
  const input = (over: Record<string, string> = {}) => ({ title: 'Brandschutzübung', text: 'Am Donnerstag um 10 Uhr ist Brandschutzübung. Bitte verlassen Sie das Gebäude über die Treppenhäuser.', audience: 'departments:koeln', departments: 'Abteilung 2\nÄrztliche Prüfstelle', ack: 'yes', ...over });
  const postKind = async (oid: string, lang = 'de-DE') => (await call('GET', '/api/tab/me', oid, undefined, lang)).body.sections.composer.kinds.find((k: { id: string }) => k.id === 'post');
  const field = (kind: { fields: Array<{ name: string }> }, name: string) => kind.fields.find((f) => f.name === name) as any;
  const send = (sender: string, over: Record<string, string> = {}) => suite.sendPost(sender, input(over));
  /** Sends as `sender` in German and English; both must be refused with `status` and these messages; nothing stored. */
  async function refusedBoth(sender: string, over: Record<string, string>, status: number, de: string, en: string) {
    const before = (await allPosts()).length;
    for (const [lang, message] of [['de-DE', de], ['en-US', en]] as const) {
      for (const action of ['preview', 'send']) {
        const res = await call('POST', `/api/tab/${action}`, sender, { kind: 'post', input: input(over) }, lang);
        expect({ action, lang, status: res.status }).toEqual({ action, lang, status });
        const said = res.body.problems?.[0]?.message?.[lang.slice(0, 2)] ?? res.body.message;
        expect(said).toBe(message);
      }
    }
    expect((await allPosts()).length).toBe(before);
  }

  beforeAll(async () => {
    // Everyone has the app; nobody chose a Bezirksregierung (the bot "knows" none of them as staff of Köln).
    for (const person of [ANNA, BERT, CARLA, EMIL, FRIDA, DORA, KOELN_IB, MUENSTER_IB]) expect((await post(suite.teams.installationUpdate('add', { from: person }))).status).toBe(200);
    await suite.app.delivery.whenIdle();
  });

  it("offers the Köln IB the departments of Köln's staff group, distinct and in German order, and says what 'all staff' means", async () => {
    const kind = await postKind(KOELN_IB.aadObjectId);
    expect(field(kind, 'audience').options.map((o: { value: string }) => o.value)).toEqual(['authority:koeln', 'departments:koeln', 'group']);
    expect(field(kind, 'audience').options[1].label).toEqual({ de: 'Ausgewählte Abteilungen der Bezirksregierung Köln', en: 'Chosen departments of the Bezirksregierung Köln' });
    expect(field(kind, 'audience').hint.de).toBe('„Alle Beschäftigten der Bezirksregierung Köln“ sind die 5 Mitglieder ihrer Beschäftigten-Gruppe in Entra ID.');
    const departments = field(kind, 'departments');
    expect(departments.type).toBe('checkboxes');
    // Ä sorts with A (German collation), not after Z; Münster's department is not offered.
    expect(departments.options.map((o: { value: string; label: { de: string } }) => [o.value, o.label.de])).toEqual([
      ['Abteilung 2', 'Abteilung 2 (2)'],
      ['Ärztliche Prüfstelle', 'Ärztliche Prüfstelle (1)'],
      ['Zentrale Dienste', 'Zentrale Dienste (1)'],
    ]);
    const english = await postKind(KOELN_IB.aadObjectId, 'en-US');
    expect(field(english, 'audience').hint.en).toBe('"All staff of the Bezirksregierung Köln" are the 5 members of its staff group in Entra ID.');
    expect(field(english, 'departments').label.en).toBe('Departments');
  });

  it('shows the reach in the preview before sending, in German and English, storing nothing', async () => {
    const de = await call('POST', '/api/tab/preview', KOELN_IB.aadObjectId, { kind: 'post', input: input() });
    expect(de.status).toBe(200);
    expect(de.body.note).toEqual({ de: 'Diese Information erreicht 3 Personen.', en: 'This information reaches 3 people.' });
    const whole = await call('POST', '/api/tab/preview', KOELN_IB.aadObjectId, { kind: 'post', input: input({ audience: 'authority:koeln', departments: '' }) });
    expect(whole.body.note.de).toBe('Diese Information erreicht 5 Personen.');
    expect(await allPosts()).toEqual([]);
  });

  it('sends to the chosen departments only, and the sender sees which', async () => {
    const doc = await send(KOELN_IB.aadObjectId);
    expect(doc.audience).toEqual({ kind: 'departments', authority: 'koeln', departments: ['Abteilung 2', 'Ärztliche Prüfstelle'] });
    expect([...doc.recipients].sort()).toEqual([ANNA, BERT, EMIL].map((p) => p.aadObjectId).sort());
    for (const p of [ANNA, BERT, EMIL]) expect(postsIn(p)).toHaveLength(1);
    for (const p of [CARLA, FRIDA, DORA]) expect(postsIn(p)).toEqual([]);
    expect(textOf(cardOf(postsIn(ANNA)[0]!))).toContain('Brandschutzübung');
    const [sent] = (await call('GET', '/api/tab/posts', KOELN_IB.aadObjectId)).body.sent;
    expect(sent.audience).toBe('An die Abteilungen „Abteilung 2“, „Ärztliche Prüfstelle“ der Bezirksregierung Köln');
    expect(sent.reach).toBe('Zugestellt an 3 von 3');
  });

  it("sends 'the whole authority' to every member of the staff group (also those the bot never met as Köln staff)", async () => {
    const doc = await send(KOELN_IB.aadObjectId, { audience: 'authority:koeln', departments: '', title: 'Personalversammlung' });
    expect(doc.audience).toEqual({ kind: 'authority', authority: 'koeln', source: 'entra' });
    expect([...doc.recipients].sort()).toEqual([ANNA, BERT, CARLA, EMIL, FRIDA].map((p) => p.aadObjectId).sort());
    expect(postsIn(DORA)).toEqual([]);
  });

  it('refuses departments to someone who is not an IB (403), in German and English', async () => {
    // The tab offers staff no composer and refuses the kind with the posts' own words, as the service does.
    await refusedBoth(
      ANNA.aadObjectId,
      {},
      403,
      'Informationen an die Beschäftigten verschicken nur die Integrationsbeauftragten (an ihre eigene Bezirksregierung) und das KfI (an alle IB). Es wurde nichts verschickt.',
      'Only integration commissioners (to their own authority) and the KfI (to all IB) send information to staff. Nothing was sent.',
    );
    expect(await suite.app.posts.send(ANNA.aadObjectId, { tenantId: DEFAULT_TENANT_ID, title: 'x', text: 'y', audience: 'departments:koeln', departments: 'Abteilung 2', ack: false })).toMatchObject({ ok: false, code: 'forbidden', reason: 'notIb' });
  });

  it("refuses the Münster IB Köln's departments: another authority's audience (403) and a Köln department under Münster (400)", async () => {
    const kind = await postKind(MUENSTER_IB.aadObjectId);
    expect(field(kind, 'departments').options.map((o: { value: string }) => o.value)).toEqual(['Dezernat 48']);
    // The audience of another authority is not among the options offered (the tab's check), and the service refuses it itself.
    const other = await call('POST', '/api/tab/send', MUENSTER_IB.aadObjectId, { kind: 'post', input: input() });
    expect(other.status).toBe(400);
    expect(other.body.problems[0].field).toBe('audience');
    expect(await suite.app.posts.send(MUENSTER_IB.aadObjectId, { tenantId: DEFAULT_TENANT_ID, title: 'x', text: 'y', audience: 'departments:koeln', departments: 'Abteilung 2', ack: false })).toMatchObject({ ok: false, code: 'forbidden', reason: 'otherAuthority' });
    // A Köln department typed into Münster's form: checked against Münster's staff in Entra, not the form.
    await refusedBoth(
      MUENSTER_IB.aadObjectId,
      { audience: 'departments:muenster', departments: 'Abteilung 2' },
      400,
      'Eine gewählte Abteilung gibt es in Ihrer Bezirksregierung laut Entra ID nicht (mehr). Bitte öffnen Sie den Tab neu und wählen Sie erneut. Es wurde nichts verschickt.',
      'A department you chose does not exist (any more) in your authority according to Entra ID. Please open the tab again and choose again. Nothing was sent.',
    );
    expect(postsIn(ANNA)).toHaveLength(2);
  });

  it('refuses an empty choice of departments, in German and English', async () => {
    await refusedBoth(KOELN_IB.aadObjectId, { departments: '' }, 400, 'Bitte wählen Sie mindestens eine Abteilung.', 'Please choose at least one department.');
    await refusedBoth(KOELN_IB.aadObjectId, { departments: ' \n \n' }, 400, 'Bitte wählen Sie mindestens eine Abteilung.', 'Please choose at least one department.');
  });

  it('refuses more than 100 departments, an overlong department name and an unknown authority code, storing nothing', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `Abteilung ${i}`).join('\n');
    await refusedBoth(KOELN_IB.aadObjectId, { departments: many }, 400, 'Zu viele Abteilungen gewählt (höchstens 100).', 'Too many departments chosen (at most 100).');
    await refusedBoth(
      KOELN_IB.aadObjectId,
      { departments: 'A'.repeat(65) },
      400,
      'Eine gewählte Abteilung gibt es in Ihrer Bezirksregierung laut Entra ID nicht (mehr). Bitte öffnen Sie den Tab neu und wählen Sie erneut. Es wurde nichts verschickt.',
      'A department you chose does not exist (any more) in your authority according to Entra ID. Please open the tab again and choose again. Nothing was sent.',
    );
    expect(await suite.app.posts.send(KOELN_IB.aadObjectId, { tenantId: DEFAULT_TENANT_ID, title: 'x', text: 'y', audience: 'departments:bonn', departments: 'Abteilung 2', ack: false })).toMatchObject({
      ok: false,
      code: 'invalid',
      problems: [{ field: 'audience', code: 'unknown_value' }],
    });
  });

  it('refuses a department that is gone from Entra since the composer was opened (the send reads Entra afresh)', async () => {
    const kind = await postKind(KOELN_IB.aadObjectId);
    expect(field(kind, 'departments').options.map((o: { value: string }) => o.value)).toContain('Ärztliche Prüfstelle');
    // Emil moves to another department in Entra; the composer's copy still offers the old one.
    suite.graph.addUser({ id: EMIL.aadObjectId, upn: `${EMIL.aadObjectId}@bezreg.example`, displayName: EMIL.name, department: 'Abteilung 5' });
    await refusedBoth(
      KOELN_IB.aadObjectId,
      {},
      400,
      'Eine gewählte Abteilung gibt es in Ihrer Bezirksregierung laut Entra ID nicht (mehr). Bitte öffnen Sie den Tab neu und wählen Sie erneut. Es wurde nichts verschickt.',
      'A department you chose does not exist (any more) in your authority according to Entra ID. Please open the tab again and choose again. Nothing was sent.',
    );
    // After the cache lifetime the composer offers what Entra says now.
    clock += 301_000;
    const later = await postKind(KOELN_IB.aadObjectId);
    expect(field(later, 'departments').options.map((o: { value: string }) => o.value)).toEqual(['Abteilung 2', 'Abteilung 5', 'Zentrale Dienste']);
  });

  it('waits out a 429 from Graph (Retry-After) while reading the staff group', async () => {
    const before = suite.graph.calls.length;
    suite.graph.throttle({ next: 1, match: '/transitiveMembers', retryAfterSeconds: 1 });
    const doc = await send(KOELN_IB.aadObjectId, { departments: 'Zentrale Dienste', title: 'Kantine' });
    expect(doc.recipients).toEqual([CARLA.aadObjectId]);
    const reads = suite.graph.calls.slice(before).filter((c) => c.path.includes('/transitiveMembers'));
    expect(reads.map((c) => c.status)).toEqual([429, 200]);
  });

  it('says that the permission User.Read.All is missing when Graph lists the staff with their ids only (GroupMember.Read.All alone): no departments, no names, the whole authority still counted right; departments refused, in German and English', async () => {
    // Graph answers an app without User.Read.All with "limited information": each member's id, every other property
    // null (https://learn.microsoft.com/graph/permissions-overview#limited-information-returned-for-inaccessible-member-objects).
    suite.graph.revoke('User.Read.All');
    try {
      clock += 301_000;
      const kind = await postKind(KOELN_IB.aadObjectId);
      expect(field(kind, 'audience').options.map((o: { value: string }) => o.value)).toEqual(['authority:koeln', 'group']);
      expect(field(kind, 'departments')).toBeUndefined();
      expect(field(kind, 'audience').hint).toEqual({
        de:
          '„Alle Beschäftigten der Bezirksregierung Köln“ sind die 5 Mitglieder ihrer Beschäftigten-Gruppe in Entra ID. ' +
          'Abteilungen stehen nicht zur Wahl: Der Lotse darf die Abteilungen in Entra ID nicht lesen, denn ihm fehlt die Microsoft-Graph-Berechtigung „User.Read.All“. Bitte wenden Sie sich an Ihre IT. ' +
          'Ohne diese Berechtigung kann der Lotse auch die Namen der Beschäftigten nicht anzeigen, etwa wer die Information noch nicht zur Kenntnis genommen hat.',
        en:
          '"All staff of the Bezirksregierung Köln" are the 5 members of its staff group in Entra ID. ' +
          'Departments cannot be chosen: the Lotse may not read departments in Entra ID, as it lacks the Microsoft Graph permission "User.Read.All". Please contact your IT. ' +
          "Without this permission the Lotse cannot show the staff's names either, such as who has not yet acknowledged the information.",
      });
      const reads = suite.graph.calls.filter((c) => c.path.includes('/transitiveMembers'));
      expect(reads.at(-1)?.status).toBe(200);
      // The whole authority: every member, as many as with the permission (the form without the departments field).
      const { departments: _none, ...whole } = input({ audience: 'authority:koeln' });
      const preview = await call('POST', '/api/tab/preview', KOELN_IB.aadObjectId, { kind: 'post', input: whole }, 'en-US');
      expect(preview.status).toBe(200);
      expect(preview.body.note.en).toBe('This information reaches 5 people.');
      // Departments asked for anyway (the service behind any adapter): the reason, not "unknown department"; nothing stored.
      const before = (await allPosts()).length;
      const refused = await suite.app.posts.send(KOELN_IB.aadObjectId, { tenantId: DEFAULT_TENANT_ID, title: 'x', text: 'y', audience: 'departments:koeln', departments: 'Abteilung 2', ack: false });
      expect(refused).toMatchObject({ ok: false, code: 'invalid', problems: [{ field: 'departmentsNeedPermission' }] });
      if (refused.ok || refused.code !== 'invalid') throw new Error('not refused as invalid');
      expect(postRefusalText('de', refused)).toBe(
        'Abteilungen kann der Lotse nicht wählen: Ihm fehlt die Microsoft-Graph-Berechtigung „User.Read.All“, um die Abteilungen in Entra ID zu lesen. Es wurde nichts verschickt. Bitte wählen Sie „Alle Beschäftigten“ oder wenden Sie sich an Ihre IT.',
      );
      expect(postRefusalText('en', refused)).toBe(
        'The Lotse cannot choose departments: it lacks the Microsoft Graph permission "User.Read.All" to read departments in Entra ID. Nothing was sent. Please choose "All staff" or contact your IT.',
      );
      expect((await allPosts()).length).toBe(before);
    } finally {
      suite.graph.grant('User.Read.All');
    }
    clock += 301_000;
    expect(field(await postKind(KOELN_IB.aadObjectId), 'audience').options.map((o: { value: string }) => o.value)).toEqual(['authority:koeln', 'departments:koeln', 'group']);
  });

  it('does not offer departments when Entra gives none for the staff (with User.Read.All), and says why', async () => {
    suite.graph.addUser({ id: DORA.aadObjectId, upn: `${DORA.aadObjectId}@bezreg.example`, displayName: DORA.name });
    try {
      clock += 301_000;
      const kind = await postKind(MUENSTER_IB.aadObjectId, 'en-US');
      expect(field(kind, 'audience').options.map((o: { value: string }) => o.value)).toEqual(['authority:muenster', 'group']);
      expect(field(kind, 'audience').hint.de).toBe(
        '„Alle Beschäftigten der Bezirksregierung Münster“ sind die Mitglieder ihrer Beschäftigten-Gruppe in Entra ID: zurzeit eine Person. Abteilungen stehen nicht zur Wahl: Entra ID nennt für die Beschäftigten keine Abteilung.',
      );
      expect(field(kind, 'audience').hint.en).toBe('"All staff of the Bezirksregierung Münster" are the members of its staff group in Entra ID: one person at the moment. Departments cannot be chosen: Entra ID gives no department for the staff.');
    } finally {
      suite.graph.addUser({ id: DORA.aadObjectId, upn: `${DORA.aadObjectId}@bezreg.example`, displayName: DORA.name, department: DEPARTMENT[DORA.aadObjectId] });
      clock += 301_000;
    }
  });

  it("puts posts sent, acknowledgements and reminders received into each person's „Meine Daten“ (file and chat card), never others' ids", async () => {
    // The first post (to Abteilung 2 and the Ärztliche Prüfstelle: Anna, Bert, Emil): Anna acknowledges, the IB reminds the others.
    const first = (await allPosts()).find((p) => p.audience.kind === 'departments' && p.title === 'Brandschutzübung')!;
    expect((await post(suite.teams.cardAction('post.ack', { postId: first.pk }, { from: ANNA, locale: 'de-DE' }))).body.statusCode).toBe(200);
    expect((await post(suite.teams.cardAction('post.remind', { postId: first.pk }, { from: KOELN_IB, locale: 'de-DE' }))).body.statusCode).toBe(200);
    await suite.app.delivery.whenIdle();
    const file = async (oid: string) => {
      const res = await fetch(`${suite.app.url}/api/tab/downloads/my-data.json`, { headers: { authorization: `Bearer ${token(oid)}` } });
      expect(res.status).toBe(200);
      return JSON.parse(await res.text());
    };
    const anna = await file(ANNA.aadObjectId);
    expect(anna.posts.acknowledged).toEqual([{ postId: first.pk, title: 'Brandschutzübung', from: 'Sabine Schmitz (Beispiel)', at: expect.any(String), deleteAfter: expect.any(String) }]);
    expect(anna.posts.remindersReceived).toEqual([]);
    expect(anna.posts.sent).toEqual([]);
    const bert = await file(BERT.aadObjectId);
    expect(bert.posts.acknowledged).toEqual([]);
    expect(bert.posts.remindersReceived).toEqual([expect.objectContaining({ postId: first.pk, title: 'Brandschutzübung' })]);
    const ib = await file(KOELN_IB.aadObjectId);
    expect(ib.posts.sent.map((p: { title: string; recipients: number }) => [p.title, p.recipients])).toEqual([
      ['Brandschutzübung', 3],
      ['Personalversammlung', 5],
      ['Kantine', 1],
    ]);
    expect(ib.posts.sent[0]).toMatchObject({ audience: { kind: 'departments', departments: ['Abteilung 2', 'Ärztliche Prüfstelle'] }, reminders: 1 });
    // The sender's file names no recipient.
    for (const p of [ANNA, BERT, CARLA, EMIL, FRIDA]) expect(JSON.stringify(ib)).not.toContain(p.aadObjectId);
    // The chat's summary card, in German and in English.
    const summary = async (who: TeamsUser, text: string, locale: string) => {
      const before = suite.emulator.activitiesTo(chatOf(who)).length;
      expect((await post(suite.teams.message(text, { from: who, locale }))).status).toBe(200);
      await eventually(() => suite.emulator.activitiesTo(chatOf(who)).length > before);
      return textOf(cardOf(suite.emulator.activitiesTo(chatOf(who)).at(-1)!));
    };
    const de = await summary(ANNA, 'Meine Daten', 'de-DE');
    expect(de).toContain('Ihre Kenntnisnahmen');
    expect(de).not.toContain('Erinnerungen an Sie');
    const en = await summary(BERT, 'my data', 'en-US');
    expect(en).toContain('Reminders you received');
    expect(en).not.toContain('Your acknowledgements');
    expect(await summary(KOELN_IB, 'Meine Daten', 'de-DE')).toContain('Ihre Informationen an Beschäftigte');
  });

  it('refuses to send when Graph refuses the staff group (nothing stored), and the composer names the missing permission', async () => {
    suite.graph.revoke('GroupMember.Read.All');
    try {
      clock += 301_000;
      const kind = await postKind(KOELN_IB.aadObjectId);
      expect(field(kind, 'audience').options.map((o: { value: string }) => o.value)).toEqual(['authority:koeln', 'group']);
      expect(field(kind, 'audience').hint.de).toBe(
        '„Alle Beschäftigten der Bezirksregierung Köln“ sind die Mitglieder ihrer Beschäftigten-Gruppe in Entra ID. Abteilungen stehen nicht zur Wahl, und senden lässt sich gerade nicht: Der Lotse darf die Beschäftigten-Gruppe in Entra ID nicht lesen, denn ihm fehlt die Microsoft-Graph-Berechtigung „GroupMember.Read.All“. Bitte wenden Sie sich an Ihre IT.',
      );
      expect(field(kind, 'audience').hint.en).toContain('lacks the Microsoft Graph permission "GroupMember.Read.All"');
      const before = (await allPosts()).length;
      // Graph refuses (the permission withdrawn): the refusal names it rather than "try again in a few minutes".
      for (const [lang, message] of [
        ['de-DE', 'Der Lotse darf die Beschäftigten-Gruppe Ihrer Bezirksregierung in Entra ID nicht lesen: Ihm fehlt die Microsoft-Graph-Berechtigung „GroupMember.Read.All“. Es wurde nichts verschickt. Bitte wenden Sie sich an Ihre IT.'],
        ['en-US', 'The Lotse may not read the staff group of your authority in Entra ID: it lacks the Microsoft Graph permission "GroupMember.Read.All". Nothing was sent. Please contact your IT.'],
      ] as const) {
        // The form without the departments field (it is not offered now).
        const { departments: _none, ...whole } = input({ audience: 'authority:koeln' });
        const res = await call('POST', '/api/tab/send', KOELN_IB.aadObjectId, { kind: 'post', input: whole }, lang);
        expect(res.status).toBe(400);
        expect(res.body.problems[0].message[lang.slice(0, 2)]).toBe(message);
      }
      expect((await allPosts()).length).toBe(before);
    } finally {
      suite.graph.grant('GroupMember.Read.All');
    }
  });

  it('falls back to the staff the bot knows where no staff group is configured, and the composer says so', async () => {
    expect((await post(suite.teams.installationUpdate('add', { from: DUESSELDORF_IB }))).status).toBe(200);
    const kind = await postKind(DUESSELDORF_IB.aadObjectId);
    expect(field(kind, 'audience').options.map((o: { value: string }) => o.value)).toEqual(['authority:duesseldorf', 'group']);
    expect(field(kind, 'audience').hint.de).toBe(
      '„Alle Beschäftigten der Bezirksregierung Düsseldorf“ sind die Beschäftigten, die den Lotsen schon genutzt und die Bezirksregierung Düsseldorf als ihre Bezirksregierung haben: Eine Beschäftigten-Gruppe in Entra ID ist nicht eingerichtet. Abteilungen stehen nicht zur Wahl: Dafür braucht der Lotse die Beschäftigten-Gruppe der Bezirksregierung in Entra ID.',
    );
    const res = await call('POST', '/api/tab/send', DUESSELDORF_IB.aadObjectId, { kind: 'post', input: input({ audience: 'departments:duesseldorf', departments: 'Abteilung 2' }) });
    expect(res.status).toBe(400);
    expect(await suite.app.posts.send(DUESSELDORF_IB.aadObjectId, { tenantId: DEFAULT_TENANT_ID, title: 'x', text: 'y', audience: 'departments:duesseldorf', departments: 'Abteilung 2', ack: false })).toMatchObject({
      ok: false,
      code: 'invalid',
      problems: [{ field: 'departmentsUnavailable' }],
    });
  });
});
