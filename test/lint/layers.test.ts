// The layer order and the index-only entry points are enforced by `npm run lint`; these fixtures show
// the rules fail on each kind of wrong import, and pass the right ones.
import { lintSnippets, type Snippet } from './lint-snippets';

interface Fixture extends Snippet {
  what: string;
  /** The one message expected, or none. */
  expected?: RegExp;
}

const REFUSED: Fixture[] = [
  { what: 'a lower layer importing a higher one', path: 'shared/config/x.ts', code: "import { PROBERS } from '../probers';\nexport const p = PROBERS;", expected: /^layers\/imports: shared\/config may not import shared\/probers, a layer above it/ },
  { what: 'a back-edge from the runner to the app layer', path: 'shared/runner/x.ts', code: "import { probeTargets } from '../app';\nexport const p = probeTargets;", expected: /shared\/runner may not import shared\/app/ },
  { what: 'telemetry reaching the state layer above it', path: 'shared/telemetry/x.ts', code: "export { MemoryStateStore } from '../state';", expected: /shared\/telemetry may not import shared\/state/ },
  { what: 'a re-export around a folder\'s index', path: 'shared/idle/x.ts', code: "export * from '../probers/session';", expected: /import shared\/probers through its index/ },
  { what: 'a dynamic import into another folder\'s file', path: 'shared/app/x.ts', code: "export const load = () => import('../state/table-store');", expected: /import shared\/state through its index/ },
  { what: 'the engine importing a host', path: 'shared/app/x.ts', code: "import { run } from '../../cli/program';\nexport const r = run;", expected: /shared\/app may not import cli\// },
  { what: 'the CLI importing the Functions registrations', path: 'cli/x.ts', code: "import '../functions/probe';", expected: /cli\/ may not import functions\// },
  { what: 'the simulator importing the probers', path: 'sim/x.ts', code: "import { PROBERS } from '../shared/probers';\nexport const p = PROBERS;", expected: /sim\/ may not import shared\/probers/ },
  { what: 'a setting read below the app layer', path: 'shared/probers/x.ts', code: 'export const env = process.env.SQLPROBE_PROBE_TIMEOUT;', expected: /^no-restricted-properties: 'process.env' is restricted/ },
  { what: 'the CLI using the Functions library', path: 'cli/x.ts', code: "import { app } from '@azure/functions';\nexport const a = app;", expected: /^no-restricted-imports: .*only functions\/ registers with the Functions host/ },
  { what: 'the engine importing a light entry around the index (only hosts may)', path: 'shared/app/x.ts', code: "import { scheduleSetting } from '../config/schedule';\nexport const s = scheduleSetting;", expected: /import shared\/config through its index/ },
  { what: 'a host importing a file that is not a light entry around its index', path: 'functions/x.ts', code: "import { settingsSchema } from '../shared/config/settings';\nexport const s = settingsSchema;", expected: /import shared\/config through its index/ },
];

const ALLOWED: Fixture[] = [
  { what: 'a higher layer importing a lower one through its index', path: 'shared/app/x.ts', code: "import { runRound } from '../runner';\nexport const r = runRound;" },
  { what: 'a folder importing its own files', path: 'shared/probers/x.ts', code: "import { ProbeRecorder } from './recorder';\nexport const r = ProbeRecorder;" },
  { what: 'a host importing the app layer', path: 'cli/x.ts', code: "import { probeTargets } from '../shared/app';\nexport const p = probeTargets;" },
  { what: 'the app layer reading settings', path: 'shared/app/x.ts', code: 'export const env = process.env.SQLPROBE_PROBE_TIMEOUT;' },
  { what: 'a test reaching into a folder', path: 'test/x.test.ts', code: "import { ProbeRecorder } from '../shared/probers/recorder';\nexport const r = ProbeRecorder;" },
  { what: 'the Functions entry reading its schedules from the zod-free light entry', path: 'functions/x.ts', code: "import { scheduleSetting } from '../shared/config/schedule';\nexport const s = scheduleSetting;" },
];

let messages: Map<Fixture, string[]>;

beforeAll(() => {
  messages = lintSnippets([...REFUSED, ...ALLOWED]);
}, 60_000);

describe('npm run lint: the engine layers', () => {
  test.each(REFUSED.map((f) => [f.what, f] as const))('refuses %s', (_what, fixture) => {
    expect(messages.get(fixture)).toEqual([expect.stringMatching(fixture.expected!)]);
  });

  test.each(ALLOWED.map((f) => [f.what, f] as const))('allows %s', (_what, fixture) => {
    expect(messages.get(fixture)).toEqual([]);
  });
});
