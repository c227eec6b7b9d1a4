/**
 * The shapes of the knowledge base's and the figures' tab API (bot/tab/knowledgeRoutes.ts), imported type-only by the
 * tab (tab/src/knowledge.ts): nothing of bot/ goes into the bundle.
 */

export interface KnowledgeLocalized {
  de: string;
  en: string;
}

export interface KnowledgeOption {
  value: string;
  label: KnowledgeLocalized;
}

/** A problem with the form, at its field (`line`: the trigger's line, 1-based). */
export interface KnowledgeProblemWire {
  field: string;
  line?: number;
  message: KnowledgeLocalized;
}

/** One taught entry with its current content and every version kept (newest first). */
export interface KnowledgeEntryWire {
  scope: string;
  scopeLabel: KnowledgeLocalized;
  key: string;
  current: number;
  intent: string;
  intentLabel: KnowledgeLocalized;
  corrects?: string;
  triggers: string[];
  answerDe: string;
  answerEn: string;
  source: string;
  sourceLabel: KnowledgeLocalized;
  versions: Array<{ version: number; publishedAt: string; publishedBy: KnowledgeLocalized; rolledBackFrom?: number; answerDe: string }>;
}

/** `GET /api/tab/knowledge`. */
export interface KnowledgeWire {
  scopes: KnowledgeOption[];
  intents: KnowledgeOption[];
  sources: KnowledgeOption[];
  limits: { answer: number; triggers: number; trigger: number };
  /** Per authority: questions the Lotse could not answer, as intent and keywords (never the text, never who asked). */
  unanswered: Array<{
    authority: string;
    authorityName: string;
    questions: Array<{ askedAt: string; intent: string; intentLabel: KnowledgeLocalized; keywords: string[]; language: 'de' | 'en' }>;
  }>;
  entries: KnowledgeEntryWire[];
}

/** A count, or `{lt: 5}` for a group of 1 to 4 questions (shown as "< 5"). */
export type CellWire = { n: number } | { lt: number };

/** `GET /api/tab/figures`. */
export interface FiguresWire {
  scopes: KnowledgeOption[];
  weeks: Array<{
    week: string;
    monday: string;
    asked: CellWire;
    answeredShare: { percent: number } | { lt: number };
    byIntent: Array<{ intent: string; label: KnowledgeLocalized; asked: CellWire }>;
    byAuthority?: Array<{ authority: string; label: KnowledgeLocalized; asked: CellWire }>;
  }>;
  topUnanswered: Array<{ intent: string; label: KnowledgeLocalized; unanswered: CellWire }>;
}
