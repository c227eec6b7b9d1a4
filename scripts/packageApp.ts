/**
 * `npm run package`: writes the Teams app package (`dist/appPackage/integrations-lotse.zip`) that an administrator
 * uploads in the Teams admin center, with the bot id and host name from the configuration (see .env.example).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadPackageConfig, type PackageConfig } from '../bot/config';
import { projectRoot } from '../services/paths';
import { buildLocalization, buildManifest, MANIFEST_DIR } from './lib/manifest';
import { writeZip } from './lib/zip';

export const PACKAGE_PATH = join(projectRoot, 'dist', 'appPackage', 'integrations-lotse.zip');

/** The package's bytes for this configuration. */
export function buildAppPackage(config: PackageConfig): Buffer {
  const manifest = buildManifest({ botId: config.botId, teamsAppId: config.teamsAppId, tabAppId: config.tabAppId, host: config.host, version: config.version });
  const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
  return writeZip([
    { name: 'manifest.json', data: json(manifest) },
    { name: 'en.json', data: json(buildLocalization()) },
    { name: 'color.png', data: readFileSync(join(MANIFEST_DIR, 'color.png')) },
    { name: 'outline.png', data: readFileSync(join(MANIFEST_DIR, 'outline.png')) },
  ]);
}

/** Writes the package to `out` and returns the path. */
export function writeAppPackage(config: PackageConfig, out: string = PACKAGE_PATH): string {
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, buildAppPackage(config));
  return out;
}

if (require.main === module) {
  try {
    const config = loadPackageConfig();
    const out = writeAppPackage(config, process.argv[2] ?? PACKAGE_PATH);
    process.stdout.write(`App package written: ${out}\n  bot ${config.botId}, host ${config.host}, version ${config.version}\n`);
    process.stdout.write(
      config.tabAppId
        ? `  tab sign-in: ${config.tabAppId} (api://${config.host}/${config.tabAppId})\n`
        : '  tab sign-in: none (MicrosoftAppType=UserAssignedMSI without TAB_APP_ID): the tab will say that sign-in is not set up; see docs/deployment.md, "The personal tab".\n',
    );
    process.stdout.write('Upload it in the Teams admin center (Teams apps > Manage apps > Upload new app).\n');
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
