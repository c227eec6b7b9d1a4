/**
 * "Meine Daten" / "My data" (GDPR Art. 15) as a summary card in the personal chat, with the full file as the tab's
 * download; "Meine Daten löschen" / "Delete my data" (Art. 17) with a confirmation step; and the hourly retention
 * purge of what has no record of its own (services/privacy/retention.ts).
 *
 * Why the full file is a link to the tab and not an attachment: a bot can send a file in a personal chat only through
 * the file consent flow (`supportsFiles`, which the app does not declare), and a plain link to the service would reach
 * a browser without the Teams sign-in. The tab "Mein Lotse" already offers the file as an authenticated download
 * (`GET /api/tab/downloads/myData`, Teams SSO), so the card links there.
 */
import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { eraseMyDataCard } from '../../cards/eraseMyDataCard';
import { myDataSummaryCard, type MyDataKind } from '../../cards/myDataSummaryCard';
import { formatBerlinDay } from '../../services/common/berlinTime';
import { AUTHORITY_NAMES } from '../../services/directory/model';
import type { Logger } from '../../services/logging';
import type { MyData } from '../../services/privacy/myData';
import type { ErasureReport, KeptRecords } from '../../services/privacy/erasure';
import { PRIVACY_JOB_KINDS, type PurgeCounts } from '../../services/privacy/retention';
import type { Lang } from '../texts';
import { invokeResponse, type Caller, type Feature } from './types';

export interface MyDataFeatureDeps {
  /** Deletes the caller's own data and reports what is kept (services/privacy/erasure.ts). */
  erase(aadObjectId: string): Promise<ErasureReport>;
  /** "Meine Daten" from every workflow (profile, requests, circle, directory edits). */
  myData?(aadObjectId: string): Promise<MyData>;
  /** Deep link to the personal tab "Mein Lotse" (its Downloads offer the full file); absent: the card names the tab. */
  tabUrl?: string;
  /** The retention purge of profiles, directory audit entries, conversation references and unowned notifications. */
  purge(): Promise<PurgeCounts>;
  logger: Logger;
  now?: () => Date;
}

const SHOW_COMMANDS = new Set(['meine daten', 'my data']);
const COMMANDS = new Set(['meine daten löschen', 'meine daten loeschen', 'daten löschen', 'delete my data', 'erase my data']);
const PURGE_EVERY_MS = 60 * 60_000;

const T = {
  de: {
    heading: 'Meine Daten löschen?',
    question: [
      'Gelöscht werden Ihr Profil (Ihre Bezirksregierung, Ihre Sprache und wie der Lotse Sie im Chat erreicht), Ihre Antworten auf Terminumfragen, Ihre Rückmeldungen zu Sitzungen, die Themen, die Sie vorgeschlagen haben, und Ihre Kenntnisnahmen von Informationen; an Informationen, die Sie erhalten haben, werden Sie nicht mehr erinnert. Das lässt sich nicht rückgängig machen.',
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
        r.posts?.acknowledgements ? `${r.posts.acknowledgements} ${r.posts.acknowledgements === 1 ? 'Kenntnisnahme einer Information' : 'Kenntnisnahmen von Informationen'}` : '',
        r.posts?.received ? `Ihr Name bei ${r.posts.received} ${r.posts.received === 1 ? 'erhaltenen Information' : 'erhaltenen Informationen'} samt den Erinnerungen daran` : '',
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
    postsSent: (n: number) => `${n} ${n === 1 ? 'Information' : 'Informationen'} an Beschäftigte, die Sie gesendet haben`,
    again: 'Schreiben Sie dem Lotsen wieder, merkt er sich erneut, wie er Sie im Chat erreicht.',
    summary: {
      heading: 'Meine Daten',
      intro: (day: string) => `Das speichert der Lotse über Sie (Stand ${day}):`,
      profile: 'Ihr Profil',
      noProfile: 'Kein Profil gespeichert.',
      authority: (name: string, chosen: boolean) => `Bezirksregierung: ${name}${chosen ? ' (von Ihnen gewählt)' : ' (aus Ihrer E-Mail-Adresse)'}`,
      language: (locale: string) => `Sprache: ${/^en/i.test(locale) ? 'Englisch' : 'Deutsch'}`,
      plainLanguage: (on: boolean) => (on ? 'Antworten in einfacher Sprache: ja („normale Sprache“ schaltet sie aus)' : 'Antworten in einfacher Sprache: nein'),
      lastQuestion: (day: string) => `Ihre letzte Frage (für „einfach erklärt“): gespeichert am ${day}, bis zur nächsten Frage`,
      chat: (stored: boolean) => (stored ? 'Wie der Lotse Sie im Chat erreicht: gespeichert' : 'Wie der Lotse Sie im Chat erreicht: nicht gespeichert'),
      since: (created: string, updated: string) => `Angelegt am ${created}, zuletzt geändert am ${updated}`,
      profileGoes: (day: string) => `Wird am ${day} gelöscht (die App ist nicht mehr installiert).`,
      created: 'Ihre Anliegen und Vorträge',
      actedOn: 'Vorgänge anderer mit Ihren Beiträgen',
      audit: 'Verlaufseinträge Ihrer Schritte',
      circle: 'Koordinierungskreis',
      directory: 'Ihre Änderungen am Verzeichnis',
      postsSent: 'Ihre Informationen an Beschäftigte',
      acknowledged: 'Ihre Kenntnisnahmen',
      remindersReceived: 'Erinnerungen an Sie',
      cadence: 'Ihre Schritte am Rhythmus des Koordinierungskreises',
      taught: 'Von Ihnen eingestellte Antworten',
      paperFiles: 'Von Ihnen gesendete Dateien (schriftliche Vorlagen), die der Lotse noch aufbewahrt',
      inForce: (n: number) => `${n} davon in Kraft`,
      none: 'Keine.',
      count: (n: number, open: number) => `${n} insgesamt${open ? `, davon ${open} offen` : ''}`,
      latest: (day: string) => `Zuletzt am ${day}`,
      messages: (n: number) => `${n} ${n === 1 ? 'Nachricht' : 'Nachrichten'} von Ihnen`,
      decisions: (n: number) => `${n} ${n === 1 ? 'Entscheidung' : 'Entscheidungen'} von Ihnen`,
      circleParts: {
        pollAnswers: (n: number) => `${n} ${n === 1 ? 'Antwort' : 'Antworten'} auf Terminumfragen`,
        rsvps: (n: number) => `${n} ${n === 1 ? 'Rückmeldung' : 'Rückmeldungen'} zu Sitzungen`,
        topics: (n: number) => `${n} ${n === 1 ? 'vorgeschlagenes Thema' : 'vorgeschlagene Themen'}`,
        polls: (n: number) => `${n} von Ihnen ${n === 1 ? 'angelegte Terminumfrage' : 'angelegte Terminumfragen'}`,
        meetings: (n: number) => `${n} von Ihnen ${n === 1 ? 'angekündigte Sitzung' : 'angekündigte Sitzungen'}`,
        tasks: (n: number) => `${n} ${n === 1 ? 'Aufgabe' : 'Aufgaben'} aus Sitzungen`,
        minutes: (n: number) => `${n} von Ihnen ${n === 1 ? 'eingestelltes Protokoll' : 'eingestellte Protokolle'}`,
        guest: 'Ihr Eintrag als Gast',
      },
      download: 'Die vollständige Datei mit allen Einträgen und Texten laden Sie im Tab „Mein Lotse“ unter „Downloads“ herunter.',
      erase: '„Meine Daten löschen“ löscht, was nicht als Akte aufbewahrt werden muss; Sie werden vorher gefragt.',
      tabLabel: 'Datei herunterladen',
      eraseLabel: 'Meine Daten löschen',
    },
  },
  en: {
    heading: 'Delete my data?',
    question: [
      'This deletes your profile (your authority, your language and how the Lotse reaches you in the chat), your answers to date polls, your replies to meeting invitations, the topics you proposed and your acknowledgements of information posts; you are no longer reminded of posts you received. It cannot be undone.',
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
        r.posts?.acknowledgements ? `${r.posts.acknowledgements} ${r.posts.acknowledgements === 1 ? 'acknowledgement' : 'acknowledgements'} of information posts` : '',
        r.posts?.received ? `your name on ${r.posts.received} information ${r.posts.received === 1 ? 'post' : 'posts'} you received, with the reminders about ${r.posts.received === 1 ? 'it' : 'them'}` : '',
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
    postsSent: (n: number) => `${n} information ${n === 1 ? 'post' : 'posts'} to staff you sent`,
    again: 'If you write to the Lotse again, it will again remember how to reach you in the chat.',
    summary: {
      heading: 'My data',
      intro: (day: string) => `This is what the Lotse stores about you (as of ${day}):`,
      profile: 'Your profile',
      noProfile: 'No profile stored.',
      authority: (name: string, chosen: boolean) => `Authority: ${name}${chosen ? ' (chosen by you)' : ' (from your e-mail address)'}`,
      language: (locale: string) => `Language: ${/^en/i.test(locale) ? 'English' : 'German'}`,
      plainLanguage: (on: boolean) => (on ? 'Answers in plain language: yes ("normal language" turns it off)' : 'Answers in plain language: no'),
      lastQuestion: (day: string) => `Your last question (for "explain simply"): stored on ${day}, until your next question`,
      chat: (stored: boolean) => (stored ? 'How the Lotse reaches you in the chat: stored' : 'How the Lotse reaches you in the chat: not stored'),
      since: (created: string, updated: string) => `Created on ${created}, last changed on ${updated}`,
      profileGoes: (day: string) => `Will be deleted on ${day} (the app is no longer installed).`,
      created: 'Your requests and reports',
      actedOn: 'Items of others with your contributions',
      audit: 'Trail entries of your steps',
      circle: 'Coordination circle',
      directory: 'Your changes to the directory',
      postsSent: 'Your information posts to staff',
      acknowledged: 'Your acknowledgements',
      remindersReceived: 'Reminders you received',
      cadence: "Your steps on the circle's rhythm",
      taught: 'Answers you taught',
      paperFiles: 'Files you sent (written submissions) that the Lotse still keeps',
      inForce: (n: number) => `${n} of them in force`,
      none: 'None.',
      count: (n: number, open: number) => `${n} in total${open ? `, ${open} of them open` : ''}`,
      latest: (day: string) => `Latest on ${day}`,
      messages: (n: number) => `${n} ${n === 1 ? 'message' : 'messages'} from you`,
      decisions: (n: number) => `${n} ${n === 1 ? 'decision' : 'decisions'} by you`,
      circleParts: {
        pollAnswers: (n: number) => `${n} ${n === 1 ? 'answer' : 'answers'} to date polls`,
        rsvps: (n: number) => `${n} ${n === 1 ? 'reply' : 'replies'} to meeting invitations`,
        topics: (n: number) => `${n} proposed ${n === 1 ? 'topic' : 'topics'}`,
        polls: (n: number) => `${n} date ${n === 1 ? 'poll' : 'polls'} you created`,
        meetings: (n: number) => `${n} ${n === 1 ? 'meeting' : 'meetings'} you announced`,
        tasks: (n: number) => `${n} ${n === 1 ? 'task' : 'tasks'} from meetings`,
        minutes: (n: number) => `${n} ${n === 1 ? 'set' : 'sets'} of minutes you posted`,
        guest: 'Your entry as a guest',
      },
      download: 'Download the full file with every entry and text in the tab "My Lotse" under "Downloads".',
      erase: '"Delete my data" deletes what need not be kept as a record; you are asked first.',
      tabLabel: 'Download the file',
      eraseLabel: 'Delete my data',
    },
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
    k.postsSent?.count ? line(t.postsSent(k.postsSent.count), k.postsSent) : '',
  ].filter(Boolean);
  return {
    heading: t.doneHeading,
    paragraphs: [t.deleted(report.deleted), ...(kept.length ? [t.keptIntro, ...kept] : [t.nothingKept]), t.again],
  };
}

/** The latest of ISO instants as a Berlin day, '' for none. */
function latestDay(lang: Lang, instants: Array<string | undefined>): string {
  const times = instants.filter((x): x is string => !!x).map((x) => Date.parse(x)).filter((x) => Number.isFinite(x));
  return times.length ? formatBerlinDay(new Date(Math.max(...times)), lang) : '';
}

/**
 * "Meine Daten" as a summary card: what is stored, by kind, with counts and Berlin dates; no ids, no texts (those
 * are in the full file in the tab). `now` dates the summary.
 */
export function renderMyDataSummary(lang: Lang, data: MyData, tabUrl = '') {
  const t = T[lang].summary;
  const day = (iso: string) => formatBerlinDay(new Date(iso), lang);
  const kinds: MyDataKind[] = [];
  const p = data.profile;
  kinds.push({
    title: t.profile,
    lines: p
      ? [
          ...(p.homeAuthority ? [t.authority(AUTHORITY_NAMES[p.homeAuthority], p.homeAuthoritySource === 'chosen')] : []),
          ...(p.locale ? [t.language(p.locale)] : []),
          ...(p.plainLanguage !== undefined ? [t.plainLanguage(p.plainLanguage)] : []),
          ...(p.lastQuestion ? [t.lastQuestion(day(p.lastQuestion.at))] : []),
          t.chat(!!p.personalChat),
          t.since(day(p.createdAt), day(p.updatedAt)),
          ...(p.deleteAfter ? [t.profileGoes(day(p.deleteAfter))] : []),
        ]
      : [t.noProfile],
  });
  const created = data.requests.created;
  kinds.push({
    title: t.created,
    lines: created.length ? [t.count(created.length, created.filter((c) => c.open).length), t.latest(latestDay(lang, created.map((c) => c.createdAt)))] : [t.none],
  });
  const acted = data.requests.actedOn;
  const messages = acted.reduce((n, a) => n + a.messages.length, 0) + created.reduce((n, c) => n + c.messages.length, 0);
  const decisions = acted.filter((a) => a.decision).length;
  kinds.push({
    title: t.actedOn,
    lines: acted.length
      ? [t.count(acted.length, acted.filter((a) => a.open).length), ...(messages ? [t.messages(messages)] : []), ...(decisions ? [t.decisions(decisions)] : [])]
      : [t.none],
  });
  const audit = data.requests.audit;
  kinds.push({ title: t.audit, lines: audit.length ? [t.count(audit.length, 0), t.latest(latestDay(lang, audit.map((a) => a.at)))] : [t.none] });
  const c = data.circle;
  if (c) {
    const cp = t.circleParts;
    const parts = [
      c.pollAnswers.length ? cp.pollAnswers(c.pollAnswers.length) : '',
      c.rsvps.length ? cp.rsvps(c.rsvps.length) : '',
      c.topics.length ? cp.topics(c.topics.length) : '',
      c.pollsCreated.length ? cp.polls(c.pollsCreated.length) : '',
      c.meetingsCreated.length ? cp.meetings(c.meetingsCreated.length) : '',
      c.actionItems.length ? cp.tasks(c.actionItems.length) : '',
      c.minutesPosted.length ? cp.minutes(c.minutesPosted.length) : '',
      c.guest ? cp.guest : '',
    ].filter(Boolean);
    kinds.push({ title: t.circle, lines: parts.length ? parts.map((x) => `• ${x}`) : [t.none] });
  }
  if (data.directoryEdits.length) {
    const edits = data.directoryEdits;
    kinds.push({ title: t.directory, lines: [t.count(edits.length, 0), t.latest(latestDay(lang, edits.map((e) => e.at)))] });
  }
  // Posts, the cadence trail and taught answers: shown where there is something (the full file lists every entry).
  const counted = (title: string, instants: string[], extra: string[] = []) => {
    if (instants.length) kinds.push({ title, lines: [t.count(instants.length, 0), ...extra, t.latest(latestDay(lang, instants))] });
  };
  counted(t.postsSent, (data.posts?.sent ?? []).map((p) => p.sentAt ?? p.createdAt));
  counted(t.acknowledged, (data.posts?.acknowledged ?? []).map((a) => a.at));
  counted(t.remindersReceived, (data.posts?.remindersReceived ?? []).map((r) => r.at));
  counted(t.cadence, (data.cadenceTrail ?? []).map((e) => e.at));
  const taught = data.taughtAnswers ?? [];
  const inForce = taught.filter((v) => v.current).length;
  counted(t.taught, taught.map((v) => v.publishedAt), inForce ? [t.inForce(inForce)] : []);
  counted(t.paperFiles, (data.paperFiles ?? []).map((f) => f.receivedAt));
  return myDataSummaryCard({
    lang,
    heading: t.heading,
    intro: t.intro(day(data.generatedAt)),
    kinds,
    download: t.download,
    erase: t.erase,
    tabUrl,
    tabLabel: t.tabLabel,
    eraseLabel: t.eraseLabel,
  });
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
      ...(deps.myData
        ? [
            {
              id: 'privacy.show',
              matches: (t: string) => SHOW_COMMANDS.has(t),
              run: async (context: TurnContext, caller: Caller) => {
                // Whose data is shown is the caller Teams authenticated on this activity; the full file is in the tab.
                const data = await deps.myData!(caller.aadObjectId);
                await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(renderMyDataSummary(caller.lang, data, deps.tabUrl).content)));
              },
            },
          ]
        : []),
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
        // "Meine Daten löschen" from the summary card's menu: only the question, nothing is deleted yet.
        verb: 'privacy.erase.ask',
        schema: z.object({}).passthrough(),
        run: async (_context, caller) => invokeResponse.card(renderEraseQuestion(caller.lang).content),
      },
      {
        verb: 'privacy.erase.confirm',
        // Card data names nobody: whose data goes is the caller Teams authenticated on this activity.
        schema: z.object({}).passthrough(),
        run: async (context, caller) => {
          const report = await deps.erase(caller.aadObjectId);
          deps.logger.info(
            { event: 'privacy.erased', profile: report.deleted.profile, pollAnswers: report.deleted.pollAnswers, rsvps: report.deleted.rsvps, topics: report.deleted.topics, postAcks: report.deleted.posts?.acknowledgements ?? 0, postsReceived: report.deleted.posts?.received ?? 0 },
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
