import { de } from './de';
import { en } from './en';

/** The knowledge base's and the figures' texts by language (a test checks that both files have every key). */
export const KNOWLEDGE_TEXTS = { de, en } as const;
export type KnowledgeTexts = typeof de;
