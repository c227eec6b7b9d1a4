/**
 * Reliable proactive delivery: feature code enqueues into the {@link Outbox}; {@link startDispatcher} sends, within
 * Teams' limits, surviving crashes, once per idempotency key and recipient.
 */
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../common/backoff';
export {
  ChannelError,
  classifyStatus,
  DEFAULT_RETRY_STATUSES,
  parseRetryAfter,
  type ChannelErrorKind,
  type ChannelSender,
  type PersonalConversationTarget,
  type SendOptions,
} from './channelSender';
export { systemClock, type Clock } from '../common/clock';
export {
  channelConversationId,
  ConversationRegistry,
  personalConversationsIn,
  registryKeyOf,
  type ConversationContext,
  type ConversationDoc,
  type PersonalConversations,
  type RegistryDoc,
  type TenantEndpoint,
} from './conversationRegistry';
export { startDispatcher, type DeliveryEvent, type Dispatcher, type DispatcherOptions, type DispatcherStores, type StartDispatcherDeps } from './dispatcher';
export { deliveryIdOf, notificationIdOf, recipientKeyOf } from './keys';
export type {
  CardUpdateRequest,
  ConversationRecipient,
  ConversationRef,
  DeliveryDoc,
  DeliveryError,
  DeliveryInstall,
  DeliveryStatus,
  EnqueueResult,
  NotificationDoc,
  NotificationRequest,
  NotificationStatus,
  OutboxDoc,
  OutgoingActivity,
  Recipient,
  RecipientStatus,
  UserRecipient,
} from './model';
export { Outbox, OutboxError, type OutboxOptions } from './outbox';
export type { DeliveryReport, DeliveryReports, Reach, RecipientReach, UnreachableReason } from './reach';
export { OutboxReports, recipientReachOf, reportOf, type OutboxReportsOptions } from './reports';
export { DeliveryRateLimiter, limitsForInstances, TEAMS_LIMITS, type DeliveryLimits, type RateWindow } from './rateLimiter';
