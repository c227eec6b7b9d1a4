import { at, BicepReadError, evaluate, instances, literal, readBicep, sourceText, stripComments } from './bicepReader';

describe('the Bicep reader of the consistency test', () => {
  it('drops comments but keeps // inside strings and the line breaks that separate entries', () => {
    const text = stripComments("var a = 'https://x' // note\n/* two\nlines */var b = 1");
    expect(text).toBe("var a = 'https://x' \n      \n        var b = 1");
  });

  it('reads params with decorators and defaults, vars, outputs', () => {
    const file = readBicep(`
      @minLength(1)
      @description('Name (used everywhere), see docs')
      param environmentName string

      @allowed([ 'F0', 'S1' ])
      param sku string = 'F0'
      param serverless bool = true
      var token = toLower(uniqueString(subscription().id, environmentName))
      output URI string = 'https://\${token}.example'
    `);
    expect([...file.params.keys()]).toEqual(['environmentName', 'sku', 'serverless']);
    expect(file.params.get('environmentName')?.defaultValue).toBeUndefined();
    expect(literal(file.params.get('sku')?.defaultValue)).toBe('F0');
    expect(literal(file.params.get('serverless')?.defaultValue)).toBe(true);
    expect(sourceText(file.vars.get('token'))).toBe('toLower(uniqueString(subscription().id, environmentName))');
    expect(file.outputs.get('URI')).toEqual({ type: 'string', value: { kind: 'string', raw: 'https://${token}.example' } });
  });

  it('keeps each param\'s decorators (name and the text in the parentheses), and none for the next param', () => {
    const file = readBicep(`
      @minValue(1)
      @sys.maxValue(60)
      @description('Days (1-60)')
      param days int = 3
      param plain int = 1
    `);
    expect(file.params.get('days')?.decorators).toEqual({ minValue: '1', maxValue: '60', description: "'Days (1-60)'" });
    expect(file.params.get('plain')?.decorators).toEqual({});
  });

  it('reads a resource body: nested objects, quoted keys, one-line objects and arrays, numbers, ternaries', () => {
    const file = readBicep(`
      resource site 'Microsoft.Web/sites@2024-11-01' = {
        name: appName
        identity: {
          type: 'UserAssigned'
          userAssignedIdentities: { '\${identity.id}': {} }
        }
        properties: {
          httpsOnly: true
          capabilities: serverless ? [ { name: 'EnableServerless' } ] : []
          siteConfig: { linuxFxVersion: 'NODE|22-lts', healthCheckPath: '/readyz' }
          ttl: -1
          label: '\${flag ? 'on' : 'off'} mode'
        }
      }
    `);
    const [site] = file.resources;
    expect(site).toMatchObject({ symbol: 'site', type: 'Microsoft.Web/sites', apiVersion: '2024-11-01', existing: false });
    expect(literal(at(site.body, 'properties.httpsOnly'))).toBe(true);
    expect(literal(at(site.body, 'properties.siteConfig.healthCheckPath'))).toBe('/readyz');
    expect(literal(at(site.body, 'properties.ttl'))).toBe(-1);
    expect(sourceText(at(site.body, 'properties.capabilities'))).toBe("serverless ? [ { name: 'EnableServerless' } ] : []");
    expect(at(site.body, 'identity.userAssignedIdentities')?.kind).toBe('object');
    expect(literal(at(site.body, 'properties.label'))).toBeUndefined();
    expect(sourceText(at(site.body, 'properties.label'))).toBe("${flag ? 'on' : 'off'} mode");
  });

  it('binds a loop variable to each item of the var it loops over', () => {
    const file = readBicep(`
      var containers = [
        { name: 'a', partitionKey: '/pk' }
        { name: 'b', partitionKey: '/pk' }
      ]
      resource c 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for c in containers: {
        name: c.name
        properties: { resource: { id: c.name, partitionKey: { paths: [ c.partitionKey ] } } }
      }]
    `);
    const bodies = instances(file.resources[0], file).map(({ body, scope }) => evaluate(at(body, 'properties.resource'), scope));
    expect(bodies.map((b) => literal(at(b, 'id')))).toEqual(['a', 'b']);
    expect(bodies.map((b) => at(b, 'partitionKey.paths'))).toEqual([
      { kind: 'array', items: [{ kind: 'string', raw: '/pk' }] },
      { kind: 'array', items: [{ kind: 'string', raw: '/pk' }] },
    ]);
  });

  it('reads existing resources, conditional modules and conditions', () => {
    const file = readBicep(`
      extension 'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0'
      resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
        appId: '00000003-0000-0000-c000-000000000000'
      }
      module grant 'modules/grant.bicep' = if (grantIt) {
        name: 'grant'
        params: { principalId: identity.properties.principalId }
      }
    `);
    expect(file.resources[0]).toMatchObject({ symbol: 'graph', existing: true, apiVersion: 'v1.0' });
    expect(file.modules[0]).toMatchObject({ symbol: 'grant', path: 'modules/grant.bicep', condition: 'grantIt' });
    expect(sourceText(at(file.modules[0].body, 'params.principalId'))).toBe('identity.properties.principalId');
  });

  it('refuses what it does not understand instead of guessing', () => {
    expect(() => readBicep('resource x = {}')).toThrow(BicepReadError);
    expect(() => readBicep("var a = 'open")).toThrow(/unterminated string/);
    expect(() => readBicep('resource s \'T@1\' = {\n a: 1\n a: 2\n}')).toThrow(/duplicate key "a"/);
    expect(() => readBicep('frobnicate x')).toThrow(/unknown declaration "frobnicate"/);
  });
});
