import type { Activity, TurnContext } from 'botbuilder';
import type { Logger } from '../../services/logging';
import type { ConversationRegistry, PersonalConversations } from '../../services/notifications/conversationRegistry';
import type { ConversationRef } from '../../services/notifications/model';

interface TeamsChannelData {
  tenant?: { id?: string };
  team?: { id?: string };
  channel?: { id?: string };
  settings?: { selectedChannel?: { id?: string } };
}

function channelDataOf(activity: Partial<Activity>): TeamsChannelData {
  return (activity.channelData ?? {}) as TeamsChannelData;
}

/** The reference the outbox needs to reach the conversation an activity came from. */
export function conversationRefFrom(activity: Partial<Activity>): ConversationRef {
  const channelData = channelDataOf(activity);
  const conversation = activity.conversation;
  const type = conversation?.conversationType;
  const conversationType = type === 'channel' || type === 'groupChat' ? type : 'personal';
  // On install in a team, Teams names the channel the user picked for the bot; posts go there.
  const selected = activity.type === 'installationUpdate' ? channelData.settings?.selectedChannel?.id : undefined;
  return {
    conversationId: conversationType === 'channel' && selected ? selected : (conversation?.id ?? ''),
    serviceUrl: activity.serviceUrl ?? '',
    tenantId: channelData.tenant?.id ?? conversation?.tenantId ?? '',
    botId: activity.recipient?.id ?? '',
    conversationType,
    userId: conversationType === 'personal' ? activity.from?.id : undefined,
  };
}

function isComplete(ref: ConversationRef): boolean {
  return ref.conversationId !== '' && ref.serviceUrl !== '' && ref.tenantId !== '' && ref.botId !== '';
}

/** The person an activity in a personal chat came from: Entra object id (lower case) and tenant. */
function personOf(activity: Partial<Activity>, ref: ConversationRef): { aadObjectId: string; tenantId: string } | undefined {
  const aadObjectId = activity.from?.aadObjectId?.toLowerCase();
  return ref.conversationType === 'personal' && aadObjectId && ref.tenantId ? { aadObjectId, tenantId: ref.tenantId } : undefined;
}

/**
 * Keeps the conversation registry in step with Teams: call {@link installed} and {@link uninstalled} from the
 * installation handlers and {@link seen} on every turn. Personal chats are kept in the user profile by the bot itself;
 * for them the tenant's connector endpoint is recorded here, and whether the person removed the app (the bot does not
 * install it for them again; see `PersonalAppRecord`).
 */
export class ConversationLifecycle {
  constructor(
    private readonly registry: ConversationRegistry,
    private readonly logger: Logger,
    /** Where the removal of the app from a personal scope is noted; without it, it is not. */
    private readonly personal?: PersonalConversations,
  ) {}

  /** The app was added to a team, group chat or personal scope (`installationUpdate` add, or the bot in `membersAdded`). */
  async installed(context: TurnContext): Promise<void> {
    const ref = conversationRefFrom(context.activity);
    const person = personOf(context.activity, ref);
    // Installed again by the person themselves: the bot may install it for them again, should they remove it.
    if (person && context.activity.type === 'installationUpdate') await this.personal?.reinstalledByUser?.(person.aadObjectId, person.tenantId);
    if (!isComplete(ref)) return;
    await this.registry.installed(ref, { teamId: channelDataOf(context.activity).team?.id });
    this.logger.info({ event: 'conversation.installed', conversationType: ref.conversationType, conversationId: ref.conversationId }, 'app installed');
  }

  /** The app was removed (`installationUpdate` remove, or the bot in `membersRemoved`). */
  async uninstalled(context: TurnContext): Promise<void> {
    const ref = conversationRefFrom(context.activity);
    const person = personOf(context.activity, ref);
    if (person) {
      // Removed by the person (not `remove-upgrade`, which Teams sends when a new version replaces the old): never
      // installed for them again by the bot, until they install it themselves.
      if (context.activity.type !== 'installationUpdate' || context.activity.action !== 'remove') return;
      const at = typeof context.activity.timestamp === 'string' ? context.activity.timestamp : new Date().toISOString();
      await this.personal?.removedByUser?.(person.aadObjectId, person.tenantId, at);
      this.logger.info({ event: 'conversation.removed_by_user', conversationType: 'personal' }, 'app removed from a personal scope');
      return;
    }
    if (ref.conversationType === 'personal' || ref.conversationId === '') return;
    const removed = await this.registry.uninstalled(ref);
    this.logger.info({ event: 'conversation.uninstalled', conversationType: ref.conversationType, conversationId: ref.conversationId, removed }, 'app removed');
  }

  /**
   * Any incoming activity: refreshes the stored reference (no database access when nothing changed). Never fails the
   * turn: a reference that could not be refreshed now is refreshed on a later turn.
   */
  async seen(context: TurnContext): Promise<void> {
    const ref = conversationRefFrom(context.activity);
    if (!isComplete(ref)) return;
    try {
      await this.registry.seen(ref, { teamId: channelDataOf(context.activity).team?.id });
    } catch (err) {
      this.logger.warn(
        { event: 'conversation.refresh_failed', conversationId: ref.conversationId, code: (err as { code?: string })?.code ?? (err as Error)?.name },
        'could not refresh the conversation reference',
      );
    }
  }
}
