import { berlinDate } from '../../services/common/berlinTime';
import type { LiveAnswers } from '../../services/answers/liveAnswers';
import type { UnansweredQuestions } from '../../services/answers/unansweredQuestions';
import { AUTHORITY_CODES, AUTHORITY_NAMES, authorityForEmail, authorityOf, isAuthorityCode, type AuthorityCode } from '../../services/directory/model';
import type { GroupSnapshot } from '../../services/directory/groupRoles';
import { isHeadSide, rolesOf, type Roles } from '../../services/directory/roles';
import type { Logger } from '../../services/logging';
import type { UserProfileRepository } from '../../services/users/userProfiles';
import { renderAnswerCard } from '../handlers/answers';
import type { Lang } from '../texts';
import type { ComposerKind, ComposerProblem, ComposerResult, Download, ErasureOutcome, Localized, TabSources, TabViewer } from './sources';
import type { SsoIdentity } from './ssoToken';
import type { OwnEntry, UnansweredQuestionView } from './wire';

export interface TabServiceDeps {
  live: LiveAnswers;
  /** The members of the Entra groups that hold roles (KfI, head offices, circle), when Graph reads them. */
  groups?: () => GroupSnapshot;
  profiles: UserProfileRepository;
  unanswered: UnansweredQuestions;
  sources: TabSources;
  logger: Logger;
  decreeUrl: () => string;
  now?: () => Date;
}

/** What `GET /api/tab/me` returns: everything the first view needs in one round trip. */
export interface TabMe {
  lang: Lang;
  name?: string;
  roles: Pick<Roles, 'commissionerOf' | 'deputyOf' | 'headOf' | 'headOfficeOf' | 'kfi' | 'circleMember'>;
  /** The viewer's Bezirksregierung, or null: the tab then asks (and stores the choice like „Meine Bezirksregierung“). */
  home: { authority: AuthorityCode; name: string; source: 'chosen' | 'emailDomain' } | null;
  authorities: Array<{ code: AuthorityCode; name: string }>;
  /**
   * The contact card the bot sends for „Wer ist meine IB?“, without chat-only buttons; null for an IB at their own
   * authority (they would see themselves, with a chat button to themselves): they get `ownEntry` instead.
   */
  contactCard: Record<string, unknown> | null;
  /**
   * Instead of the contact card, for a deputy at their own authority while the IB is absent (the card would name
   * them as the person to contact): one line saying whom they stand in for.
   */
  contactNote?: string;
  /** The IB's own directory entry, read-only (changed in the chat with „Meine Angaben“); current and coming absences only. */
  ownEntry?: OwnEntry;
  /** The views this viewer gets, in display order; each present key is one section of the tab. */
  sections: {
    unanswered?: { authority: AuthorityCode; authorityName: string; questions: UnansweredQuestionView[] };
    requests?: Awaited<ReturnType<NonNullable<TabSources['requests']>['listForRequester']>>;
    inbox?: Awaited<ReturnType<NonNullable<TabSources['inbox']>['inboxFor']>>;
    reports?: Awaited<ReturnType<NonNullable<TabSources['reports']>['reportsFor']>>;
    circle?: Awaited<ReturnType<NonNullable<TabSources['circle']>['overviewFor']>>;
    composer?: { kinds: ComposerKind[] };
    /** Files offered for download (`GET /api/tab/downloads/<name>`). */
    downloads?: { trailCsv: boolean; myData: boolean };
  };
}


/**
 * Work lists, most urgent first: the earliest deadline first (an overdue one is the earliest), items without a
 * deadline after them, each group with the most recently changed first.
 */
export function byUrgency<T extends { deadline?: string; updatedAt: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => {
    if (a.deadline && b.deadline && a.deadline !== b.deadline) return a.deadline < b.deadline ? -1 : 1;
    if (!!a.deadline !== !!b.deadline) return a.deadline ? -1 : 1;
    return a.updatedAt === b.updatedAt ? 0 : a.updatedAt > b.updatedAt ? -1 : 1;
  });
}

const MY_IB_QUESTION: Record<Lang, string> = { de: 'Wer ist meine IB?', en: 'Who is my IB?' };
const DEFAULT_MAX_LENGTH = 2000;

/** Card actions that only work in a chat with the bot (Action.Execute) are left out of cards shown in the tab. */
function withoutChatActions(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node
      .filter((n) => !(n && typeof n === 'object' && (n as { type?: unknown }).type === 'Action.Execute'))
      .map(withoutChatActions)
      .filter((n) => !(n && typeof n === 'object' && (n as { type?: unknown }).type === 'ActionSet' && !((n as { actions?: unknown[] }).actions ?? []).length));
  }
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withoutChatActions(v)]));
  }
  return node;
}

/** The personal tab's server side: who the viewer is, what they see, and the composer, independent of HTTP. */
export class TabService {
  constructor(private readonly deps: TabServiceDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  viewer(identity: SsoIdentity, lang: Lang): TabViewer {
    return { aadObjectId: identity.aadObjectId, tenantId: identity.tenantId, lang, roles: rolesOf(this.deps.live.engine.directory, identity.aadObjectId, this.deps.groups?.()) };
  }

  /** The home authority from the stored profile, else from the token's e-mail domain (then stored, like the bot does). */
  private async home(identity: SsoIdentity): Promise<TabMe['home']> {
    const profile = await this.deps.profiles.get(identity.aadObjectId);
    if (profile?.homeAuthority) {
      return { authority: profile.homeAuthority, name: AUTHORITY_NAMES[profile.homeAuthority], source: profile.homeAuthoritySource ?? 'chosen' };
    }
    const derived = identity.username ? authorityForEmail(this.deps.live.engine.directory, identity.username) : undefined;
    if (!derived) return null;
    await this.deps.profiles.update(identity.aadObjectId, identity.tenantId, (p) => ({ ...p, homeAuthority: derived, homeAuthoritySource: 'emailDomain' }), this.now());
    return { authority: derived, name: AUTHORITY_NAMES[derived], source: 'emailDomain' };
  }

  /**
   * The contact card for the viewer's home authority. The IB there gets none (they get `ownEntry`); the deputy gets
   * none while the IB is absent (the card would name them as the person to contact), but a line instead.
   */
  private contact(lang: Lang, roles: Roles, authority: AuthorityCode): Pick<TabMe, 'contactCard' | 'contactNote'> {
    if (roles.commissionerOf.includes(authority)) return { contactCard: null };
    const answer = this.deps.live.engine.answer({ text: MY_IB_QUESTION[lang], locale: lang === 'de' ? 'de-DE' : 'en-US', homeAuthority: authority, now: this.now() });
    if (answer.contact?.primary === 'deputy' && roles.deputyOf.includes(authority)) {
      const name = AUTHORITY_NAMES[authority];
      return { contactCard: null, contactNote: lang === 'de' ? `Sie vertreten die oder den IB der ${name}.` : `You are standing in for the IB of the ${name}.` };
    }
    const card = answer.contact ? renderAnswerCard(answer, this.deps.decreeUrl()) : undefined;
    return { contactCard: card ? (withoutChatActions(card.content) as Record<string, unknown>) : null };
  }

  async me(identity: SsoIdentity, lang: Lang): Promise<TabMe> {
    const viewer = this.viewer(identity, lang);
    const { roles } = viewer;
    const { sources } = this.deps;
    // The home lookup (and its first store) runs alongside the sections: one round trip less on the first view.
    const homeLookup = this.home(identity);
    const directory = this.deps.live.engine.directory;
    const sections: TabMe['sections'] = {};
    const own = [...roles.commissionerOf, ...roles.deputyOf][0];
    const ibSide = roles.commissionerOf.length + roles.deputyOf.length > 0;
    const headSide = directory.authorities.some((a) => isHeadSide(roles, a));
    const tasks: Array<Promise<void>> = [];
    if (own) {
      tasks.push(
        this.deps.unanswered.list(own, this.now()).then((qs) => {
          sections.unanswered = {
            authority: own,
            authorityName: AUTHORITY_NAMES[own],
            questions: qs.map((q): UnansweredQuestionView => ({ askedAt: q.askedAt, intent: q.intent, keywords: q.keywords, language: q.language })),
          };
        }),
      );
    }
    if (sources.requests) tasks.push(sources.requests.listForRequester(viewer.aadObjectId).then((r) => void (sections.requests = r)));
    // The KfI's members work the requests to the KfI as an inbox (RdErl. Nr. 6).
    if (sources.inbox && (ibSide || roles.kfi)) tasks.push(sources.inbox.inboxFor(viewer.aadObjectId).then((r) => void (sections.inbox = byUrgency(r))));
    if (sources.reports && (ibSide || headSide)) tasks.push(sources.reports.reportsFor(viewer.aadObjectId).then((r) => void (sections.reports = byUrgency(r))));
    if (sources.circle && (roles.circleMember || roles.kfi)) tasks.push(sources.circle.overviewFor(viewer.aadObjectId).then((r) => void (sections.circle = r)));
    const [home] = await Promise.all([homeLookup, ...tasks]);
    const ownEntry = this.ownEntry(roles.commissionerOf[0]);
    const kinds = (await sources.composer?.kinds(viewer)) ?? [];
    if (kinds.length) sections.composer = { kinds };
    if (sources.downloads) sections.downloads = { trailCsv: sources.downloads.mayExportTrail(viewer), myData: true };
    // Keep a fixed order for the UI: the object is rebuilt in display order.
    const ordered: TabMe['sections'] = {};
    for (const key of ['unanswered', 'inbox', 'reports', 'requests', 'circle', 'composer', 'downloads'] as const) {
      if (sections[key] !== undefined) (ordered as Record<string, unknown>)[key] = sections[key];
    }
    return {
      lang,
      name: identity.name,
      roles: { commissionerOf: roles.commissionerOf, deputyOf: roles.deputyOf, headOf: roles.headOf, headOfficeOf: roles.headOfficeOf, kfi: roles.kfi, circleMember: roles.circleMember },
      home,
      authorities: AUTHORITY_CODES.map((code) => ({ code, name: AUTHORITY_NAMES[code] })),
      ...(home ? this.contact(lang, roles, home.authority) : { contactCard: null }),
      ...(ownEntry ? { ownEntry } : {}),
      sections: ordered,
    };
  }

  private ownEntry(code: AuthorityCode | undefined): OwnEntry | undefined {
    const authority = code ? authorityOf(this.deps.live.engine.directory, code) : undefined;
    const ib = authority?.commissioner;
    if (!authority || !ib) return undefined;
    return {
      authority: authority.code,
      authorityName: authority.name,
      name: ib.name,
      title: ib.title,
      orgUnit: ib.orgUnit,
      email: ib.email,
      ...(ib.phone ? { phone: ib.phone } : {}),
      ...(ib.officeHours ? { officeHours: ib.officeHours } : {}),
      // Absences that are over are history, not part of what staff see.
      absences: ib.absences.filter((a) => a.to >= berlinDate(this.now())).map((a) => ({ from: a.from, to: a.to, ...(a.note ? { note: a.note } : {}) })),
      ...(authority.deputy ? { deputy: { name: authority.deputy.name, email: authority.deputy.email, ...(authority.deputy.phone ? { phone: authority.deputy.phone } : {}) } } : {}),
      lastVerified: ib.lastVerified,
    };
  }

  /** Stores the viewer's choice of Bezirksregierung (as „Meine Bezirksregierung“ in the chat does). */
  async setHome(identity: SsoIdentity, authority: unknown): Promise<boolean> {
    if (!isAuthorityCode(authority)) return false;
    await this.deps.profiles.update(identity.aadObjectId, identity.tenantId, (p) => ({ ...p, homeAuthority: authority, homeAuthoritySource: 'chosen' }), this.now());
    this.deps.logger.info({ event: 'tab.home_set', authority }, 'home authority chosen in the tab');
    return true;
  }

  /** Checks composer input against the kind's fields; returns the cleaned input or the problems. */
  private async checkInput(viewer: TabViewer, kindId: unknown, input: unknown): Promise<ComposerResult<{ kind: string; input: Record<string, string> }> | undefined> {
    const composer = this.deps.sources.composer;
    const kind = (await composer?.kinds(viewer))?.find((k) => k.id === kindId);
    if (!kind) {
      if (typeof kindId !== 'string' || !composer?.knows?.(kindId)) return undefined;
      this.deps.logger.warn({ event: 'tab.compose_refused', kind: kindId }, 'composer kind not offered to this viewer');
      return { ok: false, forbidden: true, problems: [{ message: composer.notOffered?.(kindId) ?? msg('Das dürfen Sie nicht.', 'You may not do this.') }] };
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) return { ok: false, problems: [{ message: msg('Die Eingaben fehlen.', 'The input is missing.') }] };
    const problems: ComposerProblem[] = [];
    const clean: Record<string, string> = {};
    const known = new Set(kind.fields.map((f) => f.name));
    for (const name of Object.keys(input)) {
      if (!known.has(name)) problems.push({ message: msg(`Unbekanntes Feld „${name.slice(0, 40)}“.`, `Unknown field "${name.slice(0, 40)}".`) });
    }
    for (const field of kind.fields) {
      const raw = (input as Record<string, unknown>)[field.name];
      const value = typeof raw === 'string' ? raw.trim() : raw === undefined || raw === null ? '' : undefined;
      if (value === undefined) {
        problems.push({ field: field.name, message: msg('Bitte Text eingeben.', 'Please enter text.') });
        continue;
      }
      if (field.required && !value) problems.push({ field: field.name, message: msg(`Bitte „${field.label.de}“ ausfüllen.`, `Please fill in "${field.label.en}".`) });
      const max = field.maxLength ?? DEFAULT_MAX_LENGTH;
      if (value.length > max) problems.push({ field: field.name, message: msg(`Höchstens ${max} Zeichen.`, `At most ${max} characters.`) });
      if (field.type === 'select' && value && !(field.options ?? []).some((o) => o.value === value)) {
        problems.push({ field: field.name, message: msg('Bitte eine der angebotenen Möglichkeiten wählen.', 'Please choose one of the options offered.') });
      }
      clean[field.name] = value;
    }
    return problems.length ? { ok: false, problems } : { ok: true, kind: kind.id, input: clean };
  }

  /**
   * A download by name: `trail.csv` (IB side; `forbidden` otherwise) or `my-data.json`; `undefined` when there is no
   * such file. Each one is logged by name only.
   */
  async download(identity: SsoIdentity, lang: Lang, name: string): Promise<Download | 'forbidden' | undefined> {
    const source = this.deps.sources.downloads;
    if (!source) return undefined;
    const viewer = this.viewer(identity, lang);
    if (name === 'my-data.json') {
      this.deps.logger.info({ event: 'tab.download', file: name }, 'download');
      return source.myData(viewer);
    }
    if (name !== 'trail.csv') return undefined;
    const file = source.mayExportTrail(viewer) ? await source.trailCsv(viewer) : undefined;
    if (!file) {
      this.deps.logger.warn({ event: 'tab.download_refused', file: name }, 'download not allowed for this viewer');
      return 'forbidden';
    }
    this.deps.logger.info({ event: 'tab.download', file: name }, 'download');
    return file;
  }

  /**
   * "Meine Daten löschen" for the signed-in viewer (the tab asked for confirmation first); `undefined` when this
   * service offers no deletion. Whose data goes comes from the validated token only.
   */
  async eraseMyData(identity: SsoIdentity, lang: Lang): Promise<ErasureOutcome | undefined> {
    const erase = this.deps.sources.downloads?.eraseMyData;
    if (!erase) return undefined;
    const outcome = await erase(this.viewer(identity, lang));
    this.deps.logger.info({ event: 'tab.my_data_erased' }, 'a person deleted their data in the tab');
    return outcome;
  }

  /** An Anliegen or Vortrag for the viewer (its card as in the chat), or the refusal; `undefined` when the tab opens none. */
  async openItem(identity: SsoIdentity, lang: Lang, authority: string, id: string) {
    return this.deps.sources.items?.open(this.viewer(identity, lang), identity.name ?? '', authority, id);
  }

  /** One of the card's actions, carried out as in the chat; `undefined` when the tab opens no items. */
  async actOnItem(identity: SsoIdentity, lang: Lang, authority: string, id: string, payload: unknown) {
    return this.deps.sources.items?.act(this.viewer(identity, lang), identity.name ?? '', authority, id, payload);
  }

  /** `undefined`: no such composer kind for this viewer (404). */
  async preview(identity: SsoIdentity, lang: Lang, kindId: unknown, input: unknown) {
    const viewer = this.viewer(identity, lang);
    const checked = await this.checkInput(viewer, kindId, input);
    if (!checked || !checked.ok) return checked;
    return this.deps.sources.composer!.preview(viewer, checked.kind, checked.input);
  }

  async send(identity: SsoIdentity, lang: Lang, kindId: unknown, input: unknown) {
    const viewer = this.viewer(identity, lang);
    const checked = await this.checkInput(viewer, kindId, input);
    if (!checked || !checked.ok) return checked;
    return this.deps.sources.composer!.send(viewer, checked.kind, checked.input);
  }
}

function msg(de: string, en: string): Localized {
  return { de, en };
}

