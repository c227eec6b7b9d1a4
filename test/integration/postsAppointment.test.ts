import { CONTAINERS } from '../../services/storage/containers';
import { UserProfileRepository, type UserProfile } from '../../services/users/userProfiles';
import { DEFAULT_TENANT_ID, stableGuid, user } from '../support/activities';
import { APP_ID, appointmentDrafts, appointNewKoelnIb, cardOf, chatOf, textOf, usePostsSuite } from '../support/postsSuite';

/**
 * RdErl. Nr. 3 over HTTP: a new IB in the directory gets the announcement of the appointment prepared; it goes out only
 * when the new IB confirms it on the card, to the staff of the authority, with a copy by e-mail to the ministry
 * contact (Graph's sendMail from GRAPH_MAIL_FROM, the Graph stand-in enforcing Mail.Send).
 */

const NOW = new Date('2026-12-01T09:00:00Z');
const MAILBOX = 'integrationslotse@bezreg-arnsberg.example';
const MINISTRY = 'integration@ministerium.example';
const NEW_IB = user({ name: 'Nina Neu (Beispiel)', aadObjectId: stableGuid('posts-appointment', 'nina') });
const ANNA = user({ name: 'Anna Beispiel', aadObjectId: stableGuid('posts-appointment', 'anna') });

jest.setTimeout(90_000);

describe('a new IB is made known (Nr. 3) once they confirm', () => {
  const suite = usePostsSuite({
    databaseId: 'posts-appointment-test',
    now: () => NOW,
    host: 'bot',
    graph: { clientId: APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: ['Mail.Send'] },
    prepareGraph: (graph) => graph.addUser({ id: stableGuid('posts-appointment', 'mailbox'), upn: MAILBOX, mail: MAILBOX, displayName: 'Integrations-Lotse' }),
    env: { GRAPH_MAIL_FROM: MAILBOX, POST_MINISTRY_CONTACT: MINISTRY },
  });
  const { post } = suite;
  const drafts = () => appointmentDrafts(suite);

  beforeAll(async () => {
    for (const p of [NEW_IB, ANNA]) expect((await post(suite.teams.installationUpdate('add', { from: p }))).status).toBe(200);
    const profiles = new UserProfileRepository(suite.database.store<UserProfile>(CONTAINERS.users), { ttlMs: 0, maxEntries: 10 });
    await profiles.update(ANNA.aadObjectId, DEFAULT_TENANT_ID, (p) => ({ ...p, homeAuthority: 'koeln', homeAuthoritySource: 'chosen' }));
    await suite.app.delivery.whenIdle();
  });

  it('prepares nothing while the directory’s IB stay the same', async () => {
    await suite.app.posts.checkAppointments();
    await suite.app.posts.checkAppointments();
    expect(await drafts()).toEqual([]);
  });

  it('prepares the announcement when Köln has a new IB, sends it to her to confirm, and refuses anyone else’s confirmation', async () => {
    await appointNewKoelnIb(suite, NEW_IB, NOW);

    await suite.app.posts.checkAppointments();
    await suite.app.posts.checkAppointments();
    const [draft, ...more] = await drafts();
    expect(more).toEqual([]);
    expect(draft).toMatchObject({ status: 'draft', sender: NEW_IB.aadObjectId, audience: { kind: 'authority', authority: 'koeln' }, ministryCopy: { to: MINISTRY, state: 'pending' } });
    await suite.app.delivery.whenIdle();
    const [confirmCard] = suite.emulator.activitiesTo(chatOf(NEW_IB)).filter((a) => cardOf(a) && JSON.stringify(cardOf(a)).includes('post.confirm'));
    expect(textOf(cardOf(confirmCard!))).toContain('Die Bekanntmachung Ihrer Bestellung ist vorbereitet');
    // Nothing has gone to the staff yet.
    expect(suite.emulator.activitiesTo(chatOf(ANNA)).filter((a) => String(a.summary ?? '').startsWith('Information'))).toEqual([]);

    const refused = await post(suite.teams.cardAction('post.confirm', { postId: draft!.pk }, { from: ANNA }));
    expect(refused.body.statusCode).toBe(403);
    expect(refused.body.value.message).toBe('Diese Bekanntmachung bestätigt die oder der neue Integrationsbeauftragte oder eine Verzeichnis-Administration.');
  });

  it('sends it to the staff of Köln and mails the ministry once the new IB confirms; a second confirmation sends nothing', async () => {
    const [draft] = await drafts();
    const confirmed = await post(suite.teams.cardAction('post.confirm', { postId: draft!.pk }, { from: NEW_IB }));
    expect(confirmed.body.statusCode).toBe(200);
    expect(textOf(confirmed.body.value)).toContain('Die Bekanntmachung ist verschickt.');
    expect((await post(suite.teams.cardAction('post.confirm', { postId: draft!.pk }, { from: NEW_IB }))).body.statusCode).toBe(200);
    await suite.app.delivery.whenIdle();
    const cards = suite.emulator.activitiesTo(chatOf(ANNA)).filter((a) => String(a.summary ?? '').startsWith('Information'));
    expect(cards).toHaveLength(1);
    const text = textOf(cardOf(cards[0]!));
    expect(text).toContain('Neu bestellt: Integrationsbeauftragte der Bezirksregierung Köln');
    expect(text).toContain('Nina Neu (Beispiel) ist seit dem 01.12.2026 Integrationsbeauftragte/r der Bezirksregierung Köln');
    expect(suite.graph.sentMail).toEqual([expect.objectContaining({ from: MAILBOX, to: [MINISTRY], subject: 'Bestellung der/des Integrationsbeauftragten der Bezirksregierung Köln (RdErl. v. 5.12.2023, Nr. 3)' })]);
  });
});
