import type { DocumentStore, StoredFields } from '../storage/documentStore';
import { updateWithRetry } from '../common/etagRetry';
import { deleteUnchanged } from '../storage/documentStore';
import { toKey } from '../common/ids';
import { sameRef, withBotInstallPending, withoutBotInstallPending, type ConversationRef, type PersonalAppRecord, type UserProfile, type UserProfileRepository } from '../users/userProfiles';
import type { Clock } from '../common/clock';
import { systemClock } from '../common/clock';

/** A team channel or group chat the app is installed in; pk = `channel:<id>` or `chat:<id>`, id `ref`. */
export interface ConversationDoc extends StoredFields {
  id: 'ref';
  type: 'conversation';
  ref: ConversationRef;
  /** The team's id for channel conversations (in Teams also the id of its General channel). */
  teamId?: string;
  installedAt: string;
  updatedAt: string;
  /** Set when the channel answered 403/404 (bot removed); cleared by the next install or turn. */
  unreachableSince?: string;
}

/** Where the bot last heard from a tenant: needed to open a 1:1 chat with someone it never talked to. */
export interface TenantEndpointDoc extends StoredFields {
  id: 'endpoint';
  type: 'tenantEndpoint';
  tenantId: string;
  serviceUrl: string;
  botId: string;
  updatedAt: string;
}

export type RegistryDoc = ConversationDoc | TenantEndpointDoc;

/** The connector endpoint and bot account for a tenant. */
export interface TenantEndpoint {
  serviceUrl: string;
  botId: string;
}

/** Optional context of a turn that the reference alone does not carry. */
export interface ConversationContext {
  teamId?: string;
}

/**
 * A reply in a channel thread carries `;messageid=…` in its conversation id; proactive posts go to the channel itself,
 * which starts a new thread.
 */
export function channelConversationId(conversationId: string): string {
  const at = conversationId.indexOf(';messageid=');
  return at === -1 ? conversationId : conversationId.slice(0, at);
}

/** The registry key of a team channel or group chat reference; `undefined` for personal chats (kept in profiles). */
export function registryKeyOf(ref: ConversationRef): string | undefined {
  if (ref.conversationType === 'channel') return 'channel:' + toKey(channelConversationId(ref.conversationId));
  if (ref.conversationType === 'groupChat') return 'chat:' + toKey(ref.conversationId);
  return undefined;
}

function endpointKey(tenantId: string): string {
  return 'tenant:' + toKey(tenantId.toLowerCase());
}

/** Most recently written values, so that an ordinary turn costs neither a read nor a write. */
class SeenCache {
  private readonly entries = new Map<string, string>();
  constructor(private readonly capacity = 10_000) {}

  has(key: string, signature: string): boolean {
    return this.entries.get(key) === signature;
  }

  set(key: string, signature: string): void {
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(key, signature);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Conversation references of team channels and group chats (the `conversations` container), plus each tenant's
 * connector endpoint. Personal chats live in the user profile (see {@link PersonalConversations}).
 *
 * The bot calls {@link installed} when the app is added, {@link seen} on every turn and {@link uninstalled} when it is
 * removed; feature code and the dispatcher read.
 */
export class ConversationRegistry {
  private readonly cache = new SeenCache();

  constructor(
    private readonly store: DocumentStore<RegistryDoc>,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  /** The app was added to a team or group chat (or a personal scope: then only the tenant endpoint is kept). */
  async installed(ref: ConversationRef, context: ConversationContext = {}): Promise<void> {
    await this.record(ref, context, false);
  }

  /**
   * Any turn: keeps the reference current (Teams may move a tenant to another service URL) and records it for
   * conversations the app was installed in before references were kept. Writes only when something changed.
   */
  async seen(ref: ConversationRef, context: ConversationContext = {}): Promise<void> {
    await this.record(ref, context, true);
  }

  /** Stores the reference; with `onlyIfChanged`, skips the write when the stored one is current. */
  private async record(ref: ConversationRef, context: ConversationContext, onlyIfChanged: boolean): Promise<void> {
    await this.rememberEndpoint(ref);
    const key = registryKeyOf(ref);
    if (!key) return;
    const stored = this.normalise(ref);
    const signature = signatureOf(stored, context.teamId);
    if (onlyIfChanged && this.cache.has(key, signature)) return;
    const now = new Date(this.clock.now()).toISOString();
    await updateWithRetry(this.store, key, 'ref', (current) => {
      const existing = current?.type === 'conversation' ? current : undefined;
      const unchanged = existing && sameRef(existing.ref, stored) && !existing.unreachableSince && (!context.teamId || existing.teamId === context.teamId);
      if (onlyIfChanged && unchanged) return undefined;
      return {
        id: 'ref',
        pk: key,
        type: 'conversation',
        ref: stored,
        teamId: context.teamId ?? existing?.teamId,
        installedAt: existing?.installedAt ?? now,
        updatedAt: now,
      } satisfies ConversationDoc;
    });
    this.cache.set(key, signature);
  }

  /** The app was removed from the team or group chat: forget its reference. Returns false if none was stored. */
  async uninstalled(ref: ConversationRef): Promise<boolean> {
    const key = registryKeyOf(ref);
    if (!key) return false;
    this.cache.delete(key);
    return this.store.delete(key, 'ref');
  }

  /** The stored reference of a team channel or group chat, by any reference to it (e.g. one from a thread reply). */
  async get(ref: Pick<ConversationRef, 'conversationId' | 'conversationType'>): Promise<ConversationDoc | undefined> {
    const key = registryKeyOf(ref as ConversationRef);
    if (!key) return undefined;
    const doc = await this.store.read(key, 'ref');
    return doc?.type === 'conversation' ? doc : undefined;
  }

  /** The channel reference of a team the app is installed in. */
  async forTeam(teamId: string): Promise<ConversationDoc | undefined> {
    const [doc] = await this.store.query<ConversationDoc>(
      { query: 'SELECT * FROM c WHERE c.type = @type AND c.teamId = @teamId', parameters: [{ name: '@type', value: 'conversation' }, { name: '@teamId', value: teamId }] },
      { maxItems: 1 },
    );
    return doc;
  }

  /** Every team channel and group chat of a tenant the app is installed in. */
  list(tenantId: string): Promise<ConversationDoc[]> {
    return this.store.query<ConversationDoc>({
      query: 'SELECT * FROM c WHERE c.type = @type AND c.ref.tenantId = @tenantId',
      parameters: [
        { name: '@type', value: 'conversation' },
        { name: '@tenantId', value: tenantId },
      ],
    });
  }

  /** The channel said the bot is gone from this conversation (403/404). Kept, flagged, until the next install or turn. */
  async markUnreachable(ref: ConversationRef): Promise<void> {
    const key = registryKeyOf(ref);
    if (!key) return;
    const at = new Date(this.clock.now()).toISOString();
    this.cache.delete(key);
    await updateWithRetry(this.store, key, 'ref', (current) =>
      current?.type === 'conversation' && !current.unreachableSince ? { ...current, unreachableSince: at } : undefined,
    );
  }

  /**
   * Deletes the references of team channels and group chats that Teams reported gone (403/404) before `cutoffMs` and
   * that no turn or install has revived since (the delete carries the ETag read). Returns how many were deleted.
   */
  async purgeUnreachable(cutoffMs: number, max = 500): Promise<number> {
    const gone = await this.store.query<{ pk: string; id: string; etag: string }>(
      {
        query: 'SELECT c.pk, c.id, c._etag AS etag FROM c WHERE c.type = @type AND IS_DEFINED(c.unreachableSince) AND c.unreachableSince < @cutoff',
        parameters: [
          { name: '@type', value: 'conversation' },
          { name: '@cutoff', value: new Date(cutoffMs).toISOString() },
        ],
      },
      { maxItems: max },
    );
    return deleteUnchanged(this.store, gone, (doc) => this.cache.delete(doc.pk));
  }

  /** The connector endpoint last seen for a tenant. */
  async endpointFor(tenantId: string): Promise<TenantEndpoint | undefined> {
    const doc = await this.store.read(endpointKey(tenantId), 'endpoint');
    return doc?.type === 'tenantEndpoint' ? { serviceUrl: doc.serviceUrl, botId: doc.botId } : undefined;
  }

  private async rememberEndpoint(ref: ConversationRef): Promise<void> {
    if (!ref.tenantId || !ref.serviceUrl || !ref.botId) return;
    const key = endpointKey(ref.tenantId);
    const signature = `${ref.serviceUrl}\u0000${ref.botId}`;
    if (this.cache.has(key, signature)) return;
    await updateWithRetry(this.store, key, 'endpoint', (current) => {
      if (current?.type === 'tenantEndpoint' && current.serviceUrl === ref.serviceUrl && current.botId === ref.botId) return undefined;
      return {
        id: 'endpoint',
        pk: key,
        type: 'tenantEndpoint',
        tenantId: ref.tenantId,
        serviceUrl: ref.serviceUrl,
        botId: ref.botId,
        updatedAt: new Date(this.clock.now()).toISOString(),
      } satisfies TenantEndpointDoc;
    });
    this.cache.set(key, signature);
  }

  private normalise(ref: ConversationRef): ConversationRef {
    const { userId: _personalOnly, ...rest } = ref;
    return { ...rest, conversationId: ref.conversationType === 'channel' ? channelConversationId(ref.conversationId) : ref.conversationId };
  }
}

function signatureOf(ref: ConversationRef, teamId: string | undefined): string {
  return [ref.conversationId, ref.serviceUrl, ref.tenantId, ref.botId, teamId ?? ''].join('\u0000');
}

/**
 * The port through which the dispatcher finds and remembers users' personal chats. They are kept in the user profile
 * (refreshed by the bot on every personal turn), so there is one place for "how do I reach this person".
 */
export interface PersonalConversations {
  get(aadObjectId: string): Promise<ConversationRef | undefined>;
  remember(aadObjectId: string, tenantId: string, ref: ConversationRef): Promise<void>;
  /**
   * Teams refused the personal chat for good (the person blocked or removed the bot): forget `ref` if it is still the
   * stored one, so that the profile's retention starts as after an uninstall. With `removedAt`, the person is also
   * marked as having removed the app (the bot does not install it for them again).
   */
  forget?(aadObjectId: string, ref: ConversationRef, removedAt?: string): Promise<void>;
  /** What the bot knows about the app in the person's personal scope (see {@link PersonalAppRecord}). */
  appRecord?(aadObjectId: string): Promise<PersonalAppRecord | undefined>;
  /**
   * The bot is about to install the app for the person through Graph (written before the call: Teams' add for it may
   * come first), so that the add is answered with the short note instead of the welcome card.
   */
  installingByBot?(aadObjectId: string, tenantId: string, at: string): Promise<void>;
  /** The bot's installation added nothing (the app was there, or Graph refused): no add from Teams will follow. */
  notInstalledByBot?(aadObjectId: string, tenantId: string): Promise<void>;
  /** The bot installed the app for the person through Graph at `at`. */
  installedByBot?(aadObjectId: string, tenantId: string, at: string): Promise<void>;
  /** Teams said the person removed the app from their personal scope (`installationUpdate` remove) at `at`. */
  removedByUser?(aadObjectId: string, tenantId: string, at: string): Promise<void>;
  /** The person installed the app again themselves (`installationUpdate` add): the removal mark goes. */
  reinstalledByUser?(aadObjectId: string, tenantId: string): Promise<void>;
}

/** {@link PersonalConversations} on the user profiles. */
export function personalConversationsIn(profiles: UserProfileRepository): PersonalConversations {
  return {
    async get(aadObjectId) {
      return (await profiles.get(aadObjectId.toLowerCase()))?.personal;
    },
    async remember(aadObjectId, tenantId, ref) {
      await profiles.update(aadObjectId.toLowerCase(), tenantId, (p: UserProfile) => (sameRef(p.personal, ref) ? undefined : { ...p, personal: ref }));
    },
    async forget(aadObjectId, ref, removedAt) {
      await profiles.update(aadObjectId.toLowerCase(), ref.tenantId, (p: UserProfile) => {
        const stored = p.personal && sameRef(p.personal, ref);
        if (!stored && (!removedAt || p.personal)) return undefined;
        // A removal is noted only when the refused chat is the stored one (or none is stored): a newer chat means the
        // person has installed the app again since.
        return { ...p, personal: undefined, ...(removedAt ? { app: { ...p.app, removedByUserAt: removedAt } } : {}) };
      });
    },
    async appRecord(aadObjectId) {
      return (await profiles.get(aadObjectId.toLowerCase()))?.app;
    },
    async installingByBot(aadObjectId, tenantId, at) {
      await profiles.update(aadObjectId.toLowerCase(), tenantId, (p: UserProfile) => withBotInstallPending(p, at));
    },
    async notInstalledByBot(aadObjectId, tenantId) {
      await profiles.update(aadObjectId.toLowerCase(), tenantId, (p: UserProfile) => withoutBotInstallPending(p));
    },
    async installedByBot(aadObjectId, tenantId, at) {
      await profiles.update(aadObjectId.toLowerCase(), tenantId, (p: UserProfile) => ({ ...p, app: { ...p.app, installedByBotAt: at } }));
    },
    async removedByUser(aadObjectId, tenantId, at) {
      // The personal chat goes in the same write: a stored chat would void the mark (see withAppRecord).
      await profiles.update(aadObjectId.toLowerCase(), tenantId, (p: UserProfile) => ({ ...p, personal: undefined, app: { ...p.app, removedByUserAt: at } }));
    },
    async reinstalledByUser(aadObjectId, tenantId) {
      await profiles.update(aadObjectId.toLowerCase(), tenantId, (p: UserProfile) => {
        if (!p.app?.removedByUserAt) return undefined;
        const { removedByUserAt: _gone, ...app } = p.app;
        return { ...p, app };
      });
    },
  };
}
