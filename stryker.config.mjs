// Mutation testing of the code that guards users (https://stryker-mutator.io/docs/stryker-js/configuration/).
// `npm run mutate` (scripts/mutate.mjs) runs one Stryker pass per group below, each with only its
// own test files, and writes the per-file scores to docs/mutation.md. `npx stryker run` runs this
// default export: every group's files against every group's tests at once (slower: each static
// mutant then runs them all).

/**
 * Each group: the files it mutates and the test files that are meant to catch a regression in
 * them. Coverage is per test, so a mutant runs only the tests that reached it; a mutant that runs
 * when a module loads (a table, a pattern) runs all of its group's tests.
 */
export const groups = [
  { name: 'adhoc', mutate: ['shared/app/adhoc.ts'], tests: ['test/app/adhoc.test.ts', 'test/cli/target-flags.test.ts', 'test/functions/probe.test.ts'] },
  {
    name: 'redaction',
    mutate: ['shared/classify/redact.ts', 'shared/telemetry/scrub.ts'],
    tests: ['test/classify/redact.test.ts', 'test/telemetry/redact.test.ts', 'test/classify/classify.test.ts'],
  },
  {
    name: 'classify',
    mutate: ['shared/classify/classify.ts', 'shared/classify/taxonomy.ts'],
    tests: ['test/classify/classify.test.ts', 'test/classify/taxonomy.test.ts', 'test/config/readme.test.ts'],
  },
  {
    name: 'availability',
    mutate: ['shared/telemetry/availability.ts'],
    tests: ['test/telemetry/units.test.ts', 'test/telemetry/dimensions.test.ts', 'test/telemetry/availability.test.ts'],
  },
  { name: 'attempt', mutate: ['shared/runner/attempt.ts'], tests: ['test/runner/round.test.ts', 'test/runner/budget.property.test.ts', 'test/runner/attempt.test.ts'] },
  {
    name: 'bounds',
    mutate: ['shared/config/duration.ts', 'shared/config/timer.ts'],
    tests: ['test/config/bounds.test.ts', 'test/config/bounds.property.test.ts', 'test/config/timer.test.ts', 'test/config/targets.test.ts', 'test/config/duration.test.ts'],
  },
  { name: 'prelogin', mutate: ['shared/tds/prelogin.ts'], tests: ['test/sim/codec.test.ts', 'test/tds/prelogin.test.ts'] },
  { name: 'verdict', mutate: ['shared/idle/verdict.ts'], tests: ['test/idle/verdict.test.ts', 'test/idle/verdict-edges.test.ts'] },
];

/** The Jest config of a pass: the project's own, with only `tests` to run. */
export const jestFor = (tests) => ({
  projectType: 'custom',
  configFile: 'jest.config.js',
  config: { testMatch: tests.map((t) => `<rootDir>/${t}`) },
  // Coverage per test already picks the tests a mutant reaches.
  enableFindRelatedTests: false,
});

/** What every pass shares. */
export const base = {
  packageManager: 'npm',
  testRunner: 'jest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // The machine is shared (two cores, other work beside it): one test runner.
  concurrency: 1,
  // A loaded machine stretches a run; a mutant is a timeout only well past its dry run's time.
  timeoutMS: 10_000,
  timeoutFactor: 3,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  reporters: ['progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  ignorePatterns: ['dist', 'coverage', 'reports', 'test-artifacts', '.azurite', '.deploy'],
};

export default {
  ...base,
  mutate: groups.flatMap((g) => g.mutate),
  jest: jestFor([...new Set(groups.flatMap((g) => g.tests))]),
};
