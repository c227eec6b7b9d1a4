import { UserProfileRepository, type UserProfile } from '../../services/users/userProfiles';
import { MemoryDocumentStore } from '../support/memoryDocumentStore';

/**
 * Two instances of the service share one database (issue 16): each has its own profile cache. A person's choice
 * written through instance A must be what instance B answers their next request with.
 */
describe('user profiles with two instances on one database', () => {
  const TTL = 30_000;
  let clock = Date.parse('2026-03-02T09:00:00Z');
  const now = () => clock;
  const store = new MemoryDocumentStore<UserProfile>();
  const a = new UserProfileRepository(store, { ttlMs: TTL, maxEntries: 100, now });
  const b = new UserProfileRepository(store, { ttlMs: TTL, maxEntries: 100, now });

  it("instance B's read-through view sees at once what A wrote; B's cached reads of others catch up within the cache time", async () => {
    await a.update('user-1', 'tenant', (p) => ({ ...p, locale: 'de-DE' }), new Date(clock));
    // B has the profile in its cache, before the person's choice.
    expect((await b.get('user-1'))?.homeAuthority).toBeUndefined();
    await a.update('user-1', 'tenant', (p) => ({ ...p, homeAuthority: 'koeln', homeAuthoritySource: 'chosen', locale: 'en-US' }), new Date(clock));

    const own = b.readThrough();
    expect(await own.get('user-1')).toMatchObject({ homeAuthority: 'koeln', locale: 'en-US' });
    // The view shares B's cache: it refreshed it on the way.
    expect((await b.get('user-1'))?.homeAuthority).toBe('koeln');
  });

  it('the plain cache of B serves a stale profile for at most its cache time', async () => {
    await a.update('user-2', 'tenant', (p) => ({ ...p, locale: 'de-DE' }), new Date(clock));
    expect((await b.get('user-2'))?.locale).toBe('de-DE');
    await a.update('user-2', 'tenant', (p) => ({ ...p, locale: 'en-US' }), new Date(clock));
    clock += TTL;
    expect((await b.get('user-2'))?.locale).toBe('en-US');
  });

  it('the view writes through the same repository (updates and the install mark still work)', async () => {
    const own = b.readThrough();
    await own.update('user-3', 'tenant', (p) => ({ ...p, locale: 'de-DE' }), new Date(clock));
    expect((await a.getFresh('user-3'))?.locale).toBe('de-DE');
  });
});
