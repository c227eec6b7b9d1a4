import type { AuthorityCode } from '../directory/model';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { updateWithRetry } from '../common/etagRetry';
import { deleteUnchanged } from '../storage/documentStore';
import { ConcurrencyError } from '../storage/errors';

/** Days a profile without a personal chat is kept after its last change (USER_IDLE_RETENTION_DAYS). */
export const DEFAULT_IDLE_DAYS = 365;

/** Where the bot can reach a user or a chat proactively (a Bot Framework conversation reference, reduced). */
export interface ConversationRef {
  conversationId: string;
  serviceUrl: string;
  tenantId: string;
  botId: string;
  conversationType: 'personal' | 'channel' | 'groupChat';
  /** The user's channel account id ("29:…") in personal chats. */
  userId?: string;
}

/**
 * The app in a person's personal scope, as far as the bot knows: whether it installed the app for them, and whether
 * they removed it. A person who removed the app is never given it again by the bot; the mark goes when they install it
 * again themselves (a stored personal chat means the app is there, see {@link withAppRecord}).
 */
export interface PersonalAppRecord {
  /** When the bot last installed the app for the person through Microsoft Graph. */
  installedByBotAt?: string;
  /** When Teams said the person removed the app (uninstall, or a post to their chat refused). */
  removedByUserAt?: string;
  /**
   * When the bot started installing the app for the person (written before the Graph call, since Teams' add for that
   * installation may arrive before the call returns); taken away by the first add that follows (see
   * {@link takeBotInstallMark}), so the person's own later installation is greeted as theirs.
   */
  botInstallPendingSince?: string;
}

/**
 * How long after the bot began an installation an `installationUpdate` add in the person's personal scope is taken as
 * that installation's. Teams sends it within seconds; the bound only keeps a mark left by an installation whose outcome
 * the bot never learnt (a Graph call that failed after it took effect) from greeting a much later own installation.
 */
export const BOT_INSTALL_ADD_WINDOW_MS = 86_400_000;

/** What the bot remembers about one user; pk = AAD object id, one document per user. */
export interface UserProfile {
  id: 'profile';
  pk: string;
  type: 'userProfile';
  tenantId: string;
  /** The Bezirksregierung the user works for, chosen by them or derived from their e-mail domain. */
  homeAuthority?: AuthorityCode;
  homeAuthoritySource?: 'chosen' | 'emailDomain';
  locale?: string;
  personal?: ConversationRef;
  /** Installations of the app in personal scope (issue 15); kept as long as the profile. */
  app?: PersonalAppRecord;
  /** Answers in plain language (issue 18: Leichte Sprache, plain English), set with "immer einfache Sprache". */
  plainLanguage?: boolean;
  /**
   * The person's last question to the answer engine, so that "einfach erklärt" can answer it again in plain language.
   * Only a question the privacy guard found nothing in; replaced by the next one, deleted with the profile.
   */
  lastQuestion?: LastQuestion;
  createdAt: string;
  updatedAt: string;
  /**
   * Epoch ms after which the retention purge deletes the profile: set while the bot has no personal chat with the
   * person (the app was uninstalled, or never installed personally), `idleDays` after the profile's last change;
   * cleared when a personal chat is stored again.
   */
  expiresAt?: number;
}

/** A question kept for "einfach erklärt" (see {@link UserProfile.lastQuestion}). */
export interface LastQuestion {
  text: string;
  /** When it was asked (ISO). */
  at: string;
}

export interface ProfileCacheOptions {
  /** How long a read profile is served from memory; 0 turns the cache off. */
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

/** How long a profile without a personal chat is kept (USER_IDLE_RETENTION_DAYS) and the clock its writes use. */
export interface ProfileRetention {
  idleDays: number;
  now?: () => Date;
}

const DAY_MS = 86_400_000;

/**
 * The retention of a profile about to be written: none while the bot can reach the person in a personal chat, else
 * `idleDays` from this write (an uninstall, a home authority chosen in a channel or the tab).
 */
export function withExpiry(profile: UserProfile, now: Date, idleDays: number): UserProfile {
  const { expiresAt: _previous, ...rest } = profile;
  return profile.personal ? rest : { ...rest, expiresAt: now.getTime() + idleDays * DAY_MS };
}

/**
 * A stored personal chat means the person has the app (they opened it, or Teams let the bot open a chat): a mark that
 * they removed it is void then. So reinstalling the app themselves, or any personal message, clears the mark.
 */
export function withAppRecord(profile: UserProfile): UserProfile {
  let app = profile.app;
  // A removal noted after the bot began an installation ends it: the next add is the person's own.
  if (app?.botInstallPendingSince && app.removedByUserAt && app.removedByUserAt >= app.botInstallPendingSince) {
    const { botInstallPendingSince: _ended, ...rest } = app;
    app = rest;
  }
  if (profile.personal && app?.removedByUserAt) {
    const { removedByUserAt: _gone, ...rest } = app;
    app = rest;
  }
  return app === profile.app ? profile : { ...profile, app };
}

/** The profile with the mark that the bot is installing the app for the person since `at`. */
export function withBotInstallPending(profile: UserProfile, at: string): UserProfile {
  return { ...profile, app: { ...profile.app, botInstallPendingSince: at } };
}

/** The profile without the bot's installation mark, or `undefined` when there is none (nothing to write). */
export function withoutBotInstallPending(profile: UserProfile): UserProfile | undefined {
  if (!profile.app?.botInstallPendingSince) return undefined;
  const { botInstallPendingSince: _gone, ...app } = profile.app;
  return { ...profile, app };
}

/**
 * Teams said the app was added to the person's personal scope at `addAt` (the activity's timestamp, if it has one):
 * whether the bot installed it (its mark is there and not older than {@link BOT_INSTALL_ADD_WINDOW_MS}), and the
 * profile to store (the mark taken away), `undefined` when nothing changes.
 */
export function takeBotInstallMark(profile: UserProfile, addAt?: string): { byBot: boolean; next: UserProfile | undefined } {
  const since = profile.app?.botInstallPendingSince;
  if (!since) return { byBot: false, next: undefined };
  const addMs = addAt ? Date.parse(addAt) : Number.NaN;
  const byBot = Number.isNaN(addMs) || addMs - Date.parse(since) <= BOT_INSTALL_ADD_WINDOW_MS;
  return { byBot, next: withoutBotInstallPending(profile) };
}

/**
 * Stores user profiles in the `users` container. Reads go through a small in-process cache
 * (Cosmos DB stays the only store: a restart loses nothing, only the cache): most turns then need no
 * database round trip. Every write goes to the database with an ETag check and refreshes the cache; a
 * change made by another process is seen here after at most `ttlMs`.
 */
export class UserProfileRepository {
  private readonly cache = new Map<string, { at: number; profile: Versioned<UserProfile> | undefined }>();
  private readonly now: () => number;

  constructor(
    private readonly store: DocumentStore<UserProfile>,
    private readonly cacheOptions: ProfileCacheOptions = { ttlMs: 0, maxEntries: 0 },
    private readonly retention: ProfileRetention = { idleDays: DEFAULT_IDLE_DAYS },
  ) {
    this.now = cacheOptions.now ?? Date.now;
  }

  async get(aadObjectId: string): Promise<Versioned<UserProfile> | undefined> {
    const hit = this.cache.get(aadObjectId);
    if (hit && this.now() - hit.at < this.cacheOptions.ttlMs) return hit.profile;
    const profile = await this.store.read(aadObjectId, 'profile');
    this.remember(aadObjectId, profile);
    return profile;
  }

  /** Reads the profile from the database (never from the cache) and refreshes the cache with it. */
  async getFresh(aadObjectId: string): Promise<Versioned<UserProfile> | undefined> {
    const profile = await this.store.read(aadObjectId, 'profile');
    this.remember(aadObjectId, profile);
    return profile;
  }

  /**
   * This repository (same store, same cache) with `get` reading the database every time: for the profile of the
   * person making the request. With several instances behind a load balancer, the person's previous request (a
   * language, a chosen Bezirksregierung) may have been written by another instance a moment ago; their next request
   * must see it wherever it lands. Profiles of other people (card audiences, chat references, a member's language)
   * are read through the cache and may be up to `ttlMs` old.
   */
  readThrough(): UserProfileRepository {
    const view = Object.create(this) as UserProfileRepository;
    view.get = (aadObjectId: string) => this.getFresh(aadObjectId);
    return view;
  }

  private remember(aadObjectId: string, profile: Versioned<UserProfile> | undefined): void {
    if (this.cacheOptions.ttlMs <= 0) return;
    this.cache.delete(aadObjectId);
    if (this.cache.size >= this.cacheOptions.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(aadObjectId, { at: this.now(), profile });
  }

  /** Applies `change` to the stored profile (or a new one), retrying on concurrent writes. */
  async update(
    aadObjectId: string,
    tenantId: string,
    change: (p: UserProfile) => UserProfile | undefined,
    now: Date = this.retention.now?.() ?? new Date(),
  ): Promise<UserProfile | undefined> {
    const saved = await updateWithRetry(this.store, aadObjectId, 'profile', (current) => {
      const base: UserProfile = current ?? {
        id: 'profile', pk: aadObjectId, type: 'userProfile', tenantId, createdAt: now.toISOString(), updatedAt: now.toISOString(),
      };
      const next = change({ ...base });
      return next ? withExpiry(withAppRecord({ ...next, updatedAt: now.toISOString() }), now, this.retention.idleDays) : undefined;
    });
    this.remember(aadObjectId, saved);
    return saved;
  }

  /**
   * Keeps the person's last question in their profile with one patch and no read (a question turn already read the
   * profile): nothing when there is no profile, or it is deleted at this moment ("Meine Daten löschen" wins).
   */
  async rememberQuestion(aadObjectId: string, question: LastQuestion): Promise<void> {
    try {
      const saved = await this.store.patch(aadObjectId, 'profile', [{ op: 'set', path: '/lastQuestion', value: question }]);
      this.remember(aadObjectId, saved);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }

  /**
   * Teams added the app to the person's personal scope (see {@link takeBotInstallMark}): true when the bot installed
   * it for them. The mark goes in the same conditional write, so a second add is the person's own.
   */
  async takeBotInstall(aadObjectId: string, tenantId: string, addAt?: string): Promise<boolean> {
    let byBot = false;
    await this.update(aadObjectId, tenantId, (p) => {
      const taken = takeBotInstallMark(p, addAt);
      byBot = taken.byBot;
      return taken.next;
    });
    return byBot;
  }

  /** Deletes everything stored about the user ("Meine Daten löschen" and uninstall clean-up). */
  delete(aadObjectId: string): Promise<boolean> {
    this.cache.delete(aadObjectId);
    return this.store.delete(aadObjectId, 'profile');
  }

  /**
   * Deletes the profiles whose retention ran out (see {@link withExpiry}); profiles written before retention existed
   * count from their last change. Each delete carries the ETag read, so a person who writes to the bot at this moment
   * keeps theirs. Returns how many were deleted.
   */
  async purgeExpired(nowMs: number, max = 500): Promise<number> {
    const cutoff = new Date(nowMs - this.retention.idleDays * DAY_MS).toISOString();
    const expired = await this.store.query<{ pk: string; id: string; etag: string }>(
      {
        query:
          'SELECT c.pk, c.id, c._etag AS etag FROM c WHERE c.type = @type AND ((IS_DEFINED(c.expiresAt) AND c.expiresAt <= @now) OR (NOT IS_DEFINED(c.expiresAt) AND NOT IS_DEFINED(c.personal) AND c.updatedAt < @cutoff))',
        parameters: [
          { name: '@type', value: 'userProfile' },
          { name: '@now', value: nowMs },
          { name: '@cutoff', value: cutoff },
        ],
      },
      { maxItems: max },
    );
    return deleteUnchanged(this.store, expired, (doc) => this.cache.delete(doc.pk));
  }
}

/** True when two conversation references point at the same place the same way (no write needed). */
export function sameRef(a: ConversationRef | undefined, b: ConversationRef): boolean {
  return !!a && a.conversationId === b.conversationId && a.serviceUrl === b.serviceUrl && a.tenantId === b.tenantId && a.botId === b.botId && a.userId === b.userId;
}
