// Every .bicep file is syntactically valid Bicep (tree-sitter-bicep; no Bicep CLI offline).
import { bicepFiles, bicepSyntaxErrors } from '../../scripts/lint-bicep';
import { INFRA, infraFiles } from './infra-files';

describe('Bicep syntax', () => {
  const files = infraFiles('.bicep');

  it('finds the templates', () => {
    expect(bicepFiles(INFRA).length).toBe(files.length);
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['infra/main.bicep', 'infra/app/monitoring.bicep', 'infra/app/probe-region.bicep']));
  });

  it.each(files.map((f) => [f.path, f.text]))('%s has no ERROR or MISSING nodes', (_path, text) => {
    expect(bicepSyntaxErrors(text)).toEqual([]);
  });

  it('reports broken Bicep with a position', () => {
    expect(bicepSyntaxErrors("param x string\nresource r 'A/b@2020-01-01' = {\n  name: x\n")).toEqual([expect.stringMatching(/^\d+:\d+ missing/)]);
    expect(bicepSyntaxErrors("var a = [for x in : x]\n")).not.toEqual([]);
  });
});
