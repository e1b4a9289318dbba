/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/helpers/no-color.js'],
  testTimeout: 30000,
  // Network and simulator suites share ports and namespaces; two workers match the machine's cores.
  maxWorkers: 2,
};
