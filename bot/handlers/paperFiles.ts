/**
 * The paper of a Vortrag as a file (issue 17, "Schriftlich vorlegen"), the Teams side of services/requests/paperFileStore.ts:
 * - a file the IB side sends in the personal chat is fetched at once (Teams' address lasts minutes) and held, and the
 *   card asks which Vortrag it belongs to (`report.handInFile` carries only the id under which it is held);
 * - the head side receives it on Teams' file consent card (a notice of the Vortrag's write); "Zulassen" makes Teams
 *   open an upload session in their OneDrive, the bot uploads, then shows the file (file info card); "Ablehnen" is
 *   noted. Either way, once everyone offered the file answered, the Lotse deletes it.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4
 */
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { AUTHORITY_CODES, isAuthorityCode } from '../../services/directory/model';
import type { Logger } from '../../services/logging';
import type { ItemDoc } from '../../services/requests/model';
import { fileOfferActivity, type FileOfferContext } from '../../services/requests/notifications';
import { downloadTeamsFile, isPaperFileId, PAPER_FILE_TYPES, uploadToSession, type PaperFileHead, type PaperFileStore } from '../../services/requests/paperFileStore';
import type { RequestService } from '../../services/requests/requestService';
import { REQUEST_TEXTS } from '../../services/requests/texts';
import type { Lang } from '../texts';
import type { Caller, FileConsentAnswer, ReceivedFile } from './types';

export interface PaperFileSettings {
  store: PaperFileStore;
  /** TEAMS_FILE_HOSTS: where Teams' pre-authorised file addresses may point. */
  hosts: readonly string[];
  /** PAPER_FILE_MAX_MB in bytes. */
  maxBytes: number;
  /** PAPER_FILE_RETENTION_DAYS. */
  retentionDays: number;
  now: () => Date;
}

/** The file info card's content type: the file as it appears in the chat after the upload. */
export const FILE_INFO_CARD = 'application/vnd.microsoft.teams.card.file.info';

const offerContext = z.object({ file: z.string().uuid(), authority: z.enum(AUTHORITY_CODES), item: z.string().min(1).max(100) });

/** The file's type as a lower-case extension: Teams' `fileType`, else the name's. */
function typeOf(file: Pick<ReceivedFile, 'name' | 'fileType'>): string {
  const fromName = /\.([A-Za-z0-9]{1,10})$/.exec(file.name)?.[1] ?? '';
  return (file.fileType || fromName).toLowerCase();
}

/** Whether a Vortrag handed in this file (the item's paper names its id). */
export function namesFile(item: Pick<ItemDoc, 'messages'> | undefined, fileId: string): boolean {
  return !!item?.messages.some((m) => m.file?.id === fileId);
}

/** Who the file was offered to: the head side as the Vortrag had it, without the person who handed it in. */
function offeredTo(item: ItemDoc, fileId: string): string[] {
  const by = item.messages.find((m) => m.file?.id === fileId)?.by.aadObjectId;
  return item.cardsTo.filter((id) => id !== by);
}

export function paperFileHandlers(deps: { settings: PaperFileSettings; service: RequestService; logger: Logger }) {
  const { settings, service, logger } = deps;
  const texts = (lang: Lang) => REQUEST_TEXTS[lang].paperFile;

  /**
   * Takes a file the IB side sent, for the Vorträge waiting for it: checks the type, fetches and holds it. Returns the
   * held file, or the text that says why not (nothing stored then).
   */
  async function take(caller: Caller, file: ReceivedFile, waiting: Array<Pick<ItemDoc, 'authority' | 'id'>>): Promise<{ head: PaperFileHead } | { refused: string; code: string }> {
    const t = texts(caller.lang);
    const fileType = typeOf(file);
    if (!PAPER_FILE_TYPES.includes(fileType)) return { refused: t.wrongType, code: 'file_type' };
    const got = await downloadTeamsFile(file.downloadUrl, { hosts: settings.hosts, maxBytes: settings.maxBytes });
    if (!got.ok) {
      const text = got.reason === 'too_large' ? t.tooLarge(Math.round(settings.maxBytes / (1024 * 1024))) : got.reason === 'expired' ? t.expired : t.failed;
      return { refused: text, code: `download_${got.reason}` };
    }
    const head = await settings.store.keep(
      { owner: caller.aadObjectId, tenantId: caller.tenantId, name: file.name.slice(0, 250), fileType, bytes: got.bytes, candidates: waiting.map((w) => ({ authority: w.authority, id: w.id })) },
      settings.now(),
    );
    logger.info({ event: 'requests.file_taken', fileId: head.pk, bytes: head.size }, 'file held for a Vortrag');
    return { head };
  }

  /** The held file the IB confirms on the card: theirs, and still there. */
  async function held(caller: Caller, fileId: string): Promise<{ head: PaperFileHead } | { status: 403 | 404; text: string }> {
    const t = texts(caller.lang);
    const head = isPaperFileId(fileId) ? await settings.store.head(fileId) : undefined;
    if (!head) return { status: 404, text: t.gone };
    if (head.owner !== caller.aadObjectId) return { status: 403, text: t.notYours };
    return { head };
  }

  /**
   * The answer on a file consent card. Checked again from stored data: the file belongs to that Vortrag, and the
   * person is of its head side now. "Zulassen": upload, then the file info card; on failure the card again.
   */
  async function consent(context: TurnContext, caller: Caller, answer: FileConsentAnswer): Promise<void> {
    const t = texts(caller.lang);
    const parsed = offerContext.safeParse(answer.context);
    const refuse = async (code: string, text: string) => {
      logger.warn({ event: 'requests.file_consent_refused', code, activityId: context.activity.id }, 'file consent answer refused');
      await context.sendActivity(text);
    };
    if (!parsed.success) return refuse('bad_context', t.unavailable);
    const ref: FileOfferContext & { authority: (typeof AUTHORITY_CODES)[number] } = parsed.data;
    const item = await service.repo.get(ref.authority, ref.item).catch(() => undefined);
    if (!item || !namesFile(item, ref.file)) return refuse('no_such_paper', t.unavailable);
    if (!service.rolesFor(caller.aadObjectId, item).headSide) return refuse('not_head_side', t.notForYou);
    const head = await settings.store.head(ref.file);
    if (!head || head.outcomes[caller.aadObjectId]?.state === 'delivered') return refuse('file_gone', t.unavailable);
    const recipients = offeredTo(item, ref.file);
    if (answer.action === 'decline') {
      await settings.store.record(ref.file, caller.aadObjectId, 'declined', recipients, settings.now());
      await service.notePaperFile({ authority: ref.authority, id: item.id }, ref.file, caller.aadObjectId, 'declined');
      logger.info({ event: 'requests.file_declined', itemId: item.id, fileId: ref.file }, 'paper file declined');
      await context.sendActivity(t.declined(head.name));
      return;
    }
    if (answer.action !== 'accept') return refuse('bad_action', t.unavailable);
    const info = answer.uploadInfo ?? {};
    const bytes = await settings.store.bytes(head);
    if (!bytes) return refuse('file_damaged', t.unavailable);
    const uploaded = typeof info.uploadUrl === 'string' && (await uploadToSession(info.uploadUrl, bytes, { hosts: settings.hosts }));
    if (!uploaded) {
      logger.warn({ event: 'requests.file_upload_failed', itemId: item.id, fileId: ref.file }, 'paper file upload failed: offered again');
      await context.sendActivity(t.uploadFailed(head.name));
      const offer = fileOfferActivity({ name: head.name, size: head.size }, t.offer(item.subject.replace(/\s+/g, ' ').slice(0, 200)), t.offerSummary, ref);
      await context.sendActivity({ type: 'message', summary: offer.summary, attachments: offer.attachments });
      return;
    }
    // The file as it now is in the person's OneDrive (Teams may have renamed it), shown in the chat.
    await context.sendActivity({
      type: 'message',
      text: t.delivered(info.name ?? head.name),
      attachments: [{ contentType: FILE_INFO_CARD, contentUrl: info.contentUrl, name: info.name ?? head.name, content: { uniqueId: info.uniqueId, fileType: info.fileType ?? head.fileType } }],
    });
    await settings.store.record(ref.file, caller.aadObjectId, 'delivered', recipients, settings.now());
    await service.notePaperFile({ authority: ref.authority, id: item.id }, ref.file, caller.aadObjectId, 'delivered');
    logger.info({ event: 'requests.file_delivered', itemId: item.id, fileId: ref.file, bytes: head.size }, 'paper file delivered');
  }

  /** The retention purge: a file not handed in is checked against the Vorträge that waited for it. */
  const handedIn = async (head: PaperFileHead): Promise<boolean> => {
    for (const c of head.candidates) {
      if (isAuthorityCode(c.authority) && namesFile(await service.repo.get(c.authority, c.id).catch(() => undefined), head.pk)) return true;
    }
    return false;
  };

  /** Whether another Vortrag than `itemId` already took this file as its paper (one file, one Vortrag). */
  const handedInElsewhere = async (head: PaperFileHead, itemId: string): Promise<boolean> => {
    for (const c of head.candidates) {
      if (c.id !== itemId && isAuthorityCode(c.authority) && namesFile(await service.repo.get(c.authority, c.id).catch(() => undefined), head.pk)) return true;
    }
    return false;
  };

  return { take, held, consent, handedIn, handedInElsewhere };
}
