/**
 * Builds the Teams app manifest and its English localization from the templates in `manifest/`, the configured ids
 * and the command catalog (`bot/commandCatalog.ts`), so the command lists can never drift from the bot.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_CATALOG, type CommandScope } from '../../bot/commandCatalog';
import { projectRoot } from '../../services/paths';

/** The schema version the manifest uses; its schema file ships in npm `@microsoft/app-manifest`. */
export const MANIFEST_VERSION = '1.30';
export const MANIFEST_DIR = join(projectRoot, 'manifest');

/** What differs per installation. */
export interface ManifestIds {
  /** The bot's Microsoft App ID. */
  botId: string;
  /**
   * The Entra app registration the tab's single sign-on tokens are for (`webApplicationInfo`; TAB_APP_ID, by default the
   * bot's). Absent (a managed-identity bot without a tab registration): no `webApplicationInfo`, the tab has no sign-in.
   */
  tabAppId?: string;
  /** The Teams app id (defaults to the bot id). */
  teamsAppId: string;
  /** Host name of the service, e.g. `lotse.example.org` (no scheme, no path). */
  host: string;
  /** App package version (semver), bumped for every upload of a changed package. */
  version: string;
}

const SCOPES: readonly CommandScope[] = ['personal', 'team', 'groupChat'];

/** Absolute path of the schema file for `kind` in the installed `@microsoft/app-manifest`. */
export function schemaPath(kind: 'manifest' | 'localization'): string {
  const dir = join(require.resolve('@microsoft/app-manifest/package.json'), '..', 'build', 'json-schemas', 'teams', `v${MANIFEST_VERSION}`);
  return join(dir, kind === 'manifest' ? 'MicrosoftTeams.schema.json' : 'MicrosoftTeams.Localization.schema.json');
}

function fill(template: string, ids: ManifestIds): string {
  const values: Record<string, string> = { BOT_ID: ids.botId, TEAMS_APP_ID: ids.teamsAppId, TAB_APP_ID: ids.tabAppId ?? '', HOST: ids.host };
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => {
    if (!(key in values)) throw new Error(`manifest template: unknown placeholder {{${key}}}`);
    return values[key];
  });
}

/** The command lists per scope, German (the default language). */
export function commandLists(): Array<{ scopes: [CommandScope]; commands: Array<{ title: string; description: string }> }> {
  return SCOPES.map((scope) => ({
    scopes: [scope] as [CommandScope],
    commands: COMMAND_CATALOG.filter((c) => c.scopes.includes(scope)).map((c) => ({ title: c.de.title, description: c.de.description })),
  })).filter((list) => list.commands.length > 0);
}

/** The manifest with ids, version and command lists filled in. */
export function buildManifest(ids: ManifestIds): Record<string, unknown> {
  const manifest = JSON.parse(fill(readFileSync(join(MANIFEST_DIR, 'manifest.json'), 'utf8'), ids)) as Record<string, any>;
  manifest.version = ids.version;
  if (!ids.tabAppId) delete manifest.webApplicationInfo;
  manifest.bots[0].commandLists = commandLists();
  return manifest;
}

/** The English localization file: the static strings plus one title and description per command. */
export function buildLocalization(): Record<string, unknown> {
  const localization = JSON.parse(readFileSync(join(MANIFEST_DIR, 'en.json'), 'utf8')) as Record<string, unknown>;
  commandLists().forEach((list, i) => {
    const scope = list.scopes[0];
    COMMAND_CATALOG.filter((c) => c.scopes.includes(scope)).forEach((c, j) => {
      localization[`bots[0].commandLists[${i}].commands[${j}].title`] = c.en.title;
      localization[`bots[0].commandLists[${i}].commands[${j}].description`] = c.en.description;
    });
  });
  return localization;
}
