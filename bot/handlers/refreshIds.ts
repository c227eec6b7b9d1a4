import type { UserProfileRepository } from '../../services/users/userProfiles';

/**
 * Teams user ids (MRIs, `29:…`) for a card's `refresh.userIds`: Universal Actions refreshes a card automatically only
 * for the users listed there by MRI, at most 60
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views).
 * The MRI of a person is known once they have written to the bot in their personal chat (their stored profile); people
 * the bot has not heard from yet are left out and see the shared view until they refresh by hand.
 *
 * The list is kept briefly in process (`ttlMs`): every card of a busy poll or item needs the same list, and a person's
 * MRI does not change for one bot.
 */
export function refreshIdsFrom(profiles: Pick<UserProfileRepository, 'get'>, ttlMs = 30_000): (people: Array<{ aadObjectId: string }> | string[]) => Promise<string[]> {
  let cached: { key: string; ids: string[]; until: number } | undefined;
  return async (people) => {
    const chosen = people.slice(0, 60).map((p) => (typeof p === 'string' ? p : p.aadObjectId));
    const key = chosen.join(',');
    if (cached && cached.key === key && cached.until > Date.now()) return cached.ids;
    const found = await Promise.all(chosen.map((id) => profiles.get(id).catch(() => undefined)));
    const ids = found.map((p) => p?.personal?.userId).filter((x): x is string => typeof x === 'string' && x.startsWith('29:'));
    cached = { key, ids, until: Date.now() + ttlMs };
    return ids;
  };
}
