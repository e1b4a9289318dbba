// docs/deploy.md lists every resource type and API version, and the azd files fit the template.
import { infraFiles, readRepoFile, resourceTypes } from './infra-files';

const docs = readRepoFile('docs/deploy.md');
const types = [...new Set(infraFiles('.bicep').flatMap((f) => resourceTypes(f.text)))].sort();

describe('deploy docs and azd files', () => {
  it('finds the resource types', () => {
    expect(types).toEqual(expect.arrayContaining(['Microsoft.Web/sites@2024-04-01', 'Microsoft.Insights/scheduledQueryRules@2023-12-01']));
  });

  it.each(types)('docs/deploy.md lists %s', (type) => {
    expect(docs).toContain(`\`${type}\``);
  });

  it('lists no resource type that the Bicep does not use', () => {
    const listed = [...docs.matchAll(/`([A-Za-z]+\.[A-Za-z]+\/[A-Za-z/]+@\d{4}-\d{2}-\d{2}(?:-preview)?)`/g)].map((m) => m[1]);
    expect(listed.filter((t) => !types.includes(t))).toEqual([]);
  });

  it('maps azd environment values onto existing main.bicep parameters', () => {
    const parameters = (JSON.parse(readRepoFile('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> }).parameters;
    const main = readRepoFile('infra/main.bicep');
    expect(parameters.environmentName.value).toBe('${AZURE_ENV_NAME}');
    expect(parameters.location.value).toBe('${AZURE_LOCATION}');
    for (const name of Object.keys(parameters)) expect(main).toMatch(new RegExp(`^param ${name} `, 'm'));
  });

  it('declares the probes service as a TypeScript function app at the project root', () => {
    const yaml = readRepoFile('azure.yaml');
    expect(yaml).toMatch(/^services:\n {2}probes:\n {4}project: \.\n {4}language: ts\n {4}host: function$/m);
    expect(readRepoFile('infra/app/probe-region.bicep')).toContain("'azd-service-name': 'probes'");
  });

  it('gives azd the outputs it reads', () => {
    const main = readRepoFile('infra/main.bicep');
    for (const output of ['AZURE_LOCATION', 'AZURE_TENANT_ID', 'AZURE_RESOURCE_GROUP', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'SQLPROBE_FUNCTION_APP_NAMES']) {
      expect(main).toMatch(new RegExp(`^output ${output} `, 'm'));
    }
  });
});
