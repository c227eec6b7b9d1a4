import { CardFactory, MessageFactory, TeamsInfo, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { chooseAuthorityCard } from '../../cards/chooseAuthorityCard';
import { contactCard, type ContactAction, type ContactFact, type ContactPerson } from '../../cards/contactCard';
import { berlinDate, formatBerlinDate } from '../../services/common/berlinTime';
import { confirmationPending, DEFAULT_CONFIRM_MONTHS } from '../../services/directory/freshness';
import { plainCitation } from '../../services/answers/composer';
import { MAX_QUESTION_LENGTH, type Answer } from '../../services/answers/engine';
import type { LiveAnswers } from '../../services/answers/liveAnswers';
import type { UnansweredQuestions } from '../../services/answers/unansweredQuestions';
import { AUTHORITY_CODES, AUTHORITY_NAMES, authorityForEmail, type AuthorityCode, type Office, type Person } from '../../services/directory/model';
import type { Logger } from '../../services/logging';
import { countAnswer, countUnanswered } from '../../services/telemetry/telemetry';
import { cardText, isEmailAddress, mailtoLink, messageText, telLink, telUrl } from '../../services/text/escape';
import type { UserProfile, UserProfileRepository } from '../../services/users/userProfiles';
import { inPersonalChat, PROFILE_KEY } from '../teamsBot';
import type { Lang } from '../texts';
import { splitIntoMessages } from '../delivery/longMessages';
import { invokeResponse, type Caller, type Feature, type IntentHandler } from './types';

export interface AnswersDeps {
  live: LiveAnswers;
  profiles: UserProfileRepository;
  unanswered: UnansweredQuestions;
  /** Weekly counts per authority and intent, answered or not (services/answers/figures.ts): counts only, no text, no user. */
  counter?: { count(authority: AuthorityCode | null | undefined, intent: Answer['intent'], answered: boolean, at: Date): void };
  logger: Logger;
  /** Absolute URL of the decree's full text, linked under every answer. */
  decreeUrl: string;
  /** For tests: the moment of the question. */
  now?: () => Date;
  /** Months after which an IB's entry awaits confirmation (DIRECTORY_CONFIRM_MONTHS; default 6). */
  confirmMonths?: number;
  /** Other features' takeovers of intents (request form, report form, next meeting), by intent. */
  intentHandlers?: () => Record<string, IntentHandler>;
}

const L = {
  de: {
    contactHeading: (authorityName: string) => `Ihre IB bei der ${authorityName}`,
    deputyHeading: (authorityName: string) => `Vertretung der IB bei der ${authorityName}`,
    officeHeading: (authorityName: string) => `Ihre Ansprechperson bei der ${authorityName}`,
    placeIntro: (place: string, authorityName: string) => `Für ${place} ist die ${authorityName} zuständig.`,
    vacantIntro: 'Die Stelle der IB ist zurzeit nicht besetzt.',
    kfiHeading: 'Kompetenzzentrum für Integration',
    kfiIntro: (unit: string) => `${AUTHORITY_NAMES.arnsberg}, ${unit}`,
    roleDeputy: 'Vertretung',
    roleAbsent: 'Zurzeit abwesend',
    roleOffice: 'Büro der Behördenleitung',
    orgUnit: 'Anbindung',
    hours: 'Sprechzeiten',
    phone: 'Telefon',
    email: 'E-Mail',
    chat: 'Chat starten',
    mail: 'E-Mail schreiben',
    call: 'Anrufen',
    request: 'Anliegen senden',
    source: 'Quelle',
    verified: 'Angaben zuletzt bestätigt am',
    pending: 'eine Bestätigung steht aus',
    decree: 'Runderlass im Volltext',
    absentNotice: (to: string) => `Ihre IB ist bis einschließlich ${to} abwesend. Bitte wenden Sie sich an die Vertretung.`,
    chooseHeading: 'Für welche Bezirksregierung arbeiten Sie?',
    chooseIntro: 'Dann kann ich Ihnen Ihre Integrationsbeauftragte oder Ihren Integrationsbeauftragten nennen. Ich merke mir Ihre Auswahl; ändern können Sie sie jederzeit mit „Meine Bezirksregierung“.',
    chooseLabel: 'Meine Bezirksregierung',
    chooseError: 'Bitte wählen Sie eine Bezirksregierung.',
    chooseSubmit: 'Speichern',
    chosen: (name: string) => `Gespeichert: Sie arbeiten bei der ${name}.`,
    unansweredTitle: (n: number, name: string) => `Unbeantwortete Fragen für die ${name} (${n}; nur Stichwörter, ohne Personenbezug, 90 Tage aufbewahrt):`,
    part: (n: number, total: number) => `(Teil ${n} von ${total})`,
    unansweredNone: 'Zurzeit liegen keine unbeantworteten Fragen für Ihre Behörde vor.',
    unansweredForbidden: 'Diese Liste sehen nur die Integrationsbeauftragten und ihre Vertretungen.',
  },
  en: {
    contactHeading: (authorityName: string) => `Your integration commissioner at the ${authorityName}`,
    deputyHeading: (authorityName: string) => `Deputy integration commissioner at the ${authorityName}`,
    officeHeading: (authorityName: string) => `Your contact at the ${authorityName}`,
    placeIntro: (place: string, authorityName: string) => `The ${authorityName} is responsible for ${place}.`,
    vacantIntro: 'The post of integration commissioner is vacant at the moment.',
    kfiHeading: 'Kompetenzzentrum für Integration',
    kfiIntro: (unit: string) => `${AUTHORITY_NAMES.arnsberg}, ${unit}`,
    roleDeputy: 'Deputy',
    roleAbsent: 'Currently absent',
    roleOffice: "Head's office",
    orgUnit: 'Unit',
    hours: 'Office hours',
    phone: 'Phone',
    email: 'E-mail',
    chat: 'Start a chat',
    mail: 'Write an e-mail',
    call: 'Call',
    request: 'Send a request',
    source: 'Source',
    verified: 'Details last confirmed on',
    pending: 'a confirmation is pending',
    decree: 'Full text of the decree',
    absentNotice: (to: string) => `Your integration commissioner is away until ${to} (inclusive). Please contact the deputy.`,
    chooseHeading: 'Which Bezirksregierung do you work for?',
    chooseIntro: 'Then I can name your integration commissioner. I will remember your choice; you can change it at any time with "my authority".',
    chooseLabel: 'My Bezirksregierung',
    chooseError: 'Please choose a Bezirksregierung.',
    chooseSubmit: 'Save',
    chosen: (name: string) => `Saved: you work for the ${name}.`,
    unansweredTitle: (n: number, name: string) => `Unanswered questions for the ${name} (${n}; keywords only, no personal data, kept for 90 days):`,
    part: (n: number, total: number) => `(part ${n} of ${total})`,
    unansweredNone: 'There are no unanswered questions for your authority at the moment.',
    unansweredForbidden: 'Only the integration commissioners and their deputies see this list.',
  },
} as const;

/**
 * The card's words in plain language (issue 18): Leichte Sprache in German (no "IB", compounds with a middle dot),
 * plain English; every other label as in {@link L}.
 */
const PLAIN_L = {
  de: {
    ...L.de,
    contactHeading: (authorityName: string) => `Ihre Integrations·beauftragte bei der ${authorityName}`,
    deputyHeading: (authorityName: string) => `Vertretung der Integrations·beauftragten bei der ${authorityName}`,
    officeHeading: (authorityName: string) => `Ihre Ansprech·person bei der ${authorityName}`,
    vacantIntro: 'Die Stelle der Integrations·beauftragten ist zurzeit frei.',
    kfiHeading: 'Kompetenz·zentrum für Integration',
    roleAbsent: 'Zurzeit nicht da',
    roleOffice: 'Büro der Behörden·leitung',
    orgUnit: 'Abteilung',
    hours: 'Erreichbar',
    verified: 'Angaben zuletzt geprüft am',
    pending: 'eine neue Prüfung steht aus',
    absentNotice: (to: string) => `Ihre Integrations·beauftragte ist bis zum ${to} nicht da. Bitte wenden Sie sich an die Vertretung.`,
  },
  en: {
    ...L.en,
    vacantIntro: 'There is no integration commissioner at the moment.',
    kfiHeading: 'Kompetenzzentrum für Integration (centre for integration)',
    roleAbsent: 'Away at the moment',
    absentNotice: (to: string) => `Your integration commissioner is away until ${to}. Please contact the deputy.`,
  },
} as const;

/** The plain-language words of the answers feature: the card's toggle, the follow-up, the stored preference. */
const PLAIN = {
  de: {
    toPlain: 'Einfach erklärt',
    toStandard: 'Normale Sprache',
    noPrevious: 'Ich weiß nicht, welche Antwort ich einfach erklären soll. Bitte schreiben Sie Ihre Frage noch einmal, zum Beispiel: „Einfach erklärt: Wer ist für Marl zuständig?“',
    on: 'Gespeichert: Ich antworte Ihnen ab jetzt in einfacher Sprache. Mit „normale Sprache“ antworte ich wieder wie vorher.',
    off: 'Gespeichert: Ich antworte Ihnen wieder in normaler Sprache. Einfache Sprache bekommen Sie mit „immer einfache Sprache“, für eine Antwort mit „einfach erklärt“.',
  },
  en: {
    toPlain: 'Explain simply',
    toStandard: 'Normal language',
    noPrevious: 'I do not know which answer to explain simply. Please write your question again, for example: "Explain simply: Who is responsible for Marl?"',
    on: 'Saved: from now on I answer you in plain English. Write "normal language" to go back.',
    off: 'Saved: I answer you in normal language again. Write "always plain English" for plain language, or "explain simply" for one answer.',
  },
} as const;

/** "einfach erklärt" alone: the previous question again, in plain language. */
const PLAIN_FOLLOW_UP = new Set([
  'einfach erklärt', 'einfach erklaert', 'einfach erklären', 'bitte einfach erklären', 'einfacher', 'bitte einfacher', 'einfacher bitte',
  'in leichter sprache', 'leichte sprache', 'leichte sprache bitte', 'bitte in leichter sprache', 'in einfacher sprache', 'einfache sprache',
  'einfache sprache bitte', 'bitte in einfacher sprache', 'simple english', 'in simple english', 'simple english please', 'plain english',
  'in plain english', 'plain english please', 'explain simply', 'explain it simply', 'explain that simply', 'please explain simply',
  'simpler please', 'simply explained',
]);
const PLAIN_ALWAYS = new Set(['immer einfache sprache', 'immer leichte sprache', 'immer einfach erklärt', 'always plain english', 'always simple english', 'always plain language', 'always simple language']);
const PLAIN_NEVER = new Set(['normale sprache', 'wieder normale sprache', 'normal language', 'standard language', 'normal english']);
/** How long after a question "einfach erklärt" still refers to it. */
const FOLLOW_UP_MS = 24 * 60 * 60_000;

// A question with the wish before or after it: "Einfach erklärt: Was macht die IB?", "What does an IB do? Explain simply".
const PLAIN_MARKER = '(?:einfach erkl(?:ä|ae)rt|in leichter sprache|in einfacher sprache|leichte sprache bitte|bitte in leichter sprache|in simple english|in plain english|explain simply|simply explained)';
const PLAIN_BEFORE = new RegExp(`^\\s*${PLAIN_MARKER}\\s*[:,;–-]?\\s+(\\S[\\s\\S]*)$`, 'iu');
const PLAIN_AFTER = new RegExp(`^([\\s\\S]*?\\S)[\\s,;:–-]+${PLAIN_MARKER}[\\s.!?]*$`, 'iu');

/** The question without the wish for plain language, or `undefined` when the message does not ask for it. */
export function plainQuestion(text: string): string | undefined {
  const m = PLAIN_BEFORE.exec(text) ?? PLAIN_AFTER.exec(text);
  return m ? m[1].trim() : undefined;
}

const CHOOSE_WORDS = new Set(['meine bezirksregierung', 'bezirksregierung ändern', 'behörde ändern', 'meine behörde', 'my authority', 'change authority', 'my bezirksregierung']);
const UNANSWERED_WORDS = new Set(['unbeantwortete fragen', 'offene fragen', 'unanswered questions']);

function chatUrl(upn: string | undefined): string {
  return upn ? `https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(upn)}` : '';
}

/** The ways to reach someone as buttons, in the order people use them: Teams chat, e-mail, phone. */
function contactActions(lang: Lang, reach: { upn?: string; email?: string; phone?: string }): ContactAction[] {
  const t = L[lang];
  const out: Array<Omit<ContactAction, 'mode'>> = [];
  const chat = chatUrl(reach.upn);
  if (chat) out.push({ title: t.chat, url: chat });
  const email = reach.email?.trim();
  if (email && isEmailAddress(email)) out.push({ title: t.mail, url: `mailto:${email}` });
  const tel = reach.phone ? telUrl(reach.phone) : undefined;
  if (tel) out.push({ title: t.call, url: tel });
  return out.map((a) => ({ ...a, mode: 'secondary' }));
}

function personView(lang: Lang, role: string, p: Person, plain = false): ContactPerson {
  const t = plain ? PLAIN_L[lang] : L[lang];
  // Directory fields are typed by people (the IB edits their own entry): shown as text, links only for valid addresses.
  const facts: ContactFact[] = [];
  if (p.orgUnit) facts.push({ label: t.orgUnit, value: cardText(plainName(p.orgUnit, lang, plain)) });
  if (p.officeHours) facts.push({ label: t.hours, value: cardText(p.officeHours) });
  if (p.phone) facts.push({ label: t.phone, value: telLink(p.phone) });
  if (p.email) facts.push({ label: t.email, value: mailtoLink(p.email) });
  return { role, name: cardText(p.name), title: cardText(plainName(p.title, lang, plain)), facts, actions: contactActions(lang, { upn: p.teams?.upn, email: p.email, phone: p.phone }) };
}

function officeView(lang: Lang, o: Office, plain = false): ContactPerson {
  const t = plain ? PLAIN_L[lang] : L[lang];
  const facts: ContactFact[] = [];
  if (o.phone) facts.push({ label: t.phone, value: telLink(o.phone) });
  if (o.email) facts.push({ label: t.email, value: mailtoLink(o.email) });
  return { role: t.roleOffice, name: cardText(o.name), title: '', facts, actions: contactActions(lang, { upn: o.teams?.upn, email: o.email, phone: o.phone }) };
}

/**
 * At most two primary buttons on the card (Designing Adaptive Cards for Teams): the first person's chat (or, without
 * one, their e-mail) and, when shown, "Anliegen senden"; every other way to reach someone goes to the "…" menu.
 */
function withPrimary(people: ContactPerson[]): ContactPerson[] {
  return people.map((p, i) => ({ ...p, actions: p.actions.map((a, j) => (i === 0 && j === 0 ? { ...a, mode: 'primary' as const } : a)) }));
}

/** A directory date (YYYY-MM-DD) as people read it; anything else as it is. */
function dayOf(date: string, lang: Lang): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? formatBerlinDate(date, lang) : cardText(date);
}

/** "Bezirksregierung Köln" → "Bezirks·regierung Köln" (and the other long words of a card) in Leichte Sprache; as it is otherwise. */
function plainName(name: string, lang: Lang, plain: boolean): string {
  if (!plain || lang !== 'de') return name;
  return name
    .replace(/\bBezirksregierung/g, 'Bezirks·regierung')
    .replace(/\bIntegrationsbeauftragt/g, 'Integrations·beauftragt')
    .replace(/\bBehördenleitung/g, 'Behörden·leitung')
    .replace(/\bKompetenzzentrum/g, 'Kompetenz·zentrum')
    .replace(/\bKoordinierungskreis/g, 'Koordinierungs·kreis');
}

/**
 * The card for an answer that names people, or `undefined` when a text message fits better. With `freshness` (today's
 * Berlin day and the period), an IB's entry not confirmed within the period says that a confirmation is pending. With
 * `question` (the question it answers), the card offers the same answer in the other language style: "Einfach erklärt"
 * on a standard card, "Normale Sprache" on a plain one (issue 18), in the "…" menu.
 */
export function renderAnswerCard(answer: Answer, decreeUrl: string, freshness?: { today: string; months: number }, question?: string) {
  const lang = answer.language;
  const plain = answer.plain === true;
  const t = plain ? PLAIN_L[lang] : L[lang];
  const citation = answer.citation ?? 'RdErl. v. 5.12.2023';
  const source = `${t.source}: ${plain ? plainCitation(citation, lang) : citation} · [${t.decree}](${decreeUrl})`;
  const toggle = question ? { styleLabel: plain ? PLAIN[lang].toStandard : PLAIN[lang].toPlain, styleQuestion: question.slice(0, MAX_QUESTION_LENGTH), styleTarget: plain ? 'standard' : 'plain' } : { styleLabel: '', styleQuestion: '', styleTarget: '' };
  const c = answer.contact;
  if (c && answer.intent !== 'privacy.warning') {
    const people: ContactPerson[] = [];
    let notice = '';
    const name = plainName(c.authority.name, lang, plain);
    // The top says whom the card names, once; the facts follow under the person, once each.
    let heading = t.contactHeading(name);
    // A place the question named, unless it is the authority's own seat ("Köln" for the Bezirksregierung Köln).
    const place = answer.place && !name.includes(answer.place.name) ? answer.place.name : '';
    let intro = place ? t.placeIntro(cardText(place), name) : '';
    if (answer.intent === 'contact.deputy' && c.deputy) {
      heading = t.deputyHeading(name);
      people.push(personView(lang, '', c.deputy, plain));
    } else if (c.primary === 'deputy' && c.deputy) {
      notice = c.absence ? t.absentNotice(dayOf(c.absence.to, lang)) : '';
      people.push(personView(lang, t.roleDeputy, c.deputy, plain));
      // The absent IB by name only: how to reach them is in the menu, the card is about the deputy.
      if (c.commissioner) people.push({ ...personView(lang, t.roleAbsent, c.commissioner, plain), facts: [] });
    } else if (c.commissioner) {
      people.push(personView(lang, '', c.commissioner, plain));
      if (c.absence) notice = t.absentNotice(dayOf(c.absence.to, lang));
    } else {
      heading = t.officeHeading(name);
      intro = [intro, t.vacantIntro].filter(Boolean).join(' ');
      people.push(officeView(lang, c.headOffice, plain));
    }
    const checked = c.commissioner?.lastVerified ?? '';
    const pending = freshness && checked && confirmationPending(checked, freshness.today, freshness.months) ? `; ${t.pending}` : '';
    const verified = people.length && checked ? ` · ${t.verified} ${dayOf(checked, lang)}${pending}` : '';
    return contactCard({
      lang,
      heading: cardText(heading),
      intro,
      notice,
      people: withPrimary(people),
      source: source + verified,
      requestLabel: answer.intent === 'report.create' ? '' : t.request,
      authority: c.authority.code,
      ...toggle,
    });
  }
  if (answer.intent === 'contact.kfi' && answer.kfi && answer.kfi.contacts.length > 0) {
    const kfi = answer.kfi;
    return contactCard({
      lang,
      heading: t.kfiHeading,
      intro: cardText(plainName(t.kfiIntro(kfi.orgUnit), lang, plain)),
      notice: '',
      people: withPrimary(kfi.contacts.map((p) => personView(lang, '', p, plain))),
      source,
      requestLabel: '',
      authority: 'arnsberg',
      ...toggle,
    });
  }
  return undefined;
}

/** "Wen spreche ich an?": every message that is no command goes to the answer engine. */
export function answersFeature(deps: AnswersDeps): Feature {
  const now = deps.now ?? (() => new Date());

  const chooseCard = (lang: Lang, question: string) => {
    const t = L[lang];
    return chooseAuthorityCard({
      lang,
      heading: t.chooseHeading,
      intro: t.chooseIntro,
      label: t.chooseLabel,
      errorMessage: t.chooseError,
      choices: AUTHORITY_CODES.map((code) => ({ title: AUTHORITY_NAMES[code], value: code })),
      submitLabel: t.chooseSubmit,
      question: question.slice(0, 2000),
    });
  };

  /** The user's authority from their e-mail domain, via the Teams roster (no database access). */
  const authorityFromEmail = async (context: TurnContext): Promise<AuthorityCode | undefined> => {
    try {
      const member = await TeamsInfo.getMember(context, context.activity.from.id);
      const address = member.email || member.userPrincipalName || '';
      return address ? authorityForEmail(deps.live.engine.directory, address) : undefined;
    } catch {
      return undefined;
    }
  };

  const freshness = () => ({ today: berlinDate(now()), months: deps.confirmMonths ?? DEFAULT_CONFIRM_MONTHS });

  const reply = async (context: TurnContext, answer: Answer, question?: string) => {
    const card = renderAnswerCard(answer, deps.decreeUrl, freshness(), question);
    if (card) {
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card.content)));
      return;
    }
    await context.sendActivity(answerMessage(answer));
  };

  /** A text answer; a plain one keeps one fact per line (a paragraph each, as Teams joins single line breaks). */
  const answerMessage = (answer: Answer) => {
    const t = L[answer.language];
    const citation = answer.citation && answer.plain ? plainCitation(answer.citation, answer.language) : answer.citation;
    const source = citation ? `\n\n_${t.source}: ${citation} · [${t.decree}](${deps.decreeUrl})_` : '';
    const body = answer.plain ? answer.text.split('\n').filter((line) => line.trim()).map(messageText).join('\n\n') : messageText(answer.text);
    const activity = MessageFactory.text(body + source);
    activity.textFormat = 'markdown';
    return activity;
  };

  const answerFor = (caller: Caller, text: string, home: AuthorityCode | undefined, plain = false) =>
    deps.live.engine.answer({ text, locale: caller.locale, homeAuthority: home ?? null, now: now(), plain });

  /**
   * Keeps a question for "einfach erklärt" in the asker's profile: only in the personal chat, only what the privacy
   * guard let through (no third parties' data), never an empty or overlong text.
   */
  const rememberQuestion = async (context: TurnContext, caller: Caller, profile: UserProfile | undefined, question: string, answer: Answer) => {
    const text = question.trim();
    if (!profile || !inPersonalChat(context) || !text || text.length > MAX_QUESTION_LENGTH) return;
    if (answer.intent === 'privacy.warning' || answer.personalData.length > 0 || answer.source === 'empty' || answer.source === 'tooLong') return;
    if (profile.lastQuestion?.text === text) return;
    await deps.profiles.rememberQuestion(caller.aadObjectId, { text, at: now().toISOString() });
  };

  /** "einfach erklärt" after an answer: the previous question of the personal chat, in plain language. */
  const explainPrevious = async (context: TurnContext, caller: Caller) => {
    const profile = context.turnState.get(PROFILE_KEY) as UserProfile | undefined;
    const last = inPersonalChat(context) ? profile?.lastQuestion : undefined;
    const fresh = last && now().getTime() - Date.parse(last.at) <= FOLLOW_UP_MS;
    if (!last || !fresh) {
      await context.sendActivity(PLAIN[caller.lang].noPrevious);
      return;
    }
    const answer = answerFor(caller, last.text, profile?.homeAuthority, true);
    deps.logger.info({ event: 'answer', intent: answer.intent, authority: answer.authority, plain: true, activityId: context.activity.id }, 'answered');
    countAnswer(answer.intent);
    await reply(context, answer, last.text);
  };

  const setPlainLanguage = async (context: TurnContext, caller: Caller, on: boolean) => {
    await deps.profiles.update(caller.aadObjectId, caller.tenantId, (p) => ({ ...p, plainLanguage: on }), now());
    await context.sendActivity(on ? PLAIN[caller.lang].on : PLAIN[caller.lang].off);
  };

  return {
    name: 'answers',
    fallback: async (context, caller, message) => {
      const profile = context.turnState.get(PROFILE_KEY) as UserProfile | undefined;
      // "Einfach erklärt: …" asks this question in plain language; the stored preference asks it for every question.
      const marked = plainQuestion(message);
      const text = marked ?? message;
      const plain = marked !== undefined || profile?.plainLanguage === true;
      let answer = answerFor(caller, text, profile?.homeAuthority, plain);
      // Only codes, never the question: the text may carry personal data (privacy guard or not).
      deps.logger.info({ event: 'answer', intent: answer.intent, authority: answer.authority, ...(plain ? { plain: true } : {}), activityId: context.activity.id }, 'answered');
      countAnswer(answer.intent);
      const takeover = deps.intentHandlers?.()[answer.intent];
      if (answer.needsHomeAuthority) {
        const derived = await authorityFromEmail(context);
        if (derived) {
          await deps.profiles.update(caller.aadObjectId, caller.tenantId, (p) => ({ ...p, homeAuthority: derived, homeAuthoritySource: 'emailDomain' }), now());
          answer = answerFor(caller, text, derived, plain);
        } else if (takeover && (await takeover(context, caller, answer))) {
          // The feature asks for the authority itself (the request form has its own choice): one card, not two.
          return;
        } else {
          const card = chooseCard(answer.language, text);
          await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card.content)));
          return;
        }
      }
      if (!(takeover && (await takeover(context, caller, answer)))) await reply(context, answer, text);
      await rememberQuestion(context, caller, profile, text, answer);
      const unanswered = answer.intent === 'out_of_scope' && answer.source === 'oos.generic';
      // Figures (issue 18): the authority the question was resolved to, else the asker's; no text, no user.
      deps.counter?.count(answer.authority ?? profile?.homeAuthority, answer.intent, !unanswered, now());
      if (unanswered && text.trim()) {
        // Kept as intent and keywords only, never the text (services/answers/unansweredQuestions.ts).
        await deps.unanswered.record(profile?.homeAuthority, text, answer.language, now(), answer.intent);
        countUnanswered();
      }
    },
    commands: [
      { id: 'answers.plainFollowUp', matches: (t) => PLAIN_FOLLOW_UP.has(t), run: explainPrevious },
      { id: 'profile.plainLanguage', matches: (t) => PLAIN_ALWAYS.has(t), run: (context, caller) => setPlainLanguage(context, caller, true) },
      { id: 'profile.standardLanguage', matches: (t) => PLAIN_NEVER.has(t), run: (context, caller) => setPlainLanguage(context, caller, false) },
      {
        id: 'profile.chooseAuthority',
        matches: (t) => CHOOSE_WORDS.has(t),
        run: async (context, caller) => {
          const card = chooseCard(caller.lang, '');
          await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card.content)));
        },
      },
      {
        id: 'questions.unanswered',
        personalOnly: true,
        matches: (t) => UNANSWERED_WORDS.has(t),
        run: async (context, caller) => {
          const t = L[caller.lang];
          const directory = deps.live.engine.directory;
          const own = directory.authorities.find(
            (a) => a.commissioner?.teams?.aadObjectId.toLowerCase() === caller.aadObjectId || a.deputy?.teams?.aadObjectId.toLowerCase() === caller.aadObjectId,
          );
          if (!own) {
            await context.sendActivity(t.unansweredForbidden);
            return;
          }
          const questions = await deps.unanswered.list(own.code, now());
          const texts = questions.length
            ? splitIntoMessages(t.unansweredTitle(questions.length, own.name), questions.map((q) => `- ${q.askedAt.slice(0, 10)}: ${messageText(q.keywords.join(' · '))}`), { partLabel: t.part })
            : [t.unansweredNone];
          // A long list goes out in several messages that Teams accepts, each of whole lines.
          for (const text of texts) {
            const activity = MessageFactory.text(text);
            activity.textFormat = 'markdown';
            await context.sendActivity(activity);
          }
        },
      },
    ],
    verbs: [
      {
        // "Einfach erklärt" / "Normale Sprache" on an answer card: the same question again in the other style. The asker's
        // authority comes from their stored profile; the card gives only the question, which anyone may ask.
        verb: 'answers.style',
        schema: z.object({ question: z.string().trim().min(1).max(MAX_QUESTION_LENGTH), style: z.enum(['plain', 'standard']) }).passthrough(),
        run: async (_context, caller, data: { question: string; style: 'plain' | 'standard' }) => {
          const profile = await deps.profiles.get(caller.aadObjectId);
          const answer = answerFor(caller, data.question, profile?.homeAuthority, data.style === 'plain');
          countAnswer(answer.intent);
          const card = renderAnswerCard(answer, deps.decreeUrl, freshness(), data.question);
          if (card) return invokeResponse.card(card.content);
          return invokeResponse.message(answer.text);
        },
      },
      {
        verb: 'profile.setAuthority',
        schema: z.object({ authority: z.enum(AUTHORITY_CODES), question: z.string().max(2000).optional() }).passthrough(),
        run: async (context, caller, data: { authority: AuthorityCode; question?: string }) => {
          await deps.profiles.update(caller.aadObjectId, caller.tenantId, (p) => ({ ...p, homeAuthority: data.authority, homeAuthoritySource: 'chosen' }), now());
          const question = data.question?.trim();
          if (question) {
            const saved = await deps.profiles.get(caller.aadObjectId);
            const answer = answerFor(caller, question, data.authority, saved?.plainLanguage === true);
            const card = renderAnswerCard(answer, deps.decreeUrl, freshness(), question);
            if (card) return invokeResponse.card(card.content);
            return invokeResponse.message(answer.text);
          }
          return invokeResponse.message(L[caller.lang].chosen(AUTHORITY_NAMES[data.authority]));
        },
      },
    ],
    help: {
      de: [
        {
          heading: 'Wen spreche ich an?',
          description: 'Nennt die zuständige Integrationsbeauftragte oder den zuständigen Integrationsbeauftragten für jede der 396 Kommunen in NRW, für Ihre Behörde, die Vertretung, das Kompetenzzentrum für Integration und das Kommunale Integrationszentrum.',
          examples: '„Wer ist für Marl zuständig?“ · „Wer ist meine IB?“ · „Wer vertritt die IB in Köln?“ · „Welches KI ist für Gütersloh zuständig?“',
        },
        {
          heading: 'Fragen zum Runderlass',
          description: 'Aufgaben, Bestellung, Anbindung und Vortragsrecht der Integrationsbeauftragten, Koordinierungskreis, Rechtsgrundlage: jeweils mit Quelle.',
          examples: '„Was macht die Integrationsbeauftragte?“ · „Muss ich die IB bei einer Maßnahme beteiligen?“ · „Was ist der Koordinierungskreis?“',
        },
        {
          heading: 'Meine Bezirksregierung',
          description: 'Legt fest oder ändert, für welche Bezirksregierung Sie arbeiten.',
          examples: '„Meine Bezirksregierung“',
        },
        {
          heading: 'Einfach erklärt',
          description: 'Die letzte Antwort noch einmal in Leichter Sprache, oder jede Antwort, bis Sie „normale Sprache“ schreiben.',
          examples: '„Einfach erklärt“ · „Einfach erklärt: Was macht die IB?“ · „Immer einfache Sprache“',
        },
        {
          heading: 'Unbeantwortete Fragen (für IB)',
          description: 'Zeigt Fragen, die der Lotse nicht beantworten konnte: nur als Stichwörter, ohne Personenbezug, 90 Tage lang.',
          examples: '„Unbeantwortete Fragen“',
          audience: ['commissioner'],
        },
      ],
      en: [
        {
          heading: 'Whom do I contact?',
          description: 'Names the integration commissioner responsible for any of the 396 municipalities in NRW, for your own authority, the deputy, the Kompetenzzentrum für Integration and the local integration centre (KI).',
          examples: '"Who is responsible for Marl?" · "Who is my integration commissioner?" · "Who stands in for the commissioner in Cologne?"',
        },
        {
          heading: 'Questions about the decree',
          description: "The commissioners' tasks, appointment, position and right to report to the head, the coordination circle, the legal basis: each with its source.",
          examples: '"What does the integration commissioner do?" · "What is the coordination circle?"',
        },
        { heading: 'My authority', description: 'Sets or changes which Bezirksregierung you work for.', examples: '"my authority"' },
        { heading: 'Explain simply', description: 'The last answer again in plain English, or every answer until you write "normal language".', examples: '"explain simply" · "Explain simply: what does an IB do?" · "always plain English"' },
        { heading: 'Unanswered questions (for commissioners)', description: 'Lists questions the bot could not answer: as keywords only, without personal data, for 90 days.', examples: '"unanswered questions"', audience: ['commissioner'] },
      ],
    },
  };
}
