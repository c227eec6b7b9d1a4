import type { AuthorityCode } from '../directory/model';
import type { DocumentStore, Versioned } from '../storage/documentStore';
import { updateWithRetry } from '../storage/documentStore';

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
  createdAt: string;
  updatedAt: string;
}

/** Stores user profiles in the `users` container. */
export class UserProfileRepository {
  constructor(private readonly store: DocumentStore<UserProfile>) {}

  get(aadObjectId: string): Promise<Versioned<UserProfile> | undefined> {
    return this.store.read(aadObjectId, 'profile');
  }

  /** Applies `change` to the stored profile (or a new one), retrying on concurrent writes. */
  async update(
    aadObjectId: string,
    tenantId: string,
    change: (p: UserProfile) => UserProfile | undefined,
    now: Date = new Date(),
  ): Promise<UserProfile | undefined> {
    return updateWithRetry(this.store, aadObjectId, 'profile', (current) => {
      const base: UserProfile = current ?? {
        id: 'profile', pk: aadObjectId, type: 'userProfile', tenantId, createdAt: now.toISOString(), updatedAt: now.toISOString(),
      };
      const next = change({ ...base });
      return next ? { ...next, updatedAt: now.toISOString() } : undefined;
    });
  }

  /** Deletes everything stored about the user ("Meine Daten löschen" and uninstall clean-up). */
  delete(aadObjectId: string): Promise<boolean> {
    return this.store.delete(aadObjectId, 'profile');
  }
}

/** True when two conversation references point at the same place the same way (no write needed). */
export function sameRef(a: ConversationRef | undefined, b: ConversationRef): boolean {
  return !!a && a.conversationId === b.conversationId && a.serviceUrl === b.serviceUrl && a.tenantId === b.tenantId && a.botId === b.botId && a.userId === b.userId;
}
