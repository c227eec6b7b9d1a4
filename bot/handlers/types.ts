import type { AdaptiveCardInvokeResponse, TurnContext } from 'botbuilder';
import type { z } from 'zod';
import type { HelpSection } from '../../cards/helpCard';
import type { Answer } from '../../services/answers/engine';
import type { JobHandler } from '../../services/scheduling/scheduler';
import type { Lang } from '../texts';

/** Who is acting in this turn, taken from the activity Teams sent (never from card data). */
export interface Caller {
  aadObjectId: string;
  tenantId: string;
  lang: Lang;
  locale: string;
}

/** A typed text command ("Hilfe", "Meine Anliegen"). `matches` receives the normalised text. */
export interface Command {
  id: string;
  /** Shows personal or role data: answered only in the personal chat, never in a group chat or channel (see TeamsBot). */
  personalOnly?: boolean;
  matches(normalised: string): boolean;
  run(context: TurnContext, caller: Caller): Promise<void>;
}

/** One Adaptive Card `Action.Execute` verb with the schema its data must satisfy. */
export interface CardVerb<T = unknown> {
  verb: string;
  /** Acts on personal items (requests, reports): refused on a card in a group chat or channel. */
  personalOnly?: boolean;
  schema: z.ZodType<T>;
  run(context: TurnContext, caller: Caller, data: T): Promise<AdaptiveCardInvokeResponse>;
}

/**
 * A file a person sent to the bot in the personal chat, as Teams announces it: an attachment of content type
 * `application/vnd.microsoft.teams.file.download.info` with the file's name and `content.downloadUrl`, `uniqueId`,
 * `fileType` (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4, "Receive files in personal
 * chat"). The download address is short-lived and pre-authorised: never logged, never stored.
 */
export interface ReceivedFile {
  name: string;
  fileType: string;
  uniqueId: string;
  downloadUrl: string;
}

/** The content type of a file sent to the bot in the personal chat. */
export const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/** The files among a message's attachments (the text's HTML mirror and cards are not files). */
export function receivedFiles(attachments: unknown): ReceivedFile[] {
  if (!Array.isArray(attachments)) return [];
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return attachments
    .filter((a) => a && typeof a === 'object' && (a as { contentType?: unknown }).contentType === FILE_DOWNLOAD_INFO)
    .map((a) => {
      const content = ((a as { content?: unknown }).content ?? {}) as Record<string, unknown>;
      return { name: str((a as { name?: unknown }).name), fileType: str(content.fileType), uniqueId: str(content.uniqueId), downloadUrl: str(content.downloadUrl) };
    });
}

/** What Teams sends when a file consent card is answered (`fileConsent/invoke`). */
export interface FileConsentAnswer {
  action?: string;
  context?: unknown;
  uploadInfo?: { name?: string; uploadUrl?: string; contentUrl?: string; uniqueId?: string; fileType?: string };
}

/** Takes over an answer of the engine; returns false to let the plain answer be sent. */
export type IntentHandler = (context: TurnContext, caller: Caller, answer: Answer) => Promise<boolean>;

/** What one feature module contributes to the bot. */
export interface Feature {
  name: string;
  /** Every command and card verb of this feature works only in the personal chat (it shows or changes personal items). */
  personalOnly?: boolean;
  commands?: Command[];
  verbs?: CardVerb<any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- each verb carries its own schema
  /** Its entries on the help card, per language. */
  help?: Record<Lang, HelpSection[]>;
  /**
   * Intents of the answer engine this feature takes over (e.g. `request.create` opens the request form): the handler
   * runs instead of the plain answer when it returns true.
   */
  intents?: Record<string, IntentHandler>;
  /** Handlers of the scheduled jobs this feature writes (reminders, escalations), by job kind. */
  jobs?: Record<string, JobHandler>;
  /**
   * Files a person sent to the bot in the personal chat (Teams' `file.download.info` attachments), before commands and
   * questions (at most one feature: the paper of a Vortrag).
   */
  files?: (context: TurnContext, caller: Caller, files: ReceivedFile[]) => Promise<void>;
  /**
   * The answer on a file consent card this feature sent (`fileConsent/invoke`: "Zulassen" with Teams' upload session,
   * or "Ablehnen"), at most one feature: the paper of a Vortrag to the head side.
   */
  fileConsent?: (context: TurnContext, caller: Caller, answer: FileConsentAnswer) => Promise<void>;
  /** Handles any message no command matched (at most one feature: the question engine). */
  fallback?: (context: TurnContext, caller: Caller, text: string) => Promise<void>;
}

/** Invoke responses for Action.Execute: a card in place, or an error with a status code. */
export const invokeResponse = {
  card(card: Record<string, unknown>): AdaptiveCardInvokeResponse {
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card };
  },
  message(text: string): AdaptiveCardInvokeResponse {
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text as unknown as Record<string, unknown> };
  },
  error(statusCode: 400 | 403 | 404 | 409 | 412 | 500, code: string, message: string): AdaptiveCardInvokeResponse {
    return { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } as unknown as Record<string, unknown> };
  },
};
