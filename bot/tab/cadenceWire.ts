/**
 * The shapes of the tab's cadence API (`/api/tab/cadence`, bot/tab/cadenceRoutes.ts), shared with the tab's
 * `tab/src/cadence.ts` (type-only). No imports: the tab's own tsconfig reads this file too.
 */

/** A text in both languages (as `Localized` in wire.ts). */
export interface CadenceLocalized {
  de: string;
  en: string;
}

/** One input of the cadence form; `value` is the stored setting (or the default). */
export interface CadenceFieldWire {
  name: string;
  label: CadenceLocalized;
  type: 'select' | 'number' | 'date' | 'time' | 'text';
  value: string;
  required?: boolean;
  min?: number;
  max?: number;
  maxLength?: number;
  options?: Array<{ value: string; label: CadenceLocalized }>;
  hint?: CadenceLocalized;
  /** Shown only for monthly rules (`week`) or only for date polls (`alternatives`). */
  showWhen?: { field: string; value: string };
}

/** `GET`/`PUT /api/tab/cadence` (200), and `POST /api/tab/cadence/confirm` or `/discard` (200, or 409 when already done). */
export interface CadenceWire {
  heading: CadenceLocalized;
  /** The rule in words with its lead time; or that it is off or not set. */
  summary: CadenceLocalized;
  active: boolean;
  fields: CadenceFieldWire[];
  saveLabel: CadenceLocalized;
  upcomingHeading: CadenceLocalized;
  /** The next dates: "Di., 13.04.2027, 10:00 Uhr", a moved date with its holiday, and when its draft is prepared. */
  upcoming: Array<{ ruleDate: string; label: CadenceLocalized; prepareOn: CadenceLocalized }>;
  /** The prepared draft, marked; `card` is the KfI's draft card in each language (without chat buttons). */
  draft?: {
    ruleDate: string;
    status: 'prepared' | 'confirmed' | 'discarded' | 'superseded' | 'lapsed';
    marker: CadenceLocalized;
    statusText?: CadenceLocalized;
    confirmLabel: CadenceLocalized;
    discardLabel: CadenceLocalized;
    card: { de: Record<string, unknown>; en: Record<string, unknown> };
  };
  /** After an action: what happened, in both languages. */
  message?: CadenceLocalized;
}

/** A refusal: 400 with the problems at their fields, 403 (not the KfI), 404 (no such draft). */
export interface CadenceRefusalWire {
  ok: false;
  forbidden?: boolean;
  message: CadenceLocalized;
  problems: Array<{ field?: string; message: CadenceLocalized }>;
}
