// The workbook is valid JSON in the Notebook/1.0 shape, with the sections the issue asks for.
import { readRepoFile } from './infra-files';

interface WorkbookItem {
  type: number;
  name: string;
  content: { version?: string; query?: string; resourceType?: string; visualization?: string };
}

const workbook = JSON.parse(readRepoFile('infra/app/workbook.json')) as { version: string; items: WorkbookItem[] };
const queries = workbook.items.filter((i) => i.type === 3);

describe('workbook', () => {
  it('is a Notebook/1.0 workbook', () => {
    expect(workbook.version).toBe('Notebook/1.0');
    expect(Array.isArray(workbook.items)).toBe(true);
  });

  it.each([
    ['availability-grid', 'table'],
    ['phase-latency', 'timechart'],
    ['idle-survival', 'barchart'],
    ['failure-classes', 'barchart'],
    ['verdicts', 'table'],
  ])('has the %s section as a %s', (name, visualization) => {
    expect(queries.find((i) => i.name === name)?.content.visualization).toBe(visualization);
  });

  it('runs every query against the Application Insights component', () => {
    for (const item of queries) {
      expect(item.content).toMatchObject({ version: 'KqlItem/1.0', resourceType: 'microsoft.insights/components' });
      expect(item.content.query).toEqual(expect.any(String));
    }
  });

  it('has unique item names', () => {
    const names = workbook.items.map((i) => i.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('is loaded by the workbook module, which points its fallback resource at the component', () => {
    // Without fallbackResourceIds a workbook opened from the gallery or a link has no resource to query.
    const bicep = readRepoFile('infra/app/workbook.bicep');
    expect(bicep).toMatch(/serializedData: string\(union\(loadJsonContent\('workbook\.json'\), \{\n\s+fallbackResourceIds: \[\n\s+appInsightsId\n\s+\]\n\s+\}\)\)/);
    expect(bicep).toMatch(/sourceId: appInsightsId/);
  });
});
