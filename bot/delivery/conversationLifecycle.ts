import type { Activity, TurnContext } from 'botbuilder';
import type { Logger } from '../../services/logging';
import type { ConversationRegistry } from '../../services/notifications/conversationRegistry';
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

/**
 * Keeps the conversation registry in step with Teams: call {@link installed} and {@link uninstalled} from the
 * installation handlers and {@link seen} on every turn. Personal chats are kept in the user profile by the bot itself;
 * for them only the tenant's connector endpoint is recorded here.
 */
export class ConversationLifecycle {
  constructor(
    private readonly registry: ConversationRegistry,
    private readonly logger: Logger,
  ) {}

  /** The app was added to a team, group chat or personal scope (`installationUpdate` add, or the bot in `membersAdded`). */
  async installed(context: TurnContext): Promise<void> {
    const ref = conversationRefFrom(context.activity);
    if (!isComplete(ref)) return;
    await this.registry.installed(ref, { teamId: channelDataOf(context.activity).team?.id });
    this.logger.info({ event: 'conversation.installed', conversationType: ref.conversationType, conversationId: ref.conversationId }, 'app installed');
  }

  /** The app was removed (`installationUpdate` remove, or the bot in `membersRemoved`). */
  async uninstalled(context: TurnContext): Promise<void> {
    const ref = conversationRefFrom(context.activity);
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
