/**
 * "Meine Daten löschen" / "Delete my data" (GDPR Art. 17) in the personal chat, with a confirmation step, and the
 * hourly retention purge of what has no record of its own (services/privacy/retention.ts). "Meine Daten" itself
 * (Art. 15) is a command of the requests feature.
 */
import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { eraseMyDataCard } from '../../cards/eraseMyDataCard';
import { formatBerlinDay } from '../../services/common/berlinTime';
import type { Logger } from '../../services/logging';
import type { ErasureReport, KeptRecords } from '../../services/privacy/erasure';
import { PRIVACY_JOB_KINDS, type PurgeCounts } from '../../services/privacy/retention';
import type { Lang } from '../texts';
import { invokeResponse, type Caller, type Feature } from './types';

export interface MyDataFeatureDeps {
  /** Deletes the caller's own data and reports what is kept (services/privacy/erasure.ts). */
  erase(aadObjectId: string): Promise<ErasureReport>;
  /** The retention purge of profiles, directory audit entries, conversation references and unowned notifications. */
  purge(): Promise<PurgeCounts>;
  logger: Logger;
  now?: () => Date;
}

const COMMANDS = new Set(['meine daten löschen', 'meine daten loeschen', 'daten löschen', 'delete my data', 'erase my data']);
const PURGE_EVERY_MS = 60 * 60_000;

const T = {
  de: {
    heading: 'Meine Daten löschen?',
    question: [
      'Gelöscht werden Ihr Profil (Ihre Bezirksregierung, Ihre Sprache und wie der Lotse Sie im Chat erreicht), Ihre Antworten auf Terminumfragen, Ihre Rückmeldungen zu Sitzungen und die Themen, die Sie vorgeschlagen haben. Das lässt sich nicht rückgängig machen.',
      'Anliegen und Vorträge führt die Bezirksregierung als Akte: Sie bleiben bis zum Ende ihrer Aufbewahrungsfrist erhalten. Was genau bleibt und bis wann, steht in der Antwort.',
    ],
    confirm: 'Endgültig löschen',
    cancel: 'Abbrechen',
    cancelledHeading: 'Nichts gelöscht',
    cancelled: 'Ihre Daten bleiben unverändert. „Meine Daten“ zeigt, was gespeichert ist.',
    doneHeading: 'Ihre Daten sind gelöscht',
    deleted: (r: ErasureReport['deleted']) => {
      const parts = [
        r.profile ? 'Ihr Profil (Bezirksregierung, Sprache, wie der Lotse Sie im Chat erreicht)' : '',
        r.pollAnswers ? `${r.pollAnswers} ${r.pollAnswers === 1 ? 'Antwort' : 'Antworten'} auf Terminumfragen` : '',
        r.rsvps ? `${r.rsvps} ${r.rsvps === 1 ? 'Rückmeldung' : 'Rückmeldungen'} zu Sitzungen` : '',
        r.topics ? `${r.topics} ${r.topics === 1 ? 'vorgeschlagenes Thema' : 'vorgeschlagene Themen'}` : '',
      ].filter(Boolean);
      return parts.length ? `Gelöscht: ${parts.join(', ')}.` : 'Es war nichts (mehr) zu löschen.';
    },
    keptIntro: 'Aufbewahrt, weil die Bezirksregierung sie als Akte führt:',
    nothingKept: 'Darüber hinaus bewahrt der Lotse nichts über Sie auf.',
    until: (k: KeptRecords, days: number) => {
      const open = `gelöscht ${days} Tage nach dem Abschluss`;
      const until = k.until ? `gelöscht bis spätestens ${formatBerlinDay(new Date(k.until), 'de')}` : '';
      if (!k.open) return until;
      return k.open === k.count ? `noch offen, ${open}` : `${k.open} noch offen, ${open}; die übrigen ${until}`;
    },
    created: (n: number) => `${n} ${n === 1 ? 'Anliegen oder Vortrag' : 'Anliegen und Vorträge'} von Ihnen`,
    actedOn: (n: number) => `${n} ${n === 1 ? 'Vorgang' : 'Vorgänge'} anderer mit Ihren Nachrichten, Entscheidungen oder Bearbeitungsschritten`,
    circle: (n: number) => `Koordinierungskreis: ${n} ${n === 1 ? 'Sitzung oder Umfrage' : 'Sitzungen und Umfragen'}, die Sie angelegt haben oder in denen Ihnen eine Aufgabe oder das Protokoll zugeordnet ist`,
    guest: 'Ihr Eintrag als Gast des Koordinierungskreises (ihn verwaltet die KfI)',
    directory: (n: number) => `${n} ${n === 1 ? 'Eintrag' : 'Einträge'} im Änderungsprotokoll des Verzeichnisses`,
    again: 'Schreiben Sie dem Lotsen wieder, merkt er sich erneut, wie er Sie im Chat erreicht.',
  },
  en: {
    heading: 'Delete my data?',
    question: [
      'This deletes your profile (your authority, your language and how the Lotse reaches you in the chat), your answers to date polls, your replies to meeting invitations and the topics you proposed. It cannot be undone.',
      'Requests and reports are records the authority keeps: they stay until their retention period ends. The reply says exactly what stays and until when.',
    ],
    confirm: 'Delete for good',
    cancel: 'Cancel',
    cancelledHeading: 'Nothing deleted',
    cancelled: 'Your data stays as it is. "My data" shows what is stored.',
    doneHeading: 'Your data is deleted',
    deleted: (r: ErasureReport['deleted']) => {
      const parts = [
        r.profile ? 'your profile (authority, language, how the Lotse reaches you in the chat)' : '',
        r.pollAnswers ? `${r.pollAnswers} ${r.pollAnswers === 1 ? 'answer' : 'answers'} to date polls` : '',
        r.rsvps ? `${r.rsvps} ${r.rsvps === 1 ? 'reply' : 'replies'} to meeting invitations` : '',
        r.topics ? `${r.topics} proposed ${r.topics === 1 ? 'topic' : 'topics'}` : '',
      ].filter(Boolean);
      return parts.length ? `Deleted: ${parts.join(', ')}.` : 'There was nothing (left) to delete.';
    },
    keptIntro: 'Kept, because the authority keeps them as records:',
    nothingKept: 'Beyond that, the Lotse keeps nothing about you.',
    until: (k: KeptRecords, days: number) => {
      const open = `deleted ${days} days after closing`;
      const until = k.until ? `deleted by ${formatBerlinDay(new Date(k.until), 'en', 'long')} at the latest` : '';
      if (!k.open) return until;
      return k.open === k.count ? `still open, ${open}` : `${k.open} still open, ${open}; the others ${until}`;
    },
    created: (n: number) => `${n} ${n === 1 ? 'request or report' : 'requests and reports'} you created`,
    actedOn: (n: number) => `${n} ${n === 1 ? 'item' : 'items'} of others with your messages, decisions or steps`,
    circle: (n: number) => `Coordination circle: ${n} ${n === 1 ? 'meeting or poll' : 'meetings and polls'} you created or in which a task or the minutes are yours`,
    guest: 'Your entry as a guest of the coordination circle (the KfI manages it)',
    directory: (n: number) => `${n} ${n === 1 ? 'entry' : 'entries'} in the directory's change log`,
    again: 'If you write to the Lotse again, it will again remember how to reach you in the chat.',
  },
} as const;

/** The outcome of "Meine Daten löschen" as lines of text (chat card and tab): what went, what stays and until when. */
export function erasureText(lang: Lang, report: ErasureReport): { heading: string; paragraphs: string[] } {
  const t = T[lang];
  const k = report.kept;
  const days = k.retentionDaysAfterClosing;
  const line = (text: string, records: KeptRecords) => {
    const until = t.until(records, days);
    return `• ${text}${until ? `: ${until}` : ''}.`;
  };
  const kept = [
    k.created.count ? line(t.created(k.created.count), k.created) : '',
    k.actedOn.count ? line(t.actedOn(k.actedOn.count), k.actedOn) : '',
    k.circle.count ? line(t.circle(k.circle.count), k.circle) : '',
    k.guest ? `• ${t.guest}.` : '',
    k.directoryEdits.count ? line(t.directory(k.directoryEdits.count), k.directoryEdits) : '',
  ].filter(Boolean);
  return {
    heading: t.doneHeading,
    paragraphs: [t.deleted(report.deleted), ...(kept.length ? [t.keptIntro, ...kept] : [t.nothingKept]), t.again],
  };
}

function card(lang: Lang, heading: string, paragraphs: string[], confirm: boolean) {
  return eraseMyDataCard({ lang, heading, paragraphs: [...paragraphs], confirm, confirmLabel: T[lang].confirm, cancelLabel: T[lang].cancel });
}

/** The confirmation card ("Endgültig löschen" / "Abbrechen"). */
export function renderEraseQuestion(lang: Lang) {
  return card(lang, T[lang].heading, [...T[lang].question], true);
}

/** The "Meine Daten löschen" feature and the retention job. */
export function myDataFeature(deps: MyDataFeatureDeps): Feature {
  const now = () => deps.now?.() ?? new Date();
  return {
    name: 'myData',
    // Deleting and its confirmation work only in the personal chat (TeamsBot refuses them in rooms).
    personalOnly: true,
    commands: [
      {
        id: 'privacy.erase',
        matches: (t) => COMMANDS.has(t),
        run: async (context: TurnContext, caller: Caller) => {
          // Only the question: nothing is deleted before "Endgültig löschen".
          await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(renderEraseQuestion(caller.lang).content)));
        },
      },
    ],
    verbs: [
      {
        verb: 'privacy.erase.confirm',
        // Card data names nobody: whose data goes is the caller Teams authenticated on this activity.
        schema: z.object({}).passthrough(),
        run: async (context, caller) => {
          const report = await deps.erase(caller.aadObjectId);
          deps.logger.info(
            { event: 'privacy.erased', profile: report.deleted.profile, pollAnswers: report.deleted.pollAnswers, rsvps: report.deleted.rsvps, topics: report.deleted.topics },
            'a person deleted their data',
          );
          const text = erasureText(caller.lang, report);
          return invokeResponse.card(card(caller.lang, text.heading, text.paragraphs, false).content);
        },
      },
      {
        verb: 'privacy.erase.cancel',
        schema: z.object({}).passthrough(),
        run: async (_context, caller) => invokeResponse.card(card(caller.lang, T[caller.lang].cancelledHeading, [T[caller.lang].cancelled], false).content),
      },
    ],
    jobs: {
      [PRIVACY_JOB_KINDS.purge]: async () => {
        const counts = await deps.purge();
        if (counts.users + counts.directoryAudit + counts.conversations + counts.outbox > 0) {
          deps.logger.info({ event: 'privacy.purged', ...counts }, 'data past its retention deleted');
        }
        return { next: new Date(now().getTime() + PURGE_EVERY_MS) };
      },
    },
    help: {
      de: [{ heading: 'Ihre Daten', description: 'Zeigt, was der Lotse über Sie gespeichert hat, und löscht es auf Wunsch (nur im persönlichen Chat).', examples: '„Meine Daten“ · „Meine Daten löschen“' }],
      en: [{ heading: 'Your data', description: 'Shows what the Lotse has stored about you, and deletes it on request (personal chat only).', examples: '"my data" · "delete my data"' }],
    },
  };
}
