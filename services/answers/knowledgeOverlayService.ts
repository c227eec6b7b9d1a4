import { AUTHORITY_CODES, type AuthorityCode, type Directory } from '../directory/model';
import type { GroupSnapshot } from '../directory/groupRoles';
import { rolesOf, type Roles } from '../directory/roles';
import { directoryPrivacyOptions } from './privacy';
import {
  citationOf,
  validateOverlayInput,
  type OverlayContent,
  type OverlayInput,
  type OverlayProblem,
  type OverlayScope,
  type PublishedEntry,
} from './knowledgeOverlay';
import type { KnowledgeOverlayStore, OverlayEntryDoc } from './knowledgeOverlayStore';
import type { UnansweredQuestion, UnansweredQuestions } from './unansweredQuestions';

/** Why a request was refused; `forbidden.reason` says which rule (the tab words it). */
export type KnowledgeResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: 'forbidden'; reason: 'not_ib' | 'other_scope' }
  | { ok: false; code: 'invalid'; problems: OverlayProblem[] }
  | { ok: false; code: 'not_found' };

/** What the answer looks like in each language, as the bot would give it. */
export interface OverlayPreview {
  scope: OverlayScope;
  answer: Record<'de' | 'en', { text: string; citation: string }>;
}

/** The knowledge view of one IB or KfI member. */
export interface KnowledgeOverview {
  /** Where the viewer may publish: their own authority (IB, deputy); the KfI every authority and `all`. */
  scopes: OverlayScope[];
  /** Unanswered questions per authority they may see, as intent and keywords (never the text, never who asked). */
  unanswered: Array<{ authority: AuthorityCode; questions: UnansweredQuestion[] }>;
  entries: OverlayEntryDoc[];
}

export interface KnowledgeOverlayDeps {
  store: KnowledgeOverlayStore;
  unanswered: UnansweredQuestions;
  directory: () => Directory;
  groups?: () => GroupSnapshot;
  /** Called after a publish or rollback: this instance uses it at once, the others on their next refresh. */
  changed: () => Promise<void>;
  now?: () => Date;
}

/** Scopes a person may teach, from the stored directory and Entra groups (never from what the tab sends). */
export function teachingScopes(roles: Roles): OverlayScope[] {
  if (roles.kfi) return ['all', ...AUTHORITY_CODES];
  return [...new Set([...roles.commissionerOf, ...roles.deputyOf])];
}

/**
 * The IB's knowledge base (issue 18): read the unanswered questions, preview, publish and roll back entries. Every
 * call re-reads who may act from the stored directory; an entry is one document written with its ETag.
 */
export class KnowledgeOverlayService {
  constructor(private readonly deps: KnowledgeOverlayDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private scopes(aadObjectId: string): OverlayScope[] {
    return teachingScopes(rolesOf(this.deps.directory(), aadObjectId, this.deps.groups?.()));
  }

  /** The viewer's entries and unanswered questions; `forbidden` for anyone who may not teach. */
  async overview(aadObjectId: string): Promise<KnowledgeResult<KnowledgeOverview>> {
    const scopes = this.scopes(aadObjectId);
    if (!scopes.length) return { ok: false, code: 'forbidden', reason: 'not_ib' };
    const authorities = scopes.filter((s): s is AuthorityCode => s !== 'all');
    const now = this.now();
    const [entries, unanswered] = await Promise.all([
      this.deps.store.list(scopes),
      Promise.all(authorities.map(async (authority) => ({ authority, questions: await this.deps.unanswered.list(authority, now) }))),
    ]);
    return { ok: true, value: { scopes, unanswered, entries } };
  }

  private check(aadObjectId: string, input: OverlayInput): KnowledgeResult<{ scope: OverlayScope; key?: string; content: OverlayContent }> {
    const scopes = this.scopes(aadObjectId);
    if (!scopes.length) return { ok: false, code: 'forbidden', reason: 'not_ib' };
    const checked = validateOverlayInput(input, directoryPrivacyOptions(this.deps.directory()));
    if (!checked.ok) return { ok: false, code: 'invalid', problems: checked.problems };
    if (!scopes.includes(checked.scope)) return { ok: false, code: 'forbidden', reason: 'other_scope' };
    return { ok: true, value: checked };
  }

  /** The answer the entry would give, in both languages; nothing is stored. */
  async preview(aadObjectId: string, input: OverlayInput): Promise<KnowledgeResult<OverlayPreview>> {
    const checked = this.check(aadObjectId, input);
    if (!checked.ok) return checked;
    const { scope, content } = checked.value;
    const answer = (lang: 'de' | 'en') => ({ text: content.answer[lang], citation: citationOf(content.source, lang) });
    return { ok: true, value: { scope, answer: { de: answer('de'), en: answer('en') } } };
  }

  /** Publishes a new version (a new entry without `key`). */
  async publish(aadObjectId: string, input: OverlayInput): Promise<KnowledgeResult<PublishedEntry>> {
    const checked = this.check(aadObjectId, input);
    if (!checked.ok) return checked;
    const { scope, key, content } = checked.value;
    const written = await this.deps.store.publish(scope, key, content, aadObjectId.toLowerCase(), this.now());
    if (!written.ok) return written;
    await this.deps.changed();
    return { ok: true, value: written.entry };
  }

  /** Publishes an earlier version again as the newest one. */
  async rollback(aadObjectId: string, input: { scope?: unknown; key?: unknown; version?: unknown }): Promise<KnowledgeResult<PublishedEntry>> {
    const scopes = this.scopes(aadObjectId);
    if (!scopes.length) return { ok: false, code: 'forbidden', reason: 'not_ib' };
    const scope = typeof input.scope === 'string' ? input.scope : '';
    const key = typeof input.key === 'string' && /^[a-z0-9-]{1,60}$/.test(input.key) ? input.key : '';
    const version = typeof input.version === 'number' && Number.isInteger(input.version) && input.version > 0 ? input.version : 0;
    const problems: OverlayProblem[] = [];
    if (!key) problems.push({ field: 'key', code: 'unknown_value' });
    if (!version) problems.push({ field: 'key', code: 'unknown_value' });
    if (!(['all', ...AUTHORITY_CODES] as string[]).includes(scope)) problems.push({ field: 'scope', code: 'unknown_value' });
    if (problems.length) return { ok: false, code: 'invalid', problems };
    if (!scopes.includes(scope as OverlayScope)) return { ok: false, code: 'forbidden', reason: 'other_scope' };
    const written = await this.deps.store.rollback(scope as OverlayScope, key, version, aadObjectId.toLowerCase(), this.now());
    if (!written.ok) return written;
    await this.deps.changed();
    return { ok: true, value: written.entry };
  }
}
