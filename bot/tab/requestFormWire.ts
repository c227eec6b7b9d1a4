/**
 * The shapes of the tab's Anliegen form (`/api/tab/requests`, bot/tab/requestFormRoutes.ts), shared by the server and
 * the tab (tab/src/requestForm.ts, type-only). No imports but the wire's own: the tab's bundle reads this file too.
 */
import type { Localized } from './wire';

/** The form: the chat form's texts and choices in both languages. */
export interface RequestFormWire {
  heading: Localized;
  /** Step 1, choosing the kind. */
  kindIntro: Localized;
  /** Step 2, the form for the kind. */
  formIntro: Localized;
  privacy: Localized;
  kindQuestion: Localized;
  /** No kind chosen on step 1. */
  kindMissing: Localized;
  next: Localized;
  submit: Localized;
  /** On top of a refused form: nothing was sent, see the marked fields. */
  checkFields: Localized;
  /** Only for "Beteiligung" (RdErl. Nr. 5 a): department, measure and its planned date. */
  measureHeading: Localized;
  measureHint: Localized;
  categories: Array<{ value: string; label: Localized }>;
  /** An authority's IB, or the KfI. */
  recipients: Array<{ value: string; label: Localized }>;
  labels: Record<'authority' | 'subject' | 'description' | 'deadline' | 'department' | 'measure' | 'plannedDate', Localized>;
  limits: { subject: number; description: number; department: number; measure: number };
}

/** One problem of a refused form, at its field. */
export interface RequestFormProblem {
  field: string;
  message: Localized;
}

/** `POST /api/tab/requests`: 201 with the new item, or 400 with the problems. */
export type RequestFormAnswer =
  | { item: { authority: string; id: string; kind: string }; message: Localized }
  | { code: 'Invalid'; message: Localized; problems: RequestFormProblem[] }
  | { code: string; message?: string };
