/**
 * The shapes of the directory editor's API (`/api/tab/directory*`, bot/tab/directoryRoutes.ts), shared with the tab
 * (`tab/src/directoryEditor.ts`, type-only). No imports: the tab's own tsconfig reads this file too.
 */

/** The editable fields, as the form holds them (strings as typed; `deputy: null` for none). */
export interface DirectoryFormWire {
  officeHours: string;
  phone: string;
  absences: Array<{ from: string; to: string; note: string }>;
  deputy: { name: string; title: string; email: string; phone: string; aadObjectId: string } | null;
}

/** `GET /api/tab/directory`: the entries the caller may edit (none for most people). */
export interface DirectoryListWire {
  admin: boolean;
  entries: Array<{ authority: string; name: string }>;
}

/** One entry with its history, texts in the caller's language. */
export interface DirectoryEntryWire {
  authority: string;
  authorityName: string;
  commissioner: { name: string; title: string; email: string } | null;
  form: DirectoryFormWire;
  /** ISO date. */
  lastVerified: string;
  /** Send back as `If-Match` when saving. */
  revision: string;
  as: 'commissioner' | 'admin';
  history: Array<{ at: string; who: string; what: string; changes: Array<{ field: string; from: string; to: string }> }>;
}

/** Every answer of the editor's API: `entry` on 200 and 409, `problems` on 400 (each at its field), `message` else. */
export interface DirectoryAnswerWire {
  code?: string;
  message?: string;
  entry?: DirectoryEntryWire;
  problems?: Array<{ field: string; message: string }>;
}

/** `GET /api/tab/people?q=…`: people found in the organisation's directory (Microsoft Graph), for the deputy picker. */
export interface PeopleWire {
  people: Array<{ aadObjectId: string; name: string; email: string }>;
  /** False when people search is not available (Graph off or permission missing): the form then takes name and e-mail. */
  available: boolean;
}
