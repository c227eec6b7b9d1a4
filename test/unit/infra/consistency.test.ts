/**
 * Keeps the infrastructure (infra/*.bicep, azure.yaml, m365agents.yml) and the code in step. Every expectation is
 * derived from the code: the settings bot/config.ts reads and requires, the containers and their schema in
 * services/storage/containers.ts, the routes in bot/server.ts, the start command in package.json. A rename on either
 * side fails here, before a deployment that would start and then fail (or run on an embedded database).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, loadPackageConfig, PRODUCTION_SETTINGS } from '../../../bot/config';
import { TEAMS_CLIENT_IDS } from '../../../bot/tab/ssoToken';
import { GRAPH_FEATURES } from '../../../services/graph/graphPort';
import { CONTAINER_NAMES, CONTAINER_SCHEMA } from '../../../services/storage/containers';
import { at, evaluate, instances, literal, readBicep, sourceText, type BicepFile, type BicepResource, type BicepValue } from './bicepReader';

const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Settings App Service reads itself (its build), not the service: the only keys bot/config.ts need not know. */
const PLATFORM_SETTINGS = ['SCM_DO_BUILD_DURING_DEPLOYMENT'];
/**
 * Keys bot/config.ts reads that the Azure deployment leaves unset on purpose, each with the reason. Every other key it
 * reads must be an app setting of infra/main.bicep (with a parameter or a fixed value), so that a key added to the code
 * is either deployable or consciously local: a new key fails 'covers every key config.ts reads' until it is one or the other.
 */
const NOT_DEPLOYED: Readonly<Record<string, string>> = {
  // Credentials: the managed identity is the only one on Azure (see 'holds no secret' below).
  MicrosoftAppPassword: 'client secret; the bot signs in as its managed identity',
  COSMOS_KEY: 'account key; Cosmos DB local auth is off, the identity has the data role',
  GRAPH_CERTIFICATE_PATH: 'certificate credential; Graph is called as the managed identity',
  // Local development only.
  COSMOS_CERT_SHA256: 'pins the certificate of a local `npm run db` server',
  SEED_DEMO_DIRECTORY: 'fictitious demo people; the default is off with a real COSMOS_ENDPOINT',
  HOST: 'default 0.0.0.0 with an app id, which App Service needs',
  PORT: 'App Service sets PORT itself for the Node container',
  // The test suite only (refused without LOTSE_TEST_MODE).
  LOTSE_TEST_MODE: 'test suite only',
  GRAPH_TEST_CERT_SHA256: 'test suite only',
  TAB_SSO_OPENID_METADATA_URL: 'test suite only: production validates against Entra ID\'s own metadata (the default)',
  // National clouds and networks this template does not deploy to.
  GRAPH_AUTHORITY_HOST: 'national clouds only; the template deploys to the global Azure cloud',
  GRAPH_BASE_URL: 'national clouds only; the template deploys to the global Azure cloud',
  HTTPS_PROXY: 'an outbound proxy; App Service reaches Teams and Graph directly',
  https_proxy: 'an outbound proxy; App Service reaches Teams and Graph directly',
  HTTP_PROXY: 'an outbound proxy; App Service reaches Teams and Graph directly',
  http_proxy: 'an outbound proxy; App Service reaches Teams and Graph directly',
  // `npm run package` on a workstation, not the service.
  TEAMS_APP_VERSION: 'read by `npm run package` only',
};

/** Cosmos DB Built-in Data Contributor (https://learn.microsoft.com/azure/cosmos-db/nosql/security/reference-data-plane-roles). */
const COSMOS_DATA_CONTRIBUTOR = '00000000-0000-0000-0000-000000000002';

/**
 * Every environment key bot/config.ts reads, recorded while it loads a configuration that takes every branch (Graph
 * on, a managed identity, the packaging keys). A key config.ts never asks for is not one it knows.
 */
function keysConfigReads(): Set<string> {
  const seen = new Set<string>();
  const values: Record<string, string> = {
    MicrosoftAppId: '7d1c2e3f-1111-4222-8333-444455556666',
    MicrosoftAppType: 'UserAssignedMSI',
    MicrosoftAppTenantId: '7d1c2e3f-1111-4222-8333-444455556667',
    ALLOWED_TENANT_IDS: '7d1c2e3f-1111-4222-8333-444455556667',
    COSMOS_ENDPOINT: 'https://lotse.documents.azure.com:443/',
    PUBLIC_BASE_URL: 'https://lotse.azurewebsites.net',
    GRAPH_ENABLED: 'true',
  };
  const env = new Proxy(values, {
    get(target, key) {
      if (typeof key === 'string') seen.add(key);
      return typeof key === 'string' ? target[key] : undefined;
    },
  });
  loadConfig(env);
  loadPackageConfig(env);
  return seen;
}

function bicepFiles(): Array<{ path: string; file: BicepFile }> {
  const out: Array<{ path: string; file: BicepFile }> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.bicep')) out.push({ path, file: readBicep(read(path)) });
    }
  };
  walk('infra');
  return out;
}

const files = bicepFiles();
const main = files.find((f) => f.path === 'infra/main.bicep')?.file as BicepFile;

function resourcesOfType(type: string): Array<{ resource: BicepResource; file: BicepFile }> {
  return files.flatMap(({ file }) => file.resources.filter((r) => r.type === type && !r.existing).map((resource) => ({ resource, file })));
}

/** The one resource of a type, failing the test when there are none or several. */
function theOne(type: string): BicepResource {
  const found = resourcesOfType(type);
  if (found.length !== 1) throw new Error(`expected one ${type} in infra/, found ${found.length}`);
  return found[0].resource;
}

function objectKeys(value: BicepValue | undefined): string[] {
  return value?.kind === 'object' ? [...value.entries.keys()] : [];
}

const identity = theOne('Microsoft.ManagedIdentity/userAssignedIdentities');
const cosmos = theOne('Microsoft.DocumentDB/databaseAccounts');
const site = theOne('Microsoft.Web/sites');
const appSettingsResource = resourcesOfType('Microsoft.Web/sites/config').find(({ resource }) => literal(at(resource.body, 'name')) === 'appsettings')?.resource;
const appSettings = at(appSettingsResource?.body, 'properties');

/** The deployment-specific settings (identity, endpoints, tenant) as in production, for loading the deployed configuration. */
const DEPLOYED_IDENTITY = {
  MicrosoftAppId: '7d1c2e3f-1111-4222-8333-444455556666',
  MicrosoftAppTenantId: '7d1c2e3f-1111-4222-8333-444455556667',
  ALLOWED_TENANT_IDS: '7d1c2e3f-1111-4222-8333-444455556667',
  COSMOS_ENDPOINT: 'https://cosmos-lotse.documents.azure.com:443/',
  PUBLIC_BASE_URL: 'https://app-lotse.azurewebsites.net',
  MicrosoftAppType: 'UserAssignedMSI',
  GRAPH_ENABLED: 'true',
};

describe('infrastructure and code stay in step', () => {
  it('finds the templates and reads every one of them', () => {
    expect(main).toBeDefined();
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['infra/main.bicep']));
    expect(appSettingsResource).toBeDefined();
    expect(sourceText(at(appSettingsResource?.body, 'parent'))).toBe(site.symbol);
  });

  describe('app settings', () => {
    const keys = objectKeys(appSettings);

    it('sets every key bot/config.ts requires in production', () => {
      expect(PRODUCTION_SETTINGS.length).toBeGreaterThan(0);
      const missing = PRODUCTION_SETTINGS.filter((k) => !keys.includes(k));
      expect(missing).toEqual([]);
    });

    it('sets no key bot/config.ts does not read (a misspelt key would be ignored silently)', () => {
      const known = keysConfigReads();
      expect(known.size).toBeGreaterThan(PRODUCTION_SETTINGS.length);
      for (const k of PRODUCTION_SETTINGS) expect(known).toContain(k);
      const unknown = keys.filter((k) => !known.has(k) && !PLATFORM_SETTINGS.includes(k));
      expect(unknown).toEqual([]);
    });

    it('covers every key config.ts reads: an app setting, or named in NOT_DEPLOYED with the reason', () => {
      const known = keysConfigReads();
      const uncovered = [...known].filter((k) => !keys.includes(k) && !(k in NOT_DEPLOYED));
      expect(uncovered).toEqual([]);
      // The exemptions stay true: each is a key config.ts reads, and none is deployed after all.
      expect(Object.keys(NOT_DEPLOYED).filter((k) => !known.has(k))).toEqual([]);
      expect(Object.keys(NOT_DEPLOYED).filter((k) => keys.includes(k))).toEqual([]);
    });

    it('deploys the code\'s own defaults: with every parameter at its default the service runs as with the keys unset', () => {
      // A setting `KEY: param` or `KEY: string(param)` takes the parameter's default; the deployment-specific ones
      // (identity, endpoints, tenant) are given as in production.
      const fixed = DEPLOYED_IDENTITY;
      const fromParams: Record<string, string> = {};
      const parameterOf = new Map<string, string>();
      for (const key of keys) {
        const m = /^(?:string\()?([A-Za-z_][A-Za-z0-9_]*)\)?$/.exec(sourceText(at(appSettings, key)) ?? '');
        const param = m && main.params.get(m[1] as string);
        if (!param || key in fixed) continue;
        const value = literal(param.defaultValue);
        expect({ key, value: typeof value }).toEqual({ key, value: expect.stringMatching(/^(string|number)$/) });
        fromParams[key] = String(value);
        parameterOf.set(key, m[1] as string);
      }
      // The keys of this issue at least: the Vortrag date reminder, the staff groups, the send journal.
      for (const key of ['REPORT_TERMIN_REMINDER_WORKING_DAYS', 'GRAPH_GROUP_STAFF_KOELN', 'OUTBOX_JOURNAL_DIR', 'POST_RETENTION_DAYS', 'GRAPH_GROUP_CACHE_SECONDS']) {
        expect(parameterOf.has(key)).toBe(true);
      }
      const deployed = loadConfig({ ...fixed, ...fromParams });
      const unset = loadConfig(fixed);
      // The send journal: the code's default is the temp dir, which on App Service (Linux) is /tmp, local to each
      // instance; the template names it so, never /home (shared by all instances).
      expect(deployed.outboxJournalDir).toBe('/tmp/integrations-lotse');
      expect({ ...deployed, outboxJournalDir: unset.outboxJournalDir }).toEqual(unset);
    });

    it('bounds every number parameter as the code does: @minValue and @maxValue are accepted by config.ts, one beyond is refused', () => {
      // Narrower on purpose: the plan's instance count (App Service), and the escalation, which must exceed the reminder days (at least 1).
      const NARROWER = new Set(['instanceCount', 'requestEscalationWorkingDays']);
      // A key checked against another: its bounds are tried with the other at a value that allows them.
      const WITH: Record<string, Record<string, string>> = {
        REQUEST_ESCALATION_WORKING_DAYS: { REQUEST_REMINDER_WORKING_DAYS: '1' },
        REQUEST_REMINDER_WORKING_DAYS: { REQUEST_ESCALATION_WORKING_DAYS: '120' },
        REPORT_REMINDER_WORKING_DAYS_VERY_URGENT: { REPORT_REMINDER_WORKING_DAYS_URGENT: '60' },
      };
      const fixed = DEPLOYED_IDENTITY;
      expect(() => loadConfig(fixed)).not.toThrow();
      const accepts = (key: string, value: number) => {
        try {
          loadConfig({ ...fixed, ...WITH[key], [key]: String(value) });
          return true;
        } catch {
          return false;
        }
      };
      let checked = 0;
      for (const key of keys) {
        const param = /^string\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(sourceText(at(appSettings, key)) ?? '')?.[1];
        const declared = param ? main.params.get(param) : undefined;
        if (!param || declared?.type !== 'int') continue;
        const min = Number(declared.decorators.minValue);
        const max = Number(declared.decorators.maxValue);
        expect({ param, min: Number.isInteger(min), max: Number.isInteger(max) }).toEqual({ param, min: true, max: true });
        expect({ key, min: accepts(key, min), max: accepts(key, max) }).toEqual({ key, min: true, max: true });
        if (!NARROWER.has(param)) expect({ key, below: accepts(key, min - 1), above: accepts(key, max + 1) }).toEqual({ key, below: false, above: false });
        checked += 1;
      }
      expect(checked).toBeGreaterThanOrEqual(20);
    });

    it('documents every deployed key with its template parameter in docs/configuration.md', () => {
      const doc = read('docs/configuration.md');
      const section = doc.slice(doc.indexOf('## On Azure'));
      expect(section.length).toBeLessThan(doc.length);
      const rows = new Map([...section.matchAll(/^\| `([A-Za-z_]+)` \| `([A-Za-z]+)` \|/gm)].map((m) => [m[1], m[2]]));
      for (const key of keys) {
        const m = /^(?:string\()?([A-Za-z_][A-Za-z0-9_]*)\)?$/.exec(sourceText(at(appSettings, key)) ?? '');
        const param = m?.[1];
        if (!param || !main.params.has(param)) continue;
        expect({ key, param: rows.get(key) }).toEqual({ key, param });
      }
    });

    it('holds no secret and no test switch: the managed identity is the only credential', () => {
      expect(keys).not.toContain('MicrosoftAppPassword');
      expect(keys).not.toContain('COSMOS_KEY');
      expect(keys).not.toContain('GRAPH_CERTIFICATE_PATH');
      expect(keys.filter((k) => k === 'LOTSE_TEST_MODE' || k.startsWith('BOTAUTH_') || k.startsWith('GRAPH_TEST_') || k === 'TAB_SSO_OPENID_METADATA_URL')).toEqual([]);
    });

    it('names the bot by the identity, as a UserAssignedMSI bot of this tenant, on the Cosmos account', () => {
      expect(literal(at(appSettings, 'MicrosoftAppType'))).toBe('UserAssignedMSI');
      expect(sourceText(at(appSettings, 'MicrosoftAppId'))).toBe(`${identity.symbol}.properties.clientId`);
      expect(sourceText(at(appSettings, 'MicrosoftAppTenantId'))).toBe('tenant().tenantId');
      expect(sourceText(at(appSettings, 'COSMOS_ENDPOINT'))).toBe(`${cosmos.symbol}.properties.documentEndpoint`);
      expect(sourceText(at(appSettings, 'PUBLIC_BASE_URL'))).toMatch(new RegExp(`^https://\\$\\{${site.symbol}\\.properties\\.defaultHostName\\}$`));
    });

    it('tells each instance how many share Teams\' rate limits: BOT_INSTANCE_COUNT is the plan\'s instance count', () => {
      const capacity = sourceText(at(theOne('Microsoft.Web/serverfarms').body, 'sku.capacity'));
      expect(capacity).toMatch(/^\w+$/);
      expect(main.params.has(capacity as string)).toBe(true);
      expect(sourceText(at(appSettings, 'BOT_INSTANCE_COUNT'))).toBe(`string(${capacity})`);
      expect(keysConfigReads()).toContain('BOT_INSTANCE_COUNT');
    });

    it('gives every setting a value config.ts accepts (example values for the expressions)', () => {
      const env: Record<string, string> = {};
      for (const key of keys) {
        const value = literal(at(appSettings, key));
        env[key] = typeof value === 'string' ? value : '';
      }
      Object.assign(env, {
        MicrosoftAppId: '7d1c2e3f-1111-4222-8333-444455556666',
        MicrosoftAppTenantId: '7d1c2e3f-1111-4222-8333-444455556667',
        ALLOWED_TENANT_IDS: '7d1c2e3f-1111-4222-8333-444455556667',
        COSMOS_ENDPOINT: 'https://cosmos-lotse.documents.azure.com:443/',
        COSMOS_DATABASE: String(literal(main.params.get('databaseName')?.defaultValue)),
        PUBLIC_BASE_URL: 'https://app-lotse.azurewebsites.net',
        ...(keys.includes('APPLICATIONINSIGHTS_CONNECTION_STRING')
          ? { APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/' }
          : {}),
        ...(keys.includes('GRAPH_ENABLED') ? { GRAPH_ENABLED: 'false' } : {}),
      });
      const config = loadConfig(env);
      expect(config.microsoftAppType).toBe('UserAssignedMSI');
      expect(config.cosmos).toMatchObject({ key: undefined, managedIdentityClientId: env.MicrosoftAppId, seedDemo: false, databaseId: 'integrations-lotse' });
      expect(config.testMode).toBe(false);
    });
  });

  describe('Cosmos DB', () => {
    it('turns local (key) authentication off and is serverless unless told otherwise', () => {
      expect(literal(at(cosmos.body, 'properties.disableLocalAuth'))).toBe(true);
      expect(sourceText(at(cosmos.body, 'properties.capabilities'))).toMatch(/^cosmosServerless \? \[ \{ name: 'EnableServerless' \} \] : \[\]$/);
      expect(literal(main.params.get('cosmosServerless')?.defaultValue)).toBe(true);
    });

    it('declares every container of services/storage/containers.ts with its partition key and TTL, and no other', () => {
      const declared = resourcesOfType('Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers').flatMap(({ resource, file }) =>
        instances(resource, file).map(({ body, scope }) => {
          const r = evaluate(at(body, 'properties.resource'), scope);
          const paths = at(r, 'partitionKey.paths');
          return {
            name: literal(evaluate(at(body, 'name'), scope)),
            id: literal(at(r, 'id')),
            partitionKey: paths?.kind === 'array' ? paths.items.map(literal) : undefined,
            defaultTtl: literal(at(r, 'defaultTtl')),
          };
        }),
      );
      expect(declared.map((c) => c.name).sort()).toEqual([...CONTAINER_NAMES].sort());
      for (const c of declared) {
        expect(c).toEqual({ name: c.name, id: c.name, partitionKey: [CONTAINER_SCHEMA.partitionKeyPath], defaultTtl: CONTAINER_SCHEMA.defaultTtl });
      }
    });

    it('puts the containers in the database COSMOS_DATABASE names', () => {
      const database = theOne('Microsoft.DocumentDB/databaseAccounts/sqlDatabases');
      expect(sourceText(at(database.body, 'parent'))).toBe(cosmos.symbol);
      expect(sourceText(at(database.body, 'name'))).toBe(sourceText(at(appSettings, 'COSMOS_DATABASE')));
      for (const { resource } of resourcesOfType('Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers')) {
        const body = resource.body.kind === 'for' ? resource.body.body : resource.body;
        expect(sourceText(at(body, 'parent'))).toBe(database.symbol);
      }
    });

    it('assigns the identity the built-in data contributor role on the account', () => {
      const forIdentity = resourcesOfType('Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments')
        .map(({ resource }) => resource)
        .filter((r) => sourceText(at(r.body, 'properties.principalId')) === `${identity.symbol}.properties.principalId`);
      expect(forIdentity).toHaveLength(1);
      const assignment = forIdentity[0];
      expect(assignment.condition).toBeUndefined();
      expect(sourceText(at(assignment.body, 'parent'))).toBe(cosmos.symbol);
      expect(sourceText(at(assignment.body, 'properties.principalId'))).toBe(`${identity.symbol}.properties.principalId`);
      expect(sourceText(at(assignment.body, 'properties.scope'))).toBe(`${cosmos.symbol}.id`);
      // The role definition id, with vars it names resolved.
      const roleDefinition = (sourceText(at(assignment.body, 'properties.roleDefinitionId')) ?? '').replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
        const v = literal(main.vars.get(name));
        return typeof v === 'string' ? v : whole;
      });
      expect(roleDefinition).toBe(`\${${cosmos.symbol}.id}/sqlRoleDefinitions/${COSMOS_DATA_CONTRIBUTOR}`);
    });
  });

  describe('App Service', () => {
    const server = read('bot/server.ts');

    it('runs Node 22 LTS on Linux with the start command of package.json', () => {
      expect(literal(at(site.body, 'kind'))).toBe('app,linux');
      expect(literal(at(site.body, 'properties.siteConfig.linuxFxVersion'))).toBe('NODE|22-lts');
      const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; engines: { node: string } };
      expect(literal(at(site.body, 'properties.siteConfig.appCommandLine'))).toBe(pkg.scripts.start);
      expect(pkg.engines.node).toBe('>=20.0.0');
    });

    it('checks health on the readiness route the service serves', () => {
      const path = literal(at(site.body, 'properties.siteConfig.healthCheckPath'));
      expect(path).toBe('/readyz');
      expect(server).toContain(`server.get('${String(path)}'`);
    });

    it('is always on, HTTPS only, TLS 1.2 or later, without FTP', () => {
      expect(literal(at(site.body, 'properties.httpsOnly'))).toBe(true);
      expect(literal(at(site.body, 'properties.siteConfig.alwaysOn'))).toBe(true);
      expect(literal(at(site.body, 'properties.siteConfig.minTlsVersion'))).toBe('1.2');
      expect(literal(at(site.body, 'properties.siteConfig.ftpsState'))).toBe('Disabled');
    });

    it('runs as the user-assigned identity', () => {
      expect(literal(at(site.body, 'identity.type'))).toBe('UserAssigned');
      expect(objectKeys(at(site.body, 'identity.userAssignedIdentities'))).toEqual([`\${${identity.symbol}.id}`]);
    });

    it('sends telemetry to the Application Insights of the Log Analytics workspace', () => {
      const insights = theOne('Microsoft.Insights/components');
      const workspace = theOne('Microsoft.OperationalInsights/workspaces');
      expect(sourceText(at(insights.body, 'properties.WorkspaceResourceId'))).toBe(`${workspace.symbol}.id`);
      expect(sourceText(at(appSettings, 'APPLICATIONINSIGHTS_CONNECTION_STRING'))).toBe(`${insights.symbol}.properties.ConnectionString`);
    });
  });

  describe('Azure Bot', () => {
    const bot = theOne('Microsoft.BotService/botServices');

    it('authenticates as the managed identity (UserAssignedMSI), no client secret', () => {
      expect(literal(at(bot.body, 'properties.msaAppType'))).toBe('UserAssignedMSI');
      expect(sourceText(at(bot.body, 'properties.msaAppId'))).toBe(`${identity.symbol}.properties.clientId`);
      expect(sourceText(at(bot.body, 'properties.msaAppMSIResourceId'))).toBe(`${identity.symbol}.id`);
      expect(sourceText(at(bot.body, 'properties.msaAppTenantId'))).toBe('tenant().tenantId');
    });

    it('sends Teams activities to the route the service serves', () => {
      const endpoint = sourceText(at(bot.body, 'properties.endpoint')) ?? '';
      expect(endpoint).toBe(`https://\${${site.symbol}.properties.defaultHostName}/api/messages`);
      expect(read('bot/server.ts')).toMatch(/'\/api\/messages'/);
    });

    it('has the Microsoft Teams channel', () => {
      const channel = theOne('Microsoft.BotService/botServices/channels');
      expect(sourceText(at(channel.body, 'parent'))).toBe(bot.symbol);
      expect(literal(at(channel.body, 'name'))).toBe('MsTeamsChannel');
      expect(literal(at(channel.body, 'properties.channelName'))).toBe('MsTeamsChannel');
    });
  });

  describe('Graph permissions', () => {
    it('grants, when asked, exactly the application permissions docs/graph.md lists for the features', () => {
      const documented = [...read('docs/graph.md').matchAll(/^\| \w+ \| `([A-Za-z.]+)` \|/gm)].map((m) => m[1]);
      expect(documented.length).toBeGreaterThan(0);
      const param = main.params.get('graphPermissions')?.defaultValue;
      const granted = param?.kind === 'array' ? param.items.map(literal) : [];
      expect(granted).toEqual(documented);
      const script = read('infra/scripts/grant-graph-permissions.sh');
      expect(/set -- ([^\n]+)/.exec(script)?.[1].split(' ')).toEqual(documented);
    });

    it('documents exactly the permissions the code\'s Graph features ask for (services/graph/graphPort.ts)', () => {
      const documented = [...read('docs/graph.md').matchAll(/^\| \w+ \| `([A-Za-z.]+)` \|/gm)].map((m) => m[1]);
      const asked = Object.values(GRAPH_FEATURES).filter((f) => !f.optIn).map((f) => f.permissions[0]);
      expect([...asked].sort()).toEqual([...documented].sort());
      // Opt-in features (not granted by default) are in the same table, marked so.
      const optIn = [...read('docs/graph.md').matchAll(/^\| \w+ \(opt-in\) \| `([A-Za-z.]+)` \|/gm)].map((m) => m[1]);
      expect(optIn.sort()).toEqual(Object.values(GRAPH_FEATURES).filter((f) => f.optIn).map((f) => f.permissions[0]).sort());
      // Deployment docs point to that one list instead of keeping their own.
      expect(read('docs/deployment.md')).not.toMatch(/^\| `[A-Za-z]+\.[A-Za-z.]+` \|/m);
    });
  });

  describe('deployment tools', () => {
    it('passes azd and the Agents Toolkit only parameters main.bicep declares, and every required one', () => {
      for (const path of ['infra/main.parameters.json', 'infra/main.parameters.atk.json']) {
        const given = Object.keys((JSON.parse(read(path)) as { parameters: Record<string, unknown> }).parameters);
        expect({ path, unknown: given.filter((p) => !main.params.has(p)) }).toEqual({ path, unknown: [] });
        const required = [...main.params].filter(([, p]) => p.defaultValue === undefined).map(([name]) => name);
        expect({ path, missing: required.filter((p) => !given.includes(p)) }).toEqual({ path, missing: [] });
      }
    });

    it('deploys the service named in the Web App\'s azd tag with azd', () => {
      const yaml = read('azure.yaml');
      expect(yaml).toMatch(/^infra:\n {2}provider: bicep\n {2}path: infra\n {2}module: main$/m);
      expect(yaml).toMatch(/^services:\n {2}bot:\n {4}project: \.\n {4}language: js\n {4}host: appservice$/m);
      expect(sourceText(at(site.body, 'tags'))).toBe("union(allTags, { 'azd-service-name': 'bot' })");
    });

    it('provisions the same template with the Agents Toolkit and deploys to the Web App it outputs', () => {
      const yaml = read('m365agents.yml');
      expect(yaml).toContain('path: ./infra/main.bicep');
      expect(yaml).toContain('parameters: ./infra/main.parameters.atk.json');
      const outputsUsed = [...yaml.matchAll(/\$\{\{([A-Z_]+)\}\}/g)].map((m) => m[1]).filter((k) => !['AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP_NAME', 'TEAMSFX_ENV'].includes(k));
      expect(outputsUsed).toEqual(['BOT_AZURE_APP_SERVICE_RESOURCE_ID']);
      expect(sourceText(main.outputs.get('BOT_AZURE_APP_SERVICE_RESOURCE_ID')?.value)).toBe(`${site.symbol}.id`);
      expect(existsSync(join(ROOT, 'env', '.env.dev'))).toBe(true);
    });

    it('outputs what `npm run package` needs, under the names config.ts reads', () => {
      const known = keysConfigReads();
      for (const name of ['MicrosoftAppId', 'PUBLIC_BASE_URL']) {
        expect(known).toContain(name);
        expect(main.outputs.has(name)).toBe(true);
      }
      expect(sourceText(main.outputs.get('MicrosoftAppId')?.value)).toBe(sourceText(at(appSettings, 'MicrosoftAppId')));
    });

    it('passes the tab\'s own Entra app (TAB_APP_ID) to the service and to `npm run package`, never the identity', () => {
      const known = keysConfigReads();
      expect(known).toContain('TAB_APP_ID');
      expect(PRODUCTION_SETTINGS as readonly string[]).not.toContain('TAB_APP_ID');
      expect(sourceText(at(appSettings, 'TAB_APP_ID'))).toBe('tabAppId');
      expect(literal(main.params.get('tabAppId')?.defaultValue)).toBe('');
      expect(sourceText(main.outputs.get('TAB_APP_ID')?.value)).toBe('tabAppId');
      // The package must know the bot is a managed identity: otherwise it would name the identity as the tab's app.
      expect(literal(main.outputs.get('MicrosoftAppType')?.value)).toBe(literal(at(appSettings, 'MicrosoftAppType')));
      const outputs = { MicrosoftAppId: '7d1c2e3f-1111-4222-8333-444455556666', PUBLIC_BASE_URL: 'https://lotse.azurewebsites.net', MicrosoftAppType: String(literal(main.outputs.get('MicrosoftAppType')?.value)) };
      expect(loadPackageConfig({ ...outputs, TAB_APP_ID: '' }).tabAppId).toBeUndefined();
      expect(loadPackageConfig({ ...outputs, TAB_APP_ID: '0c4d9e7a-5b6c-4d7e-8f90-a1b2c3d4e5f6' }).tabAppId).toBe('0c4d9e7a-5b6c-4d7e-8f90-a1b2c3d4e5f6');
      for (const path of ['infra/main.parameters.json', 'infra/main.parameters.atk.json']) {
        expect(Object.keys((JSON.parse(read(path)) as { parameters: Record<string, unknown> }).parameters)).toContain('tabAppId');
      }
    });

    it('creates the tab\'s app registration for the scope and the Teams clients the service accepts', () => {
      const script = read('infra/scripts/create-tab-app.sh');
      expect(/^teams_clients="([^"]+)"$/m.exec(script)?.[1].split(' ')).toEqual([...TEAMS_CLIENT_IDS]);
      expect(script).toContain('\\"value\\":\\"access_as_user\\"');
      expect(script).toContain('api://$host/$app_id');
      expect(script).toContain('\\"requestedAccessTokenVersion\\":2');
    });
  });
});
