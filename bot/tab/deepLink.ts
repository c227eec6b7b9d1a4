/** The personal tab's `entityId` in the app manifest (`staticTabs`). */
export const TAB_ENTITY_ID = 'mein-lotse';

/** The tab's sub-page for its „Downloads“ section (the tab scrolls there and focuses its heading). */
export const DOWNLOADS_SUB_ENTITY = 'downloads';

/**
 * A Teams deep link to the personal tab „Mein Lotse“:
 * `https://teams.microsoft.com/l/entity/<app id>/mein-lotse?context=<URL-encoded {"subEntityId":"…"}>`.
 * Teams hands the `subEntityId` to the tab as the context's `page.subPageId`.
 */
export function tabDeepLink(teamsAppId: string, subEntityId?: string): string {
  const base = `https://teams.microsoft.com/l/entity/${encodeURIComponent(teamsAppId)}/${TAB_ENTITY_ID}`;
  return subEntityId ? `${base}?context=${encodeURIComponent(JSON.stringify({ subEntityId }))}` : base;
}
