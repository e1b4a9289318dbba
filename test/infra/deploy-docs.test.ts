// docs/deploy.md lists every resource type and API version, every parameter and every alert rule,
// and the azd files fit the template.
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

  it('documents every main.bicep parameter, and every alert rule in the Alerts table', () => {
    const main = readRepoFile('infra/main.bicep');
    const table = docs.slice(docs.indexOf('## Parameters'), docs.indexOf('## App settings'));
    for (const [, name] of main.matchAll(/^param (\w+) /gm)) expect(table).toContain(`\`${name}\``);
    const alerts = docs.slice(docs.indexOf('## Alerts'), docs.indexOf('## Workbook'));
    const rules = [...readRepoFile('infra/app/alerts.bicep').matchAll(/^ {4}name: '(sqlprobe-[a-z0-9-]+)'$/gm)].map((m) => m[1]);
    expect(rules.length).toBeGreaterThan(4);
    for (const rule of rules) expect(alerts).toMatch(new RegExp(`^\\| \`${rule}\` \\(sev \\d\\)`, 'm'));
  });

  it('maps azd environment values onto existing main.bicep parameters', () => {
    const parameters = (JSON.parse(readRepoFile('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> }).parameters;
    const main = readRepoFile('infra/main.bicep');
    expect(parameters.environmentName.value).toBe('${AZURE_ENV_NAME}');
    expect(parameters.location.value).toBe('${AZURE_LOCATION}');
    for (const name of Object.keys(parameters)) expect(main).toMatch(new RegExp(`^param ${name} `, 'm'));
  });

  it('gives azd the outputs it reads', () => {
    const main = readRepoFile('infra/main.bicep');
    for (const output of ['AZURE_LOCATION', 'AZURE_TENANT_ID', 'AZURE_RESOURCE_GROUP', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'SQLPROBE_FUNCTION_APP_NAMES']) {
      expect(main).toMatch(new RegExp(`^output ${output} `, 'm'));
    }
  });
});
