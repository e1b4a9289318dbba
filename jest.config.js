/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/helpers/no-color.js'],
  // One build of the CLI per run, shared by the end-to-end suites that need it.
  globalSetup: '<rootDir>/test/helpers/build-dir.js',
  globalTeardown: '<rootDir>/test/helpers/build-dir-teardown.js',
  testTimeout: 30000,
  // Network and simulator suites share ports and namespaces; two workers match the machine's cores.
  maxWorkers: 2,
};
