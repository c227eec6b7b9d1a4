import { DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, stableGuid } from '../support/activities';
import { KOELN_IB } from '../support/circle';
import { startGraphStandIn, type GraphStandIn } from '../support/graphStandIn';
import { startTabApp, TAB_AUDIENCE } from '../support/tabApp';
import { tabCall } from '../support/tabCall';
import type { TestApp } from '../support/testApp';
import { startTokenIssuer, type TokenIssuer } from '../support/tokenIssuer';

/**
 * The composer of information posts when the bot's identity may list the staff group but not read users' departments
 * (issue 17): with User.ReadBasic.All instead of User.Read.All Graph names the members but gives every department as
 * null (https://learn.microsoft.com/graph/permissions-reference#userreadbasicall), and the token's roles lack
 * User.Read.All. The IB is told which permission is missing, not that Entra knows no departments. (GroupMember.Read.All
 * alone, where Graph gives ids only, is in postsAudience.test.ts.)
 */

jest.setTimeout(120_000);

const APP_ID = DEFAULT_BOT_APP_ID;
const KOELN_STAFF = stableGuid('posts-permissions', 'staff-koeln');
const STAFF = ['Anna', 'Bert', 'Carla'].map((name, i) => ({ id: stableGuid('posts-permissions', name), upn: `${name.toLowerCase()}@bezreg-koeln.example`, displayName: name, department: i ? 'Abteilung 2' : 'Dezernat 48' }));

let issuer: TokenIssuer;
let graph: GraphStandIn;
let app: TestApp;

const postKind = async (lang: string) =>
  (await tabCall(app.url, issuer.signEntra({ oid: KOELN_IB.aadObjectId, tid: DEFAULT_TENANT_ID, aud: TAB_AUDIENCE }), 'GET', '/api/tab/me', undefined, lang)).body.sections.composer.kinds.find(
    (k: { id: string }) => k.id === 'post',
  );

beforeAll(async () => {
  issuer = await startTokenIssuer({ appId: APP_ID, endorsements: ['msteams'] });
  graph = await startGraphStandIn({ clientId: APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: ['GroupMember.Read.All', 'User.ReadBasic.All'] });
  for (const person of STAFF) graph.addUser(person);
  graph.addGroup(KOELN_STAFF, STAFF.map((p) => p.id));
  app = await startTabApp(issuer, { env: { ...graph.env(), GRAPH_GROUP_STAFF_KOELN: KOELN_STAFF } });
});
afterAll(async () => {
  await app?.stop();
  await graph?.close();
  await issuer?.close();
});

it('says the permission User.Read.All is missing when Graph names the staff but gives no departments (User.ReadBasic.All), in German and English', async () => {
  const kind = await postKind('de-DE');
  const audience = kind.fields.find((f: { name: string }) => f.name === 'audience');
  expect(audience.options.map((o: { value: string }) => o.value)).toEqual(['authority:koeln', 'group']);
  expect(kind.fields.find((f: { name: string }) => f.name === 'departments')).toBeUndefined();
  expect(audience.hint).toEqual({
    de:
      '„Alle Beschäftigten der Bezirksregierung Köln“ sind die 3 Mitglieder ihrer Beschäftigten-Gruppe in Entra ID. ' +
      'Abteilungen stehen nicht zur Wahl: Der Lotse darf die Abteilungen in Entra ID nicht lesen, denn ihm fehlt die Microsoft-Graph-Berechtigung „User.Read.All“. Bitte wenden Sie sich an Ihre IT.',
    en:
      '"All staff of the Bezirksregierung Köln" are the 3 members of its staff group in Entra ID. ' +
      'Departments cannot be chosen: the Lotse may not read departments in Entra ID, as it lacks the Microsoft Graph permission "User.Read.All". Please contact your IT.',
  });
  // Graph answered, with names and without departments (the stand-in as Graph: the basic profile).
  expect(graph.calls.filter((c) => c.path.includes('/transitiveMembers')).map((c) => c.status)).toEqual([200]);
});
