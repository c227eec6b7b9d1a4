import type { Activity, CloudAdapter, ConversationParameters, ConversationReference, TurnContext } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { Logger } from '../../services/logging';
import {
  ChannelError,
  DEFAULT_RETRY_STATUSES,
  classifyStatus,
  parseRetryAfter,
  type ChannelSender,
  type PersonalConversationTarget,
  type SendOptions,
} from '../../services/notifications/channelSender';
import type { ConversationRef, OutgoingActivity } from '../../services/notifications/model';
import { countThrottled } from '../../services/telemetry/telemetry';

export interface BotConnectorSenderOptions {
  adapter: CloudAdapter;
  /** The bot's Microsoft App ID; empty in local development without authentication. */
  botAppId: string;
  logger: Logger;
  /**
   * Put the outbox's delivery id into the posted activity's `id`. The Bot Framework channel assigns its own id to a
   * posted activity (botbuilder itself deletes `id` before posting), so this changes nothing in Teams; the channel
   * emulator uses it to recognise a repeated delivery. Off by default.
   */
  stampDeliveryId?: boolean;
  retryStatuses?: readonly number[];
}

type ConnectorOperation = 'send' | 'update' | 'create';

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  name?: string;
  response?: { headers?: { get?(name: string): string | null | undefined } };
}

/** Connection failures where the request certainly never reached the channel. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function safeCode(code: unknown): string | undefined {
  return typeof code === 'string' && /^[A-Za-z0-9_.:-]{1,60}$/.test(code) ? code : undefined;
}

/** Reduces whatever the connector client threw to what the dispatcher decides on. */
export function toChannelError(err: unknown, operation: ConnectorOperation, retryStatuses: readonly number[], now: number): ChannelError {
  if (err instanceof ChannelError) return err;
  const e = (err ?? {}) as RestErrorLike;
  if (typeof e.statusCode === 'number' && e.statusCode > 0) {
    const status = e.statusCode;
    if (status === 429) countThrottled('teams');
    const retryAfterMs = parseRetryAfter(e.response?.headers?.get?.('retry-after'), now);
    // A gateway error or timeout may come after the channel already acted on the request.
    const ambiguous = status === 502 || status === 504;
    return new ChannelError(safeCode(e.code) ?? `http_${status}`, classifyStatus(status, operation, retryStatuses), status, retryAfterMs, ambiguous);
  }
  if (e.name === 'AbortError') return new ChannelError('timeout', 'transient', undefined, undefined, true);
  const code = safeCode(e.code) ?? 'network_error';
  return new ChannelError(code, 'transient', undefined, undefined, !NOT_SENT_CODES.has(code));
}

/**
 * botbuilder's connector client retries 429 and 5xx answers itself (core-rest-pipeline's `defaultRetryPolicy`, three
 * times, sleeping in between). The outbox owns retries and rate limits, so that policy is taken out of the client's
 * pipeline. The pipeline is not public API; if its shape changes, sending still works, only with the SDK's retries.
 */
function withoutBuiltInRetries(client: ConnectorClient, logger: Logger): void {
  const pipeline = (client as unknown as { client?: { pipeline?: { removePolicy(options: { name: string }): unknown } } }).client?.pipeline;
  if (pipeline && typeof pipeline.removePolicy === 'function') {
    pipeline.removePolicy({ name: 'defaultRetryPolicy' });
  } else if (!warnedAboutPipeline) {
    warnedAboutPipeline = true;
    logger.warn({ event: 'delivery.sdk_retries_active', code: 'PIPELINE_SHAPE_CHANGED' }, 'could not switch off the connector client retries');
  }
}
let warnedAboutPipeline = false;

function referenceFor(ref: Pick<ConversationRef, 'serviceUrl' | 'tenantId' | 'botId' | 'conversationType'> & { conversationId?: string; userId?: string }): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl: ref.serviceUrl,
    bot: { id: ref.botId, name: '' },
    user: ref.userId ? { id: ref.userId, name: '' } : undefined,
    conversation: {
      id: ref.conversationId ?? 'outbox',
      tenantId: ref.tenantId,
      conversationType: ref.conversationType,
      isGroup: ref.conversationType !== 'personal',
      name: '',
    },
  };
}

/** The posted activity: the outbox's message plus the addressing botbuilder would apply from the reference. */
function activityFor(ref: ConversationRef, activity: OutgoingActivity): Partial<Activity> {
  return {
    type: 'message',
    ...activity,
    channelId: 'msteams',
    serviceUrl: ref.serviceUrl,
    from: { id: ref.botId, name: '' },
    recipient: ref.userId ? { id: ref.userId, name: '' } : undefined,
    conversation: { id: ref.conversationId, tenantId: ref.tenantId, conversationType: ref.conversationType, isGroup: ref.conversationType !== 'personal', name: '' },
  } as Partial<Activity>;
}

/**
 * {@link ChannelSender} on botbuilder's CloudAdapter: each call runs through `continueConversationAsync`, so it gets
 * the adapter's credentials (tokens are cached by botbuilder) and passes its middleware (e.g. the tenant gate), and
 * then makes exactly one connector call.
 */
export class BotConnectorSender implements ChannelSender {
  private readonly retryStatuses: readonly number[];

  constructor(private readonly options: BotConnectorSenderOptions) {
    this.retryStatuses = options.retryStatuses ?? DEFAULT_RETRY_STATUSES;
  }

  async send(ref: ConversationRef, activity: OutgoingActivity, options: SendOptions): Promise<{ activityId: string }> {
    const body = activityFor(ref, activity);
    if (this.options.stampDeliveryId) body.id = options.deliveryId;
    const response = await this.call(ref, 'send', (client) => client.conversations.sendToConversation(ref.conversationId, body, { timeout: options.timeoutMs }));
    if (!response?.id) throw new ChannelError('no_activity_id', 'permanent');
    return { activityId: response.id };
  }

  async update(ref: ConversationRef, activityId: string, activity: OutgoingActivity, options: SendOptions): Promise<void> {
    const body = { ...activityFor(ref, activity), id: activityId };
    await this.call(ref, 'update', (client) => client.conversations.updateActivity(ref.conversationId, activityId, body, { timeout: options.timeoutMs }));
  }

  async createPersonalConversation(target: PersonalConversationTarget, options: SendOptions): Promise<ConversationRef> {
    const parameters: ConversationParameters = {
      isGroup: false,
      bot: { id: target.botId, name: '' },
      members: [{ id: target.aadObjectId, name: '' }],
      tenantId: target.tenantId,
      channelData: { tenant: { id: target.tenantId } },
    } as ConversationParameters;
    const scope = { serviceUrl: target.serviceUrl, tenantId: target.tenantId, botId: target.botId, conversationType: 'personal' as const };
    const created = await this.call(scope, 'create', (client) => client.conversations.createConversation(parameters, { timeout: options.timeoutMs }));
    if (!created?.id) throw new ChannelError('no_conversation_id', 'permanent');
    return { conversationId: created.id, serviceUrl: target.serviceUrl, tenantId: target.tenantId, botId: target.botId, conversationType: 'personal' };
  }

  private async call<T>(
    ref: Parameters<typeof referenceFor>[0],
    operation: ConnectorOperation,
    request: (client: ConnectorClient) => Promise<T>,
  ): Promise<T> {
    let ran = false;
    let result: T | undefined;
    let failure: unknown;
    await this.options.adapter.continueConversationAsync(this.options.botAppId, referenceFor(ref), async (context: TurnContext) => {
      ran = true;
      const client = context.turnState.get<ConnectorClient>(context.adapter.ConnectorClientKey);
      withoutBuiltInRetries(client, this.options.logger);
      // Caught here: an error leaving this callback would go to the adapter's onTurnError and be swallowed.
      try {
        result = await request(client);
      } catch (err) {
        failure = err;
      }
    });
    if (!ran) throw new ChannelError('refused_by_middleware', 'permanent');
    if (failure !== undefined) throw toChannelError(failure, operation, this.retryStatuses, Date.now());
    return result as T;
  }
}
