import https from 'node:https';
import { decodeJwt } from 'jose';
import { pinnedHttpsAgent } from '../../bot/graph/pinnedTls';
import { startGraphStandIn, stableGuid, type GraphStandIn } from './graphStandIn';

/** The Graph stand-in answers as Graph documents it; these tests pin the rules the adapter and the product rely on. */

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

let graph: GraphStandIn;
let agent: https.Agent;

function call(method: string, url: string, body?: unknown, token?: string | null, form?: boolean): Promise<Reply> {
  const payload = body === undefined ? undefined : form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url.startsWith('https://') ? url : `${graph.origin}${url}`,
      {
        method,
        agent,
        headers: {
          ...(payload !== undefined ? { 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function tokenFor(secret = graph.clientSecret): Promise<Reply> {
  return call(
    'POST',
    `/${graph.tenantId}/oauth2/v2.0/token`,
    { grant_type: 'client_credentials', client_id: graph.clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' },
    null,
    true,
  );
}

async function accessToken(): Promise<string> {
  const reply = await tokenFor();
  expect(reply.status).toBe(200);
  return reply.body.access_token as string;
}

const erika = { id: stableGuid('erika'), upn: 'erika.muster@bezreg.example', mail: 'e.muster@bezreg.example', displayName: 'Erika Muster' };
const max = { id: stableGuid('max'), upn: 'max@bezreg.example', mail: 'max@bezreg.example', displayName: 'Max' };

beforeEach(async () => {
  graph = await startGraphStandIn();
  agent = pinnedHttpsAgent(graph.certificateSha256);
  graph.addUser(erika);
  graph.addUser(max);
});

afterEach(async () => {
  agent.destroy();
  await graph.close();
});

describe('token endpoint', () => {
  it('issues a token whose roles are the granted application permissions, and none when nothing is granted', async () => {
    expect(decodeJwt(await accessToken()).roles).toBeUndefined();
    graph.grant('User.Read.All', 'Mail.Send');
    const claims = decodeJwt(await accessToken());
    expect(claims.roles).toEqual(['Mail.Send', 'User.Read.All']);
    expect(claims.tid).toBe(graph.tenantId);
    expect(claims.appid).toBe(graph.clientId);
  });

  it('refuses a wrong client secret with invalid_client', async () => {
    const reply = await tokenFor('wrong');
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_client');
    expect(reply.body.error_description).toMatch(/^AADSTS7000215/);
  });

  it('refuses a scope without /.default', async () => {
    const reply = await call('POST', `/${graph.tenantId}/oauth2/v2.0/token`, { grant_type: 'client_credentials', client_id: graph.clientId, client_secret: graph.clientSecret, scope: 'User.Read.All' }, null, true);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('invalid_scope');
  });

  it('serves the OpenID configuration MSAL reads for the authority', async () => {
    const reply = await call('GET', `/${graph.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(reply.body.token_endpoint).toBe(`${graph.origin}/${graph.tenantId}/oauth2/v2.0/token`);
  });
});

describe('authentication and permissions', () => {
  it('answers 401 InvalidAuthenticationToken without a token and with a forged one', async () => {
    const none = await call('GET', `/v1.0/users/${erika.id}`);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('InvalidAuthenticationToken');
    const forged = await call('GET', `/v1.0/users/${erika.id}`, undefined, 'eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJVc2VyLlJlYWQuQWxsIl19.');
    expect(forged.status).toBe(401);
  });

  it('refuses a user lookup without User.Read.All with Authorization_RequestDenied, and answers it with', async () => {
    const token = await accessToken();
    const denied = await call('GET', `/v1.0/users/${erika.upn}`, undefined, token);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('Authorization_RequestDenied');
    expect(denied.body.error.innerError['request-id']).toEqual(expect.any(String));
    graph.grant('User.Read.All');
    const ok = await call('GET', `/v1.0/users/${erika.upn}`, undefined, await accessToken());
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: erika.id, userPrincipalName: erika.upn, mail: erika.mail });
  });

  it('takes a revoked permission away at once, even from a token issued before', async () => {
    graph.grant('User.Read.All');
    const token = await accessToken();
    graph.revoke('User.Read.All');
    expect((await call('GET', `/v1.0/users/${erika.id}`, undefined, token)).status).toBe(403);
  });

  it('answers 404 Request_ResourceNotFound for an unknown user and finds one by mail with a filter', async () => {
    graph.grant('User.Read.All');
    const token = await accessToken();
    const missing = await call('GET', '/v1.0/users/nobody@bezreg.example', undefined, token);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
    const byMail = await call('GET', `/v1.0/users?$filter=${encodeURIComponent(`mail eq '${erika.mail}'`)}`, undefined, token);
    expect(byMail.body.value.map((u: { id: string }) => u.id)).toEqual([erika.id]);
  });
});

describe('installation', () => {
  const bind = () => ({ 'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${graph.catalogApp.id}` });

  it('installs with 201, tells the listener, and answers 409 Conflict the second time', async () => {
    graph.grant('TeamsAppInstallation.ReadWriteSelfForUser.All');
    const token = await accessToken();
    const installedFor: string[] = [];
    graph.onInstall((userId) => void installedFor.push(userId));
    const first = await call('POST', `/v1.0/users/${erika.id}/teamwork/installedApps`, bind(), token);
    expect(first.status).toBe(201);
    expect(installedFor).toEqual([erika.id]);
    expect(graph.installedFor(erika.id)).toEqual([graph.catalogApp.id]);
    const second = await call('POST', `/v1.0/users/${erika.id}/teamwork/installedApps`, bind(), token);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('Conflict');
  });

  it('refuses installation without a TeamsAppInstallation permission with 403 Forbidden', async () => {
    graph.grant('User.Read.All');
    const reply = await call('POST', `/v1.0/users/${erika.id}/teamwork/installedApps`, bind(), await accessToken());
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('Forbidden');
    expect(graph.installedFor(erika.id)).toEqual([]);
  });

  it('lists the installation filtered by catalog id, with the app expanded', async () => {
    graph.grant('TeamsAppInstallation.ReadWriteSelfForUser.All');
    graph.setInstalled(max.id, true);
    const token = await accessToken();
    const q = `$expand=teamsApp&$filter=${encodeURIComponent(`teamsApp/id eq '${graph.catalogApp.id}'`)}`;
    const has = await call('GET', `/v1.0/users/${max.id}/teamwork/installedApps?${q}`, undefined, token);
    expect(has.body.value).toHaveLength(1);
    expect(has.body.value[0].teamsApp.externalId).toBe(graph.catalogApp.externalId);
    const hasNot = await call('GET', `/v1.0/users/${erika.id}/teamwork/installedApps?${q}`, undefined, token);
    expect(hasNot.body.value).toEqual([]);
  });

  it('finds the catalog app by its manifest id only with AppCatalog.Read.All', async () => {
    graph.grant('TeamsAppInstallation.ReadWriteSelfForUser.All');
    const q = `$filter=${encodeURIComponent(`externalId eq '${graph.catalogApp.externalId}'`)}`;
    expect((await call('GET', `/v1.0/appCatalogs/teamsApps?${q}`, undefined, await accessToken())).status).toBe(403);
    graph.grant('AppCatalog.Read.All');
    const reply = await call('GET', `/v1.0/appCatalogs/teamsApps?${q}`, undefined, await accessToken());
    expect(reply.body.value).toEqual([expect.objectContaining({ id: graph.catalogApp.id })]);
  });
});

describe('groups', () => {
  it('lists transitive user members over pages linked by @odata.nextLink, nested groups included once', async () => {
    graph.grant('GroupMember.Read.All');
    const ids = Array.from({ length: 7 }, (_, i) => stableGuid(`m${i}`));
    ids.forEach((id, i) => graph.addUser({ id, upn: `m${i}@bezreg.example` }));
    const outer = stableGuid('outer');
    const inner = stableGuid('inner');
    graph.addGroup(inner, [ids[4] as string, ids[5] as string, ids[6] as string, ids[0] as string]);
    graph.addGroup(outer, ids.slice(0, 4), [inner]);
    const token = await accessToken();
    const seen: string[] = [];
    let url: string | undefined = `/v1.0/groups/${outer}/transitiveMembers/microsoft.graph.user?$top=3`;
    let pages = 0;
    while (url) {
      const reply: Reply = await call('GET', url, undefined, token);
      expect(reply.status).toBe(200);
      seen.push(...reply.body.value.map((u: { id: string }) => u.id));
      url = reply.body['@odata.nextLink'];
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('lists members to GroupMember.Read.All alone with their id only (every other property null, never 403), names with User.ReadBasic.All, department only with User.Read.All and only on $select; an unknown property is 400', async () => {
    // https://learn.microsoft.com/graph/api/group-list-transitivemembers ("Permissions": limited information);
    // https://learn.microsoft.com/graph/permissions-overview#limited-information-returned-for-inaccessible-member-objects ;
    // https://learn.microsoft.com/graph/permissions-reference#userreadbasicall ; https://learn.microsoft.com/graph/api/resources/user ("Returned only on $select")
    graph.grant('GroupMember.Read.All');
    const id = stableGuid('dept');
    graph.addUser({ id, upn: 'dept@bezreg.example', mail: 'dora@bezreg.example', displayName: 'Dora', department: 'Dezernat 48' });
    const group = stableGuid('dept-group');
    graph.addGroup(group, [id]);
    const members = `/v1.0/groups/${group}/transitiveMembers/microsoft.graph.user`;
    const withSelect = `${members}?$select=id,displayName,mail,department`;
    const limited = await call('GET', withSelect, undefined, await accessToken());
    expect(limited.status).toBe(200);
    expect(limited.body.value).toEqual([{ '@odata.type': '#microsoft.graph.user', id, displayName: null, mail: null, department: null }]);
    expect((await call('GET', members, undefined, await accessToken())).body.value).toEqual([
      { '@odata.type': '#microsoft.graph.user', id, displayName: null, userPrincipalName: null, mail: null },
    ]);
    graph.grant('User.ReadBasic.All');
    expect((await call('GET', withSelect, undefined, await accessToken())).body.value).toEqual([
      { '@odata.type': '#microsoft.graph.user', id, displayName: 'Dora', mail: 'dora@bezreg.example', department: null },
    ]);
    graph.grant('User.Read.All');
    expect((await call('GET', withSelect, undefined, await accessToken())).body.value).toEqual([
      { '@odata.type': '#microsoft.graph.user', id, displayName: 'Dora', mail: 'dora@bezreg.example', department: 'Dezernat 48' },
    ]);
    expect((await call('GET', members, undefined, await accessToken())).body.value[0]).not.toHaveProperty('department');
    const bad = await call('GET', `${members}?$select=id,shoeSize`, undefined, await accessToken());
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('Request_BadRequest');
  });

  it('answers 404 for an unknown group', async () => {
    graph.grant('GroupMember.Read.All');
    const reply = await call('GET', `/v1.0/groups/${stableGuid('none')}/transitiveMembers/microsoft.graph.user`, undefined, await accessToken());
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('Request_ResourceNotFound');
  });
});

describe('$batch', () => {
  it('answers each request with its own status and refuses more than 20', async () => {
    graph.grant('User.Read.All');
    const token = await accessToken();
    const reply = await call(
      'POST',
      '/v1.0/$batch',
      { requests: [{ id: '1', method: 'GET', url: `/users/${erika.upn}` }, { id: '2', method: 'GET', url: '/users/nobody@bezreg.example' }] },
      token,
    );
    expect(reply.status).toBe(200);
    const byId = Object.fromEntries(reply.body.responses.map((r: { id: string }) => [r.id, r]));
    expect(byId['1']).toMatchObject({ status: 200, body: { id: erika.id } });
    expect(byId['2']).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    const tooMany = await call('POST', '/v1.0/$batch', { requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${erika.id}` })) }, token);
    expect(tooMany.status).toBe(400);
  });
});

describe('throttling', () => {
  it('answers 429 TooManyRequests with Retry-After beyond the installation limit, inside a batch per request', async () => {
    graph.grant('TeamsAppInstallation.ReadWriteSelfForUser.All');
    let clock = 1_000_000;
    await graph.close();
    graph = await startGraphStandIn({ permissions: ['TeamsAppInstallation.ReadWriteSelfForUser.All'], now: () => clock });
    agent.destroy();
    agent = pinnedHttpsAgent(graph.certificateSha256);
    graph.addUser(erika);
    graph.addUser(max);
    graph.throttle({ install: { limit: 1, windowMs: 10_000 } });
    const token = await accessToken();
    const bind = { 'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${graph.catalogApp.id}` };
    const reply = await call(
      'POST',
      '/v1.0/$batch',
      {
        requests: [
          { id: 'a', method: 'POST', url: `/users/${erika.id}/teamwork/installedApps`, body: bind, headers: { 'Content-Type': 'application/json' } },
          { id: 'b', method: 'POST', url: `/users/${max.id}/teamwork/installedApps`, body: bind, headers: { 'Content-Type': 'application/json' } },
        ],
      },
      token,
    );
    expect(reply.status).toBe(200);
    const b = reply.body.responses.find((r: { id: string }) => r.id === 'b');
    expect(b.status).toBe(429);
    expect(b.headers['Retry-After']).toBe('10');
    expect(b.body.error.code).toBe('TooManyRequests');
    clock += 10_000;
    const later = await call('POST', `/v1.0/users/${max.id}/teamwork/installedApps`, bind, token);
    expect(later.status).toBe(201);
  });

  it('throttles the next n matching requests on demand', async () => {
    graph.grant('User.Read.All');
    const token = await accessToken();
    graph.throttle({ next: 1, match: '/users/', retryAfterSeconds: 2 });
    const first = await call('GET', `/v1.0/users/${erika.id}`, undefined, token);
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('2');
    expect((await call('GET', `/v1.0/users/${erika.id}`, undefined, token)).status).toBe(200);
    expect(graph.calls.filter((c) => c.path.startsWith('/v1.0/')).map((c) => c.status)).toEqual([429, 200]);
  });
});

describe('calendar and mail', () => {
  const event = { subject: 'Kreis', start: { dateTime: '2031-03-04T10:00:00', timeZone: 'Europe/Berlin' }, end: { dateTime: '2031-03-04T11:00:00', timeZone: 'Europe/Berlin' }, isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness', transactionId: 'circle:1' };

  it('creates an event with a join link once per transactionId, updates and cancels it', async () => {
    graph.grant('Calendars.ReadWrite');
    const token = await accessToken();
    const first = await call('POST', `/v1.0/users/${max.upn}/events`, event, token);
    expect(first.status).toBe(201);
    expect(first.body.onlineMeeting.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\//);
    const again = await call('POST', `/v1.0/users/${max.upn}/events`, event, token);
    expect(again.body.id).toBe(first.body.id);
    expect(graph.events).toHaveLength(1);
    const moved = await call('PATCH', `/v1.0/users/${max.upn}/events/${first.body.id}`, { subject: 'Kreis (verlegt)' }, token);
    expect(moved.status).toBe(200);
    expect(moved.body.onlineMeeting.joinUrl).toBe(first.body.onlineMeeting.joinUrl);
    expect((await call('POST', `/v1.0/users/${max.upn}/events/${first.body.id}/cancel`, { comment: 'Abgesagt' }, token)).status).toBe(202);
    expect(graph.events[0]).toMatchObject({ cancelled: true, cancelComment: 'Abgesagt', updates: 1 });
    expect((await call('POST', `/v1.0/users/${max.upn}/events/${first.body.id}/cancel`, { comment: 'x' }, token)).status).toBe(404);
  });

  it('lists the events a create with a transactionId made, without the cancelled ones; refuses other filters', async () => {
    graph.grant('Calendars.ReadWrite');
    const token = await accessToken();
    const find = (tx: string) => call('GET', `/v1.0/users/${max.upn}/events?$filter=${encodeURIComponent(`transactionId eq '${tx}'`)}&$select=id,isCancelled&$top=1`, undefined, token);
    expect((await find('report:1')).body.value).toEqual([]);
    const made = await call('POST', `/v1.0/users/${max.upn}/events`, { ...event, transactionId: 'report:1' }, token);
    expect((await find('report:1')).body.value.map((e: { id: string }) => e.id)).toEqual([made.body.id]);
    expect((await find('report:2')).body.value).toEqual([]);
    await call('POST', `/v1.0/users/${max.upn}/events/${made.body.id}/cancel`, { comment: 'Abgesagt' }, token);
    expect((await find('report:1')).body.value).toEqual([]);
    expect((await call('GET', `/v1.0/users/${max.upn}/events?$filter=${encodeURIComponent("subject eq 'Kreis'")}`, undefined, token)).status).toBe(400);
  });

  it('refuses a calendar write without Calendars.ReadWrite and sends mail only with Mail.Send', async () => {
    const token = await accessToken();
    const denied = await call('POST', `/v1.0/users/${max.upn}/events`, event, token);
    expect(denied.status).toBe(403);
    const mail = { message: { subject: 'Vortrag', body: { contentType: 'text', content: 'Hallo' }, toRecipients: [{ emailAddress: { address: erika.mail } }] }, saveToSentItems: true };
    expect((await call('POST', `/v1.0/users/${max.upn}/sendMail`, mail, token)).status).toBe(403);
    graph.grant('Mail.Send');
    expect((await call('POST', `/v1.0/users/${max.upn}/sendMail`, mail, await accessToken())).status).toBe(202);
    expect(graph.sentMail).toEqual([expect.objectContaining({ from: max.upn, to: [erika.mail], subject: 'Vortrag' })]);
  });
});

it('gives the environment that points a bot at it', () => {
  expect(graph.env()).toMatchObject({
    GRAPH_ENABLED: 'true',
    LOTSE_TEST_MODE: 'true',
    GRAPH_AUTHORITY_HOST: graph.origin,
    GRAPH_BASE_URL: `${graph.origin}/v1.0`,
    GRAPH_TEST_CERT_SHA256: graph.certificateSha256,
    MicrosoftAppId: graph.clientId,
    MicrosoftAppTenantId: graph.tenantId,
  });
});

describe("the person's chat with the app (read back before an uncertain resend)", () => {
  const text = 'Ihr Anliegen ist **in Bearbeitung** & bald erledigt.\nDanke';
  const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Karte' }] };
  beforeEach(() => {
    graph.setInstalled(erika.id, true);
    graph.linkChats((aad) =>
      aad === erika.id
        ? [
            { id: String(Date.parse('2026-12-07T09:00:00Z')), activity: { text } },
            { id: String(Date.parse('2026-12-07T09:05:00Z')), activity: { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] } },
          ]
        : [],
    );
  });

  async function chatId(token: string): Promise<string> {
    const apps = await call('GET', `/v1.0/users/${erika.id}/teamwork/installedApps?$filter=${encodeURIComponent(`teamsApp/id eq '${graph.catalogApp.id}'`)}`, undefined, token);
    const chat = await call('GET', `/v1.0/users/${erika.id}/teamwork/installedApps/${encodeURIComponent(apps.body.value[0].id)}/chat`, undefined, token);
    expect(chat.status).toBe(200);
    return chat.body.id as string;
  }

  it('gives the chat of an installation (19:…@unq.gbl.spaces), 404 for a person without the app', async () => {
    graph.grant('TeamsAppInstallation.ReadForUser.All');
    const token = await accessToken();
    expect(await chatId(token)).toBe(`19:${erika.id}_${graph.clientId}@unq.gbl.spaces`);
    const other = Buffer.from(`${max.id}##${graph.catalogApp.id}`).toString('base64');
    expect((await call('GET', `/v1.0/users/${max.id}/teamwork/installedApps/${encodeURIComponent(other)}/chat`, undefined, token)).status).toBe(404);
  });

  it('lists the messages newest first as chatMessages: text as HTML, cards as JSON strings, from the bot application', async () => {
    graph.grant('TeamsAppInstallation.ReadForUser.All', 'Chat.Read.All');
    const token = await accessToken();
    const id = await chatId(token);
    const reply = await call('GET', `/v1.0/chats/${encodeURIComponent(id)}/messages?$top=50&$orderby=lastModifiedDateTime desc`, undefined, token);
    expect(reply.status).toBe(200);
    const [newest, oldest] = reply.body.value;
    expect(newest.attachments[0]).toMatchObject({ contentType: 'application/vnd.microsoft.card.adaptive', content: JSON.stringify(card) });
    expect(oldest.body).toEqual({ contentType: 'html', content: '<p>Ihr Anliegen ist <strong>in Bearbeitung</strong> &amp; bald erledigt.<br>Danke</p>' });
    expect(oldest.from.application).toMatchObject({ id: graph.clientId, applicationIdentityType: 'bot' });
    const since = await call('GET', `/v1.0/chats/${encodeURIComponent(id)}/messages?$orderby=lastModifiedDateTime desc&$filter=lastModifiedDateTime gt 2026-12-07T09:01:00Z`, undefined, token);
    expect(since.body.value.map((m: { id: string }) => m.id)).toEqual([newest.id]);
  });

  it('refuses what Graph refuses: no Chat.Read.All (403), $top over 50, ascending order, a createdDateTime gt filter (400)', async () => {
    graph.grant('TeamsAppInstallation.ReadForUser.All');
    let token = await accessToken();
    const id = await chatId(token);
    const list = (q: string) => call('GET', `/v1.0/chats/${encodeURIComponent(id)}/messages?${q}`, undefined, token);
    expect((await list('$top=10')).status).toBe(403);
    graph.grant('Chat.Read.All');
    token = await accessToken();
    expect((await list('$top=51')).status).toBe(400);
    expect((await list('$orderby=createdDateTime asc')).status).toBe(400);
    expect((await list('$orderby=createdDateTime desc&$filter=createdDateTime gt 2026-12-07T09:01:00Z')).status).toBe(400);
    expect((await list('$top=10')).status).toBe(200);
  });
});
