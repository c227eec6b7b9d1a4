/**
 * The shapes the personal tab's API sends (`/api/tab/*`), shared by the server (`bot/tab/sources.ts`) and the tab
 * itself (`tab/src/main.ts`, type-only). No imports: the tab's bundle and its own tsconfig read this file too.
 */

/** A text in both languages of the tab. */
export interface Localized {
  de: string;
  en: string;
}

/** One Anliegen or Vortrag, ready to display (no further lookups in the tab). */
export interface CaseSummary {
  id: string;
  /** `request` (Anliegen) or `report` (Vortrag); other kinds show `kindLabel`. */
  kind: string;
  kindLabel?: Localized;
  /** The authority's code (`AuthorityCode` on the server). */
  authority: string;
  subject: string;
  status: { code: string } & Localized;
  /** ISO 8601 timestamps. */
  createdAt: string;
  updatedAt: string;
  /** ISO date or timestamp of the next deadline, if any. */
  deadline?: string;
  /** An open Anliegen past its Frist ("überfällig"). */
  overdue?: boolean;
  /** An Anliegen to the KfI (the authority column then names the KfI). */
  kfi?: boolean;
  /** The IB's Vortrag: whether it reached the head ("Leitung erreicht" / "Leitung nicht erreichbar: …"). */
  reach?: Localized & { unreachable: boolean };
}

/** One line of the Koordinierungskreis overview: a meeting or a poll. */
export interface CircleItem {
  id: string;
  kind: { code: string } & Localized;
  title: string;
  status: { code: string } & Localized;
  /** ISO timestamp: when the meeting starts or the poll closes. */
  when?: string;
  detail?: string;
  /** The KfI's line: whom the announcement reached ("Zugestellt an 11 von 12; nicht erreichbar: …"). */
  reach?: Localized;
}

/**
 * `DELETE /api/tab/my-data` ("Meine Daten löschen"): what was deleted, what is kept and until when, as lines of text in
 * the viewer's language (the same text the chat shows).
 */
export interface ErasureOutcome {
  heading: string;
  paragraphs: string[];
}

/** One input of a composer form. */
export interface ComposerField {
  name: string;
  label: Localized;
  /** `checkboxes`: several of `options` (a fieldset of check boxes); the value is the chosen option values, one per line. */
  type: 'text' | 'textarea' | 'date' | 'time' | 'datetime-local' | 'select' | 'checkboxes';
  required?: boolean;
  /** Default 2000. */
  maxLength?: number;
  options?: Array<{ value: string } & { label: Localized }>;
  hint?: Localized;
  /** Shown (and sent) only while the value of the field `field` starts with `startsWith` (e.g. the departments of a post). */
  visibleWhen?: { field: string; startsWith: string };
}

/** Something the viewer can compose and send as a card (a poll, a meeting announcement). */
export interface ComposerKind {
  id: string;
  label: Localized;
  description?: Localized;
  sendLabel: Localized;
  fields: ComposerField[];
}

/** A problem with the composer input, shown next to the field (or above the form without `field`). */
export interface ComposerProblem {
  field?: string;
  message: Localized;
}

/** A question the Lotse could not answer, as the IB's review list shows it: keywords only, never the text. */
export interface UnansweredQuestionView {
  /** ISO timestamp. */
  askedAt: string;
  /** The answer engine's intent for it (`out_of_scope` when it could not place it). */
  intent: string;
  /** Normalised keywords without names, numbers or contact data. */
  keywords: string[];
  language: 'de' | 'en';
}

/**
 * An IB's own directory entry as the tab shows it to them (read-only; changed in the chat with „Meine Angaben“), in
 * place of a contact card that would show them themselves. Current and coming absences only.
 */
export interface OwnEntry {
  /** The authority's code (`AuthorityCode` on the server). */
  authority: string;
  authorityName: string;
  name: string;
  title: string;
  orgUnit: string;
  email: string;
  phone?: string;
  officeHours?: string;
  absences: Array<{ from: string; to: string; note?: string }>;
  deputy?: { name: string; email: string; phone?: string };
  lastVerified: string;
}
