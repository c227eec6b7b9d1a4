import type { DocumentStore } from '../../services/storage/documentStore';
import { UserProfileRepository, type UserProfile } from '../../services/users/userProfiles';
import { MemoryDocumentStore } from '../support/memoryDocumentStore';

describe('user profiles', () => {
  const TENANT = 't';
  let clock = 0;
  const make = () => {
    const store = new MemoryDocumentStore<UserProfile>() as unknown as DocumentStore<UserProfile>;
    const reads = jest.spyOn(store, 'read');
    return { store, reads, repo: new UserProfileRepository(store, { ttlMs: 30_000, maxEntries: 2, now: () => clock }) };
  };

  it('serves a profile read within the cache period from memory and re-reads after it', async () => {
    const { repo, reads } = make();
    await repo.update('u1', TENANT, (p) => ({ ...p, homeAuthority: 'koeln' }));
    reads.mockClear();
    expect((await repo.get('u1'))?.homeAuthority).toBe('koeln');
    expect(reads).not.toHaveBeenCalled();
    clock += 31_000;
    expect((await repo.get('u1'))?.homeAuthority).toBe('koeln');
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('sees a change made by another process after the cache period, and its own changes at once', async () => {
    const { repo, store } = make();
    const other = new UserProfileRepository(store);
    await repo.update('u2', TENANT, (p) => ({ ...p, homeAuthority: 'koeln' }));
    await other.update('u2', TENANT, (p) => ({ ...p, homeAuthority: 'detmold' }));
    expect((await repo.get('u2'))?.homeAuthority).toBe('koeln');
    clock += 31_000;
    expect((await repo.get('u2'))?.homeAuthority).toBe('detmold');
    await repo.update('u2', TENANT, (p) => ({ ...p, homeAuthority: 'muenster' }));
    expect((await repo.get('u2'))?.homeAuthority).toBe('muenster');
  });

  it('keeps at most the configured number of cached profiles', async () => {
    const { repo, reads } = make();
    for (const id of ['a', 'b', 'c']) await repo.update(id, TENANT, (p) => p);
    reads.mockClear();
    await repo.get('a');
    expect(reads).toHaveBeenCalledTimes(1);
  });
});
