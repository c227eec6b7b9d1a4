import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { COMMAND_CATALOG } from '../../bot/commandCatalog';
import { ConfigError, loadPackageConfig } from '../../bot/config';
import { buildLocalization, buildManifest, MANIFEST_DIR, MANIFEST_VERSION, schemaPath } from '../../scripts/lib/manifest';
import { decodePng } from '../../scripts/lib/png';
import { readZip } from '../../scripts/lib/zip';
import { buildAppPackage, writeAppPackage } from '../../scripts/packageApp';

const BOT_ID = '3f0c1f5e-7a2b-4c3d-9e8f-0a1b2c3d4e5f';
const IDS = { botId: BOT_ID, teamsAppId: BOT_ID, tabAppId: BOT_ID, host: 'lotse.bezreg.example', version: '1.0.0' };
/** The tab's own Entra app registration (TAB_APP_ID), as a managed-identity bot needs it. */
const TAB_APP_ID = '0c4d9e7a-5b6c-4d7e-8f90-a1b2c3d4e5f6';

function validator(kind: 'manifest' | 'localization') {
  // unicodeRegExp off: the localization schema's key patterns are not valid under the `u` flag (`\b]`).
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaPath(kind), 'utf8')));
}
const problems = (validate: ReturnType<typeof validator>) => (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

describe('the Teams app manifest', () => {
  const validateManifest = validator('manifest');
  const validateLocalization = validator('localization');

  it(`is valid against the official v${MANIFEST_VERSION} schema shipped in @microsoft/app-manifest`, () => {
    const manifest = buildManifest(IDS);
    const ok = validateManifest(manifest);
    expect(problems(validateManifest)).toEqual([]);
    expect(ok).toBe(true);
    expect(manifest.manifestVersion).toBe(MANIFEST_VERSION);
    expect(String(manifest.$schema)).toContain(`/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`);
  });

  it('leaves no placeholder behind and puts the ids and host where Teams looks for them', () => {
    const manifest = buildManifest(IDS) as any;
    expect(JSON.stringify(manifest)).not.toMatch(/\{\{[A-Z_]+\}\}/);
    expect(manifest.id).toBe(BOT_ID);
    expect(manifest.bots[0].botId).toBe(BOT_ID);
    expect(manifest.bots[0].scopes).toEqual(['personal', 'team', 'groupChat']);
    // The IB sends the paper of a Vortrag as a file in the personal chat (issue 17): Teams offers the attachment only with it.
    expect(manifest.bots[0].supportsFiles).toBe(true);
    expect(manifest.validDomains).toEqual(['lotse.bezreg.example']);
    expect(manifest.webApplicationInfo).toEqual({ id: BOT_ID, resource: `api://lotse.bezreg.example/${BOT_ID}` });
    const tab = manifest.staticTabs.find((t: any) => t.entityId === 'mein-lotse');
    expect(tab.contentUrl).toMatch(/^https:\/\/lotse\.bezreg\.example\/tab\/index\.html/);
    expect(tab.scopes).toEqual(['personal']);
  });

  it('names the tab\'s own Entra app in webApplicationInfo when it has one, the bot staying the bot', () => {
    const manifest = buildManifest({ ...IDS, tabAppId: TAB_APP_ID }) as any;
    expect(validateManifest(manifest)).toBe(true);
    expect(manifest.webApplicationInfo).toEqual({ id: TAB_APP_ID, resource: `api://lotse.bezreg.example/${TAB_APP_ID}` });
    expect(manifest.bots[0].botId).toBe(BOT_ID);
  });

  it('has no webApplicationInfo, and is still valid, when the tab has no Entra app', () => {
    const manifest = buildManifest({ ...IDS, tabAppId: undefined }) as any;
    const ok = validateManifest(manifest);
    expect(problems(validateManifest)).toEqual([]);
    expect(ok).toBe(true);
    expect('webApplicationInfo' in manifest).toBe(false);
    expect(JSON.stringify(manifest)).not.toMatch(/\{\{[A-Z_]+\}\}|api:\/\//);
  });

  it('is German by default with an English localization that is valid against its schema', () => {
    const manifest = buildManifest(IDS) as any;
    expect(manifest.localizationInfo.defaultLanguageTag).toBe('de-de');
    expect(manifest.localizationInfo.additionalLanguages).toEqual([{ languageTag: 'en', file: 'en.json' }]);
    const en = buildLocalization();
    const ok = validateLocalization(en);
    expect(problems(validateLocalization)).toEqual([]);
    expect(ok).toBe(true);
    expect(en['staticTabs[0].name']).toBe('My Lotse');
  });

  it('lists per scope exactly the commands of the catalog, in German with English translations', () => {
    const manifest = buildManifest(IDS) as any;
    const en = buildLocalization() as Record<string, string>;
    for (const scope of ['personal', 'team', 'groupChat'] as const) {
      const index = manifest.bots[0].commandLists.findIndex((l: any) => l.scopes[0] === scope);
      const expected = COMMAND_CATALOG.filter((c) => c.scopes.includes(scope));
      expect(manifest.bots[0].commandLists[index].commands.map((c: any) => c.title)).toEqual(expected.map((c) => c.de.title));
      expected.forEach((c, j) => expect(en[`bots[0].commandLists[${index}].commands[${j}].title`]).toBe(c.en.title));
    }
    // Channel and group chat: nothing that would show personal data (IB details form, unanswered questions) to a room.
    const team = manifest.bots[0].commandLists.find((l: any) => l.scopes[0] === 'team').commands.map((c: any) => c.title);
    expect(team).not.toContain('Meine Angaben');
    expect(team).not.toContain('Unbeantwortete Fragen');
  });
});

describe('the app icons', () => {
  it('has a 192×192 colour icon without transparent holes inside', () => {
    const icon = decodePng(readFileSync(join(MANIFEST_DIR, 'color.png')));
    expect([icon.width, icon.height]).toEqual([192, 192]);
    const alphaAt = (x: number, y: number) => icon.data[(y * icon.width + x) * 4 + 3];
    expect(alphaAt(96, 96)).toBe(255);
    expect(alphaAt(40, 96)).toBe(255);
  });

  it('has a 32×32 outline icon drawn in white on a transparent background only', () => {
    const icon = decodePng(readFileSync(join(MANIFEST_DIR, 'outline.png')));
    expect([icon.width, icon.height]).toEqual([32, 32]);
    expect(icon.colorType).toBe(6);
    let transparent = 0;
    let drawn = 0;
    for (let i = 0; i < icon.width * icon.height; i++) {
      const [r, g, b, a] = icon.data.subarray(i * 4, i * 4 + 4);
      if (a === 0) transparent++;
      else {
        drawn++;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    expect(transparent).toBeGreaterThan(0.4 * 32 * 32);
    expect(drawn).toBeGreaterThan(0.1 * 32 * 32);
    // The corners are background.
    expect(icon.data[3]).toBe(0);
  });
});

describe('npm run package', () => {
  const env = { MicrosoftAppId: BOT_ID.toUpperCase(), PUBLIC_BASE_URL: 'https://lotse.bezreg.example/' };

  it('writes a zip with manifest, localization and icons, the manifest valid with the configured ids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'app-package-'));
    try {
      const path = writeAppPackage(loadPackageConfig(env), join(dir, 'out', 'integrations-lotse.zip'));
      const entries = readZip(readFileSync(path));
      expect(entries.map((e) => e.name).sort()).toEqual(['color.png', 'en.json', 'manifest.json', 'outline.png']);
      const manifest = JSON.parse(entries.find((e) => e.name === 'manifest.json')!.data.toString('utf8'));
      const validate = validator('manifest');
      expect(validate(manifest)).toBe(true);
      expect(manifest.bots[0].botId).toBe(BOT_ID);
      expect(manifest.validDomains).toEqual(['lotse.bezreg.example']);
      const en = JSON.parse(entries.find((e) => e.name === 'en.json')!.data.toString('utf8'));
      expect(validator('localization')(en)).toBe(true);
      expect(entries.find((e) => e.name === 'color.png')!.data.equals(readFileSync(join(MANIFEST_DIR, 'color.png')))).toBe(true);
      expect(decodePng(entries.find((e) => e.name === 'outline.png')!.data).width).toBe(32);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['an app registration with a secret: the bot\'s own', {}, BOT_ID],
    ['TAB_APP_ID', { TAB_APP_ID: TAB_APP_ID.toUpperCase() }, TAB_APP_ID],
    ['a managed identity with TAB_APP_ID', { MicrosoftAppType: 'UserAssignedMSI', TAB_APP_ID }, TAB_APP_ID],
    ['a managed identity without TAB_APP_ID: none', { MicrosoftAppType: 'UserAssignedMSI' }, undefined],
  ])('takes the tab\'s Entra app for webApplicationInfo from the configuration (%s)', (_name, extra, expected) => {
    const config = loadPackageConfig({ ...env, ...extra });
    expect(config.tabAppId).toBe(expected);
    const manifest = JSON.parse(readZip(buildAppPackage(config)).find((e) => e.name === 'manifest.json')!.data.toString('utf8'));
    expect(manifest.webApplicationInfo).toEqual(expected ? { id: expected, resource: `api://lotse.bezreg.example/${expected}` } : undefined);
  });

  it('refuses the managed identity\'s own client id as the tab\'s app, naming TAB_APP_ID', () => {
    expect(() => loadPackageConfig({ ...env, MicrosoftAppType: 'UserAssignedMSI', TAB_APP_ID: BOT_ID })).toThrow(/^TAB_APP_ID: .*cannot expose an API/);
  });

  it('writes byte-identical packages for the same configuration', () => {
    const config = loadPackageConfig(env);
    expect(buildAppPackage(config).equals(buildAppPackage(config))).toBe(true);
  });

  it('refuses to package without a bot id or without an https host, naming the key', () => {
    expect(() => loadPackageConfig({ PUBLIC_BASE_URL: 'https://x.example' })).toThrow(ConfigError);
    expect(() => loadPackageConfig({ PUBLIC_BASE_URL: 'https://x.example' })).toThrow(/MicrosoftAppId/);
    expect(() => loadPackageConfig({ MicrosoftAppId: BOT_ID, PUBLIC_BASE_URL: 'http://x.example' })).toThrow(/PUBLIC_BASE_URL/);
    expect(() => loadPackageConfig({ MicrosoftAppId: BOT_ID, PUBLIC_BASE_URL: 'https://x.example/sub' })).toThrow(/PUBLIC_BASE_URL/);
    expect(() => loadPackageConfig({ MicrosoftAppId: BOT_ID, PUBLIC_BASE_URL: 'https://x.example', TEAMS_APP_VERSION: 'v1' })).toThrow(/TEAMS_APP_VERSION/);
  });
});
