import { readFileSync } from 'node:fs';
import path from 'node:path';
import { postRefusalText } from '../../../bot/handlers/posts';
import { parseDirectory } from '../../../services/directory/validate';
import { GraphError } from '../../../services/graph/graphPort';
import { silentLogger } from '../../../services/logging';
import type { PostsDoc } from '../../../services/posts/model';
import { PostService } from '../../../services/posts/postService';
import type { StaffRoster } from '../../../services/posts/staffRoster';
import { MemoryDocumentStore } from '../../support/memoryDocumentStore';

/**
 * Why a post to the whole authority is refused when its Entra staff group cannot be read at sending: a refusal by Graph
 * (a permission missing) is named as such, since waiting will not help; a failure that may pass (5xx, throttled,
 * unreachable) asks to try again in a few minutes. Nothing is stored either way.
 */

const KOELN_IB = '00000000-0000-4000-8000-000400000001';
const parsed = parseDirectory(readFileSync(path.join(__dirname, '..', '..', '..', 'data', 'demo-directory.json'), 'utf8'));
if (!parsed.ok) throw new Error('demo directory invalid');
const directory = parsed.directory;

function serviceFailingWith(error: GraphError) {
  const store = new MemoryDocumentStore<PostsDoc>('posts');
  const staff = { configured: () => true, members: async () => Promise.reject(error) } as unknown as StaffRoster;
  const service = new PostService({
    store,
    users: { query: async () => [] } as never,
    directory: () => directory,
    relay: { kick: () => undefined, relayed: () => false },
    outbox: {} as never,
    scheduler: {} as never,
    reports: {} as never,
    langOf: async () => 'de',
    logger: silentLogger,
    staff,
  });
  return { store, service };
}

it.each([
  ['a refusal by Graph', new GraphError('Authorization_RequestDenied', 'forbidden', 403), 'staffForbidden', 'Ihm fehlt die Microsoft-Graph-Berechtigung „GroupMember.Read.All“'],
  ['a failure that may pass', new GraphError('serviceUnavailable', 'transient', 503), 'staffUnavailable', 'bitte versuchen Sie es in einigen Minuten erneut'],
])('refuses a post to all staff on %s, with its own reason, storing nothing', async (_name, error, reason, words) => {
  const { store, service } = serviceFailingWith(error);
  const result = await service.send(KOELN_IB, { tenantId: 't', title: 'Sprechstunde', text: 'Ab Januar dienstags.', audience: 'authority:koeln', ack: false });
  expect(result).toMatchObject({ ok: false, code: 'unavailable', reason });
  if (result.ok || result.code === 'stale') throw new Error('expected a refusal');
  expect(postRefusalText('de', result)).toContain(words);
  expect(await store.query({ query: 'SELECT * FROM c' })).toEqual([]);
});
