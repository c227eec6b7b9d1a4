import { AuditLog, type AuditEntry } from '../../services/audit/auditLog';
import { DirectoryRepository, type DirectoryDoc } from '../../services/directory/directoryRepository';
import type { Directory } from '../../services/directory/model';
import type { OutboxDoc } from '../../services/notifications/model';
import type { PostDoc } from '../../services/posts/model';
import { CONTAINERS } from '../../services/storage/containers';
import { DEFAULT_TENANT_ID, stableGuid, user, type TeamsUser } from '../support/activities';
import type { ConnectorActivity } from '../support/channelEmulator';
import { eventually } from '../support/circle';
import { APP_ID, appointmentDrafts, appointNewKoelnIb, cardOf, chatOf, textOf, usePostsSuite } from '../support/postsSuite';

/**
 * RdErl. Nr. 3 with the authority's Entra staff group (GRAPH_GROUP_STAFF_KOELN): the announcement of a new IB reaches
 * the group's transitive members (a nested group, Graph's server-side pages of 2), the ministry contact gets the copy by e-mail,
 * and the new IB sees the delivery count. When Graph refuses to list the group (the permission withdrawn), the new IB is
 * told politely in their language and nothing goes anywhere: not to the staff, not to the ministry; the draft waits.
 * When Graph refuses the ministry's e-mail, that is recorded once and the new IB's status card says so.
 */

const NOW = new Date('2026-12-01T09:00:00Z');
const MAILBOX = 'integrationslotse@bezreg-arnsberg.example';
const MINISTRY = 'integration@ministerium.example';
const STAFF_GROUP = stableGuid('appointment-staff', 'group');
const SUB_GROUP = stableGuid('appointment-staff', 'dezernat-36');
const NEW_IB = user({ name: 'Nina Neu (Beispiel)', aadObjectId: stableGuid('appointment-staff', 'nina') });
const staff = (name: string) => user({ name, aadObjectId: stableGuid('appointment-staff', name) });
const DIRECT = [staff('Anna Gruppe'), staff('Bert Gruppe')];
const NESTED = [staff('Carla Dezernat'), staff('Dora Dezernat'), staff('Emil Dezernat')];
const OUTSIDER = staff('Olga Anderswo'); // staff of Münster
const MUENSTER_GROUP = stableGuid('appointment-staff', 'muenster');
const NEW_MS_IB = user({ name: 'Mona Münster (Beispiel)', aadObjectId: stableGuid('appointment-staff', 'mona') });

jest.setTimeout(90_000);

describe('a new IB is made known to the members of the authority’s Entra staff group (Nr. 3)', () => {
  const members = [...DIRECT, ...NESTED];
  const suite = usePostsSuite({
    databaseId: 'posts-appointment-staff-test',
    now: () => NOW,
    host: 'bot',
    graph: { clientId: APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: ['Mail.Send', 'GroupMember.Read.All', 'User.Read.All'], serverPageLimit: 2 },
    prepareGraph: (graph) => {
      graph.addUser({ id: stableGuid('appointment-staff', 'mailbox'), upn: MAILBOX, mail: MAILBOX, displayName: 'Integrations-Lotse' });
      for (const p of [...members, NEW_IB, OUTSIDER]) graph.addUser({ id: p.aadObjectId, upn: `${p.aadObjectId}@bezreg-koeln.example`, displayName: p.name, department: 'Dezernat 36' });
      // The staff group: two people directly, three through the group of Dezernat 36, and the new IB herself.
      graph.addGroup(SUB_GROUP, NESTED.map((p) => p.aadObjectId));
      graph.addGroup(STAFF_GROUP, [...DIRECT, NEW_IB].map((p) => p.aadObjectId), [SUB_GROUP]);
      graph.addGroup(MUENSTER_GROUP, [OUTSIDER.aadObjectId]);
    },
    env: { GRAPH_MAIL_FROM: MAILBOX, POST_MINISTRY_CONTACT: MINISTRY, GRAPH_GROUP_STAFF_KOELN: STAFF_GROUP, GRAPH_GROUP_STAFF_MUENSTER: MUENSTER_GROUP },
  });
  const { post, postsIn } = suite;
  const drafts = () => appointmentDrafts(suite);
  const outboxOf = (pk: string) => suite.database.store<OutboxDoc>(CONTAINERS.outbox).query({ query: 'SELECT * FROM c WHERE STARTSWITH(c.key, @p) OR STARTSWITH(c.notificationKey, @p)', parameters: [{ name: '@p', value: `post:${pk}:` }] });
  let directory: Directory;

  beforeAll(async () => {
    for (const p of [...members, OUTSIDER]) expect((await post(suite.teams.installationUpdate('add', { from: p }))).status).toBe(200);
    for (const p of [NEW_IB, NEW_MS_IB]) expect((await post(suite.teams.installationUpdate('add', { from: p }))).status).toBe(200);
    // Nina uses Teams in English.
    expect((await post(suite.teams.message('help', { from: NEW_IB, locale: 'en-US' }))).status).toBe(200);
    await suite.app.posts.checkAppointments();
    // Köln gets a new IB in the directory; the job prepares the announcement for her to confirm.
    directory = await appointNewKoelnIb(suite, NEW_IB, NOW);
    await suite.app.posts.checkAppointments();
    await suite.app.delivery.whenIdle();
  });

  it('tells the new IB politely when Graph may not list the staff group, in English and German, and sends nothing anywhere', async () => {
    const [draft] = await drafts();
    expect(draft).toMatchObject({ status: 'draft', audience: { kind: 'authority', authority: 'koeln' } });
    suite.graph.revoke('GroupMember.Read.All');
    const en = await post(suite.teams.cardAction('post.confirm', { postId: draft!.pk }, { from: NEW_IB, locale: 'en-US' }));
    expect(en.body.statusCode).toBe(400);
    expect(en.body.value.message).toBe('The Lotse may not read the staff group of your authority in Entra ID: it lacks the Microsoft Graph permission "GroupMember.Read.All". Nothing was sent, not to the ministry either. Please contact your IT; then confirm again.');
    const de = await post(suite.teams.cardAction('post.confirm', { postId: draft!.pk }, { from: NEW_IB }));
    expect(de.body.statusCode).toBe(400);
    expect(de.body.value.message).toBe('Der Lotse darf die Beschäftigten-Gruppe Ihrer Bezirksregierung in Entra ID nicht lesen: Ihm fehlt die Microsoft-Graph-Berechtigung „GroupMember.Read.All“. Es wurde nichts verschickt, auch nicht an das Ministerium. Bitte wenden Sie sich an Ihre IT und bestätigen Sie danach erneut.');
    // An information post of hers to all staff is refused for the same reason (the composer shows the same words).
    const own = await suite.app.posts.send(NEW_IB.aadObjectId, { tenantId: DEFAULT_TENANT_ID, title: 'Sprechstunde', text: 'Ab Januar dienstags.', audience: 'authority:koeln', ack: false });
    expect(own).toMatchObject({ ok: false, code: 'unavailable', reason: 'staffForbidden' });
    await suite.app.delivery.whenIdle();
    // Nothing half-sent: the draft waits unchanged, no card to anyone, no mail, nothing in the outbox but the draft card.
    expect((await drafts())[0]).toMatchObject({ status: 'draft', recipients: [] });
    expect(await suite.database.store<PostDoc>(CONTAINERS.posts).query({ query: "SELECT * FROM c WHERE c.type = 'post' AND c.kind = 'info'" })).toEqual([]);
    for (const p of [...members, OUTSIDER]) expect(postsIn(p)).toEqual([]);
    expect(suite.graph.sentMail).toEqual([]);
    expect((await outboxOf(draft!.pk)).map((d) => (d as { key?: string; notificationKey?: string }).key ?? (d as { notificationKey?: string }).notificationKey)).toEqual([`post:${draft!.pk}:confirm:en`]);
    expect(suite.app.logs.raw.join('\n')).not.toContain(NEW_IB.aadObjectId);
  });

  it('once the permission is granted, reaches every transitive member over several pages, mails the ministry once, and shows Nina the count', async () => {
    suite.graph.grant('GroupMember.Read.All');
    const [draft] = await drafts();
    const confirmed = await post(suite.teams.cardAction('post.confirm', { postId: draft!.pk }, { from: NEW_IB, locale: 'en-US' }));
    expect(confirmed.body.statusCode).toBe(200);
    const sent = (await drafts())[0]!;
    expect(sent.status).toBe('sent');
    expect([...sent.recipients].sort()).toEqual(members.map((p) => p.aadObjectId).sort());
    // Graph was read page by page (server-side pages of 2: three pages for six members).
    const reads = suite.graph.calls.filter((c) => c.path.includes(`/groups/${STAFF_GROUP}/transitiveMembers`) && c.status === 200);
    expect(reads.length).toBeGreaterThanOrEqual(3);
    await eventually(async () => (await suite.app.delivery.reports.report(`post:${sent.pk}:announce`)).delivered === members.length);
    await suite.app.delivery.whenIdle();
    for (const p of members) {
      expect(postsIn(p)).toHaveLength(1);
      expect(textOf(cardOf(postsIn(p)[0]!))).toContain('Neu bestellt: Integrationsbeauftragte der Bezirksregierung Köln');
    }
    expect(postsIn(OUTSIDER)).toEqual([]);
    expect(suite.graph.sentMail).toEqual([expect.objectContaining({ from: MAILBOX, to: [MINISTRY], subject: 'Bestellung der/des Integrationsbeauftragten der Bezirksregierung Köln (RdErl. v. 5.12.2023, Nr. 3)' })]);
    expect((await drafts())[0]!.ministryCopy).toEqual({ to: MINISTRY, state: 'sent' });

    // Nina's status card in her chat, updated in place once every card has settled: the count and the ministry copy.
    const statusCard = () => suite.emulator.visibleActivities(chatOf(NEW_IB)).map((a) => textOf(cardOf(a as ConnectorActivity))).filter((t) => t.startsWith('Your information:'));
    await eventually(() => statusCard()[0]?.includes('Delivered to 5 of 5') === true && statusCard()[0]?.includes('): sent.') === true);
    await suite.app.delivery.whenIdle();
    expect(statusCard()).toHaveLength(1);
    expect(statusCard()[0]).not.toContain('on the way');
    expect(statusCard()[0]).toContain('Copy to the ministry (integration@ministerium.example): sent.');
    // The card's „Refresh“ shows the same, in English; a second confirmation sends nothing more.
    const status = await post(suite.teams.cardAction('post.status', { postId: sent.pk }, { from: NEW_IB, locale: 'en-US' }));
    expect(status.body.statusCode).toBe(200);
    expect(textOf(status.body.value)).toContain('Delivered to 5 of 5');
    expect(textOf(status.body.value)).toContain('Copy to the ministry (integration@ministerium.example): sent.');
    expect((await post(suite.teams.cardAction('post.confirm', { postId: sent.pk }, { from: NEW_IB, locale: 'en-US' }))).body.statusCode).toBe(200);
    await suite.app.delivery.whenIdle();
    for (const p of members) expect(postsIn(p)).toHaveLength(1);
    expect(suite.graph.sentMail).toHaveLength(1);
  });

  it('records a ministry copy Graph refused, once, and tells the new IB to send it themselves; the staff still get the announcement', async () => {
    suite.graph.revoke('Mail.Send');
    const muenster = directory.authorities.find((a) => a.code === 'muenster')!;
    muenster.commissioner = { ...muenster.commissioner!, id: 'muenster-ib-neu', name: NEW_MS_IB.name, appointedOn: '2026-12-01', teams: { upn: 'mona@bezreg-muenster.example', aadObjectId: NEW_MS_IB.aadObjectId } };
    const repo = new DirectoryRepository(suite.database.store<DirectoryDoc>(CONTAINERS.directory), new AuditLog(suite.database.store<AuditEntry>(CONTAINERS.audit)));
    await repo.importDirectory(directory, 'test', NOW, { preferFile: true });
    await suite.app.answers.refresh(true);
    await suite.app.posts.checkAppointments();
    const draft = (await drafts()).find((d) => d.sender === NEW_MS_IB.aadObjectId)!;
    expect(draft).toMatchObject({ status: 'draft', ministryCopy: { to: MINISTRY, state: 'pending' } });
    expect((await post(suite.teams.cardAction('post.confirm', { postId: draft.pk }, { from: NEW_MS_IB }))).body.statusCode).toBe(200);
    await eventually(async () => (await drafts()).find((d) => d.pk === draft.pk)?.ministryCopy?.state === 'failed');
    await suite.app.delivery.whenIdle();
    const stored = (await drafts()).find((d) => d.pk === draft.pk)!;
    expect(stored.pending ?? []).toEqual([]);
    expect(postsIn(OUTSIDER)).toHaveLength(1);
    expect(suite.graph.sentMail).toHaveLength(1);
    const status = await post(suite.teams.cardAction('post.status', { postId: draft.pk }, { from: NEW_MS_IB }));
    expect(textOf(status.body.value)).toContain('Zugestellt an 1 von 1');
    expect(textOf(status.body.value)).toContain('Kopie an das Ministerium (integration@ministerium.example): Microsoft Graph hat die E-Mail abgelehnt. Bitte senden Sie die Bekanntmachung selbst dorthin.');
  });
});
