/**
 * The seam between the personal tab and the workflows that feed it. Each section is optional: the tab shows a
 * section only when its source is plugged in (in `bot/app.ts`) and the viewer's role calls for it; an absent source
 * means the section does not exist for anyone (no placeholder).
 *
 * Phase 2 plugs in `services/requests` (requests, inbox, reports) and `services/circle` (circle, composer) here.
 */
import type { AuthorityCode } from '../../services/directory/model';
import type { Roles } from '../../services/directory/roles';
import type { Lang } from '../texts';
import type { TabItemsSource } from './items';
import type { CaseSummary as WireCaseSummary, CircleItem, ComposerField, ComposerKind, ComposerProblem, ErasureOutcome, Localized } from './wire';

export type { CircleItem, ComposerField, ComposerKind, ComposerProblem, ErasureOutcome, Localized } from './wire';

/** The signed-in person looking at the tab, from the validated SSO token and the directory. */
export interface TabViewer {
  aadObjectId: string;
  tenantId: string;
  lang: Lang;
  roles: Roles;
}

/** One Anliegen or Vortrag, ready to display, its authority typed as the directory's code. */
export interface CaseSummary extends WireCaseSummary {
  authority: AuthorityCode;
}

/** The viewer's own Anliegen with their status (everyone). */
export interface RequestsSource {
  listForRequester(aadObjectId: string): Promise<CaseSummary[]>;
}

/** Cases waiting for the viewer as IB or deputy (shown to the IB side). */
export interface InboxSource {
  inboxFor(aadObjectId: string): Promise<CaseSummary[]>;
}

/** Reports (Vortrag) the viewer wrote or has to decide (shown to the IB side and the head side). */
export interface ReportsSource {
  reportsFor(aadObjectId: string): Promise<CaseSummary[]>;
}

/** What the Koordinierungskreis view shows (circle members and the KfI). */
export interface CircleSource {
  overviewFor(aadObjectId: string): Promise<{ items: CircleItem[] }>;
}

/** `forbidden`: the viewer may not do this (answered 403; nothing is stored). */
export type ComposerResult<T> = ({ ok: true } & T) | { ok: false; problems: ComposerProblem[]; forbidden?: boolean };

/**
 * The composer: the kinds this viewer may compose (empty: no composer shown), the card preview (an Adaptive Card
 * JSON rendered in the tab with the `adaptivecards` renderer) and sending (which must re-check the viewer's rights).
 * Input arrives already checked against the kind's fields (known names, required, lengths).
 */
export interface TabComposer {
  kinds(viewer: TabViewer): ComposerKind[] | Promise<ComposerKind[]>;
  /** Whether the kind exists at all: a known kind not offered to the viewer is refused (403), an unknown one is 404. */
  knows?(kind: string): boolean;
  /** Why a known kind is not offered to this viewer, shown with the 403 (default: "Das dürfen Sie nicht."). */
  notOffered?(kind: string): Localized | undefined;
  /** `note`: a line shown with the preview (a post: how many people it reaches). */
  preview(viewer: TabViewer, kind: string, input: Record<string, string>): Promise<ComposerResult<{ card: Record<string, unknown>; note?: Localized }>>;
  send(viewer: TabViewer, kind: string, input: Record<string, string>): Promise<ComposerResult<{ message: Localized }>>;
}

/** A file the tab offers for download. */
export interface Download {
  filename: string;
  contentType: string;
  body: string;
}

/**
 * Files the viewer may download: the audit trail of their authorities as CSV (IB and deputy; `undefined` for anyone
 * else, answered 403) and "Meine Daten", what is stored about them (everyone); and "Meine Daten löschen" beside it.
 */
export interface DownloadsSource {
  mayExportTrail(viewer: TabViewer): boolean;
  trailCsv(viewer: TabViewer): Promise<Download | undefined>;
  myData(viewer: TabViewer): Promise<Download>;
  /** Deletes the viewer's own data (GDPR Art. 17); absent: the tab offers no deletion (answered 404). */
  eraseMyData?(viewer: TabViewer): Promise<ErasureOutcome>;
}

/** Everything the tab can show beyond the contact card and the unanswered questions. */
export interface TabSources {
  downloads?: DownloadsSource;
  requests?: RequestsSource;
  inbox?: InboxSource;
  reports?: ReportsSource;
  circle?: CircleSource;
  composer?: TabComposer;
  /** An Anliegen or Vortrag opened from a list: its card for the viewer and its actions (bot/tab/items.ts). */
  items?: TabItemsSource;
}
