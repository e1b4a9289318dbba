// Every resource infra/ declares matches Azure's own type definitions for its type and API version
// (copied into test/infra/types from Azure/bicep-types-az): no unknown or read-only property set, no
// required one missing, no value outside an enum. The fixtures show that each kind of mistake fails.
import { join } from 'node:path';
import { bicepResources } from './bicep-resources';
import { checkResource, loadTypes } from './bicep-types';
import { infraFiles } from './infra-files';

const index = loadTypes(join(__dirname, 'types'));
const resources = infraFiles('.bicep').flatMap((f) => bicepResources(f.text, f.path));
const check = (source: string): string[] => bicepResources(source, 'fixture.bicep').flatMap((r) => checkResource(r, index));

describe('infra/ against the Azure type definitions', () => {
  it('finds every resource declaration', () => {
    const declared = infraFiles('.bicep').reduce((n, f) => n + (f.text.match(/^resource /gm)?.length ?? 0), 0);
    expect(resources).toHaveLength(declared);
    expect(resources.map((r) => r.type)).toEqual(expect.arrayContaining(['Microsoft.Web/sites@2024-04-01', 'Microsoft.Insights/scheduledQueryRules@2023-12-01']));
  });

  it('has a type definition for every resource type and API version it uses, and no spare one', () => {
    const used = new Set(resources.map((r) => r.type.toLowerCase()));
    expect([...used].filter((t) => !index.resources.has(t))).toEqual([]);
    const files = new Set([...used].map((t) => index.resources.get(t)?.file));
    const spare = [...new Set([...index.resources.values()].map((r) => r.file))].filter((f) => !files.has(f));
    expect(spare).toHaveLength(0);
  });

  it.each(resources.map((r) => [`${r.file}:${r.line} ${r.symbol}`, r]))('%s matches its type', (_name, resource) => {
    expect(checkResource(resource, index)).toEqual([]);
  });
});

describe('the type check fails on', () => {
  it('an unknown property, with file and line, and a casing slip', () => {
    expect(check(`resource w 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi'
  location: 'eastus'
  kind: 'web'
  properties: {
    Application_Type: 'web'
    disableLocalAuth: true
    RetentionDays: 30
  }
}`)).toEqual([
      "fixture.bicep:7: properties.disableLocalAuth: unknown property; the type spells it 'DisableLocalAuth'",
      expect.stringMatching(/^fixture\.bicep:8: properties\.RetentionDays: unknown property \(known: /),
    ]);
  });

  it('a read-only property set', () => {
    expect(check(`resource s 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st'
  location: 'eastus'
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    primaryEndpoints: {}
  }
}`)).toEqual(['fixture.bicep:7: properties.primaryEndpoints: is read-only']);
  });

  it('a required property missing', () => {
    expect(check(`resource p 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan'
  sku: { name: 'FC1' }
}`)).toEqual(["fixture.bicep:1: (body): required property 'location' is missing"]);
  });

  it('an enum value outside the allowed set, also through a var and a loop', () => {
    expect(check(`var rules = [
  { op: 'GreaterThan' }
  { op: 'Above' }
]
resource r 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in rules: {
  name: 'rule'
  location: 'eastus'
  kind: 'Logs'
  properties: {
    scopes: []
    criteria: {
      allOf: [
        {
          operator: rule.op
          timeAggregation: 'Maximum'
        }
      ]
    }
  }
}]`)).toEqual([
      "fixture.bicep:3: properties.criteria.allOf[0].operator: 'Above' is not one of 'Equals', 'GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual'",
      "fixture.bicep:8: kind: 'Logs' is not one of 'LogAlert', 'LogToMetric'",
    ]);
  });

  it('a resource name a fixed-name child type does not allow, and an unknown API version', () => {
    expect(check(`resource b 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  name: 'main'
}
resource x 'Microsoft.Web/sites@2099-01-01' = {
  name: 'x'
}`)).toEqual([
      "fixture.bicep:2: name: 'main' is not 'default'",
      "fixture.bicep:4: x: no type definition for 'Microsoft.Web/sites@2099-01-01' (unknown type or API version)",
    ]);
  });

  it('a property set on an existing resource, but not a computed or conditional value it cannot judge', () => {
    expect(check(`param enabled bool
resource v 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: 'kv'
  location: 'eastus'
}
resource i 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-\${uniqueString('x')}'
  location: enabled ? 'eastus' : resourceGroup().location
}`)).toEqual(['fixture.bicep:4: location: cannot be set on an existing resource']);
  });
});
